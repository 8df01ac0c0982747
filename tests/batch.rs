//! Batch mode: the driver (order, faults, bounded stop) through the library, and the
//! `mailtrace batch` command on an mbox built from the samples.
//!
//! The library tests build `MailboxItem`s by hand and pass today. The command tests
//! (`cli_*`) read an mbox through `input::mailbox::open` and assert the real message counts:
//! they fail until the mailbox reader lands.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use mailtrace::batch::{self, Config, Record, Totals, write};
use mailtrace::input::mailbox::MailboxItem;
use mailtrace::{Options, Source};

const SAMPLES: [&str; 5] = [
    "dkim-pass-relaxed.eml",
    "gmail-to-gmail.eml",
    "hop-delay-sender-queue.eml",
    "dkim-two-signatures-author-and-esp.eml",
    "ipv6-end-to-end.eml",
];

const FORMULA: &str = "From: Eve <eve@example.net>\nTo: amy@example.org\nSubject: =HYPERLINK(\"x\")\nDate: Tue, 11 Mar 2025 10:15:38 +0100\nMessage-ID: <formula@example.net>\n\nFrom here on, a body line that needs quoting.\n";

const CORRUPTED: &[u8] = b"\x00\x00\x00\x01\x02 binary junk \xff\xfe\x00 not a message\n";

const TRUNCATED: &str = "Received: from mail.example.com (mail.example.com [203.0.113.77])\n\tby mx.example.org (Postfix) with ESMTPS id 4ZBp\n\tfor <amy@example.org>; Tue, 11 Mar 2025 09:15:41 +0000 (UTC)\nFrom: Zane <zane@example.com>\nSubject: cut sho";

fn sample(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // a sample that already starts with an mbox envelope line loses it
    if bytes.starts_with(b"From ") {
        let end = bytes.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
        return bytes[end..].to_vec();
    }
    bytes
}

/// The messages of the test mailbox, in order: samples, the formula subject, a corrupted
/// member, a truncated last message.
fn messages() -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = SAMPLES.iter().map(|s| sample(s)).collect();
    all.push(FORMULA.as_bytes().to_vec());
    all.push(CORRUPTED.to_vec());
    all.push(TRUNCATED.as_bytes().to_vec());
    all
}

const CORRUPTED_INDEX: usize = SAMPLES.len() + 1;
const FORMULA_INDEX: usize = SAMPLES.len();

/// mboxrd: `From ` envelope lines, body lines matching `>*From ` get one more `>`.
fn mbox(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(b"From sender@example.com Tue Mar 11 09:15:41 2025\n");
        let text = String::from_utf8_lossy(m).replace("\r\n", "\n");
        // lossy is fine for the corrupted member: it stays binary (NUL bytes)
        let bytes: Vec<u8> = if m.contains(&0) {
            m.clone()
        } else {
            text.into_bytes()
        };
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            let unquoted = line
                .iter()
                .skip_while(|&&b| b == b'>')
                .copied()
                .collect::<Vec<_>>();
            if unquoted.starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    // the truncated last message: cut its final newline
    while out.ends_with(b"\n") {
        out.pop();
    }
    out
}

fn temp_mbox(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("batch");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, mbox(&messages())).expect("write mbox");
    path
}

fn options() -> Options {
    let zone = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/dns.zone");
    let settings = mailtrace::auth::dns::DnsSettings {
        zones: vec![zone],
        offline: true,
        ..Default::default()
    };
    Options {
        now: Some("2026-01-01T00:00:00Z".parse().expect("time")),
        dns: Arc::new(settings.build().expect("dns")),
        ..Options::default()
    }
}

fn config(jobs: usize) -> Config {
    let zone = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/dns.zone");
    let settings = mailtrace::auth::dns::DnsSettings {
        zones: vec![zone],
        offline: true,
        ..Default::default()
    };
    let mut config = Config::new(options(), jobs);
    config.shared_dns = Some(batch::SharedDns::from_settings(&settings).expect("dns"));
    config.window = 3;
    config
}

fn items() -> Vec<MailboxItem> {
    let mut items: Vec<MailboxItem> = messages()
        .into_iter()
        .enumerate()
        .map(|(index, bytes)| MailboxItem {
            path: PathBuf::from("test.mbox"),
            index,
            offset: index as u64 * 1000,
            bytes: Ok(bytes),
            flags: None,
        })
        .collect();
    let n = items.len();
    items.push(MailboxItem {
        path: PathBuf::from("test.mbox"),
        index: n,
        offset: 0,
        bytes: Err("cannot read: truncated gzip stream".into()),
        flags: Some("S".into()),
    });
    items
}

