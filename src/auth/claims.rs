//! Claims: what the receiving servers *said* about authentication, read from every
//! Authentication-Results, ARC-Authentication-Results and Received-SPF header field.
//!
//! Why: a reader wants the servers' verdicts beside ours, and a disagreement between the two is
//! a finding in itself. Servers write these headers in many shapes, so this reader is lenient
//! where RFC 8601 parsers are strict, and still linear in the header length:
//!
//! - RFC 8601 syntax with comments anywhere (nested, with `\` escapes) and quoted strings;
//!   `method/version`, `reason=`, `ptype.property=value`, several results in one header,
//!   `none` as the only result (no claim is produced: the server verified nothing);
//! - Microsoft 365 headers without an authserv-id (`spf=pass (sender IP is ...) smtp.mailfrom=x;
//!   dkim=none ... header.d=none;dmarc=none action=none header.from=x;compauth=pass reason=100`),
//!   their stray tenant-domain words between results, `action=oreject`, `bestguesspass`;
//! - legacy Yahoo (`mta.yahoo.com  from=x; domainkeys=neutral (no sig);  from=x; dkim=pass (ok)`):
//!   an authserv-id followed by results without a `;`, and a property standing alone before the
//!   result it belongs to (`from=`, SpamAssassin's `header.From=`): such a property is given to
//!   the next result of the header, or to the previous one when none follows;
//! - ARC-Authentication-Results with their `i=` instance (also when it is misplaced);
//! - Received-SPF (RFC 7208 section 9.1): `Pass (mailfrom) identity=mailfrom; client-ip=...;
//!   helo=...; envelope-from=...; receiver=...`, and Google's `pass (google.com: domain of x
//!   designates 1.2.3.4 as permitted sender) client-ip=1.2.3.4;`.
//!
//! A claim is only what a header says: this module judges nothing (whether a claim can be
//! trusted depends on where the header sits in the hop chain, which is the caller's business)
//! and never panics on any input.

use serde::Serialize;

use crate::parse::HeaderField;

/// One verdict claimed by a header: `method=result` with its reason, properties and comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// The field name as written (`Authentication-Results`, `ARC-Authentication-Results`,
    /// `Received-SPF`, any case).
    pub header: String,
    /// Index of the header field in `ParsedMessage::headers`.
    pub header_index: usize,
    /// The `i=` instance of an ARC-Authentication-Results header.
    pub instance: Option<u32>,
    /// The authserv-id (the server that wrote the header) when the header names one; for
    /// Received-SPF the `receiver=` key or the `receiver:` prefix of the comment.
    pub authserv_id: Option<String>,
    /// The method, lowercase, without a `/version` (spf, dkim, dmarc, arc, compauth, iprev, auth,
    /// domainkeys, ...).
    pub method: String,
    /// The result word as written, lowercase (pass, fail, none, bestguesspass, ...).
    pub result: String,
    /// The `reason=` value, unquoted.
    pub reason: Option<String>,
    /// Properties in order, names lowercase (`header.d`, `smtp.mailfrom`, `header.from`, and
    /// for Received-SPF the keys `client-ip`, `helo`, `envelope-from`, `receiver`, ...), values
    /// as written (quoted strings unquoted).
    pub properties: Vec<(String, String)>,
    /// The comments of this result, in order, joined with `; ` (e.g. `sender IP is 1.2.3.4`).
    pub comment: Option<String>,
    /// Microsoft's `action=` (none, oreject, quarantine, ...), as written, lowercase.
    pub action: Option<String>,
}

/// Parse every Authentication-Results, ARC-Authentication-Results and Received-SPF header,
/// top to bottom, into claims (a header may hold several, or none).
pub fn parse_claims(headers: &[HeaderField]) -> Vec<Claim> {
    let mut claims = Vec::new();
    for (index, field) in headers.iter().enumerate() {
        if field.is("Authentication-Results") {
            claims.extend(parse_authentication_results(field, index, false));
        } else if field.is("ARC-Authentication-Results") {
            claims.extend(parse_authentication_results(field, index, true));
        } else if field.is("Received-SPF") {
            claims.extend(parse_received_spf(field, index));
        }
    }
    claims
}

/// A lexical token of an RFC 8601 header value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A run of characters that are not whitespace, `;`, `=`, `(` or `"`.
    Word(String),
    /// A quoted string, unquoted.
    Quoted(String),
    /// A comment, without its outer parentheses.
    Comment(String),
    /// `=`
    Eq,
    /// `;`
    Semi,
}

