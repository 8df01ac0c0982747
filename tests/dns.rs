//! The DNS layer against a real DNS server on 127.0.0.1 and against zone files.
//!
//! The server is a small authoritative responder written here over hickory-proto's wire format:
//! it answers from a table over UDP and TCP, truncates one large answer over UDP (so the client
//! must retry over TCP), returns NXDOMAIN, NoData, SERVFAIL and REFUSED for chosen names, and
//! never answers the `slow` names (timeouts). Nothing here leaves the loopback interface, and no
//! assertion depends on how fast anything is, except generous bounds that only catch hangs.

use std::collections::HashMap;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::{A, AAAA, MX, PTR};
use hickory_proto::rr::{RData, RecordType as WireType};

mod common;
use common::dns_server::{Behaviour, TestServer, name, txt};

use mailtrace::auth::dns::{
    Answer, AnswerSource, Dns, DnsFailure, DnsSettings, DnsUse, Fallback, LayeredResolver,
    LiveConfig, LiveResolver, OfflineResolver, RecordType, Resolver, StaticResolver, UNREACHABLE,
    ZoneLookup, ZoneResolver, parse_server, save_zone,
};

/// The timeout of the tests that wait for one: short, so the suite stays quick.
const TIMEOUT: Duration = Duration::from_millis(500);
/// The timeout of the tests that expect answers: a loaded machine never makes them time out.
const PATIENT: Duration = Duration::from_secs(5);
/// Only catches hangs: far above anything a passing run needs.
const HANG: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// The loopback server

fn big_key() -> String {
    // A 4096-bit RSA key record is about 750 bytes; make it bigger than any UDP answer here.
    let mut key = String::from("v=DKIM1; k=rsa; p=");
    for i in 0..1400 {
        key.push(char::from(b'A' + (i % 26) as u8));
    }
    key
}

fn start_server() -> TestServer {
    TestServer::start(table())
}

/// A resolver for tests that expect answers.
fn live_resolver(server: &TestServer) -> LiveResolver {
    LiveResolver::new(LiveConfig::server(server.addr).with_timeout(PATIENT)).expect("resolver")
}

/// A resolver for tests that wait for timeouts.
fn short_resolver(server: &TestServer) -> LiveResolver {
    LiveResolver::new(LiveConfig::server(server.addr).with_timeout(TIMEOUT)).expect("resolver")
}

