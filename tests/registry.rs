//! Meta-tests that keep the rule registry honest: unique codes and names, the code and name
//! conventions, every teaching section present (message rules and the `mailtrace domain` rules),
//! and every message rule fired by at least one sample (domain rules: tests/domain.rs).

mod common;

use std::collections::{BTreeSet, HashSet};

use mailtrace::diagnose::{Rule, all_rules, lookup, rules::ALL};

/// Message rules and `mailtrace domain`'s: the conventions hold for both.
fn every_rule() -> Vec<&'static Rule> {
    all_rules().collect()
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    assert!(!ALL.is_empty());
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for r in every_rule() {
        assert!(codes.insert(r.code), "duplicate code {}", r.code);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        let (prefix, digits) = r.code.split_at(
            r.code
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(r.code.len()),
        );
        assert!(
            !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_uppercase()),
            "{}: code prefix",
            r.code
        );
        assert!(
            digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit()),
            "{}: code digits",
            r.code
        );
        assert!(
            r.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !r.name.starts_with('-')
                && !r.name.ends_with('-'),
            "{}: name {:?} is not kebab-case",
            r.code,
            r.name
        );
        assert!(
            !r.summary.ends_with('.'),
            "{}: summary ends with a period",
            r.code
        );
        assert_eq!(lookup(r.code).map(|x| x.name), Some(r.name));
        assert_eq!(lookup(r.name).map(|x| x.code), Some(r.code));
        assert_eq!(lookup(&r.code.to_lowercase()).map(|x| x.name), Some(r.name));
    }
}

#[test]
fn every_page_has_every_section() {
    for r in every_rule() {
        let page = r.page();
        for section in [
            "## What it means",
            "## Why it matters",
            "## Example",
            "## What to do",
            "## References",
        ] {
            assert!(
                page.contains(section),
                "{} {}: missing {section:?}",
                r.code,
                r.name
            );
        }
        assert!(page.contains("RFC"), "{}: references name no RFC", r.code);
        assert!(page.len() > 400, "{}: teaching page is too short", r.code);
    }
}

#[test]
fn every_rule_is_fired_by_a_sample() {
    let mut fired = BTreeSet::new();
    let samples = common::samples();
    assert!(!samples.is_empty());
    for path in samples {
        let report =
            common::analyze_bytes(&common::sample_name(&path), std::fs::read(&path).unwrap())
                .unwrap();
        for f in &report.findings {
            fired.insert(f.name);
        }
    }
    let unfired: Vec<&str> = ALL
        .iter()
        .map(|r| r.name)
        .filter(|n| !fired.contains(n))
        .collect();
    assert!(unfired.is_empty(), "rules fired by no sample: {unfired:?}");
}

#[test]
fn the_course_in_samples_readme_covers_every_sample_and_names_real_rules() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("samples/README.md")).unwrap();
    let start = readme.find("## A short course").expect("a course section");
    let end = readme[start..]
        .find("## Every sample")
        .map(|e| start + e)
        .expect("its end");
    let course = &readme[start..end];
    let quoted: Vec<&str> = course.split('`').skip(1).step_by(2).collect();
    for sample in common::samples() {
        let name = sample.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            quoted.contains(&name.as_str()),
            "the course never names {name}"
        );
    }
    let mut rules = 0;
    for word in quoted {
        let is_file = word.ends_with(".eml") || word.ends_with(".txt");
        let kebab = word.chars().all(|c| c.is_ascii_lowercase() || c == '-') && word.contains('-');
        if !is_file && kebab && !word.starts_with('-') {
            assert!(
                lookup(word).is_some(),
                "the course names {word:?}, which is no rule"
            );
            rules += 1;
        }
    }
    assert!(rules >= 30, "the course points at only {rules} rule pages");
}
