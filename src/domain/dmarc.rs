//! A domain's DMARC policy read and explained: the record at `_dmarc.DOMAIN`, or at the
//! organisational domain when there is none (RFC 7489 6.6.3), each tag in words, the policy
//! that applies to the domain, whether external report addresses have authorised the reports
//! (RFC 7489 7.1), and the weak settings as findings.
//!
//! The record grammar is [`crate::auth::dmarc`]'s; the organisational domain comes from the
//! Public Suffix List through [`crate::hops::host::org_domain`]. It judges no message and opens
//! no socket but through [`Dns`].

use serde::Serialize;

use crate::auth::dmarc::{DmarcRecord, is_dmarc_record, parse_record, valid_uri};
use crate::auth::dns::{Answer, Dns, RecordType};
use crate::auth::spf::failure_note;
use crate::diagnose::{Evidence, Finding, Rule};
use crate::domain::Explained;
use crate::domain::rules::records::{
    dmarc_multiple_records, dmarc_no_aggregate_reports, dmarc_pct_partial, dmarc_policy_none,
    dmarc_record_missing, dmarc_report_destination_unauthorized, dmarc_subdomain_policy_none,
    dmarc_syntax_error, record_lookup_failed,
};
use crate::hops::host::org_domain;

/// The DMARC setup of a domain.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DmarcSetup {
    /// The names queried, in order: `_dmarc.DOMAIN`, then `_dmarc.ORGDOMAIN` when the first
    /// holds no DMARC record and the organisational domain differs.
    pub looked_up: Vec<String>,
    /// The domain's organisational domain by the Public Suffix List; None when it has none
    /// (a public suffix, a single label).
    pub org_domain: Option<String>,
    /// The domain whose record applies (the record is at `_dmarc.` this domain): the domain
    /// itself or its organisational domain. None when no record was found.
    pub record_domain: Option<String>,
    /// The record was found at the organisational domain, not at the domain itself: the
    /// domain is treated as its subdomain, so the record's `sp=` (or `p=` without `sp=`)
    /// applies.
    pub inherited: bool,
    /// The DMARC records (TXT starting with `v=DMARC1`) at the name where any was found: one,
    /// or several (then receivers ignore them all).
    pub records: Vec<String>,
    /// The record in use (exactly one found), as published.
    pub record: Option<String>,
    /// Its tags in the order written, each explained.
    pub explained: Vec<Explained>,
    /// The policy for mail from this domain that fails DMARC: `none`, `quarantine` or
    /// `reject` (`sp=` when inherited). None without a usable record.
    pub policy: Option<String>,
    /// The tag `policy` comes from: `p` or `sp`. None without a usable record.
    pub policy_tag: Option<String>,
    /// The policy for subdomains of the record's domain (`sp=`, else `p=`). None without a
    /// usable record.
    pub subdomain_policy: Option<String>,
    /// The share of failing mail the policy applies to (`pct=`, default 100). None without a
    /// usable record.
    pub pct: Option<u8>,
    /// Aggregate report addresses (`rua=`).
    pub rua: Vec<ReportDestination>,
    /// Failure report addresses (`ruf=`).
    pub ruf: Vec<ReportDestination>,
    /// What receivers do with mail from the domain that fails DMARC, in one or two sentences.
    pub summary: String,
    /// Why there is no usable record: none found, several, unusable syntax, or the DNS
    /// failure (one line). None when a record is in use.
    pub error: Option<String>,
}

