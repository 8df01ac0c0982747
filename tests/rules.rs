//! Each hop rule on small inline messages: where it must fire and where it must stay silent.

mod common;

use mailtrace::Report;

fn analyze(text: &str) -> Report {
    common::analyze_bytes("inline", text.as_bytes().to_vec()).expect("analysable")
}

fn fired(report: &Report, name: &str) -> Vec<Option<usize>> {
    report
        .findings
        .iter()
        .filter(|f| f.name == name)
        .map(|f| f.hop)
        .collect()
}

/// A three-hop Postfix chain: sender's submission, sender's relay, recipient's MX.
fn chain(t1: &str, t2: &str, t3: &str, extra: &str) -> String {
    format!(
        "Received: from out.example.net (out.example.net [198.51.100.20])\n\
         \tby mx.example.org (Postfix) with ESMTPS id AAA111\n\
         \tfor <bob@example.org>; {t3}\n\
         {extra}\
         Received: from relay.example.net (relay.example.net [198.51.100.10])\n\
         \tby out.example.net (Postfix) with ESMTPS id BBB222; {t2}\n\
         Received: from client.example.net (client.example.net [203.0.113.9])\n\
         \tby relay.example.net (Postfix) with ESMTPSA id CCC333; {t1}\n\
         From: Ann <ann@example.net>\nTo: Bob <bob@example.org>\nSubject: test\n\
         Date: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <x@example.net>\n\nhello\n"
    )
}

#[test]
fn greylisting_by_pattern_only_at_the_boundary() {
    // 10 minutes at the boundary hop, every other hop fast: greylisting pattern
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:15:44 +0000",
        "Tue, 11 Mar 2025 09:25:50 +0000",
        "",
    ));
    assert_eq!(r.boundary.as_ref().map(|b| b.hop), Some(3));
    assert_eq!(fired(&r, "greylisting"), vec![Some(3)]);
    assert_eq!(fired(&r, "hop-delay"), vec![Some(3)]);
    // the same delay inside the sender's side is not greylisting
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:25:44 +0000",
        "Tue, 11 Mar 2025 09:25:50 +0000",
        "",
    ));
    assert!(fired(&r, "greylisting").is_empty());
    assert_eq!(fired(&r, "hop-delay"), vec![Some(2)]);
    // 80 seconds at the boundary: too short to say
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:15:44 +0000",
        "Tue, 11 Mar 2025 09:17:04 +0000",
        "",
    ));
    assert!(fired(&r, "greylisting").is_empty());
    assert!(fired(&r, "hop-delay").is_empty());
}

#[test]
fn greylisting_by_header() {
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:15:44 +0000",
        "Tue, 11 Mar 2025 09:15:50 +0000",
        "X-Greylist: delayed 321 seconds by milter-greylist-4.6.4 (mx.example.org [192.0.2.25]); Tue, 11 Mar 2025 09:15:50 +0000\n",
    ));
    let g: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.name == "greylisting")
        .collect();
    assert_eq!(g.len(), 1);
    assert!(g[0].message.contains("5 min 21 s"), "{}", g[0].message);
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:15:44 +0000",
        "Tue, 11 Mar 2025 09:15:50 +0000",
        "X-Greylist: Sender IP whitelisted, not delayed by milter-greylist-4.6.4\n",
    ));
    assert!(fired(&r, "greylisting").is_empty());
}

#[test]
fn skew_is_negative_and_never_wrapped() {
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:15:44 +0000",
        // a day earlier, in another zone: -1 day - 2 s, not +23 h
        "Mon, 10 Mar 2025 10:15:42 +0100",
        "",
    ));
    assert_eq!(r.hops[2].delay_seconds, Some(-86_402));
    assert_eq!(fired(&r, "hop-clock-skew"), vec![Some(3)]);
    assert!(r.findings.iter().any(|f| f.message.contains("1 d")));
}

#[test]
fn dates_across_zones_give_exact_delays() {
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 05:15:42 -0400",
        "Tue, 11 Mar 2025 10:15:44 +0100",
        "Tue, 11 Mar 2025 14:45:47 +0530",
        "",
    ));
    let delays: Vec<_> = r.hops.iter().map(|h| h.delay_seconds).collect();
    assert_eq!(delays, vec![None, Some(2), Some(3)]);
    assert_eq!(r.hops[0].timestamp.as_deref(), Some("2025-03-11T09:15:42Z"));
    assert_eq!(r.timing.first_to_last_hop_seconds, Some(5));
    assert_eq!(r.timing.date_to_first_hop_seconds, Some(2));
    // a clean chain: no hop finding (authentication of these made-up domains is another story)
    let hop_findings: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code.starts_with("HOP"))
        .collect();
    assert!(hop_findings.is_empty(), "{hop_findings:?}");
}

#[test]
fn unparseable_date_is_null_never_1970() {
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "sometime on tuesday",
        "Tue, 11 Mar 2025 09:15:50 +0000",
        "",
    ));
    assert_eq!(r.hops[1].timestamp, None);
    assert_eq!(r.hops[1].delay_seconds, None);
    assert_eq!(r.hops[2].delay_seconds, None);
    assert_eq!(fired(&r, "hop-date-unparseable"), vec![Some(2)]);
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("1970"));
}

