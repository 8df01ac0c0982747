use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The domain has no usable route for mail. Either it does not exist, or it has no MX record
    /// and no A or AAAA record for the implicit MX, or every exchanger its MX records name has no
    /// address. A sending server has nowhere to connect.
    ///
    /// ## Why it matters
    /// Every message sent to an address at this domain bounces (or sits in queues for days and then
    /// bounces). If the domain is meant to receive mail — replies, bounces of its own outgoing mail,
    /// `postmaster@` and `abuse@` — nothing arrives. If it is meant to receive no mail at all, a null
    /// MX (RFC 7505) says so clearly and makes senders give up at once instead of retrying.
    ///
    /// ## Example
    /// `example.com` with no MX record and no A record, or
    /// `example.com. MX 10 mail.example.com.` where `mail.example.com` does not exist.
    ///
    /// ## What to do
    /// Publish an MX record naming a host that has an A and/or AAAA record and runs an SMTP server
    /// on port 25. If the domain never receives mail, publish a null MX instead:
    /// `example.com. MX 0 .` (RFC 7505).
    ///
    /// ## References
    /// - RFC 5321 section 5.1 (locating the target host, the implicit MX)
    /// - RFC 7505 (the null MX)
    pub static RULE = {
        code: "DOM001",
        name: "mx-no-mail-route",
        severity: Error,
        summary: "mail to the domain cannot be delivered: no MX and no address",
        check: crate::diagnose::no_check,
    }
}
