//! The one serialisable report: everything the renderers show, computed here once.
//!
//! Its JSON form is a contract, described field by field in docs/JSON.md. Changing the meaning
//! of a field bumps [`SCHEMA_VERSION`]; adding fields does not.

use std::net::IpAddr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::auth::dns::DnsUse;
use crate::auth::{AuthOutcome, arc::ArcCheck, compare::ClaimView, dkim::DkimCheck};
use crate::auth::{dmarc::DmarcCheck, spf::SpfCheck};
use crate::diagnose::{Finding, Severity};
use crate::hops::received::Tls;
use crate::hops::{Chain, Side};
use crate::input::{InputKind, LineEnding, PasteClaim, Repair, Source};
use crate::parse::{Mailbox, ParsedMessage};
use crate::reports::DeliveryReport;
use crate::timing::TimeStory;
use crate::verdicts::Verdict;

/// Version of the JSON report format.
pub const SCHEMA_VERSION: u32 = 1;

/// The report of one message.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Version of this format.
    pub schema_version: u32,
    /// mailtrace's version.
    pub generator: String,
    /// What was read.
    pub source: SourceInfo,
    /// The message summary.
    pub message: MessageSummary,
    /// Hops, oldest first.
    pub hops: Vec<HopReport>,
    /// The trust boundary.
    pub boundary: Option<BoundaryReport>,
    /// Overall timing.
    pub timing: Timing,
    /// Every DKIM-Signature, re-verified (top to bottom).
    pub dkim: Vec<DkimCheck>,
    /// The ARC chain, validated.
    pub arc: ArcCheck,
    /// SPF re-evaluated for the boundary hop's connecting IP (null without one).
    pub spf: Option<SpfCheck>,
    /// DMARC for the From domain (null without a From domain).
    pub dmarc: Option<DmarcCheck>,
    /// What receiving servers claimed, beside the re-verification.
    pub claims: Vec<ClaimView>,
    /// Every DNS answer the analysis used, with its source.
    pub dns: Vec<DnsUse>,
    /// Bounces, auto-replies and feedback reports the message carries.
    pub reports: Vec<DeliveryReport>,
    /// The original message returned inside a bounce or feedback report, analysed.
    pub original: Option<Box<Report>>,
    /// Why a returned original could not be analysed, when it could not.
    pub original_error: Option<String>,
    /// Spam-filter verdicts recorded on the way.
    pub verdicts: Vec<Verdict>,
    /// Where the time went.
    pub time: TimeStory,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// The limits of `Options::limits` this analysis reached, in the order met; empty when
    /// none was (the usual case). Whatever a limit left unchecked is also marked where it
    /// stands (a DKIM signature `not-checked`, an ARC instance `unchecked`, a DNS answer
    /// failed as `budget`).
    pub limits: Vec<LimitReached>,
}

/// One limit an analysis reached, and what was left out because of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitReached {
    /// The limit, named as its flag without the dashes: `max-dkim-signatures`,
    /// `max-arc-instances`, `max-mime-depth`, `max-dns-lookups` or `dns-time-budget`.
    pub limit: String,
    /// What was left out, in words (lowercase, no final period), ending with the flag that
    /// raises the limit.
    pub message: String,
}

impl LimitReached {
    /// A limit reached, with the flag that raises it appended to the message.
    pub fn new(limit: &str, what: impl std::fmt::Display) -> Self {
        LimitReached {
            limit: limit.to_string(),
            message: format!("{what} (raise the limit with --{limit})"),
        }
    }
}

/// What [`build`] assembles.
pub struct Parts<'a> {
    /// The input.
    pub source: &'a Source,
    /// The parsed message.
    pub parsed: &'a ParsedMessage,
    /// The hop chain.
    pub chain: &'a Chain,
    /// Authentication.
    pub auth: AuthOutcome,
    /// Report entries.
    pub reports: Vec<DeliveryReport>,
    /// Verdicts.
    pub verdicts: Vec<Verdict>,
    /// The time story.
    pub time: TimeStory,
    /// Findings.
    pub findings: Vec<Finding>,
    /// DNS answers used.
    pub dns: Vec<DnsUse>,
    /// Limits reached.
    pub limits: Vec<LimitReached>,
    /// The returned original, analysed.
    pub original: Option<Box<Report>>,
    /// Why it could not be analysed.
    pub original_error: Option<String>,
}

/// What was read.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// File path or `-` for standard input.
    pub name: String,
    /// What the input was recognised as.
    pub kind: InputKind,
    /// Size of the input in bytes.
    pub bytes: usize,
    /// How lines ended in the input.
    pub line_ending: LineEnding,
    /// True when there was no body.
    pub headers_only: bool,
    /// Every repair made to the input.
    pub repairs: Vec<Repair>,
    /// Claims shown by the mail client around the message (Gmail's summary).
    pub paste_claims: Vec<PasteClaim>,
}

/// The message summary.
#[derive(Debug, Clone, Serialize)]
pub struct MessageSummary {
    /// From, as written (display name and address).
    pub from: Option<String>,
    /// To, as written, comma-separated.
    pub to: Option<String>,
    /// Subject, decoded.
    pub subject: Option<String>,
    /// Date, as written.
    pub date: Option<String>,
    /// Date in UTC, when readable.
    pub date_utc: Option<String>,
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// Return-Path address.
    pub return_path: Option<String>,
}

