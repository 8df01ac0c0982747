//! Parse: the normalised message -> its header fields and the summary a reader wants.
//!
//! This is the only module that touches mail-parser. Header fields are split here by hand so
//! that every field keeps its exact byte span in `Source::message` (evidence points at bytes);
//! mail-parser decodes what needs decoding (RFC 2047 words, address lists, Message-ID).
//! No judgement is made here: odd values are kept as they are for `diagnose/` to look at.

pub mod received;

use std::ops::Range;

use chrono::{DateTime, FixedOffset};
use mail_parser::{Address, HeaderName, HeaderValue, MessageParser};

use crate::error::{Error, Result};
use crate::hops::date::parse_date;
use crate::input::Source;
use crate::options::Limits;

/// One header field as it stands in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    /// The field name as written (case kept).
    pub name: String,
    /// The value with folding removed (CRLF before whitespace dropped), otherwise untouched.
    pub value: String,
    /// Byte span of the whole field (name to the end of its last line, without the final CRLF)
    /// in `Source::message`.
    pub span: Range<usize>,
}

impl HeaderField {
    /// True when the field has this name (ASCII case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// A mailbox as written in From, To or Return-Path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mailbox {
    /// The display name, decoded, if any.
    pub name: Option<String>,
    /// The address, if one could be read.
    pub address: Option<String>,
}

/// The message, parsed.
#[derive(Debug, Clone, Default)]
pub struct ParsedMessage {
    /// Every header field, top to bottom.
    pub headers: Vec<HeaderField>,
    /// Byte offset in `Source::message` where the body starts (after the empty line), if any.
    pub body_offset: Option<usize>,
    /// The From mailboxes.
    pub from: Vec<Mailbox>,
    /// The To mailboxes.
    pub to: Vec<Mailbox>,
    /// The Subject, decoded.
    pub subject: Option<String>,
    /// The Date header text as written.
    pub date_text: Option<String>,
    /// The Date header, parsed (None when absent or unparseable).
    pub date: Option<DateTime<FixedOffset>>,
    /// The Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// The Return-Path address.
    pub return_path: Option<String>,
}

impl ParsedMessage {
    /// All fields with this name, top to bottom.
    pub fn fields<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a HeaderField> + 'a {
        self.headers.iter().filter(move |h| h.is(name))
    }

    /// The first field with this name.
    pub fn first(&self, name: &str) -> Option<&HeaderField> {
        self.headers.iter().find(|h| h.is(name))
    }
}

/// Split the header block of a CRLF message into fields with their spans, refusing it as soon
/// as it passes `max_headers` fields or a field passes `max_field_bytes`.
fn split_fields(
    message: &[u8],
    max_headers: usize,
    max_field_bytes: usize,
) -> Result<(Vec<HeaderField>, Option<usize>)> {
    let mut fields: Vec<HeaderField> = Vec::new();
    let mut pos = 0;
    let mut line_number = 0;
    let mut field_line = 0;
    let mut body_offset = None;
    let too_long = |field: &HeaderField, line: usize| {
        let name: String = field.name.chars().take(64).collect();
        Error::HeaderTooLong {
            name: format!("'{}'", name.escape_debug()),
            line,
            size: field.span.len(),
            limit: max_field_bytes,
        }
    };
    while pos < message.len() {
        let end = find_crlf(message, pos).unwrap_or(message.len());
        let line = &message[pos..end];
        let next = (end + 2).min(message.len());
        line_number += 1;
        if line.is_empty() {
            body_offset = Some(next);
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some(last) = fields.last_mut() {
                last.span.end = end;
                if last.span.len() > max_field_bytes {
                    return Err(too_long(last, field_line));
                }
                last.value.push_str(&String::from_utf8_lossy(line));
            }
        } else if line.len() > max_field_bytes {
            let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
            let field = HeaderField {
                name: String::from_utf8_lossy(&line[..colon.min(64)]).into_owned(),
                value: String::new(),
                span: pos..end,
            };
            return Err(too_long(&field, line_number));
        } else if let Some(colon) = line.iter().position(|&b| b == b':') {
            if fields.len() >= max_headers {
                return Err(Error::TooManyHeaders { limit: max_headers });
            }
            field_line = line_number;
            let name = String::from_utf8_lossy(&line[..colon])
                .trim_end()
                .to_string();
            let value = String::from_utf8_lossy(&line[colon + 1..]).to_string();
            fields.push(HeaderField {
                name,
                value,
                span: pos..end,
            });
        }
        pos = next;
    }
    for f in &mut fields {
        let trimmed = f.value.trim();
        if trimmed.len() != f.value.len() {
            f.value = trimmed.to_string();
        }
    }
    Ok((fields, body_offset))
}

