use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// A Received line has no date that mailtrace can read: either none at all, or text in its
    /// date position that is not a date in any form seen in the wild. The hop is shown without a
    /// time; mailtrace never guesses one.
    ///
    /// ## Why it matters
    /// Without the time of this hop, the delays on both sides of it are unknown, and the total
    /// delivery time may be incomplete. A hand-written or broken date below the trust boundary
    /// can also be a sign of a forged Received line.
    ///
    /// ## Example
    /// ```text
    /// Received: from a.example.net by b.example.net with SMTP; yesterday at noon
    /// ```
    ///
    /// ## What to do
    /// Use the neighbouring hops to bound when this one happened. If the line comes from a server
    /// you run, fix its date format: RFC 5322 section 3.3 form, e.g. `Tue, 11 Mar 2025 09:15:42 +0000`.
    ///
    /// ## References
    /// - RFC 5322 section 3.3 (date and time specification) and 4.3 (obsolete forms)
    /// - RFC 5321 section 4.4 (the time stamp in trace lines)
    pub static RULE = {
        code: "HOP004",
        name: "hop-date-unparseable",
        severity: Warning,
        summary: "a Received line has no readable date",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for hop in ctx.chain.hops.iter().filter(|h| h.timestamp.is_none()) {
        let message = match hop.fields.date_text.as_deref().filter(|t| !t.is_empty()) {
            Some(text) => format!(
                "hop {} has a date that cannot be read: {text:?}; it is left without a time",
                hop.index
            ),
            None => format!("hop {} has no date; it is left without a time", hop.index),
        };
        out.push(rule.finding(
            message,
            Some(hop.index),
            vec![Evidence::at("Received", &hop.span, &hop.raw)],
        ));
    }
}
