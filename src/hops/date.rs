//! Lenient date parsing for Received and Date headers.
//!
//! Hop delays and clock-skew findings are only as good as the dates they are computed from, and
//! MTAs write dates in far more shapes than RFC 5322 allows: obsolete two-digit years, named and
//! military zones, no seconds, a wrong weekday, fractional seconds, Go's `time.Time` default
//! format (SendGrid), RFC 3339, asctime, comments anywhere. `chrono`'s RFC 2822 parser rejects
//! most of them, so this module has its own small tokenizer and a few explicit grammars.
//!
//! What it must not do: guess. An invalid value (month 13, hour 25, 30 February, an offset
//! beyond ±18:00) is `None`, never 1970 and never a clamped value. The one guess it does make,
//! UTC for a date without a usable zone, is reported by [`parse_date_detailed`] as
//! [`ParsedDate::zone_assumed`]. It never panics: it only slices at ASCII bytes.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};

/// A date with what the parser had to assume to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDate {
    /// The instant, with the offset as written (offset 0 when [`zone_assumed`](Self::zone_assumed)).
    pub datetime: DateTime<FixedOffset>,
    /// True when the text gave no usable zone (none, an unknown name, or a military letter
    /// other than `Z`, which RFC 5322 4.3 says to read as `-0000`): UTC was assumed, so the
    /// instant may be off by the writer's real offset.
    pub zone_assumed: bool,
    /// True when a weekday was written and it is not the weekday of the date. The date is still
    /// returned: the weekday is redundant and ignored, but a wrong one is worth knowing about.
    pub weekday_mismatch: bool,
}

/// Parse a date as found in a Received or Date header.
///
/// The text must start with the date (leading whitespace and comments are skipped); anything
/// after a complete date and zone is ignored, such as `(PST)` or Go's ` UTC m=+0.123`.
/// A date without a zone is read as UTC: use [`parse_date_detailed`] to tell that case apart.
pub fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    parse_date_detailed(text).map(|p| p.datetime)
}

/// [`parse_date`], also saying whether the zone was assumed and whether the weekday was wrong.
pub fn parse_date_detailed(text: &str) -> Option<ParsedDate> {
    // A date is at most ~25 tokens; reading no further keeps callers that try several
    // candidate texts (the Received parser) linear in the input.
    let toks = tokenize(text, MAX_DATE_TOKENS);
    parse_at(&toks, 0, true)
}

/// More tokens than any date grammar below consumes.
const MAX_DATE_TOKENS: usize = 48;

/// Find the first date inside a longer text, such as a Received header with no `;` before
/// its date. Returns the byte offset where the date starts (its weekday, when written) and the
/// date. Stricter than [`parse_date`]: a date must start at a word boundary and numeric months
/// (`20 11 79`) are not accepted, so that ids and version numbers are not read as dates.
pub fn find_date_in(text: &str) -> Option<(usize, DateTime<FixedOffset>)> {
    let toks = tokenize(text, usize::MAX);
    (0..toks.len())
        .filter(|&i| toks[i].run_start)
        .find_map(|i| parse_at(&toks, i, false).map(|p| (toks[i].start, p.datetime)))
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// ASCII digits.
    Num,
    /// ASCII letters.
    Word,
    /// One ASCII punctuation byte.
    Punct(u8),
    /// A run of non-ASCII bytes.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
    /// Byte offset in the input.
    start: usize,
    /// Nothing (no whitespace, no comment) between this token and the previous one.
    glued: bool,
    /// First segment of a run of letters and digits (`EST5EDT` is three segments, one run).
    run_start: bool,
}

