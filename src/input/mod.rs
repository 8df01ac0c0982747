//! Input: bytes as people actually have them -> one normalised [`Source`].
//!
//! Why: people bring a message to a header tool in whatever shape their mail client and
//! clipboard gave them, and every later stage wants one thing: the message as it was on the
//! wire. This stage recognises the shape, extracts the message, undoes the damage the copy did,
//! and records every change as a [`Repair`]; nothing is changed silently. The original bytes
//! are kept in [`Source::original`].
//!
//! What it takes:
//!
//! - a raw message (.eml, Thunderbird / Apple Mail "view source"), with LF, CRLF, bare-CR or
//!   mixed line ends ([`InputKind::Raw`]);
//! - a message behind an mbox `From ` line, or the first message of a whole mbox
//!   ([`InputKind::MboxMember`]; see `mbox.rs` for why `>From ` is never unquoted);
//! - Gmail's "Show original" page text ([`InputKind::GmailShowOriginal`]): the summary above
//!   the message becomes [`Source::paste_claims`] (see `gmail.rs`);
//! - Outlook's "Internet headers" / "message details" text ([`InputKind::OutlookHeaders`]):
//!   headers only, maybe behind a caption line, maybe with empty lines between the fields
//!   (see `outlook.rs`);
//! - pastes with text before the headers ("here are the headers:"), leading empty lines, a
//!   common indentation or quote prefix on every line, a surrounding code fence, and header
//!   fields whose folded continuation lines lost their leading whitespace.
//!
//! What comes out: [`Source::message`] with every line ending in CRLF, as on the wire. Storing
//! a message with LF line ends is how files are kept on Unix, so LF -> CRLF is not a repair;
//! bare CR or a mix of line ends is ([`RepairKind::LineEndings`]).
//!
//! `Repair::touches_message` is true only where the repair may have moved the message's bytes
//! away from what was signed: re-folding (the whitespace a continuation lost is guessed as one
//! space), emptying a whitespace-only line taken as the end of the header block, and decoding
//! non-ASCII UTF-16 text (the charset the message had is unknown). It is false for:
//!
//! - removing text around the message (page summaries, captions, the mbox `From ` line, code
//!   fences, further mbox messages): those bytes were never part of the message;
//! - line-end rewrites: DKIM canonicalisation works on CRLF lines and RFC 6376 section 5.3 has
//!   verifiers turn bare CR and LF into CRLF before hashing, so the hash input is the same;
//! - removing an indentation or quote prefix common to the lines: a prefix on every line is not
//!   in the signed original, so removing it restores the original bytes;
//! - removing empty lines between header fields: the fields' bytes are unchanged.
//!
//! Errors ([`Error`]) are only for input that is not a message at all: empty or whitespace
//! ([`Error::Empty`]), binary data ([`Error::Binary`], judged on the header region only, since
//! a body may carry NUL bytes or any 8-bit charset), or text with no plausible header block
//! ([`Error::NoHeaders`]). The size limit ([`Error::TooLarge`]) is the caller's, which knows
//! the options. Every step is linear in the input and no input makes it panic.
//!
//! This module must not parse header semantics (that is `parse/`), must not touch
//! mail-parser, and must not change a byte of the message beyond the recorded repairs: no
//! unfolding, no charset conversion of the message, no `>From ` unquoting.

mod field;
mod gmail;
mod mbox;
mod outlook;
mod text;

pub mod mailbox;

use crate::error::{Error, Result};
use field::{is_wsp, trim};
use text::{Line, plural};

/// How lines ended in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`
    Crlf,
    /// bare `\r`
    Cr,
    /// more than one kind, or `\r\r\n` (a file converted to CRLF twice)
    Mixed,
    /// no line break at all
    None,
}

/// Where the message text came from, as recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// A raw message (.eml) or view-source text.
    Raw,
    /// A message behind an mbox `From ` line.
    MboxMember,
    /// Gmail's "Show original" page text.
    GmailShowOriginal,
    /// Outlook's "Internet headers" text: a header block without a body, behind an Outlook
    /// caption line or holding Exchange fields (`X-MS-*`, `X-Microsoft-*`).
    OutlookHeaders,
}

/// What kind of change a repair made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RepairKind {
    /// Text before the message (a page summary, blank lines, an mbox `From ` line) was dropped.
    StrippedPreamble,
    /// Bare CR or mixed line endings were rewritten to CRLF.
    LineEndings,
    /// An indentation or quote prefix (`> `) common to the lines was removed.
    Dedented,
    /// Continuation lines that lost their leading whitespace were re-folded.
    Refolded,
    /// A byte order mark was removed or UTF-16 text was converted to UTF-8.
    Decoded,
    /// Empty lines between header fields, added by the paste, were removed.
    RemovedBlankLines,
    /// Text after the message (a closing code fence, further mbox messages) was dropped.
    DroppedTrailer,
    /// Something else (described).
    Other,
}

/// One change made to the input, reported as `input-paste-repaired`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Repair {
    /// The kind of change.
    pub kind: RepairKind,
    /// Exactly what was changed, in words (lowercase, no final period).
    pub description: String,
    /// True when the change altered bytes of the message itself (headers or body), so that a
    /// DKIM signature over those bytes may no longer verify; false when only text around the
    /// message was removed.
    pub touches_message: bool,
    /// Names of the header fields whose bytes were changed (empty when none).
    pub headers: Vec<String>,
}

/// A claim shown by a mail client around the pasted message (e.g. Gmail's "SPF: PASS").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PasteClaim {
    /// The label as shown (e.g. `SPF`, `DKIM`, `DMARC`, `Message ID`, `Created at`).
    pub label: String,
    /// The value as shown.
    pub value: String,
}

/// One input, ready to parse.
#[derive(Debug, Clone)]
pub struct Source {
    /// A name for the input (file path or `-`).
    pub name: String,
    /// The bytes exactly as read.
    pub original: Vec<u8>,
    /// The message extracted from the input, repairs applied, every line ending in CRLF (a
    /// last line without a line break gets one). Body bytes are kept as they were.
    pub message: Vec<u8>,
    /// How lines ended in the input.
    pub line_ending: LineEnding,
    /// What was recognised.
    pub kind: InputKind,
    /// Every change made, in order.
    pub repairs: Vec<Repair>,
    /// Claims the mail client showed around the message (Gmail's summary block).
    pub paste_claims: Vec<PasteClaim>,
    /// True when there is no body: nothing but whitespace follows the header block (or no empty
    /// line ends it), or only the MIME skeleton Outlook keeps with its header text (boundary
    /// lines and part headers, no part content).
    pub headers_only: bool,
}

