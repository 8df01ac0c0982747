//! DKIM re-verified: every DKIM-Signature of the message, each on its own, with the header
//! signature and the body hash judged apart, and time judged as of delivery.
//!
//! Why this exists: a verifier at delivery answers one question (may I trust this now?); an
//! analyst asks others. Were the headers authentic even though a gateway footer broke the body?
//! Is a headers-only paste still signed? Was the signature valid when the message arrived, even
//! if it has expired since? So, unlike mail-auth's `verify_dkim` (which stops at the first
//! body-hash mismatch and reads the wall clock), this module:
//!
//! - computes the body hash whenever the body is there, even when no key can be had;
//! - checks the header signature even when the body hash fails, and when there is no body at
//!   all (`body_hash: unchecked`, reason `body-missing`, never `pass`); a missing body whose
//!   signature covers an empty body is taken as that empty body;
//! - judges `x=` and a future `t=` as of `arrival` (the topmost Received time, see [`arrival`]),
//!   and only when there is none as of `now`. A signature valid on arrival that has expired
//!   since is a pass with a note. Signer and receiver clocks may differ by up to
//!   [`CLOCK_SKEW_SECONDS`]: within that, a `t=` after arrival or an `x=` just before it only
//!   gives a note. A signature that sits above every Received field of the message was added
//!   after the last recorded hop (it did not exist on arrival), so its times are judged as of
//!   `now`, with a note;
//! - reports `l=` (the number of body bytes outside the signature) instead of silently
//!   accepting appended content.
//!
//! How it is built: mail-auth 0.13 provides the parsed signature values (`Signature::parse`:
//! the base64 of `b=` and `bh=`), the key decoding (`DomainKey` via `TxtRecordParser`), the
//! canonicalization algorithms and the hashes and public-key crypto. Picking the signed header
//! fields (RFC 6376 section 5.4.2), emptying `b=`, applying `l=` to the canonical body, and
//! judging tags, keys and times are done here (`canon.rs`, `key.rs`, `tags.rs`), because
//! mail-auth keeps those pieces crate-private or does them differently. No mail-auth type
//! leaves this module.
//!
//! Result words (RFC 8601) and reasons, as decided here:
//!
//! - `pass`: header signature valid, body hash matching, nothing unacceptable;
//! - `fail`: `signature-mismatch` (the signed header fields changed), `body-hash-mismatch`,
//!   `signature-expired` and `signature-in-future` (RFC 6376 section 6.1.1 lets verifiers
//!   reject them as PERMFAIL; the crypto is still reported in `header_signature`);
//! - `policy`: cryptographically valid but unacceptable by RFC 8301: `weak-key` (an RSA key
//!   under 1024 bits; verifiers MUST NOT accept them) and `weak-algorithm` (`rsa-sha1`, which
//!   verifiers MUST NOT consider valid). A 1024-bit RSA key passes, with a note (RFC 8301 asks
//!   signers for 2048 bits but verifiers must accept 1024);
//! - `neutral`: `body-missing` (a headers-only input: the header signature is judged, the body
//!   cannot be); `not-checked` (past the number of signatures verified per message,
//!   `Limits::max_dkim_signatures`: described from its tags, nothing verified);
//! - `temperror`: `dns-error` (a timeout, SERVFAIL, no network; offline with no zone answer
//!   gives the note "not found (offline)");
//! - `permerror`: the signature or its key cannot be used: `signature-syntax`,
//!   `unsupported-version`, `unsupported-algorithm`, `unsupported-canonicalization`,
//!   `unsupported-query-method`, `header-missing` (h= lacks From), `domain-mismatch` (i= not
//!   under d=, or under it while the key says `t=s`), `key-not-found` (NXDOMAIN or no record),
//!   `key-revoked` (empty p=), `key-syntax`, `key-type-mismatch` (k= does not fit a=),
//!   `key-hash-mismatch` (the key's h= excludes the hash), `key-service-mismatch` (the key's s=
//!   excludes email). For `header-missing` and `domain-mismatch` the key is still fetched and
//!   the crypto still reported.
//!
//! A key in testing mode (`t=y`) changes nothing (RFC 6376 section 3.6.1) but is noted.
//!
//! This module must not read the clock or the network by itself (times and DNS come from the
//! caller), must not panic on any input, and must not judge alignment (that is DMARC's).

mod canon;
pub(crate) mod key;
pub(crate) mod tags;
#[cfg(test)]
mod tests;

use chrono::{DateTime, SecondsFormat, Utc};
use mail_auth::common::crypto::{Algorithm, CryptoError, HashAlgorithm};
use mail_auth::dkim::{Canonicalization, Signature};
use serde::Serialize;

use crate::auth::AuthResult;
use crate::auth::dns::Dns;
use crate::hops::Chain;
use crate::parse::HeaderField;

/// How far signer and receiver clocks may differ: a `t=` up to this many seconds after arrival,
/// or an `x=` up to this many seconds before it, only gives a note.
pub const CLOCK_SKEW_SECONDS: i64 = 15 * 60;