/// Split the text into at most `limit` tokens, dropping whitespace and (nested) comments.
/// Stops at a line break not followed by whitespace: that is the end of the header field.
fn tokenize(text: &str, limit: usize) -> Vec<Tok<'_>> {
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut glued = false;
    let mut depth = 0usize;
    while i < bytes.len() && toks.len() < limit {
        let b = bytes[i];
        if b == b'\n' {
            if !matches!(bytes.get(i + 1), Some(b' ' | b'\t')) {
                break;
            }
            glued = false;
            i += 1;
            continue;
        }
        if depth > 0 {
            match b {
                b'(' => depth += 1,
                b')' => depth -= 1,
                b'\\' => i += 1,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b' ' | b'\t' | b'\r' => {
                glued = false;
                i += 1;
            }
            b'(' => {
                depth = 1;
                glued = false;
                i += 1;
            }
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => {
                let mut run_start = true;
                while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                    let digit = bytes[i].is_ascii_digit();
                    let start = i;
                    while i < bytes.len()
                        && bytes[i].is_ascii_alphanumeric()
                        && bytes[i].is_ascii_digit() == digit
                    {
                        i += 1;
                    }
                    toks.push(Tok {
                        kind: if digit { Kind::Num } else { Kind::Word },
                        text: &text[start..i],
                        start,
                        glued: glued || !run_start,
                        run_start,
                    });
                    run_start = false;
                }
                glued = true;
            }
            0x80..=0xff => {
                let start = i;
                while i < bytes.len() && bytes[i] >= 0x80 {
                    i += 1;
                }
                toks.push(Tok {
                    kind: Kind::Other,
                    text: &text[start..i],
                    start,
                    glued,
                    run_start: false,
                });
                glued = true;
            }
            _ => {
                toks.push(Tok {
                    kind: Kind::Punct(b),
                    text: &text[i..i + 1],
                    start: i,
                    glued,
                    run_start: false,
                });
                glued = true;
                i += 1;
            }
        }
    }
    toks
}

// ---------------------------------------------------------------------------------------------
// Grammars

/// A number token: its value (None when too long to be a date part) and its digit count.
fn num(toks: &[Tok], i: usize) -> Option<(u32, usize)> {
    let t = toks.get(i)?;
    if t.kind != Kind::Num {
        return None;
    }
    let len = t.text.len();
    let value = if len <= 9 { t.text.parse().ok() } else { None };
    Some((value.unwrap_or(u32::MAX), len))
}

fn word<'a>(toks: &[Tok<'a>], i: usize) -> Option<&'a str> {
    toks.get(i).filter(|t| t.kind == Kind::Word).map(|t| t.text)
}

fn punct(toks: &[Tok], i: usize, p: u8) -> bool {
    toks.get(i).is_some_and(|t| t.kind == Kind::Punct(p))
}

fn glued(toks: &[Tok], i: usize) -> bool {
    toks.get(i).is_some_and(|t| t.glued)
}

fn month_from(w: &str) -> Option<u32> {
    let m = match w.to_ascii_lowercase().as_str() {
        "jan" | "january" => 1,
        "feb" | "february" => 2,
        "mar" | "march" => 3,
        "apr" | "april" => 4,
        "may" => 5,
        "jun" | "june" => 6,
        "jul" | "july" => 7,
        "aug" | "august" => 8,
        "sep" | "sept" | "september" => 9,
        "oct" | "october" => 10,
        "nov" | "november" => 11,
        "dec" | "december" => 12,
        _ => return None,
    };
    Some(m)
}

fn weekday_from(w: &str) -> Option<Weekday> {
    let d = match w.to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    };
    Some(d)
}

/// RFC 5322 4.3: two-digit years below 50 are 20xx, others 19xx; three-digit years add 1900.
fn year_from(value: u32, len: usize) -> Option<i32> {
    let v = i32::try_from(value).ok()?;
    match len {
        2 if v < 50 => Some(2000 + v),
        2 => Some(1900 + v),
        3 => Some(1900 + v),
        4 => Some(v),
        _ => None,
    }
}

/// Hour, minute, second and nanoseconds.
#[derive(Debug, Clone, Copy)]
struct Time {
    h: u32,
    m: u32,
    s: u32,
    nanos: u32,
}

