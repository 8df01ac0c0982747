use std::net::IpAddr;

use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule, Severity};
use crate::hops::Hop;
use crate::hops::host::{as_ip, is_local_name, is_private, org_family, same_host};
use crate::text::human_duration;

declare_rule! {
    /// ## What it means
    /// A Received line below the trust boundary (written by the sending side, a claim) says
    /// something that the boundary's own record contradicts. The boundary hop is the
    /// recipient's first server: it wrote down the connecting IP and looked up its reverse DNS
    /// name itself, and it stamped the time on its own clock. Two contradictions are reported:
    ///
    /// - **the hand-over**: the hop just below says the message was received by `smtp.bank.example`,
    ///   and the boundary's connecting client did greet with `HELO smtp.bank.example`, but the
    ///   reverse DNS the boundary looked up for the IP names another organisation
    ///   (`dsl-203-0-113-66.pool.isp.example`). Only the sender's own words link the two lines;
    ///   the boundary's facts do not.
    /// - **the time**: a hop below the boundary is stamped more than 15 minutes *after* the
    ///   boundary received the message, while the hop just below the boundary is not. A claim
    ///   of the sender cannot be later than the moment the recipient's server got the message.
    ///   (When the hop just below is late too, the sender's lines agree with each other and the
    ///   boundary's clock may be the wrong one: `hop-clock-skew` reports that.)
    ///
    /// The first is a warning when the reverse DNS is a name of its own or the generic name of
    /// a home or access line (`dsl-…`, `dyn-…`, `…pool…`: no organisation runs its mail servers
    /// there), and info when it is a hosting provider's generic name
    /// (`ec2-18-204-106-197.compute-1.amazonaws.com`), where a small server whose owner never set
    /// its reverse DNS looks the same.
    ///
    /// When the hop just below does not even name the host the boundary saw, `hop-chain-broken`
    /// reports it, and when that hop alone is dated after the boundary, `hop-clock-skew` does;
    /// this rule does not repeat them.
    ///
    /// ## Why it matters
    /// Spam and phishing software writes Received lines of its own under the real ones, to make
    /// a message look as if it came through the impersonated company's servers. A careful forger
    /// also says `HELO` with the same name, so the chain seems to join; the reverse DNS of the
    /// real connecting IP, which the forger does not control, gives it away. Dates are the other
    /// thing forgers get wrong. Honest explanations are rarer: a sending server whose clock is
    /// hours off, or whose reverse DNS was never set up by its provider.
    ///
    /// ## Example
    /// ```text
    /// Received: from smtp-out.bank.example (dsl-203-0-113-66.pool.isp.example [203.0.113.66])
    ///         by mx.example.org (Postfix) with ESMTP ...; Tue, 11 Mar 2025 09:17:02 +0000
    /// Received: from ws-payments-07.internal.bank.example ([10.40.7.17])
    ///         by smtp-out.bank.example (Postfix) with ESMTP ...; Tue, 11 Mar 2025 09:15:38 +0000
    /// ```
    ///
    /// ## What to do
    /// Trust the boundary's record: the connecting IP and its reverse DNS name are who
    /// delivered the message. Check that IP's owner, and whether SPF passes for it. Ignore
    /// everything below the boundary as evidence of the route.
    ///
    /// ## References
    /// - RFC 5321 section 4.4 (trace information: each server records the client and the time)
    /// - RFC 5322 section 3.6.7 (trace fields)
    pub static RULE = {
        code: "HOP010",
        name: "hop-forged-below-boundary",
        severity: Warning,
        summary: "a hop below the trust boundary contradicts what the boundary recorded",
        check: check,
    }
}

/// How far a hop below the boundary may be stamped after it before it is a contradiction
/// (sending servers' clocks drift).
const ALLOWANCE_SECONDS: i64 = 15 * 60;

/// True when two names belong together: the same machine or the same organisation.
fn related(a: &str, b: &str) -> bool {
    same_host(a, b) || org_family(a).is_some_and(|o| org_family(b) == Some(o))
}

/// What the reverse DNS name of the boundary's client says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ptr {
    /// A name of its own (`mail.example.net`).
    Named,
    /// A provider's generic name for a home or access line (`dsl-203-0-113-66.pool.isp.example`):
    /// no organisation runs its mail servers there.
    Residential,
    /// A hosting provider's generic name (`ec2-18-204-106-197.compute-1.amazonaws.com`): a
    /// small server whose owner never set its reverse DNS looks the same.
    Hosting,
}

