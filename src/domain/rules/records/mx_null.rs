use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The domain's only MX record is `0 .` — a null MX (RFC 7505). It states that the domain accepts
    /// no mail at all.
    ///
    /// ## Why it matters
    /// Senders that see a null MX bounce the message immediately instead of queueing it, so people
    /// learn at once that the address is wrong. Receivers may also refuse mail whose envelope sender is
    /// at a null-MX domain, since bounces to it could never be delivered. That is right for a domain
    /// that only hosts a web site, and wrong for one that sends mail and expects replies or bounces.
    ///
    /// ## Example
    /// `example.com. IN MX 0 .`
    ///
    /// ## What to do
    /// Nothing, if the domain really takes no mail. If it sends mail, make sure the envelope sender
    /// (Return-Path) of that mail is at a domain that receives mail, or replace the null MX with real
    /// exchangers.
    ///
    /// ## References
    /// - RFC 7505 (a "Null MX" no service resource record)
    /// - RFC 5321 section 5.1
    pub static RULE = {
        code: "DOM002",
        name: "mx-null",
        severity: Info,
        summary: "the domain publishes a null MX: it accepts no mail",
        check: crate::diagnose::no_check,
    }
}
