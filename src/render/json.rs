//! JSON: the report as documented in docs/JSON.md.

use super::Report;

/// One report as pretty JSON.
pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Several reports as a JSON array.
pub fn render_many(reports: &[serde_json::Value]) -> String {
    serde_json::to_string_pretty(reports).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
