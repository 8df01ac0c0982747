//! Acceptance: Received chains in the shapes real MTAs write (Gmail, Microsoft 365, Exim,
//! Sendmail, qmail, Postfix, SendGrid), IPv6, obsolete dates, skewed and forged chains,
//! greylisting and long delays, each compared field by field with the JSON contract
//! (docs/JSON.md) through the public library API.
//!
//! Every message below was written for this test; addresses are documentation ranges and
//! example domains (the big providers' own host names excepted). Every expected value was
//! worked out by hand from the header text and the UTC conversions checked with Python's
//! `email.utils.parsedate_to_datetime`; none was copied from mailtrace's output.
//!
//! For each message: the number of hops; every hop's `from_ip`, `by_host`, `timestamp` and
//! `delay_seconds` exactly; `helo`, `rdns`, `protocol` and `tls` where the line states them; the
//! boundary's hop, ip and host; and exactly which of the hop rules fired, on which hop (a rule
//! that fires where it should not fails the test as surely as one that stays silent). Each
//! message is analysed with LF and with CRLF line ends: both must meet the same expectations.

use chrono::{TimeZone, Utc};
use mailtrace::{Options, Source};
use serde_json::Value;

/// The hop rules this test owns: for these, the fired set must be exactly the expected one.
const HOP_RULES: [&str; 6] = [
    "hop-clock-skew",
    "hop-delay",
    "greylisting",
    "hop-chain-broken",
    "hop-date-unparseable",
    "hop-unparseable",
];

/// What one hop must look like. `None` in a `check_*` slot means "not checked"; `Some(None)`
/// means "must be JSON null".
#[derive(Debug, Clone)]
struct Hop {
    from_ip: Option<&'static str>,
    by_host: Option<&'static str>,
    timestamp: Option<&'static str>,
    delay: Option<i64>,
    helo: Option<Option<&'static str>>,
    rdns: Option<Option<&'static str>>,
    protocol: Option<Option<&'static str>>,
    tls: Option<Option<(Option<&'static str>, Option<&'static str>)>>,
}

/// A hop with the four fields every hop is checked on.
fn hop(
    from_ip: Option<&'static str>,
    by_host: Option<&'static str>,
    timestamp: Option<&'static str>,
    delay: Option<i64>,
) -> Hop {
    Hop {
        from_ip,
        by_host,
        timestamp,
        delay,
        helo: None,
        rdns: None,
        protocol: None,
        tls: None,
    }
}

impl Hop {
    fn helo(mut self, v: Option<&'static str>) -> Self {
        self.helo = Some(v);
        self
    }
    fn rdns(mut self, v: Option<&'static str>) -> Self {
        self.rdns = Some(v);
        self
    }
    /// The `with` protocol as written (docs/JSON.md): `Microsoft SMTP Server`, Exim's `esmtps`.
    fn proto(mut self, v: &'static str) -> Self {
        self.protocol = Some(Some(v));
        self
    }
    /// TLS stated with this version and cipher.
    fn tls(mut self, version: &'static str, cipher: &'static str) -> Self {
        self.tls = Some(Some((Some(version), Some(cipher))));
        self
    }
    /// TLS implied by the protocol (ESMTPS, SMTPS, HTTPS...) with nothing more stated.
    fn tls_implied(mut self) -> Self {
        self.tls = Some(Some((None, None)));
        self
    }
    /// The line states no TLS.
    fn no_tls(mut self) -> Self {
        self.tls = Some(None);
        self
    }
}

/// What the whole report must say.
struct Expect {
    hops: Vec<Hop>,
    /// Boundary hop index and the IP it recorded.
    boundary: (usize, Option<&'static str>),
    /// Exactly the hop rules that fire, with their hop.
    fired: Vec<(&'static str, usize)>,
}

fn options() -> Options {
    Options {
        now: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        ..Default::default()
    }
}

fn report_json(name: &str, text: &str) -> Value {
    let source = Source::from_bytes(name, text.as_bytes().to_vec())
        .unwrap_or_else(|e| panic!("{name}: not readable: {e}"));
    let report = mailtrace::analyze(&source, &options())
        .unwrap_or_else(|e| panic!("{name}: not analysable: {e}"));
    serde_json::to_value(&report).expect("report serialises")
}

fn opt_str(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_string()))
}

/// Compare one analysis with the expectation; returns every mismatch.
fn mismatches(label: &str, got: &Value, want: &Expect) -> Vec<String> {
    let mut bad = Vec::new();
    let mut cmp = |what: String, g: &Value, w: Value| {
        if *g != w {
            bad.push(format!("{label}: {what}: expected {w}, got {g}"));
        }
    };
    let hops = got["hops"].as_array().cloned().unwrap_or_default();
    cmp(
        "hop count".into(),
        &Value::from(hops.len()),
        Value::from(want.hops.len()),
    );
    for (i, (g, w)) in hops.iter().zip(&want.hops).enumerate() {
        let n = i + 1;
        cmp(format!("hop {n} index"), &g["index"], Value::from(n));
        cmp(
            format!("hop {n} from_ip"),
            &g["from_ip"],
            opt_str(w.from_ip),
        );
        cmp(
            format!("hop {n} by_host"),
            &g["by_host"],
            opt_str(w.by_host),
        );
        cmp(
            format!("hop {n} timestamp"),
            &g["timestamp"],
            opt_str(w.timestamp),
        );
        cmp(
            format!("hop {n} delay_seconds"),
            &g["delay_seconds"],
            w.delay.map_or(Value::Null, Value::from),
        );
        if let Some(h) = w.helo {
            cmp(format!("hop {n} helo"), &g["helo"], opt_str(h));
        }
        if let Some(r) = w.rdns {
            cmp(format!("hop {n} rdns"), &g["rdns"], opt_str(r));
        }
        if let Some(p) = w.protocol {
            cmp(format!("hop {n} protocol"), &g["protocol"], opt_str(p));
        }
        if let Some(t) = w.tls {
            let want_tls = match t {
                None => Value::Null,
                Some((v, c)) => serde_json::json!({"version": v, "cipher": c}),
            };
            cmp(format!("hop {n} tls"), &g["tls"], want_tls);
        }
        let side = match n.cmp(&want.boundary.0) {
            std::cmp::Ordering::Less => "sender",
            std::cmp::Ordering::Equal => "boundary",
            std::cmp::Ordering::Greater => "recipient",
        };
        cmp(format!("hop {n} side"), &g["side"], Value::from(side));
    }
    let b = &got["boundary"];
    cmp(
        "boundary hop".into(),
        &b["hop"],
        Value::from(want.boundary.0),
    );
    cmp("boundary ip".into(), &b["ip"], opt_str(want.boundary.1));
    let by = want
        .hops
        .get(want.boundary.0.wrapping_sub(1))
        .and_then(|h| h.by_host);
    cmp("boundary host".into(), &b["host"], opt_str(by));

    let mut fired: Vec<(String, Option<u64>)> = got["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            let name = f["name"].as_str()?;
            HOP_RULES
                .contains(&name)
                .then(|| (name.to_string(), f["hop"].as_u64()))
        })
        .collect();
    fired.sort();
    let mut expected: Vec<(String, Option<u64>)> = want
        .fired
        .iter()
        .map(|(n, h)| (n.to_string(), Some(*h as u64)))
        .collect();
    expected.sort();
    if fired != expected {
        bad.push(format!(
            "{label}: hop findings: expected {expected:?}, got {fired:?}"
        ));
    }
    bad
}

/// Analyse the message with LF and with CRLF line ends and check both.
fn check(name: &str, message: &str, want: Expect) {
    assert!(!want.hops.is_empty(), "{name}: an expectation with no hops");
    let lf = message.replace("\r\n", "\n");
    let crlf = lf.replace('\n', "\r\n");
    let mut bad = mismatches(&format!("{name} (LF)"), &report_json(name, &lf), &want);
    bad.extend(mismatches(
        &format!("{name} (CRLF)"),
        &report_json(name, &crlf),
        &want,
    ));
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Gmail

#[test]
fn gmail_workspace_to_workspace() {
    let m = r#"Delivered-To: dave@example.com
Received: by 2002:a05:6a10:9e4c:b0:5c1:2d3e:4f50 with SMTP id k12csp2345678pxb;
        Mon, 28 Oct 2024 05:59:58 -0700 (PDT)
X-Received: by 2002:a17:907:7d8a:b0:a9a:3c4d:5e6f with SMTP id oz10-20020a1709077d8a00b00a9a3c4d5e6fmr1234567ejc.27.1730120398123;
        Mon, 28 Oct 2024 05:59:58 -0700 (PDT)
ARC-Seal: i=1; a=rsa-sha256; t=1730120398; cv=none;
        d=google.com; s=arc-20240605;
        b=AAAA
Return-Path: <carol@example.net>
Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [192.0.2.41])
        by mx.google.com with SMTPS id a640c23a62f3a-a9a0f4c2b1csor123456766b.9.2024.10.28.05.59.57
        for <dave@example.com>
        (Google Transport Security);
        Mon, 28 Oct 2024 05:59:57 -0700 (PDT)
Received-SPF: pass (google.com: domain of carol@example.net designates 192.0.2.41 as permitted sender) client-ip=192.0.2.41;
X-Google-Smtp-Source: AGHT+IEabcdefghijklmnop
X-Received: by 2002:a17:906:3b4c:b0:a9a:1b2c:3d4e with SMTP id a640c23a62f3a-a9a1b2c3d4emr98765432166b.9.1730120397456;
        Mon, 28 Oct 2024 05:59:57 -0700 (PDT)
From: Carol Ng <carol@example.net>
To: Dave Roe <dave@example.com>
Subject: Lunch on Thursday
Date: Mon, 28 Oct 2024 13:59:55 +0100
Message-ID: <CAB7xQ1n2m3=example@mail.gmail.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

See you there.
"#;
    check(
        "gmail_workspace_to_workspace",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("192.0.2.41"),
                    Some("mx.google.com"),
                    Some("2024-10-28T12:59:57Z"),
                    None,
                )
                .helo(Some("mail-sor-f41.google.com"))
                .rdns(Some("mail-sor-f41.google.com"))
                .proto("SMTPS")
                .tls_implied(),
                hop(
                    None,
                    Some("2002:a05:6a10:9e4c:b0:5c1:2d3e:4f50"),
                    Some("2024-10-28T12:59:58Z"),
                    Some(1),
                )
                .helo(None)
                .proto("SMTP")
                .no_tls(),
            ],
            // Both mailboxes are on Google: mx.google.com is where the recipient's side
            // starts (the `mail-sor` relay is the sender's outbound), so hop 1 is the boundary.
            boundary: (1, Some("192.0.2.41")),
            fired: vec![],
        },
    );
}

