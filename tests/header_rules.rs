//! The header, hop and policy rules of the catalogue on small inline messages: where each must
//! fire and where it must stay silent. DNS is offline (no zone) unless a test says otherwise;
//! "now" is fixed.

mod common;

use chrono::{TimeZone, Utc};
use mailtrace::diagnose::{Finding, Severity};
use mailtrace::{Options, Report, Source};

/// Offline, no zone, a fixed "now".
fn options() -> Options {
    Options {
        now: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        ..Default::default()
    }
}

fn analyze_with(text: &str, options: &Options) -> Report {
    let source = Source::from_bytes("inline", text.as_bytes().to_vec()).expect("readable");
    mailtrace::analyze(&source, options).expect("analysable")
}

fn analyze(text: &str) -> Report {
    analyze_with(text, &options())
}

/// With the samples' zone file (DMARC records).
fn analyze_zone(text: &str) -> Report {
    analyze_with(text, &common::options())
}

fn found<'a>(report: &'a Report, name: &str) -> Vec<&'a Finding> {
    report.findings.iter().filter(|f| f.name == name).collect()
}

fn fires(report: &Report, name: &str) -> bool {
    !found(report, name).is_empty()
}

/// The recipient's MX received from `sender` (a Postfix line), then LMTP to the mailbox.
const MX_PLAIN: &str = "Received: from mx.example.org ([10.0.0.5])\n\
    \tby imap.example.org with LMTP id AAA000 for <bob@example.org>;\n\
    \tTue, 11 Mar 2025 09:15:44 +0000\n\
    Received: from out.example.net (out.example.net [198.51.100.20])\n\
    \tby mx.example.org (Postfix) with ESMTPS id BBB111\n\
    \tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:43 +0000\n";

/// A well-formed message through [`MX_PLAIN`] with these header lines (each ending in `\n`)
/// after the Received lines.
fn message(headers: &str) -> String {
    format!("{MX_PLAIN}{headers}\nhello\n")
}

const GOOD: &str = "From: Ann <ann@example.net>\nTo: Bob <bob@example.org>\nSubject: test\n\
    Date: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <x1@example.net>\n";

#[test]
fn a_well_formed_message_fires_none_of_the_header_rules() {
    let r = analyze(&message(GOOD));
    for name in [
        "missing-date",
        "missing-message-id",
        "date-in-future",
        "from-without-address",
        "reply-to-divergent",
        "return-path-divergent",
        "display-name-spoof",
        "lookalike-domain",
        "hop-private-origin",
        "hop-no-tls",
        "hop-forged-below-boundary",
    ] {
        assert!(!fires(&r, name), "{name} fired: {:?}", found(&r, name));
    }
}

#[test]
fn missing_date() {
    let r = analyze(&message(
        "From: Ann <ann@example.net>\nTo: bob@example.org\nMessage-ID: <x1@example.net>\n",
    ));
    let f = found(&r, "missing-date");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "HDR002");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(f[0].message.contains("no Date header"), "{}", f[0].message);
    // a template never filled in is no date either
    let r = analyze(&message(
        "From: Ann <ann@example.net>\nTo: bob@example.org\nDate: %%DATE%%\nMessage-ID: <x1@example.net>\n",
    ));
    let f = found(&r, "missing-date");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("%%DATE%%"), "{}", f[0].message);
    assert_eq!(f[0].evidence[0].header, "Date");
    assert!(f[0].evidence[0].span.is_some());
}

#[test]
fn missing_message_id() {
    let r = analyze(&message(
        "From: Ann <ann@example.net>\nTo: bob@example.org\nDate: Tue, 11 Mar 2025 09:15:40 +0000\n",
    ));
    let f = found(&r, "missing-message-id");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "HDR003");
    // no @: not a msg-id
    let r = analyze(&message(
        "From: Ann <ann@example.net>\nDate: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: 1741684540\n",
    ));
    assert_eq!(found(&r, "missing-message-id").len(), 1);
    // without angle brackets, but with both parts: tolerated
    let r = analyze(&message(
        "From: Ann <ann@example.net>\nDate: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: x1@example.net\n",
    ));
    assert!(!fires(&r, "missing-message-id"));
}

