//! RFC 3463 enhanced status codes and RFC 5321 reply codes, found in text.
//!
//! Scanning is by hand over bytes (one pass, no backtracking): a code is `class.subject.detail`
//! with class 2, 4 or 5, subject 0 to 7 and detail 0 to 999, standing on its own (not a piece of
//! an IP address or a version number such as `10.5.1.2` or `Postfix 2.10.1`).

use std::fmt;

use serde::Serialize;

/// An RFC 3463 enhanced status code, e.g. `5.1.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusCode {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// 0 to 7: other, addressing, mailbox, mail system, network/routing, protocol, content,
    /// security/policy.
    pub subject: u16,
    /// The detail number.
    pub detail: u16,
}

impl StatusCode {
    /// A code from its three numbers, when they are in range.
    pub fn new(class: u8, subject: u16, detail: u16) -> Option<StatusCode> {
        (matches!(class, 2 | 4 | 5) && subject <= 7 && detail <= 999).then_some(StatusCode {
            class,
            subject,
            detail,
        })
    }

    /// Parse a whole value such as `5.1.1` (surrounding whitespace and comments after a space
    /// allowed: `5.1.1 (bad destination mailbox)`).
    pub fn parse(value: &str) -> Option<StatusCode> {
        let token = value.split_whitespace().next()?;
        let token = token.trim_end_matches([',', ';', ')', ']']);
        let mut it = token.split('.');
        let class = it.next()?.parse::<u8>().ok()?;
        let subject = it.next()?.parse::<u16>().ok()?;
        let detail = it.next()?.parse::<u16>().ok()?;
        if it.next().is_some() {
            return None;
        }
        StatusCode::new(class, subject, detail)
    }

    /// True for `X.0.0`: the class is known, nothing more.
    pub fn is_unspecific(&self) -> bool {
        self.subject == 0 && self.detail == 0
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// Where an entry's status code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusSource {
    /// The `Status:` field of an RFC 3464 delivery-status part.
    StatusField,
    /// Written in the diagnostic text (the remote server's reply or the bounce's own words).
    Diagnostic,
    /// Not written anywhere: only the class (`5.0.0`, `4.0.0`, `2.0.0`) is inferred, from the
    /// SMTP reply code's first digit, the RFC 3464 action, or the bounce text saying the error is
    /// permanent or temporary. The subject and detail stay 0 ("other or undefined").
    Inferred,
}

fn is_digit(b: Option<&u8>) -> bool {
    b.is_some_and(u8::is_ascii_digit)
}

/// Read a number of at most `max_len` digits starting at `i`; returns (value, end).
fn number(bytes: &[u8], i: usize, max_len: usize) -> Option<(u16, usize)> {
    let mut end = i;
    let mut value: u16 = 0;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        if end - i >= max_len {
            return None;
        }
        value = value * 10 + u16::from(bytes[end] - b'0');
        end += 1;
    }
    (end > i).then_some((value, end))
}

/// One enhanced status code found in a text, with its byte position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The code.
    pub code: StatusCode,
    /// Byte offset of its first character.
    pub at: usize,
}