/// RSA keys shorter than this fail as `policy` / `weak-key` (RFC 8301 section 3.2).
pub const MIN_RSA_BITS: u32 = 1024;

/// RSA keys shorter than this (and at least [`MIN_RSA_BITS`]) pass with a note (RFC 8301 asks
/// signers for 2048 bits).
pub const RECOMMENDED_RSA_BITS: u32 = 2048;

/// Header fields that RFC 5322 section 3.6 allows at most once, plus the MIME fields that
/// decide how the body is shown: when h= signs fewer instances than the message has, an
/// unsigned instance may have been added (RFC 6376 section 8.15), which is noted.
const SINGLE_INSTANCE_FIELDS: &[&str] = &[
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Subject",
    "Date",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
];

/// The header signature (`b=`), judged apart from the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderSignature {
    /// The signed header fields are as the signer signed them.
    Valid,
    /// They are not: a signed field changed, or the signature is not the key's.
    Invalid,
    /// Not checked: no usable key, or the signature could not be read.
    Unchecked,
}

/// The body hash (`bh=`), judged apart from the header signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyHash {
    /// The (canonical, `l=`-limited) body hashes to `bh=`.
    Match,
    /// It does not: the body changed.
    Mismatch,
    /// Not computed: no body in the input, or the signature could not be read.
    Unchecked,
}

/// Why a signature did not pass (or passed only by policy), as the kebab-case slug reported
/// in `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The body hash does not match (`fail`).
    BodyHashMismatch,
    /// The header signature does not verify (`fail`).
    SignatureMismatch,
    /// `x=` was past on arrival (`fail`).
    SignatureExpired,
    /// `t=` is after arrival, beyond the clock allowance (`fail`).
    SignatureInFuture,
    /// An RSA key under 1024 bits (`policy`, RFC 8301).
    WeakKey,
    /// `rsa-sha1` (`policy`, RFC 8301).
    WeakAlgorithm,
    /// No body in the input; the header signature alone was judged (`neutral`).
    BodyMissing,
    /// The key could not be looked up now (`temperror`).
    DnsError,
    /// No key record at the selector (`permerror`).
    KeyNotFound,
    /// The key record has an empty `p=` (`permerror`).
    KeyRevoked,
    /// The key record is malformed (`permerror`).
    KeySyntax,
    /// The key type (`k=`) does not fit the algorithm (`a=`), or is unknown (`permerror`).
    KeyTypeMismatch,
    /// The key's `h=` excludes the signature's hash (`permerror`).
    KeyHashMismatch,
    /// The key's `s=` excludes email (`permerror`).
    KeyServiceMismatch,
    /// The signature field is malformed or lacks a required tag (`permerror`).
    SignatureSyntax,
    /// `v=` is not 1 (`permerror`).
    UnsupportedVersion,
    /// `a=` is not rsa-sha256, rsa-sha1 or ed25519-sha256 (`permerror`).
    UnsupportedAlgorithm,
    /// `c=` is not simple or relaxed (`permerror`).
    UnsupportedCanonicalization,
    /// `q=` does not offer dns/txt (`permerror`).
    UnsupportedQueryMethod,
    /// `h=` does not sign From (`permerror`).
    HeaderMissing,
    /// The `i=` domain is not `d=` or under it (`permerror`).
    DomainMismatch,
    /// Not verified: past the number of signatures checked per message
    /// (`Limits::max_dkim_signatures`) (`neutral`).
    NotChecked,
}

impl Reason {
    /// The kebab-case slug.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::BodyHashMismatch => "body-hash-mismatch",
            Reason::SignatureMismatch => "signature-mismatch",
            Reason::SignatureExpired => "signature-expired",
            Reason::SignatureInFuture => "signature-in-future",
            Reason::WeakKey => "weak-key",
            Reason::WeakAlgorithm => "weak-algorithm",
            Reason::BodyMissing => "body-missing",
            Reason::DnsError => "dns-error",
            Reason::KeyNotFound => "key-not-found",
            Reason::KeyRevoked => "key-revoked",
            Reason::KeySyntax => "key-syntax",
            Reason::KeyTypeMismatch => "key-type-mismatch",
            Reason::KeyHashMismatch => "key-hash-mismatch",
            Reason::KeyServiceMismatch => "key-service-mismatch",
            Reason::SignatureSyntax => "signature-syntax",
            Reason::UnsupportedVersion => "unsupported-version",
            Reason::UnsupportedAlgorithm => "unsupported-algorithm",
            Reason::UnsupportedCanonicalization => "unsupported-canonicalization",
            Reason::UnsupportedQueryMethod => "unsupported-query-method",
            Reason::HeaderMissing => "header-missing",
            Reason::DomainMismatch => "domain-mismatch",
            Reason::NotChecked => "not-checked",
        }
    }

    /// The RFC 8601 result a signature gets for this reason.
    pub fn result(self) -> AuthResult {
        match self {
            Reason::BodyHashMismatch
            | Reason::SignatureMismatch
            | Reason::SignatureExpired
            | Reason::SignatureInFuture => AuthResult::Fail,
            Reason::WeakKey | Reason::WeakAlgorithm => AuthResult::Policy,
            Reason::BodyMissing | Reason::NotChecked => AuthResult::Neutral,
            Reason::DnsError => AuthResult::Temperror,
            Reason::KeyNotFound
            | Reason::KeyRevoked
            | Reason::KeySyntax
            | Reason::KeyTypeMismatch
            | Reason::KeyHashMismatch
            | Reason::KeyServiceMismatch
            | Reason::SignatureSyntax
            | Reason::UnsupportedVersion
            | Reason::UnsupportedAlgorithm
            | Reason::UnsupportedCanonicalization
            | Reason::UnsupportedQueryMethod
            | Reason::HeaderMissing
            | Reason::DomainMismatch => AuthResult::Permerror,
        }
    }
}

