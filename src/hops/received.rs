//! One Received header -> the fields it claims.
//!
//! Every hop of the chain, the trust boundary and the SPF IP come from here, so the one thing
//! this module must get right is *which IP connected*. It reads an IP only from the `from`
//! clause (its comments, its brackets, or the from-name itself when that is an address
//! literal) and validates it with `std::net::IpAddr`: never from a queue id, an Exchange build
//! number (`id 15.20.7918.28`), a version string, a port or a date. IPv4-mapped IPv6 addresses
//! are reported as IPv4.
//!
//! MTAs disagree about what the from clause means: Postfix and Sendmail write
//! `from HELO (RDNS [IP])`, Exim `from RDNS ([IP] helo=HELO)`, qmail `from RDNS (HELO h) (IP)`,
//! Exchange `from HELO (IP)`. The from-clause reader below tells them apart by shape and says
//! nothing (rather than guessing) when a name could be either the HELO or the reverse DNS.
//!
//! mail-parser's Received parser is used as a second opinion for the `for`, `id`, `by`, HELO
//! and TLS fields when this module's own clause reader finds none (on the shared corpus it
//! changes no field: a safety net). Its from-clause and date logic is not used: it reads IPs
//! from any comment after a `from` word and assembles dates without validating them. The date
//! is located here and parsed by [`super::date`].
//!
//! It never panics and runs in linear time (hand-written scanners, `regex` automata).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::LazyLock;

use regex::Regex;

use super::date::{find_date_in, parse_date};

/// TLS as stated in a Received header.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Tls {
    /// e.g. `TLSv1.3`. Normalised to `TLSv1.0` .. `TLSv1.3`, `SSLv3`; other spellings as written
    /// (e.g. `TLSv1/SSLv3`, which names a cipher family, not a negotiated version).
    pub version: Option<String>,
    /// e.g. `TLS_AES_256_GCM_SHA384`
    pub cipher: Option<String>,
}

/// The fields of one Received header, as claimed by the host that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceivedFields {
    /// The best name for the sending host: the reverse-DNS name when recorded, else the claimed name.
    pub from_host: Option<String>,
    /// The name the sender gave in HELO/EHLO, when recorded.
    pub helo: Option<String>,
    /// The reverse-DNS name of the connecting IP, as the receiver recorded it.
    pub rdns: Option<String>,
    /// The connecting IP.
    pub from_ip: Option<IpAddr>,
    /// The receiving host.
    pub by_host: Option<String>,
    /// The protocol (`with`) as written, e.g. `ESMTPS`, `esmtps`, `SMTP`, `HTTPS`, `LMTP`, `mapi`,
    /// `Microsoft SMTP Server` (the docs/JSON.md contract): the protocol word with the vendor
    /// words written around it, no comments or values; an unknown protocol only
    /// when written as an upper-case token (`NNFMP`).
    pub protocol: Option<String>,
    /// TLS version and cipher when stated.
    pub tls: Option<Tls>,
    /// The receiver's queue or message id.
    pub id: Option<String>,
    /// The `for` recipient.
    pub for_addr: Option<String>,
    /// The date text (after the `;`, or found without one), untouched apart from unfolding.
    pub date_text: Option<String>,
    /// False when the header could not be understood at all.
    pub parsed: bool,
    /// The envelope sender when recorded (`(envelope-from <a@b>)`); `Some("")` for `<>`.
    pub envelope_from: Option<String>,
    /// The `via` clause, e.g. `Frontend Transport` (Exchange), `smtpd`, `HTTP`.
    pub via: Option<String>,
}

/// Parse the value of one Received header (unfolded, without the `Received:` name).
///
/// CRLF/LF folds are accepted; a line break not followed by whitespace ends the header.
pub fn parse_received(value: &str) -> ReceivedFields {
    let text = unfold(value);
    let text = strip_field_name(&text);
    let items = tokenize(text);

    // The date: after the last top-level `;`, or found by search when there is none.
    let (head_end, date_text) = locate_date(text, &items);
    let head_items = &items[..head_end];
    let head_text = head_items.last().map_or("", |it| &text[..it.end]);
    let tail_items = items.get(head_end + 1..).unwrap_or_default();

    let head_items = unwrap_leading_from_comment(head_items);
    let clauses = Clauses::split(&head_items);
    let mut out = ReceivedFields {
        date_text,
        ..Default::default()
    };

    out.by_host = clauses.by.as_deref().and_then(by_host_of);
    out.via = clauses.via.as_deref().and_then(via_of);
    // The protocol as written is what the report shows; its normalised form drives what the
    // protocol implies (TLS, no greeting).
    let protocol = clauses.with.as_deref().and_then(protocol_of);
    out.protocol = clauses.with.as_deref().and_then(protocol_written);
    if let Some(from) = &clauses.from {
        let shape = Shape {
            exim: EXIM.is_match(text),
            microsoft: MICROSOFT.is_match(text),
            qmail_date: out
                .date_text
                .as_deref()
                .is_some_and(|d| QMAIL_DATE.is_match(d)),
            // HTTP, IMAP, POP3, MAPI and local submission have no HELO/EHLO.
            no_greeting: protocol
                .as_deref()
                .or(out.via.as_deref())
                .and_then(known_protocol)
                .is_some_and(|p| {
                    matches!(p, "HTTP" | "HTTPS" | "IMAP" | "POP3" | "MAPI" | "LOCAL")
                }),
        };
        let info = read_from_clause(from, &shape);
        out.from_host = info
            .rdns
            .clone()
            .or_else(|| info.helo.clone())
            .or(info.name);
        out.rdns = info.rdns;
        out.from_ip = info.ip;
        out.helo = info.helo;
    }
    // Courier and a few others write `id` or `for` after the date.
    let after_date = Clauses::split(tail_items);
    out.id = clauses
        .id
        .as_deref()
        .or(after_date.id.as_deref())
        .and_then(first_word)
        .and_then(clean_value);
    out.for_addr = clauses
        .for_
        .as_deref()
        .or(after_date.for_.as_deref())
        .and_then(first_word)
        .and_then(clean_value);
    out.tls = tls_of(head_text, protocol.as_deref());
    out.envelope_from = ENVELOPE_FROM
        .captures(text)
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().to_string());

    second_opinion(head_text, &mut out);

    let date_ok = out.date_text.as_deref().and_then(parse_date).is_some();
    out.parsed =
        out.from_host.is_some() || out.from_ip.is_some() || out.by_host.is_some() || date_ok;
    out
}

/// How many top-level `;`, from the last, may introduce the date.
const DATE_SEMICOLONS: usize = 4;

/// Where the date is: the index of the item that ends the clauses (the `;`, or the first item of
/// a date found without one) and the date text.
///
/// The date follows the last top-level `;`. When that text is not a date, one of the few `;`
/// before it whose text is one wins (`... &#43;0000` put a `;` inside the zone), then a date
/// found inside the text after the last `;`; failing all, the text after the last `;` is
/// returned as it is, so that an unparseable date can be reported. Only the last
/// [`DATE_SEMICOLONS`] are tried, which keeps this linear on input full of `;`.
fn locate_date(text: &str, items: &[Item]) -> (usize, Option<String>) {
    let semis: Vec<usize> = (0..items.len())
        .filter(|&k| items[k].kind == ItemKind::Semi)
        .collect();
    let tail_of = |k: usize| text[items[k].end..].trim();
    if let Some(&last) = semis.last() {
        if let Some(&k) = semis
            .iter()
            .rev()
            .take(DATE_SEMICOLONS)
            .find(|&&k| parse_date(tail_of(k)).is_some())
        {
            return (k, Some(tail_of(k).to_string()));
        }
        let tail = tail_of(last);
        if let Some((off, _)) = find_date_in(tail) {
            return (last, tail.get(off..).map(|d| d.trim().to_string()));
        }
        return (last, (!tail.is_empty()).then(|| tail.to_string()));
    }
    let found = date_after_raw_semicolon(text).or_else(|| find_date_in(text).map(|d| d.0));
    match found {
        Some(off) => {
            let k = items.partition_point(|it| it.start < off);
            (k, text.get(off..).map(|d| d.trim().to_string()))
        }
        None => (items.len(), None),
    }
}

