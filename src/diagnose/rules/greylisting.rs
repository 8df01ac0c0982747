use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::hops::Side;
use crate::text::human_duration;
use crate::timing::tables::greylist_delay;

declare_rule! {
    /// ## What it means
    /// The recipient's server probably greylisted the message: it refused the first delivery
    /// attempt with a temporary error ("try again later"), and accepted it when the sender's
    /// server tried again minutes later. mailtrace says so when a greylisting filter left an
    /// `X-Greylist` header stating the delay (postgrey's `delayed N seconds by ...`,
    /// milter-greylist's `Delayed for HH:MM:SS by ...`), or when the only slow hop is the one at the
    /// trust boundary and its delay (4 to 60 minutes) has the shape of a retry after a
    /// temporary refusal (greylisting filters ask senders to wait 1 to 30 minutes; senders retry
    /// on their own schedule, rarely sooner than a few minutes), unless the server that held
    /// the message meanwhile is a known content scanner (Mimecast, Proofpoint...), whose
    /// scanning explains the wait better.
    ///
    /// ## Why it matters
    /// Greylisting is a deliberate anti-spam delay: spam software often never retries, real mail
    /// servers do. It explains a late first message from a new sender and is nothing to fix on
    /// the sending side. Later messages from the same sender usually pass at once.
    ///
    /// ## Example
    /// ```text
    /// X-Greylist: Delayed for 00:10:02 by milter-greylist-4.6.4 (mx.example.org [192.0.2.25]);
    ///  Tue, 11 Mar 2025 09:25:44 +0000
    /// ```
    ///
    /// ## What to do
    /// Nothing for a single message. If every first message is late, the recipient's
    /// administrator can shorten the greylisting delay, whitelist the sender's outbound servers,
    /// or rely on reputation checks instead. Senders: make sure your server retries within minutes.
    ///
    /// ## References
    /// - RFC 6647 (email greylisting: an applicability statement for SMTP)
    /// - RFC 5321 section 4.2.1 (4yz temporary failure replies)
    pub static RULE = {
        code: "HOP003",
        name: "greylisting",
        severity: Info,
        summary: "the recipient's server delayed the message by greylisting",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let boundary_hop = ctx.chain.boundary.as_ref().map(|b| b.hop);
    let mut found = false;
    for field in ctx.parsed.headers.iter().filter(|h| h.is("X-Greylist")) {
        let Some(secs) = greylist_delay(&field.value) else {
            continue;
        };
        found = true;
        out.push(rule.finding(
            format!(
                "a greylisting filter delayed the message by {}: {}",
                human_duration(secs),
                field.value.split(';').next().unwrap_or("").trim()
            ),
            boundary_hop,
            vec![Evidence::at(&field.name, &field.span, &field.value)],
        ));
    }
    if found {
        return;
    }
    // the pattern, as the time story judged it: without a header, greylisting at the boundary
    // can only come from the shape (a known content scanner holding the message wins over it)
    let Some(boundary) = ctx.chain.hops.iter().find(|h| h.side == Side::Boundary) else {
        return;
    };
    let Some(delay) = ctx
        .time
        .delay_at(boundary.index)
        .filter(|d| d.cause == "greylisting")
    else {
        return;
    };
    let by = boundary
        .fields
        .by_host
        .as_deref()
        .unwrap_or("the boundary host");
    out.push(rule.finding(
        format!(
            "likely greylisting: {by} accepted the message {} after the sender's last hop, while every other hop took under a minute",
            human_duration(delay.seconds)
        ),
        Some(boundary.index),
        vec![Evidence::at("Received", &boundary.span, &boundary.raw)],
    ));
}
