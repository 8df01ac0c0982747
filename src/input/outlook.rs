//! Outlook's header views, copied as text.
//!
//! - Outlook for Windows, File > Properties (Message Options): the "Internet headers" box shows
//!   the transport headers Exchange stored with the message (MAPI `PR_TRANSPORT_MESSAGE_HEADERS`):
//!   the header block only, no body, often without the empty line after it. For mail that went
//!   through Exchange internally the text starts with the line
//!   `Microsoft Mail Internet Headers Version 2.0`, and after the header block it can hold the
//!   MIME skeleton of the message (boundary lines and part headers, no part content).
//! - Outlook on the web / new Outlook: "View > View message details" shows the same header text;
//!   "View message source" shows the whole message (a raw message).
//! - Pasted into a web form, a ticket or a word processor, the header text sometimes comes back
//!   with an empty line after every field, and people often paste the dialog's caption with it.
//!
//! This module recognises those shapes; it must not reorder, unfold or rewrite any field.

use super::field::{self, trim};

/// A caption line people paste above the headers: the Outlook dialog and field names, and
/// Exchange's own first line.
pub(super) fn is_caption(line: &[u8]) -> bool {
    const CAPTIONS: &[&str] = &[
        "internet headers",
        "message headers",
        "message details",
        "message source",
        "microsoft mail internet headers version 2.0",
    ];
    let t = trim(line);
    let t = t.strip_suffix(b":").unwrap_or(t);
    CAPTIONS
        .iter()
        .any(|c| t.eq_ignore_ascii_case(c.as_bytes()))
}

/// True when the lines after a header block hold no body text: only empty lines, or the MIME
/// skeleton Outlook keeps (`--boundary` lines, part header fields and their continuations).
/// The first non-empty line must be a boundary, so that a body of `Name: value` lines (a web
/// form's mail) is not taken for part headers.
pub(super) fn no_body<'a>(lines: impl Iterator<Item = &'a [u8]>) -> bool {
    let mut first = true;
    for l in lines {
        if trim(l).is_empty() {
            continue;
        }
        let skeleton = l.starts_with(b"--")
            || (!first
                && (l.first().is_some_and(|&b| field::is_wsp(b)) || field::name(l).is_some()));
        if !skeleton {
            return false;
        }
        first = false;
    }
    true
}

/// True when the text after the first empty line is more header fields, so the empty lines
/// between them came from the paste: every non-empty line starts a plausible field or continues
/// one, the first one starts a field, and at least one is a [trace](field::trace) field (a body a
/// person wrote is never made of `Received:` or `X-MS-Exchange-*` lines).
pub(super) fn fields_continue<'a>(lines: impl Iterator<Item = &'a [u8]>) -> bool {
    let mut first = true;
    let mut trace = false;
    for l in lines {
        if trim(l).is_empty() {
            continue;
        }
        match field::plausible_start(l) {
            Some(name) => trace |= field::trace(name),
            None if !first && l.first().is_some_and(|&b| field::is_wsp(b)) => {}
            None => return false,
        }
        first = false;
    }
    trace
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions() {
        assert!(is_caption(b"Internet headers"));
        assert!(is_caption(b"  Internet Headers:  "));
        assert!(is_caption(b"Microsoft Mail Internet Headers Version 2.0"));
        assert!(!is_caption(b"Received: x"));
    }

    #[test]
    fn skeleton_is_no_body() {
        let lines: [&[u8]; 5] = [
            b"",
            b"------_=_NextPart_001_01CC9A5A",
            b"Content-Type: text/plain;",
            b"\tcharset=\"US-ASCII\"",
            b"------_=_NextPart_001_01CC9A5A--",
        ];
        assert!(no_body(lines.iter().copied()));
        let body: [&[u8]; 2] = [b"", b"Hello Bob,"];
        assert!(!no_body(body.iter().copied()));
        let form: [&[u8]; 3] = [b"", b"Name: John", b"Phone: 123"];
        assert!(!no_body(form.iter().copied()));
    }

    #[test]
    fn fields_after_blank_lines() {
        let more: [&[u8]; 4] = [b"", b"Received: from a", b" by b", b"X-MS-Exchange-Foo: 1"];
        assert!(fields_continue(more.iter().copied()));
        let form: [&[u8]; 3] = [b"", b"From: John", b"Subject: help"];
        assert!(!fields_continue(form.iter().copied()));
    }
}