#[test]
fn postfix_sender_to_gmail_tls13() {
    let m = "Delivered-To: erin@example.com
Received: by 2002:a05:7300:5b8c:b0:1a2:3b4c:5d6e with SMTP id z12csp456789dyc;
        Tue, 5 Nov 2024 01:02:03 -0800 (PST)
X-Received: by 2002:a05:6000:1a8c:b0:381:c3d4:e5f6 with SMTP id ffacd0b85a97d-381c3d4e5f6mr1234567f8f.12.1730797323456;
        Tue, 05 Nov 2024 01:02:03 -0800 (PST)
Received: from mail.example.net (mail.example.net. [198.51.100.25])
        by mx.google.com with ESMTPS id 5b1f17b1804b1-4327d5e8a1bsi123456785e9.412.2024.11.05.01.02.02
        for <erin@example.com>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Tue, 05 Nov 2024 01:02:02 -0800 (PST)
Received: from [10.1.2.3] (unknown [203.0.113.50])
\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)
\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
\t(No client certificate requested)
\t(Authenticated sender: ann@example.net)
\tby mail.example.net (Postfix) with ESMTPSA id 4XjK2m0VbKz1xyZ
\tfor <erin@example.com>; Tue,  5 Nov 2024 10:01:58 +0100 (CET)
From: Ann Berg <ann@example.net>
To: erin@example.com
Subject: slides
Date: Tue, 5 Nov 2024 10:01:57 +0100
Message-ID: <a1b2c3@example.net>

attached
";
    check(
        "postfix_sender_to_gmail_tls13",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("203.0.113.50"),
                    Some("mail.example.net"),
                    Some("2024-11-05T09:01:58Z"),
                    None,
                )
                .helo(Some("[10.1.2.3]"))
                .rdns(None)
                .proto("ESMTPSA")
                .tls("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
                hop(
                    Some("198.51.100.25"),
                    Some("mx.google.com"),
                    Some("2024-11-05T09:02:02Z"),
                    Some(4),
                )
                .helo(Some("mail.example.net"))
                .rdns(Some("mail.example.net"))
                .proto("ESMTPS")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    None,
                    Some("2002:a05:7300:5b8c:b0:1a2:3b4c:5d6e"),
                    Some("2024-11-05T09:02:03Z"),
                    Some(1),
                ),
            ],
            boundary: (2, Some("198.51.100.25")),
            fired: vec![],
        },
    );
}

#[test]
fn gmail_sender_to_exim_with_local_redelivery() {
    let m = "Received: from nina by mx.example.org with local (Exim 4.97.1)
\t(envelope-from <sam@example.net>)
\tid 1tEfGh-003GhK-1a
\tfor nina@example.org; Thu, 21 Nov 2024 18:44:07 +0000
Received: from mail-wr1-f54.google.com ([192.0.2.54]:40123)
\tby mx.example.org with esmtps  (TLS1.3) tls TLS_AES_128_GCM_SHA256
\t(Exim 4.97.1)
\t(envelope-from <sam@example.net>)
\tid 1tEfGf-003GhI-0x
\tfor nina@example.org;
\tThu, 21 Nov 2024 18:44:07 +0000
Received: by mail-wr1-f54.google.com with SMTP id ffacd0b85a97d-382411ea5e3so1234567f8f.3
        for <nina@example.org>; Thu, 21 Nov 2024 10:44:05 -0800 (PST)
From: Sam Ortiz <sam@example.net>
To: nina@example.org
Subject: Re: tickets
Date: Thu, 21 Nov 2024 19:44:03 +0100
Message-ID: <CAH9abc=def@mail.gmail.com>

ok
";
    check(
        "gmail_sender_to_exim_with_local_redelivery",
        m,
        Expect {
            hops: vec![
                hop(
                    None,
                    Some("mail-wr1-f54.google.com"),
                    Some("2024-11-21T18:44:05Z"),
                    None,
                )
                .proto("SMTP")
                .no_tls(),
                // Exim: `from RDNS ([ip]:port)`; it leaves helo= out when it equals the rDNS.
                hop(
                    Some("192.0.2.54"),
                    Some("mx.example.org"),
                    Some("2024-11-21T18:44:07Z"),
                    Some(2),
                )
                .rdns(Some("mail-wr1-f54.google.com"))
                .proto("esmtps")
                .tls("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
                hop(
                    None,
                    Some("mx.example.org"),
                    Some("2024-11-21T18:44:07Z"),
                    Some(0),
                )
                .helo(None)
                .proto("local")
                .no_tls(),
            ],
            boundary: (2, Some("192.0.2.54")),
            fired: vec![],
        },
    );
}

#[test]
fn gmail_ipv6_sender_to_postfix() {
    let m = "Received: from mail-ej1-x62b.google.com (mail-ej1-x62b.google.com [IPv6:2001:db8:4864:20::62b])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
\t key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256)
\t(No client certificate requested)
\tby mx.example.org (Postfix) with ESMTPS id 4ZCd1f2G3hz4Jkl
\tfor <jon@example.org>; Tue, 11 Mar 2025 10:15:44 +0100 (CET)
Received: by mail-ej1-x62b.google.com with SMTP id a640c23a62f3a-ac2a1b2c3d4so123456766b.1
        for <jon@example.org>; Tue, 11 Mar 2025 02:15:42 -0700 (PDT)
X-Received: by 2002:a17:907:c28:b0:ac2:9a1b:2c3d with SMTP id gu40-20020a170907c28b0ac29a1b2c3dmr1234567ejc.5.1741684542345;
        Tue, 11 Mar 2025 02:15:42 -0700 (PDT)
From: Ola Berg <ola@example.net>
To: jon@example.org
Subject: v6 from google
Date: Tue, 11 Mar 2025 10:15:40 +0100
Message-ID: <CAO5=x1@mail.gmail.com>

b
";
    check(
        "gmail_ipv6_sender_to_postfix",
        m,
        Expect {
            hops: vec![
                hop(
                    None,
                    Some("mail-ej1-x62b.google.com"),
                    Some("2025-03-11T09:15:42Z"),
                    None,
                )
                .helo(None)
                .proto("SMTP")
                .no_tls(),
                hop(
                    Some("2001:db8:4864:20::62b"),
                    Some("mx.example.org"),
                    Some("2025-03-11T09:15:44Z"),
                    Some(2),
                )
                .helo(Some("mail-ej1-x62b.google.com"))
                .rdns(Some("mail-ej1-x62b.google.com"))
                .proto("ESMTPS")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
            ],
            boundary: (2, Some("2001:db8:4864:20::62b")),
            fired: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Microsoft 365

#[test]
fn microsoft_365_inbound_with_folded_dates() {
    let m = "Received: from SN7PR11MB8122.namprd11.prod.outlook.com (2603:10b6:806:2e5::17)
 by MW4PR11MB5912.namprd11.prod.outlook.com with HTTPS; Wed, 15 Jan 2025
 14:22:09 +0000
Received: from BN9PR03CA0871.namprd03.prod.outlook.com (2603:10b6:408:13c::6)
 by SN7PR11MB8122.namprd11.prod.outlook.com (2603:10b6:806:2e5::17) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8335.17; Wed, 15 Jan
 2025 14:22:08 +0000
Received: from BN2PEPF00004FBB.namprd04.prod.outlook.com
 (2603:10b6:408:13c:cafe::4b) by BN9PR03CA0871.outlook.office365.com
 (2603:10b6:408:13c::6) with Microsoft SMTP Server (version=TLS1_3,
 cipher=TLS_AES_256_GCM_SHA384) id 15.20.8335.17 via Frontend Transport; Wed,
 15 Jan 2025 14:22:08 +0000
Authentication-Results: spf=pass (sender IP is 198.51.100.61)
 smtp.mailfrom=example.net; dkim=none (message not signed)
 header.d=none;dmarc=none action=none header.from=example.net;
Received-SPF: Pass (protection.outlook.com: domain of example.net designates
 198.51.100.61 as permitted sender) receiver=protection.outlook.com;
 client-ip=198.51.100.61; helo=mx1.example.net; pr=C
Received: from mx1.example.net (198.51.100.61) by
 BN2PEPF00004FBB.mail.protection.outlook.com (10.167.243.180) with Microsoft
 SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8335.10
 via Frontend Transport; Wed, 15 Jan 2025 14:22:07 +0000
Received: from laptop.example.net ([192.168.7.20])
\tby mx1.example.net (8.17.1/8.17.1) with ESMTPSA id 50FEM3dn012345
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)
\tfor <frank@example.com>; Wed, 15 Jan 2025 09:22:03 -0500
From: Gus Hale <gus@example.net>
To: Frank Ito <frank@example.com>
Subject: quarterly numbers
Date: Wed, 15 Jan 2025 09:22:01 -0500
Message-ID: <20250115142201.GA1234@laptop.example.net>
X-MS-Exchange-Organization-AuthSource: BN2PEPF00004FBB.namprd04.prod.outlook.com

numbers attached
";
    check(
        "microsoft_365_inbound_with_folded_dates",
        m,
        Expect {
            hops: vec![
                // Sendmail: `from HELO ([ip])`, no rDNS recorded.
                hop(
                    Some("192.168.7.20"),
                    Some("mx1.example.net"),
                    Some("2025-01-15T14:22:03Z"),
                    None,
                )
                .helo(Some("laptop.example.net"))
                .rdns(None)
                .proto("ESMTPSA")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                // Exchange: `from HELO (ip)`.
                hop(
                    Some("198.51.100.61"),
                    Some("BN2PEPF00004FBB.mail.protection.outlook.com"),
                    Some("2025-01-15T14:22:07Z"),
                    Some(4),
                )
                .helo(Some("mx1.example.net"))
                .rdns(None)
                .proto("Microsoft SMTP Server")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    Some("2603:10b6:408:13c:cafe::4b"),
                    Some("BN9PR03CA0871.outlook.office365.com"),
                    Some("2025-01-15T14:22:08Z"),
                    Some(1),
                )
                .helo(Some("BN2PEPF00004FBB.namprd04.prod.outlook.com"))
                .proto("Microsoft SMTP Server")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    Some("2603:10b6:408:13c::6"),
                    Some("SN7PR11MB8122.namprd11.prod.outlook.com"),
                    Some("2025-01-15T14:22:08Z"),
                    Some(0),
                )
                .proto("Microsoft SMTP Server")
                .tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
                hop(
                    Some("2603:10b6:806:2e5::17"),
                    Some("MW4PR11MB5912.namprd11.prod.outlook.com"),
                    Some("2025-01-15T14:22:09Z"),
                    Some(1),
                )
                .helo(None)
                .proto("HTTPS")
                .tls_implied(),
            ],
            // EOP (`*.mail.protection.outlook.com`) is where outside mail enters Microsoft 365.
            boundary: (2, Some("198.51.100.61")),
            fired: vec![],
        },
    );
}

