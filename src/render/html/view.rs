//! The page's view model: the report laid out for `templates/report.html`. Strings here are
//! message text unless they are [`Value`]s made by [`safe`] from this module's own escaping;
//! CSS classes are chosen from fixed sets, never taken from the message.

use std::collections::HashMap;

use minijinja::value::Value;
use serde::Serialize;

use super::raw::{self, FieldIndex, RawView, Span};
use super::timeline::{self, Gap, HopWindow, Timeline, TlsColumn};
use super::{HtmlOptions, Marker, clipped_note, markdown, markup, safe, safe_back_link, thousands};
use crate::auth::compare::ClaimView;
use crate::diagnose::Severity;
use crate::hops::Side;
use crate::input::Source;
use crate::render::{from_cell, journey_line, summary_rows};
use crate::report::{HopReport, Report};
use crate::text::human_duration;
use crate::timing::Delay;

#[derive(Serialize)]
pub(super) struct Page<'a> {
    report: &'a Report,
    csp: String,
    css: Value,
    title: Value,
    back_link: Option<&'a str>,
    explain: bool,
    summary: Summary,
    timeline: Timeline,
    tls_column: &'static TlsColumn,
    /// Which hops have a row (and so an anchor) on the page.
    hop_window: HopWindow,
    hop_rows: Vec<HopRow>,
    /// The row after the last one, for hops left out at the end.
    hops_after: Option<Gap>,
    time: TimeView,
    auth: Vec<AuthRow>,
    /// Some authentication row has a "why": the column is shown.
    auth_why: bool,
    claims: Vec<ClaimRow>,
    claims_why: bool,
    body_end: Option<BodyEnd>,
    verdicts: Vec<VerdictRow>,
    findings: Vec<FindingView>,
    /// Findings past [`MAX_FINDINGS`], not shown.
    findings_hidden: usize,
    counts: Vec<(&'static str, usize)>,
    raw: RawView,
    deliveries: Vec<Delivery>,
    originals: Vec<Original>,
    original_error: Option<String>,
    dns: Vec<DnsRow>,
}

/// Build the page model.
pub(super) fn page<'a>(
    report: &'a Report,
    source: &Source,
    options: &'a HtmlOptions,
    css: &'static str,
) -> Page<'a> {
    let title_text = match &report.message.subject {
        Some(s) if !s.trim().is_empty() => format!("mailtrace · {s}"),
        _ => format!("mailtrace · {}", report.source.name),
    };
    // every question about the header fields is answered from this one index
    let index = FieldIndex::new(&source.message, report.hops.len());
    let window = HopWindow::of(report);
    let (findings, spans) = findings(report, &source.message, &index);
    let (raw, marked) = raw::build(&source.message, &spans, &index.received, |hop| {
        window.shows(hop)
    });
    let findings = link_evidence(findings, &marked);
    let (hop_rows, hops_after) = hop_rows(report, &window, index.received_fields());
    let counts = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .map(|s| {
            (
                s.as_str(),
                report.findings.iter().filter(|f| f.severity == s).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let auth = auth_rows(report);
    let mut originals = Vec::new();
    let mut depth = 1;
    let mut next = report.original.as_deref();
    while let Some(o) = next {
        originals.push(original(o, depth));
        depth += 1;
        next = o.original.as_deref();
    }
    Page {
        report,
        csp: super::content_security_policy(css),
        css: safe(css.to_string()),
        title: safe(markup(&title_text, Marker::Plain, 200)),
        back_link: options.back_link.as_deref().and_then(safe_back_link),
        explain: options.explain,
        summary: summary(report),
        timeline: timeline::layout(report, &window, index.received_fields()),
        tls_column: &timeline::TLS_COLUMN,
        hop_window: window,
        hop_rows,
        hops_after,
        time: time_view(report),
        auth_why: auth.iter().any(|r| !r.why.is_empty()),
        auth,
        claims_why: report.claims.iter().any(|c| c.why.is_some()),
        claims: report.claims.iter().map(claim_row).collect(),
        body_end: body_end(report, &source.message, &index),
        verdicts: verdicts(report),
        findings_hidden: report.findings.len() - findings.len(),
        findings,
        counts,
        raw,
        deliveries: deliveries(report),
        originals,
        original_error: report.original_error.clone(),
        dns: dns_rows(report),
    }
}

/// The word a unit enum serialises to (`gmail-show-original`, `valid`, `mailfrom`).
fn word<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Info => "sev-info",
    }
}

/// The CSS class of an authentication result word as written (a fixed set).
fn result_class(result: &str) -> &'static str {
    match result.to_ascii_lowercase().as_str() {
        "pass" | "bestguesspass" => "res-pass",
        "fail" | "hardfail" => "res-fail",
        "softfail" => "res-softfail",
        "neutral" => "res-neutral",
        "none" => "res-none",
        "temperror" => "res-temperror",
        "permerror" => "res-permerror",
        "policy" => "res-policy",
        _ => "res-other",
    }
}

// ---------------------------------------------------------------------------------------------
// summary

