use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The RSA key published at the selector is shorter than 1024 bits.
    ///
    /// ## Why it matters
    /// RFC 8301 section 3.2 says verifiers MUST NOT consider signatures made with RSA keys under
    /// 1024 bits valid: Gmail, Microsoft and the other large receivers treat such mail as
    /// unsigned, so DKIM gives the domain nothing, and DMARC can only pass through SPF. Worse,
    /// a 512-bit key can be factored in hours on rented machines, after which anyone can sign
    /// mail as the domain for the receivers that still accept it.
    ///
    /// ## Example
    /// `v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJB...` (a 512-bit modulus).
    ///
    /// ## What to do
    /// Generate a 2048-bit RSA key, publish it under a new selector, switch signing to it, then
    /// revoke the old selector (publish it with an empty `p=`). If the DNS provider cannot hold
    /// a 2048-bit key in one string, split it into several strings of one TXT record.
    ///
    /// ## References
    /// - RFC 8301 section 3.2 (key sizes: signers MUST use at least 1024 bits, SHOULD use 2048)
    /// - RFC 6376 section 3.3.3 (key sizes)
    pub static RULE = {
        code: "DOM032",
        name: "dkim-key-too-short",
        severity: Error,
        summary: "a DKIM RSA key is shorter than 1024 bits and verifiers must reject it",
        check: crate::diagnose::no_check,
    }
}
