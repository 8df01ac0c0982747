//! The MIME walk: which parts of a message are the human-readable text, the machine-readable
//! report (message/delivery-status, message/feedback-report) and the returned original.
//!
//! mail-parser does the MIME work (boundaries, transfer encodings, charsets). Only the parts of
//! the outer message are visited: the parts of a returned original belong to the original.

use std::ops::Range;

use mail_parser::{MessageParser, MessagePart, MimeHeaders, PartType};

/// A text part, decoded.
#[derive(Debug, Clone)]
pub struct TextPart {
    /// The decoded text (HTML reduced to text).
    pub text: String,
    /// The part's body in the raw message, when it is stored without transfer encoding (so that
    /// an original found inside it can be returned as the bytes that are there).
    pub raw: Option<Range<usize>>,
}

/// What the MIME structure says.
#[derive(Debug, Clone, Default)]
pub struct Pieces {
    /// `report-type` of a top-level multipart/report, lowercased.
    pub report_type: Option<String>,
    /// The decoded bodies of message/delivery-status parts.
    pub delivery_status: Vec<String>,
    /// The decoded bodies of message/feedback-report parts.
    pub feedback: Vec<String>,
    /// Human-readable text/plain parts (text/html only when there is no text/plain), in order.
    pub texts: Vec<TextPart>,
    /// A returned original as a message/rfc822 (or message/global) part: bytes as found.
    pub original: Option<Vec<u8>>,
    /// A returned original's header block as a text/rfc822-headers part.
    pub original_headers: Option<Vec<u8>>,
    /// True when parts nested deeper than the walk's limit were left unread.
    pub depth_limited: bool,
}

fn content_type(part: &MessagePart) -> (String, String) {
    match part.content_type() {
        Some(ct) => (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or("").to_ascii_lowercase(),
        ),
        None => ("text".into(), "plain".into()),
    }
}

fn body_range(part: &MessagePart, len: usize) -> Option<Range<usize>> {
    let start = part.offset_body as usize;
    let end = part.offset_end as usize;
    (start <= end && end <= len).then_some(start..end)
}

fn decoded_bytes<'a>(part: &'a MessagePart, raw: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
    match &part.body {
        PartType::Text(t) | PartType::Html(t) => std::borrow::Cow::Borrowed(t.as_bytes()),
        PartType::Binary(b) | PartType::InlineBinary(b) => std::borrow::Cow::Borrowed(b.as_ref()),
        PartType::Message(m) => {
            if part.encoding == mail_parser::Encoding::None
                && let Some(r) = body_range(part, raw.len())
            {
                std::borrow::Cow::Borrowed(&raw[r])
            } else {
                std::borrow::Cow::Borrowed(m.raw_message())
            }
        }
        PartType::Multipart(_) => std::borrow::Cow::Borrowed(&[]),
    }
}

/// Reduce HTML to text: tags dropped, `<br>`, `<p>`, `<div>`, `<tr>`, `<li>` become line
/// breaks, a few entities decoded. Linear; good enough to read an NDR written only in HTML.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[..gt].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "table" | "pre"
        ) {
            out.push('\n');
        } else if matches!(name.as_str(), "td" | "th") {
            out.push(' ');
        }
        rest = &after[gt + 1..];
        // skip style and script contents
        if (name == "style" || name == "script") && !after.starts_with('/') {
            let close = format!("</{name}");
            match find_ci(rest, &close) {
                Some(p) => rest = &rest[p..],
                None => rest = "",
            }
        }
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Byte position of `needle` (ASCII) in `haystack`, ignoring ASCII case.
pub fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// How deep the walk goes by default (`Limits::max_mime_depth`).
pub const DEFAULT_MAX_DEPTH: usize = 20;

/// Walk the outer message's parts, at most [`DEFAULT_MAX_DEPTH`] multipart levels deep.
#[allow(dead_code)] // the tests and the fuzz targets walk with the default depth
pub fn walk(raw: &[u8]) -> Pieces {
    walk_limited(raw, DEFAULT_MAX_DEPTH)
}

