//! Every time stamp the message carries, with where it stands on the message's path.
//!
//! A time stamp is only comparable with another when we know which came first. Each source
//! gets a *place* on the path, a range of levels: the Date header is level 1 (before hop 1),
//! hop k's Received date level 2k. A stamp written by hop k's server (it stands above hop k's
//! Received field, below hop k+1's) is placed at levels 2k-1 to 2k: after hop k-1 handed the
//! message over, before hop k+1 received it, in no known order with hop k's own Received date.
//! A signature (DKIM, ARC) is only known to precede the hop above it: a signature can be carried
//! from an older message (forwarding, replay), so it is placed from level 1. Stamps whose
//! ranges do not overlap are ordered; others are not. A stamp whose place cannot be told at
//! all is listed, not cross-checked.
//!
//! Only the Date header and the Received dates *vote* on which clocks are right (they are the
//! clocks of the path itself); every other stamp is checked against them.
//!
//! Formats, checked against real headers in the shared corpus (`phishing_pot`):
//! - `X-MS-Exchange-CrossTenant-OriginalArrivalTime: 03 Nov 2022 02:44:27.9963 (UTC)`: when the
//!   message entered the recipient's Microsoft 365 tenant (at its inbound edge,
//!   `*.mail.protection.outlook.com`); `X-MS-Exchange-Organization-ExpirationStartTime` has the
//!   same format and is stamped a fraction of a second later.
//! - `X-MS-Exchange-Transport-EndToEndLatency: 00:00:01.9907400` (a .NET time span, `d.` days
//!   allowed): from the original arrival to delivery into the mailbox; the sum is listed.
//! - `X-OriginalArrivalTime: 12 Jan 2005 21:46:23.0126 (UTC) FILETIME=[28A99B60:01C4F8F0]`
//!   (Exchange on premises).
//! - `X-MC-Ingress-Time: 1729096446538`: MailChannels' relay, Unix time in milliseconds.
//! - `X-Greylist: ...; <date>`, `X-Received: ...; <date>`, `Delivery-date: <date>` (Exim).
//!
//! Not time stamps, so not listed: `X-MS-Exchange-Processed-By-BccFoldering` (a build number,
//! `15.20.5769.021`), `X-MS-Exchange-Organization-Network-Message-Id` (a GUID),
//! `X-MS-UserLastLogonTime` (the recipient's last logon, not this message's), DKIM `x=` (an
//! expiry chosen by the signer).

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use regex::Regex;

use crate::auth::AuthOutcome;
use crate::hops::date::parse_date;
use crate::hops::host::matches_suffix;
use crate::hops::{Chain, Side};
use crate::parse::{HeaderField, ParsedMessage};

/// What kind of clock wrote a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The Date header: the author's computer (or the submission server).
    Date,
    /// A Received field: hop k's receiving server.
    Received(usize),
    /// Anything else: a signature's `t=`, a filter's stamp.
    Other,
}

/// One time stamp.
#[derive(Debug, Clone)]
pub struct Event {
    /// What it is, as the report lists it.
    pub label: String,
    /// The time, as precise as the source gives it.
    pub time: DateTime<Utc>,
    /// The hop it belongs to.
    pub hop: Option<usize>,
    /// Whose clock.
    pub kind: Kind,
    /// Its place on the path, the lowest and highest level it may stand at (see the module
    /// documentation); None: not cross-checked.
    pub place: Option<(usize, usize)>,
    /// True for the stamps that choose which clocks are right: Date and Received.
    pub votes: bool,
    /// How much a voting stamp counts when clocks disagree: the boundary (the recipient's
    /// server that recorded the connection) most, then the recipient's other servers, the
    /// sender's servers, then the author's Date.
    pub weight: u64,
}

impl Event {
    /// Whole seconds since the epoch: every comparison is made at the precision of the
    /// coarsest source (Received dates have whole seconds, truncated).
    pub fn secs(&self) -> i64 {
        self.time.timestamp()
    }
}

