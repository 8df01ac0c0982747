use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::hops::Hop;
use crate::hops::host::{as_ip, is_local_name, is_private, org_family, same_host};

declare_rule! {
    /// ## What it means
    /// Each Received line names the host that received the message (`by`), and the next line up
    /// should name that same host as the one it received the message from (`from`). Here they do
    /// not match: hop N was received by one host, but hop N+1 says it came from another.
    ///
    /// ## Why it matters
    /// Either a hop is missing (a server that adds no Received line, or lines were cut when
    /// copying), or a Received line was made up. Spammers add invented Received lines *below*
    /// the recipient's first server to make a message look as if it came from somewhere
    /// reputable; the join between the invented lines and the real ones is where the chain breaks.
    ///
    /// ## Example
    /// ```text
    /// Received: from unknown (unknown [198.51.100.66]) by mx.example.org ...
    /// Received: from mail.bank.example by smtp.bank.example ...
    /// ```
    /// smtp.bank.example received the message, yet mx.example.org got it from 198.51.100.66.
    ///
    /// ## What to do
    /// Trust only what lies above the trust boundary, and the connecting IP that the boundary
    /// host recorded. Treat everything below a break as the sender's claim. If the break is
    /// inside your own organisation, look for a server that forwards without a Received line.
    ///
    /// ## References
    /// - RFC 5321 section 4.4 (each server prepends one trace line)
    /// - RFC 5322 section 3.6.7 (trace fields)
    pub static RULE = {
        code: "HOP005",
        name: "hop-chain-broken",
        severity: Warning,
        summary: "a hop's receiving host does not match the next hop's sending host",
        check: check,
    }
}

/// True when `newer`'s sending side can be the host that received `older`.
fn joins(older_by: &str, newer: &Hop) -> bool {
    let f = &newer.fields;
    let names: Vec<&str> = [f.from_host.as_deref(), f.helo.as_deref(), f.rdns.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if names.iter().any(|n| same_host(older_by, n)) {
        return true;
    }
    if as_ip(older_by).is_some_and(|a| f.from_ip == Some(a)) {
        return true;
    }
    // a hand-off on the same machine (a content filter re-injecting over loopback) or inside a
    // private network; a `localhost` name proves nothing when the connection came from a
    // public address (spam software says `HELO localhost`)
    if f.from_ip.is_some_and(is_private)
        || (f.from_ip.is_none() && names.iter().any(|n| is_local_name(n)))
    {
        return true;
    }
    // two machines of one organisation (load-balanced pools name hosts differently)
    let org = org_family(older_by);
    org.is_some() && names.iter().any(|n| org_family(n) == org)
}

/// A bare host name (`recvd-5d8f7b9c6-x2kqp`, `EXCH01`): a machine's own name for itself, not
/// a DNS name. The next hop records the machine by its public name, which need not share a
/// single label with it, so a mismatch proves nothing.
fn unqualified(by: &str) -> bool {
    !by.contains('.') && as_ip(by).is_none() && !is_local_name(by)
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for pair in ctx.chain.hops.windows(2) {
        let (older, newer) = (&pair[0], &pair[1]);
        let Some(by) = older.fields.by_host.as_deref().filter(|b| !unqualified(b)) else {
            continue;
        };
        let f = &newer.fields;
        if f.from_host.is_none() && f.helo.is_none() && f.rdns.is_none() && f.from_ip.is_none() {
            continue;
        }
        if joins(by, newer) {
            continue;
        }
        let from = f
            .rdns
            .as_deref()
            .or(f.from_host.as_deref())
            .or(f.helo.as_deref())
            .unwrap_or("an unnamed host");
        let ip = f.from_ip.map(|ip| format!(" [{ip}]")).unwrap_or_default();
        out.push(rule.finding(
            format!(
                "hop {} was received by {by}, but hop {} says it came from {from}{ip}: a hop is missing or forged",
                older.index, newer.index
            ),
            Some(newer.index),
            vec![
                Evidence::at("Received", &older.span, &older.raw),
                Evidence::at("Received", &newer.span, &newer.raw),
            ],
        ));
    }
}