/// One report address of `rua=` or `ruf=`.
#[derive(Debug, Clone, Serialize)]
pub struct ReportDestination {
    /// The URI as written (`mailto:dmarc@example.com`, maybe with `!10m`).
    pub uri: String,
    /// The URI is well formed (RFC 7489 6.2: a scheme, a colon, something).
    pub valid: bool,
    /// The domain of a `mailto:` address, lowercase; None for another scheme.
    pub domain: Option<String>,
    /// The address is outside the organisational domain of the record: its domain must
    /// authorise the reports (RFC 7489 7.1).
    pub external: bool,
    /// The authorisation record looked up for an external address
    /// (`example.com._report._dmarc.reports.example.net`).
    pub authorization_name: Option<String>,
    /// Whether the domain of an external address authorised the reports; None only when the
    /// address is not external.
    pub authorized: Option<Authorization>,
    /// Why the authorisation lookup failed (one line) when `authorized` is `unknown`; None
    /// otherwise.
    pub authorization_error: Option<String>,
}

/// The answer to "may reports go to this external address?" (RFC 7489 7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Authorization {
    /// The authorisation record exists (a TXT record starting with `v=DMARC1`).
    Yes,
    /// It does not (NXDOMAIN, no TXT record, or none starting with `v=DMARC1`): receivers send
    /// no reports there.
    No,
    /// The lookup failed: not known (see `authorization_error`).
    Unknown,
}

/// Read and explain the DMARC policy of `domain`.
pub fn check(domain: &str, dns: &Dns, findings: &mut Vec<Finding>) -> DmarcSetup {
    let mut setup = DmarcSetup {
        org_domain: org_domain(domain),
        ..DmarcSetup::default()
    };
    let mut candidates = vec![domain.to_string()];
    if let Some(org) = setup.org_domain.as_ref().filter(|o| *o != domain) {
        candidates.push(org.clone());
    }
    let mut found = None;
    for candidate in candidates {
        let name = format!("_dmarc.{candidate}");
        setup.looked_up.push(name.clone());
        match dns.txt(&name) {
            Answer::Records(texts) => {
                let records: Vec<String> = texts
                    .iter()
                    .filter(|t| is_dmarc_record(t))
                    .cloned()
                    .collect();
                for almost in texts.iter().filter(|t| looks_like_dmarc(t)) {
                    push(
                        findings,
                        &dmarc_syntax_error::RULE,
                        format!(
                            "a TXT record at {name} looks like DMARC but does not start with \
                             `v=DMARC1`: receivers ignore it"
                        ),
                        &name,
                        almost,
                    );
                }
                if records.is_empty() {
                    continue;
                }
                if records.len() > 1 {
                    setup.error = Some(format!(
                        "{} DMARC records at {name}: receivers ignore them all",
                        records.len()
                    ));
                    findings.push(
                        dmarc_multiple_records::RULE.finding(
                            format!(
                                "{name} holds {} DMARC records: receivers apply no policy at all",
                                records.len()
                            ),
                            None,
                            records
                                .iter()
                                .map(|r| Evidence::note(&format!("TXT {name}"), r))
                                .collect(),
                        ),
                    );
                    setup.records = records;
                    setup.record_domain = Some(candidate.clone());
                    setup.inherited = candidate != domain;
                    setup.summary = format!(
                        "{name} holds several DMARC records, so receivers apply no DMARC policy \
                         to mail from {domain}."
                    );
                    return setup;
                }
                found = Some((candidate, records));
                break;
            }
            Answer::NxDomain | Answer::NoData => {}
            Answer::Failed(f) => {
                let note = failure_note(&f, &name, RecordType::Txt);
                push(
                    findings,
                    &record_lookup_failed::RULE,
                    format!("the DMARC record could not be looked up ({note})"),
                    &name,
                    &note,
                );
                setup.summary = format!(
                    "The DMARC policy of {domain} is unknown: the lookup failed. Receivers that \
                     meet the same failure give temperror."
                );
                setup.error = Some(note);
                return setup;
            }
        }
    }
    let Some((record_domain, records)) = found else {
        let looked = setup.looked_up.join(" or ");
        setup.error = Some(format!("no DMARC record at {looked}"));
        push(
            findings,
            &dmarc_record_missing::RULE,
            format!("{domain} publishes no DMARC record (nothing at {looked})"),
            &setup.looked_up[0],
            "no TXT record starting with v=DMARC1",
        );
        setup.summary = format!(
            "{domain} has no DMARC record: receivers apply no DMARC policy to mail from it, and \
             nobody receives reports about mail that uses its name."
        );
        return setup;
    };
    let name = format!("_dmarc.{record_domain}");
    let text = records[0].clone();
    setup.inherited = record_domain != domain;
    setup.record_domain = Some(record_domain.clone());
    setup.records = records;
    setup.record = Some(text.clone());
    setup.explained = explain_tags(&text);
    let record = match parse_record(&text) {
        Ok(r) => r,
        Err(why) => {
            push(
                findings,
                &dmarc_syntax_error::RULE,
                format!("the DMARC record at {name} is unusable: {why}"),
                &name,
                &text,
            );
            setup.summary = format!(
                "The DMARC record at {name} cannot be used ({why}): receivers apply no DMARC \
                 policy to mail from {domain}."
            );
            setup.error = Some(why);
            return setup;
        }
    };
    for note in &record.notes {
        push(
            findings,
            &dmarc_syntax_error::RULE,
            format!("the DMARC record at {name}: {note}"),
            &name,
            &text,
        );
    }
    setup.rua = destinations(&record.rua, &record_domain, dns, findings, &name);
    setup.ruf = destinations(&record.ruf, &record_domain, dns, findings, &name);
    for bad in setup.rua.iter().chain(&setup.ruf).filter(|d| !d.valid) {
        push(
            findings,
            &dmarc_syntax_error::RULE,
            format!(
                "the DMARC record at {name} has a report address that is not a URI: {:?}",
                bad.uri
            ),
            &name,
            &text,
        );
    }
    let (policy, tag) = if setup.inherited {
        match &record.subdomain_policy {
            Some(sp) => (sp.clone(), "sp"),
            None => (record.policy.clone(), "p"),
        }
    } else {
        (record.policy.clone(), "p")
    };
    let subdomain_policy = record
        .subdomain_policy
        .clone()
        .unwrap_or_else(|| record.policy.clone());
    judge(
        domain,
        &name,
        &text,
        &record,
        &policy,
        tag,
        setup.inherited,
        &setup.rua,
        findings,
    );
    setup.summary = summary(
        domain,
        &record_domain,
        setup.inherited,
        &policy,
        tag,
        record.pct,
    );
    setup.policy = Some(policy);
    setup.policy_tag = Some(tag.to_string());
    setup.subdomain_policy = Some(subdomain_policy);
    setup.pct = Some(record.pct);
    setup
}

