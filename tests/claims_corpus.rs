//! The claims reader against `../shared/corpus/authentication_results/*.jsonl` (or
//! `$MAILTRACE_CORPUS/authentication_results`): 400 real Authentication-Results and
//! ARC-Authentication-Results headers harvested from the corpus plus the 23 header strings of
//! PyPI authres 1.2.0's doctests, each with how authres 1.2.0 parsed it (or its error).
//!
//! - Where authres parsed the header, our `method=result` list must equal its results, and our
//!   authserv-id (and ARC instance) must equal its own where it had one. The agreement rate is
//!   printed and a floor asserted.
//! - Where authres rejected the header (71 real headers: Microsoft 365 without an authserv-id,
//!   legacy Yahoo `from=...; domainkeys=...`, SpamAssassin `header.From=`, misplaced AAR `i=`,
//!   garbage), every `method=result` pair present in the header must still be extracted. A pair
//!   is counted independently of the parser: comments and quoted strings removed, a
//!   `word=word` that stands between separators, the left word not a known modifier
//!   (`reason`, `action`, `i`, Received-SPF keys).
//!
//! When the corpus is absent the tests print a skip note and pass.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mailtrace::auth::claims::{Claim, parse_claims};
use mailtrace::parse::HeaderField;
use serde_json::Value;

/// `$MAILTRACE_CORPUS/authentication_results`, else `<crate>/../shared/corpus/...`.
fn corpus_dir() -> Option<PathBuf> {
    let corpus = std::env::var_os("MAILTRACE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let dir = corpus.join("authentication_results");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skip: corpus not found at {}", dir.display());
        None
    }
}

/// Every row of every `*.jsonl` file, with its file name.
fn rows(dir: &Path) -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus dir readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("jsonl readable");
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).expect("valid JSON line");
            out.push((name.clone(), v));
        }
    }
    out
}

/// A raw `Name: value` header (LF folding) as the parser's field.
fn field(raw: &str) -> HeaderField {
    let (name, value) = raw.split_once(':').unwrap_or((raw, ""));
    let unfolded = value.replace("\r\n", "").replace('\n', "");
    HeaderField {
        name: name.trim_end().to_string(),
        value: unfolded.trim().to_string(),
        span: 0..raw.len(),
    }
}

fn ours(raw: &str) -> Vec<Claim> {
    parse_claims(&[field(raw)])
}

/// `method=result` pairs a reader can see in the header, counted without our parser.
fn visible_pairs(raw: &str) -> Vec<(String, String)> {
    let value = raw.split_once(':').map(|(_, v)| v).unwrap_or(raw);
    // drop comments (nested) and quoted strings
    let mut plain = String::new();
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if depth > 0 || quoted => escaped = true,
            '"' if depth == 0 => {
                quoted = !quoted;
                plain.push(' ');
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                plain.push(' ');
            }
            _ if depth > 0 || quoted => {}
            _ => plain.push(c),
        }
    }
    let re = regex::Regex::new(
        r"(?i)(?:^|[\s;])([a-z][a-z0-9_-]*)(?:/[0-9]+)?\s*=\s*([a-z][a-z0-9_-]*)(?:[\s;]|$)",
    )
    .expect("regex");
    const MODIFIERS: &[&str] = &[
        "reason",
        "action",
        "i",
        "from",
        "client-ip",
        "envelope-from",
        "helo",
        "receiver",
        "identity",
        "mechanism",
        "problem",
    ];
    let mut out = Vec::new();
    // the regex consumes the separator after a value; scan from each match's value end
    let mut at = 0;
    while let Some(c) = re.captures_at(&plain, at) {
        let (Some(whole), Some(m), Some(r)) = (c.get(0), c.get(1), c.get(2)) else {
            break;
        };
        let method = m.as_str().to_ascii_lowercase();
        if !MODIFIERS.contains(&method.as_str()) {
            out.push((method, r.as_str().to_ascii_lowercase()));
        }
        at = r.end().max(whole.start() + 1);
    }
    out
}

