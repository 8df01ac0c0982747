//! rspamd: `X-Spamd-Result` (`default: False [3.40 / 15.00]; SYMBOL(score)[options]; ...`),
//! `X-Rspamd-Action`, `X-Rspamd-Score`, `X-Rspamd-Server`, `X-Rspamd-Queue-Id`,
//! `X-Rspamd-Pre-Result`, `X-Spamd-Bar`, and the `X-Spam-Status: Yes, score=11.10`,
//! `X-Spam-Level` and `X-Spam: Yes` headers rspamd's milter_headers module can add.
//!
//! rspamd adds up the scores of the symbols (rules) that matched and picks an *action* from its
//! thresholds: `no action`, `greylist`, `add header` (mark as spam, usually filed in Junk),
//! `rewrite subject`, `soft reject` (try again later) and `reject`. In `X-Spamd-Result`,
//! `True`/`False` says whether the action is `reject`; the two numbers are the score and the
//! reject threshold. Symbol names are explained from a small table of the common families; the
//! options in brackets are kept as written.

use super::{
    NOT_SPAM, SPAM, SUSPICIOUS, Table, UNKNOWN, Verdict, VerdictField, anchors_or_fallback, clip,
    coded, field, group, indexes, key_value, known, lookup, number, show, unknown, yes_no,
};
use crate::parse::HeaderField;

const RESULT: &str = "X-Spamd-Result";
const RESULT_ALT: &str = "X-Rspamd-Result";
const ACTION: &str = "X-Rspamd-Action";
const SCORE: &str = "X-Rspamd-Score";
const SERVER: &str = "X-Rspamd-Server";
const QUEUE_ID: &str = "X-Rspamd-Queue-Id";
const PRE_RESULT: &str = "X-Rspamd-Pre-Result";
const STATUS_ALT: &str = "X-Rspamd-Status";
const BAR: &str = "X-Spamd-Bar";
const BAR_ALT: &str = "X-Rspamd-Bar";
const FLAG_ALT: &str = "X-Rspamd";
const SPAM_STATUS: &str = "X-Spam-Status";
const SPAM_LEVEL: &str = "X-Spam-Level";
const SPAM_FLAG: &str = "X-Spam-Flag";
const SPAM_GENERIC: &str = "X-Spam";

/// rspamd's default `add header` threshold.
const DEFAULT_ADD_HEADER: f64 = 6.0;

/// rspamd actions.
pub(crate) const ACTIONS: Table = &[
    (
        "no action",
        "no action: the message is delivered normally (not spam)",
    ),
    (
        "greylist",
        "greylist: the sender was asked to try again later, to see whether it retries like a real server",
    ),
    (
        "add header",
        "add header: marked as spam with a header; the mailbox usually files it in Junk",
    ),
    (
        "rewrite subject",
        "rewrite subject: marked as spam by changing the Subject (for example `*** SPAM ***`)",
    ),
    (
        "soft reject",
        "soft reject: refused for now with a temporary error (for example a rate limit)",
    ),
    ("reject", "reject: refused as spam"),
];

