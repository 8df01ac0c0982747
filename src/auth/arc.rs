//! ARC (RFC 8617): validate the Authenticated Received Chain of a message, say which instance
//! broke it and why, and keep what each sealer claimed.
//!
//! Why: a forwarder (a mailing list, a gateway) that changes a message breaks its DKIM
//! signatures; ARC lets it vouch for what it saw. A reader wants to know whether that vouching
//! is intact, which instance broke, and what each ARC-Authentication-Results said.
//!
//! The steps are those of RFC 8617 section 5.2, in order:
//!
//! 1. no ARC header: `none`. Every ARC header must carry a valid instance (`i=` 1..50; for
//!    ARC-Authentication-Results `i=N;` must come first); instances run 1..N without a gap and
//!    each has exactly one ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal,
//!    else `fail`;
//! 2. an ARC-Seal with `cv=fail` anywhere ends validation as `fail`;
//! 3. `cv=none` for i=1 and `cv=pass` above, else `fail`;
//! 4. the newest ARC-Message-Signature must verify (header signature and body hash);
//! 5. every ARC-Seal from N down to 1 must verify over the ARC sets 1..i in order
//!    (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal with an empty `b=`),
//!    relaxed header canonicalization.
//!
//! The first failure in that order is the result (`broken_at`, `reason`). For the report every
//! ARC-Message-Signature and every ARC-Seal is checked even after a failure: each instance says
//! whether its seal, header signature and body hash hold.
//!
//! Tags are read strictly (RFC 6376 section 3.2 tag-lists: no duplicate tag, tag names are
//! case-sensitive, no empty tag-spec; typed values checked), because mail-auth's ARC header
//! parsers are lenient where the ARC test suite is not (duplicate tags, a misplaced AAR `i=`)
//! and refuse an empty AMS `h=` that the suite accepts. mail-auth gives the rest: key records
//! ([`DomainKey`]), signature verification over header iterators, canonicalization and hashing.
//! `rsa-sha1` and RSA keys under 1024 bits are refused (RFC 8301).
//!
//! Beyond RFC 8617's `none|pass|fail`, `result` says `temperror` when a key could not be had
//! (DNS failure, or offline and not in a zone: reason "key unavailable") and no check failed,
//! and `neutral` when everything that could be checked holds but the body is missing (a
//! headers-only paste: the newest body hash is unchecked) or older instances were past the
//! number verified ([`verify_newest`], `Limits::max_arc_instances`: "not checked").
//!
//! This module reads DNS only through [`Dns`], never the clock (`t=`/`x=` are not judged: RFC
//! 8617 gives them no role in validation) and never panics on message data.

use std::borrow::Cow;
use std::collections::BTreeMap;

use mail_auth::common::crypto::{Algorithm, HashAlgorithm};
use mail_auth::common::headers::Writable;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::{Canonicalization, DkimError};
use serde::Serialize;

use super::AuthResult;
use super::dns::{Answer, Dns, DnsFailure};
use crate::parse::HeaderField;

/// The ARC chain of a message, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArcCheck {
    /// `none` (no ARC header), `pass`, `fail`; `temperror` when a key could not be had and
    /// nothing failed; `neutral` when the body is missing and nothing failed.
    pub result: AuthResult,
    /// Why the chain is not `pass`, naming the header and instance (lowercase, no final period).
    pub reason: Option<String>,
    /// The instance that broke the chain (the first failure in RFC 8617 order).
    pub broken_at: Option<u32>,
    /// Every instance found, i=1 first.
    pub instances: Vec<ArcInstance>,
}

/// One ARC set (instance `i`): what its headers claim and what could be verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArcInstance {
    /// The instance number.
    pub i: u32,
    /// The `cv=` written in the ARC-Seal (lowercase).
    pub cv: Option<String>,
    /// The ARC-Seal: valid, invalid or unchecked.
    pub seal: String,
    /// The ARC-Message-Signature, header signature and body hash together: valid, invalid or
    /// unchecked.
    pub message_signature: String,
    /// The ARC-Message-Signature body hash: match, mismatch or unchecked.
    pub body_hash: String,
    /// The sealer: the ARC-Seal's `d=`.
    pub domain: String,
    /// The ARC-Seal's `s=`.
    pub selector: String,
    /// The ARC-Message-Signature's `d=`.
    pub ams_domain: String,
    /// The authserv-id of the ARC-Authentication-Results.
    pub authserv_id: Option<String>,
    /// The ARC-Authentication-Results as claimed: the text after `i=N;`, runs of whitespace
    /// as one space.
    pub aar: Option<String>,
    /// What is wrong with this instance, if anything.
    pub reason: Option<String>,
    /// Index of the ARC-Seal in the header list (to map the instance to a hop).
    pub seal_header_index: Option<usize>,
    /// The hop whose receiving server added this instance: the nearest Received field below
    /// the ARC-Seal (filled in by `auth::run`, which knows the chain).
    pub hop: Option<usize>,
}