#[test]
fn date_in_future_against_the_arrival() {
    // two days after the MX received it
    let r = analyze(&message(
        "From: Ann <ann@example.net>\nDate: Thu, 13 Mar 2025 09:15:40 +0000\nMessage-ID: <x1@example.net>\n",
    ));
    let f = found(&r, "date-in-future");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "HDR004");
    assert!(f[0].message.contains("1 d 23 h"), "{}", f[0].message);
    assert_eq!(f[0].evidence[0].header, "Date");
    // five minutes fast: a clock, within the allowance
    let r = analyze(&message(
        "From: Ann <ann@example.net>\nDate: Tue, 11 Mar 2025 09:20:40 +0000\nMessage-ID: <x1@example.net>\n",
    ));
    assert!(!fires(&r, "date-in-future"));
    // an hour fast in another zone written correctly is not in the future
    let r = analyze(&message(
        "From: Ann <ann@example.net>\nDate: Tue, 11 Mar 2025 10:15:40 +0100\nMessage-ID: <x1@example.net>\n",
    ));
    assert!(!fires(&r, "date-in-future"));
}

#[test]
fn date_in_future_is_not_hidden_by_a_later_claim_below_the_boundary() {
    // a hop below the boundary dated far ahead does not move the arrival
    let text = "Received: from mx.example.org ([10.0.0.5])\n\
        \tby imap.example.org with LMTP id AAA000; Tue, 11 Mar 2025 09:15:44 +0000\n\
        Received: from out.example.net (out.example.net [198.51.100.20])\n\
        \tby mx.example.org (Postfix) with ESMTPS id BBB111; Tue, 11 Mar 2025 09:15:43 +0000\n\
        Received: from client.example.net (client.example.net [198.51.100.30])\n\
        \tby out.example.net (Postfix) with ESMTPSA id CCC222; Sat, 15 Mar 2025 09:15:42 +0000\n\
        From: Ann <ann@example.net>\nTo: bob@example.org\n\
        Date: Fri, 14 Mar 2025 09:15:40 +0000\nMessage-ID: <x1@example.net>\n\nhi\n";
    let r = analyze(text);
    assert_eq!(r.boundary.as_ref().map(|b| b.hop), Some(2));
    assert_eq!(found(&r, "date-in-future").len(), 1);
}

#[test]
fn date_in_future_without_hops_uses_now() {
    let text = "From: Ann <ann@example.net>\nTo: bob@example.org\n\
        Date: Fri, 01 Jan 2027 00:00:00 +0000\nMessage-ID: <x1@example.net>\n\nhi\n";
    let f = analyze(text);
    let f = found(&f, "date-in-future");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("analysed"), "{}", f[0].message);
    // without a "now", no judgement
    let r = analyze_with(text, &Options::default());
    assert!(!fires(&r, "date-in-future"));
    // a past date is fine
    let r = analyze(
        "From: Ann <ann@example.net>\nDate: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <x@example.net>\n\nhi\n",
    );
    assert!(!fires(&r, "date-in-future"));
}

#[test]
fn from_without_address() {
    for from in [
        "From: Accounts Payable\n",
        "From: undisclosed-sender:;\n",
        "From: root\n",
        "From: \n",
    ] {
        let r = analyze(&message(&format!(
            "{from}To: bob@example.org\nDate: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <x1@example.net>\n"
        )));
        let f = found(&r, "from-without-address");
        assert_eq!(f.len(), 1, "{from:?}");
        assert_eq!(f[0].code, "HDR005");
    }
    // no From at all
    let r = analyze(&message(
        "To: bob@example.org\nDate: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <x1@example.net>\n",
    ));
    let f = found(&r, "from-without-address");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("no From header"), "{}", f[0].message);
    // bare and bracketed addresses are addresses
    for from in [
        "From: ann@example.net\n",
        "From: <ann@example.net>\n",
        "From: \"Ann, Accounts\" <ann@example.net>\n",
    ] {
        let r = analyze(&message(&format!(
            "{from}Date: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <x1@example.net>\n"
        )));
        assert!(!fires(&r, "from-without-address"), "{from:?}");
    }
}