/// `h:mm[:ss[.fraction]]`, 1- or 2-digit fields.
fn time(toks: &[Tok], mut i: usize) -> Option<(Time, usize)> {
    let (h, hl) = num(toks, i)?;
    if hl > 2 || !punct(toks, i + 1, b':') {
        return None;
    }
    let (m, ml) = num(toks, i + 2)?;
    if ml > 2 {
        return None;
    }
    i += 3;
    let mut s = 0;
    let mut nanos = 0;
    if punct(toks, i, b':') {
        let (sv, sl) = num(toks, i + 1)?;
        if sl > 2 {
            return None;
        }
        s = sv;
        i += 2;
        if (punct(toks, i, b'.') || punct(toks, i, b','))
            && glued(toks, i)
            && glued(toks, i + 1)
            && let Some(t) = toks.get(i + 1).filter(|t| t.kind == Kind::Num)
        {
            // Keep nanosecond precision; extra digits are dropped, not rounded.
            let digits = &t.text[..t.text.len().min(9)];
            let v: u32 = digits.parse().ok()?;
            nanos = v * 10u32.pow(9 - digits.len() as u32);
            i += 2;
        }
    }
    (h <= 23 && m <= 59 && s <= 60).then_some((Time { h, m, s, nanos }, i))
}

/// A zone as read after the time.
enum Zone {
    /// An offset in seconds east of UTC; `assumed` when the text did not really say.
    Offset {
        secs: i32,
        assumed: bool,
        next: usize,
    },
    /// Nothing that looks like a zone.
    Absent,
}

/// `+hhmm`, `-hh:mm`, `+hh`, `Z`, `UT`, `GMT`, `GMT+hhmm`, US zone names, military letters.
/// A malformed numeric zone is an error (None): the writer meant a zone we cannot read.
fn zone(toks: &[Tok], i: usize) -> Option<Zone> {
    let Some(t) = toks.get(i) else {
        return Some(Zone::Absent);
    };
    match t.kind {
        Kind::Punct(sign @ (b'+' | b'-')) => {
            if !glued(toks, i + 1) {
                return Some(Zone::Absent);
            }
            let Some((v, len)) = num(toks, i + 1) else {
                return Some(Zone::Absent);
            };
            let (hh, mm, next) = match len {
                4 => (v / 100, v % 100, i + 2),
                1 | 2 => {
                    if punct(toks, i + 2, b':') && glued(toks, i + 2) && glued(toks, i + 3) {
                        let (mv, ml) = num(toks, i + 3)?;
                        if ml != 2 {
                            return None;
                        }
                        (v, mv, i + 4)
                    } else {
                        (v, 0, i + 2)
                    }
                }
                _ => return None,
            };
            if hh > 18 || mm > 59 || hh * 60 + mm > 18 * 60 {
                return None;
            }
            let secs = i32::try_from((hh * 60 + mm) * 60).ok()?;
            let secs = if sign == b'-' { -secs } else { secs };
            Some(Zone::Offset {
                secs,
                assumed: false,
                next,
            })
        }
        Kind::Word => {
            let upper = t.text.to_ascii_uppercase();
            let hours = match upper.as_str() {
                "Z" | "UT" | "UTC" | "GMT" => {
                    // `GMT+0200`, `UTC-05:00`: the numeric part wins.
                    if let Some(tok) = toks.get(i + 1)
                        && tok.glued
                        && matches!(tok.kind, Kind::Punct(b'+' | b'-'))
                    {
                        match zone(toks, i + 1)? {
                            Zone::Absent => {}
                            offset => return Some(offset),
                        }
                    }
                    0
                }
                "EDT" => -4,
                "EST" | "CDT" => -5,
                "CST" | "MDT" => -6,
                "MST" | "PDT" => -7,
                "PST" => -8,
                m if m.len() == 1 && m != "J" => {
                    return Some(Zone::Offset {
                        secs: 0,
                        assumed: true,
                        next: i + 1,
                    });
                }
                _ => return Some(Zone::Absent),
            };
            Some(Zone::Offset {
                secs: hours * 3600,
                assumed: false,
                next: i + 1,
            })
        }
        _ => Some(Zone::Absent),
    }
}

