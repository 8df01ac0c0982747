//! Cisco Secure Email (IronPort ESA): `X-IronPort-Anti-Spam-Filtered`,
//! `X-IronPort-Anti-Spam-Result`, `X-IronPort-AV` (`E=Sophos;i="...";d="scan'208";a="..."`),
//! `X-SBRS` (the SenderBase reputation of the connecting IP), the sender group and mail flow
//! policy headers, `X-Amp-Result` (Advanced Malware Protection), `X-IronPort-Outbreak-Status`,
//! and the encoded `IronPort-SDR`, `IronPort-Data`, `IronPort-HdrOrdr`, `IronPort-PHdr`.
//!
//! IronPort does not write its spam verdict in plain words by default: the anti-spam result is
//! encoded for Cisco's own tools, so the verdict is usually `unknown` and the summary says what
//! can be read (that it was filtered, the sender's reputation, the anti-virus engine). An AMP
//! `MALICIOUS` result or a virus named in `X-IronPort-AV` means malware; a sender in the
//! SUSPECTLIST group or a reputation at or below -3 makes the message suspicious.

use super::{
    MALWARE, NOT_SPAM, SUSPICIOUS, Table, UNKNOWN, Verdict, VerdictField, anchors_or_fallback,
    clip, coded, group, indexes, key_value, known, number, semicolon_parts, unknown,
};
use crate::parse::HeaderField;

const FILTERED: &str = "X-IronPort-Anti-Spam-Filtered";
const RESULT: &str = "X-IronPort-Anti-Spam-Result";
const AV: &str = "X-IronPort-AV";
const SBRS: &str = "X-SBRS";
const REPUTATION: &str = "X-IronPort-Reputation";
const REMOTE_IP: &str = "X-IronPort-RemoteIP";
const MID: &str = "X-IronPort-MID";
const SENDER_GROUP: &str = "X-IronPort-SenderGroup";
const POLICY: &str = "X-Policy";
const MAIL_FLOW: &str = "X-IronPort-MailFlowPolicy";
const AMP: &str = "X-Amp-Result";
const AMP_UPLOADED: &str = "X-Amp-File-Uploaded";
const OUTBREAK: &str = "X-IronPort-Outbreak-Status";
const ENCODED: &[&str] = &[
    "IronPort-SDR",
    "IronPort-Data",
    "IronPort-HdrOrdr",
    "IronPort-PHdr",
];

/// The reputation at or below which mailtrace calls the sender suspicious (Cisco's default
/// BLOCKED_LIST sender group covers -10 to -3).
const BAD_REPUTATION: f64 = -3.0;

/// `X-IronPort-AV` keys.
const AV_KEYS: Table = &[
    ("E", "the anti-virus engine that scanned the message"),
    ("i", "the engine's version information"),
    (
        "d",
        "details of what was scanned (`scan` = the message was scanned)",
    ),
    (
        "a",
        "an id or action code the appliance added (not documented)",
    ),
    ("v", "the names of the viruses found"),
    (
        "e",
        "scanning errors (u unscannable, e encrypted, t timeout, f fatal)",
    ),
];

/// Default sender groups and mail flow policies.
const GROUPS: Table = &[
    (
        "ALLOWED_LIST",
        "a sender group the organisation trusts (allow list)",
    ),
    (
        "WHITELIST",
        "a sender group the organisation trusts (allow list)",
    ),
    ("BLOCKED_LIST", "a sender group that is blocked"),
    ("BLACKLIST", "a sender group that is blocked"),
    (
        "SUSPECTLIST",
        "a sender group of suspect senders (poor reputation, throttled)",
    ),
    (
        "UNKNOWNLIST",
        "the sender group of senders with no clear reputation",
    ),
    ("ACCEPTLIST", "a sender group that is accepted"),
    (
        "RELAYLIST",
        "the sender group of servers allowed to relay (outgoing mail)",
    ),
    ("ACCEPTED", "the mail flow policy that accepts the message"),
    (
        "THROTTLED",
        "the mail flow policy that slows the sender down",
    ),
    (
        "TRUSTED",
        "the mail flow policy for trusted senders (spam filtering may be skipped)",
    ),
    ("BLOCKED", "the mail flow policy that refuses the sender"),
    ("RELAYED", "the mail flow policy for relaying outgoing mail"),
];

/// `X-Amp-Result` values.
const AMP_RESULTS: Table = &[
    ("CLEAN", "no malware found"),
    ("MALICIOUS", "malware found"),
    ("UNKNOWN", "the attachments could not be classified"),
    ("UNSCANNABLE", "the attachments could not be scanned"),
];

