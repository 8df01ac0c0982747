//! Why the message waited: each gap between two time stamps on the path, classified.
//!
//! A gap is measured between consecutive dated hops (or from the Date header to the first
//! one). The server that held the message during the gap is the receiving server of the
//! earlier hop, which is also the sending side of the later one. The causes are tried in this
//! order, the first that applies wins:
//!
//! 1. `clock-skew`: the gap is negative, or one of its two stamps is on a clock the other
//!    sources contradict and the least skew that clock must have explains most of the gap;
//! 2. `greylisting` by header: an `X-Greylist` header of the receiving server states a delay;
//! 3. `content-scanning`: the server that held the message is a known scanner (see
//!    `tables::SCANNERS`), or the message was re-injected into the same host through the
//!    loopback interface (a local content filter);
//! 4. `greylisting` by shape: 4 to 60 minutes at the trust boundary while every other hop took
//!    under a minute either way (the `greylisting` rule's pattern);
//! 5. `unknown` when the later hop is a new local submission (`from userid`, Sendmail's
//!    `/Submit`): the message was sent again, the gap is not a queue;
//! 6. by the side of the trust boundary: up to the boundary the sender's server held it
//!    (`sender-queue`, with "retry" when the gap matches a common back-off step, see
//!    `tables::RETRY_STEPS`); after it, `recipient-internal`; a gap whose ends straddle the
//!    boundary with unreadable dates in between is `unknown`.
//!
//! From the Date header to hop 1 the message waited on the author's side (`sender-queue`: an
//! outbox, a delayed send) or the author's clock is behind; the explanation says both. A gap
//! with one end on a slightly wrong clock is judged on the wait corrected by the least skew
//! that clock must have.

use std::net::IpAddr;

use super::Delay;
use super::clocks::Status;
use super::sources::{Below, Event, Kind};
use super::tables::{
    MICROSOFT_EOP, Scanner, greylist_delay, greylist_product, retry_step, scanner_of_host,
    scanner_of_text,
};
use super::words::{clock_name, offset_words, range_words};
use crate::hops::host::{is_local_name, org_family, same_host};
use crate::hops::{Chain, Hop, Side};
use crate::options::Options;
use crate::parse::ParsedMessage;
use crate::text::human_duration;

/// The greylisting pattern's bounds at the boundary, in seconds (the `greylisting` rule's).
const GREYLIST_PATTERN: std::ops::RangeInclusive<i64> = 240..=3600;
/// Under this, in either direction, a hop counts as fast for the greylisting pattern.
const FAST: i64 = 60;

/// What one gap runs between.
#[derive(Debug, Clone, Copy)]
pub struct Gap {
    /// The earlier end: a hop, or None for the Date header.
    pub from: Option<usize>,
    /// The later end: the hop that received the message.
    pub to: usize,
    /// Seconds between the two stamps as written.
    pub seconds: i64,
}

/// What the classifier reads.
pub struct Ctx<'a> {
    /// The parsed message.
    pub parsed: &'a ParsedMessage,
    /// The hop chain.
    pub chain: &'a Chain,
    /// Every time stamp, in path order.
    pub events: &'a [Event],
    /// The clock model's verdict on each.
    pub status: &'a [Status],
    /// The options (the delay threshold).
    pub options: &'a Options,
    /// The event of each hop's Received date, by hop index (0 unused).
    hop_events: Vec<Option<usize>>,
    /// The event of the Date header.
    date: Option<usize>,
}

/// An `X-Greylist` header that states a delay.
struct Greylist {
    hop: usize,
    seconds: i64,
    product: &'static str,
    text: String,
}

