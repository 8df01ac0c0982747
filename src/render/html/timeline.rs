//! Geometry of the hop timeline (the SVG itself is in the template): one row per hop, oldest
//! first, each hop's delay a bar that starts where the previous hop's ended (a waterfall).
//!
//! Bar lengths follow `ln(1 + seconds)`: a 1-second hop stays visible beside a 3-hour queue,
//! which on a linear scale would leave every other bar a pixel wide. A negative delay (a clock
//! behind the one before it) is drawn backwards from where the message was, in red and dashed,
//! with the word "skew". The trust boundary is a line across the rows, above the hop at which
//! the message entered the recipient's servers.
//!
//! Text placed in the SVG is escaped here with [`Marker::Svg`] (a `<span>` inside `<svg>`
//! would end the SVG element), so the template only prints it.

use minijinja::value::Value;
use serde::Serialize;

use super::{Marker, markup, safe};
use crate::hops::Side;
use crate::report::{HopReport, Report};
use crate::text::human_duration;

/// The drawing's width (it scales to the page with CSS).
const WIDTH: f64 = 1000.0;
/// Where bars may start and end.
const X0: f64 = 340.0;
const X1: f64 = 870.0;
/// The TLS badge's column.
const TLS_X: f64 = 885.0;
const TLS_W: f64 = 105.0;
/// The time axis.
const AXIS_Y: f64 = 34.0;
/// The first row's top, a row's height, and the room the boundary line takes.
const ROWS_TOP: f64 = 50.0;
const ROW_H: f64 = 44.0;
const BOUNDARY_GAP: f64 = 26.0;
/// Pixels per unit of `ln(1 + seconds)` at most (1 s is then 48 px).
const MAX_SCALE: f64 = 70.0;
/// The narrowest bar, and the width given to a hop whose delay is unknown.
const MIN_BAR: f64 = 2.0;
const UNKNOWN_BAR: f64 = 12.0;
/// The width of a character of an axis label, roughly (labels that would touch are left out).
const LABEL_CHAR_PX: f64 = 6.6;
/// Longest host label, in characters (about 300 px of the 330 px label column).
const MAX_LABEL_CHARS: usize = 42;

/// The caption under the drawing.
pub(super) const SCALE_NOTE: &str = "Bar length follows a logarithmic scale, ln(1 + seconds), so \
    that a 1-second hop stays visible and a 3-hour queue does not swallow the rest; each bar \
    starts where the previous hop ended. Axis times are UTC. A red dashed bar drawn backwards \
    is a negative delay: a clock is skewed.";

