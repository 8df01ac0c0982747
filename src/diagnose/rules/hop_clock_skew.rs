use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule, Severity};
use crate::text::human_duration;

declare_rule! {
    /// ## What it means
    /// A hop is timestamped *before* the hop that handed it the message: the delay is negative.
    /// A message cannot arrive before it was sent, so one of the two servers' clocks is wrong
    /// (or one of the two Received lines is forged).
    ///
    /// ## Why it matters
    /// Every delay computed across a skewed clock is wrong by the size of the skew: a hop that
    /// looks instant may have taken minutes, and the next one may look slow for nothing. Large or
    /// odd skews below the trust boundary can also betray a Received line written by hand.
    ///
    /// ## Example
    /// ```text
    /// Received: from relay.example.net ... by mx.example.org; Tue, 11 Mar 2025 09:08:30 +0000
    /// Received: from client.example.net ... by relay.example.net; Tue, 11 Mar 2025 09:15:35 +0000
    /// ```
    /// mx.example.org stamped the message 7 min 5 s before relay.example.net says it received it.
    ///
    /// Which of the two clocks is wrong cannot be told from the pair alone. mailtrace weighs
    /// every time source (the other hops, the Date header, DKIM and ARC `t=`, Microsoft's
    /// arrival stamps), takes the largest set that agrees with itself as right, and gives the
    /// wrong clock's offset as a range bounded by its neighbours: "hop 3's clock is at least
    /// 7 min 5 s behind", "between 23 h 59 min and 1 d behind", never a single invented figure.
    ///
    /// A skew of under a minute is common between the clocks of one provider's servers and is
    /// reported as info; a larger one as a warning.
    ///
    /// ## What to do
    /// Read the delays on both sides of this hop as a range, not as exact figures. If you run one
    /// of the servers, check that it synchronises its clock with NTP (`timedatectl`, `chronyc
    /// tracking`). If the skewed line is below the trust boundary, treat it as a claim.
    ///
    /// ## References
    /// - RFC 5321 section 4.4 (trace information: the time stamp is the time of receipt)
    /// - RFC 5322 section 3.6.7 (trace fields)
    pub static RULE = {
        code: "HOP001",
        name: "hop-clock-skew",
        severity: Warning,
        summary: "a hop is timestamped before the hop before it: a clock is wrong",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let delays = ctx.time.delays_by_hop();
    for hop in &ctx.chain.hops {
        let Some(delay) = hop.delay_seconds.filter(|d| *d < 0) else {
            continue;
        };
        let by = hop.fields.by_host.as_deref().unwrap_or("an unnamed host");
        // which clock, by how much, as a range: the time story weighed every time source
        let which = delays
            .get(&hop.index)
            .filter(|d| d.cause == "clock-skew")
            .map(|d| d.label.trim_start_matches("clock skew: ").to_string())
            .unwrap_or_else(|| "one of the two clocks is wrong".to_string());
        let mut finding = rule.finding(
            format!(
                "hop {} ({by}) is stamped {} before hop {}: {which}",
                hop.index,
                human_duration(-delay),
                hop.index - 1
            ),
            Some(hop.index),
            vec![Evidence::at("Received", &hop.span, &hop.raw)],
        );
        if delay > -60 {
            finding.severity = Severity::Info;
        }
        out.push(finding);
    }
}
