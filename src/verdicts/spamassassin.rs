//! SpamAssassin (and the servers that run it: amavis, Exim's `spam` ACL, cPanel, Fastmail):
//! `X-Spam-Status` (`Yes, score=7.3 required=5.0 tests=... autolearn=... version=...`),
//! `X-Spam-Score`, `X-Spam-Flag`, `X-Spam-Level`, `X-Spam-Report` (one line per test with its
//! points and description), `X-Spam-Checker-Version` (which host ran it), Exim's `X-Spam_score`,
//! `X-Spam_bar`, `X-Spam_report`, and Fastmail's `X-Spam-Hits`.
//!
//! SpamAssassin adds up the points of every test (rule) that matched; at or above the
//! `required` score the message counts as spam. The test names are explained from a small table
//! of the common families (BAYES_*, DKIM_*, SPF_*, RCVD_IN_*, URIBL_*, HTML_*, MISSING_*,
//! FREEMAIL_*, ...); the description `X-Spam-Report` gives for a test is used when the table
//! has none. rspamd can write an `X-Spam-Status` of its own (`No, score=0.04`): those belong to
//! `rspamd.rs` (see [`super::rspamd::owned`]).

use std::collections::{HashMap, HashSet};

use super::{
    NOT_SPAM, SPAM, Table, UNKNOWN, Verdict, VerdictField, anchors_or_fallback, clip, coded, field,
    group, indexes, known, lookup, number, show, unknown, yes_no,
};
use crate::parse::HeaderField;

const STATUS: &str = "X-Spam-Status";
const SCORE: &str = "X-Spam-Score";
const FLAG: &str = "X-Spam-Flag";
const LEVEL: &str = "X-Spam-Level";
const REPORT: &str = "X-Spam-Report";
const HAM_REPORT: &str = "X-Ham-Report";
const CHECKER: &str = "X-Spam-Checker-Version";
const HITS: &str = "X-Spam-Hits";
const EXIM_SCORE: &str = "X-Spam_score";
const EXIM_SCORE_INT: &str = "X-Spam_score_int";
const EXIM_BAR: &str = "X-Spam_bar";
const EXIM_REPORT: &str = "X-Spam_report";
const GENERIC: &str = "X-Spam";

/// SpamAssassin's default spam threshold (`required_score`).
pub(crate) const DEFAULT_REQUIRED: f64 = 5.0;

