//! Authentication, re-verified: DKIM (header signature and body hash judged apart, as of
//! arrival), ARC, SPF for the boundary IP, DMARC alignment, and the receivers' claims beside them.
//!
//! Every DNS answer comes through [`dns::Dns`]: zone files, a live server, or nothing (offline).
//! This module never reads the wall clock: times come from the hop chain and `Options::now`.
//! mail-auth is used for record parsers, canonicalization and crypto only; no mail-auth type
//! leaves this module.

pub mod arc;
pub mod claims;
pub(crate) mod crypto;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod spf;

use serde::Serialize;

/// Result words of RFC 8601 (Authentication-Results), shared by every method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthResult {
    /// Nothing to evaluate (no signature, no record, no chain).
    None,
    /// Verified.
    Pass,
    /// Verified to be wrong.
    Fail,
    /// SPF: the domain says the IP is probably not allowed.
    Softfail,
    /// Neutral: the domain makes no assertion, or the signature could not be judged.
    Neutral,
    /// A transient error (DNS timeout): try again later.
    Temperror,
    /// A permanent error in a record or signature.
    Permerror,
    /// A local policy decision (e.g. a weak key refused).
    Policy,
}

impl AuthResult {
    /// The RFC 8601 word.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthResult::None => "none",
            AuthResult::Pass => "pass",
            AuthResult::Fail => "fail",
            AuthResult::Softfail => "softfail",
            AuthResult::Neutral => "neutral",
            AuthResult::Temperror => "temperror",
            AuthResult::Permerror => "permerror",
            AuthResult::Policy => "policy",
        }
    }

    /// Read an RFC 8601 word (case-insensitive); `hardfail` is read as fail.
    pub fn parse(word: &str) -> Option<AuthResult> {
        Some(match word.to_ascii_lowercase().as_str() {
            "none" => AuthResult::None,
            "pass" => AuthResult::Pass,
            "fail" | "hardfail" => AuthResult::Fail,
            "softfail" => AuthResult::Softfail,
            "neutral" => AuthResult::Neutral,
            "temperror" => AuthResult::Temperror,
            "permerror" => AuthResult::Permerror,
            "policy" => AuthResult::Policy,
            _ => return None,
        })
    }
}

pub mod compare;

use crate::hops::Chain;
use crate::input::Source;
use crate::options::Options;
use crate::parse::ParsedMessage;

/// Everything authentication established about one message.
#[derive(Debug, Clone, Serialize)]
pub struct AuthOutcome {
    /// Every DKIM-Signature, re-verified, top to bottom.
    pub dkim: Vec<dkim::DkimCheck>,
    /// The ARC chain.
    pub arc: arc::ArcCheck,
    /// SPF for the boundary hop's connecting IP; None when no boundary IP is known.
    pub spf: Option<spf::SpfCheck>,
    /// DMARC for the From domain; None when the From domain is unknown.
    pub dmarc: Option<dmarc::DmarcCheck>,
    /// Every claim of the receiving servers, beside the re-verification.
    pub claims: Vec<compare::ClaimView>,
}

