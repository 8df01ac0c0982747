use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The domain has no MX record but has an address (A or AAAA). RFC 5321 5.1 then treats the
    /// domain itself as its only exchanger, with preference 0: the "implicit MX". Senders connect to
    /// the domain's own address on port 25.
    ///
    /// ## Why it matters
    /// It works only if the web server (or whatever the address points at) also accepts mail on port
    /// 25. Often it does not, and mail waits in queues for days before bouncing. Many people do not know
    /// the rule, so the domain may be receiving (or failing to receive) mail nobody expects.
    ///
    /// ## Example
    /// `example.com. A 192.0.2.10` and no `example.com. MX` record.
    ///
    /// ## What to do
    /// Publish an explicit MX record for the server that should receive mail, or a null MX
    /// (`MX 0 .`, RFC 7505) if the domain receives no mail.
    ///
    /// ## References
    /// - RFC 5321 section 5.1 (the implicit MX)
    /// - RFC 7505 (the null MX)
    pub static RULE = {
        code: "DOM006",
        name: "mx-implicit",
        severity: Info,
        summary: "no MX record: mail goes to the domain's own address (implicit MX)",
        check: crate::diagnose::no_check,
    }
}