/// One DKIM-Signature, re-verified. Serialized as one entry of the report's `dkim[]`; the
/// field names are a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DkimCheck {
    /// The signing domain (`d=`), lowercase; empty when absent.
    pub domain: String,
    /// The selector (`s=`); empty when absent.
    pub selector: String,
    /// `a=` as written, lowercase: rsa-sha256, ed25519-sha256, rsa-sha1 (or what was written).
    pub algorithm: String,
    /// `c=` as `header/body`, e.g. "relaxed/simple" (the default is "simple/simple").
    pub canonicalization: String,
    /// Size of the public key in bits (256 for ed25519), when the key could be read.
    pub key_bits: Option<u32>,
    /// The header signature: valid, invalid or unchecked.
    pub header_signature: HeaderSignature,
    /// The body hash: match, mismatch or unchecked.
    pub body_hash: BodyHash,
    /// The RFC 8601 result: pass only when the header signature is valid and the body hash
    /// matches and nothing made the signature unacceptable.
    pub result: AuthResult,
    /// Why it is not a pass (a kebab-case slug, see [`Reason`]); null for a pass.
    pub reason: Option<String>,
    /// What else an analyst should know, in words (several notes joined by "; "), e.g.
    /// "expired since delivery: x= 2025-03-20T00:00:00Z, arrived 2025-03-11T09:15:42Z".
    pub note: Option<String>,
    /// The agent identity (`i=`, quoted-printable decoded), when given.
    pub identity: Option<String>,
    /// The signed header field names (`h=`), as written, in order.
    pub signed_headers: Vec<String>,
    /// The signing time (`t=`), RFC 3339 UTC.
    pub timestamp: Option<String>,
    /// The expiry time (`x=`), RFC 3339 UTC.
    pub expiration: Option<String>,
    /// `l=`: how many canonical body bytes are signed, when limited.
    pub body_length_limit: Option<u64>,
    /// With `l=` and a body: how many canonical body bytes come after the signed part (content
    /// anyone could have appended); None without `l=` or without a body.
    pub unsigned_body_bytes: Option<u64>,
    /// True when h= lists From more times than the message has From fields, so that no From
    /// field can be added without breaking the signature.
    pub from_oversigned: bool,
    /// Index of this DKIM-Signature in `ParsedMessage::headers`.
    pub header_index: usize,
    /// Signed header field names (and DKIM-Signature itself) whose bytes a paste repair
    /// changed (`Repair::touches_message`), so that a failure may come from the repair.
    pub repaired_headers_signed: Vec<String>,
}

/// The arrival time DKIM times are judged against: the timestamp of the topmost Received field
/// (the last hop), or of the newest hop below it with a readable date.
pub fn arrival(chain: &Chain) -> Option<DateTime<Utc>> {
    chain.hops.iter().rev().find_map(|hop| hop.timestamp)
}

/// Re-verify every DKIM-Signature field of the message, top to bottom, each on its own.
///
/// - `message`: the message with CRLF line ends (`Source::message`);
/// - `headers`, `body_offset`: from `ParsedMessage`; `body_offset` None means there is no body
///   (a headers-only input);
/// - `arrival`: the topmost Received time ([`arrival`]); `now`: the analysis time, used only
///   when `arrival` is None, and to note a signature that expired since delivery;
/// - `dns`: where keys come from; `repaired`: names of header fields a paste repair changed.
pub fn verify_all(
    message: &[u8],
    headers: &[HeaderField],
    body_offset: Option<usize>,
    arrival: Option<DateTime<Utc>>,
    now: Option<DateTime<Utc>>,
    dns: &Dns,
    repaired: &[String],
) -> Vec<DkimCheck> {
    verify_first(
        usize::MAX,
        message,
        headers,
        body_offset,
        arrival,
        now,
        dns,
        repaired,
    )
}

