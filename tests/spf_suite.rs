//! The SPF evaluator against peer suites from `../shared/corpus/spf` (or `$MAILTRACE_CORPUS/spf`):
//!
//! - the OpenSPF RFC 7208 suite (`openspf-rfc7208-suite/rfc7208-tests.yml`, release 2014.04):
//!   16 scenarios, each with its own zone data, 203 cases. Every case must agree, except those
//!   listed in [`RFC7208_EXCEPTIONS`] with the reason we disagree.
//! - stalwart mail-auth's SPF vectors (`stalwart-mail-auth/*.yml`), read the way mail-auth's own
//!   test driver reads them (line by line; a mapping with repeated keys is not YAML that a strict
//!   reader accepts).
//!
//! Each test prints its agreement and asserts that it ran cases; an absent corpus is a printed
//! skip, not a failure.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use mailtrace::auth::AuthResult;
use mailtrace::auth::dns::{Answer, Dns, DnsFailure, RecordType, StaticResolver};
use mailtrace::auth::spf::{SpfCheck, evaluate};
use yaml_rust2::{Yaml, YamlLoader};

/// Cases of the OpenSPF suite where we knowingly disagree, each with its justification.
/// Empty: every case agrees. A listed case that agrees fails the test (the list must not rot).
const RFC7208_EXCEPTIONS: &[(&str, &str)] = &[];

/// Cases of the stalwart vectors where we knowingly disagree (scenario name, test number within
/// it, why). In each, RFC 7208 and the OpenSPF suite side with us against mail-auth.
const STALWART_EXCEPTIONS: &[(&str, usize, &str)] = &[
    (
        "All test",
        1,
        "`v=spf1 -all ip:10.0.0.1`: mail-auth ignores the unknown mechanism after `all` and \
         says fail; RFC 7208 4.6 makes a syntax error anywhere in the record a permerror \
         \"without further interpretation or evaluation\" (5.1's \"never tested\" is about \
         evaluation, not parsing), and the OpenSPF suite's bare-ip6 (`v=spf1 -all ip6`) and \
         detect-errors-anywhere cases expect permerror",
    ),
    (
        "DNS Lookup Limits",
        1,
        "ten `a:` mechanisms whose names do not exist: mail-auth has no void-lookup limit and \
         says softfail; RFC 7208 4.6.4 limits void lookups to two (permerror beyond), as the \
         OpenSPF suite's void-over-limit case expects",
    ),
    (
        "Exists",
        2,
        "`exists:` on a name with only AAAA records: mail-auth looks up AAAA and matches; RFC \
         7208 5.7 says the lookup is an A query \"even when the connection type is IPv6\", as \
         the OpenSPF suite's exists-ip6only case expects (fail)",
    ),
    (
        "IPv6 match",
        4,
        "IPv4 client 10.1.2.3 against `ip6:::ffff:10.1.2.3`: mail-auth matches; RFC 7208 5.6 \
         and 5 (IPv4-mapped addresses are IPv4) make ip6 mechanisms match IPv6 clients only, as \
         the OpenSPF suite's cidr6-0-ip4 and cidr6-ip4 cases expect",
    ),
    (
        "Macro expansion 2",
        2,
        "IPv6 client, `exists:%{ir}.%{v}._spf.%{d2}` whose name has only an AAAA record: \
         mail-auth queries AAAA for exists; RFC 7208 5.7 says A (see the Exists case above)",
    ),
];

/// `$MAILTRACE_CORPUS/spf`, else `<crate>/../shared/corpus/spf`; None (with a note) when absent.
fn spf_dir() -> Option<PathBuf> {
    let corpus = std::env::var_os("MAILTRACE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let dir = corpus.join("spf");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skip: SPF corpus not found at {}", dir.display());
        None
    }
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

/// A TXT (or SPF) value of the suite: one string, or a list of strings joined with nothing
/// between them (RFC 7208 3.3).
fn txt_value(y: &Yaml) -> String {
    match y {
        Yaml::Array(parts) => parts.iter().filter_map(scalar).collect(),
        other => scalar(other).unwrap_or_default(),
    }
}

/// What the zone data says about one name.
#[derive(Default, Clone)]
struct Node {
    txt: Vec<String>,
    /// A TXT entry is present (possibly `NONE`): SPF-type records are then not copied to TXT.
    has_txt: bool,
    spf: Vec<String>,
    a: Vec<String>,
    aaaa: Vec<String>,
    mx: Vec<String>,
    ptr: Vec<String>,
    cname: Option<String>,
    timeout: bool,
}