/// Which hop's server wrote a header field: the nearest Received field below it
/// ([`Chain::hop_below`], by binary search when, as parsed, the hops stand oldest first at
/// the bottom, so that their fields are in decreasing byte order).
pub struct Below<'a> {
    chain: &'a Chain,
    descending: bool,
}

impl<'a> Below<'a> {
    /// Index the chain.
    pub fn new(chain: &'a Chain) -> Below<'a> {
        let descending = chain
            .hops
            .windows(2)
            .all(|w| w[0].span.start > w[1].span.start);
        Below { chain, descending }
    }

    /// The hop whose server wrote a field starting at this byte offset.
    pub fn hop(&self, offset: usize) -> Option<usize> {
        if !self.descending {
            return self.chain.hop_below(offset);
        }
        let hops = &self.chain.hops;
        // hops[..n] start after the offset; the last of them is the nearest below it
        let n = hops.partition_point(|h| h.span.start > offset);
        n.checked_sub(1).map(|i| hops[i].index)
    }
}

/// The level of hop k's Received date.
fn level_of(hop: usize) -> usize {
    2 * hop
}

/// The place of a stamp written by hop k's server (hop 1's for a stamp no Received field
/// stands below: written before hop 1, or moved).
fn written_at(hop: Option<usize>) -> Option<(usize, usize)> {
    let k = hop.unwrap_or(1);
    Some((level_of(k) - 1, level_of(k)))
}

/// The place of a signature added at hop k: any time before hop k+1 received it.
fn signed_at(hop: Option<usize>) -> Option<(usize, usize)> {
    Some((1, level_of(hop.unwrap_or(1))))
}

/// Every time source, in path order: by the hop it belongs to, then by time.
pub fn collect(parsed: &ParsedMessage, chain: &Chain, auth: &AuthOutcome) -> Vec<Event> {
    let mut out = Vec::new();
    let index = Below::new(chain);
    let below = |h: &HeaderField| index.hop(h.span.start);

    if let Some(date) = parsed.date {
        out.push(Event {
            label: "Date".into(),
            time: date.with_timezone(&Utc),
            hop: None,
            kind: Kind::Date,
            place: Some((1, 1)),
            votes: true,
            weight: 2,
        });
    }
    for hop in &chain.hops {
        if let Some(ts) = hop.timestamp {
            out.push(Event {
                label: format!("Received hop {}", hop.index),
                time: ts,
                hop: Some(hop.index),
                kind: Kind::Received(hop.index),
                place: Some((level_of(hop.index), level_of(hop.index))),
                votes: true,
                weight: match hop.side {
                    Side::Sender => 3,
                    Side::Recipient => 4,
                    Side::Boundary => 5,
                },
            });
        }
    }
    for check in &auth.dkim {
        let Some(time) = check
            .timestamp
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        else {
            continue;
        };
        let hop = parsed.headers.get(check.header_index).and_then(below);
        let label = if check.domain.is_empty() {
            "DKIM t=".to_string()
        } else {
            format!("DKIM t= {}", check.domain)
        };
        out.push(other(label, time.with_timezone(&Utc), hop, signed_at(hop)));
    }
    for field in &parsed.headers {
        let name = if field.is("ARC-Seal") {
            "ARC-Seal"
        } else if field.is("ARC-Message-Signature") {
            "ARC-Message-Signature"
        } else {
            continue;
        };
        let tags = tag_list(&field.value);
        let Some(time) = tags
            .iter()
            .find(|(k, _)| k == "t")
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .and_then(|t| DateTime::from_timestamp(t, 0))
        else {
            continue;
        };
        let i = tags
            .iter()
            .find(|(k, _)| k == "i")
            .map_or("?", |(_, v)| v.as_str());
        let d = tags
            .iter()
            .find(|(k, _)| k == "d")
            .map_or(String::new(), |(_, v)| {
                format!(" {}", v.to_ascii_lowercase())
            });
        let hop = below(field);
        out.push(other(
            format!("{name} i={i} t={d}"),
            time,
            hop,
            signed_at(hop),
        ));
    }
    for field in &parsed.headers {
        let stamped = if field.is("X-Greylist") || field.is("X-Received") {
            field.value.rsplit(';').next().and_then(parse_date)
        } else if field.is("Delivery-date") {
            parse_date(&field.value)
        } else {
            continue;
        };
        let Some(time) = stamped else {
            continue;
        };
        let (hop, level) = if field.is("Delivery-date") {
            // written at local delivery, after the last Received field
            let last = chain.hops.last().map(|h| h.index);
            (last, last.and_then(|k| written_at(Some(k))))
        } else {
            let hop = below(field);
            (hop, written_at(hop))
        };
        out.push(other(
            field.name.clone(),
            time.with_timezone(&Utc),
            hop,
            level,
        ));
    }
    for field in parsed.fields("X-MC-Ingress-Time") {
        let Some(time) = field
            .value
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_millis)
        else {
            continue;
        };
        let hop = below(field);
        out.push(other(
            "X-MC-Ingress-Time".into(),
            time,
            hop,
            hop.and(written_at(hop)),
        ));
    }
    microsoft(parsed, chain, &index, &mut out);
    // listed with the hop each one belongs to, by time (a Received date first on a tie)
    out.sort_by_key(|e| {
        let hop = match e.kind {
            Kind::Date => 0,
            Kind::Received(k) => k,
            Kind::Other => e.hop.unwrap_or(1),
        };
        (hop, e.time)
    });
    out
}

