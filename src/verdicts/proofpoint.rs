//! Proofpoint (Protection Server / Email Protection): `X-Proofpoint-Spam-Details`
//! (`rule=notspam policy=default score=0 spamscore=0 phishscore=0 ... classifier=spam
//! reason=mlx engine=... definitions=...`), `X-Proofpoint-Virus-Version`, `X-Proofpoint-GUID`,
//! `X-Proofpoint-ORIG-GUID`, `X-Proofpoint-Spam-Details-Enc` and the other `X-Proofpoint-*`
//! tracking headers.
//!
//! The `rule` is the name of the rule that decided, usually `<policy>_<verdict>`
//! (`outbound_notspam`, `gmspam_spam`, `fb_default_notspam`): the part after the policy is the
//! verdict. Each classifier (spam, phish, malware, bulk, adult, suspect, impostor, ...) gives a
//! score from 0 to 100; `score` is the one of the classifier named in `classifier`. An
//! `outbound` policy means the sender's own Proofpoint scanned the message on the way out.

use super::{
    BULK, MALWARE, NOT_SPAM, PHISH, SPAM, SUSPICIOUS, Table, UNKNOWN, Verdict, VerdictField,
    anchors_or_fallback, clip, group, indexes, key_value, known, lookup, number, unknown,
};
use crate::parse::HeaderField;

const DETAILS: &str = "X-Proofpoint-Spam-Details";
const DETAILS_ENC: &str = "X-Proofpoint-Spam-Details-Enc";
const VIRUS: &str = "X-Proofpoint-Virus-Version";
const GUID: &str = "X-Proofpoint-GUID";
const ORIG_GUID: &str = "X-Proofpoint-ORIG-GUID";
const REASON: &str = "X-Proofpoint-Spam-Reason";

/// The verdict part of a rule name.
pub(crate) const RULE_VERDICTS: Table = &[
    ("notspam", "not spam"),
    ("spam", "spam"),
    ("bulk", "bulk mail"),
    ("phish", "phishing"),
    ("malware", "malware"),
    ("virus", "a virus"),
    ("adult", "adult content"),
    ("suspect", "suspected spam"),
    ("impostor", "an impostor (business email compromise)"),
    (
        "lowpriority",
        "low-priority mail (newsletters and notifications)",
    ),
    ("safe", "safe (an allow list matched)"),
    ("blocked", "blocked (a block list matched)"),
];

/// The `X-Proofpoint-Spam-Details` keys.
pub(crate) const KEYS: Table = &[
    ("rule", "the rule that decided: <policy>_<verdict>"),
    (
        "policy",
        "the policy route the message went through (`outbound` = the sender's own Proofpoint scanning outgoing mail)",
    ),
    (
        "score",
        "the score of the deciding classifier, 0 (clean) to 100 (certain)",
    ),
    ("spamscore", "the spam classifier's score, 0 to 100"),
    ("phishscore", "the phishing classifier's score, 0 to 100"),
    ("malwarescore", "the malware classifier's score, 0 to 100"),
    ("bulkscore", "the bulk-mail classifier's score, 0 to 100"),
    (
        "adultscore",
        "the adult-content classifier's score, 0 to 100",
    ),
    (
        "suspectscore",
        "the suspected-spam classifier's score, 0 to 100",
    ),
    (
        "impostorscore",
        "the impostor (business email compromise) classifier's score, 0 to 100",
    ),
    (
        "lowpriorityscore",
        "the low-priority (newsletter, notification) classifier's score, 0 to 100",
    ),
    (
        "priorityscore",
        "a priority score Proofpoint does not document",
    ),
    (
        "mlxscore",
        "the machine-learning (MLX) engine's score, 0 to 100",
    ),
    (
        "mlxlogscore",
        "the machine-learning engine's raw score on a log scale (not 0 to 100)",
    ),
    (
        "clxscore",
        "the CLX engine's score (Proofpoint does not document its scale)",
    ),
    (
        "unknownsenderscore",
        "the unknown-sender classifier's score",
    ),
    ("classifier", "the classifier whose score decided"),
    ("adjust", "an adjustment added to the score by a local rule"),
    (
        "reason",
        "which engine set the score (`mlx` = machine learning, `clx` = CLX)",
    ),
    ("scancount", "how many times the message was scanned"),
    ("engine", "the filtering engine's version"),
    ("definitions", "the version of the spam definitions"),
    ("domainage_hfrom", "the age of the From domain, in days"),
    (
        "domainage_replyto",
        "the age of the Reply-To domain, in days",
    ),
];

/// `X-Proofpoint-Virus-Version` keys.
const VIRUS_KEYS: Table = &[
    (
        "vendor",
        "the anti-virus vendor whose engine scanned the message",
    ),
    ("engine", "the anti-virus engine versions"),
    ("definitions", "the virus definitions' dates"),
    ("signatures", "the signature set"),
];

