//! DKIM keys of a domain, looked up at the selectors asked for (`--selector`) and, when asked,
//! at commonly used ones ([`COMMON_SELECTORS`]): found or not, key type and size, revoked,
//! testing and strict flags, hash and service restrictions, each tag explained.
//!
//! The key record is judged by the same code as message verification
//! (`auth::dkim::key::judge`, read with `auth::dkim::tags`): there is one DKIM
//! key parser in mailtrace, not two. This module only looks up, describes and turns problems
//! into findings; it must not open the network except through [`Dns`].
//!
//! A CNAME at the selector (the usual way providers delegate their keys) is followed by the
//! resolver and not visible in its answers, so the CNAME target is not reported.

use mail_auth::common::crypto::Algorithm;
use serde::Serialize;

use super::{DomainOptions, Explained};
use crate::auth::dkim::key::{self, KeyProblem};
use crate::auth::dkim::{Reason, tags};
use crate::auth::dns::{Answer, Dns, DnsFailure};
use crate::diagnose::{Evidence, Finding};

use super::rules::policies::{
    dkim_key_below_2048_bits, dkim_key_in_testing_mode, dkim_key_not_for_email,
    dkim_key_record_invalid, dkim_key_restricted_to_sha1, dkim_key_too_short,
    dkim_key_type_unknown, dkim_selector_not_found, dkim_selector_revoked,
};
use super::rules::records::record_lookup_failed;

/// Selectors probed with `--probe-selectors`: the fixed selectors of large mail services and
/// the defaults of common signing software. Services whose selectors are per customer or per
/// key (Amazon SES: one random token per key, `TOKEN._domainkey`; Postmark: a date plus `pm`;
/// HubSpot: `hs1-ID`) cannot be probed.
pub const COMMON_SELECTORS: &[&str] = &[
    // Google Workspace: the default prefix is "google" (Admin console, Apps > Gmail >
    // Authenticate email; support.google.com/a/answer/174124).
    "google",
    // Microsoft 365 / Exchange Online: CNAMEs selector1 and selector2 to
    // *._domainkey.TENANT.onmicrosoft.com (learn.microsoft.com, "Set up DKIM to sign mail from
    // your Microsoft 365 domain").
    "selector1",
    "selector2",
    // Mailchimp: CNAMEs k2 and k3 (mailchimp.com/help/set-up-email-domain-authentication);
    // k1 is Mailchimp's older selector and Mandrill's, still common.
    "k1",
    "k2",
    "k3",
    // Mandrill (Mailchimp Transactional): "mandrill._domainkey" (mailchimp.com/developer,
    // "Authentication and sender domains").
    "mandrill",
    // Twilio SendGrid automated security: CNAMEs s1 and s2 (docs.sendgrid.com, "How to set up
    // domain authentication").
    "s1",
    "s2",
    // Mailgun: "smtp" for older domains, "mx" and "krs" for newer ones (documentation.mailgun.com,
    // "Domain verification setup").
    "smtp",
    "mx",
    "krs",
    // Brevo (Sendinblue): "mail" (older), "brevo1" and "brevo2" (help.brevo.com, "Authenticate
    // your domain"). "mail" is also opendkim's example selector in many tutorials.
    "mail",
    "brevo1",
    "brevo2",
    // Mailjet: "mailjet" (documentation.mailjet.com, "SPF and DKIM").
    "mailjet",
    // cPanel, Plesk and DirectAdmin publish their generated key at "default"
    // (docs.cpanel.net, "Email Deliverability"; docs.plesk.com, "DKIM").
    "default",
    // Generic names chosen by hand or by other panels (ISPConfig and many guides use "dkim").
    "dkim",
    // Zoho Mail: the selector is chosen by the admin; its help pages use "zoho" and "zmail"
    // (zoho.com/mail/help/adminconsole/dkim-configuration.html).
    "zoho",
    "zmail",
    // Fastmail: CNAMEs fm1, fm2 and fm3 to fmN.DOMAIN.dkim.fmhosted.com (fastmail.help,
    // "Manual DNS configuration").
    "fm1",
    "fm2",
    "fm3",
    // Proton Mail: CNAMEs protonmail, protonmail2 and protonmail3 (proton.me/support,
    // "Custom domain DKIM").
    "protonmail",
    "protonmail2",
    "protonmail3",
];

