//! Every input in tests/fixtures/fuzz-regressions/ (crashes the fuzzers found, and a replay set
//! from their corpus) goes through the whole analysis and every renderer without a panic;
//! `.zone` files go through the zone-file reader. See the README there and scripts/fuzz.sh.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use mailtrace::auth::dns::ZoneResolver;
use mailtrace::render;

#[test]
fn every_regression_input_is_handled_without_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("the regression folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no input in {}", dir.display());
    let options = common::options();
    let mut panics = Vec::new();
    for path in &inputs {
        let bytes = std::fs::read(path).expect("read");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if path.extension().is_some_and(|e| e == "zone") {
                let mut zones = ZoneResolver::new();
                let _ = zones.load_str("regression.zone", &String::from_utf8_lossy(&bytes));
                return;
            }
            let Ok(source) = mailtrace::Source::from_bytes("regression", bytes) else {
                return;
            };
            if let Ok(report) = mailtrace::analyze(&source, &options) {
                let _ = render::json::render(&report);
                let _ = render::text::render(&report, &render::TextStyle::default());
                let _ = render::markdown::render(&report, true);
                let _ =
                    render::html::render(&report, &source, &render::html::HtmlOptions::default());
            }
        }));
        if outcome.is_err() {
            panics.push(path.display().to_string());
        }
    }
    assert!(panics.is_empty(), "panicked on {panics:?}");
}
