//! DMARC (RFC 7489): the policy of the From domain (or of its organisational domain), and
//! whether SPF or any passing DKIM signature is aligned with the From domain.
//!
//! The organisational domain comes from the Public Suffix List compiled into the `psl` crate
//! (through [`crate::hops::host::org_domain`]); its version is recorded in every result, since
//! the list changes and an analysis must say which one it used.
//!
//! This module judges alignment and reads the record; it does not verify SPF or DKIM (their
//! results come in), does not apply the policy (quarantine or reject is the receiver's act, and
//! `pct` is reported, not rolled), and reads no clock and no network but through [`Dns`].

use serde::Serialize;

use super::AuthResult;
use super::dns::{Answer, Dns, DnsFailure};
use crate::hops::host;

/// The version of the `psl` crate (the Public Suffix List) this build uses; a unit test keeps it
/// equal to Cargo.lock.
pub const PSL_VERSION: &str = "2.1.247";

/// The outcome of a DMARC evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DmarcCheck {
    /// pass (SPF or DKIM aligned and passing), fail (neither), none (no usable record),
    /// temperror (DNS failure), permerror (a record that cannot be used).
    pub result: AuthResult,
    /// The policy that applies to this message: `sp=` for a From subdomain whose record was
    /// found at the organisational domain (when present), else `p=`: none, quarantine, reject.
    /// None without a record.
    pub policy: Option<String>,
    /// The RFC 5322 From domain, lowercase.
    pub from_domain: String,
    /// Its organisational domain by the Public Suffix List.
    pub org_domain: Option<String>,
    /// The domain whose record was used (the From domain or the organisational domain; the
    /// record itself is at `_dmarc.` this domain).
    pub record_domain: Option<String>,
    /// The record as published.
    pub record: Option<String>,
    /// Some passing DKIM signature's domain is aligned (per `adkim`).
    pub aligned_dkim: bool,
    /// The passing DKIM domains that are aligned, lowercase.
    pub aligned_dkim_domains: Vec<String>,
    /// SPF passed for a domain aligned with the From domain (per `aspf`).
    pub aligned_spf: bool,
    /// DKIM alignment mode: `r` (relaxed, same organisational domain) or `s` (strict, equal).
    /// Without a record, the default `r` (alignment is still reported, for information).
    pub adkim: String,
    /// SPF alignment mode: `r` or `s`.
    pub aspf: String,
    /// The percentage of failing mail the policy asks to be applied to (default 100).
    pub pct: u8,
    /// Why, as a kebab-case slug, when not pass: `not-aligned`, `no-record`,
    /// `multiple-records`, `invalid-record`, `invalid-from-domain`, `dns-error`.
    pub reason: Option<String>,
    /// A sentence for humans (`not found (offline): _dmarc.example.com TXT`, a tolerated
    /// error in the record).
    pub note: Option<String>,
    /// Which Public Suffix List: `psl crate <version>`.
    pub psl: String,
}

/// A parsed DMARC record (RFC 7489 6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DmarcRecord {
    /// `p=`: none, quarantine or reject (none when it was invalid but `rua=` is valid).
    pub policy: String,
    /// `sp=`, when given and valid.
    pub subdomain_policy: Option<String>,
    /// `adkim=`: r or s (default r).
    pub adkim: String,
    /// `aspf=`: r or s (default r).
    pub aspf: String,
    /// `pct=`: 0 to 100 (default 100).
    pub pct: u8,
    /// `rua=` addresses, as written.
    pub rua: Vec<String>,
    /// `ruf=` addresses, as written.
    pub ruf: Vec<String>,
    /// `fo=` (default `0`).
    pub fo: String,
    /// Errors tolerated while reading (an invalid value replaced by its default, an invalid
    /// `p=` read as none because `rua=` is valid).
    pub notes: Vec<String>,
}

/// RFC 7489 6.3: a DMARC record starts with the tag `v=DMARC1` (the value exactly).
pub fn is_dmarc_record(text: &str) -> bool {
    let first = text.split(';').next().unwrap_or_default();
    first
        .split_once('=')
        .is_some_and(|(k, v)| k.trim().eq_ignore_ascii_case("v") && v.trim() == "DMARC1")
}

const POLICIES: [&str; 3] = ["none", "quarantine", "reject"];