/// How a DNS lookup of a record went (shared by the DKIM, MTA-STS, TLS-RPT and BIMI checks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "reason")]
pub enum Lookup {
    /// Not looked up (the section did not apply, e.g. no policy without a record).
    #[default]
    NotLooked,
    /// At least one record was found (the records are in `records`).
    Found,
    /// The name does not exist (NXDOMAIN) or holds no record of the type.
    NotFound,
    /// No answer could be had; the reason in one line ("not found (offline)", "DNS timeout").
    Failed(String),
}

impl Lookup {
    /// The lookup of TXT records at `name`, and the records found.
    pub(crate) fn txt(dns: &Dns, name: &str) -> (Lookup, Vec<String>) {
        match dns.txt(name) {
            Answer::Records(records) if !records.is_empty() => (Lookup::Found, records),
            Answer::Records(_) | Answer::NoData | Answer::NxDomain => {
                (Lookup::NotFound, Vec::new())
            }
            Answer::Failed(failure) => (Lookup::Failed(failure_text(&failure)), Vec::new()),
        }
    }
}

/// A DNS failure in one line.
pub(crate) fn failure_text(failure: &DnsFailure) -> String {
    match failure {
        DnsFailure::Offline => "not found (offline)".to_string(),
        DnsFailure::Timeout => "DNS timeout".to_string(),
        DnsFailure::ServFail => "SERVFAIL".to_string(),
        DnsFailure::Refused => "the DNS server refused the query".to_string(),
        DnsFailure::Unreachable(why) => format!("DNS unreachable ({why})"),
        DnsFailure::Budget(why) => why.clone(),
        DnsFailure::Other(why) => format!("DNS error: {why}"),
    }
}

/// Why a selector was looked up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SelectorSource {
    /// Given with `--selector`: not finding it is a finding.
    #[default]
    Given,
    /// One of [`COMMON_SELECTORS`], probed: not finding it is no finding.
    Probed,
}

/// The type of a DKIM key (`k=`). In JSON a plain string: `rsa`, `ed25519`, or the unknown
/// `k=` value as written (lowercased).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum KeyType {
    /// RSA (RFC 6376; the default when `k=` is absent).
    #[default]
    Rsa,
    /// Ed25519 (RFC 8463).
    Ed25519,
    /// Any other `k=` value, as written: verifiers cannot use it.
    Unknown(String),
}

impl KeyType {
    /// `rsa`, `ed25519`, or the unknown `k=` value.
    pub fn as_str(&self) -> &str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
            KeyType::Unknown(k) => k,
        }
    }
}

impl Serialize for KeyType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The DKIM key at one selector.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SelectorCheck {
    /// The selector (`s=` of signatures), as given or probed.
    pub selector: String,
    /// Why it was looked up.
    pub source: SelectorSource,
    /// The name queried: `SELECTOR._domainkey.DOMAIN`.
    pub name: String,
    /// How the TXT lookup went; a probed selector that is not found is just "not-found".
    pub lookup: Lookup,
    /// Every TXT record at the name (strings joined), in DNS order.
    pub records: Vec<String>,
    /// The record judged: the first one (RFC 6376 leaves the choice among several to the
    /// verifier); None when nothing was found.
    pub record: Option<String>,
    /// The key type (`k=`, rsa when absent); None when the record could not be read.
    pub key_type: Option<KeyType>,
    /// The key size in bits (Ed25519: 256); None when unknown (revoked, unreadable).
    pub bits: Option<u32>,
    /// The key is revoked: `p=` is empty.
    pub revoked: bool,
    /// `t=y`: the domain says it is testing DKIM.
    pub testing: bool,
    /// `t=s`: the `i=` of signatures must be exactly `d=`, not a subdomain.
    pub strict: bool,
    /// `h=`: the only hash algorithms the key may be used with; None means all.
    pub hash_algorithms: Option<Vec<String>>,
    /// `s=`: the services the key is for (`email`, `*`); None means all.
    pub services: Option<Vec<String>>,
    /// Why the key cannot be used by a verifier (one line), or None when it can (or nothing was
    /// found). A revoked key says so here too.
    pub problem: Option<String>,
    /// Each tag of the record, explained.
    pub explained: Vec<Explained>,
}