#[test]
fn microsoft_365_internal_mapi_message() {
    let m = "Received: from DM6PR11MB4321.namprd11.prod.outlook.com (2603:10b6:5:1c0::20)
 by CH3PR11MB7788.namprd11.prod.outlook.com with HTTPS; Thu, 9 Jan 2025
 16:45:14 +0000
Received: from DM6PR11MB4321.namprd11.prod.outlook.com
 ([fe80::1c2d:3e4f:5a6b:7c8d]) by DM6PR11MB4321.namprd11.prod.outlook.com
 ([fe80::1c2d:3e4f:5a6b:7c8d%5]) with mapi id 15.20.8293.000; Thu, 9 Jan 2025
 16:45:12 +0000
From: Hana Ruiz <hana@example.com>
To: Ivo Lenz <ivo@example.com>
Subject: standup moved
Thread-Topic: standup moved
Date: Thu, 9 Jan 2025 16:45:12 +0000
Message-ID: <DM6PR11MB4321A1B2C3D4E5F6A7B8C9D0E1F2A@DM6PR11MB4321.namprd11.prod.outlook.com>
X-MS-Has-Attach:
X-MS-Exchange-Organization-SCL: -1

10:30 instead
";
    check(
        "microsoft_365_internal_mapi_message",
        m,
        Expect {
            hops: vec![
                // A zone index (`%5`) is not part of the address.
                hop(
                    Some("fe80::1c2d:3e4f:5a6b:7c8d"),
                    Some("DM6PR11MB4321.namprd11.prod.outlook.com"),
                    Some("2025-01-09T16:45:12Z"),
                    None,
                )
                .helo(None)
                .proto("mapi")
                .no_tls(),
                hop(
                    Some("2603:10b6:5:1c0::20"),
                    Some("CH3PR11MB7788.namprd11.prod.outlook.com"),
                    Some("2025-01-09T16:45:14Z"),
                    Some(2),
                )
                .proto("HTTPS")
                .tls_implied(),
            ],
            // Nothing came from outside: every hop is Microsoft's own, so the oldest hop is
            // the boundary (the message entered the system when the user submitted it).
            boundary: (1, Some("fe80::1c2d:3e4f:5a6b:7c8d")),
            fired: vec![],
        },
    );
}

#[test]
fn microsoft_365_tenant_to_tenant() {
    let m = "Received: from DS7PR12MB5741.namprd12.prod.outlook.com (2603:10b6:8:76::9) by
 CH2PR12MB4152.namprd12.prod.outlook.com with HTTPS; Thu, 27 Feb 2025 21:33:48
 +0000
Received: from DS7PR05CA0012.namprd05.prod.outlook.com (2603:10b6:5:3b9::17)
 by DS7PR12MB5741.namprd12.prod.outlook.com (2603:10b6:8:76::9) with Microsoft
 SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id
 15.20.8489.19; Thu, 27 Feb 2025 21:33:47 +0000
Received: from CY4PEPF0000EE3A.namprd03.prod.outlook.com
 (2603:10b6:5:3b9:cafe::2c) by DS7PR05CA0012.outlook.office365.com
 (2603:10b6:5:3b9::17) with Microsoft SMTP Server (version=TLS1_3,
 cipher=TLS_AES_256_GCM_SHA384) id 15.20.8489.19 via Frontend Transport; Thu,
 27 Feb 2025 21:33:47 +0000
Received: from NAM12-DM6-obe.outbound.protection.outlook.com (198.51.100.90) by
 CY4PEPF0000EE3A.mail.protection.outlook.com (10.167.242.14) with Microsoft
 SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8489.16
 via Frontend Transport; Thu, 27 Feb 2025 21:33:46 +0000
Received: from SJ0PR12MB6806.namprd12.prod.outlook.com (2603:10b6:a03:478::8)
 by SA1PR12MB7245.namprd12.prod.outlook.com (2603:10b6:806:2bf::11) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8489.19; Thu, 27 Feb
 2025 21:33:45 +0000
Received: from SJ0PR12MB6806.namprd12.prod.outlook.com
 ([fe80::9a2b:3c4d:5e6f:7a8b]) by SJ0PR12MB6806.namprd12.prod.outlook.com
 ([fe80::9a2b:3c4d:5e6f:7a8b%5]) with mapi id 15.20.8489.018; Thu, 27 Feb 2025
 21:33:44 +0000
From: Jo Park <jo@example.net>
To: Kai Moss <kai@example.com>
Subject: contract draft
Date: Thu, 27 Feb 2025 21:33:43 +0000
Message-ID: <SJ0PR12MB68061A2B3C4D5E6F@SJ0PR12MB6806.namprd12.prod.outlook.com>

draft v3
";
    check(
        "microsoft_365_tenant_to_tenant",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("fe80::9a2b:3c4d:5e6f:7a8b"),
                    Some("SJ0PR12MB6806.namprd12.prod.outlook.com"),
                    Some("2025-02-27T21:33:44Z"),
                    None,
                )
                .proto("mapi"),
                hop(
                    Some("2603:10b6:a03:478::8"),
                    Some("SA1PR12MB7245.namprd12.prod.outlook.com"),
                    Some("2025-02-27T21:33:45Z"),
                    Some(1),
                )
                .proto("Microsoft SMTP Server")
                .tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
                hop(
                    Some("198.51.100.90"),
                    Some("CY4PEPF0000EE3A.mail.protection.outlook.com"),
                    Some("2025-02-27T21:33:46Z"),
                    Some(1),
                )
                .helo(Some("NAM12-DM6-obe.outbound.protection.outlook.com"))
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    Some("2603:10b6:5:3b9:cafe::2c"),
                    Some("DS7PR05CA0012.outlook.office365.com"),
                    Some("2025-02-27T21:33:47Z"),
                    Some(1),
                ),
                hop(
                    Some("2603:10b6:5:3b9::17"),
                    Some("DS7PR12MB5741.namprd12.prod.outlook.com"),
                    Some("2025-02-27T21:33:47Z"),
                    Some(0),
                ),
                hop(
                    Some("2603:10b6:8:76::9"),
                    Some("CH2PR12MB4152.namprd12.prod.outlook.com"),
                    Some("2025-02-27T21:33:48Z"),
                    Some(1),
                )
                .proto("HTTPS"),
            ],
            // Another tenant's outbound is outside the recipient's organisation even though
            // both are Microsoft: the boundary is the EOP hop, not the oldest.
            boundary: (3, Some("198.51.100.90")),
            fired: vec![],
        },
    );
}

#[test]
fn microsoft_365_outbound_to_postfix() {
    let m = "Received: from EUR05-AM6-obe.outbound.protection.outlook.com (mail-am6eur05on20701.outbound.protection.outlook.com [198.51.100.170])
\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))
\t(No client certificate requested)
\tby mx.example.org (Postfix) with ESMTPS id 4Yb7Lq1Xkzz4w2F
\tfor <olga@example.org>; Mon, 16 Dec 2024 11:20:34 +0100 (CET)
Received: from AM9PR07MB7123.eurprd07.prod.outlook.com (2603:10a6:20b:2c1::18)
 by DU0PR07MB9456.eurprd07.prod.outlook.com (2603:10a6:10:3a4::9) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8251.21; Mon, 16 Dec
 2024 10:20:32 +0000
Received: from AM9PR07MB7123.eurprd07.prod.outlook.com
 ([fe80::4a5b:6c7d:8e9f:a0b1]) by AM9PR07MB7123.eurprd07.prod.outlook.com
 ([fe80::4a5b:6c7d:8e9f:a0b1%4]) with mapi id 15.20.8251.020; Mon, 16 Dec 2024
 10:20:31 +0000
From: Lea Voss <lea@example.com>
To: Olga Prim <olga@example.org>
Subject: Visit next week
Date: Mon, 16 Dec 2024 10:20:30 +0000
Message-ID: <AM9PR07MB7123F00DFACE@AM9PR07MB7123.eurprd07.prod.outlook.com>

Tuesday works.
";
    check(
        "microsoft_365_outbound_to_postfix",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("fe80::4a5b:6c7d:8e9f:a0b1"),
                    Some("AM9PR07MB7123.eurprd07.prod.outlook.com"),
                    Some("2024-12-16T10:20:31Z"),
                    None,
                )
                .proto("mapi")
                .no_tls(),
                hop(
                    Some("2603:10a6:20b:2c1::18"),
                    Some("DU0PR07MB9456.eurprd07.prod.outlook.com"),
                    Some("2024-12-16T10:20:32Z"),
                    Some(1),
                )
                .helo(Some("AM9PR07MB7123.eurprd07.prod.outlook.com"))
                .proto("Microsoft SMTP Server")
                .tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
                hop(
                    Some("198.51.100.170"),
                    Some("mx.example.org"),
                    Some("2024-12-16T10:20:34Z"),
                    Some(2),
                )
                .helo(Some("EUR05-AM6-obe.outbound.protection.outlook.com"))
                .rdns(Some("mail-am6eur05on20701.outbound.protection.outlook.com"))
                .proto("ESMTPS")
                .tls("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"),
            ],
            boundary: (3, Some("198.51.100.170")),
            fired: vec![],
        },
    );
}

