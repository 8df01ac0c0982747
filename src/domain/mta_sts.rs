//! MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and BIMI records of a domain, looked up and
//! explained: the TXT records at `_mta-sts.DOMAIN`, `_smtp._tls.DOMAIN` and
//! `default._bimi.DOMAIN`, and the MTA-STS policy file, fetched over HTTPS through a
//! [`PolicyFetcher`] when the caller gives one, checked against the domain's MX hosts.
//!
//! DNS goes through [`Dns`] only; HTTPS only through the fetcher. This module must not open the
//! network by itself, so that `--offline` and zone files work as everywhere else.

use serde::Serialize;

use super::dkim::{Lookup, failure_text};
use super::rules::policies::{
    bimi_logo_not_https, bimi_record_invalid, bimi_without_certificate, mta_sts_in_testing_mode,
    mta_sts_max_age_short, mta_sts_max_age_too_long, mta_sts_mode_none, mta_sts_mx_not_covered,
    mta_sts_policy_invalid, mta_sts_policy_unavailable, mta_sts_record_invalid,
    mta_sts_several_records, mta_sts_without_tls_rpt, tls_rpt_record_invalid,
};
use super::rules::records::record_lookup_failed;
use super::{Explained, PolicyFetcher};
use crate::auth::dns::{Answer, Dns, RecordType};
use crate::diagnose::{Evidence, Finding};

/// The largest `max_age` RFC 8461 section 3.2 allows: 31557600 seconds (a year).
pub const MAX_AGE_LIMIT: u64 = 31_557_600;

/// Below this `max_age` (a day) the policy protects little (RFC 8461 recommends weeks).
pub const MAX_AGE_SHORT: u64 = 86_400;

/// The MTA-STS setup of a domain (RFC 8461).
#[derive(Debug, Clone, Default, Serialize)]
pub struct MtaSts {
    /// The name queried: `_mta-sts.DOMAIN`.
    pub name: String,
    /// How the TXT lookup went.
    pub lookup: Lookup,
    /// Every TXT record at the name, in DNS order (records not starting with `v=STSv1` are
    /// ignored by senders).
    pub records: Vec<String>,
    /// The MTA-STS record: the one record starting with `v=STSv1`; None when there is none
    /// or several (senders then assume there is no policy).
    pub record: Option<String>,
    /// Whether that record is valid (`v=STSv1` first, an `id=` of 1 to 32 letters and digits).
    /// Only then do senders fetch the policy.
    pub valid: bool,
    /// The policy's instance id (`id=`): senders refetch the policy when it changes.
    pub id: Option<String>,
    /// Each field of the record, explained.
    pub explained: Vec<Explained>,
    /// Where the policy is fetched from: `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`.
    pub policy_url: String,
    /// Whether the policy was fetched, and why not. It is fetched only after a valid record,
    /// as senders do.
    pub policy_fetch: PolicyFetch,
    /// The policy, when fetched.
    pub policy: Option<Policy>,
    /// How the MX lookup of the domain went (only done when a policy was fetched).
    pub mx_lookup: Lookup,
    /// Each MX host of the domain and the policy pattern it matches.
    pub mx_hosts: Vec<MxMatch>,
}

/// Whether the MTA-STS policy file was fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "reason")]
pub enum PolicyFetch {
    /// No `v=STSv1` record: senders do not fetch a policy, and neither did we.
    #[default]
    NoRecord,
    /// Not fetched; why in words: the record is invalid or there are several (senders fetch
    /// nothing then either), the DNS lookup failed, or no fetch was possible (offline) or asked.
    NotFetched(String),
    /// Fetched (the policy is in `policy`).
    Fetched,
    /// The fetch failed; why, in one line.
    Failed(String),
}

/// The policy mode (`mode:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Senders must not deliver to an MX host that fails the checks.
    Enforce,
    /// Senders deliver anyway and report failures (TLS-RPT).
    Testing,
    /// No active policy (used to withdraw one).
    None,
}

/// An MTA-STS policy file (RFC 8461 section 3.2).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Policy {
    /// The file as fetched.
    pub text: String,
    /// `version:` (must be `STSv1`).
    pub version: Option<String>,
    /// `mode:`; None when missing or unknown.
    pub mode: Option<Mode>,
    /// The `mx:` patterns, in order (`mail.example.com`, `*.example.net`).
    pub mx: Vec<String>,
    /// `max_age:` in seconds: how long senders may cache the policy.
    pub max_age: Option<u64>,
    /// Whether senders can use the policy (no problem in `problems`).
    pub valid: bool,
    /// What makes the policy invalid, one line each.
    pub problems: Vec<String>,
    /// Each line of the policy, explained.
    pub explained: Vec<Explained>,
}

/// One MX host of the domain checked against the policy.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MxMatch {
    /// The MX record as answered (`10 mail.example.com`).
    pub record: String,
    /// The host (lowercase, no trailing dot).
    pub host: String,
    /// The first `mx:` pattern that matches it; None when none does.
    pub pattern: Option<String>,
}

/// The TLS-RPT setup of a domain (RFC 8460).
#[derive(Debug, Clone, Default, Serialize)]
pub struct TlsRpt {
    /// The name queried: `_smtp._tls.DOMAIN`.
    pub name: String,
    /// How the TXT lookup went.
    pub lookup: Lookup,
    /// Every TXT record at the name, in DNS order.
    pub records: Vec<String>,
    /// The TLS-RPT record: the one record starting with `v=TLSRPTv1`.
    pub record: Option<String>,
    /// Whether that record is valid (and the only one).
    pub valid: bool,
    /// Where reports go (`rua=`): `mailto:` and `https:` URIs.
    pub rua: Vec<String>,
    /// Each field of the record, explained.
    pub explained: Vec<Explained>,
}

