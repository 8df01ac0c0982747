//! Claims beside verification: each result a receiving server recorded, whether it can be
//! trusted, and how it compares with what mailtrace computes again, with the likely reason for
//! a disagreement.
//!
//! A claim is trusted when its header was added at or after the trust boundary (it stands above
//! the boundary hop's Received field: servers prepend), or its authserv-id is a `--trust` host,
//! or its authserv-id names a recipient-side host (or that host's organisation) and it stands
//! directly below the boundary's Received field, where Gmail writes its results. A sender could
//! place a header there too, but RFC 8601 section 5 has the receiving server remove results
//! that carry its own authserv-id. Claims below the boundary were written by the sending side
//! or by intermediaries and prove nothing about delivery.
//!
//! SPF claims are compared only when they are about the same connection (the same client IP,
//! or written at the boundary); DMARC claims only when trusted: an intermediary's SPF and DMARC
//! verdicts were about another hop.

use serde::Serialize;

use super::AuthResult;
use super::arc::ArcCheck;
use super::claims::Claim;
use super::dkim::{BodyHash, DkimCheck, HeaderSignature};
use super::dmarc::DmarcCheck;
use super::spf::SpfCheck;
use crate::hops::host::{matches_suffix, org_family, same_host};
use crate::hops::{Chain, Side};
use crate::options::Options;
use crate::parse::ParsedMessage;

/// What mailtrace verified, for comparison.
pub struct Verified<'a> {
    /// DKIM checks.
    pub dkim: &'a [DkimCheck],
    /// ARC.
    pub arc: &'a ArcCheck,
    /// SPF at the boundary.
    pub spf: Option<&'a SpfCheck>,
    /// DMARC.
    pub dmarc: Option<&'a DmarcCheck>,
    /// The input has no body.
    pub headers_only: bool,
    /// The header fields (to read a signature's b= for matching `header.b`).
    pub headers: &'a [crate::parse::HeaderField],
}

/// One claim, set beside the re-verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimView {
    /// The claim as parsed.
    #[serde(flatten)]
    pub claim: Claim,
    /// True when the claim was written at or after the trust boundary, or by a trusted host.
    pub trusted: bool,
    /// The hop whose receiving server wrote it (the nearest Received field below it).
    pub hop: Option<usize>,
    /// mailtrace's own result for the same check, when it has one.
    pub verified: Option<AuthResult>,
    /// True when claimed and verified agree, false when not, null when there is nothing to
    /// compare.
    pub agrees: Option<bool>,
    /// The likely reason for a disagreement, in words.
    pub why: Option<String>,
    /// True when a disagreement comes from the input or the time of analysis (no body, no
    /// network, a key rotated or revoked since, a paste repair), not from the message.
    pub benign: bool,
    /// For a DKIM claim: the index in `dkim[]` of the signature it was matched to.
    pub dkim_index: Option<usize>,
}

/// mailtrace's side of one claim.
struct Comparison {
    verified: Option<AuthResult>,
    why: Option<String>,
    benign: bool,
    dkim_index: Option<usize>,
}

impl Comparison {
    const NONE: Comparison = Comparison {
        verified: None,
        why: None,
        benign: false,
        dkim_index: None,
    };

    fn new(verified: AuthResult, why: Option<String>, benign: bool) -> Comparison {
        Comparison {
            verified: Some(verified),
            why,
            benign,
            dkim_index: None,
        }
    }
}

