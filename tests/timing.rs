//! Where the time went: inline chains with the exact story mailtrace must tell — the one-line
//! summary, each notable delay's cause, every time source with its verdict, and clock skew as a
//! range.
//!
//! Every message below was written for this test (documentation addresses, example domains;
//! the providers' own host names kept where they are what is recognised). Every expected figure
//! was worked out by hand from the header text: UTC conversions, differences, and the
//! neighbouring stamps that bound a skewed clock.

use chrono::{TimeZone, Utc};
use mailtrace::timing::{Delay, TimeStory};
use mailtrace::{Options, Report, Source};

fn report(text: &str) -> Report {
    let source = Source::from_bytes("inline", text.as_bytes().to_vec()).expect("readable");
    let options = Options {
        now: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        ..Default::default()
    };
    mailtrace::analyze(&source, &options).expect("analysable")
}

fn story(text: &str) -> TimeStory {
    report(text).time
}

/// A delay as (hop, from_hop, seconds, cause, label).
type DelayRow<'a> = (usize, Option<usize>, i64, &'a str, &'a str);
/// A source as (source, time, hop, consistent).
type SourceRow<'a> = (&'a str, &'a str, Option<usize>, Option<bool>);
/// A skew as (hop, source, min, max).
type SkewRow<'a> = (Option<usize>, &'a str, Option<i64>, Option<i64>);

fn delays(t: &TimeStory) -> Vec<DelayRow<'_>> {
    t.delays
        .iter()
        .map(|d| {
            (
                d.hop,
                d.from_hop,
                d.seconds,
                d.cause.as_str(),
                d.label.as_str(),
            )
        })
        .collect()
}

fn sources(t: &TimeStory) -> Vec<SourceRow<'_>> {
    t.sources
        .iter()
        .map(|s| (s.source.as_str(), s.time.as_str(), s.hop, s.consistent))
        .collect()
}

fn skews(t: &TimeStory) -> Vec<SkewRow<'_>> {
    t.skews
        .iter()
        .map(|s| (s.hop, s.source.as_str(), s.min_seconds, s.max_seconds))
        .collect()
}

fn finding<'a>(r: &'a Report, name: &str) -> Vec<(Option<usize>, &'a str)> {
    r.findings
        .iter()
        .filter(|f| f.name == name)
        .map(|f| (f.hop, f.message.as_str()))
        .collect()
}

fn only(t: &TimeStory) -> &Delay {
    assert_eq!(t.delays.len(), 1, "{:#?}", t.delays);
    &t.delays[0]
}

// ---------------------------------------------------------------------------------------------
// Greylisting

#[test]
fn greylisting_by_postgrey_header() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby imap.example.org (Postfix) with LMTP id 0A1B2C3D4E
\tfor <gus@example.org>; Tue, 22 Jul 2025 06:03:09 +0000 (UTC)
X-Greylist: delayed 125 seconds by postgrey-1.37 at mx.example.org; Tue, 22 Jul 2025 06:03:08 UTC
Received: from smtp.example.net (smtp.example.net [198.51.100.150])
\tby mx.example.org (Postfix) with ESMTPS id 4bm5K61Xrzz9sTd
\tfor <gus@example.org>; Tue, 22 Jul 2025 06:03:08 +0000 (UTC)
Received: from [192.168.8.2] (unknown [203.0.113.151])
\t(Authenticated sender: hal@example.net)
\tby smtp.example.net (Postfix) with ESMTPSA id 4bm5H25YqDz1xRt
\tfor <gus@example.org>; Tue, 22 Jul 2025 08:01:02 +0200 (CEST)
From: Hal Berg <hal@example.net>
To: gus@example.org
Subject: first mail
Date: Tue, 22 Jul 2025 08:01:01 +0200
Message-ID: <first-2@example.net>

hi
";
    let t = story(m);
    // Date 06:01:01Z -> hop 3 06:03:09Z = 128 s; hop 2 waited 126 s (the header says 125)
    assert_eq!(
        t.summary.as_deref(),
        Some("delivered in 2 min 8 s: 2 min 6 s greylisting at mx.example.org, then 2 s")
    );
    assert_eq!(t.total_seconds, Some(128));
    assert_eq!(
        delays(&t),
        [(
            2,
            Some(1),
            126,
            "greylisting",
            "greylisting at mx.example.org"
        )]
    );
    assert!(
        only(&t)
            .explanation
            .starts_with("Postgrey on mx.example.org says it delayed the message 2 min 5 s"),
        "{}",
        only(&t).explanation
    );
    assert_eq!(
        sources(&t),
        [
            ("Date", "2025-07-22T06:01:01Z", None, Some(true)),
            (
                "Received hop 1",
                "2025-07-22T06:01:02Z",
                Some(1),
                Some(true)
            ),
            (
                "Received hop 2",
                "2025-07-22T06:03:08Z",
                Some(2),
                Some(true)
            ),
            ("X-Greylist", "2025-07-22T06:03:08Z", Some(2), Some(true)),
            (
                "Received hop 3",
                "2025-07-22T06:03:09Z",
                Some(3),
                Some(true)
            ),
        ]
    );
    assert!(t.skews.is_empty());
}

