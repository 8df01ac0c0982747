use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The input was not a clean raw message, and mailtrace had to change something before it
    /// could read it: text around the message was dropped (a Gmail "Show original" summary, an
    /// mbox `From ` line, a greeting before the headers), line endings were rewritten, a common
    /// indentation was removed, or header lines that lost their leading whitespace when copied
    /// were re-folded. The finding says exactly what was changed.
    ///
    /// ## Why it matters
    /// Forensics must not change evidence silently. Most repairs only remove text around the
    /// message, but re-folding guesses whitespace inside header fields: a DKIM signature covering
    /// those fields may then fail to verify because of the paste, not because of tampering.
    ///
    /// ## Example
    /// Copying headers out of a web page often loses the tab at the start of continuation lines:
    /// ```text
    /// Received: from mail.example.com (mail.example.com [192.0.2.10])
    /// by mx.example.org (Postfix) with ESMTPS id 4Z1x2y3
    /// ```
    /// The second line is not a header field of its own; mailtrace joins it to `Received` again.
    ///
    /// ## What to do
    /// For a conclusion about signatures, get the original file: "Download original" in Gmail,
    /// "Save as" .eml in Outlook or Thunderbird. For reading the hops, the repaired paste is fine.
    ///
    /// ## References
    /// - RFC 5322 section 2.2.3 (long header fields and folding)
    /// - RFC 6376 section 3.4 (DKIM canonicalization: what whitespace changes break a signature)
    pub static RULE = {
        code: "INPUT001",
        name: "input-paste-repaired",
        severity: Info,
        summary: "the input had to be repaired before it could be read",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for repair in &ctx.source.repairs {
        let mut message = repair.description.clone();
        if repair.touches_message {
            message.push_str(" (message bytes changed: signatures over them may not verify)");
        }
        let header = if repair.headers.is_empty() {
            "input".to_string()
        } else {
            repair.headers.join(", ")
        };
        out.push(rule.finding(
            message,
            None,
            vec![Evidence::note(&header, &repair.description)],
        ));
    }
}