#[test]
fn exchange_on_premises_behind_sendmail() {
    let m = "Received: from EXCH02.corp.example.com (10.1.1.2) by EXCH03.corp.example.com
 (10.1.1.3) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1258.12 via Mailbox
 Transport; Tue, 4 Mar 2025 10:15:02 +0100
Received: from EXCH01.corp.example.com (10.1.1.1) by EXCH02.corp.example.com
 (10.1.1.2) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1258.12; Tue, 4 Mar
 2025 10:15:01 +0100
Received: from mail.example.net (198.51.100.9) by EXCH01.corp.example.com
 (10.1.1.1) with Microsoft SMTP Server (TLS) id 15.2.1258.12 via Frontend
 Transport; Tue, 4 Mar 2025 10:15:00 +0100
Received: from host.example.net (IDENT:root@host.example.net [192.0.2.1])
\tby mail.example.net (8.15.2/8.15.2) with ESMTP id 524990x1012345
\tfor <ben@example.com>; Tue, 4 Mar 2025 04:14:58 -0500
Received: (from root@localhost)
\tby host.example.net (8.15.2/8.15.2/Submit) id 524990aB012340;
\tTue, 4 Mar 2025 04:14:57 -0500
From: root@host.example.net
To: ben@example.com
Subject: cron output
Date: Tue, 4 Mar 2025 04:14:57 -0500
Message-ID: <202503040914.524990aB012340@host.example.net>

done
";
    check(
        "exchange_on_premises_behind_sendmail",
        m,
        Expect {
            hops: vec![
                // Sendmail's local submission: no connection, no IP.
                hop(
                    None,
                    Some("host.example.net"),
                    Some("2025-03-04T09:14:57Z"),
                    None,
                ),
                // `(IDENT:user@rdns [ip])`: the ident user is not part of the name.
                hop(
                    Some("192.0.2.1"),
                    Some("mail.example.net"),
                    Some("2025-03-04T09:14:58Z"),
                    Some(1),
                )
                .helo(Some("host.example.net"))
                .rdns(Some("host.example.net"))
                .proto("ESMTP")
                .no_tls(),
                // Exchange `(TLS)` states TLS without version or cipher.
                hop(
                    Some("198.51.100.9"),
                    Some("EXCH01.corp.example.com"),
                    Some("2025-03-04T09:15:00Z"),
                    Some(2),
                )
                .helo(Some("mail.example.net"))
                .rdns(None)
                .proto("Microsoft SMTP Server")
                .tls_implied(),
                hop(
                    Some("10.1.1.1"),
                    Some("EXCH02.corp.example.com"),
                    Some("2025-03-04T09:15:01Z"),
                    Some(1),
                )
                .tls("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
                hop(
                    Some("10.1.1.2"),
                    Some("EXCH03.corp.example.com"),
                    Some("2025-03-04T09:15:02Z"),
                    Some(1),
                ),
            ],
            boundary: (3, Some("198.51.100.9")),
            fired: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Exim

#[test]
fn exim_mx_with_rdns_tls13_and_local_delivery() {
    let m = "Received: from gina by mx.example.org with local (Exim 4.97)
\t(envelope-from <news@example.net>)
\tid 1tgHiJ-000Y01-0B
\tfor gina@example.org; Fri, 07 Feb 2025 11:30:06 +0000
Received: from mail-out.example.net ([198.51.100.33]:41234 helo=smtp.example.net)
\tby mx.example.org with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384
\t(Exim 4.97)
\t(envelope-from <news@example.net>)
\tid 1tgHiH-000XyZ-2Q
\tfor gina@example.org;
\tFri, 07 Feb 2025 11:30:05 +0000
Received: from localhost (localhost [127.0.0.1])
\tby mail-out.example.net (Postfix) with ESMTP id 6F2A31C0042
\tfor <gina@example.org>; Fri,  7 Feb 2025 12:30:01 +0100 (CET)
From: Newsletter <news@example.net>
To: gina@example.org
Subject: February issue
Date: Fri, 07 Feb 2025 12:30:00 +0100
Message-ID: <issue-2025-02@example.net>

read online
";
    check(
        "exim_mx_with_rdns_tls13_and_local_delivery",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("127.0.0.1"),
                    Some("mail-out.example.net"),
                    Some("2025-02-07T11:30:01Z"),
                    None,
                )
                .helo(Some("localhost"))
                .rdns(Some("localhost"))
                .proto("ESMTP")
                .no_tls(),
                hop(
                    Some("198.51.100.33"),
                    Some("mx.example.org"),
                    Some("2025-02-07T11:30:05Z"),
                    Some(4),
                )
                .helo(Some("smtp.example.net"))
                .rdns(Some("mail-out.example.net"))
                .proto("esmtps")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    None,
                    Some("mx.example.org"),
                    Some("2025-02-07T11:30:06Z"),
                    Some(1),
                )
                .helo(None)
                .rdns(None)
                .proto("local"),
            ],
            boundary: (2, Some("198.51.100.33")),
            fired: vec![],
        },
    );
}

#[test]
fn exim_without_rdns_null_sender_then_lmtp() {
    let m = "Return-Path: <>
Delivered-To: henry@example.org
Received: from mail.example.org ([127.0.0.1])
\tby mail.example.org with LMTP
\tid 8JbVJk5yDGf1YQAAz0b8Xw
\t(envelope-from <>)
\tfor <henry@example.org>; Mon, 14 Oct 2024 03:15:10 +0200
Received: from [203.0.113.77] (port=58812 helo=WIN-ABC123)
\tby mail.example.org with esmtp (Exim 4.96)
\t(envelope-from <>)
\tid 1t04Xq-0004Qe-1F
\tfor henry@example.org; Mon, 14 Oct 2024 03:15:09 +0200
From: Mail Delivery System <MAILER-DAEMON@example.net>
To: henry@example.org
Subject: Undelivered Mail Returned to Sender
Date: Mon, 14 Oct 2024 01:15:08 +0000
Message-ID: <bounce-1@example.net>

bounce
";
    check(
        "exim_without_rdns_null_sender_then_lmtp",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("203.0.113.77"),
                    Some("mail.example.org"),
                    Some("2024-10-14T01:15:09Z"),
                    None,
                )
                .helo(Some("WIN-ABC123"))
                .rdns(None)
                .proto("esmtp")
                .no_tls(),
                hop(
                    Some("127.0.0.1"),
                    Some("mail.example.org"),
                    Some("2024-10-14T01:15:10Z"),
                    Some(1),
                )
                .proto("LMTP")
                .no_tls(),
            ],
            boundary: (1, Some("203.0.113.77")),
            fired: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Sendmail

#[test]
fn sendmail_may_be_forged_and_authenticated_submission() {
    let m = "Received: from mx.example.com (mx.example.com [10.9.0.2])
\tby mbox.example.com (8.15.2/8.15.2) with ESMTP id 4B3HqMxA009876
\tfor <ivan@example.com>; Tue, 3 Dec 2024 12:52:22 -0500
Received: from relay.example.edu (relay.example.edu [192.0.2.88])
\tby mx.example.com (8.15.2/8.15.2) with ESMTPS id 4B3HqL9x021234
\t(version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT)
\tfor <ivan@example.com>; Tue, 3 Dec 2024 12:52:21 -0500
Received: from pc17.example.edu (dyn-45.example.edu [198.51.100.45] (may be forged))
\t(authenticated bits=0)
\tby relay.example.edu (8.15.2/8.15.2/Submit) with ESMTPSA id 4B3HqH2R005678
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)
\tfor <ivan@example.com>; Tue, 3 Dec 2024 09:52:17 -0800
From: Lars Quist <lars@example.edu>
To: ivan@example.com
Subject: seminar
Date: Tue, 3 Dec 2024 09:52:15 -0800
Message-ID: <202412031752.4B3HqH2R005678@relay.example.edu>

Thursday 3pm
";
    check(
        "sendmail_may_be_forged_and_authenticated_submission",
        m,
        Expect {
            hops: vec![
                // `(may be forged)`: the rDNS did not confirm; the IP is still the fact.
                hop(
                    Some("198.51.100.45"),
                    Some("relay.example.edu"),
                    Some("2024-12-03T17:52:17Z"),
                    None,
                )
                .helo(Some("pc17.example.edu"))
                .rdns(Some("dyn-45.example.edu"))
                .proto("ESMTPSA")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    Some("192.0.2.88"),
                    Some("mx.example.com"),
                    Some("2024-12-03T17:52:21Z"),
                    Some(4),
                )
                .helo(Some("relay.example.edu"))
                .rdns(Some("relay.example.edu"))
                .proto("ESMTPS")
                .tls("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"),
                hop(
                    Some("10.9.0.2"),
                    Some("mbox.example.com"),
                    Some("2024-12-03T17:52:22Z"),
                    Some(1),
                )
                .proto("ESMTP")
                .no_tls(),
            ],
            boundary: (2, Some("192.0.2.88")),
            fired: vec![],
        },
    );
}

#[test]
fn sendmail_authenticated_as_then_postfix_utc() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby imap.example.org (Postfix) with LMTP id 2E3F4A5B6C
\tfor <quinn@example.org>; Wed, 12 Mar 2025 13:48:20 +0000 (UTC)
Received: from smtp.example.com (smtp.example.com [203.0.113.121])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
\t(No client certificate requested)
\tby mx.example.org (Postfix) with ESMTPS id 4ZCc2d3E4fz9Ghi
\tfor <quinn@example.org>; Wed, 12 Mar 2025 13:48:19 +0000 (UTC)
Received: from [192.168.0.12] (c-198-51-100-12.example.net [198.51.100.12])
\t(authenticated as pat@example.com)
\tby smtp.example.com (8.17.1/8.17.1) with ESMTPSA id 52CDmF1a004321
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)
\tfor <quinn@example.org>; Wed, 12 Mar 2025 09:48:15 -0400
From: Pat Ruiz <pat@example.com>
To: Quinn Stahl <quinn@example.org>
Subject: invoice
Date: Wed, 12 Mar 2025 09:48:14 -0400
Message-ID: <e5f6a7b8@example.com>

see attached
";
    check(
        "sendmail_authenticated_as_then_postfix_utc",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("198.51.100.12"),
                    Some("smtp.example.com"),
                    Some("2025-03-12T13:48:15Z"),
                    None,
                )
                .helo(Some("[192.168.0.12]"))
                .rdns(Some("c-198-51-100-12.example.net"))
                .proto("ESMTPSA")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    Some("203.0.113.121"),
                    Some("mx.example.org"),
                    Some("2025-03-12T13:48:19Z"),
                    Some(4),
                )
                .helo(Some("smtp.example.com"))
                .rdns(Some("smtp.example.com"))
                .proto("ESMTPS")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    Some("10.0.0.5"),
                    Some("imap.example.org"),
                    Some("2025-03-12T13:48:20Z"),
                    Some(1),
                )
                .proto("LMTP"),
            ],
            boundary: (2, Some("203.0.113.121")),
            fired: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// qmail

#[test]
fn qmail_recipient_invoked_from_network() {
    let m = "Received: (qmail 29331 invoked from network); 4 Mar 2025 16:20:33 -0000
Received: from unknown (HELO mail.example.net) (198.51.100.7)
  by mx.example.org with SMTP; 4 Mar 2025 16:20:33 -0000
Received: from webmail.example.net (webmail.example.net [203.0.113.14])
\tby mail.example.net (Postfix) with ESMTP id 1A2B3C4D5E
\tfor <jane@example.org>; Tue,  4 Mar 2025 17:20:31 +0100 (CET)
From: Kit Arndt <kit@example.net>
To: jane@example.org
Subject: minutes
Date: Tue, 4 Mar 2025 17:20:30 +0100
Message-ID: <minutes-0304@example.net>

attached
";
    check(
        "qmail_recipient_invoked_from_network",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("203.0.113.14"),
                    Some("mail.example.net"),
                    Some("2025-03-04T16:20:31Z"),
                    None,
                )
                .helo(Some("webmail.example.net"))
                .rdns(Some("webmail.example.net")),
                // qmail: `from RDNS (HELO name) (ip)`, RDNS `unknown` when there was none.
                hop(
                    Some("198.51.100.7"),
                    Some("mx.example.org"),
                    Some("2025-03-04T16:20:33Z"),
                    Some(2),
                )
                .helo(Some("mail.example.net"))
                .rdns(None)
                .proto("SMTP")
                .no_tls(),
                // qmail-queue's own line: a time, no host, no IP.
                hop(None, None, Some("2025-03-04T16:20:33Z"), Some(0)).helo(None),
            ],
            boundary: (2, Some("198.51.100.7")),
            fired: vec![],
        },
    );
}