#[test]
fn greylisting_by_milter_greylist_header_under_the_pattern() {
    // 187 s is too short for the pattern (4 to 60 min): only the header can tell
    let m = "X-Greylist: Delayed for 00:03:05 by milter-greylist-4.6.4 (mx.example.org
\t[192.0.2.25]); Thu, 10 Apr 2025 11:37:15 +0200 (CEST)
Received: from out2.example.net (out2.example.net [198.51.100.52])
\tby mx.example.org (8.17.2/8.17.2) with ESMTPS id 53A9bFq8031337
\tfor <zack@example.org>; Thu, 10 Apr 2025 11:37:15 +0200 (CEST)
Received: from desk.example.net (desk.example.net [198.51.100.60])
\tby out2.example.net (Postfix) with ESMTPSA id 4ZYb2c3D4ez5Fgh
\tfor <zack@example.org>; Thu, 10 Apr 2025 09:34:08 +0000 (UTC)
From: Ada Kerr <ada@example.net>
To: zack@example.org
Subject: first contact
Date: Thu, 10 Apr 2025 09:34:07 +0000
Message-ID: <first-1@example.net>

hello
";
    let t = story(m);
    assert_eq!(
        t.summary.as_deref(),
        Some("delivered in 3 min 8 s: 3 min 7 s greylisting at mx.example.org, then 1 s")
    );
    assert_eq!(
        delays(&t),
        [(
            2,
            Some(1),
            187,
            "greylisting",
            "greylisting at mx.example.org"
        )]
    );
    assert!(
        only(&t)
            .explanation
            .starts_with("Milter-greylist on mx.example.org says it delayed the message 3 min 5 s")
    );
    assert_eq!(
        sources(&t)[3],
        ("X-Greylist", "2025-04-10T09:37:15Z", Some(2), Some(true))
    );
}

#[test]
fn greylisting_by_pattern_at_the_boundary() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby imap.example.org (Postfix) with LMTP id 5E6F7A8B9C
\tfor <bea@example.org>; Fri, 11 Apr 2025 18:10:04 +0200 (CEST)
Received: from smtp.example.net (smtp.example.net [198.51.100.141])
\tby mx.example.org (Postfix) with ESMTPS id 4ZZc3d4E5fz6Ghi
\tfor <bea@example.org>; Fri, 11 Apr 2025 18:10:03 +0200 (CEST)
Received: from [203.0.113.140] (port=51234 helo=[192.168.1.30])
\tby smtp.example.net with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384
\t(Exim 4.97)
\t(envelope-from <al@example.net>)
\tid 1u3AbC-000DeF-4G
\tfor bea@example.org; Fri, 11 Apr 2025 16:00:03 +0000
From: Al Dorn <al@example.net>
To: bea@example.org
Subject: hello from a new sender
Date: Fri, 11 Apr 2025 16:00:02 +0000
Message-ID: <new-1@example.net>

hi
";
    let r = report(m);
    let t = &r.time;
    assert_eq!(
        t.summary.as_deref(),
        Some("delivered in 10 min 2 s: 10 min greylisting at mx.example.org, then 2 s")
    );
    assert_eq!(
        delays(t),
        [(
            2,
            Some(1),
            600,
            "greylisting",
            "greylisting at mx.example.org"
        )]
    );
    assert!(
        only(t)
            .explanation
            .contains("No X-Greylist header confirms it")
    );
    assert_eq!(
        finding(&r, "hop-delay"),
        [(
            Some(2),
            "hop 2 (mx.example.org) received the message 10 min after hop 1: greylisting at mx.example.org"
        )]
    );
    assert_eq!(finding(&r, "greylisting").len(), 1);
}

// ---------------------------------------------------------------------------------------------
// The sender's queue

#[test]
fn sender_queue_with_a_retry_step_on_the_sender_side() {
    // out.example.com held it 15 min 20 s before the sender's own relay took it: a 15-min retry
    let m = "Received: from relay.example.com (relay.example.com [198.51.100.30])
\tby mx.example.org (Postfix) with ESMTPS id 4ZAA111
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:23 +0000 (UTC)
Received: from out.example.com (out.example.com [198.51.100.20])
\tby relay.example.com (Postfix) with ESMTPS id 4ZBB222
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:20 +0000 (UTC)
Received: from [192.168.1.9] (unknown [203.0.113.9])
\t(Authenticated sender: ann)
\tby out.example.com (Postfix) with ESMTPSA id 4ZCC333
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:00:00 +0000 (UTC)
From: Ann <ann@example.com>
To: Bob <bob@example.org>
Subject: retry
Date: Tue, 11 Mar 2025 08:59:58 +0000
Message-ID: <retry-1@example.com>

x
";
    let r = report(m);
    let t = &r.time;
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "delivered in 15 min 25 s: 15 min 20 s in the sender's queue at out.example.com (retry), then 5 s"
        )
    );
    assert_eq!(
        delays(t),
        [(
            2,
            Some(1),
            920,
            "sender-queue",
            "in the sender's queue at out.example.com (retry)"
        )]
    );
    let e = &only(t).explanation;
    assert!(e.contains("Exim's first retry"), "{e}");
    assert!(e.contains("by the queue id 4ZCC333"), "{e}");
    assert_eq!(
        finding(&r, "hop-delay"),
        [(
            Some(2),
            "hop 2 (relay.example.com) received the message 15 min 20 s after hop 1: in the sender's queue at out.example.com (retry)"
        )]
    );
}