/// Common SpamAssassin tests. `NAME*` matches a family.
pub(crate) const TESTS: Table = &[
    ("BAYES_00", "Bayesian classifier: spam probability 0 to 1%"),
    ("BAYES_05", "Bayesian classifier: spam probability 1 to 5%"),
    ("BAYES_20", "Bayesian classifier: spam probability 5 to 20%"),
    (
        "BAYES_40",
        "Bayesian classifier: spam probability 20 to 40%",
    ),
    (
        "BAYES_50",
        "Bayesian classifier: spam probability 40 to 60%",
    ),
    (
        "BAYES_60",
        "Bayesian classifier: spam probability 60 to 80%",
    ),
    (
        "BAYES_80",
        "Bayesian classifier: spam probability 80 to 95%",
    ),
    (
        "BAYES_90",
        "Bayesian classifier: spam probability 90 to 99% (older versions)",
    ),
    (
        "BAYES_95",
        "Bayesian classifier: spam probability 95 to 99%",
    ),
    (
        "BAYES_99",
        "Bayesian classifier: spam probability 99 to 100%",
    ),
    (
        "BAYES_999",
        "Bayesian classifier: spam probability 99.9 to 100%",
    ),
    (
        "BAYES_*",
        "Bayesian classifier: how much the words look like the spam it has learnt",
    ),
    (
        "DKIM_SIGNED",
        "the message has a DKIM signature (not necessarily valid)",
    ),
    ("DKIM_VALID", "at least one DKIM signature is valid"),
    (
        "DKIM_VALID_AU",
        "a valid DKIM signature from the author's (From) domain",
    ),
    (
        "DKIM_VALID_EF",
        "a valid DKIM signature from the envelope sender's domain",
    ),
    ("DKIM_INVALID", "a DKIM signature is present but invalid"),
    (
        "DKIM_VERIFIED",
        "a DKIM signature verified (older versions)",
    ),
    ("DKIM_*", "a DKIM signature check"),
    (
        "T_DKIM_INVALID",
        "a DKIM signature is present but invalid (test rule)",
    ),
    (
        "SPF_PASS",
        "SPF: the sending server is allowed by the sender's domain",
    ),
    (
        "SPF_FAIL",
        "SPF: the sending server is not allowed by the sender's domain (-all)",
    ),
    (
        "SPF_SOFTFAIL",
        "SPF: the sending server is probably not allowed (~all)",
    ),
    (
        "SPF_NEUTRAL",
        "SPF: the domain makes no statement about this server (?all)",
    ),
    (
        "SPF_NONE",
        "SPF: the sender's domain publishes no SPF record",
    ),
    ("SPF_HELO_PASS", "SPF for the HELO name: pass"),
    ("SPF_HELO_FAIL", "SPF for the HELO name: fail"),
    ("SPF_HELO_SOFTFAIL", "SPF for the HELO name: softfail"),
    ("SPF_HELO_NEUTRAL", "SPF for the HELO name: neutral"),
    ("SPF_HELO_NONE", "SPF for the HELO name: no record"),
    ("SPF_*", "an SPF check"),
    ("DMARC_PASS", "DMARC passed"),
    (
        "DMARC_REJECT",
        "DMARC failed and the domain asks for reject",
    ),
    (
        "DMARC_QUAR",
        "DMARC failed and the domain asks for quarantine",
    ),
    (
        "DMARC_NONE",
        "DMARC failed and the domain only monitors (p=none)",
    ),
    ("DMARC_MISSING", "the From domain publishes no DMARC record"),
    ("DMARC_*", "a DMARC check"),
    (
        "RCVD_IN_DNSWL_*",
        "a relay's IP is on the DNSWL allow list (negative points for trust)",
    ),
    (
        "RCVD_IN_MSPIKE_H*",
        "a relay's IP has a good reputation at Mailspike",
    ),
    (
        "RCVD_IN_MSPIKE_WL",
        "a relay's IP is on Mailspike's allow list",
    ),
    (
        "RCVD_IN_MSPIKE_*",
        "a relay's IP is listed at Mailspike (reputation)",
    ),
    (
        "RCVD_IN_VALIDITY_*",
        "a relay's IP is listed by Validity (certified or safe senders)",
    ),
    (
        "RCVD_IN_SBL*",
        "a relay's IP is on the Spamhaus Block List (known spam source)",
    ),
    (
        "RCVD_IN_XBL",
        "a relay's IP is on the Spamhaus Exploits Block List (hijacked machine)",
    ),
    (
        "RCVD_IN_PBL",
        "a relay's IP is on the Spamhaus Policy Block List (should not send mail directly)",
    ),
    ("RCVD_IN_ZEN_*", "a relay's IP is listed on Spamhaus ZEN"),
    (
        "RCVD_IN_BL_SPAMCOP_NET",
        "a relay's IP is listed on SpamCop",
    ),
    (
        "RCVD_IN_*",
        "a relay's IP is listed on a DNS block or allow list",
    ),
    (
        "URIBL_BLOCKED",
        "the URIBL lookup was refused (the DNS resolver is over its quota); says nothing about the message",
    ),
    (
        "URIBL_DBL_*",
        "a link's domain is on the Spamhaus Domain Block List",
    ),
    (
        "URIBL_ABUSE_SURBL",
        "a link's domain is on the SURBL abuse list",
    ),
    (
        "URIBL_PH_SURBL",
        "a link's domain is on the SURBL phishing list",
    ),
    ("URIBL_*", "a link's domain is on a URI block list"),
    ("HTML_MESSAGE", "the message has an HTML part"),
    ("HTML_IMAGE_ONLY_*", "HTML with images and hardly any text"),
    ("HTML_*", "a feature of the message's HTML formatting"),
    (
        "MIME_HTML_ONLY",
        "the message is HTML only, without a plain-text part",
    ),
    ("MIME_*", "a feature of the message's MIME structure"),
    (
        "MPART_ALT_DIFF*",
        "the text and HTML alternatives say different things",
    ),
    ("MISSING_MID", "there is no Message-ID header"),
    ("MISSING_DATE", "there is no Date header"),
    ("MISSING_FROM", "there is no From header"),
    ("MISSING_SUBJECT", "there is no Subject header"),
    ("MISSING_HEADERS", "there is no To header"),
    ("MISSING_*", "a header that should be there is missing"),
    ("FREEMAIL_FROM", "the sender uses a free mail provider"),
    (
        "FREEMAIL_REPLYTO",
        "the Reply-To is at a free mail provider, and differs from the From",
    ),
    (
        "FREEMAIL_FORGED_REPLYTO",
        "the Reply-To is at a free mail provider while the From is not",
    ),
    ("FREEMAIL_*", "a free mail provider address in the headers"),
    (
        "RDNS_NONE",
        "the relay that delivered to the filter has no reverse DNS name",
    ),
    (
        "RDNS_DYNAMIC",
        "the relay's reverse DNS name looks like a dynamic (home) address",
    ),
    (
        "DATE_IN_FUTURE_*",
        "the Date header is hours after the Received times",
    ),
    (
        "DATE_IN_PAST_*",
        "the Date header is hours before the Received times",
    ),
    ("SUBJ_ALL_CAPS", "the Subject is all capitals"),
    (
        "TO_NO_BRKTS_*",
        "the To address is written without angle brackets, a mass-mailer habit",
    ),
    (
        "RAZOR2_CHECK",
        "the message is listed in Razor, a shared database of spam",
    ),
    ("RAZOR2_CF_RANGE_*", "Razor's confidence that this is spam"),
    (
        "PYZOR_CHECK",
        "the message is listed in Pyzor, a shared database of spam",
    ),
    ("DCC_CHECK", "the message was seen many times by DCC (bulk)"),
    ("DCC_*", "the DCC bulk-mail checksum service"),
    (
        "USER_IN_WHITELIST",
        "the sender is on the user's whitelist (large negative points)",
    ),
    (
        "USER_IN_WELCOMELIST",
        "the sender is on the user's welcome list (large negative points)",
    ),
    (
        "USER_IN_DEF_SPF_WL",
        "the sender is on the default SPF-checked allow list",
    ),
    (
        "USER_IN_DEF_WHITELIST",
        "the sender is on the default allow list",
    ),
    (
        "USER_IN_BLACKLIST",
        "the sender is on the user's blacklist (large positive points)",
    ),
    (
        "USER_IN_BLOCKLIST",
        "the sender is on the user's block list (large positive points)",
    ),
    ("ALL_TRUSTED", "every relay was a trusted server"),
    ("NO_RELAYS", "the message was not relayed over SMTP"),
    ("NO_RECEIVED", "the message has no Received headers"),
    (
        "AWL",
        "the auto-whitelist pulled the score toward this sender's average",
    ),
    (
        "TXREP",
        "the sender's reputation (TxRep) adjusted the score",
    ),
    ("SHORTCIRCUIT", "a shortcircuit rule ended the scan early"),
    ("LOTS_OF_MONEY", "the text mentions large sums of money"),
    (
        "ADVANCE_FEE_*",
        "the text looks like an advance-fee (\"419\") fraud",
    ),
    ("MILLION_*", "the text mentions millions of money"),
    ("MONEY_*", "the text is about money in a spam-like way"),
    ("HELO_*", "a test on the HELO name the sending server gave"),
    ("NORMAL_HTTP_TO_IP", "a link points at a bare IP address"),
    ("NUMERIC_HTTP_ADDR", "a link points at a numeric address"),
    ("UNPARSEABLE_RELAY", "a Received header could not be parsed"),
    (
        "TRACKER_ID",
        "the message carries a tracking id typical of bulk senders",
    ),
    (
        "KNOWN_MAILING_LIST",
        "the message comes from a known mailing list",
    ),
    (
        "T_SCC_BODY_TEXT_LINE",
        "the body has few text lines (test rule)",
    ),
    (
        "T_*",
        "a test rule being evaluated (it carries almost no points)",
    ),
    (
        "__*",
        "a sub-rule used by other rules (no points of its own)",
    ),
];

