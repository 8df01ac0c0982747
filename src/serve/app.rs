//! The routes, the guards around them and the analysis behind them.
//!
//! Layers, outermost first: the connection's phase (busy with a request until the answer is
//! produced: the header time limit of `conn.rs` is off meanwhile), the request log (one line:
//! method, path, status, duration), the security headers (on every response, errors
//! included), the guard (a foreign `Host`, a cross-site post, a `Content-Length` over the
//! limit), axum's `DefaultBodyLimit` set to the same limit, then the routes.
//!
//! Time limits: a body must arrive within `body_read_timeout` ([`read_body`], else 408), an
//! analysis must end within `analysis_timeout` (else 503).
//!
//! The size limit: a declared size over it is refused by the guard, naming both sizes. A body
//! without a declared size (chunked) is read by [`read_body`], which counts; the form's body is
//! read that way too before axum's `Multipart`/`Form` parse it (still under `DefaultBodyLimit`).
//! Either way, past the limit the rest of the body is read and thrown away before the 413 is
//! sent ([`drain`]): a client cut off while still sending sees "connection reset", never the
//! answer, and that is what browsers show for an early 413 on a large upload.
//!
//! Nothing here keeps a request's body past its response or writes any of it anywhere.

use std::net::{IpAddr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, Form, FromRequest, Multipart, Request, State as Extract,
};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use super::conn::ConnHandle;
use super::page::{self, Pages};
use super::{RequestLog, ServeConfig};
use crate::batch::SharedDns;
use crate::render::html::HtmlOptions;
use crate::{Options, Source};

/// The policy of the pages (the report page adds its own stricter one in a `<meta>`).
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// The policy of JSON answers: nothing at all.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// A body over the limit is still read (and thrown away) before the 413 is sent, up to this
/// many bytes: a client that is cut off while it is still sending sees a reset connection
/// instead of the answer.
const DRAIN_MAX_BYTES: u64 = 1 << 30;
/// ... and for at most this long (or the body time limit, when shorter).
const DRAIN_MAX_TIME: Duration = Duration::from_secs(30);

/// The answer when an analysis panicked: fixed, since a panic's own message can quote the mail.
pub const INTERNAL_ERROR: &str = "mailtrace failed on this message; nothing was kept. Please report it with the message if you can.";

/// The paths logged are cut to this many bytes.
const LOGGED_PATH_MAX: usize = 200;

/// The input name of a message posted to the JSON endpoint: `-`, as for standard input, so
/// that the JSON is what `mailtrace --format json < message.eml` prints.
pub const API_SOURCE_NAME: &str = "-";
/// The input name of a message pasted into the text area.
pub const PASTE_SOURCE_NAME: &str = "pasted text";
/// The input name of an uploaded file whose name the browser did not give.
pub const UPLOAD_SOURCE_NAME: &str = "uploaded file";

/// What every handler shares.
#[derive(Clone)]
pub(super) struct State {
    inner: Arc<Inner>,
}

struct Inner {
    options: Options,
    dns: SharedDns,
    clock: Option<fn() -> DateTime<Utc>>,
    limit: usize,
    listen: SocketAddr,
    loopback: bool,
    allowed_hosts: Vec<String>,
    foreign_host: String,
    body_timeout: Duration,
    analysis_timeout: Duration,
    pages: Pages,
    index: String,
    log: RequestLog,
    analyses: Arc<tokio::sync::Semaphore>,
}

impl State {
    /// The state of a server listening on `addr`; renders the page once (a broken template
    /// fails here, at start, rather than on the first request).
    pub(super) fn new(
        config: &ServeConfig,
        dns: SharedDns,
        addr: std::net::SocketAddr,
    ) -> std::io::Result<Self> {
        let pages = Pages::new().map_err(page::template_error)?;
        let index = pages
            .index(&page::Settings::describe(config, addr))
            .map_err(page::template_error)?;
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
        let allowed_hosts: Vec<String> = config
            .allowed_hosts
            .iter()
            .filter_map(|h| split_host(h.trim()).map(|(name, _)| name))
            .collect();
        Ok(State {
            inner: Arc::new(Inner {
                options: config.options.clone(),
                dns,
                clock: config.clock,
                limit: config.max_request_bytes,
                listen: addr,
                loopback: super::is_loopback(&addr),
                foreign_host: foreign_host_message(addr, !allowed_hosts.is_empty()),
                allowed_hosts,
                body_timeout: config.body_read_timeout,
                analysis_timeout: config.analysis_timeout,
                pages,
                index,
                log: config.request_log.clone(),
                analyses: Arc::new(tokio::sync::Semaphore::new(parallel)),
            }),
        })
    }

