use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The DMARC record does not follow RFC 7489 6.4: `v=DMARC1` is not the first tag, `p=` is
    /// missing or not none/quarantine/reject, a tag is not `tag=value`, or a value is invalid (`pct=150`,
    /// `adkim=x`). A missing or invalid `p=` makes the record unusable (unless `rua=` is valid, when it
    /// reads as `p=none`); other invalid values fall back to their defaults.
    ///
    /// ## Why it matters
    /// An unusable record is the same as no record: no policy, no reports. A tolerated error means
    /// the domain does not get the behaviour it asked for (a `pct=` ignored, a strict alignment read
    /// as relaxed).
    ///
    /// ## Example
    /// `v=DMARC1; p=rejected; rua=mailto:d@example.com` (p= misspelt), or
    /// `p=reject; v=DMARC1` (v= not first).
    ///
    /// ## What to do
    /// Fix the tag named in the finding; start with `v=DMARC1; p=...`, separate tags with `;`.
    ///
    /// ## References
    /// - RFC 7489 section 6.3 (general record format) and 6.4 (formal definition)
    /// - RFC 7489 section 6.6.3 (invalid p= with a valid rua=)
    pub static RULE = {
        code: "DOM022",
        name: "dmarc-syntax-error",
        severity: Error,
        summary: "the DMARC record has a syntax error",
        check: crate::diagnose::no_check,
    }
}