/// `autolearn=` values.
const AUTOLEARN: Table = &[
    (
        "ham",
        "the Bayesian classifier learnt this as ham (good mail)",
    ),
    ("spam", "the Bayesian classifier learnt this as spam"),
    ("no", "not learnt: the score was not clearly spam or ham"),
    ("disabled", "autolearning is switched off"),
    (
        "unavailable",
        "autolearning was not possible (for example the Bayes database was busy)",
    ),
    ("failed", "autolearning failed"),
];

/// `X-Spam-Flag` values.
const FLAG_VALUES: Table = &[
    ("YES", "SpamAssassin counts it as spam"),
    ("NO", "SpamAssassin does not count it as spam"),
];

/// The meaning of a test name: the table, else the description the report gave.
fn test_field(
    header: &str,
    name: &str,
    points: &str,
    report: &HashMap<String, String>,
) -> VerdictField {
    match lookup(TESTS, name) {
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

/// A SpamAssassin-style rule name: capitals, digits and `_`, with a letter.
pub(crate) fn is_rule_name(s: &str) -> bool {
    s.len() >= 2
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && s.bytes().any(|b| b.is_ascii_uppercase())
}

/// One test line of a report: (rule, points, description).
pub(crate) type ReportLine = (String, String, String);

/// `X-Spam-Report` / `X-Ham-Report`: `* 3.5 BAYES_99 BODY: Bayes spam probability is 99 to 100%`
/// lines, or the `pts rule name description` table; folded into one line. Linear.
pub(crate) fn parse_report(value: &str) -> Vec<ReportLine> {
    let tokens: Vec<&str> = value.split_whitespace().collect();
    let starts = |i: usize| {
        i + 1 < tokens.len() && number(tokens[i]).is_some() && is_rule_name(tokens[i + 1])
    };
    let mut out: Vec<ReportLine> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !starts(i) {
            i += 1;
            continue;
        }
        let points = tokens[i].to_string();
        let rule = tokens[i + 1].to_string();
        let mut desc: Vec<&str> = Vec::new();
        let mut j = i + 2;
        while j < tokens.len() && !starts(j) {
            if tokens[j] != "*" {
                desc.push(tokens[j]);
            }
            j += 1;
        }
        out.push((rule, points, desc.join(" ")));
        i = j;
    }
    out
}

/// What `X-Spam-Status` says.
#[derive(Default)]
struct Status {
    flag: Option<bool>,
    score: Option<String>,
    required: Option<String>,
    /// (test, points when written)
    tests: Vec<(String, String)>,
    pairs: Vec<(String, String)>,
    extras: Vec<String>,
}

/// `Yes, score=7.3 required=5.0 tests=A,B autolearn=no version=4.0.1` (and the amavis form
/// `tests=[A=1.2, B=0.1]`), in linear time.
fn parse_status(value: &str) -> Status {
    let mut s = Status::default();
    let (first, rest) = match value.split_once(',') {
        Some((f, r)) => (f, r),
        None => (value, ""),
    };
    s.flag = yes_no(first);
    let rest = if s.flag.is_none() { value } else { rest };
    let mut tests_text = String::new();
    let mut in_tests = false;
    let mut bracket = false;
    for tok in rest.split_whitespace() {
        if bracket {
            tests_text.push(' ');
            tests_text.push_str(tok);
            if tok.contains(']') {
                bracket = false;
                in_tests = false;
            }
            continue;
        }
        let pair = tok.split_once('=').filter(|(k, _)| {
            !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        });
        match pair {
            Some((k, v)) => {
                in_tests = k == "tests";
                match k {
                    "score" | "hits" => s.score = Some(v.to_string()),
                    "required" => s.required = Some(v.to_string()),
                    "tests" => {
                        tests_text = v.to_string();
                        bracket = v.starts_with('[') && !v.contains(']');
                    }
                    _ => s.pairs.push((k.to_string(), v.to_string())),
                }
            }
            None if in_tests && (tests_text.ends_with(',') || tok.starts_with(',')) => {
                tests_text.push_str(tok);
            }
            None => {
                in_tests = false;
                s.extras.push(tok.to_string());
            }
        }
    }
    let list = tests_text
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']');
    for t in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let (name, points) = match t.split_once('=') {
            Some((n, p)) => (n.trim(), p.trim()),
            None => (t, ""),
        };
        if !name.is_empty() && name != "none" {
            s.tests.push((name.to_string(), points.to_string()));
        }
    }
    s
}

