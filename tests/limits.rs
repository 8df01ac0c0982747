//! The limits of `Options::limits`: each one hit by a generated message, with the clear
//! outcome asserted (an error naming the flag, or what was left unchecked marked as such and
//! listed in the report's `limits`), and each able to fail (the same input under a raised
//! limit passes). No wall-clock assertions beyond generous hang guards.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::dns_server::{Behaviour, TestServer};

use mailtrace::auth::AuthResult;
use mailtrace::auth::dns::{
    Answer, AnswerSource, Dns, DnsFailure, Fallback, LayeredResolver, LiveConfig, LiveResolver,
    RecordType, StaticResolver, ZoneResolver,
};
use mailtrace::batch::SharedDns;
use mailtrace::options::Limits;
use mailtrace::{Error, Options, Report, Source};

const HEAD: &str = "Received: from relay.example.net (relay.example.net [198.51.100.7])\r\n\tby mx.example.org with ESMTPS id 1; Tue, 11 Mar 2025 09:15:42 +0000\r\nFrom: Ann <ann@example.net>\r\nTo: bob@example.org\r\nSubject: limits\r\nDate: Tue, 11 Mar 2025 09:15:30 +0000\r\nMessage-ID: <limits@example.net>\r\n";

fn options(limits: Limits) -> Options {
    Options {
        limits,
        ..common::options()
    }
}

fn analyze(message: &[u8], options: &Options) -> Result<Report, Error> {
    let source = Source::from_bytes("limits.eml", message.to_vec()).expect("a message");
    mailtrace::analyze(&source, options)
}

fn limit_names(report: &Report) -> Vec<&str> {
    report.limits.iter().map(|l| l.limit.as_str()).collect()
}

/// `n` header fields in all (the HEAD's 6 included) and a body.
fn many_headers(n: usize) -> Vec<u8> {
    let mut m = HEAD.to_string();
    for i in 0..n - 6 {
        m.push_str(&format!("X-Filler-{i}: {i}\r\n"));
    }
    m.push_str("\r\nbody\r\n");
    m.into_bytes()
}

/// A message with one header field of `bytes` bytes.
fn long_field(bytes: usize) -> Vec<u8> {
    let mut m = HEAD.as_bytes().to_vec();
    m.extend_from_slice(b"X-Long: ");
    m.extend(std::iter::repeat_n(b'a', bytes));
    m.extend_from_slice(b"\r\n\r\nbody\r\n");
    m
}

