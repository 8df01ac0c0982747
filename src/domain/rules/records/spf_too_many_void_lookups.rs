use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// More than two of the SPF policy's DNS queries return NXDOMAIN or no records: `a:` or `mx:`
    /// naming hosts that no longer exist, `exists:` targets, includes of vanished services. RFC 7208
    /// 4.6.4 says receivers should return `permerror` after two such void lookups.
    ///
    /// ## Why it matters
    /// Receivers that enforce the limit (many do) give `permerror` for mail matched after the third
    /// void lookup, and for mail that matches nothing: legitimate mail fails SPF. Void lookups also
    /// show that the record names things that are gone.
    ///
    /// ## Example
    /// `v=spf1 a:old1.example.com a:old2.example.com mx:gone.example.net -all`, all three names
    /// returning NXDOMAIN.
    ///
    /// ## What to do
    /// Remove the terms that name hosts or domains without records, or restore their records.
    ///
    /// ## References
    /// - RFC 7208 section 4.6.4 (void lookup limit)
    pub static RULE = {
        code: "DOM017",
        name: "spf-too-many-void-lookups",
        severity: Error,
        summary: "more than 2 SPF lookups return no answer: permerror at receivers",
        check: crate::diagnose::no_check,
    }
}
