use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// A DKIM selector you asked about (`--selector`) has no key record: the name
    /// `SELECTOR._domainkey.DOMAIN` does not exist (NXDOMAIN) or holds no TXT record. Selectors
    /// found missing by the probe of common selectors (`--probe-selectors`) are not reported:
    /// most domains use only one or two of them.
    ///
    /// ## Why it matters
    /// A verifier looks the key up at exactly this name, taken from the `s=` and `d=` tags of
    /// the signature (RFC 6376 section 3.6.2.1). With no record there, every message signed
    /// with this selector fails DKIM with `permerror` (key not found), and DMARC can only pass
    /// through SPF. This is the usual result of a provider's DKIM being switched on before the
    /// DNS record was published, of a typo in the selector, or of a CNAME to the provider that
    /// was never created.
    ///
    /// ## Example
    /// `mailtrace domain example.com --selector s1` when `s1._domainkey.example.com` is
    /// NXDOMAIN, while the mail service signs with `s=s1; d=example.com`.
    ///
    /// ## What to do
    /// Take the selector from the `s=` tag of a real DKIM-Signature of the domain (run
    /// `mailtrace analyze` on a message) and check the spelling. Publish the TXT record (or the
    /// CNAME your provider asks for) at `SELECTOR._domainkey.DOMAIN`, then wait for the old
    /// negative answer to expire (the SOA minimum TTL).
    ///
    /// ## References
    /// - RFC 6376 section 3.6.2 (the `_domainkey` namespace) and section 6.1.2 (getting the key)
    /// - RFC 2308 (negative caching of DNS answers)
    pub static RULE = {
        code: "DOM030",
        name: "dkim-selector-not-found",
        severity: Warning,
        summary: "a DKIM selector that was asked about has no key record",
        check: crate::diagnose::no_check,
    }
}