#[derive(Debug, Serialize)]
pub(super) struct Timeline {
    pub width: f64,
    pub height: f64,
    pub x0: f64,
    pub x1: f64,
    pub axis_y: f64,
    /// The UTC date of the first known hop time, for the axis title.
    pub date: Option<String>,
    pub ticks: Vec<Tick>,
    pub hops: Vec<HopGlyph>,
    pub boundary: Option<BoundaryGlyph>,
    pub note: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct Tick {
    pub x: f64,
    /// UTC time, empty when the label would crowd the previous one or the time is unknown.
    pub label: String,
}

#[derive(Debug, Serialize)]
pub(super) struct HopGlyph {
    pub index: usize,
    pub y: f64,
    /// Row background class: `row-sender`, `row-at-boundary`, `row-recipient`.
    pub row_class: &'static str,
    pub from: Value,
    pub by: Value,
    /// Tooltip: the whole Received value.
    pub title: Value,
    pub bar: Option<Bar>,
    /// The first hop: a start dot instead of a bar.
    pub start: bool,
    pub cursor: f64,
    pub delay: String,
    pub delay_x: f64,
    pub delay_anchor: &'static str,
    /// `delay`, `delay skewed`, `delay unknown`.
    pub delay_class: &'static str,
    pub skewed: bool,
    /// The TLS badge text (TLS version or `TLS`), or None when the hop states none.
    pub tls: Option<Value>,
    /// When no TLS: `no TLS stated` (a protocol is known) or `TLS ?`.
    pub no_tls: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct Bar {
    pub x: f64,
    pub width: f64,
    /// `bar`, `bar slow`, `bar skewed`, `bar unknown`.
    pub class: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct BoundaryGlyph {
    pub y: f64,
    pub label: Value,
}

/// A label for the drawing: escaped, invisible characters as markers, cut to what fits (a
/// marker takes the room of the nine characters it shows).
fn svg_text(text: &str) -> Value {
    let mut room = MAX_LABEL_CHARS;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let width = if super::is_invisible(c) { 9 } else { 1 };
        if width > room {
            break;
        }
        room -= width;
        end = i + c.len_utf8();
    }
    let mut out = markup(&text[..end], Marker::Svg, usize::MAX);
    if end < text.len() {
        out.push('…');
    }
    safe(out)
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

fn units(seconds: i64) -> f64 {
    (1.0 + seconds.unsigned_abs() as f64).ln()
}

/// Lay out the timeline of a report.
pub(super) fn layout(report: &Report) -> Timeline {
    let hops = &report.hops;
    let skewed = skewed_hops(report);
    let slow: Vec<usize> = report
        .findings
        .iter()
        .filter(|f| f.name == "hop-delay")
        .filter_map(|f| f.hop)
        .collect();
    let boundary_hop = report.boundary.as_ref().map(|b| b.hop);

    // the scale: the positive delays share the width, 1 s at most MAX_SCALE px
    let unknown = hops
        .iter()
        .skip(1)
        .filter(|h| h.delay_seconds.is_none())
        .count() as f64;
    let total: f64 = hops
        .iter()
        .filter_map(|h| h.delay_seconds)
        .filter(|d| *d > 0)
        .map(units)
        .sum();
    let room = (X1 - X0 - 20.0 - unknown * UNKNOWN_BAR - hops.len() as f64 * MIN_BAR).max(40.0);
    let scale = if total > 0.0 {
        (room / total).min(MAX_SCALE)
    } else {
        MAX_SCALE
    };

    let row_y = |position: usize, index: usize| -> f64 {
        let gap = if boundary_hop.is_some_and(|b| index >= b) {
            BOUNDARY_GAP
        } else {
            0.0
        };
        ROWS_TOP + position as f64 * ROW_H + gap
    };

    let mut cursor = X0;
    let mut glyphs = Vec::with_capacity(hops.len());
    let mut ticks = Vec::with_capacity(hops.len());
    // the last label's centre and half width
    let mut last_label: Option<(f64, f64)> = None;
    let mut first_date: Option<&str> = None;
    for (position, hop) in hops.iter().enumerate() {
        let y = row_y(position, hop.index);
        let is_skewed = skewed.contains(&hop.index);
        let mut start = false;
        let (bar, delay, delay_class) = match hop.delay_seconds {
            _ if position == 0 => {
                start = true;
                (None, "start".to_string(), "delay")
            }
            Some(d) if d < 0 => {
                let width = (units(d) * scale).max(MIN_BAR).min(cursor - X0 + MIN_BAR);
                let bar = Bar {
                    x: round((cursor - width).max(X0 - MIN_BAR)),
                    width: round(width),
                    class: "bar skewed",
                };
                (
                    Some(bar),
                    format!("skew: {} (a clock is behind)", human_duration(d)),
                    "delay skewed",
                )
            }
            Some(d) => {
                let width = (units(d) * scale).max(MIN_BAR).min(X1 - cursor);
                let bar = Bar {
                    x: round(cursor),
                    width: round(width.max(0.0)),
                    class: if slow.contains(&hop.index) {
                        "bar slow"
                    } else {
                        "bar"
                    },
                };
                cursor = (cursor + width).min(X1);
                let cause = report
                    .time
                    .delay_at(hop.index)
                    .map(|t| format!(" · {}", cause_words(&t.cause)))
                    .unwrap_or_default();
                (Some(bar), format!("{}{cause}", human_duration(d)), "delay")
            }
            None => {
                let width = UNKNOWN_BAR.min(X1 - cursor).max(0.0);
                let bar = Bar {
                    x: round(cursor),
                    width: round(width),
                    class: "bar unknown",
                };
                cursor = (cursor + width).min(X1);
                (Some(bar), "unknown delay".to_string(), "delay unknown")
            }
        };
        // a clock judged wrong says so on its row, whatever its delay looks like
        let (delay, delay_class) = if is_skewed && delay_class != "delay skewed" {
            (format!("{delay} · skew"), "delay skewed")
        } else {
            (delay, delay_class)
        };
        // the delay text goes under the bar, from its start, unless that runs off the right
        let bar_start = bar.as_ref().map(|b| b.x).unwrap_or(cursor);
        let bar_end = bar.as_ref().map(|b| b.x + b.width).unwrap_or(cursor);
        let (delay_x, delay_anchor) = if bar_start > X1 - 200.0 {
            (round(bar_end), "end")
        } else {
            (round(bar_start), "start")
        };

        // the axis: a tick where this hop's bar ends, labelled with its UTC time when the
        // label has room (the date is in the axis title, and on a label when it changes)
        let label = hop.timestamp.as_deref().and_then(|t| {
            let date = t.get(..10).unwrap_or("");
            let time = t.get(11..19).unwrap_or(t);
            let text = if first_date.is_some_and(|d| d != date) {
                format!("{} {time}", t.get(5..10).unwrap_or(""))
            } else {
                time.to_string()
            };
            first_date.get_or_insert(date);
            let half = text.chars().count() as f64 * LABEL_CHAR_PX / 2.0;
            let fits = last_label.is_none_or(|(x, w)| cursor - half >= x + w + 6.0);
            fits.then(|| {
                last_label = Some((cursor, half));
                text
            })
        });
        ticks.push(Tick {
            x: round(cursor),
            label: label.unwrap_or_default(),
        });

        glyphs.push(HopGlyph {
            index: hop.index,
            y,
            row_class: match hop.side {
                Side::Sender => "row-sender",
                Side::Boundary => "row-at-boundary",
                Side::Recipient => "row-recipient",
            },
            from: svg_text(&from_label(hop)),
            by: svg_text(&by_label(hop)),
            title: safe(markup(
                &format!("Received: {}", hop.raw),
                Marker::Plain,
                super::MAX_TEXT_BYTES,
            )),
            bar,
            start,
            cursor: round(cursor),
            delay,
            delay_x,
            delay_anchor,
            delay_class,
            skewed: is_skewed,
            tls: hop.tls.as_ref().map(|t| {
                svg_text(
                    t.version
                        .as_deref()
                        .filter(|v| v.len() <= 12)
                        .unwrap_or("TLS"),
                )
            }),
            no_tls: if hop.protocol.is_some() {
                "no TLS stated"
            } else {
                "TLS ?"
            },
        });
    }

    let boundary = report.boundary.as_ref().and_then(|b| {
        let position = hops.iter().position(|h| h.index == b.hop)?;
        let host = b.host.as_deref().unwrap_or("an unnamed host");
        let ip = b.ip.map(|ip| format!(" ({ip})")).unwrap_or_default();
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
            y: row_y(position, b.hop) - 8.0,
            label: safe(label),
        })
    });

    let height = if hops.is_empty() {
        ROWS_TOP + ROW_H
    } else {
        row_y(hops.len() - 1, usize::MAX) + ROW_H + 6.0
    };
    Timeline {
        width: WIDTH,
        height,
        x0: X0,
        x1: X1,
        axis_y: AXIS_Y,
        date: first_date.map(str::to_string),
        ticks,
        hops: glyphs,
        boundary,
        note: SCALE_NOTE,
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

fn from_label(hop: &HopReport) -> String {
    let name = super::super::from_cell(hop);
    let name = if name.is_empty() { "?".into() } else { name };
    match hop.from_ip {
        Some(ip) if !name.contains(&ip.to_string()) => format!("{} from {name} [{ip}]", hop.index),
        _ => format!("{} from {name}", hop.index),
    }
}

fn by_label(hop: &HopReport) -> String {
    let by = hop.by_host.as_deref().unwrap_or("?");
    match &hop.protocol {
        Some(p) => format!("by {by} · {p}"),
        None => format!("by {by}"),
    }
}