/// Decode every IronPort pass.
pub(super) fn decode(headers: &[HeaderField], out: &mut Vec<Verdict>) {
    let mut names = vec![
        RESULT,
        AV,
        SBRS,
        REPUTATION,
        REMOTE_IP,
        MID,
        SENDER_GROUP,
        POLICY,
        MAIL_FLOW,
        AMP,
        AMP_UPLOADED,
        OUTBREAK,
    ];
    names.extend_from_slice(ENCODED);
    let mut companions = indexes(headers, &names);
    let anchors = anchors_or_fallback(
        headers,
        &[FILTERED],
        &[RESULT, AV, SBRS, AMP, OUTBREAK, SENDER_GROUP],
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
    let mut filtered = false;
    let mut reputation: Option<String> = None;
    let mut malware: Option<String> = None;
    let mut engine: Option<String> = None;
    let mut group_name: Option<String> = None;
    let mut amp_clean = false;
    for &i in &order {
        let h = &headers[i];
        let name = h.name.as_str();
        let value = h.value.as_str();
        if h.is(FILTERED) {
            fields.push(known(
                name,
                name,
                value,
                "the anti-spam engine scanned the message (`true`)",
            ));
            filtered |= value.trim().eq_ignore_ascii_case("true");
        } else if h.is(RESULT) {
            fields.push(known(
                name,
                name,
                value,
                "the anti-spam engine's result, encoded for Cisco's own tools (not readable)",
            ));
        } else if h.is(AV) {
            for part in semicolon_parts(value) {
                let (k, v) = key_value(part, '=');
                let v = v.trim_matches('"');
                // exact case: `E` (engine) and `e` (errors) differ
                match AV_KEYS.iter().find(|(c, _)| *c == k).map(|(_, m)| *m) {
                    Some(m) => fields.push(known(name, k, v, m)),
                    None => fields.push(unknown(name, k, v)),
                }
                match k {
                    "E" if engine.is_none() && !v.is_empty() => engine = Some(clip(v, 30)),
                    "v" if !v.is_empty() => malware = Some(clip(v, 60)),
                    _ => {}
                }
            }
        } else if h.is(SBRS) || h.is(REPUTATION) {
            let m = match number(value) {
                Some(_) => {
                    "the SenderBase reputation of the connecting IP, from -10 (worst) to +10 (best); Cisco's default sender groups block -10 to -3 and throttle -3 to -1"
                }
                None if value.trim().eq_ignore_ascii_case("none") => {
                    "the SenderBase reputation of the connecting IP: none (no data about this IP)"
                }
                None => "the SenderBase reputation of the connecting IP (not a number here)",
            };
            fields.push(known(name, name, value, m));
            if number(value).is_some() {
                reputation = reputation.or(Some(value.trim().to_string()));
            }
        } else if h.is(SENDER_GROUP) || h.is(POLICY) || h.is(MAIL_FLOW) {
            fields.push(coded(
                name,
                name,
                value,
                "the sender group or mail flow policy the connection matched",
                GROUPS,
            ));
            if h.is(SENDER_GROUP) {
                group_name = Some(value.trim().to_ascii_uppercase());
            }
        } else if h.is(AMP) {
            fields.push(coded(
                name,
                name,
                value,
                "Advanced Malware Protection",
                AMP_RESULTS,
            ));
            match value.trim().to_ascii_uppercase().as_str() {
                "MALICIOUS" => malware = malware.or(Some("AMP: MALICIOUS".to_string())),
                "CLEAN" => amp_clean = true,
                _ => {}
            }
        } else if h.is(AMP_UPLOADED) {
            fields.push(known(
                name,
                name,
                value,
                "whether an attachment was sent to Cisco's sandbox for analysis",
            ));
        } else if h.is(OUTBREAK) {
            fields.push(known(
                name,
                name,
                value,
                "Outbreak Filters: whether the message resembles a new virus or phishing outbreak",
            ));
        } else if h.is(REMOTE_IP) {
            fields.push(known(
                name,
                name,
                value,
                "the connecting IP address the appliance saw",
            ));
        } else if h.is(MID) {
            fields.push(known(
                name,
                name,
                value,
                "the appliance's message id, for its logs",
            ));
        } else if ENCODED.iter().any(|n| h.is(n)) {
            fields.push(known(
                name,
                name,
                value,
                "data encoded by Cisco's appliance for its own analysis (not readable)",
            ));
        }
    }
    let rep = reputation.as_deref().and_then(number);
    let word = if malware.is_some() {
        MALWARE
    } else if rep.is_some_and(|r| r <= BAD_REPUTATION)
        || group_name.as_deref() == Some("SUSPECTLIST")
    {
        SUSPICIOUS
    } else if amp_clean && !filtered {
        NOT_SPAM
    } else {
        UNKNOWN
    };
    let mut basis = Vec::new();
    if filtered {
        basis.push("X-IronPort-Anti-Spam-Filtered: true".to_string());
    }
    if let Some(r) = &reputation {
        basis.push(format!("SBRS {}", clip(r, 8)));
    }
    if let Some(g) = &group_name {
        basis.push(format!("sender group {}", clip(g, 24)));
    }
    if let Some(m) = &malware {
        basis.push(format!("virus {m}"));
    }
    let basis = basis.join(", ");
    let rep_text = match &reputation {
        Some(r) => format!("; the connecting IP's reputation (SBRS) is {}", clip(r, 8)),
        None => String::new(),
    };
    let summary = match word {
        MALWARE => format!(
            "Cisco IronPort found malware in this ({})",
            malware.as_deref().unwrap_or("")
        ),
        SUSPICIOUS => format!("Cisco IronPort saw a sender with a poor reputation ({basis})"),
        NOT_SPAM => "Cisco IronPort's malware scan found nothing (AMP: CLEAN)".to_string(),
        _ if filtered => format!(
            "Cisco IronPort scanned this for spam, but its verdict is encoded (X-IronPort-Anti-Spam-Result) and cannot be read{rep_text}"
        ),
        _ => match &engine {
            Some(e) => format!(
                "Cisco IronPort scanned this for viruses ({e}) and left no readable spam verdict{rep_text}"
            ),
            None => format!("Cisco IronPort handled this and left no readable verdict{rep_text}"),
        },
    };
    Verdict {
        system: "Cisco IronPort".to_string(),
        related,
        verdict: word.to_string(),
        score: reputation
            .as_deref()
            .map(|r| format!("SBRS {}", clip(r, 8))),
        basis,
        summary,
        fields,
        ..Verdict::anchored("ironport", headers, anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::super::test_support::{get, headers};

    #[test]
    fn filtered_with_av_and_reputation() {
        let v = decode(&headers(&[
            "X-IronPort-Anti-Spam-Filtered: true",
            "X-IronPort-Anti-Spam-Result: A0AuAgAKJm1d/yz6ZwpmHAEBAQQBAQcEAQGBU4EQ",
            "X-IronPort-AV: E=Sophos;i=\"6.15,315,1739833200\"; d=\"scan'208,217\";a=\"56041275\"",
            "X-SBRS: 3.5",
        ]));
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.vendor, "ironport");
        assert_eq!(v.header_index, 0);
        assert_eq!(v.related, vec![1, 2, 3]);
        assert_eq!(v.verdict, "unknown");
        assert_eq!(v.score.as_deref(), Some("SBRS 3.5"));
        assert_eq!(
            v.summary,
            "Cisco IronPort scanned this for spam, but its verdict is encoded (X-IronPort-Anti-Spam-Result) and cannot be read; the connecting IP's reputation (SBRS) is 3.5"
        );
        assert_eq!(get(v, "E").value, "Sophos");
        assert_eq!(get(v, "d").value, "scan'208,217");
        assert!(v.fields.iter().all(|f| f.known), "{:#?}", v.fields);
    }

    #[test]
    fn malware_and_bad_reputation() {
        let v = decode(&headers(&[
            "X-IronPort-AV: E=Sophos;i=\"5.64\";v=\"Troj/Agent-ABC\";d=\"scan'208\"",
            "X-Amp-Result: MALICIOUS",
        ]));
        assert_eq!(v[0].verdict, "malware");
        assert_eq!(v[0].header, "X-IronPort-AV");
        let v = decode(&headers(&[
            "X-SBRS: -4.2",
            "X-IronPort-Anti-Spam-Filtered: true",
        ]));
        assert_eq!(v[0].verdict, "suspicious");
        assert_eq!(v[0].basis, "X-IronPort-Anti-Spam-Filtered: true, SBRS -4.2");
        let v = decode(&headers(&[
            "X-IronPort-AV: i=\"3.97,170,1125903600\";  d=\"scan'208\"; a=\"663225955:sNHT21674088\"",
        ]));
        assert_eq!(v[0].verdict, "unknown");
        assert!(v[0].summary.starts_with("Cisco IronPort handled this"));
    }
}