/// Most ARC instances a chain may have (RFC 8617 section 4.2.1).
const MAX_INSTANCES: u32 = 50;
/// Smallest RSA key accepted (RFC 8301).
const MIN_RSA_BITS: usize = 1024;

/// The three ARC header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Aar,
    Ams,
    Seal,
}

impl Part {
    fn of(field: &HeaderField) -> Option<Part> {
        if field.is("ARC-Authentication-Results") {
            Some(Part::Aar)
        } else if field.is("ARC-Message-Signature") {
            Some(Part::Ams)
        } else if field.is("ARC-Seal") {
            Some(Part::Seal)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Part::Aar => "arc-authentication-results",
            Part::Ams => "arc-message-signature",
            Part::Seal => "arc-seal",
        }
    }
}

/// The header indexes of one instance, per part.
#[derive(Debug, Default)]
struct Slots {
    aar: Vec<usize>,
    ams: Vec<usize>,
    seal: Vec<usize>,
}

impl Slots {
    fn get_mut(&mut self, part: Part) -> &mut Vec<usize> {
        match part {
            Part::Aar => &mut self.aar,
            Part::Ams => &mut self.ams,
            Part::Seal => &mut self.seal,
        }
    }

    fn get(&self, part: Part) -> &[usize] {
        match part {
            Part::Aar => &self.aar,
            Part::Ams => &self.ams,
            Part::Seal => &self.seal,
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Valid,
    /// Checked (or checkable) and wrong.
    Fail(String),
    /// Could not be checked: the key could not be had.
    Temp(String),
    /// Could not be fully checked: the body is missing.
    NoBody(String),
    /// Not checked: past the number of instances verified (`Limits::max_arc_instances`).
    Skipped(String),
}

/// Validate the ARC chain of a message.
///
/// `message` is `Source::message` (CRLF line ends), `headers` its fields top to bottom,
/// `body_offset` where the body starts, or None when there is no body (a headers-only paste):
/// the body hash is then unchecked.
pub fn verify(
    message: &[u8],
    headers: &[HeaderField],
    body_offset: Option<usize>,
    dns: &Dns,
) -> ArcCheck {
    verify_newest(message, headers, body_offset, dns, MAX_INSTANCES as usize)
}

/// [`verify`], verifying at most the `max` newest instances (`Limits::max_arc_instances`).
/// The form of the chain and every `cv=` are still judged in full; the seals and message
/// signatures of older instances are left `unchecked` with a reason naming the limit, and the
/// chain cannot pass: when nothing checked fails it is `neutral`.
pub fn verify_newest(
    message: &[u8],
    headers: &[HeaderField],
    body_offset: Option<usize>,
    dns: &Dns,
    max: usize,
) -> ArcCheck {
    let mut sets: BTreeMap<u32, Slots> = BTreeMap::new();
    let mut unnumbered: Option<String> = None;
    let mut any = false;
    for (index, field) in headers.iter().enumerate() {
        let Some(part) = Part::of(field) else {
            continue;
        };
        any = true;
        let instance = match part {
            Part::Aar => parse_aar(&field.value).map(|(i, _)| i),
            Part::Ams | Part::Seal => tag_instance(&field.value),
        };
        match instance {
            Ok(i) => sets.entry(i).or_default().get_mut(part).push(index),
            Err(why) => {
                if unnumbered.is_none() {
                    unnumbered = Some(format!("{}: {why}", part.name()));
                }
            }
        }
    }
    if !any {
        return ArcCheck {
            result: AuthResult::None,
            reason: None,
            broken_at: None,
            instances: Vec::new(),
        };
    }

    let mut instances: Vec<ArcInstance> = sets
        .iter()
        .map(|(&i, slots)| describe(i, slots, headers))
        .collect();

    // Step 1: the form of the chain.
    if let Some(why) = unnumbered {
        return failed(instances, None, why);
    }
    let n = sets.keys().next_back().copied().unwrap_or(0);
    for i in 1..=n {
        let Some(slots) = sets.get(&i) else {
            return failed(
                instances,
                Some(i),
                format!("instance {i} is missing (instances must run from 1 to {n})"),
            );
        };
        for part in [Part::Aar, Part::Ams, Part::Seal] {
            let count = slots.get(part).len();
            if count != 1 {
                let why = if count == 0 {
                    format!("instance {i} has no {}", part.name())
                } else {
                    format!("instance {i} has {count} {} headers", part.name())
                };
                return failed(instances, Some(i), why);
            }
        }
    }

    // Every set is complete: one header of each part per instance, 1..=n.
    let set_of = |i: u32, part: Part| -> Option<&HeaderField> {
        sets.get(&i)
            .and_then(|s| s.get(part).first())
            .and_then(|&x| headers.get(x))
    };

    // Check every AMS and AS, for the report.
    let body = body_offset.and_then(|o| message.get(o..));
    let raw_headers: Vec<RawHeader<'_>> = headers.iter().map(|f| raw(message, f)).collect();
    let mut ams_outcomes: Vec<Outcome> = Vec::with_capacity(n as usize);
    let mut seal_outcomes: Vec<Outcome> = Vec::with_capacity(n as usize);
    // instances up to `skip_below` are past the limit (the newest `max` are checked)
    let skip_below = (n as usize).saturating_sub(max) as u32;
    for inst in instances.iter_mut() {
        let i = inst.i;
        if i <= skip_below {
            let why = format!(
                "not checked: the chain has {n} instances and only the newest {max} are verified \
                 (raise the limit with --max-arc-instances)"
            );
            inst.reason = Some(why.clone());
            ams_outcomes.push(Outcome::Skipped(why.clone()));
            seal_outcomes.push(Outcome::Skipped(why));
            continue;
        }
        let ams = sets
            .get(&i)
            .and_then(|s| s.ams.first().copied())
            .map(|x| check_ams(message, headers, &raw_headers, x, body, dns));
        let ams = ams.unwrap_or_else(|| AmsReport::unchecked("missing".into()));
        inst.message_signature = ams.signature.clone();
        inst.body_hash = ams.body_hash.clone();
        let seal = check_seal(message, &set_of, i, dns);
        inst.seal = match &seal {
            Outcome::Valid => "valid",
            Outcome::Fail(_) => "invalid",
            _ => "unchecked",
        }
        .to_string();
        let mut problems = Vec::new();
        if let Some(why) = outcome_reason(&ams.outcome) {
            problems.push(format!("arc-message-signature: {why}"));
        }
        if let Some(why) = outcome_reason(&seal) {
            problems.push(format!("arc-seal: {why}"));
        }
        if !problems.is_empty() {
            inst.reason = Some(problems.join("; "));
        }
        ams_outcomes.push(ams.outcome);
        seal_outcomes.push(seal);
    }

    // Step 2: cv=fail anywhere.
    if let Some(inst) = instances
        .iter()
        .find(|inst| inst.cv.as_deref() == Some("fail"))
    {
        let i = inst.i;
        return failed(
            instances,
            Some(i),
            format!(
                "arc-seal i={i} has cv=fail: the chain was already broken when instance {i} \
                 was added"
            ),
        );
    }
    // Step 3: cv=none for i=1, cv=pass above.
    for inst in &instances {
        let want = if inst.i == 1 { "none" } else { "pass" };
        if inst.cv.as_deref() != Some(want) {
            let i = inst.i;
            let got = inst
                .cv
                .as_deref()
                .map_or("no cv=".to_string(), |cv| format!("cv={cv}"));
            return failed(
                instances,
                Some(i),
                format!("arc-seal i={i} has {got}, must be cv={want}"),
            );
        }
    }

    // Step 4: the newest AMS; step 5: every AS from n down to 1.
    let mut order: Vec<(u32, &'static str, &Outcome)> = Vec::new();
    if let Some(o) = ams_outcomes.last() {
        order.push((n, "arc-message-signature", o));
    }
    for (k, o) in seal_outcomes.iter().enumerate().rev() {
        order.push((k as u32 + 1, "arc-seal", o));
    }
    let mut undetermined: Option<(u32, AuthResult, String)> = None;
    for (i, what, outcome) in &order {
        match outcome {
            Outcome::Valid => {}
            Outcome::Fail(why) => {
                let why = format!("{what} i={i}: {why}");
                let i = *i;
                return failed(instances, Some(i), why);
            }
            Outcome::Temp(why) => {
                if !matches!(undetermined, Some((_, AuthResult::Temperror, _))) {
                    undetermined =
                        Some((*i, AuthResult::Temperror, format!("{what} i={i}: {why}")));
                }
            }
            Outcome::NoBody(why) | Outcome::Skipped(why) => {
                if undetermined.is_none() {
                    undetermined = Some((*i, AuthResult::Neutral, format!("{what} i={i}: {why}")));
                }
            }
        }
    }
    match undetermined {
        Some((_, result, why)) => ArcCheck {
            result,
            reason: Some(why),
            broken_at: None,
            instances,
        },
        None => ArcCheck {
            result: AuthResult::Pass,
            reason: None,
            broken_at: None,
            instances,
        },
    }
}

fn failed(instances: Vec<ArcInstance>, broken_at: Option<u32>, reason: String) -> ArcCheck {
    ArcCheck {
        result: AuthResult::Fail,
        reason: Some(reason),
        broken_at,
        instances,
    }
}

fn outcome_reason(outcome: &Outcome) -> Option<&str> {
    match outcome {
        Outcome::Valid => None,
        Outcome::Fail(w) | Outcome::Temp(w) | Outcome::NoBody(w) | Outcome::Skipped(w) => Some(w),
    }
}

/// What the headers of one instance claim (nothing verified yet).
fn describe(i: u32, slots: &Slots, headers: &[HeaderField]) -> ArcInstance {
    let first = |v: &[usize]| v.first().and_then(|&x| headers.get(x));
    let seal_tags = first(&slots.seal).map(|f| tag_list(&f.value).0);
    let ams_tags = first(&slots.ams).map(|f| tag_list(&f.value).0);
    let get = |tags: &Option<Vec<(String, String)>>, name: &str| -> Option<String> {
        tags.as_ref()?
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let aar = first(&slots.aar).and_then(|f| parse_aar(&f.value).ok().map(|(_, p)| p));
    let authserv_id = aar.as_deref().and_then(|payload| {
        let id = payload.split(';').next()?.split_whitespace().next()?;
        (!id.contains('=')).then(|| id.to_string())
    });
    ArcInstance {
        i,
        cv: get(&seal_tags, "cv").map(|cv| cv.to_ascii_lowercase()),
        seal: "unchecked".to_string(),
        message_signature: "unchecked".to_string(),
        body_hash: "unchecked".to_string(),
        domain: get(&seal_tags, "d").unwrap_or_default(),
        selector: get(&seal_tags, "s").unwrap_or_default(),
        ams_domain: get(&ams_tags, "d").unwrap_or_default(),
        authserv_id,
        aar,
        reason: None,
        seal_header_index: slots.seal.first().copied(),
        hop: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Tag lists (RFC 6376 section 3.2)

fn is_fws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Read a tag-list: the tags readable, and the first syntax error if any.
fn tag_list(value: &str) -> (Vec<(String, String)>, Option<String>) {
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut error: Option<String> = None;
    let note = |e: String, error: &mut Option<String>| {
        if error.is_none() {
            *error = Some(e);
        }
    };
    let segments: Vec<&str> = value.split(';').collect();
    let last = segments.len().saturating_sub(1);
    for (n, segment) in segments.iter().enumerate() {
        let spec = segment.trim_matches(is_fws);
        if spec.is_empty() {
            // a trailing `;` is allowed, an empty tag-spec elsewhere is not
            if n != last || n == 0 {
                note("empty tag (stray ';')".to_string(), &mut error);
            }
            continue;
        }
        let Some((name, val)) = spec.split_once('=') else {
            note(format!("tag without '=': {spec:?}"), &mut error);
            continue;
        };
        let name = name.trim_end_matches(is_fws);
        let val = val.trim_start_matches(is_fws);
        let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            note(format!("invalid tag name {name:?}"), &mut error);
            continue;
        }
        if val
            .chars()
            .any(|c| !(is_fws(c) || ('\x21'..='\x7e').contains(&c)))
        {
            note(format!("invalid character in {name}="), &mut error);
        }
        if tags.iter().any(|(k, _)| k == name) {
            note(format!("duplicate tag {name}="), &mut error);
            continue;
        }
        tags.push((name.to_string(), val.to_string()));
    }
    (tags, error)
}

/// The `i=` of an ARC-Seal or ARC-Message-Signature, read leniently (structure only).
fn tag_instance(value: &str) -> Result<u32, String> {
    let (tags, _) = tag_list(value);
    let i = tags
        .iter()
        .find(|(k, _)| k == "i")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| "no i= tag".to_string())?;
    instance_number(i)
}

/// An instance number: 1*2DIGIT, 1..=50.
fn instance_number(text: &str) -> Result<u32, String> {
    if text.is_empty() {
        return Err("empty i=".to_string());
    }
    if !text.chars().all(|c| c.is_ascii_digit()) || text.len() > 2 {
        return Err(format!("invalid i={text}"));
    }
    match text.parse::<u32>() {
        Ok(i) if (1..=MAX_INSTANCES).contains(&i) => Ok(i),
        _ => Err(format!("i={text} out of range 1..{MAX_INSTANCES}")),
    }
}

/// ARC-Authentication-Results: `i=N;` first, then the authres payload (RFC 8617 4.1.1).
fn parse_aar(value: &str) -> Result<(u32, String), String> {
    let v = value.trim_start_matches(is_fws);
    let Some(rest) = v.strip_prefix('i') else {
        return Err("does not start with i=".to_string());
    };
    let rest = rest.trim_start_matches(is_fws);
    let Some(rest) = rest.strip_prefix('=') else {
        return Err("does not start with i=".to_string());
    };
    let rest = rest.trim_start_matches(is_fws);
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let i = instance_number(&rest[..digits_end])?;
    let rest = rest[digits_end..].trim_start_matches(is_fws);
    let Some(payload) = rest.strip_prefix(';') else {
        return Err(format!("no ';' after i={i}"));
    };
    // folding whitespace as one space, for display
    let payload = payload.split(is_fws).filter(|w| !w.is_empty());
    Ok((i, payload.collect::<Vec<_>>().join(" ")))
}

fn require<'t>(tags: &'t [(String, String)], name: &str) -> Result<&'t str, String> {
    tags.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| format!("missing {name}= tag"))
}

fn optional<'t>(tags: &'t [(String, String)], name: &str) -> Option<&'t str> {
    tags.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn algorithm(text: &str) -> Result<Algorithm, String> {
    match Algorithm::parse(text.as_bytes()) {
        Some(Algorithm::RsaSha1) => Err("a=rsa-sha1 is refused (RFC 8301)".to_string()),
        Some(a) => Ok(a),
        None if text.is_empty() => Err("empty a=".to_string()),
        None => Err(format!("unknown algorithm a={text}")),
    }
}