#[test]
fn qmail_sender_invoked_by_uid_to_postfix() {
    let m = "Received: from smtp.example.net (smtp.example.net [198.51.100.8])
\tby mx.example.org (Postfix) with ESMTP id 4ZSxT1u2V3z4Wxy
\tfor <lena@example.org>; Wed,  2 Apr 2025 07:45:12 +0000 (UTC)
Received: (qmail 4521 invoked from network); 2 Apr 2025 07:45:10 -0000
Received: from web1.example.net (HELO localhost) (10.0.5.9)
  by smtp.example.net with SMTP; 2 Apr 2025 07:45:10 -0000
Received: (qmail 4517 invoked by uid 89); 2 Apr 2025 07:45:09 -0000
From: Shop <orders@example.net>
To: lena@example.org
Subject: Your order 44817
Date: Wed, 2 Apr 2025 07:45:09 +0000
Message-ID: <order-44817@example.net>

thanks
";
    check(
        "qmail_sender_invoked_by_uid_to_postfix",
        m,
        Expect {
            hops: vec![
                hop(None, None, Some("2025-04-02T07:45:09Z"), None),
                // qmail with rDNS: `from RDNS (HELO name) (ip)`.
                hop(
                    Some("10.0.5.9"),
                    Some("smtp.example.net"),
                    Some("2025-04-02T07:45:10Z"),
                    Some(1),
                )
                .helo(Some("localhost"))
                .rdns(Some("web1.example.net"))
                .proto("SMTP"),
                hop(None, None, Some("2025-04-02T07:45:10Z"), Some(0)),
                hop(
                    Some("198.51.100.8"),
                    Some("mx.example.org"),
                    Some("2025-04-02T07:45:12Z"),
                    Some(2),
                )
                .helo(Some("smtp.example.net"))
                .rdns(Some("smtp.example.net")),
            ],
            boundary: (4, Some("198.51.100.8")),
            fired: vec![],
        },
    );
}

#[test]
fn qmail_over_ipv6_then_lmtp_over_loopback() {
    let m = "Received: from mx.example.org ([::1])
\tby mx.example.org with LMTP
\tid cXVldWUtMTIz
\t(envelope-from <kay@example.net>)
\tfor <lou@example.org>; Tue, 11 Mar 2025 09:15:46 +0000
Received: (qmail 5511 invoked from network); 11 Mar 2025 09:15:45 -0000
Received: from mail6.example.net (HELO mail6.example.net) (2001:db8:6::7)
  by mx.example.org with ESMTPS; 11 Mar 2025 09:15:45 -0000
Received: from ws.example.net (ws.example.net [IPv6:2001:db8:6:0:0:0:0:9])
\tby mail6.example.net (Postfix) with ESMTP id 4ZCf5g6H7jz8Klm
\tfor <lou@example.org>; Tue, 11 Mar 2025 09:15:43 +0000 (UTC)
From: Kay Ode <kay@example.net>
To: lou@example.org
Subject: qmail v6
Date: Tue, 11 Mar 2025 09:15:42 +0000
Message-ID: <q6-1@example.net>

b
";
    check(
        "qmail_over_ipv6_then_lmtp_over_loopback",
        m,
        Expect {
            hops: vec![
                // An address written in full is reported in its canonical (compressed) form.
                hop(
                    Some("2001:db8:6::9"),
                    Some("mail6.example.net"),
                    Some("2025-03-11T09:15:43Z"),
                    None,
                )
                .helo(Some("ws.example.net"))
                .rdns(Some("ws.example.net")),
                // qmail: `from RDNS (HELO name) (ip)` with a bare IPv6 address.
                hop(
                    Some("2001:db8:6::7"),
                    Some("mx.example.org"),
                    Some("2025-03-11T09:15:45Z"),
                    Some(2),
                )
                .helo(Some("mail6.example.net"))
                .rdns(Some("mail6.example.net"))
                .proto("ESMTPS")
                .tls_implied(),
                hop(None, None, Some("2025-03-11T09:15:45Z"), Some(0)),
                hop(
                    Some("::1"),
                    Some("mx.example.org"),
                    Some("2025-03-11T09:15:46Z"),
                    Some(1),
                )
                .proto("LMTP"),
            ],
            boundary: (2, Some("2001:db8:6::7")),
            fired: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Postfix

#[test]
fn postfix_amavis_reinjection_and_lmtp() {
    let m = "Received: from mail.example.org
\tby mail.example.org with LMTP
\tid kP9aL2g/3GdYBQAA2xZ6tw
\t(envelope-from <lee@example.com>)
\tfor <kim@example.org>; Thu, 20 Mar 2025 08:05:45 -0700
Received: from localhost (localhost [127.0.0.1])
\tby mail.example.org (Postfix) with ESMTP id 4ZJ9cD1mP6z9tGK
\tfor <kim@example.org>; Thu, 20 Mar 2025 08:05:44 -0700 (PDT)
X-Virus-Scanned: amavisd-new at example.org
Received: from mail.example.org ([127.0.0.1])
\tby localhost (mail.example.org [127.0.0.1]) (amavisd-new, port 10024)
\twith ESMTP id aB3dE5fG7hIj for <kim@example.org>;
\tThu, 20 Mar 2025 08:05:43 -0700 (PDT)
Received: from out.example.com (out.example.com [192.0.2.150])
\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))
\t(No client certificate requested)
\tby mail.example.org (Postfix) with ESMTPS id 4ZJ9cC5kR1z9tGJ
\tfor <kim@example.org>; Thu, 20 Mar 2025 08:05:41 -0700 (PDT)
Received: from [192.168.1.44] (unknown [203.0.113.200])
\t(Authenticated sender: lee@example.com)
\tby out.example.com (Postfix) with ESMTPSA id 9C1D2E3F4A
\tfor <kim@example.org>; Thu, 20 Mar 2025 16:05:39 +0100 (CET)
From: Lee Chu <lee@example.com>
To: Kim Dahl <kim@example.org>
Subject: offsite
Date: Thu, 20 Mar 2025 16:05:38 +0100
Message-ID: <offsite-1@example.com>

plan attached
";
    check(
        "postfix_amavis_reinjection_and_lmtp",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("203.0.113.200"),
                    Some("out.example.com"),
                    Some("2025-03-20T15:05:39Z"),
                    None,
                )
                .helo(Some("[192.168.1.44]"))
                .rdns(None)
                .proto("ESMTPSA")
                .tls_implied(),
                hop(
                    Some("192.0.2.150"),
                    Some("mail.example.org"),
                    Some("2025-03-20T15:05:41Z"),
                    Some(2),
                )
                .helo(Some("out.example.com"))
                .rdns(Some("out.example.com"))
                .proto("ESMTPS")
                .tls("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"),
                // amavis: the content filter receiving from Postfix over loopback.
                hop(
                    Some("127.0.0.1"),
                    Some("localhost"),
                    Some("2025-03-20T15:05:43Z"),
                    Some(2),
                )
                .proto("ESMTP"),
                // Postfix's re-injection port.
                hop(
                    Some("127.0.0.1"),
                    Some("mail.example.org"),
                    Some("2025-03-20T15:05:44Z"),
                    Some(1),
                )
                .helo(Some("localhost"))
                .rdns(Some("localhost")),
                hop(
                    None,
                    Some("mail.example.org"),
                    Some("2025-03-20T15:05:45Z"),
                    Some(1),
                )
                .proto("LMTP")
                .no_tls(),
            ],
            boundary: (2, Some("192.0.2.150")),
            fired: vec![],
        },
    );
}

#[test]
fn postfix_userid_submission_with_seconds_of_skew() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby imap.example.org (Postfix) with LMTP id 9A8B7C6D5E
\tfor <walt@example.org>; Mon, 21 Apr 2025 10:05:14 +0200 (CEST)
Received: from smtp.example.net (smtp.example.net [198.51.100.140])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
\t(No client certificate requested)
\tby mx.example.org (Postfix) with ESMTPS id 4ZgK1L2M3Nz1pQr
\tfor <walt@example.org>; Mon, 21 Apr 2025 10:05:22 +0200 (CEST)
Received: by smtp.example.net (Postfix, from userid 1000)
\tid 5C4D3E2F1A; Mon, 21 Apr 2025 08:05:19 +0000 (UTC)
From: cron <root@example.net>
To: walt@example.org
Subject: backup report
Date: Mon, 21 Apr 2025 08:05:19 +0000 (UTC)
Message-ID: <20250421080519.5C4D3E2F1A@smtp.example.net>

ok
";
    check(
        "postfix_userid_submission_with_seconds_of_skew",
        m,
        Expect {
            hops: vec![
                hop(
                    None,
                    Some("smtp.example.net"),
                    Some("2025-04-21T08:05:19Z"),
                    None,
                ),
                hop(
                    Some("198.51.100.140"),
                    Some("mx.example.org"),
                    Some("2025-04-21T08:05:22Z"),
                    Some(3),
                )
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                // The mailbox server's clock is 8 s behind the MX's.
                hop(
                    Some("10.0.0.5"),
                    Some("imap.example.org"),
                    Some("2025-04-21T08:05:14Z"),
                    Some(-8),
                )
                .helo(Some("mx.example.org"))
                .proto("LMTP"),
            ],
            boundary: (2, Some("198.51.100.140")),
            fired: vec![("hop-clock-skew", 3)],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// IPv6

#[test]
fn ipv6_postfix_prefix_and_exim_bare_brackets() {
    let m = "Received: from mx.example.org ([2001:db8:a::25])
\tby mbox.example.org with LMTP
\tid QmFzZTY0SWRlbnQ
\t(envelope-from <rob@example.net>)
\tfor <sara@example.org>; Sat, 01 Jun 2024 20:10:07 +0000
Received: from smtp6.example.net ([2001:db8:1::25]:52314 helo=smtp6.example.net)
\tby mx.example.org with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384
\t(Exim 4.98)
\t(envelope-from <rob@example.net>)
\tid 1sDfGh-00AbCd-5K
\tfor sara@example.org; Sat, 01 Jun 2024 20:10:06 +0000
Received: from [IPv6:2001:db8:2::abcd] (unknown [IPv6:2001:db8:2::abcd])
\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits))
\t(No client certificate requested)
\t(Authenticated sender: rob@example.net)
\tby smtp6.example.net (Postfix) with ESMTPSA id 4VsQ7P0d2Nz9sWx
\tfor <sara@example.org>; Sat,  1 Jun 2024 22:10:04 +0200 (CEST)
From: Rob Tal <rob@example.net>
To: sara@example.org
Subject: v6 works
Date: Sat, 1 Jun 2024 22:10:03 +0200
Message-ID: <v6-1@example.net>

finally
";
    check(
        "ipv6_postfix_prefix_and_exim_bare_brackets",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("2001:db8:2::abcd"),
                    Some("smtp6.example.net"),
                    Some("2024-06-01T20:10:04Z"),
                    None,
                )
                .helo(Some("[IPv6:2001:db8:2::abcd]"))
                .rdns(None)
                .tls("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
                hop(
                    Some("2001:db8:1::25"),
                    Some("mx.example.org"),
                    Some("2024-06-01T20:10:06Z"),
                    Some(2),
                )
                .helo(Some("smtp6.example.net"))
                .rdns(Some("smtp6.example.net"))
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    Some("2001:db8:a::25"),
                    Some("mbox.example.org"),
                    Some("2024-06-01T20:10:07Z"),
                    Some(1),
                )
                .proto("LMTP"),
            ],
            boundary: (2, Some("2001:db8:1::25")),
            fired: vec![],
        },
    );
}