fn collect(jobs: usize) -> Vec<Record> {
    let mut out = Vec::new();
    let n = batch::run(items().into_iter(), &config(jobs), |r| {
        out.push(r);
        Ok(())
    })
    .expect("run");
    assert_eq!(n, out.len());
    out
}

fn single(bytes: &[u8]) -> serde_json::Value {
    let source = Source::from_bytes("x", bytes.to_vec()).expect("source");
    let report = mailtrace::analyze(&source, &options()).expect("report");
    serde_json::to_value(&report).expect("json")
}

#[test]
fn records_come_in_input_order_one_per_item() {
    let expected = items().len();
    let records = collect(2);
    assert_eq!(records.len(), expected, "messages in = messages out");
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.index, i, "input order");
    }
    assert!(
        records[CORRUPTED_INDEX].error().is_some(),
        "corrupted member errs"
    );
    assert!(
        records[expected - 1].error().is_some(),
        "unreadable item errs"
    );
    let messages = messages();
    for (i, bytes) in messages.iter().enumerate().take(SAMPLES.len()) {
        let want = single(bytes);
        let got = serde_json::to_value(records[i].report().expect("report")).expect("json");
        assert_eq!(got["hops"], want["hops"], "{}", SAMPLES[i]);
        assert_eq!(got["dkim"], want["dkim"], "{}", SAMPLES[i]);
        assert_eq!(got["dns"], want["dns"], "{}", SAMPLES[i]);
    }
}

#[test]
fn one_job_and_four_jobs_write_the_same_lines() {
    let lines = |jobs| -> Vec<Vec<u8>> { collect(jobs).iter().map(write::json_line).collect() };
    assert_eq!(lines(1), lines(4));
}

#[test]
fn a_failing_sink_stops_the_run() {
    let many = (0..200).flat_map(|_| items());
    let mut seen = 0;
    let err = batch::run(many, &config(2), |_| {
        seen += 1;
        if seen == 5 {
            Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        } else {
            Ok(())
        }
    })
    .expect_err("stops");
    assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    assert_eq!(seen, 5);
}

#[test]
fn totals_add_up() {
    let records = collect(2);
    let mut totals = Totals::new();
    records.iter().for_each(|r| totals.add(r));
    let s = totals.summary();
    assert_eq!(s.messages as usize, records.len());
    assert_eq!(s.analysed + s.errored, s.messages);
    assert_eq!(s.errored, 2);
    let by_domain: u64 = s.top_sending_domains.iter().map(|c| c.messages).sum();
    assert!(by_domain <= s.analysed);
    assert!(!s.dkim_keys.is_empty(), "the samples are DKIM-signed");
}

#[test]
fn jsonl_and_csv_writers() {
    use write::Writer as _;
    let records = collect(2);
    let mut jsonl = Vec::new();
    let mut w = write::JsonlWriter::new(&mut jsonl);
    records.iter().for_each(|r| w.record(r).expect("write"));
    w.finish(None).expect("finish");
    let text = String::from_utf8(jsonl).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a whole JSON object per line"))
        .collect();
    assert_eq!(lines.len(), records.len());
    assert!(lines[CORRUPTED_INDEX]["error"].is_string());
    assert_eq!(lines[0]["batch"]["index"], 0);
    assert!(lines[0]["hops"].is_array());

    let mut csv_out = Vec::new();
    let mut w = write::CsvWriter::new(&mut csv_out);
    records.iter().for_each(|r| w.record(r).expect("write"));
    w.finish(None).expect("finish");
    drop(w);
    let mut reader = csv::Reader::from_reader(csv_out.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), records.len());
    assert_eq!(&rows[FORMULA_INDEX][6], "'=HYPERLINK(\"x\")");
}

// ---- the command (needs the mailbox reader) ----

fn mailtrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailtrace"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run mailtrace")
}

const DNS: [&str; 5] = [
    "--offline",
    "--dns-zone",
    "samples/dns.zone",
    "--at",
    "2026-01-01T00:00:00Z",
];

fn batch_args<'a>(mbox: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["batch"];
    args.extend(DNS);
    args.extend(extra);
    args.push(mbox);
    args
}