/// One hop.
#[derive(Debug, Clone, Serialize)]
pub struct HopReport {
    /// 1-based, oldest first.
    pub index: usize,
    /// The best name of the sending host (reverse DNS when recorded, else the claimed name).
    pub from_host: Option<String>,
    /// The HELO/EHLO name the sender gave.
    pub helo: Option<String>,
    /// The reverse-DNS name the receiver recorded.
    pub rdns: Option<String>,
    /// The connecting IP.
    pub from_ip: Option<IpAddr>,
    /// The receiving host.
    pub by_host: Option<String>,
    /// The protocol (`with`).
    pub protocol: Option<String>,
    /// TLS when stated (or implied by the protocol), else null.
    pub tls: Option<Tls>,
    /// The receiver's queue id.
    pub id: Option<String>,
    /// The `for` recipient.
    pub r#for: Option<String>,
    /// UTC timestamp `2025-03-11T09:15:42Z`, or null when unreadable.
    pub timestamp: Option<String>,
    /// The date text as written.
    pub date_text: Option<String>,
    /// This hop's timestamp minus the previous hop's, in seconds; null for hop 1 or unknown.
    pub delay_seconds: Option<i64>,
    /// `sender`, `boundary` or `recipient`.
    pub side: Side,
    /// The Received value, unfolded.
    pub raw: String,
}

/// The trust boundary.
#[derive(Debug, Clone, Serialize)]
pub struct BoundaryReport {
    /// The boundary hop's index.
    pub hop: usize,
    /// The connecting IP recorded by the boundary host.
    pub ip: Option<IpAddr>,
    /// The boundary host.
    pub host: Option<String>,
    /// How the boundary was chosen.
    pub reason: String,
    /// True when no hop came from outside (mail written inside the organisation).
    pub internal: bool,
}

/// Overall timing.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// First hop's timestamp minus the Date header.
    pub date_to_first_hop_seconds: Option<i64>,
    /// Last hop's timestamp minus the first hop's.
    pub first_to_last_hop_seconds: Option<i64>,
}

impl Report {
    /// Every DNS answer used by this report and the originals nested in it.
    pub fn all_dns(&self) -> Vec<DnsUse> {
        let mut out = self.dns.clone();
        if let Some(original) = &self.original {
            out.extend(original.all_dns());
        }
        out
    }

    /// The worst severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// `2025-03-11T09:15:42Z`
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn mailbox_text(m: &Mailbox) -> String {
    match (&m.name, &m.address) {
        (Some(n), Some(a)) if !n.is_empty() => format!("{n} <{a}>"),
        (_, Some(a)) => a.clone(),
        (Some(n), None) => n.clone(),
        (None, None) => String::new(),
    }
}

fn join(list: &[Mailbox]) -> Option<String> {
    let s: Vec<String> = list
        .iter()
        .map(mailbox_text)
        .filter(|s| !s.is_empty())
        .collect();
    (!s.is_empty()).then(|| s.join(", "))
}

/// Build the report.
pub fn build(parts: Parts) -> Report {
    let Parts {
        source,
        parsed,
        chain,
        auth,
        reports,
        verdicts,
        time,
        findings,
        dns,
        limits,
        original,
        original_error,
    } = parts;
    Report {
        schema_version: SCHEMA_VERSION,
        generator: format!("mailtrace {}", env!("CARGO_PKG_VERSION")),
        source: SourceInfo {
            name: source.name.clone(),
            kind: source.kind,
            bytes: source.original.len(),
            line_ending: source.line_ending,
            headers_only: source.headers_only,
            repairs: source.repairs.clone(),
            paste_claims: source.paste_claims.clone(),
        },
        message: MessageSummary {
            from: join(&parsed.from).or_else(|| parsed.first("From").map(|h| h.value.clone())),
            to: join(&parsed.to).or_else(|| parsed.first("To").map(|h| h.value.clone())),
            subject: parsed.subject.clone(),
            date: parsed.date_text.clone(),
            date_utc: parsed.date.map(|d| utc(d.with_timezone(&Utc))),
            message_id: parsed.message_id.clone(),
            return_path: parsed.return_path.clone(),
        },
        hops: chain
            .hops
            .iter()
            .map(|h| HopReport {
                index: h.index,
                from_host: h.fields.from_host.clone(),
                helo: h.fields.helo.clone(),
                rdns: h.fields.rdns.clone(),
                from_ip: h.fields.from_ip,
                by_host: h.fields.by_host.clone(),
                protocol: h.fields.protocol.clone(),
                tls: h.fields.tls.clone(),
                id: h.fields.id.clone(),
                r#for: h.fields.for_addr.clone(),
                timestamp: h.timestamp.map(utc),
                date_text: h.fields.date_text.clone(),
                delay_seconds: h.delay_seconds,
                side: h.side,
                raw: h.raw.clone(),
            })
            .collect(),
        boundary: chain.boundary.as_ref().map(|b| BoundaryReport {
            hop: b.hop,
            ip: b.ip,
            host: b.host.clone(),
            reason: b.reason.clone(),
            internal: b.internal,
        }),
        timing: Timing {
            date_to_first_hop_seconds: chain.date_to_first_hop,
            first_to_last_hop_seconds: chain.first_to_last_hop,
        },
        dkim: auth.dkim,
        arc: auth.arc,
        spf: auth.spf,
        dmarc: auth.dmarc,
        claims: auth.claims,
        dns,
        reports,
        original,
        original_error,
        verdicts,
        time,
        findings,
        limits,
    }
}
