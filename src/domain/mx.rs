//! Where a domain's mail goes: its MX records sorted as a sender sorts them, each exchanger's
//! addresses, the implicit MX of RFC 5321 5.1 when there is no MX record, and the null MX of
//! RFC 7505 — with a paragraph saying what a sending server would do.
//!
//! It only looks up (through [`Dns`]) and judges; it never connects to an exchanger, and it
//! cannot see CNAMEs (the [`Dns`] layer follows them silently).

use std::net::IpAddr;

use serde::Serialize;

use crate::auth::dns::{Answer, Dns, RecordType};
use crate::auth::spf::failure_note;
use crate::diagnose::{Evidence, Finding};
use crate::domain::push;
use crate::domain::rules::records::{
    mx_implicit, mx_no_mail_route, mx_null, mx_null_with_others, mx_target_ip_literal,
    mx_target_no_address, record_lookup_failed,
};
use crate::text::plural;

/// The mail routing of a domain.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MxCheck {
    /// The exchangers, in the order a sender tries them: lowest preference first, then by name
    /// (a sender picks at random among equal preferences). With an implicit MX, the domain
    /// itself at preference 0. Empty with a null MX (its `0 .` is not listed) or no route.
    pub exchangers: Vec<Exchanger>,
    /// There is no MX record and the domain's own A/AAAA addresses receive its mail (RFC 5321
    /// 5.1, the "implicit MX"); `exchangers` then holds the domain itself.
    pub implicit: bool,
    /// The domain publishes a null MX (`0 .`, RFC 7505): it accepts no mail.
    pub null_mx: bool,
    /// What went wrong with the MX lookup itself (a DNS failure, or "the domain does not
    /// exist"); None when it was answered.
    pub error: Option<String>,
    /// What a sending server does with mail to this domain (which exchangers it tries, in
    /// which order, and when it queues or bounces), in one paragraph.
    pub delivery: String,
}

/// One mail exchanger and its addresses.
#[derive(Debug, Clone, Serialize)]
pub struct Exchanger {
    /// The MX preference (lower is tried first); 0 for an implicit MX.
    pub preference: u16,
    /// The exchanger's name as published (lowercase, no trailing dot).
    pub host: String,
    /// The name is an IP address, not a host name (an error: it is not looked up).
    pub ip_literal: bool,
    /// Its IPv4 addresses (A records).
    pub a: AddressLookup,
    /// Its IPv6 addresses (AAAA records).
    pub aaaa: AddressLookup,
}

impl Exchanger {
    /// Every address found, IPv4 first.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.a
            .addresses()
            .iter()
            .chain(self.aaaa.addresses())
            .copied()
            .collect()
    }
}

/// The result of one address lookup of an exchanger, in the words of the other lookups of the
/// report (`found`, `not-found`, `failed`, `not-looked`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum AddressLookup {
    /// Addresses found.
    Found {
        /// The addresses, as answered.
        addresses: Vec<IpAddr>,
    },
    /// No address: the name does not exist, or has no record of this type.
    NotFound {
        /// Which of the two.
        reason: Absence,
    },
    /// No answer could be had.
    Failed {
        /// Why, one line (`DNS timeout: mx.example.com A`).
        reason: String,
    },
    /// Not looked up (an IP literal).
    #[default]
    NotLooked,
}

/// Why a lookup found nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Absence {
    /// The name does not exist (NXDOMAIN).
    NoSuchName,
    /// The name exists but has no record of this type (NoData).
    NoRecords,
}

impl AddressLookup {
    /// NXDOMAIN.
    pub const NO_SUCH_NAME: AddressLookup = AddressLookup::NotFound {
        reason: Absence::NoSuchName,
    };
    /// NoData.
    pub const NO_RECORDS: AddressLookup = AddressLookup::NotFound {
        reason: Absence::NoRecords,
    };
}

impl AddressLookup {
    /// The addresses found (none unless [`AddressLookup::Found`]).
    pub fn addresses(&self) -> &[IpAddr] {
        match self {
            AddressLookup::Found { addresses } => addresses,
            _ => &[],
        }
    }

