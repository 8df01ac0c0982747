//! DNS hostility: the full analysis of a signed sample with its DNS from a hostile server on
//! 127.0.0.1 (tests/common/dns_server.rs): huge TXT answers over TCP, malformed DKIM keys, SPF
//! include loops and an include bomb, a server that never answers, and one that lies (records
//! of the wrong type, NXDOMAIN for the domain but records under it).
//!
//! Each case asserts a clear verdict (permerror/temperror with a reason), no panic, and bounded
//! time: analyses run on a thread with a generous hang guard that only turns a hang into a
//! failure. Nothing leaves the loopback interface; "now" is fixed.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use hickory_proto::rr::RData;
use hickory_proto::rr::rdata::A;

use common::dns_server::{Behaviour, TestServer, txt};
use mailtrace::auth::dns::{
    Answer, Dns, LiveConfig, LiveResolver, RecordType, ZoneLookup, ZoneResolver,
};
use mailtrace::{Options, Report, Source};

/// Per-query timeout: short, the suite stays quick.
const TIMEOUT: Duration = Duration::from_millis(400);
/// Only catches hangs.
const HANG: Duration = Duration::from_secs(30);

const SAMPLE: &str = "samples/dkim-pass-relaxed.eml";
const KEY: &str = "mt2025._domainkey.example.com";

/// What the sample zone says about `qname`, as wire records (None: not in the zone).
fn from_zone(zones: &ZoneResolver, qname: &str) -> Option<Behaviour> {
    let mut records = Vec::new();
    let mut exists = false;
    for rtype in [RecordType::A, RecordType::Txt] {
        match zones.lookup(qname, rtype) {
            ZoneLookup::Answer(Answer::Records(values), _) => {
                exists = true;
                for v in values {
                    records.push(match rtype {
                        RecordType::A => RData::A(A(v.parse().expect("IPv4"))),
                        _ => txt_long(&v),
                    });
                }
            }
            ZoneLookup::Answer(Answer::NoData, _) => exists = true,
            _ => {}
        }
    }
    exists.then_some(Behaviour::Records(records))
}

/// A TXT record of any length, in strings of 255 bytes.
fn txt_long(text: &str) -> RData {
    let parts: Vec<&str> = text
        .as_bytes()
        .chunks(255)
        .map(|c| std::str::from_utf8(c).expect("ASCII TXT"))
        .collect();
    txt(&parts)
}

/// What a hostile table says: `Some(behaviour)` (a `None` behaviour is NXDOMAIN), or `None` to
/// answer from the sample zone.
type Hostile = dyn Fn(&str) -> Option<Option<Behaviour>> + Send + Sync;

/// The server: `hostile` first, then the sample zone.
fn server(hostile: Box<Hostile>) -> TestServer {
    let mut zones = ZoneResolver::new();
    zones
        .load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/dns.zone"))
        .expect("the sample zone loads");
    TestServer::start_with(move |qname: &str| match hostile(qname) {
        Some(behaviour) => behaviour,
        None => from_zone(&zones, qname),
    })
}

/// The sample analysed with live DNS from `server`, on a thread, within [`HANG`].
fn analyze(server: &TestServer) -> (Report, serde_json::Value) {
    let addr = server.addr;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let live =
            LiveResolver::new(LiveConfig::server(addr).with_timeout(TIMEOUT)).expect("resolver");
        let options = Options {
            now: Some("2026-01-01T00:00:00Z".parse().expect("time")),
            dns: Arc::new(Dns::new(Box::new(live))),
            ..Options::default()
        };
        let bytes =
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).expect("the sample");
        let source = Source::from_bytes(SAMPLE, bytes).expect("source");
        let _ = tx.send(mailtrace::analyze(&source, &options).expect("a report"));
    });
    let report = match rx.recv_timeout(HANG) {
        Ok(report) => report,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the analysis hung ({HANG:?})"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the analysis panicked"),
    };
    let json = serde_json::to_value(&report).expect("json");
    (report, json)
}

fn verdict(v: &serde_json::Value) -> (String, String) {
    (
        v["result"].as_str().unwrap_or_default().to_string(),
        v["reason"].as_str().unwrap_or_default().to_string(),
    )
}

/// The DKIM verdict must be `want`, with a reason.
fn assert_dkim(json: &serde_json::Value, want: &str) {
    let (result, reason) = verdict(&json["dkim"][0]);
    assert_eq!(result, want, "dkim: {}", json["dkim"][0]);
    assert!(
        !reason.is_empty(),
        "dkim {want} without a reason: {}",
        json["dkim"][0]
    );
}

