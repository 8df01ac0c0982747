//! `mailtrace domain` against a real DNS server on 127.0.0.1 (tests/common/dns_server.rs)
//! answering from tests/fixtures/domain.zone: one domain per case, every domain rule fired by
//! at least one case, and the command's outputs. MTA-STS policies come from a fake fetcher;
//! nothing leaves the loopback interface.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RData;
use hickory_proto::rr::rdata::{A, AAAA, MX};

use common::dns_server::{Behaviour, TestServer, name, txt};
use mailtrace::auth::dns::{
    Answer, Dns, LiveConfig, LiveResolver, RecordType, ZoneLookup, ZoneResolver,
};
use mailtrace::domain::{self, DomainOptions, DomainReport, PolicyFetcher};

const ZONE: &str = "tests/fixtures/domain.zone";

/// The loopback server, answering from the fixture zone; `servfail.example` answers SERVFAIL.
fn server() -> TestServer {
    let mut zones = ZoneResolver::new();
    zones.load(Path::new(ZONE)).expect("the fixture zone loads");
    TestServer::start_with(move |qname: &str| {
        if qname == "servfail.example" {
            return Some(Behaviour::Code(ResponseCode::ServFail));
        }
        let mut records = Vec::new();
        let mut exists = false;
        for rtype in [
            RecordType::A,
            RecordType::Aaaa,
            RecordType::Mx,
            RecordType::Txt,
        ] {
            let ZoneLookup::Answer(answer, _) = zones.lookup(qname, rtype) else {
                continue;
            };
            match answer {
                Answer::Records(values) => {
                    exists = true;
                    records.extend(values.iter().map(|v| rdata(rtype, v)));
                }
                Answer::NoData => exists = true,
                _ => {}
            }
        }
        exists.then_some(Behaviour::Records(records))
    })
}

/// One record of the zone's answer as wire data.
fn rdata(rtype: RecordType, value: &str) -> RData {
    match rtype {
        RecordType::A => RData::A(A(value.parse().expect("an IPv4 address"))),
        RecordType::Aaaa => RData::AAAA(AAAA(value.parse().expect("an IPv6 address"))),
        RecordType::Mx => {
            let (pref, host) = value.split_once(' ').expect("PREF HOST");
            let host = if host == "." {
                ".".to_string()
            } else {
                format!("{host}.")
            };
            RData::MX(MX::new(pref.parse().expect("a preference"), name(&host)))
        }
        RecordType::Txt => {
            let parts: Vec<&str> = value
                .as_bytes()
                .chunks(250)
                .map(|c| std::str::from_utf8(c).expect("ascii TXT"))
                .collect();
            txt(&parts)
        }
        RecordType::Ptr => unreachable!("no PTR in the fixture"),
    }
}

fn dns(addr: SocketAddr) -> Dns {
    let live = LiveResolver::new(LiveConfig::server(addr).with_timeout(Duration::from_secs(5)))
        .expect("a resolver");
    Dns::new(Box::new(live))
}

/// MTA-STS policies by domain, as a fetcher would get them.
struct FakeFetcher(BTreeMap<&'static str, Result<&'static str, &'static str>>);

impl PolicyFetcher for FakeFetcher {
    fn fetch(&self, domain: &str) -> Result<String, String> {
        match self.0.get(domain) {
            Some(Ok(text)) => Ok(text.to_string()),
            Some(Err(why)) => Err(why.to_string()),
            None => Err("no such host".to_string()),
        }
    }
}

fn fetcher() -> FakeFetcher {
    let enforce = |mx: &'static str| -> &'static str {
        match mx {
            "good" => "version: STSv1\nmode: enforce\nmx: *.good.example\nmax_age: 604800\n",
            _ => "version: STSv1\nmode: enforce\nmx: mx.other.example\nmax_age: 604800\n",
        }
    };
    FakeFetcher(BTreeMap::from([
        ("good.example", Ok(enforce("good"))),
        ("stsbad.example", Ok(enforce("other"))),
        ("ststwo.example", Ok(enforce("other"))),
        ("stsfail.example", Err("connection refused")),
        ("stsinvalid.example", Ok("this is not a policy\n")),
        ("stsmx.example", Ok(enforce("other"))),
        (
            "ststesting.example",
            Ok("version: STSv1\nmode: testing\nmx: *.example\nmax_age: 604800\n"),
        ),
        (
            "stsnone.example",
            Ok("version: STSv1\nmode: none\nmax_age: 604800\n"),
        ),
        (
            "stsshort.example",
            Ok("version: STSv1\nmode: enforce\nmx: *.example\nmax_age: 3600\n"),
        ),
        (
            "stslong.example",
            Ok("version: STSv1\nmode: enforce\nmx: *.example\nmax_age: 99999999\n"),
        ),
    ]))
}

fn codes(report: &DomainReport) -> BTreeSet<&'static str> {
    report.findings.iter().map(|f| f.code).collect()
}

