use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The domain publishes an MTA-STS TXT record, but the policy file could not be fetched
    /// from `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`: the host does not exist, its
    /// certificate is not valid for that name, the server answered an error or a redirect, or
    /// the file is not served as `text/plain`.
    ///
    /// ## Why it matters
    /// Senders that have no cached policy treat the domain as having none (RFC 8461 section
    /// 5): the protection is gone. Senders that cached an earlier policy keep using it until
    /// its `max_age` ends, so a policy that is gone can block mail later on, when the MX hosts
    /// change. An invalid certificate on `mta-sts.DOMAIN` is the most common cause: the host
    /// is often a web server or CDN that has no certificate for that name.
    ///
    /// ## Example
    /// `_mta-sts.example.com TXT "v=STSv1; id=20240501;"` while `mta-sts.example.com` has no
    /// address, or answers with a 301 redirect to `www.example.com` (RFC 8461 section 3.3:
    /// redirects MUST NOT be followed).
    ///
    /// ## What to do
    /// Serve the policy over HTTPS at exactly that URL, with a certificate valid for
    /// `mta-sts.DOMAIN`, status 200, no redirect, and `Content-Type: text/plain`. Check with
    /// `curl -v https://mta-sts.DOMAIN/.well-known/mta-sts.txt`. If MTA-STS is not wanted,
    /// remove the TXT record (after publishing `mode: none` for one `max_age`).
    ///
    /// ## References
    /// - RFC 8461 section 3.3 (HTTPS policy fetching) and section 5 (policy application)
    pub static RULE = {
        code: "DOM042",
        name: "mta-sts-policy-unavailable",
        severity: Warning,
        summary: "an MTA-STS record is published but its policy file could not be fetched",
        check: crate::diagnose::no_check,
    }
}