/// Every enhanced status code standing on its own in `text`, in order.
pub fn find_all(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !matches!(b, b'2' | b'4' | b'5') {
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| bytes.get(p));
        if is_digit(prev) || prev == Some(&b'.') || prev.is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let parsed = (|| {
            if bytes.get(i + 1) != Some(&b'.') {
                return None;
            }
            let (subject, e1) = number(bytes, i + 2, 3)?;
            if bytes.get(e1) != Some(&b'.') {
                return None;
            }
            let (detail, e2) = number(bytes, e1 + 1, 3)?;
            // not followed by another ".digit" (an IP address or a longer version number)
            if bytes.get(e2) == Some(&b'.') && is_digit(bytes.get(e2 + 1)) {
                return None;
            }
            if bytes.get(e2).is_some_and(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            Some((StatusCode::new(b - b'0', subject, detail)?, e2))
        })();
        match parsed {
            Some((code, end)) => {
                out.push(Found { code, at: i });
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// The best enhanced status code in a diagnostic text: a failure code (4 or 5) before a success
/// code, the first one otherwise.
pub fn find(text: &str) -> Option<StatusCode> {
    let all = find_all(text);
    all.iter()
        .find(|f| f.code.class != 2)
        .or(all.first())
        .map(|f| f.code)
}

/// The enhanced code the remote server gave with its reply: the first code that stands right
/// after a 4xx/5xx reply code (`550 5.2.2`, `550-5.7.1`, `#550 5.1.1`, `550-'5.7.1`).
pub fn find_after_reply(text: &str) -> Option<StatusCode> {
    let bytes = text.as_bytes();
    find_all(text)
        .into_iter()
        .map(|f| (f.code, f.at))
        .find_map(|(code, at)| {
            // walk back over the separator to the reply code
            let mut i = at;
            let mut seps = 0;
            while i > 0 && matches!(bytes[i - 1], b' ' | b'-' | b'\'' | b'"' | b'(') && seps < 3 {
                i -= 1;
                seps += 1;
            }
            if seps == 0 || i < 3 {
                return None;
            }
            let reply = &bytes[i - 3..i];
            let before_ok = i == 3 || !bytes[i - 4].is_ascii_digit();
            (before_ok
                && matches!(reply[0], b'4' | b'5')
                && reply[1].is_ascii_digit()
                && reply[2].is_ascii_digit()
                && code.class != 2)
                .then_some(code)
        })
}

/// The first SMTP reply code (`550`, `421`, `250`...) in a text: three digits 2xx to 5xx standing
/// on their own and followed by a space, a hyphen, a colon or the end.
pub fn find_reply_code(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 3 <= bytes.len() {
        let b = bytes[i];
        if !matches!(b, b'2' | b'4' | b'5') {
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| bytes.get(p));
        let prev_ok = match prev {
            None => true,
            Some(c) => {
                !(c.is_ascii_alphanumeric()
                    || matches!(c, b'.' | b'-' | b'/' | b'=' | b'_' | b'%' | b'+'))
            }
        };
        if prev_ok
            && bytes[i + 1].is_ascii_digit()
            && bytes[i + 2].is_ascii_digit()
            && bytes[i + 1] <= b'5'
        {
            let next = bytes.get(i + 3);
            let next_ok = match next {
                None => true,
                Some(
                    b' ' | b'-' | b'\t' | b'\r' | b'\n' | b'\'' | b'"' | b')' | b']' | b',' | b';',
                ) => true,
                Some(b':') => !is_digit(bytes.get(i + 4)),
                _ => false,
            };
            if next_ok {
                let value = u16::from(b - b'0') * 100
                    + u16::from(bytes[i + 1] - b'0') * 10
                    + u16::from(bytes[i + 2] - b'0');
                return Some(value);
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_codes_on_their_own_only() {
        let codes: Vec<String> = find_all(
            "550 5.1.1 <a@b>... User unknown; host 10.5.1.2 and Postfix 2.10.1; (#5.5.0) 4.7.26-x",
        )
        .iter()
        .map(|f| f.code.to_string())
        .collect();
        assert_eq!(codes, ["5.1.1", "5.5.0", "4.7.26"]);
        assert_eq!(
            find("250 2.0.0 ok then 550-5.7.26 dmarc").map(|c| c.to_string()),
            Some("5.7.26".into())
        );
        assert_eq!(find("ERROR_CODE :5.2.1 <a@b>"), StatusCode::parse("5.2.1"));
        assert_eq!(find("5.9.1 is no code"), None);
        assert_eq!(find("5.1"), None);
    }

    #[test]
    fn code_after_reply() {
        let f = |t: &str| find_after_reply(t).map(|c| c.to_string());
        assert_eq!(
            f("5.1.0 - Unknown address error 550-'5.7.1 <a@b>... Access denied'"),
            Some("5.7.1".into())
        );
        assert_eq!(f("smtp; 552 5.2.2 Over quota"), Some("5.2.2".into()));
        assert_eq!(f("5.1.1 user unknown"), None);
        assert_eq!(f("#550 5.1.1 RESOLVER"), Some("5.1.1".into()));
    }

    #[test]
    fn parses_status_values() {
        assert_eq!(
            StatusCode::parse(" 5.1.1 (bad mailbox)").map(|c| c.to_string()),
            Some("5.1.1".into())
        );
        assert_eq!(StatusCode::parse("5.0.911"), StatusCode::new(5, 0, 911));
        assert_eq!(StatusCode::parse("5.1"), None);
        assert_eq!(StatusCode::parse("x"), None);
        assert_eq!(StatusCode::parse(""), None);
    }

    #[test]
    fn finds_reply_codes() {
        assert_eq!(
            find_reply_code("host mx[192.0.2.1] said: 550-5.7.1 no"),
            Some(550)
        );
        assert_eq!(find_reply_code("#550 5.2.2 STOREDRV"), Some(550));
        assert_eq!(find_reply_code("in 840 minutes SIZE=1543 port 25"), None);
        assert_eq!(
            find_reply_code("'421 4.4.2 Connection timed out'"),
            Some(421)
        );
        assert_eq!(find_reply_code("ERROR_CODE :550, x"), Some(550));
        assert_eq!(find_reply_code("12:50:33"), None);
    }
}