impl Source {
    /// Recognise, extract and repair a message from raw input bytes.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Source> {
        read(name, bytes)
    }
}

/// Recognise, extract and repair a message from raw input bytes.
///
/// Fails only when the input is not a message at all: [`Error::Empty`], [`Error::Binary`] or
/// [`Error::NoHeaders`], each with a detail saying what was seen.
pub fn read(name: &str, bytes: Vec<u8>) -> Result<Source> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Empty);
    }
    let extracted = {
        let decoded = text::decode(&bytes)?;
        if decoded.text.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::Empty);
        }
        Work::new(&decoded.text, decoded.repair).run()?
    };
    Ok(Source {
        name: name.to_string(),
        original: bytes,
        message: extracted.message,
        line_ending: extracted.line_ending,
        kind: extracted.kind,
        repairs: extracted.repairs,
        paste_claims: extracted.claims,
        headers_only: extracted.headers_only,
    })
}

/// How many lines of text may stand before the header block and still be dropped as a
/// preamble ("here are the headers:"); past that the input is not taken for a message.
const MAX_PREAMBLE: usize = 20;

/// How many MIME boundaries of a header block are remembered (a real one declares one).
const MAX_BOUNDARIES: usize = 8;

/// How many lines of a candidate header block are looked at to judge it plausible.
const PLAUSIBLE_WINDOW: usize = 50;

/// What [`Work::run`] extracts.
struct Extracted {
    message: Vec<u8>,
    line_ending: LineEnding,
    kind: InputKind,
    repairs: Vec<Repair>,
    claims: Vec<PasteClaim>,
    headers_only: bool,
}

/// The text being worked on, as lines (byte ranges into the text, moved by a dedent).
struct Work<'t> {
    text: &'t [u8],
    lines: Vec<Line>,
    line_ending: LineEnding,
    repairs: Vec<Repair>,
    claims: Vec<PasteClaim>,
    kind: InputKind,
    /// An Outlook caption line was stripped.
    caption: bool,
}

impl<'t> Work<'t> {
    fn new(text: &'t [u8], decoded: Option<Repair>) -> Work<'t> {
        let split = text::split(text);
        let mut repairs: Vec<Repair> = decoded.into_iter().collect();
        let (crlf, lf, cr, crcrlf) = (split.crlf, split.lf, split.cr, split.crcrlf);
        let kinds = [crlf, lf, cr, crcrlf].iter().filter(|&&n| n > 0).count();
        let line_ending = match (kinds, crlf, lf) {
            (0, _, _) => LineEnding::None,
            (1, 1.., _) => LineEnding::Crlf,
            (1, _, 1..) => LineEnding::Lf,
            (1, _, _) if cr > 0 => LineEnding::Cr,
            _ => LineEnding::Mixed,
        };
        if matches!(line_ending, LineEnding::Cr | LineEnding::Mixed) || crcrlf > 0 {
            let mut rewritten = Vec::new();
            if crcrlf > 0 {
                rewritten.push(format!("{crcrlf} doubled cr cr lf"));
            }
            if lf > 0 {
                rewritten.push(format!("{lf} lf"));
            }
            if cr > 0 {
                rewritten.push(format!("{cr} bare cr"));
            }
            let total = lf + cr + crcrlf;
            let mut description = format!(
                "rewrote {} line end{} to crlf",
                rewritten.join(" and "),
                plural(total)
            );
            if crlf > 0 {
                description.push_str(&format!(
                    " ({crlf} {} crlf already)",
                    if crlf == 1 { "was" } else { "were" }
                ));
            }
            repairs.push(Repair {
                kind: RepairKind::LineEndings,
                description,
                touches_message: false,
                headers: Vec::new(),
            });
        }
        Work {
            text,
            lines: split.lines,
            line_ending,
            repairs,
            claims: Vec::new(),
            kind: InputKind::Raw,
            caption: false,
        }
    }

    /// The bytes of line `i` (empty when out of range).
    fn line(&self, i: usize) -> &'t [u8] {
        let text: &'t [u8] = self.text;
        self.lines
            .get(i)
            .and_then(|l| text.get(l.start..l.end))
            .unwrap_or_default()
    }

    /// True when line `i` is empty or whitespace only.
    fn blank(&self, i: usize) -> bool {
        trim(self.line(i)).is_empty()
    }

    /// The input line number of line `i`.
    fn no(&self, i: usize) -> usize {
        self.lines.get(i).map_or(0, |l| l.no)
    }

    /// The first non-blank line at or after `i` (or `end`).
    fn skip_blank(&self, mut i: usize, end: usize) -> usize {
        while i < end && self.blank(i) {
            i += 1;
        }
        i
    }

    fn push(&mut self, kind: RepairKind, description: String, touches: bool, headers: Vec<String>) {
        self.repairs.push(Repair {
            kind,
            description,
            touches_message: touches,
            headers,
        });
    }

    /// Record the removal of lines `from..to` before the message.
    fn strip(&mut self, from: usize, to: usize, what: &str) {
        if to > from {
            let lines = range(self.no(from), self.no(to - 1));
            self.push(
                RepairKind::StrippedPreamble,
                format!("removed {what} ({lines})"),
                false,
                Vec::new(),
            );
        }
    }

