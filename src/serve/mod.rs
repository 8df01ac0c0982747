//! `mailtrace serve`: a local page to paste headers or a whole message (or drop an .eml file)
//! and see the same report as `--format html`, plus a JSON endpoint returning exactly what
//! `--format json` prints.
//!
//! Why it exists: many people who need a header analysis have the headers in a browser tab, not
//! in a file; a page on their own machine spares them both the terminal and the online header
//! analysers that keep what is pasted into them.
//!
//! What it serves (the routes are in `app.rs`):
//!
//! - `GET /`: the page, a form with a text area and a file input (a native drop target; no
//!   script anywhere);
//! - `POST /analyze`: the form (`multipart/form-data`, or `application/x-www-form-urlencoded`
//!   for the text alone); the uploaded file when one was given, else the text; answers with the
//!   HTML report of [`crate::render::html`];
//! - `POST /api/analyze`: the raw message as the request body, any content type; answers with
//!   [`crate::render::json::render`] of the report, byte for byte what `--format json` prints
//!   for standard input (the report's input name is `-`) but for the final line break;
//! - errors as a short page saying what was wrong in one sentence (JSON `{"error": "..."}`
//!   under `/api/`): 400 not a message, 403 a cross-site post or a foreign `Host`, 404, 405,
//!   408 a body that took too long to arrive, 413 over the size limit, 500 the analysis
//!   failed, 503 the analysis took too long.
//!
//! Which `Host` it answers to (DNS rebinding: a web page re-pointing its own name at this
//! server must not be served): on a loopback listener `localhost`, names under `.localhost`
//! and loopback addresses; on any other, its own address and port (any address of the machine
//! with its port when it listens on all of them, `localhost` too). On both, the names of
//! [`ServeConfig::allowed_hosts`].
//!
//! Time and connection limits (a client that sends slowly, or never finishes, must not hold
//! the server): [`ServeConfig::header_read_timeout`], [`ServeConfig::body_read_timeout`],
//! [`ServeConfig::analysis_timeout`] and [`ServeConfig::max_connections`] (`conn.rs`).
//!
//! What it must not do: store or log anything about a request beyond its request line (method,
//! path, status and duration: [`RequestLog`]); read the clock unless the caller passes one
//! ([`ServeConfig::clock`]); run an analysis on a runtime thread (analyses are synchronous, the
//! live resolver runs its own runtime, so they go through `spawn_blocking`); let one request's
//! DNS answers appear in another's report (each request has its own [`Dns`](crate::auth::dns::Dns)
//! log over one cache, as in batch mode: [`crate::batch::SharedDns`]).

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Once};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::Options;
use crate::auth::dns::DnsSettings;
use crate::batch::SharedDns;

mod app;
mod conn;
mod page;

/// The address the command listens on unless told otherwise: loopback, port 8025.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8025);

/// The request limit of [`ServeConfig::new`] (and of the command): 10 MiB, below the
/// message size limit of files (64 MiB), since anyone who can reach the server can post.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;

/// [`ServeConfig::header_read_timeout`] by default.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// [`ServeConfig::body_read_timeout`] by default.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// [`ServeConfig::analysis_timeout`] by default: the DNS budget of a message (20 s by
/// default) and far more than any analysis needs besides.
pub const DEFAULT_ANALYSIS_TIMEOUT: Duration = Duration::from_secs(60);

/// [`ServeConfig::max_connections`] by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 64;

