//! Gmail's "Show original" page, copied as text.
//!
//! The page shows a summary table above the raw message:
//!
//! ```text
//! Original Message
//! Message ID     <CAF...@mail.gmail.com>
//! Created at:    Mon, Oct 28, 2024 at 6:00 AM (Delivered after 2 seconds)
//! From:          Ann <ann@example.com>
//! To:            bob@example.com
//! Subject:       Hello
//! SPF:           PASS with IP 209.85.220.41 Learn more
//! DKIM:          'PASS' with domain gmail.com Learn more
//! DMARC:         'PASS' Learn more
//! Download original
//! Copy to clipboard
//! Delivered-To: bob@example.com
//! ...
//! ```
//!
//! (the cells come separated by a tab when copied from the page).
//!
//! Its `From:`/`To:`/`Subject:` rows look like header fields, so the block is recognised by
//! its markers (the title, the `Message ID`/`Created at`/`SPF`/`DKIM`/`DMARC` rows, the two
//! buttons), never by "the first header line". Browsers copy the table with tabs, runs of
//! spaces, or one cell per line; labels come with or without colons; the buttons may be on one
//! line or missing. The rows are kept as [`PasteClaim`]s: what Gmail *said*, which later stages
//! compare with what the headers show. This module must not judge the claims.

use super::PasteClaim;
use super::field::{self, trim};
use super::text::Line;

/// How far into the input the summary may reach, in lines.
const WINDOW: usize = 60;

/// A recognised summary block.
pub(super) struct Block {
    /// Number of lines the block takes, from the first line given (blank lines included).
    pub lines: usize,
    /// The summary rows.
    pub claims: Vec<PasteClaim>,
}

/// Labels Gmail shows in the summary. The first five are markers of the block.
const MARKERS: &[&str] = &[
    "message id",
    "created at",
    "created on",
    "spf",
    "dkim",
    "dmarc",
];
const OTHER_LABELS: &[&str] = &["from", "to", "cc", "bcc", "subject", "date"];

/// Recognise the summary at the start of `lines`.
pub(super) fn detect(text: &[u8], lines: &[Line]) -> Option<Block> {
    let mut claims: Vec<PasteClaim> = Vec::new();
    let mut markers = 0usize;
    let mut title = false;
    let mut buttons = false;
    let mut seen_dmarc = false;
    let mut end = None;
    for (j, line) in lines.iter().take(WINDOW).enumerate() {
        let t = trim(text.get(line.start..line.end).unwrap_or_default());
        if t.is_empty() {
            continue;
        }
        if t.eq_ignore_ascii_case(b"original message") {
            if claims.is_empty() && !title {
                title = true;
                markers += 1;
                continue;
            }
            break;
        }
        if let Some(copy) = buttons_line(t) {
            buttons = true;
            markers += 1;
            end = Some(j + 1);
            if copy {
                break;
            }
            continue;
        }
        if end.is_some() {
            // "Download original" without "Copy to clipboard": the message follows.
            break;
        }
        if let Some(claim) = label_line(t) {
            let label = claim.label.to_ascii_lowercase();
            let is_marker = MARKERS.contains(&label.as_str());
            if seen_dmarc && !is_marker {
                end = Some(j);
                break;
            }
            if is_marker {
                markers += 1;
            }
            seen_dmarc |= label == "dmarc";
            claims.push(claim);
            continue;
        }
        if t.eq_ignore_ascii_case(b"learn more") {
            continue;
        }
        // A cell on its own line ("Delivered after 2 seconds", a value under its label).
        let looks_like_field = field::plausible_start(t).is_some();
        match claims.last_mut() {
            Some(last) if !looks_like_field && (!seen_dmarc || last.value.is_empty()) => {
                let extra = clean_value(t);
                if !extra.is_empty() {
                    if !last.value.is_empty() {
                        last.value.push(' ');
                    }
                    last.value.push_str(&extra);
                }
            }
            _ => {
                end = Some(j);
                break;
            }
        }
    }
    if markers < 2 || !(title || buttons) {
        return None;
    }
    let mut end = end.or(seen_dmarc.then_some(lines.len().min(WINDOW)))?;
    while lines
        .get(end)
        .is_some_and(|l| trim(text.get(l.start..l.end).unwrap_or_default()).is_empty())
    {
        end += 1;
    }
    Some(Block { lines: end, claims })
}