/// Look up the selectors of `options` (then the common ones when probing) under `domain`.
pub fn check(
    domain: &str,
    options: &DomainOptions,
    dns: &Dns,
    findings: &mut Vec<Finding>,
) -> Vec<SelectorCheck> {
    let mut wanted: Vec<(String, SelectorSource)> = Vec::new();
    let given = options.selectors.iter().map(|s| (s, SelectorSource::Given));
    let probed = COMMON_SELECTORS
        .iter()
        .filter(|_| options.probe_selectors)
        .map(|s| (*s, SelectorSource::Probed));
    for (selector, source) in given.map(|(s, src)| (s.as_str(), src)).chain(probed) {
        let selector = selector.trim().trim_matches('.').to_ascii_lowercase();
        if !selector.is_empty() && !wanted.iter().any(|(s, _)| *s == selector) {
            wanted.push((selector, source));
        }
    }
    wanted
        .into_iter()
        .map(|(selector, source)| check_selector(domain, &selector, source, dns, findings))
        .collect()
}

fn check_selector(
    domain: &str,
    selector: &str,
    source: SelectorSource,
    dns: &Dns,
    findings: &mut Vec<Finding>,
) -> SelectorCheck {
    let name = format!("{selector}._domainkey.{domain}");
    let (lookup, records) = Lookup::txt(dns, &name);
    let mut out = SelectorCheck {
        selector: selector.to_string(),
        source,
        name,
        lookup,
        record: records.first().cloned(),
        records,
        ..SelectorCheck::default()
    };
    if out.lookup == Lookup::NotFound && source == SelectorSource::Given {
        findings.push(dkim_selector_not_found::RULE.finding(
            format!("no DKIM key record at {}", out.name),
            None,
            vec![Evidence::note(&format!("TXT {}", out.name), "no record")],
        ));
    }
    if let (Lookup::Failed(why), SelectorSource::Given) = (&out.lookup, source) {
        findings.push(record_lookup_failed::RULE.finding(
            format!(
                "the DKIM key at {} could not be looked up ({why})",
                out.name
            ),
            None,
            vec![Evidence::note(&format!("TXT {}", out.name), why)],
        ));
    }
    if let Some(record) = out.record.clone() {
        describe(&record, &mut out, findings);
    }
    out
}

