//! The input stage over every file of the shared corpus: no panic, only clean errors, and the
//! line-ending variants of the same messages read alike.
//!
//! The corpus is `../shared/corpus` (or `$MAILTRACE_CORPUS`); when it is absent the tests print
//! a skip note and pass.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use mailtrace::error::Error;
use mailtrace::input::{self, InputKind, LineEnding, RepairKind, Source};

fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("MAILTRACE_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no corpus at {}", dir.display());
        None
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Empty => "empty",
        Error::Binary(_) => "binary",
        Error::NoHeaders(_) => "no-headers",
        Error::TooLarge { .. } => "too-large",
        Error::TooManyHeaders { .. } => "too-many-headers",
        Error::HeaderTooLong { .. } => "header-too-long",
    }
}

fn read(path: &Path) -> Result<Source, Error> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    input::read(&path.display().to_string(), bytes)
}

/// The first line of the message is a header field and the header block ends in an empty line.
fn assert_header_block(path: &Path, source: &Source) {
    let message = &source.message;
    let first_line = message.split(|&b| b == b'\n').next().unwrap_or_default();
    let colon = first_line.iter().position(|&b| b == b':');
    assert!(
        colon.is_some_and(|c| c > 0 && first_line[..c].iter().all(|&b| (33..=126).contains(&b))),
        "{}: message does not start with a header field: {:?}",
        path.display(),
        String::from_utf8_lossy(first_line)
    );
    assert!(
        message.windows(4).any(|w| w == b"\r\n\r\n"),
        "{}: no end of the header block",
        path.display()
    );
    assert!(!source.headers_only, "{}", path.display());
    assert!(
        !message.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
        "{}: a line does not end in CRLF",
        path.display()
    );
}

#[test]
fn every_corpus_file_reads_or_fails_cleanly() {
    let Some(dir) = corpus() else { return };
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    assert!(!paths.is_empty(), "no file under {}", dir.display());

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut repairs: BTreeMap<String, usize> = BTreeMap::new();
    let mut panics = Vec::new();
    let mut phishing = (0usize, Vec::new());
    for path in &paths {
        let result = catch_unwind(AssertUnwindSafe(|| read(path)));
        let Ok(result) = result else {
            panics.push(path.display().to_string());
            continue;
        };
        let is_phishing = path.components().any(|c| c.as_os_str() == "phishing_pot")
            && path.extension().is_some_and(|e| e == "eml");
        match &result {
            Ok(source) => {
                assert_eq!(
                    source.original.len() as u64,
                    std::fs::metadata(path).map_or(0, |m| m.len()),
                    "{}: original bytes not kept",
                    path.display()
                );
                assert!(!source.message.is_empty(), "{}", path.display());
                *counts.entry("ok".into()).or_default() += 1;
                *kinds.entry(format!("{:?}", source.kind)).or_default() += 1;
                for r in &source.repairs {
                    *repairs.entry(format!("{:?}", r.kind)).or_default() += 1;
                    assert!(
                        !r.description.ends_with('.')
                            && r.description
                                .chars()
                                .next()
                                .is_some_and(|c| c.is_lowercase()),
                        "{}: repair description {:?}",
                        path.display(),
                        r.description
                    );
                }
                if is_phishing {
                    phishing.0 += 1;
                }
            }
            Err(e) => {
                let detail = match e {
                    Error::Binary(d) | Error::NoHeaders(d) => d.as_str(),
                    Error::Empty
                    | Error::TooLarge { .. }
                    | Error::TooManyHeaders { .. }
                    | Error::HeaderTooLong { .. } => "-",
                };
                assert!(
                    !detail.is_empty(),
                    "{}: error without detail",
                    path.display()
                );
                *counts.entry(format!("err {}", error_kind(e))).or_default() += 1;
                if is_phishing {
                    phishing.1.push(format!("{}: {e}", path.display()));
                }
            }
        }
    }
    println!("{} files under {}", paths.len(), dir.display());
    println!("results: {counts:?}");
    println!("kinds: {kinds:?}");
    println!("repairs: {repairs:?}");
    println!(
        "phishing_pot: {} ok, {} not: {:?}",
        phishing.0,
        phishing.1.len(),
        phishing.1
    );
    assert!(panics.is_empty(), "panicked on {panics:?}");
    assert!(
        phishing.1.is_empty(),
        "phishing_pot messages not read: {:?}",
        phishing.1
    );
}

/// True when `a` and `b` hold the same text once every line end is LF.
fn same_text(a: &Path, b: &Path) -> bool {
    let lf = |p: &Path| {
        let bytes = std::fs::read(p).unwrap_or_default();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match (bytes[i], bytes.get(i + 1)) {
                (b'\r', Some(b'\n')) => {
                    out.push(b'\n');
                    i += 1;
                }
                (b'\r', _) => out.push(b'\n'),
                (b, _) => out.push(b),
            }
            i += 1;
        }
        out
    };
    lf(a) == lf(b)
}

#[test]
fn bare_cr_and_crlf_bounces_read_like_their_lf_originals() {
    let Some(dir) = corpus() else { return };
    let bounces = dir.join("bounces");
    let mut seen = 0;
    let mut compared = 0;
    for (folder, ending) in [("mac_cr", LineEnding::Cr), ("dos_crlf", LineEnding::Crlf)] {
        let mut paths = Vec::new();
        files(&bounces.join(folder), &mut paths);
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        {
            let source = read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_header_block(path, &source);
            assert_eq!(source.line_ending, ending, "{}", path.display());
            let line_repairs = source
                .repairs
                .iter()
                .filter(|r| r.kind == RepairKind::LineEndings)
                .count();
            assert_eq!(
                line_repairs,
                usize::from(ending == LineEnding::Cr),
                "{}",
                path.display()
            );
            assert_eq!(source.kind, InputKind::Raw, "{}", path.display());
            // Where the LF copy holds the same text (a few upstream copies differ in content),
            // the messages must be byte for byte the same.
            let lf = bounces
                .join("bsd_lf")
                .join(path.file_name().unwrap_or_default());
            if lf.is_file() && same_text(path, &lf) {
                let original = read(&lf).unwrap_or_else(|e| panic!("{}: {e}", lf.display()));
                assert_eq!(original.line_ending, LineEnding::Lf);
                assert!(
                    original.message == source.message,
                    "{} and {} differ",
                    path.display(),
                    lf.display()
                );
                compared += 1;
            }
            seen += 1;
        }
    }
    println!("{seen} bare-CR and CRLF bounces checked, {compared} equal to their LF copy");
    assert!(seen > 0, "no bounce under {}", bounces.display());
    assert!(compared > 0, "no bounce compared with its LF copy");
}

/// Per-file listing for inspecting the corpus by hand:
/// `cargo test --test input_repair -- --ignored --nocapture`.
#[test]
#[ignore = "prints one line per corpus file; run by hand"]
fn corpus_report() {
    let Some(dir) = corpus() else { return };
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    for path in &paths {
        let shown = path.strip_prefix(&dir).unwrap_or(path).display();
        match read(path) {
            Ok(s) => {
                let repairs: Vec<String> = s
                    .repairs
                    .iter()
                    .map(|r| format!("{:?}: {}", r.kind, r.description))
                    .collect();
                println!(
                    "{shown}\tok {:?} {:?} headers_only={} claims={} {repairs:?}",
                    s.kind,
                    s.line_ending,
                    s.headers_only,
                    s.paste_claims.len()
                );
            }
            Err(e) => println!("{shown}\terr {e}"),
        }
    }
}