/// Parse a DMARC record. An unknown tag is ignored and an invalid value of an optional tag
/// falls back to its default (RFC 7489 6.3); a missing or invalid `p=` (or an invalid `sp=`)
/// makes the record unusable unless `rua=` holds a valid URI, in which case it reads as
/// `p=none` (RFC 7489 6.6.3).
pub fn parse_record(text: &str) -> Result<DmarcRecord, String> {
    if !is_dmarc_record(text) {
        return Err("does not start with v=DMARC1".into());
    }
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut notes = Vec::new();
    for part in text.split(';').skip(1) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match part.split_once('=') {
            Some((k, v)) => {
                let k = k.trim().to_ascii_lowercase();
                if tags.iter().any(|(seen, _)| *seen == k) {
                    notes.push(format!("{k}= repeated; the first is used"));
                } else {
                    tags.push((k, v.trim().to_string()));
                }
            }
            None => notes.push(format!("{part:?} is not a tag=value pair; ignored")),
        }
    }
    let tag = |name: &str| {
        tags.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let policy_value = |v: &str| {
        let v = v.to_ascii_lowercase();
        POLICIES.contains(&v.as_str()).then_some(v)
    };
    let uris = |v: Option<&str>| -> Vec<String> {
        v.map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
    };
    let rua = uris(tag("rua"));
    let ruf = uris(tag("ruf"));
    let mode = |name: &str, notes: &mut Vec<String>| match tag(name).map(str::to_ascii_lowercase) {
        None => "r".to_string(),
        Some(m) if m == "r" || m == "s" => m,
        Some(m) => {
            notes.push(format!("{name}={m} is not r or s; r is used"));
            "r".to_string()
        }
    };
    let adkim = mode("adkim", &mut notes);
    let aspf = mode("aspf", &mut notes);
    let pct = match tag("pct") {
        None => 100,
        Some(v) => match v.parse::<u8>() {
            Ok(n) if n <= 100 => n,
            _ => {
                notes.push(format!("pct={v} is not 0 to 100; 100 is used"));
                100
            }
        },
    };
    let policy = tag("p").and_then(policy_value);
    let subdomain_policy = tag("sp").map(|v| (v, policy_value(v)));
    let problem = match (&policy, &subdomain_policy) {
        (None, _) => Some(match tag("p") {
            None => "no p= tag".to_string(),
            Some(p) => format!("p={p} is not none, quarantine or reject"),
        }),
        (_, Some((sp, None))) => Some(format!("sp={sp} is not none, quarantine or reject")),
        _ => None,
    };
    let (policy, subdomain_policy) = match problem {
        None => (
            policy.unwrap_or_else(|| "none".into()),
            subdomain_policy.and_then(|(_, p)| p),
        ),
        Some(problem) if rua.iter().any(|u| valid_uri(u)) => {
            notes.push(format!(
                "{problem}; read as p=none because rua= is valid (RFC 7489 6.6.3)"
            ));
            ("none".to_string(), None)
        }
        Some(problem) => return Err(problem),
    };
    Ok(DmarcRecord {
        policy,
        subdomain_policy,
        adkim,
        aspf,
        pct,
        rua,
        ruf,
        fo: tag("fo").unwrap_or("0").to_string(),
        notes,
    })
}

/// RFC 7489 6.2 `dmarc-uri`: a URI (scheme ":" something) with an optional `!size`.
pub(crate) fn valid_uri(uri: &str) -> bool {
    let uri = uri.rsplit_once('!').map_or(uri, |(u, _)| u);
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    let mut s = scheme.bytes();
    s.next().is_some_and(|b| b.is_ascii_alphabetic())
        && s.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !rest.trim().is_empty()
}

/// What a `_dmarc.` lookup found.
enum Discovery {
    Found(String),
    Nothing,
    Multiple(usize),
    Failed(String),
}