#[test]
fn sender_queue_of_two_hours_before_the_boundary() {
    let m = "Received: from mx.example.org ([10.0.0.5])
\tby imap.example.org with LMTP
\tid DrtFuPHON+TpGcSzT6Iv/e
\tfor <yusuf@example.org>; Tue, 11 Mar 2025 09:14:32 +0000
Received: from smtp.example.com (smtp.example.com [203.0.113.5])
\tby mx.example.org (Postfix) with ESMTPS id 4ZBp471JSSzBl6S8
\tfor <yusuf@example.org>; Tue, 11 Mar 2025 09:14:31 +0000 (UTC)
Received: from [203.0.113.88] (helo=[192.168.178.24])
\tby smtp.example.com with esmtpsa  (TLS1.3) tls TLS_AES_128_GCM_SHA256
\t(Exim 4.97.1)
\t(envelope-from <xena@example.com>)
\tid 1trtmX-0000000IfK9-Jcah
\tfor yusuf@example.org;
\tTue, 11 Mar 2025 07:12:05 +0000
Date: Tue, 11 Mar 2025 07:11:58 +0000
From: Xena Holloway <xena@example.com>
To: Yusuf Demir <yusuf@example.org>
Subject: Contract draft v3
Message-ID: <4f8b2d17@example.com>

x
";
    let t = story(m);
    // 7346 s: within a few minutes of the 2 h step (the end of Exim's quarter hours)
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "delivered in 2 h 2 min: 2 h 2 min in the sender's queue at smtp.example.com (retry), then 8 s"
        )
    );
    assert_eq!(t.total_seconds, Some(7354));
    assert_eq!(
        delays(&t),
        [(
            2,
            Some(1),
            7346,
            "sender-queue",
            "in the sender's queue at smtp.example.com (retry)"
        )]
    );
    assert!(only(&t).explanation.contains("a retry after 2 h"));
}

#[test]
fn a_multi_day_wait_matches_no_retry_step() {
    let m = "Received: from mail.example.net (mail.example.net [198.51.100.15])
\tby mx.example.org (Postfix) with ESMTPS id 4ZqR5s6T7uz8Vwx
\tfor <dee@example.org>; Sun,  4 May 2025 06:44:16 +0000 (UTC)
Received: from [10.0.0.23] (unknown [203.0.113.23])
\t(Authenticated sender: raj@example.net)
\tby mail.example.net (Postfix) with ESMTPSA id 6D7E8F9A0B
\tfor <dee@example.org>; Fri,  2 May 2025 09:10:11 +0530 (IST)
From: Raj Iyer <raj@example.net>
To: dee@example.org
Subject: weekend
Date: Fri, 2 May 2025 09:10:10 +0530
Message-ID: <wk-1@example.net>

later
";
    let t = story(m);
    // 03:40:10Z on 2 May -> 06:44:16Z on 4 May: 183846 s
    assert_eq!(
        t.summary.as_deref(),
        Some("delivered in 2 d 3 h: 2 d 3 h in the sender's queue at mail.example.net, then 1 s")
    );
    assert_eq!(
        delays(&t),
        [(
            2,
            Some(1),
            183_845,
            "sender-queue",
            "in the sender's queue at mail.example.net"
        )]
    );
    assert!(
        only(&t)
            .explanation
            .contains("matches no common retry step")
    );
}

// ---------------------------------------------------------------------------------------------
// Content scanning

#[test]
fn proofpoint_gateway_holds_the_message() {
    let m = "Delivered-To: beth@example.com
Received: by 2002:a05:7022:4a1:b0:9b:3c2e:d57f with SMTP id bk33csp2207413dlb;
        Tue, 11 Mar 2025 02:21:59 -0700 (PDT)
Received: from ppsgw1.example.com (ppsgw1.example.com. [203.0.113.90])
        by mx.google.com with ESMTPS id 6a1803df08f44-6e8f1d2b7a4si9312074d6.118.2025.03.11.02.21.58
        for <beth@example.com>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Tue, 11 Mar 2025 02:21:58 -0700 (PDT)
Received: from pps.filterd (ppsgw1.example.com [127.0.0.1])
\tby ppsgw1.example.com (8.18.1.2/8.18.1.2) with ESMTP id 52B9LvQd031337
\tfor <beth@example.com>; Tue, 11 Mar 2025 09:21:57 GMT
Received: from smtp.example.net (smtp.example.net [198.51.100.20])
\tby ppsgw1.example.com (PPS) with ESMTPS id 47c2m9x8qa-1
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)
\tfor <beth@example.com>; Tue, 11 Mar 2025 09:15:42 +0000
Received: from [192.168.40.12] (unknown [198.51.100.131])
\t(Authenticated sender: hugo)
\tby smtp.example.net (Postfix) with ESMTPSA id 4ZBp5S6m03zPscc
\tfor <beth@example.com>; Tue, 11 Mar 2025 10:15:40 +0100 (CET)
Date: Tue, 11 Mar 2025 10:15:38 +0100
From: Hugo Lefebvre <hugo@example.net>
To: Beth Carver <beth@example.com>
Subject: Revised floor plans
Message-ID: <6e1a9d3c@example.net>