    fn run(mut self) -> Result<Extracted> {
        let mut end = self.lines.len();
        let mut pos = 0;

        // Text around the message that we recognise.
        let first = self.skip_blank(pos, end);
        if first < end && mbox::is_first_line(self.line(first)) {
            self.kind = InputKind::MboxMember;
            let next = self.skip_blank(first + 1, end);
            self.strip(pos, next, "the mbox 'From ' separator line");
            pos = next;
        } else if let Some(block) =
            gmail::detect(self.text, self.lines.get(first..end).unwrap_or_default())
        {
            self.kind = InputKind::GmailShowOriginal;
            let rows = block.claims.len();
            self.claims = block.claims;
            let next = first + block.lines;
            self.strip(
                pos,
                next,
                &format!(
                    "gmail's show original summary of {rows} row{}",
                    plural(rows)
                ),
            );
            pos = next;
        } else if first < end && outlook::is_caption(self.line(first)) {
            self.caption = true;
            let mut next = first;
            let mut shown = Vec::new();
            while next < end && outlook::is_caption(self.line(next)) {
                shown.push(format!(
                    "'{}'",
                    String::from_utf8_lossy(trim(self.line(next)))
                ));
                next = self.skip_blank(next + 1, end);
            }
            let what = format!(
                "the caption line{} {}",
                plural(shown.len()),
                shown.join(", ")
            );
            self.strip(pos, next, &what);
            pos = next;
        }

        // Any other text before the header block.
        let (start, prefix) = self.find_start(pos, end)?;
        let fenced = (pos..start).any(|i| is_fence(self.line(i), false));
        if start > pos {
            let text_lines = (pos..start).filter(|&i| !self.blank(i)).count();
            let what = if text_lines == 0 {
                let n = start - pos;
                format!("{n} blank line{} before the header block", plural(n))
            } else {
                format!(
                    "{text_lines} line{} of text before the header block",
                    plural(text_lines)
                )
            };
            self.strip(pos, start, &what);
        }

        // A code fence around a paste: drop the closing fence and what follows it.
        if fenced && let Some(close) = (start + 1..end).find(|&i| is_fence(self.line(i), true)) {
            let after = end - close - 1;
            let what = if after == 0 {
                "the closing code fence".to_string()
            } else {
                format!(
                    "the closing code fence and the {after} line{} after it",
                    plural(after)
                )
            };
            let lines = range(self.no(close), self.no(end - 1));
            self.push(
                RepairKind::DroppedTrailer,
                format!("removed {what} ({lines})"),
                false,
                Vec::new(),
            );
            end = close;
        }

        // A common indentation or quote prefix, and the end of the header block.
        let mut dedented = Vec::new();
        let mut block_end = end;
        for i in start..end {
            self.dedent(i, prefix, &mut dedented);
            if self.blank(i) {
                block_end = i;
                break;
            }
        }
        let mut body_kept = false;
        if !prefix.is_empty() && block_end < end {
            let all = (block_end + 1..end).all(|i| {
                let l = self.line(i);
                l.starts_with(prefix) || prefix.starts_with(l.trim_ascii_end())
            });
            if all {
                for i in block_end + 1..end {
                    self.dedent(i, prefix, &mut dedented);
                }
            } else {
                body_kept = (block_end + 1..end).any(|i| !self.blank(i));
            }
        }
        if !dedented.is_empty() {
            let n = dedented.len();
            let mut description = format!(
                "removed {} from {n} line{} ({})",
                describe_prefix(prefix),
                plural(n),
                list(&dedented)
            );
            if body_kept {
                description.push_str(", the header block only: the body is not indented alike");
            }
            self.push(RepairKind::Dedented, description, false, Vec::new());
        }

        // Fields, and continuation lines that lost their leading whitespace.
        let mut refold = vec![false; self.lines.len()];
        let mut names: Vec<&'t [u8]> = Vec::new();
        let mut current: &'t [u8] = field::name(self.line(start)).unwrap_or_default();
        names.push(current);
        let mut refolded = Vec::new();
        let mut refolded_names: Vec<String> = Vec::new();
        // The first body line; an empty line is inserted before it when the body starts with a
        // MIME boundary right after the last field.
        let mut boundary_at = None;
        let mut declared: Option<Vec<&[u8]>> = None;
        for i in start + 1..block_end {
            let l = self.line(i);
            if l.first().is_some_and(|&b| is_wsp(b)) {
                continue;
            }
            // A line after one that ends with ':' and whose value follows its colon without a
            // space continues a list that the clipboard broke after a colon: a DKIM `h=` tag
            // (`h=from:to:subject:` / `references:mime-version:...`), not a `References` field.
            let continues_list = self.line(i - 1).trim_ascii_end().ends_with(b":")
                && field::split(l).is_some_and(|(_, v)| v.first().is_some_and(|&b| !is_wsp(b)));
            if !continues_list && let Some(name) = field::plausible_start(l) {
                current = name;
                names.push(name);
                continue;
            }
            let boundary = l.strip_prefix(b"--").map(|rest| {
                let rest = rest.trim_ascii_end();
                rest.strip_suffix(b"--").unwrap_or(rest)
            });
            if let Some(token) = boundary
                && declared
                    .get_or_insert_with(|| self.boundaries(start, block_end))
                    .contains(&token)
            {
                boundary_at = Some(i);
                break;
            }
            if let Some(flag) = refold.get_mut(i) {
                *flag = true;
            }
            refolded.push(self.no(i));
            let name = String::from_utf8_lossy(current).into_owned();
            if !refolded_names.contains(&name) {
                refolded_names.push(name);
            }
        }
        if !refolded.is_empty() {
            let n = refolded.len();
            let description = format!(
                "re-folded {n} line{} of {} that lost {} leading whitespace ({})",
                plural(n),
                refolded_names.join(", "),
                if n == 1 { "its" } else { "their" },
                list(&refolded)
            );
            self.push(RepairKind::Refolded, description, true, refolded_names);
        }
        let inserted = boundary_at.is_some();
        let body_start = match boundary_at {
            Some(i) => {
                block_end = i;
                i
            }
            None => block_end + 1,
        };
        if inserted {
            let no = self.no(block_end);
            self.push(
                RepairKind::Other,
                format!(
                    "inserted an empty line before line {no}, where a mime boundary starts the body right after the header fields"
                ),
                true,
                Vec::new(),
            );
        }

        // Further messages of an mbox.
        if self.kind == InputKind::MboxMember && block_end < end {
            let separators: Vec<usize> = (body_start..end)
                .filter(|&i| self.blank(i - 1) && mbox::is_separator(self.line(i)))
                .collect();
            if let Some(&next) = separators.first() {
                let cut = next - 1;
                let n = separators.len();
                let lines = range(self.no(cut), self.no(end - 1));
                self.push(
                    RepairKind::DroppedTrailer,
                    format!(
                        "removed {n} further mbox message{} after the first ({lines})",
                        plural(n)
                    ),
                    false,
                    Vec::new(),
                );
                end = cut.max(block_end);
            }
        }

        // Empty lines between header fields (a paste of Outlook's header text).
        let mut dropped = vec![false; self.lines.len()];
        if block_end < end
            && !inserted
            && !self.declares_embedded_message(start, block_end)
            && outlook::fields_continue((block_end..end).map(|i| self.line(i)))
        {
            let mut removed = Vec::new();
            for i in block_end..end {
                let l = self.line(i);
                if trim(l).is_empty() {
                    if let Some(flag) = dropped.get_mut(i) {
                        *flag = true;
                    }
                    removed.push(self.no(i));
                } else if let Some(name) = field::plausible_start(l) {
                    names.push(name);
                }
            }
            let n = removed.len();
            self.push(
                RepairKind::RemovedBlankLines,
                format!(
                    "removed {n} blank line{} between header fields ({})",
                    plural(n),
                    list(&removed)
                ),
                false,
                Vec::new(),
            );
            block_end = end;
        }

        // A separator line that holds whitespace.
        if block_end < end && !inserted && !self.line(block_end).is_empty() {
            let no = self.no(block_end);
            if let Some(l) = self.lines.get_mut(block_end) {
                l.end = l.start;
            }
            let last = names.last().copied().unwrap_or_default();
            self.push(
                RepairKind::Other,
                format!(
                    "emptied line {no}, which held only whitespace, taking it as the end of the header block"
                ),
                true,
                vec![String::from_utf8_lossy(last).into_owned()],
            );
        }

        let headers_only =
            block_end >= end || outlook::no_body((body_start..end).map(|i| self.line(i)));
        if self.kind == InputKind::Raw
            && headers_only
            && (self.caption || names.iter().any(|n| field::microsoft(n)))
        {
            self.kind = InputKind::OutlookHeaders;
        }

        let mut message = Vec::with_capacity(self.text.len() + (end - start) + 16);
        for i in start..end {
            if dropped.get(i).copied().unwrap_or(false) {
                continue;
            }
            if inserted && i == body_start {
                message.extend_from_slice(b"\r\n");
            }
            if refold.get(i).copied().unwrap_or(false) {
                message.push(b' ');
            }
            message.extend_from_slice(self.line(i));
            message.extend_from_slice(b"\r\n");
        }
        Ok(Extracted {
            message,
            line_ending: self.line_ending,
            kind: self.kind,
            repairs: self.repairs,
            claims: self.claims,
            headers_only,
        })
    }