/// Read one key record into `out` and push its findings.
fn describe(record: &str, out: &mut SelectorCheck, findings: &mut Vec<Finding>) {
    let evidence = || vec![Evidence::note(&format!("TXT {}", out.name), record)];
    let list = match tags::parse(record.as_bytes()) {
        Ok(list) => list,
        Err(e) => {
            let problem = format!("key record: {e}");
            findings.push(dkim_key_record_invalid::RULE.finding(
                format!("the DKIM key record at {} cannot be read: {e}", out.name),
                None,
                evidence(),
            ));
            out.problem = Some(problem);
            return;
        }
    };
    out.explained = list
        .tags
        .iter()
        .map(|t| explain(t.name, &String::from_utf8_lossy(t.value)))
        .collect();
    let list_of = |tag: &str| {
        list.compact(tag).map(|v| {
            v.split(':')
                .filter(|i| !i.is_empty())
                .map(str::to_string)
                .collect()
        })
    };
    out.hash_algorithms = list_of("h");
    out.services = list_of("s");
    let flags: Vec<String> = list_of("t").unwrap_or_default();
    out.testing = flags.iter().any(|f| f.eq_ignore_ascii_case("y"));
    out.strict = flags.iter().any(|f| f.eq_ignore_ascii_case("s"));
    out.revoked = list.compact("p").is_some_and(|p| p.is_empty());
    let k = list
        .text("k")
        .map(|k| k.to_ascii_lowercase())
        .unwrap_or_else(|| "rsa".to_string());
    let (key_type, algorithm) = match k.as_str() {
        "rsa" => (KeyType::Rsa, Algorithm::RsaSha256),
        "ed25519" => (KeyType::Ed25519, Algorithm::Ed25519Sha256),
        _ => {
            out.key_type = Some(KeyType::Unknown(k.clone()));
            if !out.revoked {
                out.problem = Some(format!("k={k} is not a known key type"));
                findings.push(dkim_key_type_unknown::RULE.finding(
                    format!(
                        "the DKIM key at {} has k={k}, which is neither rsa nor ed25519",
                        out.name
                    ),
                    None,
                    evidence(),
                ));
                return;
            }
            (KeyType::Rsa, Algorithm::RsaSha256)
        }
    };
    if out.key_type.is_none() {
        out.key_type = Some(key_type.clone());
    }
    let judged = key::judge(record, algorithm);
    // h= and s= restrictions stop the judge before it reads the key: judge the record without
    // them as well, for the key size and the other problems.
    let unrestricted = match &judged {
        Err(KeyProblem {
            reason: Reason::KeyHashMismatch | Reason::KeyServiceMismatch,
            ..
        }) => Some(key::judge(&without_tags(&list, &["h", "s"]), algorithm)),
        _ => None,
    };
    if let Err(p) = &judged {
        out.problem = Some(p.note.clone());
        match p.reason {
            Reason::KeyRevoked => findings.push(dkim_selector_revoked::RULE.finding(
                format!(
                    "the DKIM key at {} is revoked (empty p=): normal after a key rotation, \
                     but mail still signed with selector {} fails DKIM",
                    out.name, out.selector
                ),
                None,
                evidence(),
            )),
            Reason::KeyHashMismatch => findings.push(dkim_key_restricted_to_sha1::RULE.finding(
                format!(
                    "the DKIM key at {} does not allow sha256 (h={}): it can only make \
                     signatures that verifiers must reject (RFC 8301)",
                    out.name,
                    out.hash_algorithms.as_deref().unwrap_or_default().join(":")
                ),
                None,
                evidence(),
            )),
            Reason::KeyServiceMismatch => findings.push(dkim_key_not_for_email::RULE.finding(
                format!(
                    "the DKIM key at {} is not for email (s={}): verifiers ignore it",
                    out.name,
                    out.services.as_deref().unwrap_or_default().join(":")
                ),
                None,
                evidence(),
            )),
            _ => {}
        }
    }
    let key = match (judged, unrestricted) {
        (Ok(key), _) | (Err(_), Some(Ok(key))) => key,
        (Err(p), None) | (Err(_), Some(Err(p))) => {
            if !matches!(
                p.reason,
                Reason::KeyRevoked | Reason::KeyHashMismatch | Reason::KeyServiceMismatch
            ) {
                findings.push(dkim_key_record_invalid::RULE.finding(
                    format!(
                        "the DKIM key record at {} is not usable: {}",
                        out.name,
                        p.note.trim_start_matches("key record: ")
                    ),
                    None,
                    evidence(),
                ));
                out.problem.get_or_insert(p.note);
            }
            return;
        }
    };
    out.bits = Some(key.bits);
    if key_type == KeyType::Rsa {
        if key.bits < crate::auth::dkim::MIN_RSA_BITS {
            findings.push(dkim_key_too_short::RULE.finding(
                format!(
                    "the DKIM key at {} is a {}-bit RSA key: verifiers must reject signatures \
                     made with keys under 1024 bits (RFC 8301)",
                    out.name, key.bits
                ),
                None,
                evidence(),
            ));
            out.problem
                .get_or_insert_with(|| format!("a {}-bit RSA key is too short", key.bits));
        } else if key.bits < crate::auth::dkim::RECOMMENDED_RSA_BITS {
            findings.push(dkim_key_below_2048_bits::RULE.finding(
                format!(
                    "the DKIM key at {} is a {}-bit RSA key: accepted, but signers should use \
                     2048 bits (RFC 8301)",
                    out.name, key.bits
                ),
                None,
                evidence(),
            ));
        }
    }
    if key.testing {
        findings.push(dkim_key_in_testing_mode::RULE.finding(
            format!(
                "the DKIM key at {} is flagged t=y (testing): remove the flag once signatures \
                 verify",
                out.name
            ),
            None,
            evidence(),
        ));
    }
}