/// Walk the outer message's parts, leaving out parts nested more than `max_depth` multipart
/// levels below the message (the message itself is level 0); [`Pieces::depth_limited`] then
/// says so.
pub fn walk_limited(raw: &[u8], max_depth: usize) -> Pieces {
    let mut pieces = Pieces::default();
    // mail-parser 0.11 has a debug_assert! that fires on some broken multipart structures
    // (spamassassin's nice/mime9): in a debug build it would panic. Release builds never do;
    // a debug build treats such a message as one without parts.
    let parsed = std::panic::catch_unwind(|| MessageParser::new().parse(raw));
    let Ok(Some(message)) = parsed else {
        return pieces;
    };
    if let Some(ct) = message.content_type()
        && ct.ctype().eq_ignore_ascii_case("multipart")
        && ct
            .subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    {
        pieces.report_type = ct.attribute("report-type").map(|s| s.to_ascii_lowercase());
    }
    // mail-parser lists every part flat, each multipart before its children: one pass gives
    // each part its depth
    let mut depths = vec![0usize; message.parts.len()];
    for (id, part) in message.parts.iter().enumerate() {
        if let PartType::Multipart(children) = &part.body {
            let below = depths[id].saturating_add(1);
            for &child in children {
                if let Some(d) = depths.get_mut(child as usize)
                    && child as usize > id
                {
                    *d = below;
                }
            }
        }
    }
    let mut html: Vec<TextPart> = Vec::new();
    for (part, &depth) in message.parts.iter().zip(&depths) {
        if depth > max_depth {
            pieces.depth_limited = true;
            continue;
        }
        let (ctype, subtype) = content_type(part);
        let sub = subtype.as_str();
        match (ctype.as_str(), &part.body) {
            (_, PartType::Multipart(_)) => {}
            ("message", _) if sub == "delivery-status" || sub == "global-delivery-status" => {
                pieces
                    .delivery_status
                    .push(String::from_utf8_lossy(&decoded_bytes(part, raw)).into_owned());
            }
            ("message" | "text", _) if sub == "feedback-report" => {
                pieces
                    .feedback
                    .push(String::from_utf8_lossy(&decoded_bytes(part, raw)).into_owned());
            }
            ("message", _) if sub == "rfc822" || sub == "global" || sub == "partial" => {
                let bytes = decoded_bytes(part, raw);
                if pieces.original.is_none() && !bytes.iter().all(u8::is_ascii_whitespace) {
                    pieces.original = Some(bytes.into_owned());
                }
            }
            ("text" | "message", _)
                if sub.starts_with("rfc822-header") || sub == "global-headers" =>
            {
                let bytes = decoded_bytes(part, raw);
                if pieces.original_headers.is_none() && !bytes.iter().all(u8::is_ascii_whitespace) {
                    pieces.original_headers = Some(bytes.into_owned());
                }
            }
            (_, PartType::Text(text))
                if (ctype == "text" || ctype.is_empty())
                    && (sub == "plain" || sub.is_empty() || ctype.is_empty()) =>
            {
                pieces.texts.push(TextPart {
                    text: text.to_string(),
                    raw: (part.encoding == mail_parser::Encoding::None)
                        .then(|| body_range(part, raw.len()))
                        .flatten(),
                });
            }
            (_, PartType::Text(text)) if ctype != "text" => {
                // a multipart whose boundary never comes, or an unknown message/* subtype that
                // mail-parser kept as text: keep it readable
                pieces.texts.push(TextPart {
                    text: text.to_string(),
                    raw: (part.encoding == mail_parser::Encoding::None)
                        .then(|| body_range(part, raw.len()))
                        .flatten(),
                });
            }
            ("multipart", PartType::Binary(bytes) | PartType::InlineBinary(bytes)) => {
                // a multipart without a boundary parameter: its body is all there is to read
                pieces.texts.push(TextPart {
                    text: String::from_utf8_lossy(bytes).into_owned(),
                    raw: body_range(part, raw.len()),
                });
            }
            (_, PartType::Html(text)) => html.push(TextPart {
                text: html_to_text(text),
                raw: None,
            }),
            _ => {}
        }
    }
    if pieces.texts.is_empty() {
        pieces.texts = html;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_a_dsn() {
        let msg = b"From: MAILER-DAEMON@example.org\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; a@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@example.net\r\nSubject: hi\r\n\r\nbody\r\n--b--\r\n";
        let p = walk(msg);
        assert_eq!(p.report_type.as_deref(), Some("delivery-status"));
        assert_eq!(p.delivery_status.len(), 1);
        assert!(p.delivery_status[0].contains("Status: 5.1.1"));
        assert_eq!(p.texts.len(), 1);
        let original = String::from_utf8(p.original.unwrap()).unwrap();
        assert!(
            original.starts_with("From: a@example.net\r\n"),
            "{original:?}"
        );
        assert!(original.contains("body"));
    }

    #[test]
    fn html_is_reduced() {
        assert_eq!(
            html_to_text("<p>a<br>b</p><style>x{}</style>c &amp; d"),
            "\na\nb\nc & d"
        );
    }
}