/// The SPF verdict must be `want`, with a reason.
fn assert_spf(json: &serde_json::Value, want: &str) {
    let spf = &json["spf"];
    assert_eq!(spf["result"], want, "spf: {spf}");
    assert!(
        spf["reason"].is_string() || spf["note"].is_string(),
        "spf {want} without a reason: {spf}"
    );
}

fn records(text: &str) -> Option<Option<Behaviour>> {
    Some(Some(Behaviour::Records(vec![txt_long(text)])))
}

#[test]
fn baseline_the_sample_passes_against_the_loopback_server() {
    let server = server(Box::new(|_| None));
    let (_, json) = analyze(&server);
    assert_eq!(verdict(&json["dkim"][0]).0, "pass", "{}", json["dkim"]);
    assert_eq!(json["spf"]["result"], "pass", "{}", json["spf"]);
    assert_eq!(json["dmarc"]["result"], "pass", "{}", json["dmarc"]);
}

#[test]
fn huge_txt_answers_over_tcp() {
    // ~58 kB in one TXT record: too big for UDP (truncated), fetched over TCP
    let huge_key = format!("v=DKIM1; k=rsa; p={}", "QUFB".repeat(14_500));
    let huge_dmarc = format!("v=DMARC1; p=reject; {}", "x=y; ".repeat(11_500));
    let (k, d) = (huge_key.clone(), huge_dmarc.clone());
    let server = server(Box::new(move |q| match q {
        KEY => Some(Some(Behaviour::Truncated(vec![txt_long(&k)]))),
        "_dmarc.example.com" => Some(Some(Behaviour::Truncated(vec![txt_long(&d)]))),
        _ => None,
    }));
    let (report, json) = analyze(&server);
    assert!(
        server.asked(KEY).iter().any(|&(_, tcp)| tcp),
        "the key was fetched over TCP"
    );
    assert_dkim(&json, "permerror");
    // the huge answer was read whole (it is in the report's DNS log)
    let used = report
        .dns
        .iter()
        .find(|u| u.name == KEY)
        .expect("the key lookup is logged");
    match &used.answer {
        Answer::Records(v) => assert_eq!(v.concat().len(), huge_key.len()),
        other => panic!("the huge key was not read: {other:?}"),
    }
    // DMARC finds its policy in the huge record
    assert_eq!(json["dmarc"]["policy"], "reject", "{}", json["dmarc"]);
}

#[test]
fn malformed_dkim_keys_are_permerrors_with_a_reason() {
    // junk DER: a SEQUENCE header that claims more than there is
    let junk_der = base64(&[
        0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef,
    ]);
    // an Ed25519 public key (samples/keys/ed25519.pub, SPKI) and its raw 32 bytes, as k=rsa
    let ed25519_spki = "MCowBQYDK2VwAyEA95OTiUW73kpQlIeFRXFfEs4A0vCMdcW20Iq8vec9ai0=";
    let ed25519_raw = "95OTiUW73kpQlIeFRXFfEs4A0vCMdcW20Iq8vec9ai0=";
    let cases = [
        (
            "p= not base64",
            "v=DKIM1; k=rsa; p=!!!not*base64###".to_string(),
        ),
        ("p= junk DER", format!("v=DKIM1; k=rsa; p={junk_der}")),
        (
            "k=rsa with an Ed25519 SPKI",
            format!("v=DKIM1; k=rsa; p={ed25519_spki}"),
        ),
        (
            "k=rsa with a raw Ed25519 key",
            format!("v=DKIM1; k=rsa; p={ed25519_raw}"),
        ),
        ("unknown k=", format!("v=DKIM1; k=\u{1b}[2J; p={junk_der}")),
        ("v= wrong", "v=DKIM9; p=AAAA".to_string()),
    ];
    let mut ran = 0;
    for (what, record) in cases {
        let r = record.clone();
        let server = server(Box::new(move |q| if q == KEY { records(&r) } else { None }));
        let (_, json) = analyze(&server);
        let (result, reason) = verdict(&json["dkim"][0]);
        assert_eq!(result, "permerror", "{what}: {}", json["dkim"][0]);
        assert!(!reason.is_empty(), "{what}: no reason: {}", json["dkim"][0]);
        eprintln!("{what}: {result} ({reason})");
        ran += 1;
    }
    assert_eq!(ran, 6);
}