#[test]
fn reply_to_divergent() {
    let r = analyze(&message(&format!(
        "{GOOD}Reply-To: Ann <ann@accounts-ledger.example>\n"
    )));
    let f = found(&r, "reply-to-divergent");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "HDR006");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(
        f[0].message.contains("ann@accounts-ledger.example"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].evidence[0].header, "Reply-To");
    // the same organisation: a helpdesk subdomain
    let r = analyze(&message(&format!(
        "{GOOD}Reply-To: Support <help@support.example.net>\n"
    )));
    assert!(!fires(&r, "reply-to-divergent"));
    // a quoted address in the display name is not where replies go
    let r = analyze(&message(&format!(
        "{GOOD}Reply-To: \"x@elsewhere.example\" <ann@example.net>\n"
    )));
    assert!(!fires(&r, "reply-to-divergent"));
    // a mailing list that sends replies to the list: info
    let r = analyze(&message(&format!(
        "{GOOD}Reply-To: makers@lists.example.com\nList-Id: <makers.lists.example.com>\n"
    )));
    let f = found(&r, "reply-to-divergent");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn return_path_divergent() {
    let r = analyze(&format!(
        "Return-Path: <bounce-77@bounce.esp.example>\n{}",
        message(GOOD)
    ));
    let f = found(&r, "return-path-divergent");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "HDR007");
    assert_eq!(f[0].severity, Severity::Info);
    assert!(
        f[0].message.contains("bounce.esp.example"),
        "{}",
        f[0].message
    );
    // a bounce subdomain of the From domain aligns
    let r = analyze(&format!(
        "Return-Path: <bounces+123@em51.example.net>\n{}",
        message(GOOD)
    ));
    assert!(!fires(&r, "return-path-divergent"));
    // the null sender of a bounce
    let r = analyze(&format!("Return-Path: <>\n{}", message(GOOD)));
    assert!(!fires(&r, "return-path-divergent"));
    // no Return-Path: the envelope sender a Received line recorded
    let text = "Received: from out.example.net (out.example.net [198.51.100.20])\n\
        \tby mx.example.org (Postfix) with ESMTPS id BBB111\n\
        \t(envelope-from <bounce-77@bounce.esp.example>)\n\
        \tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:43 +0000\n";
    let r = analyze(&format!("{text}{GOOD}\nhi\n"));
    assert_eq!(found(&r, "return-path-divergent").len(), 1);
}

fn from_line(from: &str) -> String {
    message(&format!(
        "From: {from}\nTo: bob@example.org\nDate: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <x1@example.net>\n"
    ))
}

#[test]
fn display_name_spoof_fires() {
    for (from, says) in [
        ("PayPal <service@paypa1.example>", "names PayPal"),
        (
            "\"PayPal Service\" <service@account-check.example>",
            "names PayPal",
        ),
        // Cyrillic а in the name
        (
            "P\u{430}yPal <service@account-check.example>",
            "names PayPal",
        ),
        (
            "Micros0ft 365 <admin@tenant-alerts.example>",
            "names Microsoft",
        ),
        (
            "Microsoft Account Team <msaccount.team@outlook.com>",
            "free mailbox",
        ),
        ("Apple <id@appleid-verify.example>", "names Apple"),
        ("DHL Express <tracking@parcel-notice.example>", "names DHL"),
        (
            "Northbridge Bank <northbridge.bank@gmail.com>",
            "names a bank",
        ),
        ("IT Support <it.support.desk@gmail.com>", "names IT support"),
        (
            "\"security@paypal.com\" <alert@account-verify.example>",
            "shows the address security@paypal.com",
        ),
        (
            "\"paypal.com\" <alert@account-verify.example>",
            "names paypal.com",
        ),
    ] {
        let r = analyze(&from_line(from));
        let f = found(&r, "display-name-spoof");
        assert_eq!(f.len(), 1, "{from}: {:?}", r.findings);
        assert_eq!(f[0].code, "HDR008");
        assert!(f[0].message.contains(says), "{from}: {}", f[0].message);
        assert_eq!(f[0].evidence[0].header, "From");
    }
}