/// The BIMI record of a domain (draft-brand-indicators-for-message-identification).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Bimi {
    /// The name queried: `default._bimi.DOMAIN`.
    pub name: String,
    /// How the TXT lookup went.
    pub lookup: Lookup,
    /// Every TXT record at the name, in DNS order.
    pub records: Vec<String>,
    /// The BIMI record: the one record starting with `v=BIMI1`.
    pub record: Option<String>,
    /// Whether that record is valid (and the only one).
    pub valid: bool,
    /// The logo (`l=`): an SVG over HTTPS; None when absent or empty.
    pub logo: Option<String>,
    /// The evidence document (`a=`): a VMC or CMC certificate (PEM) over HTTPS.
    pub certificate: Option<String>,
    /// `l=` and `a=` both empty: the domain declines to show a logo.
    pub declined: bool,
    /// What BIMI needs besides this record, which this check cannot see.
    pub requirement: String,
    /// Each tag of the record, explained.
    pub explained: Vec<Explained>,
}

/// Whether and how the MTA-STS policy may be fetched.
#[derive(Clone, Copy)]
pub enum PolicyFetching<'a> {
    /// Through this fetcher.
    With(&'a dyn PolicyFetcher),
    /// Not: offline.
    Offline,
    /// Not: the caller gave no fetcher although online.
    NotAsked,
}

impl<'a> PolicyFetching<'a> {
    /// The fetcher when given; otherwise offline or not asked.
    pub fn new(fetcher: Option<&'a dyn PolicyFetcher>, offline: bool) -> Self {
        match fetcher {
            Some(fetcher) => PolicyFetching::With(fetcher),
            None if offline => PolicyFetching::Offline,
            None => PolicyFetching::NotAsked,
        }
    }
}

/// Check MTA-STS (fetching the policy when `fetch` allows and the record is valid), TLS-RPT
/// and BIMI.
pub fn check(
    domain: &str,
    dns: &Dns,
    fetch: PolicyFetching<'_>,
    findings: &mut Vec<Finding>,
) -> (MtaSts, TlsRpt, Bimi) {
    let mta_sts = check_mta_sts(domain, dns, fetch, findings);
    let tls_rpt = check_tls_rpt(domain, dns, findings);
    if mta_sts.record.is_some() && tls_rpt.lookup == Lookup::NotFound {
        findings.push(mta_sts_without_tls_rpt::RULE.finding(
            format!(
                "{domain} publishes MTA-STS but no TLS-RPT record at {}: you would not hear \
                 about failed deliveries",
                tls_rpt.name
            ),
            None,
            vec![Evidence::note(
                &format!("TXT {}", tls_rpt.name),
                "no record",
            )],
        ));
    }
    let bimi = check_bimi(domain, dns, findings);
    (mta_sts, tls_rpt, bimi)
}

/// The TXT lookup at `name`, with a finding when DNS gave no answer.
fn lookup(dns: &Dns, name: &str, what: &str, findings: &mut Vec<Finding>) -> (Lookup, Vec<String>) {
    let (lookup, records) = Lookup::txt(dns, name);
    if let Lookup::Failed(why) = &lookup {
        findings.push(record_lookup_failed::RULE.finding(
            format!("the {what} record at {name} could not be looked up ({why})"),
            None,
            vec![Evidence::note(&format!("TXT {name}"), why)],
        ));
    }
    (lookup, records)
}

