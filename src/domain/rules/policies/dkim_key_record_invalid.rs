use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The TXT record at the selector is not a valid DKIM key record: a tag is not of the form
    /// `name=value`, a tag occurs twice, `v=` is not first or not `DKIM1`, `p=` is missing, or
    /// the base64 of `p=` is not a public key.
    ///
    /// ## Why it matters
    /// A verifier that cannot read the key record cannot verify anything: every signature
    /// with this selector fails with `permerror` (RFC 6376 section 6.1.2), exactly as if there
    /// were no key. The usual causes are a key pasted with quotes or line breaks inside the
    /// base64, a DNS control panel that truncated a long value at 255 characters instead of
    /// splitting it into strings, or `v=DKIM1` placed after another tag.
    ///
    /// ## Example
    /// `k=rsa; v=DKIM1; p=MIIBIjANBgkq...` (v= not first), or
    /// `v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA` (truncated key).
    ///
    /// ## What to do
    /// Copy the record again from the signing system (or the provider's setup page), as one
    /// TXT record whose value may be split into several quoted strings of up to 255
    /// characters; check it with `dig TXT SELECTOR._domainkey.DOMAIN` and run this command
    /// again.
    ///
    /// ## References
    /// - RFC 6376 section 3.2 (tag lists) and section 3.6.1 (key records)
    /// - RFC 7208 section 3.3 (how TXT strings are joined; the same holds for DKIM)
    pub static RULE = {
        code: "DOM035",
        name: "dkim-key-record-invalid",
        severity: Error,
        summary: "a DKIM key record cannot be read",
        check: crate::diagnose::no_check,
    }
}
