//! Splitting an mbox file into its messages, one message held at a time.
//!
//! Separators: a `From ` line at the start of the file or after an empty line, recognised by
//! its shape, `From <sender> <date>` where the date holds a time (`09:15` or `09:15:42`) and an
//! English month name. That covers asctime envelopes (`From a@b Wed Mar 11 09:15:42 2025`),
//! Google Takeout (`From 1234567890@xxx Wed Mar 11 09:15:42 +0000 2025`), Thunderbird
//! (`From - Wed Mar 11 09:15:42 2025`) and UUCP's `remote from host` suffix, and keeps a body
//! line such as `From the start of the year...` from splitting a message. CRLF files work the
//! same way (`\r\n` line ends are part of the message bytes and are kept).
//!
//! Quoting: mboxo and mboxrd cannot be told apart from a file, so every `From ` line of a
//! member that is preceded by one or more `>` loses one `>` (the mboxrd rule). For an mboxrd
//! file this restores every message byte for byte. For an mboxo file it restores every line
//! the writer quoted; only a body line that already read `>From ` before it was stored (mboxo
//! left it as is) loses its `>`, which is the loss mboxo itself makes unavoidable.
//!
//! mboxcl2: a `Content-Length:` field in a member's header block is honoured when the body of
//! that length ends exactly at the end of the file or at the next separator (optionally after
//! one empty line); the body is then taken as it is, with no unquoting (mboxcl2 does not quote),
//! and `From ` lines inside it do not split it. Any other Content-Length (a lie, a count of
//! something else, a header copied from another system) is ignored and the member is scanned.
//!
//! What a message is: the bytes after the envelope line up to the next separator, less the one
//! empty line the writer puts before a separator (or at the end of the file). A member with no
//! header block, or a truncated last member, is yielded as it is: judging it is the analyser's
//! job. Text before the first separator is yielded as a member with no envelope unless it is
//! only whitespace; an empty file yields nothing.
//!
//! Bounded memory: a member larger than the limit is read through and dropped, and yielded as
//! an error naming its offset; lines are read in chunks of at most [`LINE_CHUNK`] bytes.

use std::path::PathBuf;

use super::stream::{Lines, Stream};

/// The longest piece of a line read at once; longer lines are read in pieces.
const LINE_CHUNK: usize = 64 * 1024;
/// The longest line taken as an envelope `From ` line.
const MAX_ENVELOPE: usize = 1000;

/// One member of an mbox.
pub(super) struct Member {
    /// Byte offset of its envelope `From ` line (of its first byte when it has none).
    pub offset: u64,
    pub bytes: Result<Vec<u8>, String>,
}

/// The members of one mbox stream, in order.
pub(super) struct MboxReader {
    path: PathBuf,
    src: Lines,
    max: usize,
    /// The offset of the separator that ended the last member.
    next: Option<u64>,
    started: bool,
    done: bool,
    line: Vec<u8>,
}

impl MboxReader {
    pub(super) fn new(path: PathBuf, stream: Stream, max: usize) -> Self {
        Self {
            path,
            src: Lines::new(stream),
            max,
            next: None,
            started: false,
            done: false,
            line: Vec::new(),
        }
    }

    pub(super) fn path(&self) -> &PathBuf {
        &self.path
    }

    fn read_error(&mut self, offset: u64, e: &std::io::Error) -> Member {
        self.done = true;
        Member {
            offset,
            bytes: Err(format!(
                "cannot read {} at byte {}: {e}",
                self.path.display(),
                self.src.offset()
            )),
        }
    }