impl<'a> Ctx<'a> {
    /// Index the stamps for the classifier.
    pub fn new(
        parsed: &'a ParsedMessage,
        chain: &'a Chain,
        events: &'a [Event],
        status: &'a [Status],
        options: &'a Options,
    ) -> Ctx<'a> {
        let mut hop_events = vec![None; chain.hops.len() + 1];
        let mut date = None;
        for (i, e) in events.iter().enumerate() {
            match e.kind {
                Kind::Received(k) => {
                    if let Some(slot) = hop_events.get_mut(k) {
                        *slot = Some(i);
                    }
                }
                Kind::Date => date = Some(i),
                Kind::Other => {}
            }
        }
        Ctx {
            parsed,
            chain,
            events,
            status,
            options,
            hop_events,
            date,
        }
    }

    /// The event index of a hop's Received date.
    pub fn hop_event(&self, hop: usize) -> Option<usize> {
        self.hop_events.get(hop).copied().flatten()
    }

    /// The event index of the Date header.
    pub fn date_event(&self) -> Option<usize> {
        self.date
    }

    fn hop(&self, k: usize) -> Option<&'a Hop> {
        self.chain.hop(k)
    }

    /// The receiving host of hop k, or a description.
    fn by(&self, k: usize) -> String {
        self.hop(k)
            .and_then(|h| h.fields.by_host.clone())
            .unwrap_or_else(|| format!("hop {k}'s server"))
    }

    /// The server that held the message before hop k received it.
    fn holder(&self, k: usize) -> String {
        k.checked_sub(1)
            .and_then(|j| self.hop(j))
            .and_then(|h| h.fields.by_host.clone())
            .or_else(|| self.hop(k).and_then(|h| h.fields.from_host.clone()))
            .unwrap_or_else(|| format!("the server before hop {k}"))
    }

    /// Every gap between consecutive dated stamps: Date to the first dated hop, then hop to
    /// hop (across hops whose date is unreadable).
    pub fn gaps(&self) -> Vec<Gap> {
        let mut out = Vec::new();
        let mut prev: Option<(Option<usize>, i64)> =
            self.date_event().map(|i| (None, self.events[i].secs()));
        for hop in &self.chain.hops {
            let Some(ts) = hop.timestamp else {
                continue;
            };
            let secs = ts.timestamp();
            if let Some((from, before)) = prev {
                out.push(Gap {
                    from,
                    to: hop.index,
                    seconds: secs - before,
                });
            }
            prev = Some((Some(hop.index), secs));
        }
        out
    }

    fn greylists(&self) -> Vec<Greylist> {
        let boundary = self.chain.boundary.as_ref().map(|b| b.hop);
        let below = Below::new(self.chain);
        self.parsed
            .fields("X-Greylist")
            .filter_map(|f| {
                let seconds = greylist_delay(&f.value)?;
                let hop = below.hop(f.span.start).or(boundary)?;
                Some(Greylist {
                    hop,
                    seconds,
                    product: greylist_product(&f.value),
                    text: f.value.split(';').next().unwrap_or("").trim().to_string(),
                })
            })
            .collect()
    }

    /// The status of the stamp at one end of a gap.
    fn end_status(&self, end: Option<usize>) -> Option<(usize, &'a Status)> {
        let i = match end {
            Some(hop) => self.hop_event(hop)?,
            None => self.date_event()?,
        };
        Some((i, &self.status[i]))
    }

    /// The notable gaps, classified, oldest first. `total` is the whole delivery time, when
    /// known: a gap of a minute or more that is a quarter of it is notable even under the
    /// threshold.
    pub fn delays(&self, total: Option<i64>) -> Vec<Delay> {
        let threshold = self.options.delay_threshold_secs;
        let greylists = self.greylists();
        let mut out = Vec::new();
        for gap in self.gaps() {
            let greylisted = gap.from.is_some() && greylists.iter().any(|g| g.hop == gap.to);
            let big_share = gap.seconds >= FAST && total.is_some_and(|t| gap.seconds * 4 >= t);
            let notable = if gap.from.is_none() {
                gap.seconds >= threshold || big_share
            } else {
                gap.seconds < 0 || gap.seconds >= threshold || greylisted || big_share
            };
            if notable {
                out.push(self.classify(gap, &greylists));
            }
        }
        out
    }

    fn classify(&self, gap: Gap, greylists: &[Greylist]) -> Delay {
        if let Some(d) = self.skew_cause(gap) {
            return d;
        }
        // a small skew at one end: judge (and word) the wait as corrected by it
        let estimate = self.estimate(gap.from, gap.to, gap.seconds);
        let mut d = self.cause(
            Gap {
                seconds: estimate,
                ..gap
            },
            greylists,
        );
        if estimate != gap.seconds {
            d.seconds = gap.seconds;
            d.explanation += &format!(
                " The stamps say {}; {} is that corrected by the least skew of the \
                 clocks involved (see skews).",
                human_duration(gap.seconds),
                human_duration(estimate)
            );
        }
        d
    }

    fn cause(&self, gap: Gap, greylists: &[Greylist]) -> Delay {
        let Some(from) = gap.from else {
            return self.author_side(gap);
        };
        if let Some(g) = greylists.iter().find(|g| g.hop == gap.to) {
            let by = self.by(gap.to);
            return delay(
                gap,
                "greylisting",
                format!("greylisting at {by}"),
                format!(
                    "{} on {by} says it delayed the message {} ({}): the recipient's server \
                     refused the first delivery attempt with a temporary error and accepted \
                     the sender's retry. The Received dates put {} between hop {from} and hop \
                     {}.",
                    capitalise(g.product),
                    human_duration(g.seconds),
                    g.text,
                    human_duration(gap.seconds),
                    gap.to
                ),
            );
        }
        if let Some((product, place, how)) = self.scanner(from, gap.to) {
            let also = if self.greylist_pattern(gap) {
                format!(
                    " The shape (a wait at the trust boundary, every other hop fast) would also \
                     fit greylisting by {}; its log would tell.",
                    self.by(gap.to)
                )
            } else {
                String::new()
            };
            return delay(
                gap,
                "content-scanning",
                format!("content scanning at {place} ({product})"),
                format!(
                    "{product} held the message {} on {place} ({how}): scanning for spam and \
                     malware, opening attachments in a sandbox or rewriting links takes time, \
                     and a busy or cautious filter can hold a message for minutes.{also}",
                    human_duration(gap.seconds)
                ),
            );
        }
        if self.greylist_pattern(gap) {
            let by = self.by(gap.to);
            return delay(
                gap,
                "greylisting",
                format!("greylisting at {by}"),
                format!(
                    "{} at the trust boundary while every other hop took under a minute: the \
                     shape of greylisting. {by} most likely refused the first attempt with a \
                     temporary error (4xx) and accepted the sender's retry. No X-Greylist \
                     header confirms it; {by}'s log would.",
                    capitalise(&human_duration(gap.seconds))
                ),
            );
        }
        self.by_side(from, gap)
    }

    /// The gap corrected by the least skew of its two ends: the likeliest real wait.
    pub fn estimate(&self, from: Option<usize>, to: usize, seconds: i64) -> i64 {
        let least = |end: Option<(usize, &Status)>| end.map_or(0, |(_, s)| s.least());
        seconds - least(self.end_status(Some(to))) + least(self.end_status(from))
    }

    /// A negative gap, or one that a skewed clock explains.
    fn skew_cause(&self, gap: Gap) -> Option<Delay> {
        let from = self.end_status(gap.from);
        let to = self.end_status(Some(gap.to));
        let skewed: Vec<usize> = [from, to]
            .iter()
            .flatten()
            .filter(|(_, s)| s.is_skewed())
            .map(|(i, _)| *i)
            .collect();
        let estimate = self.estimate(gap.from, gap.to, gap.seconds);
        if gap.seconds >= 0 && (skewed.is_empty() || estimate * 2 >= gap.seconds) {
            return None;
        }
        // the real time between the two stamps: the stamps minus their offsets
        let range =
            |end: Option<(usize, &Status)>| end.map_or((Some(0), Some(0)), |(_, s)| s.range());
        let (from_min, from_max) = range(from);
        let (to_min, to_max) = range(to);
        let lo = match (to_max, from_min) {
            (Some(a), Some(b)) => (gap.seconds - a + b).max(0),
            _ => 0,
        };
        let hi = match (to_min, from_max) {
            (Some(a), Some(b)) => Some((gap.seconds - a + b).max(lo)),
            _ => None,
        };
        let clocks: Vec<String> = skewed
            .iter()
            .map(|&i| {
                let (min, max) = self.status[i].range();
                format!(
                    "{} is {}",
                    clock_name(&self.events[i], self.chain),
                    offset_words(min, max)
                )
            })
            .collect();
        let which = if clocks.is_empty() {
            "one of the two clocks is wrong".to_string()
        } else {
            clocks.join(" and ")
        };
        let earlier = match gap.from {
            Some(j) => format!("hop {j} ({})", self.by(j)),
            None => "the Date header".to_string(),
        };
        let later = format!("hop {} ({})", gap.to, self.by(gap.to));
        let what = if gap.seconds < 0 {
            format!(
                "{} is stamped {} before {earlier}: a message cannot arrive before it was \
                 sent, so a clock is wrong",
                capitalise(&later),
                human_duration(-gap.seconds)
            )
        } else {
            format!(
                "The {} between {earlier} and {later} is not a real wait",
                human_duration(gap.seconds)
            )
        };
        Some(delay(
            gap,
            "clock-skew",
            format!("clock skew: {which}"),
            format!(
                "{what}. Taking the sources that agree with one another as right, {which} (see \
                 skews). The real time between the two is {}.",
                range_words(Some(lo), hi)
            ),
        ))
    }

    /// From the Date header to the first dated hop.
    fn author_side(&self, gap: Gap) -> Delay {
        let by = self.by(gap.to);
        if gap.to != 1 {
            return delay(
                gap,
                "unknown",
                format!("before {by}"),
                format!(
                    "{} between the Date header and hop {} ({by}); the hops before it have no \
                     readable date, so where the message waited cannot be told.",
                    capitalise(&human_duration(gap.seconds)),
                    gap.to
                ),
            );
        }
        delay(
            gap,
            "sender-queue",
            format!("on the author's side before {by}"),
            format!(
                "The Date header says when the message was written or sent; the first server \
                 ({by}) received it {} later. It waited on the author's side: in the outbox \
                 of a client that was offline, as a scheduled or delayed send, or as a draft \
                 sent later; or the author's computer clock is behind.",
                human_duration(gap.seconds)
            ),
        )
    }

    /// The pattern of the `greylisting` rule: the boundary hop's own delay of 4 to 60 minutes,
    /// every other hop under a minute either way.
    pub fn greylist_pattern(&self, gap: Gap) -> bool {
        let Some(boundary) = self
            .chain
            .boundary
            .as_ref()
            .and_then(|b| self.chain.hop(b.hop))
        else {
            return false;
        };
        if gap.to != boundary.index || gap.from != boundary.index.checked_sub(1) {
            return false;
        }
        let Some(delay) = boundary.delay_seconds else {
            return false;
        };
        let others_fast = self
            .chain
            .hops
            .iter()
            .filter(|h| h.index != boundary.index)
            .all(|h| h.delay_seconds.is_none_or(|d| d.abs() < FAST));
        GREYLIST_PATTERN.contains(&delay) && others_fast
    }

    /// A scanner that held the message between hop `from` and hop `to`: (product, where, how
    /// it was recognised).
    fn scanner(&self, from: usize, to: usize) -> Option<(String, String, String)> {
        // Safe Attachments scanned the message in some tenant: the header survives from the
        // sender's tenant too, so it names the wait only inside the recipient's organisation
        let safe_attachments = self.hop(to).is_some_and(|h| h.side == Side::Recipient)
            && self
                .parsed
                .fields("X-MS-Exchange-AtpMessageProperties")
                .any(|f| {
                    f.value
                        .split('|')
                        .any(|p| p.trim().eq_ignore_ascii_case("SA"))
                });
        let name = |s: &Scanner, host: &str| -> (String, String) {
            if s.product == MICROSOFT_EOP && safe_attachments {
                (
                    "Microsoft Defender for Office 365 Safe Attachments".to_string(),
                    format!(
                        "{host} is Exchange Online Protection and X-MS-Exchange-AtpMessageProperties \
                         says Safe Attachments scanned the message"
                    ),
                )
            } else {
                (
                    s.product.to_string(),
                    format!("recognised by the host name {host}"),
                )
            }
        };
        // the servers that held it: the receivers of hops from..to-1
        for m in from..to {
            let Some(hop) = self.hop(m) else {
                continue;
            };
            if let Some(by) = hop.fields.by_host.as_deref() {
                if let Some(s) = scanner_of_host(by) {
                    let (product, how) = name(s, by);
                    return Some((product, by.to_string(), how));
                }
                if safe_attachments && org_family(by).as_deref() == Some("outlook.com") {
                    return Some((
                        "Microsoft Defender for Office 365 Safe Attachments".to_string(),
                        by.to_string(),
                        "a Microsoft 365 server, and X-MS-Exchange-AtpMessageProperties says \
                         Safe Attachments scanned the message"
                            .to_string(),
                    ));
                }
            }
            if let Some(s) = scanner_of_text(by_part(&hop.raw)) {
                let place = hop
                    .fields
                    .by_host
                    .clone()
                    .filter(|b| !is_local_name(b))
                    .or_else(|| self.hop(m + 1).and_then(|h| h.fields.by_host.clone()))
                    .unwrap_or_else(|| format!("hop {m}'s server"));
                return Some((
                    s.product.to_string(),
                    place,
                    format!("its name in hop {m}'s Received field"),
                ));
            }
        }
        // ...which are the senders of hops from+1..to
        for m in from + 1..=to {
            let Some(hop) = self.hop(m) else {
                continue;
            };
            let f = &hop.fields;
            for host in [&f.from_host, &f.helo, &f.rdns].into_iter().flatten() {
                if let Some(s) = scanner_of_host(host) {
                    let (product, how) = name(s, host);
                    let place = if host.eq_ignore_ascii_case("pps.filterd") {
                        self.by(m)
                    } else {
                        host.clone()
                    };
                    return Some((product, place, how));
                }
            }
        }
        local_reinjection(self.hop(to.checked_sub(1)?)?, self.hop(to)?).map(|place| {
            (
                "a local content filter".to_string(),
                place,
                "the message left the host and came back through the loopback interface, the \
                 way amavis, dkimproxy or a Postfix content_filter re-inject it"
                    .to_string(),
            )
        })
    }

    fn by_side(&self, from: usize, gap: Gap) -> Delay {
        if let Some(hop) = self.hop(gap.to).filter(|h| local_submission(&h.raw)) {
            let by = self.by(gap.to);
            return delay(
                gap,
                "unknown",
                format!("before {by} submitted it anew"),
                format!(
                    "Hop {} is a new local submission on {by} (`{}`), not a hand-over from hop \
                     {from}'s server: the message was sent again (re-sent by a script or a \
                     person, or an old message replayed), so the {} between them is how long \
                     it lay elsewhere, not a wait in a queue.",
                    gap.to,
                    hop.raw.split(';').next().unwrap_or("").trim(),
                    human_duration(gap.seconds)
                ),
            );
        }
        let sides: Vec<Side> = (from + 1..=gap.to)
            .filter_map(|m| self.hop(m).map(|h| h.side))
            .collect();
        let to_side = sides.last().copied().unwrap_or(Side::Sender);
        let holder = self.holder(gap.to);
        let d = human_duration(gap.seconds);
        let recipient = sides.iter().filter(|s| **s == Side::Recipient).count();
        if recipient > 0 && recipient < sides.len() {
            return delay(
                gap,
                "unknown",
                format!("between hop {from} and hop {}", gap.to),
                format!(
                    "{} between hop {from} and hop {}; the hops between them have no readable \
                     date and the trust boundary lies among them, so which side held the \
                     message cannot be told.",
                    capitalise(&d),
                    gap.to
                ),
            );
        }
        match to_side {
            Side::Recipient => {
                let fetched = self
                    .hop(gap.to)
                    .and_then(|h| h.fields.protocol.as_deref())
                    .map(|p| p.to_ascii_uppercase())
                    .filter(|p| p.starts_with("POP") || p.starts_with("IMAP"));
                let why = match fetched {
                    Some(p) => format!(
                        "the recipient's mail client or fetchmail collected it by {p} that much \
                         later: a polling interval, not a server delay"
                    ),
                    None => "a queue, a filter not recognised by name, a mailbox server that \
                             was slow or down"
                        .to_string(),
                };
                delay(
                    gap,
                    "recipient-internal",
                    format!("inside the recipient's organisation at {holder}"),
                    format!(
                        "{holder} held the message {d} before {} received it, after the trust \
                         boundary: inside the recipient's organisation ({why}). The \
                         recipient's administrators can look it up in {holder}'s log{}.",
                        self.by(gap.to),
                        queue_id(self.hop(from))
                    ),
                )
            }
            Side::Sender | Side::Boundary => {
                let whose = if to_side == Side::Boundary {
                    format!("the recipient's server {}", self.by(gap.to))
                } else {
                    self.by(gap.to)
                };
                let (label, why) = match retry_step(gap.seconds) {
                    Some(step) => (
                        format!("in the sender's queue at {holder} (retry)"),
                        format!(
                            "{d} is a typical retry step, {}: the first attempt most likely \
                             failed with a temporary error or could not connect, and a \
                             scheduled retry got through.",
                            step.schedules
                        ),
                    ),
                    None => (
                        format!("in the sender's queue at {holder}"),
                        "It matches no common retry step: a queue backlog, rate limiting, or \
                         retries on a schedule of its own."
                            .to_string(),
                    ),
                };
                delay(
                    gap,
                    "sender-queue",
                    label,
                    format!(
                        "{holder} held the message {d} before {whose} accepted it: it sat in \
                         the sending server's queue. {why} The sender's administrator can \
                         look it up in {holder}'s log{}.",
                        queue_id(self.hop(from))
                    ),
                )
            }
        }
    }
}

