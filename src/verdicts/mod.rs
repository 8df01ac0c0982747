//! Spam-filter verdicts: what the filters on the way (Microsoft, SpamAssassin, rspamd,
//! Proofpoint, Mimecast, Cisco IronPort, Barracuda) recorded in their headers, decoded from data
//! tables kept one file per vendor, with the raw value kept for fields not known.
//!
//! Why: "why did it land in spam?" is answered by these headers, but each vendor writes its own
//! codes (`SCL:5;SFV:SPM;CAT:PHSH`, `tests=BAYES_99,...`, `rule=notspam`). Each vendor file
//! holds its tables (code -> meaning, as the vendor documents it) and a decoder that turns that
//! vendor's headers into one [`Verdict`] per filtering pass: the verdict in one word, the score,
//! one line a student understands, and every field with its meaning.
//!
//! A vendor usually writes several headers in one pass (Microsoft: `X-Forefront-Antispam-Report`,
//! `X-Microsoft-Antispam`, `X-MS-Exchange-Organization-SCL`, ...). They are folded into one
//! verdict: the main header is `header`/`header_index`, the others are listed in `related`, and
//! each field says which header it came from.
//!
//! What this module must not do: judge (the `spam-verdict` rule does that), place verdicts on
//! hops (the caller knows the chain), panic on hostile values, or take more than linear time.
//! Unknown fields and values are never dropped: they keep their value as written and are marked
//! `known: false`.

mod barracuda;
mod ironport;
mod microsoft;
mod mimecast;
mod proofpoint;
mod rspamd;
mod spamassassin;

use serde::Serialize;

use crate::parse::HeaderField;

/// One field of a verdict header, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictField {
    /// The header the field was read from (e.g. `X-Forefront-Antispam-Report`).
    pub header: String,
    /// The field as written (e.g. `SCL`, `SFV`, `BCL`, a SpamAssassin test name).
    pub name: String,
    /// Its value as written.
    pub value: String,
    /// What it means, when known.
    pub meaning: Option<String>,
    /// False when the field, or its coded value, is not in mailtrace's tables (the raw value is
    /// all there is to go on).
    pub known: bool,
}

/// One filter's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The vendor / filter (`microsoft`, `spamassassin`, `rspamd`, `proofpoint`, `mimecast`,
    /// `ironport`, `barracuda`).
    pub vendor: String,
    /// The system's name for people (`Microsoft 365`, `SpamAssassin`, `Cisco IronPort`, ...),
    /// with the host that ran it when the headers say (`SpamAssassin on mx.example.org`).
    pub system: String,
    /// The header it came from: the main header of the pass.
    pub header: String,
    /// Index of that header in `ParsedMessage::headers`.
    pub header_index: usize,
    /// Indexes of the other headers of the same pass folded into this verdict, top to bottom.
    pub related: Vec<usize>,
    /// The hop whose receiving system added it (filled in by the caller that knows the chain).
    /// For an `outbound` verdict this is only where the copied header stands.
    pub hop: Option<usize>,
    /// True when this is the sending organisation's own outbound scan (Microsoft's
    /// `-Untrusted` copies and `DIR:OUT`, a Proofpoint `outbound` policy), not a judgement by
    /// the recipient's side.
    pub outbound: bool,
    /// The verdict in one word: `spam`, `not-spam`, `bulk`, `phish`, `malware`, `suspicious`,
    /// `unknown`.
    pub verdict: String,
    /// A score as written (e.g. `7.3/5.0`, `SCL 5`), when there is one.
    pub score: Option<String>,
    /// The few values the verdict rests on, as written (e.g. `SCL 5, SFV:SPM, CAT:PHSH`).
    pub basis: String,
    /// One line a student understands.
    pub summary: String,
    /// The fields, decoded.
    pub fields: Vec<VerdictField>,
    /// The raw header value (of the main header).
    pub raw: String,
}

impl Verdict {
    /// A verdict of `vendor` anchored at `headers[anchor]`: the header name, index and raw
    /// value come from it; the hop is filled in later by the caller that knows the chain.
    /// The vendor files set the rest with struct update syntax.
    pub(crate) fn anchored(vendor: &str, headers: &[HeaderField], anchor: usize) -> Verdict {
        let (header, raw) = headers
            .get(anchor)
            .map(|h| (h.name.clone(), h.value.clone()))
            .unwrap_or_default();
        Verdict {
            vendor: vendor.to_string(),
            system: String::new(),
            header,
            header_index: anchor,
            related: Vec::new(),
            hop: None,
            outbound: false,
            verdict: UNKNOWN.to_string(),
            score: None,
            basis: String::new(),
            summary: String::new(),
            fields: Vec::new(),
            raw,
        }
    }