fn check_mta_sts(
    domain: &str,
    dns: &Dns,
    fetch: PolicyFetching<'_>,
    findings: &mut Vec<Finding>,
) -> MtaSts {
    let name = format!("_mta-sts.{domain}");
    let (lookup, records) = lookup(dns, &name, "MTA-STS", findings);
    let mut out = MtaSts {
        policy_url: format!("https://mta-sts.{domain}/.well-known/mta-sts.txt"),
        name,
        lookup,
        records,
        ..MtaSts::default()
    };
    let evidence = |record: &str| vec![Evidence::note(&format!("TXT {}", out.name), record)];
    let sts: Vec<&String> = out
        .records
        .iter()
        .filter(|r| r.starts_with("v=STSv1"))
        .collect();
    match sts.as_slice() {
        [] => {
            if let Lookup::Failed(why) = &out.lookup {
                out.policy_fetch = PolicyFetch::NotFetched(format!(
                    "the MTA-STS record could not be looked up ({why}), so the policy was not \
                     fetched"
                ));
            }
            if let Some(first) = out.records.first() {
                findings.push(mta_sts_record_invalid::RULE.finding(
                    format!(
                        "no TXT record at {} starts with v=STSv1, so senders see no MTA-STS",
                        out.name
                    ),
                    None,
                    evidence(first),
                ));
            }
            return out;
        }
        [one] => {
            let record = (*one).clone();
            match sts_record(&record) {
                Ok((id, explained)) => {
                    out.valid = true;
                    out.id = Some(id);
                    out.explained = explained;
                }
                Err(why) => findings.push(mta_sts_record_invalid::RULE.finding(
                    format!("the MTA-STS record at {} is invalid: {why}", out.name),
                    None,
                    evidence(&record),
                )),
            }
            out.record = Some(record);
        }
        several => {
            findings.push(mta_sts_several_records::RULE.finding(
                format!(
                    "{} MTA-STS records at {}: senders assume there is no policy",
                    several.len(),
                    out.name
                ),
                None,
                several.iter().map(|r| evidence(r).remove(0)).collect(),
            ));
            out.policy_fetch = PolicyFetch::NotFetched(format!(
                "{} MTA-STS records: senders assume there is no policy and fetch none",
                several.len()
            ));
            return out;
        }
    }
    if !out.valid {
        out.policy_fetch = PolicyFetch::NotFetched(
            "the MTA-STS record is invalid: senders fetch no policy".to_string(),
        );
        return out;
    }
    let fetcher = match fetch {
        PolicyFetching::With(fetcher) => fetcher,
        PolicyFetching::Offline => {
            out.policy_fetch = PolicyFetch::NotFetched(
                "offline: the policy is fetched over HTTPS only when online".to_string(),
            );
            return out;
        }
        PolicyFetching::NotAsked => {
            out.policy_fetch = PolicyFetch::NotFetched("not asked".to_string());
            return out;
        }
    };
    let text = match fetcher.fetch(domain) {
        Ok(text) => text,
        Err(why) => {
            findings.push(mta_sts_policy_unavailable::RULE.finding(
                format!("the MTA-STS policy of {domain} could not be fetched: {why}"),
                None,
                vec![Evidence::note(&format!("GET {}", out.policy_url), &why)],
            ));
            out.policy_fetch = PolicyFetch::Failed(why);
            return out;
        }
    };
    out.policy_fetch = PolicyFetch::Fetched;
    let policy = parse_policy(&text);
    let policy_evidence = || vec![Evidence::note(&format!("GET {}", out.policy_url), &text)];
    if !policy.problems.is_empty() {
        findings.push(mta_sts_policy_invalid::RULE.finding(
            format!(
                "the MTA-STS policy of {domain} is invalid: {}",
                policy.problems.join("; ")
            ),
            None,
            policy_evidence(),
        ));
    }
    match policy.max_age {
        Some(age) if age > MAX_AGE_LIMIT => findings.push(mta_sts_max_age_too_long::RULE.finding(
            format!("the MTA-STS policy of {domain} has max_age {age}, above the limit of {MAX_AGE_LIMIT} seconds"),
            None,
            policy_evidence(),
        )),
        Some(age) if age < MAX_AGE_SHORT => findings.push(mta_sts_max_age_short::RULE.finding(
            format!(
                "the MTA-STS policy of {domain} has max_age {age} ({}): senders forget it quickly",
                duration(age)
            ),
            None,
            policy_evidence(),
        )),
        _ => {}
    }
    match policy.mode {
        Some(Mode::Testing) => findings.push(mta_sts_in_testing_mode::RULE.finding(
            format!(
                "the MTA-STS policy of {domain} is in testing mode: failures are reported, \
                 not prevented"
            ),
            None,
            policy_evidence(),
        )),
        Some(Mode::None) => findings.push(mta_sts_mode_none::RULE.finding(
            format!(
                "the MTA-STS policy of {domain} is in mode none: no policy is active (fine \
                 while removing MTA-STS)"
            ),
            None,
            policy_evidence(),
        )),
        Some(Mode::Enforce) | None => {}
    }
    if matches!(policy.mode, Some(Mode::Enforce | Mode::Testing)) {
        check_mx(domain, dns, &policy, &mut out, findings);
    }
    out.policy = Some(policy);
    out
}

/// Match every MX host of the domain against the policy's patterns.
fn check_mx(
    domain: &str,
    dns: &Dns,
    policy: &Policy,
    out: &mut MtaSts,
    findings: &mut Vec<Finding>,
) {
    let records = match dns.query(domain, RecordType::Mx) {
        Answer::Records(records) if !records.is_empty() => {
            out.mx_lookup = Lookup::Found;
            records
        }
        Answer::Records(_) | Answer::NoData | Answer::NxDomain => {
            out.mx_lookup = Lookup::NotFound;
            return;
        }
        Answer::Failed(failure) => {
            out.mx_lookup = Lookup::Failed(failure_text(&failure));
            return;
        }
    };
    let mode = match policy.mode {
        Some(Mode::Enforce) => "enforce mode: senders will not deliver to it",
        _ => "testing mode: senders will report it",
    };
    for record in records {
        let host = record
            .split_whitespace()
            .last()
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if host.is_empty() {
            continue; // null MX ("0 ."): no mail at all, nothing to match
        }
        let pattern = policy.mx.iter().find(|p| mx_matches(p, &host)).cloned();
        if pattern.is_none() {
            findings.push(mta_sts_mx_not_covered::RULE.finding(
                format!(
                    "the MX host {host} of {domain} matches no mx pattern of the MTA-STS policy \
                     ({mode})"
                ),
                None,
                vec![
                    Evidence::note(&format!("MX {domain}"), &record),
                    Evidence::note(
                        &format!("GET {}", out.policy_url),
                        &policy
                            .mx
                            .iter()
                            .map(|p| format!("mx: {p}"))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ),
                ],
            ));
        }
        out.mx_hosts.push(MxMatch {
            record,
            host,
            pattern,
        });
    }
}

/// Does an `mx:` pattern match this host (RFC 8461 section 4.1)? A pattern is a host name, or
/// `*.` and a domain, where `*` stands for exactly one leftmost label. Case-insensitive; a
/// trailing dot is ignored.
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => !pattern.is_empty() && pattern == host,
    }
}