/// Each case: the domain, its selectors, and codes that must be among its findings.
const CASES: &[(&str, &[&str], &[&str])] = &[
    ("nomail.example", &[], &["DOM001", "DOM010", "DOM020"]),
    ("null.example", &[], &["DOM002"]),
    ("nullplus.example", &[], &["DOM005"]),
    ("implicit.example", &[], &["DOM006"]),
    ("literal.example", &[], &["DOM003"]),
    ("noaddr.example", &[], &["DOM004"]),
    ("servfail.example", &[], &["DOM009"]),
    ("twospf.example", &[], &["DOM011"]),
    ("passall.example", &[], &["DOM012"]),
    ("neutral.example", &[], &["DOM013"]),
    ("noall.example", &[], &["DOM014"]),
    ("ptr.example", &[], &["DOM015"]),
    ("many.example", &[], &["DOM016"]),
    ("void.example", &[], &["DOM017"]),
    ("syntax.example", &[], &["DOM018"]),
    ("broken.example", &[], &["DOM019"]),
    ("twodmarc.example", &[], &["DOM021"]),
    ("badmarc.example", &[], &["DOM022"]),
    ("none.example", &[], &["DOM023"]),
    ("pct.example", &[], &["DOM024"]),
    ("norua.example", &[], &["DOM025"]),
    ("spnone.example", &[], &["DOM026"]),
    ("extrua.example", &[], &["DOM027"]),
    ("keys.example", &["gone"], &["DOM030"]),
    ("keys.example", &["revoked"], &["DOM031"]),
    ("keys.example", &["short"], &["DOM032"]),
    ("keys.example", &["k1024"], &["DOM033"]),
    ("keys.example", &["testing"], &["DOM034"]),
    ("keys.example", &["bad"], &["DOM035"]),
    ("keys.example", &["weird"], &["DOM036"]),
    ("keys.example", &["notemail"], &["DOM037"]),
    ("keys.example", &["sha1only"], &["DOM038"]),
    ("stsbad.example", &[], &["DOM040"]),
    ("ststwo.example", &[], &["DOM041"]),
    ("stsfail.example", &[], &["DOM042"]),
    ("stsinvalid.example", &[], &["DOM043"]),
    ("stsmx.example", &[], &["DOM044"]),
    ("ststesting.example", &[], &["DOM045", "DOM050"]),
    ("stsnone.example", &[], &["DOM046"]),
    ("stsshort.example", &[], &["DOM047"]),
    ("stslong.example", &[], &["DOM048"]),
    ("rptbad.example", &[], &["DOM051"]),
    ("bimibad.example", &[], &["DOM052"]),
    ("bimihttp.example", &[], &["DOM053"]),
    ("bimicert.example", &[], &["DOM054"]),
];