/// Decode every SpamAssassin pass.
pub(super) fn decode(headers: &[HeaderField], out: &mut Vec<Verdict>) {
    let owned = super::rspamd::owned(headers);
    // `owned` is sorted: binary search keeps this linear-logarithmic on hostile input
    let mine = |i: &usize| owned.binary_search(i).is_err();
    let mut companions: Vec<usize> = indexes(
        headers,
        &[
            SCORE,
            FLAG,
            LEVEL,
            REPORT,
            HAM_REPORT,
            CHECKER,
            HITS,
            EXIM_SCORE,
            EXIM_SCORE_INT,
            EXIM_BAR,
            EXIM_REPORT,
            GENERIC,
        ],
    )
    .into_iter()
    .filter(mine)
    .collect();
    let mut anchors: Vec<usize> = indexes(headers, &[STATUS])
        .into_iter()
        .filter(mine)
        .collect();
    if anchors.is_empty() {
        anchors = anchors_or_fallback(
            headers,
            &[],
            &[FLAG, SCORE, EXIM_SCORE, REPORT, EXIM_REPORT, HITS],
            &mut companions,
        );
    }
    for (anchor, related) in group(&anchors, &companions) {
        out.push(verdict(headers, anchor, related));
    }
}

fn verdict(headers: &[HeaderField], anchor: usize, related: Vec<usize>) -> Verdict {
    let mut order = vec![anchor];
    order.extend(related.iter().copied());
    // the report first: its descriptions explain the tests named in the status
    let mut report: HashMap<String, String> = HashMap::new();
    // test -> (points, the report header they were read from)
    let mut report_points: HashMap<String, (String, String)> = HashMap::new();
    let mut report_lines: Vec<(usize, ReportLine)> = Vec::new();
    for &i in &order {
        let h = &headers[i];
        if h.is(REPORT) || h.is(HAM_REPORT) {
            for line in parse_report(&h.value) {
                report
                    .entry(line.0.clone())
                    .or_insert_with(|| line.2.clone());
                report_points
                    .entry(line.0.clone())
                    .or_insert_with(|| (line.1.clone(), h.name.clone()));
                report_lines.push((i, line));
            }
        }
    }
    let mut fields = Vec::new();
    let mut flag: Option<bool> = None;
    let mut score: Option<String> = None;
    let mut required: Option<String> = None;
    let mut host: Option<String> = None;
    let mut whitelisted = false;
    // (test, points) with points known, for the summary
    let mut weighted: Vec<(String, f64)> = Vec::new();
    let mut tests_seen: HashSet<String> = HashSet::new();
    for &i in &order {
        let h = &headers[i];
        let name = h.name.as_str();
        let value = h.value.as_str();
        if h.is(STATUS) {
            let s = parse_status(value);
            match s.flag {
                Some(f) => fields.push(known(
                    name,
                    "status",
                    value.split(',').next().unwrap_or("").trim(),
                    if f {
                        "spam: the score reached the required score"
                    } else {
                        "not spam: the score stayed below the required score"
                    },
                )),
                None => fields.push(unknown(name, "status", &clip(value, 40))),
            }
            flag = flag.or(s.flag);
            if let Some(sc) = &s.score {
                fields.push(known(
                    name,
                    "score",
                    sc,
                    if sc == "x" {
                        "not computed (amavis writes x when a whitelist or policy skipped the scan)"
                    } else {
                        "the total of the points of every test that matched"
                    },
                ));
                score = score.or(s.score.clone());
            }
            if let Some(r) = &s.required {
                fields.push(known(
                    name,
                    "required",
                    r,
                    "the spam threshold: a score at or above it counts as spam",
                ));
                required = required.or(s.required.clone());
            }
            for (t, p) in &s.tests {
                // the points come from the status (amavis) or else from the report
                let (points, from) = match (p.is_empty(), report_points.get(t)) {
                    (true, Some((rp, rh))) => (rp.clone(), rh.as_str()),
                    _ => (p.clone(), name),
                };
                if let Some(n) = number(&points) {
                    weighted.push((t.clone(), n));
                }
                fields.push(test_field(from, t, &points, &report));
                tests_seen.insert(t.clone());
            }
            for (k, v) in &s.pairs {
                let f = match k.as_str() {
                    "autolearn" => coded(name, k, v, "Bayesian autolearning", AUTOLEARN),
                    "autolearn_force" => known(name, k, v, "whether a rule forced autolearning"),
                    "version" => known(name, k, v, "the SpamAssassin version"),
                    "tagged_above" => known(
                        name,
                        k,
                        v,
                        "amavis adds these headers to mail scoring at or above this",
                    ),
                    "shortcircuit" => known(
                        name,
                        k,
                        v,
                        "whether a shortcircuit rule ended the scan early (no, ham, spam)",
                    ),
                    _ => unknown(name, k, v),
                };
                fields.push(f);
            }
            for e in &s.extras {
                let f = match e.as_str() {
                    "WHITELISTED" | "WELCOMELISTED" => {
                        whitelisted = true;
                        known(
                            name,
                            e,
                            "",
                            "amavis: the sender is on a whitelist, so the message was not scored",
                        )
                    }
                    "BLACKLISTED" | "BLOCKLISTED" => {
                        known(name, e, "", "amavis: the sender is on a blacklist")
                    }
                    _ => unknown(name, e, ""),
                };
                fields.push(f);
            }
        } else if h.is(FLAG) || h.is(GENERIC) {
            fields.push(coded(name, name, value, "the spam flag", FLAG_VALUES));
            flag = flag.or(yes_no(value));
        } else if h.is(SCORE) || h.is(EXIM_SCORE) {
            fields.push(known(name, name, value, "the total score"));
            if number(value).is_some() {
                score = score.or(Some(value.to_string()));
            }
        } else if h.is(EXIM_SCORE_INT) {
            fields.push(known(
                name,
                name,
                value,
                "the total score times ten, as a whole number",
            ));
        } else if h.is(LEVEL) || h.is(EXIM_BAR) {
            let stars = value.trim().chars().count();
            let meaning = if value.trim().is_empty() {
                "one character per point of score: empty means less than one point".to_string()
            } else if value.trim().starts_with('-') {
                format!("one character per point of score: {stars} points below zero")
            } else {
                format!("one character per point of score: at least {stars} points")
            };
            fields.push(field(name, name, value, Some(meaning), true));
        } else if h.is(CHECKER) {
            fields.push(known(
                name,
                name,
                value,
                "the SpamAssassin version and the host that ran it",
            ));
            if let Some((_, on)) = value.split_once(" on ") {
                let on = on.split_whitespace().next().unwrap_or("");
                if !on.is_empty() {
                    host = Some(clip(on, 80));
                }
            }
        } else if h.is(EXIM_REPORT) {
            // `(-2.1 / 5.0 requ) BAYES_00=-1.9,DKIM_SIGNED=0.1`
            let (head, tail) = match value.split_once(')') {
                Some((h, t)) => (h.trim_start_matches('('), t),
                None => ("", value),
            };
            let mut nums = head
                .split('/')
                .map(|p| p.split_whitespace().next().unwrap_or(""));
            if let Some(sc) = nums.next().filter(|s| number(s).is_some()) {
                score = score.or(Some(sc.to_string()));
            }
            if let Some(r) = nums.next().filter(|s| number(s).is_some()) {
                required = required.or(Some(r.to_string()));
            }
            for t in tail.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let (n, p) = super::key_value(t, '=');
                if let Some(x) = number(p) {
                    weighted.push((n.to_string(), x));
                }
                fields.push(test_field(name, n, p, &report));
                tests_seen.insert(n.to_string());
            }
        } else if h.is(HITS) {
            // Fastmail: `DCC_CHECK 1.1, HTML_MESSAGE 0.001, LANGUAGES en, SA_VERSION 3.4.6`
            for t in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let (n, p) = match t.split_once(' ') {
                    Some((n, p)) => (n.trim(), p.trim()),
                    None => (t, ""),
                };
                let f = match n {
                    "LANGUAGES" => known(name, n, p, "the languages SpamAssassin detected"),
                    "BAYES_USED" => known(name, n, p, "whether the Bayesian classifier was used"),
                    "SA_VERSION" => known(name, n, p, "the SpamAssassin version"),
                    _ => {
                        if let Some(x) = number(p) {
                            weighted.push((n.to_string(), x));
                        }
                        tests_seen.insert(n.to_string());
                        test_field(name, n, p, &report)
                    }
                };
                fields.push(f);
            }
        }
    }
    // report lines for tests no status header named
    for (i, (rule, points, _)) in report_lines {
        if tests_seen.contains(&rule) {
            continue;
        }
        if let Some(x) = number(&points) {
            weighted.push((rule.clone(), x));
        }
        fields.push(test_field(&headers[i].name, &rule, &points, &report));
        tests_seen.insert(rule);
    }
    let score_n = score.as_deref().and_then(number);
    let required_n = required.as_deref().and_then(number);
    let threshold = required_n.unwrap_or(DEFAULT_REQUIRED);
    let word = match (flag, score_n) {
        (Some(true), _) => SPAM,
        (Some(false), _) => NOT_SPAM,
        (None, Some(s)) if s >= threshold => SPAM,
        (None, Some(_)) => NOT_SPAM,
        (None, None) => UNKNOWN,
    };
    let system = match &host {
        Some(h) => format!("SpamAssassin on {h}"),
        None => "SpamAssassin".to_string(),
    };
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<String> = weighted
        .iter()
        .filter(|(_, p)| *p > 0.0)
        .take(3)
        .map(|(t, p)| format!("{} +{}", clip(t, 40), trim_number(*p)))
        .collect();
    let mut basis = Vec::new();
    if let Some(s) = &score {
        basis.push(format!("score {}", show(s)));
    }
    if let Some(r) = &required {
        basis.push(format!("required {}", show(r)));
    }
    if whitelisted {
        basis.push("WHITELISTED".to_string());
    }
    if basis.is_empty()
        && let Some(f) = flag
    {
        basis.push(format!("X-Spam-Flag {}", if f { "YES" } else { "NO" }));
    }
    let mut basis = basis.join(", ");
    if !top.is_empty() && word == SPAM {
        basis.push_str(if basis.is_empty() { "" } else { "; " });
        basis.push_str(&top.join(", "));
    }
    let shown_score = score.as_deref().map(show);
    let score_field = match (&shown_score, &required) {
        (Some(s), Some(r)) => Some(format!("{s}/{}", show(r))),
        (Some(s), None) => Some(s.clone()),
        _ => None,
    };
    let summary = {
        let threshold_text = match &required {
            Some(r) => format!("its spam threshold of {}", show(r)),
            None => format!("the default spam threshold of {DEFAULT_REQUIRED}"),
        };
        let mut line = if whitelisted {
            format!(
                "{system} did not score this: the sender is whitelisted, so it counts as not spam"
            )
        } else {
            match (word, &shown_score) {
                (SPAM, Some(s)) => format!(
                    "{system} scored this {s}, at or above {threshold_text}, so it counts as spam"
                ),
                (SPAM, None) => format!("{system} flagged this as spam"),
                (NOT_SPAM, Some(s)) => {
                    format!("{system} scored this {s}, below {threshold_text}: not spam")
                }
                (NOT_SPAM, None) => format!("{system} did not flag this as spam"),
                _ => format!("{system} left headers but no verdict mailtrace can read"),
            }
        };
        if word == SPAM && !top.is_empty() {
            line.push_str("; most points from ");
            line.push_str(&top.join(", "));
        }
        line
    };
    Verdict {
        system,
        related,
        verdict: word.to_string(),
        score: score_field,
        basis,
        summary,
        fields,
        ..Verdict::anchored("spamassassin", headers, anchor)
    }
}