#[test]
fn chain_break_fires_on_a_foreign_join_only() {
    let r = analyze(&chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:15:44 +0000",
        "Tue, 11 Mar 2025 09:15:50 +0000",
        "",
    ));
    assert!(fired(&r, "hop-chain-broken").is_empty());
    let forged = chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:15:44 +0000",
        "Tue, 11 Mar 2025 09:15:50 +0000",
        "",
    )
    .replace(
        "from out.example.net (out.example.net [198.51.100.20])",
        "from unknown (unknown [203.0.113.66])",
    );
    let r = analyze(&forged);
    assert_eq!(fired(&r, "hop-chain-broken"), vec![Some(3)]);
    assert_eq!(
        r.boundary
            .as_ref()
            .and_then(|b| b.ip)
            .map(|i| i.to_string())
            .as_deref(),
        Some("203.0.113.66")
    );
}

#[test]
fn trust_option_places_the_boundary() {
    let text = chain(
        "Tue, 11 Mar 2025 09:15:42 +0000",
        "Tue, 11 Mar 2025 09:15:44 +0000",
        "Tue, 11 Mar 2025 09:15:50 +0000",
        "",
    );
    let source = mailtrace::Source::from_bytes("inline", text.into_bytes()).unwrap();
    let mut options = common::options();
    options.trust = vec!["example.net".into(), "example.org".into()];
    let r = mailtrace::analyze(&source, &options).unwrap();
    // every receiver is trusted and each sender too, down to relay.example.net's client
    assert_eq!(r.boundary.as_ref().map(|b| b.hop), Some(1));
    assert_eq!(
        r.boundary
            .as_ref()
            .and_then(|b| b.ip)
            .map(|i| i.to_string())
            .as_deref(),
        Some("203.0.113.9")
    );
    options.trust = vec!["mx.example.org".into()];
    let r = mailtrace::analyze(&source, &options).unwrap();
    assert_eq!(r.boundary.as_ref().map(|b| b.hop), Some(3));
    let sides: Vec<String> = r.hops.iter().map(|h| format!("{:?}", h.side)).collect();
    assert_eq!(sides, ["Sender", "Sender", "Boundary"]);
}

#[test]
fn no_received_headers() {
    let r = analyze("From: a@example.net\nTo: b@example.org\nSubject: draft\n\nbody\n");
    assert!(r.hops.is_empty());
    assert!(r.boundary.is_none());
    assert_eq!(fired(&r, "no-received-headers"), vec![None]);
}

#[test]
fn microsoft_365_cross_tenant_boundary_is_the_recipients_eop() {
    // a sender on another Microsoft 365 tenant: its own hops are Microsoft's too, but the
    // recipient's boundary is where the message entered Exchange Online Protection
    let text = "Received: from BL3P223MB0211.NAMP223.PROD.OUTLOOK.COM (2603:10b6:208:34c::18) by EA2P223MB0955.NAMP223.PROD.OUTLOOK.COM with HTTPS; Fri, 22 Dec 2023 19:15:28 +0000\n\
Received: from LV3P220CA0008.NAMP220.PROD.OUTLOOK.COM (2603:10b6:408:234::31) by BL3P223MB0211.NAMP223.PROD.OUTLOOK.COM (2603:10b6:208:34c::18) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7113.22; Fri, 22 Dec 2023 19:15:26 +0000\n\
Received: from BN8NAM04FT007.eop-NAM04.prod.protection.outlook.com (2603:10b6:408:234:cafe::53) by LV3P220CA0008.outlook.office365.com (2603:10b6:408:234::31) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7113.22 via Frontend Transport; Fri, 22 Dec 2023 19:15:26 +0000\n\
Received: from APC01-TYZ-obe.outbound.protection.outlook.com (192.0.2.201) by BN8NAM04FT007.mail.protection.outlook.com (10.13.160.125) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7113.14 via Frontend Transport; Fri, 22 Dec 2023 19:15:26 +0000\n\
Received: from SEZPR01MB5439.apcprd01.prod.exchangelabs.com (2603:1096:101:cf::6) by JH0PR01MB5490.apcprd01.prod.exchangelabs.com with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7113.21; Fri, 22 Dec 2023 19:15:07 +0000\n\
From: a@example.net\nTo: b@example.org\nSubject: invoice\n\nbody\n";
    let r = analyze(text);
    let b = r.boundary.as_ref().expect("a boundary");
    assert_eq!(b.hop, 2);
    assert_eq!(b.ip.map(|i| i.to_string()).as_deref(), Some("192.0.2.201"));
    assert_eq!(
        r.hops[1].from_ip.map(|i| i.to_string()).as_deref(),
        Some("192.0.2.201")
    );
    // Exchange's `id 15.20.7113.22` is a build number, never an IP
    for hop in &r.hops {
        let ip = hop.from_ip.map(|i| i.to_string()).unwrap_or_default();
        assert!(!ip.starts_with("15.20"), "hop {}: {ip}", hop.index);
    }
    assert_eq!(
        r.hops[0].from_ip.map(|i| i.to_string()).as_deref(),
        Some("2603:1096:101:cf::6")
    );
}
