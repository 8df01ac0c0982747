use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule, Severity};
use crate::hops::Side;
use crate::hops::host::is_private;

declare_rule! {
    /// ## What it means
    /// A hop that crossed the public internet (its sending side has a public IP address, and it
    /// lies at or below the trust boundary, where the message had not yet reached the
    /// recipient's own network) states plain SMTP: `with SMTP`, `with ESMTP`, `with ESMTPA`,
    /// Exchange's `with Microsoft SMTP Server` without a `version=`, and no TLS version or cipher
    /// anywhere in the line. Servers write `ESMTPS` (or `ESMTPSA`, `SMTPS`, a `TLSv1.3` comment)
    /// when the connection was encrypted; the transmission types are registered in RFC 3848.
    ///
    /// ## Why it matters
    /// Without TLS, the message and its envelope crossed the network readable and changeable
    /// by anyone on the path. Nearly every mail server offers STARTTLS today, so a plain hop
    /// means the sending server is old or misconfigured, or a spam tool that does not bother.
    /// It is reported as info. It is a warning when the hop is an authenticated submission
    /// (`ESMTPA`): the user's password crossed the internet too, in a form anyone on the path
    /// could read. Hops inside one organisation (private addresses, LMTP to the mailbox) are not
    /// reported: they never leave the building.
    ///
    /// ## Example
    /// ```text
    /// Received: from mail.example.net (mail.example.net [198.51.100.20])
    ///         by mx.example.org (Postfix) with ESMTP id 4ZBp726Wqrz86cfS
    /// ```
    ///
    /// ## What to do
    /// Sending server administrators: enable STARTTLS (Postfix `smtp_tls_security_level = may`),
    /// and require TLS for submission (port 465 or STARTTLS on 587). Recipients who need
    /// encryption on the way in can publish MTA-STS so that senders must use TLS.
    ///
    /// ## References
    /// - RFC 3207 (SMTP service extension for secure SMTP over TLS: STARTTLS)
    /// - RFC 3848 (ESMTP and LMTP transmission types: ESMTPS, ESMTPA, ESMTPSA)
    /// - RFC 8314 (use of TLS for email submission and access)
    /// - RFC 8461 (MTA-STS: requiring TLS between mail servers)
    pub static RULE = {
        code: "HOP009",
        name: "hop-no-tls",
        severity: Info,
        summary: "a hop across the public internet was made without TLS",
        check: check,
    }
}

/// What a `with` clause says about encryption.
#[derive(Debug, PartialEq, Eq)]
enum Transport {
    /// Plain SMTP.
    Plain,
    /// Plain SMTP with authentication: a password sent in the clear.
    PlainAuthenticated,
    /// TLS, or a protocol that is not SMTP (LMTP, HTTP, IMAP, MAPI, an unknown word).
    Other,
}

fn transport(protocol: &str) -> Transport {
    let mut plain = None;
    for word in protocol.split(|c: char| c.is_whitespace() || c == '/') {
        let w = word
            .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .to_ascii_uppercase();
        match w.as_str() {
            "ESMTPS" | "ESMTPSA" | "SMTPS" | "ESMTP-TLS" | "UTF8SMTPS" | "UTF8SMTPSA" => {
                return Transport::Other;
            }
            "SMTP" | "ESMTP" | "SMTPSVC" | "SMTPD" | "BSMTP" | "UTF8SMTP" => {
                plain.get_or_insert(Transport::Plain);
            }
            "ESMTPA" | "ASMTP" | "UTF8SMTPA" => plain = Some(Transport::PlainAuthenticated),
            _ => {}
        }
    }
    plain.unwrap_or(Transport::Other)
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for hop in &ctx.chain.hops {
        if !matches!(hop.side, Side::Sender | Side::Boundary) || hop.fields.tls.is_some() {
            continue;
        }
        let Some(ip) = hop.fields.from_ip.filter(|ip| !is_private(*ip)) else {
            continue;
        };
        let Some(protocol) = hop.fields.protocol.as_deref() else {
            continue;
        };
        let by = hop.fields.by_host.as_deref().unwrap_or("the next server");
        let evidence = vec![Evidence::at("Received", &hop.span, &hop.raw)];
        match transport(protocol) {
            Transport::Plain => out.push(rule.finding(
                format!(
                    "hop {}: {ip} handed the message to {by} over {protocol} without TLS: it crossed the internet unencrypted",
                    hop.index
                ),
                Some(hop.index),
                evidence,
            )),
            Transport::PlainAuthenticated => {
                let mut f = rule.finding(
                    format!(
                        "hop {}: {ip} logged in to {by} and submitted the message over {protocol} without TLS: the password and the message crossed the internet unencrypted",
                        hop.index
                    ),
                    Some(hop.index),
                    evidence,
                );
                f.severity = Severity::Warning;
                out.push(f);
            }
            Transport::Other => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports() {
        assert_eq!(transport("ESMTP"), Transport::Plain);
        assert_eq!(transport("smtp"), Transport::Plain);
        assert_eq!(transport("Microsoft SMTP Server"), Transport::Plain);
        assert_eq!(transport("Microsoft SMTPSVC"), Transport::Plain);
        assert_eq!(transport("esmtpa"), Transport::PlainAuthenticated);
        assert_eq!(transport("ESMTPS"), Transport::Other);
        assert_eq!(transport("esmtpsa"), Transport::Other);
        assert_eq!(transport("LMTP"), Transport::Other);
        assert_eq!(transport("HTTP"), Transport::Other);
        assert_eq!(transport("mapi"), Transport::Other);
    }
}
