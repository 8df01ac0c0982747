//! Table-driven checks of the Received and date parsers against `../shared/corpus/received`
//! (or `$MAILTRACE_CORPUS/received`): stalwart mail-parser's date and Received vectors,
//! SpamAssassin's rcvd_parser relay vectors, and ~660 real headers that must not panic.
//!
//! Each test prints its agreement rates and asserts a floor a little under what the parsers
//! reach today, so a regression fails while a known, documented disagreement does not. When
//! the corpus is absent (a fresh clone) each test prints a skip note and passes.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use mailtrace::hops::date::parse_date;
use mailtrace::hops::received::{ReceivedFields, parse_received};
use serde_json::Value;

/// `$MAILTRACE_CORPUS/received`, else `<crate>/../shared/corpus/received`; None when absent.
fn received_dir() -> Option<PathBuf> {
    let corpus = std::env::var_os("MAILTRACE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let dir = corpus.join("received");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skip: corpus not found at {}", dir.display());
        None
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()))
}

/// Agreement counter for one field.
struct Rate {
    name: &'static str,
    agree: usize,
    total: usize,
    misses: Vec<String>,
}

impl Rate {
    fn new(name: &'static str) -> Self {
        Rate {
            name,
            agree: 0,
            total: 0,
            misses: Vec::new(),
        }
    }

    fn check<T: PartialEq + std::fmt::Debug>(&mut self, header: &str, ours: T, expected: T) {
        self.total += 1;
        if ours == expected {
            self.agree += 1;
        } else {
            self.misses.push(format!(
                "    ours {ours:?} expected {expected:?}\n      in {header:?}"
            ));
        }
    }

    fn percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.agree as f64 / self.total as f64
        }
    }

    /// Print the rate and the disagreements, then assert the floor (in percent).
    fn report_and_assert(&self, floor: f64) {
        println!(
            "{}: {}/{} agree ({:.1}%), floor {floor}%",
            self.name,
            self.agree,
            self.total,
            self.percent()
        );
        for m in &self.misses {
            println!("{m}");
        }
        assert!(self.total > 0, "{}: no case ran", self.name);
        assert!(
            self.percent() >= floor,
            "{}: agreement {:.1}% fell under the floor {floor}%",
            self.name,
            self.percent()
        );
    }
}

/// A date in stalwart's JSON form (`year`, `month`, ..., `tz_before_gmt`, `tz_hour`,
/// `tz_minute`). `Err` when the vector itself is not a valid date (stalwart's parser does not
/// validate, and some expectations hold month 13 or second 211).
fn stalwart_date(v: &Value) -> Result<Option<DateTime<FixedOffset>>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let n = |k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(-1);
    let bad = || format!("not a valid date: {v}");
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(n("year")).map_err(|_| bad())?,
        u32::try_from(n("month")).map_err(|_| bad())?,
        u32::try_from(n("day")).map_err(|_| bad())?,
    )
    .ok_or_else(bad)?;
    let naive = date
        .and_hms_opt(
            u32::try_from(n("hour")).map_err(|_| bad())?,
            u32::try_from(n("minute")).map_err(|_| bad())?,
            u32::try_from(n("second")).map_err(|_| bad())?,
        )
        .ok_or_else(bad)?;
    let secs = i32::try_from(n("tz_hour") * 3600 + n("tz_minute") * 60).map_err(|_| bad())?;
    let west = v
        .get("tz_before_gmt")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let offset = FixedOffset::east_opt(if west { -secs } else { secs }).ok_or_else(bad)?;
    naive
        .and_local_timezone(offset)
        .single()
        .map(Some)
        .ok_or_else(bad)
}

/// Instant and offset, so `10:00 +0200` and `08:00 +0000` do not agree.
fn date_key(d: Option<DateTime<FixedOffset>>) -> Option<(i64, u32, i32)> {
    d.map(|d| {
        (
            d.timestamp(),
            d.timestamp_subsec_nanos(),
            d.offset().local_minus_utc(),
        )
    })
}