    fn failed(&self) -> Option<&str> {
        match self {
            AddressLookup::Failed { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Look up the MX records of `domain` and the addresses of each exchanger.
pub fn check(domain: &str, dns: &Dns, findings: &mut Vec<Finding>) -> MxCheck {
    let mut mx = MxCheck::default();
    let evidence = |text: &str| vec![Evidence::note(&format!("MX {domain}"), text)];
    let records = match dns.query(domain, RecordType::Mx) {
        Answer::Records(r) if !r.is_empty() => r,
        Answer::Records(_) | Answer::NoData => {
            implicit(domain, dns, &mut mx, findings);
            mx.delivery = delivery(domain, &mx);
            return mx;
        }
        Answer::NxDomain => {
            mx.error = Some(format!("{domain} does not exist (NXDOMAIN)"));
            push(
                findings,
                &mx_no_mail_route::RULE,
                format!("{domain} does not exist: mail to it cannot be delivered"),
                evidence("NXDOMAIN"),
            );
            mx.delivery = delivery(domain, &mx);
            return mx;
        }
        Answer::Failed(f) => {
            let note = failure_note(&f, domain, RecordType::Mx);
            push(
                findings,
                &record_lookup_failed::RULE,
                format!("the MX lookup failed, so the mail route is unknown ({note})"),
                evidence(&note),
            );
            mx.error = Some(note);
            mx.delivery = delivery(domain, &mx);
            return mx;
        }
    };
    let all_text = records.join(", ");
    let mut parsed: Vec<(u16, String)> = records.iter().filter_map(|r| parse_mx(r)).collect();
    parsed.sort();
    parsed.dedup();
    let null = parsed.iter().filter(|(_, host)| host.is_empty()).count();
    parsed.retain(|(_, host)| !host.is_empty());
    if null > 0 && parsed.is_empty() {
        mx.null_mx = true;
        push(
            findings,
            &mx_null::RULE,
            format!("{domain} publishes a null MX (RFC 7505): it accepts no mail"),
            evidence(&all_text),
        );
        mx.delivery = delivery(domain, &mx);
        return mx;
    }
    if null > 0 {
        push(
            findings,
            &mx_null_with_others::RULE,
            format!(
                "{domain} publishes a null MX and {} other MX record{}: senders disagree on \
                 whether it takes mail",
                parsed.len(),
                plural(parsed.len())
            ),
            evidence(&all_text),
        );
    }
    for (preference, host) in parsed {
        let ex = exchanger(preference, &host, dns);
        let ev = evidence(&format!("{preference} {host}"));
        if ex.ip_literal {
            push(
                findings,
                &mx_target_ip_literal::RULE,
                format!("the MX record {preference} {host} names an IP address, not a host name"),
                ev,
            );
        } else if let Some(reason) = ex.a.failed().or(ex.aaaa.failed()) {
            push(
                findings,
                &record_lookup_failed::RULE,
                format!("the addresses of the exchanger {host} could not be looked up ({reason})"),
                ev,
            );
        } else if ex.addresses().is_empty() {
            let why = if ex.a == AddressLookup::NO_SUCH_NAME {
                "does not exist"
            } else {
                "has no A or AAAA record"
            };
            push(
                findings,
                &mx_target_no_address::RULE,
                format!("the exchanger {host} (preference {preference}) {why}: senders skip it"),
                ev,
            );
        }
        mx.exchangers.push(ex);
    }
    let usable = mx.exchangers.iter().any(|e| !e.addresses().is_empty());
    let unknown = mx
        .exchangers
        .iter()
        .any(|e| e.a.failed().is_some() || e.aaaa.failed().is_some());
    if !usable && !unknown {
        push(
            findings,
            &mx_no_mail_route::RULE,
            format!(
                "none of the {} exchanger{} of {domain} has an address: mail to it cannot be \
                 delivered",
                mx.exchangers.len(),
                plural(mx.exchangers.len())
            ),
            evidence(&all_text),
        );
    }
    mx.delivery = delivery(domain, &mx);
    mx
}

/// No MX record: RFC 5321 5.1, the domain's own address is the implicit MX.
fn implicit(domain: &str, dns: &Dns, mx: &mut MxCheck, findings: &mut Vec<Finding>) {
    let ex = exchanger(0, domain, dns);
    let evidence = vec![Evidence::note(&format!("MX {domain}"), "no MX record")];
    if !ex.addresses().is_empty() {
        mx.implicit = true;
        let addresses: Vec<String> = ex.addresses().iter().map(IpAddr::to_string).collect();
        push(
            findings,
            &mx_implicit::RULE,
            format!(
                "{domain} has no MX record: mail goes to its own address ({}) as the implicit MX",
                addresses.join(", ")
            ),
            evidence,
        );
        mx.exchangers.push(ex);
    } else if let Some(reason) = ex.a.failed().or(ex.aaaa.failed()) {
        push(
            findings,
            &record_lookup_failed::RULE,
            format!(
                "{domain} has no MX record and its own addresses could not be looked up ({reason})"
            ),
            evidence,
        );
        mx.error = Some(reason.to_string());
    } else {
        push(
            findings,
            &mx_no_mail_route::RULE,
            format!(
                "{domain} has no MX record and no A or AAAA record: mail to it cannot be delivered"
            ),
            evidence,
        );
    }
}

/// `PREF HOST` to (preference, host); the root (a null MX) is an empty host. None when the
/// record cannot be read (zone files and live DNS never give such a record).
fn parse_mx(record: &str) -> Option<(u16, String)> {
    let (pref, host) = record.trim().split_once(char::is_whitespace)?;
    let pref = pref.parse().ok()?;
    let host = host.trim();
    let host = if host == "." {
        String::new()
    } else {
        crate::auth::dns::normalize_name(host)
    };
    Some((pref, host))
}

/// An exchanger with its A and AAAA lookups (none for an IP literal).
fn exchanger(preference: u16, host: &str, dns: &Dns) -> Exchanger {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let ip_literal = bare.parse::<IpAddr>().is_ok();
    let (a, aaaa) = if ip_literal {
        (AddressLookup::NotLooked, AddressLookup::NotLooked)
    } else {
        (
            addresses(host, RecordType::A, dns),
            addresses(host, RecordType::Aaaa, dns),
        )
    };
    Exchanger {
        preference,
        host: host.to_string(),
        ip_literal,
        a,
        aaaa,
    }
}

fn addresses(host: &str, rtype: RecordType, dns: &Dns) -> AddressLookup {
    match dns.query(host, rtype) {
        Answer::Records(r) => {
            let addresses: Vec<IpAddr> = r.iter().filter_map(|a| a.trim().parse().ok()).collect();
            if addresses.is_empty() {
                AddressLookup::NO_RECORDS
            } else {
                AddressLookup::Found { addresses }
            }
        }
        Answer::NxDomain => AddressLookup::NO_SUCH_NAME,
        Answer::NoData => AddressLookup::NO_RECORDS,
        Answer::Failed(f) => AddressLookup::Failed {
            reason: failure_note(&f, host, rtype),
        },
    }
}

/// The paragraph: what a sending server does with mail to `domain`.
fn delivery(domain: &str, mx: &MxCheck) -> String {
    if mx.null_mx {
        return format!(
            "A sending server finds the null MX of {domain} (RFC 7505) and gives up at once: it \
             does not connect anywhere, and bounces the message to its sender saying that the \
             domain accepts no mail."
        );
    }
    if let Some(error) = &mx.error {
        if error.contains("NXDOMAIN") {
            return format!(
                "A sending server finds that {domain} does not exist and bounces the message at \
                 once."
            );
        }
        return format!(
            "A sending server cannot look up where mail for {domain} goes ({error}). A \
             temporary failure keeps the message queued and retried, typically for up to five \
             days, before it bounces."
        );
    }
    let usable: Vec<&Exchanger> = mx
        .exchangers
        .iter()
        .filter(|e| !e.addresses().is_empty())
        .collect();
    if usable.is_empty() {
        let why = if mx.exchangers.is_empty() {
            format!("finds no MX record and no address for {domain}")
        } else {
            format!("finds no address for any exchanger of {domain}")
        };
        return format!(
            "A sending server {why}: it has nowhere to connect, and bounces the message (or, \
             with a temporary DNS failure, queues it and retries for a few days first)."
        );
    }
    let addrs = |e: &Exchanger| {
        e.addresses()
            .iter()
            .map(IpAddr::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if mx.implicit {
        return format!(
            "{domain} has no MX record, so a sending server treats the domain itself as its only \
             exchanger (the implicit MX of RFC 5321 5.1, preference 0) and connects to port 25 of \
             its address{} ({}), trying each in turn. If none accepts, the message stays queued \
             and is retried for a few days before it bounces.",
            if usable[0].addresses().len() == 1 {
                ""
            } else {
                "es"
            },
            addrs(usable[0])
        );
    }
    // group the exchangers by preference, in order
    let mut groups: Vec<(u16, Vec<&Exchanger>)> = Vec::new();
    for e in &mx.exchangers {
        match groups.last_mut() {
            Some((p, g)) if *p == e.preference => g.push(e),
            _ => groups.push((e.preference, vec![e])),
        }
    }
    let steps: Vec<String> = groups
        .iter()
        .map(|(pref, group)| {
            let hosts: Vec<String> = group
                .iter()
                .map(|e| {
                    if e.ip_literal {
                        format!(
                            "{} (an IP address, not a name: most senders skip it)",
                            e.host
                        )
                    } else if e.addresses().is_empty() {
                        format!("{} (no address: skipped)", e.host)
                    } else {
                        format!("{} ({})", e.host, addrs(e))
                    }
                })
                .collect();
            let random = if group.len() > 1 {
                ", in random order to spread the load"
            } else {
                ""
            };
            format!("preference {pref}: {}{random}", hosts.join(" and "))
        })
        .collect();
    let order = match steps.as_slice() {
        [one] => format!("it tries {one}"),
        [first, rest @ ..] => format!("it tries {first}; then {}", rest.join("; then ")),
        [] => String::new(),
    };
    format!(
        "A sending server looks up the MX records of {domain} and tries the exchangers from the \
         lowest preference to the highest: {order}. At each exchanger it tries the addresses in \
         turn on port 25 and moves on to the next exchanger only when none accepts a \
         connection; a 4xx answer or no exchanger reachable keeps the message queued and \
         retried for a few days before it bounces, and a 5xx answer bounces it at once."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::dns::{DnsFailure, StaticResolver};
    use RecordType::{A, Aaaa, Mx, Txt};

    fn dns(records: &[(&str, RecordType, &str)]) -> Dns {
        Dns::from_records(records)
    }

    fn run(d: &Dns) -> (MxCheck, Vec<Finding>) {
        let mut findings = Vec::new();
        let mx = check("example.com", d, &mut findings);
        (mx, findings)
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn sorted_by_preference_then_name_with_addresses() {
        let d = dns(&[
            ("example.com", Mx, "20 mx3.example.com."),
            ("example.com", Mx, "10 mx2.example.com"),
            ("example.com", Mx, "10 mx1.example.com"),
            ("mx1.example.com", A, "192.0.2.1"),
            ("mx1.example.com", Aaaa, "2001:db8::1"),
            ("mx2.example.com", A, "192.0.2.2"),
            ("mx3.example.com", Aaaa, "2001:db8::3"),
        ]);
        let (mx, findings) = run(&d);
        assert!(findings.is_empty(), "{findings:?}");
        let order: Vec<(u16, &str)> = mx
            .exchangers
            .iter()
            .map(|e| (e.preference, e.host.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                (10, "mx1.example.com"),
                (10, "mx2.example.com"),
                (20, "mx3.example.com")
            ]
        );
        let mx1 = &mx.exchangers[0];
        assert_eq!(mx1.a.addresses(), ["192.0.2.1".parse::<IpAddr>().unwrap()]);
        assert_eq!(mx1.addresses().len(), 2);
        assert_eq!(mx.exchangers[1].aaaa, AddressLookup::NO_RECORDS);
        assert!(!mx.implicit && !mx.null_mx && mx.error.is_none());
        assert!(mx.delivery.contains(
            "preference 10: mx1.example.com (192.0.2.1, 2001:db8::1) and mx2.example.com \
             (192.0.2.2), in random order"
        ));
        assert!(mx.delivery.contains("then preference 20: mx3.example.com"));
    }

    #[test]
    fn null_mx_accepts_no_mail() {
        let d = dns(&[("example.com", Mx, "0 .")]);
        let (mx, findings) = run(&d);
        assert!(mx.null_mx);
        assert!(mx.exchangers.is_empty());
        assert_eq!(codes(&findings), ["DOM002"]);
        assert!(mx.delivery.contains("RFC 7505"));
    }

    #[test]
    fn null_mx_with_other_records() {
        let d = dns(&[
            ("example.com", Mx, "0 ."),
            ("example.com", Mx, "10 mx.example.com"),
            ("mx.example.com", A, "192.0.2.1"),
        ]);
        let (mx, findings) = run(&d);
        assert!(!mx.null_mx);
        assert_eq!(mx.exchangers.len(), 1);
        assert_eq!(codes(&findings), ["DOM005"]);
    }

    #[test]
    fn implicit_mx_uses_the_domain_address() {
        let d = dns(&[
            ("example.com", A, "192.0.2.80"),
            ("example.com", Txt, "v=spf1 -all"),
        ]);
        let (mx, findings) = run(&d);
        assert!(mx.implicit);
        assert_eq!(mx.exchangers.len(), 1);
        assert_eq!(mx.exchangers[0].preference, 0);
        assert_eq!(mx.exchangers[0].host, "example.com");
        assert_eq!(codes(&findings), ["DOM006"]);
        assert!(mx.delivery.contains("implicit MX"));
        assert!(mx.delivery.contains("192.0.2.80"));
    }

    #[test]
    fn no_mx_and_no_address_is_undeliverable() {
        let d = dns(&[("example.com", Txt, "v=spf1 -all")]);
        let (mx, findings) = run(&d);
        assert!(!mx.implicit && mx.exchangers.is_empty());
        assert_eq!(codes(&findings), ["DOM001"]);
        assert!(mx.delivery.contains("nowhere to connect"));
        let (mx, findings) = run(&dns(&[]));
        assert_eq!(codes(&findings), ["DOM001"]);
        assert!(mx.error.is_some_and(|e| e.contains("NXDOMAIN")));
    }

    #[test]
    fn ip_literal_and_name_without_address() {
        let d = dns(&[
            ("example.com", Mx, "10 192.0.2.25"),
            ("example.com", Mx, "20 gone.example.com"),
            ("example.com", Mx, "30 bare.example.com"),
            ("bare.example.com", Txt, "x"),
        ]);
        let (mx, findings) = run(&d);
        assert!(mx.exchangers[0].ip_literal);
        assert_eq!(mx.exchangers[0].a, AddressLookup::NotLooked);
        assert_eq!(mx.exchangers[1].a, AddressLookup::NO_SUCH_NAME);
        assert_eq!(codes(&findings), ["DOM003", "DOM004", "DOM004", "DOM001"]);
        assert!(findings[1].message.contains("does not exist"));
        assert!(findings[2].message.contains("no A or AAAA"));
        assert_eq!(findings[0].evidence[0].header, "MX example.com");
    }

    #[test]
    fn one_dead_backup_is_a_warning_only() {
        let d = dns(&[
            ("example.com", Mx, "10 mx.example.com"),
            ("example.com", Mx, "20 old.example.com"),
            ("mx.example.com", A, "192.0.2.1"),
        ]);
        let (mx, findings) = run(&d);
        assert_eq!(codes(&findings), ["DOM004"]);
        assert!(
            mx.delivery
                .contains("old.example.com (no address: skipped)")
        );
    }

    #[test]
    fn dns_failures_are_temporary() {
        let mut r = StaticResolver::new();
        r.set("example.com", Mx, Answer::Failed(DnsFailure::Timeout));
        let (mx, findings) = run(&Dns::new(Box::new(r)));
        assert_eq!(codes(&findings), ["DOM009"]);
        assert!(mx.error.is_some_and(|e| e.contains("timeout")));
        assert!(mx.delivery.contains("queued"));

        let mut r = StaticResolver::new();
        r.add("example.com", Mx, "10 mx.example.net");
        r.set("mx.example.net", A, Answer::Failed(DnsFailure::Offline));
        r.set("mx.example.net", Aaaa, Answer::Failed(DnsFailure::Offline));
        let (mx, findings) = run(&Dns::new(Box::new(r)));
        assert_eq!(codes(&findings), ["DOM009"]);
        assert!(
            mx.exchangers[0]
                .a
                .failed()
                .is_some_and(|r| r.contains("offline"))
        );
    }

    #[test]
    fn serializes_with_status_tags() {
        let d = dns(&[
            ("example.com", Mx, "10 mx.example.com"),
            ("mx.example.com", A, "192.0.2.1"),
        ]);
        let (mx, _) = run(&d);
        let json = serde_json::to_value(&mx).expect("json");
        assert_eq!(json["exchangers"][0]["a"]["status"], "found");
        assert_eq!(json["exchangers"][0]["a"]["addresses"][0], "192.0.2.1");
        assert_eq!(json["exchangers"][0]["aaaa"]["status"], "not-found");
        assert_eq!(json["exchangers"][0]["aaaa"]["reason"], "no-records");
        assert!(json.get("delivery").is_some_and(|d| d.is_string()));
        let d = dns(&[
            ("example.com", Mx, "10 192.0.2.1"),
            ("example.com", Mx, "20 gone.example.com"),
        ]);
        let (mx, _) = run(&d);
        let json = serde_json::to_value(&mx).expect("json");
        assert_eq!(
            json["exchangers"][0]["a"],
            serde_json::json!({"status": "not-looked"})
        );
        assert_eq!(
            json["exchangers"][1]["a"],
            serde_json::json!({"status": "not-found", "reason": "no-such-name"})
        );
    }
}