#[test]
fn display_name_spoof_stays_silent() {
    for from in [
        "PayPal <service@paypal.com>",
        "PayPal <service@mail.paypal.co.uk>",
        "Amazon.com <shipment-tracking@amazon.com>",
        "Amazon.de <versandbestaetigung@amazon.de>",
        "Microsoft account team <account-security-noreply@accountprotection.microsoft.com>",
        "Facebook <security@facebookmail.com>",
        "\"ann@example.net\" <ann@example.net>",
        "\"support@example.net\" <noreply@example.net>",
        "Example.org IT Service Desk <servicedesk@example.org>",
        "Northbridge Bank <alerts@bank.example>",
        "Apple Valley Farm <news@applevalley.example>",
        "Start-Ups Weekly <news@startups.example>",
        "J.R. Smith <jr@example.com>",
        "Ann Example <ann@gmail.com>",
    ] {
        let r = analyze(&from_line(from));
        assert!(
            !fires(&r, "display-name-spoof"),
            "{from}: {:?}",
            found(&r, "display-name-spoof")
        );
    }
}

#[test]
fn lookalike_domain_fires() {
    for (from, says) in [
        ("PayPal <service@paypa1.example>", "looks like paypal"),
        (
            "Billing <billing@rnicrosoft.example>",
            "looks like microsoft",
        ),
        ("Billing <billing@paypal.example>", "uses the name paypal"),
        (
            "Billing <billing@secure-paypal.example>",
            "contains the name paypal",
        ),
        (
            "Billing <billing@dhl-parcel.example>",
            "contains the name dhl",
        ),
        ("Billing <billing@docusing.example>", "looks like docusign"),
        // the recipient's own domain in To, one look-alike character away
        ("Ann <ann@examp1e.org>", "looks like example.org"),
        // a homograph: Latin p, Cyrillic а, Latin ypal
        (
            "Ann <ann@xn--pypal-4ve.example>",
            "mixes Latin and Cyrillic",
        ),
    ] {
        let r = analyze(&from_line(from));
        let f = found(&r, "lookalike-domain");
        assert_eq!(f.len(), 1, "{from}: {:?}", r.findings);
        assert_eq!(f[0].code, "HDR009");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains(says), "{from}: {}", f[0].message);
    }
    let r = analyze(&from_line("Ann <ann@xn--pypal-4ve.example>"));
    let f = found(&r, "lookalike-domain");
    assert!(
        f[0].message.contains("p\u{430}ypal.example"),
        "{}",
        f[0].message
    );
    // a Reply-To one character away from the From domain
    let r = analyze(&message(&format!("{GOOD}Reply-To: ann@examp1e.net\n")));
    let f = found(&r, "lookalike-domain");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert!(f[0].message.contains("Reply-To"), "{}", f[0].message);
    assert!(f[0].message.contains("example.net"), "{}", f[0].message);
}

#[test]
fn lookalike_domain_internationalised_but_plain_is_info() {
    // münchen: one script, imitating nothing
    let r = analyze(&from_line("Stadtwerke <info@xn--mnchen-3ya.example>"));
    let f = found(&r, "lookalike-domain");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert_eq!(f[0].severity, Severity::Info);
    assert!(
        f[0].message.contains("m\u{fc}nchen.example"),
        "{}",
        f[0].message
    );
}

#[test]
fn lookalike_domain_styled_letters() {
    // mathematical bold letters: no domain can hold them, mail programs show them
    let r = analyze(&from_line(
        "Apple <id@\u{1d41a}\u{1d429}\u{1d429}\u{1d425}\u{1d41e}.example>",
    ));
    let f = found(&r, "lookalike-domain");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(f[0].message.contains("styled letters"), "{}", f[0].message);
    assert!(f[0].message.contains("apple.example"), "{}", f[0].message);
}

#[test]
fn a_microsoft_365_tenant_is_a_free_mailbox_not_a_lookalike() {
    let r = analyze(&from_line("Microsoft 365 <admin@contoso7.onmicrosoft.com>"));
    assert!(!fires(&r, "lookalike-domain"), "{:?}", r.findings);
    let f = found(&r, "display-name-spoof");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert!(f[0].message.contains("free mailbox"), "{}", f[0].message);
}

