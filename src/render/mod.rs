//! Render: one file per format. Renderers compute nothing: they lay out a [`Report`] (or the
//! rule registry) and escape every piece of message content for their medium.

pub mod domain;
pub mod html;
pub mod json;
pub mod markdown;
pub mod rules;
pub mod text;

pub use crate::report::Report;

/// Options of the text renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextStyle {
    /// Use ANSI colours.
    pub color: bool,
    /// How wide tables may be.
    pub width: Width,
    /// Print each finding's teaching page under it (`--explain`).
    pub explain: bool,
}

/// How wide text tables may be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Width {
    /// No wrapping (files, pipes, snapshots).
    #[default]
    Unlimited,
    /// Wrap to this many columns.
    Columns(u16),
    /// Wrap to the width of the terminal on stdout.
    Terminal,
}

/// A comfy-table with the house style and the width asked for.
pub(crate) fn table(width: Width) -> comfy_table::Table {
    use comfy_table::{ContentArrangement, presets};
    let mut table = comfy_table::Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    match width {
        Width::Unlimited => {
            table.force_no_tty();
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
        Width::Columns(w) => {
            table.force_no_tty();
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
        }
        Width::Terminal => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
        }
    }
    table
}

/// The hop cell of the "with / TLS" column: `ESMTPS TLSv1.3` etc.
pub(crate) fn protocol_cell(hop: &crate::report::HopReport) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &hop.protocol {
        parts.push(p.clone());
    }
    match &hop.tls {
        Some(tls) => match (&tls.version, &tls.cipher) {
            (Some(v), _) => parts.push(v.clone()),
            (None, Some(c)) => parts.push(format!("TLS {c}")),
            (None, None) => parts.push("TLS".to_string()),
        },
        None if hop.protocol.is_some() => parts.push("no TLS stated".to_string()),
        None => {}
    }
    parts.join(" ")
}

/// The "from" cell: best name, and the HELO when it differs.
pub(crate) fn from_cell(hop: &crate::report::HopReport) -> String {
    match (&hop.from_host, &hop.helo) {
        (Some(h), Some(helo)) if !h.eq_ignore_ascii_case(helo) => format!("{h} (helo {helo})"),
        (Some(h), _) => h.clone(),
        (None, Some(helo)) => format!("(helo {helo})"),
        (None, None) => String::new(),
    }
}

/// One-line journey summary, e.g. `4 hops, 12 s from first to last hop, Date to first hop 2 s`.
pub(crate) fn journey_line(report: &Report) -> String {
    use crate::text::human_duration;
    let n = report.hops.len();
    let mut parts = vec![format!("{n} hop{}", if n == 1 { "" } else { "s" })];
    if let Some(s) = report.timing.first_to_last_hop_seconds {
        parts.push(format!("{} from first to last hop", human_duration(s)));
    }
    if let Some(s) = report.timing.date_to_first_hop_seconds {
        parts.push(format!("Date header to first hop {}", human_duration(s)));
    }
    parts.join(", ")
}

