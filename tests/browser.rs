//! The HTML report and the serve page in a real browser: headless Chromium driven through
//! chromedriver's W3C WebDriver HTTP API (plain JSON over ureq, no WebDriver crate).
//!
//! What only a browser can tell: that the page's own Content-Security-Policy lets everything the
//! page needs load (a blocked style or image is a console error of level SEVERE, which
//! chromedriver's `POST /session/{id}/se/log` returns), that the fixed selectors are really in
//! the DOM Chromium built, that hostile message content stays text, and that the serve form
//! works when a person pastes or picks a file and clicks.
//!
//! When /usr/bin/chromium or /usr/bin/chromedriver is absent each test prints a one-line note
//! and returns, so `cargo test` passes on a fresh clone (`.ci/run` installs both). Every test
//! starts its own chromedriver on its own free port with its own empty profile, so tests run
//! in parallel. Nothing here touches the network beyond 127.0.0.1, nor reads the wall clock:
//! analyses use the samples' zone file and the fixed `now` of `tests/common`.
//!
//! `MAILTRACE_SCREENSHOTS=<dir>` makes the sample-report test save screenshots of two reports
//! there (`scripts/screenshots.sh` regenerates docs/screenshots/ with it).

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mailtrace::render::html::{self, HtmlOptions};
use mailtrace::{Report, Source};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The flags that work on a closed network (no background connections to Google's hosts).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The window every page is shown in (and the first-screen screenshots' size).
const WINDOW: (u32, u32) = (1280, 900);

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An element reference as a script argument.
fn element_ref(id: &str) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(ELEMENT.to_string(), Value::String(id.to_string()));
    Value::Object(map)
}

// ---------------------------------------------------------------------------------------------
// chromedriver and a session

/// A chromedriver child process on its own port, killed on drop.
struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Driver {
    /// Start chromedriver on a free port. A port taken in the meantime makes chromedriver
    /// exit at once ("IPv4 port not available"): then another port is tried.
    fn start(log: &Path) -> Driver {
        for _ in 0..5 {
            if let Some(driver) = Driver::try_start(log) {
                return driver;
            }
        }
        panic!("chromedriver did not start (log: {})", log.display());
    }

    fn try_start(log: &Path) -> Option<Driver> {
        let port = free_port();
        let log_file = std::fs::File::create(log).expect("chromedriver log file");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log file handle"))
            .stderr(log_file)
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
        };
        // ready when its own log says it listens on our port (so a /status answer cannot come
        // from somebody else's server on that port) and /status says ready; a bounded wait
        let started = format!("started successfully on port {port}.");
        for _ in 0..100 {
            if !matches!(driver.child.try_wait(), Ok(None)) {
                return None;
            }
            if std::fs::read_to_string(log).is_ok_and(|l| l.contains(&started))
                && let Ok(mut r) = driver.agent.get(format!("{}/status", driver.base)).call()
                && let Ok(text) = r.body_mut().read_to_string()
                && let Ok(v) = serde_json::from_str::<Value>(&text)
                && v["value"]["ready"] == json!(true)
            {
                return Some(driver);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now (the OS picks it; chromedriver takes it a moment later).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// One browser: a WebDriver session with its own empty profile. The session is deleted (and
/// Chromium quits) before chromedriver is killed.
struct Browser {
    driver: Driver,
    session: String,
    profile: PathBuf,
}

/// A console message as chromedriver reports it.
#[derive(Debug)]
struct LogEntry {
    level: String,
    source: String,
    message: String,
}

impl std::fmt::Display for LogEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} {}] {}", self.level, self.source, self.message)
    }
}

/// A fresh directory under the target's scratch space, emptied at each run (each test uses its
/// own names; the pages and chromedriver's log of the last run stay there to look at).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