#[test]
fn lookalike_domain_stays_silent() {
    for from in [
        "PayPal <service@paypal.com>",
        "Amazon <ship@amazon.co.uk>",
        // the same name under another suffix is not a look-alike of the message's domains
        "Ann <ann@example.com>",
        "Ann <ann@example.net>",
        // short names need look-alike characters, not just one edit
        "Ann <ann@ups1.example>",
        "Harbour Books <news@harbour-books.example>",
        "Apple Valley Farm <news@applevalley.example>",
    ] {
        let r = analyze(&from_line(from));
        assert!(
            !fires(&r, "lookalike-domain"),
            "{from}: {:?}",
            found(&r, "lookalike-domain")
        );
    }
}

#[test]
fn hop_private_origin() {
    let webmail = "Received: from mail.example.com (mail.example.com [203.0.113.26])\n\
        \tby mx.example.org (Postfix) with ESMTPS id BBB111; Tue, 11 Mar 2025 09:15:43 +0000\n\
        Received: from 10.20.30.41 (SquirrelMail authenticated user erin)\n\
        \tby mail.example.com with HTTP; Tue, 11 Mar 2025 09:15:40 +0000\n";
    let r = analyze(&format!("{webmail}{GOOD}\nhi\n"));
    let f = found(&r, "hop-private-origin");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "HOP008");
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(f[0].hop, Some(1));
    assert!(f[0].message.contains("10.20.30.41"), "{}", f[0].message);
    assert!(f[0].message.contains("normal"), "{}", f[0].message);
    // a local pickup: no sender at all
    let pickup = "Received: from notify.example.com (notify.example.com [203.0.113.30])\n\
        \tby mx.example.org (Postfix) with ESMTPS id BBB111; Tue, 11 Mar 2025 09:15:43 +0000\n\
        Received: by notify.example.com (Postfix, from userid 998)\n\
        \tid 0B7C41E2A4; Tue, 11 Mar 2025 09:15:41 +0000 (UTC)\n";
    let r = analyze(&format!("{pickup}{GOOD}\nhi\n"));
    let f = found(&r, "hop-private-origin");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("names no sender"), "{}", f[0].message);
    // a public first hop says where the sender was: nothing to say
    let r = analyze(&message(GOOD));
    assert!(!fires(&r, "hop-private-origin"));
}

#[test]
fn hop_no_tls() {
    let plain = "Received: from mx.example.org ([10.0.0.5])\n\
        \tby imap.example.org with LMTP id AAA000; Tue, 11 Mar 2025 09:15:44 +0000\n\
        Received: from out.example.net (out.example.net [198.51.100.20])\n\
        \tby mx.example.org (Postfix) with ESMTP id BBB111; Tue, 11 Mar 2025 09:15:43 +0000\n\
        Received: from [192.168.1.20] (unknown [198.51.100.140])\n\
        \tby out.example.net (Postfix) with ESMTPA id CCC222; Tue, 11 Mar 2025 09:15:42 +0000\n\
        Received: from ws1.example.net (ws1.example.net [10.1.2.3])\n\
        \tby out.example.net (Postfix) with ESMTP id DDD333; Tue, 11 Mar 2025 09:15:41 +0000\n";
    let r = analyze(&format!("{plain}{GOOD}\nhi\n"));
    let f = found(&r, "hop-no-tls");
    // hop 1 is private, hop 4 is LMTP inside the recipient's network
    let hops: Vec<_> = f.iter().map(|f| (f.hop, f.severity)).collect();
    assert_eq!(
        hops,
        vec![(Some(2), Severity::Warning), (Some(3), Severity::Info)],
        "{f:?}"
    );
    assert_eq!(f[0].code, "HOP009");
    assert!(f[0].message.contains("password"), "{}", f[0].message);
    // ESMTPS, or a TLS comment, is encrypted
    let r = analyze(&message(GOOD));
    assert!(!fires(&r, "hop-no-tls"));
    let tls = "Received: from out.example.net (out.example.net [198.51.100.20])\n\
        \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\n\
        \tby mx.example.org (Postfix) with ESMTP id BBB111; Tue, 11 Mar 2025 09:15:43 +0000\n";
    let r = analyze(&format!("{tls}{GOOD}\nhi\n"));
    assert!(!fires(&r, "hop-no-tls"), "{:?}", found(&r, "hop-no-tls"));
    // Exchange's plain line without version= is plain
    let exchange = "Received: from mail.example.net (192.0.2.199) by\n\
        \tBN2PEPF000044AB.mail.protection.outlook.com (10.167.243.170) with Microsoft SMTP Server id\n\
        \t15.20.8769.21 via Frontend Transport; Tue, 11 Mar 2025 09:15:43 +0000\n";
    let r = analyze(&format!("{exchange}{GOOD}\nhi\n"));
    assert_eq!(found(&r, "hop-no-tls").len(), 1);
}