    /// True for the verdicts that explain a message landing in spam or quarantine: `spam`,
    /// `phish`, `bulk`, `malware`, `suspicious`.
    pub fn is_adverse(&self) -> bool {
        matches!(
            self.verdict.as_str(),
            SPAM | PHISH | BULK | MALWARE | SUSPICIOUS
        )
    }
}

/// The verdict words.
pub const SPAM: &str = "spam";
/// Not spam.
pub const NOT_SPAM: &str = "not-spam";
/// Bulk mail (newsletters, marketing).
pub const BULK: &str = "bulk";
/// Phishing or spoofing.
pub const PHISH: &str = "phish";
/// Malware.
pub const MALWARE: &str = "malware";
/// Some signs of spam, below the filter's spam threshold or without a clear verdict.
pub const SUSPICIOUS: &str = "suspicious";
/// No verdict could be read.
pub const UNKNOWN: &str = "unknown";

/// Decode every verdict header, top to bottom (by the main header's position).
pub fn decode(headers: &[HeaderField]) -> Vec<Verdict> {
    let mut out = Vec::new();
    microsoft::decode(headers, &mut out);
    spamassassin::decode(headers, &mut out);
    rspamd::decode(headers, &mut out);
    proofpoint::decode(headers, &mut out);
    mimecast::decode(headers, &mut out);
    ironport::decode(headers, &mut out);
    barracuda::decode(headers, &mut out);
    out.sort_by_key(|v| v.header_index);
    out
}

// ---------------------------------------------------------------------------------------------
// Shared helpers for the vendor files.

/// A data table: code -> meaning. A code ending in `*` matches every name with that prefix.
pub(crate) type Table = &'static [(&'static str, &'static str)];

/// The meaning of `key` in `table`: an exact (ASCII case-insensitive) entry first, else the
/// longest `PREFIX*` entry that matches.
pub(crate) fn lookup(table: Table, key: &str) -> Option<&'static str> {
    let mut best: Option<(usize, &'static str)> = None;
    for (code, meaning) in table {
        if let Some(prefix) = code.strip_suffix('*') {
            let matches = key.len() >= prefix.len()
                && key.is_char_boundary(prefix.len())
                && key[..prefix.len()].eq_ignore_ascii_case(prefix);
            if matches && best.is_none_or(|(len, _)| prefix.len() > len) {
                best = Some((prefix.len(), meaning));
            }
        } else if code.eq_ignore_ascii_case(key) {
            return Some(meaning);
        }
    }
    best.map(|(_, m)| m)
}

/// A decoded field.
pub(crate) fn field(
    header: &str,
    name: &str,
    value: &str,
    meaning: Option<String>,
    known: bool,
) -> VerdictField {
    VerdictField {
        header: header.to_string(),
        name: name.to_string(),
        value: value.to_string(),
        meaning,
        known,
    }
}

/// A field whose name is known and whose meaning is fixed.
pub(crate) fn known(header: &str, name: &str, value: &str, meaning: &str) -> VerdictField {
    field(header, name, value, Some(meaning.to_string()), true)
}

/// A field mailtrace has no table entry for: the value as written, no meaning.
pub(crate) fn unknown(header: &str, name: &str, value: &str) -> VerdictField {
    field(header, name, value, None, false)
}

/// A field whose name is known (`what` says what it is) and whose coded value is looked up in
/// `table`; a value not in the table keeps `what` and is marked unknown.
pub(crate) fn coded(
    header: &str,
    name: &str,
    value: &str,
    what: &str,
    table: Table,
) -> VerdictField {
    match lookup(table, value.trim()) {
        Some(m) => field(header, name, value, Some(format!("{what}: {m}")), true),
        None => field(
            header,
            name,
            value,
            Some(format!(
                "{what}; the value `{}` is not in mailtrace's table",
                clip(value, 40)
            )),
            false,
        ),
    }
}

/// At most `max` characters of `s`, with `…` when cut (for summaries, never for field values).
pub(crate) fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((cut, _)) => format!("{}…", &s[..cut]),
    }
}

