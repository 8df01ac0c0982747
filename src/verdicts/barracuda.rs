//! Barracuda Email Security Gateway (Spam & Virus Firewall) and Barracuda's cloud service:
//! `X-Barracuda-Spam-Score`, `X-Barracuda-Spam-Status` (`No, SCORE=0.50 using global scores of
//! TAG_LEVEL=3.5 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=5.0 tests=...`), `X-Barracuda-Spam-Report`
//! (one line per rule with its points), `X-Barracuda-Spam-Flag`, `X-Barracuda-Connect` (the
//! server that connected to it) and the other `X-Barracuda-*` / `X-ASG-*` headers.
//!
//! Barracuda's scoring is built on SpamAssassin: it adds up rule points and compares the total
//! with three levels the administrator sets: at TAG_LEVEL the message is marked (usually the
//! Subject), at QUARANTINE_LEVEL it is held in quarantine, at KILL_LEVEL it is blocked. A level
//! of 1000 means that action is switched off. Its own rules start with `BSF_`; others are
//! explained from SpamAssassin's table (`spamassassin.rs`).

use std::collections::HashMap;

use super::{
    NOT_SPAM, SPAM, SUSPICIOUS, Table, UNKNOWN, Verdict, VerdictField, anchors_or_fallback, clip,
    coded, field, group, indexes, known, lookup, number, show, unknown, yes_no,
};
use crate::parse::HeaderField;

const STATUS: &str = "X-Barracuda-Spam-Status";
const SCORE: &str = "X-Barracuda-Spam-Score";
const REPORT: &str = "X-Barracuda-Spam-Report";
const FLAG: &str = "X-Barracuda-Spam-Flag";
const CONNECT: &str = "X-Barracuda-Connect";
const START: &str = "X-Barracuda-Start-Time";
const URL: &str = "X-Barracuda-URL";
const ENVELOPE_FROM: &str = "X-Barracuda-Envelope-From";
const VIRUS_SCANNED: &str = "X-Barracuda-Virus-Scanned";
const BRTS: &str = "X-Barracuda-BRTS-Status";
const MSG_SIZE: &str = "X-Barracuda-Scan-Msg-Size";
const RBL_TRUSTED: &str = "X-Barracuda-RBL-Trusted-Forwarder";
const RBL_IP: &str = "X-Barracuda-RBL-IP";
const SOURCE_IP: &str = "X-Barracuda-Effective-Source-IP";
const APPARENT_IP: &str = "X-Barracuda-Apparent-Source-IP";
const ENCRYPTED: &str = "X-Barracuda-Encrypted";
const DEBUG_ID: &str = "X-ASG-Debug-ID";
const ORIG_SUBJ: &str = "X-ASG-Orig-Subj";

/// The tag level used when the headers name none (Barracuda's usual default).
const DEFAULT_TAG: f64 = 3.5;

/// Barracuda's own rules; others fall back to SpamAssassin's table.
pub(crate) const RULES: Table = &[
    (
        "BSF_SC0_MISMATCH_TO",
        "the envelope recipient does not match the To header",
    ),
    (
        "BSF_SC0_SA_TO_FROM_DOMAIN_MATCH",
        "the To and From domains are the same",
    ),
    (
        "BSF_SC0_SA085",
        "a Barracuda rule: the sender's domain does not match the relay (Barracuda rule SA085)",
    ),
    (
        "BSF_SC5_MJ1963",
        "a Barracuda rule on the relay's reverse DNS (MJ1963)",
    ),
    ("BSF_RULE7568M", "a Barracuda content rule (7568M)"),
    (
        "BSF_SC*",
        "a Barracuda scoring rule (Barracuda does not publish each rule's meaning)",
    ),
    (
        "BSF_RULE*",
        "a Barracuda content rule (Barracuda does not publish each rule's meaning)",
    ),
    (
        "BSF_*",
        "a Barracuda rule (Barracuda does not publish each rule's meaning)",
    ),
    ("MARKETING_SUBJECT", "the Subject looks like marketing"),
    ("BARRACUDA_*", "a Barracuda rule"),
];

