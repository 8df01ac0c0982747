use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The BIMI record's logo location (`l=`) is not an `https:` URL.
    ///
    /// ## Why it matters
    /// The BIMI specification requires the logo (an SVG in the Tiny Portable/Secure profile)
    /// to be fetched over HTTPS; mailbox providers ignore an `http:` or other location, so no
    /// logo is shown.
    ///
    /// ## Example
    /// `v=BIMI1; l=http://example.com/logo.svg`
    ///
    /// ## What to do
    /// Serve the SVG over HTTPS with a valid certificate and write its `https://` URL in `l=`.
    /// With a VMC or CMC certificate (`a=`), the logo must also be the one embedded in it.
    ///
    /// ## References
    /// - draft-brand-indicators-for-message-identification (BIMI), section 4.2 (`l=`)
    /// - RFC 2818 (HTTP over TLS); RFC 7489 (DMARC), which BIMI requires
    pub static RULE = {
        code: "DOM053",
        name: "bimi-logo-not-https",
        severity: Error,
        summary: "the BIMI logo location is not an https URL",
        check: crate::diagnose::no_check,
    }
}
