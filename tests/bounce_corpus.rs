//! Bounces, auto-replies and feedback reports of ../shared/corpus/bounces (or
//! `$MAILTRACE_CORPUS/bounces`) through the whole analyse path (`Source::from_bytes` +
//! `analyze` with `Options::default()` and a fixed `now`).
//!
//! - `bsd_lf/` (629 real bounces from about 75 MTAs, from sisimai's set-of-emails) against the
//!   reference analysis `sisimai-4.25.15-analysis.jsonl`: agreement on the enhanced status code
//!   and on the reason class, printed, with floors (status at least 95 %, reason at least 80 %
//!   on the classes that map). The reference is not ground truth: where mailtrace and sisimai
//!   disagree, the list printed by this test says on which file, and several of those are
//!   sisimai's choices (see the mapping table).
//! - `not_bounce/` is never called a bounce.
//! - `dos_crlf/` and `mac_cr/` copies give the same reports as their `bsd_lf/` twins.
//! - `flanker/` bounces are bounces, its complaints and the ARF files of `arf-stalwart-mail-auth/`
//!   are feedback reports with the right feedback type.
//!
//! Absent corpus: a printed note, and the tests pass.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use mailtrace::reports::{DeliveryReport, ReportKind};
use mailtrace::{Options, Report, Source};
use serde_json::Value;

/// How sisimai's reason names map to mailtrace's classes. Only these sisimai reasons are
/// compared; a set means sisimai's class covers several of ours.
///
/// | sisimai | mailtrace | why |
/// |---|---|---|
/// | userunknown | user-unknown | |
/// | mailboxfull | mailbox-full | |
/// | suspend | mailbox-disabled | |
/// | hostunknown, notaccept | host-unknown | notaccept = the domain has no (or a null) MX |
/// | networkerror | network-error, host-unknown | sisimai files DNS answers, NXDOMAIN included, under networkerror; mailtrace calls a domain that does not exist host-unknown |
/// | expired | expired-in-queue | |
/// | mesgtoobig, exceedlimit | message-too-large | |
/// | norelaying | relay-denied | |
/// | toomanyconn | rate-limited | |
/// | spamdetected | spam-rejection | |
/// | virusdetected, contenterror | content-rejection | |
/// | securityerror | authentication-failure | sisimai's class for SPF/DKIM/SMTP-AUTH failures |
/// | rejected | policy-rejection | the sender (envelope or domain) was refused |
/// | blocked | policy-rejection, spam-rejection | refused for the sending IP or host: blocklists (spam) or rules such as reverse DNS (policy) |
/// | policyviolation | policy-rejection, dmarc-rejection, content-rejection | sisimai's class holds "not accepted for policy reasons", DMARC-policy texts and message-format rules ("multiple addresses in From:") |
///
/// Not compared (no counterpart): filtered (sisimai's name for a rejection after DATA, whatever
/// the text says; most of its files say "User unknown"), onhold, undefined, systemerror,
/// systemfull, mailererror, syntaxerror, hasmoved, delivered, vacation, feedback (the last three
/// are compared as kinds and actions instead).
const REASON_MAP: &[(&str, &[&str])] = &[
    ("userunknown", &["user-unknown"]),
    ("mailboxfull", &["mailbox-full"]),
    ("suspend", &["mailbox-disabled"]),
    ("hostunknown", &["host-unknown"]),
    ("notaccept", &["host-unknown"]),
    ("networkerror", &["network-error", "host-unknown"]),
    ("expired", &["expired-in-queue"]),
    ("mesgtoobig", &["message-too-large"]),
    ("exceedlimit", &["message-too-large"]),
    ("norelaying", &["relay-denied"]),
    ("toomanyconn", &["rate-limited"]),
    ("spamdetected", &["spam-rejection"]),
    ("virusdetected", &["content-rejection"]),
    ("contenterror", &["content-rejection"]),
    ("securityerror", &["authentication-failure"]),
    ("rejected", &["policy-rejection"]),
    ("blocked", &["policy-rejection", "spam-rejection"]),
    (
        "policyviolation",
        &["policy-rejection", "dmarc-rejection", "content-rejection"],
    ),
];