fn jsonl(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a whole JSON object per line"))
        .collect()
}

#[test]
fn cli_jsonl_one_line_per_message_in_order_exit_two() {
    let path = temp_mbox("jsonl.mbox");
    let path = path.to_string_lossy();
    let out = mailtrace(&batch_args(&path, &["--quiet"]));
    let lines = jsonl(&out);
    let n = messages().len();
    assert_eq!(lines.len(), n, "one line per message");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["batch"]["index"], i, "input order");
        assert_eq!(line["batch"]["file"], path.as_ref());
    }
    assert!(lines[CORRUPTED_INDEX]["error"].is_string());
    assert_eq!(out.status.code(), Some(2));
    for (i, name) in SAMPLES.iter().enumerate() {
        let mut args = vec!["analyze", "--format", "json"];
        args.extend(DNS);
        let file = format!("samples/{name}");
        args.push(&file);
        let single: serde_json::Value =
            serde_json::from_slice(&mailtrace(&args).stdout).expect("analyze json");
        assert_eq!(lines[i]["hops"], single["hops"], "{name}");
        assert_eq!(lines[i]["dkim"], single["dkim"], "{name}");
    }
}

#[test]
fn cli_csv_rows_and_formula_neutralised() {
    let path = temp_mbox("csv.mbox");
    let out = mailtrace(&batch_args(&path.to_string_lossy(), &["--format", "csv"]));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(reader.headers().expect("header").get(0), Some("file"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), messages().len(), "one row per message");
    assert_eq!(&rows[FORMULA_INDEX][6], "'=HYPERLINK(\"x\")");
    assert!(!rows[CORRUPTED_INDEX][3].is_empty(), "error column");
}

#[test]
fn cli_summary_adds_up() {
    let path = temp_mbox("summary.mbox");
    let out = mailtrace(&batch_args(&path.to_string_lossy(), &["--summary"]));
    let lines = jsonl(&out);
    let last = lines.last().expect("summary line");
    let s = &last["summary"];
    let count = s["messages"].as_u64().expect("messages");
    assert_eq!(count as usize, messages().len());
    assert_eq!(lines.len(), count as usize + 1);
    assert_eq!(
        s["analysed"].as_u64().unwrap_or(0) + s["errored"].as_u64().unwrap_or(0),
        count
    );
    assert!(s["errored"].as_u64().unwrap_or(0) >= 1);
}

#[test]
fn cli_jobs_one_and_four_identical() {
    let path = temp_mbox("jobs.mbox");
    let path = path.to_string_lossy();
    let one = mailtrace(&batch_args(&path, &["--jobs", "1", "--summary"]));
    let four = mailtrace(&batch_args(&path, &["--jobs", "4", "--summary"]));
    assert_eq!(jsonl(&one).len(), messages().len() + 1);
    assert_eq!(one.stdout, four.stdout);
    assert_eq!(one.status.code(), four.status.code());
}

#[test]
fn cli_closed_pipe_ends_quietly() {
    // enough messages that the output outgrows the pipe buffer
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("batch");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("pipe.mbox");
    let many: Vec<Vec<u8>> = (0..60).flat_map(|_| messages()).collect();
    std::fs::write(&path, mbox(&many)).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtrace"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(batch_args(&path.to_string_lossy(), &[]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    {
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut first).expect("one line");
    } // stdout dropped: the pipe is closed
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    assert!(
        serde_json::from_str::<serde_json::Value>(&first).is_ok(),
        "first line whole: {first:?}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(status.code().is_some(), "ended by itself, not by a signal");
}

#[cfg(unix)]
#[test]
fn cli_ctrl_c_stops_with_whole_lines_and_code_130() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("batch");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("interrupt.mbox");
    let many: Vec<Vec<u8>> = (0..200).flat_map(|_| messages()).collect();
    let total = many.len();
    std::fs::write(&path, mbox(&many)).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtrace"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(batch_args(&path.to_string_lossy(), &[]))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("a first line");
    // the run is under way: interrupt it as Ctrl-C would
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut rest = String::new();
    reader.read_to_string(&mut rest).expect("the rest");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "stopped by the interrupt");
    let lines: Vec<&str> = std::iter::once(first.as_str())
        .chain(rest.lines())
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(lines.len() < total, "{} of {total} written", lines.len());
    for line in &lines {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "a partial line: {line:.80}"
        );
    }
    assert!(
        rest.is_empty() || rest.ends_with('\n'),
        "ends with a whole line"
    );
}

