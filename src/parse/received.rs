//! mail-parser's Received parser, behind a type of our own (no mail-parser type leaves `parse/`).
//!
//! `hops::received` has its own reader and asks this one only for fields it left empty.

use mail_parser::{HeaderValue, Host, TlsVersion};

/// What mail-parser read from the part of a Received value before its date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailParserReceived {
    /// `for`
    pub for_addr: Option<String>,
    /// `id`
    pub id: Option<String>,
    /// `by` (a name, or an IP written as text)
    pub by_host: Option<String>,
    /// The HELO name, only when a HELO/EHLO command was recorded.
    pub helo: Option<String>,
    /// e.g. `TLSv1.3`
    pub tls_version: Option<String>,
    /// e.g. `TLS_AES_256_GCM_SHA384`
    pub tls_cipher: Option<String>,
}

/// Run mail-parser on `head`, the text before the date. Every `;` is blanked so that its date
/// assembly (unchecked arithmetic on input numbers) is never reached.
pub fn mail_parser_received(head: &str) -> Option<MailParserReceived> {
    let mut input: Vec<u8> = head
        .bytes()
        .map(|b| if b == b';' { b' ' } else { b })
        .collect();
    input.push(b'\n');
    let HeaderValue::Received(r) =
        mail_parser::parsers::MessageStream::new(&input).parse_received()
    else {
        return None;
    };
    let host = |h: &Option<Host>| match h {
        Some(Host::Name(n)) => Some(n.to_string()),
        Some(Host::IpAddr(ip)) => Some(ip.to_string()),
        None => None,
    };
    Some(MailParserReceived {
        for_addr: r.for_.as_deref().map(str::to_string),
        id: r.id.as_deref().map(str::to_string),
        by_host: host(&r.by),
        helo: match (&r.helo_cmd, &r.helo) {
            (Some(_), Some(Host::Name(n))) => Some(n.to_string()),
            _ => None,
        },
        tls_version: r.tls_version.map(|v| {
            match v {
                TlsVersion::SSLv2 => "SSLv2",
                TlsVersion::SSLv3 => "SSLv3",
                TlsVersion::TLSv1_0 => "TLSv1.0",
                TlsVersion::TLSv1_1 => "TLSv1.1",
                TlsVersion::TLSv1_2 => "TLSv1.2",
                TlsVersion::TLSv1_3 => "TLSv1.3",
                TlsVersion::DTLSv1_0 => "DTLSv1.0",
                TlsVersion::DTLSv1_2 => "DTLSv1.2",
                TlsVersion::DTLSv1_3 => "DTLSv1.3",
            }
            .to_string()
        }),
        tls_cipher: r.tls_cipher.as_deref().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_postfix_head() {
        let r = mail_parser_received(
            "from a.example.net (a.example.net [192.0.2.1]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.org (Postfix) with ESMTPS id 4Z1x2y3 for <b@example.org>",
        )
        .expect("parsed");
        assert_eq!(r.by_host.as_deref(), Some("mx.example.org"));
        assert_eq!(r.id.as_deref(), Some("4Z1x2y3"));
        assert_eq!(r.tls_version.as_deref(), Some("TLSv1.3"));
    }
}