/// With no top-level `;` (an unclosed comment swallowed it): the text after the last `;`
/// anywhere, when it is a date. Returns its byte offset.
fn date_after_raw_semicolon(text: &str) -> Option<usize> {
    let pos = text.rfind(';')? + 1;
    let tail = &text[pos..];
    parse_date(tail)?;
    Some(pos + (tail.len() - tail.trim_start().len()))
}

/// qmail writes its dates one way only: `14 Nov 2003 08:31:29 -0000` (no weekday, `-0000`).
static QMAIL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d -0000$").expect("static regex")
});

// ---------------------------------------------------------------------------------------------
// Unfolding and top-level tokens

/// Remove CRLF/LF folds; stop at a line break that is not a fold (the end of the field).
fn unfold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut lines = value.split('\n');
    if let Some(first) = lines.next() {
        out.push_str(first.strip_suffix('\r').unwrap_or(first));
    }
    for line in lines {
        if !line.starts_with([' ', '\t']) {
            break;
        }
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
    }
    out
}

/// Accept a whole `Received: ...` line too.
fn strip_field_name(text: &str) -> &str {
    let t = text.trim_start();
    match t.get(..9) {
        Some(name) if name.eq_ignore_ascii_case("received:") => &t[9..],
        _ => text,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    /// A run of non-space bytes outside comments.
    Word,
    /// A balanced `( ... )` group; `text` is the inside.
    Comment,
    /// A top-level `;`.
    Semi,
}

#[derive(Debug, Clone, Copy)]
struct Item<'a> {
    kind: ItemKind,
    text: &'a str,
    /// Byte offsets of the item in the tokenized text.
    start: usize,
    end: usize,
}

/// Top-level items: words, comments (nesting and `\` escapes honoured; an unclosed comment runs
/// to the end) and semicolons. Splits only at ASCII bytes, so every slice is on a char boundary.
fn tokenize(text: &str) -> Vec<Item<'_>> {
    let bytes = text.as_bytes();
    let mut items = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' | b')' => i += 1,
            b';' => {
                items.push(Item {
                    kind: ItemKind::Semi,
                    text: &text[i..i + 1],
                    start: i,
                    end: i + 1,
                });
                i += 1;
            }
            b'(' => {
                let start = i;
                let mut depth = 0usize;
                let mut j = i;
                while j < bytes.len() {
                    match bytes[j] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b'\\' => j += 1,
                        _ => {}
                    }
                    j += 1;
                }
                let close = j.min(bytes.len());
                items.push(Item {
                    kind: ItemKind::Comment,
                    text: &text[start + 1..close],
                    start,
                    end: (close + 1).min(bytes.len()),
                });
                i = close + 1;
            }
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' | b';')
                {
                    i += 1;
                }
                items.push(Item {
                    kind: ItemKind::Word,
                    text: &text[start..i],
                    start,
                    end: i,
                });
            }
        }
    }
    items
}

/// `(from host [ip]) by ...` (NAVGW, Sendmail's `(from user@localhost)`): read the comment as
/// the from clause when there is no top-level `from`.
fn unwrap_leading_from_comment<'a>(items: &[Item<'a>]) -> Vec<Item<'a>> {
    let has_from = items
        .iter()
        .any(|it| it.kind == ItemKind::Word && it.text.eq_ignore_ascii_case("from"));
    match items.first() {
        Some(first)
            if !has_from
                && first.kind == ItemKind::Comment
                && first
                    .text
                    .get(..5)
                    .is_some_and(|p| p.eq_ignore_ascii_case("from ")) =>
        {
            let mut out: Vec<Item<'a>> = tokenize(first.text)
                .into_iter()
                .filter(|it| it.kind != ItemKind::Semi)
                .collect();
            out.extend_from_slice(&items[1..]);
            out
        }
        _ => items.to_vec(),
    }
}

/// The clauses of a Received header: each keyword's first occurrence starts its clause, which
/// runs to the next clause keyword. A repeated keyword is part of the current clause's value.
#[derive(Debug, Default)]
struct Clauses<'a> {
    from: Option<Vec<Item<'a>>>,
    by: Option<Vec<Item<'a>>>,
    via: Option<Vec<Item<'a>>>,
    with: Option<Vec<Item<'a>>>,
    id: Option<Vec<Item<'a>>>,
    for_: Option<Vec<Item<'a>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    From,
    By,
    Via,
    With,
    Id,
    For,
}

impl<'a> Clauses<'a> {
    fn slot(&mut self, k: Keyword) -> &mut Option<Vec<Item<'a>>> {
        match k {
            Keyword::From => &mut self.from,
            Keyword::By => &mut self.by,
            Keyword::Via => &mut self.via,
            Keyword::With => &mut self.with,
            Keyword::Id => &mut self.id,
            Keyword::For => &mut self.for_,
        }
    }

    fn split(items: &[Item<'a>]) -> Self {
        let mut clauses = Clauses::default();
        let mut current: Option<Keyword> = None;
        for it in items {
            let keyword = (it.kind == ItemKind::Word)
                .then(|| keyword_of(it.text))
                .flatten()
                .filter(|&k| clauses.slot(k).is_none());
            if let Some(k) = keyword {
                *clauses.slot(k) = Some(Vec::new());
                current = Some(k);
            } else if let Some(k) = current
                && let Some(v) = clauses.slot(k)
            {
                v.push(*it);
            }
        }
        clauses
    }
}

fn keyword_of(word: &str) -> Option<Keyword> {
    let k = match word.to_ascii_lowercase().as_str() {
        "from" => Keyword::From,
        "by" => Keyword::By,
        "via" => Keyword::Via,
        "with" => Keyword::With,
        "id" => Keyword::Id,
        "for" => Keyword::For,
        _ => return None,
    };
    Some(k)
}

/// The first word of a clause (comments skipped).
fn first_word<'a>(items: &[Item<'a>]) -> Option<&'a str> {
    items
        .iter()
        .find(|it| it.kind == ItemKind::Word && !trim_value(it.text).is_empty())
        .map(|it| it.text)
}

/// The receiving host: the first word of the `by` clause (indimail: `by host NAME`).
fn by_host_of(items: &[Item]) -> Option<String> {
    let mut words = items
        .iter()
        .filter(|it| it.kind == ItemKind::Word)
        .map(|it| it.text);
    let first = words.next()?;
    if first.eq_ignore_ascii_case("host")
        && let Some(next) = words.next()
        && host_like(trim_value(next))
    {
        return clean_host_value(next);
    }
    clean_host_value(first)
}

/// The `via` clause's words (`Frontend Transport`, `smtpd`, `HTTP`), comments left out.
fn via_of(items: &[Item]) -> Option<String> {
    let words: Vec<&str> = items
        .iter()
        .filter(|it| it.kind == ItemKind::Word)
        .map(|it| trim_value(it.text))
        .filter(|w| !w.is_empty())
        .take(4)
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Strip the punctuation that clings to values: `<a@b>,` -> `a@b`.
fn trim_value(w: &str) -> &str {
    w.trim_matches(|c: char| matches!(c, '<' | '>' | ',' | ';' | '"' | '\''))
}

fn clean_value(w: &str) -> Option<String> {
    let v = trim_value(w);
    (!v.is_empty()).then(|| v.to_string())
}

/// A host value: `<server>` -> `server`, `[192.0.2.1]` -> `192.0.2.1`, `host,` -> `host`.
fn clean_host_value(w: &str) -> Option<String> {
    let v = trim_value(w).trim_start_matches('[').trim_end_matches(']');
    (!v.is_empty()).then(|| v.to_string())
}

// ---------------------------------------------------------------------------------------------
// The from clause

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CTok<'a> {
    Word(&'a str),
    /// The inside of `[ ... ]`.
    Bracket(&'a str),
}

/// Tokens of a comment's inside: words split at spaces, commas and parentheses (nested
/// comments are flattened), and bracketed groups (`[IPv6:::1]`, `[[UNIX: localhost]]`).
fn comment_tokens(inner: &str) -> Vec<CTok<'_>> {
    let bytes = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b',' | b'(' | b')' | b'\r' | b'\n' | b']' => i += 1,
            b'[' => {
                let start = i + 1;
                let mut depth = 0usize;
                let mut j = i;
                while j < bytes.len() {
                    match bytes[j] {
                        b'[' => depth += 1,
                        b']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let close = j.min(bytes.len());
                out.push(CTok::Bracket(&inner[start..close]));
                i = close + 1;
            }
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b' ' | b'\t' | b',' | b'(' | b')' | b'\r' | b'\n' | b'[' | b']'
                    )
                {
                    i += 1;
                }
                out.push(CTok::Word(&inner[start..i]));
            }
        }
    }
    out
}

