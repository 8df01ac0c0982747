use chrono::{DateTime, Utc};

use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::hops::Side;
use crate::hops::date::parse_date_detailed;
use crate::text::human_duration;

declare_rule! {
    /// ## What it means
    /// The `Date` header is later than the moment the message arrived. The arrival is the newest
    /// time recorded by the recipient's own servers (the trust boundary hop and the hops above
    /// it), else the newest hop time of all; a message without any hop time is compared with the
    /// time of the analysis. A quarter of an hour is allowed for clocks that are slightly off,
    /// and 14 hours more for a Date written without a time zone (it is read as UTC, but the
    /// writer meant local time).
    ///
    /// ## Why it matters
    /// `Date` is written by the sender's computer before the message leaves it, so it cannot be
    /// later than the arrival. A few minutes mean a sender's clock that runs fast. Hours or days
    /// mean a clock set to the wrong day or zone (a `+0000` written on local time), or a date set
    /// on purpose: spam software dates messages in the future so that they stay at the top of a
    /// mailbox sorted by date. Mail programs sort by `Date`, so such a message sits above newer
    /// ones; and every delay computed from `Date` is wrong by the same amount.
    ///
    /// ## Example
    /// ```text
    /// Received: from mail.deals.example ... by mx.example.org ...; Tue, 11 Mar 2025 09:15:42 +0000
    /// Date: Thu, 13 Mar 2025 09:15:40 +0000
    /// ```
    /// Written two days after it arrived.
    ///
    /// ## What to do
    /// Read the message's time from its Received lines, not from `Date`. If you run the sending
    /// computer, synchronise its clock (NTP) and check its time zone. A large future date from an
    /// unknown sender is one more sign of bulk or unwanted mail.
    ///
    /// ## References
    /// - RFC 5322 section 3.6.1 (Date: when the message was complete and ready to be sent)
    /// - RFC 5321 section 4.4 (the Received time stamp is the time of receipt)
    pub static RULE = {
        code: "HDR004",
        name: "date-in-future",
        severity: Warning,
        summary: "the Date header is later than the message's arrival",
        check: check,
    }
}

/// How far `Date` may run ahead of the arrival before it is reported: clocks drift.
const ALLOWANCE_SECONDS: i64 = 15 * 60;

/// The largest offset from UTC in use: added to the allowance for a Date written without a
/// zone (`Fri, 7 Dec 2001 07:01:03`), which is read as UTC.
const ZONELESS_SECONDS: i64 = 14 * 3600;

/// The arrival: the newest time recorded at or above the trust boundary, else the newest hop
/// time, with a description; None when no hop has a time.
fn arrival(ctx: &Context) -> Option<(DateTime<Utc>, String)> {
    let describe = |index: usize, by: Option<&str>| match by {
        Some(by) => format!("hop {index} at {by}"),
        None => format!("hop {index}"),
    };
    let trusted = ctx
        .chain
        .hops
        .iter()
        .filter(|h| matches!(h.side, Side::Boundary | Side::Recipient))
        .filter_map(|h| h.timestamp.map(|t| (t, h)))
        .max_by_key(|(t, _)| *t);
    let any = || {
        ctx.chain
            .hops
            .iter()
            .filter_map(|h| h.timestamp.map(|t| (t, h)))
            .max_by_key(|(t, _)| *t)
    };
    trusted
        .or_else(any)
        .map(|(t, h)| (t, describe(h.index, h.fields.by_host.as_deref())))
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let (Some(date), Some(field)) = (ctx.parsed.date, ctx.parsed.first("Date")) else {
        return;
    };
    let date = date.with_timezone(&Utc);
    let (reference, what) = match arrival(ctx) {
        Some((t, hop)) => (
            t,
            format!("arrived ({hop}, {})", t.format("%Y-%m-%d %H:%M:%S UTC")),
        ),
        None => {
            let Some(now) = ctx.options.now else { return };
            (
                now,
                format!(
                    "was analysed ({}), and no Received line says when it arrived",
                    now.format("%Y-%m-%d %H:%M:%S UTC")
                ),
            )
        }
    };
    let ahead = (date - reference).num_seconds();
    // a Date without a zone was read as UTC: the writer's real offset may be anything to 14 h
    let zone_assumed = parse_date_detailed(&field.value).is_some_and(|p| p.zone_assumed);
    let allowance = if zone_assumed {
        ALLOWANCE_SECONDS + ZONELESS_SECONDS
    } else {
        ALLOWANCE_SECONDS
    };
    if ahead <= allowance {
        return;
    }
    out.push(rule.finding(
        format!(
            "the Date header is {} later than the message {what}",
            human_duration(ahead)
        ),
        None,
        vec![Evidence::at("Date", &field.span, &field.value)],
    ));
}