/// A finite number as written (`7.3`, `-1.9`, `+0.5`), or None.
pub(crate) fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A small integer as written (`5`, `-1`), or None.
pub(crate) fn integer(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 18 {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Indexes of the headers with any of these names (ASCII case-insensitive), top to bottom.
pub(crate) fn indexes(headers: &[HeaderField], names: &[&str]) -> Vec<usize> {
    headers
        .iter()
        .enumerate()
        .filter(|(_, h)| names.iter().any(|n| h.is(n)))
        .map(|(i, _)| i)
        .collect()
}

/// Fold the headers of one filtering pass together: every companion header goes to the nearest
/// main header (by position; a tie goes to the one above). `anchors` and `companions` are
/// sorted header indexes. Returns, per anchor, its companions in order. Linear time.
pub(crate) fn group(anchors: &[usize], companions: &[usize]) -> Vec<(usize, Vec<usize>)> {
    let mut out: Vec<(usize, Vec<usize>)> = anchors.iter().map(|&a| (a, Vec::new())).collect();
    if out.is_empty() {
        return out;
    }
    // `next` = position in `anchors` of the first anchor after the companion
    let mut next = 0;
    for &c in companions {
        while next < anchors.len() && anchors[next] < c {
            next += 1;
        }
        let slot = if next == 0 {
            0
        } else if next == anchors.len() {
            next - 1
        } else {
            let above = c - anchors[next - 1];
            let below = anchors[next] - c;
            if above <= below { next - 1 } else { next }
        };
        out[slot].1.push(c);
    }
    out
}

/// Anchors for one vendor: the main headers, or when there is none, the first header of the
/// highest-priority fallback kind that is present (taken out of `companions`).
pub(crate) fn anchors_or_fallback(
    headers: &[HeaderField],
    main: &[&str],
    fallbacks: &[&str],
    companions: &mut Vec<usize>,
) -> Vec<usize> {
    let anchors = indexes(headers, main);
    if !anchors.is_empty() {
        return anchors;
    }
    for name in fallbacks {
        if let Some(pos) = companions.iter().position(|&i| headers[i].is(name)) {
            let i = companions.remove(pos);
            return vec![i];
        }
    }
    Vec::new()
}

/// The parts of a `;`-separated list, trimmed, empty parts dropped.
pub(crate) fn semicolon_parts(value: &str) -> impl Iterator<Item = &str> {
    value.split(';').map(str::trim).filter(|p| !p.is_empty())
}

/// `key<sep>value` split at the first `sep` (both trimmed); the whole part and an empty value
/// when there is no separator.
pub(crate) fn key_value(part: &str, sep: char) -> (&str, &str) {
    match part.split_once(sep) {
        Some((k, v)) => (k.trim(), v.trim()),
        None => (part.trim(), ""),
    }
}

/// A `Yes`/`No` word (any case, also `True`/`False`) as a bool.
pub(crate) fn yes_no(s: &str) -> Option<bool> {
    let s = s.trim();
    if ["yes", "true", "y", "1"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
    {
        Some(true)
    } else if ["no", "false", "n", "0"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
    {
        Some(false)
    } else {
        None
    }
}

/// A score for display: as written, clipped.
pub(crate) fn show(s: &str) -> String {
    clip(s, 24)
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::parse::HeaderField;

    /// Header fields from `Name: value` lines (folding already removed).
    pub fn headers(lines: &[&str]) -> Vec<HeaderField> {
        let mut pos = 0;
        lines
            .iter()
            .map(|l| {
                let (name, value) = l.split_once(':').unwrap_or((l, ""));
                let span = pos..pos + l.len();
                pos += l.len() + 2;
                HeaderField {
                    name: name.trim().to_string(),
                    value: value.trim().to_string(),
                    span,
                }
            })
            .collect()
    }

    /// The field with this name (and header, when given).
    pub fn get<'a>(v: &'a super::Verdict, name: &str) -> &'a super::VerdictField {
        v.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name} in {:#?}", v.fields))
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::headers;
    use super::*;

    #[test]
    fn lookup_exact_then_longest_prefix() {
        const T: Table = &[
            ("BAYES_*", "bayes"),
            ("BAYES_99", "99"),
            ("RCVD_IN_*", "dnsbl"),
            ("RCVD_IN_DNSWL_*", "allow"),
        ];
        assert_eq!(lookup(T, "bayes_99"), Some("99"));
        assert_eq!(lookup(T, "BAYES_50"), Some("bayes"));
        assert_eq!(lookup(T, "RCVD_IN_DNSWL_NONE"), Some("allow"));
        assert_eq!(lookup(T, "RCVD_IN_SBL"), Some("dnsbl"));
        assert_eq!(lookup(T, "RCVD"), None);
        assert_eq!(lookup(T, "é"), None);
    }

    #[test]
    fn group_to_nearest_anchor() {
        assert_eq!(
            group(&[2, 10], &[0, 3, 5, 6, 7, 12]),
            vec![(2, vec![0, 3, 5, 6]), (10, vec![7, 12])]
        );
        assert!(group(&[], &[1, 2]).is_empty());
    }

    #[test]
    fn clip_and_numbers() {
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("ab", 3), "ab");
        assert_eq!(clip("ééééé", 2), "éé…");
        assert_eq!(number(" -1.9 "), Some(-1.9));
        assert_eq!(number("NaN"), None);
        assert_eq!(number("inf"), None);
        assert_eq!(integer("-1"), Some(-1));
        assert_eq!(integer("99999999999999999999"), None);
    }

    #[test]
    fn verdicts_come_top_to_bottom() {
        let h = headers(&[
            "X-Spam-Status: Yes, score=7.3 required=5.0 tests=BAYES_99 autolearn=no",
            "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:1;SFV:NSPM;CAT:NONE;DIR:INB;",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].vendor, "spamassassin");
        assert_eq!(v[1].vendor, "microsoft");
    }

    #[test]
    fn many_headers_stay_fast() {
        // every vendor's headers, 40 000 in all: quadratic grouping would take minutes
        let kinds = [
            "X-Forefront-Antispam-Report: SCL:1;SFV:NSPM;",
            "X-MS-Exchange-Organization-SCL: 1",
            "Authentication-Results: compauth=pass reason=100",
            "X-Spam-Status: No, score=1 required=5",
            "X-Spam: Yes",
            "X-Spamd-Result: default: False [1 / 15]",
            "X-Proofpoint-Spam-Details: rule=notspam policy=default",
            "X-Mimecast-Spam-Score: 0",
            "X-IronPort-AV: E=Sophos",
            "X-Barracuda-Spam-Score: 0",
        ];
        let lines: Vec<&str> = (0..40_000).map(|i| kinds[i % kinds.len()]).collect();
        let start = std::time::Instant::now();
        let v = decode(&headers(&lines));
        assert!(v.len() >= 20_000, "{}", v.len());
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn hostile_values_do_not_panic() {
        let long = "x".repeat(200_000);
        let semis = ";:".repeat(50_000);
        let odd = "ééé\u{0}\u{7f}[((((]]]]=====";
        let names = [
            "X-Forefront-Antispam-Report",
            "X-Forefront-Antispam-Report-Untrusted",
            "X-Microsoft-Antispam",
            "X-Microsoft-Antispam-Mailbox-Delivery",
            "X-MS-Exchange-Organization-SCL",
            "Authentication-Results",
            "X-Spam-Status",
            "X-Spam-Score",
            "X-Spam-Flag",
            "X-Spam-Level",
            "X-Spam-Report",
            "X-Spamd-Result",
            "X-Rspamd-Action",
            "X-Rspamd-Score",
            "X-Proofpoint-Spam-Details",
            "X-Mimecast-Spam-Score",
            "X-Mimecast-Impersonation-Protect",
            "X-IronPort-AV",
            "X-IronPort-Anti-Spam-Filtered",
            "X-SBRS",
            "X-Barracuda-Spam-Status",
            "X-Barracuda-Spam-Report",
            "X-Barracuda-Spam-Score",
        ];
        for value in [
            long.as_str(),
            semis.as_str(),
            odd,
            "",
            "=",
            "compauth=",
            "[",
            "(",
            "SCL:",
            "Yes, score=",
        ] {
            let lines: Vec<String> = names.iter().map(|n| format!("{n}: {value}")).collect();
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let v = decode(&headers(&refs));
            assert!(!v.is_empty());
            for verdict in &v {
                assert!(
                    verdict.summary.chars().count() < 2_000,
                    "{}",
                    verdict.vendor
                );
                assert!(verdict.basis.chars().count() < 500, "{}", verdict.vendor);
            }
        }
    }
}