/// The weak settings of a usable record.
#[allow(clippy::too_many_arguments)]
fn judge(
    domain: &str,
    name: &str,
    text: &str,
    record: &DmarcRecord,
    policy: &str,
    tag: &str,
    inherited: bool,
    rua: &[ReportDestination],
    findings: &mut Vec<Finding>,
) {
    if policy == "none" {
        let whose = if inherited {
            format!(" (from {name}, which covers {domain} as a subdomain)")
        } else {
            String::new()
        };
        push(
            findings,
            &dmarc_policy_none::RULE,
            format!(
                "{tag}=none{whose}: mail forging {domain} is still delivered; move to quarantine \
                 or reject once the reports show your own mail passing"
            ),
            name,
            text,
        );
    } else if record.pct < 100 {
        push(
            findings,
            &dmarc_pct_partial::RULE,
            format!(
                "pct={}: the {tag}={policy} policy applies to only {}% of failing mail",
                record.pct, record.pct
            ),
            name,
            text,
        );
    }
    if !inherited && record.policy != "none" && record.subdomain_policy.as_deref() == Some("none") {
        push(
            findings,
            &dmarc_subdomain_policy_none::RULE,
            format!(
                "sp=none under p={}: mail forging any subdomain of {domain} is still delivered",
                record.policy
            ),
            name,
            text,
        );
    }
    if !rua.iter().any(|d| d.valid) {
        push(
            findings,
            &dmarc_no_aggregate_reports::RULE,
            "the DMARC record has no rua= address: nobody receives aggregate reports".into(),
            name,
            text,
        );
    }
}