#[test]
fn summary_gives_hop_delay_percentiles_by_relay() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailtrace"))
        .args([
            "batch",
            "--offline",
            "--dns-zone",
            "samples/dns.zone",
            "--at",
            "2026-01-01T00:00:00Z",
            "--summary",
            "--quiet",
            "samples/greylisting-postfix-postgrey.eml",
        ])
        .output()
        .expect("binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().expect("a summary line");
    let v: serde_json::Value = serde_json::from_str(last).expect("json");
    // the greylisted hop: mx.example.org received the message 616 s after the sender's server
    let relay = &v["summary"]["delay_by_relay"]["mx.example.org"];
    assert_eq!(relay["max"], 616, "{}", v["summary"]);
    assert_eq!(relay["messages"], 1);
}

#[test]
fn batch_save_dns_replays_offline_with_the_same_verdicts() {
    let dir = std::env::temp_dir().join(format!("mailtrace-batch-dns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("saved.zone");
    let run = |zone: &str, save: Option<&std::path::Path>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mailtrace"));
        cmd.args(["batch", "--offline", "--quiet", "--dns-zone", zone])
            .args(["--at", "2026-01-01T00:00:00Z"]);
        if let Some(path) = save {
            cmd.arg("--save-dns").arg(path);
        }
        let out = cmd
            .args([
                "samples/dkim-pass-relaxed.eml",
                "samples/arc-mailing-list-rewrites.eml",
            ])
            .output()
            .expect("binary runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                serde_json::json!([v["dkim"], v["spf"], v["dmarc"], v["arc"]])
            })
            .collect::<Vec<_>>()
    };
    let first = run("samples/dns.zone", Some(&saved));
    let replay = run(saved.to_str().unwrap(), None);
    assert_eq!(first.len(), 2);
    assert_eq!(first, replay);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cli_html_directory_one_row_and_page_per_message() {
    let path = temp_mbox("html.mbox");
    let path = path.to_string_lossy();
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("batch-html");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out_arg = out_dir.to_string_lossy();
    let out = mailtrace(&batch_args(
        &path,
        &["--quiet", "--format", "html", "--out", &out_arg],
    ));
    assert_eq!(out.status.code(), Some(2), "a member errored");
    let n = messages().len();

    let index = std::fs::read_to_string(out_dir.join("index.html")).expect("index.html");
    assert!(index.contains("Content-Security-Policy"));
    assert!(!index.contains("<script"));
    assert!(index.contains(&format!("<b>{n}</b>messages")), "total");
    assert!(
        index.contains(&format!("<b>{}</b>analysed", n - 1)),
        "analysed"
    );
    assert!(
        index.contains("<b class=\"error\">1</b>could not"),
        "the corrupted member"
    );
    assert!(index.contains("href=\"messages.html\""));
    // the charts: one delay bucket group per bucket, a rule bar per rule that fired
    assert_eq!(index.matches("<g class=\"bucket\">").count(), 8);
    assert!(index.matches("<g class=\"rule\">").count() >= 3);

    // minijinja escapes `/` in attribute values as `&#x2f;`, which a browser reads as `/`
    let list = std::fs::read_to_string(out_dir.join("messages.html"))
        .expect("messages.html")
        .replace("&#x2f;", "/");
    let rows = list.matches("<tr>").count() + list.matches("<tr class=\"errored\">").count();
    assert_eq!(rows, n + 1, "a header row and one row per message");
    assert_eq!(list.matches("<tr class=\"errored\">").count(), 1);
    // the formula subject is text, escaped, not markup
    assert!(
        list.contains("=HYPERLINK(&quot;x&quot;)"),
        "escaped subject"
    );
    let pages: Vec<_> = std::fs::read_dir(out_dir.join("messages"))
        .expect("messages/")
        .flatten()
        .collect();
    assert_eq!(pages.len(), n - 1, "a page per analysed message");
    for page in &pages {
        let name = page.file_name().to_string_lossy().into_owned();
        assert!(
            list.contains(&format!("href=\"messages/{name}\"")),
            "{name} linked"
        );
        let html = std::fs::read_to_string(page.path()).expect("page");
        assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
    }

    // a second run into the same directory is refused, clearly
    let again = mailtrace(&batch_args(
        &path,
        &["--quiet", "--format", "html", "--out", &out_arg],
    ));
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