x
";
    let r = report(m);
    let t = &r.time;
    // 09:15:38Z -> 09:21:59Z = 381 s; ppsgw1 held it from 09:15:42 to 09:21:57
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "delivered in 6 min 21 s: 6 min 15 s content scanning at ppsgw1.example.com (Proofpoint), then 6 s"
        )
    );
    assert_eq!(
        delays(t),
        [(
            3,
            Some(2),
            375,
            "content-scanning",
            "content scanning at ppsgw1.example.com (Proofpoint)"
        )]
    );
    assert_eq!(
        finding(&r, "hop-delay"),
        [(
            Some(3),
            "hop 3 (ppsgw1.example.com) received the message 6 min 15 s after hop 2: content scanning at ppsgw1.example.com (Proofpoint)"
        )]
    );
}

#[test]
fn mimecast_scanning_is_not_greylisting() {
    // 7 min 26 s at the boundary with every other hop fast has greylisting's shape, but the
    // server that held the message is Mimecast's
    let m = "Received: from mail.example.org ([10.0.0.5])
\tby mbox.example.org with LMTP id QmFz
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:23:11 +0000
Received: from eu-smtp-inbound-delivery-1.mimecast.com (eu-smtp-inbound-delivery-1.mimecast.com [198.51.100.70])
\tby mail.example.org (Postfix) with ESMTPS id 4ZMM111
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:23:10 +0000 (UTC)
Received: from smtp.example.net (smtp.example.net [203.0.113.51]) by
 relay.mimecast.com with ESMTP with STARTTLS (version=TLSv1.3,
 cipher=TLS_AES_256_GCM_SHA384) id eu-mta-12-AbCdEf-1;
 Tue, 11 Mar 2025 09:15:44 +0000
Received: from [192.168.1.5] (unknown [203.0.113.50])
\t(Authenticated sender: cy)
\tby smtp.example.net (Postfix) with ESMTPSA id 4ZSS111
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:42 +0000 (UTC)
From: Cy <cy@example.net>
To: Bob <bob@example.org>
Subject: scanned
Date: Tue, 11 Mar 2025 09:15:41 +0000
Message-ID: <mc-1@example.net>

x
";
    let r = report(m);
    let t = &r.time;
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "delivered in 7 min 30 s: 7 min 26 s content scanning at relay.mimecast.com (Mimecast), then 4 s"
        )
    );
    assert_eq!(
        delays(t),
        [(
            3,
            Some(2),
            446,
            "content-scanning",
            "content scanning at relay.mimecast.com (Mimecast)"
        )]
    );
    assert!(
        only(t)
            .explanation
            .ends_with("would also fit greylisting by mail.example.org; its log would tell.")
    );
    assert!(finding(&r, "greylisting").is_empty());
    assert_eq!(finding(&r, "hop-delay").len(), 1);
}

#[test]
fn amavis_on_the_mx_is_a_local_filter() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby mbox.example.org (Postfix) with LMTP id 1A2B3C
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:21:14 +0000 (UTC)
Received: from localhost (localhost [127.0.0.1])
\tby mx.example.org (Postfix) with ESMTP id 4ZRR222
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:21:13 +0000 (UTC)
Received: from mx.example.org ([127.0.0.1])
\tby localhost (mx.example.org [127.0.0.1]) (amavisd-new, port 10024)
\twith ESMTP id AbCdEfGh for <bob@example.org>;
\tTue, 11 Mar 2025 09:15:45 +0000 (UTC)
Received: from smtp.example.net (smtp.example.net [198.51.100.15])
\tby mx.example.org (Postfix) with ESMTPS id 4ZQQ111
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:44 +0000 (UTC)
Received: from [10.0.0.23] (unknown [203.0.113.23])
\tby smtp.example.net (Postfix) with ESMTPSA id 6D7E8F
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:42 +0000 (UTC)
From: Raj <raj@example.net>
To: bob@example.org
Subject: attachment
Date: Tue, 11 Mar 2025 09:15:41 +0000
Message-ID: <am-1@example.net>

x
";
    let t = story(m);
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "delivered in 5 min 33 s: 5 min 28 s content scanning at mx.example.org (amavis), then 5 s"
        )
    );
    assert_eq!(
        delays(&t),
        [(
            4,
            Some(3),
            328,
            "content-scanning",
            "content scanning at mx.example.org (amavis)"
        )]
    );
}

// ---------------------------------------------------------------------------------------------
// Inside the recipient's organisation