fn options() -> Options {
    Options {
        now: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        ..Options::default()
    }
}

fn bounces_dir() -> Option<PathBuf> {
    let dir = common::corpus()?.join("bounces");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} not found; skipping bounce corpus cases",
            dir.display()
        );
        None
    }
}

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The whole analyse path, panics caught and reported with the file name.
fn analyze(path: &Path) -> Option<Report> {
    let bytes = std::fs::read(path).unwrap();
    let name = path.display().to_string();
    let result = std::panic::catch_unwind(|| {
        Source::from_bytes(&name, bytes).and_then(|s| mailtrace::analyze(&s, &options()))
    });
    match result {
        Ok(Ok(report)) => Some(report),
        Ok(Err(e)) => {
            eprintln!("{name}: not analysable: {e}");
            None
        }
        Err(_) => panic!("panic while analysing {name}"),
    }
}

fn bounces(report: &Report) -> Vec<&DeliveryReport> {
    report.reports.iter().filter(|r| r.is_bounce()).collect()
}

/// The reference records per (dir, file).
fn reference(dir: &Path) -> BTreeMap<(String, String), Vec<Value>> {
    let text = std::fs::read_to_string(dir.join("sisimai-4.25.15-analysis.jsonl"))
        .expect("sisimai-4.25.15-analysis.jsonl");
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("a JSON line");
        let key = (
            v["dir"].as_str().unwrap_or("").to_string(),
            v["file"].as_str().unwrap_or("").to_string(),
        );
        let records = v["records"].as_array().cloned().unwrap_or_default();
        out.insert(key, records);
    }
    out
}

/// sisimai's own pseudo codes (`5.0.9xx`): "no code in the text, here is our guess".
fn is_pseudo(code: &str) -> bool {
    let parts: Vec<&str> = code.split('.').collect();
    parts.len() == 3 && parts[1] == "0" && parts[2].len() == 3 && parts[2].starts_with('9')
}

/// Our entry for a reference record: same recipient, or the only entry for the only record.
fn matching<'a>(
    ours: &[&'a DeliveryReport],
    record: &Value,
    records: usize,
) -> Option<&'a DeliveryReport> {
    let want = record["recipient"]
        .as_str()
        .unwrap_or("")
        .to_ascii_lowercase();
    ours.iter()
        .copied()
        .find(|e| {
            e.recipient
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(&want))
        })
        .or_else(|| (ours.len() == 1 && records == 1).then(|| ours[0]))
}

#[derive(Default)]
struct Tally {
    agree: usize,
    total: usize,
    misses: Vec<String>,
}

impl Tally {
    fn count(&mut self, ok: bool, note: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.agree += 1;
        } else {
            self.misses.push(note());
        }
    }

    fn rate(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.agree as f64 / self.total as f64
        }
    }
}