/// The record rebuilt without some tags.
fn without_tags(list: &tags::TagList<'_>, drop: &[&str]) -> String {
    list.tags
        .iter()
        .filter(|t| !drop.contains(&t.name))
        .map(|t| format!("{}={}", t.name, String::from_utf8_lossy(t.value)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One tag of a key record, explained.
fn explain(name: &str, value: &str) -> Explained {
    let value = value.trim();
    let items = || {
        value
            .split(':')
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .collect::<Vec<_>>()
    };
    let meaning = match name {
        "v" if value == "DKIM1" => "version: a DKIM key record (must come first)".to_string(),
        "v" => format!("version {value}: only DKIM1 exists, so verifiers reject this record"),
        "k" => match value.to_ascii_lowercase().as_str() {
            "rsa" => "key type: RSA (the default)".to_string(),
            "ed25519" => "key type: Ed25519 (RFC 8463), short keys of 256 bits".to_string(),
            other => format!("key type {other}: unknown, verifiers cannot use this key"),
        },
        "p" if value.is_empty() => {
            "public key: empty, so the key is revoked and signatures with it fail".to_string()
        }
        "p" => "public key: the key verifiers check signatures with (base64)".to_string(),
        "t" => {
            let flags: Vec<String> = items()
                .iter()
                .map(|f| match f.to_ascii_lowercase().as_str() {
                    "y" => "y: testing, receivers should treat mail as if unsigned".to_string(),
                    "s" => {
                        "s: strict, the i= of signatures must be exactly the d= domain".to_string()
                    }
                    other => format!("{other}: unknown flag, ignored"),
                })
                .collect();
            format!("flags: {}", flags.join("; "))
        }
        "h" => format!(
            "hash algorithms this key may be used with: {} (absent means all)",
            items().join(", ")
        ),
        "s" => format!(
            "services this key is for: {} (email or * is needed for mail)",
            items().join(", ")
        ),
        "n" => "notes for humans; ignored by verifiers".to_string(),
        "g" => "granularity (RFC 4871, removed by RFC 6376); ignored".to_string(),
        other => format!("{other}=: an unknown tag, ignored by verifiers"),
    };
    let shown = if name == "p" && value.len() > 24 {
        let cut: String = value.chars().take(20).collect();
        format!("p={cut}…")
    } else {
        format!("{name}={value}")
    };
    Explained {
        text: shown,
        meaning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::dns::{RecordType, StaticResolver};

    const RSA_512: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALlMWMJm7tk/+AxAa6M3rZ2S9ENPFKMJA+dq1egfrUnmo65wyf4u8BGICxXAajr7LLxK4rzZ+h80o+jkj0z5iLcCAwEAAQ==";
    const RSA_1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
    const RSA_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsiEZGDQeCRzTWzh4p3KVZ2zsB8xJLiXjy6f+/KAZpEG1j1C5qoHL8sb2IZobVfAR9KsBZPR7lOf9COVxQ5J5GXqn8J2aI/lVKgI+Y/jVF5ZBFVjiJv5qjU1wFNIv8PUhfVnRVsuj2xLD+ZcDu3KgJSggHXS8eYqSo1uABRN2oGcuVH1AF0zVYrkNIeeqzNsGXdN2sId8OZVByyVSAuKGnQ6gk9LtvO3+sWZzKZgDFMgV++NhGbjlykvCyHnC2dUqOAqDx68LPu8cF38tjNDq14k8v/UOhTh6Q/EK+ZVxxQGKXkFQj7xT6AnhKFsM0Gd+GtDGOrGd55RX4YMFiDXTHQIDAQAB";
    const ED: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    /// Check `sel` with this one record at `sel._domainkey.example.com`.
    fn one(record: &str) -> (SelectorCheck, Vec<&'static str>) {
        let mut zone = StaticResolver::new();
        zone.add("sel._domainkey.example.com", RecordType::Txt, record);
        run(zone, &["sel"], false)
    }

    fn run(
        zone: StaticResolver,
        selectors: &[&str],
        probe: bool,
    ) -> (SelectorCheck, Vec<&'static str>) {
        let (checks, names) = run_all(zone, selectors, probe);
        (checks.into_iter().next().expect("one check"), names)
    }

    fn run_all(
        zone: StaticResolver,
        selectors: &[&str],
        probe: bool,
    ) -> (Vec<SelectorCheck>, Vec<&'static str>) {
        let dns = Dns::new(Box::new(zone));
        let options = DomainOptions {
            selectors: selectors.iter().map(|s| s.to_string()).collect(),
            probe_selectors: probe,
            ..DomainOptions::default()
        };
        let mut findings = Vec::new();
        let checks = check("example.com", &options, &dns, &mut findings);
        (checks, findings.iter().map(|f| f.name).collect())
    }

    #[test]
    fn a_good_2048_bit_key_gives_no_finding() {
        let (c, f) = one(&format!("v=DKIM1; k=rsa; p={RSA_2048}"));
        assert_eq!(f, Vec::<&str>::new());
        assert_eq!(c.name, "sel._domainkey.example.com");
        assert_eq!(c.lookup, Lookup::Found);
        assert_eq!(c.key_type, Some(KeyType::Rsa));
        assert_eq!(c.bits, Some(2048));
        assert!(!c.revoked && !c.testing && !c.strict);
        assert_eq!(c.problem, None);
        assert_eq!(c.explained.len(), 3);
        assert!(c.explained[2].text.starts_with("p=MIIB") && c.explained[2].text.ends_with('…'));
    }

    #[test]
    fn ed25519_and_flags() {
        let (c, f) = one(&format!(
            "v=DKIM1; k=ed25519; t=s; h=sha256; s=email; p={ED}"
        ));
        assert_eq!(f, Vec::<&str>::new());
        assert_eq!(c.key_type, Some(KeyType::Ed25519));
        assert_eq!(c.bits, Some(256));
        assert!(c.strict && !c.testing);
        assert_eq!(c.hash_algorithms, Some(vec!["sha256".to_string()]));
        assert_eq!(c.services, Some(vec!["email".to_string()]));
    }

    #[test]
    fn key_sizes() {
        let (c, f) = one(&format!("v=DKIM1; p={RSA_1024}"));
        assert_eq!(c.bits, Some(1024));
        assert_eq!(f, ["dkim-key-below-2048-bits"]);
        let (c, f) = one(&format!("v=DKIM1; p={RSA_512}"));
        assert_eq!(c.bits, Some(512));
        assert_eq!(f, ["dkim-key-too-short"]);
        assert!(c.problem.is_some());
    }

    #[test]
    fn revoked_testing_and_unknown_type() {
        let (c, f) = one("v=DKIM1; k=rsa; t=y; p=");
        assert!(c.revoked && c.testing);
        assert_eq!(c.bits, None);
        assert_eq!(f, ["dkim-selector-revoked"]);
        let (c, f) = one(&format!("v=DKIM1; t=y:s; p={RSA_2048}"));
        assert!(c.testing && c.strict);
        assert_eq!(f, ["dkim-key-in-testing-mode"]);
        let (c, f) = one(&format!("v=DKIM1; k=rsa-sha256; p={RSA_2048}"));
        assert_eq!(c.key_type, Some(KeyType::Unknown("rsa-sha256".into())));
        assert_eq!(f, ["dkim-key-type-unknown"]);
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            format!("k=rsa; v=DKIM1; p={RSA_2048}"),
            format!("v=DKIM1; k=rsa; k=rsa; p={RSA_2048}"),
            "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".to_string(),
            "v=DKIM1; k=rsa".to_string(),
            "google-site-verification=abc".to_string(),
        ] {
            let (c, f) = one(&bad);
            assert_eq!(f, ["dkim-key-record-invalid"], "{bad}");
            assert!(c.problem.is_some(), "{bad}");
            assert_eq!(c.bits, None, "{bad}");
        }
    }

    #[test]
    fn hash_and_service_restrictions_still_report_the_size() {
        let (c, f) = one(&format!("v=DKIM1; h=sha1; p={RSA_1024}"));
        assert_eq!(c.bits, Some(1024));
        assert_eq!(
            f,
            ["dkim-key-restricted-to-sha1", "dkim-key-below-2048-bits"]
        );
        let (c, f) = one(&format!("v=DKIM1; s=chat; t=y; p={RSA_2048}"));
        assert_eq!(c.bits, Some(2048));
        assert!(c.testing);
        assert_eq!(f, ["dkim-key-not-for-email", "dkim-key-in-testing-mode"]);
        let (_, f) = one(&format!("v=DKIM1; s=*; h=sha256:sha1; p={RSA_2048}"));
        assert_eq!(f, Vec::<&str>::new());
    }

    #[test]
    fn a_given_selector_not_found_is_a_finding_a_probe_is_not() {
        let mut zone = StaticResolver::new();
        zone.add(
            "google._domainkey.example.com",
            RecordType::Txt,
            &format!("v=DKIM1; k=rsa; p={RSA_2048}"),
        );
        let (checks, f) = run_all(zone, &["missing", "Google."], true);
        assert_eq!(f, ["dkim-selector-not-found"]);
        assert_eq!(checks[0].selector, "missing");
        assert_eq!(checks[0].lookup, Lookup::NotFound);
        // "google" was given (normalised), so it is not probed again.
        assert_eq!(checks[1].selector, "google");
        assert_eq!(checks[1].source, SelectorSource::Given);
        assert_eq!(checks[1].bits, Some(2048));
        assert_eq!(checks.len(), 2 + COMMON_SELECTORS.len() - 1);
        assert!(
            checks[2..]
                .iter()
                .all(|c| c.source == SelectorSource::Probed && c.lookup == Lookup::NotFound)
        );
    }

    #[test]
    fn offline_and_failures_are_lookup_failures() {
        let dns = Dns::default();
        let options = DomainOptions {
            selectors: vec!["s1".into()],
            ..DomainOptions::default()
        };
        let mut findings = Vec::new();
        let checks = check("example.com", &options, &dns, &mut findings);
        let names: Vec<&str> = findings.iter().map(|f| f.name).collect();
        assert_eq!(names, ["record-lookup-failed"]);
        assert_eq!(
            checks[0].lookup,
            Lookup::Failed("not found (offline)".into())
        );
        let mut zone = StaticResolver::new();
        zone.set(
            "s1._domainkey.example.com",
            RecordType::Txt,
            Answer::Failed(DnsFailure::Timeout),
        );
        let (c, f) = run(zone.clone(), &["s1"], false);
        assert_eq!(c.lookup, Lookup::Failed("DNS timeout".into()));
        assert_eq!(f, ["record-lookup-failed"]);
        // A probe that fails is no finding.
        let (checks, f) = run_all(zone, &[], true);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checks.len(), COMMON_SELECTORS.len());
    }

    #[test]
    fn common_selectors_are_unique_and_lowercase() {
        let mut seen = std::collections::HashSet::new();
        for s in COMMON_SELECTORS {
            assert!(seen.insert(s), "{s} twice");
            assert_eq!(*s, s.to_ascii_lowercase());
        }
        assert!(COMMON_SELECTORS.contains(&"selector1") && COMMON_SELECTORS.contains(&"fm1"));
    }

    #[test]
    fn json_shape_for_renderers() {
        let (c, _) = one(&format!("v=DKIM1; k=rsa-x; p={RSA_2048}"));
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["source"], "given");
        assert_eq!(v["lookup"], serde_json::json!({"status": "found"}));
        assert_eq!(v["key_type"], serde_json::json!("rsa-x"));
        let (c, _) = one(&format!("p={ED}; k=ed25519"));
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["key_type"], serde_json::json!("ed25519"));
        assert_eq!(v["bits"], 256);
        assert_eq!(v["hash_algorithms"], serde_json::Value::Null);
        // a record that cannot be read: no key type
        let (c, _) = one("not a tag list at all");
        assert!(c.problem.is_some(), "{c:?}");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["key_type"], serde_json::Value::Null);
    }
}