    /// The options of one request: its own DNS log over the shared cache, its own `now`.
    fn request_options(&self) -> Options {
        let inner = &self.inner;
        Options {
            dns: Arc::new(inner.dns.worker()),
            now: inner.clock.map_or(inner.options.now, |clock| Some(clock())),
            ..inner.options.clone()
        }
    }

    /// Analyse on the blocking pool (never on a runtime thread: the live resolver runs its own
    /// runtime), at most one analysis per core at a time, for at most the analysis time limit
    /// (the wait for a core included). An analysis past the limit is abandoned, not stopped:
    /// it keeps its core until it ends.
    async fn analyze(&self, input: Input, output: Output) -> Result<String, Failure> {
        let max = self.inner.options.limits.max_message_bytes;
        if input.bytes.len() > max {
            return Err(Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the message is {}; the limit is {}, set with --max-message-bytes",
                    page::size(input.bytes.len() as u64),
                    page::size_exact(max as u64)
                ),
            ));
        }
        let analyses = Arc::clone(&self.inner.analyses);
        let options = self.request_options();
        let run = async move {
            let permit = analyses.acquire_owned().await.map_err(|_| {
                Failure::new(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping")
            })?;
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                analyze_blocking(input, &options, output)
            })
            .await
            .unwrap_or_else(|_| Err(Failure::internal(INTERNAL_ERROR)))
        };
        let limit = self.inner.analysis_timeout;
        tokio::time::timeout(limit, run).await.unwrap_or_else(|_| {
            Err(Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the analysis did not finish within {} and was given up; nothing was kept",
                    seconds(limit)
                ),
            ))
        })
    }

    /// The answer to a failure: a page, or JSON under `/api/`. A 408 or a 413 closes the
    /// connection: the body may not have been read to its end.
    fn fail(&self, api: bool, failure: Failure) -> Response {
        let mut response = if api {
            let body = serde_json::json!({ "error": failure.message }).to_string();
            (failure.status, json_type(), body).into_response()
        } else {
            let html = self.inner.pages.error(failure.status, &failure.message);
            (failure.status, html_type(), html).into_response()
        };
        if matches!(
            failure.status,
            StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_TIMEOUT
        ) {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }

    fn too_large(&self, declared: Option<u64>) -> Failure {
        let limit = page::size_exact(self.inner.limit as u64);
        let message = match declared {
            Some(size) => format!(
                "the request is {}; the limit is {limit}, set with --max-request-bytes",
                page::size(size)
            ),
            None => {
                format!("the request is over the limit of {limit}, set with --max-request-bytes")
            }
        };
        Failure::new(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    fn too_slow(&self) -> Failure {
        Failure::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request's body did not arrive within {}; nothing was analysed",
                seconds(self.inner.body_timeout)
            ),
        )
    }

    /// True when the server answers to this `Host` (see [`host_allowed`]).
    fn host_allowed(&self, host: &str) -> bool {
        let inner = &self.inner;
        host_allowed(host, inner.listen, inner.loopback, &inner.allowed_hosts)
    }
}

/// A duration in words: `30 s`, `0.5 s`.
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{secs:.1} s")
    }
}