/// Read an IP written loosely: `[192.0.2.1]`, `IPv6:2001:db8::1`, `fe80::1%6`, `192.0.2.1:25`,
/// `192.0.2.1.25` (Exim 3's port), `user@192.0.2.1`, `(192.0.2.1)`. IPv4-mapped IPv6 is
/// returned as IPv4. Anything else is None.
fn parse_ip_loose(s: &str) -> Option<IpAddr> {
    let s = s.rsplit('@').next().unwrap_or(s);
    // `[192.0.2.1]:25`
    let s = match s.rsplit_once("]:") {
        Some((addr, port)) if port.bytes().all(|b| b.is_ascii_digit()) => addr,
        _ => s,
    };
    let s = s.trim_matches(|c: char| matches!(c, '[' | ']' | '(' | ')' | '<' | '>' | ',' | ' '));
    let s = match s.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("ipv6:") => &s[5..],
        _ => s,
    };
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b".:%".contains(&b))
    {
        return None;
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Some((addr, _zone)) = s.split_once('%')
        && let Ok(ip) = addr.parse::<IpAddr>()
    {
        return Some(ip.to_canonical());
    }
    if let Some((addr, port)) = s.split_once(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && let Ok(v4) = addr.parse::<Ipv4Addr>()
    {
        return Some(IpAddr::V4(v4));
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() == 5 && parts[4].len() <= 5 && parts[4].bytes().all(|b| b.is_ascii_digit()) {
        let addr = &s[..s.len() - parts[4].len() - 1];
        if let Ok(v4) = addr.parse::<Ipv4Addr>() {
            return Some(IpAddr::V4(v4));
        }
    }
    None
}

/// Looks like a host name the receiver could have recorded (not `unknown`, not an address).
fn host_like(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    !s.is_empty()
        && (s.contains('.') || lower == "localhost")
        && lower != "unknown"
        && !lower.starts_with("unknown.")
        && !s.starts_with(['-', '.'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        && parse_ip_loose(s).is_none()
}

/// `IDENT:user@host.` / `<host>` -> `host`.
fn clean_host(s: &str) -> &str {
    let s = s.rsplit('@').next().unwrap_or(s);
    s.trim_matches(|c| c == '<' || c == '>')
        .trim_end_matches('.')
}

fn is_greeting(w: &str) -> bool {
    ["helo", "ehlo", "lhlo"]
        .iter()
        .any(|g| w.eq_ignore_ascii_case(g))
}

/// `helo=name` (Exim, ecelerity) -> `name`.
fn helo_assignment(w: &str) -> Option<&str> {
    let (k, v) = w.split_once('=')?;
    is_greeting(k).then_some(v)
}

/// What the from clause says about the sending host.
#[derive(Debug, Default)]
struct FromInfo {
    helo: Option<String>,
    rdns: Option<String>,
    ip: Option<IpAddr>,
    /// The from-name when it names a host (a host name or an address literal).
    name: Option<String>,
}

/// Clues from the rest of the header about which MTA wrote it.
#[derive(Debug, Default)]
struct Shape {
    /// Exim (`(Exim 4.96)`, `helo=`): `from NAME ([ip])` means NAME is the verified rDNS.
    exim: bool,
    /// Exchange / Microsoft: `from NAME (ip)` means NAME is the HELO.
    microsoft: bool,
    /// qmail's fixed date format: `from NAME (ip)` means NAME is the rDNS.
    qmail_date: bool,
    /// A protocol without a greeting: the from-name is not a HELO.
    no_greeting: bool,
}

/// The comment that records the connection: where its IP was and what surrounds it.
#[derive(Debug)]
struct Connection<'a> {
    ip: IpAddr,
    /// Written in brackets (`[192.0.2.1]`) rather than bare (`(192.0.2.1)`).
    bracketed: bool,
    /// Position of the IP among the comment's tokens.
    index: usize,
    /// The word before a bracketed IP when it opens the comment (Postfix/Sendmail rDNS).
    rdns_word: Option<&'a str>,
    /// `(user@192.0.2.1)`: qmail/tcpserver's remote info.
    ident: bool,
    /// CommuniGate's `([192.0.2.1] verified)`.
    verified: bool,
}

fn find_connection<'a>(toks: &[CTok<'a>]) -> Option<Connection<'a>> {
    for (k, tok) in toks.iter().enumerate() {
        // `(HELO [ip])` and `(helo=[ip])` are the client describing itself, not the connection
        let after_greeting = k
            .checked_sub(1)
            .and_then(|p| toks.get(p))
            .is_some_and(|t| matches!(t, CTok::Word(w) if is_greeting(w) || w.ends_with('=')));
        match *tok {
            CTok::Bracket(inner) if !after_greeting => {
                if let Some(ip) = parse_ip_loose(inner) {
                    let rdns_word = match (k, toks.first()) {
                        (1, Some(CTok::Word(w))) => Some(*w),
                        _ => None,
                    };
                    let verified = toks[k + 1..]
                        .iter()
                        .any(|t| matches!(t, CTok::Word(w) if w.eq_ignore_ascii_case("verified")));
                    return Some(Connection {
                        ip,
                        bracketed: true,
                        index: k,
                        rdns_word,
                        ident: false,
                        verified,
                    });
                }
            }
            CTok::Word(w) if k == 0 => {
                if let Some(ip) = parse_ip_loose(w) {
                    return Some(Connection {
                        ip,
                        bracketed: false,
                        index: 0,
                        rdns_word: None,
                        ident: w.contains('@'),
                        verified: false,
                    });
                }
            }
            _ => {}
        }
    }
    None
}

