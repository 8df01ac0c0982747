//! Regressions from a review: what a sender writes must not move the trust boundary or be
//! taken for the recipient's own record. Each fixture is one of the project's samples with one
//! forgery added (tests/fixtures/forgery/).

mod common;

use serde_json::Value;

fn report(name: &str, trust: &[&str]) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/forgery")
        .join(name);
    let source = mailtrace::Source::from_bytes(name, std::fs::read(path).unwrap()).unwrap();
    let mut options = common::options();
    options.trust = trust.iter().map(|t| t.to_string()).collect();
    serde_json::to_value(mailtrace::analyze(&source, &options).unwrap()).unwrap()
}

fn boundary(v: &Value) -> (Value, Value) {
    (v["boundary"]["host"].clone(), v["boundary"]["ip"].clone())
}

#[test]
fn a_forged_to_address_does_not_move_the_boundary() {
    let v = report("to-injection-m365.eml", &[]);
    assert_eq!(
        boundary(&v),
        (
            "BN2PEPF000044AB.mail.protection.outlook.com".into(),
            "192.0.2.199".into()
        )
    );
    assert_eq!(v["spf"]["result"], "fail");
    assert_eq!(v["dmarc"]["result"], "fail");
}

#[test]
fn a_sender_written_x_original_to_does_not_move_the_boundary() {
    let v = report("delivered-to-injection.eml", &[]);
    assert_eq!(
        boundary(&v),
        ("mx.google.com".into(), "203.0.113.66".into())
    );
}

#[test]
fn a_helo_name_alone_does_not_make_a_public_ip_internal() {
    for trust in [&[][..], &["example.org"][..]] {
        let v = report("helo-forged-internal.eml", trust);
        assert_eq!(v["boundary"]["ip"], "203.0.113.66", "trust {trust:?}");
        assert_eq!(v["spf"]["result"], "fail", "trust {trust:?}");
    }
}

#[test]
fn a_consumer_gmail_recipient_has_its_boundary_at_gmails_mx() {
    let v = report("gmail-consumer-2.eml", &[]);
    assert_eq!(
        boundary(&v),
        ("mx.google.com".into(), "209.85.220.41".into())
    );
}

fn claims<'a>(v: &'a Value, method: &str, result: &str) -> Vec<&'a Value> {
    v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["method"] == method && c["result"] == result)
        .collect()
}

#[test]
fn a_forged_authentication_results_in_the_senders_headers_is_not_trusted() {
    let v = report("forged-ar-direct-gmail.eml", &[]);
    let forged = claims(&v, "dkim", "pass");
    assert!(!forged.is_empty());
    assert!(forged.iter().all(|c| c["trusted"] == false), "{forged:?}");
    let real = claims(&v, "dmarc", "fail");
    assert!(real.iter().any(|c| c["trusted"] == true), "{real:?}");
    // with --trust naming the forged authserv-id, a claim placed among the sender's headers
    // is still not trusted
    let v = report("forged-ar-trust.eml", &["example.org"]);
    let forged = claims(&v, "dkim", "pass");
    assert!(!forged.is_empty() && forged.iter().all(|c| c["trusted"] == false));
}

#[test]
fn spf_identity_comes_from_the_recipients_side() {
    let v = report("forged-return-path.eml", &[]);
    assert_eq!(v["spf"]["domain"], "bank.example");
    assert_eq!(v["spf"]["scope"], "mailfrom");
}

#[test]
fn an_spf_claim_about_another_connection_is_not_compared() {
    // Gmail behind the company gateway judged the gateway's IP, not the boundary's
    let v = report("gateway-gmail-spf-of-gateway.eml", &[]);
    for c in claims(&v, "spf", "fail") {
        assert_eq!(c["agrees"], Value::Null, "{c}");
    }
}