/// How long in-flight requests may take to finish once shutdown has been asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The name of the server's threads (runtime workers and analyses): the panic hook installed
/// by [`start`] recognises them by it.
const THREAD_NAME: &str = "mailtrace-serve";

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where to listen ([`DEFAULT_LISTEN`] in the command; port 0 picks a free port, see
    /// [`Server::addr`]).
    pub listen: SocketAddr,
    /// The analysis options of every request (trust hosts, thresholds, `now`, the message size
    /// limit). `options.dns` is not used: each request gets its own DNS log over one cache
    /// built from [`ServeConfig::dns`].
    pub options: Options,
    /// Where DNS answers come from (`--dns-zone`, `--offline`, `--dns-server`,
    /// `--dns-timeout`), as for `mailtrace analyze`. One cache serves every request. The page
    /// describes these settings.
    pub dns: DnsSettings,
    /// A cache over a resolver of the caller's, used instead of building one from
    /// [`ServeConfig::dns`] (tests, embedding); `dns` is then only what the page says. `None`
    /// in the command.
    pub shared_dns: Option<SharedDns>,
    /// Largest request body accepted, in bytes ([`DEFAULT_MAX_REQUEST_BYTES`] by default).
    /// Past it: 413 with a message naming both sizes. A message under it but over
    /// `options.limits.max_message_bytes` gets a 413 naming that limit.
    pub max_request_bytes: usize,
    /// How long a request's header may take to arrive, counted from the connection's opening
    /// or from the previous answer on it (keep-alive); past it the connection is closed
    /// without an answer. Default [`DEFAULT_HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// How long a request's body may take to arrive, all of it; past it: 408 and the
    /// connection is closed. Default [`DEFAULT_BODY_READ_TIMEOUT`].
    pub body_read_timeout: Duration,
    /// How long one analysis may take, waiting for a free core included; past it: 503, and
    /// the analysis is abandoned (it still holds its core until it ends: the DNS budget
    /// bounds it). Default [`DEFAULT_ANALYSIS_TIMEOUT`].
    pub analysis_timeout: Duration,
    /// At most this many connections are open at once; past it new connections wait, unread,
    /// until one closes. Default [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// More names (or IP addresses) the server answers to in the `Host` header, port or not
    /// (a reverse proxy's name, the machine's name on the network): `--allow-host NAME`.
    /// Any other `Host` that is not the server's own address gets a 403. Empty by default.
    pub allowed_hosts: Vec<String>,
    /// When set, each request's `now` is read from it when the request arrives (the command
    /// passes `Utc::now` unless `--at` was given); when `None`, `options.now` is used as it
    /// is. The library reads no clock by itself.
    pub clock: Option<fn() -> DateTime<Utc>>,
    /// Where the one line per request goes.
    pub request_log: RequestLog,
}

impl ServeConfig {
    /// Serve on `listen` with these options and DNS; the limits are the `DEFAULT_` constants
    /// of this module, `now` is `options.now`, requests are logged to stderr.
    pub fn new(listen: SocketAddr, options: Options, dns: DnsSettings) -> Self {
        ServeConfig {
            listen,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            analysis_timeout: DEFAULT_ANALYSIS_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            allowed_hosts: Vec::new(),
            options,
            dns,
            shared_dns: None,
            clock: None,
            request_log: RequestLog::Stderr,
        }
    }
}

/// Where the request log goes: one line per request, `METHOD PATH STATUS DURATION`, never a
/// header, a query string or a byte of the body.
#[derive(Clone, Default)]
pub enum RequestLog {
    /// Standard error, prefixed `mailtrace serve: `.
    #[default]
    Stderr,
    /// Nowhere.
    Off,
    /// To this function, without prefix or line break (tests, embedding).
    To(Arc<dyn Fn(&str) + Send + Sync>),
}

impl fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestLog::Stderr => f.write_str("Stderr"),
            RequestLog::Off => f.write_str("Off"),
            RequestLog::To(_) => f.write_str("To(..)"),
        }
    }
}

impl RequestLog {
    fn write(&self, line: &str) {
        match self {
            RequestLog::Stderr => eprintln!("mailtrace serve: {line}"),
            RequestLog::Off => {}
            RequestLog::To(f) => f(line),
        }
    }
}

/// A running server: its own tokio runtime on a background thread.
///
/// Dropping it shuts it down as [`Server::shutdown`] does.
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<JoinHandle<io::Result<()>>>,
    handle: tokio::runtime::Handle,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish()
    }
}

