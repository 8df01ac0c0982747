//! Tag lists (RFC 6376 section 3.2), the syntax shared by DKIM-Signature values and DKIM key
//! records: `name=value` pairs separated by `;`, with folding whitespace around names and values.
//!
//! This file checks the syntax only (tag names, one `=` per tag, no duplicate tag) and hands out
//! the raw value bytes; what a value means is judged by the callers.

/// One `name=value` pair; the value keeps its inner folding whitespace, surrounding whitespace
/// is trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    pub name: &'a str,
    pub value: &'a [u8],
}

/// A parsed tag list, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TagList<'a> {
    pub tags: Vec<Tag<'a>>,
}

impl<'a> TagList<'a> {
    /// The raw value of a tag (names are case-sensitive, RFC 6376 section 3.2).
    pub fn raw(&self, name: &str) -> Option<&'a [u8]> {
        self.tags.iter().find(|t| t.name == name).map(|t| t.value)
    }

    /// The value as text with every whitespace byte removed (base64, `h=` lists, numbers).
    pub fn compact(&self, name: &str) -> Option<String> {
        self.raw(name).map(compact)
    }

    /// The value as text, surrounding whitespace trimmed, inner whitespace kept.
    pub fn text(&self, name: &str) -> Option<String> {
        self.raw(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }
}

/// Whitespace that may fold a tag list: SP, HTAB, CR, LF.
pub(super) fn is_fws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Trim folding whitespace on both sides.
pub(super) fn trim(mut v: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = v {
        if !is_fws(*first) {
            break;
        }
        v = rest;
    }
    while let [rest @ .., last] = v {
        if !is_fws(*last) {
            break;
        }
        v = rest;
    }
    v
}

/// The bytes with every whitespace byte removed, as text.
pub(super) fn compact(v: &[u8]) -> String {
    let kept: Vec<u8> = v.iter().copied().filter(|b| !is_fws(*b)).collect();
    String::from_utf8_lossy(&kept).into_owned()
}

/// Parse a tag list. Empty segments (`;;`, a final `;`) are tolerated; a segment without `=`,
/// a malformed tag name or a duplicate tag makes the whole list invalid (RFC 6376 section 3.2:
/// "if a tag name does occur more than once, the entire tag-list is invalid").
pub(crate) fn parse(input: &[u8]) -> Result<TagList<'_>, String> {
    let mut tags: Vec<Tag<'_>> = Vec::new();
    for segment in input.split(|&b| b == b';') {
        if trim(segment).is_empty() {
            continue;
        }
        let Some(eq) = segment.iter().position(|&b| b == b'=') else {
            return Err(format!(
                "'{}' is not of the form tag=value",
                String::from_utf8_lossy(trim(segment))
            ));
        };
        let name_bytes = trim(&segment[..eq]);
        let valid_name = matches!(name_bytes.first(), Some(b) if b.is_ascii_alphabetic())
            && name_bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_');
        let name = match std::str::from_utf8(name_bytes) {
            Ok(name) if valid_name => name,
            _ => {
                return Err(format!(
                    "'{}' is not a valid tag name",
                    String::from_utf8_lossy(name_bytes)
                ));
            }
        };
        if tags.iter().any(|t| t.name == name) {
            return Err(format!("the tag {name}= occurs more than once"));
        }
        tags.push(Tag {
            name,
            value: trim(&segment[eq + 1..]),
        });
    }
    Ok(TagList { tags })
}

/// Decode DKIM quoted-printable (RFC 6376 section 2.11): `=XX` is a byte, whitespace is
/// dropped. Returns None on a malformed escape.
pub(super) fn decode_qp(v: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        if b == b'=' {
            let hex = v.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            if !is_fws(b) {
                out.push(b);
            }
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_with_folding_whitespace() {
        let list = parse(b" v=1;\r\n\ta = rsa-sha256 ; h=From :\r\n To;;b=ab\r\n cd;").unwrap();
        assert_eq!(list.tags.len(), 4);
        assert_eq!(list.raw("a"), Some(&b"rsa-sha256"[..]));
        assert_eq!(list.compact("h").as_deref(), Some("From:To"));
        assert_eq!(list.compact("b").as_deref(), Some("abcd"));
        assert_eq!(list.raw("A"), None);
        assert_eq!(list.text("v").as_deref(), Some("1"));
    }

    #[test]
    fn bad_tag_lists() {
        assert_eq!(
            parse(b"v=1; a=rsa-sha1; a=rsa-sha256").unwrap_err(),
            "the tag a= occurs more than once"
        );
        assert_eq!(
            parse(b"k=rsa; t; p=abc").unwrap_err(),
            "'t' is not of the form tag=value"
        );
        assert_eq!(parse(b"1x=2").unwrap_err(), "'1x' is not a valid tag name");
        assert!(parse(b"").unwrap().tags.is_empty());
    }

    #[test]
    fn quoted_printable() {
        assert_eq!(
            decode_qp(b"=6Along@messiah.edu").as_deref(),
            Some("jlong@messiah.edu")
        );
        assert_eq!(
            decode_qp(b"jlong=40messiah.edu").as_deref(),
            Some("jlong@messiah.edu")
        );
        assert_eq!(
            decode_qp(b"joe=20@\r\n x.example").as_deref(),
            Some("joe @x.example")
        );
        assert_eq!(decode_qp(b"a=4"), None);
        assert_eq!(decode_qp(b"a=zz"), None);
    }
}
