//! Mimecast: `X-Mimecast-Spam-Score`, `X-Mimecast-Spam-Signature`, `X-Mimecast-Bulk-Signature`,
//! `X-Mimecast-Impersonation-Protect` (which impersonation checks hit), and the tracking headers
//! `X-Mimecast-Originator`, `X-Mimecast-MFC-AGG-ID`, `X-Mimecast-MFC-PROC-ID`, `X-MC-Unique`.
//!
//! Mimecast documents its spam score only in words: the higher the score, the more spam
//! characteristics; a score of 28 or more is rejected during the SMTP conversation whatever the
//! policy says, so delivered mail scores lower. Whether a lower score is held depends on the
//! spam-scanning level the organisation chose, which the headers do not show: mailtrace calls a
//! score from 3 to 27 `suspicious` (a strict level may hold it) and lower ones `not-spam`. The
//! spam signature is written on ordinary mail too (`yes`), so only `bulk` is taken as a verdict.
//! Impersonation Protect lists its checks as `Name=true|false`; any `true` makes the message
//! suspicious.

use super::{
    BULK, NOT_SPAM, SPAM, SUSPICIOUS, Table, UNKNOWN, Verdict, VerdictField, anchors_or_fallback,
    clip, coded, group, indexes, key_value, known, lookup, number, semicolon_parts, show, unknown,
    yes_no,
};
use crate::parse::HeaderField;

const SCORE: &str = "X-Mimecast-Spam-Score";
const SIGNATURE: &str = "X-Mimecast-Spam-Signature";
const BULK_SIGNATURE: &str = "X-Mimecast-Bulk-Signature";
const IMPERSONATION: &str = "X-Mimecast-Impersonation-Protect";
const ORIGINATOR: &str = "X-Mimecast-Originator";
const AGG_ID: &str = "X-Mimecast-MFC-AGG-ID";
const PROC_ID: &str = "X-Mimecast-MFC-PROC-ID";
const UNIQUE: &str = "X-MC-Unique";

/// A score at or above this is rejected in the SMTP conversation.
const REJECT_SCORE: f64 = 28.0;
/// From this score on, mailtrace calls the message suspicious.
const SUSPICIOUS_SCORE: f64 = 3.0;

/// `X-Mimecast-Spam-Signature` values.
const SIGNATURES: Table = &[
    ("bulk", "the message matched a bulk-mail signature"),
    (
        "yes",
        "the spam-signature check ran (written on ordinary mail too, so not a spam verdict by itself)",
    ),
    ("no", "no spam signature matched"),
];

/// The Impersonation Protect checks.
const CHECKS: Table = &[
    (
        "Policy",
        "the Impersonation Protection definition that applied",
    ),
    (
        "Similar Internal Domain",
        "the sender's domain looks like one of the organisation's own domains",
    ),
    (
        "Similar Monitored External Domain",
        "the sender's domain looks like a monitored external domain",
    ),
    (
        "Custom External Domain",
        "the sender's domain looks like a domain on the organisation's custom list",
    ),
    (
        "Mimecast External Domain",
        "the sender's domain looks like a domain on Mimecast's list of often-impersonated domains",
    ),
    (
        "Newly Observed Domain",
        "Mimecast has not seen mail from the sender's domain before",
    ),
    (
        "Internal User Name",
        "the sender's display name is the name of someone in the organisation",
    ),
    (
        "Custom Display Name List",
        "the sender's display name is on the organisation's list of protected names",
    ),
    (
        "Reply-to Address Mismatch",
        "the Reply-To address differs from the From address",
    ),
    (
        "Targeted Threat Dictionary",
        "the text has words from the organisation's threat dictionary (for example invoice, urgent payment)",
    ),
    (
        "Mimecast Threat Dictionary",
        "the text has words from Mimecast's threat dictionary",
    ),
    (
        "Custom Threat Dictionary",
        "the text has words from a custom threat dictionary",
    ),
];

