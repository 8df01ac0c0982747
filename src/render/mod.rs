//! Render: one file per format. Renderers compute nothing: they lay out a [`Report`] (or the
//! rule registry) and escape every piece of message content for their medium.

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
    /// Wrap tables to this width; None = no wrapping.
    pub width: Option<u16>,
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
