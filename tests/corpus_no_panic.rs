//! Every file of ../shared/corpus through the whole analyse path: no panic, and an Ok report or
//! a clean error for each. Prints what it saw.

mod common;

use std::collections::BTreeMap;

#[test]
fn no_panic_on_any_corpus_file() {
    let Some(dir) = common::corpus() else { return };
    let files = common::files_under(&dir);
    assert!(!files.is_empty(), "corpus folder is empty");
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut hops = 0usize;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let result =
            std::panic::catch_unwind(|| common::analyze_bytes(&path.display().to_string(), bytes));
        match result {
            Ok(Ok(report)) => {
                hops += report.hops.len();
                // the renderers must cope with whatever the analysis produced
                let _ = mailtrace::render::text::render(&report, &Default::default());
                let _ = mailtrace::render::markdown::render(&report, true);
                *outcomes.entry("analysed".into()).or_default() += 1;
            }
            Ok(Err(e)) => {
                let kind = format!("error: {}", e.to_string().split(':').next().unwrap_or(""));
                *outcomes.entry(kind).or_default() += 1;
            }
            Err(_) => panic!("panic while analysing {}", path.display()),
        }
    }
    eprintln!("corpus: {} files, {hops} hops; {outcomes:?}", files.len());
    assert!(outcomes.get("analysed").copied().unwrap_or(0) > files.len() / 2);
}
