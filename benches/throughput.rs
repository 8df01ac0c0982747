//! Throughput of the analysis stages over a mailbox (`cargo bench`, or
//! `cargo bench -- PATH.mbox`): parse only, hops only, and the full offline analysis with the
//! samples' zone keys, single-threaded, then the full analysis through the batch driver on every
//! core. Without a path it builds an mbox from the project's samples (small teaching messages);
//! `scripts/bench.sh` builds one of typical mail (benches/typical) and passes it here.
//! Figures: docs/PERFORMANCE.md.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};

/// The allocator of the `mailtrace` binary, so the figures are the command's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use mailtrace::auth::dns::DnsSettings;
use mailtrace::input::mailbox::{self, MailboxItem};
use mailtrace::{Options, Source};

fn options() -> Options {
    let zone = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/dns.zone");
    let dns = DnsSettings {
        zones: vec![zone],
        offline: true,
        ..Default::default()
    }
    .build()
    .expect("samples/dns.zone loads");
    Options {
        now: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        dns: Arc::new(dns),
        ..Options::default()
    }
}

/// An mboxrd of the samples, repeated to about `count` messages.
fn build_mbox(count: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut samples: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("samples/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| std::fs::read(p).expect("sample"))
        .collect();
    samples.sort();
    let mut out = Vec::new();
    for i in 0..count {
        let m = &samples[i % samples.len()];
        let m = if m.starts_with(b"From ") {
            m.splitn(2, |&b| b == b'\n').nth(1).unwrap_or_default()
        } else {
            &m[..]
        };
        out.extend_from_slice(b"From bench@example.com Tue Mar 11 09:15:42 2025\n");
        for line in m.split_inclusive(|&b| b == b'\n') {
            let bare = line
                .iter()
                .skip_while(|&&b| b == b'>')
                .copied()
                .collect::<Vec<_>>();
            if bare.starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    let path = std::env::temp_dir().join(format!("mailtrace-bench-{count}.mbox"));
    std::fs::write(&path, out).expect("write the bench mbox");
    path
}

fn items(path: &Path) -> Vec<MailboxItem> {
    mailbox::open(&[path.to_path_buf()], None).collect()
}

fn report(label: &str, seconds: f64, bytes: u64, messages: usize) {
    println!(
        "{label:<44} {seconds:7.2} s {:8.1} MB/s {:9.0} msg/s",
        bytes as f64 / seconds / 1e6,
        messages as f64 / seconds
    );
}

fn main() {
    let arg = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let path = arg.map(PathBuf::from).unwrap_or_else(|| build_mbox(5_000));
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let options = options();
    let t = Instant::now();
    let all = items(&path);
    report(
        "read the mailbox (split only)",
        t.elapsed().as_secs_f64(),
        bytes,
        all.len(),
    );
    let messages: Vec<Vec<u8>> = all.into_iter().filter_map(|i| i.bytes.ok()).collect();
    println!(
        "mailbox: {} messages, {bytes} bytes ({} bytes a message), {} cores",
        messages.len(),
        bytes / messages.len().max(1) as u64,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let t = Instant::now();
    for m in &messages {
        if let Ok(source) = Source::from_bytes("bench", m.clone()) {
            let _ = mailtrace::parse::parse(&source);
        }
    }
    report(
        "parse only, 1 thread",
        t.elapsed().as_secs_f64(),
        bytes,
        messages.len(),
    );

    let t = Instant::now();
    for m in &messages {
        if let Ok(source) = Source::from_bytes("bench", m.clone())
            && let Ok(parsed) = mailtrace::parse::parse(&source)
        {
            let _ = mailtrace::hops::build_chain(&parsed, &options);
        }
    }
    report(
        "parse + hops, 1 thread",
        t.elapsed().as_secs_f64(),
        bytes,
        messages.len(),
    );

    let t = Instant::now();
    for m in &messages {
        if let Ok(source) = Source::from_bytes("bench", m.clone()) {
            let _ = mailtrace::analyze(&source, &options);
        }
    }
    report(
        "full offline analysis, 1 thread",
        t.elapsed().as_secs_f64(),
        bytes,
        messages.len(),
    );

    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let config = mailtrace::batch::Config::new(options.clone(), jobs);
    let t = Instant::now();
    let n = mailtrace::batch::run(
        mailbox::open(std::slice::from_ref(&path), None),
        &config,
        |_| Ok(()),
    )
    .expect("batch");
    report(
        &format!("full offline analysis, batch driver, {jobs} jobs"),
        t.elapsed().as_secs_f64(),
        bytes,
        n,
    );
}