/// The claims with trust, hop and comparison.
pub fn views(
    claims: Vec<Claim>,
    parsed: &ParsedMessage,
    chain: &Chain,
    options: &Options,
    verified: &Verified,
) -> Vec<ClaimView> {
    let boundary = chain.boundary.as_ref().and_then(|b| chain.hop(b.hop));
    let boundary_start = boundary.map(|h| h.span.start);
    // where the trace block right under the boundary's Received field ends: Gmail writes its
    // results there; anything after the first field that is not a trace field is the sender's
    let block_end = boundary_start.map(|b| {
        parsed
            .headers
            .iter()
            .filter(|h| h.span.start > b)
            .find(|h| !is_trace(&h.name))
            .map(|h| h.span.start)
            .unwrap_or(usize::MAX)
    });
    // the organisations and names of the recipient-side receivers, computed once
    let mut recipient: Vec<(String, Option<String>)> = chain
        .hops
        .iter()
        .filter(|h| h.side != Side::Sender)
        .filter_map(|h| h.fields.by_host.as_deref())
        .map(|h| (h.to_ascii_lowercase(), org_family(h)))
        .collect();
    recipient.sort();
    recipient.dedup();
    claims
        .into_iter()
        .map(|mut claim| {
            // a Received-SPF `receiver=` that is a mailbox, not a host, names no server
            if claim
                .authserv_id
                .as_deref()
                .is_some_and(|id| id.contains('@'))
            {
                claim.authserv_id = None;
            }
            let start = parsed
                .headers
                .get(claim.header_index)
                .map(|h| h.span.start)
                .unwrap_or(usize::MAX);
            let id = claim.authserv_id.as_deref();
            let id_org = id.and_then(org_family);
            let names_recipient = id.is_some_and(|id| {
                recipient
                    .iter()
                    .any(|(h, org)| same_host(id, h) || (id_org.is_some() && *org == id_org))
            });
            let above_boundary = boundary_start.is_some_and(|b| start < b);
            let in_block_below = match (boundary_start, block_end) {
                (Some(b), Some(end)) => start > b && start < end,
                _ => false,
            };
            // the nearest Received field below wrote it, unless it names the receiver of the
            // Received field right above it (Gmail writes its results under its own Received)
            let below = chain.hop_below(start);
            let above = chain.hop_above(start);
            let hop = match (id, above) {
                (Some(id), Some(a))
                    if a.fields
                        .by_host
                        .as_deref()
                        .is_some_and(|b| same_host(id, b))
                        && below.and_then(|i| chain.hop(i)).is_none_or(|b| {
                            b.fields
                                .by_host
                                .as_deref()
                                .is_none_or(|h| !same_host(id, h))
                        }) =>
                {
                    Some(a.index)
                }
                _ => below,
            };
            let by_trusted_host =
                id.is_some_and(|id| options.trust.iter().any(|t| matches_suffix(id, t)));
            let placed = above_boundary || in_block_below;
            // an ARC-Authentication-Results is an intermediary's record unless a recipient-side
            // server sealed it (it then stands above the boundary's Received field)
            let trusted = if claim.instance.is_some() {
                above_boundary || (by_trusted_host && placed)
            } else {
                (above_boundary || (in_block_below && (names_recipient || by_trusted_host)))
                    || (by_trusted_host && placed)
            };
            let at_boundary = trusted && boundary.is_some_and(|b| hop == Some(b.index));
            let Comparison {
                verified: verified_result,
                why,
                benign,
                dkim_index,
            } = compare(&claim, verified, trusted, at_boundary);
            let agrees = verified_result.map(|v| same(&claim, v, verified, dkim_index));
            ClaimView {
                benign: agrees == Some(false) && benign,
                why: if agrees == Some(false) { why } else { None },
                claim,
                trusted,
                hop,
                verified: verified_result,
                agrees,
                dkim_index,
            }
        })
        .collect()
}

/// Trace fields a receiving server writes next to its Received field.
fn is_trace(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "received-spf" | "authentication-results" | "x-received" | "x-google-smtp-source"
    ) || n.starts_with("arc-")
}

/// Does the claimed word mean the verified result? (`hardfail` is fail.) Receivers word some
/// outcomes differently: Gmail writes `dkim=neutral (body hash did not verify)` where RFC 8601
/// says fail, which is the same verdict.
fn same(claim: &Claim, verified: AuthResult, v: &Verified, dkim_index: Option<usize>) -> bool {
    let Some(claimed) = AuthResult::parse(&claim.result) else {
        return false;
    };
    if claimed == verified {
        return true;
    }
    claim.method == "dkim"
        && claimed == AuthResult::Neutral
        && verified == AuthResult::Fail
        && claim
            .comment
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().contains("body hash did not verify"))
        && dkim_index
            .and_then(|i| v.dkim.get(i))
            .is_some_and(|d| d.reason.as_deref() == Some("body-hash-mismatch"))
}