/// A forged line below a boundary whose client greeted with the forged host's name.
fn forged(boundary_from: &str, below_date: &str, oldest: &str) -> String {
    format!(
        "Received: from mx.example.org ([10.1.1.5])\n\
         \tby mbox.example.org with LMTP id Q1; Thu, 10 Apr 2025 14:03:12 +0000\n\
         Received: from {boundary_from}\n\
         \tby mx.example.org (Postfix) with ESMTP id Q2\n\
         \tfor <kim@example.org>; Thu, 10 Apr 2025 14:03:11 +0000 (UTC)\n\
         Received: from gw.bank.example (gw.bank.example [192.0.2.10])\n\
         \tby smtp-out.bank.example (Postfix) with ESMTPS id Q3; {below_date}\n\
         Received: from ws7.internal.bank.example (ws7.internal.bank.example [10.40.7.17])\n\
         \tby gw.bank.example (Postfix) with ESMTP id Q4; {oldest}\n\
         From: Northbridge Bank <alerts@bank.example>\nTo: kim@example.org\n\
         Date: Thu, 10 Apr 2025 14:02:50 +0000\nMessage-ID: <n1@bank.example>\n\nhi\n"
    )
}

const BELOW: &str = "Thu, 10 Apr 2025 14:02:58 +0000";
const OLDEST: &str = "Thu, 10 Apr 2025 14:02:57 +0000";

#[test]
fn hop_forged_below_boundary_by_the_boundary_reverse_dns() {
    let r = analyze(&forged(
        "smtp-out.bank.example (dsl-203-0-113-66.pool.isp.example [203.0.113.66])",
        BELOW,
        OLDEST,
    ));
    assert_eq!(r.boundary.as_ref().map(|b| b.hop), Some(3));
    let f = found(&r, "hop-forged-below-boundary");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert_eq!(f[0].code, "HOP010");
    assert_eq!(f[0].hop, Some(2));
    assert!(
        f[0].message.contains("dsl-203-0-113-66.pool.isp.example"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].evidence.len(), 2);
    // the chain seems to join by the HELO name: hop-chain-broken has nothing to say
    assert!(!fires(&r, "hop-chain-broken"));
}

#[test]
fn hop_forged_below_boundary_on_a_hosting_provider_is_info() {
    // a cloud server's generic reverse DNS: a small honest server looks the same
    let r = analyze(&forged(
        "smtp-out.bank.example (ec2-203-0-113-66.compute-1.cloud.example [203.0.113.66])",
        BELOW,
        OLDEST,
    ));
    let f = found(&r, "hop-forged-below-boundary");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert_eq!(f[0].severity, Severity::Info);
    assert!(
        f[0].message.contains("hosting provider"),
        "{}",
        f[0].message
    );
    // a home line: no bank runs its mail server there
    let r = analyze(&forged(
        "smtp-out.bank.example (dsl-203-0-113-66.pool.isp.example [203.0.113.66])",
        BELOW,
        OLDEST,
    ));
    let f = found(&r, "hop-forged-below-boundary");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(
        f[0].message.contains("home or access line"),
        "{}",
        f[0].message
    );
}

