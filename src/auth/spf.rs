//! SPF (RFC 7208): `check_host()` re-evaluated for the boundary hop's connecting IP, the envelope
//! sender (Return-Path, or postmaster@HELO when it is `<>`) and the HELO name, synchronously over
//! our own [`Dns`] (zone files, a live server, or nothing at all).
//!
//! Why our own evaluator: mail-auth's SPF verifier is async over its own resolver and cache, so it
//! can neither read our zone files nor report which directive decided. This module is the whole
//! of RFC 7208: record selection (4.5), syntax (4.6, 12), every mechanism and modifier (5, 6),
//! macros (7), and the processing limits (4.6.4: ten DNS-querying terms, two void lookups, ten
//! MX and ten PTR names).
//!
//! What it must not do: read the wall clock (`%{t}` in an explanation expands to `0`), open
//! a socket (every query goes through [`Dns`]), panic or loop on a hostile record (includes and
//! redirects are bounded by the lookup limit and a loop is reported as such), or let a mail-auth
//! type out.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use super::AuthResult;
use super::dns::{Answer, Dns, DnsFailure, RecordType};

/// RFC 7208 4.6.4: at most ten terms that query DNS (include, a, mx, ptr, exists, redirect).
pub(crate) const MAX_DNS_TERMS: u32 = 10;
/// RFC 7208 4.6.4: at most two lookups that return no answer (NXDOMAIN or no records).
pub(crate) const MAX_VOID_LOOKUPS: u32 = 2;
/// RFC 7208 4.6.4: an `mx` mechanism looks up the addresses of at most ten exchangers.
const MAX_MX_NAMES: usize = 10;
/// RFC 7208 4.6.4: `ptr` and `%{p}` validate at most ten PTR names; the rest are ignored.
const MAX_PTR_NAMES: usize = 10;
/// RFC 7208 4.3 and 7.3: a domain name is at most 253 characters (without the final dot).
const MAX_NAME_LEN: usize = 253;
/// RFC 1035: a label is at most 63 octets.
const MAX_LABEL_LEN: usize = 63;

/// The outcome of one SPF evaluation, with the evidence that led to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfCheck {
    /// none, pass, fail, softfail, neutral, temperror or permerror.
    pub result: AuthResult,
    /// The identity checked: `mailfrom` (the envelope sender) or `helo` (the HELO name, used
    /// when the envelope sender is empty).
    pub scope: String,
    /// The domain whose policy was evaluated (`<domain>` of RFC 7208).
    pub domain: String,
    /// The sender as evaluated (`<sender>`): `postmaster@domain` when there was no local part.
    pub sender: String,
    /// The connecting IP, as given.
    pub ip: IpAddr,
    /// The HELO name, when known (the `%{h}` macro).
    pub helo: Option<String>,
    /// The directive that decided, as written (`-all`, `include:_spf.example.com`,
    /// `ip4:192.0.2.0/24`); for a redirect, the directive of the record redirected to;
    /// `default` when no mechanism matched; for an error, the directive being evaluated when it
    /// occurred; None when no record was evaluated.
    pub mechanism: Option<String>,
    /// The SPF record published at `domain`, when one was found.
    pub record: Option<String>,
    /// For a fail, the domain's explanation (the `exp=` modifier, fetched and macro-expanded).
    pub explanation: Option<String>,
    /// Why, as a kebab-case slug, for none, temperror and permerror: `no-record`,
    /// `invalid-domain`, `no-identity`, `multiple-records`, `syntax-error`, `too-many-lookups`,
    /// `too-many-void-lookups`, `too-many-mx-records`, `include-loop`, `redirect-loop`,
    /// `include-none`, `redirect-none`, `invalid-target`, `dns-error`. None otherwise.
    pub reason: Option<String>,
    /// A sentence for humans about the reason (`not found (offline): example.com TXT`,
    /// `unknown mechanism "moo" at t1.example.com`).
    pub note: Option<String>,
    /// DNS-querying terms evaluated (limit 10).
    pub dns_lookups: u32,
    /// Lookups that returned no answer (limit 2).
    pub void_lookups: u32,
    /// Domains visited through include and redirect, in order (not `domain` itself).
    pub path: Vec<String>,
}

/// RFC 7208 2.4: evaluate the MAIL FROM identity (the Return-Path address); when it is empty
/// (`<>`) or absent, the HELO identity as `postmaster@HELO`.
pub fn evaluate(ip: IpAddr, mail_from: Option<&str>, helo: Option<&str>, dns: &Dns) -> SpfCheck {
    let mail_from = mail_from
        .map(|m| {
            m.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
        })
        .filter(|m| !m.is_empty());
    let helo_name = helo.map(str::trim).filter(|h| !h.is_empty());
    match (mail_from, helo_name) {
        (Some(sender), _) => {
            let domain = sender.rsplit_once('@').map_or(sender, |(_, d)| d);
            run(ip, domain, sender, helo, dns, "mailfrom")
        }
        (None, Some(h)) => run(ip, h, &format!("postmaster@{h}"), helo, dns, "helo"),
        (None, None) => SpfCheck {
            result: AuthResult::None,
            scope: "mailfrom".into(),
            domain: String::new(),
            sender: String::new(),
            ip,
            helo: None,
            mechanism: None,
            record: None,
            explanation: None,
            reason: Some("no-identity".into()),
            note: Some("neither an envelope sender nor a HELO name".into()),
            dns_lookups: 0,
            void_lookups: 0,
            path: Vec::new(),
        },
    }
}

/// RFC 7208 4: `check_host(<ip>, <domain>, <sender>)`, with the HELO name for `%{h}`.
/// The scope reported is `mailfrom`; [`evaluate`] chooses the identity itself.
pub fn check_host(
    ip: IpAddr,
    domain: &str,
    sender: &str,
    helo: Option<&str>,
    dns: &Dns,
) -> SpfCheck {
    run(ip, domain, sender, helo, dns, "mailfrom")
}

fn run(
    ip: IpAddr,
    domain: &str,
    sender: &str,
    helo: Option<&str>,
    dns: &Dns,
    scope: &str,
) -> SpfCheck {
    let domain_in = domain.trim();
    let domain_norm = domain_in.trim_end_matches('.').to_ascii_lowercase();
    let sender = sender.trim();
    let (local, sender_domain) = match sender.rsplit_once('@') {
        Some((l, d)) => (l, d),
        None => ("", sender),
    };
    let local = if local.is_empty() {
        "postmaster"
    } else {
        local
    };
    let sender_full = format!("{local}@{sender_domain}");
    let mut ctx = Ctx {
        dns,
        ip: canonical_ip(ip),
        sender: sender_full.clone(),
        local: local.to_string(),
        sender_domain: sender_domain.trim_end_matches('.').to_string(),
        helo: helo.map(str::trim).unwrap_or("unknown").to_string(),
        lookups: 0,
        voids: 0,
        path: Vec::new(),
        stack: Vec::new(),
        validated: None,
    };
    let mut check = SpfCheck {
        result: AuthResult::None,
        scope: scope.to_string(),
        domain: domain_in.to_string(),
        sender: sender_full,
        ip,
        helo: helo.map(|h| h.trim().to_string()),
        mechanism: None,
        record: None,
        explanation: None,
        reason: None,
        note: None,
        dns_lookups: 0,
        void_lookups: 0,
        path: Vec::new(),
    };
    if let Err(why) = valid_identity_domain(&domain_norm) {
        check.reason = Some("invalid-domain".into());
        check.note = Some(format!("{domain_in:?} is not a valid domain: {why}"));
        return check;
    }
    let outcome = ctx.check(&domain_norm);
    if outcome.result == AuthResult::Fail
        && let Some((exp, at)) = &outcome.exp
    {
        check.explanation = ctx.explanation(exp, at);
    }
    check.result = outcome.result;
    check.mechanism = outcome.mechanism;
    check.record = outcome.record;
    check.reason = outcome.reason.map(str::to_string);
    check.note = outcome.note;
    check.dns_lookups = ctx.lookups;
    check.void_lookups = ctx.voids;
    check.path = ctx.path;
    check
}