fn property<'a>(claim: &'a Claim, name: &str) -> Option<&'a str> {
    claim
        .properties
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// mailtrace's result for the claim's method, and the likely reason if they differ.
fn compare(claim: &Claim, v: &Verified, trusted: bool, at_boundary: bool) -> Comparison {
    let claimed = AuthResult::parse(&claim.result);
    match claim.method.as_str() {
        "spf" => {
            let Some(spf) = v.spf else {
                return Comparison::NONE;
            };
            let claim_ip = ["client-ip", "smtp.client-ip", "policy.iprev"]
                .iter()
                .find_map(|k| property(claim, k))
                .and_then(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
                .or_else(|| claim.comment.as_deref().and_then(ip_in_comment));
            // a claim about another envelope domain is about another identity
            let claim_domain = property(claim, "smtp.mailfrom")
                .or_else(|| property(claim, "envelope-from"))
                .map(|m| {
                    m.trim_matches(['<', '>'])
                        .rsplit('@')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase()
                });
            if claim_domain.is_some_and(|d| !d.is_empty() && d != spf.domain) {
                return Comparison::NONE;
            }
            let same_connection = match claim_ip {
                Some(ip) => ip == spf.ip,
                None => at_boundary,
            };
            // a HELO check (`smtp.helo=`) is another identity than the MAIL FROM one
            let claim_scope = if property(claim, "smtp.mailfrom").is_some()
                || property(claim, "identity").is_some_and(|i| i.eq_ignore_ascii_case("mailfrom"))
            {
                "mailfrom"
            } else if property(claim, "smtp.helo").is_some()
                || property(claim, "identity").is_some_and(|i| i.eq_ignore_ascii_case("helo"))
            {
                "helo"
            } else {
                spf.scope.as_str()
            };
            if !same_connection || claim_scope != spf.scope {
                return Comparison::NONE;
            }
            let why = match (claimed, spf.result) {
                (_, AuthResult::Temperror) => spf
                    .note
                    .clone()
                    .or_else(|| Some("DNS could not be asked now".into())),
                (Some(AuthResult::Pass), AuthResult::Fail | AuthResult::Softfail) => Some(format!(
                    "the SPF record of {} no longer allows {}: it changed since delivery, or the claim was for another IP",
                    spf.domain, spf.ip
                )),
                (Some(AuthResult::Fail | AuthResult::Softfail), AuthResult::Pass) => Some(format!(
                    "{} is allowed by the SPF record of {} now: it changed since delivery, or the claim was for another IP",
                    spf.ip, spf.domain
                )),
                _ => Some(format!(
                    "re-evaluated for {} and {}: the record or the identity differ from what that server saw",
                    spf.ip, spf.domain
                )),
            };
            Comparison::new(spf.result, why, spf.result == AuthResult::Temperror)
        }
        "dkim" => {
            let d = property(claim, "header.d").map(|d| d.to_ascii_lowercase());
            // header.i may name a subdomain of d= (`@news.example.com` for d=example.com)
            let i = property(claim, "header.i")
                .and_then(|i| i.rsplit('@').next())
                .map(|i| i.to_ascii_lowercase());
            let b = property(claim, "header.b");
            let s = property(claim, "header.s");
            let candidates: Vec<&DkimCheck> = v
                .dkim
                .iter()
                .filter(|c| d.as_deref().is_none_or(|d| c.domain == d))
                .filter(|c| {
                    i.as_deref()
                        .is_none_or(|i| i == c.domain || i.ends_with(&format!(".{}", c.domain)))
                })
                .filter(|c| s.is_none_or(|s| c.selector.eq_ignore_ascii_case(s)))
                .collect();
            let Some(check) = pick(&candidates, b, v.headers) else {
                return match claimed {
                    Some(AuthResult::None) if v.dkim.is_empty() => {
                        Comparison::new(AuthResult::None, None, false)
                    }
                    _ if v.dkim.is_empty() => Comparison::new(
                        AuthResult::None,
                        Some("no DKIM-Signature is left in the message".into()),
                        false,
                    ),
                    _ => Comparison::NONE,
                };
            };
            let benign = v.headers_only
                || !check.repaired_headers_signed.is_empty()
                || matches!(
                    check.reason.as_deref(),
                    Some("body-missing" | "key-not-found" | "key-revoked" | "dns-error")
                );
            Comparison {
                dkim_index: v.dkim.iter().position(|c| std::ptr::eq(c, check)),
                ..Comparison::new(check.result, Some(dkim_why(check, v.headers_only)), benign)
            }
        }
        "dmarc" => {
            let Some(dmarc) = v.dmarc.filter(|_| trusted) else {
                return Comparison::NONE;
            };
            let why = if dmarc.result == AuthResult::Fail && claimed == Some(AuthResult::Pass) {
                "no aligned SPF or DKIM pass is left now: see the DKIM and SPF rows for why".into()
            } else {
                format!(
                    "re-evaluated now: {}",
                    dmarc.reason.as_deref().unwrap_or("the inputs differ")
                )
            };
            Comparison::new(
                dmarc.result,
                Some(why),
                dmarc.result == AuthResult::Temperror,
            )
        }
        "arc" => {
            // an ARC-Authentication-Results i=n judged the chain up to n-1, not the whole chain
            if v.arc.result == AuthResult::None || claim.instance.is_some() {
                return Comparison::NONE;
            }
            let why = v
                .arc
                .reason
                .clone()
                .unwrap_or_else(|| "the chain validates differently now".into());
            let benign = matches!(v.arc.result, AuthResult::Temperror | AuthResult::Neutral);
            Comparison::new(v.arc.result, Some(why), benign)
        }
        _ => Comparison::NONE,
    }
}

/// The signature a claim is about: the one whose b= starts with `header.b` (RFC 6008), else
/// the first candidate.
fn pick<'a>(
    candidates: &[&'a DkimCheck],
    b: Option<&str>,
    headers: &[crate::parse::HeaderField],
) -> Option<&'a DkimCheck> {
    let by_b = b.and_then(|b| {
        candidates.iter().copied().find(|c| {
            headers
                .get(c.header_index)
                .and_then(|h| signature_b(&h.value))
                .is_some_and(|full| full.starts_with(b))
        })
    });
    by_b.or_else(|| candidates.first().copied())
}