/// Fixed-meaning headers.
const HEADERS: Table = &[
    (
        CONNECT,
        "the server that connected to the Barracuda: its name and IP address",
    ),
    (
        START,
        "when the Barracuda started scanning, as a Unix time (seconds since 1970)",
    ),
    (
        URL,
        "the Barracuda's own web address (for marking mail as spam or not)",
    ),
    (ENVELOPE_FROM, "the envelope sender the Barracuda saw"),
    (
        VIRUS_SCANNED,
        "the Barracuda scanned the message for viruses",
    ),
    (
        BRTS,
        "whether Barracuda's real-time system (BRTS, a cloud fingerprint check) was used",
    ),
    (MSG_SIZE, "the size of the message that was scanned"),
    (
        RBL_TRUSTED,
        "a forwarder the Barracuda trusts, skipped for IP reputation checks",
    ),
    (
        RBL_IP,
        "the IP address the reputation (block list) checks were made on",
    ),
    (
        SOURCE_IP,
        "the IP address the Barracuda treated as the real source",
    ),
    (
        APPARENT_IP,
        "the IP address the message appears to come from",
    ),
    (ENCRYPTED, "the TLS cipher of the incoming connection"),
    (DEBUG_ID, "the Barracuda's id for the message, for its logs"),
    (ORIG_SUBJ, "the Subject before the Barracuda tagged it"),
];

/// `X-Barracuda-Spam-Flag` values.
const FLAGS: Table = &[
    ("YES", "Barracuda counts it as spam"),
    ("NO", "Barracuda does not count it as spam"),
];

fn rule_field(
    header: &str,
    name: &str,
    points: &str,
    report: &HashMap<String, String>,
) -> VerdictField {
    match lookup(RULES, name).or_else(|| lookup(super::spamassassin::TESTS, name)) {
        Some(m) => known(header, name, points, m),
        None => match report.get(name).filter(|d| !d.is_empty()) {
            Some(d) => field(
                header,
                name,
                points,
                Some(format!("{} (as the report describes it)", clip(d, 200))),
                true,
            ),
            None => unknown(header, name, points),
        },
    }
}

/// Decode every Barracuda pass.
pub(super) fn decode(headers: &[HeaderField], out: &mut Vec<Verdict>) {
    let mut names: Vec<&str> = vec![SCORE, REPORT, FLAG];
    names.extend(HEADERS.iter().map(|(n, _)| *n));
    let mut companions = indexes(headers, &names);
    let anchors = anchors_or_fallback(
        headers,
        &[STATUS],
        &[SCORE, FLAG, REPORT, CONNECT, VIRUS_SCANNED],
        &mut companions,
    );
    for (anchor, related) in group(&anchors, &companions) {
        out.push(verdict(headers, anchor, related));
    }
}