#[test]
fn sisimai_agreement_on_bsd_lf() {
    let Some(dir) = bounces_dir() else { return };
    let reference = reference(&dir);
    let files = eml_files(&dir.join("bsd_lf"));
    assert!(
        files.len() >= 600,
        "expected the 629 bsd_lf bounces, found {}",
        files.len()
    );

    let mut status = Tally::default();
    let mut pseudo = Tally::default();
    let mut reason = Tally::default();
    let mut recipient = Tally::default();
    let mut filtered: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_class: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut with_original = 0usize;
    let mut analysed = 0usize;
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(report) = analyze(path) else {
            continue;
        };
        analysed += 1;
        if report.original.is_some() {
            with_original += 1;
        }
        for r in &report.reports {
            let k = serde_json::to_value(r.kind).unwrap();
            *kinds
                .entry(k.as_str().unwrap_or("").to_string())
                .or_default() += 1;
        }
        let ours = bounces(&report);
        let records = reference
            .get(&("bsd_lf".to_string(), file.clone()))
            .cloned()
            .unwrap_or_default();
        for record in &records {
            let their_reason = record["reason"].as_str().unwrap_or("");
            if matches!(their_reason, "feedback" | "vacation") {
                continue;
            }
            let entry = matching(&ours, record, records.len());
            let want_rcpt = record["recipient"]
                .as_str()
                .unwrap_or("")
                .to_ascii_lowercase();
            recipient.count(
                entry.is_some_and(|e| e.recipient.as_deref() == Some(want_rcpt.as_str())),
                || {
                    format!(
                        "{file}: recipient {want_rcpt}, ours {:?}",
                        entry.and_then(|e| e.recipient.clone())
                    )
                },
            );
            let theirs = record["deliverystatus"].as_str().unwrap_or("");
            let ours_status = entry.and_then(|e| e.status.clone());
            if !theirs.is_empty() {
                if is_pseudo(theirs) {
                    pseudo.count(
                        ours_status
                            .as_deref()
                            .is_some_and(|s| s.get(..1) == theirs.get(..1)),
                        || {
                            format!(
                                "{file}: class of {theirs} ({their_reason}), ours {ours_status:?}"
                            )
                        },
                    );
                } else {
                    status.count(ours_status.as_deref() == Some(theirs), || {
                        format!(
                            "{file}: status {theirs}, ours {ours_status:?} ({:?})",
                            entry
                                .and_then(|e| e.diagnostic.clone())
                                .map(|d| d.chars().take(120).collect::<String>())
                        )
                    });
                }
            }
            let ours_reason = entry.and_then(|e| e.reason.clone()).unwrap_or_default();
            if their_reason == "filtered" {
                *filtered.entry(ours_reason.clone()).or_default() += 1;
            }
            if let Some((_, mapped)) = REASON_MAP.iter().find(|(s, _)| *s == their_reason) {
                let ok = mapped.contains(&ours_reason.as_str());
                let slot = per_class.entry(their_reason.to_string()).or_default();
                slot.0 += usize::from(ok);
                slot.1 += 1;
                reason.count(ok, || {
                    format!(
                        "{file}: reason {their_reason}, ours {ours_reason:?} [{}] ({:?})",
                        ours_status.clone().unwrap_or_default(),
                        entry
                            .and_then(|e| e.diagnostic.clone())
                            .map(|d| d.chars().take(140).collect::<String>())
                    )
                });
            }
        }
    }
    println!(
        "bsd_lf: {} files, {analysed} analysed; report kinds {kinds:?}; {with_original} with the returned original analysed",
        files.len()
    );
    println!(
        "status code: {}/{} = {:.1} % agree with sisimai (records whose reference code is an RFC 3463 code)",
        status.agree,
        status.total,
        status.rate()
    );
    println!(
        "status class: {}/{} = {:.1} % agree where sisimai gives its private X.0.9xx code (no code in the text)",
        pseudo.agree,
        pseudo.total,
        pseudo.rate()
    );
    println!(
        "reason: {}/{} = {:.1} % agree on the sisimai classes that map",
        reason.agree,
        reason.total,
        reason.rate()
    );
    println!(
        "recipient: {}/{} = {:.1} % agree",
        recipient.agree,
        recipient.total,
        recipient.rate()
    );
    println!("sisimai 'filtered' (not compared) is, for mailtrace: {filtered:?}");
    println!("reason agreement per sisimai class (agree/compared):");
    for (name, (agree, total)) in &per_class {
        println!("  {name:<16} {agree:>3}/{total:<3}");
    }
    for (name, t) in [
        ("status", &status),
        ("status class", &pseudo),
        ("reason", &reason),
        ("recipient", &recipient),
    ] {
        for m in &t.misses {
            println!("  {name} differs: {m}");
        }
    }
    let all_agree = status.agree + pseudo.agree;
    let all_total = status.total + pseudo.total;
    let all_rate = 100.0 * all_agree as f64 / all_total.max(1) as f64;
    println!(
        "status over every record with a reference status: {all_agree}/{all_total} = {all_rate:.1} % (exact code, or the class for sisimai's private codes)"
    );
    assert!(
        status.total >= 400,
        "only {} status records compared",
        status.total
    );
    assert!(
        reason.total >= 400,
        "only {} reason records compared",
        reason.total
    );
    assert!(
        status.rate() >= 95.0,
        "status agreement {:.1} % < 95 %",
        status.rate()
    );
    assert!(
        all_rate >= 95.0,
        "status agreement over all records {all_rate:.1} % < 95 %"
    );
    assert!(
        reason.rate() >= 80.0,
        "reason agreement {:.1} % < 80 %",
        reason.rate()
    );
}

