//! `mailtrace serve` through real HTTP: the server started in-process on 127.0.0.1:0, asked
//! with ureq. DNS comes from `samples/dns.zone`, offline; `now` is fixed: nothing here touches
//! the network beyond 127.0.0.1 or reads the wall clock. (One test listens on 0.0.0.0, a free
//! port, for a moment, to see how a server reachable from the network treats `Host`; it is
//! only asked through 127.0.0.1.)
//!
//! The time limit tests set limits of 1 s and only assert that the server gives up well
//! within 10 s: a slow machine cannot make them fail, a server without the limit does.
//!
//! Each answer is checked against the library called directly on the same bytes, so the
//! server can neither lose nor add anything on the way.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use mailtrace::auth::dns::{Answer, AnswerSource, DnsSettings, RecordType, Resolver};
use mailtrace::batch::SharedDns;
use mailtrace::render::html::{self, HtmlOptions};
use mailtrace::serve::{self, RequestLog, ServeConfig, Server};
use mailtrace::{Options, Source};

const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const BOUNDARY: &str = "----mailtrace-test-7f3a9c";

/// Two samples whose authentication asks DNS about different domains.
const SAMPLE_A: &str = "dkim-pass-relaxed.eml";
const SAMPLE_B: &str = "dkim-body-modified-by-footer.eml";

fn dns_settings() -> DnsSettings {
    // relative, as the other tests: the zone's path is part of each report's DNS provenance
    DnsSettings {
        zones: vec![PathBuf::from("samples/dns.zone")],
        offline: true,
        ..Default::default()
    }
}

fn options() -> Options {
    Options {
        now: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        ..Options::default()
    }
}

/// The options of an in-process analysis that the server's answer must equal.
fn local_options() -> Options {
    Options {
        dns: Arc::new(dns_settings().build().expect("samples/dns.zone loads")),
        ..options()
    }
}

fn config() -> ServeConfig {
    let mut config = ServeConfig::new(
        "127.0.0.1:0".parse().expect("address"),
        options(),
        dns_settings(),
    );
    config.request_log = RequestLog::Off;
    config
}

struct Running {
    server: Server,
    agent: ureq::Agent,
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr())
    }
}

fn start(config: ServeConfig) -> Running {
    let server = serve::start(config).expect("server starts");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    Running { server, agent }
}

fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from("samples").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The JSON the server must return for these bytes.
fn local_json(bytes: &[u8]) -> String {
    let source = Source::from_bytes("-", bytes.to_vec()).expect("a message");
    let report = mailtrace::analyze(&source, &local_options()).expect("analysed");
    mailtrace::render::json::render(&report)
}

/// The HTML report the server must return for these bytes under this input name.
fn local_html(name: &str, bytes: &[u8]) -> String {
    let source = Source::from_bytes(name, bytes.to_vec()).expect("a message");
    let report = mailtrace::analyze(&source, &local_options()).expect("analysed");
    html::render(
        &report,
        &source,
        &HtmlOptions {
            back_link: Some("/".into()),
            ..Default::default()
        },
    )
}