#[test]
fn a_slow_mailbox_server_is_recipient_internal() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby mbox.example.org (Postfix) with LMTP id 7A8B9C
\tfor <dee@example.org>; Tue, 11 Mar 2025 09:40:46 +0000 (UTC)
Received: from smtp.example.net (smtp.example.net [198.51.100.15])
\tby mx.example.org (Postfix) with ESMTPS id 4ZqR5s6T7uz8Vwx
\tfor <dee@example.org>; Tue, 11 Mar 2025 09:15:44 +0000 (UTC)
Received: from [10.0.0.23] (unknown [203.0.113.23])
\tby smtp.example.net (Postfix) with ESMTPSA id 6D7E8F9A0B
\tfor <dee@example.org>; Tue, 11 Mar 2025 09:15:42 +0000 (UTC)
From: Raj <raj@example.net>
To: dee@example.org
Subject: internal
Date: Tue, 11 Mar 2025 09:15:41 +0000
Message-ID: <int-1@example.net>

x
";
    let r = report(m);
    let t = &r.time;
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "delivered in 25 min 5 s: 25 min 2 s inside the recipient's organisation at mx.example.org, then 3 s"
        )
    );
    assert_eq!(
        delays(t),
        [(
            3,
            Some(2),
            1502,
            "recipient-internal",
            "inside the recipient's organisation at mx.example.org"
        )]
    );
    assert!(
        only(t)
            .explanation
            .contains("look it up in mx.example.org's log by the queue id 4ZqR5s6T7uz8Vwx")
    );
    // not greylisting: the slow hop is after the boundary
    assert!(finding(&r, "greylisting").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Clock skew, as a range

#[test]
fn a_clock_a_day_behind_between_two_good_ones() {
    let m = "Received: from relay.example.com (relay.example.com [198.51.100.80])
\tby mx.example.org (Postfix) with ESMTPS id 4ZBx9Y8z7Wz6Vut
\tfor <cy@example.org>; Wed, 12 Mar 2025 16:10:11 +0100 (CET)
Received: from smtp.example.net (smtp.example.net [203.0.113.91])
\tby relay.example.com (8.17.1/8.17.1) with ESMTPS id 52BFA9xQ001122
\tfor <cy@example.org>; Tue, 11 Mar 2025 08:10:09 -0700
Received: from [192.168.10.5] (unknown [203.0.113.90])
\tby smtp.example.net (Postfix) with ESMTPSA id 4ZCa1b2C3dz4Efg
\tfor <cy@example.org>; Thu, 13 Mar 2025 00:10:05 +0900 (JST)
From: Yuki Sato <yuki@example.net>
To: cy@example.org
Subject: schedule
Date: Thu, 13 Mar 2025 00:10:04 +0900
Message-ID: <sched-1@example.net>

see you
";
    let r = report(m);
    let t = &r.time;
    // hop 2 reads 15:10:09Z on the 11th, between hop 1 (15:10:05Z on the 12th) and hop 3
    // (15:10:11Z on the 12th): its clock is 86396 to 86402 s behind
    assert_eq!(
        skews(t),
        [(Some(2), "Received hop 2", Some(-86_402), Some(-86_396))]
    );
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "times unreliable: hop 2's clock (relay.example.com) is between 23 h 59 min and 1 d behind; delivered in 7 s"
        )
    );
    let label =
        "clock skew: hop 2's clock (relay.example.com) is between 23 h 59 min and 1 d behind";
    assert_eq!(
        delays(t),
        [
            (2, Some(1), -86_396, "clock-skew", label),
            (3, Some(2), 86_402, "clock-skew", label),
        ]
    );
    for d in &t.delays {
        assert!(
            d.explanation
                .ends_with("The real time between the two is between 0 s and 6 s."),
            "{}",
            d.explanation
        );
    }
    assert!(t.skews[0].explanation.contains(
        "Received hop 3 (2025-03-12T15:10:11Z), which comes later, bounds it from the other side"
    ));
    assert_eq!(
        sources(t).iter().map(|s| (s.0, s.3)).collect::<Vec<_>>(),
        [
            ("Date", Some(true)),
            ("Received hop 1", Some(true)),
            ("Received hop 2", Some(false)),
            ("Received hop 3", Some(true)),
        ]
    );
    assert_eq!(
        finding(&r, "hop-clock-skew"),
        [(
            Some(2),
            "hop 2 (relay.example.com) is stamped 23 h 59 min before hop 1: hop 2's clock (relay.example.com) is between 23 h 59 min and 1 d behind"
        )]
    );
    assert_eq!(
        finding(&r, "hop-delay"),
        [(
            Some(3),
            "hop 3 (mx.example.org) received the message 1 d after hop 2, not a real wait: hop 2's clock (relay.example.com) is between 23 h 59 min and 1 d behind"
        )]
    );
}

