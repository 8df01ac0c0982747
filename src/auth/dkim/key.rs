//! The public key of a signature: the TXT record at `selector._domainkey.domain`, fetched through
//! [`Dns`], its tags judged per RFC 6376 sections 3.6.1 and 6.1.2, and the key itself decoded by
//! mail-auth (`DomainKey` through `TxtRecordParser`).
//!
//! mail-auth's record parser is lenient about the tags it does not use (`s=`, `h=` hash lists,
//! the position of `v=`) and keeps its flag constants crate-private, so the tags are read here
//! with our own tag-list scanner and only the key material comes from mail-auth.

use mail_auth::common::crypto::Algorithm;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;

use crate::auth::crypto::PublicKey;
use crate::auth::dns::{Answer, Dns, DnsFailure};

use super::Reason;
use super::tags;

/// A key that can verify signatures of the signature's algorithm.
pub(crate) struct Key {
    pub verifier: PublicKey,
    pub bits: u32,
    /// `t=y`: the domain is testing DKIM.
    pub testing: bool,
    /// `t=s`: the `i=` domain must be `d=` itself, not a subdomain.
    pub strict: bool,
}

/// Why no usable key could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyProblem {
    pub reason: Reason,
    pub note: String,
}

fn problem(reason: Reason, note: impl Into<String>) -> KeyProblem {
    KeyProblem {
        reason,
        note: note.into(),
    }
}

/// Look the key up and judge it for a signature with this algorithm. With several TXT records
/// at the name, the first usable one is taken (RFC 6376 section 6.1.2 step 4 leaves the choice
/// to the verifier); when none is usable, the first one's problem is reported.
pub(super) fn fetch(dns: &Dns, name: &str, algorithm: Algorithm) -> Result<Key, KeyProblem> {
    let records = match dns.txt(name) {
        Answer::Records(records) if !records.is_empty() => records,
        Answer::Records(_) | Answer::NoData => {
            return Err(problem(
                Reason::KeyNotFound,
                format!("no TXT record at {name}"),
            ));
        }
        Answer::NxDomain => {
            return Err(problem(
                Reason::KeyNotFound,
                format!("{name} does not exist (NXDOMAIN)"),
            ));
        }
        Answer::Failed(failure) => {
            let note = match failure {
                DnsFailure::Offline => "not found (offline)".to_string(),
                DnsFailure::Timeout => format!("DNS timeout looking up {name}"),
                DnsFailure::ServFail => format!("SERVFAIL looking up {name}"),
                DnsFailure::Refused => format!("the DNS server refused the query for {name}"),
                DnsFailure::Unreachable(why) => format!("DNS unreachable ({why})"),
                DnsFailure::Budget(why) => format!("{why}: {name} not looked up"),
                DnsFailure::Other(why) => format!("DNS error looking up {name}: {why}"),
            };
            return Err(problem(Reason::DnsError, note));
        }
    };
    let mut first_problem = None;
    for record in &records {
        match judge(record, algorithm) {
            Ok(key) => return Ok(key),
            Err(p) => {
                first_problem.get_or_insert(p);
            }
        }
    }
    Err(first_problem
        .unwrap_or_else(|| problem(Reason::KeyNotFound, format!("no TXT record at {name}"))))
}

/// Judge one key record.
pub(crate) fn judge(record: &str, algorithm: Algorithm) -> Result<Key, KeyProblem> {
    let list = tags::parse(record.as_bytes())
        .map_err(|e| problem(Reason::KeySyntax, format!("key record: {e}")))?;
    if let Some(v) = list.text("v") {
        if list.tags.first().map(|t| t.name) != Some("v") {
            return Err(problem(
                Reason::KeySyntax,
                "key record: v= is not the first tag",
            ));
        }
        if v != "DKIM1" {
            return Err(problem(
                Reason::KeySyntax,
                format!("key record: v={v} is not DKIM1"),
            ));
        }
    }
    let Some(p) = list.compact("p") else {
        return Err(problem(Reason::KeySyntax, "key record has no p= tag"));
    };
    if p.is_empty() {
        return Err(problem(
            Reason::KeyRevoked,
            "the key record has an empty p=",
        ));
    }
    let k = list
        .text("k")
        .map(|k| k.to_ascii_lowercase())
        .unwrap_or_else(|| "rsa".to_string());
    let fits = match k.as_str() {
        "rsa" => matches!(algorithm, Algorithm::RsaSha1 | Algorithm::RsaSha256),
        "ed25519" => matches!(algorithm, Algorithm::Ed25519Sha256),
        other => {
            return Err(problem(
                Reason::KeyTypeMismatch,
                format!("key record k={other} is not a known key type"),
            ));
        }
    };
    if !fits {
        return Err(problem(
            Reason::KeyTypeMismatch,
            format!(
                "a k={k} key cannot verify an {} signature",
                algorithm.name()
            ),
        ));
    }
    let hash = match algorithm {
        Algorithm::RsaSha1 => "sha1",
        Algorithm::RsaSha256 | Algorithm::Ed25519Sha256 => "sha256",
    };
    if let Some(h) = list.compact("h")
        && !items(&h).any(|i| i.eq_ignore_ascii_case(hash))
    {
        return Err(problem(
            Reason::KeyHashMismatch,
            format!("key record h={h} does not allow {hash}"),
        ));
    }
    if let Some(s) = list.compact("s")
        && !items(&s).any(|i| i == "*" || i.eq_ignore_ascii_case("email"))
    {
        return Err(problem(
            Reason::KeyServiceMismatch,
            format!("key record s={s} is not for email"),
        ));
    }
    let flags = list.compact("t").unwrap_or_default();
    let testing = items(&flags).any(|f| f.eq_ignore_ascii_case("y"));
    let strict = items(&flags).any(|f| f.eq_ignore_ascii_case("s"));
    let domain_key = DomainKey::parse(record.as_bytes())
        .map_err(|e| problem(Reason::KeySyntax, format!("key record p=: {e}")))?;
    let bits = match algorithm {
        Algorithm::Ed25519Sha256 => 256,
        Algorithm::RsaSha1 | Algorithm::RsaSha256 => {
            u32::try_from(domain_key.p.public_key_bits()).unwrap_or(u32::MAX)
        }
    };
    Ok(Key {
        verifier: PublicKey::new(domain_key.p, crate::auth::crypto::p_tag(record)),
        bits,
        testing,
        strict,
    })
}