/// The part of a Received field from its `by` clause on (what the receiving server says
/// about itself).
fn by_part(raw: &str) -> &str {
    let lower = raw.to_ascii_lowercase();
    ["by ", "by\t", "by\r", "by\n"]
        .iter()
        .filter_map(|p| {
            lower
                .match_indices(p)
                .find(|(i, _)| *i == 0 || lower.as_bytes()[i - 1].is_ascii_whitespace())
                .map(|(i, _)| i)
        })
        .min()
        .and_then(|i| raw.get(i..))
        .unwrap_or("")
}

/// A Received field that records a local submission (a program handing the message to the
/// MTA), not a hand-over from another server: Postfix's `(Postfix, from userid 1000)`,
/// Sendmail's `(from root@localhost) by host (8.17.1/8.17.1/Submit)`.
fn local_submission(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    lower.contains("from userid") || lower.contains("/submit)") || lower.contains("@localhost)")
}

/// A content filter on the receiving host: hop `next` came from the loopback interface into
/// the host that received hop `prev` (or from a filter listening on localhost). Returns the
/// host.
fn local_reinjection(prev: &Hop, next: &Hop) -> Option<String> {
    let f = &next.fields;
    let loopback = f.from_ip.is_some_and(is_loopback)
        || [&f.from_host, &f.helo, &f.rdns]
            .into_iter()
            .flatten()
            .any(|h| is_local_name(h));
    if !loopback {
        return None;
    }
    let next_by = f.by_host.as_deref()?;
    let same = match prev.fields.by_host.as_deref() {
        Some(p) => same_host(p, next_by) || is_local_name(p),
        None => false,
    };
    same.then(|| next_by.to_string())
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// ` by the queue id X` when the hop that received the message recorded one.
fn queue_id(hop: Option<&Hop>) -> String {
    hop.and_then(|h| h.fields.id.as_deref())
        .map(|id| format!(" by the queue id {id}"))
        .unwrap_or_default()
}

fn delay(gap: Gap, cause: &str, label: String, explanation: String) -> Delay {
    Delay {
        hop: gap.to,
        from_hop: gap.from,
        seconds: gap.seconds,
        cause: cause.to_string(),
        label,
        explanation,
    }
}

/// The first letter in upper case.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_part_starts_at_the_by_clause() {
        assert_eq!(
            by_part("from pps.filterd (h [127.0.0.1])\n\tby ppsgw1 (PPS) with ESMTP"),
            "by ppsgw1 (PPS) with ESMTP"
        );
        assert_eq!(by_part("from standby.example (x) by mx"), "by mx");
        assert_eq!(by_part("from a"), "");
    }

    #[test]
    fn local_submissions() {
        assert!(local_submission(
            "by smtp.example.net (Postfix, from userid 1000) id 5C4D3E2F1A; Mon, 21 Apr 2025"
        ));
        assert!(local_submission(
            "(from root@localhost) by mail.example.net (8.17.1.9/8.17.1.9/Submit) id 55PIDt; x"
        ));
        assert!(!local_submission(
            "from localhost (localhost [127.0.0.1]) by mx.example.org (Postfix) with ESMTP"
        ));
    }
}