#[test]
fn too_many_headers_is_an_error_naming_the_flag() {
    let message = many_headers(10_001);
    let e = analyze(&message, &options(Limits::default())).expect_err("over the limit");
    assert!(
        matches!(e, Error::TooManyHeaders { limit: 10_000 }),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(text.contains("10000 header fields"), "{text}");
    assert!(text.contains("--max-headers"), "{text}");

    assert!(analyze(&many_headers(10_000), &options(Limits::default())).is_ok());
    let raised = Limits {
        max_headers: 20_000,
        ..Limits::default()
    };
    assert!(analyze(&message, &options(raised)).is_ok());
}

#[test]
fn a_too_long_header_field_is_an_error_naming_the_flag() {
    let message = long_field(2 * 1024 * 1024);
    let e = analyze(&message, &options(Limits::default())).expect_err("over the limit");
    let Error::HeaderTooLong {
        name, line, limit, ..
    } = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!((name.as_str(), *line, *limit), ("'X-Long'", 8, 1024 * 1024));
    assert!(e.to_string().contains("--max-header-line-bytes"), "{e}");

    // folded lines count together
    let mut folded = HEAD.as_bytes().to_vec();
    folded.extend_from_slice(b"X-Folded: start\r\n");
    for _ in 0..2048 {
        folded.extend_from_slice(b" ");
        folded.extend(std::iter::repeat_n(b'b', 1024));
        folded.extend_from_slice(b"\r\n");
    }
    folded.extend_from_slice(b"\r\nbody\r\n");
    let e = analyze(&folded, &options(Limits::default())).expect_err("folded, over the limit");
    assert!(
        matches!(&e, Error::HeaderTooLong { name, .. } if name == "'X-Folded'"),
        "{e:?}"
    );

    let raised = Limits {
        max_header_line_bytes: 4 * 1024 * 1024,
        ..Limits::default()
    };
    assert!(analyze(&message, &options(raised.clone())).is_ok());
    assert!(analyze(&folded, &options(raised)).is_ok());
}

#[test]
fn a_too_large_message_is_an_error_naming_the_flag() {
    let message = many_headers(10);
    let small = Limits {
        max_message_bytes: 100,
        ..Limits::default()
    };
    let e = analyze(&message, &options(small)).expect_err("over the limit");
    assert!(matches!(e, Error::TooLarge { limit: 100, .. }), "{e:?}");
    assert!(e.to_string().contains("--max-message-bytes"), "{e}");
    assert!(analyze(&message, &options(Limits::default())).is_ok());
}

/// A DKIM-Signature with well-formed tags (its crypto is not the point).
fn dkim_signature(domain: &str, selector: &str) -> String {
    format!(
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s={selector};\r\n\th=from:to:subject; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=;\r\n\tb=dGVzdA==\r\n"
    )
}

fn signed(signatures: &[(String, String)]) -> Vec<u8> {
    let mut m = String::new();
    for (domain, selector) in signatures {
        m.push_str(&dkim_signature(domain, selector));
    }
    m.push_str(HEAD);
    m.push_str("\r\nbody\r\n");
    m.into_bytes()
}

#[test]
fn dkim_signatures_past_the_limit_are_not_checked() {
    let signatures: Vec<(String, String)> = (0..12)
        .map(|i| (format!("d{i}.example"), "s".to_string()))
        .collect();
    let message = signed(&signatures);
    let report = analyze(&message, &options(Limits::default())).expect("report");
    assert_eq!(report.dkim.len(), 12);
    for (i, check) in report.dkim.iter().enumerate() {
        assert_eq!(
            check.domain,
            format!("d{i}.example"),
            "described from its tags"
        );
        let not_checked = check.reason.as_deref() == Some("not-checked");
        assert_eq!(not_checked, i >= 10, "signature {i}: {check:?}");
    }
    let last = &report.dkim[11];
    assert_eq!(last.result, AuthResult::Neutral);
    let note = last.note.as_deref().unwrap_or_default();
    assert!(note.contains("--max-dkim-signatures"), "{note}");
    assert_eq!(limit_names(&report), ["max-dkim-signatures"]);
    // no key was looked up for them
    assert!(
        !report
            .dns
            .iter()
            .any(|d| d.name.ends_with("d10.example") || d.name.ends_with("d11.example")),
        "{:?}",
        report.dns
    );

    let raised = Limits {
        max_dkim_signatures: 12,
        ..Limits::default()
    };
    let report = analyze(&message, &options(raised)).expect("report");
    assert!(
        report
            .dkim
            .iter()
            .all(|c| c.reason.as_deref() != Some("not-checked"))
    );
    assert!(report.limits.is_empty(), "{:?}", report.limits);
}

/// `n` ARC sets, well formed (cv=none then pass), each sealed with selector `arc{i}`.
fn arc_sets(n: u32) -> Vec<u8> {
    let mut m = String::new();
    for i in (1..=n).rev() {
        let cv = if i == 1 { "none" } else { "pass" };
        m.push_str(&format!(
            "ARC-Seal: i={i}; a=rsa-sha256; cv={cv}; d=example.org; s=arc{i}; t=1741684542;\r\n\tb=dGVzdA==\r\n"
        ));
        m.push_str(&format!(
            "ARC-Message-Signature: i={i}; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=arc{i};\r\n\th=from:to:subject; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=dGVzdA==\r\n"
        ));
        m.push_str(&format!(
            "ARC-Authentication-Results: i={i}; mx{i}.example.org; spf=pass smtp.mailfrom=example.net\r\n"
        ));
    }
    m.push_str(HEAD);
    m.push_str("\r\nbody\r\n");
    m.into_bytes()
}

#[test]
fn sixty_arc_sets_fail_as_rfc_8617_says() {
    let report = analyze(&arc_sets(60), &options(Limits::default())).expect("report");
    assert_eq!(report.arc.result, AuthResult::Fail);
    let reason = report.arc.reason.as_deref().unwrap_or_default();
    assert!(reason.contains("out of range 1..50"), "{reason}");
}

#[test]
fn arc_instances_past_the_limit_are_not_checked() {
    let message = arc_sets(12);
    let capped = Limits {
        max_arc_instances: 10,
        ..Limits::default()
    };
    let report = analyze(&message, &options(capped)).expect("report");
    assert_eq!(report.arc.instances.len(), 12);
    for inst in &report.arc.instances {
        let reason = inst.reason.as_deref().unwrap_or_default();
        let not_checked = reason.starts_with("not checked");
        assert_eq!(not_checked, inst.i <= 2, "instance {}: {reason}", inst.i);
        if not_checked {
            assert!(reason.contains("--max-arc-instances"), "{reason}");
            assert_eq!(inst.seal, "unchecked");
            assert_eq!(inst.message_signature, "unchecked");
        }
    }
    assert_ne!(report.arc.result, AuthResult::Pass);
    assert_eq!(limit_names(&report), ["max-arc-instances"]);
    let asked = |selector: &str| {
        report
            .dns
            .iter()
            .any(|d| d.name.starts_with(&format!("{selector}._domainkey.")))
    };
    assert!(asked("arc12") && asked("arc3"), "{:?}", report.dns);
    assert!(!asked("arc1") && !asked("arc2"), "{:?}", report.dns);

    let report = analyze(&message, &options(Limits::default())).expect("report");
    assert!(report.arc.instances.iter().all(|i| {
        !i.reason
            .as_deref()
            .unwrap_or_default()
            .starts_with("not checked")
    }));
    assert!(report.limits.is_empty(), "{:?}", report.limits);
}

/// A bounce whose MIME parts nest `depth` multipart levels below the message, the innermost
/// holding the human-readable text.
fn nested_bounce(depth: usize) -> Vec<u8> {
    let mut m = String::from(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: ann@example.net\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: Tue, 11 Mar 2025 09:15:30 +0000\r\nMessage-ID: <bounce@mx.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b0\"\r\n\r\n",
    );
    for level in 1..depth {
        m.push_str(&format!(
            "--b{}\r\nContent-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n",
            level - 1
        ));
    }
    m.push_str(&format!(
        "--b{}\r\nContent-Type: text/plain\r\n\r\n<bob@example.org>: host mx.example.org said: 550 5.1.1 user unknown\r\n",
        depth - 1
    ));
    for level in (0..depth).rev() {
        m.push_str(&format!("--b{level}--\r\n"));
    }
    m.into_bytes()
}

#[test]
fn mime_deeper_than_the_limit_is_not_walked() {
    let message = nested_bounce(30);
    let report = analyze(&message, &options(Limits::default())).expect("report");
    assert_eq!(limit_names(&report), ["max-mime-depth"]);
    let message_text = &report.limits[0].message;
    assert!(
        message_text.contains("more than 20 levels") && message_text.contains("--max-mime-depth"),
        "{message_text}"
    );

    let raised = Limits {
        max_mime_depth: 40,
        ..Limits::default()
    };
    let report = analyze(&message, &options(raised)).expect("report");
    assert!(report.limits.is_empty(), "{:?}", report.limits);
    assert!(
        !report.reports.is_empty(),
        "the deep text is read: {:?}",
        report.reports
    );
}

const KEY: &str = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwI";

fn keys(domains: impl IntoIterator<Item = String>) -> StaticResolver {
    let mut r = StaticResolver::new();
    for d in domains {
        r.add(&format!("s._domainkey.{d}"), RecordType::Txt, KEY);
    }
    r
}

fn budget_note(check: &mailtrace::auth::dkim::DkimCheck) -> bool {
    check
        .note
        .as_deref()
        .is_some_and(|n| n.contains("DNS lookup limit of"))
}

#[test]
fn dns_lookups_past_the_limit_fail_as_budget() {
    let domains: Vec<String> = (0..5).map(|i| format!("k{i}.example")).collect();
    let signatures: Vec<(String, String)> =
        domains.iter().map(|d| (d.clone(), "s".into())).collect();
    let message = signed(&signatures);
    let options = Options {
        limits: Limits {
            max_dns_lookups: 3,
            ..Limits::default()
        },
        dns: Arc::new(Dns::new(Box::new(keys(domains.clone())))),
        ..common::options()
    };
    let report = analyze(&message, &options).expect("report");
    let refused: Vec<bool> = report.dkim.iter().map(budget_note).collect();
    assert_eq!(
        refused,
        [false, false, false, true, true],
        "{:?}",
        report.dkim
    );
    assert_eq!(report.dkim[4].result, AuthResult::Temperror);
    assert_eq!(report.dkim[4].reason.as_deref(), Some("dns-error"));
    assert!(limit_names(&report).contains(&"max-dns-lookups"));
    let refusal = report
        .dns
        .iter()
        .find(|d| d.name == "s._domainkey.k4.example")
        .expect("logged");
    assert_eq!(refusal.source, AnswerSource::NotAsked);
    assert!(matches!(
        refusal.answer,
        Answer::Failed(DnsFailure::Budget(_))
    ));

    // the budget is per message: the next message starts afresh, and the answers already
    // cached (k0..k2) are free, so all five keys are had now
    let report = analyze(&message, &options).expect("report");
    assert!(!report.dkim.iter().any(budget_note), "{:?}", report.dkim);

    let raised = Options {
        limits: Limits::default(),
        dns: Arc::new(Dns::new(Box::new(keys(domains)))),
        ..common::options()
    };
    let report = analyze(&message, &raised).expect("report");
    assert!(!report.dkim.iter().any(budget_note));
    assert!(report.limits.is_empty(), "{:?}", report.limits);
}

#[test]
fn answers_from_the_shared_batch_cache_are_free() {
    let domains: Vec<String> = (0..4).map(|i| format!("c{i}.example")).collect();
    let signatures: Vec<(String, String)> =
        domains.iter().map(|d| (d.clone(), "s".into())).collect();
    let message = signed(&signatures);
    let shared = SharedDns::new(Box::new(keys(domains)));
    let first = Options {
        dns: Arc::new(shared.worker()),
        ..common::options()
    };
    analyze(&message, &first).expect("report");
    // another worker, allowed no lookup at all: every key comes from the run cache
    let second = Options {
        limits: Limits {
            max_dns_lookups: 0,
            ..Limits::default()
        },
        dns: Arc::new(shared.worker()),
        ..common::options()
    };
    let report = analyze(&message, &second).expect("report");
    let keys_had = report
        .dns
        .iter()
        .filter(|d| d.name.starts_with("s._domainkey.") && matches!(d.answer, Answer::Records(_)))
        .count();
    assert_eq!(keys_had, 4, "{:?}", report.dns);
    assert!(!report.dkim.iter().any(budget_note));
}

#[test]
fn spf_keeps_its_own_rfc_7208_limits_within_the_budget() {
    // the SPF record needs 11 DNS-querying terms: RFC 7208 stops at 10, whatever the budget
    let mut r = StaticResolver::new();
    r.add(
        "example.net",
        RecordType::Txt,
        "v=spf1 a a a a a a a a a a a -all",
    );
    r.add("example.net", RecordType::A, "192.0.2.99");
    let check = mailtrace::auth::spf::evaluate(
        "198.51.100.7".parse().expect("ip"),
        Some("ann@example.net"),
        None,
        &Dns::new(Box::new(r)),
    );
    assert_eq!(check.result, AuthResult::Permerror);
    assert_eq!(check.reason.as_deref(), Some("too-many-lookups"));
}

#[test]
fn the_dns_time_budget_stops_waiting() {
    let server = TestServer::start_with(|_| Some(Behaviour::Silent));
    let config = LiveConfig {
        trip_after_timeouts: 0,
        trip_after_timeouts_once_answered: 0,
        ..LiveConfig::server(server.addr).with_timeout(Duration::from_secs(5))
    };
    let live = LiveResolver::new(config).expect("resolver");
    let dns = Dns::new(Box::new(LayeredResolver {
        zones: ZoneResolver::default(),
        fallback: Fallback::Live(Box::new(live)),
    }));
    let domains: Vec<String> = (0..4).map(|i| format!("slow{i}.example")).collect();
    let signatures: Vec<(String, String)> =
        domains.iter().map(|d| (d.clone(), "s".into())).collect();
    let message = signed(&signatures);
    let options = Options {
        limits: Limits {
            dns_time_budget: Duration::from_millis(300),
            ..Limits::default()
        },
        dns: Arc::new(dns),
        ..common::options()
    };
    let started = Instant::now();
    let report = analyze(&message, &options).expect("report");
    // a hang guard only: four 5 s timeouts would take 20 s
    assert!(started.elapsed() < Duration::from_secs(15));
    let first = report.dkim[0].note.as_deref().unwrap_or_default();
    assert!(first.contains("DNS timeout"), "{first}");
    for check in &report.dkim[1..] {
        let note = check.note.as_deref().unwrap_or_default();
        assert!(note.contains("DNS time budget of 300 ms spent"), "{note}");
        assert_eq!(check.result, AuthResult::Temperror);
    }
    assert!(limit_names(&report).contains(&"dns-time-budget"));
    // the lookups past the budget were never sent
    assert!(server.asked("s._domainkey.slow3.example").is_empty());
}

fn mailtrace(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtrace"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut input = child.stdin.take().expect("stdin");
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("output")
}

#[test]
fn cli_refuses_past_a_limit_and_a_flag_raises_it() {
    let message = many_headers(10_001);
    let out = mailtrace(&["analyze", "--offline", "--format", "json"], &message);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--max-headers"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");

    let out = mailtrace(
        &[
            "analyze",
            "--offline",
            "--format",
            "json",
            "--max-headers",
            "20000",
        ],
        &message,
    );
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let small = many_headers(10);
    let out = mailtrace(
        &["analyze", "--offline", "--max-message-bytes", "100"],
        &small,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-message-bytes"));

    let signatures: Vec<(String, String)> = (0..3)
        .map(|i| (format!("d{i}.example"), "s".to_string()))
        .collect();
    let out = mailtrace(
        &[
            "analyze",
            "--offline",
            "--format",
            "json",
            "--max-dkim-signatures",
            "1",
        ],
        &signed(&signatures),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["limits"][0]["limit"], "max-dkim-signatures");
    assert_eq!(json["dkim"][2]["reason"], "not-checked");
}

#[test]
fn batch_reports_an_error_record_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("mailtrace-limits-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("a-many.eml"), many_headers(10_001)).expect("write");
    std::fs::write(dir.join("b-fine.eml"), many_headers(10)).expect("write");
    let path = dir.to_string_lossy().to_string();
    let out = mailtrace(&["batch", "--offline", "--quiet", &path], b"");
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let error = lines[0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("--max-headers"), "{stdout}");
    assert!(lines[1]["error"].is_null());

    let out = mailtrace(
        &[
            "batch",
            "--offline",
            "--quiet",
            "--max-headers",
            "20000",
            &path,
        ],
        b"",
    );
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