/// Read the from clause (the items after `from`, up to the next clause keyword).
fn read_from_clause(items: &[Item], shape: &Shape) -> FromInfo {
    let Shape {
        exim,
        microsoft,
        qmail_date,
        no_greeting,
    } = *shape;
    let name = items
        .first()
        .filter(|it| it.kind == ItemKind::Word)
        .map(|it| trim_value(it.text))
        .filter(|n| !n.is_empty());
    let name_ip = name.and_then(parse_ip_loose);
    let name_is_host = name.is_some_and(|n| {
        name_ip.is_none() && !n.contains('@') && !n.eq_ignore_ascii_case("unknown")
    });

    // Explicit HELO: `(HELO name)`, `helo=name`, `claiming to be "name"`.
    let mut explicit_helo: Option<Option<String>> = None;
    let mut greeting_comment = false;
    let mut connection: Option<Connection> = None;
    let mut first_plain_comment: Option<&str> = None;
    for it in items.iter().filter(|it| it.kind == ItemKind::Comment) {
        let toks = comment_tokens(it.text);
        for (k, tok) in toks.iter().enumerate() {
            let CTok::Word(w) = *tok else { continue };
            if let Some(v) = helo_assignment(w) {
                // `helo=[10.0.1.8]`: the value is the bracketed token that follows
                let value = match (v.is_empty(), toks.get(k + 1)) {
                    (true, Some(CTok::Bracket(a))) => Some(format!("[{a}]")),
                    _ => clean_value(v),
                };
                explicit_helo.get_or_insert(value);
            } else if is_greeting(w) {
                let arg = match toks.get(k + 1) {
                    Some(CTok::Word(a)) => clean_value(a),
                    Some(CTok::Bracket(a)) => Some(format!("[{a}]")),
                    None => None,
                };
                explicit_helo.get_or_insert(arg);
                greeting_comment |= k == 0;
            }
        }
        if connection.is_none() {
            connection = find_connection(&toks);
        }
        if first_plain_comment.is_none()
            && let [CTok::Word(w)] = toks.as_slice()
            && host_like(w)
        {
            first_plain_comment = Some(w);
        }
    }
    let words: Vec<&str> = items
        .iter()
        .filter(|it| it.kind == ItemKind::Word)
        .map(|it| it.text)
        .collect();
    if let Some(p) = words
        .windows(3)
        .position(|w| w[0].eq_ignore_ascii_case("claiming") && w[1] == "to" && w[2] == "be")
        && let Some(v) = words.get(p + 3)
    {
        explicit_helo.get_or_insert_with(|| clean_value(v));
    }
    // `from name [192.0.2.1]` (Exim 3, MDaemon, fetchmail, GMX): a bracketed word after the name.
    let top_bracket = items
        .iter()
        .skip(1)
        .filter(|it| it.kind == ItemKind::Word && it.text.starts_with('['))
        .find_map(|it| parse_ip_loose(it.text));

    let mut info = FromInfo {
        ip: connection
            .as_ref()
            .map(|c| c.ip)
            .or(top_bracket)
            .or(name_ip),
        ..Default::default()
    };

    // Reverse DNS.
    if let Some(w) = connection.as_ref().and_then(|c| c.rdns_word) {
        // Postfix / Sendmail / Gmail: `(rdns [ip])`, `(unknown [ip])`, `(IDENT:u@rdns [ip])`.
        let host = clean_host(w);
        if host_like(host) {
            info.rdns = Some(host.to_string());
        }
    } else if let (true, Some(n)) = (name_is_host, name) {
        let name_is_rdns = match &connection {
            // Exim: `rdns ([ip]:port helo=x)`; CommuniGate: `rdns ([ip] verified)`.
            Some(c) if c.bracketed => {
                c.index == 0 && (exim || c.verified || matches!(explicit_helo, Some(Some(_))))
            }
            // qmail: `rdns (HELO x) (ip)`, `rdns (user@ip)`, `rdns (ip)` with qmail's date.
            // Exchange's `helo (ip)` is not.
            Some(c) => !microsoft && (greeting_comment || c.ident || qmail_date),
            // GMX `rdns (EHLO x) [ip]`; Exim 3 `rdns (helo) [ip]` / `rdns [ip]`.
            None => top_bracket.is_some() && (greeting_comment || exim),
        };
        if name_is_rdns && host_like(n) {
            info.rdns = Some(clean_host(n).to_string());
        }
        if connection.is_none() && top_bracket.is_some() && exim && explicit_helo.is_none() {
            // Exim 3: `from rdns (helo) [ip]`.
            if let Some(h) = first_plain_comment {
                explicit_helo = Some(Some(h.to_string()));
            }
        }
    }

    let claimed = name.filter(|n| !n.contains('@') && !n.eq_ignore_ascii_case("unknown"));
    // HELO: explicit when recorded, else the name the sender claimed (when it greeted at all).
    info.helo = match explicit_helo {
        Some(h) => h,
        None if no_greeting => None,
        None => claimed.map(str::to_string),
    };
    info.name = claimed
        .filter(|n| host_like(n) || name_ip.is_some())
        .map(str::to_string);
    info
}

// ---------------------------------------------------------------------------------------------
// with, TLS, envelope

/// Protocol keywords, and what vendors call them.
fn known_protocol(word: &str) -> Option<&'static str> {
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
    let w = w.to_ascii_uppercase();
    let w = w.split('/').next().unwrap_or(&w);
    let w = w.strip_prefix("LOCAL-").unwrap_or(w);
    let p = match w {
        "SMTP" | "SMTPSVC" | "SMTPD" | "BSMTP" => "SMTP",
        "ESMTP" => "ESMTP",
        "ESMTPA" | "ASMTP" => "ESMTPA",
        "ESMTPS" | "ESMTP-TLS" => "ESMTPS",
        "ESMTPSA" => "ESMTPSA",
        "SMTPS" => "SMTPS",
        "LMTP" | "LSMTP" => "LMTP",
        "LMTPA" => "LMTPA",
        "LMTPS" => "LMTPS",
        "LMTPSA" => "LMTPSA",
        "UTF8SMTP" => "UTF8SMTP",
        "UTF8SMTPA" => "UTF8SMTPA",
        "UTF8SMTPS" => "UTF8SMTPS",
        "UTF8SMTPSA" => "UTF8SMTPSA",
        "UTF8LMTP" => "UTF8LMTP",
        "UTF8LMTPA" => "UTF8LMTPA",
        "UTF8LMTPS" => "UTF8LMTPS",
        "UTF8LMTPSA" => "UTF8LMTPSA",
        "HTTP" | "HTTPU" | "HTTPREST" => "HTTP",
        "HTTPS" => "HTTPS",
        "IMAP" => "IMAP",
        "POP3" => "POP3",
        "MAPI" => "MAPI",
        "LOCAL" => "LOCAL",
        _ => return None,
    };
    Some(p)
}

/// The protocol of a `with` clause: the first known protocol word (`Microsoft SMTP Server` ->
/// `SMTP`, `local-esmtps` -> `ESMTPS`), else the first word when it is an upper-case token
/// (`NNFMP`, `ECSTREAM`).
fn protocol_of(items: &[Item]) -> Option<String> {
    let words = || items.iter().filter(|it| it.kind == ItemKind::Word);
    if let Some(p) = words().find_map(|it| known_protocol(it.text)) {
        return Some(p.to_string());
    }
    // An unknown protocol is kept only when written like one (`NNFMP`, `ECSTREAM`, `TCP`), not
    // when the clause opens with a vendor name (`with Internet Mail Service`).
    let first = words().next()?.text.trim_end_matches([',', ';']);
    let plain = (2..=16).contains(&first.len())
        && first.starts_with(|c: char| c.is_ascii_uppercase())
        && first
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    plain.then(|| first.to_string())
}

/// The protocol of a `with` clause as written: the first known protocol word with the vendor
/// words around it (`Microsoft SMTP Server`, `Microsoft SMTPSVC`), case kept (`esmtps`,
/// `mapi`), without what follows it (comments, `tls CIPHER`, `/TLS/CIPHER`). A clause with no
/// known protocol word gives what [`protocol_of`] gives (`NNFMP`, or nothing for a vendor name).
fn protocol_written(items: &[Item]) -> Option<String> {
    let clean = |w: &'_ str| -> String {
        w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .to_string()
    };
    // `Microsoft`: a capitalised word of letters, written before the protocol word
    let vendor = |w: &String| {
        let mut b = w.bytes();
        b.next().is_some_and(|c| c.is_ascii_uppercase())
            && w.len() > 1
            && b.all(|c| c.is_ascii_lowercase())
    };
    // the words before the first comment; else every word of the clause
    let leading: Vec<String> = items
        .iter()
        .take_while(|it| it.kind == ItemKind::Word)
        .map(|it| clean(it.text))
        .filter(|w| !w.is_empty())
        .collect();
    let Some(k) = leading.iter().position(|w| known_protocol(w).is_some()) else {
        let written = items
            .iter()
            .filter(|it| it.kind == ItemKind::Word)
            .map(|it| clean(it.text))
            .find(|w| known_protocol(w).is_some());
        return match written {
            Some(w) => w.split('/').next().map(str::to_string),
            None => protocol_of(items),
        };
    };
    let start = leading[..k]
        .iter()
        .rposition(|w| !vendor(w))
        .map_or(0, |p| p + 1);
    // after it only `Server`/`Service`: a capitalised word there may be the start of a date
    // written without its `;` (`with SMTP Tue, 31 Jun ...`)
    let end = k
        + 1
        + leading[k + 1..]
            .iter()
            .take_while(|w| matches!(w.as_str(), "Server" | "Service"))
            .count();
    let mut words: Vec<&str> = leading[start..end].iter().map(String::as_str).collect();
    // `ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384`: the protocol is the part before the slash
    let p = k - start;
    words[p] = words[p].split('/').next().unwrap_or(words[p]);
    Some(words.join(" "))
}