/// Why a request got no report: a status and one sentence (lowercase, no final period, as
/// the library's errors).
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Failure::new(StatusCode::BAD_REQUEST, message)
    }

    fn internal(message: impl Into<String>) -> Self {
        Failure::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

/// A message to analyse and the name it goes by in the report.
struct Input {
    name: String,
    bytes: Vec<u8>,
}

#[derive(Clone, Copy)]
enum Output {
    Html,
    Json,
}

fn analyze_blocking(input: Input, options: &Options, output: Output) -> Result<String, Failure> {
    let Input { name, bytes } = input;
    catch_unwind(AssertUnwindSafe(|| {
        let source =
            Source::from_bytes(&name, bytes).map_err(|e| Failure::bad_request(e.to_string()))?;
        let report =
            crate::analyze(&source, options).map_err(|e| Failure::bad_request(e.to_string()))?;
        Ok(match output {
            Output::Html => crate::render::html::render(
                &report,
                &source,
                &HtmlOptions {
                    back_link: Some("/".into()),
                    ..Default::default()
                },
            ),
            Output::Json => crate::render::json::render(&report),
        })
    }))
    // the panic's message is not shown: it can quote the mail
    .unwrap_or_else(|_| Err(Failure::internal(INTERNAL_ERROR)))
}

/// The application: routes, fallbacks and layers.
pub(super) fn router(state: State) -> Router {
    let limit = state.inner.limit;
    Router::new()
        .route("/", get(index))
        .route("/analyze", post(analyze_form))
        .route("/api/analyze", post(analyze_api))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), log))
        .layer(middleware::from_fn(busy))
        .with_state(state)
}

fn html_type() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    )]
}

fn json_type() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )]
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

async fn index(Extract(state): Extract<State>) -> Response {
    (html_type(), state.inner.index.clone()).into_response()
}

async fn analyze_form(Extract(state): Extract<State>, request: Request) -> Response {
    let input = match read_form(&state, request).await {
        Ok(input) => input,
        Err(failure) => return state.fail(false, failure),
    };
    match state.analyze(input, Output::Html).await {
        Ok(html) => (html_type(), html).into_response(),
        Err(failure) => state.fail(false, failure),
    }
}

async fn analyze_api(Extract(state): Extract<State>, request: Request) -> Response {
    let bytes = match read_body(&state, request.into_body()).await {
        Ok(bytes) => bytes,
        Err(failure) => return state.fail(true, failure),
    };
    let input = Input {
        name: API_SOURCE_NAME.to_string(),
        bytes,
    };
    match state.analyze(input, Output::Json).await {
        Ok(json) => (json_type(), json).into_response(),
        Err(failure) => state.fail(true, failure),
    }
}

/// The whole body, at most the request limit, within the body time limit (else 408). Past
/// the size limit the rest is read and thrown away (see [`drain`]) before the 413, so that a
/// client still sending reads the answer.
async fn read_body(state: &State, mut body: Body) -> Result<Vec<u8>, Failure> {
    let limit = state.inner.limit;
    let expected = body.size_hint().lower().min(limit as u64) as usize;
    let mut out = Vec::with_capacity(expected);
    let read = async {
        while let Some(data) = next_data(&mut body).await {
            let data = data.map_err(|e| {
                Failure::bad_request(format!("the request could not be read ({e})"))
            })?;
            if out.len() + data.len() > limit {
                return Ok(true);
            }
            out.extend_from_slice(&data);
        }
        Ok(false)
    };
    let over = tokio::time::timeout(state.inner.body_timeout, read)
        .await
        .map_err(|_| state.too_slow())??;
    if over {
        drop(out);
        drain(body, state.inner.body_timeout).await;
        return Err(state.too_large(None));
    }
    Ok(out)
}

/// The next data of a body (empty for a trailers frame), `None` at its end.
async fn next_data(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    std::future::poll_fn(|cx| {
        Pin::new(&mut *body)
            .poll_frame(cx)
            .map(|frame| frame.map(|frame| frame.map(|f| f.into_data().unwrap_or_default())))
    })
    .await
}

async fn not_found(Extract(state): Extract<State>, request: Request) -> Response {
    let failure = Failure::new(
        StatusCode::NOT_FOUND,
        "there is no such page here: the form is at /, the JSON endpoint at /api/analyze",
    );
    state.fail(is_api(request.uri().path()), failure)
}

async fn method_not_allowed(Extract(state): Extract<State>, request: Request) -> Response {
    let path = request.uri().path();
    let message = match path {
        "/" => "the page only answers GET".to_string(),
        _ => format!("{path} only answers POST, with the message"),
    };
    let failure = Failure::new(StatusCode::METHOD_NOT_ALLOWED, message);
    state.fail(is_api(path), failure)
}