/// `Some(true)` for a line of the buttons that includes "Copy to clipboard", `Some(false)` for
/// "Download original" alone, `None` otherwise.
fn buttons_line(t: &[u8]) -> Option<bool> {
    let lower = String::from_utf8_lossy(t).to_ascii_lowercase();
    let rest = lower
        .replace("download original", "")
        .replace("copy to clipboard", "");
    if !rest.trim().is_empty() || rest.len() == lower.len() {
        return None;
    }
    Some(lower.contains("copy to clipboard"))
}

/// A summary row: a known label followed by whitespace or a colon, or any label followed by a
/// colon then a tab or two spaces.
fn label_line(t: &[u8]) -> Option<PasteClaim> {
    let s = String::from_utf8_lossy(t);
    let lower = s.to_ascii_lowercase();
    for label in MARKERS.iter().chain(OTHER_LABELS) {
        if let Some(rest) = lower.strip_prefix(label) {
            let next = rest.chars().next();
            if matches!(next, Some(':' | ' ' | '\t') | None) {
                let shown = s.get(..label.len()).unwrap_or(label);
                let value = s.get(label.len()..).unwrap_or_default();
                let value = value.trim_start();
                let value = value.strip_prefix(':').unwrap_or(value);
                return Some(PasteClaim {
                    label: shown.to_string(),
                    value: clean_value(value.as_bytes()),
                });
            }
        }
    }
    None
}

/// A value without surrounding whitespace and without the trailing "Learn more" link.
fn clean_value(v: &[u8]) -> String {
    let s = String::from_utf8_lossy(v);
    let mut v = s.trim();
    let n = v.len();
    if n >= 10
        && let Some(tail) = v.get(n - 10..)
        && tail.eq_ignore_ascii_case("learn more")
    {
        v = v.get(..n - 10).unwrap_or_default().trim_end();
    }
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::text::split;

    fn run(text: &[u8]) -> Option<(usize, Vec<(String, String)>)> {
        let s = split(text);
        detect(text, &s.lines).map(|b| {
            (
                b.lines,
                b.claims.into_iter().map(|c| (c.label, c.value)).collect(),
            )
        })
    }

    #[test]
    fn values_lose_learn_more() {
        assert_eq!(
            clean_value(b"PASS with IP 209.85.220.41 Learn more"),
            "PASS with IP 209.85.220.41"
        );
        assert_eq!(clean_value(b"'PASS'   Learn more  "), "'PASS'");
    }

    #[test]
    fn one_cell_per_line() {
        let (n, claims) = run(b"Original Message\nMessage ID\n<a@b>\nCreated at:\nMon, Oct 28, 2024 at 6:00 AM\nDelivered after 2 seconds\nSPF:\nPASS with IP 1.2.3.4\nLearn more\nDMARC:\n'PASS'\nDelivered-To: x@y\n").unwrap();
        assert_eq!(n, 11);
        assert_eq!(
            claims,
            vec![
                ("Message ID".into(), "<a@b>".into()),
                (
                    "Created at".into(),
                    "Mon, Oct 28, 2024 at 6:00 AM Delivered after 2 seconds".into()
                ),
                ("SPF".into(), "PASS with IP 1.2.3.4".into()),
                ("DMARC".into(), "'PASS'".into()),
            ]
        );
    }

    #[test]
    fn a_plain_message_is_not_a_summary() {
        assert!(
            run(b"From: a@b\nTo: c@d\nSubject: Copy to clipboard\n\nDownload original\n").is_none()
        );
        assert!(run(b"Received: x\nFrom: a@b\n").is_none());
    }
}
