//! The rule registry for `mailtrace rules` and `mailtrace explain`.

use crate::diagnose::Rule;

/// `mailtrace rules` as a table.
pub fn list_text(rules: &[&Rule]) -> String {
    let mut table = super::table(super::Width::Unlimited);
    table.set_header(vec!["code", "name", "severity", "summary"]);
    for r in rules {
        table.add_row(vec![r.code, r.name, r.severity.as_str(), r.summary]);
    }
    format!("{table}\n")
}

/// `mailtrace rules --format json`.
pub fn list_json(rules: &[&Rule]) -> String {
    let v: Vec<serde_json::Value> = rules.iter().map(|r| rule_json(r, false)).collect();
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

fn rule_json(r: &Rule, with_page: bool) -> serde_json::Value {
    let mut v = serde_json::json!({
        "code": r.code,
        "name": r.name,
        "severity": r.severity.as_str(),
        "summary": r.summary,
    });
    if with_page {
        v["explanation"] = serde_json::Value::String(r.page());
    }
    v
}

/// `mailtrace explain CODE` as text (the page is Markdown, readable as it is).
pub fn explain_text(r: &Rule) -> String {
    format!(
        "# {} {} ({})\n\n{}\n\n{}\n",
        r.code,
        r.name,
        r.severity,
        r.summary,
        r.page()
    )
}

/// `mailtrace explain CODE --format json`.
pub fn explain_json(r: &Rule) -> String {
    serde_json::to_string_pretty(&rule_json(r, true)).unwrap_or_default()
}
