use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The key record's hash list (`h=`) does not allow SHA-256: the key may only verify
    /// `rsa-sha1` signatures, or (when `h=` names no known hash) none at all.
    ///
    /// ## Why it matters
    /// RFC 8301 section 3.1 says signers MUST sign with rsa-sha256 and verifiers MUST NOT
    /// consider rsa-sha1 signatures valid. A key restricted to SHA-1 therefore cannot produce a
    /// signature that modern verifiers accept: DKIM fails for this selector.
    ///
    /// ## Example
    /// `v=DKIM1; k=rsa; h=sha1; p=MIIBIjANBgkq...`
    ///
    /// ## What to do
    /// Remove `h=` (every hash is then allowed) or write `h=sha256`, and make sure the signer
    /// uses `a=rsa-sha256`.
    ///
    /// ## References
    /// - RFC 8301 section 3.1 (rsa-sha1 must not be used)
    /// - RFC 6376 section 3.6.1 (`h=` acceptable hash algorithms)
    pub static RULE = {
        code: "DOM038",
        name: "dkim-key-restricted-to-sha1",
        severity: Error,
        summary: "a DKIM key record's h= does not allow sha256",
        check: crate::diagnose::no_check,
    }
}
