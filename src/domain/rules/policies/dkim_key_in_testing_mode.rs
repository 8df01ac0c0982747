use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The key record carries the flag `t=y`: the domain says it is testing DKIM.
    ///
    /// ## Why it matters
    /// RFC 6376 section 3.6.1 says verifiers MUST NOT treat messages from a domain in testing
    /// mode differently from unsigned mail, and MUST NOT ask for signed mail on the strength of
    /// it. In practice many receivers ignore the flag, but some discount the signature, so a
    /// flag left on long after the roll-out is finished weakens DKIM for no reason, and it
    /// tells everyone that the setup was never finished.
    ///
    /// ## Example
    /// `v=DKIM1; k=rsa; t=y; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...`
    ///
    /// ## What to do
    /// Once signatures verify (check a few messages with `mailtrace analyze`), remove `y` from
    /// `t=` (keep `t=s` if you use it). Many providers' setup wizards add `t=y`; their
    /// documentation says when it may be removed.
    ///
    /// ## References
    /// - RFC 6376 section 3.6.1 (`t=` flags: `y` testing, `s` strict)
    pub static RULE = {
        code: "DOM034",
        name: "dkim-key-in-testing-mode",
        severity: Warning,
        summary: "a DKIM key record is flagged t=y (testing mode)",
        check: crate::diagnose::no_check,
    }
}
