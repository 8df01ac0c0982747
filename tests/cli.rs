//! The command line as a user meets it: default subcommand, stdin, exit codes, rules/explain,
//! and hostile content kept away from the terminal.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Run the binary. Analyses always run `--offline`: tests never touch the network.
fn mailtrace(args: &[&str], stdin: &[u8]) -> Output {
    let analyze = !matches!(args.first(), Some(&"rules" | &"explain"));
    let mut all: Vec<&str> = args.to_vec();
    if analyze && !all.contains(&"--offline") {
        let at = usize::from(all.first() == Some(&"analyze"));
        all.insert(at, "--offline");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtrace"))
        .args(&all)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut input = child.stdin.take().unwrap();
    // a child that stops before reading (an argument error) closes the pipe: not a failure here
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

const SKEWED: &[u8] = b"Received: from relay.example.net (relay.example.net [198.51.100.7])\n\tby mx.example.org (Postfix) with ESMTPS id 4Z1x2y3; Tue, 11 Mar 2025 09:08:30 +0000\nReceived: from client.example.net (client.example.net [203.0.113.9])\n\tby relay.example.net (Postfix) with ESMTP id 9A8B7C; Tue, 11 Mar 2025 09:15:35 +0000\nFrom: Ann <ann@example.net>\nTo: bob@example.org\nSubject: skew\nDate: Tue, 11 Mar 2025 09:15:30 +0000\nMessage-ID: <1@example.net>\n\nhello\n";

#[test]
fn no_subcommand_file_and_stdin_are_the_same_analysis() {
    let dir = std::env::temp_dir().join(format!("mailtrace-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("skew.eml");
    std::fs::write(&file, SKEWED).unwrap();
    let f = file.to_str().unwrap();
    let a = mailtrace(
        &["--format", "json", "--at", "2026-01-01T00:00:00Z", f],
        b"",
    );
    let b = mailtrace(
        &[
            "analyze",
            "--format",
            "json",
            "--at",
            "2026-01-01T00:00:00Z",
            f,
        ],
        b"",
    );
    let c = mailtrace(
        &["--format", "json", "--at", "2026-01-01T00:00:00Z"],
        SKEWED,
    );
    let d = mailtrace(
        &["--format", "json", "--at", "2026-01-01T00:00:00Z", "-"],
        SKEWED,
    );
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let strip = |o: &Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["source"]["name"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(&a), strip(&c));
    assert_eq!(strip(&c), strip(&d));
    let v = strip(&a);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["hops"][1]["delay_seconds"], -425);
    assert_eq!(v["hops"][1]["timestamp"], "2025-03-11T09:08:30Z");
    assert_eq!(v["findings"][0]["name"], "hop-clock-skew");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn fail_on_sets_exit_code_one() {
    assert_eq!(
        mailtrace(&["--fail-on", "warning"], SKEWED).status.code(),
        Some(1)
    );
    assert_eq!(
        mailtrace(&["--fail-on", "error"], SKEWED).status.code(),
        Some(0)
    );
    assert_eq!(mailtrace(&[], SKEWED).status.code(), Some(0));
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_two() {
    for (what, input) in [
        ("empty", &b""[..]),
        ("whitespace", &b"\n\n   \n"[..]),
        (
            "binary",
            &b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00"[..],
        ),
        ("no header block", &b"just some words\nand more words\n"[..]),
    ] {
        let out = mailtrace(&[], input);
        assert_eq!(out.status.code(), Some(2), "{what}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{what}: {err}");
        assert!(err.starts_with("mailtrace: "), "{what}: {err}");
        assert!(out.stdout.is_empty(), "{what}");
    }
    let out = mailtrace(&["/nonexistent/x.eml"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/x.eml"));
    let out = mailtrace(&["--at", "yesterday"], SKEWED);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_and_explain() {
    let out = mailtrace(&["rules"], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for r in mailtrace::diagnose::rules::ALL {
        assert!(
            text.contains(r.code) && text.contains(r.name),
            "{} missing from rules",
            r.code
        );
    }
    let by_code = mailtrace(&["explain", "HOP001"], b"");
    let by_name = mailtrace(&["explain", "hop-clock-skew"], b"");
    assert!(by_code.status.success());
    assert_eq!(by_code.stdout, by_name.stdout);
    assert!(String::from_utf8_lossy(&by_code.stdout).contains("## What to do"));
    let json = mailtrace(&["explain", "greylisting", "--format", "json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["code"], "HOP003");
    assert!(
        v["explanation"]
            .as_str()
            .unwrap()
            .contains("## Why it matters")
    );
    let unknown = mailtrace(&["explain", "no-such-rule"], b"");
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn hostile_headers_cannot_drive_the_terminal() {
    let msg = b"Received: from evil\x1b]0;pwned\x07.example (x [198.51.100.66]) by mx.example.org; Tue, 11 Mar 2025 09:08:30 +0000\nFrom: \"\x1b[2J\x1b[31mBank\" <a@example.net>\nSubject: =?utf-8?q?hi=1B[5m_there=E2=80=AE?=\n\nbody\n";
    for fmt in ["text", "markdown"] {
        let out = mailtrace(&["--format", fmt, "--color", "never"], msg);
        assert!(out.status.success());
        assert!(!out.stdout.contains(&0x1b), "{fmt}: raw ESC reached stdout");
        assert!(!out.stdout.contains(&0x07), "{fmt}: raw BEL reached stdout");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains('\u{202e}'), "{fmt}: RLO reached stdout");
        assert!(text.contains("\\u{1b}"), "{fmt}: escape not shown visibly");
    }
}

#[test]
fn color_follows_the_flag() {
    let always = mailtrace(&["--color", "always"], SKEWED);
    assert!(always.stdout.contains(&0x1b));
    let never = mailtrace(&["--color", "never"], SKEWED);
    assert!(!never.stdout.contains(&0x1b));
    let auto = mailtrace(&[], SKEWED); // stdout is a pipe: no colour
    assert!(!auto.stdout.contains(&0x1b));
}

fn json_of(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn saved_dns_replays_offline_with_the_same_verdicts() {
    let dir = std::env::temp_dir().join(format!("mailtrace-dns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("saved.zone");
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/dkim-pass-relaxed.eml");
    let zone = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/dns.zone");
    let at = "2026-01-01T00:00:00Z";
    let first = json_of(&mailtrace(
        &[
            "--format",
            "json",
            "--offline",
            "--dns-zone",
            zone,
            "--at",
            at,
            "--save-dns",
            saved.to_str().unwrap(),
            sample,
        ],
        b"",
    ));
    assert_eq!(first["dkim"][0]["result"], "pass", "{}", first["dkim"]);
    assert!(!first["dns"].as_array().unwrap().is_empty());
    let replay = json_of(&mailtrace(
        &[
            "--format",
            "json",
            "--offline",
            "--dns-zone",
            saved.to_str().unwrap(),
            "--at",
            at,
            sample,
        ],
        b"",
    ));
    for key in ["dkim", "spf", "dmarc", "arc"] {
        assert_eq!(first[key], replay[key], "{key} differs after replay");
    }
    // the replay's answers come from the saved file
    let sources: Vec<String> = replay["dns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["source"]["from"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        sources.iter().all(|s| s.ends_with("saved.zone")),
        "{sources:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn offline_without_zone_says_not_found_offline() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/dkim-pass-relaxed.eml");
    let v = json_of(&mailtrace(
        &[
            "--format",
            "json",
            "--offline",
            "--at",
            "2026-01-01T00:00:00Z",
            sample,
        ],
        b"",
    ));
    assert_eq!(v["dkim"][0]["result"], "temperror");
    assert_eq!(v["dkim"][0]["reason"], "dns-error");
    assert!(
        v["dkim"][0]["note"]
            .as_str()
            .unwrap_or("")
            .contains("offline")
    );
    assert_eq!(
        v["dkim"][0]["body_hash"], "match",
        "the body hash is computed without the key"
    );
    assert!(
        v["dns"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["source"]["kind"] == "offline-missing")
    );
}

#[test]
fn a_bad_zone_file_is_one_line_and_exit_two() {
    let dir = std::env::temp_dir().join(format!("mailtrace-badzone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.zone");
    std::fs::write(
        &bad,
        "$ORIGIN example.com.\nsel._domainkey TXT \"v=DKIM1; p=abc\n",
    )
    .unwrap();
    let out = mailtrace(&["--offline", "--dns-zone", bad.to_str().unwrap()], SKEWED);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("bad.zone"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_prints_each_teaching_page_once_under_its_finding() {
    let plain = mailtrace(&["--color", "never"], SKEWED);
    let explained = mailtrace(&["--color", "never", "--explain"], SKEWED);
    let plain = String::from_utf8_lossy(&plain.stdout);
    let text = String::from_utf8_lossy(&explained.stdout);
    assert!(!plain.contains("## What to do"));
    assert_eq!(text.matches("HOP001 hop-clock-skew").count(), 1);
    let page = mailtrace::diagnose::lookup("HOP001").unwrap().page();
    let first_line = page.lines().nth(1).unwrap().trim();
    assert!(text.contains(first_line), "{text}");
    let md = mailtrace(&["--format", "markdown", "--explain"], SKEWED);
    let md = String::from_utf8_lossy(&md.stdout);
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    assert!(md.contains("## Why it matters"));
}
