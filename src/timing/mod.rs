//! Where the time went: every notable delay classified (greylisting, sender-side queueing and
//! retry, content scanning, inside the recipient's organisation, clock skew), every time source
//! cross-checked (Received dates, Date, DKIM and ARC `t=`, X-Greylist, Microsoft latency
//! headers), skew shown as a range, and the story in one line.
//!
//! Three steps, one file each: `sources` finds every time stamp and places it on the
//! message's path; `clocks` takes the heaviest set of stamps that agree with one another as
//! right and bounds how far each other clock is off; `causes` classifies each notable gap
//! using the tables in `tables` (content scanners by host name, MTA retry steps). `words`
//! says times, offsets and ranges the same way everywhere.
//!
//! What it must not do: print a figure it does not have. A clock that disagrees gets the range
//! of offsets consistent with the others, open on a side nothing bounds ("at least"); a delay
//! across a skewed clock is called clock skew with the range of real times, not a wait. It
//! reads no clock and no network: times come from the message alone.

mod causes;
mod clocks;
mod sources;
pub mod tables;
mod words;

use serde::Serialize;

use crate::auth::AuthOutcome;
use crate::hops::Chain;
use crate::options::Options;
use crate::parse::ParsedMessage;
use crate::text::human_duration;
use causes::Ctx;
use clocks::Status;
use sources::Kind;
use words::{and_list, clock_name, offset_words, utc};

/// A skew this large (at least, in either direction) makes the times unreliable in the summary.
const UNRELIABLE_SECS: i64 = 60;
/// The summary names at most this many waits, the largest (the others are in `delays`), and
/// at most this many wrong clocks (the others are in `skews`).
const MAX_LISTED: usize = 3;

/// One notable delay and its likely cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delay {
    /// The hop where the time was spent (the message waited before this hop received it).
    pub hop: usize,
    /// The stamp the wait is measured from: the previous hop with a readable date (usually
    /// `hop - 1`), or null for the Date header.
    pub from_hop: Option<usize>,
    /// Seconds between the two stamps as written (see `skews` for their uncertainty; the
    /// summary line uses the wait corrected by the least skew of the clocks involved).
    pub seconds: i64,
    /// A kebab-case cause: greylisting, sender-queue, content-scanning, recipient-internal,
    /// clock-skew, unknown.
    pub cause: String,
    /// The cause and place in a few words, as the summary line uses them:
    /// `greylisting at mx.example.org`, `in the sender's queue at out.example.com (retry)`.
    pub label: String,
    /// In words, for a student.
    pub explanation: String,
}

/// One time stamp found in the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeSource {
    /// What it is (`Date`, `Received hop 3`, `DKIM t= example.com`, `ARC-Seal i=1 t= google.com`,
    /// `X-Greylist`, `X-MS-Exchange-CrossTenant-OriginalArrivalTime`, ...).
    pub source: String,
    /// The time in UTC (`2025-03-11T09:15:42Z`; milliseconds when the source has a fraction).
    pub time: String,
    /// The hop it belongs to, when it belongs to one.
    pub hop: Option<usize>,
    /// True when it agrees with the other sources in path order, false when it contradicts
    /// them (its clock is in `skews`), null when its place on the path is unknown (a header
    /// moved by a server that reorders headers), so it could not be checked.
    pub consistent: Option<bool>,
}

/// A clock that disagrees with the others, as a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skew {
    /// The hop whose clock is off (or the Date header: null).
    pub hop: Option<usize>,
    /// The time source that disagrees (as in `sources`).
    pub source: String,
    /// The smallest and largest offset consistent with the other time sources, in seconds
    /// (negative: the clock is behind); null when nothing bounds that side.
    pub min_seconds: Option<i64>,
    /// See `min_seconds`.
    pub max_seconds: Option<i64>,
    /// In words.
    pub explanation: String,
}

/// The time story of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct TimeStory {
    /// One line: "delivered in 11 min: 10 min greylisting at mx.example.org, then 1 s".
    pub summary: Option<String>,
    /// Total seconds from the Date header (or the first hop) to the last hop, when known. When
    /// the last hop's clock is behind, the earliest time consistent with the other sources is
    /// used (a lower bound; see `skews`).
    pub total_seconds: Option<i64>,
    /// Notable delays, oldest first.
    pub delays: Vec<Delay>,
    /// Every time source found, in path order.
    pub sources: Vec<TimeSource>,
    /// Clocks that disagree.
    pub skews: Vec<Skew>,
}

impl TimeStory {
    /// The delay measured into this hop from the hop before it (not from the Date header).
    pub fn delay_at(&self, hop: usize) -> Option<&Delay> {
        self.delays
            .iter()
            .find(|d| d.hop == hop && d.from_hop.is_some())
    }