#[test]
fn the_last_hop_behind_is_bounded_on_one_side_only() {
    let m = "Received: from mx.example.org ([10.0.0.5])
\tby mbox.example.org with LMTP
\tid W1yhoNivxbXCCDNqyjhYMF
\tfor <mia@example.org>; Tue, 11 Mar 2025 09:08:31 +0000
Received: from mail.example.com ([203.0.113.30])
\tby mx.example.org with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384
\t(Exim 4.97.1)
\tid 1trviC-00000023KZz-APdZ
\tfor mia@example.org;
\tTue, 11 Mar 2025 09:15:44 +0000
Received: from [192.168.0.31] (unknown [198.51.100.102])
\tby mail.example.com (Postfix) with ESMTPSA id 4ZBp5V4RXKz26vmJ
\tfor <mia@example.org>; Tue, 11 Mar 2025 10:15:42 +0100 (CET)
Date: Tue, 11 Mar 2025 10:15:40 +0100
From: Leo Marchetti <leo@example.com>
To: Mia Sorensen <mia@example.org>
Subject: Minutes from Monday
Message-ID: <e52a0c7d@example.com>

x
";
    let r = report(m);
    let t = &r.time;
    // nothing after hop 3 bounds its clock: at least 433 s behind, no figure beyond that
    assert_eq!(skews(t), [(Some(3), "Received hop 3", None, Some(-433))]);
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "times unreliable: hop 3's clock (mbox.example.org) is at least 7 min 13 s behind; delivered in at least 4 s"
        )
    );
    assert_eq!(t.total_seconds, Some(4));
    assert!(t.skews[0].explanation.contains(
        "nothing later on the path bounds it from the other side. Taking the sources that agree with one another as right (Date, Received hop 1 and Received hop 2), hop 3's clock (mbox.example.org) is at least 7 min 13 s behind."
    ));
    assert_eq!(
        finding(&r, "hop-clock-skew"),
        [(
            Some(3),
            "hop 3 (mbox.example.org) is stamped 7 min 13 s before hop 2: hop 3's clock (mbox.example.org) is at least 7 min 13 s behind"
        )]
    );
}