/// Calendar date: year, month, day, and the index after it.
type Ymd = (i32, u32, u32, usize);

/// `2024-10-28` or `2024/10/28` (RFC 3339, Go).
fn iso_date(toks: &[Tok], i: usize) -> Option<Ymd> {
    let (y, yl) = num(toks, i)?;
    if yl != 4 {
        return None;
    }
    let sep = match toks.get(i + 1)?.kind {
        Kind::Punct(p @ (b'-' | b'/')) => p,
        _ => return None,
    };
    let (m, ml) = num(toks, i + 2)?;
    if ml > 2 || !punct(toks, i + 3, sep) {
        return None;
    }
    let (d, dl) = num(toks, i + 4)?;
    if dl > 2 || !(1..=4).all(|k| glued(toks, i + k)) {
        return None;
    }
    let mut next = i + 5;
    // RFC 3339 `T` separator, glued on both sides (`28T05`).
    if word(toks, next).is_some_and(|w| w.eq_ignore_ascii_case("t")) && glued(toks, next) {
        next += 1;
    }
    Some((i32::try_from(y).ok()?, m, d, next))
}

/// `28 Oct 2024`, `28-Oct-2024`, `1 jul 03`, and (lenient mode only) `20 11 79`.
fn dmy_date(toks: &[Tok], i: usize, lenient: bool) -> Option<Ymd> {
    let (d, dl) = num(toks, i)?;
    // `029 Apr 2011` has been seen; the value is range-checked with the month and year.
    if dl > 3 {
        return None;
    }
    let mut k = i + 1;
    let sep = match toks.get(k).map(|t| t.kind) {
        Some(Kind::Punct(p @ (b'-' | b'/' | b'.'))) => {
            k += 1;
            Some(p)
        }
        _ => None,
    };
    let m = if let Some(m) = word(toks, k).and_then(month_from) {
        m
    } else {
        // Numeric month only when written with spaces: `1/2/2003` is ambiguous (US vs EU).
        let (m, ml) = num(toks, k)?;
        if !lenient || sep.is_some() || ml > 2 {
            return None;
        }
        m
    };
    k += 1;
    if let Some(p) = sep {
        if !punct(toks, k, p) {
            return None;
        }
        k += 1;
    }
    let (y, yl) = num(toks, k)?;
    let y = year_from(y, yl)?;
    k += 1;
    if punct(toks, k, b',') {
        k += 1;
    }
    Some((y, m, d, k))
}

/// Put the parts together; None when any is out of range.
fn build(
    (y, mo, d): (i32, u32, u32),
    t: Time,
    zone: (i32, bool),
    weekday: Option<Weekday>,
) -> Option<ParsedDate> {
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let naive = if t.s == 60 {
        // A leap second: chrono represents it as second 59 with nanoseconds >= 1e9.
        date.and_hms_nano_opt(t.h, t.m, 59, 1_000_000_000 + t.nanos)?
    } else {
        date.and_hms_nano_opt(t.h, t.m, t.s, t.nanos)?
    };
    let offset = FixedOffset::east_opt(zone.0)?;
    let datetime = naive.and_local_timezone(offset).single()?;
    Some(ParsedDate {
        datetime,
        zone_assumed: zone.1,
        weekday_mismatch: weekday.is_some_and(|w| w != date.weekday()),
    })
}

/// Read a zone at `i`; an absent zone is UTC, assumed.
fn zone_or_assumed(toks: &[Tok], i: usize) -> Option<(i32, bool, usize)> {
    match zone(toks, i)? {
        Zone::Offset {
            secs,
            assumed,
            next,
        } => Some((secs, assumed, next)),
        Zone::Absent => Some((0, true, i)),
    }
}