/// The summary lines every format shows, in order: label and value.
pub(crate) fn summary_rows(m: &crate::report::MessageSummary) -> [(&'static str, Option<&str>); 6] {
    [
        ("From", m.from.as_deref()),
        ("To", m.to.as_deref()),
        ("Subject", m.subject.as_deref()),
        ("Date", m.date.as_deref()),
        ("Message-ID", m.message_id.as_deref()),
        ("Return-Path", m.return_path.as_deref()),
    ]
}

/// One row of the authentication table: what was checked, what mailtrace verified, what the
/// receiving servers claimed, and why they differ or what to note.
pub(crate) struct AuthRow {
    pub check: &'static str,
    pub subject: String,
    pub verified: String,
    pub claimed: String,
    pub why: String,
}

/// The claims shown beside one row: for DKIM those matched to that signature (`dkim_index`),
/// otherwise those of the method that were compared (or, failing that, all of the method),
/// trusted ones first.
fn claimed_text(report: &Report, method: &str, dkim_index: Option<usize>) -> (String, String) {
    let of_method: Vec<&crate::auth::compare::ClaimView> = report
        .claims
        .iter()
        .filter(|c| c.claim.method == method)
        .filter(|c| dkim_index.is_none() || c.dkim_index == dkim_index)
        .collect();
    let compared: Vec<_> = of_method
        .iter()
        .copied()
        .filter(|c| c.verified.is_some())
        .collect();
    let mut claims = if compared.is_empty() {
        of_method
    } else {
        compared
    };
    claims.sort_by_key(|c| !c.trusted);
    let Some(first) = claims.first() else {
        return ("(no claim)".into(), String::new());
    };
    let unnamed = first
        .hop
        .map(|h| format!("hop {h}'s server"))
        .unwrap_or_else(|| "an unnamed server".into());
    let by = first.claim.authserv_id.as_deref().unwrap_or(&unnamed);
    let trust = if first.trusted {
        "trusted"
    } else {
        "untrusted"
    };
    let more = if claims.len() > 1 {
        format!(" +{}", claims.len() - 1)
    } else {
        String::new()
    };
    (
        format!("{} by {by} ({trust}){more}", first.claim.result),
        first.why.clone().unwrap_or_default(),
    )
}

/// The authentication table, computed from the report for display.
pub(crate) fn auth_rows(report: &Report) -> Vec<AuthRow> {
    let mut rows = Vec::new();
    for (index, d) in report.dkim.iter().enumerate() {
        let bits = d
            .key_bits
            .map(|b| format!(", {b} bits"))
            .unwrap_or_default();
        let (claimed, claim_why) = claimed_text(report, "dkim", Some(index));
        let mut why = format!(
            "header {}, body {}",
            serde_plain(&d.header_signature),
            serde_plain(&d.body_hash)
        );
        // the note says in words what the reason slug says in code; the slug is in the JSON
        match (&d.note, &d.reason) {
            (Some(n), _) => why.push_str(&format!(": {n}")),
            (None, Some(r)) => why.push_str(&format!(" ({r})")),
            (None, None) => {}
        }
        if !claim_why.is_empty() {
            why.push_str(&format!("; {claim_why}"));
        }
        rows.push(AuthRow {
            check: "DKIM",
            subject: format!(
                "d={} s={} ({}, {}{bits})",
                d.domain, d.selector, d.algorithm, d.canonicalization
            ),
            verified: d.result.as_str().to_string(),
            claimed,
            why,
        });
    }
    if report.dkim.is_empty() {
        let (claimed, _) = claimed_text(report, "dkim", None);
        rows.push(AuthRow {
            check: "DKIM",
            subject: "no DKIM-Signature".into(),
            verified: "none".into(),
            claimed,
            why: String::new(),
        });
    }
    if let Some(spf) = &report.spf {
        let (claimed, claim_why) = claimed_text(report, "spf", None);
        let mut why = spf
            .mechanism
            .as_deref()
            .map(|m| format!("matched {m}"))
            .unwrap_or_default();
        for extra in [
            spf.reason.as_deref(),
            spf.note.as_deref(),
            Some(claim_why.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        {
            if !why.is_empty() {
                why.push_str("; ");
            }
            why.push_str(extra);
        }
        rows.push(AuthRow {
            check: "SPF",
            subject: format!("{} for {} ({})", spf.ip, spf.domain, spf.scope),
            verified: spf.result.as_str().to_string(),
            claimed,
            why,
        });
    }
    if let Some(dmarc) = &report.dmarc {
        let (claimed, claim_why) = claimed_text(report, "dmarc", None);
        let mut parts = vec![format!(
            "aligned DKIM {}, aligned SPF {}",
            yes_no(dmarc.aligned_dkim),
            yes_no(dmarc.aligned_spf)
        )];
        parts.extend(dmarc.reason.clone());
        parts.extend(dmarc.note.clone());
        if !claim_why.is_empty() {
            parts.push(claim_why);
        }
        rows.push(AuthRow {
            check: "DMARC",
            subject: format!(
                "{} (p={})",
                dmarc.from_domain,
                dmarc.policy.as_deref().unwrap_or("-")
            ),
            verified: dmarc.result.as_str().to_string(),
            claimed,
            why: parts.join("; "),
        });
    }
    if !report.arc.instances.is_empty() {
        let (claimed, _) = claimed_text(report, "arc", None);
        let sealers: Vec<String> = report
            .arc
            .instances
            .iter()
            .map(|i| format!("i={} {}", i.i, i.domain))
            .collect();
        rows.push(AuthRow {
            check: "ARC",
            subject: sealers.join(", "),
            verified: report.arc.result.as_str().to_string(),
            claimed,
            why: report.arc.reason.clone().unwrap_or_default(),
        });
    }
    rows
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The lowercase word a unit enum serialises to.
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The teaching page of a finding's rule, for `--explain`.
pub(crate) fn page_of(code: &str) -> Option<String> {
    crate::diagnose::lookup(code).map(|r| r.page())
}

/// One line per spam-filter verdict: `hop 3 · microsoft: spam (SCL 5) - summary`.
pub(crate) fn verdict_lines(report: &Report) -> Vec<String> {
    report
        .verdicts
        .iter()
        .map(|v| {
            let hop = v.hop.map(|h| format!("hop {h} · ")).unwrap_or_default();
            let score = v
                .score
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            format!("{hop}{}: {}{score}: {}", v.vendor, v.verdict, v.summary)
        })
        .collect()
}

/// One line per report entry: `dsn: failed 5.1.1 user-unknown for bob@example.org at mx...`.
/// One line per limit the analysis reached (`Report::limits`).
pub(crate) fn limit_lines(report: &Report) -> Vec<String> {
    report
        .limits
        .iter()
        .map(|l| format!("{}: {}", l.limit, l.message))
        .collect()
}

pub(crate) fn report_lines(report: &Report) -> Vec<String> {
    report
        .reports
        .iter()
        .map(|r| {
            let kind = serde_plain(&r.kind);
            let mut parts = vec![kind];
            parts.extend(r.action.clone());
            parts.extend(r.status.clone());
            parts.extend(r.reason.clone());
            let mut line = parts.join(" ");
            if let Some(rcpt) = &r.recipient {
                line.push_str(&format!(" for {rcpt}"));
            }
            if let Some(mta) = &r.remote_mta {
                line.push_str(&format!(" at {mta}"));
            }
            if let Some(d) = &r.diagnostic {
                line.push_str(&format!(": \"{d}\""));
            }
            if let Some(a) = &r.advice {
                line.push_str(&format!(". What to do: {a}"));
            }
            line
        })
        .collect()
}