/// A token and whether whitespace (or a comment) stood before it.
#[derive(Debug, Clone)]
struct Lexed {
    tok: Tok,
    spaced: bool,
}

/// Split a header value into tokens, in one pass. Unterminated comments and quoted strings run
/// to the end of the value.
fn lex(value: &str) -> Vec<Lexed> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    let mut spaced = false;
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
                spaced = true;
                continue;
            }
            ';' => {
                chars.next();
                out.push(Lexed {
                    tok: Tok::Semi,
                    spaced,
                });
            }
            '=' => {
                chars.next();
                out.push(Lexed {
                    tok: Tok::Eq,
                    spaced,
                });
            }
            '(' => {
                chars.next();
                let mut depth = 1usize;
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                text.push(n);
                            }
                        }
                        '(' => {
                            depth += 1;
                            text.push(c);
                        }
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            text.push(c);
                        }
                        _ => text.push(c),
                    }
                }
                out.push(Lexed {
                    tok: Tok::Comment(collapse_ws(&text)),
                    spaced,
                });
                // a comment separates like whitespace
                spaced = true;
                continue;
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                text.push(n);
                            }
                        }
                        '"' => break,
                        _ => text.push(c),
                    }
                }
                out.push(Lexed {
                    tok: Tok::Quoted(text),
                    spaced,
                });
            }
            _ => {
                let mut text = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, ';' | '=' | '(' | '"') {
                        break;
                    }
                    text.push(c);
                    chars.next();
                }
                out.push(Lexed {
                    tok: Tok::Word(text),
                    spaced,
                });
            }
        }
        spaced = false;
    }
    out
}

/// Runs of whitespace as one space, trimmed.
fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Keys written as `key=value` that are properties or modifiers, never methods.
const NON_METHOD_KEYS: &[&str] = &[
    "reason",
    "action",
    "from",
    "client-ip",
    "envelope-from",
    "helo",
    "receiver",
    "identity",
    "mechanism",
    "problem",
    "i",
];

/// Registered methods (IANA "Email Authentication Methods") and common unregistered ones.
/// After a result, only these (or `x-...`) start a new result without a `;` between: a server
/// that forgot the separator (`header.a=rsa-sha256 dkim=pass ...`) still reports two results,
/// while `x-tls=pass cipher=ECDHE-RSA-AES128-GCM-SHA256` is one result with a property.
const KNOWN_METHODS: &[&str] = &[
    "arc",
    "auth",
    "bimi",
    "compauth",
    "dkim",
    "dkim-adsp",
    "dkim-atps",
    "dmarc",
    "dnswl",
    "domainkeys",
    "iprev",
    "rrvs",
    "sender-id",
    "smime",
    "spf",
    "vbr",
];

/// True when `word` names a known method (see [`KNOWN_METHODS`]) or an `x-` method.
fn is_known_method(word: &str) -> bool {
    let name = method_name(word).to_ascii_lowercase();
    name.starts_with("x-") || KNOWN_METHODS.contains(&name.as_str())
}

