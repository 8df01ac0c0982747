//! Text for a terminal: summary, the hop table with delay bars and the boundary marked, then
//! findings by severity. Every piece of message content goes through `escape_terminal`.

use comfy_table::{Cell, CellAlignment};

use super::{
    Report, TextStyle, auth_rows, from_cell, journey_line, limit_lines, page_of, protocol_cell,
    report_lines, summary_rows, verdict_lines,
};
use crate::diagnose::Severity;
use crate::hops::Side;
use crate::text::{escape_terminal as esc, human_duration};

const BAR_WIDTH: usize = 12;

fn paint(style: &TextStyle, code: &str, s: &str) -> String {
    if style.color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "33",
        Severity::Info => "36",
    }
}

/// A bar proportional to the delay (longest delay = full width); skew shown as such.
fn delay_cell(delay: Option<i64>, max: i64) -> String {
    match delay {
        None => String::new(),
        Some(d) if d < 0 => format!("{} (skew)", human_duration(d)),
        Some(d) => {
            let filled = if max > 0 {
                ((d as f64 / max as f64) * BAR_WIDTH as f64).ceil() as usize
            } else {
                0
            };
            let bar = "█".repeat(filled.min(BAR_WIDTH));
            if bar.is_empty() {
                human_duration(d)
            } else {
                format!("{} {bar}", human_duration(d))
            }
        }
    }
}

/// Render one report.
pub fn render(report: &Report, style: &TextStyle) -> String {
    let mut out = String::new();
    let m = &report.message;
    let name = match report.source.name.as_str() {
        "-" => "standard input".to_string(),
        other => esc(other),
    };
    out.push_str(&paint(style, "1", &format!("mailtrace · {name}")));
    out.push('\n');
    for (label, value) in summary_rows(m) {
        let v = value.map(esc).unwrap_or_else(|| "(none)".into());
        out.push_str(&format!("  {label:<12} {v}\n"));
    }
    out.push('\n');
    out.push_str(&paint(style, "1", "Journey"));
    out.push_str(&format!(": {}\n", journey_line(report)));
    if let Some(summary) = &report.time.summary {
        out.push_str(&format!("Time: {}\n", esc(summary)));
    }
    if let Some(b) = &report.boundary {
        let host = b
            .host
            .as_deref()
            .map(esc)
            .unwrap_or_else(|| "an unnamed host".into());
        let ip =
            b.ip.map(|ip| format!(", connecting IP {ip}"))
                .unwrap_or_default();
        out.push_str(&format!("Trust boundary: hop {} at {host}{ip}\n", b.hop));
    }

    if !report.hops.is_empty() {
        let max = report
            .hops
            .iter()
            .filter_map(|h| h.delay_seconds)
            .max()
            .unwrap_or(0);
        let mut table = super::table(style.width);
        table.set_header(vec![
            "#",
            "time (UTC)",
            "delay",
            "from",
            "IP",
            "by",
            "with / TLS",
        ]);
        for hop in &report.hops {
            let index = match hop.side {
                Side::Boundary => format!("{} ▶", hop.index),
                _ => hop.index.to_string(),
            };
            let time = hop
                .timestamp
                .as_deref()
                .map(|t| t.replace('T', " ").trim_end_matches('Z').to_string())
                .unwrap_or_else(|| "?".into());
            table.add_row(vec![
                Cell::new(index).set_alignment(CellAlignment::Right),
                Cell::new(time),
                Cell::new(delay_cell(hop.delay_seconds, max)),
                Cell::new(esc(&from_cell(hop))),
                Cell::new(hop.from_ip.map(|i| i.to_string()).unwrap_or_default()),
                Cell::new(esc(hop.by_host.as_deref().unwrap_or(""))),
                Cell::new(esc(&protocol_cell(hop))),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
        if report.boundary.is_some() {
            out.push_str("  ▶ trust boundary: hops above it were recorded by the recipient's servers; hops below are the sender's claims\n");
        }
    }

    let rows = auth_rows(report);
    if !rows.is_empty() {
        out.push('\n');
        out.push_str(&paint(style, "1", "Authentication"));
        out.push_str(" (re-verified | claimed by receiving servers)\n");
        let mut table = super::table(style.width);
        table.set_header(vec!["check", "what", "verified", "claimed", "why"]);
        for row in rows {
            table.add_row(vec![
                Cell::new(row.check),
                Cell::new(esc(&row.subject)),
                Cell::new(row.verified),
                Cell::new(esc(&row.claimed)),
                Cell::new(esc(&row.why)),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    let verdicts = verdict_lines(report);
    if !verdicts.is_empty() {
        out.push('\n');
        out.push_str(&paint(style, "1", "Spam filters on the way"));
        out.push('\n');
        for line in verdicts {
            out.push_str(&format!("  {}\n", esc(&line)));
        }
    }
    let reports = report_lines(report);
    if !reports.is_empty() {
        out.push('\n');
        out.push_str(&paint(style, "1", "Delivery reports"));
        out.push('\n');
        for line in reports {
            out.push_str(&format!("  {}\n", esc(&line)));
        }
    }
    let limits = limit_lines(report);
    if !limits.is_empty() {
        out.push('\n');
        out.push_str(&paint(
            style,
            "1",
            "Limits reached (part of the message was not checked)",
        ));
        out.push('\n');
        for line in limits {
            out.push_str(&format!("  {}\n", esc(&line)));
        }
    }
    out.push('\n');
    out.push_str(&findings(report, style));
    if let Some(original) = &report.original {
        out.push('\n');
        out.push_str(&paint(style, "1", "The returned original message"));
        out.push('\n');
        for line in render(original, style).lines() {
            out.push_str("  │ ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn findings(report: &Report, style: &TextStyle) -> String {
    let mut out = String::new();
    if report.findings.is_empty() {
        out.push_str(&paint(style, "1", "Findings: none"));
        out.push('\n');
        return out;
    }
    out.push_str(&paint(
        style,
        "1",
        &format!("Findings ({})", report.findings.len()),
    ));
    out.push('\n');
    let mut explained: Vec<&str> = Vec::new();
    for f in &report.findings {
        let sev = paint(
            style,
            severity_color(f.severity),
            &format!("{:<7}", f.severity.as_str()),
        );
        let hop = f.hop.map(|h| format!(" [hop {h}]")).unwrap_or_default();
        out.push_str(&format!(
            "  {sev} {} {}{hop}: {}\n",
            f.code,
            f.name,
            esc(&f.message)
        ));
        if style.explain && !explained.contains(&f.code) {
            explained.push(f.code);
            for line in page_of(f.code).unwrap_or_default().lines() {
                out.push_str(&format!("          {line}\n"));
            }
            out.push('\n');
        }
    }
    if !style.explain {
        out.push_str(
            "  (mailtrace explain CODE, or --explain, tells what a finding means and what to do)\n",
        );
    }
    out
}
