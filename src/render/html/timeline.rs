//! Geometry of the hop timeline (the SVG itself is in the template): one row per hop, oldest
//! first, each row a bar as long as the time that hop took (its stamp minus the previous
//! hop's), all drawn from the same origin on one logarithmic axis.
//!
//! The axis is elapsed time on the scale the bars use, `ln(1 + seconds)`, labelled with round
//! durations (0, 1 s, 10 s, 1 min, 10 min, 1 h, 1 d, 1 wk) so no tick is unlabelled and no
//! clock time suggests a linear scale. A 1-second hop stays visible beside a 3-hour queue,
//! which on a linear scale would leave every other bar a pixel wide. A negative delay (a
//! clock behind the one before it) is no bar at all: a red marker at the origin with the
//! words "clock … behind the previous hop". The trust boundary is a line across the rows,
//! above the hop at which the message entered the recipient's servers.
//!
//! Text placed in the SVG is escaped here with [`Marker::Svg`] (a `<span>` inside `<svg>`
//! would end the SVG element), so the template only prints it.

use std::collections::HashMap;
use std::net::IpAddr;

use minijinja::value::Value;
use serde::Serialize;

use super::{Marker, markup, safe};
use crate::hops::Side;
use crate::report::{HopReport, Report};
use crate::text::human_duration;
use crate::timing::Delay;

/// The drawing's width (it scales to the page with CSS).
const WIDTH: f64 = 1000.0;
/// Where bars start (elapsed 0) and where the last tick stands.
const X0: f64 = 400.0;
const X1: f64 = 860.0;
/// The TLS badge's column.
const TLS_X: f64 = 885.0;
const TLS_W: f64 = 105.0;
/// The time axis.
const AXIS_Y: f64 = 34.0;
/// The first row's top, the room the boundary line takes, a text line's height.
const ROWS_TOP: f64 = 48.0;
const BOUNDARY_GAP: f64 = 26.0;
const LINE_H: f64 = 15.0;
/// The narrowest bar, and the width given to a hop whose delay is unknown.
const MIN_BAR: f64 = 2.0;
const UNKNOWN_BAR: f64 = 40.0;
/// The width of a character of 11-12 px text, roughly.
const CHAR_PX: f64 = 6.7;
/// Longest line of a hop label, in characters (the label column is about 390 px).
const MAX_LABEL_CHARS: usize = 54;
/// Most lines the host name may take.
const MAX_HOST_LINES: usize = 2;
/// Axis ticks: seconds and label. The axis ends at the first tick at or above the longest
/// delay (at least one minute, so a journey of seconds is not drawn as if it were slow).
const TICKS: &[(i64, &str)] = &[
    (0, "0"),
    (1, "1 s"),
    (10, "10 s"),
    (60, "1 min"),
    (600, "10 min"),
    (3_600, "1 h"),
    (86_400, "1 d"),
    (604_800, "1 wk"),
];

/// A message with more hops than `HOP_HEAD + HOP_TAIL` has only its oldest `HOP_HEAD`, its
/// newest `HOP_TAIL` and its boundary hop drawn and listed; a row in their place says how
/// many are left out. Real mail has under 50 (Postfix bounces at 50, `hopcount_limit`), so it
/// is never cut; a mail loop of thousands keeps the page to a few hundred rows.
pub(super) const HOP_HEAD: usize = 200;
pub(super) const HOP_TAIL: usize = 50;
/// The height of the row that stands for hops left out.
const GAP_H: f64 = 30.0;

/// Which hops the page shows: see [`HOP_HEAD`].
#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct HopWindow {
    /// Hops of the report.
    pub total: usize,
    /// Hops `1..=head` are shown.
    pub head: usize,
    /// Hops `tail_from..=total` are shown.
    pub tail_from: usize,
    /// The boundary hop, shown wherever it is.
    pub boundary: Option<usize>,
}

impl HopWindow {
    pub fn of(report: &Report) -> Self {
        let total = report.hops.len();
        let (head, tail_from) = if total <= HOP_HEAD + HOP_TAIL {
            (total, total + 1)
        } else {
            (HOP_HEAD, total - HOP_TAIL + 1)
        };
        HopWindow {
            total,
            head,
            tail_from,
            boundary: report.boundary.as_ref().map(|b| b.hop),
        }
    }

    /// Hop `hop` has its row on the page (a link to `#hop-N` has its target).
    pub fn shows(&self, hop: usize) -> bool {
        (1..=self.total).contains(&hop)
            && (hop <= self.head || hop >= self.tail_from || self.boundary == Some(hop))
    }
}

