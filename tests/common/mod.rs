//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod dns_server;

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use mailtrace::{Options, Report, Source};

/// The fixed "now" of every test (tests never read the wall clock), and DNS offline from the
/// samples' zone file (tests never touch the network).
pub fn options() -> Options {
    // relative (tests run in the crate root): the zone's path is part of the reports' `dns[]`
    // provenance, and snapshots must not depend on where the repository is checked out
    let zone = Path::new("samples/dns.zone").to_path_buf();
    let dns = mailtrace::auth::dns::DnsSettings {
        zones: vec![zone],
        offline: true,
        ..Default::default()
    }
    .build()
    .expect("samples/dns.zone loads");
    Options {
        now: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        dns: std::sync::Arc::new(dns),
        ..Options::default()
    }
}

/// The shared corpus, or None (with a printed note) when it is absent.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("MAILTRACE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: corpus not found at {} (set MAILTRACE_CORPUS); skipping corpus cases",
            dir.display()
        );
        None
    }
}

/// Every file under a directory, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The samples: `samples/*.eml` and `samples/*.txt`, sorted.
pub fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("samples/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("eml" | "txt")))
        .collect();
    out.sort();
    out
}

/// Analyse bytes under a name.
pub fn analyze_bytes(name: &str, bytes: Vec<u8>) -> Result<Report, mailtrace::Error> {
    let source = Source::from_bytes(name, bytes)?;
    mailtrace::analyze(&source, &options())
}

/// The sample's name relative to the crate root, for stable snapshots.
pub fn sample_name(path: &Path) -> String {
    format!("samples/{}", path.file_name().unwrap().to_string_lossy())
}

/// LF -> CRLF (lines already CRLF are left alone).
pub fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 20);
    let mut prev = 0u8;
    for &b in bytes {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// CRLF -> LF.
pub fn to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}