/// The domain of an address (`user@example.com` -> `example.com`), lowercase.
pub fn address_domain(address: &str) -> Option<String> {
    let (_, domain) = address.trim().trim_matches(['<', '>']).rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

/// Re-verify DKIM, ARC, SPF and DMARC, and set the receivers' claims beside them.
pub fn run(
    source: &Source,
    parsed: &ParsedMessage,
    chain: &Chain,
    options: &Options,
) -> AuthOutcome {
    let dns = &options.dns;
    let body_offset = if source.headers_only {
        None
    } else {
        parsed.body_offset
    };
    let repaired: Vec<String> = source
        .repairs
        .iter()
        .filter(|r| r.touches_message)
        .flat_map(|r| r.headers.iter().cloned())
        .collect();
    let dkim = dkim::verify_first(
        options.limits.max_dkim_signatures,
        &source.message,
        &parsed.headers,
        body_offset,
        dkim::arrival(chain),
        options.now,
        dns,
        &repaired,
    );
    let mut arc = arc::verify_newest(
        &source.message,
        &parsed.headers,
        body_offset,
        dns,
        options.limits.max_arc_instances,
    );
    for instance in &mut arc.instances {
        instance.hop = instance
            .seal_header_index
            .and_then(|i| parsed.headers.get(i))
            .and_then(|seal| chain.hop_below(seal.span.start));
    }
    // SPF judges the connection from outside; mail that never came from outside has none
    let boundary_hop = chain
        .boundary
        .as_ref()
        .filter(|b| !b.internal)
        .and_then(|b| chain.hop(b.hop));
    let spf = boundary_hop.and_then(|hop| {
        let ip = hop.fields.from_ip?;
        let mail_from = envelope_sender(parsed, chain);
        Some(spf::evaluate(
            ip,
            mail_from.as_deref(),
            hop.fields.helo.as_deref(),
            dns,
        ))
    });
    let from_domain = parsed
        .from
        .first()
        .and_then(|m| m.address.as_deref())
        .and_then(address_domain);
    let dkim_pass: Vec<String> = dkim
        .iter()
        .filter(|d| d.result == AuthResult::Pass)
        .map(|d| d.domain.clone())
        .collect();
    let dmarc = from_domain.map(|from| {
        let (spf_result, spf_domain) = match &spf {
            Some(s) => (s.result, Some(s.domain.as_str())),
            None => (AuthResult::None, None),
        };
        dmarc::evaluate(&from, spf_result, spf_domain, &dkim_pass, dns)
    });
    let claims = compare::views(
        claims::parse_claims(&parsed.headers),
        parsed,
        chain,
        options,
        &compare::Verified {
            dkim: &dkim,
            arc: &arc,
            spf: spf.as_ref(),
            dmarc: dmarc.as_ref(),
            headers_only: source.headers_only,
            headers: &parsed.headers,
        },
    );
    AuthOutcome {
        dkim,
        arc,
        spf,
        dmarc,
        claims,
    }
}

/// The envelope sender (MAIL FROM) the boundary host saw, from what the recipient's side wrote,
/// in this order: a Return-Path above the boundary's Received field (added at final delivery);
/// the boundary hop's `envelope-from`; a Received-SPF `envelope-from=` or an
/// Authentication-Results `smtp.mailfrom=` above the boundary (a bare domain there stands for
/// the whole address: SPF needs only the domain); and last any Return-Path, which RFC 5321
/// section 4.4 has the delivering server write (and replace). None when nothing says: SPF then
/// checks the HELO identity and says so.
fn envelope_sender(parsed: &ParsedMessage, chain: &Chain) -> Option<String> {
    let boundary = chain.boundary.as_ref().and_then(|b| chain.hop(b.hop))?;
    let above = |h: &&crate::parse::HeaderField| h.span.start < boundary.span.start;
    let unbracket = |v: &str| {
        v.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_string()
    };
    let address = |v: &str| {
        let v = unbracket(v);
        if v.is_empty() || v.contains('@') {
            v
        } else {
            format!("postmaster@{v}")
        }
    };
    if let Some(rp) = parsed
        .headers
        .iter()
        .filter(above)
        .find(|h| h.is("Return-Path"))
    {
        return Some(unbracket(&rp.value));
    }
    if let Some(from) = &boundary.fields.envelope_from {
        return Some(from.clone());
    }
    let tagged = |field: &str, tag: &str| {
        parsed
            .headers
            .iter()
            .filter(above)
            .filter(|h| h.is(field))
            .find_map(|h| {
                h.value
                    .split([';', ' ', '\t', '\r', '\n'])
                    .find_map(|part| part.trim().strip_prefix(tag))
                    .map(address)
            })
    };
    tagged("Received-SPF", "envelope-from=")
        .or_else(|| tagged("Authentication-Results", "smtp.mailfrom="))
        .or_else(|| parsed.return_path.clone())
}