fn other(
    label: String,
    time: DateTime<Utc>,
    hop: Option<usize>,
    place: Option<(usize, usize)>,
) -> Event {
    Event {
        label,
        time,
        hop,
        kind: Kind::Other,
        place,
        votes: false,
        weight: 0,
    }
}

/// The tags of a DKIM-style tag list (`i=1; t=1741684543; d=example.org`), values without
/// whitespace.
fn tag_list(value: &str) -> Vec<(String, String)> {
    value
        .split(';')
        .filter_map(|tag| {
            let (k, v) = tag.split_once('=')?;
            let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            Some((k.trim().to_ascii_lowercase(), v))
        })
        .collect()
}

/// Microsoft's stamps. Exchange Online moves its headers below the original ones, so their
/// place in the header says nothing. The original arrival is stamped when the inbound edge
/// (`*.mail.protection.outlook.com`) takes the message: placed as written by the edge hop's
/// server. The expiration start and the end of the end-to-end latency come later, somewhere
/// between the edge and delivery into the mailbox (in the corpus both fall before or after
/// the last Received dates): they are only known to follow the hop before the edge.
fn microsoft(parsed: &ParsedMessage, chain: &Chain, below: &Below, out: &mut Vec<Event>) {
    let edge = chain
        .hops
        .iter()
        .rev()
        .find(|h| {
            h.fields
                .by_host
                .as_deref()
                .is_some_and(|b| matches_suffix(b, "mail.protection.outlook.com"))
        })
        .map(|h| h.index);
    let last = chain.hops.last().map(|h| level_of(h.index));
    let after_edge = edge.and_then(|e| Some((level_of(e) - 1, last?)));
    let mut arrival: Option<DateTime<Utc>> = None;
    for (name, place) in [
        (
            "X-MS-Exchange-CrossTenant-OriginalArrivalTime",
            edge.and_then(|e| written_at(Some(e))),
        ),
        ("X-MS-Exchange-Organization-ExpirationStartTime", after_edge),
    ] {
        for (n, field) in parsed.fields(name).enumerate() {
            let Some(time) = ms_date(&field.value) else {
                continue;
            };
            // the first (topmost) of each is the recipient's tenant's own
            let (hop, place) = match place {
                Some(p) if n == 0 => (edge, Some(p)),
                _ => (None, None),
            };
            if n == 0 && name.contains("OriginalArrivalTime") {
                arrival = Some(time);
            }
            out.push(other(field.name.clone(), time, hop, place));
        }
    }
    if let (Some(arrival), Some(field)) = (
        arrival,
        parsed.first("X-MS-Exchange-Transport-EndToEndLatency"),
    ) && let Some(end) = ms_span(&field.value).and_then(|l| arrival.checked_add_signed(l))
    {
        out.push(other(
            format!("{} (original arrival + {})", field.name, field.value.trim()),
            end,
            chain.hops.last().map(|h| h.index),
            after_edge,
        ));
    }
    for field in parsed.fields("X-OriginalArrivalTime") {
        let Some(time) = ms_date(&field.value) else {
            continue;
        };
        let hop = below.hop(field.span.start);
        out.push(other(
            field.name.clone(),
            time,
            hop,
            hop.and(written_at(hop)),
        ));
    }
}