    /// Tries the member's `Content-Length` (see the module docs); on success the body is
    /// appended to `buf`, the separator that follows (if any) is left to be read next, and
    /// true is returned. On failure everything read is put back.
    fn content_length(&mut self, n: u64, buf: &mut Vec<u8>) -> std::io::Result<bool> {
        if n > (self.max.saturating_sub(buf.len())) as u64 {
            return Ok(false);
        }
        let mut body = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 20));
        let got = self.src.read_bytes(&mut body, n)?;
        let at_line_start = body.is_empty() || body.ends_with(b"\n");
        if got < n || !at_line_start {
            self.src.unread(&body);
            return Ok(false);
        }
        let mut after = Vec::new();
        let l1 = self.src.read_line(&mut after, MAX_ENVELOPE + 2)?;
        let ok = if l1 == 0 {
            true
        } else if is_separator(&after) {
            self.src.unread(&after);
            true
        } else if is_empty_line(&after) {
            let mut l2 = Vec::new();
            let n2 = self.src.read_line(&mut l2, MAX_ENVELOPE + 2)?;
            if n2 == 0 {
                true
            } else if is_separator(&l2) {
                self.src.unread(&l2);
                true
            } else {
                after.extend_from_slice(&l2);
                false
            }
        } else {
            false
        };
        if ok {
            buf.extend_from_slice(&body);
        } else {
            body.extend_from_slice(&after);
            self.src.unread(&body);
        }
        Ok(ok)
    }
}

impl Iterator for MboxReader {
    type Item = Member;

    fn next(&mut self) -> Option<Member> {
        if self.done {
            return None;
        }
        let (mut offset, mut has_envelope) = match self.next.take() {
            Some(o) => (o, true),
            None if !self.started => (self.src.offset(), false),
            None => {
                self.done = true;
                return None;
            }
        };
        self.started = true;
        let mut buf: Vec<u8> = Vec::new();
        let mut oversized = false;
        // a separator is looked for at the file start and after an empty line
        let mut prev_empty = !has_envelope;
        let mut at_line_start = true;
        let mut in_headers = true;
        let mut content_length: Option<u64> = None;
        let mut by_length = false;
        loop {
            let line_offset = self.src.offset();
            let mut line = std::mem::take(&mut self.line);
            line.clear();
            let n = match self.src.read_line(&mut line, LINE_CHUNK) {
                Ok(n) => n,
                Err(e) => return Some(self.read_error(offset, &e)),
            };
            if n == 0 {
                self.done = true;
                self.line = line;
                break;
            }
            let starts_line = at_line_start;
            at_line_start = line.ends_with(b"\n");
            if starts_line && prev_empty && is_separator(&line) {
                if !has_envelope && !oversized && buf.iter().all(u8::is_ascii_whitespace) {
                    // only blank text before the first separator: not a member
                    offset = line_offset;
                    has_envelope = true;
                    self.line = line;
                    buf.clear();
                    prev_empty = false;
                    in_headers = true;
                    content_length = None;
                    continue;
                }
                self.line = line;
                self.next = Some(line_offset);
                break;
            }
            let empty = starts_line && is_empty_line(&line);
            prev_empty = empty;
            let mut end_of_headers = false;
            if in_headers && starts_line {
                if empty {
                    in_headers = false;
                    end_of_headers = true;
                } else if let Some(n) = content_length_field(&line) {
                    content_length = match content_length {
                        // two different lengths: trust neither
                        Some(m) if m != n => Some(u64::MAX),
                        _ => Some(n),
                    };
                }
            }
            let content = if starts_line && is_quoted_from(&line) {
                &line[1..]
            } else {
                &line[..]
            };
            if !oversized {
                if buf.len() + content.len() > self.max {
                    oversized = true;
                    buf = Vec::new();
                } else {
                    buf.extend_from_slice(content);
                }
            }
            self.line = line;
            if end_of_headers
                && !oversized
                && let Some(n) = content_length.filter(|&n| n != u64::MAX)
            {
                match self.content_length(n, &mut buf) {
                    Ok(true) => {
                        by_length = true;
                        break;
                    }
                    Ok(false) => {}
                    Err(e) => return Some(self.read_error(offset, &e)),
                }
            }
        }
        if by_length {
            // the separator left by `content_length` is read as the next member's envelope
            let mut line = Vec::new();
            let line_offset = self.src.offset();
            match self.src.read_line(&mut line, MAX_ENVELOPE + 2) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.next = Some(line_offset);
                    self.done = false;
                }
                Err(e) => return Some(self.read_error(offset, &e)),
            }
        } else if !has_envelope && buf.iter().all(u8::is_ascii_whitespace) && !oversized {
            // an empty file, or one holding only blank lines: no message
            return None;
        } else {
            strip_separator_line(&mut buf);
        }
        let bytes = if oversized {
            Err(format!(
                "message at byte {offset} of {} is larger than {} bytes (raise the limit with --max-message-bytes)",
                self.path.display(),
                self.max
            ))
        } else {
            Ok(buf)
        };
        Some(Member { offset, bytes })
    }
}

