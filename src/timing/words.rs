//! Times, offsets and ranges in words: one place, so that every sentence says a range the
//! same way and never turns a bound into a figure.

use chrono::{DateTime, Utc};

use super::sources::{Event, Kind};
use crate::hops::Chain;
use crate::text::human_duration;

/// A time as the report shows it: `2025-03-11T09:15:42Z`, with milliseconds when the source
/// has a fraction (`2025-03-11T09:15:44.812Z`).
pub fn utc(t: DateTime<Utc>) -> String {
    if t.timestamp_subsec_nanos() == 0 {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }
}

/// Whose clock wrote a stamp: `hop 3's clock (mbox.example.org)`, `the Date header's clock`.
pub fn clock_name(event: &Event, chain: &Chain) -> String {
    match event.kind {
        Kind::Received(k) => match chain.hop(k).and_then(|h| h.fields.by_host.as_deref()) {
            Some(by) => format!("hop {k}'s clock ({by})"),
            None => format!("hop {k}'s clock"),
        },
        Kind::Date => "the Date header's clock".to_string(),
        Kind::Other => format!("the clock behind {}", event.label),
    }
}

/// An offset range in words (negative: behind): `at least 7 min 13 s behind`, `between
/// 23 h 59 min and 1 d behind`, `6 min 56 s ahead`. None is an open side.
pub fn offset_words(min: Option<i64>, max: Option<i64>) -> String {
    let h = |s: i64| human_duration(s.abs());
    match (min, max) {
        (min, Some(max)) if max < 0 => match min {
            None => format!("at least {} behind", h(max)),
            Some(min) if min == max => format!("{} behind", h(max)),
            Some(min) if h(min) == h(max) => format!("about {} behind", h(max)),
            Some(min) => format!("between {} and {} behind", h(max), h(min)),
        },
        (Some(min), max) if min > 0 => match max {
            None => format!("at least {} ahead", h(min)),
            Some(max) if min == max => format!("{} ahead", h(min)),
            Some(max) if h(min) == h(max) => format!("about {} ahead", h(min)),
            Some(max) => format!("between {} and {} ahead", h(min), h(max)),
        },
        (Some(0), Some(0)) => "right".to_string(),
        (min, max) => format!(
            "between {} and {}",
            min.map_or("an unknown amount behind".to_string(), |m| format!(
                "{} behind",
                h(m)
            )),
            max.map_or("an unknown amount ahead".to_string(), |m| format!(
                "{} ahead",
                h(m)
            ))
        ),
    }
}

/// A range of durations: `between 0 s and 6 s`, `6 s`, `at least 0 s (no bound on the other
/// side)`.
pub fn range_words(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) if a == b => human_duration(a),
        (Some(a), Some(b)) if human_duration(a) == human_duration(b) => {
            format!("about {}", human_duration(a))
        }
        (Some(a), Some(b)) => format!("between {} and {}", human_duration(a), human_duration(b)),
        (Some(a), None) => format!(
            "at least {}, with no bound on the other side",
            human_duration(a)
        ),
        (None, Some(b)) => format!("at most {}", human_duration(b)),
        (None, None) => "unknown".to_string(),
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(offset_words(None, Some(-433)), "at least 7 min 13 s behind");
        assert_eq!(
            offset_words(Some(-86_402), Some(-86_396)),
            "between 23 h 59 min and 1 d behind"
        );
        assert_eq!(offset_words(Some(416), None), "at least 6 min 56 s ahead");
        assert_eq!(
            offset_words(Some(598), Some(600)),
            "between 9 min 58 s and 10 min ahead"
        );
        assert_eq!(offset_words(Some(-5), Some(-5)), "5 s behind");
        assert_eq!(offset_words(Some(-3_640), Some(-3_610)), "about 1 h behind");
        assert_eq!(range_words(Some(0), Some(6)), "between 0 s and 6 s");
        assert_eq!(
            range_words(Some(0), None),
            "at least 0 s, with no bound on the other side"
        );
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }

    #[test]
    fn times() {
        let t = DateTime::from_timestamp(1_741_684_544, 812_300_000).unwrap();
        assert_eq!(utc(t), "2025-03-11T09:15:44.812Z");
        let t = DateTime::from_timestamp(1_741_684_542, 0).unwrap();
        assert_eq!(utc(t), "2025-03-11T09:15:42Z");
    }
}
