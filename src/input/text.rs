//! Bytes to lines: byte order marks, UTF-16, "is this text at all?", and line splitting.
//!
//! Mail is bytes, not UTF-8: 8-bit Latin-1 or Shift_JIS bodies are normal, so this module
//! keeps bytes as they are and only converts what is clearly a storage format of the file
//! (a UTF-16 save from Notepad, a byte order mark). It must not touch character sets inside
//! the message.

use std::borrow::Cow;

use super::{Repair, RepairKind};
use crate::error::{Error, Result};

/// How much of the input the text checks look at.
const HEAD: usize = 8 * 1024;

/// Text ready to split into lines, and the repair made to get it (if any).
pub(super) struct Decoded<'a> {
    /// The text bytes.
    pub text: Cow<'a, [u8]>,
    /// What was converted, if anything.
    pub repair: Option<Repair>,
}

/// Remove a byte order mark and convert UTF-16 to UTF-8; refuse binary data.
pub(super) fn decode(input: &[u8]) -> Result<Decoded<'_>> {
    let decoded = if let Some(rest) = input.strip_prefix(b"\xEF\xBB\xBF") {
        Decoded {
            text: Cow::Borrowed(rest),
            repair: Some(Repair {
                kind: RepairKind::Decoded,
                description: "removed a utf-8 byte order mark".to_string(),
                touches_message: false,
                headers: Vec::new(),
            }),
        }
    } else if let Some(rest) = input.strip_prefix(b"\xFF\xFE") {
        utf16(rest, Endian::Little, true)
    } else if let Some(rest) = input.strip_prefix(b"\xFE\xFF") {
        utf16(rest, Endian::Big, true)
    } else if let Some(endian) = sniff_utf16(input) {
        utf16(input, endian, false)
    } else {
        Decoded {
            text: Cow::Borrowed(input),
            repair: None,
        }
    };
    check_text(&decoded.text)?;
    Ok(decoded)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

/// UTF-16 without a byte order mark: ASCII text with a NUL after (LE) or before (BE) every
/// character, seen over the first 64 bytes.
fn sniff_utf16(input: &[u8]) -> Option<Endian> {
    let head = input.get(..input.len().min(64))?;
    if head.len() < 8 {
        return None;
    }
    let pairs = head.chunks_exact(2);
    let ascii = |b: u8| b != 0 && b < 0x80;
    if pairs.clone().all(|p| ascii(p[0]) && p[1] == 0) {
        Some(Endian::Little)
    } else if pairs.clone().all(|p| p[0] == 0 && ascii(p[1])) {
        Some(Endian::Big)
    } else {
        None
    }
}

fn utf16(bytes: &[u8], endian: Endian, bom: bool) -> Decoded<'static> {
    let units = bytes.chunks_exact(2).map(|p| match endian {
        Endian::Little => u16::from_le_bytes([p[0], p[1]]),
        Endian::Big => u16::from_be_bytes([p[0], p[1]]),
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut invalid = 0usize;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                invalid += 1;
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    let mut description = format!(
        "decoded utf-16{} text{} to utf-8",
        if endian == Endian::Little { "le" } else { "be" },
        if bom { " with a byte order mark" } else { "" }
    );
    if invalid > 0 {
        description.push_str(&format!(
            ", replacing {invalid} unpaired surrogate{}",
            plural(invalid)
        ));
    }
    if bytes.len() % 2 == 1 {
        description.push_str(", dropping a final odd byte");
    }
    // Pure ASCII is byte for byte the message it was saved from; other characters were
    // re-encoded as UTF-8 and their original charset is unknown.
    let touches_message = !text.is_ascii();
    Decoded {
        text: Cow::Owned(text.into_bytes()),
        repair: Some(Repair {
            kind: RepairKind::Decoded,
            description,
            touches_message,
            headers: Vec::new(),
        }),
    }
}

/// Refuse what is not text. Only the header region is judged (from the first non-blank byte
/// to the first empty line, within the first 8 KB): a message body may legitimately carry NUL
/// bytes (`Content-Transfer-Encoding: binary`, a UTF-16 part) or 8-bit text in any charset.
fn check_text(text: &[u8]) -> Result<()> {
    let skip = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let head = text
        .get(skip..text.len().min(skip + HEAD))
        .unwrap_or_default();
    let region = head.get(..blank_line(head)).unwrap_or(head);
    if region.is_empty() {
        return Ok(());
    }
    if let Some(at) = region.iter().position(|&b| b == 0) {
        return Err(Error::Binary(format!("NUL bytes at offset {}", skip + at)));
    }
    let controls = region.iter().filter(|&&b| is_control(b)).count();
    if controls * 100 > region.len() * 30 {
        return Err(Error::Binary(format!(
            "{}% control bytes in the first {} bytes",
            controls * 100 / region.len(),
            region.len()
        )));
    }
    if let Err(e) = std::str::from_utf8(region)
        && e.error_len().is_some()
    {
        let high = region.iter().filter(|&&b| b >= 0x80).count();
        if high * 100 > region.len() * 30 {
            return Err(Error::Binary(format!(
                "invalid utf-8 and {}% bytes above 0x7f in the first {} bytes, not 8-bit text",
                high * 100 / region.len(),
                region.len()
            )));
        }
    }
    Ok(())
}

/// Offset of the first empty line (`\n\n`, `\r\n\r\n`, `\r\r`), or the length.
fn blank_line(text: &[u8]) -> usize {
    let mut prev_break = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b == b'\n' || b == b'\r' {
            if prev_break {
                return i;
            }
            prev_break = true;
            if b == b'\r' && text.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            prev_break = false;
        }
        i += 1;
    }
    text.len()
}