#[test]
fn not_bounce_is_never_a_bounce() {
    let Some(dir) = bounces_dir() else { return };
    let files = eml_files(&dir.join("not_bounce"));
    assert_eq!(files.len(), 3, "not_bounce/ holds 3 messages");
    for path in &files {
        let report = analyze(path).expect("analysable");
        let b = bounces(&report);
        assert!(b.is_empty(), "{}: called a bounce: {b:?}", path.display());
    }
}

/// The facts of the reports that must not depend on line endings.
fn facts(report: &Report) -> Vec<String> {
    report
        .reports
        .iter()
        .map(|r| {
            format!(
                "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                r.kind, r.recipient, r.action, r.status, r.reason, r.remote_mta, r.diagnostic
            )
        })
        .collect()
}

/// The same message with other line endings must give the same reports: dos_crlf/ and mac_cr/
/// against their bsd_lf/ twins where both exist, and mac_cr/ (bare CR) against dos_crlf/ (the
/// same ten messages).
#[test]
fn line_endings_give_the_same_reports() {
    let Some(dir) = bounces_dir() else { return };
    let mut compared = 0;
    let mut pairs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for sub in ["dos_crlf", "mac_cr"] {
        for path in eml_files(&dir.join(sub)) {
            let twin = dir.join("bsd_lf").join(path.file_name().unwrap());
            if twin.is_file() {
                pairs.push((twin, path.clone()));
            }
            if sub == "mac_cr" {
                let twin = dir.join("dos_crlf").join(path.file_name().unwrap());
                if twin.is_file() {
                    pairs.push((twin, path));
                }
            }
        }
    }
    for (a_path, b_path) in &pairs {
        let a = analyze(a_path).expect("twin analysable");
        let b = analyze(b_path).expect("analysable");
        assert!(!a.reports.is_empty(), "{}: no report", a_path.display());
        assert_eq!(
            facts(&a),
            facts(&b),
            "{} differs from {}",
            b_path.display(),
            a_path.display()
        );
        assert_eq!(
            a.original.is_some(),
            b.original.is_some(),
            "{}: returned original found in one copy only",
            b_path.display()
        );
        compared += 1;
    }
    println!("line endings: {compared} copies compared with their twins");
    assert!(compared >= 22, "only {compared} line-ending pairs compared");
}

#[test]
fn flanker_bounces_and_complaints() {
    let Some(dir) = bounces_dir() else { return };
    let bounce_files = eml_files(&dir.join("flanker/bounce"));
    assert_eq!(bounce_files.len(), 9, "flanker/bounce holds 9 bounces");
    for path in &bounce_files {
        let report = analyze(path).expect("analysable");
        let b = bounces(&report);
        assert!(
            !b.is_empty(),
            "{}: not recognised as a bounce",
            path.display()
        );
        println!(
            "{}: {:?}",
            path.file_name().unwrap().to_string_lossy(),
            b.iter()
                .map(|e| (
                    e.recipient.clone(),
                    e.action.clone(),
                    e.status.clone(),
                    e.reason.clone()
                ))
                .collect::<Vec<_>>()
        );
    }
    let complaints = eml_files(&dir.join("flanker/complaints"));
    assert_eq!(complaints.len(), 2);
    for path in &complaints {
        let report = analyze(path).expect("analysable");
        let fb: Vec<_> = report
            .reports
            .iter()
            .filter(|r| r.kind == ReportKind::FeedbackReport)
            .collect();
        assert_eq!(fb.len(), 1, "{}: one feedback report", path.display());
        assert_eq!(fb[0].reason.as_deref(), Some("abuse"), "{}", path.display());
        assert!(
            report.original.is_some(),
            "{}: the reported message is analysed",
            path.display()
        );
    }
    // a read receipt (RFC 8098) is a report too, but neither a bounce nor a complaint
    let mdn = analyze(&dir.join("flanker/disposition-notification.eml")).expect("analysable");
    assert!(bounces(&mdn).is_empty(), "a read receipt called a bounce");
}

