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
//! down; the first hop whose sender is outside is the boundary. The inbound edge of a large
//! provider (`*.mail.protection.outlook.com`, `mx.google.com`) is the boundary wherever it is
//! met on the way down, unless its sender is in the recipient's own domain (a company gateway
//! in front of a hosted mailbox): a sender on the same provider (another tenant) is outside.
//! When every hop is internal the oldest hop is the boundary. Provider domains that belong
//! together (outlook.com, office365.com, exchangelabs.com) count as one organisation.

use super::Boundary;
use super::Hop;
use super::host::{as_ip, is_local_name, is_private, matches_suffix, normalize, org_family};

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
        internal: false,
    }
}

fn trusted(host: Option<&str>, trust: &[String]) -> bool {
    host.is_some_and(|h| trust.iter().any(|t| matches_suffix(h, t)))
}

fn find_trusted(hops: &[Hop], trust: &[String]) -> Option<Boundary> {
    let mut boundary = None;
    for hop in hops.iter().rev() {
        let f = &hop.fields;
        // an internal hand-off with no named receiver and no stated sender (Gmail's
        // `by 2002:a05:...` lines) neither breaks nor ends the trusted run
        let unnamed = f.by_host.as_deref().is_none_or(|b| as_ip(b).is_some());
        if unnamed && f.from_ip.is_none() && f.from_host.is_none() && f.helo.is_none() {
            continue;
        }
        if !trusted(f.by_host.as_deref(), trust) {
            break;
        }
        boundary = Some(hop);
        // the sender is trusted on what the receiver recorded (reverse DNS, a private IP),
        // never on the HELO name it chose; without an IP, the stated name is all there is
        let sender_trusted = f.from_ip.is_some_and(is_private)
            || trusted(f.rdns.as_deref(), trust)
            || (f.from_ip.is_none() && trusted(f.from_host.as_deref(), trust));
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

/// The registrable domains of the large providers, whose hosts hand mail to each other inside
/// the provider under names they give themselves.
fn provider(org: &str) -> bool {
    matches!(org, "outlook.com" | "google.com" | "yahoo.com")
}

/// True when the sending side of the hop is internal to `orgs`.
///
/// The receiver's record of the peer decides: a private IP, or its reverse DNS. A HELO name is
/// the sender's own choice, so with a public IP and no reverse DNS it counts only when the
/// receiver did not say it found no name (`unknown [ip]`), the receiving host belongs to the
/// same organisation, and that organisation is the recipient's own (the newest receiver's) or a
/// large provider handing mail between its own servers (Exchange Online records only the HELO
/// name there). Without any IP recorded, the stated name is all there is.
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
    // received by the local machine (fetchmail, a local delivery agent): the recipient's own
    if f.by_host.as_deref().is_some_and(is_local_name) {
        return true;
    }
    let in_orgs = |name: Option<&str>| name.and_then(org_family).is_some_and(|o| orgs.contains(&o));
    if f.rdns.is_some() {
        return in_orgs(f.rdns.as_deref());
    }
    if f.from_ip.is_none() {
        return in_orgs(f.from_host.as_deref());
    }
    // the receiver said it looked the IP up and found no name (`unknown [ip]`): the name
    // beside it is only the sender's HELO
    if hop.raw.to_ascii_lowercase().contains("unknown [") {
        return false;
    }
    let claimed = f.from_host.as_deref().and_then(org_family);
    let receiver = f.by_host.as_deref().and_then(org_family);
    claimed.is_some_and(|c| {
        orgs.contains(&c)
            && Some(&c) == receiver.as_ref()
            && (provider(&c) || orgs.first() == Some(&c))
    })
}

/// The inbound edge of a large mail provider: mail from outside, other tenants included, enters
/// there, so it is the boundary even when the sender is a customer of the same provider.
fn inbound_edge(by_host: &str) -> Option<&'static str> {
    let h = normalize(by_host);
    if h.ends_with(".mail.protection.outlook.com") {
        Some("Exchange Online Protection (Microsoft 365's inbound servers)")
    } else if h == "mx.google.com" {
        Some("mx.google.com (Gmail's inbound servers)")
    } else {
        None
    }
}

fn find_heuristic(hops: &[Hop], recipient_domains: &[String]) -> Option<Boundary> {
    let mut own: Vec<String> = Vec::new();
    // a consumer mailbox (gmail.com, outlook.com...) owns no gateway: at the provider's edge
    // the provider's own domains are not the recipient's
    for d in recipient_domains.iter().filter_map(|d| org_family(d)) {
        if !own.contains(&d) && !provider(&d) {
            own.push(d);
        }
    }
    let mut orgs = own.clone();
    if let Some(top) = hops
        .iter()
        .rev()
        .find_map(|h| h.fields.by_host.as_deref().and_then(org_family))
        && !orgs.contains(&top)
    {
        orgs.insert(0, top);
    }
    for hop in hops.iter().rev() {
        // at a provider's edge only the recipient's own domains are inside: another customer
        // of the same provider is outside, the recipient's own gateway in front of it is not
        if let Some(edge) = hop.fields.by_host.as_deref().and_then(inbound_edge)
            && !sender_internal(hop, &own)
        {
            return Some(make(
                hop,
                format!(
                    "the newest hop received by {edge}, where outside mail enters the provider"
                ),
            ));
        }
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
    hops.first().map(|h| Boundary {
        internal: true,
        ..make(
            h,
            "every hop is internal to the recipient's organisation: the oldest hop".to_string(),
        )
    })
}