/// The report addresses, with the external-destination check of RFC 7489 7.1 for `mailto:`
/// addresses outside the record's organisational domain.
fn destinations(
    uris: &[String],
    record_domain: &str,
    dns: &Dns,
    findings: &mut Vec<Finding>,
    name: &str,
) -> Vec<ReportDestination> {
    let own_org = org_domain(record_domain).unwrap_or_else(|| record_domain.to_string());
    let mut out = Vec::new();
    for uri in uris {
        let valid = valid_uri(uri);
        let domain = mailto_domain(uri);
        let mut dest = ReportDestination {
            uri: uri.clone(),
            valid,
            domain: domain.clone(),
            external: false,
            authorization_name: None,
            authorized: None,
            authorization_error: None,
        };
        if let Some(d) = domain.filter(|_| valid) {
            let org = org_domain(&d).unwrap_or_else(|| d.clone());
            if org != own_org {
                dest.external = true;
                let auth = format!("{record_domain}._report._dmarc.{d}");
                dest.authorization_name = Some(auth.clone());
                match dns.txt(&auth) {
                    Answer::Records(r) if r.iter().any(|t| is_dmarc_record(t)) => {
                        dest.authorized = Some(Authorization::Yes)
                    }
                    Answer::Records(_) | Answer::NxDomain | Answer::NoData => {
                        dest.authorized = Some(Authorization::No)
                    }
                    Answer::Failed(f) => {
                        let note = failure_note(&f, &auth, RecordType::Txt);
                        dest.authorized = Some(Authorization::Unknown);
                        dest.authorization_error = Some(note.clone());
                        push(
                            findings,
                            &record_lookup_failed::RULE,
                            format!(
                                "the report authorisation of {d} could not be looked up ({note})"
                            ),
                            &auth,
                            &note,
                        );
                    }
                }
                if dest.authorized == Some(Authorization::No) {
                    push(
                        findings,
                        &dmarc_report_destination_unauthorized::RULE,
                        format!(
                            "reports go to {uri}, but {d} publishes no {auth} record: receivers \
                             send it no reports"
                        ),
                        name,
                        uri,
                    );
                }
            }
        }
        out.push(dest);
    }
    out
}

/// The domain of `mailto:user@domain[!size]`, lowercase.
fn mailto_domain(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once(':')?;
    if !scheme.eq_ignore_ascii_case("mailto") {
        return None;
    }
    let address = rest.split(['!', '?']).next().unwrap_or_default();
    let (_, domain) = address.rsplit_once('@')?;
    let domain = crate::auth::dns::normalize_name(domain);
    (!domain.is_empty()).then_some(domain)
}

/// A TXT record that mentions `v=DMARC1` without being a DMARC record (not first, or the
/// version in another case).
fn looks_like_dmarc(text: &str) -> bool {
    !is_dmarc_record(text)
        && text
            .to_ascii_lowercase()
            .replace(' ', "")
            .contains("v=dmarc1")
}

/// What receivers do, in words.
fn summary(
    domain: &str,
    record_domain: &str,
    inherited: bool,
    policy: &str,
    tag: &str,
    pct: u8,
) -> String {
    let origin = if inherited {
        format!(
            "{domain} has no DMARC record of its own; the record of its organisational domain \
             {record_domain} applies, with its policy for subdomains ({tag}={policy}). "
        )
    } else {
        String::new()
    };
    let what = match policy {
        "reject" => "is rejected by receivers that apply DMARC",
        "quarantine" => "is treated as suspicious (usually put in the spam folder)",
        _ => "is delivered as if there were no policy: DMARC only produces reports",
    };
    let share = if pct < 100 && policy != "none" {
        format!(
            " That applies to {pct}% of it; the rest is handled one step more leniently \
             (pct={pct})."
        )
    } else {
        String::new()
    };
    format!(
        "{origin}Mail that claims to be from {domain} and fails DMARC (neither SPF nor DKIM \
         passes aligned with the From domain) {what}.{share}"
    )
}