    /// The first line of the header block at or after `from`, and the indentation or quote
    /// prefix it has.
    ///
    /// The block starts at the first line that is a plausible field start (after a prefix of
    /// spaces, tabs and `>`) and begins a plausible block. Up to [`MAX_PREAMBLE`] other lines of
    /// text may stand before it.
    fn find_start(&self, from: usize, to: usize) -> Result<(usize, &'t [u8])> {
        let mut text_lines = 0;
        let mut first_field: Option<(usize, String)> = None;
        for i in from..to {
            let l = self.line(i);
            if trim(l).is_empty() {
                continue;
            }
            let plen = l.iter().take_while(|&&b| is_wsp(b) || b == b'>').count();
            let (prefix, rest) = l.split_at(plen);
            if let Some(name) = field::plausible_start(rest) {
                first_field.get_or_insert_with(|| {
                    (self.no(i), String::from_utf8_lossy(name).into_owned())
                });
                // "Headers:" alone above the block is a caption, not a field.
                let value = field::split(rest).map_or(&b""[..], |(_, v)| v);
                let caption = !field::known(name) && trim(value).is_empty();
                if !caption && self.plausible_block(i, prefix, to) {
                    return Ok((i, prefix));
                }
            }
            text_lines += 1;
            if text_lines >= MAX_PREAMBLE {
                return Err(Error::NoHeaders(format!(
                    "no header block within the first {MAX_PREAMBLE} lines of text"
                )));
            }
        }
        Err(Error::NoHeaders(match first_field {
            Some((no, name)) => format!(
                "'{name}:' at line {no} is not a known header name and no second field follows it"
            ),
            None if text_lines == 0 => "nothing after the mail client's summary".to_string(),
            None => format!(
                "no line of the form 'Name: value' in {text_lines} line{} of text",
                plural(text_lines)
            ),
        }))
    }

    /// A block (up to the first empty line) is plausible when it has a known header name or at
    /// least two fields in RFC 5322 syntax.
    fn plausible_block(&self, start: usize, prefix: &[u8], to: usize) -> bool {
        let mut fields = 0;
        for j in start..to.min(start + PLAUSIBLE_WINDOW) {
            let l = self.line(j);
            let l = l.strip_prefix(prefix).unwrap_or(l);
            if trim(l).is_empty() {
                break;
            }
            if let Some(name) = field::name(l) {
                if field::known(name) && field::plausible_start(l).is_some() {
                    return true;
                }
                fields += 1;
                if fields >= 2 {
                    return true;
                }
            }
        }
        false
    }

    /// Remove `prefix` from line `i`; a line that is a shortened prefix (a blank line of an
    /// indented or quoted block) becomes empty.
    fn dedent(&mut self, i: usize, prefix: &[u8], changed: &mut Vec<usize>) {
        if prefix.is_empty() {
            return;
        }
        let l = self.line(i);
        let cut = if l.starts_with(prefix) {
            prefix.len()
        } else if !l.is_empty() && prefix.starts_with(l.trim_ascii_end()) {
            l.len()
        } else {
            return;
        };
        if let Some(line) = self.lines.get_mut(i) {
            line.start = (line.start + cut).min(line.end);
            changed.push(line.no);
        }
    }

    /// The MIME boundaries declared (`boundary=`, `boundary = "..."`) in lines `start..end`.
    fn boundaries(&self, start: usize, end: usize) -> Vec<&'t [u8]> {
        const PARAM: &[u8] = b"boundary";
        let mut out = Vec::new();
        for i in start..end {
            let mut l = self.line(i);
            while let Some(at) = l
                .windows(PARAM.len())
                .position(|w| w.eq_ignore_ascii_case(PARAM))
            {
                l = l.get(at + PARAM.len()..).unwrap_or_default();
                let Some(value) = l.trim_ascii_start().strip_prefix(b"=") else {
                    continue;
                };
                let value = value.trim_ascii_start();
                let token = match value.strip_prefix(b"\"") {
                    Some(quoted) => quoted.split(|&b| b == b'"').next(),
                    None => value.split(|&b| b == b';' || is_wsp(b)).next(),
                };
                if let Some(token) = token.filter(|t| !t.is_empty()) {
                    out.push(token);
                }
                if out.len() >= MAX_BOUNDARIES {
                    return out;
                }
            }
        }
        out
    }

    /// True when the header block says the body is itself a message or a header block
    /// (`message/rfc822`, `text/rfc822-headers`), whose fields must not be joined to ours.
    fn declares_embedded_message(&self, start: usize, end: usize) -> bool {
        (start..end).any(|i| {
            let l = self.line(i);
            field::starts_with_ignore_case(l, b"content-type:")
                && l.windows(6).any(|w| w.eq_ignore_ascii_case(b"rfc822"))
        })
    }
}

/// A Markdown code fence line (```` ``` ```` or `~~~`); `closing` wants the bare fence.
fn is_fence(line: &[u8], closing: bool) -> bool {
    let t = trim(line);
    let fence = |c: u8| {
        let n = t.iter().take_while(|&&b| b == c).count();
        n >= 3 && (!closing || n == t.len())
    };
    fence(b'`') || fence(b'~')
}