/// True when `word` can be a result word (`pass`, `bestguesspass`, `temperror`, `hardfail`...).
fn is_result_word(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// True when `word` can be a method name (`spf`, `dkim-atps`, `x-tls`, `dkim/1`).
fn is_method_word(word: &str) -> bool {
    let name = method_name(word);
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !NON_METHOD_KEYS.iter().any(|k| k.eq_ignore_ascii_case(name))
}

/// The method without its `/version`.
fn method_name(word: &str) -> &str {
    match word.split_once('/') {
        Some((name, version)) if version.chars().all(|c| c.is_ascii_digit()) => name,
        _ => word,
    }
}

/// One `key=value` read from the token stream, or a word standing alone.
#[derive(Debug)]
enum Item {
    /// `key=value`; the comments met between key, `=` and value are kept.
    Pair {
        key: String,
        value: String,
        comments: Vec<String>,
    },
    /// A word with no `=` after it.
    Bare(String),
    /// A comment.
    Comment(String),
}

/// Read one statement (the tokens between two `;`) as items. A value is the first token after
/// `=` plus the words and `=` glued to it without whitespace (`header.b=abc==`).
fn items(tokens: &[Lexed]) -> Vec<Item> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < tokens.len() {
        match &tokens[pos].tok {
            Tok::Comment(c) => {
                out.push(Item::Comment(c.clone()));
                pos += 1;
            }
            Tok::Word(w) | Tok::Quoted(w) => {
                // look past comments for '='
                let mut look = pos + 1;
                let mut comments = Vec::new();
                while let Some(Lexed {
                    tok: Tok::Comment(c),
                    ..
                }) = tokens.get(look)
                {
                    comments.push(c.clone());
                    look += 1;
                }
                if matches!(tokens.get(look).map(|t| &t.tok), Some(Tok::Eq)) {
                    look += 1;
                    while let Some(Lexed {
                        tok: Tok::Comment(c),
                        ..
                    }) = tokens.get(look)
                    {
                        comments.push(c.clone());
                        look += 1;
                    }
                    let mut value = String::new();
                    if let Some(Lexed {
                        tok: Tok::Word(v) | Tok::Quoted(v),
                        ..
                    }) = tokens.get(look)
                    {
                        value.push_str(v);
                        look += 1;
                        while let Some(next) = tokens.get(look) {
                            if next.spaced {
                                break;
                            }
                            match &next.tok {
                                Tok::Word(v) => value.push_str(v),
                                Tok::Eq => value.push('='),
                                _ => break,
                            }
                            look += 1;
                        }
                    }
                    out.push(Item::Pair {
                        key: w.clone(),
                        value,
                        comments,
                    });
                    pos = look;
                } else {
                    out.push(Item::Bare(w.clone()));
                    for c in comments {
                        out.push(Item::Comment(c));
                    }
                    pos = look;
                }
            }
            Tok::Eq | Tok::Semi => pos += 1,
        }
    }
    out
}