/// `TLS1_2`, `TLSv1.3`, `TLS-1.0`, `TLSv1` -> `TLSv1.x`; `SSLv3`; other spellings as written.
fn normalize_tls_version(v: &str) -> String {
    let u = v.to_ascii_uppercase().replace(['_', '-'], ".");
    if let Some(rest) = u.strip_prefix("TLS") {
        let rest = rest.strip_prefix('V').unwrap_or(rest);
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        match rest {
            "1" | "1.0" | "10" => return "TLSv1.0".into(),
            "1.1" | "11" => return "TLSv1.1".into(),
            "1.2" | "12" => return "TLSv1.2".into(),
            "1.3" | "13" => return "TLSv1.3".into(),
            _ => {}
        }
    }
    match u.as_str() {
        "SSLV3" => "SSLv3".into(),
        "SSLV2" => "SSLv2".into(),
        _ => v.to_string(),
    }
}

const VERSION: &str = r"TLS[vV]?[-_.]?1(?:[._]\d)?(?:/SSLv3)?|SSLv[23]";
const CIPHER: &str = r"[A-Za-z0-9][A-Za-z0-9_-]{2,}";

static TLS_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Postfix: (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
        format!(r"(?i)\busing\s+(?P<v>{VERSION}|TLS|SSL)\s+with\s+cipher\s+(?P<c>{CIPHER})"),
        // Gmail, Exchange, Sendmail: version=TLS1_3 cipher=..., (version=TLS1_2, cipher=...)
        format!(r"(?i)\bversion=(?P<v>{VERSION})[,\s]+cipher=(?P<c>{CIPHER})"),
        // Exim 4.9x: with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384
        format!(r"(?i)\((?P<v>{VERSION})\)\s*tls\s+(?P<c>{CIPHER})"),
        // Exim 4.x: (TLSv1:RC4-SHA:128), (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256),
        // (Cipher TLSv1:DES-CBC3-SHA:168), (tls_cipher TLS-1.0:RSA_AES_256_CBC_SHA:32)
        format!(r"(?i)\((?:cipher\s+|tls_cipher\s+)?(?P<v>{VERSION}):(?P<c>{CIPHER}):\d+\)"),
        // Courier & co: (TLS: TLSv1/SSLv3, 168bits,DES-CBC3-SHA), SSL: TLS1.3, 128bits, X
        format!(r"(?i)\b(?:TLS|SSL):\s*(?P<v>{VERSION}),\s*\d+\s*bits,\s*(?P<c>{CIPHER})"),
        // s-web: with ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384
        format!(r"(?i)\b[A-Z0-9]+/TLS/(?P<c>{CIPHER})"),
        // qmail-tls, MessageLabs: (DHE-RSA-AES256-SHA encrypted), with X encrypted SMTP
        format!(r"(?i)\b(?P<c>{CIPHER})\s+encrypted\b"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("static TLS regex"))
    .collect()
});

/// Lone statements of TLS: a cipher or version without the other; Exchange's `(TLS)`,
/// `over TLS secured channel`, `via SSL`.
static TLS_CIPHER_ALONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)\bcipher=(?P<c>{CIPHER})")).expect("static regex"));
static TLS_VERSION_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)(?:\bversion=|\(\s*)(?P<v>{VERSION})\s*[,)]")).expect("static regex")
});
static TLS_BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\(\s*TLS\s*\)|\bESMTP-TLS\b|\bover\s+TLS\s+secured\s+channel\b|\bvia\s+(?:SSL|TLS)\b",
    )
    .expect("static regex")
});

fn tls_of(head: &str, protocol: Option<&str>) -> Option<Tls> {
    let named = |c: &regex::Captures, n: &str| c.name(n).map(|m| m.as_str().to_string());
    for re in TLS_PATTERNS.iter() {
        if let Some(c) = re.captures(head) {
            return Some(Tls {
                version: named(&c, "v")
                    .filter(|v| !v.eq_ignore_ascii_case("tls") && !v.eq_ignore_ascii_case("ssl"))
                    .map(|v| normalize_tls_version(&v)),
                cipher: named(&c, "c"),
            });
        }
    }
    let cipher = TLS_CIPHER_ALONE.captures(head).and_then(|c| named(&c, "c"));
    let version = TLS_VERSION_ALONE
        .captures(head)
        .and_then(|c| named(&c, "v"))
        .map(|v| normalize_tls_version(&v));
    if cipher.is_some() || version.is_some() {
        return Some(Tls { version, cipher });
    }
    let implied = protocol.is_some_and(|p| {
        matches!(
            p,
            "ESMTPS"
                | "ESMTPSA"
                | "SMTPS"
                | "LMTPS"
                | "LMTPSA"
                | "UTF8SMTPS"
                | "UTF8SMTPSA"
                | "UTF8LMTPS"
                | "UTF8LMTPSA"
                | "HTTPS"
        )
    });
    let bare = TLS_BARE.is_match(head);
    (implied || bare).then(Tls::default)
}

static EXIM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bexim\b|\bhelo=").expect("static regex"));
static MICROSOFT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bmicrosoft\b|\.outlook\.com\b|\bwith\s+mapi\b|\bSMTPSVC\b")
        .expect("static regex")
});
static ENVELOPE_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\benvelope-(?:from|sender)[\s:=]*(?:<([^<>\s()]*)>|([^<>\s(),;]+@[^<>\s(),;]+))",
    )
    .expect("static regex")
});

// ---------------------------------------------------------------------------------------------
// mail-parser