/// True for an mbox envelope line (see the module docs for the shape).
pub(super) fn is_separator(line: &[u8]) -> bool {
    if line.len() > MAX_ENVELOPE + 2 {
        return false;
    }
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let mut tokens = rest
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty());
    match tokens.next() {
        Some(sender) if !sender.ends_with(b":") => {}
        _ => return false,
    }
    let (mut time, mut month) = (false, false);
    for token in tokens {
        time |= is_time(token);
        month |= is_month(token);
    }
    time && month
}

/// `9:15`, `09:15` or `09:15:42`.
fn is_time(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b':');
    let Some(hours) = parts.next() else {
        return false;
    };
    let digits =
        |p: &[u8], min: usize| (min..=2).contains(&p.len()) && p.iter().all(u8::is_ascii_digit);
    if !digits(hours, 1) {
        return false;
    }
    let mut count = 0;
    for part in parts {
        if !digits(part, 2) {
            return false;
        }
        count += 1;
    }
    (1..=2).contains(&count)
}

fn is_month(token: &[u8]) -> bool {
    const MONTHS: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let token = token.strip_suffix(b",").unwrap_or(token);
    token.len() == 3 && MONTHS.iter().any(|m| token.eq_ignore_ascii_case(m))
}

/// `>From `, `>>From `...: a quoted `From ` line.
fn is_quoted_from(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    quotes > 0 && line[quotes..].starts_with(b"From ")
}

fn is_empty_line(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// The value of a `Content-Length:` header field line.
fn content_length_field(line: &[u8]) -> Option<u64> {
    const NAME: &[u8] = b"content-length:";
    if line.len() < NAME.len() || !line[..NAME.len()].eq_ignore_ascii_case(NAME) {
        return None;
    }
    std::str::from_utf8(&line[NAME.len()..])
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Removes the empty line a writer puts before the next separator or the end of the file.
fn strip_separator_line(buf: &mut Vec<u8>) {
    let len = buf.len();
    if buf.ends_with(b"\n\r\n") || buf == b"\r\n" {
        buf.truncate(len - 2);
    } else if buf.ends_with(b"\n\n") || buf == b"\n" {
        buf.truncate(len - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators() {
        assert!(is_separator(
            b"From MAILER-DAEMON Thu Sep 18 17:54:04 2008\n"
        ));
        assert!(is_separator(
            b"From MAILER-DAEMON Thu Sep 18 17:54:04 2008\r\n"
        ));
        assert!(is_separator(
            b"From 1234567890@xxx Wed Mar 11 09:15:42 +0000 2025\n"
        ));
        assert!(is_separator(b"From - Wed Mar 11 09:15:42 2025\n"));
        assert!(is_separator(
            b"From jm@dogma.slashnull.org  Wed May 16 00:40:34 2001\n"
        ));
        assert!(!is_separator(b"From the start of the year we grew\n"));
        assert!(!is_separator(b"From: a@b.example Mar 10:00\n"));
        assert!(!is_separator(b"From \n"));
        assert!(!is_separator(b">From a Wed Mar 11 09:15:42 2025\n"));
    }

    #[test]
    fn quoting_and_lines() {
        assert!(is_quoted_from(b">From x"));
        assert!(is_quoted_from(b">>>From x"));
        assert!(!is_quoted_from(b"From x"));
        assert!(!is_quoted_from(b">Fromage"));
        assert_eq!(content_length_field(b"Content-Length: 12\r\n"), Some(12));
        assert_eq!(content_length_field(b"content-length:x\n"), None);
        let mut b = b"a\n\n".to_vec();
        strip_separator_line(&mut b);
        assert_eq!(b, b"a\n");
        let mut b = b"a\r\n\r\n".to_vec();
        strip_separator_line(&mut b);
        assert_eq!(b, b"a\r\n");
        let mut b = b"a\n".to_vec();
        strip_separator_line(&mut b);
        assert_eq!(b, b"a\n");
    }
}