impl Browser {
    /// A browser, or None (with a printed note) when Chromium or chromedriver is not installed.
    fn open(test: &str) -> Option<Browser> {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            if !Path::new(tool).exists() {
                // CI installs the browser and sets this: there, a missing browser is a failure,
                // not a skip that would let every browser test pass unseen
                assert!(
                    std::env::var_os("MAILTRACE_REQUIRE_BROWSER").is_none(),
                    "browser test {test}: {tool} not found but MAILTRACE_REQUIRE_BROWSER is set"
                );
                eprintln!(
                    "note: browser test {test} skipped: {tool} not found (apt-get install chromium chromium-driver)"
                );
                return None;
            }
        }
        let dir = scratch(test);
        let profile = dir.join("profile");
        std::fs::create_dir_all(&profile).expect("profile dir");
        let driver = Driver::start(&dir.join("chromedriver.log"));
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--window-size={},{}", WINDOW.0, WINDOW.1));
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
                    "goog:loggingPrefs": { "browser": "ALL" },
                    "timeouts": { "pageLoad": 20000, "script": 10000, "implicit": 0 }
                }
            }
        });
        let value = request(&driver, "POST", "/session", Some(caps));
        let session = value["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in {value}"))
            .to_string();
        Some(Browser {
            driver,
            session,
            profile,
        })
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        request(
            &self.driver,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )
    }

    fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// Run a function body in the page (`arguments[i]` are `args`); returns its value.
    /// chromedriver runs it through the DevTools protocol, outside the page's CSP.
    fn script(&self, body: &str, args: Vec<Value>) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": body, "args": args })),
        )
    }

    /// The console messages since the last call (chromedriver drains the buffer on each read).
    fn console(&self) -> Vec<LogEntry> {
        let v = self.cmd("POST", "/se/log", Some(json!({ "type": "browser" })));
        v.as_array()
            .unwrap_or_else(|| panic!("log is not an array: {v}"))
            .iter()
            .map(|e| LogEntry {
                level: e["level"].as_str().unwrap_or_default().to_string(),
                source: e["source"].as_str().unwrap_or_default().to_string(),
                message: e["message"].as_str().unwrap_or_default().to_string(),
            })
            .collect()
    }

    /// Fails with every SEVERE console message (CSP violations, failed loads, errors); prints
    /// the others so a warning is seen without failing the test.
    fn assert_clean_console(&self, what: &str) {
        let entries = self.console();
        for e in entries.iter().filter(|e| e.level != "SEVERE") {
            eprintln!("{what}: console {e}");
        }
        let severe: Vec<String> = entries
            .iter()
            .filter(|e| e.level == "SEVERE")
            .map(ToString::to_string)
            .collect();
        assert!(
            severe.is_empty(),
            "{what}: {} console error(s):\n{}",
            severe.len(),
            severe.join("\n")
        );
    }

    /// The first element matching a CSS selector, if any.
    fn find(&self, css: &str) -> Option<String> {
        let v = self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        );
        v.as_array()?
            .first()
            .and_then(|e| e[ELEMENT].as_str())
            .map(str::to_string)
    }

    /// Wait (a bounded number of tries) for an element to appear.
    fn wait_for(&self, css: &str) -> String {
        for _ in 0..100 {
            if let Some(e) = self.find(css) {
                return e;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let url = self.cmd("GET", "/url", None);
        let text = self.script(
            "return document.title + ' | ' + (document.body ? document.body.innerText : '').slice(0, 600);",
            vec![],
        );
        panic!("{css} did not appear within 10 s (page {url}: {text})");
    }

    /// Wait for the report after a submit: its timeline, or fail at once on the server's error
    /// page with what it said.
    fn wait_for_report(&self, what: &str) {
        let found = self.wait_for("svg.timeline, main#error");
        let is_error = self.script(
            "return arguments[0].matches('main#error') ? arguments[0].innerText : null;",
            vec![element_ref(&found)],
        );
        if let Some(text) = is_error.as_str() {
            panic!("{what}: the server answered with its error page: {text:?}");
        }
    }

    fn click(&self, element: &str) {
        self.cmd(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    fn send_keys(&self, element: &str, text: &str) {
        self.cmd(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// A PNG of the window.
    fn screenshot(&self) -> Vec<u8> {
        let v = self.cmd("GET", "/screenshot", None);
        let png = base64_decode(v.as_str().expect("screenshot is base64 text"));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "screenshot is not a PNG"
        );
        png
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .driver
            .agent
            .delete(format!("{}/session/{}", self.driver.base, self.session))
            .call();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One WebDriver command; returns its `value`, panics with the driver's error message.
fn request(driver: &Driver, method: &str, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}{path}", driver.base);
    let response = match (method, body) {
        ("GET", _) => driver.agent.get(&url).call(),
        ("DELETE", _) => driver.agent.delete(&url).call(),
        (_, body) => driver
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body.unwrap_or_else(|| json!({})).to_string()),
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .unwrap_or_else(|e| panic!("{method} {path}: reading the answer: {e}"));
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{method} {path}: answer is not JSON ({e}): {text}"));
    if !status.is_success() {
        panic!(
            "{method} {path}: {status}: {} {}",
            v["value"]["error"], v["value"]["message"]
        );
    }
    v["value"].clone()
}

/// Standard base64 (the screenshot's encoding), without a crate.
fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            _ => panic!("not base64: {:?}", c as char),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

// ---------------------------------------------------------------------------------------------
// reports

/// Analyse a sample offline (the samples' zone, the fixed now) and write its HTML page.
fn render_sample(name: &str, dir: &Path) -> (Report, Source, PathBuf) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    render_bytes(&format!("samples/{name}"), bytes, dir)
}

fn render_bytes(name: &str, bytes: Vec<u8>, dir: &Path) -> (Report, Source, PathBuf) {
    let source = Source::from_bytes(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let report =
        mailtrace::analyze(&source, &common::options()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let page = html::render(&report, &source, &HtmlOptions::default());
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into());
    let out = dir.join(format!("{stem}.html"));
    std::fs::write(&out, page).expect("write the page");
    (report, source, out)
}

/// What the page's DOM holds, read in one script.
const DOM_FACTS: &str = r#"
const q = (s, root) => (root || document).querySelector(s);
const all = (s, root) => [...(root || document).querySelectorAll(s)];
const timeline = q('svg.timeline');
const hops = timeline ? all('g.hop[data-hop]', timeline) : [];
const marked = (cls) => hops
  .filter(g => g.matches(cls) || g.querySelector(cls))
  .map(g => g.getAttribute('data-hop'));
const csp = q('meta[http-equiv="Content-Security-Policy" i]');
return {
  title: document.title,
  summary: !!q('section#summary'),
  timelines: all('svg.timeline').length,
  hops: hops.map(g => g.getAttribute('data-hop')),
  boundary: timeline ? all('.boundary', timeline).length : 0,
  skewed: marked('.skewed'),
  tls: marked('.tls'),
  authentication: !!q('section#authentication'),
  findings_section: !!q('section#findings'),
  findings: all('section#findings article.finding[data-code]').map(a => ({
    code: a.getAttribute('data-code'),
    teaching: !!q('details.teaching', a),
  })),
  headers: !!q('section#headers'),
  evidence: all('section#headers mark.evidence').length,
  scripts: all('script').length,
  csp: csp ? csp.getAttribute('content') : null,
};
"#;

/// The byte length of the header block of the extracted message (evidence shown in
/// `section#headers` lies before it).
fn header_block_len(message: &[u8]) -> usize {
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 2)
        .unwrap_or(message.len())
}

/// Check the DOM of a loaded report page against the report it was made from.
fn assert_report_dom(browser: &Browser, what: &str, report: &Report, source: &Source) {
    let dom = browser.script(DOM_FACTS, vec![]);
    let fail = |msg: String| -> ! { panic!("{what}: {msg}\nDOM facts: {dom:#}") };

    let csp = dom["csp"]
        .as_str()
        .unwrap_or_else(|| fail("no CSP meta tag".into()));
    if !(csp.contains("default-src 'none'") || csp.contains("script-src 'none'"))
        || csp.contains("unsafe-eval")
    {
        fail(format!("the CSP is not strict about scripts: {csp}"));
    }
    if dom["scripts"] != json!(0) {
        fail("the report page has script elements".into());
    }
    for section in ["summary", "authentication", "findings_section", "headers"] {
        if dom[section] != json!(true) {
            fail(format!("{section} section missing"));
        }
    }

    // the timeline: one g.hop per hop, numbered 1..n oldest first
    if dom["timelines"].as_u64().unwrap_or(0) == 0 {
        fail("no svg.timeline".into());
    }
    let want: Vec<String> = report.hops.iter().map(|h| h.index.to_string()).collect();
    if dom["hops"] != json!(want) {
        fail(format!(
            "timeline hops {} but the report has {want:?}",
            dom["hops"]
        ));
    }
    let boundary = dom["boundary"].as_u64().unwrap_or(0);
    match (&report.boundary, boundary) {
        (Some(b), 0) => fail(format!(
            "no .boundary in the timeline (boundary at hop {})",
            b.hop
        )),
        (None, n) if n > 0 => fail("a .boundary in the timeline but the report has none".into()),
        _ => {}
    }
    let skewed: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.name == "hop-clock-skew")
        .filter_map(|f| f.hop.map(|h| h.to_string()))
        .collect();
    for hop in &skewed {
        if !dom["skewed"]
            .as_array()
            .is_some_and(|a| a.contains(&json!(hop)))
        {
            fail(format!("hop {hop} is skewed but its g.hop has no .skewed"));
        }
    }
    let with_tls: Vec<String> = report
        .hops
        .iter()
        .filter(|h| h.tls.is_some())
        .map(|h| h.index.to_string())
        .collect();
    let tls_marked: Vec<String> = dom["tls"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if tls_marked != with_tls {
        fail(format!(
            "hops marked .tls {tls_marked:?}, hops with TLS in the report {with_tls:?}"
        ));
    }

    // the findings: one article per finding, in the report's order, each with its teaching page
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
    let shown: Vec<&str> = dom["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["code"].as_str()).collect())
        .unwrap_or_default();
    if shown != codes {
        fail(format!("findings shown {shown:?}, report has {codes:?}"));
    }
    if dom["findings"]
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f["teaching"] != json!(true)))
    {
        fail("a finding without details.teaching".into());
    }

    // evidence in the header block is highlighted
    let header_end = header_block_len(&source.message);
    let spans_in_headers = report
        .findings
        .iter()
        .flat_map(|f| &f.evidence)
        .filter_map(|e| e.span)
        .filter(|[start, end]| start < end && *end <= header_end)
        .count();
    if spans_in_headers > 0 && dom["evidence"].as_u64().unwrap_or(0) == 0 {
        fail(format!(
            "{spans_in_headers} evidence span(s) in the headers but no mark.evidence"
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// the tests

/// The harness itself: chromedriver's `se/log` really returns CSP violations and console errors
/// on this Chromium, and execute-script runs outside the page's CSP (so setting a textarea's
/// value that way is not blocked by the pages under test).
///
/// Seen on Debian's chromium-driver 148 (and what this test keeps true): `POST
/// /session/{id}/se/log {"type":"browser"}` answers the console since the last read and then
/// empties it; a CSP violation is `level: SEVERE, source: security`, `console.error` is SEVERE
/// from `console-api`, `console.warn` is WARNING. The older `GET /session/{id}/log` is an
/// "unknown command"; `POST /session/{id}/log` answers from the same (drained) buffer. Opening
/// a file:// page that does not exist logs nothing, so the tests check the DOM as well.
#[test]
fn harness_sees_csp_violations_and_scripts_run_outside_the_csp() {
    let Some(browser) = Browser::open("harness") else {
        return;
    };
    let dir = scratch("harness-pages");
    let page = dir.join("violation.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">\
         <title>csp self-test</title></head><body>\
         <textarea id=\"message\"></textarea>\
         <script>window.__ran = 1</script>\
         <div style=\"color: red\">inline style</div>\
         </body></html>",
    )
    .unwrap();
    browser.goto(&file_url(&page));
    let entries = browser.console();
    let csp: Vec<&LogEntry> = entries
        .iter()
        .filter(|e| e.level == "SEVERE" && e.message.contains("Content Security Policy"))
        .collect();
    assert!(
        csp.iter().any(|e| e.message.contains("inline script")),
        "the blocked inline script is not in the log: {entries:?}"
    );
    assert!(
        csp.iter().any(|e| e.message.contains("inline style")),
        "the blocked inline style is not in the log: {entries:?}"
    );
    assert!(csp.iter().all(|e| e.source == "security"));
    // the log is drained by reading it
    assert!(browser.console().is_empty());

    // execute-script is not subject to the page's CSP: eval works there, the page's did not
    let v = browser.script(
        "let ev; try { ev = eval('40 + 2'); } catch (e) { ev = String(e); }\
         arguments[0].value = arguments[1];\
         return [typeof window.__ran, ev, document.getElementById('message').value];",
        vec![
            element_ref(&browser.find("#message").expect("#message")),
            json!("pasted\r\ntext"),
        ],
    );
    assert_eq!(v, json!(["undefined", 42, "pasted\ntext"]));
    // console.error from the page is SEVERE too (source console-api)
    browser.script(
        "console.error('self-test error'); console.warn('w');",
        vec![],
    );
    let entries = browser.console();
    assert!(
        entries
            .iter()
            .any(|e| e.level == "SEVERE" && e.source == "console-api"),
        "{entries:?}"
    );
    assert!(entries.iter().any(|e| e.level == "WARNING"), "{entries:?}");
}

/// Samples that between them show every part of the page: a delay with a trust boundary, a
/// skewed hop, DKIM failures, a bounce with its returned original, a forged hop, a DMARC reject.
const SAMPLES: &[&str] = &[
    "enterprise-gateway-proofpoint-delay.eml",
    "dkim-body-modified-by-footer.eml",
    "clock-skew-negative-delay.eml",
    "bounce-dsn-user-unknown.eml",
    "forged-hops-below-boundary.eml",
    "spoofed-from-spf-fail-dmarc-reject.eml",
    "dkim-header-modified-subject-tag.eml",
    "sent-items-copy-no-received.eml",
];

/// The two samples of the screenshots: a delayed journey through a gateway past the trust
/// boundary, and a DKIM body broken by a footer added on the way.
const SCREENSHOT_SAMPLES: &[&str] = &[
    "enterprise-gateway-proofpoint-delay.eml",
    "dkim-body-modified-by-footer.eml",
];

#[test]
fn sample_reports_load_cleanly_with_every_section() {
    let Some(browser) = Browser::open("samples") else {
        return;
    };
    let dir = scratch("sample-pages");
    let shots = std::env::var_os("MAILTRACE_SCREENSHOTS").map(PathBuf::from);
    let mut checked = 0;
    for name in SAMPLES {
        let started = Instant::now();
        let (report, source, page) = render_sample(name, &dir);
        browser.goto(&file_url(&page));
        browser.assert_clean_console(name);
        assert_report_dom(&browser, name, &report, &source);
        if let Some(shots) = &shots
            && SCREENSHOT_SAMPLES.contains(name)
        {
            save_screenshots(&browser, shots, name);
        }
        eprintln!(
            "{name}: {} hops, {} findings, checked in {} ms",
            report.hops.len(),
            report.findings.len(),
            started.elapsed().as_millis()
        );
        checked += 1;
    }
    assert_eq!(checked, SAMPLES.len());
}

/// Two window-sized screenshots: the first screen as a reader sees it on opening the report,
/// and the journey (the window scrolled to the section holding the timeline). Whole-page
/// captures are 4000 px tall and unreadable at a glance in the docs, and weigh 700 KB each.
fn save_screenshots(browser: &Browser, dir: &Path, name: &str) {
    std::fs::create_dir_all(dir).expect("screenshot dir");
    let stem = name.trim_end_matches(".eml");
    let first = dir.join(format!("{stem}.png"));
    std::fs::write(&first, browser.screenshot()).expect("write screenshot");
    browser.script(
        "const t = document.querySelector('svg.timeline');\
         (t.closest('section') || t).scrollIntoView();",
        vec![],
    );
    let journey = dir.join(format!("{stem}-journey.png"));
    std::fs::write(&journey, browser.screenshot()).expect("write screenshot");
    browser.script("window.scrollTo(0, 0);", vec![]);
    eprintln!("screenshots: {} and {}", first.display(), journey.display());
}

/// A message whose every field tries to run script: it must arrive in the DOM as text.
const HOSTILE: &str = concat!(
    "Received: from \"><img src=x onerror=window.__pwned=1> (<svg onload=window.__pwned=1> [203.0.113.66])\r\n",
    "\tby mx.example.org (Postfix) with ESMTP id <script>window.__pwned=1</script>;\r\n",
    "\tTue, 11 Mar 2025 09:15:42 +0000\r\n",
    "Received: from <svg/onload=window.__pwned=1>.example.net (javascript:window.__pwned=1 [10.0.0.9])\r\n",
    "\tby \"><img src=x onerror=window.__pwned=1>.example.net with ESMTP; Tue, 11 Mar 2025 09:15:40 +0000\r\n",
    "From: \"\\\"><img src=x onerror=window.__pwned=1>\" <ceo@example.net>\r\n",
    "From: <svg onload=window.__pwned=1>@example.net\r\n",
    "Reply-To: \"javascript:window.__pwned=1\" <a@evil.example>\r\n",
    "To: \"<script>window.__pwned=1</script>\" <bob@example.org>\r\n",
    "Subject: <script>window.__pwned=1</script> \"><img src=x onerror=window.__pwned=1>\r\n",
    "Date: Tue, 11 Mar 2025 09:15:38 +0000\r\n",
    "Message-ID: <\"><svg onload=window.__pwned=1>@example.net>\r\n",
    "List-Unsubscribe: <javascript:window.__pwned=1>\r\n",
    "DKIM-Signature: v=1; a=rsa-sha256; d=\"><img src=x onerror=window.__pwned=1>; s=<script>;\r\n",
    "\th=from:to:subject; bh=AAAA; b=AAAA\r\n",
    "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=\"><svg onload=window.__pwned=1>\r\n",
    "Content-Type: text/html; charset=utf-8\r\n",
    "\r\n",
    "<html><body><script>window.__pwned=1</script>\r\n",
    "<a href=\"javascript:window.__pwned=1\">click</a>\r\n",
    "<img src=x onerror=\"window.__pwned=1\"><svg onload=\"window.__pwned=1\"></svg>\r\n",
    "<iframe src=\"javascript:window.__pwned=1\"></iframe>\r\n",
    "</body></html>\r\n",
);

/// What script-bearing things the DOM holds (none may exist) and whether a payload ran.
const HOSTILE_FACTS: &str = r#"
const all = (s) => [...document.querySelectorAll(s)];
const handlers = all('*').filter(e => [...e.attributes].some(a => /^on/i.test(a.name)));
const js = all('[href],[src],[action],[formaction],[data],[xlink\\:href]').filter(e =>
  [...e.attributes].some(a => /^\s*javascript:/i.test(a.value)));
return {
  pwned: typeof window.__pwned,
  img_onerror: all('img[onerror]').length,
  svg_onload: all('svg[onload]').length,
  script: all('script').length,
  iframe: all('iframe, object, embed, frame').length,
  on_attributes: handlers.map(e => e.outerHTML.slice(0, 120)),
  javascript_urls: js.map(e => e.outerHTML.slice(0, 120)),
  text: document.body ? document.body.textContent : '',
  timeline_text: (document.querySelector('svg.timeline') || {}).textContent || '',
};
"#;

fn assert_inert(browser: &Browser, what: &str) {
    let facts = browser.script(HOSTILE_FACTS, vec![]);
    let clean = json!({
        "pwned": "undefined", "img_onerror": 0, "svg_onload": 0, "script": 0, "iframe": 0,
        "on_attributes": [], "javascript_urls": [],
    });
    for (key, want) in clean.as_object().into_iter().flatten() {
        assert_eq!(&facts[key], want, "{what}: {key}: {:#}", facts[key]);
    }
    // the payloads are shown as text, not dropped
    let text = facts["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("<script>window.__pwned=1</script>"),
        "{what}: the Subject's payload is not shown as text"
    );
    assert!(
        text.contains("onerror=window.__pwned=1>"),
        "{what}: the img payload is not shown as text"
    );
    // host names from Received go into the SVG: as text there too
    let timeline = facts["timeline_text"].as_str().unwrap_or_default();
    assert!(
        timeline.contains("onload=window.__pwned=1"),
        "{what}: the hop's hostile host name is not in the timeline as text"
    );
}

#[test]
fn hostile_message_stays_text() {
    let Some(browser) = Browser::open("hostile") else {
        return;
    };
    let dir = scratch("hostile-pages");
    let (report, source, page) = render_bytes("hostile.eml", HOSTILE.as_bytes().to_vec(), &dir);
    browser.goto(&file_url(&page));
    // an injected handler blocked by the CSP would be a console error: none may appear
    browser.assert_clean_console("hostile.eml");
    assert_inert(&browser, "hostile.eml");
    assert_report_dom(&browser, "hostile.eml", &report, &source);
}

/// The serve page in-process on a free loopback port, offline with the samples' zone and the
/// fixed now; stopped on drop.
fn start_server() -> mailtrace::serve::Server {
    let dns = mailtrace::auth::dns::DnsSettings {
        zones: vec![PathBuf::from("samples/dns.zone")],
        offline: true,
        ..Default::default()
    };
    let mut config = mailtrace::serve::ServeConfig::new(
        "127.0.0.1:0".parse().expect("an address"),
        common::options(),
        dns,
    );
    config.request_log = mailtrace::serve::RequestLog::Off;
    mailtrace::serve::start(config).expect("the server starts")
}

/// What the library makes of text pasted into the form (a browser sends a textarea's lines
/// with CRLF).
fn analyse_pasted(text: &str) -> (Report, Source) {
    let bytes = common::to_crlf(&common::to_lf(text.as_bytes()));
    let source = Source::from_bytes("pasted text", bytes).expect("a message");
    let report = mailtrace::analyze(&source, &common::options()).expect("an analysis");
    (report, source)
}

/// Paste a message into `#message` (execute-script sets the value: typing a whole message with
/// send-keys is far too slow), click `#analyze`, wait for the report.
fn paste_and_analyse(browser: &Browser, base: &str, text: &str, what: &str) {
    browser.goto(base);
    browser.assert_clean_console("the serve page");
    let textarea = browser.wait_for("form#analyze-form textarea#message[name=message]");
    let set = browser.script(
        "arguments[0].value = arguments[1]; return arguments[0].value.length;",
        vec![element_ref(&textarea), json!(text)],
    );
    assert!(set.as_u64().unwrap_or(0) > 0, "the textarea was not filled");
    browser.click(&browser.wait_for("form#analyze-form #analyze"));
    browser.wait_for_report(what);
}

#[test]
fn serve_page_paste_upload_and_hostile_paste() {
    let Some(browser) = Browser::open("serve") else {
        return;
    };
    let server = start_server();
    let base = format!("http://{}/", server.addr());

    // paste a sample
    let name = "enterprise-gateway-proofpoint-delay.eml";
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(name),
    )
    .expect("the sample is text");
    paste_and_analyse(&browser, &base, &text, "pasted sample");
    browser.assert_clean_console("pasted sample report");
    let (report, source) = analyse_pasted(&text);
    assert_report_dom(&browser, "pasted sample report", &report, &source);

    // choose a file instead (chromedriver sends a path to a file input as the chosen file)
    let name = "dkim-body-modified-by-footer.eml";
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    browser.goto(&base);
    let input = browser.wait_for("form#analyze-form input#file[type=file]");
    browser.send_keys(&input, &path.display().to_string());
    browser.click(&browser.wait_for("#analyze"));
    browser.wait_for_report("uploaded sample");
    browser.assert_clean_console("uploaded sample report");
    let source =
        Source::from_bytes(name, std::fs::read(&path).expect("the sample")).expect("a message");
    let report = mailtrace::analyze(&source, &common::options()).expect("an analysis");
    assert_report_dom(&browser, "uploaded sample report", &report, &source);

    // the hostile message, pasted
    paste_and_analyse(&browser, &base, HOSTILE, "pasted hostile message");
    browser.assert_clean_console("pasted hostile report");
    assert_inert(&browser, "pasted hostile report");

    drop(browser);
    server.shutdown().expect("the server stops cleanly");
}
