use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// An MX record's exchanger is written as an IP address (`10 192.0.2.25`). The exchange field of
    /// an MX record must be a host name that has A or AAAA records; an address there is read as a
    /// name made of digits, which does not exist.
    ///
    /// ## Why it matters
    /// Most sending servers look up the A and AAAA records of the name `192.0.2.25`, find none, and
    /// treat the exchanger as unusable: mail is delayed and then bounced. A few lenient servers accept
    /// the address, so the mistake can go unnoticed until a strict sender bounces.
    ///
    /// ## Example
    /// `example.com. MX 10 192.0.2.25.`
    ///
    /// ## What to do
    /// Give the server a name with an address record and point the MX at that name:
    /// `mail.example.com. A 192.0.2.25` and `example.com. MX 10 mail.example.com.`
    ///
    /// ## References
    /// - RFC 5321 section 5.1 (MX records name hosts)
    /// - RFC 1035 section 3.3.9 (MX RDATA: a domain name)
    /// - RFC 2181 section 10.3 (MX must not point to an alias)
    pub static RULE = {
        code: "DOM003",
        name: "mx-target-ip-literal",
        severity: Error,
        summary: "an MX record names an IP address instead of a host name",
        check: crate::diagnose::no_check,
    }
}
