//! Spam-filter verdicts over the real messages of the shared corpus:
//! `../shared/corpus/phishing_pot/email/*.eml` (hundreds of Microsoft 365 deliveries, some
//! SpamAssassin, rspamd, Proofpoint and IronPort) and everything under
//! `../shared/corpus/parser_fixtures/` (SpamAssassin's own ham and spam), or the same under
//! `$MAILTRACE_CORPUS`.
//!
//! Prints, per vendor, how many verdict headers were found and how many verdicts decoded (and
//! their words), how many fields were left unknown and the most common unknown field names.
//! Asserts that nothing panics, that every `X-Forefront-Antispam-Report` (and its `-Untrusted`
//! copy) carrying SCL or SFV yields a verdict anchored on it that rests on SCL/SFV, and that at
//! least one message was read. `MAILTRACE_VERDICTS_DUMP=1` prints every verdict. When the corpus is absent the test prints a skip note and passes.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use mailtrace::Source;
use mailtrace::parse::HeaderField;
use mailtrace::verdicts::{self, Verdict};

/// The header names each vendor is recognised by (prefixes end in `*`).
const VENDOR_HEADERS: &[(&str, &[&str])] = &[
    (
        "microsoft",
        &[
            "X-Forefront-Antispam-Report",
            "X-Forefront-Antispam-Report-Untrusted",
            "X-Microsoft-Antispam",
            "X-Microsoft-Antispam-Untrusted",
            "X-MS-Exchange-Organization-SCL",
            "X-Microsoft-Antispam-Mailbox-Delivery",
        ],
    ),
    (
        "spamassassin",
        &[
            "X-Spam-Status",
            "X-Spam-Score",
            "X-Spam-Flag",
            "X-Spam-Report",
            "X-Spam_score",
        ],
    ),
    ("rspamd", &["X-Spamd-Result", "X-Rspamd-*"]),
    ("proofpoint", &["X-Proofpoint-*"]),
    ("mimecast", &["X-Mimecast-*"]),
    // IronPort-Data, -HdrOrdr, -PHdr, -SDR are encoded data with no verdict of their own
    ("ironport", &["X-IronPort-*", "X-SBRS", "X-Amp-*"]),
    ("barracuda", &["X-Barracuda-*"]),
];

fn matches(name: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => {
            name.len() >= prefix.len()
                && name.is_char_boundary(prefix.len())
                && name[..prefix.len()].eq_ignore_ascii_case(prefix)
        }
        None => name.eq_ignore_ascii_case(pattern),
    }
}

fn vendor_of(name: &str) -> Option<&'static str> {
    VENDOR_HEADERS
        .iter()
        .find(|(_, pats)| pats.iter().any(|p| matches(name, p)))
        .map(|(v, _)| *v)
}

fn corpus_files() -> Option<Vec<PathBuf>> {
    let root = common::corpus()?;
    let mut files: Vec<PathBuf> = Vec::new();
    let pot = root.join("phishing_pot/email");
    files.extend(
        common::files_under(&pot)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml")),
    );
    files.extend(
        common::files_under(&root.join("parser_fixtures"))
            .into_iter()
            .filter(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                !(name.starts_with("LICENSE") || name.starts_with("NOTICE"))
            }),
    );
    if files.is_empty() {
        println!("skip: no corpus messages under {}", root.display());
        return None;
    }
    Some(files)
}

fn headers_of(path: &PathBuf) -> Option<Vec<HeaderField>> {
    let bytes = std::fs::read(path).ok()?;
    let name = path.to_string_lossy().to_string();
    let source = Source::from_bytes(&name, bytes).ok()?;
    mailtrace::parse::parse(&source).ok().map(|p| p.headers)
}

/// A Forefront header with SCL or SFV must give a verdict anchored on it, resting on them.
fn forefront_problems(path: &str, headers: &[HeaderField], found: &[Verdict]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let forefront =
            h.is("X-Forefront-Antispam-Report") || h.is("X-Forefront-Antispam-Report-Untrusted");
        if !forefront {
            continue;
        }
        let has = |key: &str| {
            h.value.split(';').any(|p| {
                p.trim().split_once(':').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case(key) && !v.trim().is_empty()
                })
            })
        };
        if !(has("SCL") || has("SFV")) {
            continue;
        }
        match found.iter().find(|v| v.header_index == i) {
            None => out.push(format!("{path}: {} #{i} gave no verdict", h.name)),
            Some(v) if v.verdict == "unknown" => {
                out.push(format!("{path}: {} #{i} gave an unknown verdict", h.name))
            }
            Some(v) if !(v.basis.contains("SCL") || v.basis.contains("SFV")) => out.push(format!(
                "{path}: {} #{i}: verdict basis `{}` rests on neither SCL nor SFV",
                h.name, v.basis
            )),
            Some(_) => {}
        }
    }
    out
}