/// The non-empty items of a colon-separated list.
fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(':').filter(|i| !i.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
    const ED: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    fn reason(record: &str, algorithm: Algorithm) -> Result<(u32, bool, bool), (Reason, String)> {
        judge(record, algorithm)
            .map(|k| (k.bits, k.testing, k.strict))
            .map_err(|p| (p.reason, p.note))
    }

    #[test]
    fn good_keys() {
        let rsa = format!("v=DKIM1; k=rsa; t=y:s; h=sha1:sha256; s=email; p={RSA_1024}");
        assert_eq!(reason(&rsa, Algorithm::RsaSha256), Ok((1024, true, true)));
        assert_eq!(
            reason(&format!("p={RSA_1024}"), Algorithm::RsaSha1),
            Ok((1024, false, false))
        );
        let ed = format!("v=DKIM1; k=ed25519; p={ED}");
        assert_eq!(
            reason(&ed, Algorithm::Ed25519Sha256),
            Ok((256, false, false))
        );
        // Unknown tags and flags are ignored; s=* is any service.
        let extra = format!("v=DKIM1; x1 = extra ; t = y:n:extra; s=*; p={RSA_1024}");
        assert_eq!(
            reason(&extra, Algorithm::RsaSha256),
            Ok((1024, true, false))
        );
    }

    #[test]
    fn bad_keys() {
        let r = |record: &str, algorithm| reason(record, algorithm).unwrap_err().0;
        let a = Algorithm::RsaSha256;
        assert_eq!(r("v=DKIM1; p=", a), Reason::KeyRevoked);
        assert_eq!(r("k=rsa; t=y; p= ", a), Reason::KeyRevoked);
        assert_eq!(r("v=DKIM1; k=rsa", a), Reason::KeySyntax);
        assert_eq!(r(&format!("v=DKIM3; p={RSA_1024}"), a), Reason::KeySyntax);
        assert_eq!(
            r(&format!("k=rsa; v=DKIM1; p={RSA_1024}"), a),
            Reason::KeySyntax
        );
        assert_eq!(
            r(&format!("v=DKIM1: k=rsa; p={RSA_1024}"), a),
            Reason::KeySyntax
        );
        assert_eq!(r(&format!("k=rsa; t; p={RSA_1024}"), a), Reason::KeySyntax);
        assert_eq!(r("v=DKIM1; p=MIGfMA0GCSqGSIb3DQEB", a), Reason::KeySyntax);
        assert_eq!(
            r(&format!("k=foobar; p={RSA_1024}"), a),
            Reason::KeyTypeMismatch
        );
        assert_eq!(r(&format!("k=ed25519; p={ED}"), a), Reason::KeyTypeMismatch);
        assert_eq!(
            r(&format!("k=rsa; p={RSA_1024}"), Algorithm::Ed25519Sha256),
            Reason::KeyTypeMismatch
        );
        assert_eq!(
            r(&format!("h=sha1; p={RSA_1024}"), a),
            Reason::KeyHashMismatch
        );
        assert_eq!(
            r(&format!("s=chat; p={RSA_1024}"), a),
            Reason::KeyServiceMismatch
        );
        assert_eq!(
            reason(&format!("h=bad; p={RSA_1024}"), a).unwrap_err().1,
            "key record h=bad does not allow sha256"
        );
    }
}