#[test]
fn arf_reports_have_their_feedback_type() {
    let Some(dir) = bounces_dir() else { return };
    let arf = dir.join("arf-stalwart-mail-auth");
    let files = eml_files(&arf);
    assert_eq!(files.len(), 5, "arf-stalwart-mail-auth holds 5 reports");
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
    for path in &files {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(path.with_extension("json")).unwrap())
                .unwrap();
        let report = analyze(path).expect("analysable");
        let fb: Vec<_> = report
            .reports
            .iter()
            .filter(|r| r.kind == ReportKind::FeedbackReport)
            .collect();
        assert_eq!(fb.len(), 1, "{}: one feedback report", path.display());
        let f = fb[0].feedback.as_ref().expect("feedback fields");
        let name = path.display();
        assert_eq!(
            norm(&f.feedback_type),
            norm(expected["feedback_type"].as_str().unwrap()),
            "{name}: feedback type"
        );
        for (key, ours) in [
            ("user_agent", f.user_agent.clone()),
            ("source_ip", f.source_ip.clone()),
            ("original_mail_from", f.original_mail_from.clone()),
            ("reporting_mta", f.reporting_mta.clone()),
        ] {
            let want = expected[key]
                .as_str()
                .map(|s| s.trim_matches(|c| c == '<' || c == '>').to_string());
            assert_eq!(ours, want, "{name}: {key}");
        }
        let want_domains: Vec<String> = expected["reported_domain"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(f.reported_domain, want_domains, "{name}: reported domains");
        assert!(fb[0].advice.is_some());
    }
    // and the ARF files among the sisimai bounces, with sisimai's feedback type
    let reference = reference(&dir);
    let mut checked = 0;
    for path in eml_files(&dir.join("bsd_lf")) {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(records) = reference.get(&("bsd_lf".to_string(), file.clone())) else {
            continue;
        };
        let Some(want) = records
            .iter()
            .find(|r| r["reason"] == "feedback")
            .and_then(|r| r["feedbacktype"].as_str())
        else {
            continue;
        };
        let report = analyze(&path).expect("analysable");
        let got: Vec<_> = report
            .reports
            .iter()
            .filter(|r| r.kind == ReportKind::FeedbackReport)
            .map(|r| r.reason.clone().unwrap_or_default())
            .collect();
        assert_eq!(got, vec![want.to_string()], "{file}: feedback type");
        checked += 1;
    }
    println!("feedback reports: 5 stalwart reports and {checked} sisimai ARF files checked");
    assert!(
        checked >= 15,
        "only {checked} sisimai feedback reports checked"
    );
}

#[test]
fn auto_replies_are_recognised() {
    let Some(dir) = bounces_dir() else { return };
    let reference = reference(&dir);
    let mut checked = 0;
    for ((d, file), records) in &reference {
        if d != "bsd_lf" || !records.iter().any(|r| r["reason"] == "vacation") {
            continue;
        }
        let report = analyze(&dir.join("bsd_lf").join(file)).expect("analysable");
        let kinds: Vec<_> = report.reports.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, vec![ReportKind::AutoReply], "{file}: an auto-reply");
        checked += 1;
    }
    println!("auto-replies: {checked} checked");
    assert!(checked >= 5, "only {checked} auto-replies checked");
}