/// Split tokens at `;`.
fn statements(tokens: &[Lexed]) -> Vec<&[Lexed]> {
    tokens
        .split(|t| t.tok == Tok::Semi)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The instance of `i=N` when the value is all digits.
fn instance_of(value: &str) -> Option<u32> {
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// A claim being built.
struct Builder<'a> {
    field: &'a HeaderField,
    index: usize,
    instance: Option<u32>,
    authserv_id: Option<String>,
    claims: Vec<Claim>,
    /// Properties met before any result (legacy `from=x; domainkeys=...`).
    pending: Vec<(String, String)>,
    /// Properties standing in a statement without a result, after a result: given to the next
    /// result, else to the previous one at the end.
    orphans: Vec<(String, String)>,
}

impl<'a> Builder<'a> {
    fn new(field: &'a HeaderField, index: usize) -> Self {
        Builder {
            field,
            index,
            instance: None,
            authserv_id: None,
            claims: Vec::new(),
            pending: Vec::new(),
            orphans: Vec::new(),
        }
    }

    fn start(&mut self, method: &str, result: &str, comments: Vec<String>) {
        let mut properties = std::mem::take(&mut self.pending);
        properties.append(&mut self.orphans);
        self.claims.push(Claim {
            header: self.field.name.clone(),
            header_index: self.index,
            instance: self.instance,
            authserv_id: self.authserv_id.clone(),
            method: method_name(method).to_ascii_lowercase(),
            result: result.to_ascii_lowercase(),
            reason: None,
            properties,
            comment: None,
            action: None,
        });
        for c in comments {
            self.comment(c);
        }
    }

    fn comment(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        if let Some(claim) = self.claims.last_mut() {
            match &mut claim.comment {
                Some(existing) => {
                    existing.push_str("; ");
                    existing.push_str(&text);
                }
                None => claim.comment = Some(text),
            }
        }
    }

    /// A property or modifier; `in_result` is true when the statement has a result before it.
    fn property(&mut self, key: &str, value: String, in_result: bool) {
        let lower = key.to_ascii_lowercase();
        if in_result && let Some(claim) = self.claims.last_mut() {
            match lower.as_str() {
                "reason" if claim.reason.is_none() => claim.reason = Some(value),
                "action" if claim.action.is_none() => {
                    claim.action = Some(value.to_ascii_lowercase())
                }
                _ => claim.properties.push((lower, value)),
            }
            return;
        }
        if self.claims.is_empty() {
            self.pending.push((lower, value));
        } else {
            self.orphans.push((lower, value));
        }
    }

    fn finish(mut self) -> Vec<Claim> {
        if let Some(claim) = self.claims.last_mut() {
            claim.properties.append(&mut self.orphans);
        }
        self.claims
    }
}

/// Authentication-Results (RFC 8601) and ARC-Authentication-Results (RFC 8617 section 4.1.1).
fn parse_authentication_results(field: &HeaderField, index: usize, arc: bool) -> Vec<Claim> {
    let tokens = lex(&field.value);
    let stmts = statements(&tokens);
    let mut b = Builder::new(field, index);
    if !arc {
        return parse_results(b, &stmts);
    }
    // ARC: `i=N;` first (also accepted in the second statement, after the authserv-id).
    {
        let mut kept: Vec<&[Lexed]> = Vec::with_capacity(stmts.len());
        for (n, stmt) in stmts.iter().enumerate() {
            if b.instance.is_none()
                && n <= 1
                && let [first, second, third, ..] = stmt
                && matches!(&first.tok, Tok::Word(w) if w.eq_ignore_ascii_case("i"))
                && second.tok == Tok::Eq
                && let Tok::Word(v) = &third.tok
                && let Some(i) = instance_of(v)
            {
                b.instance = Some(i);
                let remaining = &stmt[3..];
                if !remaining.is_empty() {
                    kept.push(remaining);
                }
                continue;
            }
            kept.push(stmt);
        }
        parse_results(b, &kept)
    }
}

/// The authserv-id statement, then the results.
fn parse_results(mut b: Builder<'_>, stmts: &[&[Lexed]]) -> Vec<Claim> {
    let mut first = true;
    for stmt in stmts {
        let mut list = items(stmt);
        if first {
            first = false;
            // An authserv-id is a first statement that does not start with `key=value`
            // (Microsoft 365 writes none).
            let id = match list.iter().position(|i| !matches!(i, Item::Comment(_))) {
                Some(p) => match &list[p] {
                    Item::Bare(w) => Some((p, w.clone())),
                    _ => None,
                },
                None => None,
            };
            if let Some((p, id)) = id {
                b.authserv_id = Some(id);
                list.drain(..=p);
                // an optional version number after the authserv-id
                if let Some(Item::Bare(v)) = list.first()
                    && v.chars().all(|c| c.is_ascii_digit())
                {
                    list.remove(0);
                }
            }
        }
        let mut in_result = false;
        for item in list {
            match item {
                Item::Pair {
                    key,
                    value,
                    comments,
                } => {
                    let method = !key.contains('.')
                        && is_method_word(&key)
                        && is_result_word(&value)
                        && (!in_result || is_known_method(&key));
                    if method {
                        b.start(&key, &value, comments);
                        in_result = true;
                    } else {
                        b.property(&key, value, in_result);
                        for c in comments {
                            if in_result {
                                b.comment(c);
                            }
                        }
                    }
                }
                Item::Comment(c) => {
                    if in_result {
                        b.comment(c);
                    }
                }
                // `none` (no result), Microsoft's stray tenant domains, garbage words
                Item::Bare(_) => {}
            }
        }
    }
    b.finish()
}

/// Received-SPF (RFC 7208 section 9.1): `result [comment] [key=value; ...]`.
fn parse_received_spf(field: &HeaderField, index: usize) -> Vec<Claim> {
    let tokens = lex(&field.value);
    let mut list = Vec::new();
    for stmt in statements(&tokens) {
        list.extend(items(stmt));
    }
    let mut iter = list.into_iter();
    let result = match iter.next() {
        Some(Item::Bare(word)) if is_result_word(&word) => word.to_ascii_lowercase(),
        _ => return Vec::new(),
    };
    let mut claim = Claim {
        header: field.name.clone(),
        header_index: index,
        instance: None,
        authserv_id: None,
        method: "spf".to_string(),
        result,
        reason: None,
        properties: Vec::new(),
        comment: None,
        action: None,
    };
    let mut comments: Vec<String> = Vec::new();
    for item in iter {
        match item {
            Item::Comment(c) if !c.is_empty() => comments.push(c),
            Item::Pair {
                key,
                value,
                comments: more,
            } => {
                claim.properties.push((key.to_ascii_lowercase(), value));
                comments.extend(more.into_iter().filter(|c| !c.is_empty()));
            }
            _ => {}
        }
    }
    claim.authserv_id = claim
        .properties
        .iter()
        .find(|(k, _)| k == "receiver")
        .map(|(_, v)| v.clone())
        .or_else(|| {
            // `(google.com: domain of x designates ...)`
            let first = comments.first()?;
            let (prefix, _) = first.split_once(':')?;
            let prefix = prefix.trim();
            let looks_like_host = prefix.contains('.')
                && !prefix.contains(' ')
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            looks_like_host.then(|| prefix.to_string())
        });
    if !comments.is_empty() {
        claim.comment = Some(comments.join("; "));
    }
    vec![claim]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, value: &str) -> HeaderField {
        HeaderField {
            name: name.to_string(),
            value: value.to_string(),
            span: 0..0,
        }
    }

    fn ar(value: &str) -> Vec<Claim> {
        parse_claims(&[field("Authentication-Results", value)])
    }

    fn pairs(claims: &[Claim]) -> Vec<(String, String)> {
        claims
            .iter()
            .map(|c| (c.method.clone(), c.result.clone()))
            .collect()
    }

    fn prop<'c>(claim: &'c Claim, name: &str) -> Option<&'c str> {
        claim
            .properties
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn rfc8601_with_comments_and_quotes() {
        let c = ar(
            "example.com; dkim=pass (good signature) header.i=@mail-router.example.net; \
                    dkim=fail reason=\"bad; signature\" header.i=\"@newyork.example.com\"",
        );
        assert_eq!(
            pairs(&c),
            vec![
                ("dkim".into(), "pass".into()),
                ("dkim".into(), "fail".into())
            ]
        );
        assert_eq!(c[0].authserv_id.as_deref(), Some("example.com"));
        assert_eq!(c[0].comment.as_deref(), Some("good signature"));
        assert_eq!(prop(&c[0], "header.i"), Some("@mail-router.example.net"));
        assert_eq!(c[1].reason.as_deref(), Some("bad; signature"));
        assert_eq!(prop(&c[1], "header.i"), Some("@newyork.example.com"));
    }

    #[test]
    fn microsoft_without_authserv_id() {
        let c = ar(
            "spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=x.example; dkim=none \
                    (message not signed) header.d=none;dmarc=none action=none \
                    header.from=x.example;compauth=pass reason=100",
        );
        assert_eq!(
            pairs(&c),
            vec![
                ("spf".into(), "pass".into()),
                ("dkim".into(), "none".into()),
                ("dmarc".into(), "none".into()),
                ("compauth".into(), "pass".into())
            ]
        );
        assert!(c.iter().all(|c| c.authserv_id.is_none()));
        assert_eq!(c[0].comment.as_deref(), Some("sender IP is 1.2.3.4"));
        assert_eq!(prop(&c[0], "smtp.mailfrom"), Some("x.example"));
        assert_eq!(prop(&c[1], "header.d"), Some("none"));
        assert_eq!(c[2].action.as_deref(), Some("none"));
        assert_eq!(prop(&c[2], "header.from"), Some("x.example"));
        assert_eq!(c[3].reason.as_deref(), Some("100"));
    }

    #[test]
    fn microsoft_oreject_and_tenant_words() {
        let c = ar(
            "spf=fail (sender IP is 5.6.7.8) smtp.helo=h.example; contoso.com; \
                    dkim=none (message not signed) header.d=none;contoso.com; dmarc=fail \
                    action=oreject header.from=bank.example;compauth=fail reason=000",
        );
        assert_eq!(
            pairs(&c),
            vec![
                ("spf".into(), "fail".into()),
                ("dkim".into(), "none".into()),
                ("dmarc".into(), "fail".into()),
                ("compauth".into(), "fail".into())
            ]
        );
        assert_eq!(c[2].action.as_deref(), Some("oreject"));
    }

    #[test]
    fn bestguesspass_and_version() {
        let c = ar(
            "mx.example 1; spf=bestguesspass smtp.mailfrom=a.example; dkim/1=pass header.d=a.example",
        );
        assert_eq!(c[0].authserv_id.as_deref(), Some("mx.example"));
        assert_eq!(c[0].result, "bestguesspass");
        assert_eq!(c[1].method, "dkim");
    }

    #[test]
    fn legacy_yahoo_domainkeys() {
        let c = ar(
            "mta1.mail.yahoo.com  from=yahoo.com; domainkeys=neutral (no sig);  \
                    from=yahoo.com; dkim=pass (ok)",
        );
        assert_eq!(
            pairs(&c),
            vec![
                ("domainkeys".into(), "neutral".into()),
                ("dkim".into(), "pass".into())
            ]
        );
        assert_eq!(c[0].authserv_id.as_deref(), Some("mta1.mail.yahoo.com"));
        assert_eq!(prop(&c[0], "from"), Some("yahoo.com"));
        assert_eq!(prop(&c[1], "from"), Some("yahoo.com"));
        assert_eq!(c[0].comment.as_deref(), Some("no sig"));
        let c = ar(
            "mta.example.co.jp  from=y.example; domainkeys=pass (ok); dkim=permerror \
                    (bad sig); header.i=@y.example",
        );
        assert_eq!(prop(&c[1], "header.i"), Some("@y.example"));
    }

    #[test]
    fn spamassassin_header_from() {
        let c = ar(
            "sa-test.example; header.From=test@sa-test.example; dkim=pass (\n  message from \
                    example verified; );",
        );
        assert_eq!(pairs(&c), vec![("dkim".into(), "pass".into())]);
        assert_eq!(prop(&c[0], "header.from"), Some("test@sa-test.example"));
        assert_eq!(
            c[0].comment.as_deref(),
            Some("message from example verified;")
        );
    }

    #[test]
    fn dkim_properties_and_none() {
        let c = ar("mx.example; dkim=pass header.i=@x.example header.s=sel header.b=abc+/==");
        assert_eq!(prop(&c[0], "header.s"), Some("sel"));
        assert_eq!(prop(&c[0], "header.b"), Some("abc+/=="));
        assert!(ar("example.net;\n  none").is_empty());
        assert!(ar("mail.example.de;").is_empty());
        assert!(ar("").is_empty());
        assert!(ar("Garbage Authentication-Results Header - SHOULD NOT PARSE").is_empty());
    }

    #[test]
    fn arc_authentication_results_instance() {
        let h = [field(
            "ARC-Authentication-Results",
            "i=2; lists.example.org; spf=pass smtp.mfrom=jqd@d1.example; dmarc=pass",
        )];
        let c = parse_claims(&h);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].instance, Some(2));
        assert_eq!(c[0].authserv_id.as_deref(), Some("lists.example.org"));
        let h = [field(
            "ARC-Authentication-Results",
            "lists.example.org; i=1; spf=pass",
        )];
        let c = parse_claims(&h);
        assert_eq!(c[0].instance, Some(1));
        assert_eq!(c[0].authserv_id.as_deref(), Some("lists.example.org"));
    }

    #[test]
    fn received_spf_forms() {
        let h = [
            field(
                "Received-SPF",
                "Pass (mailfrom) identity=mailfrom; client-ip=1.2.3.4; helo=mx.example; \
                 envelope-from=a@example.org; receiver=mx.example.net",
            ),
            field(
                "Received-SPF",
                "pass (google.com: domain of x@example.org designates 1.2.3.4 as permitted \
                 sender) client-ip=1.2.3.4;",
            ),
        ];
        let c = parse_claims(&h);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].method.as_str(), c[0].result.as_str()),
            ("spf", "pass")
        );
        assert_eq!(prop(&c[0], "client-ip"), Some("1.2.3.4"));
        assert_eq!(prop(&c[0], "envelope-from"), Some("a@example.org"));
        assert_eq!(c[0].authserv_id.as_deref(), Some("mx.example.net"));
        assert_eq!(c[0].comment.as_deref(), Some("mailfrom"));
        assert_eq!(c[1].authserv_id.as_deref(), Some("google.com"));
        assert_eq!(c[1].header_index, 1);
        assert_eq!(prop(&c[1], "client-ip"), Some("1.2.3.4"));
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for v in [
            "(((((",
            "\"",
            "a=",
            "=",
            ";;;",
            "i=",
            "x (c) = (d) \"q",
            "é=ü; ß=pass",
            "a=b=c=d",
            "(\\",
            "\"\\",
        ] {
            let _ = ar(v);
            let _ = parse_claims(&[field("Received-SPF", v)]);
            let _ = parse_claims(&[field("ARC-Authentication-Results", v)]);
        }
        // linear: a long header parses quickly
        let long = "dkim=pass (x) header.d=a.example; ".repeat(20_000);
        assert_eq!(ar(&long).len(), 20_000);
    }
}