/// Decode every Mimecast pass.
pub(super) fn decode(headers: &[HeaderField], out: &mut Vec<Verdict>) {
    let mut companions = indexes(
        headers,
        &[
            SIGNATURE,
            BULK_SIGNATURE,
            IMPERSONATION,
            ORIGINATOR,
            AGG_ID,
            PROC_ID,
            UNIQUE,
        ],
    );
    let anchors = anchors_or_fallback(
        headers,
        &[SCORE],
        &[IMPERSONATION, BULK_SIGNATURE, SIGNATURE],
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
    let mut score: Option<String> = None;
    let mut bulk = false;
    let mut hits: Vec<String> = Vec::new();
    for &i in &order {
        let h = &headers[i];
        let name = h.name.as_str();
        let value = h.value.as_str();
        if h.is(SCORE) {
            let m = match number(value) {
                Some(_) => {
                    "Mimecast's spam score: the higher, the more spam characteristics (28 and above is rejected outright)"
                }
                None => "Mimecast's spam score (not a number here)",
            };
            fields.push(known(name, name, value, m));
            if number(value).is_some() {
                score = score.or(Some(value.trim().to_string()));
            }
        } else if h.is(SIGNATURE) {
            fields.push(coded(
                name,
                name,
                value,
                "the spam-signature check",
                SIGNATURES,
            ));
            bulk |= value.trim().eq_ignore_ascii_case("bulk");
        } else if h.is(BULK_SIGNATURE) {
            let m = match yes_no(value) {
                Some(true) => "the message matched a bulk-mail signature",
                Some(false) => "no bulk-mail signature matched",
                None => "the bulk-mail signature check",
            };
            fields.push(known(name, name, value, m));
            bulk |= yes_no(value) == Some(true);
        } else if h.is(IMPERSONATION) {
            for part in semicolon_parts(value) {
                let (k, v) = key_value(part, '=');
                match lookup(CHECKS, k) {
                    Some(m) if k.eq_ignore_ascii_case("Policy") => {
                        fields.push(known(name, k, v, m))
                    }
                    Some(m) => {
                        let hit = yes_no(v);
                        if hit == Some(true) {
                            hits.push(clip(k, 40));
                        }
                        let state = match hit {
                            Some(true) => "hit: ",
                            Some(false) => "no: ",
                            None => "",
                        };
                        fields.push(known(name, k, v, &format!("{state}{m}")));
                    }
                    None => {
                        if yes_no(v) == Some(true) {
                            hits.push(clip(k, 40));
                        }
                        fields.push(unknown(name, k, v));
                    }
                }
            }
        } else if h.is(ORIGINATOR) {
            fields.push(known(
                name,
                name,
                value,
                "the domain Mimecast counts the message as sent from",
            ));
        } else if h.is(AGG_ID) || h.is(PROC_ID) || h.is(UNIQUE) {
            fields.push(known(
                name,
                name,
                value,
                "Mimecast's id for the message, for its logs",
            ));
        }
    }
    let score_n = score.as_deref().and_then(number);
    let word = if !hits.is_empty() {
        SUSPICIOUS
    } else if score_n.is_some_and(|s| s >= REJECT_SCORE) {
        SPAM
    } else if bulk {
        BULK
    } else {
        match score_n {
            Some(s) if s >= SUSPICIOUS_SCORE => SUSPICIOUS,
            Some(_) => NOT_SPAM,
            None if order.iter().any(|&i| headers[i].is(IMPERSONATION)) => NOT_SPAM,
            None => UNKNOWN,
        }
    };
    let mut basis = Vec::new();
    if let Some(s) = &score {
        basis.push(format!("spam score {}", show(s)));
    }
    if bulk {
        basis.push("bulk signature".to_string());
    }
    if !hits.is_empty() {
        basis.push(format!(
            "impersonation checks hit: {}",
            hits.iter().take(4).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let basis = basis.join(", ");
    let b = if basis.is_empty() {
        String::new()
    } else {
        format!(" ({basis})")
    };
    let summary = match word {
        SUSPICIOUS if !hits.is_empty() => format!(
            "Mimecast's Impersonation Protect found signs that the sender pretends to be someone else{b}"
        ),
        SUSPICIOUS => format!(
            "Mimecast gave this a spam score high enough that a strict spam-scanning policy may hold it{b}"
        ),
        SPAM => format!("Mimecast scored this as spam{b}"),
        BULK => format!("Mimecast recognised this as bulk mail{b}"),
        NOT_SPAM => format!("Mimecast found no sign of spam or impersonation{b}"),
        _ => "Mimecast handled this but left no verdict mailtrace can read".to_string(),
    };
    Verdict {
        system: "Mimecast".to_string(),
        related,
        verdict: word.to_string(),
        score: score.as_deref().map(show),
        basis,
        summary,
        fields,
        ..Verdict::anchored("mimecast", headers, anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::super::test_support::{get, headers};

    const IMP: &str = "X-Mimecast-Impersonation-Protect: Policy=CLT - Impersonation Protection Definition; Similar Internal Domain=false; Similar Monitored External Domain=false; Custom External Domain=false; Mimecast External Domain=false; Newly Observed Domain=false; Internal User Name=false; Custom Display Name List=false; Reply-to Address Mismatch=false; Targeted Threat Dictionary=false; Mimecast Threat Dictionary=false; Custom Threat Dictionary=false";

    #[test]
    fn clean_list_mail() {
        let v = decode(&headers(&[
            IMP,
            "X-Mimecast-Spam-Signature: yes",
            "X-Mimecast-Spam-Score: 0",
            "X-Mimecast-Originator: example.com",
        ]));
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.vendor, "mimecast");
        assert_eq!(v.header, "X-Mimecast-Spam-Score");
        assert_eq!(v.related, vec![0, 1, 3]);
        assert_eq!(v.verdict, "not-spam");
        assert_eq!(
            v.summary,
            "Mimecast found no sign of spam or impersonation (spam score 0)"
        );
        assert_eq!(
            get(v, "Newly Observed Domain").meaning.as_deref(),
            Some("no: Mimecast has not seen mail from the sender's domain before")
        );
        assert!(v.fields.iter().all(|f| f.known), "{:#?}", v.fields);
    }

    #[test]
    fn bulk_and_impersonation() {
        let v = decode(&headers(&[
            "X-Mimecast-Bulk-Signature: yes",
            "X-Mimecast-Spam-Signature: bulk",
            "X-Mimecast-Spam-Score: 1",
        ]));
        assert_eq!(v[0].verdict, "bulk");
        assert_eq!(v[0].basis, "spam score 1, bulk signature");
        let imp = IMP
            .replace("Newly Observed Domain=false", "Newly Observed Domain=true")
            .replace("Internal User Name=false", "Internal User Name=true");
        let v = decode(&headers(&[&imp]));
        assert_eq!(v[0].header, "X-Mimecast-Impersonation-Protect");
        assert_eq!(v[0].verdict, "suspicious");
        assert_eq!(
            v[0].basis,
            "impersonation checks hit: Newly Observed Domain, Internal User Name"
        );
        let v = decode(&headers(&["X-Mimecast-Spam-Score: 12"]));
        assert_eq!(v[0].verdict, "suspicious");
        let v = decode(&headers(&["X-Mimecast-Spam-Score: 0.003"]));
        assert_eq!(v[0].verdict, "not-spam");
    }
}