/// The form's two inputs: the text area, the file.
const FIELD_MESSAGE: &str = "message";
const FIELD_FILE: &str = "file";

/// The fields of a form posted without a file (`application/x-www-form-urlencoded`).
#[derive(serde::Deserialize)]
struct TextForm {
    #[serde(default)]
    message: String,
}

/// The message of a posted form: the file when one with content was given, else the text.
async fn read_form(state: &State, request: Request) -> Result<Input, Failure> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("multipart/form-data");
    if !is_form {
        return Err(Failure::bad_request(
            "expected the page's form (multipart/form-data with the message or a file); to post the raw message use /api/analyze",
        ));
    }
    // read here rather than by the extractors: past the limit, the rest is drained first
    let (parts, body) = request.into_parts();
    let bytes = read_body(state, body).await?;
    let request = Request::from_parts(parts, Body::from(bytes));
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return match Form::<TextForm>::from_request(request, &()).await {
            Ok(Form(form)) => Ok(Input {
                name: PASTE_SOURCE_NAME.to_string(),
                bytes: form.message.into_bytes(),
            }),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(state.too_large(None))
            }
            Err(rejection) => Err(Failure::bad_request(format!(
                "the form could not be read ({rejection})"
            ))),
        };
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| Failure::bad_request(format!("the form could not be read ({e})")))?;
    let form_failure = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            state.too_large(None)
        } else {
            Failure::bad_request(format!("the form could not be read ({})", e.body_text()))
        }
    };
    let mut text: Option<Vec<u8>> = None;
    let mut file: Option<Input> = None;
    while let Some(field) = multipart.next_field().await.map_err(form_failure)? {
        match field.name() {
            Some(FIELD_FILE) => {
                let name = upload_name(field.file_name());
                let bytes = field.bytes().await.map_err(form_failure)?;
                if !bytes.is_empty() {
                    file = Some(Input {
                        name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            Some(FIELD_MESSAGE) => {
                text = Some(field.bytes().await.map_err(form_failure)?.to_vec());
            }
            // anything else is skipped unread by the next `next_field`
            _ => {}
        }
    }
    Ok(file.unwrap_or_else(|| Input {
        name: PASTE_SOURCE_NAME.to_string(),
        bytes: text.unwrap_or_default(),
    }))
}

/// The name an upload goes by: the browser's file name without any folder, printable, short.
fn upload_name(file_name: Option<&str>) -> String {
    let base = file_name
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        UPLOAD_SOURCE_NAME.to_string()
    } else {
        clean.to_string()
    }
}

/// Marks the request's connection busy until the answer is produced (see `conn.rs`); the
/// connection is absent when the router is used without [`super::conn::Limited`].
async fn busy(request: Request, next: Next) -> Response {
    let busy = request
        .extensions()
        .get::<ConnectInfo<ConnHandle>>()
        .map(|ConnectInfo(conn)| conn.busy());
    let response = next.run(request).await;
    drop(busy);
    response
}

/// Refuse what must not reach the routes: a foreign `Host` (a web page re-pointing its own
/// name at this server, DNS rebinding), a post from another site's page, a body declared
/// larger than the limit.
async fn guard(Extract(state): Extract<State>, request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned());
    if let Some(host) = &host
        && !state.host_allowed(host)
    {
        let failure = Failure::new(StatusCode::FORBIDDEN, state.inner.foreign_host.clone());
        return state.fail(api, failure);
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD)
        && let Some(origin) = headers.get(header::ORIGIN)
        && !same_origin(origin.as_bytes(), host.as_deref())
    {
        let failure = Failure::new(
            StatusCode::FORBIDDEN,
            "a post from another site's page is refused: open the form from this server",
        );
        return state.fail(api, failure);
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(size) = declared
        && size > state.inner.limit as u64
    {
        // a client waiting for "100 Continue" sends nothing unless asked: answer at once
        let waits = headers
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if !waits {
            drain(request.into_body(), state.inner.body_timeout).await;
        }
        return state.fail(api, state.too_large(Some(size)));
    }
    next.run(request).await
}

/// Read a body to its end and throw it away (bounded by [`DRAIN_MAX_BYTES`], and by
/// [`DRAIN_MAX_TIME`] or `limit`, the shorter).
async fn drain(mut body: Body, limit: Duration) {
    let read = async {
        let mut seen = 0u64;
        while let Some(Ok(data)) = next_data(&mut body).await {
            seen += data.len() as u64;
            if seen > DRAIN_MAX_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_MAX_TIME.min(limit), read).await;
}

/// The name (lowercase, without brackets or a final dot) and the port of a `Host` value or
/// an origin's authority: `name`, `name:port`, `[v6]`, `[v6]:port`. `None` when malformed.
fn split_host(host: &str) -> Option<(String, Option<u16>)> {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (inside, after) = rest.split_once(']')?;
            let port = match after {
                "" => None,
                after => Some(after.strip_prefix(':')?),
            };
            (inside, port)
        }
        None => match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    let port = match port {
        Some(port) => Some(port.parse::<u16>().ok()?),
        None => None,
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() || name.contains(['/', '@', '[', ']']) {
        return None;
    }
    Some((name, port))
}

/// `localhost`, a name under `.localhost`, or a loopback IP literal (a name as
/// [`split_host`] gives it).
fn is_local_name(name: &str) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// `localhost`, a name under `.localhost`, or a loopback IP literal, with or without a port.
#[cfg(test)]
fn is_local_host(host: &str) -> bool {
    split_host(host).is_some_and(|(name, _)| is_local_name(&name))
}

/// True when a server listening on `listen` answers to this `Host` value: a name of
/// `allowed` (any port); on a loopback listener a local name ([`is_local_name`], any port);
/// on any other its own IP address and port, or, listening on every address, any IP address
/// or local name with its port. A port left out is 80. Names that could be an attacker's
/// (DNS rebinding) get through only by being in `allowed`.
fn host_allowed(host: &str, listen: SocketAddr, loopback: bool, allowed: &[String]) -> bool {
    let Some((name, port)) = split_host(host) else {
        return false;
    };
    if allowed.contains(&name) {
        return true;
    }
    if loopback {
        return is_local_name(&name);
    }
    if port.unwrap_or(80) != listen.port() {
        return false;
    }
    let own = listen.ip().to_canonical();
    match name.parse::<IpAddr>() {
        Ok(ip) => own.is_unspecified() || ip.to_canonical() == own,
        Err(_) => own.is_unspecified() && is_local_name(&name),
    }
}

/// The 403's sentence for a `Host` the server does not answer to.
fn foreign_host_message(listen: SocketAddr, allow_list: bool) -> String {
    let allowed = if allow_list {
        " and the names given with --allow-host"
    } else {
        ""
    };
    if super::is_loopback(&listen) {
        format!(
            "this server listens on a loopback address and answers only to localhost, 127.0.0.1 or [::1]{allowed}"
        )
    } else if listen.ip().is_unspecified() {
        format!(
            "this server answers only to an IP address of this machine with port {}, or localhost{allowed}: other names are refused (DNS rebinding); add one with --allow-host",
            listen.port()
        )
    } else {
        format!(
            "this server answers only to {listen}{allowed}: other names are refused (DNS rebinding); add one with --allow-host"
        )
    }
}

/// True when `origin` (`scheme://host[:port]`) names the server the request was sent to: the
/// same name and port as `host`, a port left out being the scheme's default.
fn same_origin(origin: &[u8], host: Option<&str>) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    let Some(host) = host else {
        return false;
    };
    let origin = origin.to_ascii_lowercase();
    let (authority, default_port) = if let Some(a) = origin.strip_prefix("http://") {
        (a, 80)
    } else if let Some(a) = origin.strip_prefix("https://") {
        (a, 443)
    } else {
        return false;
    };
    match (split_host(authority), split_host(host)) {
        (Some((a, a_port)), Some((h, h_port))) => {
            a == h && a_port.unwrap_or(default_port) == h_port.unwrap_or(default_port)
        }
        _ => false,
    }
}

/// The headers every answer carries.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    let headers: &mut HeaderMap = response.headers_mut();
    let csp = if json { API_CSP } else { PAGE_CSP };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// One line per request: method, path (no query), status, duration. Nothing else.
async fn log(Extract(state): Extract<State>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let mut path = request.uri().path().to_string();
    if path.len() > LOGGED_PATH_MAX {
        let mut cut = LOGGED_PATH_MAX;
        while !path.is_char_boundary(cut) {
            cut -= 1;
        }
        path.truncate(cut);
        path.push_str("...");
    }
    let response = next.run(request).await;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    state.inner.log.write(&format!(
        "{method} {path} {} {millis:.1} ms",
        response.status().as_u16()
    ));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        for host in [
            "localhost",
            "localhost:8025",
            "LOCALHOST.",
            "app.localhost:1",
            "127.0.0.1",
            "127.0.0.1:8025",
            "[::1]",
            "[::1]:8025",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        for host in [
            "example.com",
            "evil.example:8025",
            "192.168.1.2:8025",
            "[2001:db8::1]:80",
            "localhost.evil.example",
            "",
        ] {
            assert!(!is_local_host(host), "{host}");
        }
    }

    #[test]
    fn origins() {
        assert!(same_origin(
            b"http://127.0.0.1:8025",
            Some("127.0.0.1:8025")
        ));
        assert!(same_origin(
            b"http://LOCALHOST:8025",
            Some("localhost:8025")
        ));
        assert!(!same_origin(b"null", Some("127.0.0.1:8025")));
        assert!(!same_origin(b"http://evil.example", Some("127.0.0.1:8025")));
        assert!(!same_origin(
            b"http://127.0.0.1:9999",
            Some("127.0.0.1:8025")
        ));
        assert!(!same_origin(b"http://127.0.0.1:8025", None));
    }

    #[test]
    fn origins_with_default_ports() {
        assert!(same_origin(b"http://localhost", Some("localhost:80")));
        assert!(same_origin(b"http://localhost:80", Some("localhost")));
        assert!(same_origin(
            b"https://mail.example",
            Some("mail.example:443")
        ));
        assert!(same_origin(b"http://[::1]:8025", Some("[::1]:8025")));
        assert!(!same_origin(b"http://localhost", Some("localhost:8025")));
        assert!(!same_origin(b"https://localhost", Some("localhost:80")));
        assert!(!same_origin(b"ftp://localhost", Some("localhost")));
    }

    #[test]
    fn hosts_of_a_network_listener() {
        let listen: SocketAddr = "192.168.1.2:8025".parse().expect("address");
        let allowed = vec!["mailtrace.lan".to_string()];
        let ok = |host: &str| host_allowed(host, listen, false, &allowed);
        assert!(ok("192.168.1.2:8025"));
        assert!(ok("[::ffff:192.168.1.2]:8025"));
        assert!(ok("mailtrace.lan"));
        assert!(ok("MAILTRACE.LAN.:8025"));
        for host in [
            "192.168.1.2",
            "192.168.1.2:80",
            "192.168.1.3:8025",
            "localhost:8025",
            "evil.example:8025",
            "mailtrace.lan.evil.example:8025",
            "192.168.1.2:8025:1",
            "",
        ] {
            assert!(!ok(host), "{host}");
        }
        let every: SocketAddr = "0.0.0.0:8025".parse().expect("address");
        let any = |host: &str| host_allowed(host, every, false, &[]);
        assert!(any("10.0.0.7:8025"));
        assert!(any("[2001:db8::1]:8025"));
        assert!(any("localhost:8025"));
        assert!(!any("10.0.0.7:9000"));
        assert!(!any("evil.example:8025"));
        // a loopback listener: local names on any port, and the allowed names
        let loopback: SocketAddr = "127.0.0.1:8025".parse().expect("address");
        assert!(host_allowed("localhost:1", loopback, true, &[]));
        assert!(!host_allowed("evil.example", loopback, true, &[]));
        assert!(host_allowed("mailtrace.lan", loopback, true, &allowed));
    }

    #[test]
    fn seconds_in_words() {
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
    }

    #[test]
    fn upload_names() {
        assert_eq!(upload_name(Some("C:\\Users\\me\\x.eml")), "x.eml");
        assert_eq!(upload_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(upload_name(Some("a\u{1b}[31mb.eml")), "a[31mb.eml");
        assert_eq!(upload_name(Some("  ")), UPLOAD_SOURCE_NAME);
        assert_eq!(upload_name(None), UPLOAD_SOURCE_NAME);
    }
}
