use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// A Received line could not be understood at all: no sending host, no receiving host and no
    /// date could be read from it. Its raw text is shown as it is.
    ///
    /// ## Why it matters
    /// The hop still counts (a server did write the line), but nothing in it can be checked
    /// against its neighbours. A garbled line is occasionally a broken server, more often text
    /// damaged by copying, and sometimes a forgery that was not written carefully.
    ///
    /// ## Example
    /// ```text
    /// Received: (qmail-scanner 2.01 processed)
    /// ```
    ///
    /// ## What to do
    /// Read the raw text yourself. If the message was pasted, compare with the original file.
    ///
    /// ## References
    /// - RFC 5321 section 4.4 (the Received line grammar)
    pub static RULE = {
        code: "HOP006",
        name: "hop-unparseable",
        severity: Warning,
        summary: "a Received line could not be understood",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for hop in ctx.chain.hops.iter().filter(|h| !h.fields.parsed) {
        out.push(rule.finding(
            format!(
                "hop {} could not be understood; its raw text is kept",
                hop.index
            ),
            Some(hop.index),
            vec![Evidence::at("Received", &hop.span, &hop.raw)],
        ));
    }
}