fn base64_tag(name: &str, text: &str) -> Result<Vec<u8>, String> {
    let bytes = crate::auth::crypto::decode_base64(text)
        .ok_or_else(|| format!("{name}= is not valid base64"))?;
    if bytes.is_empty() {
        return Err(format!("empty {name}="));
    }
    Ok(bytes)
}

/// A domain name or selector: dot-separated labels of letters, digits, `-` and `_`.
fn domain_tag(name: &str, text: &str) -> Result<String, String> {
    let d = text.strip_suffix('.').unwrap_or(text);
    let ok = !d.is_empty()
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if ok {
        Ok(d.to_string())
    } else if text.is_empty() {
        Err(format!("empty {name}="))
    } else {
        Err(format!("invalid {name}={text}"))
    }
}

fn number_tag(name: &str, text: &str) -> Result<u64, String> {
    if text.is_empty() || text.len() > 12 || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("invalid {name}={text}"));
    }
    text.parse().map_err(|_| format!("invalid {name}={text}"))
}

/// An ARC-Seal, read strictly.
#[derive(Debug)]
struct Seal {
    a: Algorithm,
    b: Vec<u8>,
    d: String,
    s: String,
}

fn parse_seal(value: &str) -> Result<Seal, String> {
    let (tags, error) = tag_list(value);
    if let Some(e) = error {
        return Err(e);
    }
    if optional(&tags, "h").is_some() {
        return Err("h= is not allowed in an arc-seal".to_string());
    }
    instance_number(require(&tags, "i")?)?;
    let cv = require(&tags, "cv")?;
    if !["none", "pass", "fail"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(cv))
    {
        return Err(format!("invalid cv={cv}"));
    }
    if let Some(t) = optional(&tags, "t") {
        number_tag("t", t)?;
    }
    Ok(Seal {
        a: algorithm(require(&tags, "a")?)?,
        b: base64_tag("b", require(&tags, "b")?)?,
        d: domain_tag("d", require(&tags, "d")?)?,
        s: domain_tag("s", require(&tags, "s")?)?,
    })
}

