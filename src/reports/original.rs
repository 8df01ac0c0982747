//! The returned original written inline in a bounce's text, after a marker line such as
//! `------ This is a copy of the message, including all the headers. ------` (Exim),
//! `--- Below this line is a copy of the message.` (qmail) or `----- Original message -----`
//! (Gmail), or starting without a marker with a `Received:`/`Return-Path:` block.

use std::borrow::Cow;

use super::fields::split_field;

/// Phrases that mark the start of a returned original (lowercase, searched in a marker line).
const MARKERS: &[&str] = &[
    "copy of the message",
    "copy of your message",
    "original message follow",
    "original message is following",
    "original message",
    "unsent message follow",
    "message text follow",
    "header of the original message",
    "headers of the original message",
    "message headers follow",
    "message header follow",
    "undelivered message follow",
    "returned message follow",
    "rejected message follow",
    "original mail follow",
    "headers follow",
    "text of the message follow",
];

/// Fields that belong to a delivery-status block, never to a returned original.
const DSN_FIELDS: &[&str] = &[
    "reporting-mta",
    "final-recipient",
    "original-recipient",
    "action",
    "status",
    "remote-mta",
    "diagnostic-code",
    "arrival-date",
    "received-from-mta",
    "last-attempt-date",
    "x-postfix-queue-id",
    "x-postfix-sender",
];

/// Header names that show a block is a message's header.
const MESSAGE_FIELDS: &[&str] = &[
    "received",
    "return-path",
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "dkim-signature",
    "content-type",
    "delivered-to",
    "reply-to",
    "x-mailer",
    "cc",
    "authentication-results",
    "arc-seal",
    "x-received",
];

fn is_marker(line: &str) -> bool {
    if line.len() > 120 {
        return false;
    }
    let stripped = line
        .trim()
        .trim_matches(|c: char| {
            matches!(
                c,
                '-' | '=' | '*' | '|' | '_' | ' ' | '#' | '[' | ']' | '<' | '>' | ':' | '.'
            )
        })
        .to_ascii_lowercase();
    !stripped.is_empty() && MARKERS.iter().any(|m| stripped.contains(m))
}

/// How many header-looking lines start at `lines[from]` (continuations count with their field),
/// and whether one of them is a common message header.
fn header_run(lines: &[(usize, Cow<'_, str>)], from: usize) -> (usize, bool) {
    let mut count = 0;
    let mut common = false;
    // bounded, so that many marker lines cannot make the search quadratic
    for (_, line) in lines[from..].iter().take(200) {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if count == 0 {
                return (0, false);
            }
            continue;
        }
        match split_field(line) {
            Some((name, _)) => {
                let lower = name.to_ascii_lowercase();
                if DSN_FIELDS.contains(&lower.as_str()) {
                    return (0, false);
                }
                common |= MESSAGE_FIELDS.contains(&lower.as_str()) || lower.starts_with("x-");
                count += 1;
                if count >= 8 {
                    break;
                }
            }
            None => break,
        }
    }
    (count, common)
}

/// Lines with their byte offsets (read as UTF-8, lossily); line endings CRLF, LF or CR.
fn lines_with_offsets(bytes: &[u8]) -> Vec<(usize, Cow<'_, str>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push((start, String::from_utf8_lossy(&bytes[start..i])));
                start = i + 1;
            }
            b'\r' => {
                out.push((start, String::from_utf8_lossy(&bytes[start..i])));
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        out.push((start, String::from_utf8_lossy(&bytes[start..])));
    }
    out
}

/// Where the returned original starts in a bounce's text, and where the human-readable part
/// before it ends: `(text_end, original_start)` in bytes. Both are line starts.
pub fn find(text: &[u8]) -> Option<(usize, usize)> {
    let lines = lines_with_offsets(text);
    // a marker line, then (after blank lines) a block of header fields
    for (i, (offset, line)) in lines.iter().enumerate() {
        if !is_marker(line) {
            continue;
        }
        let mut j = i + 1;
        while j < lines.len() && lines[j].1.trim().is_empty() {
            j += 1;
        }
        if j >= lines.len() {
            continue;
        }
        let (count, common) = header_run(&lines, j);
        if count >= 2 && common {
            return Some((*offset, lines[j].0));
        }
    }
    // no marker: a Received or Return-Path block in column 0, after some text
    for (i, (offset, line)) in lines.iter().enumerate().skip(1) {
        let lower = line.get(..12).unwrap_or(line.as_ref()).to_ascii_lowercase();
        if !(lower.starts_with("received:") || lower.starts_with("return-path:")) {
            continue;
        }
        let (count, common) = header_run(&lines, i);
        if count >= 3 && common {
            return Some((*offset, *offset));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exim_marker() {
        let t = "This message was created automatically.\n\n  a@example.com\n    550 no\n\n------ This is a copy of the message, including all the headers. ------\n\nReturn-path: <b@example.org>\nReceived: from x by y; Tue, 11 Mar 2025 09:15:42 +0000\nSubject: hi\n\nbody\n";
        let (end, start) = find(t.as_bytes()).unwrap();
        assert!(t[..end].contains("550 no"));
        assert!(t[start..].starts_with("Return-path: <b@example.org>"));
    }

    #[test]
    fn sendmail_original_was_received_is_no_marker() {
        let t = "The original message was received at Wed, 16 Oct 2013\nfrom host [192.0.2.1]\n\n<a@example.com>\n";
        assert_eq!(find(t.as_bytes()), None);
    }

    #[test]
    fn dsn_fields_are_no_original() {
        let t = "Sorry\n\nOriginal message follows:\nReporting-MTA: dns; x\nFinal-Recipient: rfc822; a@b\n";
        assert_eq!(find(t.as_bytes()), None);
    }

    #[test]
    fn unmarked_received_block() {
        let t = "a@example.co.jp Invalid Address\r\nReceived:from mail.example.com by mx\r\nDate:Fri, 12 Dec 2014 10:46:23 +0000\r\nFrom:N <n@example.com>\r\n\r\nbody";
        let (end, start) = find(t.as_bytes()).unwrap();
        assert_eq!(end, start);
        assert!(t[start..].starts_with("Received:from"));
    }
}
