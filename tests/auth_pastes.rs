//! What people paste must not change a verdict: a signed sample as a Gmail "Show original" page,
//! with LF or CRLF, indented, with folding broken by the clipboard, or as headers only. Relaxed
//! canonicalization is immune to the whitespace a repair guesses; a headers-only paste keeps
//! the header signature and loses only the body hash.

mod common;

use serde_json::Value;

const SAMPLE: &str = "samples/dkim-pass-relaxed.eml";

fn dkim_of(name: &str, bytes: Vec<u8>) -> (Value, Value) {
    let report = common::analyze_bytes(name, bytes).expect("analysable");
    let v = serde_json::to_value(&report).unwrap();
    (v["dkim"].clone(), v)
}

fn original() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).unwrap()
}

fn header_block_and_body(bytes: &[u8]) -> (String, String) {
    let text = String::from_utf8(common::to_lf(bytes)).unwrap();
    let (h, b) = text.split_once("\n\n").unwrap();
    (h.to_string(), b.to_string())
}

#[test]
fn the_plain_sample_passes() {
    let (dkim, _) = dkim_of(SAMPLE, original());
    assert_eq!(dkim[0]["result"], "pass", "{dkim}");
    assert_eq!(dkim[0]["canonicalization"], "relaxed/relaxed");
}

#[test]
fn lf_and_crlf_verify_alike() {
    let (lf, _) = dkim_of(SAMPLE, common::to_lf(&original()));
    let (crlf, _) = dkim_of(SAMPLE, common::to_crlf(&common::to_lf(&original())));
    assert_eq!(lf, crlf);
    assert_eq!(lf[0]["result"], "pass");
}

#[test]
fn a_gmail_show_original_page_still_passes() {
    let mut page = String::from(
        "Original Message\n\nMessage ID\t<x@example.com>\nCreated at:\tWed, Mar 12, 2025 at 10:02 AM (Delivered after 2 seconds)\nFrom:\tIvan <ivan@example.com>\nTo:\tjudy@example.org\nSubject:\tTest\nSPF:\tPASS with IP 203.0.113.45 Learn more\nDKIM:\t'PASS' with domain example.com Learn more\nDMARC:\t'PASS' Learn more\n\nDownload original\nCopy to clipboard\n",
    );
    page.push_str(&String::from_utf8(common::to_lf(&original())).unwrap());
    let (dkim, v) = dkim_of("gmail-page.txt", page.into_bytes());
    assert_eq!(v["source"]["kind"], "gmail-show-original");
    assert_eq!(dkim[0]["result"], "pass", "{dkim}");
    assert!(
        v["source"]["paste_claims"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["label"] == "DKIM")
    );
}

#[test]
fn an_indented_paste_still_passes() {
    let text = String::from_utf8(common::to_lf(&original())).unwrap();
    let indented: String = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("    {l}\n")
            }
        })
        .collect();
    let (dkim, v) = dkim_of("indented.txt", indented.into_bytes());
    assert!(!v["source"]["repairs"].as_array().unwrap().is_empty());
    assert_eq!(dkim[0]["result"], "pass", "{dkim}");
}

#[test]
fn broken_folding_repaired_keeps_a_relaxed_signature_valid() {
    let (headers, body) = header_block_and_body(&original());
    // the clipboard ate the leading whitespace of every continuation line
    let broken: String = headers
        .lines()
        .map(|l| l.trim_start().to_string() + "\n")
        .collect::<String>()
        + "\n"
        + &body;
    let (dkim, v) = dkim_of("broken.txt", broken.into_bytes());
    let repairs = v["source"]["repairs"].as_array().unwrap();
    assert!(
        repairs.iter().any(|r| r["kind"] == "refolded"),
        "the paste was repaired: {repairs:?}"
    );
    assert_eq!(dkim[0]["result"], "pass", "{dkim}");
    assert_eq!(dkim[0]["header_signature"], "valid");
}

#[test]
fn a_headers_only_paste_keeps_the_header_signature() {
    let (headers, _) = header_block_and_body(&original());
    let (dkim, v) = dkim_of("headers.txt", (headers + "\n").into_bytes());
    assert_eq!(v["source"]["headers_only"], true);
    assert_eq!(dkim[0]["header_signature"], "valid", "{dkim}");
    assert_eq!(dkim[0]["body_hash"], "unchecked");
    assert_ne!(dkim[0]["result"], "pass");
    assert_eq!(dkim[0]["reason"], "body-missing");
    let names: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(names.contains(&"input-headers-only"), "{names:?}");
}

#[test]
fn a_changed_body_is_told_apart_from_a_changed_header() {
    let (headers, body) = header_block_and_body(&original());
    let footer = format!("{headers}\n\n{body}-- \nScanned by a gateway\n");
    let (dkim, _) = dkim_of("footer.eml", footer.into_bytes());
    assert_eq!(
        (
            dkim[0]["header_signature"].as_str(),
            dkim[0]["body_hash"].as_str()
        ),
        (Some("valid"), Some("mismatch"))
    );
    let subject = format!("{headers}\n\n{body}").replacen("Subject: ", "Subject: [EXT] ", 1);
    let (dkim, _) = dkim_of("subject.eml", subject.into_bytes());
    assert_eq!(
        (
            dkim[0]["header_signature"].as_str(),
            dkim[0]["body_hash"].as_str()
        ),
        (Some("invalid"), Some("match"))
    );
}
