//! Markdown: the same report, to paste into a ticket. Message content is escaped for Markdown.

use super::{Report, auth_rows, from_cell, journey_line, protocol_cell, summary_rows};
use crate::hops::Side;
use crate::text::{escape_markdown as esc, human_duration};

/// Render one report.
pub fn render(report: &Report) -> String {
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
    out.push_str("### Findings\n\n");
    if report.findings.is_empty() {
        out.push_str("None.\n");
    }
    for f in &report.findings {
        let hop = f.hop.map(|h| format!(" (hop {h})")).unwrap_or_default();
        out.push_str(&format!(
            "- **{}** `{}` {}{hop}: {}\n",
            f.severity,
            f.code,
            f.name,
            esc(&f.message)
        ));
    }
    out
}