fn discover(domain: &str, dns: &Dns) -> Discovery {
    let name = format!("_dmarc.{domain}");
    match dns.txt(&name) {
        Answer::Records(texts) => {
            let records: Vec<&String> = texts.iter().filter(|t| is_dmarc_record(t)).collect();
            match records.as_slice() {
                [] => Discovery::Nothing,
                [one] => Discovery::Found((*one).clone()),
                many => Discovery::Multiple(many.len()),
            }
        }
        Answer::NxDomain | Answer::NoData => Discovery::Nothing,
        Answer::Failed(f) => Discovery::Failed(match f {
            DnsFailure::Offline => format!("not found (offline): {name} TXT"),
            DnsFailure::Timeout => format!("DNS timeout: {name} TXT"),
            DnsFailure::ServFail => format!("SERVFAIL: {name} TXT"),
            DnsFailure::Refused => format!("REFUSED: {name} TXT"),
            DnsFailure::Unreachable(why) => format!("DNS unreachable ({why}): {name} TXT"),
            DnsFailure::Budget(why) => format!("{why}: {name} TXT not looked up"),
            DnsFailure::Other(why) => format!("DNS error ({why}): {name} TXT"),
        }),
    }
}

/// Lowercase, no trailing dot, no brackets.
fn normalize(domain: &str) -> String {
    host::normalize(domain)
}

/// RFC 7489 3.1: strict = the same name; relaxed = the same organisational domain.
fn aligned(domain: &str, from: &str, from_org: Option<&str>, strict: bool) -> bool {
    let domain = normalize(domain);
    if domain.is_empty() {
        return false;
    }
    if domain == from {
        return true;
    }
    !strict && from_org.is_some() && host::org_domain(&domain).as_deref() == from_org
}

/// RFC 7489 6.6: DMARC for the From domain, given the SPF result and the domain it was for
/// (the MAIL FROM domain, or the HELO name when the sender was empty) and the domains (`d=`)
/// of the DKIM signatures that passed.
pub fn evaluate(
    from_domain: &str,
    spf_result: AuthResult,
    spf_domain: Option<&str>,
    dkim_pass_domains: &[String],
    dns: &Dns,
) -> DmarcCheck {
    let from = normalize(from_domain);
    let org = host::org_domain(&from);
    let mut check = DmarcCheck {
        result: AuthResult::None,
        policy: None,
        from_domain: from.clone(),
        org_domain: org.clone(),
        record_domain: None,
        record: None,
        aligned_dkim: false,
        aligned_dkim_domains: Vec::new(),
        aligned_spf: false,
        adkim: "r".into(),
        aspf: "r".into(),
        pct: 100,
        reason: None,
        note: None,
        psl: format!("psl crate {PSL_VERSION}"),
    };
    let align = |check: &mut DmarcCheck| {
        let org = org.as_deref();
        let strict_dkim = check.adkim == "s";
        let strict_spf = check.aspf == "s";
        for d in dkim_pass_domains {
            let d = normalize(d);
            if aligned(&d, &from, org, strict_dkim) && !check.aligned_dkim_domains.contains(&d) {
                check.aligned_dkim_domains.push(d);
            }
        }
        check.aligned_dkim = !check.aligned_dkim_domains.is_empty();
        check.aligned_spf = spf_result == AuthResult::Pass
            && spf_domain.is_some_and(|s| aligned(s, &from, org, strict_spf));
    };
    if from.is_empty()
        || !from.contains('.')
        || host::as_ip(&from).is_some()
        || from.split('.').any(str::is_empty)
    {
        check.reason = Some("invalid-from-domain".into());
        check.note = Some(format!("{from_domain:?} is not a domain name"));
        return check;
    }
    align(&mut check);

    let mut found = None;
    let mut candidates = vec![from.clone()];
    if let Some(o) = org.as_ref().filter(|o| **o != from) {
        candidates.push(o.clone());
    }
    for domain in candidates {
        match discover(&domain, dns) {
            Discovery::Found(text) => {
                found = Some((domain, text));
                break;
            }
            Discovery::Nothing => {}
            Discovery::Multiple(n) => {
                check.reason = Some("multiple-records".into());
                check.note = Some(format!(
                    "{n} DMARC records at _dmarc.{domain}: no policy applies (RFC 7489 6.6.3)"
                ));
                return check;
            }
            Discovery::Failed(note) => {
                check.result = AuthResult::Temperror;
                check.reason = Some("dns-error".into());
                check.note = Some(note);
                return check;
            }
        }
    }
    let Some((record_domain, text)) = found else {
        check.reason = Some("no-record".into());
        check.note = Some(match &org {
            Some(o) if *o != from => format!("no DMARC record at _dmarc.{from} or _dmarc.{o}"),
            _ => format!("no DMARC record at _dmarc.{from}"),
        });
        return check;
    };
    check.record_domain = Some(record_domain.clone());
    check.record = Some(text.clone());
    let record = match parse_record(&text) {
        Ok(r) => r,
        Err(why) => {
            check.result = AuthResult::Permerror;
            check.reason = Some("invalid-record".into());
            check.note = Some(format!("_dmarc.{record_domain}: {why}"));
            return check;
        }
    };
    check.adkim = record.adkim.clone();
    check.aspf = record.aspf.clone();
    check.pct = record.pct;
    check.aligned_dkim_domains.clear();
    align(&mut check);
    let subdomain = record_domain != from;
    check.policy = Some(if subdomain {
        record
            .subdomain_policy
            .clone()
            .unwrap_or_else(|| record.policy.clone())
    } else {
        record.policy.clone()
    });
    let mut notes = record.notes.clone();
    if check.aligned_dkim || check.aligned_spf {
        check.result = AuthResult::Pass;
    } else {
        check.result = AuthResult::Fail;
        check.reason = Some("not-aligned".into());
        let spf = match spf_domain {
            Some(d) if spf_result == AuthResult::Pass => format!(
                "SPF passed for {d}, not aligned ({})",
                mode_name(&check.aspf)
            ),
            _ => format!("SPF {}", spf_result.as_str()),
        };
        let dkim = if dkim_pass_domains.is_empty() {
            "no DKIM signature passed".to_string()
        } else {
            format!(
                "DKIM passed for {}, not aligned ({})",
                dkim_pass_domains.join(", "),
                mode_name(&check.adkim)
            )
        };
        notes.insert(0, format!("{spf}; {dkim}"));
    }
    if !notes.is_empty() {
        check.note = Some(notes.join("; "));
    }
    check
}

