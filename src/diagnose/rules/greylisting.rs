use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::hops::Side;
use crate::text::human_duration;

declare_rule! {
    /// ## What it means
    /// The recipient's server probably greylisted the message: it refused the first delivery
    /// attempt with a temporary error ("try again later"), and accepted it when the sender's
    /// server tried again minutes later. mailtrace says so when a greylisting filter left an
    /// `X-Greylist` header stating the delay (postgrey's `delayed N seconds by ...`,
    /// milter-greylist's `Delayed for HH:MM:SS by ...`), or when the only slow hop is the one at the
    /// trust boundary and its delay (4 to 60 minutes) has the shape of a retry after a
    /// temporary refusal (greylisting filters ask senders to wait 1 to 30 minutes; senders retry
    /// on their own schedule, rarely sooner than a few minutes).
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

/// The delay an `X-Greylist` header states: postgrey's `delayed N seconds by ...` or
/// milter-greylist's `Delayed for HH:MM:SS by ...` (hours may pass 99). None for the headers
/// that say nothing was delayed (`Sender IP whitelisted, not delayed by ...`, `inspected by`).
fn delayed_seconds(value: &str) -> Option<i64> {
    let lower = value.to_ascii_lowercase();
    let rest = lower[lower.find("delayed")? + "delayed".len()..].trim_start();
    if let Some(clock) = rest.strip_prefix("for") {
        // `for HH:MM:SS`: every part digits, minutes and seconds under 60
        let clock = clock.trim_start();
        let end = clock
            .find(|c: char| !c.is_ascii_digit() && c != ':')
            .unwrap_or(clock.len());
        let parts: Vec<i64> = clock[..end]
            .split(':')
            .map(|p| p.parse().ok().filter(|_| !p.is_empty() && p.len() <= 9))
            .collect::<Option<_>>()?;
        return match parts.as_slice() {
            [h, m, s] if *m < 60 && *s < 60 => Some(h * 3600 + m * 60 + s),
            [m, s] if *s < 60 => Some(m * 60 + s),
            _ => None,
        };
    }
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    // `delayed 615 seconds`: a number with its unit, never a bare `delayed by`
    let unit = rest[digits.len()..].trim_start();
    unit.starts_with('s').then(|| digits.parse().ok()).flatten()
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let boundary_hop = ctx.chain.boundary.as_ref().map(|b| b.hop);
    let mut found = false;
    for field in ctx.parsed.headers.iter().filter(|h| h.is("X-Greylist")) {
        let Some(secs) = delayed_seconds(&field.value) else {
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
    let hops = &ctx.chain.hops;
    let Some(boundary) = hops.iter().find(|h| h.side == Side::Boundary) else {
        return;
    };
    let Some(delay) = boundary.delay_seconds else {
        return;
    };
    // every other hop under a minute either way: a few seconds of clock skew between two
    // servers (a small negative delay) is common and says nothing against a retry
    let others_fast = hops
        .iter()
        .filter(|h| h.index != boundary.index)
        .all(|h| h.delay_seconds.is_none_or(|d| d.abs() < 60));
    if (240..=3600).contains(&delay) && others_fast {
        let by = boundary
            .fields
            .by_host
            .as_deref()
            .unwrap_or("the boundary host");
        out.push(rule.finding(
            format!(
                "likely greylisting: {by} accepted the message {} after the sender's last hop, while every other hop took under a minute",
                human_duration(delay)
            ),
            Some(boundary.index),
            vec![Evidence::at("Received", &boundary.span, &boundary.raw)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::delayed_seconds;

    #[test]
    fn reads_delay() {
        assert_eq!(
            delayed_seconds("delayed 600 seconds by milter-greylist-4.6.4 (mx [192.0.2.1]); x"),
            Some(600)
        );
        assert_eq!(delayed_seconds("Sender IP whitelisted"), None);
        assert_eq!(
            delayed_seconds("delayed 615 seconds by postgrey-1.37 at mx.example.org; x"),
            Some(615)
        );
        // milter-greylist's own form
        assert_eq!(
            delayed_seconds(
                "Delayed for 00:06:10 by milter-greylist-4.5.16 (mx.example.org\n\t[192.0.2.25]); x"
            ),
            Some(370)
        );
        assert_eq!(
            delayed_seconds("Delayed for 111:19:22 by milter-greylist-4.4.3 (mx [192.0.2.1]); x"),
            Some(111 * 3600 + 19 * 60 + 22)
        );
        for none in [
            "Sender IP whitelisted, Sender e-mail whitelisted, not delayed by milter-greylist-4.4.3 (mx [192.0.2.1]); x",
            "inspected by milter-greylist-4.5.16 (mx [192.0.2.1]); x",
            "Delayed for 00:61:00 by milter-greylist",
            "Delayed for :: by milter-greylist",
            "Delayed for 1:2:3:4 by milter-greylist",
            "delayed 12 by x",
        ] {
            assert_eq!(delayed_seconds(none), None, "{none}");
        }
    }
}
