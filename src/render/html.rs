//! HTML report: one self-contained page (no external fonts, scripts or images) with the summary,
//! the hop timeline as inline SVG, the authentication panel, the findings with their teaching
//! pages folded under them, and the raw headers with each finding's evidence highlighted.
//!
//! STUB (being written): the interface below is fixed; the body is a placeholder.

use crate::input::Source;
use crate::report::Report;

/// Options of the HTML renderer.
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// Unfold the teaching page of every finding (`--explain`).
    pub explain: bool,
    /// A link back, shown at the top (batch pages link to their index: `index.html`).
    pub back_link: Option<String>,
}

/// The whole page for one report. `source` is the message the report was made from: the raw
/// header block is shown from `source.message`, where evidence spans point.
pub fn render(report: &Report, source: &Source, options: &HtmlOptions) -> String {
    let _ = (source, options);
    let subject = report.message.subject.clone().unwrap_or_default();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>mailtrace</title></head><body><h1>{}</h1></body></html>\n",
        escape(&subject)
    )
}

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