/// Control bytes that text does not contain. Tab, line breaks, form feed and ESC (ISO-2022-JP
/// switches character sets with it) are text.
fn is_control(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F)
}

/// One line of the text, without its line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Line {
    /// 1-based line number in the input, for descriptions.
    pub no: usize,
    /// Byte range of the line's content in the text (moved on by a dedent).
    pub start: usize,
    pub end: usize,
}

/// The lines of a text and the line breaks seen.
pub(super) struct Split {
    pub lines: Vec<Line>,
    pub crlf: usize,
    pub lf: usize,
    pub cr: usize,
    /// `\r\r\n` taken as one line break (see [`split`]).
    pub crcrlf: usize,
}

/// Split at every `\r\n`, bare `\n` and bare `\r` (RFC 6376 5.3 treats each as a line break).
///
/// One exception: when at least half of the line breaks are `\r\r\n`, the file went through
/// a LF -> CRLF conversion twice, and `\r\r\n` is one line break (otherwise every line would
/// be followed by an empty one and the header block would end after its first line).
pub(super) fn split(text: &[u8]) -> Split {
    let has_cr = memchr::memchr(b'\r', text).is_some();
    let collapse = has_cr && {
        let doubled = memchr::memmem::find_iter(text, b"\r\r\n").count();
        let breaks = memchr::memchr_iter(b'\n', text).count();
        doubled > 0 && doubled * 2 >= breaks
    };
    let mut out = Split {
        lines: Vec::with_capacity(text.len() / 40),
        crlf: 0,
        lf: 0,
        cr: 0,
        crcrlf: 0,
    };
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        // the next line break: memchr for LF-only text, memchr2 when there are CRs
        let found = if has_cr {
            memchr::memchr2(b'\n', b'\r', &text[i..])
        } else {
            memchr::memchr(b'\n', &text[i..])
        };
        let Some(at) = found else { break };
        i += at;
        let b = text[i];
        out.lines.push(Line {
            no: out.lines.len() + 1,
            start,
            end: i,
        });
        if collapse && b == b'\r' && text.get(i + 1..i + 3) == Some(b"\r\n") {
            out.crcrlf += 1;
            i += 2;
        } else if b == b'\r' && text.get(i + 1) == Some(&b'\n') {
            out.crlf += 1;
            i += 1;
        } else if b == b'\r' {
            out.cr += 1;
        } else {
            out.lf += 1;
        }
        start = i + 1;
        i += 1;
    }
    if start < text.len() {
        out.lines.push(Line {
            no: out.lines.len() + 1,
            start,
            end: text.len(),
        });
    }
    out
}

pub(super) use crate::text::plural;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_counts_each_kind_of_line_break() {
        let s = split(b"a\r\nb\nc\rd");
        assert_eq!(s.lines.len(), 4);
        assert_eq!((s.crlf, s.lf, s.cr), (1, 1, 1));
        assert_eq!(
            s.lines[3],
            Line {
                no: 4,
                start: 7,
                end: 8
            }
        );
        let s = split(b"a\n\n");
        assert_eq!(s.lines.len(), 2);
        let s = split(b"a\r\r\nb\r\r\nc\r\n");
        assert_eq!(s.lines.len(), 3);
        assert_eq!((s.crcrlf, s.crlf), (2, 1));
        let s = split(b"a\r\nb\r\nc\r\r\nd\r\n");
        assert_eq!((s.crcrlf, s.crlf, s.cr), (0, 4, 1));
    }

    #[test]
    fn nul_in_header_region_is_binary_but_not_in_body() {
        assert_eq!(
            decode(b"From: a\x00b\n").err(),
            Some(Error::Binary("NUL bytes at offset 7".into()))
        );
        assert!(decode(b"From: a\n\nT\x00e\x00s\x00t\x00").is_ok());
    }

    #[test]
    fn latin1_is_text_random_high_bytes_are_not() {
        assert!(decode(b"Subject: caf\xe9\n\nna\xefve\n").is_ok());
        let junk: Vec<u8> = (0..400u32).map(|i| 0x80 + (i * 7 % 0x7f) as u8).collect();
        assert!(matches!(decode(&junk), Err(Error::Binary(_))));
    }

    #[test]
    fn utf16_is_decoded() {
        let text: Vec<u8> = "From: a@b.example\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let d = decode(&text).unwrap();
        assert_eq!(&*d.text, b"From: a@b.example\r\n");
        let r = d.repair.unwrap();
        assert_eq!(r.description, "decoded utf-16le text to utf-8");
        assert!(!r.touches_message);
    }
}