#[test]
fn every_case_gives_its_findings_and_every_domain_rule_is_fired() {
    let server = server();
    let fetcher = fetcher();
    let mut fired = BTreeSet::new();
    let mut failures = Vec::new();
    for (domain, selectors, want) in CASES {
        let dns = dns(server.addr);
        let options = DomainOptions {
            selectors: selectors.iter().map(|s| s.to_string()).collect(),
            ..DomainOptions::default()
        };
        let report = domain::check(domain, &options, &dns, Some(&fetcher));
        let got = codes(&report);
        for code in *want {
            if !got.contains(code) {
                failures.push(format!(
                    "{domain} {selectors:?}: {code} missing, got {got:?}"
                ));
            }
        }
        fired.extend(got);
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let unfired: Vec<&str> = domain::rules::all()
        .map(|r| r.code)
        .filter(|c| !fired.contains(c))
        .collect();
    assert!(
        unfired.is_empty(),
        "domain rules fired by no case: {unfired:?}"
    );
}

#[test]
fn a_healthy_domain_has_no_warning_and_everything_explained() {
    let server = server();
    let dns = dns(server.addr);
    let options = DomainOptions {
        selectors: vec!["s1".into()],
        ..DomainOptions::default()
    };
    let report = domain::check("Good.Example.", &options, &dns, Some(&fetcher()));
    assert_eq!(report.domain, "good.example");
    let serious: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity.as_str() != "info")
        .map(|f| format!("{} {}", f.code, f.message))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    // MX: sorted by preference, with addresses
    let hosts: Vec<&str> = report
        .mx
        .exchangers
        .iter()
        .map(|x| x.host.as_str())
        .collect();
    assert_eq!(hosts, ["mx1.good.example", "mx2.good.example"]);
    assert_eq!(report.mx.exchangers[0].addresses().len(), 2);
    // SPF: the include expanded, lookups counted (include + mx = 2)
    let tree = report.spf.tree.as_ref().expect("an SPF tree");
    assert_eq!(tree.children.len(), 1);
    assert_eq!(tree.children[0].domain, "_spf.good.example");
    assert_eq!(report.spf.dns_lookups, 2);
    assert!(!tree.explained.is_empty(), "terms explained");
    // DMARC explained tag by tag; DKIM key read
    assert_eq!(report.dmarc.policy.as_deref(), Some("reject"));
    assert!(report.dmarc.explained.len() >= 3);
    assert_eq!(report.dkim[0].bits, Some(2048));
    // every answer came from the loopback server
    assert!(!report.dns.is_empty());
    assert!(
        report
            .dns
            .iter()
            .all(|d| matches!(&d.source, mailtrace::auth::dns::AnswerSource::Live(a) if a == &server.addr.to_string()))
    );
}

#[test]
fn dmarc_falls_back_to_the_organisational_domain_and_spf_loops_end() {
    let server = server();
    let none = DomainOptions::default();
    let report = domain::check("mail.org.example", &none, &dns(server.addr), None);
    assert!(report.dmarc.inherited, "{:?}", report.dmarc);
    assert_eq!(report.dmarc.record_domain.as_deref(), Some("org.example"));
    assert!(!codes(&report).contains("DOM020"), "not missing: inherited");

    let report = domain::check("loop.example", &none, &dns(server.addr), None);
    let got = codes(&report);
    assert!(
        got.contains("DOM018") || got.contains("DOM019") || got.contains("DOM016"),
        "an include loop is an error: {got:?}"
    );

    let report = domain::check("extok.example", &none, &dns(server.addr), None);
    assert!(
        !codes(&report).contains("DOM027"),
        "authorised: {:?}",
        codes(&report)
    );

    let report = domain::check("redirect.example", &none, &dns(server.addr), None);
    let tree = report.spf.tree.as_ref().expect("tree");
    assert_eq!(tree.children.len(), 1, "the redirect is followed");
    assert_eq!(report.spf.default_result.map(|r| r.as_str()), Some("fail"));
}

/// Offline with the zone file alone, every case gives the same findings as from the loopback
/// server: a name the file does not hold is NXDOMAIN (the file has an SOA for `example.`), not
/// "not found (offline)".
#[test]
fn the_zone_file_offline_gives_the_findings_of_the_server() {
    let server = server();
    let mut zones = ZoneResolver::new();
    zones.load(Path::new(ZONE)).expect("the fixture zone loads");
    let offline = Dns::new(Box::new(zones));
    let mut compared = 0;
    for (domain, selectors, _) in CASES {
        if *domain == "servfail.example" {
            continue; // only the server fails on purpose
        }
        let options = DomainOptions {
            selectors: selectors.iter().map(|s| s.to_string()).collect(),
            ..DomainOptions::default()
        };
        let sorted = |r: &DomainReport| {
            let mut c: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
            c.sort_unstable();
            c
        };
        let live = domain::check(domain, &options, &dns(server.addr), None);
        let zone = domain::check(domain, &options, &offline, None);
        assert_eq!(sorted(&zone), sorted(&live), "{domain} {selectors:?}");
        compared += 1;
    }
    assert!(compared > 40, "{compared} cases");
    let report = domain::check(
        "mail.org.example",
        &DomainOptions::default(),
        &offline,
        None,
    );
    assert!(report.dmarc.inherited, "{:?}", report.dmarc);
    assert_eq!(report.dmarc.record_domain.as_deref(), Some("org.example"));
}