/// Words of generic reverse DNS names given to home and access lines.
const ACCESS_WORDS: &[&str] = &[
    "dsl",
    "adsl",
    "vdsl",
    "xdsl",
    "dyn",
    "dynamic",
    "dynip",
    "pool",
    "dhcp",
    "cable",
    "ppp",
    "pppoe",
    "dial",
    "dialup",
    "broadband",
    "bb",
    "cust",
    "customer",
    "client",
    "clients",
    "home",
    "fiber",
    "fibre",
    "ftth",
    "res",
    "residential",
    "mobile",
    "wireless",
    "user",
    "users",
];

/// Classify a reverse DNS name: generic when it spells out at least three bytes of the IPv4
/// address (`203-0-113-66`, `66.113.0.203`).
fn classify_ptr(ptr: &str, ip: IpAddr) -> Ptr {
    let IpAddr::V4(v4) = ip else {
        return Ptr::Named;
    };
    let lower = ptr.to_ascii_lowercase();
    let numbers: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .collect();
    let spelled = v4
        .octets()
        .iter()
        .filter(|o| numbers.contains(&o.to_string().as_str()))
        .count();
    if spelled < 3 {
        return Ptr::Named;
    }
    let residential = lower
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| ACCESS_WORDS.contains(&w));
    if residential {
        Ptr::Residential
    } else {
        Ptr::Hosting
    }
}

/// The hand-over: the hop below names a receiving host that only the boundary client's HELO
/// (or claimed name) matches, while the reverse DNS the boundary looked up names another
/// organisation. The message, and whether the reverse DNS is a hosting provider's generic name.
fn handover(below: &Hop, boundary: &Hop) -> Option<(String, Ptr)> {
    let by = below.fields.by_host.as_deref()?;
    if !by.contains('.') || as_ip(by).is_some() || is_local_name(by) {
        return None;
    }
    let f = &boundary.fields;
    let ip = f.from_ip.filter(|ip| !is_private(*ip))?;
    let rdns = f.rdns.as_deref().filter(|r| {
        !is_local_name(r) && !r.eq_ignore_ascii_case("unknown") && as_ip(r).is_none()
    })?;
    if related(by, rdns) {
        return None;
    }
    let claimed = [f.helo.as_deref(), f.from_host.as_deref()]
        .into_iter()
        .flatten()
        .find(|n| related(by, n))?;
    let ptr = classify_ptr(rdns, ip);
    let kind = match ptr {
        Ptr::Named => "",
        Ptr::Residential => ", a home or access line",
        Ptr::Hosting => {
            ", a hosting provider's generic name (a small server there without reverse DNS of its own looks the same)"
        }
    };
    Some((
        format!(
            "hop {} says {by} received the message, and the client at the boundary greeted as {claimed}, but the boundary looked up {ip} as {rdns}{kind}: only the sender's own words link the two",
            below.index
        ),
        ptr,
    ))
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(boundary) = ctx
        .chain
        .boundary
        .as_ref()
        .and_then(|b| ctx.chain.hop(b.hop))
    else {
        return;
    };
    let below: Vec<&Hop> = ctx
        .chain
        .hops
        .iter()
        .filter(|h| h.index < boundary.index)
        .collect();
    if let Some(last) = below.last()
        && last.index + 1 == boundary.index
        && let Some((message, ptr)) = handover(last, boundary)
    {
        let mut finding = rule.finding(
            message,
            Some(last.index),
            vec![
                Evidence::at("Received", &last.span, &last.raw),
                Evidence::at("Received", &boundary.span, &boundary.raw),
            ],
        );
        if ptr == Ptr::Hosting {
            finding.severity = Severity::Info;
        }
        out.push(finding);
    }
    let Some(received) = boundary.timestamp else {
        return;
    };
    // the hop just below, dated later, is hop-clock-skew's finding at the boundary; and when
    // it is, older hops dated later too agree with it: the boundary's own clock may be the
    // wrong one (a server an hour off after a change to summer time)
    let adjacent_later = below
        .last()
        .filter(|h| h.index + 1 == boundary.index)
        .and_then(|h| h.timestamp)
        .is_some_and(|t| (t - received).num_seconds() > ALLOWANCE_SECONDS);
    if adjacent_later {
        return;
    }
    for hop in below.iter().filter(|h| h.index + 1 < boundary.index) {
        let Some(ahead) = hop
            .timestamp
            .map(|t| (t - received).num_seconds())
            .filter(|s| *s > ALLOWANCE_SECONDS)
        else {
            continue;
        };
        let by = boundary.fields.by_host.as_deref().unwrap_or("the boundary");
        out.push(rule.finding(
            format!(
                "hop {}, below the trust boundary, is stamped {} after {by} (hop {}) received the message: a sender's claim the boundary's clock contradicts",
                hop.index,
                human_duration(ahead),
                boundary.index
            ),
            Some(hop.index),
            vec![
                Evidence::at("Received", &hop.span, &hop.raw),
                Evidence::at("Received", &boundary.span, &boundary.raw),
            ],
        ));
    }
}