/// Parse a date starting at token `i`.
fn parse_at(toks: &[Tok], i: usize, lenient: bool) -> Option<ParsedDate> {
    let mut i = i;
    let mut weekday = None;
    if let Some(w) = word(toks, i).and_then(weekday_from) {
        weekday = Some(w);
        i += 1;
        if punct(toks, i, b',') {
            i += 1;
        }
    }
    // ISO / Go: 2024-10-28[T ]05:59:57[.frac][zone]
    if let Some((y, m, d, k)) = iso_date(toks, i) {
        let (t, k) = time(toks, k)?;
        let (secs, assumed, _) = zone_or_assumed(toks, k)?;
        return build((y, m, d), t, (secs, assumed), weekday);
    }
    // RFC 5322: [day,] 28 Oct 2024 05:59:57 zone
    if let Some((y, m, d, k)) = dmy_date(toks, i, lenient) {
        let (t, k) = time(toks, k)?;
        let (secs, assumed, _) = zone_or_assumed(toks, k)?;
        return build((y, m, d), t, (secs, assumed), weekday);
    }
    // Month first: asctime `Sun Nov 13 14:50:12 2005`, `date(1)` `Fri Sep 14 14:36:56 EDT 2018`,
    // `Fri Feb 07 10:18:12 2003 -0800`, and `Oct 28, 2024 05:59:57`.
    let m = word(toks, i).and_then(month_from)?;
    let (d, dl) = num(toks, i + 1)?;
    if dl > 2 {
        return None;
    }
    let mut k = i + 2;
    if punct(toks, k, b',') {
        k += 1;
    }
    let year_at = |k: usize| -> Option<i32> {
        let (y, yl) = num(toks, k)?;
        if yl == 4 { year_from(y, yl) } else { None }
    };
    if let Some(y) = year_at(k) {
        k += 1;
        if punct(toks, k, b',') {
            k += 1;
        }
        let (t, k) = time(toks, k)?;
        let (secs, assumed, _) = zone_or_assumed(toks, k)?;
        return build((y, m, d), t, (secs, assumed), weekday);
    }
    let (t, k) = time(toks, k)?;
    let (secs, assumed, mut k) = zone_or_assumed(toks, k)?;
    if assumed && year_at(k).is_none() && word(toks, k).is_some() {
        // An unknown zone name before the year (`MSK 2018`).
        k += 1;
    }
    let y = year_at(k)?;
    let (secs, assumed) = if assumed {
        // The zone may follow the year.
        let (s, a, _) = zone_or_assumed(toks, k + 1)?;
        (s, a)
    } else {
        (secs, assumed)
    };
    build((y, m, d), t, (secs, assumed), weekday)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UTC instant as RFC 3339, and the offset in seconds.
    fn utc(text: &str) -> Option<(String, i32)> {
        parse_date(text).map(|d| {
            (
                d.naive_utc().format("%Y-%m-%dT%H:%M:%S%.fZ").to_string(),
                d.offset().local_minus_utc(),
            )
        })
    }

    fn at(text: &str) -> String {
        match utc(text) {
            Some((s, _)) => s,
            None => panic!("no date in {text:?}"),
        }
    }

    #[test]
    fn rfc5322() {
        assert_eq!(
            utc("Tue, 1 Jul 2003 10:52:37 +0200"),
            Some(("2003-07-01T08:52:37Z".into(), 7200))
        );
        assert_eq!(
            at("Fri, 21 Nov 1997 09:55:06 -0600"),
            "1997-11-21T15:55:06Z"
        );
        assert_eq!(
            utc("Tue, 30 Dec 1969 23:32:54 -0330"),
            Some(("1969-12-31T03:02:54Z".into(), -12600))
        );
    }

    #[test]
    fn obsolete_years() {
        assert_eq!(at("21 Nov 97 09:55:06 GMT"), "1997-11-21T09:55:06Z");
        assert_eq!(at("21 Nov 03 09:55:06 GMT"), "2003-11-21T09:55:06Z");
        assert_eq!(at("21 Nov 49 09:55:06 GMT"), "2049-11-21T09:55:06Z");
        assert_eq!(at("21 Nov 50 09:55:06 GMT"), "1950-11-21T09:55:06Z");
        assert_eq!(at("21 Nov 103 09:55:06 GMT"), "2003-11-21T09:55:06Z");
        assert_eq!(at("Wed, 27 Jun 99 04:11 +0900 "), "1999-06-26T19:11:00Z");
    }

    #[test]
    fn named_zones() {
        for (zone, hours) in [
            ("UT", 0),
            ("GMT", 0),
            ("Z", 0),
            ("EST", -5),
            ("EDT", -4),
            ("CST", -6),
            ("CDT", -5),
            ("MST", -7),
            ("MDT", -6),
            ("PST", -8),
            ("PDT", -7),
            ("est", -5),
            ("EST5EDT", -5),
        ] {
            let d = parse_date_detailed(&format!("1 Mar 2024 12:00:00 {zone}"));
            let d = d.unwrap_or_else(|| panic!("{zone}"));
            assert_eq!(
                d.datetime.offset().local_minus_utc(),
                hours * 3600,
                "{zone}"
            );
            assert!(!d.zone_assumed, "{zone}");
        }
        assert_eq!(at("1 Mar 2024 12:00:00 EST"), "2024-03-01T17:00:00Z");
        assert_eq!(at("1 Mar 2024 12:00:00 PDT"), "2024-03-01T19:00:00Z");
    }

    #[test]
    fn military_and_unknown_zones_are_assumed_utc() {
        for zone in ["A", "M", "N", "Y", "ZZZZ", "CEST", ""] {
            let d = parse_date_detailed(&format!("Thu, 10 Jul 1997 14:53:31 {zone}"));
            let d = d.unwrap_or_else(|| panic!("{zone:?}"));
            assert_eq!(d.datetime.naive_utc().to_string(), "1997-07-10 14:53:31");
            assert_eq!(d.datetime.offset().local_minus_utc(), 0);
            assert!(d.zone_assumed, "{zone:?}");
        }
        let z = parse_date_detailed("Thu, 10 Jul 1997 14:53:31 Z");
        assert!(z.is_some_and(|d| !d.zone_assumed));
    }

    #[test]
    fn minus_zero_zone() {
        let d = parse_date_detailed("14 Nov 2003 08:05:52 -0000");
        assert!(d.is_some_and(|d| !d.zone_assumed));
        assert_eq!(at("14 Nov 2003 08:05:52 -0000"), "2003-11-14T08:05:52Z");
    }

    #[test]
    fn relaxed_shapes() {
        // no seconds, no weekday, 1-digit hour and day, extra whitespace and folds
        assert_eq!(at("1 Jul 2003 9:05 +0000"), "2003-07-01T09:05:00Z");
        assert_eq!(
            at("  Mon,   8  Mar   2004   6:07:35   -0800  "),
            "2004-03-08T14:07:35Z"
        );
        assert_eq!(
            at("Thu,\n   13\n  Feb\n    1969\n  23:32\n  -0330 (Newfoundland Time)\n"),
            "1969-02-14T03:02:00Z"
        );
        assert_eq!(
            at("Mon, 01 Apr 2024\r\n 01:02:19 GMT\r\n"),
            "2024-04-01T01:02:19Z"
        );
        // lowercase and full month names
        assert_eq!(at("5 may 2021 09:55:06 +0200"), "2021-05-05T07:55:06Z");
        assert_eq!(
            at("5 September 2021 09:55:06 +0200"),
            "2021-09-05T07:55:06Z"
        );
        assert_eq!(
            at("Thursday, 5 AUGUST 2021 09:55:06 +0200"),
            "2021-08-05T07:55:06Z"
        );
        // comments anywhere, nested
        assert_eq!(
            at("Tue, 1 Jul 2003 ((tricky)\n comment) 10:52:37 +0200"),
            "2003-07-01T08:52:37Z"
        );
        assert_eq!(
            at("Mon, 08 Mar 2004 16:13:23 -0800 (PST) (envelope-from x@example.com)"),
            "2004-03-09T00:13:23Z"
        );
        assert_eq!(
            at("Fri, 04 Dec 2009 09:15:01 +0000 (UTC)"),
            "2009-12-04T09:15:01Z"
        );
        // no space before the zone
        assert_eq!(at("Thu, 6 May 2004 17:40:44-0500"), "2004-05-06T22:40:44Z");
        // day-month-year with dashes
        assert_eq!(at("28-Oct-2024 05:59:57 +0000"), "2024-10-28T05:59:57Z");
        // a zero-padded three-digit day
        assert_eq!(
            at("Thu, 029 Apr 2011 23:34:45 +0900 (JST)"),
            "2011-04-29T14:34:45Z"
        );
    }

    #[test]
    fn wrong_weekday_is_ignored_but_reported() {
        // 1 July 2003 was a Tuesday.
        let d = parse_date_detailed("Sun, 1 Jul 2003 10:52:37 +0200");
        let d = d.unwrap_or_else(|| panic!("wrong weekday rejected"));
        assert_eq!(d.datetime.naive_utc().to_string(), "2003-07-01 08:52:37");
        assert!(d.weekday_mismatch);
        let d = parse_date_detailed("Tue, 1 Jul 2003 10:52:37 +0200");
        assert!(d.is_some_and(|d| !d.weekday_mismatch));
    }

    #[test]
    fn fractional_seconds() {
        assert_eq!(
            at("Mon, 1 Jan 2024 12:00:00.123 +0000"),
            "2024-01-01T12:00:00.123Z"
        );
        assert_eq!(
            at("Sun, 30 Nov 2025 04:04:15.596 +0000 (UTC)"),
            "2025-11-30T04:04:15.596Z"
        );
    }

    #[test]
    fn go_and_iso_forms() {
        assert_eq!(
            at("2024-10-28 05:59:57.237630772 +0000 UTC m=+0.123"),
            "2024-10-28T05:59:57.237630772Z"
        );
        assert_eq!(
            at("2023-10-25 17:40:23.278749596 +0000 UTC m=+687519.342685076"),
            "2023-10-25T17:40:23.278749596Z"
        );
        assert_eq!(at("2024-10-28T05:59:57Z"), "2024-10-28T05:59:57Z");
        assert_eq!(at("2024-10-28T05:59:57.5z"), "2024-10-28T05:59:57.500Z");
        assert_eq!(
            utc("2024-10-28T11:29:57+05:30"),
            Some(("2024-10-28T05:59:57Z".into(), 19800))
        );
        assert_eq!(at("2024-10-28T01:59:57-04:00"), "2024-10-28T05:59:57Z");
        assert_eq!(at("1 Mar 2024 12:00:00 +05:30"), "2024-03-01T06:30:00Z");
        assert_eq!(at("1 Mar 2024 12:00:00 GMT+0100"), "2024-03-01T11:00:00Z");
        let d = parse_date_detailed("2024-10-28 05:59:57");
        assert!(d.is_some_and(|d| d.zone_assumed));
    }

    #[test]
    fn month_first_forms() {
        assert_eq!(at("Sun Nov 13 14:50:12 2005"), "2005-11-13T14:50:12Z");
        assert_eq!(at("Fri Sep 14 14:36:56 EDT 2018"), "2018-09-14T18:36:56Z");
        assert_eq!(at("Fri Feb 07 10:18:12 2003 -0800"), "2003-02-07T18:18:12Z");
        assert_eq!(at("Oct 28, 2024 05:59:57 +0100"), "2024-10-28T04:59:57Z");
    }

    #[test]
    fn leap_second() {
        let d = parse_date("Sat, 31 Dec 2016 23:59:60 +0000");
        assert!(d.is_some_and(|d| d.timestamp() == 1_483_228_799));
    }

    #[test]
    fn invalid_values() {
        for bad in [
            "Tue, 1 Jul 2003",
            "13 Jan 2003 25:00:00 +0000",
            "13 Jan 2003 10:60:00 +0000",
            "13 Jan 2003 10:00:61 +0000",
            "30 Feb 2024 10:00:00 +0000",
            "29 Feb 2023 10:00:00 +0000",
            "0 Feb 2024 10:00:00 +0000",
            "32 Jan 2024 10:00:00 +0000",
            "1 Jan 2024 10:00:00 +2500",
            "1 Jan 2024 10:00:00 +0160",
            "1 Jan 2024 10:00:00 -1900",
            "1 Jan 2024 10:00:00 +123",
            "2024-13-01T10:00:00Z",
            "2024-02-30 10:00:00 +0000",
            "Tue, 7 All 2026 19:14:51 +0000",
            "Tue, 7 00 2026 19:14:51 +0000",
            "1/2/2003 10:00:00 +0000",
            " some numbers 0 1 2 but invalid ",
            "id 15.20.7918.28",
            "",
            "(",
            ";",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        // the end of a header field: a line break not followed by whitespace
        assert_eq!(
            parse_date("Tue, 1 Jul 2003 ((invalid)\ncomment) 10:52:37 +0200"),
            None
        );
    }

    #[test]
    fn leap_day_is_valid() {
        assert_eq!(at("29 Feb 2024 10:00:00 +0000"), "2024-02-29T10:00:00Z");
    }

    #[test]
    fn numeric_month_only_when_lenient() {
        assert_eq!(
            at("20 11 (some \n 44 comments(more comments\n )) 79 05:34:27 -0300"),
            "1979-11-20T08:34:27Z"
        );
        assert_eq!(find_date_in("id 20 11 79 05:34:27 -0300"), None);
    }

    #[test]
    fn find_date_without_semicolon() {
        let text = "from x (unknown [10.60.208.17]) by None (SG) with ESMTP id 5090f373.15fb.5e72c3\n\tWed, 31 Oct 2012 04:46:27 -0500 (CST)";
        let (start, d) = find_date_in(text).unwrap_or_else(|| panic!("no date"));
        assert!(text[start..].starts_with("Wed, 31 Oct"));
        assert_eq!(d.naive_utc().to_string(), "2012-10-31 09:46:27");

        let go = "by filterdrecv-ff8dddcb7-bdll6 with SMTP id filterdrecv-ff8dddcb7-bdll6-1-65395307-40\n        2023-10-25 17:40:23.278749596 +0000 UTC m=+687519.342685076";
        let (start, d) = find_date_in(go).unwrap_or_else(|| panic!("no date"));
        assert!(go[start..].starts_with("2023-10-25"));
        assert_eq!(d.timestamp(), 1_698_255_623);

        assert_eq!(
            find_date_in("by 2002:a05:6a10:1234::1 with SMTP id 15.20.7918.28 via x"),
            None
        );
        assert_eq!(find_date_in("from localhost"), None);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "é, 1 Jül 2003 10:52:37 +0200",
            "1 Jan 2024 10:00:00 +",
            "1 Jan 2024 10:00:00 +05:",
            "1 Jan 2024 10:00:00 GMT+",
            "1 Jan 2024 10:00:00.",
            "1 Jan 2024 10:00:00.99999999999999999999 +0000",
            "99999999999999999999 Jan 2024 10:00:00 +0000",
            "1 Jan 99999999999999999999 10:00:00 +0000",
            "Jan 1 99999 10:00:00",
            "\\",
            "(\\",
            "2024-",
            "2024-10-",
            "2024-10-28T",
            "Mon,",
            "\u{feff}Mon, 1 Jan 2024 10:00:00 +0000",
            "Mon, 1 Jan 2024 10:00:00 +0000 \u{1F600}",
        ] {
            let _ = parse_date_detailed(text);
            let _ = find_date_in(text);
        }
    }
}
