//! What a DKIM signature covers, as bytes: the signed header fields picked per RFC 6376
//! section 5.4.2, the signature field itself with its `b=` value emptied, and the canonical body.
//!
//! The canonicalization algorithms are mail-auth's (`Canonicalization::canonicalize_headers`
//! and `canonical_body`); picking the fields, emptying `b=` and the `l=` limit are done here,
//! because mail-auth keeps those pieces crate-private or applies `l=` to the raw body (RFC 6376
//! section 3.5 measures `l=` after canonicalization).

use std::borrow::Cow;

use mail_auth::common::headers::Writable;
use mail_auth::dkim::Canonicalization;

use crate::parse::HeaderField;

use super::tags::is_fws;

/// One header field as bytes: the name as written (before the colon) and the value after the
/// colon, ending in CRLF.
pub(super) struct RawField<'a> {
    pub name: &'a [u8],
    pub value: Cow<'a, [u8]>,
}

/// The bytes of a field in the message, from its span. None when the span does not point at a
/// `name:` field in `message` (never expected; the caller reports it).
pub(super) fn raw_field<'a>(message: &'a [u8], field: &HeaderField) -> Option<RawField<'a>> {
    let bytes = message.get(field.span.clone())?;
    let colon = bytes.iter().position(|&b| b == b':')?;
    let end = field.span.end;
    let value: Cow<'a, [u8]> = if message.get(end..end + 2) == Some(b"\r\n") {
        Cow::Borrowed(message.get(field.span.start + colon + 1..end + 2)?)
    } else {
        let mut v = bytes.get(colon + 1..)?.to_vec();
        v.extend_from_slice(b"\r\n");
        Cow::Owned(v)
    };
    Some(RawField {
        name: bytes.get(..colon)?,
        value,
    })
}

/// The signature field's value with the `b=` value emptied (RFC 6376 section 3.7: "the value
/// of the b= tag (including all surrounding whitespace) is deleted"): everything between `b=`
/// and the next `;` goes, everything else stays byte for byte. The final CRLF is not included.
pub(super) fn strip_b(value: &[u8]) -> Vec<u8> {
    let value = value.strip_suffix(b"\r\n").unwrap_or(value);
    let mut out = Vec::with_capacity(value.len());
    let mut done = false;
    let mut first = true;
    for segment in value.split(|&b| b == b';') {
        if !first {
            out.push(b';');
        }
        first = false;
        if !done && let Some(eq) = b_tag_equals(segment) {
            out.extend_from_slice(&segment[..=eq]);
            done = true;
        } else {
            out.extend_from_slice(segment);
        }
    }
    out
}

/// When the segment is the `b` tag, the index of its `=`.
fn b_tag_equals(segment: &[u8]) -> Option<usize> {
    let start = segment.iter().position(|&b| !is_fws(b))?;
    if segment.get(start) != Some(&b'b') {
        return None;
    }
    let after = start + 1;
    let eq = after + segment.get(after..)?.iter().position(|&b| !is_fws(b))?;
    (segment.get(eq) == Some(&b'=')).then_some(eq)
}

/// Pick the header fields `h=` names, per RFC 6376 section 5.4.2: for each name, the last
/// (bottom-most) instance not picked yet; a name with no instance left picks nothing (it signs
/// as an empty field, i.e. contributes no bytes). The signature being verified is never picked.
/// Returns, per `h=` entry, the index in `headers` or None.
pub(super) fn select(
    headers: &[HeaderField],
    sig_index: usize,
    h: &[String],
) -> Vec<Option<usize>> {
    let mut used = vec![false; headers.len()];
    h.iter()
        .map(|name| {
            let found = (0..headers.len())
                .rev()
                .find(|&j| j != sig_index && !used[j] && headers[j].is(name.trim()));
            if let Some(j) = found {
                used[j] = true;
            }
            found
        })
        .collect()
}

/// The canonical header bytes the signature was computed over: the picked fields in `h=` order,
/// then the signature field with `b=` emptied and without its final CRLF. None when a field's
/// bytes cannot be found in the message.
pub(super) fn signed_header_bytes(
    message: &[u8],
    headers: &[HeaderField],
    sig_index: usize,
    picked: &[Option<usize>],
    canonicalization: Canonicalization,
) -> Option<Vec<u8>> {
    let mut fields: Vec<RawField<'_>> = Vec::with_capacity(picked.len() + 1);
    for j in picked.iter().flatten() {
        fields.push(raw_field(message, headers.get(*j)?)?);
    }
    let signature = raw_field(message, headers.get(sig_index)?)?;
    let stripped = strip_b(&signature.value);
    let mut out = Vec::with_capacity(1024);
    canonicalization.canonicalize_headers(
        fields
            .iter()
            .map(|f| (f.name, f.value.as_ref()))
            .chain(std::iter::once((signature.name, stripped.as_slice()))),
        &mut out,
    );
    Some(out)
}

/// The whole body, canonicalized.
pub(super) fn canonical_body(body: &[u8], canonicalization: Canonicalization) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 2);
    canonicalization.canonical_body(body, 0).write(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(message: &[u8], name: &str, start: usize) -> HeaderField {
        let len = message[start..]
            .windows(3)
            .position(|w| w[0] == b'\r' && w[1] == b'\n' && w[2] != b' ' && w[2] != b'\t')
            .unwrap_or(message.len() - start);
        HeaderField {
            name: name.into(),
            value: String::new(),
            span: start..start + len,
        }
    }

    #[test]
    fn b_value_is_emptied_and_nothing_else() {
        assert_eq!(
            strip_b(b" v=1; bh=abc=; b=AB\r\n\t CD ; d=x\r\n"),
            b" v=1; bh=abc=; b=; d=x"
        );
        assert_eq!(strip_b(b" v=1; b = AB\r\n CD"), b" v=1; b ="[..]);
        // Only the first b=, never bh= or a tag that starts with b.
        assert_eq!(strip_b(b"bx=1;b=2;b=3"), b"bx=1;b=;b=3");
    }

    #[test]
    fn fields_are_picked_bottom_up_once_each() {
        let m = b"Received: r2\r\nDKIM-Signature: v=1\r\nReceived: r1\r\nFrom: a\r\n\r\n";
        let headers = vec![
            field(m, "Received", 0),
            field(m, "DKIM-Signature", 14),
            field(m, "Received", 35),
            field(m, "From", 49),
        ];
        let h: Vec<String> = ["from", "received", "received", "received", "dkim-signature"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            select(&headers, 1, &h),
            [Some(3), Some(2), Some(0), None, None]
        );
        let bytes = signed_header_bytes(
            m,
            &headers,
            1,
            &select(&headers, 1, &h),
            Canonicalization::Simple,
        )
        .unwrap();
        assert_eq!(
            bytes,
            b"From: a\r\nReceived: r1\r\nReceived: r2\r\nDKIM-Signature: v=1"
        );
        let raw = raw_field(m, &headers[0]).unwrap();
        assert_eq!(
            (raw.name, raw.value.as_ref()),
            (&b"Received"[..], &b" r2\r\n"[..])
        );
    }

    #[test]
    fn canonical_bodies() {
        let body = b"Hi  there \r\n\r\n\r\n";
        assert_eq!(
            canonical_body(body, Canonicalization::Simple),
            b"Hi  there \r\n"
        );
        assert_eq!(
            canonical_body(body, Canonicalization::Relaxed),
            b"Hi there\r\n"
        );
        assert_eq!(canonical_body(b"", Canonicalization::Simple), b"\r\n");
        assert_eq!(canonical_body(b"", Canonicalization::Relaxed), b"");
    }
}