#[test]
fn ipv6_exim_address_literal_helo_and_courier_mapped_ipv4() {
    let m = "Received: from relay.example.net (relay.example.net [::ffff:198.51.100.99])
  by mail.example.org with ESMTP; Thu, 06 Jun 2024 16:02:11 +0200
  id 00000000005A1B2C.0000000066617F23.00003E8F
Received: from client6.example.net ([2001:db8::1]:60412 helo=[IPv6:2001:db8::1])
\tby relay.example.net with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384
\t(Exim 4.96)
\t(envelope-from <tom@example.net>)
\tid 1sFgHi-0001Ab-2C
\tfor uma@example.org; Thu, 06 Jun 2024 14:02:09 +0000
From: Tom Ueda <tom@example.net>
To: uma@example.org
Subject: mapped
Date: Thu, 06 Jun 2024 14:02:08 +0000
Message-ID: <mapped-1@example.net>

hi
";
    check(
        "ipv6_exim_address_literal_helo_and_courier_mapped_ipv4",
        m,
        Expect {
            hops: vec![
                // The address-literal HELO is the client describing itself; the connection is
                // the bare `[2001:db8::1]` before the port.
                hop(
                    Some("2001:db8::1"),
                    Some("relay.example.net"),
                    Some("2024-06-06T14:02:09Z"),
                    None,
                )
                .helo(Some("[IPv6:2001:db8::1]"))
                .rdns(Some("client6.example.net"))
                .proto("esmtpsa")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                // An IPv4-mapped IPv6 address is the IPv4 address it carries (its canonical
                // form), which is also what SPF is checked against.
                hop(
                    Some("198.51.100.99"),
                    Some("mail.example.org"),
                    Some("2024-06-06T14:02:11Z"),
                    Some(2),
                )
                .helo(Some("relay.example.net"))
                .rdns(Some("relay.example.net"))
                .proto("ESMTP")
                .no_tls(),
            ],
            boundary: (2, Some("198.51.100.99")),
            fired: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Dates

#[test]
fn obsolete_dates_two_digit_years_named_zones_no_seconds() {
    let m = "Received: by box.example.com (8.8.7/8.8.7/Submit) id QAA00019; Mon, 08 Dec 97 15:04:36 GMT
Received: from mail.example.com by box.example.com (8.8.7/8.8.7) id QAA00018; Mon, 8 Dec 1997 16:04:30 +0100 (CET)
Received: from gw.example.com (gw.example.com [198.51.100.3]) by mail.example.com (8.8.7/8.8.7) with ESMTP id PAA10223; 8 dec 97 15:04:21 UT
Received: from relay.example.edu (relay.example.edu [192.0.2.71]) by gw.example.com (8.8.7/8.8.7) with ESMTP id KAA29311 for <pat@example.com>; 8 Dec 1997 10:04 EST
Received: from pc12.example.edu by relay.example.edu (8.8.5/8.8.5) with SMTP id HAA00412; Mon, 8 Dec 97 7:03:15 PST
From: Una Vik <una@example.edu>
To: pat@example.com
Subject: grades
Date: Mon, 8 Dec 97 7:03:10 PST
Message-ID: <199712081503.HAA00412@relay.example.edu>

posted
";
    check(
        "obsolete_dates_two_digit_years_named_zones_no_seconds",
        m,
        Expect {
            hops: vec![
                // `97` is 1997; PST is -0800; a one-digit hour.
                hop(
                    None,
                    Some("relay.example.edu"),
                    Some("1997-12-08T15:03:15Z"),
                    None,
                )
                .helo(Some("pc12.example.edu"))
                .proto("SMTP"),
                // No weekday, no seconds, EST (-0500).
                hop(
                    Some("192.0.2.71"),
                    Some("gw.example.com"),
                    Some("1997-12-08T15:04:00Z"),
                    Some(45),
                )
                .helo(Some("relay.example.edu"))
                .rdns(Some("relay.example.edu")),
                // Lowercase month, `UT`.
                hop(
                    Some("198.51.100.3"),
                    Some("mail.example.com"),
                    Some("1997-12-08T15:04:21Z"),
                    Some(21),
                ),
                // A `(CET)` comment after a numeric zone.
                hop(
                    None,
                    Some("box.example.com"),
                    Some("1997-12-08T15:04:30Z"),
                    Some(9),
                ),
                hop(
                    None,
                    Some("box.example.com"),
                    Some("1997-12-08T15:04:36Z"),
                    Some(6),
                ),
            ],
            boundary: (2, Some("192.0.2.71")),
            fired: vec![],
        },
    );
}

#[test]
fn obsolete_dates_military_zones_and_qmail_minus_zero() {
    let m = "Received: from mbox.example.com ([10.1.1.1]) by store.example.com with LMTP; Tue, 9 Mar 2004 21:58:11 GMT
Received: from hub.example.com by mbox.example.com with ESMTP; Tue, 9 Mar 2004 21:58:09 N
Received: from mx.example.com ([10.1.1.2]) by hub.example.com with ESMTP; Tue, 9 Mar 2004 21:58:07 Z
Received: from smtp.example.net ([192.0.2.12]) by mx.example.com with SMTP id AA04512; Tue, 9 Mar 04 16:58:05 EST
Received: from unknown (HELO pc.example.net) (192.0.2.140)
  by smtp.example.net with SMTP; 9 Mar 2004 21:58:02 -0000
From: Vic Wolde <vic@example.net>
To: xia@example.com
Subject: old mail
Date: Tue, 9 Mar 2004 21:58:00 +0000
Message-ID: <old-1@example.net>

hi
";
    check(
        "obsolete_dates_military_zones_and_qmail_minus_zero",
        m,
        Expect {
            hops: vec![
                // qmail: no weekday, `-0000`.
                hop(
                    Some("192.0.2.140"),
                    Some("smtp.example.net"),
                    Some("2004-03-09T21:58:02Z"),
                    None,
                )
                .helo(Some("pc.example.net"))
                .rdns(None),
                // Two-digit `04` and EST.
                hop(
                    Some("192.0.2.12"),
                    Some("mx.example.com"),
                    Some("2004-03-09T21:58:05Z"),
                    Some(3),
                )
                .helo(Some("smtp.example.net")),
                // Military `Z` is UTC.
                hop(
                    Some("10.1.1.2"),
                    Some("hub.example.com"),
                    Some("2004-03-09T21:58:07Z"),
                    Some(2),
                ),
                // Any other military letter: RFC 5322 4.3 says read it as -0000 (the sign was
                // never agreed on), which Python's parsedate agrees with.
                hop(
                    None,
                    Some("mbox.example.com"),
                    Some("2004-03-09T21:58:09Z"),
                    Some(2),
                ),
                hop(
                    Some("10.1.1.1"),
                    Some("store.example.com"),
                    Some("2004-03-09T21:58:11Z"),
                    Some(2),
                ),
            ],
            boundary: (2, Some("192.0.2.12")),
            fired: vec![],
        },
    );
}

#[test]
fn sendgrid_go_date_and_no_semicolon() {
    let m = "Received: from mx.example.org ([10.0.0.5])
\tby imap.example.org with LMTP
\tid 7Pq2Rs3Tu4Vw5Xy6Za7Bc8
\t(envelope-from <bounces+123456-ab12-mia=example.org@em1234.shop.example.com>)
\tfor <mia@example.org>; Tue, 11 Feb 2025 14:15:45 +0000
Received: from wrqvtbkv.outbound-mail.sendgrid.net (wrqvtbkv.outbound-mail.sendgrid.net [203.0.113.171])
\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits)
\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
\t(No client certificate requested)
\tby mx.example.org (Postfix) with ESMTPS id 4YsN5p6Q7rz8Stu
\tfor <mia@example.org>; Tue, 11 Feb 2025 09:15:44 -0500 (EST)
Received: by recvd-5d6f7c8b9-x2k4p with SMTP id recvd-5d6f7c8b9-x2k4p-1-67AB5E9F-1A
\t2025-02-11 14:15:43.123456789 +0000 UTC m=+1234567.890123456
Received: from ODc2NTQzMjE (unknown)
\tby geopod-ismtpd-3 (SG) with HTTP
\tid aBcDeFgHiJkLmNoPqRsTuV
\tTue, 11 Feb 2025 14:15:42.601 +0000 (UTC)
From: Shop <hello@shop.example.com>
To: mia@example.org
Subject: Your receipt
Date: Tue, 11 Feb 2025 14:15:42 +0000 (UTC)
Message-ID: <aBcDeFgHiJkLmNoPqRsTuV@geopod-ismtpd-3>

receipt
";
    check(
        "sendgrid_go_date_and_no_semicolon",
        m,
        Expect {
            hops: vec![
                // Milliseconds are dropped, not rounded: timestamps are whole seconds.
                hop(
                    None,
                    Some("geopod-ismtpd-3"),
                    Some("2025-02-11T14:15:42Z"),
                    None,
                )
                .proto("HTTP"),
                // Go's time.Time format; `m=+...` is the process uptime, not a zone.
                hop(
                    None,
                    Some("recvd-5d6f7c8b9-x2k4p"),
                    Some("2025-02-11T14:15:43Z"),
                    Some(1),
                )
                .proto("SMTP"),
                hop(
                    Some("203.0.113.171"),
                    Some("mx.example.org"),
                    Some("2025-02-11T14:15:44Z"),
                    Some(1),
                )
                .rdns(Some("wrqvtbkv.outbound-mail.sendgrid.net"))
                .tls("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
                hop(
                    Some("10.0.0.5"),
                    Some("imap.example.org"),
                    Some("2025-02-11T14:15:45Z"),
                    Some(1),
                ),
            ],
            boundary: (3, Some("203.0.113.171")),
            // Judgement: `recvd-...` is a pod's bare host name, not a DNS name; its public
            // name (wrqvtbkv.outbound-mail.sendgrid.net) cannot be expected to match it, so a
            // bare label proves no broken chain. Every SendGrid message looks like this.
            fired: vec![],
        },
    );
}

#[test]
fn received_without_semicolon_before_the_date() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby imap.example.org (Postfix) with LMTP id 6A7B8C9D0E
\tfor <yan@example.org>; Wed, 19 Feb 2025 13:40:14 +0000 (UTC)
Received: from mta-out7.example.net (mta-out7.example.net [198.51.100.207])
\tby mx.example.org with ESMTP id 7E1F2A3B4C5D
\tWed, 19 Feb 2025 08:40:12 -0500 (EST)
Received: from app3.example.net (app3.example.net [10.20.0.3])
\tby mta-out7.example.net (Postfix) with ESMTP id 3C4D5E6F7A
\tfor <yan@example.org>; Wed, 19 Feb 2025 13:40:11 +0000 (UTC)
From: Alerts <alerts@example.net>
To: yan@example.org
Subject: disk 91% full
Date: Wed, 19 Feb 2025 13:40:10 +0000
Message-ID: <alert-991@example.net>

df -h
";
    check(
        "received_without_semicolon_before_the_date",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("10.20.0.3"),
                    Some("mta-out7.example.net"),
                    Some("2025-02-19T13:40:11Z"),
                    None,
                ),
                hop(
                    Some("198.51.100.207"),
                    Some("mx.example.org"),
                    Some("2025-02-19T13:40:12Z"),
                    Some(1),
                )
                .helo(Some("mta-out7.example.net"))
                .rdns(Some("mta-out7.example.net"))
                .proto("ESMTP"),
                hop(
                    Some("10.0.0.5"),
                    Some("imap.example.org"),
                    Some("2025-02-19T13:40:14Z"),
                    Some(2),
                ),
            ],
            boundary: (2, Some("198.51.100.207")),
            fired: vec![],
        },
    );
}