/// Each tag of the record, in the order written, explained.
fn explain_tags(text: &str) -> Vec<Explained> {
    let mut out = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let meaning = match part.split_once('=') {
            None => "not a tag=value pair: receivers ignore it".to_string(),
            Some((k, v)) => tag_meaning(&k.trim().to_ascii_lowercase(), v.trim()),
        };
        out.push(Explained {
            text: part.to_string(),
            meaning,
        });
    }
    out
}

fn policy_words(v: &str) -> String {
    match v.to_ascii_lowercase().as_str() {
        "none" => "none — monitoring only: failing mail is delivered as usual, and reports are \
                   sent"
            .into(),
        "quarantine" => "quarantine — failing mail is treated as suspicious, usually delivered to \
                         the spam folder"
            .into(),
        "reject" => "reject — failing mail is refused during the SMTP conversation".into(),
        _ => format!("{v:?} is not none, quarantine or reject: invalid"),
    }
}

fn tag_meaning(key: &str, v: &str) -> String {
    let uris = || v.split(',').map(str::trim).collect::<Vec<_>>().join(", ");
    match key {
        "v" => {
            "DMARC version 1: this TXT record is a DMARC policy (it must be the first tag)".into()
        }
        "p" => format!(
            "the policy for mail from this domain that fails DMARC: {}",
            policy_words(v)
        ),
        "sp" => format!(
            "the policy for its subdomains (and for subdomains without a record of their own): {}",
            policy_words(v)
        ),
        "np" => format!(
            "the policy for subdomains that do not exist (RFC 9091): {}",
            policy_words(v)
        ),
        "adkim" | "aspf" => {
            let what = if key == "adkim" {
                "DKIM alignment: the signing domain (d=)"
            } else {
                "SPF alignment: the envelope sender's domain (the one SPF checks)"
            };
            match v.to_ascii_lowercase().as_str() {
                "r" => format!(
                    "{what} may be the From domain or any domain with the same organisational \
                     domain (relaxed, the default)"
                ),
                "s" => format!("{what} must be exactly the From domain (strict)"),
                _ => format!("{v:?} is not r or s: receivers use r (relaxed)"),
            }
        }
        "pct" => match v.parse::<u8>() {
            Ok(100) => "apply the policy to all failing mail (100%, the default)".into(),
            Ok(n) if n <= 100 => format!(
                "apply the policy to {n}% of failing mail; the rest is handled one step more \
                 leniently (reject as quarantine, quarantine as none)"
            ),
            _ => format!("{v:?} is not 0 to 100: receivers use 100"),
        },
        "rua" => format!(
            "send aggregate reports (daily XML summaries: who sent mail as the domain, and whether \
             SPF and DKIM passed) to {}",
            uris()
        ),
        "ruf" => format!(
            "send failure reports (copies or details of single failing messages) to {}; few \
             receivers send them",
            uris()
        ),
        "fo" => {
            let each: Vec<&str> = v
                .split(':')
                .map(|o| match o.trim() {
                    "0" => "when neither SPF nor DKIM gives an aligned pass (the default)",
                    "1" => "when SPF or DKIM fails to give an aligned pass",
                    "d" => "when a DKIM signature fails to verify",
                    "s" => "when SPF fails",
                    _ => "(an unknown option, ignored)",
                })
                .collect();
            format!("send failure reports {}", each.join("; and "))
        }
        "rf" => format!("failure report format: {v} (afrf, RFC 6591, is the only one defined)"),
        "ri" => match v.parse::<u64>() {
            Ok(s) => format!(
                "ask for aggregate reports every {s} seconds ({}); most receivers send daily \
                 whatever it says",
                match s / 3600 {
                    0 => "under an hour".to_string(),
                    1 => "1 hour".to_string(),
                    h => format!("{h} hours"),
                }
            ),
            Err(_) => format!("{v:?} is not a number of seconds: receivers use 86400 (daily)"),
        },
        "t" => match v.to_ascii_lowercase().as_str() {
            "y" => {
                "test mode (DMARCbis): receivers apply the policy one step more leniently".into()
            }
            _ => "not in test mode (DMARCbis): the policy applies as written".into(),
        },
        "psd" => "public suffix domain flag (DMARCbis, RFC 9091): for registries, not for \
                  ordinary domains"
            .into(),
        _ => "an unknown tag: receivers ignore it".into(),
    }
}