/// RFC 7208 4.3: the checked domain must be a multi-label name with no empty or over-long
/// label; a domain literal (`[192.0.2.1]`) or an IP is not a domain.
fn valid_identity_domain(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("empty".into());
    }
    if domain.starts_with('[') || domain.parse::<IpAddr>().is_ok() {
        return Err("an address literal".into());
    }
    if domain.len() > MAX_NAME_LEN {
        return Err(format!("longer than {MAX_NAME_LEN} characters"));
    }
    if let Some(c) = domain.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!("contains {c:?}"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("a single label".into());
    }
    if labels.iter().any(|l| l.is_empty()) {
        return Err("an empty label".into());
    }
    if labels.iter().any(|l| l.len() > MAX_LABEL_LEN) {
        return Err(format!("a label longer than {MAX_LABEL_LEN} characters"));
    }
    if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("an all-numeric top label".into());
    }
    Ok(())
}

/// RFC 7208 5: an IPv4-mapped IPv6 address is evaluated as the IPv4 address.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

// ---------------------------------------------------------------------------------------------
// Records

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    pub(crate) fn result(self) -> AuthResult {
        match self {
            Qualifier::Pass => AuthResult::Pass,
            Qualifier::Fail => AuthResult::Fail,
            Qualifier::SoftFail => AuthResult::Softfail,
            Qualifier::Neutral => AuthResult::Neutral,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Mechanism {
    All,
    Include(MacroString),
    A {
        domain: Option<MacroString>,
        cidr4: u8,
        cidr6: u8,
    },
    Mx {
        domain: Option<MacroString>,
        cidr4: u8,
        cidr6: u8,
    },
    Ptr(Option<MacroString>),
    Ip4(Ipv4Addr, u8),
    Ip6(Ipv6Addr, u8),
    Exists(MacroString),
}

#[derive(Debug, Clone)]
pub(crate) struct Directive {
    pub(crate) qualifier: Qualifier,
    pub(crate) mechanism: Mechanism,
    /// The term as written.
    pub(crate) text: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    directives: Vec<Directive>,
    /// The redirect target and the term as written.
    redirect: Option<(MacroString, String)>,
    exp: Option<MacroString>,
}

/// RFC 7208 4.5: an SPF record begins with `v=spf1` (any case) followed by a space or its end.
pub(crate) fn is_spf_record(text: &str) -> bool {
    let b = text.as_bytes();
    b.get(..6)
        .is_some_and(|v| v.eq_ignore_ascii_case(b"v=spf1"))
        && matches!(b.get(6), None | Some(b' '))
}

/// Parse a whole record (RFC 7208 4.6, 12): any syntax error anywhere is an error.
pub(crate) fn parse_record(text: &str) -> Result<Record, String> {
    if let Some(c) = text.chars().find(|c| !c.is_ascii()) {
        return Err(format!("non-ASCII character {c:?}"));
    }
    if !is_spf_record(text) {
        return Err("not an SPF record".into());
    }
    let mut record = Record::default();
    for term in text[6..].split(' ').filter(|t| !t.is_empty()) {
        match parse_term(term)? {
            Term::Directive(d) => record.directives.push(d),
            Term::Redirect(target) => {
                if record.redirect.is_some() {
                    return Err("redirect= appears twice".into());
                }
                record.redirect = Some((target, term.to_string()));
            }
            Term::Exp(target) => {
                if record.exp.is_some() {
                    return Err("exp= appears twice".into());
                }
                record.exp = Some(target);
            }
            Term::Unknown => {}
        }
    }
    Ok(record)
}

pub(crate) enum Term {
    Directive(Directive),
    Redirect(MacroString),
    Exp(MacroString),
    Unknown,
}

/// RFC 7208 12: `name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )`.
fn is_modifier_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub(crate) fn parse_term(term: &str) -> Result<Term, String> {
    if let Some((name, value)) = term.split_once('=')
        && is_modifier_name(name)
    {
        let spec = || domain_spec(value).map_err(|e| format!("{term:?}: {e}"));
        return Ok(match name.to_ascii_lowercase().as_str() {
            "redirect" => Term::Redirect(spec()?),
            "exp" => Term::Exp(spec()?),
            _ => {
                parse_macro_string(value, Mode::Domain).map_err(|e| format!("{term:?}: {e}"))?;
                Term::Unknown
            }
        });
    }
    let (qualifier, rest) = match term.as_bytes().first() {
        Some(b'+') => (Qualifier::Pass, &term[1..]),
        Some(b'-') => (Qualifier::Fail, &term[1..]),
        Some(b'~') => (Qualifier::SoftFail, &term[1..]),
        Some(b'?') => (Qualifier::Neutral, &term[1..]),
        _ => (Qualifier::Pass, term),
    };
    let split = rest.find([':', '/']).unwrap_or(rest.len());
    let (name, args) = rest.split_at(split);
    let bad = |e: String| format!("{term:?}: {e}");
    let mechanism = match name.to_ascii_lowercase().as_str() {
        "all" if args.is_empty() => Mechanism::All,
        "all" => return Err(bad("all takes no argument".into())),
        "include" => Mechanism::Include(required_spec(args).map_err(bad)?),
        "exists" => Mechanism::Exists(required_spec(args).map_err(bad)?),
        "ptr" => Mechanism::Ptr(if args.is_empty() {
            None
        } else {
            Some(required_spec(args).map_err(bad)?)
        }),
        "a" | "mx" => {
            let (domain, cidr4, cidr6) = spec_and_cidr(args).map_err(bad)?;
            if name.eq_ignore_ascii_case("a") {
                Mechanism::A {
                    domain,
                    cidr4,
                    cidr6,
                }
            } else {
                Mechanism::Mx {
                    domain,
                    cidr4,
                    cidr6,
                }
            }
        }
        "ip4" => {
            let (addr, len) = network(args, 32).map_err(bad)?;
            let addr = addr
                .parse::<Ipv4Addr>()
                .map_err(|_| bad(format!("{addr:?} is not an IPv4 address")))?;
            Mechanism::Ip4(addr, len)
        }
        "ip6" => {
            let (addr, len) = network(args, 128).map_err(bad)?;
            let addr = addr
                .parse::<Ipv6Addr>()
                .map_err(|_| bad(format!("{addr:?} is not an IPv6 address")))?;
            Mechanism::Ip6(addr, len)
        }
        _ => return Err(format!("unknown mechanism {term:?}")),
    };
    Ok(Term::Directive(Directive {
        qualifier,
        mechanism,
        text: term.to_string(),
    }))
}

/// `":" domain-spec`, required.
fn required_spec(args: &str) -> Result<MacroString, String> {
    let spec = args
        .strip_prefix(':')
        .ok_or_else(|| "a domain is required".to_string())?;
    domain_spec(spec)
}

/// `[ ":" domain-spec ] [ dual-cidr-length ]` of `a` and `mx`.
fn spec_and_cidr(args: &str) -> Result<(Option<MacroString>, u8, u8), String> {
    let (spec, rest) = match args.strip_prefix(':') {
        Some(a) => (true, a),
        None => (false, args),
    };
    let (rest, cidr4, cidr6) = split_dual_cidr(rest)?;
    match (spec, rest.is_empty()) {
        (true, _) => Ok((Some(domain_spec(rest)?), cidr4, cidr6)),
        (false, true) => Ok((None, cidr4, cidr6)),
        (false, false) => Err(format!("invalid cidr-length {rest:?}")),
    }
}

/// Split `[ "/" ip4-cidr ] [ "//" ip6-cidr ]` from the end of a mechanism argument.
fn split_dual_cidr(s: &str) -> Result<(&str, u8, u8), String> {
    let mut rest = s;
    let mut cidr6 = 128;
    let mut cidr4 = 32;
    if let Some(pos) = rest.rfind("//")
        && is_digits(&rest[pos + 2..])
    {
        cidr6 = cidr_len(&rest[pos + 2..], 128)?;
        rest = &rest[..pos];
    }
    if let Some(pos) = rest.rfind('/')
        && is_digits(&rest[pos + 1..])
    {
        cidr4 = cidr_len(&rest[pos + 1..], 32)?;
        rest = &rest[..pos];
    }
    Ok((rest, cidr4, cidr6))
}

/// `":" address [ "/" length ]` of `ip4` and `ip6`.
fn network(args: &str, max: u8) -> Result<(&str, u8), String> {
    let net = args
        .strip_prefix(':')
        .ok_or_else(|| "an address is required".to_string())?;
    match net.split_once('/') {
        None => Ok((net, max)),
        Some((addr, len)) if is_digits(len) => Ok((addr, cidr_len(len, max)?)),
        Some((_, len)) => Err(format!("invalid cidr-length {len:?}")),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A prefix length: decimal without a leading zero, at most `max`.
fn cidr_len(digits: &str, max: u8) -> Result<u8, String> {
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(format!("cidr-length {digits:?} has a leading zero"));
    }
    match digits.parse::<u32>() {
        Ok(n) if n <= u32::from(max) => u8::try_from(n).map_err(|_| "cidr-length".to_string()),
        _ => Err(format!("cidr-length {digits} is over {max}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Macros (RFC 7208 7)

/// Where a macro-string appears: domain-specs and modifiers, or explanation text (which may
/// also use `c`, `r`, `t` and spaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Domain,
    Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Macro {
    /// The macro letter, lowercase.
    letter: u8,
    /// Uppercase letter: URL-escape the result.
    escape: bool,
    /// Keep this many right-hand parts (never zero).
    keep: Option<usize>,
    reverse: bool,
    delimiters: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    Literal(String),
    Macro(Macro),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MacroString {
    pub(crate) tokens: Vec<Token>,
    /// The literal characters after the last macro-expand (for the domain-end rule).
    tail: String,
}

fn parse_macro_string(s: &str, mode: Mode) -> Result<MacroString, String> {
    let b = s.as_bytes();
    let mut tokens = Vec::new();
    let mut lit = String::new();
    let mut tail = String::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            match b.get(i + 1) {
                Some(b'%') => lit.push('%'),
                Some(b'_') => lit.push(' '),
                Some(b'-') => lit.push_str("%20"),
                Some(b'{') => {
                    let (m, end) = parse_macro(b, i + 2, mode)?;
                    if !lit.is_empty() {
                        tokens.push(Token::Literal(std::mem::take(&mut lit)));
                    }
                    tokens.push(Token::Macro(m));
                    tail.clear();
                    i = end;
                    continue;
                }
                _ => return Err("'%' not followed by '{', '%', '_' or '-'".into()),
            }
            tail.clear();
            i += 2;
            continue;
        }
        let allowed = (0x21..=0x7e).contains(&c) || (c == b' ' && mode == Mode::Explanation);
        if !allowed {
            return Err(format!("invalid character {:?}", char::from(c)));
        }
        lit.push(char::from(c));
        tail.push(char::from(c));
        i += 1;
    }
    if !lit.is_empty() {
        tokens.push(Token::Literal(lit));
    }
    Ok(MacroString { tokens, tail })
}

/// `macro-letter transformers *delimiter "}"` from `start` (just after `%{`); returns the macro
/// and the index after the `}`.
fn parse_macro(b: &[u8], start: usize, mode: Mode) -> Result<(Macro, usize), String> {
    let letter = *b.get(start).ok_or("unterminated macro")?;
    let lower = letter.to_ascii_lowercase();
    let allowed = match mode {
        Mode::Domain => b"slodipvh".as_slice(),
        Mode::Explanation => b"slodipvhcrt".as_slice(),
    };
    if !allowed.contains(&lower) {
        return Err(if b"crt".contains(&lower) {
            format!(
                "macro %{{{}}} is allowed only in explanations",
                char::from(letter)
            )
        } else {
            format!("unknown macro letter {:?}", char::from(letter))
        });
    }
    let mut i = start + 1;
    let digits_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let keep = if i > digits_start {
        let digits = std::str::from_utf8(&b[digits_start..i]).unwrap_or("0");
        // a huge count keeps every part, like any count over the number of parts
        let n = digits.parse::<usize>().unwrap_or(usize::MAX);
        if n == 0 {
            return Err("macro transformer 0".into());
        }
        Some(n)
    } else {
        None
    };
    let reverse = matches!(b.get(i), Some(b'r' | b'R'));
    if reverse {
        i += 1;
    }
    let mut delimiters = Vec::new();
    loop {
        match b.get(i) {
            Some(b'}') => break,
            Some(&d) if b".-+,/_=".contains(&d) => delimiters.push(d),
            Some(&d) => return Err(format!("invalid character {:?} in macro", char::from(d))),
            None => return Err("unterminated macro".into()),
        }
        i += 1;
    }
    Ok((
        Macro {
            letter: lower,
            escape: letter.is_ascii_uppercase(),
            keep,
            reverse,
            delimiters,
        },
        i + 1,
    ))
}

/// RFC 7208 7.1: `domain-spec = macro-string domain-end`, `domain-end = ( "." toplabel [ "." ] )
/// / macro-expand`.
fn domain_spec(s: &str) -> Result<MacroString, String> {
    if s.is_empty() {
        return Err("empty domain".into());
    }
    let ms = parse_macro_string(s, Mode::Domain)?;
    if ms.tail.is_empty() {
        return Ok(ms);
    }
    let tail = ms.tail.strip_suffix('.').unwrap_or(&ms.tail);
    match tail.rsplit_once('.') {
        Some((_, top)) if valid_toplabel(top) => Ok(ms),
        _ => Err(format!("{s:?} does not end in a valid top-level label")),
    }
}

/// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`.
fn valid_toplabel(label: &str) -> bool {
    let b = label.as_bytes();
    if b.is_empty() || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
        return false;
    }
    if b.contains(&b'-') {
        b.first().is_some_and(u8::is_ascii_alphanumeric)
            && b.last().is_some_and(u8::is_ascii_alphanumeric)
    } else {
        b.iter().any(u8::is_ascii_alphabetic)
    }
}

/// RFC 7208 7.3: split on the delimiters, reverse, keep the right-hand parts, join with dots.
fn transform(value: &str, m: &Macro) -> String {
    let delims: &[u8] = if m.delimiters.is_empty() {
        b"."
    } else {
        &m.delimiters
    };
    let mut parts: Vec<&str> = value
        .split(|c: char| c.is_ascii() && delims.contains(&(c as u8)))
        .collect();
    if m.reverse {
        parts.reverse();
    }
    if let Some(n) = m.keep
        && n < parts.len()
    {
        parts.drain(..parts.len() - n);
    }
    let joined = parts.join(".");
    if m.escape {
        url_escape(&joined)
    } else {
        joined
    }
}

/// RFC 7208 7.3: uppercase macros are URL-escaped: everything but the unreserved characters.
fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An expanded name made fit for a query (RFC 7208 4.3, 7.3): trailing dot dropped, left-hand
/// labels removed until it is at most 253 characters; None for an empty or over-long label.
pub(crate) fn target_name(expanded: &str) -> Option<String> {
    let mut name = expanded.strip_suffix('.').unwrap_or(expanded);
    while name.len() > MAX_NAME_LEN {
        name = name.split_once('.')?.1;
    }
    let ok = !name.is_empty()
        && name
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= MAX_LABEL_LEN);
    ok.then(|| name.to_ascii_lowercase())
}

/// The reverse-lookup name of an address (in-addr.arpa or ip6.arpa).
fn reverse_name(ip: IpAddr) -> String {
    format!("{}.{}.arpa", dotted_reverse(ip), version_label(ip))
}

/// `%{ir}` without the version: reversed octets or nibbles.
fn dotted_reverse(ip: IpAddr) -> String {
    let mut parts = dotted(ip);
    parts.reverse();
    parts.join(".")
}

/// `%{i}` as parts: the octets of IPv4, the 32 nibbles of IPv6.
fn dotted(ip: IpAddr) -> Vec<String> {
    match ip {
        IpAddr::V4(v4) => v4.octets().iter().map(u8::to_string).collect(),
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .flat_map(|o| [o >> 4, o & 0xf])
            .map(|n| format!("{n:x}"))
            .collect(),
    }
}

fn version_label(ip: IpAddr) -> &'static str {
    match ip {
        IpAddr::V4(_) => "in-addr",
        IpAddr::V6(_) => "ip6",
    }
}

fn in_network(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn rtype_name(rtype: RecordType) -> &'static str {
    match rtype {
        RecordType::A => "A",
        RecordType::Aaaa => "AAAA",
        RecordType::Mx => "MX",
        RecordType::Txt => "TXT",
        RecordType::Ptr => "PTR",
    }
}

/// A sentence for a failed query; offline says "not found (offline)".
pub(crate) fn failure_note(failure: &DnsFailure, name: &str, rtype: RecordType) -> String {
    let what = format!("{name} {}", rtype_name(rtype));
    match failure {
        DnsFailure::Offline => format!("not found (offline): {what}"),
        DnsFailure::Timeout => format!("DNS timeout: {what}"),
        DnsFailure::ServFail => format!("SERVFAIL: {what}"),
        DnsFailure::Refused => format!("REFUSED: {what}"),
        DnsFailure::Unreachable(why) => format!("DNS unreachable ({why}): {what}"),
        DnsFailure::Budget(why) => format!("{why}: {what} not looked up"),
        DnsFailure::Other(why) => format!("DNS error ({why}): {what}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Why evaluation stopped early.
enum Abort {
    /// temperror: a DNS failure (the note).
    Temp(String),
    /// permerror: the reason slug and a note.
    Perm(&'static str, String),
}

/// The result of one `check_host()` level.
struct Outcome {
    result: AuthResult,
    mechanism: Option<String>,
    record: Option<String>,
    /// The exp= of the record that decided, with that record's domain.
    exp: Option<(MacroString, String)>,
    reason: Option<&'static str>,
    note: Option<String>,
}

impl Outcome {
    fn new(result: AuthResult, reason: Option<&'static str>, note: Option<String>) -> Outcome {
        Outcome {
            result,
            mechanism: None,
            record: None,
            exp: None,
            reason,
            note,
        }
    }
}

/// The state of one evaluation: the identity, the counters shared by every include and
/// redirect, and the domains being evaluated (to name a loop).
struct Ctx<'a> {
    dns: &'a Dns,
    /// The client address, IPv4-mapped addresses as IPv4.
    ip: IpAddr,
    sender: String,
    local: String,
    sender_domain: String,
    helo: String,
    lookups: u32,
    voids: u32,
    path: Vec<String>,
    stack: Vec<String>,
    /// Validated PTR names of the client, once computed (for `%{p}`).
    validated: Option<Vec<String>>,
}

impl Ctx<'_> {
    /// `check_host()` for one domain (already a valid query name).
    fn check(&mut self, domain: &str) -> Outcome {
        self.stack.push(domain.to_string());
        let outcome = self.check_record(domain);
        self.stack.pop();
        outcome
    }

    fn check_record(&mut self, domain: &str) -> Outcome {
        let txt = match self.dns.txt(domain) {
            Answer::Records(r) => r,
            Answer::NxDomain => {
                return Outcome::new(
                    AuthResult::None,
                    Some("no-record"),
                    Some(format!("{domain} does not exist")),
                );
            }
            Answer::NoData => {
                return Outcome::new(
                    AuthResult::None,
                    Some("no-record"),
                    Some(format!("no TXT record at {domain}")),
                );
            }
            Answer::Failed(f) => {
                return Outcome::new(
                    AuthResult::Temperror,
                    Some("dns-error"),
                    Some(failure_note(&f, domain, RecordType::Txt)),
                );
            }
        };
        let spf: Vec<&String> = txt.iter().filter(|t| is_spf_record(t)).collect();
        let text = match spf.as_slice() {
            [] => {
                return Outcome::new(
                    AuthResult::None,
                    Some("no-record"),
                    Some(format!("no SPF record at {domain}")),
                );
            }
            [one] => (*one).clone(),
            many => {
                return Outcome::new(
                    AuthResult::Permerror,
                    Some("multiple-records"),
                    Some(format!("{} SPF records at {domain}", many.len())),
                );
            }
        };
        let record = match parse_record(&text) {
            Ok(r) => r,
            Err(e) => {
                let mut out = Outcome::new(
                    AuthResult::Permerror,
                    Some("syntax-error"),
                    Some(format!("{e} at {domain}")),
                );
                out.record = Some(text);
                return out;
            }
        };
        let decided = |qualifier: Qualifier, mechanism: &str, text: String| Outcome {
            result: qualifier.result(),
            mechanism: Some(mechanism.to_string()),
            record: Some(text),
            exp: record.exp.clone().map(|e| (e, domain.to_string())),
            reason: None,
            note: None,
        };
        for directive in &record.directives {
            match self.matches(&directive.mechanism, domain) {
                Ok(true) => return decided(directive.qualifier, &directive.text, text),
                Ok(false) => {}
                Err(abort) => return aborted(abort, &directive.text, text),
            }
        }
        let Some((target, term)) = &record.redirect else {
            return decided(Qualifier::Neutral, "default", text);
        };
        match self.redirect(target, domain) {
            Ok(mut sub) => {
                sub.record = Some(text);
                sub
            }
            Err(abort) => aborted(abort, term, text),
        }
    }

    /// RFC 7208 6.1: the redirect modifier, once no mechanism matched.
    fn redirect(&mut self, target: &MacroString, domain: &str) -> Result<Outcome, Abort> {
        let (target, sub) = self.descend(target, domain, "redirect", "redirect-loop")?;
        match sub.result {
            AuthResult::None => Err(Abort::Perm(
                "redirect-none",
                format!(
                    "redirect to {target}, which has no SPF record{}",
                    sub.note.map(|n| format!(" ({n})")).unwrap_or_default()
                ),
            )),
            _ => Ok(sub),
        }
    }

    /// Evaluate the record of an include or redirect target: counts the lookup, expands and
    /// validates the target, refuses a loop, records the path. `what` is `include` or
    /// `redirect`; `looping` the reason slug for a loop.
    fn descend(
        &mut self,
        spec: &MacroString,
        domain: &str,
        what: &str,
        looping: &'static str,
    ) -> Result<(String, Outcome), Abort> {
        self.count_lookup()?;
        let expanded = self.expand(spec, domain);
        let Some(target) = target_name(&expanded) else {
            return Err(Abort::Perm(
                "invalid-target",
                format!("{what} target {expanded:?} is not a valid domain name"),
            ));
        };
        if self.stack.contains(&target) {
            let verb = if what == "include" {
                "include of"
            } else {
                "redirect to"
            };
            return Err(Abort::Perm(
                looping,
                format!("{verb} {target}, which is already being evaluated"),
            ));
        }
        self.path.push(target.clone());
        let sub = self.check(&target);
        Ok((target, sub))
    }

    fn count_lookup(&mut self) -> Result<(), Abort> {
        self.lookups += 1;
        if self.lookups > MAX_DNS_TERMS {
            return Err(Abort::Perm(
                "too-many-lookups",
                format!("more than {MAX_DNS_TERMS} DNS-querying mechanisms and modifiers"),
            ));
        }
        Ok(())
    }

    fn count_void(&mut self, name: &str) -> Result<(), Abort> {
        self.voids += 1;
        if self.voids > MAX_VOID_LOOKUPS {
            return Err(Abort::Perm(
                "too-many-void-lookups",
                format!(
                    "more than {MAX_VOID_LOOKUPS} lookups without an answer (the last: {name})"
                ),
            ));
        }
        Ok(())
    }

    /// The target of a mechanism: its expanded domain-spec, or the current domain; None when
    /// the expansion is not a valid name (the mechanism then does not match).
    fn target(&mut self, spec: Option<&MacroString>, domain: &str) -> Option<String> {
        match spec {
            None => Some(domain.to_string()),
            Some(spec) => {
                let expanded = self.expand(spec, domain);
                target_name(&expanded)
            }
        }
    }

    fn matches(&mut self, mechanism: &Mechanism, domain: &str) -> Result<bool, Abort> {
        match mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip4(net, len) => Ok(in_network(self.ip, IpAddr::V4(*net), *len)),
            Mechanism::Ip6(net, len) => Ok(in_network(self.ip, IpAddr::V6(*net), *len)),
            Mechanism::A {
                domain: spec,
                cidr4,
                cidr6,
            } => {
                self.count_lookup()?;
                match self.target(spec.as_ref(), domain) {
                    Some(target) => self.address_match(&target, *cidr4, *cidr6, true),
                    None => Ok(false),
                }
            }
            Mechanism::Mx {
                domain: spec,
                cidr4,
                cidr6,
            } => {
                self.count_lookup()?;
                match self.target(spec.as_ref(), domain) {
                    Some(target) => self.mx_match(&target, *cidr4, *cidr6),
                    None => Ok(false),
                }
            }
            Mechanism::Ptr(spec) => {
                self.count_lookup()?;
                match self.target(spec.as_ref(), domain) {
                    Some(target) => {
                        let names = self.validated_names(true)?;
                        Ok(names
                            .iter()
                            .any(|n| *n == target || n.ends_with(&format!(".{target}"))))
                    }
                    None => Ok(false),
                }
            }
            Mechanism::Exists(spec) => {
                self.count_lookup()?;
                let Some(target) = self.target(Some(spec), domain) else {
                    return Ok(false);
                };
                match self.dns.query(&target, RecordType::A) {
                    Answer::Records(r) if !r.is_empty() => Ok(true),
                    Answer::Records(_) | Answer::NxDomain | Answer::NoData => {
                        self.count_void(&target)?;
                        Ok(false)
                    }
                    Answer::Failed(f) => Err(Abort::Temp(failure_note(&f, &target, RecordType::A))),
                }
            }
            Mechanism::Include(spec) => self.include(spec, domain),
        }
    }

    /// RFC 7208 5.2: include matches on pass; fail, softfail and neutral do not match;
    /// temperror and permerror propagate; none is a permerror.
    fn include(&mut self, spec: &MacroString, domain: &str) -> Result<bool, Abort> {
        let (target, sub) = self.descend(spec, domain, "include", "include-loop")?;
        let note = sub.note.unwrap_or_default();
        match sub.result {
            AuthResult::Pass => Ok(true),
            AuthResult::Fail | AuthResult::Softfail | AuthResult::Neutral => Ok(false),
            AuthResult::Temperror => Err(Abort::Temp(note)),
            AuthResult::None => Err(Abort::Perm(
                "include-none",
                format!("include of {target}, which has no SPF record ({note})"),
            )),
            AuthResult::Permerror | AuthResult::Policy => {
                Err(Abort::Perm(sub.reason.unwrap_or("syntax-error"), note))
            }
        }
    }

    /// The A (IPv4 client) or AAAA (IPv6 client) records of `name` against the client.
    fn address_match(
        &mut self,
        name: &str,
        cidr4: u8,
        cidr6: u8,
        void_counts: bool,
    ) -> Result<bool, Abort> {
        let (rtype, len) = match self.ip {
            IpAddr::V4(_) => (RecordType::A, cidr4),
            IpAddr::V6(_) => (RecordType::Aaaa, cidr6),
        };
        match self.dns.query(name, rtype) {
            Answer::Records(addrs) if !addrs.is_empty() => Ok(addrs.iter().any(|a| {
                a.trim()
                    .parse::<IpAddr>()
                    .is_ok_and(|net| in_network(self.ip, net, len))
            })),
            Answer::Records(_) | Answer::NxDomain | Answer::NoData => {
                if void_counts {
                    self.count_void(name)?;
                }
                Ok(false)
            }
            Answer::Failed(f) => Err(Abort::Temp(failure_note(&f, name, rtype))),
        }
    }

    /// RFC 7208 5.4: the addresses of each exchanger, at most ten exchangers.
    fn mx_match(&mut self, target: &str, cidr4: u8, cidr6: u8) -> Result<bool, Abort> {
        let records = match self.dns.query(target, RecordType::Mx) {
            Answer::Records(r) if !r.is_empty() => r,
            Answer::Records(_) | Answer::NxDomain | Answer::NoData => {
                self.count_void(target)?;
                return Ok(false);
            }
            Answer::Failed(f) => {
                return Err(Abort::Temp(failure_note(&f, target, RecordType::Mx)));
            }
        };
        let mut hosts: Vec<(u32, String)> = records
            .iter()
            .map(|r| {
                let r = r.trim();
                match r.split_once(char::is_whitespace) {
                    Some((pref, host)) => (
                        pref.parse().unwrap_or(u32::MAX),
                        host.trim().trim_end_matches('.').to_ascii_lowercase(),
                    ),
                    None => (u32::MAX, r.trim_end_matches('.').to_ascii_lowercase()),
                }
            })
            // RFC 7505 null MX: "0 ." names no exchanger
            .filter(|(_, host)| !host.is_empty())
            .collect();
        hosts.sort_by_key(|(pref, _)| *pref);
        for (i, (_, host)) in hosts.iter().enumerate() {
            if i >= MAX_MX_NAMES {
                return Err(Abort::Perm(
                    "too-many-mx-records",
                    format!("{target} has more than {MAX_MX_NAMES} MX records"),
                ));
            }
            if target_name(host).is_some() && self.address_match(host, cidr4, cidr6, false)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The client's PTR names (the first ten) whose addresses include the client (RFC 7208
    /// 5.5). A failed PTR lookup gives no names; a failed address lookup skips that name.
    fn validated_names(&mut self, void_counts: bool) -> Result<Vec<String>, Abort> {
        let reverse = reverse_name(self.ip);
        let names = match self.dns.query(&reverse, RecordType::Ptr) {
            Answer::Records(r) if !r.is_empty() => r,
            Answer::Records(_) | Answer::NxDomain | Answer::NoData => {
                if void_counts {
                    self.count_void(&reverse)?;
                }
                return Ok(Vec::new());
            }
            Answer::Failed(_) => return Ok(Vec::new()),
        };
        if let Some(done) = &self.validated {
            return Ok(done.clone());
        }
        let rtype = match self.ip {
            IpAddr::V4(_) => RecordType::A,
            IpAddr::V6(_) => RecordType::Aaaa,
        };
        let mut validated = Vec::new();
        for name in names.iter().take(MAX_PTR_NAMES) {
            let Some(name) = target_name(name.trim()) else {
                continue;
            };
            if let Answer::Records(addrs) = self.dns.query(&name, rtype)
                && addrs
                    .iter()
                    .any(|a| a.trim().parse::<IpAddr>().ok().map(canonical_ip) == Some(self.ip))
            {
                validated.push(name);
            }
        }
        self.validated = Some(validated.clone());
        Ok(validated)
    }

    /// `%{p}`: the validated name equal to the domain, else one under it, else any; "unknown".
    fn p_macro(&mut self, domain: &str) -> String {
        let names = self.validated_names(false).unwrap_or_default();
        let domain = domain.to_ascii_lowercase();
        names
            .iter()
            .find(|n| **n == domain)
            .or_else(|| names.iter().find(|n| n.ends_with(&format!(".{domain}"))))
            .or_else(|| names.first())
            .cloned()
            .unwrap_or_else(|| "unknown".to_string())
    }

    fn macro_value(&mut self, letter: u8, domain: &str) -> String {
        match letter {
            b's' => self.sender.clone(),
            b'l' => self.local.clone(),
            b'o' => self.sender_domain.clone(),
            b'd' => domain.to_string(),
            b'i' => dotted(self.ip).join("."),
            b'p' => self.p_macro(domain),
            b'v' => version_label(self.ip).to_string(),
            b'h' => self.helo.clone(),
            b'c' => self.ip.to_string(),
            // the receiving host is not known here; RFC 7208 7.3 says "unknown"
            b'r' => "unknown".to_string(),
            // the library never reads the clock
            b't' => "0".to_string(),
            _ => String::new(),
        }
    }

    fn expand(&mut self, ms: &MacroString, domain: &str) -> String {
        let mut out = String::new();
        for token in &ms.tokens {
            match token {
                Token::Literal(l) => out.push_str(l),
                Token::Macro(m) => {
                    let value = self.macro_value(m.letter, domain);
                    out.push_str(&transform(&value, m));
                }
            }
        }
        out
    }

    /// RFC 7208 6.2: the explanation; any DNS problem, no record or several, or a syntax error
    /// in the text, and there is none.
    fn explanation(&mut self, exp: &MacroString, domain: &str) -> Option<String> {
        let name = target_name(&self.expand(exp, domain))?;
        let Answer::Records(texts) = self.dns.txt(&name) else {
            return None;
        };
        let [text] = texts.as_slice() else {
            return None;
        };
        if !text.is_ascii() {
            return None;
        }
        let ms = parse_macro_string(text, Mode::Explanation).ok()?;
        Some(self.expand(&ms, domain))
    }
}

/// An error outcome at a directive.
fn aborted(abort: Abort, term: &str, record: String) -> Outcome {
    let (result, reason, note) = match abort {
        Abort::Temp(note) => (AuthResult::Temperror, "dns-error", note),
        Abort::Perm(reason, note) => (AuthResult::Permerror, reason, note),
    };
    Outcome {
        result,
        mechanism: Some(term.to_string()),
        record: Some(record),
        exp: None,
        reason: Some(reason),
        note: Some(note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::dns::StaticResolver;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    fn dns(records: &[(&str, RecordType, &str)]) -> Dns {
        Dns::from_records(records)
    }

    use RecordType::{A, Aaaa, Mx, Ptr, Txt};

    #[test]
    fn rfc_7208_macro_examples() {
        let d = dns(&[]);
        let mut ctx = Ctx {
            dns: &d,
            ip: ip("192.0.2.3"),
            sender: "strong-bad@email.example.com".into(),
            local: "strong-bad".into(),
            sender_domain: "email.example.com".into(),
            helo: "mx.example.org".into(),
            lookups: 0,
            voids: 0,
            path: Vec::new(),
            stack: Vec::new(),
            validated: None,
        };
        let cases = [
            ("%{s}", "strong-bad@email.example.com"),
            ("%{o}", "email.example.com"),
            ("%{d}", "email.example.com"),
            ("%{d4}", "email.example.com"),
            ("%{d3}", "email.example.com"),
            ("%{d2}", "example.com"),
            ("%{d1}", "com"),
            ("%{dr}", "com.example.email"),
            ("%{d2r}", "example.email"),
            ("%{l}", "strong-bad"),
            ("%{l-}", "strong.bad"),
            ("%{lr}", "strong-bad"),
            ("%{lr-}", "bad.strong"),
            ("%{l1r-}", "strong"),
            (
                "%{ir}.%{v}._spf.%{d2}",
                "3.2.0.192.in-addr._spf.example.com",
            ),
            ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
            (
                "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
                "bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
            ),
            (
                "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
                "3.2.0.192.in-addr.strong.lp._spf.example.com",
            ),
            (
                "%{d2}.trusted-domains.example.net",
                "example.com.trusted-domains.example.net",
            ),
            ("%{h}", "mx.example.org"),
            ("%{L}", "strong-bad"),
            ("%%%_%-", "% %20"),
            ("%{p}", "unknown"),
        ];
        for (spec, want) in cases {
            let ms = parse_macro_string(spec, Mode::Domain).expect(spec);
            assert_eq!(ctx.expand(&ms, "email.example.com"), want, "{spec}");
        }
        ctx.ip = ip("2001:db8::cb01");
        let ms = parse_macro_string("%{ir}.%{v}._spf.%{d2}", Mode::Domain).expect("macro");
        assert_eq!(
            ctx.expand(&ms, "email.example.com"),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
        let ms = parse_macro_string("%{c} %{r} %{t}", Mode::Explanation).expect("exp");
        assert_eq!(ctx.expand(&ms, "x.example"), "2001:db8::cb01 unknown 0");
        let ms = parse_macro_string("%{S}", Mode::Domain).expect("upper");
        ctx.sender = "a b&c@x.example".into();
        assert_eq!(ctx.expand(&ms, "x.example"), "a%20b%26c%40x.example");
    }

    #[test]
    fn macro_syntax_errors() {
        for bad in [
            "%", "%x", "%{", "%{d", "%{x}", "%{d0}", "%{c}", "%{dr!}", "a b", "\u{1}",
        ] {
            assert!(parse_macro_string(bad, Mode::Domain).is_err(), "{bad:?}");
        }
        assert!(parse_macro_string("%{c} %{r} %{t}", Mode::Explanation).is_ok());
        assert!(parse_macro_string("%{d99999999999999999999999}", Mode::Domain).is_ok());
    }

    #[test]
    fn domain_specs() {
        for good in [
            "example.com",
            "example.com.",
            "%{d}",
            "%{d}.example.xn--zckzah",
            "foo:bar/baz.example.com",
            "a.1-2",
            "mail.example...com",
        ] {
            assert!(domain_spec(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "museum",
            "museum.",
            "foo-bar",
            "111.222.33.44",
            "abc.123",
            "example.-com",
            "example.com:8080",
            "example.com/24",
            "%{d}com",
        ] {
            assert!(domain_spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn record_syntax() {
        let ok = [
            "v=spf1",
            "V=SPF1 -all",
            "v=spf1 a/24//64 mx:example.com//0 ptr ?include:x.example -ip4:1.2.3.0/24 ~ip6:2001:db8::/32 exists:%{i}.x.example",
            "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
            "v=spf1 redirect=x.example exp=e.example",
            "v=spf1 default=+",
        ];
        for r in ok {
            assert!(parse_record(r).is_ok(), "{r}");
        }
        let bad = [
            "v=spf1 ip4:1.2.3.4 -all moo",
            "v=spf1 redirect:x.example",
            "v=spf1 1up=foo",
            "v=spf1 =all",
            "v=spf1 -all.",
            "v=spf1 -all:foo",
            "v=spf1 -all/8",
            "v=spf1 ptr/0",
            "v=spf1 include",
            "v=spf1 include:",
            "v=spf1 ip4",
            "v=spf1 ip4:1.2.3.4/033",
            "v=spf1 ip4:1.2.3.4/33",
            "v=spf1 ip4:1.2.3.4//32",
            "v=spf1 ip4:1.2.3",
            "v=spf1 ip6:::1/129",
            "v=spf1 a/24/64",
            "v=spf1 a//129",
            "v=spf1 exp=",
            "v=spf1 exp=a.example exp=b.example",
            "v=spf1 redirect=a.example redirect=a.example",
            "v=spf1 foo=%abc",
            "v=spf1 a:\u{feff}x.example",
            "v=spf1 a:x.example\rptr",
        ];
        for r in bad {
            assert!(parse_record(r).is_err(), "{r}");
        }
    }

    #[test]
    fn pass_fail_and_the_deciding_directive() {
        let d = dns(&[
            (
                "example.com",
                Txt,
                "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all exp=why.example.com",
            ),
            ("_spf.example.net", Txt, "v=spf1 a:mx.example.net ~all"),
            ("mx.example.net", A, "198.51.100.7"),
            ("why.example.com", Txt, "%{i} may not send for %{d}"),
        ]);
        let c = evaluate(
            ip("192.0.2.9"),
            Some("<bob@example.com>"),
            Some("h.example"),
            &d,
        );
        assert_eq!(c.result, AuthResult::Pass);
        assert_eq!(c.mechanism.as_deref(), Some("ip4:192.0.2.0/24"));
        assert_eq!(c.scope, "mailfrom");
        assert_eq!(c.domain, "example.com");
        let c = evaluate(ip("198.51.100.7"), Some("bob@example.com"), None, &d);
        assert_eq!(c.result, AuthResult::Pass);
        assert_eq!(c.mechanism.as_deref(), Some("include:_spf.example.net"));
        assert_eq!(c.path, vec!["_spf.example.net"]);
        assert_eq!(c.dns_lookups, 2);
        let c = evaluate(ip("203.0.113.1"), Some("bob@example.com"), None, &d);
        assert_eq!(c.result, AuthResult::Fail);
        assert_eq!(c.mechanism.as_deref(), Some("-all"));
        assert_eq!(
            c.explanation.as_deref(),
            Some("203.0.113.1 may not send for example.com")
        );
        assert!(c.record.is_some_and(|r| r.starts_with("v=spf1 ip4")));
    }

    #[test]
    fn helo_identity_when_sender_is_empty() {
        let d = dns(&[
            ("mx.example.org", Txt, "v=spf1 a -all"),
            ("mx.example.org", A, "192.0.2.1"),
        ]);
        for from in [Some("<>"), Some(""), None] {
            let c = evaluate(ip("192.0.2.1"), from, Some("mx.example.org"), &d);
            assert_eq!(c.result, AuthResult::Pass);
            assert_eq!(c.scope, "helo");
            assert_eq!(c.sender, "postmaster@mx.example.org");
        }
        let c = evaluate(ip("192.0.2.1"), Some("<>"), None, &d);
        assert_eq!(c.result, AuthResult::None);
        assert_eq!(c.reason.as_deref(), Some("no-identity"));
    }

    #[test]
    fn none_for_invalid_domains_and_missing_records() {
        let d = dns(&[("other.example", Txt, "google-site-verification=x")]);
        for domain in ["[192.0.2.1]", "single", "a..example", "", "1.2.3.4"] {
            let c = check_host(ip("192.0.2.1"), domain, "x@y", None, &d);
            assert_eq!(c.result, AuthResult::None, "{domain}");
            assert_eq!(c.reason.as_deref(), Some("invalid-domain"), "{domain}");
        }
        let long = format!("{}.example", "a".repeat(64));
        let c = check_host(ip("192.0.2.1"), &long, "x@y", None, &d);
        assert_eq!(c.reason.as_deref(), Some("invalid-domain"));
        let c = check_host(
            ip("192.0.2.1"),
            "other.example",
            "x@other.example",
            None,
            &d,
        );
        assert_eq!(
            (c.result, c.reason.as_deref()),
            (AuthResult::None, Some("no-record"))
        );
        let c = check_host(ip("192.0.2.1"), "nx.example", "x@nx.example", None, &d);
        assert_eq!(
            (c.result, c.reason.as_deref()),
            (AuthResult::None, Some("no-record"))
        );
    }

    #[test]
    fn offline_is_temperror_with_a_plain_note() {
        let d = Dns::default();
        let c = evaluate(ip("192.0.2.1"), Some("a@example.com"), None, &d);
        assert_eq!(c.result, AuthResult::Temperror);
        assert_eq!(c.reason.as_deref(), Some("dns-error"));
        assert_eq!(
            c.note.as_deref(),
            Some("not found (offline): example.com TXT")
        );
        let mut r = StaticResolver::new();
        r.add("example.com", Txt, "v=spf1 include:gone.example -all");
        r.set("gone.example", Txt, Answer::Failed(DnsFailure::Offline));
        let c = evaluate(
            ip("192.0.2.1"),
            Some("a@example.com"),
            None,
            &Dns::new(Box::new(r)),
        );
        assert_eq!(c.result, AuthResult::Temperror);
        assert_eq!(c.mechanism.as_deref(), Some("include:gone.example"));
        assert!(c.note.is_some_and(|n| n.contains("not found (offline)")));
    }

    #[test]
    fn errors_and_limits() {
        let d = dns(&[
            ("two.example", Txt, "v=spf1 -all"),
            ("two.example", Txt, "v=spf1 +all"),
            ("loop.example", Txt, "v=spf1 include:loop2.example -all"),
            ("loop2.example", Txt, "v=spf1 include:loop.example"),
            ("rloop.example", Txt, "v=spf1 redirect=rloop.example"),
            (
                "void.example",
                Txt,
                "v=spf1 a:n1.example a:n2.example a:n3.example -all",
            ),
            ("many.example", Txt, "v=spf1 a a a a a a a a a a a -all"),
            ("many.example", A, "198.51.100.1"),
            (
                "inc-none.example",
                Txt,
                "v=spf1 include:nothing.example -all",
            ),
            ("redir-none.example", Txt, "v=spf1 redirect=nothing.example"),
            ("syntax.example", Txt, "v=spf1 include:syntax2.example -all"),
            ("syntax2.example", Txt, "v=spf1 ip4:300.1.1.1"),
        ]);
        let check =
            |domain: &str| check_host(ip("192.0.2.1"), domain, &format!("a@{domain}"), None, &d);
        let cases = [
            ("two.example", "multiple-records"),
            ("loop.example", "include-loop"),
            ("rloop.example", "redirect-loop"),
            ("void.example", "too-many-void-lookups"),
            ("many.example", "too-many-lookups"),
            ("inc-none.example", "include-none"),
            ("redir-none.example", "redirect-none"),
            ("syntax.example", "syntax-error"),
        ];
        for (domain, reason) in cases {
            let c = check(domain);
            assert_eq!(c.result, AuthResult::Permerror, "{domain}");
            assert_eq!(c.reason.as_deref(), Some(reason), "{domain}: {:?}", c.note);
        }
        assert_eq!(check("void.example").void_lookups, 3);
        assert_eq!(check("many.example").dns_lookups, 11);
    }

    #[test]
    fn ipv4_mapped_and_ipv6() {
        let d = dns(&[
            ("example.com", Txt, "v=spf1 ip4:192.0.2.0/24 a//64 -all"),
            ("example.com", Aaaa, "2001:db8:1::1"),
        ]);
        let c = evaluate(ip("::ffff:192.0.2.7"), Some("a@example.com"), None, &d);
        assert_eq!(c.result, AuthResult::Pass);
        assert_eq!(c.ip, ip("::ffff:192.0.2.7"));
        let c = evaluate(ip("2001:db8:1::abcd"), Some("a@example.com"), None, &d);
        assert_eq!(
            (c.result, c.mechanism.as_deref()),
            (AuthResult::Pass, Some("a//64"))
        );
        let c = evaluate(ip("2001:db8:2::1"), Some("a@example.com"), None, &d);
        assert_eq!(c.result, AuthResult::Fail);
    }

    #[test]
    fn mx_and_ptr() {
        let d = dns(&[
            ("example.com", Txt, "v=spf1 mx ptr:example.org -all"),
            ("example.com", Mx, "20 mx2.example.com"),
            ("example.com", Mx, "10 mx1.example.com."),
            ("mx1.example.com", A, "192.0.2.1"),
            ("mx2.example.com", A, "192.0.2.2"),
            ("5.2.0.192.in-addr.arpa", Ptr, "host.example.org."),
            ("host.example.org", A, "192.0.2.5"),
            ("6.2.0.192.in-addr.arpa", Ptr, "liar.example.org"),
            ("liar.example.org", A, "192.0.2.99"),
            ("null.example", Txt, "v=spf1 mx"),
            ("null.example", Mx, "0 ."),
        ]);
        let spf = |a: &str, from: &str| evaluate(ip(a), Some(from), None, &d);
        assert_eq!(spf("192.0.2.2", "a@example.com").result, AuthResult::Pass);
        let c = spf("192.0.2.5", "a@example.com");
        assert_eq!(
            (c.result, c.mechanism.as_deref()),
            (AuthResult::Pass, Some("ptr:example.org"))
        );
        assert_eq!(spf("192.0.2.6", "a@example.com").result, AuthResult::Fail);
        assert_eq!(
            spf("192.0.2.6", "a@null.example").result,
            AuthResult::Neutral
        );
    }

    #[test]
    fn hostile_records_do_not_panic() {
        let huge = format!("v=spf1 {}-all", "ip4:192.0.2.1 ".repeat(5000));
        let deep: String =
            (0..40).map(|i| format!("%{{d{i}r}}.")).collect::<String>() + "x.example";
        let records = [
            huge,
            format!("v=spf1 exists:{deep} -all"),
            "v=spf1 a:%{l99999999999999999999r+-.}.x.example".into(),
            format!("v=spf1 a:{}.example", "a.".repeat(300)),
            "v=spf1 ip6:::/0 ip4:0.0.0.0/0".into(),
            "v=spf1 a/0//0 mx/0//0".into(),
            "v=spf1 %{".into(),
            "v=spf1 \u{0}".into(),
        ];
        for record in &records {
            let d = dns(&[("x.example", Txt, record)]);
            let _ = evaluate(ip("192.0.2.1"), Some("a@x.example"), Some("h"), &d);
            let _ = evaluate(ip("2001:db8::1"), Some("a@x.example"), Some("h"), &d);
        }
    }
}
