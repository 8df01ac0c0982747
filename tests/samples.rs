//! The samples corpus: text and JSON snapshots per sample, LF and CRLF giving the same analysis,
//! and each sample checked against the facts its author wrote in samples/expected/.

mod common;

use common::*;
use mailtrace::render::{self, TextStyle};
use serde_json::Value;

#[test]
fn snapshots_text_and_json() {
    let samples = samples();
    assert!(
        samples.len() >= 12,
        "expected at least 12 samples, found {}",
        samples.len()
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/samples");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for path in &samples {
            let name = sample_name(path);
            let stem = path.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(path).unwrap();
            match analyze_bytes(&name, bytes) {
                Ok(report) => {
                    insta::assert_snapshot!(
                        format!("{stem}.text"),
                        render::text::render(&report, &TextStyle::default())
                    );
                    insta::assert_snapshot!(format!("{stem}.json"), render::json::render(&report));
                }
                Err(e) => insta::assert_snapshot!(format!("{stem}.error"), e.to_string()),
            }
        }
    });
}

/// The analysis as facts that must not depend on line endings.
fn facts(report: &mailtrace::Report) -> Value {
    let mut v = serde_json::to_value(report).unwrap();
    let hops: Vec<Value> = v["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            serde_json::json!([
                h["from_ip"],
                h["by_host"],
                h["from_host"],
                h["helo"],
                h["timestamp"],
                h["delay_seconds"],
                h["side"]
            ])
        })
        .collect();
    let findings: Vec<Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| serde_json::json!([f["code"], f["hop"], f["message"]]))
        .collect();
    v["source"] = Value::Null;
    serde_json::json!({"hops": hops, "findings": findings, "boundary": v["boundary"], "message": v["message"]})
}

#[test]
fn lf_and_crlf_give_the_same_analysis() {
    let mut checked = 0;
    for path in samples() {
        let bytes = std::fs::read(&path).unwrap();
        let name = sample_name(&path);
        let lf = analyze_bytes(&name, to_lf(&bytes)).unwrap();
        let crlf = analyze_bytes(&name, to_crlf(&to_lf(&bytes))).unwrap();
        assert_eq!(facts(&lf), facts(&crlf), "{name}: LF and CRLF differ");
        checked += 1;
    }
    assert!(checked >= 12);
}

#[test]
fn samples_match_their_expected_facts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/expected");
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in samples() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let expected_path = dir.join(format!("{stem}.json"));
        let Ok(text) = std::fs::read_to_string(&expected_path) else {
            problems.push(format!("{stem}: no samples/expected/{stem}.json"));
            continue;
        };
        let expected: Value = serde_json::from_str(&text).unwrap();
        let report = analyze_bytes(&sample_name(&path), std::fs::read(&path).unwrap()).unwrap();
        let got = serde_json::to_value(&report).unwrap();
        let want_hops = expected["hops"].as_array().unwrap();
        let got_hops = got["hops"].as_array().unwrap();
        if want_hops.len() != got_hops.len() {
            problems.push(format!(
                "{stem}: {} hops expected, {} found",
                want_hops.len(),
                got_hops.len()
            ));
        } else {
            for (i, (w, g)) in want_hops.iter().zip(got_hops).enumerate() {
                for key in ["from_ip", "by_host", "timestamp", "delay_seconds"] {
                    if let Some(wv) = w.get(key) {
                        let gv = &g[key];
                        let same = match (wv, gv) {
                            (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
                            _ => wv == gv,
                        };
                        if !same {
                            problems.push(format!(
                                "{stem}: hop {} {key}: expected {wv}, got {gv}",
                                i + 1
                            ));
                        }
                    }
                }
            }
        }
        // a null boundary indexes to null, so "no boundary expected" compares equal too
        if let Some(b) = expected.get("boundary_hop")
            && b != &got["boundary"]["hop"]
        {
            problems.push(format!(
                "{stem}: boundary expected at hop {b}, got {}",
                got["boundary"]["hop"]
            ));
        }
        // authentication facts, where the sample's author wrote them (dkimpy/pyspf-confirmed)
        if let Some(want) = expected.get("dkim").and_then(Value::as_array) {
            let have = got["dkim"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            if want.len() != have.len() {
                problems.push(format!(
                    "{stem}: {} DKIM signatures expected, {} checked",
                    want.len(),
                    have.len()
                ));
            }
            for (i, (w, g)) in want.iter().zip(have).enumerate() {
                problems.extend(compare_fields(&stem, &format!("dkim[{i}]"), w, g));
            }
        }
        for key in ["spf", "dmarc", "arc"] {
            if let Some(w) = expected.get(key) {
                problems.extend(compare_fields(&stem, key, w, &got[key]));
            }
        }
        let got_names: Vec<&str> = got["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["name"].as_str())
            .collect();
        for want in expected["findings"].as_array().unwrap() {
            let want = want.as_str().unwrap();
            if !got_names.contains(&want) {
                problems.push(format!(
                    "{stem}: finding {want} expected, not produced (got {got_names:?})"
                ));
            }
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} samples had expectations");
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every field the expectation names must be equal in the report.
fn compare_fields(stem: &str, what: &str, want: &Value, got: &Value) -> Vec<String> {
    let Some(fields) = want.as_object() else {
        return vec![format!("{stem}: {what}: expectation is not an object")];
    };
    fields
        .iter()
        .filter(|(k, _)| !k.starts_with("dkimpy"))
        .filter(|(k, v)| &got[k.as_str()] != *v)
        .map(|(k, v)| format!("{stem}: {what}.{k}: expected {v}, got {}", got[k.as_str()]))
        .collect()
}
