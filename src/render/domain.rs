//! `mailtrace domain` as text and Markdown. STUB (being written).

use crate::domain::DomainReport;

/// The report as text for a terminal.
pub fn text(report: &DomainReport) -> String {
    format!("{}\n", report.domain)
}

/// The report as Markdown.
pub fn markdown(report: &DomainReport) -> String {
    format!("# {}\n", report.domain)
}
