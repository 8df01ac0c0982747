use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The MTA-STS policy file was fetched but is not valid: `version: STSv1` is missing,
    /// `mode` is missing or not one of `enforce`, `testing` or `none`, `max_age` is missing or
    /// not a number, or there is no `mx` line although the mode is not `none`.
    ///
    /// ## Why it matters
    /// Senders MUST treat an invalid policy as no policy (RFC 8461 section 3.2), so the domain
    /// gets none of the protection it meant to publish. Typical causes are `mode: enforced`,
    /// `max_age: 1w` (it must be a number of seconds), or fields written `key=value` instead of
    /// `key: value`.
    ///
    /// ## Example
    /// ```text
    /// version: STSv1
    /// mode: enforced
    /// mx: mail.example.com
    /// max_age: 1w
    /// ```
    ///
    /// ## What to do
    /// Write one `key: value` per line (CRLF or LF): `version: STSv1`, `mode: enforce` (or
    /// `testing`), one `mx:` line per MX host or wildcard pattern, and `max_age:` in seconds
    /// (604800 is a week). Then change the `id=` of the TXT record.
    ///
    /// ## References
    /// - RFC 8461 section 3.2 (the policy file and its ABNF)
    pub static RULE = {
        code: "DOM043",
        name: "mta-sts-policy-invalid",
        severity: Error,
        summary: "the MTA-STS policy file is malformed",
        check: crate::diagnose::no_check,
    }
}
