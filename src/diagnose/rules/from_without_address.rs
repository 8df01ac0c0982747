use crate::auth::address_domain;
use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The message has no `From` header, or its `From` holds no readable address
    /// (`local@domain`): only a name (`From: Accounts Payable`), an empty group
    /// (`From: undisclosed-sender:;`), an address without a domain (`From: root`), or text that is
    /// not an address at all.
    ///
    /// ## Why it matters
    /// `From` is the one header every reader looks at, and RFC 5322 requires it to hold at least
    /// one mailbox. Without a domain in it, DMARC has nothing to protect: there is no domain
    /// whose policy applies and nothing that SPF or DKIM could be aligned with, so the message
    /// passes through the one check designed to stop forged senders. Mail programs show whatever
    /// text is there, which lets a message pose as "Accounts Payable" without naming anyone.
    /// Receivers that follow RFC 7489 should reject such a message; some deliver it anyway.
    ///
    /// ## Example
    /// ```text
    /// From: Accounts Payable
    /// Reply-To: ap-desk@payments.example
    /// ```
    ///
    /// ## What to do
    /// Treat the sender as unknown: nothing identifies it. Look at the envelope sender
    /// (Return-Path), the DKIM signing domain and the boundary's connecting IP to learn who
    /// really sent it. Senders: always put a full address in From (`Name <local@domain>`).
    ///
    /// ## References
    /// - RFC 5322 section 3.6.2 (originator fields: From holds a mailbox-list) and 3.4 (addresses)
    /// - RFC 7489 section 6.6.1 (extracting the author domain; messages without one)
    pub static RULE = {
        code: "HDR005",
        name: "from-without-address",
        severity: Warning,
        summary: "the From header holds no readable address",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(field) = ctx.parsed.first("From") else {
        out.push(rule.finding(
            "the message has no From header: it names no sender, and DMARC has no domain to check"
                .into(),
            None,
            vec![Evidence::note("From", "absent")],
        ));
        return;
    };
    let has_address = ctx.parsed.from.iter().any(|m| {
        m.address.as_deref().is_some_and(|a| {
            a.contains('@')
                && address_domain(a).is_some_and(|d| d.contains('.') || d.starts_with('['))
        })
    });
    if has_address {
        return;
    }
    let shown = field.value.trim();
    let what = if shown.is_empty() {
        "the From header is empty".to_string()
    } else {
        format!("the From header {shown:?} holds no address with a domain")
    };
    out.push(rule.finding(
        format!("{what}: nobody is named as the sender, and DMARC has no domain to check"),
        None,
        vec![Evidence::at("From", &field.span, &field.value)],
    ));
}