#[test]
fn verdicts_over_the_corpus() {
    let Some(files) = corpus_files() else {
        return;
    };
    let mut messages = 0usize;
    let mut unreadable = 0usize;
    // vendor -> (messages with its headers, header fields)
    let mut present: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    // vendor -> (verdicts, messages with a verdict, verdict words)
    let mut decoded: BTreeMap<String, (usize, usize, BTreeMap<String, usize>)> = BTreeMap::new();
    let mut fields_total = 0usize;
    let mut fields_unknown = 0usize;
    let mut unknown_names: HashMap<String, usize> = HashMap::new();
    let mut problems: Vec<String> = Vec::new();
    let mut forefront_checked = 0usize;
    // MAILTRACE_VERDICTS_DUMP=1 prints every verdict
    let dump = std::env::var_os("MAILTRACE_VERDICTS_DUMP").is_some();
    for path in &files {
        let Some(headers) = headers_of(path) else {
            unreadable += 1;
            continue;
        };
        messages += 1;
        let shown = path.to_string_lossy().to_string();
        let found = std::panic::catch_unwind(|| verdicts::decode(&headers));
        let found = match found {
            Ok(v) => v,
            Err(_) => {
                problems.push(format!("{shown}: decode panicked"));
                continue;
            }
        };
        let mut seen_vendor: BTreeMap<&str, usize> = BTreeMap::new();
        for h in &headers {
            if let Some(vendor) = vendor_of(&h.name) {
                *seen_vendor.entry(vendor).or_default() += 1;
            }
        }
        for (vendor, n) in seen_vendor {
            let e = present.entry(vendor).or_default();
            e.0 += 1;
            e.1 += n;
        }
        let mut vendors_here: Vec<&str> = Vec::new();
        for v in &found {
            if dump {
                println!(
                    "{shown}: {} {} [{}] {}",
                    v.vendor, v.verdict, v.basis, v.summary
                );
            }
            let e = decoded.entry(v.vendor.clone()).or_default();
            e.0 += 1;
            *e.2.entry(v.verdict.clone()).or_default() += 1;
            if !vendors_here.contains(&v.vendor.as_str()) {
                vendors_here.push(v.vendor.as_str());
                e.1 += 1;
            }
            for f in &v.fields {
                fields_total += 1;
                if !f.known {
                    fields_unknown += 1;
                    *unknown_names
                        .entry(format!("{} {}", v.vendor, f.name))
                        .or_default() += 1;
                }
            }
            assert!(v.header_index < headers.len(), "{shown}");
            assert!(v.related.iter().all(|&i| i < headers.len()), "{shown}");
            assert!(!v.summary.is_empty(), "{shown}: empty summary");
        }
        forefront_checked += headers
            .iter()
            .filter(|h| {
                h.is("X-Forefront-Antispam-Report") || h.is("X-Forefront-Antispam-Report-Untrusted")
            })
            .count();
        problems.extend(forefront_problems(&shown, &headers, &found));
    }
    println!("verdicts corpus: {messages} messages read, {unreadable} unreadable");
    println!("vendor headers present (messages, header fields):");
    for (vendor, (m, n)) in &present {
        println!("  {vendor:<13} {m:>4} messages, {n:>5} headers");
    }
    println!("verdicts decoded (verdicts, messages, words):");
    for (vendor, (n, m, words)) in &decoded {
        let words: Vec<String> = words.iter().map(|(w, c)| format!("{w} {c}")).collect();
        println!(
            "  {vendor:<13} {n:>4} verdicts in {m:>4} messages: {}",
            words.join(", ")
        );
    }
    println!(
        "fields: {fields_total} decoded, {fields_unknown} unknown ({:.1}%)",
        100.0 * fields_unknown as f64 / fields_total.max(1) as f64
    );
    let mut top: Vec<(String, usize)> = unknown_names.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("top unknown fields:");
    for (name, n) in top.iter().take(25) {
        println!("  {n:>5}  {name}");
    }
    println!("Forefront headers checked: {forefront_checked}");
    assert!(messages > 0, "no corpus message could be read");
    // every vendor whose headers are present must decode into verdicts in the same messages
    for (vendor, (m, _)) in &present {
        let got = decoded.get(*vendor).map(|d| d.1).unwrap_or(0);
        assert!(
            got * 10 >= m * 9,
            "{vendor}: headers in {m} messages, verdicts in only {got}"
        );
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