/// An ARC-Message-Signature, read strictly.
#[derive(Debug)]
struct Ams {
    a: Algorithm,
    b: Vec<u8>,
    bh: Vec<u8>,
    d: String,
    s: String,
    h: Vec<String>,
    ch: Canonicalization,
    cb: Canonicalization,
    l: Option<u64>,
}

fn canonicalization(text: &str) -> Result<(Canonicalization, Canonicalization), String> {
    let one = |w: &str| match w {
        "relaxed" => Ok(Canonicalization::Relaxed),
        "simple" => Ok(Canonicalization::Simple),
        "" => Err("empty c=".to_string()),
        _ => Err(format!("invalid c={text}")),
    };
    match text.split_once('/') {
        Some((h, b)) => Ok((one(h)?, one(b)?)),
        None => Ok((one(text)?, Canonicalization::Simple)),
    }
}

fn parse_ams(value: &str) -> Result<Ams, String> {
    let (tags, error) = tag_list(value);
    if let Some(e) = error {
        return Err(e);
    }
    instance_number(require(&tags, "i")?)?;
    let (ch, cb) = match optional(&tags, "c") {
        Some(c) => canonicalization(c)?,
        None => (Canonicalization::Simple, Canonicalization::Simple),
    };
    let h_text = require(&tags, "h")?;
    let mut h = Vec::new();
    if !h_text.trim_matches(is_fws).is_empty() {
        for name in h_text.split(':') {
            let name = name.trim_matches(is_fws);
            // an empty entry (`from::to`) names no header field, like a name not present
            if name.is_empty() {
                continue;
            }
            if name.chars().any(|c| !('\x21'..='\x7e').contains(&c)) {
                return Err(format!("invalid h={h_text}"));
            }
            if name.eq_ignore_ascii_case("arc-seal") {
                return Err(
                    "h= lists arc-seal, which an arc-message-signature must not sign".to_string(),
                );
            }
            h.push(name.to_string());
        }
    }
    for tag in ["t", "x"] {
        if let Some(v) = optional(&tags, tag) {
            number_tag(tag, v)?;
        }
    }
    let l = optional(&tags, "l")
        .map(|v| number_tag("l", v))
        .transpose()?;
    Ok(Ams {
        a: algorithm(require(&tags, "a")?)?,
        b: base64_tag("b", require(&tags, "b")?)?,
        bh: base64_tag("bh", require(&tags, "bh")?)?,
        d: domain_tag("d", require(&tags, "d")?)?,
        s: domain_tag("s", require(&tags, "s")?)?,
        h,
        ch,
        cb,
        l,
    })
}