/// A `multipart/form-data` body as a browser sends the page's form: the text area, then the
/// file input (`None`: no file chosen, which browsers send as an empty part without a name).
fn multipart(message: &[u8], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(message);
    let (file_name, content) = file.unwrap_or(("", b""));
    body.extend_from_slice(
        format!(
            "\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

struct Answered {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answered {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The error page's sentence, unescaped enough to read (minijinja escapes `/`).
    fn page_text(&self) -> String {
        self.body
            .replace("&#x2f;", "/")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
    }
}

fn answered(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answered {
    let mut response = result.expect("an HTTP answer");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .expect("a text body");
    Answered {
        status,
        headers,
        body,
    }
}

fn get(running: &Running, path: &str) -> Answered {
    answered(running.agent.get(running.url(path)).call())
}

fn post(running: &Running, path: &str, content_type: &str, body: &[u8]) -> Answered {
    answered(
        running
            .agent
            .post(running.url(path))
            .header("Content-Type", content_type)
            .send(body),
    )
}

/// Post with `Transfer-Encoding: chunked`: no declared size, so only the body limit can stop it.
fn post_chunked(running: &Running, path: &str, content_type: &str, body: &[u8]) -> Answered {
    let mut reader = std::io::Cursor::new(body.to_vec());
    answered(
        running
            .agent
            .post(running.url(path))
            .header("Content-Type", content_type)
            .send(ureq::SendBody::from_reader(&mut reader)),
    )
}

fn assert_security_headers(answer: &Answered) {
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the
    // page's own form post, which the cross-site check must refuse (found by tests/browser.rs)
    assert_eq!(answer.header("referrer-policy"), Some("same-origin"));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let csp = answer
        .header("content-security-policy")
        .expect("a Content-Security-Policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

#[test]
fn page_has_the_form_and_the_security_headers() {
    let running = start(config());
    let page = get(&running, "/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_security_headers(&page);
    assert_eq!(page.header("content-security-policy"), Some(PAGE_CSP));
    for needle in [
        r#"<form id="analyze-form" method="post" action="/analyze" enctype="multipart/form-data">"#,
        r#"<textarea name="message" id="message""#,
        r#"<input type="file" name="file" id="file" accept=".eml,.txt,message/rfc822">"#,
        r#"id="analyze""#,
        "nothing is stored",
        "Nothing leaves this machine except the DNS lookups the analysis needs",
        "curl --data-binary @message.eml",
    ] {
        assert!(page.body.contains(needle), "{needle} not in the page");
    }
    let text = page.page_text();
    let api = format!("http://{}/api/analyze", running.server.addr());
    assert!(text.contains(&api), "{api} not in the page");
    assert!(
        text.contains("offline"),
        "the DNS settings are not described"
    );
    // no script, no style attribute: the CSP allows neither
    assert!(!page.body.to_ascii_lowercase().contains("<script"));
    assert!(!page.body.contains("style="));
    let handler = regex::Regex::new(r"(?i)\son[a-z]+\s*=").expect("regex");
    assert!(!handler.is_match(&page.body), "an event handler attribute");
}

#[test]
fn api_answers_the_json_of_the_library() {
    let running = start(config());
    let bytes = sample(SAMPLE_A);
    let answer = post(&running, "/api/analyze", "message/rfc822", &bytes);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_security_headers(&answer);
    assert_eq!(answer.body, local_json(&bytes));
    // the zone's answers are in it: DNS was really used
    let dns = answer.json()["dns"].as_array().cloned().unwrap_or_default();
    assert!(!dns.is_empty(), "no DNS answers in the report");
    // any content type will do
    let plain = post(&running, "/api/analyze", "text/plain", &bytes);
    assert_eq!(plain.body, answer.body);
}

#[test]
fn form_with_the_text_area_answers_the_html_report() {
    let running = start(config());
    let bytes = sample(SAMPLE_A);
    let answer = post(
        &running,
        "/analyze",
        &multipart_type(),
        &multipart(&bytes, None),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_security_headers(&answer);
    assert_eq!(answer.body, local_html("pasted text", &bytes));
    assert!(answer.body.starts_with("<!DOCTYPE html>"));
}

#[test]
fn form_with_a_file_answers_the_html_report_of_the_file() {
    let running = start(config());
    let bytes = sample(SAMPLE_B);
    // the file wins over the text area (which holds something else entirely)
    let answer = post(
        &running,
        "/analyze",
        &multipart_type(),
        &multipart(&sample(SAMPLE_A), Some((SAMPLE_B, &bytes))),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body, local_html(SAMPLE_B, &bytes));
    assert_ne!(answer.body, local_html(SAMPLE_B, &sample(SAMPLE_A)));
}

#[test]
fn form_without_multipart_takes_the_text() {
    let running = start(config());
    let text = "From: Amy <amy@example.org>\r\nTo: bob@example.net\r\nSubject: plain form\r\nDate: Tue, 11 Mar 2025 10:15:38 +0100\r\n\r\nhello\r\n";
    let mut encoded = String::from("message=");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let answer = post(
        &running,
        "/analyze",
        "application/x-www-form-urlencoded",
        encoded.as_bytes(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body, local_html("pasted text", text.as_bytes()));
}

#[test]
fn too_large_requests_get_a_clear_413() {
    let mut config = config();
    config.max_request_bytes = 4096;
    let running = start(config);
    let big: Vec<u8> = sample(SAMPLE_A).into_iter().cycle().take(10_000).collect();
    let clear = |answer: &Answered, text: &str| {
        assert_eq!(answer.status, 413, "{}", answer.body);
        assert_security_headers(answer);
        assert!(
            text.contains("4 KiB (4096 bytes), set with --max-request-bytes"),
            "{text}"
        );
    };

    // declared size
    let api = post(&running, "/api/analyze", "message/rfc822", &big);
    assert_eq!(api.header("content-type"), Some("application/json"));
    let error = api.json()["error"].as_str().unwrap_or_default().to_string();
    clear(&api, &error);
    assert!(error.contains("the request is 9.8 KiB"), "{error}");

    let form_body = multipart(b"", Some(("big.eml", &big)));
    let page = post(&running, "/analyze", &multipart_type(), &form_body);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    clear(&page, &page.page_text());
    assert!(page.page_text().contains("href=\"/\""), "no way back");

    // no declared size: the body limit stops the reading
    let api = post_chunked(&running, "/api/analyze", "message/rfc822", &big);
    let error = api.json()["error"].as_str().unwrap_or_default().to_string();
    clear(&api, &error);
    let page = post_chunked(&running, "/analyze", &multipart_type(), &form_body);
    clear(&page, &page.page_text());

    // the server still answers
    assert_eq!(get(&running, "/").status, 200);
}

#[test]
fn a_large_upload_reads_the_413_not_a_reset_connection() {
    let mut config = config();
    config.max_request_bytes = 64 * 1024;
    let running = start(config);
    // far more than the sockets buffer: cut off while sending, the client would see a reset
    let big = vec![b'x'; 24 << 20];
    let form_body = multipart(b"", Some(("huge.eml", &big)));
    let page = post(&running, "/analyze", &multipart_type(), &form_body);
    assert_eq!(page.status, 413);
    let text = page.page_text();
    assert!(text.contains("The request is 24 MiB"), "{text}");
    // undeclared size: read up to the limit, then drained
    let page = post_chunked(&running, "/analyze", &multipart_type(), &form_body);
    assert_eq!(page.status, 413);
    assert!(page.page_text().contains("over the limit of 64 KiB"));
    let api = post_chunked(&running, "/api/analyze", "message/rfc822", &big);
    assert_eq!(api.status, 413);
    assert!(
        api.body.contains("over the limit of 64 KiB"),
        "{}",
        api.body
    );
}

#[test]
fn a_message_over_the_analysis_limit_gets_a_413() {
    let mut config = config();
    config.options.limits.max_message_bytes = 1000;
    config.max_request_bytes = 1 << 20;
    let running = start(config);
    let answer = post(
        &running,
        "/api/analyze",
        "message/rfc822",
        &sample(SAMPLE_A),
    );
    assert_eq!(answer.status, 413);
    let error = answer.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.starts_with("the message is "), "{error}");
    assert!(error.contains("the limit is 1000 bytes"), "{error}");
    // the limit that refused it is the message size limit, not the request limit
    assert!(error.contains("set with --max-message-bytes"), "{error}");
    assert!(!error.contains("--max-request-bytes"), "{error}");
}

#[test]
fn the_default_request_limit_is_below_the_message_limit_of_files() {
    let config = ServeConfig::new(
        "127.0.0.1:0".parse().expect("address"),
        Options::default(),
        dns_settings(),
    );
    assert_eq!(serve::DEFAULT_MAX_REQUEST_BYTES, 10 << 20);
    assert_eq!(config.max_request_bytes, serve::DEFAULT_MAX_REQUEST_BYTES);
    assert!(config.max_request_bytes < Options::default().limits.max_message_bytes);
    // the time and connection limits are on by default
    assert_eq!(
        config.header_read_timeout,
        serve::DEFAULT_HEADER_READ_TIMEOUT
    );
    assert_eq!(config.body_read_timeout, serve::DEFAULT_BODY_READ_TIMEOUT);
    assert_eq!(config.analysis_timeout, serve::DEFAULT_ANALYSIS_TIMEOUT);
    assert_eq!(config.max_connections, serve::DEFAULT_MAX_CONNECTIONS);
    assert!(config.header_read_timeout <= Duration::from_secs(30));
    assert!(config.body_read_timeout <= Duration::from_secs(60));
    assert!(config.analysis_timeout <= Duration::from_secs(120));
    assert!(config.max_connections > 0 && config.max_connections <= 1024);
    assert!(config.allowed_hosts.is_empty());
}

#[test]
fn garbage_gets_a_400_that_says_what_was_wrong() {
    let running = start(config());
    let cases: [(&[u8], &str); 3] = [
        (b"", "the input is empty"),
        (
            b"\x00\x01\x02\x03binary\xff\xfe\x00\x00 junk",
            "looks like binary data",
        ),
        (
            b"just some words\nand more words\nnothing like a header\n",
            "no email header block found",
        ),
    ];
    for (bytes, expected) in cases {
        let api = post(&running, "/api/analyze", "application/octet-stream", bytes);
        assert_eq!(api.status, 400, "{}", api.body);
        assert_eq!(api.header("content-type"), Some("application/json"));
        let error = api.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(error.contains(expected), "{error}");

        // (an empty file counts as no file: the empty text area is analysed)
        let page = post(
            &running,
            "/analyze",
            &multipart_type(),
            &multipart(b"", Some(("junk.eml", bytes))),
        );
        assert_eq!(page.status, 400, "{}", page.body);
        assert_security_headers(&page);
        let text = page.page_text();
        assert!(
            text.to_lowercase().contains(expected),
            "{expected} not in {text}"
        );
        assert!(text.contains("<a href=\"/\""), "no way back: {text}");
    }
    // not a form at all
    let page = post(&running, "/analyze", "application/json", b"{}");
    assert_eq!(page.status, 400);
    assert!(page.page_text().contains("/api/analyze"));
}

#[test]
fn unknown_paths_and_wrong_methods() {
    let running = start(config());
    let page = get(&running, "/nothing-here");
    assert_eq!(page.status, 404);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_security_headers(&page);
    assert!(page.page_text().contains("Not found"));

    let api = get(&running, "/api/nothing");
    assert_eq!(api.status, 404);
    assert!(api.json()["error"].is_string());

    let page = get(&running, "/analyze");
    assert_eq!(page.status, 405);
    assert_security_headers(&page);
    assert!(page.page_text().contains("/analyze only answers POST"));

    let api = get(&running, "/api/analyze");
    assert_eq!(api.status, 405);
    assert_eq!(api.header("content-type"), Some("application/json"));

    let page = post(&running, "/", "text/plain", b"x");
    assert_eq!(page.status, 405);
    assert!(page.page_text().contains("only answers GET"));
}

#[test]
fn concurrent_requests_get_their_own_dns_logs() {
    let running = start(config());
    let a = sample(SAMPLE_A);
    let b = sample(SAMPLE_B);
    let (want_a, want_b) = (local_json(&a), local_json(&b));
    let dns = |json: &str| {
        serde_json::from_str::<serde_json::Value>(json).expect("json")["dns"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    // the two messages need different answers, so a mixed log would show
    assert!(!dns(&want_a).is_empty() && !dns(&want_b).is_empty());
    assert_ne!(dns(&want_a), dns(&want_b));

    const THREADS: usize = 8;
    const ROUNDS: usize = 4;
    // all threads start together, then each posts its message ROUNDS times; the answers are
    // judged after the join (an assertion failing inside a thread must not hang the others)
    let barrier = Barrier::new(THREADS);
    let answers: Vec<(usize, Vec<Answered>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let bytes = if t % 2 == 0 { &a } else { &b };
                let (running, barrier) = (&running, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    let answers = (0..ROUNDS)
                        .map(|_| post(running, "/api/analyze", "message/rfc822", bytes))
                        .collect();
                    (t, answers)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect()
    });
    assert_eq!(answers.len(), THREADS);
    for (t, answers) in answers {
        let want = if t % 2 == 0 { &want_a } else { &want_b };
        assert_eq!(answers.len(), ROUNDS);
        for answer in answers {
            assert_eq!(answer.status, 200, "{}", answer.body);
            assert_eq!(&answer.body, want, "thread {t}: another request's DNS?");
        }
    }
}

/// A resolver that fails the way a bug would.
struct Panicking;

impl Resolver for Panicking {
    fn query(&self, name: &str, _rtype: RecordType) -> (Answer, AnswerSource) {
        panic!("test resolver asked about {name}");
    }
}

/// The fixed answer of a panicked analysis.
const INTERNAL_ERROR: &str = "mailtrace failed on this message; nothing was kept. Please report it with the message if you can.";

#[test]
fn a_panic_in_the_analysis_is_a_500_and_the_server_lives_on() {
    let mut config = config();
    config.shared_dns = Some(SharedDns::new(Box::new(Panicking)));
    let running = start(config);
    let bytes = sample(SAMPLE_A);
    let api = post(&running, "/api/analyze", "message/rfc822", &bytes);
    assert_eq!(api.status, 500, "{}", api.body);
    let error = api.json()["error"].as_str().unwrap_or_default().to_string();
    // a fixed sentence: the panic's own text quotes the message (here, a domain of it)
    assert_eq!(error, INTERNAL_ERROR);
    assert!(!api.body.contains("asked about"), "{}", api.body);
    let page = post(
        &running,
        "/analyze",
        &multipart_type(),
        &multipart(&bytes, None),
    );
    assert_eq!(page.status, 500);
    // (the page starts its sentence with a capital)
    assert!(
        page.page_text().contains(&INTERNAL_ERROR[1..]),
        "{}",
        page.body
    );
    assert!(!page.body.contains("asked about"), "{}", page.body);
    assert_eq!(get(&running, "/").status, 200);
}

/// The zone's resolver, but the first query panics.
struct PanicsOnce {
    fired: AtomicBool,
    zone: Box<dyn Resolver>,
}

impl Resolver for PanicsOnce {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        if !self.fired.swap(true, Ordering::SeqCst) {
            panic!("test resolver asked about {name}");
        }
        self.zone.query(name, rtype)
    }
}

#[test]
fn after_a_panic_the_next_analysis_is_whole() {
    let mut config = config();
    let zone = dns_settings().resolver().expect("samples/dns.zone loads");
    config.shared_dns = Some(SharedDns::new(Box::new(PanicsOnce {
        fired: AtomicBool::new(false),
        zone,
    })));
    let running = start(config);
    let bytes = sample(SAMPLE_A);
    let first = post(&running, "/api/analyze", "message/rfc822", &bytes);
    assert_eq!(first.status, 500, "{}", first.body);
    // nothing shared (the DNS cache, the core slots) is left broken by the panic
    for _ in 0..3 {
        let next = post(&running, "/api/analyze", "message/rfc822", &bytes);
        assert_eq!(next.status, 200, "{}", next.body);
        assert_eq!(next.body, local_json(&bytes));
    }
}

/// The zone's resolver, slow: each query takes 3 s.
struct Slow(Box<dyn Resolver>);

impl Resolver for Slow {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        std::thread::sleep(Duration::from_secs(3));
        self.0.query(name, rtype)
    }
}

#[test]
fn an_analysis_past_its_time_limit_gets_a_503() {
    let mut config = config();
    config.analysis_timeout = Duration::from_secs(1);
    let zone = dns_settings().resolver().expect("samples/dns.zone loads");
    config.shared_dns = Some(SharedDns::new(Box::new(Slow(zone))));
    let running = start(config);
    let started = Instant::now();
    let api = post(
        &running,
        "/api/analyze",
        "message/rfc822",
        &sample(SAMPLE_A),
    );
    assert_eq!(api.status, 503, "{}", api.body);
    assert!(started.elapsed() < Duration::from_secs(10));
    let error = api.json()["error"].as_str().unwrap_or_default().to_string();
    assert!(error.contains("did not finish within 1 s"), "{error}");
    // the server still answers
    assert_eq!(get(&running, "/").status, 200);
}

#[test]
fn the_log_has_the_request_line_and_nothing_of_the_message() {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut config = config();
    let sink = Arc::clone(&lines);
    config.request_log = RequestLog::To(Arc::new(move |line: &str| {
        sink.lock().expect("log").push(line.to_string());
    }));
    let running = start(config);
    let bytes = sample(SAMPLE_A);
    assert_eq!(
        post(&running, "/api/analyze?secret=1", "message/rfc822", &bytes).status,
        200
    );
    assert_eq!(get(&running, "/missing").status, 404);
    running.server.shutdown().expect("clean shutdown");
    let lines = lines.lock().expect("log").clone();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let pattern = regex::Regex::new(r"^(POST|GET) /[a-z/]* \d{3} \d+\.\d ms$").expect("regex");
    for line in &lines {
        assert!(pattern.is_match(line), "{line}");
    }
    assert!(lines[0].starts_with("POST /api/analyze 200 "), "{lines:?}");
    assert!(lines[1].starts_with("GET /missing 404 "), "{lines:?}");
}

/// One raw HTTP/1.1 request (ureq sets `Host` itself), the status code of the answer.
fn raw_status(running: &Running, request: &str) -> u16 {
    let mut stream = TcpStream::connect(running.server.addr()).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"))
}

#[test]
fn foreign_hosts_and_cross_site_posts_are_refused() {
    let running = start(config());
    let addr = running.server.addr();
    let ok = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_status(&running, &ok), 200);
    let local = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    assert_eq!(raw_status(&running, local), 200);
    let rebound = "GET / HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n";
    assert_eq!(raw_status(&running, rebound), 403);
    let cross = format!(
        "POST /api/analyze HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://attacker.example\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
    );
    assert_eq!(raw_status(&running, &cross), 403);
    let same = format!(
        "POST /api/analyze HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    // same origin gets through to the analysis (an empty message: 400)
    assert_eq!(raw_status(&running, &same), 400);
}

#[test]
fn an_origin_without_a_port_has_the_scheme_default_port() {
    let running = start(config());
    // `Origin: http://localhost` names port 80, as `Host: localhost:80` does
    let same = "POST /api/analyze HTTP/1.1\r\nHost: localhost:80\r\nOrigin: http://localhost\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assert_eq!(raw_status(&running, same), 400);
    let other = "POST /api/analyze HTTP/1.1\r\nHost: localhost:8080\r\nOrigin: http://localhost\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assert_eq!(raw_status(&running, other), 403);
}

/// One raw request to `addr`: the status code and the whole answer.
fn raw_to(addr: SocketAddr, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    (status, answer)
}

#[test]
fn a_network_listener_answers_only_to_its_address_and_the_allowed_names() {
    let mut config = config();
    config.listen = "0.0.0.0:0".parse().expect("address");
    config.allowed_hosts = vec!["mailtrace.example.lan".to_string()];
    let running = start(config);
    let port = running.server.addr().port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let get_with = |host: &str| {
        raw_to(
            addr,
            &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
    };
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("mailtrace.example.lan:{port}"),
        "MailTrace.Example.LAN".to_string(),
    ] {
        assert_eq!(get_with(&host).0, 200, "{host}");
    }
    for host in [
        format!("attacker.example:{port}"),
        "attacker.example".to_string(),
        // the right address on another port is another server
        "127.0.0.1:1".to_string(),
        format!("mailtrace.example.lan.attacker.example:{port}"),
    ] {
        let (status, answer) = get_with(&host);
        assert_eq!(status, 403, "{host}");
        assert!(answer.contains("--allow-host"), "{answer}");
        assert!(answer.contains("DNS rebinding"), "{answer}");
    }
    // a rebound name posting to itself: Origin and Host agree, but the name is not ours
    let rebound = format!(
        "POST /api/analyze HTTP/1.1\r\nHost: attacker.example:{port}\r\nOrigin: http://attacker.example:{port}\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(raw_to(addr, &rebound).0, 403);
}

/// Read what the server sends until it closes the connection (or resets it), for at most
/// `within`: `None` when the connection is still open then.
fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.saturating_sub(started.elapsed());
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).expect("a read timeout");
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return None;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    Some(String::from_utf8_lossy(&answer).into_owned())
}

/// Send `first`, then `piece` every 200 ms (for at most 20 s) until the server stops reading.
fn trickle(stream: &TcpStream, first: &[u8], piece: &'static [u8]) -> JoinHandle<()> {
    let mut writer = stream.try_clone().expect("a second handle");
    writer.write_all(first).expect("send");
    std::thread::spawn(move || {
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(200));
            if writer.write_all(piece).is_err() {
                break;
            }
        }
    })
}

/// The hang guard of the time limit tests: ten times the 1 s limit.
const GUARD: Duration = Duration::from_secs(10);

fn with_short_limits() -> ServeConfig {
    let mut config = config();
    config.header_read_timeout = Duration::from_secs(1);
    config.body_read_timeout = Duration::from_secs(1);
    config
}

#[test]
fn a_header_sent_line_by_line_is_cut_off() {
    let running = start(with_short_limits());
    let mut stream = TcpStream::connect(running.server.addr()).expect("connect");
    let writer = trickle(&stream, b"GET / HTTP/1.1\r\n", b"X-Slow: 1\r\n");
    let answer = read_until_closed(&mut stream, GUARD);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    writer.join().expect("the writer");
    let answer = answer.expect("the connection is still open past the header time limit");
    assert!(!answer.contains(" 200 "), "{answer}");
    assert_eq!(get(&running, "/").status, 200);
}

#[test]
fn a_request_line_then_nothing_and_an_idle_connection_are_cut_off() {
    let running = start(with_short_limits());
    let mut stalled = TcpStream::connect(running.server.addr()).expect("connect");
    stalled.write_all(b"GET / HTTP/1.1\r\n").expect("send");
    let mut idle = TcpStream::connect(running.server.addr()).expect("connect");
    assert_eq!(
        read_until_closed(&mut stalled, GUARD).as_deref(),
        Some(""),
        "the stalled request is still open"
    );
    assert_eq!(
        read_until_closed(&mut idle, GUARD).as_deref(),
        Some(""),
        "the idle connection is still open"
    );
    // the same for a kept-alive connection after its first answer
    let mut kept = TcpStream::connect(running.server.addr()).expect("connect");
    kept.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    let answer = read_until_closed(&mut kept, GUARD).expect("the kept-alive connection is closed");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[test]
fn a_trickled_body_gets_a_408() {
    let running = start(with_short_limits());
    let body = multipart(&sample(SAMPLE_A), None);
    for (path, content_type) in [
        ("/api/analyze", "message/rfc822".to_string()),
        ("/analyze", multipart_type()),
    ] {
        let mut stream = TcpStream::connect(running.server.addr()).expect("connect");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let writer = trickle(&stream, head.as_bytes(), b"x");
        let answer = read_until_closed(&mut stream, GUARD);
        let _ = stream.shutdown(std::net::Shutdown::Both);
        writer.join().expect("the writer");
        let answer = answer.expect("no answer within the hang guard");
        assert!(answer.starts_with("HTTP/1.1 408 "), "{path}: {answer}");
        let text = answer.replace("&#x2f;", "/").replace("&#x27;", "'");
        assert!(
            text.to_lowercase()
                .contains("the request's body did not arrive within 1 s"),
            "{path}: {text}"
        );
    }
    assert_eq!(get(&running, "/").status, 200);
}

#[test]
fn connections_past_the_cap_wait_for_a_free_slot() {
    let mut config = config();
    config.max_connections = 1;
    // long enough that the first connection is not cut while the test runs
    config.header_read_timeout = Duration::from_secs(120);
    let running = start(config);
    let first = TcpStream::connect(running.server.addr()).expect("connect");
    // the first connection is being served: its request gets answered
    let mut second = TcpStream::connect(running.server.addr()).expect("connect (backlog)");
    second
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("send");
    // no answer while the first holds the only slot (an uncapped server answers in ms)
    second
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("a read timeout");
    let mut byte = [0u8; 1];
    match second.read(&mut byte) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("answered past the connection cap: {other:?}"),
    }
    drop(first);
    let answer = read_until_closed(&mut second, GUARD).expect("answered once the slot is free");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[test]
fn shutdown_stops_listening() {
    let running = start(config());
    let addr = running.server.addr();
    assert_eq!(get(&running, "/").status, 200);
    running.server.shutdown().expect("clean shutdown");
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
        "still listening on {addr}"
    );
}

#[test]
fn a_bad_zone_file_fails_at_start() {
    let mut config = config();
    config.dns.zones = vec![PathBuf::from("samples/no-such.zone")];
    let error = serve::start(config).expect_err("a missing zone file");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn loopback_addresses() {
    let loopback = |text: &str| serve::is_loopback(&text.parse().expect("address"));
    assert!(loopback("127.0.0.1:8025"));
    assert!(loopback("[::1]:8025"));
    assert!(!loopback("0.0.0.0:8025"));
    assert!(!loopback("192.168.1.2:8025"));
}