static MS_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*\(UTC\)",
    )
    .expect("valid regex")
});

static MS_SPAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(\d{1,4})\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*$")
        .expect("valid regex")
});

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Nanoseconds from a fraction's digits (`9963` -> 996_300_000).
fn nanos(digits: Option<&str>) -> Option<u32> {
    let Some(d) = digits else {
        return Some(0);
    };
    let v: u32 = d.parse().ok()?;
    Some(v * 10u32.checked_pow(9 - d.len() as u32)?)
}

/// `03 Nov 2022 02:44:27.9963 (UTC)`, as Exchange writes its arrival stamps.
pub fn ms_date(value: &str) -> Option<DateTime<Utc>> {
    let c = MS_DATE.captures(value)?;
    let num = |i: usize| c.get(i)?.as_str().parse::<u32>().ok();
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&c[2]))
        .and_then(|m| u32::try_from(m + 1).ok())?;
    let year = c[3].parse::<i32>().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, num(1)?)?;
    let time = NaiveTime::from_hms_nano_opt(
        num(4)?,
        num(5)?,
        num(6)?,
        nanos(c.get(7).map(|m| m.as_str()))?,
    )?;
    Some(NaiveDateTime::new(date, time).and_utc())
}

/// `00:00:01.9907400` or `1.02:03:04.5` (a .NET time span), as Exchange writes its latency.
pub fn ms_span(value: &str) -> Option<Duration> {
    let c = MS_SPAN.captures(value)?;
    let num =
        |i: usize| -> Option<i64> { c.get(i).map_or(Some(0), |m| m.as_str().parse::<i64>().ok()) };
    let (days, h, m, s) = (num(1)?, num(2)?, num(3)?, num(4)?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let n = i64::from(nanos(c.get(5).map(|m| m.as_str()))?);
    Some(
        Duration::days(days)
            + Duration::hours(h)
            + Duration::minutes(m)
            + Duration::seconds(s)
            + Duration::nanoseconds(n),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_formats() {
        let t = ms_date("03 Nov 2022 02:44:27.9963\n (UTC)").unwrap();
        assert_eq!(t.to_rfc3339(), "2022-11-03T02:44:27.996300+00:00");
        let t = ms_date("12 Jan 2005 21:46:23.0126 (UTC) FILETIME=[28A99B60:01C4F8F0]").unwrap();
        assert_eq!(t.timestamp(), 1_105_566_383);
        assert!(ms_date("31 Feb 2022 02:44:27.9963 (UTC)").is_none());
        assert!(ms_date("03 Nov 2022 02:44:27.9963").is_none());
        assert!(ms_date("11/3/2022 12:11:24 AM").is_none());
        assert_eq!(
            ms_span("00:00:01.9907400"),
            Some(Duration::nanoseconds(1_990_740_000))
        );
        assert_eq!(
            ms_span("1.02:03:04"),
            Some(Duration::seconds(86_400 + 2 * 3600 + 3 * 60 + 4))
        );
        assert!(ms_span("00:00:01.9phishing@pot999").is_none());
        assert!(ms_span("15.20.5769.021").is_none());
    }

    #[test]
    fn tags() {
        let t = tag_list("i=1; a=rsa-sha256; t=17416\r\n 84543; cv=none; d=Example.org");
        assert!(t.contains(&("t".into(), "1741684543".into())));
        assert!(t.contains(&("d".into(), "Example.org".into())));
    }
}
