use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// An MX host of the domain matches none of the `mx:` patterns of its MTA-STS policy.
    ///
    /// ## Why it matters
    /// A sender applying the policy only delivers to MX hosts that match a pattern (RFC 8461
    /// section 4.1). In `enforce` mode, mail for an MX that matches none is not delivered
    /// there: if no MX matches, the domain receives no mail at all from senders that honour
    /// MTA-STS (Gmail, Microsoft and others). In `testing` mode the failure is only reported
    /// (through TLS-RPT). This happens after a move to a new mail provider when the policy was
    /// forgotten.
    ///
    /// ## Example
    /// MX `10 example-com.mail.protection.outlook.com` with a policy that lists only
    /// `mx: aspmx.l.google.com` and `mx: *.google.com`.
    ///
    /// ## What to do
    /// Add an `mx:` line for every MX host (or a wildcard such as `*.mail.protection.outlook.com`;
    /// a wildcard covers exactly one leftmost label), change the `id=` of the TXT record, and
    /// remember that senders may keep the old policy for up to its `max_age`. When moving
    /// providers, add the new hosts to the policy before changing the MX records.
    ///
    /// ## References
    /// - RFC 8461 section 3.2 (`mx` patterns) and section 4.1 (MX host validation)
    pub static RULE = {
        code: "DOM044",
        name: "mta-sts-mx-not-covered",
        severity: Error,
        summary: "an MX host matches no mx pattern of the MTA-STS policy",
        check: crate::diagnose::no_check,
    }
}
