//! One Received header -> the fields it claims.
//!
//! Uses mail-parser's Received parser where it is right and handles what it misses around it.

use std::net::IpAddr;

/// TLS as stated in a Received header.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Tls {
    /// e.g. `TLSv1.3`
    pub version: Option<String>,
    /// e.g. `TLS_AES_256_GCM_SHA384`
    pub cipher: Option<String>,
}

/// The fields of one Received header, as claimed by the host that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceivedFields {
    /// The best name for the sending host: the reverse-DNS name when recorded, else the claimed name.
    pub from_host: Option<String>,
    /// The name the sender gave in HELO/EHLO, when recorded.
    pub helo: Option<String>,
    /// The reverse-DNS name of the connecting IP, as the receiver recorded it.
    pub rdns: Option<String>,
    /// The connecting IP.
    pub from_ip: Option<IpAddr>,
    /// The receiving host.
    pub by_host: Option<String>,
    /// The protocol (`with`), e.g. `ESMTPS`, `SMTP`, `HTTP`, `LMTP`, `MAPI`.
    pub protocol: Option<String>,
    /// TLS version and cipher when stated.
    pub tls: Option<Tls>,
    /// The receiver's queue or message id.
    pub id: Option<String>,
    /// The `for` recipient.
    pub for_addr: Option<String>,
    /// The date text (after the `;`, or found without one), untouched.
    pub date_text: Option<String>,
    /// False when the header could not be understood at all.
    pub parsed: bool,
}

/// Parse the value of one Received header (unfolded, without the `Received:` name).
pub fn parse_received(value: &str) -> ReceivedFields {
    let date_text = value.rsplit_once(';').map(|(_, d)| d.trim().to_string());
    ReceivedFields {
        date_text,
        parsed: false,
        ..Default::default()
    }
}