fn table() -> HashMap<String, Behaviour> {
    let big = big_key();
    let big_parts: Vec<&str> = big
        .as_bytes()
        .chunks(250)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    let mut t = HashMap::new();
    t.insert(
        "multi.test.example".to_string(),
        Behaviour::Records(vec![txt(&["v=DKIM1; k=rsa; ", "p=MIGfMA0GCSqGSIb3"])]),
    );
    t.insert(
        "host.test.example".to_string(),
        Behaviour::Records(vec![
            RData::A(A(Ipv4Addr::new(192, 0, 2, 10))),
            RData::AAAA(AAAA("2001:db8::10".parse().expect("v6"))),
        ]),
    );
    t.insert(
        "test.example".to_string(),
        Behaviour::Records(vec![
            RData::MX(MX::new(20, name("mx2.test.example."))),
            RData::MX(MX::new(10, name("mx1.test.example."))),
            txt(&["v=spf1 ip4:192.0.2.0/24 -all"]),
        ]),
    );
    t.insert(
        "10.2.0.192.in-addr.arpa".to_string(),
        Behaviour::Records(vec![RData::PTR(PTR(name("host.test.example.")))]),
    );
    t.insert(
        "servfail.test.example".to_string(),
        Behaviour::Code(ResponseCode::ServFail),
    );
    t.insert(
        "refused.test.example".to_string(),
        Behaviour::Code(ResponseCode::Refused),
    );
    t.insert("slow.test.example".to_string(), Behaviour::Silent);
    // for the command-line test: DKIM keys that fail in each way
    t.insert(
        "sf._domainkey.test.example".to_string(),
        Behaviour::Code(ResponseCode::ServFail),
    );
    t.insert(
        "slow._domainkey.test.example".to_string(),
        Behaviour::Silent,
    );
    t.insert("slow2.test.example".to_string(), Behaviour::Silent);
    t.insert(
        "big.test.example".to_string(),
        Behaviour::Truncated(vec![txt(&big_parts)]),
    );
    t
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn records(values: &[&str]) -> Answer {
    Answer::Records(values.iter().map(|s| s.to_string()).collect())
}

fn live_source(server: &TestServer) -> AnswerSource {
    AnswerSource::Live(server.addr.to_string())
}

/// A file under the test's temporary folder.
fn temp_file(file: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "dns-tests-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(file);
    std::fs::write(&path, text).expect("write temp file");
    path
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn zone_answer(zones: &ZoneResolver, qname: &str, rtype: RecordType) -> Answer {
    match zones.lookup(qname, rtype) {
        ZoneLookup::Answer(answer, _) => answer,
        other => panic!("{qname} {rtype:?}: expected a zone answer, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Live DNS through the loopback server

#[test]
fn live_answers_every_record_type() {
    let server = start_server();
    let live = live_resolver(&server);
    let started = Instant::now();

    let (answer, source) = live.query("multi.test.example", RecordType::Txt);
    assert_eq!(answer, records(&["v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3"]));
    assert_eq!(source, live_source(&server));
    assert_eq!(
        live.query("HOST.test.example.", RecordType::A).0,
        records(&["192.0.2.10"])
    );
    assert_eq!(
        live.query("host.test.example", RecordType::Aaaa).0,
        records(&["2001:db8::10"])
    );
    assert_eq!(
        live.query("test.example", RecordType::Mx).0,
        records(&["20 mx2.test.example", "10 mx1.test.example"])
    );
    assert_eq!(
        live.query("10.2.0.192.in-addr.arpa", RecordType::Ptr).0,
        records(&["host.test.example"])
    );
    assert_eq!(
        live.query("nx.test.example", RecordType::Txt).0,
        Answer::NxDomain
    );
    assert_eq!(
        live.query("host.test.example", RecordType::Txt).0,
        Answer::NoData
    );
    assert_eq!(
        live.query("servfail.test.example", RecordType::Txt).0,
        Answer::Failed(DnsFailure::ServFail)
    );
    assert_eq!(
        live.query("refused.test.example", RecordType::Txt).0,
        Answer::Failed(DnsFailure::Refused)
    );
    assert!(!live.is_tripped(), "answers never trip the breaker");
    assert_eq!(live.queries_sent(), 9);
    assert!(started.elapsed() < HANG);
}

#[test]
fn live_truncated_answer_is_retried_over_tcp() {
    let server = start_server();
    let live = live_resolver(&server);
    let (answer, _) = live.query("big.test.example", RecordType::Txt);
    assert_eq!(answer, records(&[&big_key()]));
    let asked = server.asked("big.test.example");
    assert!(asked.contains(&(WireType::TXT, false)), "{asked:?}");
    assert!(asked.contains(&(WireType::TXT, true)), "{asked:?}");
}

#[test]
fn live_timeout_then_recovery() {
    let server = start_server();
    let live = short_resolver(&server);
    assert_eq!(
        live.query("test.example", RecordType::Txt).0,
        records(&["v=spf1 ip4:192.0.2.0/24 -all"])
    );

    let started = Instant::now();
    let (answer, source) = live.query("slow.test.example", RecordType::Txt);
    eprintln!(
        "timeout answered after {:?} (timeout {TIMEOUT:?})",
        started.elapsed()
    );
    assert_eq!(answer, Answer::Failed(DnsFailure::Timeout));
    assert_eq!(source, live_source(&server));
    assert!(
        !server.asked("slow.test.example").is_empty(),
        "the query was sent"
    );
    assert!(started.elapsed() < HANG);

    // A server that has answered before is not cut off by one slow name.
    assert!(!live.is_tripped());
    assert_eq!(
        live.query("host.test.example", RecordType::A).0,
        records(&["192.0.2.10"])
    );
}

#[test]
fn live_hickory_keeps_no_cache_of_its_own() {
    let server = start_server();
    let live = live_resolver(&server);
    for _ in 0..3 {
        assert_eq!(
            live.query("host.test.example", RecordType::A).0,
            records(&["192.0.2.10"])
        );
    }
    assert_eq!(server.asked("host.test.example").len(), 3);

    // The run's cache is `Dns`: one question on the wire for three uses.
    let dns = Dns::new(Box::new(live_resolver(&server)));
    for _ in 0..3 {
        assert_eq!(
            dns.query("multi.test.example", RecordType::Txt),
            records(&["v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3"])
        );
    }
    assert_eq!(server.asked("multi.test.example").len(), 1);
    assert_eq!(dns.take_log().len(), 1);
}

#[test]
fn live_works_from_inside_an_async_runtime() {
    // The library is synchronous, but a caller may be async: no "runtime within a runtime".
    let server = start_server();
    let live = live_resolver(&server);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let answer = runtime.block_on(async { live.query("host.test.example", RecordType::A).0 });
    assert_eq!(answer, records(&["192.0.2.10"]));
    drop(runtime);
    // And the resolver can be dropped inside one.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async move { drop(live) });
}

#[test]
fn breaker_trips_after_two_timeouts_without_any_answer() {
    let server = start_server();
    let live = short_resolver(&server);
    assert_eq!(
        live.query("slow.test.example", RecordType::Txt).0,
        Answer::Failed(DnsFailure::Timeout)
    );
    assert!(!live.is_tripped());
    assert_eq!(
        live.query("slow2.test.example", RecordType::Txt).0,
        Answer::Failed(DnsFailure::Timeout)
    );
    assert!(live.is_tripped());
    let started = Instant::now();
    for _ in 0..10 {
        let (answer, source) = live.query("host.test.example", RecordType::A);
        assert_eq!(
            answer,
            Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.to_string()))
        );
        assert_eq!(source, live_source(&server));
    }
    assert_eq!(
        live.queries_sent(),
        2,
        "tripped queries never reach the network"
    );
    assert!(server.asked("host.test.example").is_empty());
    assert!(started.elapsed() < HANG);
}

#[test]
fn breaker_fails_fast_when_nothing_listens() {
    // A port that was just free: nothing listens on it, over UDP or TCP.
    let closed = {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
        socket.local_addr().expect("addr")
    };
    let live =
        LiveResolver::new(LiveConfig::server(closed).with_timeout(TIMEOUT)).expect("resolver");
    let started = Instant::now();
    let (first, _) = live.query("a.test.example", RecordType::Txt);
    let first_took = started.elapsed();
    let (second, _) = live.query("b.test.example", RecordType::Txt);
    eprintln!(
        "closed port {closed}: first answer {first:?} after {first_took:?}, second {second:?}, \
         {} queries sent, {:?} in all",
        live.queries_sent(),
        started.elapsed()
    );
    // Linux reports the ICMP port-unreachable as a refused connection (unreachable at once);
    // elsewhere the datagram may just vanish (a timeout). Either way the breaker trips within
    // two queries.
    assert!(
        matches!(
            first,
            Answer::Failed(DnsFailure::Unreachable(_)) | Answer::Failed(DnsFailure::Timeout)
        ),
        "{first:?}"
    );
    for i in 0..20 {
        let (answer, _) = live.query(&format!("n{i}.test.example"), RecordType::Txt);
        assert_eq!(
            answer,
            Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.to_string()))
        );
    }
    assert!(live.is_tripped());
    assert!(live.queries_sent() <= 2, "sent {}", live.queries_sent());
    assert!(started.elapsed() < HANG);
}

#[test]
fn server_addresses_parse() {
    assert_eq!(
        parse_server("127.0.0.1"),
        Ok("127.0.0.1:53".parse().expect("addr"))
    );
    assert_eq!(
        parse_server("127.0.0.1:5300"),
        Ok("127.0.0.1:5300".parse().expect("addr"))
    );
    assert!(parse_server("localhost").is_err());
}

// ---------------------------------------------------------------------------------------------
// Zone files

const ZONE: &str = r#"; test zone: relative names, $ORIGIN switches, $TTL, comments
$TTL 300
$ORIGIN example.com.
@               IN  TXT   "v=spf1 ip4:192.0.2.0/24 " "include:_spf.example.net -all"
@                   MX    10 mx1      ; relative exchange
@                   MX    20 mx2.example.com.
mx1             60  A     192.0.2.25
                    AAAA  2001:db8::25 ; indented: same owner as the line above
sel._domainkey      TXT   ( "v=DKIM1; k=rsa; "
                            "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC" ) ; key in two strings
_dmarc          IN  TXT   "v=DMARC1; p=reject; rua=mailto:d@example.com"
alias               CNAME mx1
chain               CNAME alias
loop1               CNAME loop2
loop2               CNAME loop1
outside             CNAME www.elsewhere.example.
quoted              TXT   "say \"hi\"; path C:\\mail" "" "end"

$ORIGIN 2.0.192.in-addr.arpa.
25                  PTR   mx1.example.com.

$ORIGIN _domainkey.example.org.   ; only the keys of example.org are ours
s2024               TXT   "v=DKIM1; p=ORG"
"#;

fn zone() -> ZoneResolver {
    let mut zones = ZoneResolver::new();
    zones.load_str("test.zone", ZONE).expect("zone loads");
    zones
}

#[test]
fn zone_records_relative_names_and_multi_string_txt() {
    let zones = zone();
    assert_eq!(
        zone_answer(&zones, "example.com", RecordType::Txt),
        records(&["v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all"])
    );
    assert_eq!(
        zone_answer(&zones, "example.com", RecordType::Mx),
        records(&["10 mx1.example.com", "20 mx2.example.com"])
    );
    assert_eq!(
        zone_answer(&zones, "MX1.example.com.", RecordType::A),
        records(&["192.0.2.25"])
    );
    assert_eq!(
        zone_answer(&zones, "mx1.example.com", RecordType::Aaaa),
        records(&["2001:db8::25"])
    );
    assert_eq!(
        zone_answer(&zones, "sel._domainkey.example.com", RecordType::Txt),
        records(&["v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"])
    );
    assert_eq!(
        zone_answer(&zones, "_dmarc.example.com", RecordType::Txt),
        records(&["v=DMARC1; p=reject; rua=mailto:d@example.com"])
    );
    assert_eq!(
        zone_answer(&zones, "quoted.example.com", RecordType::Txt),
        records(&["say \"hi\"; path C:\\mailend"])
    );
    assert_eq!(
        zone_answer(&zones, "25.2.0.192.in-addr.arpa", RecordType::Ptr),
        records(&["mx1.example.com"])
    );
    assert_eq!(
        zone_answer(&zones, "s2024._domainkey.example.org", RecordType::Txt),
        records(&["v=DKIM1; p=ORG"])
    );
    let (_, source) = zones.query("example.com", RecordType::Txt);
    assert_eq!(source, AnswerSource::Zone("test.zone".to_string()));
    assert_eq!(
        zones.origins(),
        vec![
            "example.com",
            "2.0.192.in-addr.arpa",
            "_domainkey.example.org"
        ]
    );
}

#[test]
fn zone_cname_is_followed_inside_the_zones() {
    let zones = zone();
    assert_eq!(
        zone_answer(&zones, "chain.example.com", RecordType::A),
        records(&["192.0.2.25"])
    );
    assert_eq!(
        zone_answer(&zones, "alias.example.com", RecordType::Txt),
        Answer::NoData
    );
    assert!(matches!(
        zone_answer(&zones, "loop1.example.com", RecordType::A),
        Answer::Failed(DnsFailure::Other(note)) if note.contains("loop")
    ));
    assert_eq!(
        zones.lookup("outside.example.com", RecordType::A),
        ZoneLookup::Alias {
            target: "www.elsewhere.example".to_string(),
            via: AnswerSource::Zone("test.zone".to_string()),
        }
    );
}

#[test]
fn zone_nxdomain_under_an_origin_and_not_mine_elsewhere() {
    let zones = zone();
    // Under an origin: authoritative.
    assert_eq!(
        zone_answer(&zones, "gone._domainkey.example.com", RecordType::Txt),
        Answer::NxDomain
    );
    assert_eq!(
        zone_answer(&zones, "old._domainkey.example.org", RecordType::Txt),
        Answer::NxDomain
    );
    // An empty non-terminal exists: NoData, not NXDOMAIN.
    assert_eq!(
        zone_answer(&zones, "_domainkey.example.com", RecordType::Txt),
        Answer::NoData
    );
    // A name that owns other types: NoData.
    assert_eq!(
        zone_answer(&zones, "mx1.example.com", RecordType::Txt),
        Answer::NoData
    );
    // Outside every origin: not the zones' to say, even beside a zone's data.
    assert_eq!(
        zones.lookup("example.org", RecordType::Txt),
        ZoneLookup::NotMine
    );
    assert_eq!(
        zones.lookup("_dmarc.example.org", RecordType::Txt),
        ZoneLookup::NotMine
    );
    assert_eq!(
        zones.lookup("example.net", RecordType::A),
        ZoneLookup::NotMine
    );
    assert_eq!(
        ZoneResolver::new().lookup("example.com", RecordType::A),
        ZoneLookup::NotMine
    );
}

#[test]
fn zone_files_load_in_order_and_include() {
    let first = temp_file(
        "first.zone",
        "$ORIGIN example.com.\n@ TXT \"first\"\n$INCLUDE keys.zone _domainkey.example.com.\n",
    );
    let dir = first.parent().expect("dir").to_path_buf();
    std::fs::write(dir.join("keys.zone"), "sel TXT \"included key\"\n").expect("write");
    let second = temp_file(
        "second.zone",
        "example.com. TXT \"second\"\nexample.com. A 192.0.2.1\nother.example. A 192.0.2.2",
    );
    let zones = ZoneResolver::from_files(&[&first, &second]).expect("zones load");
    // The first file with the type answers; a type only the second has comes from it.
    assert_eq!(
        zone_answer(&zones, "example.com", RecordType::Txt),
        records(&["first"])
    );
    let (answer, source) = zones.query("example.com", RecordType::A);
    assert_eq!(answer, records(&["192.0.2.1"]));
    assert_eq!(source, AnswerSource::Zone(second.display().to_string()));
    // An included file, its origin given on the $INCLUDE line; its answers name it.
    let (answer, source) = zones.query("sel._domainkey.example.com", RecordType::Txt);
    assert_eq!(answer, records(&["included key"]));
    assert_eq!(
        source,
        AnswerSource::Zone(dir.join("keys.zone").display().to_string())
    );
    // A file without $ORIGIN answers for its owners only (no final line feed needed).
    assert_eq!(
        zone_answer(&zones, "other.example", RecordType::A),
        records(&["192.0.2.2"])
    );
    assert_eq!(
        zones.lookup("x.other.example", RecordType::A),
        ZoneLookup::NotMine
    );
}

#[test]
fn zone_errors_name_the_file_and_line() {
    let cases = [
        (
            "$ORIGIN example.com.\n@ A 192.0.2.1\n\nbad A 192.0.2.300\n",
            4,
            "IPv4",
        ),
        (
            "$ORIGIN example.com.\nsel TXT \"v=DKIM1; p=abc\n",
            2,
            "quoted string not closed",
        ),
        (
            "$ORIGIN example.com.\nsel TXT ( \"a\"\n \"b\"\n",
            2,
            "parenthesis not closed",
        ),
        ("@ A 192.0.2.1\n", 1, "origin"),
        ("$ORIGIN example.com.\n; c\nx BOGUS 1\n", 3, "record type"),
        (
            "$ORIGIN example.com.\nx CNAME y\nx TXT \"a\"\n",
            3,
            "CNAME beside other data",
        ),
        ("$ORIGIN example.com.\n$FOO bar\n", 2, "unknown control"),
    ];
    for (text, line, what) in cases {
        let path = temp_file("bad.zone", text);
        let error = ZoneResolver::from_files(&[&path]).expect_err(text);
        let shown = error.to_string();
        assert_eq!(error.line, Some(line), "{text:?}: {shown}");
        assert!(
            shown.starts_with(&format!("{}:{line}: ", path.display())),
            "{shown}"
        );
        assert!(shown.contains(what), "{text:?}: {shown}");
        assert!(!shown.contains('\n'), "one line: {shown}");
    }
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such.zone");
    let error = ZoneResolver::from_files(&[&missing]).expect_err("missing file");
    assert!(error.to_string().contains("cannot read"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// Layered, offline

const OVERRIDE: &str = "multi.test.example. TXT \"from the zone\"\n\
                        $ORIGIN z.test.example.\n\
                        alias CNAME host.test.example.\n";

#[test]
fn zones_take_precedence_over_live_dns() {
    let server = start_server();
    let mut zones = ZoneResolver::new();
    zones.load_str("override.zone", OVERRIDE).expect("zone");
    let layered = LayeredResolver::live(zones, live_resolver(&server));
    let zone_source = AnswerSource::Zone("override.zone".to_string());

    assert_eq!(
        layered.query("multi.test.example", RecordType::Txt),
        (records(&["from the zone"]), zone_source.clone())
    );
    assert!(
        server.asked("multi.test.example").is_empty(),
        "a zone answer never goes live"
    );
    // A name the zone owns is answered for every type: NoData, not live.
    assert_eq!(
        layered.query("multi.test.example", RecordType::A),
        (Answer::NoData, zone_source.clone())
    );
    // Under the zone's origin: NXDOMAIN without asking the server.
    assert_eq!(
        layered.query("gone.z.test.example", RecordType::Txt),
        (Answer::NxDomain, zone_source)
    );
    assert!(server.asked("gone.z.test.example").is_empty());
    // Not the zone's: live.
    assert_eq!(
        layered.query("host.test.example", RecordType::A),
        (records(&["192.0.2.10"]), live_source(&server))
    );
    // A zone CNAME leading out of the zones is followed live.
    assert_eq!(
        layered.query("alias.z.test.example", RecordType::A),
        (records(&["192.0.2.10"]), live_source(&server))
    );
}

#[test]
fn offline_never_uses_the_network() {
    let mut zones = ZoneResolver::new();
    zones.load_str("override.zone", OVERRIDE).expect("zone");
    let layered = LayeredResolver::offline(zones);
    assert_eq!(
        layered.query("multi.test.example", RecordType::Txt).0,
        records(&["from the zone"])
    );
    let offline = (
        Answer::Failed(DnsFailure::Offline),
        AnswerSource::OfflineMissing,
    );
    assert_eq!(layered.query("host.test.example", RecordType::A), offline);
    assert_eq!(
        layered.query("alias.z.test.example", RecordType::A),
        offline
    );
    assert_eq!(
        OfflineResolver.query("example.com", RecordType::Txt),
        offline
    );

    let dns = Dns::default();
    assert_eq!(dns.txt("example.com"), Answer::Failed(DnsFailure::Offline));
    assert_eq!(
        dns.take_log(),
        vec![DnsUse {
            name: "example.com".to_string(),
            rtype: RecordType::Txt,
            answer: Answer::Failed(DnsFailure::Offline),
            source: AnswerSource::OfflineMissing,
        }]
    );

    let path = temp_file("override.zone", OVERRIDE);
    let settings = DnsSettings {
        zones: vec![path.clone()],
        offline: true,
        ..DnsSettings::default()
    };
    let dns = settings.build().expect("settings");
    assert_eq!(dns.txt("multi.test.example"), records(&["from the zone"]));
    assert_eq!(
        dns.txt("elsewhere.example"),
        Answer::Failed(DnsFailure::Offline)
    );

    let broken = temp_file("broken.zone", "$ORIGIN x.\n@ A nonsense\n");
    let error = DnsSettings {
        zones: vec![broken.clone()],
        offline: true,
        ..DnsSettings::default()
    }
    .build()
    .expect_err("broken zone");
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}:2: ", broken.display())),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------------
// Provenance: save, then replay offline

/// Replay every use through the saved zone, offline, and compare.
fn assert_replays(uses: &[DnsUse], saved: &str) {
    let path = temp_file("saved.zone", saved);
    let zones = ZoneResolver::from_files(&[&path])
        .unwrap_or_else(|e| panic!("saved zone loads: {e}\n{saved}"));
    let replay = LayeredResolver::offline(zones);
    assert!(!uses.is_empty());
    for used in uses {
        let (answer, source) = replay.query(&used.name, used.rtype);
        match &used.answer {
            Answer::Failed(_) => {
                assert_eq!(
                    answer,
                    Answer::Failed(DnsFailure::Offline),
                    "{used:?}\n{saved}"
                );
                assert_eq!(source, AnswerSource::OfflineMissing);
            }
            expected => {
                assert_eq!(&answer, expected, "{used:?}\n{saved}");
                assert_eq!(source, AnswerSource::Zone(path.display().to_string()));
            }
        }
    }
}

#[test]
fn saved_live_answers_replay_offline() {
    let server = start_server();
    let mut zones = ZoneResolver::new();
    zones.load_str("override.zone", OVERRIDE).expect("zone");
    let dns = Dns::new(Box::new(LayeredResolver::live(
        zones,
        live_resolver(&server),
    )));
    let queries = [
        ("multi.test.example", RecordType::Txt),
        ("big.test.example", RecordType::Txt),
        ("test.example", RecordType::Txt),
        ("test.example", RecordType::Mx),
        ("host.test.example", RecordType::A),
        ("host.test.example", RecordType::Aaaa),
        ("host.test.example", RecordType::Txt),
        ("10.2.0.192.in-addr.arpa", RecordType::Ptr),
        ("nx.test.example", RecordType::Txt),
        ("sel._domainkey.nx.test.example", RecordType::Txt),
        ("gone.z.test.example", RecordType::Txt),
        ("servfail.test.example", RecordType::Txt),
        ("refused.test.example", RecordType::Txt),
    ];
    for (qname, rtype) in queries {
        dns.query(qname, rtype);
    }
    let uses = dns.take_log();
    assert_eq!(uses.len(), queries.len());
    let saved = save_zone(&uses);
    eprintln!("{saved}");
    assert!(saved.contains("$TTL 3600"));
    assert!(saved.contains("; NXDOMAIN nx.test.example TXT"), "{saved}");
    assert!(saved.contains("; NODATA host.test.example TXT"), "{saved}");
    assert!(
        saved.contains("; FAILED servfail.test.example TXT: SERVFAIL"),
        "{saved}"
    );
    assert!(
        saved.contains("multi.test.example. IN TXT \"from the zone\""),
        "{saved}"
    );
    assert!(
        saved.contains("test.example. IN MX 20 mx2.test.example."),
        "{saved}"
    );
    assert_replays(&uses, &saved);
}

#[test]
fn saved_awkward_values_replay_offline() {
    let key = format!("v=DKIM1; p={}", "Q".repeat(700));
    let mut data = StaticResolver::new();
    data.add("sel._domainkey.example.com", RecordType::Txt, &key)
        .add(
            "q.example.com",
            RecordType::Txt,
            "a \"quoted\" \\ back\\slash; (paren) $x @ é\u{1}",
        )
        .add("q.example.com", RecordType::Txt, "")
        .add("null.example.com", RecordType::Mx, "0 .")
        .add("example.com", RecordType::Mx, "10 mx.example.com")
        .add("odd;name(1).example.com", RecordType::A, "192.0.2.7")
        .set("example.com", RecordType::Txt, Answer::NxDomain)
        .set("nothing.example.com", RecordType::A, Answer::NoData)
        .set(
            "timeout.example.com",
            RecordType::Txt,
            Answer::Failed(DnsFailure::Timeout),
        );
    let dns = Dns::new(Box::new(LayeredResolver {
        zones: ZoneResolver::new(),
        fallback: Fallback::Other(Box::new(data)),
    }));
    for (qname, rtype) in [
        ("sel._domainkey.example.com", RecordType::Txt),
        ("q.example.com", RecordType::Txt),
        ("null.example.com", RecordType::Mx),
        ("odd;name(1).example.com", RecordType::A),
        ("nothing.example.com", RecordType::A),
        ("nothing.example.com", RecordType::Txt),
        ("missing.example.com", RecordType::Txt),
        ("deeper.missing.example.com", RecordType::A),
        ("timeout.example.com", RecordType::Txt),
        ("example.com", RecordType::Mx),
    ] {
        dns.query(qname, rtype);
    }
    let uses: Vec<DnsUse> = dns
        .take_log()
        .into_iter()
        .map(|u| DnsUse {
            source: AnswerSource::Zone("in\nline".to_string()),
            ..u
        })
        .collect();
    let saved = save_zone(&uses);
    assert!(!saved.contains("in\nline"), "comments stay on one line");
    assert_replays(&uses, &saved);

    // `example.com TXT` was NXDOMAIN while the name has MX records: contradictory, so it
    // replays as NoData, and the file says so.
    let contradictory = DnsUse {
        name: "example.com".to_string(),
        rtype: RecordType::Txt,
        answer: Answer::NxDomain,
        source: AnswerSource::Static,
    };
    let mut with_contradiction = uses.clone();
    with_contradiction.push(contradictory.clone());
    let saved = save_zone(&with_contradiction);
    assert!(saved.contains("replays as NODATA"), "{saved}");
    let path = temp_file("contradiction.zone", &saved);
    let zones = ZoneResolver::from_files(&[&path]).expect("loads");
    assert_eq!(
        zone_answer(&zones, "example.com", RecordType::Txt),
        Answer::NoData
    );
}

#[test]
fn the_sample_zone_loads() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/dns.zone");
    if !path.exists() {
        eprintln!("skip: {} is absent", path.display());
        return;
    }
    let zones = ZoneResolver::from_files(&[&path]).unwrap_or_else(|e| panic!("{e}"));
    let origins = zones.origins();
    eprintln!("samples/dns.zone origins: {origins:?}");
    assert!(
        !origins.is_empty(),
        "the sample zone declares what it is authoritative for"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line against the loopback server

#[test]
fn cli_dns_server_gives_live_answers_nxdomain_servfail_and_timeout() {
    let server = start_server();
    let message = "Return-Path: <ann@test.example>\n\
Received: from relay.test.example (relay.test.example [192.0.2.10])\n\
\tby mx.example.org (Postfix) with ESMTPS id 4ZAB12; Tue, 11 Mar 2025 09:15:42 +0000\n\
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=test.example; s=sf; h=from; bh=AAAA; b=AAAA\n\
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=test.example; s=slow; h=from; bh=AAAA; b=AAAA\n\
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=test.example; s=gone; h=from; bh=AAAA; b=AAAA\n\
From: Ann <ann@test.example>\nTo: bob@example.org\nSubject: dns\nDate: Tue, 11 Mar 2025 09:15:40 +0000\n\nhello\n";
    let dir = std::env::temp_dir().join(format!("mailtrace-cli-dns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("m.eml");
    std::fs::write(&file, message).expect("write");
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailtrace"))
        .args([
            "--format",
            "json",
            "--at",
            "2026-01-01T00:00:00Z",
            "--dns-server",
            &server.addr.to_string(),
            "--dns-timeout",
            "0.5",
        ])
        .arg(&file)
        .output()
        .expect("binary runs");
    assert!(started.elapsed() < Duration::from_secs(20), "no hang");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let dkim = v["dkim"].as_array().expect("dkim[]");
    let verdict = |i: usize| (dkim[i]["result"].as_str(), dkim[i]["reason"].as_str());
    assert_eq!(
        verdict(0),
        (Some("temperror"), Some("dns-error")),
        "SERVFAIL"
    );
    assert_eq!(
        verdict(1),
        (Some("temperror"), Some("dns-error")),
        "timeout"
    );
    assert_eq!(
        verdict(2),
        (Some("permerror"), Some("key-not-found")),
        "NXDOMAIN"
    );
    assert_eq!(v["spf"]["result"], "pass", "{}", v["spf"]);
    assert_eq!(v["spf"]["ip"], "192.0.2.10");
    // every answer came from the loopback server and says so
    let live = format!("{}", server.addr);
    let dns = v["dns"].as_array().expect("dns[]");
    assert!(
        dns.iter()
            .any(|d| d["name"] == "test.example" && d["type"] == "TXT")
    );
    for d in dns {
        assert_eq!(d["source"]["kind"], "live", "{d}");
        assert_eq!(d["source"]["from"].as_str(), Some(live.as_str()), "{d}");
    }
    let answer = |name: &str| {
        dns.iter()
            .find(|d| d["name"] == name)
            .map(|d| d["answer"].clone())
            .unwrap_or_default()
    };
    assert_eq!(answer("gone._domainkey.test.example"), "nx-domain");
    assert_eq!(answer("sf._domainkey.test.example")["failed"], "serv-fail");
    assert_eq!(answer("slow._domainkey.test.example")["failed"], "timeout");
    assert!(!server.asked("test.example").is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