// ---------------------------------------------------------------------------------------------
// Bytes as signed

/// A header's name and value as signed.
type RawHeader<'m> = (Cow<'m, [u8]>, Cow<'m, [u8]>);

/// A header as signed: the name as written and the value after the colon through its CRLF,
/// from the message bytes (folding kept). Falls back to the unfolded field when the span does
/// not point at it.
fn raw<'m>(message: &'m [u8], field: &HeaderField) -> RawHeader<'m> {
    if let Some(bytes) = message.get(field.span.clone())
        && let Some(colon) = bytes.iter().position(|&b| b == b':')
        && bytes[..colon]
            .trim_ascii_end()
            .eq_ignore_ascii_case(field.name.as_bytes())
    {
        let start = field.span.start + colon + 1;
        let end = field.span.end;
        let value: Cow<'m, [u8]> = match message.get(start..end + 2) {
            Some(v) if v.ends_with(b"\r\n") => Cow::Borrowed(v),
            _ => {
                let mut v = bytes[colon + 1..].to_vec();
                v.extend_from_slice(b"\r\n");
                Cow::Owned(v)
            }
        };
        return (Cow::Borrowed(&bytes[..colon]), value);
    }
    (
        Cow::Owned(field.name.as_bytes().to_vec()),
        Cow::Owned(format!(" {}\r\n", field.value).into_bytes()),
    )
}