#[test]
fn stalwart_date_vectors() {
    let Some(dir) = received_dir() else { return };
    let vectors = read_json(&dir.join("stalwart-mail-parser/date.json"));
    let vectors = vectors.as_array().cloned().unwrap_or_default();
    let mut rate = Rate::new("stalwart date.json: date");
    for v in &vectors {
        let header = v.get("header").and_then(Value::as_str).unwrap_or_default();
        let expected = match stalwart_date(v.get("expected").unwrap_or(&Value::Null)) {
            Ok(e) => e,
            Err(why) => {
                println!("  not compared ({why}): {header:?}");
                continue;
            }
        };
        rate.check(header, date_key(parse_date(header)), date_key(expected));
    }
    // Measured 38/40 (95.0%). The two disagreements are deliberate: a whole Received header
    // given to the date parser (parse_date is anchored; find_date_in finds it), and
    // `4 8 15 16 23 42, ...` which stalwart reads as 2015-08-04 16:23:42 +0004.
    rate.report_and_assert(93.0);
}

/// Stalwart's `Host` JSON (`{"Name": "x"}` or `{"IpAddr": "1.2.3.4"}`) as text.
fn host_text(v: Option<&Value>) -> Option<String> {
    let v = v?;
    v.get("Name")
        .or_else(|| v.get("IpAddr"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// For comparisons: lowercase, no brackets, no `IPv6:` prefix, no trailing dot.
fn norm_host(h: Option<&str>) -> Option<String> {
    let h = h?.trim().trim_matches(|c| c == '[' || c == ']' || c == '!');
    let h = h.strip_prefix("IPv6:").unwrap_or(h).trim_end_matches('.');
    (!h.is_empty()).then(|| h.to_ascii_lowercase())
}

fn norm_ip(s: Option<&str>) -> Option<IpAddr> {
    s.and_then(|s| s.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

#[test]
fn stalwart_received_vectors() {
    let Some(dir) = received_dir() else { return };
    let vectors = read_json(&dir.join("stalwart-mail-parser/received.json"));
    let vectors = vectors.as_array().cloned().unwrap_or_default();
    let mut ip = Rate::new("stalwart received.json: from IP");
    let mut by = Rate::new("stalwart received.json: by host");
    let mut helo = Rate::new("stalwart received.json: helo");
    let mut date = Rate::new("stalwart received.json: date");
    let mut protocol = Rate::new("stalwart received.json: with (informational)");
    let mut id = Rate::new("stalwart received.json: id (informational)");
    let mut for_ = Rate::new("stalwart received.json: for (informational)");
    let mut tls = Rate::new("stalwart received.json: TLS version+cipher (informational)");
    let mut not_compared = 0;
    for v in &vectors {
        let header = v.get("header").and_then(Value::as_str).unwrap_or_default();
        let e = v.get("expected").cloned().unwrap_or(Value::Null);
        let ours = parse_received(header);

        // The connecting IP: stalwart's from_ip, else its from-name when that is an address.
        let from = e.get("from");
        let e_ip = e
            .get("from_ip")
            .and_then(Value::as_str)
            .or_else(|| from.and_then(|f| f.get("IpAddr")).and_then(Value::as_str));
        ip.check(header, ours.from_ip, norm_ip(e_ip));

        by.check(
            header,
            norm_host(ours.by_host.as_deref()),
            norm_host(host_text(e.get("by")).as_deref()),
        );

        // HELO: stalwart records it only after a HELO/EHLO/LHLO word. Otherwise the claimed
        // from-name is the HELO, except over protocols that have no greeting (HTTP, local
        // submission, IMAP, POP3, MAPI), where there is none to compare.
        let e_with = e.get("with").and_then(Value::as_str).unwrap_or_default();
        let e_via = e.get("via").and_then(Value::as_str).unwrap_or_default();
        let no_greeting = ["http", "local", "imap", "pop3"]
            .iter()
            .any(|p| e_with.eq_ignore_ascii_case(p) || e_via.eq_ignore_ascii_case(p))
            || header.to_ascii_lowercase().contains("with mapi");
        let e_helo = match (e.get("helo"), e.get("helo_cmd")) {
            (Some(h), _) => host_text(Some(h)),
            (None, Some(_)) => None,
            (None, None) if no_greeting => None,
            (None, None) => host_text(from).filter(|n| !n.eq_ignore_ascii_case("unknown")),
        };
        helo.check(
            header,
            norm_host(ours.helo.as_deref()),
            norm_host(e_helo.as_deref()),
        );

        match stalwart_date(e.get("date").unwrap_or(&Value::Null)) {
            Ok(expected) => date.check(
                header,
                date_key(ours.date_text.as_deref().and_then(parse_date)),
                date_key(expected),
            ),
            Err(_) => not_compared += 1,
        }

        let e_with = e
            .get("with")
            .and_then(Value::as_str)
            .map(str::to_ascii_uppercase);
        protocol.check(header, ours.protocol.clone(), e_with);
        id.check(
            header,
            ours.id.clone(),
            e.get("id").and_then(Value::as_str).map(str::to_string),
        );
        for_.check(
            header,
            ours.for_addr.clone(),
            e.get("for_").and_then(Value::as_str).map(str::to_string),
        );
        // stalwart spells versions `TLSv1_3`; ours are `TLSv1.3`.
        let e_version = e
            .get("tls_version")
            .and_then(Value::as_str)
            .map(|v| v.replace('_', "."));
        let e_cipher = e
            .get("tls_cipher")
            .and_then(Value::as_str)
            .map(str::to_string);
        let ours_tls = ours.tls.as_ref();
        tls.check(
            header,
            (
                ours_tls.and_then(|t| t.version.clone()),
                ours_tls.and_then(|t| t.cipher.clone()),
            ),
            (e_version, e_cipher),
        );
    }
    println!(
        "date: {not_compared} vectors not compared (stalwart's expectation is not a valid date)"
    );
    for r in [&protocol, &id, &for_, &tls] {
        println!("{}: {}/{} ({:.1}%)", r.name, r.agree, r.total, r.percent());
    }
    // Measured: from IP 172/181, by 180/181, helo 172/181, date 170/177. Every remaining
    // disagreement was checked and is on stalwart's side or deliberate: it leaves qmail's
    // `(user@ip)` and Exim 3's `[ip.port]` without an IP, takes `by uid` over `by alpha`,
    // reads `from network`/`from userid` inside comments as from clauses, ignores `PST`/`PDT`,
    // reads `03` as 1903 and drops fractional seconds; we find a date without a `;` and leave
    // address-like from-names (`user@aol.com`) out of HELO.
    ip.report_and_assert(94.0);
    by.report_and_assert(98.5);
    helo.report_and_assert(94.0);
    date.report_and_assert(95.0);
}

#[test]
fn spamassassin_relay_vectors() {
    let Some(dir) = received_dir() else { return };
    let vectors = read_json(&dir.join("spamassassin/rcvd_parser-vectors.json"));
    let vectors = vectors.as_array().cloned().unwrap_or_default();
    let mut ip = Rate::new("spamassassin: from IP");
    let mut rdns = Rate::new("spamassassin: rdns");
    let mut helo = Rate::new("spamassassin: helo");
    let mut by = Rate::new("spamassassin: by host");
    let mut ignored = 0;
    let mut ignored_with_ip = Vec::new();
    for v in &vectors {
        let header = v.get("header").and_then(Value::as_str).unwrap_or_default();
        let ours = parse_received(header);
        let Some(e) = v.get("expected_fields").filter(|e| e.is_object()) else {
            // SpamAssassin ignores these (local delivery, fetchmail, scanners, no usable
            // relay). They must yield no IP, or be listed here.
            ignored += 1;
            if let Some(found) = ours.from_ip {
                ignored_with_ip.push(format!("    {found} from {header:?}"));
            }
            continue;
        };
        let field = |k: &str| {
            e.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        ip.check(header, ours.from_ip, norm_ip(field("ip").as_deref()));
        rdns.check(
            header,
            norm_host(ours.rdns.as_deref()),
            norm_host(field("rdns").as_deref()),
        );
        helo.check(
            header,
            norm_host(ours.helo.as_deref()),
            norm_host(field("helo").as_deref()),
        );
        by.check(
            header,
            norm_host(ours.by_host.as_deref()),
            norm_host(field("by").as_deref()),
        );
    }
    println!(
        "spamassassin: {ignored} headers SpamAssassin ignores; {} of them give an IP here:",
        ignored_with_ip.len()
    );
    for line in &ignored_with_ip {
        println!("{line}");
    }
    // Measured: ip 110/110, by 110/110, helo 106/110, rdns 104/110. HELO misses: SpamAssassin
    // leaves HELO empty when the from-name is an address or smap's rDNS; we report the claimed
    // name. rDNS misses: `from NAME (ip)` is the rDNS for qmail but the HELO for Exchange and
    // others, so NAME is read as rDNS only with qmail's own marks (`(HELO x)`, `(user@ip)`, its
    // `-0000` date format), never on a guess.
    ip.report_and_assert(99.0);
    by.report_and_assert(99.0);
    helo.report_and_assert(95.0);
    rdns.report_and_assert(93.0);
    // The 4 that give an IP are fetchmail (`from host [ip] ... with POP3/IMAP`) and
    // qmail-scanner (`from 156.56.111.196 by ...`) hops: the IP is real and is the one the hop
    // recorded, but SpamAssassin does not treat those hops as relays.
    assert!(
        ignored_with_ip.len() <= 4,
        "more ignored headers give an IP than the 4 known ones"
    );
}

/// Run `parse_received` on one header, catching a panic to report it with the header.
fn no_panic(header: &str, failures: &mut Vec<String>) -> Option<ReceivedFields> {
    match std::panic::catch_unwind(|| {
        let fields = parse_received(header);
        if let Some(d) = &fields.date_text {
            let _ = parse_date(d);
        }
        fields
    }) {
        Ok(f) => Some(f),
        Err(_) => {
            failures.push(header.to_string());
            None
        }
    }
}

fn strip_name(raw: &str) -> &str {
    raw.strip_prefix("Received:").unwrap_or(raw)
}

#[test]
fn real_headers_never_panic_and_dates_parse() {
    let Some(dir) = received_dir() else { return };
    let mut failures = Vec::new();
    let mut ran = 0;

    // received-samples.jsonl: raw (folded) and unfolded forms, with and without CRLF.
    let text = std::fs::read_to_string(dir.join("received-samples.jsonl"))
        .unwrap_or_else(|e| panic!("cannot read received-samples.jsonl: {e}"));
    let mut dates =
        Rate::new("received-samples.jsonl: date parsed (where Python's parsedate_tz could)");
    let mut others = Rate::new("received-samples.jsonl: date parsed (where it could not)");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSONL: {e}"));
        let raw = v.get("raw").and_then(Value::as_str).unwrap_or_default();
        let unfolded = v
            .get("unfolded")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let crlf = raw.replace('\n', "\r\n");
        let mut parsed = None;
        for h in [strip_name(raw), strip_name(unfolded), strip_name(&crlf)] {
            ran += 1;
            let f = no_panic(h, &mut failures);
            parsed = parsed.or(f);
        }
        let Some(f) = parsed else { continue };
        let ok = f.date_text.as_deref().and_then(parse_date).is_some();
        match v.get("date_check").and_then(Value::as_str) {
            Some("ok") => dates.check(unfolded, ok, true),
            _ => others.check(unfolded, ok, true),
        }
    }

    // odd-and-malformed.txt: blocks of `# source` comments and one folded header each.
    let odd = std::fs::read_to_string(dir.join("odd-and-malformed.txt"))
        .unwrap_or_else(|e| panic!("cannot read odd-and-malformed.txt: {e}"));
    let mut odd_dates = Rate::new("odd-and-malformed.txt: date parsed");
    for block in odd.split("\n\n") {
        let header: String = block
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        if header.trim().is_empty() {
            continue;
        }
        ran += 1;
        if let Some(f) = no_panic(strip_name(&header), &mut failures) {
            let ok = f.date_text.as_deref().and_then(parse_date).is_some();
            odd_dates.check(&header, ok, true);
        }
    }

    println!("{ran} headers parsed, {} panics", failures.len());
    assert!(ran > 0, "no header ran");
    assert!(
        failures.is_empty(),
        "parse_received panicked on: {failures:#?}"
    );
    // Measured 577/577, 26/27 and 56/60. The misses have no date at all (truncated headers,
    // `from localhost`, `from mail.zoho.com by mx.zohomail.com`).
    dates.report_and_assert(99.0);
    others.report_and_assert(92.0);
    odd_dates.report_and_assert(91.5);
}