fn norm(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The suite's `zonedata` as a resolver. The suite's conventions (its README and drivers):
/// records of type SPF are served as TXT unless the name has TXT entries of its own (`TXT: NONE`
/// says "no TXT"), since RFC 7208 retired the SPF type; `TIMEOUT` makes every query of a type
/// the name has no records of time out; CNAMEs are followed (a loop is a DNS error).
fn zone_resolver(zone: &Yaml) -> StaticResolver {
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    if let Some(zone) = zone.as_hash() {
        for (name, entries) in zone {
            let node = nodes
                .entry(norm(&scalar(name).unwrap_or_default()))
                .or_default();
            for entry in entries.as_vec().map(Vec::as_slice).unwrap_or_default() {
                if entry.as_str() == Some("TIMEOUT") {
                    node.timeout = true;
                    continue;
                }
                let Some(map) = entry.as_hash() else { continue };
                for (rtype, value) in map {
                    match rtype.as_str().unwrap_or_default() {
                        "TXT" => {
                            node.has_txt = true;
                            if value.as_str() != Some("NONE") {
                                node.txt.push(txt_value(value));
                            }
                        }
                        "SPF" => node.spf.push(txt_value(value)),
                        "A" => node.a.push(scalar(value).unwrap_or_default()),
                        "AAAA" => node.aaaa.push(scalar(value).unwrap_or_default()),
                        "PTR" => node.ptr.push(scalar(value).unwrap_or_default()),
                        "CNAME" => node.cname = scalar(value).map(|c| norm(&c)),
                        "MX" => {
                            let pref = scalar(&value[0]).unwrap_or_default();
                            let host = scalar(&value[1]).unwrap_or_default();
                            let host = if host.is_empty() { ".".into() } else { host };
                            node.mx.push(format!("{pref} {host}"));
                        }
                        other => panic!("zone data: unknown record type {other}"),
                    }
                }
            }
        }
    }
    let mut resolver = StaticResolver::new();
    for (name, node) in &nodes {
        // follow a CNAME chain to the node that answers
        let mut target = node.clone();
        let mut hops = 0;
        let mut looped = false;
        while let Some(next) = target.cname.clone() {
            hops += 1;
            match nodes.get(&next) {
                Some(n) if hops <= 8 => target = n.clone(),
                Some(_) => {
                    looped = true;
                    break;
                }
                None => {
                    target = Node::default();
                    break;
                }
            }
        }
        let txt = if target.has_txt {
            target.txt.clone()
        } else {
            target.spf.clone()
        };
        let types = [
            (RecordType::Txt, txt),
            (RecordType::A, target.a.clone()),
            (RecordType::Aaaa, target.aaaa.clone()),
            (RecordType::Mx, target.mx.clone()),
            (RecordType::Ptr, target.ptr.clone()),
        ];
        for (rtype, values) in types {
            if looped {
                resolver.set(
                    name,
                    rtype,
                    Answer::Failed(DnsFailure::Other("CNAME loop".into())),
                );
            } else if !values.is_empty() {
                for v in &values {
                    resolver.add(name, rtype, v);
                }
            } else if target.timeout {
                resolver.set(name, rtype, Answer::Failed(DnsFailure::Timeout));
            } else {
                resolver.set(name, rtype, Answer::NoData);
            }
        }
    }
    resolver
}

fn parse_ip(s: &str) -> IpAddr {
    s.trim()
        .parse()
        .unwrap_or_else(|_| panic!("bad test address {s:?}"))
}

fn describe(c: &SpfCheck) -> String {
    format!(
        "{} (mechanism {:?}, reason {:?}, note {:?}, explanation {:?})",
        c.result.as_str(),
        c.mechanism,
        c.reason,
        c.note,
        c.explanation
    )
}

#[test]
fn openspf_rfc7208_suite() {
    let Some(dir) = spf_dir() else { return };
    let path = dir.join("openspf-rfc7208-suite/rfc7208-tests.yml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skip: {} not found", path.display());
        return;
    };
    let docs = YamlLoader::load_from_str(&text).expect("the suite is YAML");
    let mut total = 0;
    let mut agree = 0;
    let mut scenarios = 0;
    let mut misses = Vec::new();
    let mut excepted = Vec::new();
    for doc in &docs {
        let scenario = doc["description"].as_str().unwrap_or("?");
        let resolver = zone_resolver(&doc["zonedata"]);
        let Some(tests) = doc["tests"].as_hash() else {
            continue;
        };
        scenarios += 1;
        for (name, case) in tests {
            let name = name.as_str().unwrap_or("?");
            total += 1;
            let ip = parse_ip(case["host"].as_str().unwrap_or_default());
            let mail_from = scalar(&case["mailfrom"]).unwrap_or_default();
            let helo = scalar(&case["helo"]).unwrap_or_default();
            let expected: Vec<String> = match &case["result"] {
                Yaml::Array(list) => list.iter().filter_map(scalar).collect(),
                one => scalar(one).into_iter().collect(),
            };
            let dns = Dns::new(Box::new(resolver.clone()));
            let got = evaluate(ip, Some(&mail_from), Some(&helo), &dns);
            let mut ok = expected.iter().any(|r| r == got.result.as_str());
            if let Some(want) = case["explanation"].as_str() {
                ok &= if want == "DEFAULT" {
                    // the suite's DEFAULT is "the implementation's default": we give none
                    got.explanation.is_none()
                } else {
                    // case-insensitively: the suite writes the ip6.arpa nibbles of v-macro-ip6
                    // in uppercase, RFC 7208 7.3 (and every implementation) expands %{ir} in
                    // lowercase, and DNS names are case-insensitive
                    got.explanation
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(want))
                };
            }
            let exception = RFC7208_EXCEPTIONS.iter().find(|(n, _)| *n == name);
            match (ok, exception) {
                (true, None) => agree += 1,
                (true, Some(_)) => misses.push(format!(
                    "  {name}: listed as an exception but agrees; remove it from the list"
                )),
                (false, Some((_, why))) => excepted.push(format!("  {name}: {why}")),
                (false, None) => misses.push(format!(
                    "  [{scenario}] {name}: expected {expected:?}{}, got {}",
                    case["explanation"]
                        .as_str()
                        .map(|e| format!(" with explanation {e:?}"))
                        .unwrap_or_default(),
                    describe(&got)
                )),
            }
        }
    }
    println!(
        "rfc7208: {agree}/{total} agree across {scenarios} scenarios, {} documented exceptions",
        excepted.len()
    );
    for e in &excepted {
        println!("{e}");
    }
    assert!(total > 0, "no case ran: is {} the suite?", path.display());
    assert!(
        misses.is_empty(),
        "{} disagreements with the RFC 7208 suite:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

/// One file of stalwart mail-auth's SPF vectors, run as mail-auth's driver runs it: records
/// accumulate (a later line for the same name and type replaces the earlier one), `domain:` is
/// the HELO name, `sender:` the envelope sender, each `expect:` evaluates. mail-auth's
/// `verify_spf` checks HELO first and returns its result when the sender is empty or HELO fails,
/// else the MAIL FROM result; we compose our two checks the same way. Names containing
/// `_dns_error.` fail as its mock resolver makes them fail.
fn run_stalwart_file(text: &str, results: &mut (usize, usize, Vec<String>, Vec<String>)) {
    for section in text.split("---\n") {
        let mut resolver = StaticResolver::new();
        let mut scenario = String::new();
        let mut helo = String::new();
        let mut sender = String::new();
        let mut ip: IpAddr = parse_ip("127.0.0.1");
        let mut number = 0;
        for line in section.lines() {
            let line = line.trim();
            let line = line.strip_prefix('-').map_or(line, str::trim);
            let record = |rest: &str| -> (String, String) {
                let (name, value) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
                (name.trim().to_string(), value.trim().to_string())
            };
            let addresses = |value: &str| -> Vec<String> {
                value
                    .split(',')
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect()
            };
            if let Some(name) = line.strip_prefix("name:") {
                if scenario.is_empty() {
                    scenario = name.trim().to_string();
                }
            } else if let Some(rest) = line
                .strip_prefix("spf:")
                .or_else(|| line.strip_prefix("exp:"))
            {
                let (name, value) = record(rest);
                resolver.set(&name, RecordType::Txt, Answer::Records(vec![value]));
            } else if let Some(rest) = line.strip_prefix("a:") {
                let (name, value) = record(rest);
                resolver.set(&name, RecordType::A, Answer::Records(addresses(&value)));
            } else if let Some(rest) = line.strip_prefix("aaaa:") {
                let (name, value) = record(rest);
                resolver.set(&name, RecordType::Aaaa, Answer::Records(addresses(&value)));
            } else if let Some(rest) = line.strip_prefix("ptr:") {
                let (addr, value) = record(rest);
                let reverse = reverse_name(parse_ip(&addr));
                resolver.set(
                    &reverse,
                    RecordType::Ptr,
                    Answer::Records(addresses(&value)),
                );
            } else if let Some(rest) = line.strip_prefix("mx:") {
                let (name, value) = record(rest);
                let mut exchangers = Vec::new();
                for (pos, addr) in addresses(&value).iter().enumerate() {
                    let host = format!("mx.{addr}.{pos}");
                    let rtype = match parse_ip(addr) {
                        IpAddr::V4(_) => RecordType::A,
                        IpAddr::V6(_) => RecordType::Aaaa,
                    };
                    resolver.set(&host, rtype, Answer::Records(vec![addr.clone()]));
                    exchangers.push(format!("{} {host}", pos + 1));
                }
                resolver.set(&name, RecordType::Mx, Answer::Records(exchangers));
            } else if let Some(value) = line.strip_prefix("domain:") {
                helo = value.trim().to_string();
            } else if let Some(value) = line.strip_prefix("sender:") {
                sender = value.trim().to_string();
            } else if let Some(value) = line.strip_prefix("ip:") {
                ip = parse_ip(value);
            } else if let Some(value) = line.strip_prefix("expect:") {
                number += 1;
                let value = value.trim();
                let (want, want_exp) = value.split_once(' ').unwrap_or((value, ""));
                let mut resolver = resolver.clone();
                for name in mock_failures(section) {
                    for rtype in [RecordType::Txt, RecordType::A, RecordType::Mx] {
                        resolver.set(&name, rtype, Answer::Failed(DnsFailure::ServFail));
                    }
                }
                let dns = Dns::new(Box::new(resolver));
                let helo_check = evaluate(ip, None, Some(&helo), &dns);
                let got = if sender.is_empty() || helo_check.result == AuthResult::Fail {
                    helo_check
                } else {
                    evaluate(ip, Some(&sender), Some(&helo), &dns)
                };
                let ok = got.result.as_str() == want
                    && (want_exp.is_empty() || got.explanation.as_deref() == Some(want_exp));
                results.1 += 1;
                let exception = STALWART_EXCEPTIONS
                    .iter()
                    .find(|(s, n, _)| *s == scenario && *n == number);
                match (ok, exception) {
                    (true, None) => results.0 += 1,
                    (true, Some(_)) => results.2.push(format!(
                        "  {scenario} #{number}: listed as an exception but agrees"
                    )),
                    (false, Some((_, _, why))) => {
                        results.3.push(format!("  {scenario} #{number}: {why}"))
                    }
                    (false, None) => results.2.push(format!(
                        "  {scenario} #{number} (helo {helo}, sender {sender}, ip {ip}): \
                         expected {value}, got {}",
                        describe(&got)
                    )),
                }
            }
        }
    }
}

/// Names mentioned in a section that mail-auth's mock resolver fails (`_dns_error.`).
fn mock_failures(section: &str) -> Vec<String> {
    section
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .filter(|w| w.contains("_dns_error."))
        .map(|w| w.rsplit('@').next().unwrap_or(w).to_string())
        .collect()
}

fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut nibbles: Vec<String> = v6
                .octets()
                .iter()
                .flat_map(|o| [o >> 4, o & 0xf])
                .map(|n| format!("{n:x}"))
                .collect();
            nibbles.reverse();
            format!("{}.ip6.arpa", nibbles.join("."))
        }
    }
}

#[test]
fn stalwart_spf_vectors() {
    let Some(dir) = spf_dir() else { return };
    let dir = dir.join("stalwart-mail-auth");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skip: {} not found", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    files.sort();
    let mut results = (0, 0, Vec::new(), Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let before = (results.0, results.1);
        run_stalwart_file(&text, &mut results);
        println!(
            "  {}: {}/{}",
            file.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
            results.0 - before.0,
            results.1 - before.1
        );
    }
    let (agree, total, misses, excepted) = results;
    println!(
        "stalwart mail-auth: {agree}/{total} agree in {} files, {} documented exceptions",
        files.len(),
        excepted.len()
    );
    for e in &excepted {
        println!("{e}");
    }
    assert!(total > 0, "no stalwart SPF vector ran in {}", dir.display());
    assert!(
        misses.is_empty(),
        "{} disagreements with the stalwart vectors:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