#[test]
fn the_senders_clocks_ahead_are_outvoted_by_the_recipients() {
    let m = "Received: from mx.example.org ([2001:db8:a::25])
\tby mbox.example.org with LMTP
\tid QmFzZTY0SWRlbnQ; Tue, 18 Mar 2025 09:15:45 +0000
Received: from mail.example.net (mail.example.net [198.51.100.210])
\tby mx.example.org (Postfix) with ESMTPS id 4ZHd2e3F4gz5Hij
\tfor <abe@example.org>; Tue, 18 Mar 2025 09:15:44 +0000 (UTC)
Received: from [192.168.3.3] (unknown [203.0.113.211])
\tby mail.example.net (Postfix) with ESMTPSA id 2B3C4D5E6F
\tfor <abe@example.org>; Tue, 18 Mar 2025 10:22:40 +0100 (CET)
From: Bo Lund <bo@example.net>
To: abe@example.org
Subject: fast clock
Date: Tue, 18 Mar 2025 10:22:39 +0100
Message-ID: <fast-1@example.net>

tick
";
    let t = story(m);
    // the boundary and the mailbox server agree; hop 1 (09:22:40Z) and the Date (09:22:39Z)
    // come before the boundary's 09:15:44Z: ahead by at least 416 s and 415 s
    assert_eq!(
        skews(&t),
        [
            (None, "Date", Some(415), None),
            (Some(1), "Received hop 1", Some(416), None),
        ]
    );
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "times unreliable: hop 1's clock (mail.example.net) is at least 6 min 56 s ahead; delivered in at least 1 s; the Date header's clock is at least 6 min 55 s ahead"
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Other time sources: Microsoft's stamps, DKIM and ARC t=

#[test]
fn microsoft_latency_headers_and_safe_attachments() {
    let m = "Received: from SA1PR11MB8475.namprd11.prod.outlook.com (2603:10b6:806:3a9::14)
 by MW4PR11MB6909.namprd11.prod.outlook.com with HTTPS; Tue, 11 Mar 2025
 09:24:48 +0000
Received: from BN9PR03CA0571.namprd03.prod.outlook.com (2603:10b6:408:138::6)
 by SA1PR11MB8475.namprd11.prod.outlook.com (2603:10b6:806:3a9::14) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8511.27; Tue, 11 Mar
 2025 09:24:47 +0000
Received: from BN2PEPF000044A9.namprd04.prod.outlook.com
 (2603:10b6:408:138:cafe::3e) by BN9PR03CA0571.outlook.office365.com
 (2603:10b6:408:138::6) with Microsoft SMTP Server (version=TLS1_3,
 cipher=TLS_AES_256_GCM_SHA384) id 15.20.8534.20 via Frontend Transport; Tue,
 11 Mar 2025 09:24:46 +0000
Received: from mail.example.org (203.0.113.25) by
 BN2PEPF000044A9.mail.protection.outlook.com (10.167.243.154) with Microsoft
 SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8534.20
 via Frontend Transport; Tue, 11 Mar 2025 09:15:44 +0000
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;
\ts=mail2025; t=1741684543; h=from:to:subject:date;
\tbh=gN+FykfOZ3Yh1tswf3K7UFgtXqQ/Z0x7sYUqFRFWwxE=;
\tb=FPyIEVwommXTzAkczKVBbevd0Q542bOEQs9uRLTg4OM2IMbURFiGBmbBPDR
Received: from [192.168.1.23] (dsl-198-51-100-77.example.net [198.51.100.77])
\t(Authenticated sender: carol)
\tby mail.example.org (Postfix) with ESMTPSA id 4ZBp5V2wypz9PBlw
\tfor <dave@example.com>; Tue, 11 Mar 2025 10:15:42 +0100 (CET)
Message-ID: <7c1e4b2a@example.org>
Date: Tue, 11 Mar 2025 10:15:39 +0100
From: Carol Diaz <carol@example.org>
To: Dave Lindqvist <dave@example.com>
Subject: Invoice with an attachment
X-MS-Exchange-Organization-ExpirationStartTime: 11 Mar 2025 09:15:44.9167
 (UTC)
X-MS-Exchange-Organization-ExpirationStartTimeReason: OriginalSubmit
X-MS-Exchange-Organization-Network-Message-Id:
 3f9a1c2e-7b40-4e8d-5a21-08dd6083c9b2
X-MS-Exchange-AtpMessageProperties: SA|SL
X-MS-Exchange-CrossTenant-OriginalArrivalTime: 11 Mar 2025 09:15:44.8123
 (UTC)
X-MS-Exchange-Transport-EndToEndLatency: 00:09:03.5871554
X-MS-Exchange-Processed-By-BccFoldering: 15.20.8511.018

x
";
    let t = story(m);
    assert_eq!(
        t.summary.as_deref(),
        Some(
            "delivered in 9 min 9 s: 9 min 2 s content scanning at BN2PEPF000044A9.mail.protection.outlook.com (Microsoft Defender for Office 365 Safe Attachments), then 7 s"
        )
    );
    assert_eq!(
        delays(&t),
        [(
            3,
            Some(2),
            542,
            "content-scanning",
            "content scanning at BN2PEPF000044A9.mail.protection.outlook.com (Microsoft Defender for Office 365 Safe Attachments)"
        )]
    );
    // every stamp agrees; the build number and the message id are not times; the latency is
    // listed as the time it ends (arrival 09:15:44.8123 + 9 min 3.587 s)
    assert_eq!(
        sources(&t),
        [
            ("Date", "2025-03-11T09:15:39Z", None, Some(true)),
            (
                "Received hop 1",
                "2025-03-11T09:15:42Z",
                Some(1),
                Some(true)
            ),
            (
                "DKIM t= example.org",
                "2025-03-11T09:15:43Z",
                Some(1),
                Some(true)
            ),
            (
                "Received hop 2",
                "2025-03-11T09:15:44Z",
                Some(2),
                Some(true)
            ),
            (
                "X-MS-Exchange-CrossTenant-OriginalArrivalTime",
                "2025-03-11T09:15:44.812Z",
                Some(2),
                Some(true)
            ),
            (
                "X-MS-Exchange-Organization-ExpirationStartTime",
                "2025-03-11T09:15:44.916Z",
                Some(2),
                Some(true)
            ),
            (
                "Received hop 3",
                "2025-03-11T09:24:46Z",
                Some(3),
                Some(true)
            ),
            (
                "Received hop 4",
                "2025-03-11T09:24:47Z",
                Some(4),
                Some(true)
            ),
            (
                "Received hop 5",
                "2025-03-11T09:24:48Z",
                Some(5),
                Some(true)
            ),
            (
                "X-MS-Exchange-Transport-EndToEndLatency (original arrival + 00:09:03.5871554)",
                "2025-03-11T09:24:48.399Z",
                Some(5),
                Some(true)
            ),
        ]
    );
    assert!(t.skews.is_empty());
}

#[test]
fn a_dkim_signer_an_hour_ahead_and_a_date_ten_minutes_ahead() {
    let m = "Received: from out.example.net (out.example.net [198.51.100.20])
\tby mx.example.org (Postfix) with ESMTPS id 4ZAA111
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:45 +0000 (UTC)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;
\ts=sel; t=1741688143; h=from:to:subject:date;
\tbh=gN+FykfOZ3Yh1tswf3K7UFgtXqQ/Z0x7sYUqFRFWwxE=;
\tb=FPyIEVwommXTzAkczKVBbevd0Q542bOEQs9uRLTg4OM2IMbURFiGBmbBPDR
Received: from [192.168.1.9] (unknown [203.0.113.9])
\tby out.example.net (Postfix) with ESMTPSA id 4ZCC333
\tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:42 +0000 (UTC)
From: Ann <ann@example.net>
To: Bob <bob@example.org>
Subject: signer clock
Date: Tue, 11 Mar 2025 09:25:40 +0000
Message-ID: <dk-1@example.net>

x
";
    let t = story(m);
    // t=1741688143 is 10:15:43Z: signed by out.example.net before hop 2 received it at
    // 09:15:45Z, so the signer's clock is at least 3598 s ahead; the Date (09:25:40Z) comes
    // before hop 1 (09:15:42Z): at least 598 s ahead
    assert_eq!(
        skews(&t),
        [
            (None, "Date", Some(598), None),
            (Some(1), "DKIM t= example.net", Some(3598), None),
        ]
    );
    assert_eq!(
        sources(&t),
        [
            ("Date", "2025-03-11T09:25:40Z", None, Some(false)),
            (
                "Received hop 1",
                "2025-03-11T09:15:42Z",
                Some(1),
                Some(true)
            ),
            (
                "DKIM t= example.net",
                "2025-03-11T10:15:43Z",
                Some(1),
                Some(false)
            ),
            (
                "Received hop 2",
                "2025-03-11T09:15:45Z",
                Some(2),
                Some(true)
            ),
        ]
    );
    // measured from hop 1, the Date being unreliable
    assert_eq!(
        t.summary.as_deref(),
        Some("delivered in 3 s; the Date header's clock is at least 9 min 58 s ahead")
    );
    assert!(
        t.skews[1]
            .explanation
            .ends_with("the clock behind DKIM t= example.net is at least 59 min 58 s ahead.")
    );
}

#[test]
fn arc_seal_and_signature_times_are_checked() {
    let m = "Received: by 2002:a05:6a20:3d8c:b0:1f3:4a2e:77c1 with SMTP id fb12csp2318471pzb;
        Tue, 11 Mar 2025 02:15:44 -0700 (PDT)
X-Received: by 2002:a17:90b:4f44:b0:2ff:6a5f:9b0e with SMTP id 98e67ed59e1d1-2ff7c1e4a07mr2740512a91.6.1741684544012;
        Tue, 11 Mar 2025 02:15:44 -0700 (PDT)
ARC-Seal: i=1; a=rsa-sha256; t=1741684543; cv=none;
        d=google.com; s=arc-20240605; b=AAAA
ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.com;
        s=arc-20240605; t=1741684543; h=to:subject:date:from; bh=AAAA; b=AAAA
ARC-Authentication-Results: i=1; mx.google.com; spf=pass smtp.mailfrom=alice@example.com
Received: from mail.example.com (mail.example.com. [198.51.100.41])
        by mx.google.com with ESMTPS id 98e67ed59e1d1
        for <bob@example.net>;
        Tue, 11 Mar 2025 02:15:43 -0700 (PDT)
From: Alice <alice@example.com>
To: Bob <bob@example.net>
Subject: quick
Date: Tue, 11 Mar 2025 10:15:40 +0100
Message-ID: <q-1@example.com>

x
";
    let t = story(m);
    assert_eq!(t.summary.as_deref(), Some("delivered in 4 s"));
    assert!(t.delays.is_empty());
    assert_eq!(
        sources(&t),
        [
            ("Date", "2025-03-11T09:15:40Z", None, Some(true)),
            (
                "Received hop 1",
                "2025-03-11T09:15:43Z",
                Some(1),
                Some(true)
            ),
            (
                "ARC-Seal i=1 t= google.com",
                "2025-03-11T09:15:43Z",
                Some(1),
                Some(true)
            ),
            (
                "ARC-Message-Signature i=1 t= google.com",
                "2025-03-11T09:15:43Z",
                Some(1),
                Some(true)
            ),
            ("X-Received", "2025-03-11T09:15:44Z", Some(1), Some(true)),
            (
                "Received hop 2",
                "2025-03-11T09:15:44Z",
                Some(2),
                Some(true)
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Edges

#[test]
fn a_message_re_submitted_later_is_not_a_queue() {
    // delivered to a mailbox in 2024, then handed to sendmail again by a script in 2025
    let m = "Received: from mail.example.net (mail.example.net [198.51.100.9])
\tby mx.example.org (Postfix) with ESMTPS id 4ZNEW1
\tfor <eve@example.org>; Thu, 26 Jun 2025 18:13:57 +0000 (UTC)
Received: (from root@localhost)
\tby mail.example.net (8.17.1.9/8.17.1.9/Submit) id 55PIDtDZ927863;
\tThu, 26 Jun 2025 18:13:55 +0000
Received: from out.example.com (out.example.com [203.0.113.7])
\tby mbox.example.net (Postfix) with ESMTPS id 4ZOLD2
\tfor <old@example.net>; Mon, 7 Oct 2024 21:18:25 +0000 (UTC)
Received: from [192.168.1.2] (unknown [203.0.113.8])
\tby out.example.com (Postfix) with ESMTPSA id 4ZOLD1
\tfor <old@example.net>; Mon, 7 Oct 2024 21:18:21 +0000 (UTC)
From: Old <old@example.com>
To: eve@example.org
Subject: fwd
Date: Mon, 7 Oct 2024 21:18:20 +0000
Message-ID: <old-1@example.com>

x
";
    let t = story(m);
    let resent = t
        .delays
        .iter()
        .find(|d| d.hop == 3)
        .expect("the gap before the new submission");
    assert_eq!(resent.cause, "unknown");
    assert_eq!(resent.label, "before mail.example.net submitted it anew");
    assert!(resent.explanation.contains("not a wait in a queue"));
}

#[test]
fn no_received_fields_no_story() {
    let t = story(
        "From: a@example.net\nTo: b@example.org\nDate: Tue, 11 Mar 2025 09:15:40 +0000\nSubject: draft\n\nbody\n",
    );
    assert_eq!(t.summary, None);
    assert_eq!(t.total_seconds, None);
    assert!(t.delays.is_empty());
    assert_eq!(
        sources(&t),
        [("Date", "2025-03-11T09:15:40Z", None, Some(true))]
    );
}