fn expected_pairs(results: &Value) -> Vec<(String, String)> {
    results
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["method"].as_str().unwrap_or("").to_ascii_lowercase(),
                        r["result"].as_str().unwrap_or("").to_ascii_lowercase(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn expected_properties(results: &Value) -> Vec<Vec<(String, String)>> {
    results
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    r["properties"]
                        .as_array()
                        .map(|ps| {
                            ps.iter()
                                .map(|p| {
                                    (
                                        format!(
                                            "{}.{}",
                                            p["type"].as_str().unwrap_or(""),
                                            p["name"].as_str().unwrap_or("")
                                        )
                                        .to_ascii_lowercase(),
                                        p["value"].as_str().unwrap_or("").to_string(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A `method=result` pair as written in the table below.
type Pair = (&'static str, &'static str);

/// Documented disagreements with authres: (a piece of the raw header, our `method=result`
/// list, why we differ). Each must still hold exactly, so a change is noticed.
const EXCEPTIONS: &[(&str, &[Pair], &str)] = &[
    (
        "xp1.example.co.jp;",
        &[("dkim", "pass"), ("dkim", "pass")],
        "the server folded two dkim results onto separate lines without the `;` between them; \
         authres silently drops the second, we keep both: the header reports two signatures",
    ),
    (
        "fmail.merida.gob.mx;",
        &[
            ("spf", "pass"),
            ("dkim", "pass"),
            ("dkim", "pass"),
            ("dmarc", "pass"),
        ],
        "`dkim=pass header.i=@amazonses.com` and `dkim=pass header.i=@voicemailbox.online` are \
         folded without a `;`; authres drops the second signature's result, we keep it",
    ),
];

#[test]
fn claims_agree_with_authres_where_it_parses() {
    let Some(dir) = corpus_dir() else { return };
    let rows = rows(&dir);
    let (mut total, mut agree_results, mut id_total, mut id_agree) = (0, 0, 0, 0);
    let (mut prop_total, mut prop_agree, mut exceptions) = (0, 0, 0);
    let mut misses = Vec::new();
    for (file, row) in &rows {
        let parsed = &row["authres_1_2_0"];
        if parsed.get("error").is_some() {
            continue;
        }
        let raw = row["raw"].as_str().unwrap_or("");
        let claims = ours(raw);
        total += 1;
        let got: Vec<(String, String)> = claims
            .iter()
            .map(|c| (c.method.clone(), c.result.clone()))
            .collect();
        let want = expected_pairs(&parsed["results"]);
        if let Some(id) = parsed["authserv_id"].as_str()
            && !claims.is_empty()
        {
            id_total += 1;
            // an instance given by authres must match too
            let instance_ok = parsed["instance"]
                .as_u64()
                .is_none_or(|i| claims.iter().all(|c| c.instance == Some(i as u32)));
            if claims.iter().all(|c| c.authserv_id.as_deref() == Some(id)) {
                if instance_ok {
                    id_agree += 1;
                } else {
                    misses.push(format!("{file}: {raw:?}\n    instance differs"));
                }
            } else {
                misses.push(format!(
                    "{file}: {raw:?}\n    authserv-id ours {:?} authres {id:?}",
                    claims.first().and_then(|c| c.authserv_id.clone())
                ));
            }
        }
        let exception = EXCEPTIONS.iter().find(|(piece, _, _)| raw.contains(piece));
        if let Some((_, documented, why)) = exception {
            let documented: Vec<(String, String)> = documented
                .iter()
                .map(|(m, r)| (m.to_string(), r.to_string()))
                .collect();
            assert_eq!(got, documented, "documented exception changed: {raw:?}");
            exceptions += 1;
            println!(
                "exception (documented): {raw:?}\n    ours {got:?} authres {want:?}\n    why: {why}"
            );
            continue;
        }
        if got == want {
            agree_results += 1;
        } else {
            misses.push(format!(
                "{file}: {raw:?}\n    ours {got:?}\n    authres {want:?}"
            ));
        }
        if got == want {
            for (claim, props) in claims.iter().zip(expected_properties(&parsed["results"])) {
                prop_total += 1;
                // authres models `ptype.property` only; other keys we keep are not compared
                let dotted: Vec<(String, String)> = claim
                    .properties
                    .iter()
                    .filter(|(k, _)| k.contains('.'))
                    .cloned()
                    .collect();
                if dotted == props {
                    prop_agree += 1;
                } else {
                    misses.push(format!(
                        "{file}: {raw:?}\n    properties ours {:?} authres {props:?}",
                        claim.properties
                    ));
                }
            }
        }
    }
    for m in &misses {
        println!("disagree: {m}");
    }
    let pct = |a: usize, t: usize| 100.0 * a as f64 / t.max(1) as f64;
    println!(
        "claims vs authres 1.2.0: method/result {agree_results}/{total} ({:.1}%, plus \
         {exceptions} documented exceptions), authserv-id {id_agree}/{id_total} ({:.1}%), properties {prop_agree}/{prop_total} ({:.1}%)",
        pct(agree_results, total),
        pct(id_agree, id_total),
        pct(prop_agree, prop_total)
    );
    assert!(total >= 300, "expected the corpus rows to run, ran {total}");
    assert_eq!(
        exceptions,
        EXCEPTIONS.len(),
        "every documented exception must be met"
    );
    assert_eq!(
        agree_results + exceptions,
        total,
        "method/result must agree everywhere but the documented exceptions"
    );
    assert_eq!(id_agree, id_total, "authserv-id must agree everywhere");
    assert!(
        pct(prop_agree, prop_total) >= 99.0,
        "properties agreement fell below the floor"
    );
}

#[test]
fn claims_extract_every_pair_where_authres_fails() {
    let Some(dir) = corpus_dir() else { return };
    let rows = rows(&dir);
    let (mut headers, mut real, mut pairs, mut found) = (0, 0, 0, 0);
    let mut missing = Vec::new();
    for (file, row) in &rows {
        if row["authres_1_2_0"].get("error").is_none() {
            continue;
        }
        let raw = row["raw"].as_str().unwrap_or("");
        headers += 1;
        if file.starts_with("real-headers") {
            real += 1;
        }
        let claims = ours(raw);
        let mut have: HashMap<(String, String), usize> = HashMap::new();
        for c in &claims {
            *have
                .entry((c.method.clone(), c.result.clone()))
                .or_default() += 1;
        }
        for pair in visible_pairs(raw) {
            pairs += 1;
            match have.get_mut(&pair) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    found += 1;
                }
                _ => missing.push(format!("{file}: {raw:?}: {pair:?} not extracted")),
            }
        }
    }
    for m in &missing {
        println!("missing: {m}");
    }
    println!(
        "headers authres rejects: {headers} ({real} real, {} authres doctests); method=result \
         pairs present {pairs}, extracted {found}",
        headers - real
    );
    assert_eq!(real, 71, "the 71 real headers authres rejects");
    assert!(
        headers >= 70,
        "expected the rejected rows to run, ran {headers}"
    );
    assert!(pairs > 100, "expected pairs to count, counted {pairs}");
    assert_eq!(
        found, pairs,
        "every visible method=result pair must be extracted"
    );
}

/// Every Received-SPF header in the corpus messages (Microsoft 365's `Pass
/// (protection.outlook.com: domain of x designates 1.2.3.4 as permitted sender)
/// receiver=...; client-ip=...`, Google's, RFC 7208's) gives one `spf` claim whose result is
/// the header's first word, with its client-ip when the header has one; no message makes the
/// reader panic.
#[test]
fn received_spf_in_corpus_messages() {
    let corpus = std::env::var_os("MAILTRACE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if !corpus.is_dir() {
        println!("skip: corpus not found at {}", corpus.display());
        return;
    }
    let mut stack = vec![corpus];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "eml") {
                files.push(path);
            }
        }
    }
    files.sort();
    let (mut headers, mut agree, mut with_ip) = (0, 0, 0);
    let mut misses = Vec::new();
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(source) = mailtrace::input::read(&path.to_string_lossy(), bytes) else {
            continue;
        };
        let Ok(parsed) = mailtrace::parse::parse(&source) else {
            continue;
        };
        let claims = parse_claims(&parsed.headers);
        for (index, h) in parsed.headers.iter().enumerate() {
            if !h.is("Received-SPF") {
                continue;
            }
            let Some(word) = h.value.split_whitespace().next() else {
                continue;
            };
            let word = word.to_ascii_lowercase();
            if !matches!(
                word.as_str(),
                "pass" | "fail" | "softfail" | "neutral" | "none" | "temperror" | "permerror"
            ) {
                continue;
            }
            headers += 1;
            let mine: Vec<&Claim> = claims.iter().filter(|c| c.header_index == index).collect();
            let ip_written = h.value.to_ascii_lowercase().contains("client-ip=");
            let ok = mine.len() == 1
                && mine[0].method == "spf"
                && mine[0].result == word
                && (!ip_written || mine[0].properties.iter().any(|(k, _)| k == "client-ip"));
            if ok {
                agree += 1;
                if ip_written {
                    with_ip += 1;
                }
            } else {
                misses.push(format!("{}: {:?} -> {mine:?}", path.display(), h.value));
            }
        }
    }
    for m in &misses {
        println!("received-spf miss: {m}");
    }
    println!(
        "received-spf: {agree}/{headers} read (result word, one claim; {with_ip} with client-ip) \
         over {} messages",
        files.len()
    );
    assert!(
        headers > 100,
        "expected Received-SPF headers, found {headers}"
    );
    assert_eq!(agree, headers, "every Received-SPF header must be read");
}
