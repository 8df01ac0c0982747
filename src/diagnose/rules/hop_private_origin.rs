use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::hops::host::{is_local_name, is_private};

declare_rule! {
    /// ## What it means
    /// The first hop, where the message entered the mail system, came from a private or
    /// loopback address (10.x, 172.16-31.x, 192.168.x, 127.0.0.1, fd00::/8, ::1), or names no
    /// sending host at all: the message was handed over on the server itself (a program calling
    /// `sendmail`, Postfix's `from userid 1001`) or through webmail or a sending API
    /// (`with HTTP`).
    ///
    /// ## Why it matters
    /// Nothing is wrong: this is how almost every message starts. A mail program submits to its
    /// own organisation's server from the office network, webmail hands the message to the mail
    /// server over localhost, a web application calls the local mail program. What it means for
    /// an investigation is that the first hop says nothing about where the author was on the
    /// internet: a private address is only meaningful inside the sender's network, and a
    /// webmail or API submission hides the author's address unless the software records it in
    /// a header of its own (`X-Originating-IP`, a comment in the Received line). The first
    /// *public* address in the chain is the sender's outbound server, not the person.
    ///
    /// ## Example
    /// ```text
    /// Received: from 10.20.30.41 (SquirrelMail authenticated user erin)
    ///         by webmail.example.com with HTTP; Tue, 11 Mar 2025 10:15:37 +0100
    /// ```
    ///
    /// ## What to do
    /// Nothing. To find who sent the message, ask the administrators of the sending
    /// organisation: they can match the time and the queue id against their own logs.
    ///
    /// ## References
    /// - RFC 1918 (private IPv4 address space) and RFC 4193 (unique local IPv6 addresses)
    /// - RFC 6890 (special-purpose address registries: loopback)
    /// - RFC 6409 (message submission) and RFC 5321 section 4.4 (trace information)
    pub static RULE = {
        code: "HOP008",
        name: "hop-private-origin",
        severity: Info,
        summary: "the first hop came from a private address or a local submission",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(hop) = ctx.chain.hops.first().filter(|h| h.fields.parsed) else {
        return;
    };
    let f = &hop.fields;
    let by = f.by_host.as_deref().unwrap_or("the first server");
    let how = f
        .protocol
        .as_deref()
        .map(|p| format!(" with {p}"))
        .unwrap_or_default();
    let names = [f.rdns.as_deref(), f.from_host.as_deref(), f.helo.as_deref()];
    let message = match f.from_ip {
        Some(ip) if ip.is_loopback() => format!(
            "hop 1 says the message started on {by} itself ({ip}{how}): a program on that machine submitted it, normal for webmail and mailing software"
        ),
        Some(ip) if is_private(ip) => format!(
            "hop 1 says the message started at the private address {ip} ({by}{how}): a submission inside the sender's network, normal for webmail and mail programs; it says nothing about where the author was on the internet"
        ),
        Some(_) => return,
        None if names.iter().flatten().any(|n| is_local_name(n)) => format!(
            "hop 1 says the message started on {by} itself (localhost{how}): a program on that machine submitted it, normal for webmail and mailing software"
        ),
        None if names.iter().all(|n| n.is_none()) => {
            let web = f
                .protocol
                .as_deref()
                .is_some_and(|p| p.to_ascii_uppercase().starts_with("HTTP"));
            if web {
                format!(
                    "hop 1 says the message was submitted to {by}{how}, through webmail or a sending API: the author's address is not recorded"
                )
            } else {
                format!(
                    "hop 1 names no sender: the message was handed to {by} on the machine itself (a program or the sendmail command), normal for servers and applications"
                )
            }
        }
        None => return,
    };
    out.push(rule.finding(
        message,
        Some(hop.index),
        vec![Evidence::at("Received", &hop.span, &hop.raw)],
    ));
}