fn verdict(headers: &[HeaderField], anchor: usize, related: Vec<usize>) -> Verdict {
    let mut order = vec![anchor];
    order.extend(related.iter().copied());
    let mut report: HashMap<String, String> = HashMap::new();
    let mut report_points: HashMap<String, String> = HashMap::new();
    let mut report_lines = Vec::new();
    for &i in &order {
        let h = &headers[i];
        if h.is(REPORT) {
            for line in super::spamassassin::parse_report(&h.value) {
                report
                    .entry(line.0.clone())
                    .or_insert_with(|| line.2.clone());
                report_points
                    .entry(line.0.clone())
                    .or_insert_with(|| line.1.clone());
                report_lines.push((i, line));
            }
        }
    }
    let mut fields: Vec<VerdictField> = Vec::new();
    let mut flag: Option<bool> = None;
    let mut score: Option<String> = None;
    let mut levels: HashMap<&'static str, f64> = HashMap::new();
    let mut named = std::collections::HashSet::new();
    for &i in &order {
        let h = &headers[i];
        let name = h.name.as_str();
        let value = h.value.as_str();
        if h.is(STATUS) {
            let (first, rest) = value.split_once(',').unwrap_or((value, ""));
            flag = flag.or(yes_no(first));
            match yes_no(first) {
                Some(f) => fields.push(known(
                    name,
                    "status",
                    first.trim(),
                    if f {
                        "spam: the score reached the tag level"
                    } else {
                        "not spam: the score stayed below the tag level"
                    },
                )),
                None => fields.push(unknown(name, "status", &clip(first, 40))),
            }
            let mut in_tests = false;
            let mut tests = String::new();
            for tok in rest.split_whitespace() {
                if let Some((k, v)) = tok.split_once('=') {
                    let key = k.to_ascii_uppercase();
                    in_tests = key == "TESTS";
                    match key.as_str() {
                        "SCORE" => {
                            fields.push(known(
                                name,
                                k,
                                v,
                                "the total of the points of every rule that matched",
                            ));
                            score = score.or(Some(v.to_string()));
                        }
                        "TAG_LEVEL" | "QUARANTINE_LEVEL" | "KILL_LEVEL" => {
                            let (slot, what) = match key.as_str() {
                                "TAG_LEVEL" => (
                                    "tag",
                                    "at this score the message is tagged (usually its Subject)",
                                ),
                                "QUARANTINE_LEVEL" => (
                                    "quarantine",
                                    "at this score the message is held in quarantine (1000 = off)",
                                ),
                                _ => ("kill", "at this score the message is blocked (1000 = off)"),
                            };
                            fields.push(known(name, k, v, what));
                            if let Some(n) = number(v) {
                                levels.insert(slot, n);
                            }
                        }
                        "TESTS" => tests.push_str(v),
                        _ => fields.push(unknown(name, k, v)),
                    }
                } else if in_tests {
                    tests.push_str(tok);
                }
            }
            for t in tests.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let points = report_points.get(t).cloned().unwrap_or_default();
                fields.push(rule_field(name, t, &points, &report));
                named.insert(t.to_string());
            }
        } else if h.is(SCORE) {
            fields.push(known(name, name, value, "Barracuda's total spam score"));
            if number(value).is_some() {
                score = score.or(Some(value.trim().to_string()));
            }
        } else if h.is(FLAG) {
            fields.push(coded(name, name, value, "the spam flag", FLAGS));
            flag = flag.or(yes_no(value));
        } else if h.is(REPORT) {
            // its lines are added below, once each
        } else if let Some(m) = HEADERS.iter().find(|(n, _)| h.is(n)).map(|(_, m)| *m) {
            fields.push(known(name, name, value, m));
        }
    }
    for (i, (rule, points, _)) in &report_lines {
        if named.insert(rule.clone()) {
            fields.push(rule_field(&headers[*i].name, rule, points, &report));
        }
    }
    let s = score.as_deref().and_then(number);
    let level = |k: &str| levels.get(k).copied().filter(|l| *l < 1000.0);
    let reached = s.and_then(|s| {
        [
            ("kill", "its block level"),
            ("quarantine", "its quarantine level"),
            ("tag", "its tag level"),
        ]
        .into_iter()
        .find(|(k, _)| level(k).is_some_and(|l| s >= l))
    });
    let word = match (flag, s) {
        (Some(true), _) => SPAM,
        (Some(false), _) => NOT_SPAM,
        (None, Some(_)) if reached.is_some() => SPAM,
        (None, Some(s)) if levels.is_empty() && s >= DEFAULT_TAG => SUSPICIOUS,
        (None, Some(_)) => NOT_SPAM,
        (None, None) => UNKNOWN,
    };
    let mut basis = Vec::new();
    if let Some(sc) = &score {
        basis.push(format!("score {}", show(sc)));
    }
    for (k, label) in [
        ("tag", "tag"),
        ("quarantine", "quarantine"),
        ("kill", "block"),
    ] {
        if let Some(l) = level(k) {
            basis.push(format!(
                "{label} at {}",
                super::spamassassin::trim_number(l)
            ));
        }
    }
    let basis = basis.join(", ");
    let b = if basis.is_empty() {
        String::new()
    } else {
        format!(" ({basis})")
    };
    let summary = match (word, &score) {
        (SPAM, Some(sc)) => match reached {
            Some((_, what)) => format!(
                "Barracuda scored this {}, at or above {what}, and counts it as spam{b}",
                show(sc)
            ),
            None => format!(
                "Barracuda scored this {} and counts it as spam{b}",
                show(sc)
            ),
        },
        (SPAM, None) => format!("Barracuda flagged this as spam{b}"),
        (NOT_SPAM, Some(sc)) => format!("Barracuda scored this {}: not spam{b}", show(sc)),
        (NOT_SPAM, None) => format!("Barracuda did not flag this as spam{b}"),
        (SUSPICIOUS, Some(sc)) => format!(
            "Barracuda scored this {}, at or above its usual tag level of {DEFAULT_TAG}: suspicious{b}",
            show(sc)
        ),
        _ => "Barracuda handled this but left no verdict mailtrace can read".to_string(),
    };
    Verdict {
        system: "Barracuda".to_string(),
        related,
        verdict: word.to_string(),
        score: score.as_deref().map(show),
        basis,
        summary,
        fields,
        ..Verdict::anchored("barracuda", headers, anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::super::test_support::{get, headers};

    #[test]
    fn status_report_and_levels() {
        let v = decode(&headers(&[
            "X-Barracuda-Connect: mail.example.net[198.51.100.20]",
            "X-Barracuda-Start-Time: 1741684542",
            "X-Barracuda-Spam-Score: 0.50",
            "X-Barracuda-Spam-Status: No, SCORE=0.50 using global scores of TAG_LEVEL=3.5 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=5.0 tests=BSF_SC0_MISMATCH_TO, HTML_MESSAGE",
            "X-Barracuda-Spam-Report: Code version 3.2, rules version 3.2.3.54321 Rule breakdown below pts rule name description ---- ---------------------- -------------------------------------------------- 0.50 BSF_SC0_MISMATCH_TO Envelope rcpt doesn't match header 0.00 HTML_MESSAGE BODY: HTML included in message",
        ]));
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.vendor, "barracuda");
        assert_eq!(v.header_index, 3);
        assert_eq!(v.related, vec![0, 1, 2, 4]);
        assert_eq!(v.verdict, "not-spam");
        assert_eq!(v.basis, "score 0.50, tag at 3.5, block at 5");
        assert_eq!(
            v.summary,
            "Barracuda scored this 0.50: not spam (score 0.50, tag at 3.5, block at 5)"
        );
        assert_eq!(get(v, "BSF_SC0_MISMATCH_TO").value, "0.50");
        assert_eq!(
            get(v, "HTML_MESSAGE").meaning.as_deref(),
            Some("the message has an HTML part")
        );
        assert!(
            get(v, "QUARANTINE_LEVEL")
                .meaning
                .as_deref()
                .unwrap()
                .contains("1000 = off")
        );
        assert!(v.fields.iter().all(|f| f.known), "{:#?}", v.fields);
        assert_eq!(
            v.fields.iter().filter(|f| f.name == "HTML_MESSAGE").count(),
            1
        );
    }

    #[test]
    fn spam_at_the_block_level() {
        let v = decode(&headers(&[
            "X-Barracuda-Spam-Status: Yes, SCORE=6.20 using per-user scores of TAG_LEVEL=3.0 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=6.0 tests=BSF_RULE7568M, BSF_SC5_MJ1963",
        ]));
        let v = &v[0];
        assert_eq!(v.verdict, "spam");
        assert_eq!(
            v.summary,
            "Barracuda scored this 6.20, at or above its block level, and counts it as spam (score 6.20, tag at 3, block at 6)"
        );
        let v = decode(&headers(&["X-Barracuda-Spam-Score: 4.0"]));
        assert_eq!(v[0].verdict, "suspicious");
    }
}
