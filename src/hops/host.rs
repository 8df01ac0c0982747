//! Host names and addresses: normalising, organisational domains, private ranges.
//!
//! The organisational domain is the registrable domain by the Public Suffix List (the `psl`
//! crate, compiled in: no network).

use std::net::IpAddr;

/// Lowercase, without a trailing dot or surrounding brackets.
pub fn normalize(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Parse a host written as an IP literal (`192.0.2.1`, `[192.0.2.1]`, `[IPv6:2001:db8::1]`).
pub fn as_ip(host: &str) -> Option<IpAddr> {
    let h = normalize(host);
    let h = h.strip_prefix("ipv6:").unwrap_or(&h);
    h.parse().ok()
}

/// The organisational (registrable) domain of a host name; None for IP literals, single labels
/// and names under no known public suffix.
pub fn org_domain(host: &str) -> Option<String> {
    let h = normalize(host);
    if h.is_empty() || as_ip(&h).is_some() || !h.contains('.') {
        return None;
    }
    let domain = psl::domain_str(&h)?;
    // psl answers for unknown TLDs with the wildcard rule; accept only names that have a dot
    Some(domain.to_string())
}

/// Registrable domains that one provider runs under several names, mapped to one of them.
const FAMILIES: &[(&str, &str)] = &[
    ("office365.com", "outlook.com"),
    ("exchangelabs.com", "outlook.com"),
    ("microsoft.com", "outlook.com"),
    ("hotmail.com", "outlook.com"),
    ("live.com", "outlook.com"),
    ("googlemail.com", "google.com"),
    ("gmail.com", "google.com"),
    ("yahoodns.net", "yahoo.com"),
    ("aol.com", "yahoo.com"),
];

/// The organisation a host belongs to: its organisational domain, with the several domains of
/// one provider (outlook.com, office365.com, exchangelabs.com for Microsoft) made one.
pub fn org_family(host: &str) -> Option<String> {
    let org = org_domain(host)?;
    Some(
        FAMILIES
            .iter()
            .find(|(alias, _)| *alias == org)
            .map(|(_, canonical)| canonical.to_string())
            .unwrap_or(org),
    )
}

/// True for loopback, private, link-local, CGNAT and unique-local addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let seg = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (seg & 0xfe00) == 0xfc00
                || (seg & 0xffc0) == 0xfe80
        }
    }
}

/// True when a name denotes the local machine.
pub fn is_local_name(host: &str) -> bool {
    let h = normalize(host);
    h == "localhost" || h == "localhost.localdomain" || h.starts_with("localhost.")
}

/// True when two host names plausibly denote the same machine: equal, or one is the bare first
/// label of the other, or both have the same first label within one organisational domain
/// (the internal and public names of one Exchange server, say).
pub fn same_host(a: &str, b: &str) -> bool {
    let (a, b) = (normalize(a), normalize(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let first = |s: &str| s.split('.').next().unwrap_or("").to_string();
    let (fa, fb) = (first(&a), first(&b));
    fa == b
        || fb == a
        || (fa == fb
            && (distinctive(&fa) || (org_family(&a).is_some() && org_family(&a) == org_family(&b))))
}

/// A first label unique enough to name one machine whatever domain follows it: Microsoft's
/// server names (`BN9PR03CA0571`) appear under outlook.com and office365.com alike.
fn distinctive(label: &str) -> bool {
    label.len() >= 10
        && label.chars().all(|c| c.is_ascii_alphanumeric())
        && label.chars().any(|c| c.is_ascii_digit())
        && label.chars().any(|c| c.is_ascii_alphabetic())
}

/// True when `host` equals `suffix` or ends with `.suffix` (a `--trust` entry).
pub fn matches_suffix(host: &str, suffix: &str) -> bool {
    let (h, s) = (normalize(host), normalize(suffix));
    let s = s.trim_start_matches('.');
    !s.is_empty() && (h == s || h.ends_with(&format!(".{s}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_domains() {
        assert_eq!(org_domain("mx.google.com.").as_deref(), Some("google.com"));
        assert_eq!(
            org_domain("a.b.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(org_domain("[192.0.2.1]"), None);
        assert_eq!(org_domain("2002:a05:6a20:1::"), None);
        assert_eq!(org_domain("localhost"), None);
    }

    #[test]
    fn private_ranges() {
        for ip in [
            "10.1.2.3",
            "192.168.0.1",
            "127.0.0.1",
            "::1",
            "fd00::1",
            "100.64.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["192.0.2.1", "8.8.8.8", "2001:db8::1"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn provider_families() {
        assert_eq!(
            org_family("JH0PR01MB5490.apcprd01.prod.exchangelabs.com").as_deref(),
            Some("outlook.com")
        );
        assert_eq!(
            org_family("LV3P220CA0008.outlook.office365.com").as_deref(),
            Some("outlook.com")
        );
        assert_eq!(
            org_family("mail.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
    }

    #[test]
    fn host_matching() {
        assert!(same_host(
            "BN8NAM12FT045.mail.protection.outlook.com",
            "bn8nam12ft045.eop-nam12.prod.protection.outlook.com"
        ));
        assert!(same_host("mail", "mail.example.com"));
        assert!(same_host(
            "BN9PR03CA0571.outlook.office365.com",
            "BN9PR03CA0571.namprd03.prod.outlook.com"
        ));
        assert!(!same_host("mx.example.org", "mail.example.net"));
        assert!(!same_host("mail.example.org", "mail.example.net"));
        assert!(matches_suffix("mx1.example.org", "example.org"));
        assert!(matches_suffix("example.org.", ".example.org"));
        assert!(!matches_suffix("badexample.org", "example.org"));
    }
}
