use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The DMARC record has `pct=` under 100: receivers apply the quarantine or reject policy to that
    /// percentage of failing mail and treat the rest one step more leniently (quarantine becomes none,
    /// reject becomes quarantine).
    ///
    /// ## Why it matters
    /// `pct` is a ramp for deployments. Left in place, it lets a share of spoofed mail through on
    /// purpose; with `pct=0` nothing is enforced at all. (DMARCbis drops `pct` for a test flag `t=`.)
    ///
    /// ## Example
    /// `v=DMARC1; p=reject; pct=20; rua=mailto:dmarc@example.com`
    ///
    /// ## What to do
    /// Once the reports show legitimate mail passing, raise `pct` to 100 or remove the tag (100 is the
    /// default).
    ///
    /// ## References
    /// - RFC 7489 section 6.3 (pct) and 6.6.4 (message sampling)
    pub static RULE = {
        code: "DOM024",
        name: "dmarc-pct-partial",
        severity: Warning,
        summary: "`pct` below 100: the policy applies to only part of the failing mail",
        check: crate::diagnose::no_check,
    }
}