#[test]
fn probing_finds_common_selectors_and_keeps_quiet_about_the_rest() {
    let server = server();
    let options = DomainOptions {
        selectors: Vec::new(),
        probe_selectors: true,
        ..DomainOptions::default()
    };
    let report = domain::check("good.example", &options, &dns(server.addr), None);
    assert!(report.dkim.len() > 5, "common selectors probed");
    assert!(
        !codes(&report).contains("DOM030"),
        "a probe that finds nothing is no finding"
    );
}

// ---- the command ----

fn mailtrace(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mailtrace"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run mailtrace")
}

#[test]
fn cli_json_text_markdown_and_exit_codes() {
    let server = server();
    let addr = server.addr.to_string();
    // no MTA-STS record here, so nothing is fetched over HTTPS
    let out = mailtrace(&[
        "domain",
        "passall.example",
        "--dns-server",
        &addr,
        "--format",
        "json",
        "--fail-on",
        "error",
    ]);
    assert_eq!(out.status.code(), Some(1), "+all is an error");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["domain"], "passall.example");
    assert!(
        json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "DOM012")
    );

    let out = mailtrace(&["domain", "twospf.example", "--dns-server", &addr]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SPF"), "{text}");
    assert!(text.contains("DOM011"), "{text}");

    let out = mailtrace(&[
        "domain",
        "good.example",
        "--offline",
        "--dns-zone",
        ZONE,
        "--selector",
        "s1",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# Mail setup of good.example"), "{md}");
    assert!(md.contains("## DMARC"), "{md}");

    // offline with the zone file: nothing missing, nothing failed, the policy not fetched
    let out = mailtrace(&[
        "domain",
        "good.example",
        "--offline",
        "--dns-zone",
        ZONE,
        "--selector",
        "s1",
        "--format",
        "json",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(out.status.code(), Some(0), "no warning");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["findings"], serde_json::json!([]));
    assert_eq!(json["mta_sts"]["valid"], true);
    assert_eq!(
        json["mta_sts"]["policy_fetch"],
        serde_json::json!({
            "status": "not-fetched",
            "reason": "offline: the policy is fetched over HTTPS only when online"
        })
    );
    assert_eq!(json["dkim"][0]["key_type"], "rsa");
    assert!(json["mx"]["delivery"].is_string());
    assert!(json["spf"]["tree"]["explained"].is_array());
    assert_eq!(json["spf"]["default_result"], "fail");
    assert!(json["dmarc"]["explained"].is_array());
    // ...and a subdomain without a DMARC record inherits its organisational domain's
    let out = mailtrace(&[
        "domain",
        "mail.org.example",
        "--offline",
        "--dns-zone",
        ZONE,
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["dmarc"]["inherited"], true);
    let names: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(!names.contains(&"record-lookup-failed"), "{names:?}");

    // --from-message prints an array, even of one domain
    let out = mailtrace(&[
        "domain",
        "--from-message",
        "samples/crlf-line-endings.eml",
        "--offline",
        "--dns-zone",
        "samples/dns.zone",
        "--at",
        "2026-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let reports = json.as_array().expect("an array of one");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["domain"], "example.com");

    // the sender domains of a message
    let out = mailtrace(&[
        "domain",
        "--from-message",
        "samples/dkim-two-signatures-author-and-esp.eml",
        "--offline",
        "--dns-zone",
        "samples/dns.zone",
        "--at",
        "2026-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let domains: Vec<&str> = json
        .as_array()
        .expect("one report per domain")
        .iter()
        .map(|r| r["domain"].as_str().expect("domain"))
        .collect();
    assert_eq!(
        domains,
        ["example.com", "bounce.esp.example", "esp.example"]
    );

    // bad input: one line, exit 2
    for args in [&["domain"][..], &["domain", "not a domain!"]] {
        let out = mailtrace(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{args:?}"
        );
    }
}

#[test]
fn explain_knows_the_domain_rules() {
    let out = mailtrace(&["explain", "spf-too-many-lookups"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("DOM016"));
    let out = mailtrace(&["rules"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("DOM030"));
}