/// [`verify_all`], verifying only the first `max` signatures (top to bottom). The others are
/// described from their tags alone (no key lookup, no hash): result `neutral`, reason
/// `not-checked`, both halves `unchecked`, and a note naming the limit
/// (`Limits::max_dkim_signatures`).
#[allow(clippy::too_many_arguments)]
pub fn verify_first(
    max: usize,
    message: &[u8],
    headers: &[HeaderField],
    body_offset: Option<usize>,
    arrival: Option<DateTime<Utc>>,
    now: Option<DateTime<Utc>>,
    dns: &Dns,
    repaired: &[String],
) -> Vec<DkimCheck> {
    let ctx = Context {
        message,
        headers,
        body: body_offset.and_then(|offset| message.get(offset..)),
        arrival,
        now,
        dns,
        repaired,
    };
    let mut bodies = Bodies::default();
    let signatures: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, field)| field.is("DKIM-Signature"))
        .map(|(index, _)| index)
        .collect();
    let total = signatures.len();
    signatures
        .into_iter()
        .enumerate()
        .map(|(n, index)| {
            if n < max {
                verify_one(&ctx, &mut bodies, index)
            } else {
                not_checked(&ctx, index, total, max)
            }
        })
        .collect()
}

/// A signature past the limit: its tags, described; nothing verified.
fn not_checked(ctx: &Context<'_>, index: usize, total: usize, max: usize) -> DkimCheck {
    let mut check = DkimCheck {
        domain: String::new(),
        selector: String::new(),
        algorithm: String::new(),
        canonicalization: "simple/simple".into(),
        key_bits: None,
        header_signature: HeaderSignature::Unchecked,
        body_hash: BodyHash::Unchecked,
        result: Reason::NotChecked.result(),
        reason: Some(Reason::NotChecked.as_str().to_string()),
        note: Some(format!(
            "not checked: the message has {total} DKIM signatures and only the first {max} are \
             verified (raise the limit with --max-dkim-signatures)"
        )),
        identity: None,
        signed_headers: Vec::new(),
        timestamp: None,
        expiration: None,
        body_length_limit: None,
        unsigned_body_bytes: None,
        from_oversigned: false,
        header_index: index,
        repaired_headers_signed: Vec::new(),
    };
    if let Some(raw) = ctx
        .headers
        .get(index)
        .and_then(|field| canon::raw_field(ctx.message, field))
    {
        let value = raw.value.strip_suffix(b"\r\n").unwrap_or(&raw.value);
        if let Ok(list) = tags::parse(value) {
            describe(&list, &mut check);
        }
    }
    check
}

struct Context<'a> {
    message: &'a [u8],
    headers: &'a [HeaderField],
    body: Option<&'a [u8]>,
    arrival: Option<DateTime<Utc>>,
    now: Option<DateTime<Utc>>,
    dns: &'a Dns,
    repaired: &'a [String],
}

/// The canonical body, computed once per canonicalization.
#[derive(Default)]
struct Bodies {
    simple: Option<Vec<u8>>,
    relaxed: Option<Vec<u8>>,
    /// Body hashes made so far, by canonicalization, algorithm and signed length: a message
    /// signed twice the same way (author and ESP) is hashed once.
    digests: Vec<(Canonicalization, HashAlgorithm, u64, Vec<u8>)>,
}

impl Bodies {
    fn get(&mut self, body: &[u8], canonicalization: Canonicalization) -> &[u8] {
        let slot = match canonicalization {
            Canonicalization::Simple => &mut self.simple,
            Canonicalization::Relaxed => &mut self.relaxed,
        };
        slot.get_or_insert_with(|| canon::canonical_body(body, canonicalization))
    }

    /// The hash of the first `signed_length` bytes of the canonical body.
    fn digest(
        &mut self,
        body: &[u8],
        canonicalization: Canonicalization,
        algorithm: HashAlgorithm,
        signed_length: u64,
    ) -> &[u8] {
        let known = self.digests.iter().position(|(c, a, l, _)| {
            *c == canonicalization && *a == algorithm && *l == signed_length
        });
        let at = match known {
            Some(at) => at,
            None => {
                let canonical = self.get(body, canonicalization);
                let signed = canonical
                    .get(..usize::try_from(signed_length).unwrap_or(usize::MAX))
                    .unwrap_or(canonical);
                let digest = algorithm.hash(signed).as_ref().to_vec();
                self.digests
                    .push((canonicalization, algorithm, signed_length, digest));
                self.digests.len() - 1
            }
        };
        &self.digests[at].3
    }
}

/// A problem that settles the result.
type Problem = (Reason, String);

/// What the tag list says, once judged.
struct Parsed {
    algorithm: Algorithm,
    header_canon: Canonicalization,
    body_canon: Canonicalization,
    h: Vec<String>,
    t: Option<u64>,
    x: Option<u64>,
    l: Option<u64>,
}