    /// [`TimeStory::delay_at`] for every hop at once, for callers that walk all hops (one
    /// lookup each instead of a scan of every delay each: a mail loop has thousands of hops).
    pub fn delays_by_hop(&self) -> std::collections::HashMap<usize, &Delay> {
        let mut out = std::collections::HashMap::new();
        for d in self.delays.iter().filter(|d| d.from_hop.is_some()) {
            // the first one, as delay_at finds it
            out.entry(d.hop).or_insert(d);
        }
        out
    }
}

/// Tell where the time went.
pub fn analyze(
    parsed: &ParsedMessage,
    chain: &Chain,
    auth: &AuthOutcome,
    options: &Options,
) -> TimeStory {
    let events = sources::collect(parsed, chain, auth);
    let status = clocks::solve(&events);
    let ctx = Ctx::new(parsed, chain, &events, &status, options);
    let span = span(&ctx);
    let total = span.as_ref().map(|s| s.end - s.start);
    let delays = ctx.delays(total);
    let reference = agreeing(&ctx);
    let skews: Vec<Skew> = (0..events.len())
        .filter_map(|i| skew(&ctx, &reference, i))
        .collect();
    let sources = events
        .iter()
        .zip(&status)
        .map(|(e, s)| TimeSource {
            source: e.label.clone(),
            time: utc(e.time),
            hop: e.hop,
            consistent: match s {
                Status::Reference | Status::Consistent => Some(true),
                Status::Skewed { .. } => Some(false),
                Status::Unplaced => None,
            },
        })
        .collect();
    let summary = summary(&ctx, span.as_ref(), &delays);
    TimeStory {
        summary,
        total_seconds: total,
        delays,
        sources,
        skews,
    }
}

/// From where to where the delivery is measured.
struct Span {
    start: i64,
    end: i64,
    /// The last hop's clock disagrees with the others: `end` is the earliest consistent time.
    end_is_bound: bool,
    /// The event the delivery is measured from.
    first: usize,
    /// The event of the last dated hop.
    last: usize,
}

fn span(ctx: &Ctx) -> Option<Span> {
    let (events, status) = (ctx.events, ctx.status);
    let last = ctx
        .chain
        .hops
        .iter()
        .rev()
        .find_map(|h| h.timestamp.and(ctx.hop_event(h.index)))?;
    let start = ctx
        .date_event()
        .filter(|&i| status[i] == Status::Reference)
        .or_else(|| {
            (0..events.len()).find(|&i| {
                matches!(events[i].kind, Kind::Received(_)) && status[i] == Status::Reference
            })
        })?;
    let (end, end_is_bound) = if status[last] == Status::Reference {
        if start == last {
            return None;
        }
        (events[last].secs(), false)
    } else {
        let level = events[last].place;
        let bound = (0..events.len())
            .filter(|&i| status[i] == Status::Reference && events[i].place <= level)
            .map(|i| events[i].secs())
            .max()?;
        (bound, true)
    };
    let first = start;
    let start = events[start].secs();
    (end >= start).then_some(Span {
        start,
        end,
        end_is_bound,
        first,
        last,
    })
}

/// The reference stamps in words: `Date, Received hop 1 and Received hop 2`, the first four
/// and a count when there are more than five.
fn agreeing(ctx: &Ctx) -> String {
    let agreeing: Vec<String> = (0..ctx.events.len())
        .filter(|&j| ctx.status[j] == Status::Reference)
        .map(|j| ctx.events[j].label.clone())
        .collect();
    if agreeing.len() > 5 {
        let mut v = agreeing[..4].to_vec();
        v.push(format!("{} more", agreeing.len() - 4));
        and_list(&v)
    } else {
        and_list(&agreeing)
    }
}

/// The skew of one stamp, if it contradicts the others.
fn skew(ctx: &Ctx, agreeing: &str, i: usize) -> Option<Skew> {
    let Status::Skewed {
        min,
        max,
        before,
        after,
    } = ctx.status[i]
    else {
        return None;
    };
    let e = &ctx.events[i];
    let clock = clock_name(e, ctx.chain);
    let at = |j: usize| format!("{} ({})", ctx.events[j].label, utc(ctx.events[j].time));
    let gap = |j: usize| human_duration((e.secs() - ctx.events[j].secs()).abs());
    let mut text = format!("{} says {}", e.label, utc(e.time));
    match (max, min) {
        (Some(max), _) if max < 0 => {
            if let Some(b) = before {
                text += &format!(
                    ", {} before {}, which comes earlier on the message's path",
                    gap(b),
                    at(b)
                );
            }
            text += &match after {
                Some(a) => format!(
                    "; {}, which comes later, bounds it from the other side.",
                    at(a)
                ),
                None => "; nothing later on the path bounds it from the other side.".to_string(),
            };
        }
        _ => {
            if let Some(a) = after {
                text += &format!(
                    ", {} after {}, which comes later on the message's path",
                    gap(a),
                    at(a)
                );
            }
            text += &match before {
                Some(b) => format!(
                    "; {}, which comes earlier, bounds it from the other side.",
                    at(b)
                ),
                None => "; nothing earlier on the path bounds it from the other side.".to_string(),
            };
        }
    }
    text += &format!(
        " Taking the sources that agree with one another as right ({agreeing}), {clock} is {}.",
        offset_words(min, max)
    );
    Some(Skew {
        hop: e.hop,
        source: e.label.clone(),
        min_seconds: min,
        max_seconds: max,
        explanation: text,
    })
}

