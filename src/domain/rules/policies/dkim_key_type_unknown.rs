use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The key record's `k=` names a key type that is neither `rsa` (RFC 6376) nor `ed25519`
    /// (RFC 8463), the only two registered.
    ///
    /// ## Why it matters
    /// A verifier cannot use a key of an unknown type: signatures with this selector fail with
    /// `permerror`. A misspelling (`k=RSA-SHA256`, `k=ed25519-sha256`: the algorithm of the
    /// signature instead of the key type) is the usual cause.
    ///
    /// ## Example
    /// `v=DKIM1; k=rsa-sha256; p=MIIBIjANBgkq...`
    ///
    /// ## What to do
    /// Write `k=rsa` for RSA keys (or leave `k=` out: rsa is the default) and `k=ed25519` for
    /// Ed25519 keys.
    ///
    /// ## References
    /// - RFC 6376 section 3.6.1 (`k=`, default rsa) and section 7.6 (the key type registry)
    /// - RFC 8463 section 4 (`k=ed25519`)
    pub static RULE = {
        code: "DOM036",
        name: "dkim-key-type-unknown",
        severity: Error,
        summary: "a DKIM key record names an unknown key type (k=)",
        check: crate::diagnose::no_check,
    }
}