fn verify_one(ctx: &Context<'_>, bodies: &mut Bodies, index: usize) -> DkimCheck {
    let mut check = DkimCheck {
        domain: String::new(),
        selector: String::new(),
        algorithm: String::new(),
        canonicalization: "simple/simple".into(),
        key_bits: None,
        header_signature: HeaderSignature::Unchecked,
        body_hash: BodyHash::Unchecked,
        result: AuthResult::Permerror,
        reason: None,
        note: None,
        identity: None,
        signed_headers: Vec::new(),
        timestamp: None,
        expiration: None,
        body_length_limit: None,
        unsigned_body_bytes: None,
        from_oversigned: false,
        header_index: index,
        repaired_headers_signed: Vec::new(),
    };
    let mut notes: Vec<String> = Vec::new();
    let outcome = evaluate(ctx, bodies, index, &mut check, &mut notes);
    match outcome {
        Some((reason, note)) => {
            check.result = reason.result();
            check.reason = Some(reason.as_str().to_string());
            if !note.is_empty() {
                notes.insert(0, note);
            }
        }
        None => check.result = AuthResult::Pass,
    }
    if check.header_signature == HeaderSignature::Invalid
        && !check.repaired_headers_signed.is_empty()
    {
        notes.push(format!(
            "a paste repair changed signed field(s) {}: the failure may come from the repair",
            check.repaired_headers_signed.join(", ")
        ));
    }
    check.note = (!notes.is_empty()).then(|| notes.join("; "));
    check
}

/// Fill `check` and return the problem that settles the result (None = pass).
fn evaluate(
    ctx: &Context<'_>,
    bodies: &mut Bodies,
    index: usize,
    check: &mut DkimCheck,
    notes: &mut Vec<String>,
) -> Option<Problem> {
    let Some(raw) = ctx
        .headers
        .get(index)
        .and_then(|field| canon::raw_field(ctx.message, field))
    else {
        return Some((
            Reason::SignatureSyntax,
            "the field's bytes could not be found in the message".into(),
        ));
    };
    let value = raw.value.strip_suffix(b"\r\n").unwrap_or(&raw.value);
    let list = match tags::parse(value) {
        Ok(list) => list,
        Err(e) => return Some((Reason::SignatureSyntax, e)),
    };
    describe(&list, check);
    check.repaired_headers_signed = repaired_signed(ctx, &check.signed_headers);

    // Judge the tags. A fatal problem stops before the key; a soft one (RFC 6376 says to
    // ignore the signature, but its crypto is still worth reporting) is kept for the end.
    let (parsed, fatal) = judge_tags(&list);
    let identity_domain = check
        .identity
        .as_deref()
        .and_then(|i| i.rsplit_once('@'))
        .map(|(_, domain)| domain.to_ascii_lowercase());
    let mut soft: Option<Problem> = None;
    if let Some(p) = &parsed {
        if !p.h.iter().any(|h| h.eq_ignore_ascii_case("from")) {
            soft = Some((Reason::HeaderMissing, "h= does not sign From".into()));
        } else if let Some(domain) = &identity_domain
            && !under(domain, &check.domain)
        {
            soft = Some((
                Reason::DomainMismatch,
                format!("i= domain {domain} is not d={} or under it", check.domain),
            ));
        }
        check.from_oversigned =
            count(&p.h, "From") > ctx.headers.iter().filter(|f| f.is("From")).count();
        notes.extend(added_fields(ctx.headers, &p.h));
    }
    // mail-auth decodes b= and bh= (and cross-checks the rest).
    let signature = match Signature::parse(value) {
        Ok(signature) => Some(signature),
        Err(e) => {
            if fatal.is_none() && parsed.is_some() {
                let note = match e {
                    mail_auth::Error::Base64 => "b= or bh= is not valid base64".to_string(),
                    mail_auth::Error::MissingParameters => "a required tag is empty".to_string(),
                    other => format!("the signature could not be read: {other}"),
                };
                return Some((Reason::SignatureSyntax, note));
            }
            None
        }
    };

    // The body hash, whenever the body is there.
    if let (Some(p), Some(sig)) = (&parsed, &signature) {
        body_hash(ctx, bodies, p, &sig.bh, check, notes);
    }
    if let Some(problem) = fatal {
        return Some(problem);
    }
    let (Some(p), Some(sig)) = (parsed, signature) else {
        return Some((
            Reason::SignatureSyntax,
            "the signature could not be read".into(),
        ));
    };

    // The key, then the header signature.
    let name = format!("{}._domainkey.{}", check.selector, check.domain);
    let key = match key::fetch(ctx.dns, &name, p.algorithm) {
        Ok(key) => key,
        Err(problem) => {
            return Some(match soft {
                Some(soft) => {
                    notes.push(problem.note);
                    soft
                }
                None => (problem.reason, problem.note),
            });
        }
    };
    check.key_bits = Some(key.bits);
    if key.testing {
        notes.push("the key is in testing mode (t=y)".into());
    }
    if key.strict
        && soft.is_none()
        && let Some(domain) = &identity_domain
        && *domain != check.domain
    {
        soft = Some((
            Reason::DomainMismatch,
            format!(
                "the key has t=s, so i= must be in d={} itself, not in {domain}",
                check.domain
            ),
        ));
    }
    let picked = canon::select(ctx.headers, index, &p.h);
    match canon::signed_header_bytes(ctx.message, ctx.headers, index, &picked, p.header_canon) {
        Some(bytes) => match key.verifier.verify_bytes(&bytes, &sig.b, p.algorithm) {
            Ok(()) => check.header_signature = HeaderSignature::Valid,
            Err(e) => {
                check.header_signature = HeaderSignature::Invalid;
                if !matches!(e, mail_auth::Error::Crypto(CryptoError::FailedVerification)) {
                    notes.push(format!("the signature could not be checked: {e}"));
                }
            }
        },
        None => notes.push("a signed field's bytes could not be found in the message".into()),
    }

    // Settle, most decisive first.
    if let Some(problem) = soft {
        return Some(problem);
    }
    // RFC 6376 6.1.3 compares the body hash before the header signature, so when both fail
    // the reason is the body's; the note says the headers changed too.
    if check.body_hash == BodyHash::Mismatch {
        let note = if check.header_signature == HeaderSignature::Valid {
            "the header fields are as signed; the body changed since signing"
        } else {
            "the body changed since signing, and so did the signed header fields"
        };
        return Some((Reason::BodyHashMismatch, note.into()));
    }
    if check.header_signature != HeaderSignature::Valid {
        return Some((
            Reason::SignatureMismatch,
            "the signed header fields changed since signing".into(),
        ));
    }
    // A signature above every Received field (of a message that has some) was added after the
    // last recorded hop: it did not exist on arrival, so its times are judged as of now.
    let mut arrival = ctx.arrival;
    if arrival.is_some()
        && (p.t.is_some() || p.x.is_some())
        && !ctx.headers.iter().take(index).any(|f| f.is("Received"))
        && ctx.headers.iter().skip(index).any(|f| f.is("Received"))
    {
        arrival = None;
        notes.push(
            "the signature sits above every Received field, so it was added after delivery: its times are judged as of now"
                .into(),
        );
    }
    if let Some(problem) = judge_times(arrival, ctx.now, p.t, p.x, notes) {
        return Some(problem);
    }
    if p.algorithm != Algorithm::Ed25519Sha256 && key.bits < MIN_RSA_BITS {
        return Some((
            Reason::WeakKey,
            format!(
                "a {}-bit RSA key: RFC 8301 forbids accepting keys under {MIN_RSA_BITS} bits (the signature is otherwise valid)",
                key.bits
            ),
        ));
    }
    if p.algorithm != Algorithm::Ed25519Sha256 && key.bits < RECOMMENDED_RSA_BITS {
        notes.push(format!(
            "a {}-bit RSA key (RFC 8301 asks signers for {RECOMMENDED_RSA_BITS})",
            key.bits
        ));
    }
    if p.algorithm == Algorithm::RsaSha1 {
        return Some((
            Reason::WeakAlgorithm,
            "rsa-sha1 is not acceptable since RFC 8301 (the signature is otherwise valid)".into(),
        ));
    }
    if check.body_hash == BodyHash::Unchecked {
        return Some((
            Reason::BodyMissing,
            "no body in the input: the header fields are as signed, the body cannot be judged"
                .into(),
        ));
    }
    None
}

