//! The trust boundary: the hop at which the message entered the recipient's own servers.
//!
//! Hops above the boundary were written by the recipient's infrastructure and can be believed;
//! the boundary hop itself recorded the connecting IP from the TCP connection, so that IP is a
//! fact (it is what SPF is checked for); hops below it are claims of the sending side.
//!
//! With `--trust`: walk down from the newest hop while its receiving host (`by`) matches a
//! trusted suffix; the boundary is the oldest such hop reached without a gap, i.e. the first
//! trusted receiver whose sender is not itself trusted.
//!
//! Without `--trust` (heuristic): the recipient's organisations are the organisational domain of
//! the newest hop with a named receiving host, and those of the recipient's own address
//! (Delivered-To, X-Original-To, else To: a company that filters mail through its own gateway
//! before a hosted mailbox owns both). Walk down from the newest hop: a hop whose sending
//! side is inside that organisation, or is private/loopback, or is not stated (an internal
//! hand-off such as Gmail's `by 2002:a05:...` lines) was internal, so the boundary lies further
//! down; the first hop whose sender is outside is the boundary. When every hop is internal the
//! oldest hop is the boundary.

use super::Boundary;
use super::Hop;
use super::host::{is_local_name, is_private, matches_suffix, org_domain};

/// Place the boundary; None when there are no hops.
///
/// `recipient_domains` are the domains of the recipient's address(es), used by the heuristic.
pub fn find(hops: &[Hop], trust: &[String], recipient_domains: &[String]) -> Option<Boundary> {
    if hops.is_empty() {
        return None;
    }
    if !trust.is_empty() {
        return find_trusted(hops, trust);
    }
    find_heuristic(hops, recipient_domains)
}

fn make(hop: &Hop, reason: String) -> Boundary {
    Boundary {
        hop: hop.index,
        ip: hop.fields.from_ip,
        host: hop.fields.by_host.clone(),
        reason,
    }
}

fn trusted(host: Option<&str>, trust: &[String]) -> bool {
    host.is_some_and(|h| trust.iter().any(|t| matches_suffix(h, t)))
}

fn find_trusted(hops: &[Hop], trust: &[String]) -> Option<Boundary> {
    let mut boundary = None;
    for hop in hops.iter().rev() {
        if !trusted(hop.fields.by_host.as_deref(), trust) {
            break;
        }
        boundary = Some(hop);
        let sender_trusted = trusted(hop.fields.from_host.as_deref(), trust)
            || trusted(hop.fields.rdns.as_deref(), trust)
            || hop.fields.from_ip.is_some_and(is_private);
        if !sender_trusted {
            break;
        }
    }
    boundary.map(|hop| {
        make(
            hop,
            format!(
                "the oldest hop received by a trusted host ({}) in an unbroken run from the top",
                trust.join(", ")
            ),
        )
    })
}

/// True when the sending side of the hop is internal to `org`.
fn sender_internal(hop: &Hop, orgs: &[String]) -> bool {
    let f = &hop.fields;
    if f.from_ip.is_some_and(is_private) {
        return true;
    }
    let names = [f.rdns.as_deref(), f.from_host.as_deref(), f.helo.as_deref()];
    if names.iter().flatten().any(|n| is_local_name(n)) && f.from_ip.is_none_or(is_private) {
        return true;
    }
    if f.from_ip.is_none() && names.iter().all(|n| n.is_none()) {
        return true;
    }
    // the receiver's record of the peer (reverse DNS) when there is one, else the name the peer
    // gave: Exchange records only that. A sender can lie in its HELO, so this heuristic can be
    // walked past by a forged name; `--trust` is the robust answer and the docs say so.
    let checked = f.rdns.as_deref().or(f.from_host.as_deref());
    checked
        .and_then(org_domain)
        .is_some_and(|o| orgs.contains(&o))
}

fn find_heuristic(hops: &[Hop], recipient_domains: &[String]) -> Option<Boundary> {
    let mut orgs: Vec<String> = Vec::new();
    if let Some(top) = hops
        .iter()
        .rev()
        .find_map(|h| h.fields.by_host.as_deref().and_then(org_domain))
    {
        orgs.push(top);
    }
    for d in recipient_domains.iter().filter_map(|d| org_domain(d)) {
        if !orgs.contains(&d) {
            orgs.push(d);
        }
    }
    for hop in hops.iter().rev() {
        if !sender_internal(hop, &orgs) {
            let why = if orgs.is_empty() {
                "the newest hop whose sender is stated and not private".to_string()
            } else {
                format!(
                    "the newest hop whose sender is outside the recipient's organisation ({}) and not private",
                    orgs.join(", ")
                )
            };
            return Some(make(hop, why));
        }
    }
    hops.first().map(|h| {
        make(
            h,
            "every hop is internal to the recipient's organisation: the oldest hop".to_string(),
        )
    })
}
