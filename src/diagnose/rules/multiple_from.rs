use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The message has more than one `From` header field. RFC 5322 allows exactly one.
    ///
    /// ## Why it matters
    /// Different programs show different From fields: a DKIM verifier may check one while the
    /// mail client displays the other. Attackers add a second From to a legitimately signed
    /// message so that it passes DKIM and DMARC while showing a forged sender. Whatever DKIM
    /// says, such a message is malformed and suspicious.
    ///
    /// ## Example
    /// ```text
    /// From: "IT Support" <helpdesk@example.com>
    /// From: attacker@example.net
    /// ```
    ///
    /// ## What to do
    /// Do not trust the sender shown. Receivers should reject such messages (many large ones
    /// do). Signers should over-sign From (list it in `h=` one more time than it appears).
    ///
    /// ## References
    /// - RFC 5322 section 3.6 (From: exactly one occurrence)
    /// - RFC 6376 section 8.15 (attacks involving extra header fields)
    pub static RULE = {
        code: "HDR001",
        name: "multiple-from",
        severity: Error,
        summary: "the message has more than one From header",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let froms: Vec<_> = ctx.parsed.fields("From").collect();
    if froms.len() > 1 {
        out.push(
            rule.finding(
                format!(
                    "{} From headers: a reader and a verifier may see different senders",
                    froms.len()
                ),
                None,
                froms
                    .iter()
                    .map(|f| Evidence::at("From", &f.span, &f.value))
                    .collect(),
            ),
        );
    }
}