/// The verdict of a rule name given its policy: `outbound_notspam` -> `notspam`.
fn rule_verdict<'a>(rule: &'a str, policy: Option<&str>) -> &'a str {
    if let Some(p) = policy
        && rule.len() > p.len() + 1
        && rule.is_char_boundary(p.len())
        && rule[..p.len()].eq_ignore_ascii_case(p)
        && rule.as_bytes()[p.len()] == b'_'
    {
        return &rule[p.len() + 1..];
    }
    rule.rsplit('_').next().unwrap_or(rule)
}

/// `key=value key=value` pairs (values have no spaces), in order.
fn pairs(value: &str) -> Vec<(&str, &str)> {
    value
        .split_whitespace()
        .map(|t| key_value(t, '='))
        .collect()
}

/// Decode every Proofpoint pass.
pub(super) fn decode(headers: &[HeaderField], out: &mut Vec<Verdict>) {
    let mut companions = indexes(headers, &[DETAILS_ENC, VIRUS, GUID, ORIG_GUID, REASON]);
    let anchors = anchors_or_fallback(headers, &[DETAILS], &[REASON, VIRUS], &mut companions);
    for (anchor, related) in group(&anchors, &companions) {
        out.push(verdict(headers, anchor, related));
    }
}

fn verdict(headers: &[HeaderField], anchor: usize, related: Vec<usize>) -> Verdict {
    let mut order = vec![anchor];
    order.extend(related.iter().copied());
    let mut fields: Vec<VerdictField> = Vec::new();
    let mut rule: Option<String> = None;
    let mut policy: Option<String> = None;
    let mut score: Option<String> = None;
    let mut scores: Vec<(String, f64)> = Vec::new();
    let mut virus_vendor: Option<String> = None;
    for &i in &order {
        let h = &headers[i];
        let name = h.name.as_str();
        if h.is(DETAILS) {
            for (k, v) in pairs(&h.value) {
                match lookup(KEYS, k) {
                    Some(m) => fields.push(known(name, k, v, m)),
                    None if k.ends_with("score") => fields.push(known(
                        name,
                        k,
                        v,
                        "a classifier's score Proofpoint does not document",
                    )),
                    None => fields.push(unknown(name, k, v)),
                }
                match k {
                    "rule" if rule.is_none() => rule = Some(v.to_string()),
                    "policy" if policy.is_none() => policy = Some(v.to_string()),
                    "score" if score.is_none() => score = Some(v.to_string()),
                    _ => {}
                }
                if let Some(n) = k.strip_suffix("score").filter(|n| {
                    !n.is_empty() && !matches!(*n, "mlx" | "mlxlog" | "clx" | "priority")
                }) && let Some(x) = number(v)
                {
                    scores.push((n.to_string(), x));
                }
            }
        } else if h.is(VIRUS) {
            for (k, v) in pairs(&h.value) {
                match lookup(VIRUS_KEYS, k) {
                    Some(m) => fields.push(known(name, k, v, m)),
                    None => fields.push(unknown(name, k, v)),
                }
                if k == "vendor" {
                    virus_vendor = Some(clip(v, 40));
                }
            }
        } else if h.is(GUID) || h.is(ORIG_GUID) {
            fields.push(known(
                name,
                name,
                &h.value,
                "Proofpoint's id for the message (the ORIG id is the first one it got), for its logs",
            ));
        } else if h.is(DETAILS_ENC) {
            fields.push(known(
                name,
                name,
                &h.value,
                "the spam details, encoded for Proofpoint's own tools (not readable)",
            ));
        } else if h.is(REASON) {
            fields.push(known(name, name, &h.value, "the reason Proofpoint gave"));
        }
    }
    let outbound = policy
        .as_deref()
        .is_some_and(|p| p.to_ascii_lowercase().contains("outbound"))
        || rule
            .as_deref()
            .is_some_and(|r| r.to_ascii_lowercase().starts_with("outbound"));
    let rv = rule
        .as_deref()
        .map(|r| rule_verdict(r, policy.as_deref()).to_ascii_lowercase());
    let word = match rv.as_deref() {
        Some("notspam" | "safe") => NOT_SPAM,
        Some("spam" | "adult" | "blocked") => SPAM,
        Some("bulk" | "lowpriority") => BULK,
        Some("phish" | "impostor") => PHISH,
        Some("malware" | "virus") => MALWARE,
        Some("suspect") => SUSPICIOUS,
        _ => UNKNOWN,
    };
    if let Some(r) = &rule
        && let Some(f) = fields.iter_mut().find(|f| f.name == "rule")
    {
        let v = rule_verdict(r, policy.as_deref());
        match lookup(RULE_VERDICTS, v) {
            Some(m) => {
                f.meaning = Some(format!(
                    "the rule that decided: its verdict `{}` means {m}",
                    clip(v, 30)
                ))
            }
            None => f.known = false,
        }
    }
    let system = "Proofpoint".to_string();
    let mut basis = Vec::new();
    if let Some(r) = &rule {
        basis.push(format!("rule={}", clip(r, 40)));
    }
    if let Some(s) = &score {
        basis.push(format!("score={}", clip(s, 12)));
    }
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    if let Some((n, x)) = scores.iter().find(|(_, x)| *x > 0.0)
        && word != NOT_SPAM
    {
        basis.push(format!(
            "{}score={}",
            clip(n, 20),
            super::spamassassin::trim_number(*x)
        ));
    }
    let basis = basis.join(", ");
    let b = if basis.is_empty() {
        String::new()
    } else {
        format!(" ({basis})")
    };
    let who = if outbound {
        "the sender's own Proofpoint scanned this on the way out and"
    } else {
        "Proofpoint"
    };
    let summary = match word {
        NOT_SPAM => format!("{who} rated it not spam{b}"),
        SPAM => format!("{who} classed it as spam{b}"),
        BULK => format!("{who} classed it as bulk mail{b}"),
        PHISH => format!("{who} flagged it as phishing or impersonation{b}"),
        MALWARE => format!("{who} found malware in it{b}"),
        SUSPICIOUS => format!("{who} rated it suspected spam{b}"),
        _ => match &virus_vendor {
            Some(v) if rule.is_none() => format!(
                "Proofpoint scanned this for viruses (engine: {v}) but left no spam verdict"
            ),
            _ => format!("{who} left a verdict mailtrace cannot read{b}"),
        },
    };
    Verdict {
        system,
        related,
        outbound,
        verdict: word.to_string(),
        score: score.as_deref().map(|s| format!("{}/100", clip(s, 12))),
        basis,
        summary,
        fields,
        ..Verdict::anchored("proofpoint", headers, anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::super::test_support::{get, headers};
    use super::*;

    #[test]
    fn inbound_spam_rule() {
        let h = headers(&[
            "X-Proofpoint-GUID: jP2czFqif_NXTobXhLV87IHFJz3wMXie",
            "X-Proofpoint-Virus-Version: vendor=baseguard engine=ICAP:2.0.219,Aquarius:18.0.930 definitions=2023-02-19_14,2023-02-17_01",
            "X-Proofpoint-Spam-Details: rule=gmspam_spam policy=gmspam score=99 malwarescore=0 bulkscore=0 mlxscore=0 phishscore=0 clxscore=-631 spamscore=0 unknownsenderscore=20 classifier=clx:Junk adjust=0 reason=mlx scancount=1 engine=8.12.0-2212070000 definitions=main-2302190204 domainage_hfrom=3334",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.vendor, "proofpoint");
        assert_eq!(v.header_index, 2);
        assert_eq!(v.related, vec![0, 1]);
        assert_eq!(v.verdict, "spam");
        assert!(!v.outbound);
        assert_eq!(v.score.as_deref(), Some("99/100"));
        assert_eq!(v.basis, "rule=gmspam_spam, score=99, unknownsenderscore=20");
        assert_eq!(
            v.summary,
            "Proofpoint classed it as spam (rule=gmspam_spam, score=99, unknownsenderscore=20)"
        );
        assert_eq!(
            get(v, "rule").meaning.as_deref(),
            Some("the rule that decided: its verdict `spam` means spam")
        );
        assert_eq!(get(v, "vendor").value, "baseguard");
        assert_eq!(get(v, "domainage_hfrom").value, "3334");
        assert!(v.fields.iter().all(|f| f.known), "{:#?}", v.fields);
    }

    #[test]
    fn outbound_notspam_with_policy_prefix() {
        let v = decode(&headers(&[
            "X-Proofpoint-Spam-Details: rule=fb_default_notspam policy=fb_default score=0 spamscore=0 impostorscore=0 malwarescore=0 phishscore=0 priorityscore=1501 adultscore=0 clxscore=1011 mlxscore=0 mlxlogscore=999 suspectscore=0 bulkscore=0 lowpriorityscore=0 classifier=spam adjust=0 reason=mlx scancount=1 engine=8.12.0-2003020000 definitions=main-2004050001",
        ]));
        assert_eq!(v[0].verdict, "not-spam");
        assert!(!v[0].outbound);
        let v = decode(&headers(&[
            "X-Proofpoint-Spam-Details: rule=outbound_notspam policy=outbound score=5 spamscore=5",
        ]));
        assert_eq!(v[0].verdict, "not-spam");
        assert!(v[0].outbound);
        assert_eq!(
            v[0].summary,
            "the sender's own Proofpoint scanned this on the way out and rated it not spam (rule=outbound_notspam, score=5)"
        );
    }

    #[test]
    fn rule_verdicts() {
        assert_eq!(
            rule_verdict("fb_default_notspam", Some("fb_default")),
            "notspam"
        );
        assert_eq!(rule_verdict("inbound_phish", None), "phish");
        assert_eq!(rule_verdict("spam", Some("default")), "spam");
        assert_eq!(rule_verdict("é", Some("x")), "é");
        let v = decode(&headers(&[
            "X-Proofpoint-Spam-Details: rule=weird_thing policy=weird",
        ]));
        assert_eq!(v[0].verdict, "unknown");
        assert!(!get(&v[0], "rule").known);
    }
}
