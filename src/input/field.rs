//! Header field syntax, as far as the input stage needs it: "does this line start a field?".
//!
//! Only the shape of a line is judged here (`Name: value`), never what a field means: that is
//! `parse/`'s job. Two tests exist because the clipboard blurs the line between a field start
//! and a continuation that lost its leading whitespace:
//!
//! - [`name`]: RFC 5322's syntax, a name of printable ASCII 33-126 except `:`, then `:`;
//! - [`plausible_start`]: a stricter reading used where a wrong "yes" would break a field in
//!   two. RFC 5322 allows `h=From:To` and `SFS:(1320)(46)` as field starts, but no header seen
//!   in the wild is named like that, while DKIM tag lists, Exchange anti-spam reports and URLs
//!   that were folded and lost their whitespace look exactly like that.

/// The field name if `line` starts with `name:` in RFC 5322 syntax: a name of printable ASCII
/// 33-126 except colon, at least one character, then the colon (spaces or tabs before the colon
/// are allowed, as RFC 5322's obsolete syntax does: `From  :<a@b>` is seen in the wild).
pub(super) fn name(line: &[u8]) -> Option<&[u8]> {
    split(line).map(|(name, _)| name)
}

/// The name and the value (everything after the colon) of a field start, as for [`name`].
pub(super) fn split(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = line
        .iter()
        .take_while(|&&b| (33..=126).contains(&b) && b != b':')
        .count();
    let name = line.get(..len)?;
    let after = line.get(len..)?;
    let wsp = after.iter().take_while(|&&b| is_wsp(b)).count();
    let value = after.get(wsp..)?.strip_prefix(b":")?;
    if name.is_empty() {
        return None;
    }
    Some((name, value))
}

/// The field name if `line` looks like the start of a real header field, not a continuation
/// that lost its leading whitespace.
///
/// On top of [`name`]: the name is made of letters, digits, `-`, `_` and `.`, starts with a
/// letter or digit and holds a letter; the value does not start with `//` (a folded URL). And
/// when the value does not start with whitespace and the name is neither [known](known) nor
/// hyphenated (`Precedence:bulk` is a field), the value must not read like the `key:value;`
/// lists and `(numbers)` of anti-spam reports or an IPv6 address (`CIP:255.255.255.255;CTRY:;`,
/// `SFS:(13230031)`, `2603:10b6:408:44::30` are lost continuations).
pub(super) fn plausible_start(line: &[u8]) -> Option<&[u8]> {
    let (name, value) = split(line)?;
    let first = *name.first()?;
    if !first.is_ascii_alphanumeric()
        || !name.iter().any(u8::is_ascii_alphabetic)
        || !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        || value.starts_with(b"//")
    {
        return None;
    }
    let spaced = value.first().is_none_or(|&b| is_wsp(b));
    if spaced || name.contains(&b'-') || known(name) {
        return Some(name);
    }
    let address = line
        .iter()
        .take_while(|&&b| !is_wsp(b))
        .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    if value.contains(&b';') || value.starts_with(b"(") || address {
        None
    } else {
        Some(name)
    }
}

/// Header names that mark a block as a real header block: the common RFC 5322 / MIME / trace /
/// authentication fields, and every `X-` field.
pub(super) fn known(name: &[u8]) -> bool {
    const KNOWN: &[&str] = &[
        "received",
        "return-path",
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "reply-to",
        "sender",
        "in-reply-to",
        "references",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "dkim-signature",
        "domainkey-signature",
        "authentication-results",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "received-spf",
        "delivered-to",
        "envelope-to",
        "list-id",
        "list-unsubscribe",
        "thread-topic",
        "thread-index",
        "resent-from",
        "resent-date",
        "resent-message-id",
        "auto-submitted",
        "precedence",
        "organization",
        "user-agent",
        "importance",
        "priority",
        "keywords",
        "comments",
        "errors-to",
        "resent-to",
        "resent-sender",
        "content-disposition",
        "content-id",
        "content-description",
        "content-language",
        "list-post",
        "list-help",
        "feedback-id",
        "disposition-notification-to",
    ];
    starts_with_ignore_case(name, b"x-")
        || KNOWN
            .iter()
            .any(|k| name.eq_ignore_ascii_case(k.as_bytes()))
}

/// Fields only machines add on the way (trace, authentication, Exchange transport): a text a
/// person wrote never consists of them, so they tell a header block from a body.
pub(super) fn trace(name: &[u8]) -> bool {
    const TRACE: &[&str] = &[
        "received",
        "x-received",
        "return-path",
        "delivered-to",
        "received-spf",
        "authentication-results",
        "dkim-signature",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "x-forefront-antispam-report",
        "x-originating-ip",
    ];
    TRACE
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k.as_bytes()))
        || microsoft(name)
}

/// Fields Microsoft Exchange / Outlook add (`X-MS-Exchange-*`, `X-MS-Has-Attach`,
/// `X-Microsoft-Antispam*`).
pub(super) fn microsoft(name: &[u8]) -> bool {
    starts_with_ignore_case(name, b"x-ms-") || starts_with_ignore_case(name, b"x-microsoft-")
}

/// ASCII case-insensitive prefix test.
pub(super) fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// True for a space or a tab (RFC 5322 WSP).
pub(super) fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `text` without leading and trailing ASCII whitespace.
pub(super) fn trim(text: &[u8]) -> &[u8] {
    text.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_follows_rfc_5322() {
        assert_eq!(name(b"Received: from x"), Some(&b"Received"[..]));
        assert_eq!(name(b"h=From:To"), Some(&b"h=From"[..]));
        assert_eq!(name(b": no name"), None);
        assert_eq!(name(b"two words: x"), None);
        assert_eq!(name(b"no colon"), None);
        assert_eq!(name(b"From  :<a@b>"), Some(&b"From"[..]));
        assert_eq!(split(b"From :x"), Some((&b"From"[..], &b"x"[..])));
        assert_eq!(name(b"Tue, 10 Oct 2023 10:00:00"), None);
    }

    #[test]
    fn plausible_start_rejects_lost_continuations() {
        assert!(plausible_start(b"Subject: hi").is_some());
        assert!(plausible_start(b"Subject:hi").is_some());
        assert!(plausible_start(b"X-Spam:yes").is_some());
        assert!(plausible_start(b"Foo: bar").is_some());
        assert!(plausible_start(b"Foo:").is_some());
        assert!(plausible_start(b"Precedence:bulk").is_some());
        assert!(plausible_start(b"Fro :x").is_some());
        assert!(plausible_start(b"2603:10b6:408:44::30").is_none());
        assert!(plausible_start(b"abwl:0;wl:0;pcwl:0").is_none());
        assert!(plausible_start(b"h=From:To:Subject;").is_none());
        assert!(plausible_start(b"SFS:(13230031)(4636009);").is_none());
        assert!(plausible_start(b"CIP:255.255.255.255;CTRY:;").is_none());
        assert!(plausible_start(b"https://example.com/u").is_none());
        assert!(plausible_start(b"<https://example.com/u>").is_none());
        assert!(plausible_start(b"spf=pass (google.com: domain").is_none());
    }

    #[test]
    fn known_and_trace_names() {
        assert!(known(b"DKIM-Signature"));
        assert!(known(b"X-Whatever"));
        assert!(!known(b"Note"));
        assert!(trace(b"Received"));
        assert!(trace(b"X-MS-Exchange-Organization-SCL"));
        assert!(!trace(b"Subject"));
    }
}