/// "a common indentation of 4 spaces", "the quote prefix '> '".
fn describe_prefix(prefix: &[u8]) -> String {
    let n = prefix.len();
    if prefix.contains(&b'>') {
        format!("the quote prefix '{}'", String::from_utf8_lossy(prefix))
    } else if prefix.iter().all(|&b| b == b' ') {
        format!("a common indentation of {n} space{}", plural(n))
    } else if prefix.iter().all(|&b| b == b'\t') {
        format!("a common indentation of {n} tab{}", plural(n))
    } else {
        format!("a common indentation of {n} characters (tabs and spaces)")
    }
}

/// "line 4" or "lines 4-9".
fn range(a: usize, b: usize) -> String {
    if a == b {
        format!("line {a}")
    } else {
        format!("lines {a}-{b}")
    }
}

/// Line numbers as runs: "line 5", "lines 5, 9-10", capped at 8 runs ("and 12 more").
fn list(nos: &[usize]) -> String {
    const MAX_RUNS: usize = 8;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &n in nos {
        match runs.last_mut() {
            Some((_, b)) if *b + 1 == n => *b = n,
            _ => runs.push((n, n)),
        }
    }
    let shown: Vec<String> = runs
        .iter()
        .take(MAX_RUNS)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    let mut out = format!(
        "{} {}",
        if nos.len() == 1 { "line" } else { "lines" },
        shown.join(", ")
    );
    if runs.len() > MAX_RUNS {
        let more: usize = runs.iter().skip(MAX_RUNS).map(|&(a, b)| b - a + 1).sum();
        out.push_str(&format!(" and {more} more"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read `input`, which must succeed, and check what holds for every source.
    fn ok(input: &[u8]) -> Source {
        let source = match read("test", input.to_vec()) {
            Ok(source) => source,
            Err(e) => panic!("{e} for {:?}", String::from_utf8_lossy(input)),
        };
        assert_eq!(source.original, input);
        let m = &source.message;
        for (i, &b) in m.iter().enumerate() {
            if b == b'\n' {
                assert_eq!(i.checked_sub(1).map(|p| m[p]), Some(b'\r'), "LF at {i}");
            }
            if b == b'\r' {
                assert_eq!(m.get(i + 1), Some(&b'\n'), "bare CR at {i}");
            }
        }
        for r in &source.repairs {
            let d = &r.description;
            assert!(!d.ends_with('.'), "{d}");
            assert!(d.chars().next().is_some_and(char::is_lowercase), "{d}");
        }
        source
    }

    fn err(input: &[u8]) -> Error {
        match read("test", input.to_vec()) {
            Ok(s) => panic!("read {:?}", String::from_utf8_lossy(&s.message)),
            Err(e) => e,
        }
    }

    fn descriptions(source: &Source) -> Vec<(RepairKind, &str, bool)> {
        source
            .repairs
            .iter()
            .map(|r| (r.kind, r.description.as_str(), r.touches_message))
            .collect()
    }

    const LF: &[u8] = b"Received: from a.example (a.example [192.0.2.1])\n\tby b.example with ESMTP id 1;\n\tMon, 28 Oct 2024 06:00:00 +0000\nFrom: Ann <ann@a.example>\nTo: bob@b.example\nSubject: hi\n\nHello Bob,\n>From here on\n";
    const CRLF: &[u8] = b"Received: from a.example (a.example [192.0.2.1])\r\n\tby b.example with ESMTP id 1;\r\n\tMon, 28 Oct 2024 06:00:00 +0000\r\nFrom: Ann <ann@a.example>\r\nTo: bob@b.example\r\nSubject: hi\r\n\r\nHello Bob,\r\n>From here on\r\n";

    fn with_endings(text: &[u8], ending: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for &b in text {
            if b == b'\n' {
                out.extend_from_slice(ending);
            } else {
                out.push(b);
            }
        }
        out
    }

    #[test]
    fn empty_and_whitespace_are_empty() {
        assert_eq!(err(b""), Error::Empty);
        assert_eq!(err(b" \r\n\t\n"), Error::Empty);
        assert_eq!(err(b"\xFF\xFE \x00\n\x00"), Error::Empty);
    }

    #[test]
    fn binary_is_refused_with_where() {
        assert_eq!(
            err(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            Error::Binary("NUL bytes at offset 8".into())
        );
        assert_eq!(
            err(b"Subject: a\x00b"),
            Error::Binary("NUL bytes at offset 10".into())
        );
        let controls: Vec<u8> = (0..100)
            .map(|i| if i % 2 == 0 { 1 } else { b'a' })
            .collect();
        assert!(matches!(err(&controls), Error::Binary(d) if d.starts_with("50% control bytes")));
    }

    #[test]
    fn nul_bytes_in_a_body_are_data() {
        let s = ok(b"Content-Type: text/plain; charset=utf-16le\nContent-Transfer-Encoding: binary\n\nT\x00e\x00\n");
        assert!(s.message.ends_with(b"\r\n\r\nT\x00e\x00\r\n"));
    }

    #[test]
    fn lf_to_crlf_is_not_a_repair() {
        let s = ok(LF);
        assert_eq!(s.message, CRLF);
        assert_eq!(s.line_ending, LineEnding::Lf);
        assert_eq!(s.kind, InputKind::Raw);
        assert!(s.repairs.is_empty());
        assert!(!s.headers_only);
        assert!(s.paste_claims.is_empty());
    }

    #[test]
    fn crlf_is_kept() {
        let s = ok(CRLF);
        assert_eq!(s.message, CRLF);
        assert_eq!(s.line_ending, LineEnding::Crlf);
        assert!(s.repairs.is_empty());
    }

    #[test]
    fn bare_cr_is_a_repair_that_does_not_touch_the_message() {
        let s = ok(&with_endings(LF, b"\r"));
        assert_eq!(s.message, CRLF);
        assert_eq!(s.line_ending, LineEnding::Cr);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::LineEndings,
                "rewrote 9 bare cr line ends to crlf",
                false
            )]
        );
    }

    #[test]
    fn mixed_line_ends_are_a_repair() {
        let mut input = CRLF[..CRLF.len() - 2].to_vec();
        input.extend_from_slice(b"\nmore\rend\n");
        let s = ok(&input);
        assert_eq!(s.line_ending, LineEnding::Mixed);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::LineEndings,
                "rewrote 2 lf and 1 bare cr line ends to crlf (8 were crlf already)",
                false
            )]
        );
        assert!(s.message.ends_with(b">From here on\r\nmore\r\nend\r\n"));
    }

    #[test]
    fn doubled_crlf_conversion_is_one_line_break() {
        let s = ok(&with_endings(LF, b"\r\r\n"));
        assert_eq!(s.message, CRLF);
        assert_eq!(s.line_ending, LineEnding::Mixed);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::LineEndings,
                "rewrote 9 doubled cr cr lf line ends to crlf",
                false
            )]
        );
    }

    #[test]
    fn no_line_break_at_all() {
        let s = ok(b"Subject: one line");
        assert_eq!(s.line_ending, LineEnding::None);
        assert_eq!(s.message, b"Subject: one line\r\n");
        assert!(s.headers_only);
    }

    #[test]
    fn mbox_from_line_is_stripped_and_from_quoting_kept() {
        let mut input = b"From ann@a.example Mon Oct 28 06:00:00 2024\n".to_vec();
        input.extend_from_slice(LF);
        let s = ok(&input);
        assert_eq!(s.kind, InputKind::MboxMember);
        assert_eq!(s.message, CRLF, ">From stays quoted");
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::StrippedPreamble,
                "removed the mbox 'From ' separator line (line 1)",
                false
            )]
        );
    }

    #[test]
    fn further_mbox_messages_are_dropped() {
        let mut input = b"From ann@a.example Mon Oct 28 06:00:00 2024\n".to_vec();
        input.extend_from_slice(LF);
        input.extend_from_slice(
            b"\nFrom bob@b.example Mon Oct 28 07:00:00 2024\nSubject: two\n\nx\n",
        );
        input.extend_from_slice(
            b"\nFrom bob@b.example Mon Oct 28 08:00:00 2024\nSubject: three\n\ny\n",
        );
        let s = ok(&input);
        assert_eq!(s.message, CRLF);
        assert_eq!(
            descriptions(&s)[1],
            (
                RepairKind::DroppedTrailer,
                "removed 2 further mbox messages after the first (lines 11-20)",
                false
            )
        );
    }

    const GMAIL: &str = "Original Message\n\
        Message ID\t<CAF1@mail.gmail.com>\n\
        Created at:\tMon, Oct 28, 2024 at 6:00 AM (Delivered after 2 seconds)\n\
        From:\tAnn <ann@a.example>\n\
        To:\tbob@b.example\n\
        Subject:\thi\n\
        SPF:\tPASS with IP 209.85.220.41 Learn more\n\
        DKIM:\t'PASS' with domain gmail.com Learn more\n\
        DMARC:\t'PASS' Learn more\n\
        Download original\n\
        Copy to clipboard\n\
        Delivered-To: bob@b.example\n";

    fn gmail_input(summary: &str) -> Vec<u8> {
        let mut input = summary.as_bytes().to_vec();
        input.extend_from_slice(LF);
        input
    }

    fn expected_message() -> Vec<u8> {
        let mut m = b"Delivered-To: bob@b.example\r\n".to_vec();
        m.extend_from_slice(CRLF);
        m
    }

    fn claims(s: &Source) -> Vec<(&str, &str)> {
        s.paste_claims
            .iter()
            .map(|c| (c.label.as_str(), c.value.as_str()))
            .collect()
    }

    #[test]
    fn gmail_show_original() {
        let s = ok(&gmail_input(GMAIL));
        assert_eq!(s.kind, InputKind::GmailShowOriginal);
        assert_eq!(s.message, expected_message());
        assert_eq!(
            claims(&s),
            [
                ("Message ID", "<CAF1@mail.gmail.com>"),
                (
                    "Created at",
                    "Mon, Oct 28, 2024 at 6:00 AM (Delivered after 2 seconds)"
                ),
                ("From", "Ann <ann@a.example>"),
                ("To", "bob@b.example"),
                ("Subject", "hi"),
                ("SPF", "PASS with IP 209.85.220.41"),
                ("DKIM", "'PASS' with domain gmail.com"),
                ("DMARC", "'PASS'"),
            ]
        );
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::StrippedPreamble,
                "removed gmail's show original summary of 8 rows (lines 1-11)",
                false
            )]
        );
    }

    #[test]
    fn gmail_variants() {
        // Runs of spaces, no colons, one button line, Windows line ends, blank lines around.
        let spaces = "\nOriginal message\n\nMessage ID   <CAF1@mail.gmail.com>\nCreated at   Mon, Oct 28, 2024 at 6:00 AM\nDelivered after 2 seconds\nFrom   Ann <ann@a.example>\nSPF   PASS with IP 209.85.220.41   Learn more\nDKIM   'PASS' with domain gmail.com   Learn more\nDMARC   'PASS'   Learn more\nDownload original\tCopy to clipboard\n\nDelivered-To: bob@b.example\n";
        let s = ok(&with_endings(&gmail_input(spaces), b"\r\n"));
        assert_eq!(s.kind, InputKind::GmailShowOriginal);
        assert_eq!(s.message, expected_message());
        assert_eq!(
            claims(&s)[1],
            (
                "Created at",
                "Mon, Oct 28, 2024 at 6:00 AM Delivered after 2 seconds"
            )
        );
        assert_eq!(claims(&s)[5], ("DMARC", "'PASS'"));
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::StrippedPreamble,
                "removed gmail's show original summary of 6 rows (lines 1-12)",
                false
            )]
        );

        // No buttons at all: the block ends after DMARC.
        let bare = GMAIL
            .replace("Download original\n", "")
            .replace("Copy to clipboard\n", "");
        let s = ok(&gmail_input(&bare));
        assert_eq!(s.kind, InputKind::GmailShowOriginal);
        assert_eq!(s.message, expected_message());
        assert_eq!(s.paste_claims.len(), 8);

        // No "Download original", no title.
        let no_title = GMAIL
            .replace("Original Message\n", "")
            .replace("Download original\n", "");
        let s = ok(&gmail_input(&no_title));
        assert_eq!(s.kind, InputKind::GmailShowOriginal);
        assert_eq!(s.message, expected_message());
    }

    #[test]
    fn gmail_summary_without_message_has_no_headers() {
        let summary = GMAIL.replace("Delivered-To: bob@b.example\n", "");
        assert!(matches!(err(summary.as_bytes()), Error::NoHeaders(_)));
    }

    const OUTLOOK: &[u8] = b"Received: from AM0PR01MB1234.eurprd01.prod.outlook.com (2603:10a6:208:1::1)\n by AM0PR01MB5678.eurprd01.prod.outlook.com with HTTPS; Mon, 28 Oct 2024 06:00:02 +0000\nFrom: Ann <ann@a.example>\nTo: bob@b.example\nSubject: hi\nX-MS-Exchange-Organization-SCL: 1\nX-MS-Exchange-CrossTenant-Id: 0000\nMIME-Version: 1.0";

    #[test]
    fn outlook_internet_headers() {
        let s = ok(OUTLOOK);
        assert_eq!(s.kind, InputKind::OutlookHeaders);
        assert!(s.headers_only);
        assert!(s.repairs.is_empty());
        assert!(s.message.ends_with(b"MIME-Version: 1.0\r\n"));

        let mut captioned = b"Internet headers\n".to_vec();
        captioned.extend_from_slice(OUTLOOK);
        captioned.extend_from_slice(b"\n\n  \n");
        let s = ok(&captioned);
        assert_eq!(s.kind, InputKind::OutlookHeaders);
        assert!(s.headers_only);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::StrippedPreamble,
                "removed the caption line 'Internet headers' (line 1)",
                false
            )]
        );
    }

    #[test]
    fn outlook_exchange_header_text_with_mime_skeleton() {
        let input = b"Microsoft Mail Internet Headers Version 2.0\r\nReceived: from a.corp ([10.0.0.1]) by b.corp with Microsoft SMTPSVC(6.0.3790.4675);\r\n\t Mon, 22 Jul 2013 12:07:09 +0200\r\nContent-Type: multipart/alternative;\r\n\tboundary=\"----_=_NextPart_001_01CC9A5A\"\r\nSubject: hi\r\n\r\n------_=_NextPart_001_01CC9A5A\r\nContent-Type: text/plain;\r\n\tcharset=\"US-ASCII\"\r\n\r\n------_=_NextPart_001_01CC9A5A--\r\n";
        let s = ok(input);
        assert_eq!(s.kind, InputKind::OutlookHeaders);
        assert!(s.headers_only);
        assert!(s.message.starts_with(b"Received: from a.corp"));
    }

    #[test]
    fn outlook_headers_pasted_with_empty_lines_between_fields() {
        let input = b"Received: from a.example by b.example;\n Mon, 28 Oct 2024 06:00:00 +0000\n\nX-MS-Exchange-Organization-SCL: 1\n\nFrom: Ann <ann@a.example>\n\nSubject: hi\n";
        let s = ok(input);
        assert_eq!(s.kind, InputKind::OutlookHeaders);
        assert!(s.headers_only);
        assert_eq!(
            s.message,
            b"Received: from a.example by b.example;\r\n Mon, 28 Oct 2024 06:00:00 +0000\r\nX-MS-Exchange-Organization-SCL: 1\r\nFrom: Ann <ann@a.example>\r\nSubject: hi\r\n"
        );
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::RemovedBlankLines,
                "removed 3 blank lines between header fields (lines 3, 5, 7)",
                false
            )]
        );
    }

    #[test]
    fn a_body_of_name_value_lines_stays_a_body() {
        let input = b"From: form@a.example\nSubject: contact\n\nName: John\nPhone: 123\n";
        let s = ok(input);
        assert!(!s.headers_only);
        assert!(s.repairs.is_empty());
        assert!(s.message.ends_with(b"\r\n\r\nName: John\r\nPhone: 123\r\n"));
    }

    #[test]
    fn leading_blank_lines_are_stripped() {
        let mut input = b"\n \n".to_vec();
        input.extend_from_slice(LF);
        let s = ok(&input);
        assert_eq!(s.message, CRLF);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::StrippedPreamble,
                "removed 2 blank lines before the header block (lines 1-2)",
                false
            )]
        );
    }

    #[test]
    fn a_greeting_before_the_headers_is_stripped() {
        let mut input = b"Hi team,\nhere are the headers:\n\n".to_vec();
        input.extend_from_slice(LF);
        let s = ok(&input);
        assert_eq!(s.message, CRLF);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::StrippedPreamble,
                "removed 2 lines of text before the header block (lines 1-3)",
                false
            )]
        );
        // A caption that looks like an empty field is text too.
        let mut input = b"Headers:\n".to_vec();
        input.extend_from_slice(LF);
        assert_eq!(ok(&input).message, CRLF);
    }

    #[test]
    fn a_common_indentation_is_removed() {
        let indented: Vec<u8> = LF
            .split_inclusive(|&b| b == b'\n')
            .flat_map(|l| {
                let mut v = if l == b"\n" {
                    Vec::new()
                } else {
                    b"    ".to_vec()
                };
                v.extend_from_slice(l);
                v
            })
            .collect();
        let s = ok(&indented);
        assert_eq!(s.message, CRLF);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::Dedented,
                "removed a common indentation of 4 spaces from 8 lines (lines 1-6, 8-9)",
                false
            )]
        );
    }

    #[test]
    fn a_quote_prefix_is_removed() {
        let quoted: Vec<u8> = LF
            .split_inclusive(|&b| b == b'\n')
            .flat_map(|l| {
                let mut v = if l == b"\n" {
                    b">".to_vec()
                } else {
                    b"> ".to_vec()
                };
                v.extend_from_slice(l);
                v
            })
            .collect();
        let s = ok(&quoted);
        assert_eq!(s.message, CRLF);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::Dedented,
                "removed the quote prefix '> ' from 9 lines (lines 1-9)",
                false
            )]
        );
    }

    #[test]
    fn a_markdown_code_block_after_text() {
        let input = b"Here you go:\n\n```\n    Received: from a by b;\n        Mon, 28 Oct 2024 06:00:00 +0000\n    Subject: hi\n```\nthanks\n";
        let s = ok(input);
        assert_eq!(
            s.message,
            b"Received: from a by b;\r\n    Mon, 28 Oct 2024 06:00:00 +0000\r\nSubject: hi\r\n"
        );
        assert!(s.headers_only);
        assert_eq!(
            descriptions(&s),
            [
                (
                    RepairKind::StrippedPreamble,
                    "removed 2 lines of text before the header block (lines 1-3)",
                    false
                ),
                (
                    RepairKind::DroppedTrailer,
                    "removed the closing code fence and the 1 line after it (lines 7-8)",
                    false
                ),
                (
                    RepairKind::Dedented,
                    "removed a common indentation of 4 spaces from 3 lines (lines 4-6)",
                    false
                ),
            ]
        );
    }

    #[test]
    fn continuations_that_lost_their_whitespace_are_refolded() {
        let input = b"Received: from a.example (a.example [192.0.2.1])\nby mx.b.example with ESMTPS id 1\nfor <bob@b.example>; Mon, 28 Oct 2024 06:00:00 +0000\nDKIM-Signature: v=1; a=rsa-sha256; d=a.example; s=s1;\nh=From:To:Subject; bh=abc=;\n b=def\nFrom: Ann <ann@a.example>\n\nbody line one\nbody: not a header\n";
        let s = ok(input);
        assert_eq!(
            s.message,
            b"Received: from a.example (a.example [192.0.2.1])\r\n by mx.b.example with ESMTPS id 1\r\n for <bob@b.example>; Mon, 28 Oct 2024 06:00:00 +0000\r\nDKIM-Signature: v=1; a=rsa-sha256; d=a.example; s=s1;\r\n h=From:To:Subject; bh=abc=;\r\n b=def\r\nFrom: Ann <ann@a.example>\r\n\r\nbody line one\r\nbody: not a header\r\n"
        );
        assert_eq!(s.repairs.len(), 1);
        let r = &s.repairs[0];
        assert_eq!(r.kind, RepairKind::Refolded);
        assert_eq!(
            r.description,
            "re-folded 3 lines of Received, DKIM-Signature that lost their leading whitespace (lines 2-3, 5)"
        );
        assert!(r.touches_message);
        assert_eq!(r.headers, ["Received", "DKIM-Signature"]);
    }

    #[test]
    fn a_headers_only_paste_that_lost_folding() {
        let input = b"Received: from a by b\nwith ESMTP; Mon, 28 Oct 2024 06:00:00 +0000\nX-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;\nSFS:(13230031)(4636009);\nSubject: hi";
        let s = ok(input);
        assert!(s.headers_only);
        assert_eq!(
            s.repairs[0].description,
            "re-folded 2 lines of Received, X-Forefront-Antispam-Report that lost their leading whitespace (lines 2, 4)"
        );
    }

    #[test]
    fn obsolete_space_before_colon_is_a_field() {
        let s = ok(b"From : ann@a.example\nSubject: hi\n\nbody\n");
        assert!(s.repairs.is_empty());
        assert!(s.message.starts_with(b"From : ann@a.example\r\n"));
    }

    #[test]
    fn a_boundary_right_after_the_fields_starts_the_body() {
        let input = b"Subject: hi\nContent-Type: multipart/mixed;\n boundary = \"--foo\"\n----foo\nContent-Type: text/plain\n\nhello\n----foo--\n";
        let s = ok(input);
        assert!(!s.headers_only);
        assert!(s.message.starts_with(
            b"Subject: hi\r\nContent-Type: multipart/mixed;\r\n boundary = \"--foo\"\r\n\r\n----foo\r\n"
        ));
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::Other,
                "inserted an empty line before line 4, where a mime boundary starts the body right after the header fields",
                true
            )]
        );
    }

    #[test]
    fn a_whitespace_only_line_ends_the_header_block() {
        let s = ok(b"Subject: hi\nFrom: a@b.example\n \nbody\n");
        assert_eq!(
            s.message,
            b"Subject: hi\r\nFrom: a@b.example\r\n\r\nbody\r\n"
        );
        let r = &s.repairs[0];
        assert_eq!(r.kind, RepairKind::Other);
        assert_eq!(
            r.description,
            "emptied line 3, which held only whitespace, taking it as the end of the header block"
        );
        assert!(r.touches_message);
        assert_eq!(r.headers, ["From"]);
    }

    #[test]
    fn headers_only_when_nothing_but_whitespace_follows() {
        assert!(ok(b"Subject: hi\nFrom: a@b.example\n\n \n\t\n").headers_only);
        assert!(ok(b"Subject: hi\nFrom: a@b.example\n").headers_only);
        assert!(!ok(b"Subject: hi\nFrom: a@b.example\n\nx\n").headers_only);
    }

    #[test]
    fn text_without_a_header_block() {
        assert_eq!(
            err(b"Dear Sir,\nplease find attached.\n"),
            Error::NoHeaders("no line of the form 'Name: value' in 2 lines of text".into())
        );
        assert_eq!(
            err(b"Note: this is just a note\n\nand more text\n"),
            Error::NoHeaders(
                "'Note:' at line 1 is not a known header name and no second field follows it"
                    .into()
            )
        );
        let long = "text line\n".repeat(30) + "Subject: late\n";
        assert_eq!(
            err(long.as_bytes()),
            Error::NoHeaders("no header block within the first 20 lines of text".into())
        );
    }

    #[test]
    fn two_unknown_fields_are_a_header_block() {
        let s = ok(b"Foo: 1\nBar: 2\n\nbody\n");
        assert!(s.repairs.is_empty());
    }

    #[test]
    fn eight_bit_text_is_kept_as_bytes() {
        let s = ok(b"Subject: caf\xe9\nFrom: a@b.example\n\nna\xefve \xa0text\n");
        assert_eq!(
            s.message,
            b"Subject: caf\xe9\r\nFrom: a@b.example\r\n\r\nna\xefve \xa0text\r\n"
        );
    }

    #[test]
    fn utf16_and_bom_are_decoded() {
        let mut input = vec![0xFF, 0xFE];
        input.extend(
            String::from_utf8_lossy(LF)
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let s = ok(&input);
        assert_eq!(s.message, CRLF);
        assert_eq!(
            descriptions(&s),
            [(
                RepairKind::Decoded,
                "decoded utf-16le text with a byte order mark to utf-8",
                false
            )]
        );
        let mut input = b"\xEF\xBB\xBF".to_vec();
        input.extend_from_slice(LF);
        let s = ok(&input);
        assert_eq!(s.message, CRLF);
        assert_eq!(s.repairs[0].description, "removed a utf-8 byte order mark");
    }

    #[test]
    fn line_lists() {
        assert_eq!(list(&[5]), "line 5");
        assert_eq!(list(&[5, 9, 10]), "lines 5, 9-10");
        let many: Vec<usize> = (1..=40).step_by(2).collect();
        assert_eq!(list(&many), "lines 1, 3, 5, 7, 9, 11, 13, 15 and 12 more");
        assert_eq!(range(3, 3), "line 3");
    }

    /// Every prefix of a few inputs, and pseudo-random bytes, read without a panic.
    #[test]
    fn never_panics() {
        let mut inputs: Vec<Vec<u8>> = vec![gmail_input(GMAIL), OUTLOOK.to_vec(), LF.to_vec()];
        inputs.push(with_endings(LF, b"\r"));
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in [1usize, 2, 7, 64, 500, 3000] {
            let mut v = Vec::with_capacity(len);
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Mostly the bytes that steer the reader.
                let pick = b"\r\n\t :>-From ab\x00\xff\"";
                v.push(pick[(x % pick.len() as u64) as usize]);
            }
            inputs.push(v);
        }
        for input in inputs {
            for end in 0..=input.len() {
                let _ = read("fuzz", input[..end].to_vec());
            }
        }
    }
}