/// The signature header's value as signed: the `b=` value (and the whitespace around it up to
/// the next `;`) removed, and no trailing CRLF (RFC 6376 section 3.7).
fn strip_b(value: &[u8]) -> Vec<u8> {
    let value = value.strip_suffix(b"\r\n").unwrap_or(value);
    let mut out = Vec::with_capacity(value.len());
    let mut first = true;
    for segment in value.split(|&b| b == b';') {
        if !first {
            out.push(b';');
        }
        first = false;
        let lead = segment
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(segment.len());
        let after_name = &segment[lead..];
        let is_b = after_name.first() == Some(&b'b') && {
            let rest = &after_name[1..];
            let skip = rest
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(rest.len());
            rest.get(skip) == Some(&b'=')
        };
        if is_b {
            let eq = segment
                .iter()
                .position(|&b| b == b'=')
                .unwrap_or(segment.len());
            out.extend_from_slice(&segment[..(eq + 1).min(segment.len())]);
        } else {
            out.extend_from_slice(segment);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Keys and signatures

/// Why a signature could not be judged valid.
enum Problem {
    /// Permanent: the signature fails or cannot ever verify.
    Perm(String),
    /// Transient: the key could not be had.
    Temp(String),
}

/// A key record's parse and its `p=` text (for [`crate::auth::crypto::PublicKey`]).
fn fetch_key(
    dns: &Dns,
    selector: &str,
    domain: &str,
) -> Result<(DomainKey, Option<String>), Problem> {
    let name = format!("{selector}._domainkey.{domain}");
    match dns.txt(&name) {
        Answer::Records(records) => {
            let mut first_error = None;
            for record in &records {
                match DomainKey::parse(record.as_bytes()) {
                    Ok(key) => {
                        let p = crate::auth::crypto::p_tag(record).map(str::to_string);
                        return Ok((key, p));
                    }
                    Err(e) => {
                        if first_error.is_none() {
                            first_error = Some(e);
                        }
                    }
                }
            }
            Err(Problem::Perm(match first_error {
                Some(mail_auth::Error::Dkim(DkimError::RevokedPublicKey)) => {
                    format!("key {name} is revoked (empty p=)")
                }
                Some(e) => format!("key {name} is not a usable dkim key ({e})").to_lowercase(),
                None => format!("key not found: {name} has no txt record"),
            }))
        }
        Answer::NxDomain | Answer::NoData => Err(Problem::Perm(format!(
            "key not found: no txt record at {name}"
        ))),
        Answer::Failed(DnsFailure::Offline) => Err(Problem::Temp(format!(
            "key unavailable: {name} not found (offline)"
        ))),
        Answer::Failed(DnsFailure::Budget(why)) => Err(Problem::Temp(format!(
            "key unavailable: {why}: {name} not looked up"
        ))),
        Answer::Failed(f) => Err(Problem::Temp(
            format!("key unavailable: {name}: dns {f:?}").to_lowercase(),
        )),
    }
}

/// Verify a signature over canonicalized headers with the key at `s._domainkey.d`.
fn verify_signature<'h>(
    dns: &Dns,
    selector: &str,
    domain: &str,
    algorithm: Algorithm,
    signature: &[u8],
    canonicalization: Canonicalization,
    headers: &mut dyn Iterator<Item = (&'h [u8], &'h [u8])>,
) -> Result<(), Problem> {
    let (key, p) = fetch_key(dns, selector, domain)?;
    let bits = key.p.public_key_bits();
    if bits < MIN_RSA_BITS {
        return Err(Problem::Perm(format!(
            "key too short: {bits}-bit rsa (under {MIN_RSA_BITS} is refused)"
        )));
    }
    let hash = hash_of(algorithm);
    let restricted = key.has_flag(HashAlgorithm::Sha1) || key.has_flag(HashAlgorithm::Sha256);
    if restricted && !key.has_flag(hash) {
        return Err(Problem::Perm(format!(
            "key h= does not allow {}",
            hash.name()
        )));
    }
    crate::auth::crypto::PublicKey::new(key.p, p.as_deref())
        .verify_headers(headers, signature, canonicalization, algorithm)
        .map_err(|e| {
            Problem::Perm(match e {
                mail_auth::Error::Crypto(
                    mail_auth::common::crypto::CryptoError::IncompatibleAlgorithms,
                ) => "key type does not match a=".to_string(),
                mail_auth::Error::Crypto(
                    mail_auth::common::crypto::CryptoError::FailedVerification,
                ) => "signature does not verify".to_string(),
                other => format!("signature does not verify ({other})").to_lowercase(),
            })
        })
}

fn hash_of(algorithm: Algorithm) -> HashAlgorithm {
    match algorithm {
        Algorithm::RsaSha1 => HashAlgorithm::Sha1,
        Algorithm::RsaSha256 | Algorithm::Ed25519Sha256 => HashAlgorithm::Sha256,
    }
}

fn to_outcome(result: Result<(), Problem>) -> Outcome {
    match result {
        Ok(()) => Outcome::Valid,
        Err(Problem::Perm(w)) => Outcome::Fail(w),
        Err(Problem::Temp(w)) => Outcome::Temp(w),
    }
}

/// One AMS checked.
struct AmsReport {
    outcome: Outcome,
    signature: String,
    body_hash: String,
}

impl AmsReport {
    fn unchecked(why: String) -> Self {
        AmsReport {
            outcome: Outcome::Fail(why),
            signature: "unchecked".to_string(),
            body_hash: "unchecked".to_string(),
        }
    }
}

fn check_ams(
    message: &[u8],
    headers: &[HeaderField],
    raw_headers: &[RawHeader<'_>],
    index: usize,
    body: Option<&[u8]>,
    dns: &Dns,
) -> AmsReport {
    let Some(field) = headers.get(index) else {
        return AmsReport::unchecked("missing".to_string());
    };
    let ams = match parse_ams(&field.value) {
        Ok(a) => a,
        Err(why) => {
            return AmsReport {
                outcome: Outcome::Fail(why),
                signature: "invalid".to_string(),
                body_hash: "unchecked".to_string(),
            };
        }
    };

    // Body hash; `l=` counts octets of the canonicalized body (RFC 6376 section 3.5).
    let body_match = body.map(|body| {
        let canonical = ams.cb.canonical_body(body, 0);
        let digest = match ams.l {
            Some(limit) => {
                let mut bytes: Vec<u8> = Vec::with_capacity(body.len());
                canonical.write(&mut bytes);
                let end = usize::try_from(limit)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                hash_of(ams.a).hash(&bytes[..end])
            }
            None => hash_of(ams.a).hash(canonical),
        };
        digest.as_ref() == ams.bh.as_slice()
    });

    // Header signature: h= selected bottom-up (RFC 6376 section 5.4.2), then the AMS itself.
    let (own_name, own_value) = raw(message, field);
    let stripped = strip_b(&own_value);
    let mut used: Vec<(String, usize)> = Vec::new(); // name -> how many taken from the bottom
    let mut selected: Vec<(&[u8], &[u8])> = Vec::with_capacity(ams.h.len() + 1);
    for name in &ams.h {
        let lower = name.to_ascii_lowercase();
        let taken = match used.iter_mut().find(|(n, _)| *n == lower) {
            Some((_, t)) => t,
            None => {
                used.push((lower.clone(), 0));
                match used.last_mut() {
                    Some((_, t)) => t,
                    None => continue,
                }
            }
        };
        let found = headers
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, f)| f.is(&lower))
            .nth(*taken);
        *taken += 1;
        if let Some((x, _)) = found
            && let Some((n, v)) = raw_headers.get(x)
        {
            selected.push((n.as_ref(), v.as_ref()));
        }
    }
    selected.push((own_name.as_ref(), stripped.as_slice()));
    let header = to_outcome(verify_signature(
        dns,
        &ams.s,
        &ams.d,
        ams.a,
        &ams.b,
        ams.ch,
        &mut selected.into_iter(),
    ));

    let body_hash = match body_match {
        Some(true) => "match",
        Some(false) => "mismatch",
        None => "unchecked",
    }
    .to_string();
    let outcome = match (&header, body_match) {
        (Outcome::Fail(why), Some(false)) => {
            Outcome::Fail(format!("body hash mismatch, and {why}"))
        }
        (Outcome::Fail(why), _) => Outcome::Fail(why.clone()),
        (_, Some(false)) => Outcome::Fail(
            "body hash mismatch (the body changed after this instance was added)".to_string(),
        ),
        (Outcome::Temp(why), _) => Outcome::Temp(why.clone()),
        (Outcome::Valid, None) => {
            Outcome::NoBody("body missing: header signature valid, body hash unchecked".to_string())
        }
        (other, _) => other.clone(),
    };
    let signature = match (&header, body_match) {
        (Outcome::Fail(_), _) | (_, Some(false)) => "invalid",
        (Outcome::Valid, Some(true)) => "valid",
        _ => "unchecked",
    }
    .to_string();
    AmsReport {
        outcome,
        signature,
        body_hash,
    }
}

/// Check the ARC-Seal of instance `i` over the sets 1..=i.
fn check_seal<'h>(
    message: &[u8],
    set_of: &dyn Fn(u32, Part) -> Option<&'h HeaderField>,
    i: u32,
    dns: &Dns,
) -> Outcome {
    let Some(field) = set_of(i, Part::Seal) else {
        return Outcome::Fail("missing".to_string());
    };
    let seal = match parse_seal(&field.value) {
        Ok(s) => s,
        Err(why) => return Outcome::Fail(why),
    };
    let mut owned: Vec<RawHeader<'_>> = Vec::with_capacity(3 * i as usize);
    for j in 1..=i {
        for part in [Part::Aar, Part::Ams, Part::Seal] {
            let Some(f) = set_of(j, part) else {
                return Outcome::Fail(format!("instance {j} has no {}", part.name()));
            };
            let (name, value) = raw(message, f);
            if j == i && part == Part::Seal {
                owned.push((name, Cow::Owned(strip_b(&value))));
            } else {
                owned.push((name, value));
            }
        }
    }
    let mut iter = owned.iter().map(|(n, v)| (n.as_ref(), v.as_ref()));
    to_outcome(verify_signature(
        dns,
        &seal.s,
        &seal.d,
        seal.a,
        &seal.b,
        Canonicalization::Relaxed,
        &mut iter,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists_are_strict() {
        assert!(tag_list("a=1; b=2;").1.is_none());
        assert!(tag_list("a=1;; b=2").1.is_some());
        assert!(tag_list("a=1; a=2").1.is_some());
        assert!(tag_list("a=1; ==").1.is_some());
        assert!(tag_list("1a=1").1.is_some());
        assert_eq!(tag_list(" a = x y ;b=").0[0], ("a".into(), "x y".into()));
    }

    #[test]
    fn aar_instance_must_come_first() {
        assert_eq!(parse_aar("i=1; mx.example; spf=pass").map(|r| r.0), Ok(1));
        assert!(parse_aar("mx.example; i=1; spf=pass").is_err());
        assert!(parse_aar("i=1 mx.example;").is_err());
        assert!(parse_aar("i=; mx.example;").is_err());
        assert!(parse_aar("i=0; mx.example;").is_err());
        assert!(parse_aar("i=51; mx.example;").is_err());
    }

    #[test]
    fn b_tag_is_emptied_not_bh() {
        assert_eq!(
            strip_b(b" a=rsa-sha256; b=abc\r\n def=; bh=xyz; d=x\r\n"),
            b" a=rsa-sha256; b=; bh=xyz; d=x".to_vec()
        );
        assert_eq!(strip_b(b" i=1; b = abc"), b" i=1; b =".to_vec());
    }

    #[test]
    fn base64_decoding() {
        assert_eq!(
            crate::auth::crypto::decode_base64("aGVs bG8="),
            Some(b"hello".to_vec())
        );
        assert_eq!(
            crate::auth::crypto::decode_base64("aGVsbG8"),
            Some(b"hello".to_vec())
        );
        assert_eq!(crate::auth::crypto::decode_base64("a$"), None);
        assert_eq!(crate::auth::crypto::decode_base64("aG=Vs"), None);
    }

    #[test]
    fn no_arc_headers_is_none() {
        let dns = Dns::default();
        let check = verify(b"From: a\r\n\r\nbody\r\n", &[], Some(11), &dns);
        assert_eq!(check.result, AuthResult::None);
        assert!(check.instances.is_empty());
    }

    #[test]
    fn hostile_headers_do_not_panic() {
        let dns = Dns::default();
        let f = |name: &str, value: &str| HeaderField {
            name: name.into(),
            value: value.into(),
            span: 5..1_000_000,
        };
        for v in [
            "",
            "i=",
            "i=1",
            "i=1; b=; bh=",
            "i=1;;;",
            "i=99",
            "(((",
            "i=1; h=:::",
        ] {
            let headers = [
                f("ARC-Seal", v),
                f("ARC-Message-Signature", v),
                f("ARC-Authentication-Results", v),
            ];
            let check = verify(b"x", &headers, Some(100), &dns);
            assert_ne!(check.result, AuthResult::Pass);
        }
    }
}