impl Server {
    /// The address it listens on (the real port when the configuration said 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop accepting connections, let the requests in flight finish (at most
    /// [`SHUTDOWN_GRACE`]), and wait for the server thread to end. Returns the server's error,
    /// if it failed.
    pub fn shutdown(mut self) -> io::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the server thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

/// Bind `config.listen` and serve on a background thread until [`Server::shutdown`].
///
/// Fails when the DNS cannot be set up (a zone file that does not parse: `InvalidInput`), the
/// page template
/// does not render, or the address cannot be bound. Installs, once per process, a panic hook
/// that prints no panic message for the server's threads (a message could quote the mail being
/// analysed) and leaves every other thread to the previous hook.
pub fn start(config: ServeConfig) -> io::Result<Server> {
    quiet_panics_on_server_threads();
    let shared = match &config.shared_dns {
        Some(shared) => shared.clone(),
        None => SharedDns::from_settings(&config.dns)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?,
    };
    let listener = std::net::TcpListener::bind(config.listen)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let router = app::router(app::State::new(&config, shared, addr)?);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(THREAD_NAME)
        .enable_all()
        .build()?;
    let listener = {
        let _context = runtime.enter();
        tokio::net::TcpListener::from_std(listener)?
    };
    let listener = conn::Limited::new(listener, config.max_connections, config.header_read_timeout);
    let handle = runtime.handle().clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let thread = std::thread::Builder::new()
        .name(THREAD_NAME.to_string())
        .spawn(move || {
            let result = runtime.block_on(serve(listener, router, stopped));
            // analyses still running (a slow DNS server) must not hold the process
            runtime.shutdown_timeout(Duration::from_secs(1));
            result
        })?;
    Ok(Server {
        addr,
        stop: Some(stop),
        thread: Some(thread),
        handle,
    })
}

async fn serve(
    listener: conn::Limited,
    router: axum::Router,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> io::Result<()> {
    let mut graceful = stopped.clone();
    let mut hard = stopped;
    let service = router.into_make_service_with_connect_info::<conn::ConnHandle>();
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
        let _ = graceful.wait_for(|stop| *stop).await;
    });
    tokio::select! {
        result = server.into_future() => result,
        _ = async move {
            let _ = hard.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => Ok(()),
    }
}

/// Serve until Ctrl-C. Prints the address it listens on (and a warning when it is not a
/// loopback address) to stderr, then shuts down gracefully.
pub fn run(config: ServeConfig) -> io::Result<()> {
    let server = start(config)?;
    let addr = server.addr();
    eprintln!("mailtrace serve: listening on http://{addr}/");
    if !is_loopback(&addr) {
        eprintln!(
            "mailtrace serve: warning: {} is not a loopback address: anyone who can reach it can submit mail to analyse, and DNS lookups happen on their behalf",
            addr.ip()
        );
    }
    let signal = server.handle.block_on(tokio::signal::ctrl_c());
    eprintln!("mailtrace serve: stopping");
    let stopped = server.shutdown();
    signal.and(stopped)
}

/// True when only this machine can reach `addr`: 127.0.0.0/8, `::1`, or an IPv4-mapped IPv6
/// loopback address. The unspecified addresses (`0.0.0.0`, `::`) listen on every interface and
/// are not loopback.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().to_canonical().is_loopback()
}

/// The default panic hook prints the panic message, and a message can quote its input (a str
/// slice out of bounds shows the string): on the server's threads print where it happened only.
fn quiet_panics_on_server_threads() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(THREAD_NAME) {
                let place = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                eprintln!("mailtrace serve: internal error{place} (the request got a 500)");
            } else {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().expect("socket address")
    }

    #[test]
    fn loopback_addresses() {
        assert!(is_loopback(&addr("127.0.0.1:8025")));
        assert!(is_loopback(&addr("127.8.9.10:1")));
        assert!(is_loopback(&addr("[::1]:8025")));
        assert!(is_loopback(&addr("[::ffff:127.0.0.1]:8025")));
    }

    #[test]
    fn other_addresses_are_not_loopback() {
        assert!(!is_loopback(&addr("0.0.0.0:8025")));
        assert!(!is_loopback(&addr("[::]:8025")));
        assert!(!is_loopback(&addr("192.168.1.2:8025")));
        assert!(!is_loopback(&addr("[2001:db8::1]:8025")));
        assert!(!is_loopback(&addr("[::ffff:192.168.1.2]:8025")));
    }

    #[test]
    fn default_listen_is_loopback() {
        assert!(is_loopback(&DEFAULT_LISTEN));
    }
}
