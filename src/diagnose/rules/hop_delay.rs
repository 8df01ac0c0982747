use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::text::human_duration;

declare_rule! {
    /// ## What it means
    /// One hop took longer than the threshold (5 minutes unless set otherwise): the time between
    /// the previous server receiving the message and this server receiving it.
    ///
    /// ## Why it matters
    /// Mail usually crosses each hop in seconds. A long delay at one hop tells you *where* the
    /// message waited: in the sender's queue (the receiving side refused or was unreachable and
    /// the sender retried), in a content scanner, at a greylisting server, or inside the
    /// recipient's organisation. That is the answer to "why was this late?". The message names
    /// the likely cause, as the time story (`time` in the report) judged it: greylisting, the
    /// sender's queue (with "retry" when the wait matches a common MTA back-off step), content
    /// scanning (a known filtering service or a local filter), inside the recipient's
    /// organisation, or clock skew when a wrong clock makes a fast hop look slow.
    ///
    /// ## Example
    /// ```text
    /// Received: from out.example.com ... by mx.example.org; Tue, 11 Mar 2025 11:20:04 +0000
    /// Received: from laptop ... by out.example.com; Tue, 11 Mar 2025 09:15:42 +0000
    /// ```
    /// The message waited 2 h 4 min between out.example.com and mx.example.org.
    ///
    /// ## What to do
    /// Look at which side of the trust boundary the delay is. Before it: ask the sender's mail
    /// administrator for the queue log of that message (the hop's `id` is the queue id). At the
    /// boundary: check the recipient's MX logs for earlier refused attempts (greylisting, rate
    /// limits, TLS failures). After it: the recipient's own filtering or mailbox servers.
    /// Make sure no `hop-clock-skew` finding makes the figure unreliable.
    ///
    /// ## References
    /// - RFC 5321 section 4.5.4.1 (retry strategy: senders wait 30 minutes or more between tries)
    /// - RFC 5321 section 4.4 (trace information)
    pub static RULE = {
        code: "HOP002",
        name: "hop-delay",
        severity: Warning,
        summary: "a hop took longer than the delay threshold",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let threshold = ctx.options.delay_threshold_secs;
    let delays = ctx.time.delays_by_hop();
    for hop in &ctx.chain.hops {
        let Some(delay) = hop.delay_seconds.filter(|d| *d >= threshold) else {
            continue;
        };
        let by = hop.fields.by_host.as_deref().unwrap_or("an unnamed host");
        let head = format!(
            "hop {} ({by}) received the message {} after hop {}",
            hop.index,
            human_duration(delay),
            hop.index - 1
        );
        // the cause, as the time story judged it
        let message = match delays.get(&hop.index) {
            Some(d) if d.cause == "clock-skew" => format!(
                "{head}, not a real wait: {}",
                d.label.trim_start_matches("clock skew: ")
            ),
            Some(d) => format!("{head}: {}", d.label),
            None => head,
        };
        out.push(rule.finding(
            message,
            Some(hop.index),
            vec![Evidence::at("Received", &hop.span, &hop.raw)],
        ));
    }
}
