use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The key record at the selector has an empty public key (`p=`): the domain has revoked
    /// this key (RFC 6376 section 3.6.1). Signatures made with this selector fail with
    /// `permerror` (key revoked).
    ///
    /// ## Why it matters
    /// This is normal after a key rotation: the old selector is kept with an empty `p=` so
    /// that verifiers know the key was withdrawn on purpose, rather than lost. It is only a
    /// problem when a mail service still signs with this selector, because then its mail
    /// fails DKIM everywhere.
    ///
    /// ## Example
    /// `v=DKIM1; k=rsa; p=` at `selector1._domainkey.example.com`.
    ///
    /// ## What to do
    /// Check that no sender still uses this selector: look at the `s=` tag of recent
    /// DKIM-Signature fields of the domain (`mailtrace analyze`). If none does, nothing is to
    /// be done; the record may be deleted once old messages no longer need verifying. If one
    /// does, switch it to the current selector or publish a new key.
    ///
    /// ## References
    /// - RFC 6376 section 3.6.1 (`p=`: "An empty value means that this public key has been
    ///   revoked") and section 6.1.2
    /// - M3AAWG, DKIM Key Rotation Best Common Practices (2019)
    pub static RULE = {
        code: "DOM031",
        name: "dkim-selector-revoked",
        severity: Info,
        summary: "a DKIM key record has an empty p= (the key was revoked)",
        check: crate::diagnose::no_check,
    }
}