/// Parse a policy file (RFC 8461 section 3.2): `key: value` lines separated by CRLF or LF.
/// Unknown keys are ignored; `version`, `mode` and `max_age` are taken from their first line.
pub fn parse_policy(text: &str) -> Policy {
    let mut policy = Policy {
        text: text.to_string(),
        ..Policy::default()
    };
    let (mut version, mut mode, mut max_age) = (false, false, false);
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            policy
                .problems
                .push(format!("'{}' is not of the form key: value", line.trim()));
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let repeated = |seen: &mut bool| std::mem::replace(seen, true);
        let meaning = match key {
            "version" if repeated(&mut version) => "repeated: the first version line counts".into(),
            "version" => {
                policy.version = Some(value.to_string());
                if value == "STSv1" {
                    "policy version 1 (the only one)".to_string()
                } else {
                    policy
                        .problems
                        .push(format!("version is {value}, not STSv1"));
                    format!("version {value}: only STSv1 exists")
                }
            }
            "mode" if repeated(&mut mode) => "repeated: the first mode line counts".into(),
            "mode" => {
                policy.mode = match value {
                    "enforce" => Some(Mode::Enforce),
                    "testing" => Some(Mode::Testing),
                    "none" => Some(Mode::None),
                    _ => None,
                };
                match policy.mode {
                    Some(Mode::Enforce) => {
                        "senders must not deliver to an MX host that is not listed or has no \
                         valid certificate"
                    }
                    Some(Mode::Testing) => {
                        "senders check, deliver anyway and report failures (TLS-RPT)"
                    }
                    Some(Mode::None) => "no active policy (used to withdraw MTA-STS)",
                    None => {
                        policy
                            .problems
                            .push(format!("mode is {value}, not enforce, testing or none"));
                        "unknown mode: the policy is invalid"
                    }
                }
                .to_string()
            }
            "max_age" if repeated(&mut max_age) => "repeated: the first max_age line counts".into(),
            "max_age" => {
                let digits = !value.is_empty()
                    && value.len() <= 10
                    && value.bytes().all(|b| b.is_ascii_digit());
                match value.parse::<u64>() {
                    Ok(age) if digits => {
                        policy.max_age = Some(age);
                        if age > MAX_AGE_LIMIT {
                            format!("{age} seconds: above the maximum of {MAX_AGE_LIMIT} (a year)")
                        } else {
                            format!("senders may cache this policy for {}", duration(age))
                        }
                    }
                    _ => {
                        policy
                            .problems
                            .push(format!("max_age {value} is not a number of seconds"));
                        "not a number of seconds: the policy is invalid".to_string()
                    }
                }
            }
            "mx" => {
                policy.mx.push(value.to_string());
                match value.strip_prefix("*.") {
                    Some(parent) => format!("MX hosts one label under {parent} are allowed"),
                    None => format!("the MX host {value} is allowed"),
                }
            }
            _ => "an unknown field, ignored by senders".to_string(),
        };
        policy.explained.push(Explained {
            text: format!("{key}: {value}"),
            meaning,
        });
    }
    if !version {
        policy.problems.push("no version line".to_string());
    }
    if !mode {
        policy.problems.push("no mode line".to_string());
    }
    if !max_age {
        policy.problems.push("no max_age line".to_string());
    }
    if policy.mx.is_empty() && matches!(policy.mode, Some(Mode::Enforce | Mode::Testing)) {
        policy
            .problems
            .push("no mx line, so no MX host is allowed".to_string());
    }
    policy.valid = policy.problems.is_empty() && policy.max_age.is_some_and(|a| a <= MAX_AGE_LIMIT);
    policy
}

/// Seconds in words ("7 days", "1 hour").
fn duration(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s >= 86_400 => format!("about {}", plural(s / 86_400, "day")),
        s if s >= 3600 && s % 3600 == 0 => plural(s / 3600, "hour"),
        s if s >= 60 && s % 60 == 0 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

/// The fields of a `;`-separated record (`v=STSv1; id=...`, TLS-RPT, BIMI): `name=value`, with
/// whitespace around the separators, an optional final `;`, and no repeated name.
fn fields(record: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in record.split(';') {
        let part = part.trim_matches([' ', '\t']);
        if part.is_empty() {
            continue;
        }
        let Some((name, value)) = part.split_once('=') else {
            return Err(format!("'{part}' is not of the form name=value"));
        };
        let name = name.trim_matches([' ', '\t']);
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && name.len() <= 32
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !valid {
            return Err(format!("'{name}' is not a valid field name"));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(format!("{name}= occurs more than once"));
        }
        out.push((
            name.to_string(),
            value.trim_matches([' ', '\t']).to_string(),
        ));
    }
    Ok(out)
}

/// Judge an MTA-STS TXT record (RFC 8461 section 3.1): its id and each field explained.
fn sts_record(record: &str) -> Result<(String, Vec<Explained>), String> {
    let list = fields(record)?;
    if list.first().map(|(n, v)| (n.as_str(), v.as_str())) != Some(("v", "STSv1")) {
        return Err("v=STSv1 must be the first field".to_string());
    }
    let mut explained = Vec::new();
    let mut id = None;
    for (name, value) in &list {
        let meaning = match name.as_str() {
            "v" => "an MTA-STS record, version 1: senders fetch the policy over HTTPS".to_string(),
            "id" => {
                if value.is_empty()
                    || value.len() > 32
                    || !value.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    return Err(format!("id={value} is not 1 to 32 letters and digits"));
                }
                id = Some(value.clone());
                "the policy's version: senders fetch the policy again when it changes".to_string()
            }
            _ => {
                if value.is_empty() || value.contains('=') {
                    return Err(format!("{name}={value} is not a valid field"));
                }
                "an extension field, ignored by senders".to_string()
            }
        };
        explained.push(Explained {
            text: format!("{name}={value}"),
            meaning,
        });
    }
    let id = id.ok_or_else(|| "there is no id= field".to_string())?;
    Ok((id, explained))
}