/// `3.5`, `0.001`, `2` as short text.
pub(crate) fn trim_number(n: f64) -> String {
    let s = format!("{n:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::super::test_support::{get, headers};
    use super::*;

    #[test]
    fn status_with_report_and_checker() {
        let h = headers(&[
            "X-Spam-Flag: YES",
            "X-Spam-Score: 7.3",
            "X-Spam-Level: *******",
            "X-Spam-Status: Yes, score=7.3 required=5.0 tests=BAYES_99, HTML_MESSAGE,MISSING_MID,RCVD_IN_SBL_CSS autolearn=no autolearn_force=no version=4.0.1",
            "X-Spam-Report: *  3.5 BAYES_99 BODY: Bayes spam probability is 99 to 100% *      [score: 1.0000] *  0.0 HTML_MESSAGE BODY: HTML included in message *  0.1 MISSING_MID Missing Message-Id: header *  3.7 RCVD_IN_SBL_CSS RBL: Received via a relay in Spamhaus SBL-CSS *      [198.51.100.203 listed in zen.spamhaus.org]",
            "X-Spam-Checker-Version: SpamAssassin 4.0.1 (2024-03-25) on mx.example.org",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.vendor, "spamassassin");
        assert_eq!(v.system, "SpamAssassin on mx.example.org");
        assert_eq!(v.header_index, 3);
        assert_eq!(v.related, vec![0, 1, 2, 4, 5]);
        assert_eq!(v.verdict, "spam");
        assert_eq!(v.score.as_deref(), Some("7.3/5.0"));
        assert_eq!(
            v.basis,
            "score 7.3, required 5.0; RCVD_IN_SBL_CSS +3.7, BAYES_99 +3.5, MISSING_MID +0.1"
        );
        assert_eq!(
            v.summary,
            "SpamAssassin on mx.example.org scored this 7.3, at or above its spam threshold of 5.0, so it counts as spam; most points from RCVD_IN_SBL_CSS +3.7, BAYES_99 +3.5, MISSING_MID +0.1"
        );
        let bayes = get(v, "BAYES_99");
        assert_eq!(bayes.value, "3.5");
        assert_eq!(
            bayes.meaning.as_deref(),
            Some("Bayesian classifier: spam probability 99 to 100%")
        );
        assert_eq!(
            get(v, "RCVD_IN_SBL_CSS").meaning.as_deref(),
            Some("a relay's IP is on the Spamhaus Block List (known spam source)")
        );
        assert_eq!(
            get(v, "autolearn").meaning.as_deref(),
            Some("Bayesian autolearning: not learnt: the score was not clearly spam or ham")
        );
        assert_eq!(
            get(v, "X-Spam-Level").meaning.as_deref(),
            Some("one character per point of score: at least 7 points")
        );
        // each test once, with the status header
        assert_eq!(v.fields.iter().filter(|f| f.name == "BAYES_99").count(), 1);
        assert!(v.fields.iter().all(|f| f.known), "{:#?}", v.fields);
    }

    #[test]
    fn old_hits_form_and_not_spam() {
        let v = decode(&headers(&[
            "X-Spam-Status: No, hits=-2.9 required=5.0 tests=KNOWN_MAILING_LIST,SPAM_PHRASE_03_05 version=2.50-cvs",
        ]));
        let v = &v[0];
        assert_eq!(v.verdict, "not-spam");
        assert_eq!(v.score.as_deref(), Some("-2.9/5.0"));
        assert_eq!(
            v.summary,
            "SpamAssassin scored this -2.9, below its spam threshold of 5.0: not spam"
        );
        let unknown = get(v, "SPAM_PHRASE_03_05");
        assert!(!unknown.known);
        assert_eq!(unknown.value, "");
    }

    #[test]
    fn amavis_forms() {
        let v = decode(&headers(&[
            "X-Spam-Flag: NO",
            "X-Spam-Score: 0",
            "X-Spam-Level: ",
            "X-Spam-Status: No, score=x tagged_above=-999 required=5 WHITELISTED tests=[] autolearn=unavailable",
        ]));
        let v = &v[0];
        assert_eq!(v.verdict, "not-spam");
        assert_eq!(
            v.summary,
            "SpamAssassin did not score this: the sender is whitelisted, so it counts as not spam"
        );
        assert!(get(v, "WHITELISTED").known);
        let v = decode(&headers(&[
            "X-Spam-Status: Yes, score=6.2 tagged_above=2 required=5 tests=[BAYES_99=3.5, URIBL_DBL_SPAM=2.5, DKIM_SIGNED=0.1, DKIM_VALID=-0.1] autolearn=no autolearn_force=no",
        ]));
        let v = &v[0];
        assert_eq!(v.verdict, "spam");
        assert_eq!(get(v, "URIBL_DBL_SPAM").value, "2.5");
        assert_eq!(get(v, "DKIM_VALID").value, "-0.1");
        assert!(
            v.basis
                .ends_with("BAYES_99 +3.5, URIBL_DBL_SPAM +2.5, DKIM_SIGNED +0.1"),
            "{}",
            v.basis
        );
    }

    #[test]
    fn score_alone_uses_the_default_threshold() {
        let v = decode(&headers(&[
            "X-Spam-Score: 1.5",
            "X-Spam-Hits: DCC_CHECK 1.1, HTML_MESSAGE 0.001, LANGUAGES en, SA_VERSION 3.4.6",
        ]));
        let v = &v[0];
        assert_eq!(v.header, "X-Spam-Score");
        assert_eq!(v.verdict, "not-spam");
        assert_eq!(
            v.summary,
            "SpamAssassin scored this 1.5, below the default spam threshold of 5: not spam"
        );
        assert_eq!(get(v, "DCC_CHECK").value, "1.1");
        assert!(get(v, "LANGUAGES").known);
    }

    #[test]
    fn exim_headers() {
        let v = decode(&headers(&[
            "X-Spam_score_int: 62",
            "X-Spam_score: 6.2",
            "X-Spam_bar: ++++++",
            "X-Spam_report: (6.2 / 5.0 requ) BAYES_99=3.5,URIBL_DBL_SPAM=2.5,DKIM_SIGNED=0.1",
        ]));
        let v = &v[0];
        assert_eq!(v.header, "X-Spam_score");
        assert_eq!(v.verdict, "spam");
        assert_eq!(v.score.as_deref(), Some("6.2/5.0"));
        assert_eq!(get(v, "BAYES_99").value, "3.5");
    }

    #[test]
    fn report_parsing() {
        let r = parse_report(
            "Content analysis details:   (7.3 points, 5.0 required)  pts rule name              description ---- ---------------------- -------------------------------------------------- 3.5 BAYES_99               BODY: Bayes spam probability is 99 to 100% [score: 1.0000] -0.0 SPF_PASS SPF: sender matches SPF record",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].0, "BAYES_99");
        assert_eq!(r[0].1, "3.5");
        assert_eq!(
            r[0].2,
            "BODY: Bayes spam probability is 99 to 100% [score: 1.0000]"
        );
        assert_eq!(r[1].0, "SPF_PASS");
        assert_eq!(r[1].1, "-0.0");
        assert!(parse_report("").is_empty());
        assert!(parse_report("1.0").is_empty());
    }

    #[test]
    fn report_description_explains_unknown_tests() {
        let v = decode(&headers(&[
            "X-Spam-Status: Yes, score=9.0 required=5.0 tests=ZZ_CUSTOM autolearn=no",
            "X-Spam-Report: * 9.0 ZZ_CUSTOM Local rule: the subject says win",
        ]));
        let f = get(&v[0], "ZZ_CUSTOM");
        assert!(f.known);
        assert_eq!(f.value, "9.0");
        assert_eq!(
            f.meaning.as_deref(),
            Some("Local rule: the subject says win (as the report describes it)")
        );
    }

    #[test]
    fn trims_numbers() {
        assert_eq!(trim_number(3.5), "3.5");
        assert_eq!(trim_number(2.0), "2");
        assert_eq!(trim_number(0.001), "0.001");
    }
}