#[test]
fn offsets_plus_0530_minus_0930_plus_1245() {
    let m = "Received: from relay3.example.org (relay3.example.org [192.0.2.33])
\tby inbox.example.org (Postfix) with ESMTPS id 4ZAb1C2d3Ez4Fgh
\tfor <zoe@example.org>; Mon, 10 Mar 2025 15:15:38 +0000 (UTC)
Received: from relay2.example.org (relay2.example.org [192.0.2.32])
\tby relay3.example.org (Postfix) with ESMTPS id 4ZAb1B9c8Dz7Efg
\tfor <zoe@example.org>; Tue, 11 Mar 2025 04:00:37 +1245
Received: from smtp.example.in (smtp.example.in [203.0.113.55])
\tby relay2.example.org (Postfix) with ESMTPS id 4ZAb1A7b6Cz5Def
\tfor <zoe@example.org>; Mon, 10 Mar 2025 05:45:33 -0930
Received: from [10.0.0.8] (unknown [198.51.100.180])
\tby smtp.example.in (Postfix) with ESMTPSA id 8B9C0D1E2F
\tfor <zoe@example.org>; Mon, 10 Mar 2025 20:45:30 +0530 (IST)
From: Ravi Nair <ravi@example.in>
To: zoe@example.org
Subject: timezones
Date: Mon, 10 Mar 2025 20:45:29 +0530
Message-ID: <tz-1@example.in>

hello
";
    check(
        "offsets_plus_0530_minus_0930_plus_1245",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("198.51.100.180"),
                    Some("smtp.example.in"),
                    Some("2025-03-10T15:15:30Z"),
                    None,
                ),
                hop(
                    Some("203.0.113.55"),
                    Some("relay2.example.org"),
                    Some("2025-03-10T15:15:33Z"),
                    Some(3),
                ),
                // +1245 puts the local date on the next day: still 4 s later.
                hop(
                    Some("192.0.2.32"),
                    Some("relay3.example.org"),
                    Some("2025-03-10T15:15:37Z"),
                    Some(4),
                ),
                hop(
                    Some("192.0.2.33"),
                    Some("inbox.example.org"),
                    Some("2025-03-10T15:15:38Z"),
                    Some(1),
                ),
            ],
            boundary: (2, Some("203.0.113.55")),
            fired: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Skewed chains

#[test]
fn skew_of_minutes_at_the_boundary() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby mbox.example.org (Postfix) with LMTP id 1F2E3D4C5B
\tfor <abe@example.org>; Tue, 18 Mar 2025 09:15:45 +0000 (UTC)
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
    check(
        "skew_of_minutes_at_the_boundary",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("203.0.113.211"),
                    Some("mail.example.net"),
                    Some("2025-03-18T09:22:40Z"),
                    None,
                ),
                // 09:15:44 - 09:22:40 = -416 s: the sender's server clock is ~7 min fast.
                hop(
                    Some("198.51.100.210"),
                    Some("mx.example.org"),
                    Some("2025-03-18T09:15:44Z"),
                    Some(-416),
                ),
                hop(
                    Some("10.0.0.5"),
                    Some("mbox.example.org"),
                    Some("2025-03-18T09:15:45Z"),
                    Some(1),
                ),
            ],
            boundary: (2, Some("198.51.100.210")),
            fired: vec![("hop-clock-skew", 2)],
        },
    );
}

#[test]
fn skew_of_a_whole_day_across_zones() {
    let m = "Received: from relay.example.com (relay.example.com [198.51.100.80])
\tby mx.example.org (Postfix) with ESMTPS id 4ZBx9Y8z7Wz6Vut
\tfor <cy@example.org>; Wed, 12 Mar 2025 16:10:11 +0100 (CET)
Received: from smtp.example.net (smtp.example.net [203.0.113.91])
\tby relay.example.com (8.17.1/8.17.1) with ESMTPS id 52BFA9xQ001122
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)
\tfor <cy@example.org>; Tue, 11 Mar 2025 08:10:09 -0700
Received: from [192.168.10.5] (unknown [203.0.113.90])
\t(Authenticated sender: yuki@example.net)
\tby smtp.example.net (Postfix) with ESMTPSA id 4ZCa1b2C3dz4Efg
\tfor <cy@example.org>; Thu, 13 Mar 2025 00:10:05 +0900 (JST)
From: Yuki Sato <yuki@example.net>
To: cy@example.org
Subject: schedule
Date: Thu, 13 Mar 2025 00:10:04 +0900
Message-ID: <sched-1@example.net>

see you
";
    check(
        "skew_of_a_whole_day_across_zones",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("203.0.113.90"),
                    Some("smtp.example.net"),
                    Some("2025-03-12T15:10:05Z"),
                    None,
                ),
                // The relay's calendar is a day behind: -86400 + 4 s.
                hop(
                    Some("203.0.113.91"),
                    Some("relay.example.com"),
                    Some("2025-03-11T15:10:09Z"),
                    Some(-86396),
                )
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                // ...so the next hop looks a day late: a hop-delay by the contract (>= 300 s).
                hop(
                    Some("198.51.100.80"),
                    Some("mx.example.org"),
                    Some("2025-03-12T15:10:11Z"),
                    Some(86402),
                ),
            ],
            boundary: (3, Some("198.51.100.80")),
            fired: vec![("hop-clock-skew", 2), ("hop-delay", 3)],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Forged chains

#[test]
fn forged_bank_hops_below_a_postfix_boundary() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby mbox.example.org (Postfix) with LMTP id 1B2C3D4E5F
\tfor <xena@example.org>; Tue, 25 Mar 2025 14:02:19 +0000 (UTC)
Received: from WIN-3K9F2M7P1QX (unknown [203.0.113.66])
\tby mx.example.org (Postfix) with ESMTP id 4ZMp8Q1r2Sz3tUv
\tfor <xena@example.org>; Tue, 25 Mar 2025 14:02:18 +0000 (UTC)
Received: from mail.secure-bank.example (mail.secure-bank.example [192.0.2.200])
\tby gateway.secure-bank.example (Postfix) with ESMTPS id 7A6B5C4D3E
\tfor <xena@example.org>; Tue, 25 Mar 2025 10:01:55 -0400 (EDT)
Received: from ws01.secure-bank.example ([10.8.1.21])
\tby mail.secure-bank.example (Postfix) with ESMTP id 3F2E1D0C9B
\tfor <xena@example.org>; Tue, 25 Mar 2025 14:01:54 +0000 (UTC)
From: Secure Bank <alerts@secure-bank.example>
To: xena@example.org
Subject: Verify your account
Date: Tue, 25 Mar 2025 14:01:53 +0000
Message-ID: <verify-7781@secure-bank.example>

click
";
    check(
        "forged_bank_hops_below_a_postfix_boundary",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("10.8.1.21"),
                    Some("mail.secure-bank.example"),
                    Some("2025-03-25T14:01:54Z"),
                    None,
                ),
                hop(
                    Some("192.0.2.200"),
                    Some("gateway.secure-bank.example"),
                    Some("2025-03-25T14:01:55Z"),
                    Some(1),
                ),
                hop(
                    Some("203.0.113.66"),
                    Some("mx.example.org"),
                    Some("2025-03-25T14:02:18Z"),
                    Some(23),
                )
                .helo(Some("WIN-3K9F2M7P1QX"))
                .rdns(None),
                hop(
                    Some("10.0.0.5"),
                    Some("mbox.example.org"),
                    Some("2025-03-25T14:02:19Z"),
                    Some(1),
                ),
            ],
            boundary: (3, Some("203.0.113.66")),
            // gateway.secure-bank.example "received" it, yet the MX got it from a Windows box
            // at 203.0.113.66: the join is broken at hop 3.
            fired: vec![("hop-chain-broken", 3)],
        },
    );
}

#[test]
fn forged_hop_below_exim_boundary_with_localhost_helo() {
    let m = "Received: from [198.51.100.250] (port=49152 helo=localhost)
\tby mx.example.org with esmtp (Exim 4.96)
\t(envelope-from <service@notify.bank.example>)
\tid 1tXyZa-0007Bc-3D
\tfor yara@example.org; Wed, 26 Mar 2025 08:14:33 +0000
Received: from notify.bank.example (notify.bank.example [192.0.2.77])
\tby smtp.bank.example (Postfix) with ESMTP id 9F8E7D6C5B
\tfor <yara@example.org>; Wed, 26 Mar 2025 08:14:30 +0000 (UTC)
From: Bank <service@notify.bank.example>
To: yara@example.org
Subject: Unusual sign-in
Date: Wed, 26 Mar 2025 08:14:29 +0000
Message-ID: <signin-1@notify.bank.example>

click
";
    check(
        "forged_hop_below_exim_boundary_with_localhost_helo",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("192.0.2.77"),
                    Some("smtp.bank.example"),
                    Some("2025-03-26T08:14:30Z"),
                    None,
                ),
                hop(
                    Some("198.51.100.250"),
                    Some("mx.example.org"),
                    Some("2025-03-26T08:14:33Z"),
                    Some(3),
                )
                .helo(Some("localhost"))
                .rdns(None)
                .proto("esmtp"),
            ],
            boundary: (2, Some("198.51.100.250")),
            // A public IP that says HELO localhost is not the same machine as
            // smtp.bank.example: a `localhost` name only proves a local hand-off when the
            // connection itself was local.
            fired: vec![("hop-chain-broken", 2)],
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Greylisting and delays