/// The one record starting with `prefix` among `records`, or why there is none usable.
fn single<'a>(records: &'a [String], prefix: &str) -> Result<Option<&'a String>, String> {
    let matching: Vec<&String> = records.iter().filter(|r| r.starts_with(prefix)).collect();
    match matching.as_slice() {
        [] if records.is_empty() => Ok(None),
        [] => Err(format!("no record starts with {prefix}")),
        [one] => Ok(Some(one)),
        several => Err(format!(
            "{} records start with {prefix}, so senders use none",
            several.len()
        )),
    }
}

fn check_tls_rpt(domain: &str, dns: &Dns, findings: &mut Vec<Finding>) -> TlsRpt {
    let name = format!("_smtp._tls.{domain}");
    let (lookup, records) = lookup(dns, &name, "TLS-RPT", findings);
    let mut out = TlsRpt {
        name,
        lookup,
        records,
        ..TlsRpt::default()
    };
    let invalid = |why: String, record: &str, out: &TlsRpt| {
        tls_rpt_record_invalid::RULE.finding(
            format!("the TLS-RPT record at {} is invalid: {why}", out.name),
            None,
            vec![Evidence::note(&format!("TXT {}", out.name), record)],
        )
    };
    let record = match single(&out.records, "v=TLSRPTv1") {
        Ok(Some(record)) => record.clone(),
        Ok(None) => return out,
        Err(why) => {
            findings.push(invalid(why, &out.records.join("\n"), &out));
            return out;
        }
    };
    out.record = Some(record.clone());
    match tls_rpt_record(&record) {
        Ok((rua, explained)) => {
            out.valid = true;
            out.rua = rua;
            out.explained = explained;
        }
        Err(why) => findings.push(invalid(why, &record, &out)),
    }
    out
}

/// Judge a TLS-RPT record (RFC 8460 section 3): its report addresses and fields explained.
fn tls_rpt_record(record: &str) -> Result<(Vec<String>, Vec<Explained>), String> {
    let list = fields(record)?;
    if list.first().map(|(n, v)| (n.as_str(), v.as_str())) != Some(("v", "TLSRPTv1")) {
        return Err("v=TLSRPTv1 must be the first field".to_string());
    }
    let mut rua = Vec::new();
    let mut explained = Vec::new();
    for (name, value) in &list {
        let meaning = match name.as_str() {
            "v" => "a TLS-RPT record, version 1: senders send daily reports of TLS failures"
                .to_string(),
            "rua" => {
                for uri in value.split(',').map(str::trim) {
                    let lower = uri.to_ascii_lowercase();
                    let ok = lower
                        .strip_prefix("mailto:")
                        .is_some_and(|a| a.contains('@'))
                        || lower
                            .strip_prefix("https://")
                            .is_some_and(|h| !h.is_empty());
                    if !ok {
                        return Err(format!(
                            "rua destination '{uri}' is neither mailto:ADDRESS nor https://URL"
                        ));
                    }
                    rua.push(uri.to_string());
                }
                format!("reports go to {}", rua.join(" and "))
            }
            _ => "an extension field, ignored by senders".to_string(),
        };
        explained.push(Explained {
            text: format!("{name}={value}"),
            meaning,
        });
    }
    if rua.is_empty() {
        return Err("there is no rua= field".to_string());
    }
    Ok((rua, explained))
}

