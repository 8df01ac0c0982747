use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The RSA key published at the selector has at least 1024 bits but fewer than 2048.
    ///
    /// ## Why it matters
    /// Verifiers still accept 1024-bit keys (RFC 8301 section 3.2 requires them to), but the
    /// same section asks signers to use at least 2048 bits, and 1024-bit RSA is within reach of
    /// well-funded attackers. Receivers and security scanners increasingly flag such keys, and
    /// some guidance (for example for government domains) requires 2048 bits.
    ///
    /// ## Example
    /// `v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ...` (a 1024-bit modulus; a
    /// 2048-bit key's base64 is about 392 characters long, a 1024-bit one about 216).
    ///
    /// ## What to do
    /// Publish a 2048-bit RSA key under a new selector, switch signing to it, and revoke the old
    /// selector. An Ed25519 key (RFC 8463) may be published alongside, but not instead: not all
    /// verifiers support it yet.
    ///
    /// ## References
    /// - RFC 8301 section 3.2 (signers SHOULD use keys of at least 2048 bits)
    /// - RFC 8463 (Ed25519 keys for DKIM)
    pub static RULE = {
        code: "DOM033",
        name: "dkim-key-below-2048-bits",
        severity: Warning,
        summary: "a DKIM RSA key is shorter than the 2048 bits signers should use",
        check: crate::diagnose::no_check,
    }
}