#[test]
fn hop_forged_below_boundary_stays_silent() {
    // the reverse DNS agrees with the hop below
    let r = analyze(&forged(
        "smtp-out.bank.example (smtp-out.bank.example [192.0.2.11])",
        BELOW,
        OLDEST,
    ));
    assert!(!fires(&r, "hop-forged-below-boundary"), "{:?}", r.findings);
    // no reverse DNS recorded (unknown, or Exchange): nothing contradicts the HELO
    let r = analyze(&forged(
        "smtp-out.bank.example (unknown [203.0.113.66])",
        BELOW,
        OLDEST,
    ));
    assert!(!fires(&r, "hop-forged-below-boundary"), "{:?}", r.findings);
    // the hop below names another host entirely: that is hop-chain-broken's finding
    let r = analyze(&forged(
        "WIN-7QH2L0M1K9E (dsl-203-0-113-66.pool.isp.example [203.0.113.66])",
        BELOW,
        OLDEST,
    ));
    assert!(!fires(&r, "hop-forged-below-boundary"), "{:?}", r.findings);
    assert!(fires(&r, "hop-chain-broken"));
}

#[test]
fn hop_forged_below_boundary_by_time() {
    let honest = "smtp-out.bank.example (smtp-out.bank.example [192.0.2.11])";
    // the oldest hop claims a time two hours after the boundary received the message
    let r = analyze(&forged(honest, BELOW, "Thu, 10 Apr 2025 16:02:57 +0000"));
    let f = found(&r, "hop-forged-below-boundary");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert_eq!(f[0].hop, Some(1));
    assert!(f[0].message.contains("1 h 59 min"), "{}", f[0].message);
    // the hop just below dated after the boundary is hop-clock-skew's finding alone
    let r = analyze(&forged(honest, "Thu, 10 Apr 2025 16:02:58 +0000", OLDEST));
    assert!(!fires(&r, "hop-forged-below-boundary"), "{:?}", r.findings);
    assert!(fires(&r, "hop-clock-skew"));
    // a few minutes of drift is allowed
    let r = analyze(&forged(honest, BELOW, "Thu, 10 Apr 2025 14:10:00 +0000"));
    assert!(!fires(&r, "hop-forged-below-boundary"), "{:?}", r.findings);
}

fn sample(name: &str) -> Report {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    common::analyze_bytes(name, std::fs::read(path).expect("sample")).expect("analysable")
}

#[test]
fn dkim_from_not_oversigned() {
    // h=from once, passing and aligned with From
    let r = sample("dkim-pass-simple.eml");
    let f = found(&r, "dkim-from-not-oversigned");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert_eq!(f[0].code, "DKIM009");
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(f[0].evidence[0].header, "DKIM-Signature");
    // the attack it enables: a second From added above a signed message
    assert!(fires(
        &sample("multiple-from-headers.eml"),
        "dkim-from-not-oversigned"
    ));
    // h=from:from over-signs
    assert!(!fires(
        &sample("dkim-pass-relaxed.eml"),
        "dkim-from-not-oversigned"
    ));
    // an ESP's own signature does not count for the From domain anyway
    assert!(!fires(
        &sample("dkim-valid-but-not-aligned-esp.eml"),
        "dkim-from-not-oversigned"
    ));
    // a failing signature is another rule's business
    assert!(!fires(
        &sample("dkim-header-modified-subject-tag.eml"),
        "dkim-from-not-oversigned"
    ));
}

#[test]
fn dmarc_no_policy() {
    // example.net publishes p=none
    let r = analyze_zone(&message(GOOD));
    let f = found(&r, "dmarc-no-policy");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert_eq!(f[0].code, "DMARC002");
    assert_eq!(f[0].severity, Severity::Info);
    assert!(f[0].message.contains("p=none"), "{}", f[0].message);
    assert!(f[0].evidence.iter().any(|e| e.excerpt.contains("v=DMARC1")));
    // deals.example publishes nothing
    let r = analyze_zone(&from_line("Deals <promo@deals.example>"));
    let f = found(&r, "dmarc-no-policy");
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert!(f[0].message.contains("no DMARC record"), "{}", f[0].message);
    // example.org enforces p=reject
    let r = analyze_zone(&from_line("Carol <carol@example.org>"));
    assert!(!fires(&r, "dmarc-no-policy"));
    // offline without a zone: unknown, not absent
    let r = analyze(&message(GOOD));
    assert!(!fires(&r, "dmarc-no-policy"));
}