fn push(findings: &mut Vec<Finding>, rule: &Rule, message: String, name: &str, excerpt: &str) {
    findings.push(rule.finding(
        message,
        None,
        vec![Evidence::note(&format!("TXT {name}"), excerpt)],
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::dns::{DnsFailure, StaticResolver};
    use RecordType::Txt;

    fn dns(records: &[(&str, &str)]) -> Dns {
        let txt: Vec<_> = records
            .iter()
            .map(|(name, value)| (*name, Txt, *value))
            .collect();
        Dns::from_records(&txt)
    }

    fn run(d: &Dns, domain: &str) -> (DmarcSetup, Vec<Finding>) {
        let mut findings = Vec::new();
        let setup = check(domain, d, &mut findings);
        (setup, findings)
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        let mut c: Vec<&str> = findings.iter().map(|f| f.code).collect();
        c.sort_unstable();
        c
    }

    #[test]
    fn a_strong_record_is_explained() {
        let d = dns(&[(
            "_dmarc.example.com",
            "v=DMARC1; p=reject; adkim=s; rua=mailto:dmarc@example.com; fo=1",
        )]);
        let (s, f) = run(&d, "example.com");
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(s.looked_up, ["_dmarc.example.com"]);
        assert_eq!(s.record_domain.as_deref(), Some("example.com"));
        assert!(!s.inherited);
        assert_eq!(s.policy.as_deref(), Some("reject"));
        assert_eq!(s.policy_tag.as_deref(), Some("p"));
        assert_eq!(s.subdomain_policy.as_deref(), Some("reject"));
        assert_eq!(s.pct, Some(100));
        let texts: Vec<&str> = s.explained.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "v=DMARC1",
                "p=reject",
                "adkim=s",
                "rua=mailto:dmarc@example.com",
                "fo=1"
            ]
        );
        assert!(s.explained[1].meaning.contains("refused"));
        assert!(s.explained[2].meaning.contains("exactly the From domain"));
        assert!(s.explained[4].meaning.contains("SPF or DKIM fails"));
        assert_eq!(s.rua.len(), 1);
        assert!(s.rua[0].valid && !s.rua[0].external);
        assert_eq!(s.rua[0].domain.as_deref(), Some("example.com"));
        assert!(s.summary.contains("is rejected"));
    }

    #[test]
    fn no_record_anywhere() {
        let d = dns(&[("example.com", "v=spf1 -all")]);
        let (s, f) = run(&d, "mail.example.com");
        assert_eq!(codes(&f), ["DOM020"]);
        assert_eq!(
            s.looked_up,
            ["_dmarc.mail.example.com", "_dmarc.example.com"]
        );
        assert!(s.record.is_none() && s.policy.is_none());
        assert!(s.error.is_some());
    }

    #[test]
    fn org_domain_fallback_uses_sp() {
        let d = dns(&[(
            "_dmarc.example.com",
            "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com",
        )]);
        let (s, f) = run(&d, "shop.example.com");
        assert!(f.is_empty(), "{f:?}");
        assert!(s.inherited);
        assert_eq!(s.org_domain.as_deref(), Some("example.com"));
        assert_eq!(s.record_domain.as_deref(), Some("example.com"));
        assert_eq!(s.policy.as_deref(), Some("quarantine"));
        assert_eq!(s.policy_tag.as_deref(), Some("sp"));
        assert!(s.summary.contains("organisational domain example.com"));
        // inherited p=none via sp=none is reported as the tag that applies
        let d = dns(&[(
            "_dmarc.example.com",
            "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com",
        )]);
        let (s, f) = run(&d, "shop.example.com");
        assert_eq!(codes(&f), ["DOM023"]);
        assert!(f[0].message.starts_with("sp=none"));
        assert_eq!(s.policy.as_deref(), Some("none"));
        // the record of the domain itself wins over the organisational domain's
        let d = dns(&[
            ("_dmarc.example.com", "v=DMARC1; p=none"),
            (
                "_dmarc.shop.example.com",
                "v=DMARC1; p=reject; rua=mailto:d@example.com",
            ),
        ]);
        let (s, f) = run(&d, "shop.example.com");
        assert!(f.is_empty(), "{f:?}");
        assert!(!s.inherited);
        assert_eq!(s.looked_up.len(), 1);
    }

    #[test]
    fn several_records_are_all_ignored() {
        let d = dns(&[
            ("_dmarc.example.com", "v=DMARC1; p=reject"),
            (
                "_dmarc.example.com",
                "v=DMARC1; p=none; rua=mailto:d@example.com",
            ),
        ]);
        let (s, f) = run(&d, "example.com");
        assert_eq!(codes(&f), ["DOM021"]);
        assert_eq!(s.records.len(), 2);
        assert!(s.record.is_none() && s.policy.is_none());
    }

    #[test]
    fn syntax_errors() {
        let d = dns(&[
            ("_dmarc.bad.example", "v=DMARC1; p=rejected"),
            (
                "_dmarc.tolerated.example",
                "v=DMARC1; p=reject; pct=150; rua=mailto:d@tolerated.example",
            ),
            (
                "_dmarc.order.example",
                "p=reject; v=DMARC1; rua=mailto:d@order.example",
            ),
            (
                "_dmarc.uri.example",
                "v=DMARC1; p=reject; rua=dmarc@uri.example",
            ),
        ]);
        let (s, f) = run(&d, "bad.example");
        assert_eq!(codes(&f), ["DOM022"]);
        assert!(f[0].message.contains("unusable"));
        assert!(s.policy.is_none());
        assert!(s.explained[1].meaning.contains("invalid"));
        let (s, f) = run(&d, "tolerated.example");
        assert_eq!(codes(&f), ["DOM022"]);
        assert_eq!(s.pct, Some(100));
        let (_, f) = run(&d, "order.example");
        assert_eq!(codes(&f), ["DOM020", "DOM022"]);
        let (_, f) = run(&d, "uri.example");
        assert_eq!(codes(&f), ["DOM022", "DOM025"]);
    }

    #[test]
    fn weak_settings() {
        let d = dns(&[
            (
                "_dmarc.none.example",
                "v=DMARC1; p=none; rua=mailto:d@none.example",
            ),
            (
                "_dmarc.pct.example",
                "v=DMARC1; p=quarantine; pct=20; rua=mailto:d@pct.example",
            ),
            ("_dmarc.norua.example", "v=DMARC1; p=reject"),
            (
                "_dmarc.sp.example",
                "v=DMARC1; p=reject; sp=none; rua=mailto:d@sp.example",
            ),
        ]);
        let (s, f) = run(&d, "none.example");
        assert_eq!(codes(&f), ["DOM023"]);
        assert!(f[0].message.contains("quarantine or reject"));
        assert!(s.summary.contains("only produces reports"));
        let (s, f) = run(&d, "pct.example");
        assert_eq!(codes(&f), ["DOM024"]);
        assert!(s.summary.contains("20%"));
        assert_eq!(codes(&run(&d, "norua.example").1), ["DOM025"]);
        let (s, f) = run(&d, "sp.example");
        assert_eq!(codes(&f), ["DOM026"]);
        assert_eq!(s.policy.as_deref(), Some("reject"));
        assert_eq!(s.subdomain_policy.as_deref(), Some("none"));
    }

    #[test]
    fn external_report_destinations_need_authorisation() {
        let d = dns(&[
            (
                "_dmarc.example.com",
                "v=DMARC1; p=reject; rua=mailto:a@reports.example.net,mailto:b@ok.example.org!10m; ruf=mailto:f@sub.example.com",
            ),
            ("example.com._report._dmarc.ok.example.org", "v=DMARC1"),
        ]);
        let (s, f) = run(&d, "example.com");
        assert_eq!(codes(&f), ["DOM027"]);
        assert!(
            f[0].message
                .contains("example.com._report._dmarc.reports.example.net")
        );
        assert_eq!(s.rua.len(), 2);
        assert!(s.rua[0].external);
        assert_eq!(s.rua[0].authorized, Some(Authorization::No));
        assert_eq!(s.rua[1].domain.as_deref(), Some("ok.example.org"));
        assert_eq!(s.rua[1].authorized, Some(Authorization::Yes));
        assert!(!s.ruf[0].external);
        assert_eq!(s.ruf[0].authorized, None);
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(json["rua"][0]["authorized"], "no");
        assert_eq!(json["rua"][1]["authorized"], "yes");
        assert_eq!(json["ruf"][0]["authorized"], serde_json::Value::Null);
        assert_eq!(json["explained"][1]["text"], "p=reject");
        assert!(json.get("tags").is_none());

        // a failed lookup is neither yes nor no
        let mut r = StaticResolver::new();
        r.add(
            "_dmarc.example.com",
            Txt,
            "v=DMARC1; p=reject; rua=mailto:a@reports.example.net",
        );
        r.set(
            "example.com._report._dmarc.reports.example.net",
            Txt,
            Answer::Failed(DnsFailure::Timeout),
        );
        let (s, f) = run(&Dns::new(Box::new(r)), "example.com");
        assert_eq!(codes(&f), ["DOM009"]);
        assert_eq!(s.rua[0].authorized, Some(Authorization::Unknown));
        assert!(
            s.rua[0]
                .authorization_error
                .as_deref()
                .is_some_and(|e| e.contains("timeout")),
            "{:?}",
            s.rua[0]
        );
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(json["rua"][0]["authorized"], "unknown");
    }

    #[test]
    fn dns_failure_stops_discovery() {
        let mut r = StaticResolver::new();
        r.set(
            "_dmarc.shop.example.com",
            Txt,
            Answer::Failed(DnsFailure::Timeout),
        );
        r.add("_dmarc.example.com", Txt, "v=DMARC1; p=reject");
        let (s, f) = run(&Dns::new(Box::new(r)), "shop.example.com");
        assert_eq!(codes(&f), ["DOM009"]);
        assert!(s.error.is_some_and(|e| e.contains("timeout")));
        assert!(s.record.is_none());
    }

    #[test]
    fn every_tag_has_words() {
        let tags = explain_tags(
            "v=DMARC1; p=quarantine; sp=reject; np=reject; aspf=r; pct=50; ruf=mailto:x@y.example; \
             rf=afrf; ri=3600; t=y; psd=n; zz=1; junk",
        );
        assert_eq!(tags.len(), 13);
        assert!(tags.iter().all(|t| !t.meaning.is_empty()));
        assert!(tags[11].meaning.contains("unknown tag"));
        assert!(tags[12].meaning.contains("not a tag=value"));
        assert!(tags[8].meaning.contains("(1 hour)"));
    }
}