#[test]
fn greylisting_by_milter_greylist_header_on_sendmail() {
    let m = "X-Greylist: Delayed for 00:03:05 by milter-greylist-4.6.4 (mx.example.org
\t[192.0.2.25]); Thu, 10 Apr 2025 11:37:15 +0200 (CEST)
Received: from out2.example.net (out2.example.net [198.51.100.52])
\tby mx.example.org (8.17.2/8.17.2) with ESMTPS id 53A9bFq8031337
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)
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
    check(
        "greylisting_by_milter_greylist_header_on_sendmail",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("198.51.100.60"),
                    Some("out2.example.net"),
                    Some("2025-04-10T09:34:08Z"),
                    None,
                ),
                // 09:37:15 - 09:34:08 = 187 s: too short for the delay pattern alone, so only
                // milter-greylist's `Delayed for HH:MM:SS` header can tell.
                hop(
                    Some("198.51.100.52"),
                    Some("mx.example.org"),
                    Some("2025-04-10T09:37:15Z"),
                    Some(187),
                )
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
            ],
            boundary: (2, Some("198.51.100.52")),
            fired: vec![("greylisting", 2)],
        },
    );
}

#[test]
fn greylisting_by_postgrey_header_under_the_delay_threshold() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby imap.example.org (Postfix) with LMTP id 0A1B2C3D4E
\tfor <gus@example.org>; Tue, 22 Jul 2025 06:03:09 +0000 (UTC)
X-Greylist: delayed 125 seconds by postgrey-1.37 at mx.example.org; Tue, 22 Jul 2025 06:03:08 UTC
Received: from smtp.example.net (smtp.example.net [198.51.100.150])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
\t(No client certificate requested)
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
    check(
        "greylisting_by_postgrey_header_under_the_delay_threshold",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("203.0.113.151"),
                    Some("smtp.example.net"),
                    Some("2025-07-22T06:01:02Z"),
                    None,
                ),
                // 126 s: greylisting by the header's word, but under the hop-delay threshold.
                hop(
                    Some("198.51.100.150"),
                    Some("mx.example.org"),
                    Some("2025-07-22T06:03:08Z"),
                    Some(126),
                ),
                hop(
                    Some("10.0.0.5"),
                    Some("imap.example.org"),
                    Some("2025-07-22T06:03:09Z"),
                    Some(1),
                ),
            ],
            boundary: (2, Some("198.51.100.150")),
            fired: vec![("greylisting", 2)],
        },
    );
}

#[test]
fn greylisting_whitelisted_header_on_a_fast_chain_is_silent() {
    let m =
        "X-Greylist: Sender IP whitelisted, not delayed by milter-greylist-4.6.4 (mx.example.org
\t[192.0.2.25]); Wed, 23 Jul 2025 10:00:04 +0200 (CEST)
Received: from out.example.net (out.example.net [198.51.100.160])
\tby mx.example.org (8.17.2/8.17.2) with ESMTPS id 56N801aQ004455
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)
\tfor <ida@example.org>; Wed, 23 Jul 2025 10:00:04 +0200 (CEST)
Received: from app.example.net (app.example.net [10.3.0.7])
\tby out.example.net (Postfix) with ESMTP id 4bn0Q20Pz6z2xYz
\tfor <ida@example.org>; Wed, 23 Jul 2025 08:00:02 +0000 (UTC)
From: App <app@example.net>
To: ida@example.org
Subject: receipt
Date: Wed, 23 Jul 2025 08:00:01 +0000
Message-ID: <rcpt-9@example.net>

thanks
";
    check(
        "greylisting_whitelisted_header_on_a_fast_chain_is_silent",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("10.3.0.7"),
                    Some("out.example.net"),
                    Some("2025-07-23T08:00:02Z"),
                    None,
                ),
                hop(
                    Some("198.51.100.160"),
                    Some("mx.example.org"),
                    Some("2025-07-23T08:00:04Z"),
                    Some(2),
                )
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
            ],
            boundary: (2, Some("198.51.100.160")),
            fired: vec![],
        },
    );
}

#[test]
fn greylisting_pattern_ten_minutes_at_the_boundary() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby imap.example.org (Postfix) with LMTP id 5E6F7A8B9C
\tfor <bea@example.org>; Fri, 11 Apr 2025 18:10:04 +0200 (CEST)
Received: from smtp.example.net (smtp.example.net [198.51.100.141])
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
\t(No client certificate requested)
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
    check(
        "greylisting_pattern_ten_minutes_at_the_boundary",
        m,
        Expect {
            hops: vec![
                // Exim without rDNS: `[ip] (port=... helo=...)`.
                hop(
                    Some("203.0.113.140"),
                    Some("smtp.example.net"),
                    Some("2025-04-11T16:00:03Z"),
                    None,
                )
                .helo(Some("[192.168.1.30]"))
                .rdns(None)
                .proto("esmtpsa")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
                hop(
                    Some("198.51.100.141"),
                    Some("mx.example.org"),
                    Some("2025-04-11T16:10:03Z"),
                    Some(600),
                ),
                hop(
                    Some("10.0.0.5"),
                    Some("imap.example.org"),
                    Some("2025-04-11T16:10:04Z"),
                    Some(1),
                ),
            ],
            boundary: (2, Some("198.51.100.141")),
            fired: vec![("greylisting", 2), ("hop-delay", 2)],
        },
    );
}

#[test]
fn greylisting_pattern_survives_seconds_of_skew_inside() {
    let m = "Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby imap.example.org (Postfix) with LMTP id 7A8B9C0D1E
\tfor <cal@example.org>; Mon, 14 Jul 2025 11:42:16 +0000 (UTC)
Received: from mta.example.net (mta.example.net [198.51.100.161])
\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))
\t(No client certificate requested)
\tby mx.example.org (Postfix) with ESMTPS id 4bgQ2r3S4tz5Uvw
\tfor <cal@example.org>; Mon, 14 Jul 2025 11:42:18 +0000 (UTC)
Received: from web.example.net (web.example.net [10.7.0.3])
\tby mta.example.net (Postfix) with ESMTP id 5B6C7D8E9F
\tfor <cal@example.org>; Mon, 14 Jul 2025 07:35:03 -0400 (EDT)
From: Shop <orders@example.net>
To: cal@example.org
Subject: order 5512
Date: Mon, 14 Jul 2025 07:35:02 -0400
Message-ID: <order-5512@example.net>

thanks
";
    check(
        "greylisting_pattern_survives_seconds_of_skew_inside",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("10.7.0.3"),
                    Some("mta.example.net"),
                    Some("2025-07-14T11:35:03Z"),
                    None,
                ),
                // 7 min 15 s at the boundary, the only slow hop.
                hop(
                    Some("198.51.100.161"),
                    Some("mx.example.org"),
                    Some("2025-07-14T11:42:18Z"),
                    Some(435),
                ),
                // The mailbox server's clock is 2 s behind: skew, not a slow hop.
                hop(
                    Some("10.0.0.5"),
                    Some("imap.example.org"),
                    Some("2025-07-14T11:42:16Z"),
                    Some(-2),
                ),
            ],
            boundary: (2, Some("198.51.100.161")),
            fired: vec![("greylisting", 2), ("hop-delay", 2), ("hop-clock-skew", 3)],
        },
    );
}

#[test]
fn multi_day_delay_is_not_greylisting() {
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
    check(
        "multi_day_delay_is_not_greylisting",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("203.0.113.23"),
                    Some("mail.example.net"),
                    Some("2025-05-02T03:40:11Z"),
                    None,
                ),
                // 2 d 3 h 4 min 5 s = 183845 s in the sender's queue.
                hop(
                    Some("198.51.100.15"),
                    Some("mx.example.org"),
                    Some("2025-05-04T06:44:16Z"),
                    Some(183_845),
                ),
            ],
            boundary: (2, Some("198.51.100.15")),
            fired: vec![("hop-delay", 2)],
        },
    );
}

#[test]
fn delay_threshold_is_inclusive_at_300_seconds() {
    let m = "Received: from relay.example.net (relay.example.net [198.51.100.71])
\tby mx.example.org (Postfix) with ESMTPS id 4ZkL1m2N3oz4Pqr
\tfor <eve@example.org>; Mon, 16 Jun 2025 12:09:59 +0000 (UTC)
Received: from app.example.net (app.example.net [198.51.100.70])
\tby relay.example.net (Postfix) with ESMTP id 7C8D9E0F1A
\tfor <eve@example.org>; Mon, 16 Jun 2025 14:04:59 +0200 (CEST)
Received: from localhost (localhost [127.0.0.1])
\tby app.example.net (Postfix) with ESMTP id 1A0B9C8D7E
\tfor <eve@example.org>; Mon, 16 Jun 2025 08:00:00 -0400 (EDT)
From: App <noreply@example.net>
To: eve@example.org
Subject: digest
Date: Mon, 16 Jun 2025 12:00:00 +0000
Message-ID: <digest-1@example.net>

items
";
    check(
        "delay_threshold_is_inclusive_at_300_seconds",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("127.0.0.1"),
                    Some("app.example.net"),
                    Some("2025-06-16T12:00:00Z"),
                    None,
                ),
                // 299 s: under the threshold.
                hop(
                    Some("198.51.100.70"),
                    Some("relay.example.net"),
                    Some("2025-06-16T12:04:59Z"),
                    Some(299),
                ),
                // 300 s: at the threshold. Not greylisting: the hop before was slow too.
                hop(
                    Some("198.51.100.71"),
                    Some("mx.example.org"),
                    Some("2025-06-16T12:09:59Z"),
                    Some(300),
                ),
            ],
            boundary: (3, Some("198.51.100.71")),
            fired: vec![("hop-delay", 3)],
        },
    );
}

#[test]
fn unreadable_date_leaves_its_delays_unknown() {
    let m = "Received: from scan.example.org (scan.example.org [10.0.0.9])
\tby mbox.example.org (Postfix) with LMTP id 8E9F0A1B2C
\tfor <fay@example.org>; Tue, 17 Jun 2025 07:30:09 +0000 (UTC)
Received: from mx.example.org (mx.example.org [10.0.0.5])
\tby scan.example.org with SMTP id SCAN-4411; Tue, 31 Jun 2025 07:30:07 +0000
Received: from out.example.net (out.example.net [198.51.100.99])
\tby mx.example.org (Postfix) with ESMTPS id 4ZmN2o3P4qz5Rst
\tfor <fay@example.org>; Tue, 17 Jun 2025 07:30:05 +0000 (UTC)
From: Gil <gil@example.net>
To: fay@example.org
Subject: june
Date: Tue, 17 Jun 2025 07:30:04 +0000
Message-ID: <june-1@example.net>

31 days
";
    check(
        "unreadable_date_leaves_its_delays_unknown",
        m,
        Expect {
            hops: vec![
                hop(
                    Some("198.51.100.99"),
                    Some("mx.example.org"),
                    Some("2025-06-17T07:30:05Z"),
                    None,
                ),
                // 31 June does not exist: unknown, never a guess.
                hop(Some("10.0.0.5"), Some("scan.example.org"), None, None),
                hop(
                    Some("10.0.0.9"),
                    Some("mbox.example.org"),
                    Some("2025-06-17T07:30:09Z"),
                    None,
                ),
            ],
            boundary: (1, Some("198.51.100.99")),
            fired: vec![("hop-date-unparseable", 2)],
        },
    );
}