/// Fill fields this module's own reader left empty from mail-parser's Received parser (called
/// through `parse/`, the one module that touches mail-parser).
fn second_opinion(head: &str, out: &mut ReceivedFields) {
    let tls_incomplete = out
        .tls
        .as_ref()
        .is_none_or(|t| t.version.is_none() && t.cipher.is_none());
    if out.for_addr.is_some()
        && out.id.is_some()
        && out.by_host.is_some()
        && out.helo.is_some()
        && !tls_incomplete
    {
        // nothing left for it to fill
        return;
    }
    let Some(r) = crate::parse::received::mail_parser_received(head) else {
        return;
    };
    if out.for_addr.is_none() {
        out.for_addr = r.for_addr.as_deref().and_then(clean_value);
    }
    if out.id.is_none() {
        out.id = r.id.as_deref().and_then(clean_value);
    }
    if out.by_host.is_none() {
        out.by_host = r.by_host.as_deref().and_then(clean_host_value);
    }
    if out.helo.is_none()
        && let Some(n) = &r.helo
    {
        out.helo = clean_value(n);
        out.from_host = out.from_host.take().or_else(|| out.helo.clone());
    }
    if out
        .tls
        .as_ref()
        .is_none_or(|t| t.version.is_none() && t.cipher.is_none())
        && (r.tls_version.is_some() || r.tls_cipher.is_some())
    {
        out.tls = Some(Tls {
            version: r.tls_version,
            cipher: r.tls_cipher,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap_or_else(|e| panic!("bad test IP {s}: {e}")))
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    fn tls(version: Option<&str>, cipher: Option<&str>) -> Option<Tls> {
        Some(Tls {
            version: version.map(str::to_string),
            cipher: cipher.map(str::to_string),
        })
    }

    #[test]
    fn postfix_with_rdns_and_tls() {
        let h = "from mail-a.example.org (mail-a.example.org [192.0.2.10])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n\t(No client certificate requested)\r\n\tby mx.example.net (Postfix) with ESMTPS id 4ABCD1234\r\n\tfor <alice@example.net>; Mon, 28 Oct 2024 05:59:57 +0000 (UTC)";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("mail-a.example.org"),
                helo: s("mail-a.example.org"),
                rdns: s("mail-a.example.org"),
                from_ip: ip("192.0.2.10"),
                by_host: s("mx.example.net"),
                protocol: s("ESMTPS"),
                tls: tls(Some("TLSv1.3"), Some("TLS_AES_256_GCM_SHA384")),
                id: s("4ABCD1234"),
                for_addr: s("alice@example.net"),
                date_text: s("Mon, 28 Oct 2024 05:59:57 +0000 (UTC)"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn postfix_unknown_rdns() {
        let h = "from laptop.local (unknown [198.51.100.7]) by smtp.example.net (Postfix) with ESMTPSA id 9F2E01A; Tue, 1 Jul 2003 10:52:37 +0200 (CEST)";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("laptop.local"),
                helo: s("laptop.local"),
                rdns: None,
                from_ip: ip("198.51.100.7"),
                by_host: s("smtp.example.net"),
                protocol: s("ESMTPSA"),
                tls: tls(None, None),
                id: s("9F2E01A"),
                for_addr: None,
                date_text: s("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn sendmail_may_be_forged() {
        let h = "from mx56.example.us (64.119.196.56.rev.example.com [64.119.196.56] (may be forged)) by mail.example.com (8.13.1/8.13.1) with ESMTP id i8FJcSRZ007847 (version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-SHA bits=256 verify=NO) for <bob@example.com>; Wed, 15 Sep 2004 21:38:31 +0200";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("64.119.196.56.rev.example.com"),
                helo: s("mx56.example.us"),
                rdns: s("64.119.196.56.rev.example.com"),
                from_ip: ip("64.119.196.56"),
                by_host: s("mail.example.com"),
                protocol: s("ESMTP"),
                tls: tls(Some("TLSv1/SSLv3"), Some("DHE-RSA-AES256-SHA")),
                id: s("i8FJcSRZ007847"),
                for_addr: s("bob@example.com"),
                date_text: s("Wed, 15 Sep 2004 21:38:31 +0200"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn exim_rdns_with_helo() {
        let h = "from host-1.example.net ([203.0.113.5]:40312 helo=client.example.org)\n\tby mx.example.com with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <bounce@example.org>)\n\tid 1tAbCd-000XyZ-2Q\n\tfor carol@example.com;\n\tMon, 28 Oct 2024 06:00:01 +0100";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("host-1.example.net"),
                helo: s("client.example.org"),
                rdns: s("host-1.example.net"),
                from_ip: ip("203.0.113.5"),
                by_host: s("mx.example.com"),
                protocol: s("esmtps"),
                tls: tls(Some("TLSv1.3"), Some("TLS_AES_256_GCM_SHA384")),
                id: s("1tAbCd-000XyZ-2Q"),
                for_addr: s("carol@example.com"),
                date_text: s("Mon, 28 Oct 2024 06:00:01 +0100"),
                parsed: true,
                envelope_from: s("bounce@example.org"),
                via: None,
            }
        );
    }

    #[test]
    fn exim_without_rdns() {
        let h = "from [61.174.163.26] (helo=host) by sc8-sf-list1.example.net with smtp (Exim 3.31-VA-mm2 #1 (Debian)) id 18t2z0-0001NX-00 for <list@example.net>; Wed, 12 Mar 2003 01:57:10 -0800";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("host"),
                helo: s("host"),
                rdns: None,
                from_ip: ip("61.174.163.26"),
                by_host: s("sc8-sf-list1.example.net"),
                protocol: s("smtp"),
                tls: None,
                id: s("18t2z0-0001NX-00"),
                for_addr: s("list@example.net"),
                date_text: s("Wed, 12 Mar 2003 01:57:10 -0800"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn exim_address_literal_helo_is_not_the_connecting_ip() {
        let h = "from [198.51.100.150] (helo=[10.0.1.8])\n\tby smtp.example.com with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.98)\n\t(envelope-from <carl@example.com>)\n\tid 1trvi9-0000000e35g-bJiT\n\tfor dana@example.org;\n\tTue, 11 Mar 2025 10:15:41 +0100";
        let r = parse_received(h);
        assert_eq!(r.from_ip, ip("198.51.100.150"));
        assert_eq!(r.helo, s("[10.0.1.8]"));
        assert_eq!(r.by_host, s("smtp.example.com"));
    }

    #[test]
    fn exim_port_and_helo_in_comment() {
        let h = "from [192.0.2.1] (port=123 helo=x) by mx.example.com with esmtp (Exim 4.97) id 1abc-0001-00; Sat, 2 Nov 2024 10:00:00 +0000";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("x"),
                helo: s("x"),
                rdns: None,
                from_ip: ip("192.0.2.1"),
                by_host: s("mx.example.com"),
                protocol: s("esmtp"),
                tls: None,
                id: s("1abc-0001-00"),
                for_addr: None,
                date_text: s("Sat, 2 Nov 2024 10:00:00 +0000"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn qmail_unknown_with_helo() {
        let h = "from unknown (HELO feux01a-isp) (213.199.4.210) by totor.example.net with SMTP; 1 Nov 2003 07:05:19 -0000";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("feux01a-isp"),
                helo: s("feux01a-isp"),
                rdns: None,
                from_ip: ip("213.199.4.210"),
                by_host: s("totor.example.net"),
                protocol: s("SMTP"),
                tls: None,
                id: None,
                for_addr: None,
                date_text: s("1 Nov 2003 07:05:19 -0000"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn qmail_rdns_and_helo() {
        let h = "from lists.example.org (HELO parrot.example.org) (156.56.111.196) by blazing.example.org with (DHE-RSA-AES256-SHA encrypted) SMTP; 6 Feb 2005 21:11:37 -0000";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("lists.example.org"),
                helo: s("parrot.example.org"),
                rdns: s("lists.example.org"),
                from_ip: ip("156.56.111.196"),
                by_host: s("blazing.example.org"),
                protocol: s("SMTP"),
                tls: tls(None, Some("DHE-RSA-AES256-SHA")),
                id: None,
                for_addr: None,
                date_text: s("6 Feb 2005 21:11:37 -0000"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn qmail_invoked_by_uid() {
        let h = "(qmail 1234 invoked by uid 89); 14 Nov 2003 08:05:52 -0000";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                date_text: s("14 Nov 2003 08:05:52 -0000"),
                parsed: true,
                ..Default::default()
            }
        );
        // `invoked from network[ip/host]` is a comment, not a from clause: no IP.
        let h = "(qmail 87263 messnum 771997 invoked from network[83.70.48.2/83-70-48-2.example.net]); 8 Mar 2004 23:59:05 -0000";
        let f = parse_received(h);
        assert_eq!(f.from_ip, None);
        assert_eq!(f.from_host, None);
    }

    #[test]
    fn exchange_online() {
        let h = "from BN8PR12MB3456.namprd12.prod.outlook.com (2603:10b6:408:6a::18) by\r\n SA1PR12MB7890.namprd12.prod.outlook.com (2603:10b6:806:25::9) with\r\n Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7918.28 via Frontend\r\n Transport; Mon, 28 Oct 2024 05:59:58 +0000";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("BN8PR12MB3456.namprd12.prod.outlook.com"),
                helo: s("BN8PR12MB3456.namprd12.prod.outlook.com"),
                rdns: None,
                from_ip: ip("2603:10b6:408:6a::18"),
                by_host: s("SA1PR12MB7890.namprd12.prod.outlook.com"),
                // as written (docs/JSON.md); TLS comes from the comment, not the name
                protocol: s("Microsoft SMTP Server"),
                tls: tls(
                    Some("TLSv1.2"),
                    Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
                ),
                // Exchange's `id` is its build number; kept as written, never read as an IP.
                id: s("15.20.7918.28"),
                for_addr: None,
                date_text: s("Mon, 28 Oct 2024 05:59:58 +0000"),
                parsed: true,
                envelope_from: None,
                via: s("Frontend Transport"),
            }
        );
    }

    #[test]
    fn exchange_on_premises_with_envelope_from() {
        let h = "from mail.example.com (203.0.113.7) by EXCH01.corp.example.com (10.0.0.5) with Microsoft SMTP Server (TLS) id 15.0.1497.2 (envelope-from <alerts@example.com>); Thu, 17 Jul 2017 23:34:45 +0200";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("mail.example.com"),
                helo: s("mail.example.com"),
                rdns: None,
                from_ip: ip("203.0.113.7"),
                by_host: s("EXCH01.corp.example.com"),
                protocol: s("Microsoft SMTP Server"),
                tls: tls(None, None),
                id: s("15.0.1497.2"),
                for_addr: None,
                date_text: s("Thu, 17 Jul 2017 23:34:45 +0200"),
                parsed: true,
                envelope_from: s("alerts@example.com"),
                via: None,
            }
        );
    }

    #[test]
    fn gmail_smtps() {
        let h = "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n        by mx.google.com with SMTPS id a640c23a62f3a-a9a0f4c2b1csor123456766b.9.2024.10.27.22.59.57\r\n        for <dave@example.com>\r\n        (Google Transport Security);\r\n        Sun, 27 Oct 2024 22:59:57 -0700 (PDT)";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("mail-sor-f41.google.com"),
                helo: s("mail-sor-f41.google.com"),
                rdns: s("mail-sor-f41.google.com"),
                from_ip: ip("209.85.220.41"),
                by_host: s("mx.google.com"),
                protocol: s("SMTPS"),
                tls: tls(None, None),
                id: s("a640c23a62f3a-a9a0f4c2b1csor123456766b.9.2024.10.27.22.59.57"),
                for_addr: s("dave@example.com"),
                date_text: s("Sun, 27 Oct 2024 22:59:57 -0700 (PDT)"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
        let h = "from mail-qk0-x247.google.com (mail-qk0-x247.google.com. [2607:f8b0:400d:c09::247]) by mx.google.com with ESMTPS id u56si5766081qtu.57.2017.04.30.04.22.44 for <e@example.com> (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Sun, 30 Apr 2017 04:22:44 -0700 (PDT)";
        let f = parse_received(h);
        assert_eq!(f.from_ip, ip("2607:f8b0:400d:c09::247"));
        assert_eq!(f.tls, tls(Some("TLSv1.3"), Some("TLS_AES_128_GCM_SHA256")));
    }

    #[test]
    fn gmail_by_only() {
        let h = "by 2002:a05:6a10:a60b:b0:5a1:4f4d:6d29 with SMTP id q11csp1234567pxu;\r\n        Sun, 27 Oct 2024 22:59:58 -0700 (PDT)";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                by_host: s("2002:a05:6a10:a60b:b0:5a1:4f4d:6d29"),
                protocol: s("SMTP"),
                id: s("q11csp1234567pxu"),
                date_text: s("Sun, 27 Oct 2024 22:59:58 -0700 (PDT)"),
                parsed: true,
                ..Default::default()
            }
        );
    }

    #[test]
    fn ipv6_literal_and_mapped() {
        let h = "from gal.example.com (gal.example.com [IPv6:2001:db8::1]) by ietfa.example.com (Postfix) with ESMTPS id C95E9C151087; Sun, 27 Aug 2023 03:00:06 -0700 (PDT)";
        let f = parse_received(h);
        assert_eq!(f.from_ip, ip("2001:db8::1"));
        assert_eq!(f.rdns, s("gal.example.com"));

        let h = "from bushinternet.com (softdnserr [::ffff:61.99.99.67]) by mail.cs.example.fi with esmtp; Fri, 22 Aug 2003 12:25:41 +0300";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("bushinternet.com"),
                helo: s("bushinternet.com"),
                rdns: None,
                // IPv4-mapped IPv6 is reported as the IPv4 address it carries.
                from_ip: ip("61.99.99.67"),
                by_host: s("mail.cs.example.fi"),
                protocol: s("esmtp"),
                tls: None,
                id: None,
                for_addr: None,
                date_text: s("Fri, 22 Aug 2003 12:25:41 +0300"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
        let h = "from x.example.com ([fe80::19bd:c588:dd17:5226%6]) by y.example.com with mapi id 15.20.1943.023; Wed, 5 Jun 2019 10:17:08 +0000";
        assert_eq!(parse_received(h).from_ip, ip("fe80::19bd:c588:dd17:5226"));
    }

    #[test]
    fn localhost() {
        let h = "from localhost (localhost [127.0.0.1]) by mail.example.org (Postfix) with ESMTP id 6296FC13AE3E for <a@example.org>; Mon, 28 Aug 2023 02:21:37 -0700 (PDT)";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("localhost"),
                helo: s("localhost"),
                rdns: s("localhost"),
                from_ip: ip("127.0.0.1"),
                by_host: s("mail.example.org"),
                protocol: s("ESMTP"),
                tls: None,
                id: s("6296FC13AE3E"),
                for_addr: s("a@example.org"),
                date_text: s("Mon, 28 Aug 2023 02:21:37 -0700 (PDT)"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn helo_then_bracketed_ip() {
        let h = "from unknown (HELO smtpd-02.example.net) ([203.0.113.31]) (envelope-sender <n@example.com>) by psmtpd-01.example.net (qmail-1.03) with SMTP for <k@example.com>; 17 Jul 2013 23:34:45 -0000";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: s("smtpd-02.example.net"),
                helo: s("smtpd-02.example.net"),
                rdns: None,
                from_ip: ip("203.0.113.31"),
                by_host: s("psmtpd-01.example.net"),
                protocol: s("SMTP"),
                tls: None,
                id: None,
                for_addr: s("k@example.com"),
                date_text: s("17 Jul 2013 23:34:45 -0000"),
                parsed: true,
                envelope_from: s("n@example.com"),
                via: None,
            }
        );
    }

    #[test]
    fn helo_argument_is_not_the_connecting_ip() {
        let h = "from [128.114.2.223] (account user@example.edu HELO [10.10.10.10]) by silver.example.edu (CommuniGate Pro SMTP 4.3.7) with ESMTPSA id 88402416 for user@example.edu; Mon, 04 Dec 2006 13:15:07 -0800";
        let f = parse_received(h);
        assert_eq!(f.from_ip, ip("128.114.2.223"));
        assert_eq!(f.helo, s("[10.10.10.10]"));
        assert_eq!(f.rdns, None);
    }

    #[test]
    fn never_reads_ids_versions_ports_or_dates_as_ips() {
        // No IP in the from clause: the id, the version and the date hold dotted numbers.
        let h = "from relay.example.org by mx.example.com (8.14.4/8.14.4) with ESMTP id 15.20.7918.28 (version=1.2.3.4); Mon, 28 Oct 2024 05:59:57 +0000";
        let f = parse_received(h);
        assert_eq!(f.from_ip, None);
        assert_eq!(f.id, s("15.20.7918.28"));
        // The port after a bracketed IP is not part of the IP; a by-clause IP is not the sender.
        let h = "from a.example.org ([192.0.2.1]:2525) by b.example.org ([198.51.100.2]:25) with ESMTP; Mon, 28 Oct 2024 05:59:57 +0000";
        assert_eq!(parse_received(h).from_ip, ip("192.0.2.1"));
        // Exim 3's dotted port.
        let h = "from j.example.com ([63.251.66.24.63559]) by m.example.com with esmtp (v3.35.1) id 1GNrLz-000295-00; Thu, 14 Sep 2006 09:34:07 -0400";
        assert_eq!(parse_received(h).from_ip, ip("63.251.66.24"));
        // Not an IP at all.
        let h = "from Unknown/Local ([?.?.?.?]) by mailcity.example.com; Fri, 17 Jan 2003 15:23:29 -0000";
        assert_eq!(parse_received(h).from_ip, None);
    }

    #[test]
    fn sendgrid_without_semicolon() {
        let h = "by filterdrecv-ff8dddcb7-bdll6 with SMTP id filterdrecv-ff8dddcb7-bdll6-1-65395307-40\n        2023-10-25 17:40:23.278749596 +0000 UTC m=+687519.342685076";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                by_host: s("filterdrecv-ff8dddcb7-bdll6"),
                protocol: s("SMTP"),
                id: s("filterdrecv-ff8dddcb7-bdll6-1-65395307-40"),
                date_text: s("2023-10-25 17:40:23.278749596 +0000 UTC m=+687519.342685076"),
                parsed: true,
                ..Default::default()
            }
        );
        let h = "from MzA5NDg4NTY (unknown)\n\tby geopod-ismtpd-11 (SG) with HTTP\n\tid q70UWAWZRqmiF1SazVSHcA\n\tSun, 30 Nov 2025 04:04:15.596 +0000 (UTC)";
        assert_eq!(
            parse_received(h),
            ReceivedFields {
                from_host: None,
                helo: None,
                rdns: None,
                from_ip: None,
                by_host: s("geopod-ismtpd-11"),
                protocol: s("HTTP"),
                tls: None,
                id: s("q70UWAWZRqmiF1SazVSHcA"),
                for_addr: None,
                date_text: s("Sun, 30 Nov 2025 04:04:15.596 +0000 (UTC)"),
                parsed: true,
                envelope_from: None,
                via: None,
            }
        );
    }

    #[test]
    fn odd_date_placements() {
        // Courier: id after the date.
        let h = "from gork (my.example.com [1.2.3.4]) (AUTH: LOGIN g@example.com, SSL: TLSv1/SSLv3,128bits,RC4-MD5) by example.com with esmtp; Thu, 10 Nov 2005 08:24:21 -0600\n  id 000000DB.43735815.00001E11";
        let f = parse_received(h);
        assert_eq!(f.id, s("000000DB.43735815.00001E11"));
        assert_eq!(f.tls, tls(Some("TLSv1/SSLv3"), Some("RC4-MD5")));
        assert!(f.date_text.as_deref().and_then(parse_date).is_some());
        // An unclosed comment swallows the `;`.
        let h = "from [192.0.2.222] ([192.0.2.222:222] helo=mta-2.example.org) by example.org (ecelerity 3.6.5.1) with ESMTPS (cipher=AES256-GCM-SHA384 id 22/00-00000-EEEEEEEE; Thu, 29 Apr 2015 23:34:45 +0000";
        let f = parse_received(h);
        assert_eq!(f.date_text, s("Thu, 29 Apr 2015 23:34:45 +0000"));
        assert_eq!(f.from_ip, ip("192.0.2.222"));
        // A `;` inside an HTML-escaped zone.
        let h = "from A.example.com ([fe80::1]) by A.example.com ([fe80::1%14]) with mapi id 15.20.0776.015; Mon, 21 May 2018 05:07:53 &#43;0000";
        assert_eq!(
            parse_received(h).date_text,
            s("Mon, 21 May 2018 05:07:53 &#43;0000")
        );
        // No date at all.
        let f = parse_received("from mail.example.com by mx.example.net");
        assert_eq!(f.date_text, None);
        assert!(f.parsed);
    }

    #[test]
    fn field_name_and_folds() {
        let a = parse_received(
            "Received: from a.example (b.example [192.0.2.9])\r\n\tby c.example with ESMTP id X;\r\n\tMon, 28 Oct 2024 05:59:57 +0000\r\n",
        );
        let b = parse_received(
            "from a.example (b.example [192.0.2.9]) by c.example with ESMTP id X; Mon, 28 Oct 2024 05:59:57 +0000",
        );
        assert_eq!(a, b);
        // A line break without whitespace ends the field.
        let c = parse_received(
            "from a.example by c.example; Mon, 28 Oct 2024 05:59:57 +0000\nX-Other: 1",
        );
        assert_eq!(c.date_text, s("Mon, 28 Oct 2024 05:59:57 +0000"));
    }

    #[test]
    fn nothing_meaningful() {
        for junk in [
            "",
            "   ",
            ";",
            "garbage here",
            "(just a comment)",
            "; not a date",
        ] {
            assert!(!parse_received(junk).parsed, "{junk:?}");
        }
    }

    #[test]
    fn never_panics() {
        // Pathological shapes, big enough that a quadratic path would show.
        let long = "(".repeat(10_000) + &"[".repeat(10_000) + &";".repeat(100);
        let semis = "; Mon, 28 Oct 2024 (x) ".repeat(20_000);
        let brackets = "from a ([1.2.3.4] [5.6.7.8] (HELO x) ".repeat(10_000);
        let keywords = "from by with id for via ".repeat(20_000);
        for h in [
            "(",
            ")",
            "[",
            "]",
            "from",
            "from (",
            "from [",
            "from ]:",
            "from [IPv6:",
            "from x ([::ffff:] helo=)",
            "from x (HELO",
            "from x (helo=",
            "by",
            "with",
            "id",
            "for <",
            "from é (ü [192.0.2.1]) by ß; Mon, 28 Oct 2024 05:59:57 +0000",
            "from x ([192.0.2.1.]) by y",
            "from x ([1.2.3.4.5.6]) by y",
            "from x (@) by y",
            "from x (a@) by y",
            "claiming to be",
            "Received:",
            "Received",
            "; 1 1 1 1 1 1 -9223372036854775808",
            "from a by b; 1 Jan 2024 10:00:00 +9999999999999999999",
            long.as_str(),
            semis.as_str(),
            brackets.as_str(),
            keywords.as_str(),
        ] {
            let _ = parse_received(h);
        }
    }

    #[test]
    fn protocol_as_written() {
        let proto = |with: &str| {
            parse_received(&format!(
                "from a.example.net ([192.0.2.1]) by b.example.org {with}; Mon, 28 Oct 2024 05:59:57 +0000"
            ))
            .protocol
        };
        // the vendor words around the protocol word are part of what is written
        assert_eq!(
            proto("with Microsoft SMTP Server (version=TLS1_2, cipher=X) id 15.20.1.2"),
            s("Microsoft SMTP Server")
        );
        assert_eq!(
            proto("with Microsoft\r\n SMTP Server (TLS) id 15.0.1497.2"),
            s("Microsoft SMTP Server")
        );
        assert_eq!(
            proto("with Microsoft SMTPSVC(6.0.3790.4675)"),
            s("Microsoft SMTPSVC")
        );
        // case is kept; what follows the protocol word is not part of it
        assert_eq!(
            proto("with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.97) id 1t-2"),
            s("esmtps")
        );
        assert_eq!(proto("with local-esmtps (Exim 4.97)"), s("local-esmtps"));
        assert_eq!(proto("with mapi id 15.20.8293.000"), s("mapi"));
        assert_eq!(
            proto("with ESMTP/TLS/DHE-RSA-AES256-GCM-SHA384"),
            s("ESMTP")
        );
        assert_eq!(proto("with MailEnable ESMTP"), s("ESMTP"));
        // an unreadable date without its `;` is not part of the protocol
        let f = parse_received(
            "from a.example.net ([192.0.2.1]) by b.example.org with SMTP Tue, 31 Jun 2025 07:30:07 +0000",
        );
        assert_eq!(f.protocol, s("SMTP"));
        // no protocol word: an upper-case token as written, a vendor name not at all
        assert_eq!(proto("with NNFMP"), s("NNFMP"));
        assert_eq!(proto("with Internet Mail Service (5.5.2653.19)"), None);
        // what a protocol implies is read from its normalised form
        let f = parse_received(
            "from x.example.net ([192.0.2.1]) by y.example.org with esmtpsa id 1; Mon, 28 Oct 2024 05:59:57 +0000",
        );
        assert_eq!(f.tls, tls(None, None));
        let f = parse_received(
            "from alice by y.example.org with local (Exim 4.97) id 1; Mon, 28 Oct 2024 05:59:57 +0000",
        );
        assert_eq!((f.protocol, f.helo), (s("local"), None));
    }

    #[test]
    fn static_regexes_compile() {
        assert!(!TLS_PATTERNS.is_empty());
        let _ = (&*TLS_CIPHER_ALONE, &*TLS_VERSION_ALONE, &*TLS_BARE);
        let _ = (&*EXIM, &*MICROSOFT, &*ENVELOPE_FROM, &*QMAIL_DATE);
    }
}