fn find_crlf(data: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(&data[from..], b"\r\n").map(|p| p + from)
}

fn mailboxes(value: &HeaderValue) -> Vec<Mailbox> {
    match value {
        HeaderValue::Address(Address::List(list)) => list
            .iter()
            .map(|a| Mailbox {
                name: a.name.as_ref().map(|n| n.to_string()),
                address: a.address.as_ref().map(|n| n.to_string()),
            })
            .collect(),
        HeaderValue::Address(Address::Group(groups)) => groups
            .iter()
            .flat_map(|g| g.addresses.iter())
            .map(|a| Mailbox {
                name: a.name.as_ref().map(|n| n.to_string()),
                address: a.address.as_ref().map(|n| n.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Parse a source into header fields and a summary, with the default [`Limits`].
pub fn parse(source: &Source) -> Result<ParsedMessage> {
    parse_with(source, &Limits::default())
}

/// Parse a source into header fields and a summary. A header block past
/// `limits.max_headers` fields, or with a field past `limits.max_header_line_bytes`, is
/// refused ([`Error::TooManyHeaders`], [`Error::HeaderTooLong`]).
pub fn parse_with(source: &Source, limits: &Limits) -> Result<ParsedMessage> {
    let (headers, body_offset) = split_fields(
        &source.message,
        limits.max_headers,
        limits.max_header_line_bytes,
    )?;
    if headers.is_empty() {
        return Err(Error::NoHeaders("no header field in the message".into()));
    }
    let mut parsed = ParsedMessage {
        headers,
        body_offset,
        ..Default::default()
    };
    parsed.date_text = parsed.first("Date").map(|h| h.value.clone());
    parsed.date = parsed.date_text.as_deref().and_then(parse_date);

    if let Some(message) = MessageParser::new().parse_headers(&source.message) {
        for header in message.headers() {
            match &header.name {
                HeaderName::From if parsed.from.is_empty() => {
                    parsed.from = mailboxes(&header.value)
                }
                HeaderName::To if parsed.to.is_empty() => parsed.to = mailboxes(&header.value),
                HeaderName::Subject if parsed.subject.is_none() => {
                    parsed.subject = header.value.as_text().map(str::to_string)
                }
                HeaderName::MessageId if parsed.message_id.is_none() => {
                    parsed.message_id = header.value.as_text().map(str::to_string)
                }
                _ => {}
            }
        }
    }
    parsed.return_path = parsed.first("Return-Path").map(|h| {
        h.value
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_string()
    });
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_folded_fields_with_spans() {
        let msg = b"Received: from a\r\n\tby b; Tue, 11 Mar 2025 09:15:42 +0000\r\nSubject: hi\r\n\r\nbody\r\n";
        let (fields, body) = split_fields(msg, usize::MAX, usize::MAX).unwrap();
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].name, "Received");
        assert_eq!(
            fields[0].value,
            "from a\tby b; Tue, 11 Mar 2025 09:15:42 +0000"
        );
        assert_eq!(&msg[fields[0].span.clone()], &msg[..56]);
        assert_eq!(fields[1].value, "hi");
        assert_eq!(body, Some(msg.len() - 6));
    }
}
