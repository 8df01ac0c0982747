//! `mailtrace domain`: a domain's mail setup looked up and explained — MX, SPF, DMARC, DKIM,
//! MTA-STS, TLS-RPT and BIMI — with findings that have codes and `explain` pages like every
//! other finding (rules in [`rules`], family `DOM`).
//!
//! Everything goes through [`Dns`] (zone files, live DNS, offline), so the same command works
//! against the loopback test server and a zone file. The only other network access is the
//! MTA-STS policy over HTTPS, through a [`PolicyFetcher`], and only when the caller gives one
//! (never offline). That fetch is not DNS through [`Dns`]: the HTTPS client resolves
//! `mta-sts.DOMAIN` with the system resolver, whatever `--dns-server` or `--dns-zone` say (see
//! [`fetch`]).

use serde::Serialize;

use crate::auth::dns::{Dns, DnsUse};
use crate::diagnose::Finding;

pub mod dkim;
pub mod dmarc;
pub mod fetch;
pub mod mta_sts;
pub mod mx;
pub mod rules;
pub mod spf;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct DomainOptions {
    /// DKIM selectors to look up (`--selector`, repeatable).
    pub selectors: Vec<String>,
    /// Also probe commonly used selectors ([`dkim::COMMON_SELECTORS`]).
    pub probe_selectors: bool,
    /// The run is offline (`--offline`): only says why the MTA-STS policy was not fetched when
    /// no fetcher is given ("offline" rather than "not asked").
    pub offline: bool,
}

/// Fetches an MTA-STS policy: `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`.
pub trait PolicyFetcher: Send + Sync {
    /// The body of the policy file, or why it could not be had (one line).
    fn fetch(&self, domain: &str) -> Result<String, String>;
}

/// The report of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct DomainReport {
    /// Version of this format.
    pub schema_version: u32,
    /// mailtrace's version.
    pub generator: String,
    /// The domain checked (lowercase, no trailing dot).
    pub domain: String,
    /// Where its mail goes.
    pub mx: mx::MxCheck,
    /// Who may send as it.
    pub spf: spf::SpfSetup,
    /// What receivers should do when authentication fails.
    pub dmarc: dmarc::DmarcSetup,
    /// DKIM keys at the selectors asked for or probed.
    pub dkim: Vec<dkim::SelectorCheck>,
    /// MTA-STS (`_mta-sts`): the record, the policy fetched over HTTPS, and the MX hosts
    /// checked against it.
    pub mta_sts: mta_sts::MtaSts,
    /// TLS-RPT (`_smtp._tls`).
    pub tls_rpt: mta_sts::TlsRpt,
    /// BIMI (`default._bimi`).
    pub bimi: mta_sts::Bimi,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// Every DNS answer used, with its source.
    pub dns: Vec<DnsUse>,
}

/// Check `domain`. `fetcher` fetches the MTA-STS policy when given (None: offline, or not
/// asked, as `options.offline` says); the DNS log of `dns` is taken into the report.
pub fn check(
    domain: &str,
    options: &DomainOptions,
    dns: &Dns,
    fetcher: Option<&dyn PolicyFetcher>,
) -> DomainReport {
    let domain = crate::auth::dns::normalize_name(domain);
    let mut findings = Vec::new();
    let mx = mx::check(&domain, dns, &mut findings);
    let spf = spf::check(&domain, dns, &mut findings);
    let dmarc = dmarc::check(&domain, dns, &mut findings);
    let dkim = dkim::check(&domain, options, dns, &mut findings);
    let fetch = mta_sts::PolicyFetching::new(fetcher, options.offline);
    let (mta_sts, tls_rpt, bimi) = mta_sts::check(&domain, dns, fetch, &mut findings);
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(b.code)));
    DomainReport {
        schema_version: 1,
        generator: concat!("mailtrace ", env!("CARGO_PKG_VERSION")).to_string(),
        domain,
        mx,
        spf,
        dmarc,
        dkim,
        mta_sts,
        tls_rpt,
        bimi,
        findings,
        dns: dns.take_log(),
    }
}

/// Record a finding of a domain rule (domain findings name no hop).
pub(crate) fn push(
    findings: &mut Vec<Finding>,
    rule: &crate::diagnose::Rule,
    message: String,
    evidence: Vec<crate::diagnose::Evidence>,
) {
    findings.push(rule.finding(message, None, evidence));
}

/// One tag or term of a record and what it means, for the explanations.
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    /// The tag or term as written (`p=none`, `include:_spf.example.net`).
    pub text: String,
    /// What it means, in words a student understands.
    pub meaning: String,
}

/// Whether `name` can be a domain name to look up: dot-separated labels of letters, digits,
/// `-` and `_` (and non-ASCII for IDNs, looked up as given), 253 characters at most.
pub fn is_domain_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
}

/// The MTA-STS policy fetcher of the command: none offline; otherwise HTTPS ([`fetch`]), also
/// with `--dns-zone` alone (the zones answer DNS, not the fetch).
pub fn default_fetcher(offline: bool) -> Option<Box<dyn PolicyFetcher>> {
    (!offline).then(|| Box::new(fetch::HttpsPolicyFetcher::default()) as Box<dyn PolicyFetcher>)
}