/// Hops left out between two shown ones.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Gap {
    /// How many and which, in words, with where to see them.
    pub text: String,
}

/// The hops of `report` the page shows, each with the gap before it when hops were left
/// out there; and the gap after the last one shown.
pub(super) fn shown_hops<'a>(
    report: &'a Report,
    window: &HopWindow,
    received_fields: usize,
) -> (Vec<(Option<Gap>, &'a HopReport)>, Option<Gap>) {
    // (first, last, how many) of the hops left out since the last one shown
    let gap = |hidden: &mut Option<(usize, usize, usize)>| -> Option<Gap> {
        let (first, last, count) = hidden.take()?;
        Some(Gap {
            text: format!(
                "… {} hop{} not shown (hops {} to {}): the message has {} Received fields; \
                 see the JSON report for every hop",
                super::thousands(count),
                if count == 1 { "" } else { "s" },
                super::thousands(first),
                super::thousands(last),
                super::thousands(received_fields),
            ),
        })
    };
    let mut out = Vec::with_capacity(report.hops.len().min(HOP_HEAD + HOP_TAIL + 1));
    let mut hidden = None;
    for hop in &report.hops {
        if window.shows(hop.index) {
            out.push((gap(&mut hidden), hop));
        } else {
            hidden = Some(match hidden {
                Some((first, _, count)) => (first, hop.index, count + 1),
                None => (hop.index, hop.index, 1),
            });
        }
    }
    let after = gap(&mut hidden);
    (out, after)
}

/// The caption under the drawing.
pub(super) const SCALE_NOTE: &str = "Each bar is the time one hop took: from the previous hop's \
    stamp to this one's, drawn from 0 on a logarithmic scale, ln(1 + seconds), where each tick \
    is about ten times the one before. So a 1-second hop stays visible and a 3-hour queue does \
    not swallow the rest; compare bars by their labels, not their lengths. Times are the \
    servers' own stamps.";

#[derive(Debug, Serialize)]
pub(super) struct Timeline {
    pub width: f64,
    pub height: f64,
    pub x0: f64,
    pub x1: f64,
    pub axis_y: f64,
    pub ticks: Vec<Tick>,
    pub hops: Vec<HopGlyph>,
    pub boundary: Option<BoundaryGlyph>,
    /// Rows standing for hops left out (see [`HOP_HEAD`]).
    pub gaps: Vec<GapGlyph>,
    pub note: &'static str,
    /// What the legend must explain (only what the drawing shows).
    pub legend: Legend,
}

#[derive(Debug, Default, Serialize)]
pub(super) struct Legend {
    pub sender: bool,
    pub boundary: bool,
    pub recipient: bool,
    pub slow: bool,
    pub skew: bool,
    pub unknown: bool,
    pub tls: bool,
    pub no_tls: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct Tick {
    pub x: f64,
    /// An elapsed time: `0`, `1 s`, `10 min`...
    pub label: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct HopGlyph {
    pub index: usize,
    pub y: f64,
    pub height: f64,
    /// Row background class: `row-sender`, `row-at-boundary`, `row-recipient`.
    pub row_class: &'static str,
    /// The lines of the label: the host (one or two lines, bold), then the details.
    pub lines: Vec<LabelLine>,
    /// Tooltip: the whole Received value.
    pub title: Value,
    pub bar: Option<Bar>,
    /// The first hop: a start dot instead of a bar.
    pub start: bool,
    /// A clock behind the previous hop's: a marker instead of a bar.
    pub marker: bool,
    pub delay: String,
    pub delay_x: f64,
    pub delay_y: f64,
    pub delay_anchor: &'static str,
    /// `delay`, `delay skewed`, `delay unknown`, `delay start`.
    pub delay_class: &'static str,
    pub skewed: bool,
    /// The TLS badge text (TLS version or `TLS`), or None when the hop states none.
    pub tls: Option<Value>,
    /// When no TLS: `no TLS stated` (a protocol is known) or `TLS ?`.
    pub no_tls: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct LabelLine {
    pub y: f64,
    /// `host` (bold) or `by` (muted).
    pub class: &'static str,
    pub x: f64,
    pub text: Value,
}

#[derive(Debug, Serialize)]
pub(super) struct Bar {
    pub x: f64,
    pub width: f64,
    /// `bar`, `bar slow`, `bar unknown`.
    pub class: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct GapGlyph {
    pub y: f64,
    pub text: Value,
}

#[derive(Debug, Serialize)]
pub(super) struct BoundaryGlyph {
    pub y: f64,
    pub label: Value,
}

/// How many characters `c` takes on the drawing (an invisible one is shown as `⟨U+XXXX⟩`).
fn char_room(c: char) -> usize {
    if super::is_invisible(c) { 9 } else { 1 }
}

/// `text` in lines of at most `width` characters, at most `lines` of them: breaks at a space
/// when there is one in the line's second half, else anywhere; a cut shows `…`.
pub(super) fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() && out.len() < lines {
        let mut room = width;
        let mut end = 0;
        let mut space = None;
        for (i, c) in rest.char_indices() {
            let w = char_room(c);
            if w > room {
                break;
            }
            room -= w;
            end = i + c.len_utf8();
            if c == ' ' && i > 0 {
                space = Some(i);
            }
        }
        if end == 0 {
            // one character wider than the line: show it anyway
            end = rest
                .chars()
                .next()
                .map(char::len_utf8)
                .unwrap_or(rest.len());
        }
        let last = out.len() + 1 == lines;
        let cut = if end < rest.len() && !last {
            match space {
                Some(s) if s * 2 >= end => s,
                _ => end,
            }
        } else {
            end
        };
        let mut line = rest[..cut].trim_end().to_string();
        rest = rest[cut..].trim_start();
        if last && !rest.is_empty() {
            line.push('…');
            rest = "";
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The hops whose clock is judged wrong: a negative delay, or named by the time story or by a
/// `hop-clock-skew` finding.
pub(super) fn skewed_hops(report: &Report) -> Vec<usize> {
    let mut out: Vec<usize> = report
        .hops
        .iter()
        .filter(|h| h.delay_seconds.is_some_and(|d| d < 0))
        .map(|h| h.index)
        .chain(report.time.skews.iter().filter_map(|s| s.hop))
        .chain(
            report
                .findings
                .iter()
                .filter(|f| f.name == "hop-clock-skew")
                .filter_map(|f| f.hop),
        )
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The delay measured into each hop from the hop before it ([`crate::timing::TimeStory::delay_at`]),
/// looked up once for all hops.
pub(super) fn delays_by_hop(report: &Report) -> HashMap<usize, &Delay> {
    let mut out = HashMap::new();
    for d in report.time.delays.iter().filter(|d| d.from_hop.is_some()) {
        out.entry(d.hop).or_insert(d);
    }
    out
}

fn units(seconds: i64) -> f64 {
    (1.0 + seconds.unsigned_abs() as f64).ln()
}

/// True when the hop is a hand-off inside one server: from the loopback address, or from and
/// by name the same host.
pub(super) fn is_local_handoff(hop: &HopReport) -> bool {
    let loopback = hop.from_ip.is_some_and(|ip| match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback(),
    });
    let same = match (&hop.from_host, &hop.by_host) {
        (Some(f), Some(b)) => f.eq_ignore_ascii_case(b),
        _ => false,
    };
    loopback || same
}

/// The label's lines before wrapping: the host line and the details line.
fn label_texts(hop: &HopReport) -> (String, String) {
    let by = hop.by_host.as_deref().unwrap_or("an unnamed server");
    let proto = hop
        .protocol
        .as_deref()
        .map(|p| format!(" · {p}"))
        .unwrap_or_default();
    let from = super::super::from_cell(hop);
    if is_local_handoff(hop) {
        let ip = hop
            .from_ip
            .map(|ip| format!(", IP {ip}"))
            .unwrap_or_default();
        let path = match &hop.from_host {
            Some(f) if !f.eq_ignore_ascii_case(by) => format!("{f} → {by}"),
            _ => format!("{by} to itself"),
        };
        return (
            format!("{} hand-off inside one server", hop.index),
            format!("{path}{ip}{proto}"),
        );
    }
    let host = match (from.is_empty(), hop.from_ip) {
        (false, _) => from,
        (true, Some(ip)) => format!("[{ip}]"),
        (true, None) => "sender not recorded".to_string(),
    };
    let ip = hop
        .from_ip
        .map(|ip| format!("IP {ip} "))
        .unwrap_or_default();
    (
        format!("{} {host}", hop.index),
        format!("{ip}→ by {by}{proto}"),
    )
}

/// The x of `seconds` elapsed, on a scale whose last tick is `top` seconds.
fn x_of(seconds: i64, top: i64) -> f64 {
    X0 + (X1 - X0) * units(seconds) / units(top).max(f64::MIN_POSITIVE)
}

/// Lay out the timeline of a report: the hops `window` shows, and a row for each run of
/// hops left out. `received_fields` is how many the header block holds (for those rows).
pub(super) fn layout(report: &Report, window: &HopWindow, received_fields: usize) -> Timeline {
    let hops = &report.hops;
    let skewed = skewed_hops(report);
    let delays = delays_by_hop(report);
    let mut slow: Vec<usize> = report
        .findings
        .iter()
        .filter(|f| f.name == "hop-delay")
        .filter_map(|f| f.hop)
        .collect();
    slow.sort_unstable();
    let boundary_hop = report.boundary.as_ref().map(|b| b.hop);

    // the scale: up to the first tick at or above the longest delay, at least 1 min
    let longest = hops
        .iter()
        .filter_map(|h| h.delay_seconds)
        .map(i64::unsigned_abs)
        .max()
        .unwrap_or(0);
    let top_at = TICKS
        .iter()
        .position(|(s, _)| *s >= 60 && s.unsigned_abs() >= longest)
        .unwrap_or(TICKS.len() - 1);
    let top = TICKS[top_at].0;
    let ticks = TICKS[..=top_at]
        .iter()
        .map(|(s, label)| Tick {
            x: round(x_of(*s, top)),
            label,
        })
        .collect();

    let mut legend = Legend::default();
    let (shown, after) = shown_hops(report, window, received_fields);
    let mut glyphs = Vec::with_capacity(shown.len());
    let mut gaps = Vec::new();
    let mut y = ROWS_TOP;
    let mut gap_row = |gap: Option<Gap>, y: &mut f64| {
        if let Some(gap) = gap {
            gaps.push(GapGlyph {
                y: *y + 19.0,
                text: safe(markup(&gap.text, Marker::Svg, super::MAX_TEXT_BYTES)),
            });
            *y += GAP_H;
        }
    };
    for (position, (gap, hop)) in shown.into_iter().enumerate() {
        gap_row(gap, &mut y);
        if boundary_hop == Some(hop.index) {
            y += BOUNDARY_GAP;
        }
        let is_skewed = skewed.binary_search(&hop.index).is_ok();
        let (host, details) = label_texts(hop);
        let mut lines = Vec::new();
        let mut line_y = y + 16.0;
        for (i, text) in wrap(&host, MAX_LABEL_CHARS, MAX_HOST_LINES)
            .into_iter()
            .enumerate()
        {
            lines.push(LabelLine {
                y: line_y,
                class: "host",
                x: if i == 0 { 8.0 } else { 24.0 },
                text: safe(markup(&text, Marker::Svg, super::MAX_TEXT_BYTES)),
            });
            line_y += LINE_H;
        }
        for text in wrap(&details, MAX_LABEL_CHARS + 2, 2) {
            lines.push(LabelLine {
                y: line_y,
                class: "by",
                x: 24.0,
                text: safe(markup(&text, Marker::Svg, super::MAX_TEXT_BYTES)),
            });
            line_y += LINE_H;
        }
        let height = (line_y - y + 2.0).max(46.0);

        let mut start = false;
        let mut marker = false;
        let cause = delays
            .get(&hop.index)
            .filter(|t| t.cause != "clock-skew")
            .map(|t| format!(" · {}", cause_words(&t.cause)))
            .unwrap_or_default();
        let (bar, delay, delay_class) = match hop.delay_seconds {
            _ if position == 0 => {
                start = true;
                let at = hop
                    .timestamp
                    .as_deref()
                    .map(|t| {
                        format!(
                            ", stamped {} UTC",
                            t.replace('T', " ").trim_end_matches('Z')
                        )
                    })
                    .unwrap_or_default();
                (None, format!("start{at}"), "delay start")
            }
            Some(d) if d < 0 => {
                marker = true;
                (
                    None,
                    format!(
                        "clock {} behind the previous hop",
                        human_duration(d.saturating_abs())
                    ),
                    "delay skewed",
                )
            }
            Some(d) => {
                let width = (x_of(d, top) - X0).max(MIN_BAR);
                let class = if slow.binary_search(&hop.index).is_ok() {
                    legend.slow = true;
                    "bar slow"
                } else {
                    "bar"
                };
                let bar = Bar {
                    x: X0,
                    width: round(width),
                    class,
                };
                (Some(bar), format!("+{}{cause}", human_duration(d)), "delay")
            }
            None => {
                legend.unknown = true;
                let bar = Bar {
                    x: X0,
                    width: UNKNOWN_BAR,
                    class: "bar unknown",
                };
                (
                    Some(bar),
                    "time unknown (no readable stamp)".to_string(),
                    "delay unknown",
                )
            }
        };
        // a clock judged wrong says so on its row, whatever its delay looks like
        let (delay, delay_class) = if is_skewed && delay_class != "delay skewed" {
            (format!("{delay} · clock skew"), "delay skewed")
        } else {
            (delay, delay_class)
        };
        legend.skew |= is_skewed;
        // the label goes right of the bar's end when it fits, else under the bar
        let end = bar.as_ref().map(|b| b.x + b.width).unwrap_or(if marker {
            X0 + 10.0
        } else {
            X0 + 6.0
        });
        let text_px = delay.chars().count() as f64 * CHAR_PX;
        let (delay_x, delay_y, delay_anchor) = if end + 6.0 + text_px <= TLS_X - 6.0 {
            (round(end + 6.0), y + 18.0, "start")
        } else if bar.is_some() {
            (round(end), y + 36.0, "end")
        } else {
            (X0, y + 36.0, "start")
        };

        match hop.side {
            Side::Sender => legend.sender = true,
            Side::Boundary => legend.boundary = true,
            Side::Recipient => legend.recipient = true,
        }
        if hop.tls.is_some() {
            legend.tls = true;
        } else {
            legend.no_tls = true;
        }
        glyphs.push(HopGlyph {
            index: hop.index,
            y,
            height,
            row_class: match hop.side {
                Side::Sender => "row-sender",
                Side::Boundary => "row-at-boundary",
                Side::Recipient => "row-recipient",
            },
            lines,
            title: safe(markup(
                &format!("Received: {}", hop.raw),
                Marker::Plain,
                super::MAX_TEXT_BYTES,
            )),
            bar,
            start,
            marker,
            delay,
            delay_x,
            delay_y,
            delay_anchor,
            delay_class,
            skewed: is_skewed,
            tls: hop.tls.as_ref().map(|t| {
                let version = t
                    .version
                    .as_deref()
                    .filter(|v| v.len() <= 12)
                    .unwrap_or("TLS");
                safe(markup(version, Marker::Svg, 40))
            }),
            no_tls: if hop.protocol.is_some() {
                "no TLS stated"
            } else {
                "TLS ?"
            },
        });
        y += height + 2.0;
    }
    gap_row(after, &mut y);

    let boundary = report.boundary.as_ref().and_then(|b| {
        let glyph = glyphs.iter().find(|g| g.index == b.hop)?;
        let host = b.host.as_deref().unwrap_or("an unnamed host");
        let ip = b.ip.map(|ip| format!(", IP {ip}")).unwrap_or_default();
        let words = if b.internal {
            format!(
                "▼ the recipient's own servers from here: hop {}, {host}{ip} (written inside the organisation)",
                b.hop
            )
        } else {
            format!(
                "▼ entered the recipient's servers here: hop {}, {host}{ip}",
                b.hop
            )
        };
        let mut label = markup(&words, Marker::Svg, 300);
        label.push_str("<tspan class=\"above\"> · above: the sending side's claims</tspan>");
        Some(BoundaryGlyph {
            y: glyph.y - 6.0,
            label: safe(label),
        })
    });

    let height = if hops.is_empty() {
        ROWS_TOP + 46.0
    } else {
        y + 4.0
    };
    Timeline {
        width: WIDTH,
        height: round(height),
        x0: X0,
        x1: X1,
        axis_y: AXIS_Y,
        ticks,
        hops: glyphs,
        boundary,
        gaps,
        note: SCALE_NOTE,
        legend,
    }
}

/// The TLS badge geometry, for the template.
#[derive(Debug, Serialize)]
pub(super) struct TlsColumn {
    pub x: f64,
    pub width: f64,
    pub mid: f64,
}

pub(super) const TLS_COLUMN: TlsColumn = TlsColumn {
    x: TLS_X,
    width: TLS_W,
    mid: TLS_X + TLS_W / 2.0,
};

fn cause_words(cause: &str) -> &'static str {
    match cause {
        "greylisting" => "greylisting",
        "sender-queue" => "sender's queue",
        "content-scanning" => "content scanning",
        "recipient-internal" => "recipient's internal relay",
        "clock-skew" => "clock skew",
        _ => "cause unknown",
    }
}