fn mode_name(mode: &str) -> &'static str {
    if mode == "s" { "strict" } else { "relaxed" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::dns::{RecordType, StaticResolver};

    fn dns(records: &[(&str, &str)]) -> Dns {
        let txt: Vec<_> = records
            .iter()
            .map(|(name, text)| (*name, RecordType::Txt, *text))
            .collect();
        Dns::from_records(&txt)
    }

    fn domains(list: &[&str]) -> Vec<String> {
        list.iter().map(|d| d.to_string()).collect()
    }

    use AuthResult::{Fail, None as NoResult, Pass, Permerror, Softfail, Temperror};

    #[test]
    fn dkim_relaxed_and_strict() {
        let relaxed = dns(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
        let c = evaluate(
            "Example.COM.",
            Fail,
            Some("example.com"),
            &domains(&["mail.example.com", "esp.example", "MAIL.example.com"]),
            &relaxed,
        );
        assert_eq!(c.result, Pass);
        assert_eq!(c.from_domain, "example.com");
        assert!(c.aligned_dkim && !c.aligned_spf);
        assert_eq!(c.aligned_dkim_domains, vec!["mail.example.com"]);
        assert_eq!(c.policy.as_deref(), Some("reject"));
        assert_eq!(c.record_domain.as_deref(), Some("example.com"));
        assert_eq!(c.reason, None);

        let strict = dns(&[("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s")]);
        let c = evaluate(
            "example.com",
            Fail,
            None,
            &domains(&["mail.example.com"]),
            &strict,
        );
        assert_eq!((c.result, c.adkim.as_str()), (Fail, "s"));
        assert!(!c.aligned_dkim);
        assert_eq!(c.reason.as_deref(), Some("not-aligned"));
        assert!(c.note.is_some_and(|n| n.contains("not aligned (strict)")));
        let c = evaluate(
            "example.com",
            Fail,
            None,
            &domains(&["example.com"]),
            &strict,
        );
        assert_eq!(c.result, Pass);
    }

    #[test]
    fn spf_alignment() {
        let d = dns(&[
            ("_dmarc.example.com", "v=DMARC1; p=quarantine"),
            ("_dmarc.strict.example", "v=DMARC1; p=reject; aspf=s"),
        ]);
        let c = evaluate("example.com", Pass, Some("bounce.example.com"), &[], &d);
        assert_eq!((c.result, c.aligned_spf), (Pass, true));
        let c = evaluate("example.com", Pass, Some("esp.example"), &[], &d);
        assert_eq!((c.result, c.aligned_spf), (Fail, false));
        assert!(
            c.note
                .is_some_and(|n| n.contains("SPF passed for esp.example"))
        );
        // aligned domain, but SPF did not pass
        let c = evaluate("example.com", Softfail, Some("example.com"), &[], &d);
        assert_eq!((c.result, c.aligned_spf), (Fail, false));
        let c = evaluate("strict.example", Pass, Some("mx.strict.example"), &[], &d);
        assert_eq!((c.result, c.aspf.as_str()), (Fail, "s"));
        let c = evaluate("strict.example", Pass, Some("strict.example"), &[], &d);
        assert_eq!(c.result, Pass);
    }

    #[test]
    fn org_domain_fallback_and_subdomain_policy() {
        let d = dns(&[
            (
                "_dmarc.example.co.uk",
                "v=DMARC1; p=reject; sp=quarantine; pct=50",
            ),
            ("_dmarc.example.org", "v=DMARC1; p=reject"),
            ("_dmarc.own.example.org", "v=DMARC1; p=none; sp=reject"),
        ]);
        let c = evaluate("mail.example.co.uk", Fail, None, &[], &d);
        assert_eq!(c.org_domain.as_deref(), Some("example.co.uk"));
        assert_eq!(c.record_domain.as_deref(), Some("example.co.uk"));
        assert_eq!(c.policy.as_deref(), Some("quarantine"));
        assert_eq!(c.pct, 50);
        assert_eq!(c.result, Fail);
        // the organisational domain itself: p
        let c = evaluate("example.co.uk", Fail, None, &[], &d);
        assert_eq!(c.policy.as_deref(), Some("reject"));
        // a subdomain without sp=: p
        let c = evaluate("a.b.example.org", Fail, None, &[], &d);
        assert_eq!(c.policy.as_deref(), Some("reject"));
        // a subdomain with its own record: its p, not its sp
        let c = evaluate("own.example.org", Fail, None, &[], &d);
        assert_eq!(c.record_domain.as_deref(), Some("own.example.org"));
        assert_eq!(c.policy.as_deref(), Some("none"));
    }

    #[test]
    fn no_record() {
        let d = dns(&[
            ("_dmarc.spf-only.example", "v=spf1 -all"),
            ("_dmarc.late.example", "p=reject; v=DMARC1"),
            ("_dmarc.lower.example", "v=dmarc1; p=reject"),
        ]);
        for from in [
            "nothing.example",
            "spf-only.example",
            "late.example",
            "lower.example",
        ] {
            let c = evaluate(from, Pass, Some(from), &[], &d);
            assert_eq!(c.result, NoResult, "{from}");
            assert_eq!(c.reason.as_deref(), Some("no-record"), "{from}");
            assert_eq!(c.policy, None);
            // alignment is still reported, with the default relaxed modes
            assert!(c.aligned_spf, "{from}");
        }
        let c = evaluate("sub.nothing.example", Fail, None, &[], &d);
        assert!(c.note.is_some_and(|n| n.contains("_dmarc.nothing.example")));
    }

    #[test]
    fn multiple_records_stop_discovery() {
        let d = dns(&[
            ("_dmarc.sub.example.com", "v=DMARC1; p=none"),
            ("_dmarc.sub.example.com", "v=DMARC1; p=reject"),
            ("_dmarc.sub.example.com", "some other text"),
            ("_dmarc.example.com", "v=DMARC1; p=reject"),
        ]);
        let c = evaluate("sub.example.com", Fail, None, &[], &d);
        assert_eq!(c.result, NoResult);
        assert_eq!(c.reason.as_deref(), Some("multiple-records"));
        assert_eq!(c.record_domain, None);
    }

    #[test]
    fn dns_failures_are_temperror() {
        let c = evaluate(
            "example.com",
            Pass,
            Some("example.com"),
            &[],
            &Dns::default(),
        );
        assert_eq!(c.result, Temperror);
        assert_eq!(c.reason.as_deref(), Some("dns-error"));
        assert_eq!(
            c.note.as_deref(),
            Some("not found (offline): _dmarc.example.com TXT")
        );
        let mut r = StaticResolver::new();
        r.set(
            "_dmarc.example.com",
            RecordType::Txt,
            Answer::Failed(DnsFailure::Timeout),
        );
        let c = evaluate("sub.example.com", Pass, None, &[], &Dns::new(Box::new(r)));
        assert_eq!(c.result, Temperror);
        assert!(c.note.is_some_and(|n| n.contains("DNS timeout")));
    }

    #[test]
    fn bad_records() {
        let d = dns(&[
            ("_dmarc.nop.example", "v=DMARC1; rua=mailto:d@nop.example"),
            (
                "_dmarc.badp.example",
                "v=DMARC1; p=block; rua=mailto:d@badp.example",
            ),
            ("_dmarc.badp-norua.example", "v=DMARC1; p=block"),
            ("_dmarc.nop-norua.example", "v=DMARC1; adkim=s"),
            (
                "_dmarc.badsp.example",
                "v=DMARC1; p=reject; sp=x; rua=mailto:a@b.example",
            ),
            ("_dmarc.badsp-norua.example", "v=DMARC1; p=reject; sp=x"),
            ("_dmarc.badrua.example", "v=DMARC1; p=bad; rua=not a uri"),
            (
                "_dmarc.sloppy.example",
                "v=DMARC1;p=Reject ; adkim=x; aspf=S; pct=200; junk; foo=bar;",
            ),
            ("_dmarc.pct.example", "v=DMARC1; p=none; pct=-1"),
        ]);
        for from in ["nop.example", "badp.example"] {
            let c = evaluate(from, Pass, Some(from), &[], &d);
            assert_eq!(c.result, Pass, "{from}");
            assert_eq!(c.policy.as_deref(), Some("none"), "{from}");
            assert!(c.note.is_some_and(|n| n.contains("6.6.3")), "{from}");
        }
        let c = evaluate("sub.badsp.example", Fail, None, &[], &d);
        assert_eq!((c.result, c.policy.as_deref()), (Fail, Some("none")));
        for from in [
            "badp-norua.example",
            "nop-norua.example",
            "badsp-norua.example",
            "badrua.example",
        ] {
            let c = evaluate(from, Pass, Some(from), &[], &d);
            assert_eq!(c.result, Permerror, "{from}");
            assert_eq!(c.reason.as_deref(), Some("invalid-record"), "{from}");
            assert!(c.record.is_some(), "{from}");
        }
        let c = evaluate("sloppy.example", Pass, Some("mx.sloppy.example"), &[], &d);
        assert_eq!(c.policy.as_deref(), Some("reject"));
        assert_eq!((c.adkim.as_str(), c.aspf.as_str(), c.pct), ("r", "s", 100));
        assert_eq!(c.result, Fail);
        let c = evaluate("pct.example", Fail, None, &[], &d);
        assert_eq!(c.pct, 100);
    }

    #[test]
    fn record_parser() {
        let r = parse_record(
            "v=DMARC1; p=quarantine; sp=none; adkim=s; aspf=r; pct=25; \
             rua=mailto:a@example.com,mailto:b@example.net!10m; ruf=mailto:f@example.com; fo=1",
        )
        .expect("valid record");
        assert_eq!(r.policy, "quarantine");
        assert_eq!(r.subdomain_policy.as_deref(), Some("none"));
        assert_eq!((r.adkim.as_str(), r.aspf.as_str(), r.pct), ("s", "r", 25));
        assert_eq!(r.rua.len(), 2);
        assert_eq!(r.ruf, vec!["mailto:f@example.com"]);
        assert_eq!(r.fo, "1");
        assert!(r.notes.is_empty());
        assert!(parse_record("v=DMARC1 ; p=none").is_ok());
        assert!(parse_record("v=DMARC2; p=none").is_err());
        assert!(parse_record("").is_err());
        assert!(valid_uri("mailto:x@example.com!10m"));
        assert!(!valid_uri("example.com"));
        assert!(!valid_uri("1x:foo"));
    }

    #[test]
    fn invalid_from_domains() {
        let d = dns(&[]);
        for from in ["", "localhost", "[192.0.2.1]", "192.0.2.1", "a..example"] {
            let c = evaluate(from, Pass, Some("example.com"), &[], &d);
            assert_eq!(c.result, NoResult, "{from}");
            assert_eq!(c.reason.as_deref(), Some("invalid-from-domain"), "{from}");
        }
    }

    #[test]
    fn psl_version_matches_cargo_lock() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
            .expect("Cargo.lock is committed");
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains("\nname = \"psl\"\n"))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
            .map(|v| v.trim_matches('"').to_string());
        assert_eq!(version.as_deref(), Some(PSL_VERSION));
        let c = evaluate("example.com", Pass, None, &[], &dns(&[]));
        assert_eq!(c.psl, format!("psl crate {PSL_VERSION}"));
    }
}