/// Common rspamd symbols. `NAME*` matches a family.
pub(crate) const SYMBOLS: Table = &[
    (
        "BAYES_SPAM",
        "the Bayesian classifier says spam (the option is its probability)",
    ),
    ("BAYES_HAM", "the Bayesian classifier says ham (good mail)"),
    ("NEURAL_SPAM*", "the neural network says spam"),
    ("NEURAL_HAM*", "the neural network says ham (good mail)"),
    (
        "R_SPF_ALLOW",
        "SPF: the sending server is allowed by the sender's domain",
    ),
    (
        "R_SPF_FAIL",
        "SPF: the sending server is not allowed (-all)",
    ),
    (
        "R_SPF_SOFTFAIL",
        "SPF: the sending server is probably not allowed (~all)",
    ),
    (
        "R_SPF_NEUTRAL",
        "SPF: the domain makes no statement about this server (?all)",
    ),
    ("R_SPF_NA", "SPF: the sender's domain has no SPF record"),
    ("R_SPF_DNSFAIL", "SPF: the DNS lookup failed"),
    ("R_SPF_PERMFAIL", "SPF: the record is broken"),
    ("R_SPF_*", "an SPF check"),
    (
        "R_DKIM_ALLOW",
        "DKIM: a signature verified (the option is the domain and selector)",
    ),
    ("R_DKIM_REJECT", "DKIM: a signature failed to verify"),
    ("R_DKIM_NA", "DKIM: the message is not signed"),
    ("R_DKIM_TEMPFAIL", "DKIM: a temporary error (key lookup)"),
    (
        "R_DKIM_PERMFAIL",
        "DKIM: a permanent error (bad key or signature)",
    ),
    (
        "DKIM_TRACE",
        "the DKIM results per signing domain (+ pass, - fail, ? unknown)",
    ),
    ("DKIM_MIXED", "some DKIM signatures pass and some fail"),
    ("DKIM_*", "a DKIM check"),
    (
        "DMARC_POLICY_ALLOW",
        "DMARC passed (the option is the domain and its policy)",
    ),
    (
        "DMARC_POLICY_ALLOW_WITH_FAILURES",
        "DMARC passed although some checks failed",
    ),
    (
        "DMARC_POLICY_REJECT",
        "DMARC failed and the domain asks for reject",
    ),
    (
        "DMARC_POLICY_QUARANTINE",
        "DMARC failed and the domain asks for quarantine",
    ),
    (
        "DMARC_POLICY_SOFTFAIL",
        "DMARC failed and the domain only monitors (p=none)",
    ),
    ("DMARC_NA", "the From domain has no DMARC record"),
    ("DMARC_*", "a DMARC check"),
    ("ARC_ALLOW", "a valid ARC chain"),
    ("ARC_REJECT", "a broken ARC chain"),
    ("ARC_NA", "no ARC headers"),
    ("ARC_*", "an ARC check"),
    (
        "AUTH_NA",
        "no authentication result (neither SPF, DKIM nor DMARC)",
    ),
    (
        "ASN",
        "the sending IP's network (AS number, prefix, country): information",
    ),
    ("MIME_TRACE", "the MIME parts of the message: information"),
    ("MIME_GOOD", "the MIME structure looks normal"),
    (
        "MIME_HTML_ONLY",
        "the message is HTML only, without a plain-text part",
    ),
    (
        "MIME_BASE64_TEXT",
        "text encoded as base64, a spammer habit",
    ),
    ("MIME_*", "a feature of the MIME structure"),
    ("FROM_HAS_DN", "the From has a display name: information"),
    (
        "FROM_EQ_ENVFROM",
        "the From address equals the envelope sender",
    ),
    (
        "FROM_NEQ_ENVFROM",
        "the From address differs from the envelope sender",
    ),
    (
        "FORGED_SENDER",
        "the From address differs from the envelope sender, in a way that looks forged",
    ),
    ("FROM_*", "a test on the From header"),
    ("TO_DN_*", "a test on the display names in To"),
    (
        "TO_MATCH_ENVRCPT_*",
        "the To addresses match the envelope recipients",
    ),
    ("TO_*", "a test on the To header"),
    ("RCPT_COUNT_*", "how many recipients: information"),
    ("RCVD_COUNT_*", "how many Received headers: information"),
    ("RCVD_TLS_ALL", "every hop used TLS"),
    ("RCVD_TLS_LAST", "the last hop used TLS"),
    ("RCVD_NO_TLS_LAST", "the last hop did not use TLS"),
    (
        "RCVD_VIA_SMTP_AUTH",
        "the sender logged in to send (SMTP AUTH)",
    ),
    ("RCVD_IN_DNSWL_*", "a relay's IP is on the DNSWL allow list"),
    ("RCVD_*", "a test on the Received headers"),
    (
        "ONCE_RECEIVED",
        "only one Received header, typical of direct-to-MX spam",
    ),
    (
        "PREVIOUSLY_DELIVERED",
        "the message was already delivered once (a forward)",
    ),
    ("FORWARDED", "the message was forwarded"),
    (
        "MID_RHS_MATCH_FROM",
        "the Message-ID domain matches the From domain",
    ),
    ("MID_*", "a test on the Message-ID"),
    ("HAS_REPLYTO", "the message has a Reply-To"),
    ("REPLYTO_*", "a test on the Reply-To address"),
    (
        "HAS_LIST_UNSUB",
        "the message has a List-Unsubscribe header",
    ),
    (
        "HAS_X_*",
        "the message carries a header that often comes with bulk or hacked-site mail",
    ),
    ("HAS_*", "the message has a particular feature"),
    ("SUBJECT_*", "a test on the Subject"),
    ("SUBJ_*", "a test on the Subject"),
    (
        "BAD_REP_POLICIES",
        "the sender's domain passed authentication but has a bad reputation",
    ),
    (
        "MANY_INVISIBLE_PARTS",
        "many invisible parts, a way to hide text from readers",
    ),
    (
        "ZERO_FONT",
        "text in a zero-size font, hidden from the reader",
    ),
    (
        "R_PARTS_DIFFER",
        "the text and HTML parts say different things",
    ),
    (
        "URI_COUNT_ODD",
        "an odd number of links, typical of generated mail",
    ),
    (
        "HFILTER_*",
        "a test on the HELO name or host name of the sending server",
    ),
    (
        "RBL_SPAMHAUS_*",
        "the sending IP is on a Spamhaus block list",
    ),
    (
        "RECEIVED_SPAMHAUS_*",
        "a relay's IP is on a Spamhaus block list",
    ),
    ("RBL_*", "the sending IP is on a DNS block list"),
    ("RWL_*", "the sending IP is on an allow list"),
    (
        "DBL_*",
        "a link's domain is on the Spamhaus Domain Block List",
    ),
    (
        "DBLABUSED_*",
        "a link points at a legitimate domain abused by spammers (Spamhaus DBL)",
    ),
    ("SH_*", "listed by Spamhaus"),
    ("ABUSE_SURBL", "a link's domain is on the SURBL abuse list"),
    (
        "PH_SURBL_MULTI",
        "a link's domain is on the SURBL phishing list",
    ),
    ("SURBL_*", "a link's domain is on a SURBL list"),
    ("URIBL_*", "a link's domain is on a URI block list"),
    (
        "ZRD_*",
        "a link's domain was registered very recently (zero-reputation domain)",
    ),
    (
        "RBL_ZRD_*",
        "a link's domain was registered very recently (zero-reputation domain)",
    ),
    ("INVALUEMENT_*", "listed by invaluement (a block list)"),
    (
        "FUZZY_DENIED",
        "the message matches a fuzzy hash of known spam",
    ),
    ("FUZZY_*", "a fuzzy hash check against known spam"),
    (
        "PHISHING",
        "a link's text shows one domain while it leads to another",
    ),
    (
        "R_SUSPICIOUS_URL",
        "a suspicious link (for example an obfuscated address)",
    ),
    ("MISSING_*", "a header that should be there is missing"),
    ("FREEMAIL_*", "a free mail provider address in the headers"),
    (
        "MV_CASE",
        "the MIME-Version header is written in an odd case, a sign of a spam tool",
    ),
    ("INTRODUCTION", "the text looks like a cold introduction"),
    (
        "VIOLATED_DIRECT_SPF",
        "a single-hop message from a server SPF does not allow",
    ),
    ("TAGGED_FROM", "the sender address has a +tag"),
    (
        "AUTOGEN_PHP_SPAMMY",
        "generated by a PHP script in a way typical of spam",
    ),
];

