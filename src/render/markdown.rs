//! Markdown: the same report, to paste into a ticket. Message content is escaped for Markdown.

use super::{
    Report, auth_rows, from_cell, journey_line, limit_lines, page_of, protocol_cell, report_lines,
    summary_rows, verdict_lines,
};
use crate::hops::Side;
use crate::text::{escape_markdown as esc, human_duration};

/// Render one report; with `explain`, each finding's teaching page follows it.
pub fn render(report: &Report, explain: bool) -> String {
    let mut out = String::new();
    let m = &report.message;
    out.push_str(&format!(
        "## mailtrace report: {}\n\n",
        esc(&report.source.name)
    ));
    out.push_str("| field | value |\n|---|---|\n");
    for (label, value) in summary_rows(m) {
        let v = value.map(esc).unwrap_or_else(|| "(none)".into());
        out.push_str(&format!("| {label} | {v} |\n"));
    }
    out.push_str(&format!("\n### Journey\n\n{}\n\n", journey_line(report)));
    if let Some(summary) = &report.time.summary {
        out.push_str(&format!("Time: {}\n\n", esc(summary)));
    }
    if let Some(b) = &report.boundary {
        let host = b
            .host
            .as_deref()
            .map(esc)
            .unwrap_or_else(|| "an unnamed host".into());
        let ip =
            b.ip.map(|ip| format!(", connecting IP `{ip}`"))
                .unwrap_or_default();
        out.push_str(&format!("Trust boundary: hop {} at {host}{ip}\n\n", b.hop));
    }
    if !report.hops.is_empty() {
        out.push_str("| # | time (UTC) | delay | from | IP | by | with / TLS |\n");
        out.push_str("|--:|---|--:|---|---|---|---|\n");
        for hop in &report.hops {
            let index = match hop.side {
                Side::Boundary => format!("**{} (boundary)**", hop.index),
                _ => hop.index.to_string(),
            };
            let delay = match hop.delay_seconds {
                Some(d) if d < 0 => format!("{} (skew)", human_duration(d)),
                Some(d) => human_duration(d),
                None => String::new(),
            };
            out.push_str(&format!(
                "| {index} | {} | {delay} | {} | {} | {} | {} |\n",
                hop.timestamp.as_deref().unwrap_or("?"),
                esc(&from_cell(hop)),
                hop.from_ip.map(|i| i.to_string()).unwrap_or_default(),
                esc(hop.by_host.as_deref().unwrap_or("")),
                esc(&protocol_cell(hop)),
            ));
        }
        out.push('\n');
    }
    let rows = auth_rows(report);
    if !rows.is_empty() {
        out.push_str("### Authentication\n\n| check | what | verified | claimed | why |\n|---|---|---|---|---|\n");
        for row in rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                row.check,
                esc(&row.subject),
                row.verified,
                esc(&row.claimed),
                esc(&row.why)
            ));
        }
        out.push('\n');
    }
    for (title, lines) in [
        ("Spam filters on the way", verdict_lines(report)),
        ("Delivery reports", report_lines(report)),
        ("Limits reached", limit_lines(report)),
    ] {
        if !lines.is_empty() {
            out.push_str(&format!("### {title}\n\n"));
            for line in lines {
                out.push_str(&format!("- {}\n", esc(&line)));
            }
            out.push('\n');
        }
    }
    out.push_str("### Findings\n\n");
    if report.findings.is_empty() {
        out.push_str("None.\n");
    }
    let mut explained: Vec<&str> = Vec::new();
    for f in &report.findings {
        let hop = f.hop.map(|h| format!(" (hop {h})")).unwrap_or_default();
        out.push_str(&format!(
            "- **{}** `{}` {}{hop}: {}\n",
            f.severity,
            f.code,
            f.name,
            esc(&f.message)
        ));
        if explain && !explained.contains(&f.code) {
            explained.push(f.code);
            out.push_str("\n  <details><summary>What it means and what to do</summary>\n\n");
            for line in page_of(f.code).unwrap_or_default().lines() {
                out.push_str(&format!("  {line}\n"));
            }
            out.push_str("\n  </details>\n\n");
        }
    }
    if let Some(original) = &report.original {
        out.push_str("\n### The returned original message\n\n");
        for line in render(original, explain).lines() {
            out.push_str("> ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