#[test]
fn spf_include_loop_is_a_permerror_in_few_queries() {
    let server = server(Box::new(|q| match q {
        "example.com" => records("v=spf1 include:loop1.example.com -all"),
        "loop1.example.com" => records("v=spf1 include:loop2.example.com -all"),
        "loop2.example.com" => records("v=spf1 include:example.com -all"),
        _ => None,
    }));
    let (_, json) = analyze(&server);
    assert_spf(&json, "permerror");
    let asked = server.asked("loop1.example.com").len() + server.asked("loop2.example.com").len();
    assert!(asked <= 12, "the loop was followed {asked} times");
}

#[test]
fn spf_include_bomb_stops_at_the_lookup_limit() {
    // every include names ten more, without end
    let server = server(Box::new(|q| {
        let base = match q {
            "example.com" => "bomb.example.com",
            q if q.ends_with(".bomb.example.com") => q,
            _ => return None,
        };
        if base.len() > 200 {
            return records("v=spf1 -all");
        }
        let includes: Vec<String> = (0..10).map(|i| format!("include:b{i}.{base}")).collect();
        records(&format!("v=spf1 {} -all", includes.join(" ")))
    }));
    let (_, json) = analyze(&server);
    assert_spf(&json, "permerror");
    // RFC 7208 4.6.4: at most 10 DNS-querying terms
    let first_level: usize = (0..10)
        .map(|i| server.asked(&format!("b{i}.bomb.example.com")).len())
        .sum();
    assert!(
        first_level <= 10,
        "{first_level} first-level includes asked"
    );
}

#[test]
fn silent_server_gives_temperrors_quickly() {
    let server = server(Box::new(|_| Some(Some(Behaviour::Silent))));
    let started = std::time::Instant::now();
    let (_, json) = analyze(&server);
    assert_dkim(&json, "temperror");
    assert_spf(&json, "temperror");
    let dmarc = json["dmarc"]["result"].as_str().unwrap_or_default();
    assert!(
        matches!(dmarc, "temperror" | "none"),
        "dmarc with no DNS: {}",
        json["dmarc"]
    );
    eprintln!("silent server: {:?}", started.elapsed());
}

#[test]
fn lying_server_wrong_types() {
    // the key and _dmarc are answered with A records whatever is asked; the SPF record's `a:`
    // target answers A questions with a TXT record that looks like an address
    let server = server(Box::new(|q| match q {
        KEY => Some(Some(Behaviour::AnyType(vec![RData::A(A("203.0.113.45"
            .parse()
            .expect("ip")))]))),
        "example.com" => records("v=spf1 a:liar.example.com -all"),
        "liar.example.com" => Some(Some(Behaviour::AnyType(vec![txt(&["203.0.113.45"])]))),
        "_dmarc.example.com" => Some(Some(Behaviour::AnyType(vec![RData::A(A("192.0.2.1"
            .parse()
            .expect("ip")))]))),
        _ => None,
    }));
    let (_, json) = analyze(&server);
    let (dkim, reason) = verdict(&json["dkim"][0]);
    assert_ne!(dkim, "pass", "an A record is no key: {}", json["dkim"][0]);
    assert!(!reason.is_empty(), "{}", json["dkim"][0]);
    // a TXT record saying "203.0.113.45" is not an address: the `a:` term does not match
    assert_ne!(json["spf"]["result"], "pass", "{}", json["spf"]);
    assert!(json["dmarc"]["result"].is_string(), "{}", json["dmarc"]);
    assert_ne!(json["dmarc"]["policy"], "reject", "{}", json["dmarc"]);
}

#[test]
fn nxdomain_for_the_domain_with_records_under_it() {
    let server = server(Box::new(|q| match q {
        "example.com" => Some(None),
        _ => None,
    }));
    let (_, json) = analyze(&server);
    assert_eq!(
        verdict(&json["dkim"][0]).0,
        "pass",
        "the key under it still verifies: {}",
        json["dkim"][0]
    );
    let spf = json["spf"]["result"].as_str().unwrap_or_default();
    assert!(
        matches!(spf, "none" | "permerror"),
        "spf of a domain that does not exist: {}",
        json["spf"]
    );
    assert!(json["dmarc"]["result"].is_string(), "{}", json["dmarc"]);
}

/// Base64 with padding.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
