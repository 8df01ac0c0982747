use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The key record's service list (`s=`) names neither `email` nor `*`: the key says it may
    /// not be used to verify email.
    ///
    /// ## Why it matters
    /// RFC 6376 section 3.6.1 makes verifiers ignore a key whose `s=` does not include `email`
    /// (or `*`), so every signature with this selector fails with `permerror`, as if there were
    /// no key. A value copied from another protocol or a typo (`s=e-mail`, `s=mail`) is the
    /// usual cause.
    ///
    /// ## Example
    /// `v=DKIM1; k=rsa; s=mail; p=MIIBIjANBgkq...`
    ///
    /// ## What to do
    /// Remove `s=` (the default is `*`, every service) or write `s=email`.
    ///
    /// ## References
    /// - RFC 6376 section 3.6.1 (`s=` service type) and section 7.8 (the service type registry)
    pub static RULE = {
        code: "DOM037",
        name: "dkim-key-not-for-email",
        severity: Error,
        summary: "a DKIM key record's s= excludes email",
        check: crate::diagnose::no_check,
    }
}
