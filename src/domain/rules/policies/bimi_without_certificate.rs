use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The BIMI record names a logo (`l=`) but no evidence document (`a=`): no Verified Mark
    /// Certificate (VMC) or Common Mark Certificate (CMC) proves that the domain owns the
    /// logo.
    ///
    /// ## Why it matters
    /// The record is valid, but most mailbox providers that show BIMI logos (Gmail, Apple
    /// Mail) require a VMC or CMC and show nothing without one; some smaller ones accept a
    /// self-asserted logo. BIMI also requires DMARC at `p=quarantine` or `p=reject` (RFC 7489)
    /// before any logo is shown.
    ///
    /// ## Example
    /// `v=BIMI1; l=https://example.com/logo.svg` (no `a=`), or `v=BIMI1; l=...; a=;`.
    ///
    /// ## What to do
    /// If the logo should show in Gmail or Apple Mail, obtain a VMC (for a registered
    /// trademark) or a CMC from a certificate authority that issues them, publish the PEM file
    /// over HTTPS and add `a=https://DOMAIN/bimi.pem`.
    ///
    /// ## References
    /// - draft-brand-indicators-for-message-identification (BIMI), section 4.2 (`a=`)
    /// - RFC 3709 (logotypes in X.509 certificates, used by VMCs); RFC 7489 (DMARC)
    pub static RULE = {
        code: "DOM054",
        name: "bimi-without-certificate",
        severity: Info,
        summary: "the BIMI record has no VMC or CMC certificate (a=)",
        check: crate::diagnose::no_check,
    }
}