/// The one line.
fn summary(ctx: &Ctx, span: Option<&Span>, delays: &[Delay]) -> Option<String> {
    let (events, status) = (ctx.events, ctx.status);
    let big = |i: usize| status[i].least().abs() >= UNRELIABLE_SECS;
    let phrase = |i: usize| {
        let (min, max) = status[i].range();
        format!(
            "{} is {}",
            clock_name(&events[i], ctx.chain),
            offset_words(min, max)
        )
    };
    // hops whose clocks are off by the same range are named together
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for i in (0..events.len()).filter(|&i| status[i].is_skewed() && big(i)) {
        let Kind::Received(k) = events[i].kind else {
            continue;
        };
        let (min, max) = status[i].range();
        let words = offset_words(min, max);
        match groups.iter_mut().find(|(w, _)| *w == words) {
            Some((_, hops)) => hops.push(k),
            None => groups.push((words, vec![k])),
        }
    }
    let more = groups.len().saturating_sub(MAX_LISTED);
    let mut unreliable: Vec<String> = groups
        .iter()
        .take(MAX_LISTED)
        .map(|(words, hops)| match hops.as_slice() {
            [_] => {
                let i = hops
                    .first()
                    .and_then(|&k| ctx.hop_event(k))
                    .unwrap_or_default();
                phrase(i)
            }
            _ => format!("the clocks of {} are {words}", hop_list(hops)),
        })
        .collect();
    if more > 0 {
        unreliable.push(format!(
            "{more} more {} (see skews)",
            if more == 1 { "clock" } else { "clocks" }
        ));
    }
    let mut parts = Vec::new();
    if !unreliable.is_empty() {
        parts.push(format!("times unreliable: {}", and_list(&unreliable)));
    }
    if let Some(span) = span {
        let total = span.end - span.start;
        // a hop before the start whose clock is far off: the real start may be earlier
        let start_is_bound = (0..events.len()).any(|i| {
            matches!(events[i].kind, Kind::Received(_))
                && events[i].place < events[span.first].place
                && status[i].is_skewed()
                && big(i)
        });
        let at_least = if (span.end_is_bound && big(span.last)) || start_is_bound {
            "at least "
        } else {
            ""
        };
        let mut line = format!("delivered in {at_least}{}", human_duration(total));
        // each wait corrected by the least skew of its ends, so that the parts add up; the
        // largest few, in path order
        let mut items: Vec<(usize, i64, &Delay)> = delays
            .iter()
            .enumerate()
            .filter(|(_, d)| d.cause != "clock-skew")
            .map(|(n, d)| (n, ctx.estimate(d.from_hop, d.hop, d.seconds), d))
            .filter(|(_, secs, _)| *secs > 0)
            .collect();
        items.sort_by_key(|(n, secs, _)| (std::cmp::Reverse(*secs), *n));
        items.truncate(MAX_LISTED);
        items.sort_by_key(|(n, _, _)| *n);
        let items: Vec<(i64, &Delay)> = items.into_iter().map(|(_, s, d)| (s, d)).collect();
        if !items.is_empty() {
            let listed: Vec<String> = items
                .iter()
                .map(|(secs, d)| format!("{} {}", human_duration(*secs), d.label))
                .collect();
            line += &format!(": {}", listed.join(", "));
            let rest = total - items.iter().map(|(secs, _)| secs).sum::<i64>();
            if rest > 0 {
                line += &format!(", then {}", human_duration(rest));
            }
        }
        parts.push(line);
    }
    if let Some(d) = ctx
        .date_event()
        .filter(|&i| status[i].is_skewed() && big(i))
    {
        parts.push(phrase(d));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `hops 1 to 5`, `hops 1, 3 and 5`.
fn hop_list(hops: &[usize]) -> String {
    let consecutive = hops.windows(2).all(|w| w[1] == w[0] + 1);
    match (hops.first(), hops.last()) {
        (Some(first), Some(last)) if consecutive && hops.len() > 2 => {
            format!("hops {first} to {last}")
        }
        _ => format!(
            "hops {}",
            and_list(&hops.iter().map(|k| k.to_string()).collect::<Vec<_>>())
        ),
    }
}