fn check_bimi(domain: &str, dns: &Dns, findings: &mut Vec<Finding>) -> Bimi {
    let name = format!("default._bimi.{domain}");
    let (lookup, records) = lookup(dns, &name, "BIMI", findings);
    let mut out = Bimi {
        name,
        lookup,
        records,
        requirement: "mailbox providers show a BIMI logo only when DMARC is enforced \
                      (p=quarantine or p=reject, pct=100) and the message passes DMARC: see \
                      the DMARC section"
            .to_string(),
        ..Bimi::default()
    };
    let evidence =
        |record: &str, out: &Bimi| vec![Evidence::note(&format!("TXT {}", out.name), record)];
    let record = match single(&out.records, "v=BIMI1") {
        Ok(Some(record)) => record.clone(),
        Ok(None) => return out,
        Err(why) => {
            findings.push(bimi_record_invalid::RULE.finding(
                format!("the BIMI record at {} is invalid: {why}", out.name),
                None,
                evidence(&out.records.join("\n"), &out),
            ));
            return out;
        }
    };
    out.record = Some(record.clone());
    let list = match fields(&record) {
        Ok(list) if list.first().is_some_and(|(n, v)| n == "v" && v == "BIMI1") => list,
        Ok(_) | Err(_) => {
            let why = fields(&record)
                .err()
                .unwrap_or_else(|| "v=BIMI1 must be the first tag".to_string());
            findings.push(bimi_record_invalid::RULE.finding(
                format!("the BIMI record at {} is invalid: {why}", out.name),
                None,
                evidence(&record, &out),
            ));
            return out;
        }
    };
    out.valid = true;
    let value = |tag: &str| {
        list.iter()
            .find(|(n, _)| n == tag)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    out.logo = value("l");
    out.certificate = value("a");
    out.declined = out.logo.is_none() && out.certificate.is_none();
    for (name, value) in &list {
        let meaning = match name.as_str() {
            "v" => "a BIMI record, version 1; a logo is shown only when DMARC is at \
                    p=quarantine or p=reject"
                .to_string(),
            "l" if value.is_empty() => "no logo".to_string(),
            "l" => "the logo: an SVG (Tiny Portable/Secure profile) fetched over HTTPS".to_string(),
            "a" if value.is_empty() => {
                "no certificate: most mailbox providers show no logo without one".to_string()
            }
            "a" => "the evidence document: a VMC or CMC certificate proving the logo is the \
                    domain's"
                .to_string(),
            "avp" => "avatar preference: brand logo or personal avatar".to_string(),
            _ => "an unknown tag, ignored".to_string(),
        };
        out.explained.push(Explained {
            text: format!("{name}={value}"),
            meaning,
        });
    }
    if out.declined {
        return out;
    }
    if let Some(logo) = &out.logo {
        let not_https: Vec<&str> = logo
            .split(',')
            .map(str::trim)
            .filter(|l| !l.to_ascii_lowercase().starts_with("https://"))
            .collect();
        if !not_https.is_empty() {
            findings.push(bimi_logo_not_https::RULE.finding(
                format!(
                    "the BIMI logo of {domain} is not an https URL ({}): it will not be shown",
                    not_https.join(", ")
                ),
                None,
                evidence(&record, &out),
            ));
        }
        if out.certificate.is_none() {
            findings.push(bimi_without_certificate::RULE.finding(
                format!(
                    "the BIMI record of {domain} has no a= certificate (VMC or CMC): most \
                     mailbox providers require one"
                ),
                None,
                evidence(&record, &out),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::dns::StaticResolver;
    use crate::diagnose::Severity;

    /// A fake fetcher: a closure from the domain to the policy.
    struct Fake<F>(F);

    impl<F: Fn(&str) -> Result<String, String> + Send + Sync> PolicyFetcher for Fake<F> {
        fn fetch(&self, domain: &str) -> Result<String, String> {
            (self.0)(domain)
        }
    }

    const POLICY: &str = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.backup.example.net\r\nmax_age: 604800\r\n";

    fn zone(txt: &[(&str, &str)], mx: &[&str]) -> StaticResolver {
        let mut z = StaticResolver::new();
        for (name, value) in txt {
            z.add(name, RecordType::Txt, value);
        }
        for m in mx {
            z.add("example.com", RecordType::Mx, m);
        }
        z
    }

    fn run(
        z: StaticResolver,
        policy: Option<Result<&str, &str>>,
    ) -> (MtaSts, TlsRpt, Bimi, Vec<&'static str>) {
        let dns = Dns::new(Box::new(z));
        let fake = policy.map(|p| {
            Fake(move |domain: &str| {
                assert_eq!(domain, "example.com");
                p.map(str::to_string).map_err(str::to_string)
            })
        });
        let mut findings = Vec::new();
        let fetch = PolicyFetching::new(fake.as_ref().map(|f| f as &dyn PolicyFetcher), false);
        let (m, t, b) = check("example.com", &dns, fetch, &mut findings);
        (m, t, b, findings.iter().map(|f| f.name).collect())
    }

    const STS: (&str, &str) = ("_mta-sts.example.com", "v=STSv1; id=20240501T000000;");
    const RPT: (&str, &str) = (
        "_smtp._tls.example.com",
        "v=TLSRPTv1; rua=mailto:tls@example.com",
    );

    #[test]
    fn a_complete_setup_gives_no_finding() {
        let z = zone(
            &[STS, RPT],
            &["10 mail.example.com", "20 mx1.backup.example.net."],
        );
        let (m, t, b, f) = run(z, Some(Ok(POLICY)));
        assert_eq!(f, Vec::<&str>::new());
        assert!(m.valid);
        assert_eq!(m.id.as_deref(), Some("20240501T000000"));
        assert_eq!(m.explained.len(), 2);
        assert_eq!(m.policy_fetch, PolicyFetch::Fetched);
        assert_eq!(
            m.policy_url,
            "https://mta-sts.example.com/.well-known/mta-sts.txt"
        );
        let p = m.policy.expect("a policy");
        assert!(p.valid, "{:?}", p.problems);
        assert_eq!(p.mode, Some(Mode::Enforce));
        assert_eq!(p.max_age, Some(604_800));
        assert_eq!(p.mx, ["mail.example.com", "*.backup.example.net"]);
        assert_eq!(m.mx_hosts.len(), 2);
        assert_eq!(
            m.mx_hosts[1].pattern.as_deref(),
            Some("*.backup.example.net")
        );
        assert!(t.valid);
        assert_eq!(t.rua, ["mailto:tls@example.com"]);
        assert_eq!(b.lookup, Lookup::NotFound);
        assert_eq!(m.mx_lookup, Lookup::Found);
    }

    #[test]
    fn nothing_published_is_no_finding() {
        let (m, t, b, f) = run(zone(&[], &["10 mail.example.com"]), Some(Ok(POLICY)));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(m.lookup, Lookup::NotFound);
        assert_eq!(m.policy_fetch, PolicyFetch::NoRecord);
        assert!(m.policy.is_none());
        assert_eq!(t.lookup, Lookup::NotFound);
        assert_eq!(b.lookup, Lookup::NotFound);
    }

    #[test]
    fn without_a_fetcher_the_policy_is_not_fetched() {
        let (m, _, _, f) = run(zone(&[STS, RPT], &[]), None);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(m.policy_fetch, PolicyFetch::NotFetched("not asked".into()));
        let dns = Dns::new(Box::new(zone(&[STS, RPT], &[])));
        let (m, _, _) = check(
            "example.com",
            &dns,
            PolicyFetching::Offline,
            &mut Vec::new(),
        );
        assert_eq!(
            m.policy_fetch,
            PolicyFetch::NotFetched(
                "offline: the policy is fetched over HTTPS only when online".into()
            )
        );
        let (_, _, _, f) = run(zone(&[STS], &[]), None);
        assert_eq!(f, ["mta-sts-without-tls-rpt"]);
    }

    #[test]
    fn offline_every_lookup_failed() {
        let dns = Dns::default();
        let mut findings = Vec::new();
        let (m, t, b) = check("example.com", &dns, PolicyFetching::Offline, &mut findings);
        let names: Vec<&str> = findings.iter().map(|f| f.name).collect();
        assert_eq!(names, ["record-lookup-failed"; 3]);
        assert!(findings[0].message.contains("_mta-sts.example.com"));
        assert!(
            matches!(&m.policy_fetch, PolicyFetch::NotFetched(why) if why.contains("could not be looked up")),
            "{:?}",
            m.policy_fetch
        );
        for lookup in [m.lookup, t.lookup, b.lookup] {
            assert_eq!(lookup, Lookup::Failed("not found (offline)".into()));
        }
    }

    #[test]
    fn record_problems() {
        for (record, want) in [
            ("v=STSv1;", "mta-sts-record-invalid"),
            ("v=STSv1; id=2024-05-01", "mta-sts-record-invalid"),
            (
                "v=STSv1; id=123456789012345678901234567890123",
                "mta-sts-record-invalid",
            ),
            ("id=1; v=STSv1", "mta-sts-record-invalid"),
            ("v=STSV1; id=1", "mta-sts-record-invalid"),
            ("v=STSv1; id=1; id=2", "mta-sts-record-invalid"),
        ] {
            // a fetcher that would give a policy: senders fetch nothing after an invalid record
            let (m, _, _, f) = run(
                zone(&[("_mta-sts.example.com", record), RPT], &[]),
                Some(Ok(POLICY)),
            );
            assert_eq!(f, [want], "{record}");
            assert!(!m.valid, "{record}");
            assert!(m.policy.is_none(), "{record}");
            let want_fetch = if record.starts_with("v=STSv1") {
                PolicyFetch::NotFetched(
                    "the MTA-STS record is invalid: senders fetch no policy".into(),
                )
            } else {
                PolicyFetch::NoRecord
            };
            assert_eq!(m.policy_fetch, want_fetch, "{record}");
        }
        let (m, _, _, f) = run(
            zone(
                &[
                    STS,
                    ("_mta-sts.example.com", "v=STSv1; id=2"),
                    ("_mta-sts.example.com", "something else"),
                    RPT,
                ],
                &["10 other.example.org"],
            ),
            Some(Ok(POLICY)),
        );
        assert_eq!(f, ["mta-sts-several-records"]);
        assert!(m.policy.is_none());
        assert!(
            matches!(&m.policy_fetch, PolicyFetch::NotFetched(why) if why.contains("2 MTA-STS records")),
            "{:?}",
            m.policy_fetch
        );
        assert_eq!(m.record, None);
        assert_eq!(m.records.len(), 3);
        // A valid record with an extension field.
        let (m, _, _, f) = run(
            zone(
                &[("_mta-sts.example.com", "v=STSv1 ; id=abc ; ext=1"), RPT],
                &[],
            ),
            None,
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(m.id.as_deref(), Some("abc"));
    }

    #[test]
    fn policy_fetch_failure_is_a_warning() {
        let dns = Dns::new(Box::new(zone(&[STS, RPT], &[])));
        let fake = Fake(|_: &str| Err("certificate not valid for mta-sts.example.com".into()));
        let mut findings = Vec::new();
        let (m, _, _) = check(
            "example.com",
            &dns,
            PolicyFetching::With(&fake),
            &mut findings,
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].name, "mta-sts-policy-unavailable");
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(findings[0].message.contains("certificate"));
        assert!(matches!(m.policy_fetch, PolicyFetch::Failed(_)));
    }

    #[test]
    fn policy_checks() {
        let with = |policy: &str, mx: &[&str]| run(zone(&[STS, RPT], mx), Some(Ok(policy))).3;
        let mx = &["10 mail.example.com"];
        assert_eq!(
            with(&POLICY.replace("enforce", "testing"), mx),
            ["mta-sts-in-testing-mode"]
        );
        assert_eq!(
            with("version: STSv1\nmode: none\nmax_age: 86400\n", mx),
            ["mta-sts-mode-none"]
        );
        assert_eq!(
            with(&POLICY.replace("604800", "3600"), mx),
            ["mta-sts-max-age-short"]
        );
        assert_eq!(
            with(&POLICY.replace("604800", "31557601"), mx),
            ["mta-sts-max-age-too-long"]
        );
        assert_eq!(
            with(POLICY, &["10 mail.example.com", "20 other.example.org"]),
            ["mta-sts-mx-not-covered"]
        );
        // The wildcard covers one label only.
        assert_eq!(
            with(POLICY, &["10 a.b.backup.example.net"]),
            ["mta-sts-mx-not-covered"]
        );
        // Null MX: nothing to match.
        assert!(with(POLICY, &["0 ."]).is_empty());
        for bad in [
            "mode: enforce\nmx: mail.example.com\nmax_age: 86400\n",
            "version: STSv1\nmode: enforced\nmx: mail.example.com\nmax_age: 86400\n",
            "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 1w\n",
            "version: STSv1\nmode: enforce\nmax_age: 86400\n",
            "version=STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n",
            "<html>not found</html>",
        ] {
            let f = with(bad, mx);
            assert!(f.contains(&"mta-sts-policy-invalid"), "{bad}: {f:?}");
        }
    }

    #[test]
    fn policy_parsing() {
        let p = parse_policy(
            "version: STSv1\nmode: testing\nmx: mail.example.com\nmx: *.example.net\nmax_age: 86400\nmax_age: 5\nfoo: bar\n",
        );
        assert!(p.valid, "{:?}", p.problems);
        assert_eq!(p.mode, Some(Mode::Testing));
        assert_eq!(p.max_age, Some(86400));
        assert_eq!(p.mx.len(), 2);
        assert_eq!(p.explained.len(), 7);
        assert_eq!(
            p.explained[4].meaning,
            "senders may cache this policy for 1 day"
        );
        let p = parse_policy("version: STSv1\nmode: none\nmax_age: 0\n");
        assert!(p.valid);
        let p = parse_policy("version: STSv1\nmode: enforce\nmx: a\nmax_age: 99999999999\n");
        assert!(!p.valid);
    }

    #[test]
    fn mx_patterns() {
        assert!(mx_matches("mail.example.com", "MAIL.example.com."));
        assert!(mx_matches("*.example.com", "mx1.example.com"));
        assert!(!mx_matches("*.example.com", "example.com"));
        assert!(!mx_matches("*.example.com", "a.mx1.example.com"));
        assert!(!mx_matches("mail.example.com", "mail.example.com.evil.net"));
        assert!(!mx_matches("", "mail.example.com"));
    }

    #[test]
    fn tls_rpt_problems() {
        for record in [
            "v=TLSRPTv1",
            "v=TLSRPTv1; rua=tls@example.com",
            "v=TLSRPTv1; rua=http://reports.example.com/",
            "rua=mailto:a@example.com; v=TLSRPTv1",
        ] {
            let (_, t, _, f) = run(zone(&[("_smtp._tls.example.com", record)], &[]), None);
            assert_eq!(f, ["tls-rpt-record-invalid"], "{record}");
            assert!(!t.valid);
        }
        let (_, t, _, f) = run(
            zone(
                &[(
                    "_smtp._tls.example.com",
                    "v=TLSRPTv1;rua=mailto:a@example.com, https://r.example.net/v1",
                )],
                &[],
            ),
            None,
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(t.rua.len(), 2);
        let (_, _, _, f) = run(zone(&[RPT, RPT], &[]), None);
        assert_eq!(f, ["tls-rpt-record-invalid"]);
    }

    #[test]
    fn bimi() {
        let b = |record: &str| run(zone(&[("default._bimi.example.com", record)], &[]), None);
        let (_, _, r, f) =
            b("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem");
        assert!(f.is_empty(), "{f:?}");
        assert!(r.valid);
        assert_eq!(r.logo.as_deref(), Some("https://example.com/logo.svg"));
        assert!(r.explained[0].meaning.contains("DMARC"));
        assert!(r.requirement.contains("p=quarantine"));
        let (_, _, r, f) = b("v=BIMI1; l=https://example.com/logo.svg");
        assert_eq!(f, ["bimi-without-certificate"]);
        assert_eq!(r.certificate, None);
        let (_, _, _, f) = b("v=BIMI1; l=http://example.com/logo.svg; a=");
        assert_eq!(f, ["bimi-logo-not-https", "bimi-without-certificate"]);
        let (_, _, r, f) = b("v=BIMI1; l=; a=;");
        assert!(f.is_empty());
        assert!(r.declined);
        for bad in ["l=https://example.com/logo.svg; v=BIMI1", "v=BIMI1; l"] {
            let (_, _, r, f) = b(bad);
            assert_eq!(f, ["bimi-record-invalid"], "{bad}");
            assert!(!r.valid);
        }
    }

    #[test]
    fn json_shape_for_renderers() {
        let (m, t, b, _) = run(zone(&[STS], &[]), None);
        let m = serde_json::to_value(&m).unwrap();
        assert_eq!(m["lookup"], serde_json::json!({"status": "found"}));
        assert_eq!(m["policy_fetch"]["status"], "not-fetched");
        assert_eq!(m["policy_fetch"]["reason"], "not asked");
        assert_eq!(m["valid"], true);
        assert!(m.get("record_valid").is_none());
        assert_eq!(m["policy"], serde_json::Value::Null);
        assert_eq!(m["explained"][1]["text"], "id=20240501T000000");
        let t = serde_json::to_value(&t).unwrap();
        assert_eq!(t["lookup"], serde_json::json!({"status": "not-found"}));
        let b = serde_json::to_value(&b).unwrap();
        assert_eq!(b["declined"], false);
        let p = serde_json::to_value(parse_policy(POLICY)).unwrap();
        assert_eq!(p["mode"], "enforce");
        assert_eq!(p["max_age"], 604_800);
    }
}
