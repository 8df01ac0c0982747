//! Hops: Received headers -> the chain of hops, oldest first, with delays and the trust boundary.
//!
//! One hop per `Received` field (never `X-Received`). Hop 1 is the oldest (the bottom-most
//! field). Delays are signed: a negative delay is clock skew and is kept, never wrapped.
//! This module states facts about the chain; it makes no judgement (that is `diagnose/`).

pub mod boundary;
pub mod date;
pub mod host;
pub mod received;

use std::net::IpAddr;
use std::ops::Range;

use chrono::{DateTime, FixedOffset, SubsecRound, Utc};

use crate::options::Options;
use crate::parse::ParsedMessage;
use received::{ReceivedFields, parse_received};

/// Which side of the trust boundary a hop is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Recorded by the sending side: a claim the recipient cannot check.
    Sender,
    /// The boundary hop: the recipient's first server, recording the connecting IP itself.
    Boundary,
    /// Recorded by the recipient's own infrastructure after the boundary.
    Recipient,
}

/// One hop: one Received field.
#[derive(Debug, Clone)]
pub struct Hop {
    /// 1-based position, oldest first.
    pub index: usize,
    /// What the field claims.
    pub fields: ReceivedFields,
    /// The date as written, with its offset, when it could be parsed.
    pub date: Option<DateTime<FixedOffset>>,
    /// The date in UTC.
    pub timestamp: Option<DateTime<Utc>>,
    /// This hop's timestamp minus the previous hop's, in seconds (None for hop 1 or unknown).
    pub delay_seconds: Option<i64>,
    /// The unfolded field value.
    pub raw: String,
    /// Byte span of the field in `Source::message`.
    pub span: Range<usize>,
    /// Side of the trust boundary (Sender when no boundary was found).
    pub side: Side,
}

/// Where the message entered the recipient's own infrastructure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boundary {
    /// The hop index (1-based, oldest first).
    pub hop: usize,
    /// The connecting IP the boundary host recorded: what SPF is checked for.
    pub ip: Option<IpAddr>,
    /// The boundary host.
    pub host: Option<String>,
    /// How the boundary was chosen, in words.
    pub reason: String,
    /// True when no hop came from outside: the message was written and delivered inside the
    /// recipient's organisation (its own reports, internal mail), so SPF and DMARC do not apply.
    pub internal: bool,
}

/// The hop chain.
#[derive(Debug, Clone, Default)]
pub struct Chain {
    /// Hops, oldest first.
    pub hops: Vec<Hop>,
    /// The trust boundary, when one could be placed.
    pub boundary: Option<Boundary>,
    /// First hop's timestamp minus the Date header, in seconds.
    pub date_to_first_hop: Option<i64>,
    /// Last hop's timestamp minus the first hop's, in seconds.
    pub first_to_last_hop: Option<i64>,
}

impl Chain {
    /// The hop whose receiving server wrote a header field starting at this byte offset: the
    /// nearest Received field below it (servers prepend their fields above their Received).
    ///
    /// Hops are oldest first, that is in descending order of `span.start` (the Received fields
    /// bottom to top), so this is a binary search: a message with thousands of Received fields
    /// and as many fields to place stays linear.
    pub fn hop_below(&self, offset: usize) -> Option<usize> {
        let below = self.hops.partition_point(|h| h.span.start > offset);
        below
            .checked_sub(1)
            .and_then(|i| self.hops.get(i))
            .map(|h| h.index)
    }

    /// The nearest hop whose Received field starts above this byte offset (a binary search,
    /// as [`Chain::hop_below`]).
    pub fn hop_above(&self, offset: usize) -> Option<&Hop> {
        self.hops
            .get(self.hops.partition_point(|h| h.span.start >= offset))
    }

    /// The hop with this 1-based index.
    pub fn hop(&self, index: usize) -> Option<&Hop> {
        index.checked_sub(1).and_then(|i| self.hops.get(i))
    }
}

/// Build the chain from the parsed message.
pub fn build_chain(parsed: &ParsedMessage, options: &Options) -> Chain {
    let mut hops: Vec<Hop> = parsed
        .fields("Received")
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .enumerate()
        .map(|(i, field)| {
            let fields = parse_received(&field.value);
            let date = fields.date_text.as_deref().and_then(date::parse_date);
            Hop {
                index: i + 1,
                // whole seconds: delays are differences of the timestamps as shown
                timestamp: date.map(|d| d.with_timezone(&Utc).trunc_subsecs(0)),
                date,
                fields,
                delay_seconds: None,
                raw: field.value.clone(),
                span: field.span.clone(),
                side: Side::Sender,
            }
        })
        .collect();
    for i in 1..hops.len() {
        if let (Some(prev), Some(this)) = (hops[i - 1].timestamp, hops[i].timestamp) {
            hops[i].delay_seconds = Some((this - prev).num_seconds());
        }
    }
    let boundary = boundary::find(&hops, &options.trust, &recipient_domains(parsed, &hops));
    if let Some(b) = &boundary {
        for hop in &mut hops {
            hop.side = match hop.index.cmp(&b.hop) {
                std::cmp::Ordering::Less => Side::Sender,
                std::cmp::Ordering::Equal => Side::Boundary,
                std::cmp::Ordering::Greater => Side::Recipient,
            };
        }
    }
    let first = hops.iter().find_map(|h| h.timestamp);
    let last = hops.iter().rev().find_map(|h| h.timestamp);
    Chain {
        date_to_first_hop: match (parsed.date, first) {
            (Some(d), Some(f)) => Some((f - d.with_timezone(&Utc)).num_seconds()),
            _ => None,
        },
        first_to_last_hop: match (first, last) {
            (Some(f), Some(l)) if hops.len() > 1 => Some((l - f).num_seconds()),
            _ => None,
        },
        hops,
        boundary,
    }
}

/// The domains of the recipient's address, from what the recipient's own servers wrote:
/// Delivered-To and X-Original-To fields standing above the newest Received field (written at
/// final delivery), and the `for` address of the newest Received field. Never To: or a field
/// further down, which the sender writes.
fn recipient_domains(parsed: &ParsedMessage, hops: &[Hop]) -> Vec<String> {
    let domain = |a: &str| {
        a.rsplit_once('@')
            .map(|(_, d)| d.trim().trim_end_matches('>').to_ascii_lowercase())
    };
    let top = hops.last().map(|h| h.span.start).unwrap_or(0);
    let mut out: Vec<String> = parsed
        .headers
        .iter()
        .filter(|h| h.span.start < top)
        .filter(|h| h.is("Delivered-To") || h.is("X-Original-To"))
        .filter_map(|h| domain(&h.value))
        .collect();
    if let Some(d) = hops
        .last()
        .and_then(|h| h.fields.for_addr.as_deref())
        .and_then(domain)
    {
        out.push(d);
    }
    out.sort();
    out.dedup();
    out
}