/// The b= tag of a DKIM-Signature value, whitespace removed.
fn signature_b(value: &str) -> Option<String> {
    value.split(';').find_map(|tag| {
        let (k, v) = tag.split_once('=')?;
        (k.trim() == "b").then(|| v.chars().filter(|c| !c.is_whitespace()).collect())
    })
}

fn dkim_why(check: &DkimCheck, headers_only: bool) -> String {
    if headers_only || check.reason.as_deref() == Some("body-missing") {
        return "the body is missing from the input, so only the header signature can be checked"
            .into();
    }
    if !check.repaired_headers_signed.is_empty() {
        return format!(
            "a paste repair changed signed headers ({}): verify the original file",
            check.repaired_headers_signed.join(", ")
        );
    }
    match (check.header_signature, check.body_hash, check.reason.as_deref()) {
        (HeaderSignature::Valid, BodyHash::Mismatch, _) => {
            "the body was changed after that server checked it (a footer added later, or the input is not the original)".into()
        }
        (HeaderSignature::Invalid, BodyHash::Match, _) => {
            "a signed header was changed after that server checked it".into()
        }
        (_, _, Some("key-not-found")) => "the key was removed from DNS (rotated) since delivery".into(),
        (_, _, Some("key-revoked")) => "the key was revoked since delivery".into(),
        (_, _, Some("dns-error")) => check
            .note
            .clone()
            .unwrap_or_else(|| "the key could not be looked up now".into()),
        (_, _, Some(r)) => format!("re-verified now: {r}"),
        _ => "re-verified now with the same result words".into(),
    }
}

/// The IP in a comment such as `sender IP is 192.0.2.1` or `designates 192.0.2.1 as permitted
/// sender`.
fn ip_in_comment(comment: &str) -> Option<std::net::IpAddr> {
    let words: Vec<&str> = comment.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        let lead = w[0].to_ascii_lowercase();
        (lead == "is" || lead == "designates")
            .then(|| w[1].trim_matches(|c: char| !c.is_ascii_hexdigit() && c != ':' && c != '.'))
            .and_then(|ip| ip.parse().ok())
    })
}