/// Fill the descriptive fields from the tag list, as written.
fn describe(list: &tags::TagList<'_>, check: &mut DkimCheck) {
    check.domain = list.text("d").unwrap_or_default().to_ascii_lowercase();
    check.selector = list.text("s").unwrap_or_default();
    check.algorithm = list.text("a").unwrap_or_default().to_ascii_lowercase();
    if let Some(c) = list.text("c") {
        check.canonicalization = match canonicalizations(&c) {
            Some((h, b)) => format!("{}/{}", canon_name(h), canon_name(b)),
            None => c,
        };
    }
    check.identity = list
        .raw("i")
        .map(|i| tags::decode_qp(i).unwrap_or_else(|| String::from_utf8_lossy(i).into_owned()));
    check.signed_headers = list
        .compact("h")
        .map(|h| {
            h.split(':')
                .filter(|n| !n.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let number = |name: &str| list.compact(name).and_then(|v| v.parse::<u64>().ok());
    check.timestamp = number("t").and_then(time).map(fmt_time);
    check.expiration = number("x").and_then(time).map(fmt_time);
    check.body_length_limit = number("l");
}

/// Judge the signature's tags (RFC 6376 sections 3.5 and 6.1.1). Returns what could be read
/// and the first fatal problem, if any.
fn judge_tags(list: &tags::TagList<'_>) -> (Option<Parsed>, Option<Problem>) {
    let mut fatal: Option<Problem> = None;
    let mut fail = |reason: Reason, note: String| {
        fatal.get_or_insert((reason, note));
    };
    match list.text("v") {
        None => fail(
            Reason::SignatureSyntax,
            "the required tag v= is missing".into(),
        ),
        Some(v) if v != "1" => fail(Reason::UnsupportedVersion, format!("v={v} is not 1")),
        Some(_) => {}
    }
    let missing: Vec<String> = ["a", "b", "bh", "d", "h", "s"]
        .iter()
        .filter(|t| list.raw(t).is_none())
        .map(|t| format!("{t}="))
        .collect();
    if !missing.is_empty() {
        fail(
            Reason::SignatureSyntax,
            format!("required tag(s) missing: {}", missing.join(", ")),
        );
    }
    let algorithm = list.text("a").and_then(|a| {
        let algorithm = match a.to_ascii_lowercase().as_str() {
            "rsa-sha256" => Some(Algorithm::RsaSha256),
            "rsa-sha1" => Some(Algorithm::RsaSha1),
            "ed25519-sha256" => Some(Algorithm::Ed25519Sha256),
            _ => None,
        };
        if algorithm.is_none() {
            fail(
                Reason::UnsupportedAlgorithm,
                format!("a={a} is not supported"),
            );
        }
        algorithm
    });
    let canons = match list.text("c") {
        None => Some((Canonicalization::Simple, Canonicalization::Simple)),
        Some(c) => {
            let canons = canonicalizations(&c);
            if canons.is_none() {
                fail(
                    Reason::UnsupportedCanonicalization,
                    format!("c={c} is not supported"),
                );
            }
            canons
        }
    };
    if let Some(q) = list.text("q")
        && !q
            .split(':')
            .any(|m| tags::trim(m.as_bytes()).eq_ignore_ascii_case(b"dns/txt"))
    {
        fail(
            Reason::UnsupportedQueryMethod,
            format!("q={q} does not offer dns/txt"),
        );
    }
    let mut number = |name: &str| -> Option<u64> {
        let text = list.compact(name)?;
        let value = text
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| text.parse::<u64>().ok())
            .flatten();
        if value.is_none() {
            fail(
                Reason::SignatureSyntax,
                format!("{name}={text} is not a number"),
            );
        }
        value
    };
    let (t, x, l) = (number("t"), number("x"), number("l"));
    if let (Some(t), Some(x)) = (t, x)
        && x <= t
    {
        fail(
            Reason::SignatureSyntax,
            format!("x= ({x}) is not after t= ({t})"),
        );
    }
    for tag in ["d", "s"] {
        if let Some(value) = list.text(tag)
            && !valid_domain(&value)
        {
            fail(
                Reason::SignatureSyntax,
                format!("{tag}={value} is not a valid domain name"),
            );
        }
    }
    if let Some(i) = list.raw("i") {
        match tags::decode_qp(i) {
            None => fail(
                Reason::SignatureSyntax,
                "i= is not valid quoted-printable".into(),
            ),
            Some(i) if !i.contains('@') => {
                fail(Reason::SignatureSyntax, format!("i={i} has no @"));
            }
            Some(_) => {}
        }
    }
    let h: Vec<String> = list
        .compact("h")
        .map(|h| {
            h.split(':')
                .filter(|n| !n.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if list.raw("h").is_some() && h.is_empty() {
        fail(Reason::SignatureSyntax, "h= is empty".into());
    }
    let parsed = match (algorithm, canons) {
        (Some(algorithm), Some((header_canon, body_canon))) => Some(Parsed {
            algorithm,
            header_canon,
            body_canon,
            h,
            t,
            x,
            l,
        }),
        _ => None,
    };
    (parsed, fatal)
}

/// Compute and compare the body hash; record `l=` facts.
fn body_hash(
    ctx: &Context<'_>,
    bodies: &mut Bodies,
    p: &Parsed,
    bh: &[u8],
    check: &mut DkimCheck,
    notes: &mut Vec<String>,
) {
    let hash_algorithm = HashAlgorithm::from(p.algorithm);
    let Some(body) = ctx.body else {
        // No body: if the signature covers an empty body, the empty body is what was signed.
        let empty = canon::canonical_body(b"", p.body_canon);
        let limit =
            p.l.map_or(empty.len(), |l| usize::try_from(l).unwrap_or(usize::MAX));
        let signed = empty.get(..limit.min(empty.len())).unwrap_or_default();
        if hash_algorithm.hash(signed).as_ref() == bh {
            check.body_hash = BodyHash::Match;
            notes.push("no body in the input, and the signature covers an empty body".into());
        }
        return;
    };
    let length = bodies.get(body, p.body_canon).len() as u64;
    let signed_length = match p.l {
        Some(l) if l > length => {
            notes.push(format!(
                "l={l} is more than the {length} bytes of the canonical body: the body was shortened since signing"
            ));
            length
        }
        Some(l) => {
            let unsigned = length - l;
            check.unsigned_body_bytes = Some(unsigned);
            if unsigned > 0 {
                notes.push(format!(
                    "{unsigned} body bytes after the l={l} signed bytes are not covered by the signature"
                ));
            }
            l
        }
        None => length,
    };
    if p.l.is_some() && check.unsigned_body_bytes.is_none() {
        check.unsigned_body_bytes = Some(0);
    }
    check.body_hash = if bodies.digest(body, p.body_canon, hash_algorithm, signed_length) == bh {
        BodyHash::Match
    } else {
        BodyHash::Mismatch
    };
}

/// Judge `x=` and a future `t=` as of arrival (or as of `now` without an arrival time).
fn judge_times(
    arrival: Option<DateTime<Utc>>,
    now: Option<DateTime<Utc>>,
    t: Option<u64>,
    x: Option<u64>,
    notes: &mut Vec<String>,
) -> Option<Problem> {
    let at = arrival.or(now);
    let as_of = |at: DateTime<Utc>| match arrival {
        Some(_) => format!("arrived {}", fmt_time(at)),
        None => format!("judged as of {} (no arrival time)", fmt_time(at)),
    };
    let skew = chrono::Duration::seconds(CLOCK_SKEW_SECONDS);
    let mut problem = None;
    if let Some(expires) = x.and_then(time) {
        match at {
            None => notes.push(format!(
                "x= {} not judged: no arrival time and no clock",
                fmt_time(expires)
            )),
            Some(at) if at > expires + skew => {
                let when = if arrival.is_some() {
                    "expired before delivery"
                } else {
                    "expired"
                };
                problem = Some((
                    Reason::SignatureExpired,
                    format!("{when}: x= {}, {}", fmt_time(expires), as_of(at)),
                ));
            }
            Some(at) if at > expires => notes.push(format!(
                "x= {} is {} s before arrival ({}), within the clock allowance of {CLOCK_SKEW_SECONDS} s",
                fmt_time(expires),
                (at - expires).num_seconds(),
                fmt_time(at)
            )),
            Some(at) => {
                if let (Some(_), Some(now)) = (arrival, now)
                    && now > expires
                {
                    notes.push(format!(
                        "expired since delivery: x= {}, arrived {}",
                        fmt_time(expires),
                        fmt_time(at)
                    ));
                }
            }
        }
    }
    if let (Some(signed), Some(at)) = (t.and_then(time), at) {
        if signed > at + skew {
            problem.get_or_insert((
                Reason::SignatureInFuture,
                format!(
                    "signed after delivery: t= {}, {}",
                    fmt_time(signed),
                    as_of(at)
                ),
            ));
        } else if signed > at {
            notes.push(format!(
                "t= {} is {} s after arrival ({}), within the clock allowance of {CLOCK_SKEW_SECONDS} s",
                fmt_time(signed),
                (signed - at).num_seconds(),
                fmt_time(at)
            ));
        }
    }
    problem
}

/// `c=` as (header, body); the body defaults to simple.
fn canonicalizations(c: &str) -> Option<(Canonicalization, Canonicalization)> {
    let one = |s: &str| match s.to_ascii_lowercase().as_str() {
        "simple" => Some(Canonicalization::Simple),
        "relaxed" => Some(Canonicalization::Relaxed),
        _ => None,
    };
    match c.split_once('/') {
        Some((h, b)) => Some((one(h)?, one(b)?)),
        None => Some((one(c)?, Canonicalization::Simple)),
    }
}

fn canon_name(c: Canonicalization) -> &'static str {
    match c {
        Canonicalization::Simple => "simple",
        Canonicalization::Relaxed => "relaxed",
    }
}

/// A plausible domain name or selector: dot-separated non-empty labels of letters, digits,
/// hyphens, underscores (or non-ASCII, for U-labels).
fn valid_domain(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii())
        })
}

/// `domain` is `parent` or a subdomain of it (both lowercase).
fn under(domain: &str, parent: &str) -> bool {
    domain == parent
        || domain
            .strip_suffix(parent)
            .is_some_and(|head| head.ends_with('.'))
}

/// How many times `h` names this field.
fn count(h: &[String], name: &str) -> usize {
    h.iter().filter(|n| n.eq_ignore_ascii_case(name)).count()
}

/// Notes for single-instance fields that h= signs but that the message has more instances of
/// than h= lists: an unsigned instance may have been added (RFC 6376 section 8.15).
fn added_fields(headers: &[HeaderField], h: &[String]) -> Vec<String> {
    SINGLE_INSTANCE_FIELDS
        .iter()
        .filter_map(|name| {
            let signed = count(h, name);
            let present = headers.iter().filter(|f| f.is(name)).count();
            (signed > 0 && present > signed).then(|| {
                format!(
                    "the message has {present} {name} fields and h= signs {signed}: an unsigned {name} may have been added"
                )
            })
        })
        .collect()
}

/// The signed field names (and DKIM-Signature itself) that a paste repair changed.
fn repaired_signed(ctx: &Context<'_>, signed: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let candidates = signed.iter().map(String::as_str).chain(["DKIM-Signature"]);
    for name in candidates {
        let repaired = ctx.repaired.iter().any(|r| r.eq_ignore_ascii_case(name));
        let present = ctx.headers.iter().any(|f| f.is(name));
        if repaired && present && !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            out.push(name.to_string());
        }
    }
    out
}

fn time(seconds: u64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::try_from(seconds).ok()?, 0)
}

fn fmt_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}