#[derive(Serialize)]
struct Summary {
    rows: Vec<(&'static str, Option<String>)>,
    /// The time story's one line, capitalised: the headline.
    time: Option<String>,
    /// Date header to first hop, first to last hop.
    timing: Option<String>,
    worst: Option<&'static str>,
    worst_class: &'static str,
    /// The worst finding's message, capitalised (findings come worst first).
    worst_finding: Option<String>,
    more_findings: usize,
    /// One chip per authentication check.
    checks: Vec<Check>,
    boundary: Option<String>,
    source_kind: String,
    bytes: String,
    line_ending: String,
    headers_only: bool,
    repairs: Vec<Repair>,
    paste_claims: Vec<(String, String)>,
}

#[derive(Serialize)]
struct Check {
    name: &'static str,
    result: String,
    class: &'static str,
    why: Option<String>,
}

/// `delivered in 4 s` -> `Delivered in 4 s`.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The authentication results in a line of chips: DKIM (the best signature), SPF, DMARC, ARC.
fn checks(report: &Report) -> Vec<Check> {
    let mut out = Vec::new();
    let best = report
        .dkim
        .iter()
        .find(|d| d.result.as_str() == "pass")
        .or(report.dkim.first());
    match best {
        Some(d) => {
            let why = if word(&d.body_hash) == "mismatch" {
                Some("the body was changed after signing".to_string())
            } else {
                d.reason.as_ref().map(|r| r.replace('-', " "))
            };
            out.push(Check {
                name: "DKIM",
                result: d.result.as_str().to_string(),
                class: result_class(d.result.as_str()),
                why: why.filter(|_| d.result.as_str() != "pass"),
            });
        }
        None => out.push(Check {
            name: "DKIM",
            result: "none".into(),
            class: "res-none",
            why: Some("not signed".into()),
        }),
    }
    if let Some(spf) = &report.spf {
        out.push(Check {
            name: "SPF",
            result: spf.result.as_str().to_string(),
            class: result_class(spf.result.as_str()),
            why: Some(format!("{} for {}", spf.ip, spf.domain))
                .filter(|_| spf.result.as_str() != "pass"),
        });
    }
    if let Some(d) = &report.dmarc {
        out.push(Check {
            name: "DMARC",
            result: d.result.as_str().to_string(),
            class: result_class(d.result.as_str()),
            why: d
                .policy
                .as_ref()
                .map(|p| format!("{}, p={p}", d.from_domain))
                .filter(|_| d.result.as_str() != "pass"),
        });
    }
    if !report.arc.instances.is_empty() {
        out.push(Check {
            name: "ARC",
            result: report.arc.result.as_str().to_string(),
            class: result_class(report.arc.result.as_str()),
            why: None,
        });
    }
    out
}

#[derive(Serialize)]
struct Repair {
    kind: String,
    description: String,
    touches_message: bool,
    headers: String,
}

fn summary(report: &Report) -> Summary {
    let m = &report.message;
    let rows = summary_rows(m)
        .into_iter()
        .map(|(label, value)| {
            let value = match (label, value, &m.date_utc) {
                ("Date", Some(d), Some(utc)) => Some(format!("{d} ({utc})")),
                (_, v, _) => v.map(str::to_string),
            };
            (label, value)
        })
        .collect();
    let worst = report.worst();
    let boundary = report.boundary.as_ref().map(|b| {
        let host = b.host.as_deref().unwrap_or("an unnamed host");
        let ip =
            b.ip.map(|ip| format!(", connecting IP {ip}"))
                .unwrap_or_default();
        let internal = if b.internal {
            " (internal: no hop came from outside)"
        } else {
            ""
        };
        format!("hop {} at {host}{ip}{internal}: {}", b.hop, b.reason)
    });
    let timing = [
        report
            .timing
            .date_to_first_hop_seconds
            .map(|s| format!("Date header to first hop {}", human_duration(s))),
        report
            .timing
            .first_to_last_hop_seconds
            .map(|s| format!("first to last hop {}", human_duration(s))),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    Summary {
        rows,
        time: report.time.summary.as_deref().map(capitalised),
        timing: (!timing.is_empty()).then(|| timing.join("; ")),
        worst: worst.map(Severity::as_str),
        worst_class: worst.map(severity_class).unwrap_or("sev-none"),
        worst_finding: report.findings.first().map(|f| capitalised(&f.message)),
        more_findings: report.findings.len().saturating_sub(1),
        checks: checks(report),
        boundary,
        source_kind: word(&report.source.kind),
        bytes: thousands(report.source.bytes),
        line_ending: word(&report.source.line_ending),
        headers_only: report.source.headers_only,
        repairs: report
            .source
            .repairs
            .iter()
            .map(|r| Repair {
                kind: word(&r.kind),
                description: r.description.clone(),
                touches_message: r.touches_message,
                headers: r.headers.join(", "),
            })
            .collect(),
        paste_claims: report
            .source
            .paste_claims
            .iter()
            .map(|c| (c.label.clone(), c.value.clone()))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// hops and time

#[derive(Serialize)]
struct HopRow {
    index: usize,
    from: String,
    by: String,
    ip: String,
    with: String,
    tls: Option<String>,
    cipher: Option<String>,
    time: String,
    date_text: Option<String>,
    delay: String,
    delay_class: &'static str,
    side: &'static str,
    at_boundary: bool,
    /// A hand-off inside one server (loopback, or from and by the same host).
    local: bool,
    /// Hops left out before this row.
    gap_before: Option<Gap>,
}

/// The rows of the hops `window` shows, and the gap after the last one.
fn hop_rows(
    report: &Report,
    window: &HopWindow,
    received_fields: usize,
) -> (Vec<HopRow>, Option<Gap>) {
    let skewed = timeline::skewed_hops(report);
    let delays = timeline::delays_by_hop(report);
    let (shown, after) = timeline::shown_hops(report, window, received_fields);
    let rows = shown
        .into_iter()
        .map(|(gap, hop)| HopRow {
            gap_before: gap,
            ..hop_row(report, hop, &skewed, &delays)
        })
        .collect();
    (rows, after)
}

fn hop_row(
    report: &Report,
    hop: &HopReport,
    skewed: &[usize],
    delays: &HashMap<usize, &Delay>,
) -> HopRow {
    let tls = hop
        .tls
        .as_ref()
        .map(|t| t.version.clone().unwrap_or_else(|| "TLS".into()));
    let cipher = hop.tls.as_ref().and_then(|t| t.cipher.clone());
    let (delay, delay_class) = match hop.delay_seconds {
        Some(d) if d < 0 => (format!("{} (skew)", human_duration(d)), "skewed-cell"),
        Some(d) => {
            let cause = delays
                .get(&hop.index)
                .map(|t| format!(" ({})", t.label))
                .unwrap_or_default();
            let class = if skewed.binary_search(&hop.index).is_ok() {
                "skewed-cell"
            } else {
                ""
            };
            (format!("{}{cause}", human_duration(d)), class)
        }
        None if hop.index == 1 => (String::new(), ""),
        None => ("unknown".into(), "unknown-cell"),
    };
    HopRow {
        index: hop.index,
        from: from_cell(hop),
        by: hop.by_host.clone().unwrap_or_default(),
        ip: hop.from_ip.map(|i| i.to_string()).unwrap_or_default(),
        with: hop.protocol.clone().unwrap_or_default(),
        tls,
        cipher,
        time: hop
            .timestamp
            .as_deref()
            .map(|t| t.replace('T', " ").trim_end_matches('Z').to_string())
            .unwrap_or_else(|| "?".into()),
        date_text: hop.date_text.clone(),
        delay,
        delay_class,
        side: match hop.side {
            Side::Sender => "sender",
            Side::Boundary => "boundary",
            Side::Recipient => "recipient",
        },
        at_boundary: report.boundary.as_ref().is_some_and(|b| b.hop == hop.index),
        local: timeline::is_local_handoff(hop),
        gap_before: None,
    }
}

/// Delays and skews told in "Where the time went", each; the rest are counted.
const MAX_TIME_ITEMS: usize = 100;

#[derive(Serialize)]
struct TimeView {
    delays: Vec<TimeDelay>,
    skews: Vec<TimeSkew>,
    /// Delays and skews past [`MAX_TIME_ITEMS`], not told.
    hidden: usize,
}

#[derive(Serialize)]
struct TimeDelay {
    hop: usize,
    /// The delay is a clock skew (said once: the skew of the same hop is not repeated).
    skew: bool,
    duration: String,
    label: String,
    explanation: String,
}

#[derive(Serialize)]
struct TimeSkew {
    hop: Option<usize>,
    source: String,
    explanation: String,
}

fn time_view(report: &Report) -> TimeView {
    let is_skew = |d: &Delay| d.cause == "clock-skew" || d.seconds < 0;
    let mut skew_delays: Vec<usize> = report
        .time
        .delays
        .iter()
        .filter(|d| is_skew(d))
        .map(|d| d.hop)
        .collect();
    skew_delays.sort_unstable();
    // a skew already told by the delay of its hop is not told twice
    let skews = report
        .time
        .skews
        .iter()
        .filter(|s| s.hop.is_none_or(|h| skew_delays.binary_search(&h).is_err()));
    let skews_told = skews.clone().count();
    let hidden = report.time.delays.len().saturating_sub(MAX_TIME_ITEMS)
        + skews_told.saturating_sub(MAX_TIME_ITEMS);
    TimeView {
        delays: report
            .time
            .delays
            .iter()
            .take(MAX_TIME_ITEMS)
            .map(|d| TimeDelay {
                hop: d.hop,
                skew: is_skew(d),
                duration: if d.seconds < 0 {
                    format!(
                        "clock {} behind",
                        human_duration(d.seconds.saturating_abs())
                    )
                } else {
                    human_duration(d.seconds)
                },
                label: d.label.clone(),
                explanation: d.explanation.clone(),
            })
            .collect(),
        skews: skews
            .take(MAX_TIME_ITEMS)
            .map(|s| TimeSkew {
                hop: s.hop,
                source: s.source.clone(),
                explanation: s.explanation.clone(),
            })
            .collect(),
        hidden,
    }
}

// ---------------------------------------------------------------------------------------------
// authentication

#[derive(Serialize)]
struct AuthRow {
    check: &'static str,
    what: String,
    verified: String,
    verified_class: &'static str,
    parts: Vec<Part>,
    claims: Vec<ClaimLine>,
    why: Vec<String>,
}

#[derive(Serialize)]
struct Part {
    label: String,
    value: String,
    class: &'static str,
}

#[derive(Serialize)]
struct ClaimLine {
    result: String,
    class: &'static str,
    by: String,
    header: String,
    trusted: bool,
    hop: Option<usize>,
    agrees: Option<bool>,
    why: Option<String>,
    benign: bool,
}

fn part(label: impl Into<String>, value: impl Into<String>) -> Part {
    let value = value.into();
    let class = match value.as_str() {
        "valid" | "match" | "yes" | "pass" => "good",
        "invalid" | "mismatch" | "no" | "fail" => "bad",
        _ => "plain",
    };
    Part {
        label: label.into(),
        value,
        class,
    }
}

fn claim_by(c: &ClaimView) -> String {
    match (&c.claim.authserv_id, c.hop) {
        (Some(id), _) => id.clone(),
        (None, Some(h)) => format!("hop {h}'s server"),
        (None, None) => "an unnamed server".into(),
    }
}

fn claim_line(c: &ClaimView) -> ClaimLine {
    ClaimLine {
        result: c.claim.result.clone(),
        class: result_class(&c.claim.result),
        by: claim_by(c),
        header: c.claim.header.clone(),
        trusted: c.trusted,
        hop: c.hop,
        agrees: c.agrees,
        why: c.why.clone(),
        benign: c.benign,
    }
}

/// The claims of a method (for DKIM, those matched to signature `dkim`), trusted first.
fn claims_of(report: &Report, method: &str, dkim: Option<Option<usize>>) -> Vec<ClaimLine> {
    let mut of: Vec<&ClaimView> = report
        .claims
        .iter()
        .filter(|c| c.claim.method == method)
        .filter(|c| dkim.is_none_or(|i| c.dkim_index == i))
        .collect();
    of.sort_by_key(|c| !c.trusted);
    of.into_iter().map(claim_line).collect()
}

fn auth_rows(report: &Report) -> Vec<AuthRow> {
    let mut rows = Vec::new();
    for (i, d) in report.dkim.iter().enumerate() {
        let bits = d
            .key_bits
            .map(|b| format!(", {b} bits"))
            .unwrap_or_default();
        let mut why = Vec::new();
        why.extend(d.reason.clone());
        why.extend(d.note.clone());
        if let Some(n) = d.unsigned_body_bytes.filter(|n| *n > 0) {
            why.push(format!("{n} body bytes after the l= limit are not signed"));
        }
        if !d.repaired_headers_signed.is_empty() {
            why.push(format!(
                "a paste repair changed signed fields: {}",
                d.repaired_headers_signed.join(", ")
            ));
        }
        rows.push(AuthRow {
            check: "DKIM",
            what: format!(
                "d={} s={} ({}, {}{bits})",
                d.domain, d.selector, d.algorithm, d.canonicalization
            ),
            verified: d.result.as_str().to_string(),
            verified_class: result_class(d.result.as_str()),
            parts: vec![
                part("header signature", word(&d.header_signature)),
                part("body hash", word(&d.body_hash)),
            ],
            claims: claims_of(report, "dkim", Some(Some(i))),
            why,
        });
    }
    let unmatched = claims_of(report, "dkim", Some(None));
    if report.dkim.is_empty() || !unmatched.is_empty() {
        let none = report.dkim.is_empty();
        rows.push(AuthRow {
            check: "DKIM",
            what: if none {
                "no DKIM-Signature".into()
            } else {
                "claims not matched to a signature here".into()
            },
            verified: if none { "none".into() } else { "—".into() },
            verified_class: "res-none",
            parts: Vec::new(),
            claims: unmatched,
            why: Vec::new(),
        });
    }

    let spf_claims = claims_of(report, "spf", None);
    match &report.spf {
        Some(spf) => {
            let mut parts = Vec::new();
            if let Some(m) = &spf.mechanism {
                parts.push(part("matched", m.clone()));
            }
            if let Some(r) = &spf.record {
                parts.push(part("record", r.clone()));
            }
            parts.push(part(
                "DNS lookups",
                format!("{} (void {})", spf.dns_lookups, spf.void_lookups),
            ));
            let mut why = Vec::new();
            why.extend(spf.reason.clone());
            why.extend(spf.note.clone());
            why.extend(spf.explanation.clone().map(|e| format!("exp= {e}")));
            rows.push(AuthRow {
                check: "SPF",
                what: format!("{} for {} ({})", spf.ip, spf.domain, spf.scope),
                verified: spf.result.as_str().to_string(),
                verified_class: result_class(spf.result.as_str()),
                parts,
                claims: spf_claims,
                why,
            });
        }
        None => {
            let why = match &report.boundary {
                Some(b) if b.internal => {
                    "not evaluated: the message never came from outside the organisation"
                }
                Some(_) => "not evaluated: the boundary hop recorded no connecting IP",
                None => "not evaluated: no hops, so no connecting IP",
            };
            rows.push(AuthRow {
                check: "SPF",
                what: "no connecting IP to check".into(),
                verified: "not evaluated".into(),
                verified_class: "res-none",
                parts: Vec::new(),
                claims: spf_claims,
                why: vec![why.into()],
            });
        }
    }

    let dmarc_claims = claims_of(report, "dmarc", None);
    match &report.dmarc {
        Some(d) => {
            let dkim_domains = if d.aligned_dkim_domains.is_empty() {
                String::new()
            } else {
                format!(" ({})", d.aligned_dkim_domains.join(", "))
            };
            let mut parts = vec![
                part("aligned DKIM", if d.aligned_dkim { "yes" } else { "no" }),
                part("aligned SPF", if d.aligned_spf { "yes" } else { "no" }),
            ];
            if !dkim_domains.is_empty() {
                parts.push(part("DKIM domains", dkim_domains.trim().to_string()));
            }
            if let Some(r) = &d.record {
                parts.push(part("record", r.clone()));
            }
            let mut why = Vec::new();
            why.extend(d.reason.clone());
            why.extend(d.note.clone());
            rows.push(AuthRow {
                check: "DMARC",
                what: format!(
                    "{} (p={})",
                    d.from_domain,
                    d.policy.as_deref().unwrap_or("-")
                ),
                verified: d.result.as_str().to_string(),
                verified_class: result_class(d.result.as_str()),
                parts,
                claims: dmarc_claims,
                why,
            });
        }
        None => rows.push(AuthRow {
            check: "DMARC",
            what: "no From domain".into(),
            verified: "not evaluated".into(),
            verified_class: "res-none",
            parts: Vec::new(),
            claims: dmarc_claims,
            why: Vec::new(),
        }),
    }

    let arc_claims = claims_of(report, "arc", None);
    if !report.arc.instances.is_empty() || !arc_claims.is_empty() {
        let arc = &report.arc;
        let what = if arc.instances.is_empty() {
            "no ARC headers".to_string()
        } else {
            arc.instances
                .iter()
                .map(|i| format!("i={} {}", i.i, i.domain))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let parts = arc
            .instances
            .iter()
            .map(|i| {
                let hop = i.hop.map(|h| format!(", hop {h}")).unwrap_or_default();
                Part {
                    label: format!("i={} {}{hop}", i.i, i.domain),
                    value: format!(
                        "seal {}, message signature {}, body hash {}, cv={}",
                        i.seal,
                        i.message_signature,
                        i.body_hash,
                        i.cv.as_deref().unwrap_or("-")
                    ),
                    class: if i.reason.is_some() { "bad" } else { "plain" },
                }
            })
            .collect();
        let mut why: Vec<String> = arc.reason.iter().cloned().collect();
        why.extend(
            arc.instances
                .iter()
                .filter_map(|i| i.reason.as_ref().map(|r| format!("i={}: {r}", i.i))),
        );
        rows.push(AuthRow {
            check: "ARC",
            what,
            verified: arc.result.as_str().to_string(),
            verified_class: result_class(arc.result.as_str()),
            parts,
            claims: arc_claims,
            why,
        });
    }
    rows
}

/// One row of the table of every claim.
#[derive(Serialize)]
struct ClaimRow {
    header: String,
    by: String,
    method: String,
    result: String,
    class: &'static str,
    properties: String,
    trusted: bool,
    hop: Option<usize>,
    verified: Option<&'static str>,
    agrees: Option<bool>,
    why: Option<String>,
}

fn claim_row(c: &ClaimView) -> ClaimRow {
    ClaimRow {
        header: c.claim.header.clone(),
        by: claim_by(c),
        method: c.claim.method.clone(),
        result: c.claim.result.clone(),
        class: result_class(&c.claim.result),
        properties: c
            .claim
            .properties
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
        trusted: c.trusted,
        hop: c.hop,
        verified: c.verified.map(|v| v.as_str()),
        agrees: c.agrees,
        why: c.why.clone(),
    }
}

#[derive(Serialize)]
struct VerdictRow {
    hop: Option<usize>,
    system: String,
    verdict: String,
    class: &'static str,
    score: Option<String>,
    basis: String,
    summary: String,
    outbound: bool,
    header: String,
}

fn verdicts(report: &Report) -> Vec<VerdictRow> {
    report
        .verdicts
        .iter()
        .map(|v| VerdictRow {
            hop: v.hop,
            system: v.system.clone(),
            verdict: v.verdict.clone(),
            class: match v.verdict.as_str() {
                "spam" | "phish" | "malware" => "verdict-bad",
                "bulk" | "suspicious" => "verdict-warn",
                "not-spam" => "verdict-good",
                _ => "verdict-unknown",
            },
            score: v.score.clone(),
            basis: v.basis.clone(),
            summary: v.summary.clone(),
            outbound: v.outbound,
            header: v.header.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// findings

#[derive(Serialize)]
pub(super) struct FindingView {
    n: usize,
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    severity_class: &'static str,
    message: String,
    hop: Option<usize>,
    evidence: Vec<EvidenceView>,
    /// How many evidence items are shown before "and N more".
    evidence_shown: usize,
    /// Evidence items past [`MAX_EVIDENCE`], not on the page.
    evidence_hidden: usize,
    summary: &'static str,
    /// The teaching page, as safe HTML (first finding of its code only).
    teaching: Option<Value>,
    /// The finding whose page this one shares.
    teaching_at: Option<usize>,
}

#[derive(Serialize)]
struct EvidenceView {
    header: String,
    excerpt: String,
    /// Where it is, in words: `Received header, 4th from the top (hop 2)`.
    place: Option<String>,
    bytes: Option<String>,
    k: Option<usize>,
    /// The span has a mark in the raw headers.
    linked: bool,
}

/// Evidence items shown at once; with more than `EVIDENCE_SHOWN + 1`, the rest fold away.
const EVIDENCE_SHOWN: usize = 2;
/// Evidence items of one finding on the page (shown and folded); the rest are counted.
const MAX_EVIDENCE: usize = 50;
/// Findings on the page, worst first; the rest are counted. Real mail has a dozen at most;
/// a mail loop may have one per hop.
const MAX_FINDINGS: usize = 200;

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Where a span lies, in words: the header field it falls in, which of its name from the
/// top, and for a Received field its hop. None when it is outside the header block.
fn place(start: usize, header: &str, index: &FieldIndex) -> Option<String> {
    let (at, field) = index.field_at(start)?;
    let name = if field.name.is_empty() {
        header
    } else {
        field.name.as_str()
    };
    let (before, total) = index.count_named(name, at);
    // the field itself counts when it bears the name (a field without one does not)
    let nth = before + usize::from(field.name.eq_ignore_ascii_case(name));
    let mut out = format!("{name} header");
    if total > 1 {
        out.push_str(&format!(", {} from the top", ordinal(nth)));
    }
    if name.eq_ignore_ascii_case("Received")
        && let Some(hop) = index.hop_at(field.start)
    {
        out.push_str(&format!(" (hop {hop})"));
    }
    Some(out)
}

/// The tags of a DKIM-Signature that tell its story (`d= s= a= c= h= bh= t= x= l=`), with the
/// signature itself shortened to its length: `b=… 344 chars`.
pub(super) fn dkim_tags(value: &str) -> String {
    const SHOWN: &[&str] = &["d", "s", "a", "c", "h", "bh", "t", "x", "l", "i"];
    let tags: Vec<(String, String)> = value
        .split(';')
        .filter_map(|t| {
            let (k, v) = t.split_once('=')?;
            let k = k.trim().to_ascii_lowercase();
            let v = if k == "b" || k == "bh" || k == "h" {
                v.split_whitespace().collect::<String>()
            } else {
                v.split_whitespace().collect::<Vec<_>>().join(" ")
            };
            Some((k, v))
        })
        .collect();
    let mut out: Vec<String> = SHOWN
        .iter()
        .filter_map(|want| tags.iter().find(|(k, _)| k == want))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if let Some((_, b)) = tags.iter().find(|(k, _)| k == "b") {
        out.push(format!("b=… {} chars", b.chars().count()));
    }
    if out.is_empty() {
        value.to_string()
    } else {
        out.join("; ")
    }
}

/// The excerpt of an evidence item; a DKIM-Signature's is read from its whole field when the
/// span is there (the stored excerpt is cut at 300 characters) and shown by its tags.
fn excerpt(header: &str, excerpt: &str, span: Option<[usize; 2]>, message: &[u8]) -> String {
    if !header.eq_ignore_ascii_case("DKIM-Signature") {
        return excerpt.to_string();
    }
    let whole = span
        .filter(|[s, e]| s < e && *e <= message.len())
        .map(|[s, e]| String::from_utf8_lossy(&message[s..e]).into_owned())
        .and_then(|field| {
            let (name, value) = field.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("DKIM-Signature")
                .then(|| value.to_string())
        });
    dkim_tags(whole.as_deref().unwrap_or(excerpt))
}

/// The findings, and every evidence span numbered in order (k = 1, 2, ...).
/// Only the first [`MAX_FINDINGS`] findings and their first [`MAX_EVIDENCE`] items each.
fn findings(report: &Report, message: &[u8], index: &FieldIndex) -> (Vec<FindingView>, Vec<Span>) {
    let mut spans = Vec::new();
    let mut first_of_code: Vec<(&str, usize)> = Vec::new();
    let mut out = Vec::with_capacity(report.findings.len().min(MAX_FINDINGS));
    for (i, f) in report.findings.iter().enumerate().take(MAX_FINDINGS) {
        let n = i + 1;
        let evidence = f
            .evidence
            .iter()
            .take(MAX_EVIDENCE)
            .map(|e| {
                let k = e.span.map(|[start, end]| {
                    let k = spans.len() + 1;
                    spans.push(Span {
                        k,
                        finding: n,
                        code: f.code,
                        start,
                        end,
                    });
                    k
                });
                EvidenceView {
                    header: e.header.clone(),
                    excerpt: excerpt(&e.header, &e.excerpt, e.span, message),
                    place: e.span.and_then(|[s, _]| place(s, &e.header, index)),
                    bytes: e
                        .span
                        .map(|[s, end]| format!("bytes {}–{}", thousands(s), thousands(end))),
                    k,
                    linked: false,
                }
            })
            .collect::<Vec<_>>();
        let evidence_len = evidence.len();
        // two items and "and N more" (never "and 1 more": that one is shown)
        let evidence_shown = if evidence.len() > EVIDENCE_SHOWN + 1 {
            EVIDENCE_SHOWN
        } else {
            evidence.len()
        };
        let rule = crate::diagnose::lookup(f.code);
        let (teaching, teaching_at) = match first_of_code.iter().find(|(c, _)| *c == f.code) {
            Some((_, at)) => (None, Some(*at)),
            None => {
                first_of_code.push((f.code, n));
                (rule.map(|r| safe(markdown::to_html(&r.page(), 2))), None)
            }
        };
        out.push(FindingView {
            n,
            code: f.code,
            name: f.name,
            severity: f.severity.as_str(),
            severity_class: severity_class(f.severity),
            message: f.message.clone(),
            hop: f.hop,
            evidence,
            evidence_shown,
            evidence_hidden: f.evidence.len() - evidence_len,
            summary: rule.map(|r| r.summary).unwrap_or(""),
            teaching,
            teaching_at,
        });
    }
    (out, spans)
}

fn link_evidence(mut findings: Vec<FindingView>, marked: &[usize]) -> Vec<FindingView> {
    for f in &mut findings {
        for e in &mut f.evidence {
            e.linked = e.k.is_some_and(|k| marked.binary_search(&k).is_ok());
        }
    }
    findings
}

// ---------------------------------------------------------------------------------------------
// the end of the body, when a DKIM body hash no longer matches

/// Lines of the body shown, and the longest part of one.
const BODY_END_LINES: usize = 15;
const BODY_LINE_BYTES: usize = 200;

#[derive(Serialize)]
struct BodyEnd {
    sentence: String,
    /// Safe markup, one line each.
    lines: Vec<Value>,
    skipped: usize,
    /// `base64` or `quoted-printable` when the body is encoded so.
    encoded: Option<String>,
}

fn body_end(report: &Report, message: &[u8], index: &FieldIndex) -> Option<BodyEnd> {
    let broken: Vec<String> = report
        .dkim
        .iter()
        .filter(|d| word(&d.body_hash) == "mismatch")
        .map(|d| format!("{} (s={})", d.domain, d.selector))
        .collect();
    if broken.is_empty() {
        return None;
    }
    let sentence = format!(
        "The DKIM signature of {} no longer matches the body: the body hash (bh=) it carries          was computed over a different body, so the body was changed after signing. Look for          added text at the end, such as a footer, a disclaimer or a mailing-list trailer.",
        broken.join(" and ")
    );
    let block = raw::header_block_len(message);
    let mut body = &message[block..];
    body = body
        .strip_prefix(b"\r\n")
        .or_else(|| body.strip_prefix(b"\n"))
        .unwrap_or(body);
    // trailing empty lines are no part of what a signer hashes
    let end = body
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n'))
        .map_or(0, |p| p + 1);
    let body = &body[..end];
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() && lines.len() < BODY_END_LINES {
        match memchr::memrchr(b'\n', rest) {
            Some(p) => {
                lines.push(&rest[p + 1..]);
                rest = &rest[..p];
            }
            None => {
                lines.push(rest);
                rest = &[];
            }
        }
    }
    lines.reverse();
    let skipped = if rest.is_empty() {
        0
    } else {
        memchr::memchr_iter(b'\n', rest).count() + 1
    };
    let lines = lines
        .into_iter()
        .map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let cut = line.len().min(BODY_LINE_BYTES);
            let mut html = markup(
                &String::from_utf8_lossy(&line[..cut]),
                Marker::Html,
                usize::MAX,
            );
            if cut < line.len() {
                html.push(' ');
                html.push_str(&clipped_note(line.len() - cut, Marker::Html));
            }
            safe(html)
        })
        .collect();
    let encoded = index
        .first_named("Content-Transfer-Encoding")
        .and_then(|f| {
            let text = String::from_utf8_lossy(&message[f.start..f.end]).to_ascii_lowercase();
            ["base64", "quoted-printable"]
                .into_iter()
                .find(|e| text.contains(e))
                .map(str::to_string)
        });
    Some(BodyEnd {
        sentence,
        lines,
        skipped,
        encoded,
    })
}

// ---------------------------------------------------------------------------------------------
// delivery reports and returned originals

#[derive(Serialize)]
struct Delivery {
    kind: &'static str,
    fields: Vec<(String, String)>,
}

/// A JSON value as one line of text: strings as they are, arrays joined.
fn flat(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) if a.is_empty() => None,
        serde_json::Value::Array(a) => {
            Some(a.iter().filter_map(flat).collect::<Vec<_>>().join(", "))
        }
        other => Some(other.to_string()),
    }
}

fn deliveries(report: &Report) -> Vec<Delivery> {
    const FIELDS: &[(&str, &str)] = &[
        ("recipient", "recipient"),
        ("action", "action"),
        ("status", "status"),
        ("status_source", "status from"),
        ("reply_code", "reply code"),
        ("reason", "reason"),
        ("remote_mta", "remote server"),
        ("diagnostic", "its reply"),
        ("advice", "what to do"),
        ("original_recipient", "original recipient"),
        ("reporting_mta", "reporting server"),
        ("arrival_date", "arrival date"),
        ("agent", "written by"),
    ];
    report
        .reports
        .iter()
        .map(|r| {
            let v = serde_json::to_value(r).unwrap_or_default();
            let mut fields: Vec<(String, String)> = FIELDS
                .iter()
                .filter_map(|(key, label)| flat(&v[*key]).map(|s| (label.to_string(), s)))
                .collect();
            if let serde_json::Value::Object(feedback) = &v["feedback"] {
                for (key, value) in feedback {
                    if let Some(s) = flat(value) {
                        fields.push((format!("feedback: {}", key.replace('_', " ")), s));
                    }
                }
            }
            let kind = match word(&r.kind).as_str() {
                "dsn" => "Delivery status notification (bounce)",
                "bounce-text" => "Bounce, in the server's own words",
                "auto-reply" => "Automatic reply (out of office or similar)",
                "feedback-report" => "Abuse or feedback report (a complaint about this message)",
                _ => "Delivery report",
            };
            Delivery { kind, fields }
        })
        .collect()
}

#[derive(Serialize)]
struct Original {
    depth: usize,
    rows: Vec<(&'static str, Option<String>)>,
    journey: String,
    time: Option<String>,
    hop_rows: Vec<HopRow>,
    hops_after: Option<Gap>,
    auth: Vec<AuthRow>,
    findings: Vec<OriginalFinding>,
    /// Findings past [`MAX_FINDINGS`], not shown.
    findings_hidden: usize,
    error: Option<String>,
}

#[derive(Serialize)]
struct OriginalFinding {
    severity: &'static str,
    severity_class: &'static str,
    code: &'static str,
    name: &'static str,
    message: String,
    hop: Option<usize>,
}

fn original(o: &Report, depth: usize) -> Original {
    // the original's own header block is not at hand: its Received fields are its hops
    let (hop_rows, hops_after) = hop_rows(o, &HopWindow::of(o), o.hops.len());
    Original {
        depth,
        rows: summary_rows(&o.message)
            .into_iter()
            .map(|(l, v)| (l, v.map(str::to_string)))
            .collect(),
        journey: journey_line(o),
        time: o.time.summary.clone(),
        hop_rows,
        hops_after,
        auth: auth_rows(o),
        findings_hidden: o.findings.len().saturating_sub(MAX_FINDINGS),
        findings: o
            .findings
            .iter()
            .take(MAX_FINDINGS)
            .map(|f| OriginalFinding {
                severity: f.severity.as_str(),
                severity_class: severity_class(f.severity),
                code: f.code,
                name: f.name,
                message: f.message.clone(),
                hop: f.hop,
            })
            .collect(),
        error: o.original_error.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// DNS

#[derive(Serialize)]
struct DnsRow {
    name: String,
    rtype: String,
    answer: String,
    source: String,
}

fn dns_rows(report: &Report) -> Vec<DnsRow> {
    report
        .dns
        .iter()
        .map(|d| {
            let answer = match serde_json::to_value(&d.answer).unwrap_or_default() {
                serde_json::Value::Object(o) => o
                    .iter()
                    .map(|(k, v)| match (k.as_str(), flat(v)) {
                        ("records", Some(r)) => r,
                        (k, Some(v)) => format!("{k}: {v}"),
                        (k, None) => k.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                other => flat(&other).unwrap_or_default(),
            };
            let source = match serde_json::to_value(&d.source).unwrap_or_default() {
                serde_json::Value::Object(o) => {
                    let kind = o.get("kind").and_then(flat).unwrap_or_default();
                    match o.get("from").and_then(flat) {
                        Some(from) => format!("{kind} {from}"),
                        None => kind,
                    }
                }
                other => flat(&other).unwrap_or_default(),
            };
            DnsRow {
                name: d.name.clone(),
                rtype: flat(&serde_json::to_value(d.rtype).unwrap_or_default()).unwrap_or_default(),
                answer,
                source,
            }
        })
        .collect()
}