/// rspamd's headers (other than the shared `X-Spam-*` ones).
fn is_rspamd_name(h: &HeaderField) -> bool {
    let n = h.name.as_bytes();
    h.is(RESULT) || h.is(BAR) || (n.len() >= 8 && n[..8].eq_ignore_ascii_case(b"X-Rspamd"))
}

/// Whether an `X-Spam-Status` looks like SpamAssassin's (`required=`, `tests=`, `hits=`).
fn looks_like_spamassassin(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    v.contains("required=") || v.contains("tests=") || v.contains("hits=")
}

/// The shared `X-Spam-*` headers that rspamd wrote in this message (indexes, sorted): only when
/// rspamd's own headers are present and nothing marks them as SpamAssassin's.
pub(crate) fn owned(headers: &[HeaderField]) -> Vec<usize> {
    if !headers.iter().any(is_rspamd_name) {
        return Vec::new();
    }
    let spamassassin = headers.iter().any(|h| {
        h.is("X-Spam-Checker-Version")
            || h.is("X-Spam-Report")
            || (h.is(SPAM_STATUS) && looks_like_spamassassin(&h.value))
    });
    headers
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            (h.is(SPAM_STATUS) && !looks_like_spamassassin(&h.value))
                || h.is(SPAM_GENERIC)
                || (!spamassassin && (h.is(SPAM_LEVEL) || h.is(SPAM_FLAG)))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Split at `;` outside `[...]` and `(...)`, in linear time.
fn split_symbols(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                out.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(value[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

/// `SYMBOL(score)[options]` -> (name, score, options).
fn parse_symbol(part: &str) -> (&str, &str, &str) {
    let open = part.find(['(', '[']).unwrap_or(part.len());
    let name = part[..open].trim();
    let rest = &part[open..];
    let (score, rest) = match rest.strip_prefix('(') {
        Some(r) => match r.find(')') {
            Some(close) => (r[..close].trim(), &r[close + 1..]),
            None => (r.trim(), ""),
        },
        None => ("", rest),
    };
    let options = rest
        .trim()
        .strip_prefix('[')
        .map(|o| o.strip_suffix(']').unwrap_or(o))
        .unwrap_or("");
    (name, score, options)
}

/// The metric part of `X-Spamd-Result`: its name, whether the action is reject, the score and
/// the reject threshold (as written).
type Metric<'a> = (&'a str, Option<bool>, Option<&'a str>, Option<&'a str>);

/// The metric part: `default: False [3.40 / 15.00]` -> (metric, reject?, score, threshold).
fn parse_metric(part: &str) -> Option<Metric<'_>> {
    let (metric, rest) = part.split_once(':')?;
    if metric.contains('(') || metric.contains('[') {
        return None;
    }
    let rest = rest.trim();
    let (flag, nums) = match rest.split_once('[') {
        Some((f, n)) => (f.trim(), n.trim_end().trim_end_matches(']')),
        None => (rest, ""),
    };
    let mut it = nums.split('/').map(str::trim);
    let score = it.next().filter(|s| number(s).is_some());
    let threshold = it.next().filter(|s| number(s).is_some());
    Some((metric.trim(), yes_no(flag), score, threshold))
}

/// Decode every rspamd pass.
pub(super) fn decode(headers: &[HeaderField], out: &mut Vec<Verdict>) {
    let owned = owned(headers);
    let mut companions = indexes(
        headers,
        &[
            ACTION, SCORE, SERVER, QUEUE_ID, PRE_RESULT, STATUS_ALT, BAR, BAR_ALT, FLAG_ALT,
        ],
    );
    companions.extend(owned.iter().copied());
    companions.sort_unstable();
    companions.dedup();
    let anchors = anchors_or_fallback(
        headers,
        &[RESULT, RESULT_ALT],
        &[
            ACTION,
            SCORE,
            STATUS_ALT,
            SPAM_STATUS,
            PRE_RESULT,
            BAR,
            FLAG_ALT,
            SPAM_GENERIC,
            SERVER,
        ],
        &mut companions,
    );
    for (anchor, related) in group(&anchors, &companions) {
        out.push(verdict(headers, anchor, related));
    }
}

fn verdict(headers: &[HeaderField], anchor: usize, related: Vec<usize>) -> Verdict {
    let mut order = vec![anchor];
    order.extend(related.iter().copied());
    let mut fields: Vec<VerdictField> = Vec::new();
    let mut action: Option<String> = None;
    let mut flag: Option<bool> = None;
    let mut reject: Option<bool> = None;
    let mut score: Option<String> = None;
    let mut threshold: Option<String> = None;
    let mut host: Option<String> = None;
    let mut weighted: Vec<(String, f64)> = Vec::new();
    for &i in &order {
        let h = &headers[i];
        let name = h.name.as_str();
        let value = h.value.as_str();
        if h.is(RESULT) || h.is(RESULT_ALT) {
            for (n, part) in split_symbols(value).into_iter().enumerate() {
                if n == 0
                    && let Some((metric, r, sc, th)) = parse_metric(part)
                {
                    let shown = part.split_once(':').map(|(_, v)| v.trim()).unwrap_or("");
                    fields.push(known(
                        name,
                        metric,
                        shown,
                        "the result: True when the action is reject; then the score and the reject threshold",
                    ));
                    reject = reject.or(r);
                    score = score.or(sc.map(str::to_string));
                    threshold = threshold.or(th.map(str::to_string));
                    continue;
                }
                let (sym, sc, opts) = parse_symbol(part);
                if sym.is_empty() {
                    continue;
                }
                let shown = if opts.is_empty() {
                    sc.to_string()
                } else {
                    format!("{sc} [{opts}]")
                };
                if let Some(x) = number(sc) {
                    weighted.push((sym.to_string(), x));
                }
                fields.push(match lookup(SYMBOLS, sym) {
                    Some(m) => known(name, sym, &shown, m),
                    None => unknown(name, sym, &shown),
                });
            }
        } else if h.is(ACTION) {
            fields.push(coded(name, name, value, "the action rspamd chose", ACTIONS));
            action = action.or(Some(value.trim().to_ascii_lowercase()));
        } else if h.is(PRE_RESULT) {
            // `action=add header; module=dmarc; Action set by DMARC`
            let forced = super::semicolon_parts(value)
                .map(|p| key_value(p, '='))
                .find(|(k, _)| k.eq_ignore_ascii_case("action"))
                .map(|(_, v)| v.to_ascii_lowercase());
            fields.push(known(
                name,
                name,
                value,
                "an action forced by a module before scoring (the pre-result)",
            ));
            if action.is_none() {
                action = forced;
            }
        } else if h.is(SCORE) {
            fields.push(known(name, name, value, "the total score"));
            if number(value).is_some() {
                score = score.or(Some(value.trim().to_string()));
            }
        } else if h.is(SERVER) {
            fields.push(known(
                name,
                name,
                value,
                "the rspamd server that scanned the message",
            ));
            let v = value.trim();
            if !v.is_empty() {
                host = Some(clip(v, 80));
            }
        } else if h.is(QUEUE_ID) {
            fields.push(known(
                name,
                name,
                value,
                "rspamd's id for the message, for its logs",
            ));
        } else if h.is(SPAM_STATUS) || h.is(STATUS_ALT) {
            // `Yes, score=11.10`
            let (f, rest) = value.split_once(',').unwrap_or((value, ""));
            fields.push(known(
                name,
                name,
                value,
                "rspamd's spam status: Yes when the action marks the message as spam, and the score",
            ));
            flag = flag.or(yes_no(f));
            if let Some(sc) = rest
                .split_whitespace()
                .find_map(|t| t.strip_prefix("score="))
                .filter(|s| number(s).is_some())
            {
                score = score.or(Some(sc.to_string()));
            }
        } else if h.is(SPAM_GENERIC) || h.is(SPAM_FLAG) || h.is(FLAG_ALT) {
            let m = match yes_no(value) {
                Some(true) => Some("rspamd marked the message as spam".to_string()),
                Some(false) => Some("rspamd did not mark the message as spam".to_string()),
                None => None,
            };
            let ok = m.is_some();
            fields.push(field(name, name, value, m, ok));
            flag = flag.or(yes_no(value));
        } else if h.is(BAR) || h.is(BAR_ALT) || h.is(SPAM_LEVEL) {
            let n = value.trim().chars().count();
            let m = if value.trim() == "/" {
                "the score as a bar: `/` means about zero".to_string()
            } else if value.trim_start().starts_with('-') {
                format!("the score as a bar: {n} characters below zero")
            } else {
                format!("the score as a bar: one character per point, {n}")
            };
            fields.push(field(name, name, value, Some(m), true));
        }
    }
    let score_n = score.as_deref().and_then(number);
    let threshold_n = threshold.as_deref().and_then(number);
    let by_action = action.as_deref().and_then(|a| match a {
        "no action" => Some(NOT_SPAM),
        "greylist" | "soft reject" => Some(SUSPICIOUS),
        "add header" | "rewrite subject" | "reject" => Some(SPAM),
        _ => None,
    });
    let word = by_action
        .or(match flag {
            Some(true) => Some(SPAM),
            Some(false) => Some(NOT_SPAM),
            None => None,
        })
        .or(if reject == Some(true) {
            Some(SPAM)
        } else {
            None
        })
        .unwrap_or(match (score_n, threshold_n) {
            (Some(s), Some(t)) if s >= t => SPAM,
            (Some(s), _) if s >= DEFAULT_ADD_HEADER => SUSPICIOUS,
            (Some(_), _) => NOT_SPAM,
            (None, _) => UNKNOWN,
        });
    let system = match &host {
        Some(h) => format!("rspamd on {h}"),
        None => "rspamd".to_string(),
    };
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<String> = weighted
        .iter()
        .filter(|(_, p)| *p > 0.0)
        .take(3)
        .map(|(t, p)| format!("{} +{}", clip(t, 40), super::spamassassin::trim_number(*p)))
        .collect();
    let mut basis = Vec::new();
    if let Some(a) = &action {
        basis.push(format!("action {}", clip(a, 24)));
    }
    if let Some(s) = &score {
        basis.push(format!("score {}", show(s)));
    }
    if let Some(t) = &threshold {
        basis.push(format!("reject at {}", show(t)));
    }
    if action.is_none()
        && let Some(f) = flag
    {
        basis.push(format!("X-Spam {}", if f { "Yes" } else { "No" }));
    }
    let mut basis = basis.join(", ");
    if word != NOT_SPAM && !top.is_empty() {
        basis.push_str(if basis.is_empty() { "" } else { "; " });
        basis.push_str(&top.join(", "));
    }
    let score_field = match (&score, &threshold) {
        (Some(s), Some(t)) => Some(format!("{}/{}", show(s), show(t))),
        (Some(s), None) => Some(show(s)),
        _ => None,
    };
    let scored = match (&score, &threshold) {
        (Some(s), Some(t)) => format!("scored this {} (it rejects at {})", show(s), show(t)),
        (Some(s), None) => format!("scored this {}", show(s)),
        _ => "scanned this".to_string(),
    };
    let action_text = action
        .as_deref()
        .and_then(|a| lookup(ACTIONS, a))
        .map(|m| format!(" and chose {m}"))
        .unwrap_or_default();
    let mut summary = match word {
        SPAM if action_text.is_empty() => format!("{system} {scored} and marked it as spam"),
        NOT_SPAM if action_text.is_empty() => format!("{system} {scored}: not spam"),
        SUSPICIOUS if action_text.is_empty() => format!(
            "{system} {scored}: above rspamd's default add-header score of {DEFAULT_ADD_HEADER}, so suspicious"
        ),
        UNKNOWN if action_text.is_empty() => {
            format!("{system} {scored} but left no verdict mailtrace can read")
        }
        _ => format!("{system} {scored}{action_text}"),
    };
    if word != NOT_SPAM && !top.is_empty() {
        summary.push_str("; most points from ");
        summary.push_str(&top.join(", "));
    }
    Verdict {
        system,
        related,
        verdict: word.to_string(),
        score: score_field,
        basis,
        summary,
        fields,
        ..Verdict::anchored("rspamd", headers, anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::super::test_support::{get, headers};
    use super::*;

    #[test]
    fn spamd_result_with_action_and_server() {
        let h = headers(&[
            "X-Rspamd-Server: mx.example.org",
            "X-Rspamd-Queue-Id: 4QXcq41trPz9vNPp",
            "X-Spamd-Result: default: False [11.20 / 15.00]; ABUSE_SURBL(5.50)[deals.example:url]; BAYES_SPAM(5.10)[99.87%]; MIME_HTML_ONLY(0.20)[]; R_SPF_NA(0.00)[no SPF record]; ZZ_LOCAL(0.40)[]; ASN(0.00)[asn:64500, ipnet:198.51.100.0/24, country:ZZ]",
            "X-Rspamd-Action: add header",
            "X-Spam: Yes",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.vendor, "rspamd");
        assert_eq!(v.system, "rspamd on mx.example.org");
        assert_eq!(v.header_index, 2);
        assert_eq!(v.related, vec![0, 1, 3, 4]);
        assert_eq!(v.verdict, "spam");
        assert_eq!(v.score.as_deref(), Some("11.20/15.00"));
        assert_eq!(
            v.basis,
            "action add header, score 11.20, reject at 15.00; ABUSE_SURBL +5.5, BAYES_SPAM +5.1, ZZ_LOCAL +0.4"
        );
        assert_eq!(
            v.summary,
            "rspamd on mx.example.org scored this 11.20 (it rejects at 15.00) and chose add header: marked as spam with a header; the mailbox usually files it in Junk; most points from ABUSE_SURBL +5.5, BAYES_SPAM +5.1, ZZ_LOCAL +0.4"
        );
        let bayes = get(v, "BAYES_SPAM");
        assert_eq!(bayes.value, "5.10 [99.87%]");
        assert!(bayes.known);
        let asn = get(v, "ASN");
        assert_eq!(
            asn.value,
            "0.00 [asn:64500, ipnet:198.51.100.0/24, country:ZZ]"
        );
        assert!(!get(v, "ZZ_LOCAL").known);
        assert_eq!(get(v, "ZZ_LOCAL").value, "0.40");
        assert_eq!(get(v, "default").value, "False [11.20 / 15.00]");
    }

    #[test]
    fn rspamd_x_spam_status_is_not_spamassassin() {
        let h = headers(&[
            "X-Rspamd-Status: No, score=0.04",
            "X-Rspamd-Result: default: False [0.04 / 6.00]; MV_CASE(0.50)[]; DMARC_POLICY_ALLOW(-0.50)[example.net,none]",
            "X-Spam-Status: No, score=0.04",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 1, "{v:#?}");
        let v = &v[0];
        assert_eq!(v.vendor, "rspamd");
        assert_eq!(v.verdict, "not-spam");
        assert_eq!(
            v.summary,
            "rspamd scored this 0.04 (it rejects at 6.00): not spam"
        );
        assert_eq!(v.related, vec![0, 2]);
    }

    #[test]
    fn spamassassin_and_rspamd_side_by_side() {
        let h = headers(&[
            "X-Spamd-Result: default: False [1.00 / 15.00]; BAYES_HAM(-3.00)[99.99%]",
            "X-Spam-Status: No, score=-1.9 required=5.0 tests=BAYES_00 autolearn=ham version=3.4.6",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].vendor, "rspamd");
        assert_eq!(v[1].vendor, "spamassassin");
    }

    #[test]
    fn score_only_and_thresholds() {
        let v = decode(&headers(&[
            "X-Spamd-Result: default: False [8.61 / 25.00]; ZRD_VERY_FRESH_DOMAIN(7.00)[x.example:url]",
        ]));
        assert_eq!(v[0].verdict, "suspicious");
        let v = decode(&headers(&["X-Spamd-Result: default: True [30.00 / 25.00]"]));
        assert_eq!(v[0].verdict, "spam");
        let v = decode(&headers(&[
            "X-Rspamd-Action: greylist",
            "X-Rspamd-Score: 4.5",
        ]));
        assert_eq!(v[0].verdict, "suspicious");
        assert_eq!(v[0].score.as_deref(), Some("4.5"));
        let v = decode(&headers(&[
            "X-Rspamd-Pre-Result: action=add header; module=dmarc; Action set by DMARC",
            "X-Spam: Yes",
        ]));
        assert_eq!(v[0].verdict, "spam");
        assert_eq!(v[0].basis, "action add header");
    }

    #[test]
    fn symbol_parsing() {
        assert_eq!(parse_symbol("A(1.0)[x; y]"), ("A", "1.0", "x; y"));
        assert_eq!(parse_symbol("B"), ("B", "", ""));
        assert_eq!(parse_symbol("C(2"), ("C", "2", ""));
        assert_eq!(parse_symbol("D[opt]"), ("D", "", "opt"));
        assert_eq!(
            split_symbols("a; b[1;2]; c(3;4)"),
            vec!["a", "b[1;2]", "c(3;4)"]
        );
        assert_eq!(
            parse_metric("default: False [3.40 / 15.00]"),
            Some(("default", Some(false), Some("3.40"), Some("15.00")))
        );
    }
}
