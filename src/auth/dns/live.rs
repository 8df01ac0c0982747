//! Live DNS: queries sent to a real server through hickory's resolver (the one mail-auth
//! re-exports), from a library that is otherwise synchronous.
//!
//! Each [`LiveResolver`] owns a current-thread tokio runtime and drives one query at a time with
//! `block_on`; queries are serialised. hickory is configured for forensics, not for browsing:
//! one attempt (no retries), a short per-query timeout (3 s by default), no hosts file, no search
//! domains (every name is sent fully qualified) and no hickory cache, since [`super::Dns`]
//! already caches per run. UDP is used, TCP when a reply is truncated.
//!
//! # Failing fast without a network
//!
//! Without a network every query would wait out its timeout, once per signature, per record,
//! per message. A circuit breaker stops that: once it trips, every further query answers
//! `Failed(Unreachable("DNS unreachable"))` at once without touching the network, for the rest
//! of the resolver's life (one run). It trips
//!
//! * on the first query that finds no server: no route, network or host unreachable, connection
//!   refused (nothing listens on the DNS port), no nameserver configured;
//! * after [`LiveConfig::trip_after_timeouts`] consecutive timeouts (2 by default) while no
//!   server has answered yet in this run: a network that silently drops packets;
//! * after [`LiveConfig::trip_after_timeouts_once_answered`] consecutive timeouts (5 by default)
//!   once a server has answered: the network went away mid-run. The higher threshold keeps one
//!   domain with broken nameservers (whose names time out one after the other) from cutting a
//!   working resolver off for the rest of a batch.
//!
//! Any reply (records, NXDOMAIN, NoData, SERVFAIL, REFUSED) resets the count of timeouts.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mail_auth::hickory_resolver::TokioResolver;
use mail_auth::hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig};
use mail_auth::hickory_resolver::net::runtime::TokioRuntimeProvider;
use mail_auth::hickory_resolver::net::{DnsError, NetError, NoRecords};
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::hickory_resolver::proto::rr::{Name, RData, RecordType as HickoryType};

use super::{Answer, AnswerSource, DnsFailure, RecordType, Resolver, normalize_name};

/// The note of every answer given without a network.
pub const UNREACHABLE: &str = "DNS unreachable";

/// The default per-query timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// How a [`LiveResolver`] reaches DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveConfig {
    /// One server (`--dns-server`), or `None` for the system configuration (`/etc/resolv.conf`).
    pub server: Option<SocketAddr>,
    /// How long one query may take (`--dns-timeout`).
    pub timeout: Duration,
    /// Consecutive timeouts that trip the circuit breaker while no server has answered yet
    /// (0: timeouts never trip it).
    pub trip_after_timeouts: u32,
    /// Consecutive timeouts that trip the circuit breaker once a server has answered
    /// (0: timeouts never trip it).
    pub trip_after_timeouts_once_answered: u32,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            server: None,
            timeout: DEFAULT_TIMEOUT,
            trip_after_timeouts: 2,
            trip_after_timeouts_once_answered: 5,
        }
    }
}

impl LiveConfig {
    /// The system configuration with the default timeout.
    pub fn system() -> Self {
        Self::default()
    }

    /// One server with the default timeout.
    pub fn server(addr: SocketAddr) -> Self {
        LiveConfig {
            server: Some(addr),
            ..Self::default()
        }
    }

    /// The same, with another per-query timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Read `--dns-server`: `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address; port 53 when
/// none is given.
pub fn parse_server(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    bare.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| {
            format!("invalid DNS server {text:?}: expected IP or IP:PORT (e.g. 192.0.2.53:5353)")
        })
}

/// DNS through a live server. See the module documentation for the circuit breaker.
pub struct LiveResolver {
    /// `Some` until drop (see `Drop`).
    runtime: Option<tokio::runtime::Runtime>,
    resolver: TokioResolver,
    /// `AnswerSource::Live` of every answer: the server address, or `system`.
    label: String,
    config: LiveConfig,
    /// Serialises queries and holds the breaker's state.
    state: Mutex<Breaker>,
    /// Queries handed to hickory (that is, not answered by the tripped breaker).
    sent: AtomicU64,
}

#[derive(Debug, Default)]
struct Breaker {
    tripped: bool,
    answered: bool,
    consecutive_timeouts: u32,
}

impl std::fmt::Debug for LiveResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveResolver")
            .field("server", &self.label)
            .field("config", &self.config)
            .field("sent", &self.queries_sent())
            .field("tripped", &self.is_tripped())
            .finish()
    }
}

impl LiveResolver {
    /// A resolver for this configuration. Fails only when the runtime or hickory's resolver
    /// cannot be created; an unreadable system configuration gives a resolver without
    /// nameservers, whose first query answers "DNS unreachable".
    pub fn new(config: LiveConfig) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (resolver, label) = {
            // hickory's runtime provider spawns onto the current runtime.
            let _context = runtime.enter();
            build_resolver(&config)?
        };
        Ok(LiveResolver {
            runtime: Some(runtime),
            resolver,
            label,
            config,
            state: Mutex::new(Breaker::default()),
            sent: AtomicU64::new(0),
        })
    }

    /// The server queries go to: its address, or `system`.
    pub fn server_label(&self) -> &str {
        &self.label
    }

    /// How many queries were sent to the network (not answered by the tripped breaker).
    pub fn queries_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Whether the circuit breaker has tripped: every further query answers "DNS unreachable".
    pub fn is_tripped(&self) -> bool {
        match self.state.lock() {
            Ok(state) => state.tripped,
            Err(poisoned) => poisoned.into_inner().tripped,
        }
    }

    fn lookup(&self, name: &str, rtype: RecordType, within: Duration) -> Answer {
        let mut state = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if state.tripped {
            return Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.to_string()));
        }
        let Some(runtime) = &self.runtime else {
            return Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.to_string()));
        };
        let query = match query_name(name) {
            Ok(query) => query,
            Err(e) => return Answer::Failed(DnsFailure::Other(format!("invalid name: {e}"))),
        };
        self.sent.fetch_add(1, Ordering::Relaxed);
        let hickory_type = hickory_type(rtype);
        // hickory bounds a query by the timeout; this outer bound (room for a TCP retry after a
        // truncated reply) only guards against a hang.
        // A message's DNS time budget (`within`) shortens the bound: no lookup runs past it.
        let bound = (self.config.timeout * 2 + Duration::from_millis(250)).min(within);
        let future =
            async { tokio::time::timeout(bound, self.resolver.lookup(query, hickory_type)).await };
        // `block_on` panics inside another runtime (an async caller); run there on a thread.
        let outcome = if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| s.spawn(|| runtime.block_on(future)).join().ok())
        } else {
            Some(runtime.block_on(future))
        };
        let answer = match outcome {
            Some(Ok(Ok(lookup))) => records(lookup.answers(), hickory_type),
            Some(Ok(Err(error))) => map_error(&error),
            Some(Err(_elapsed)) => Answer::Failed(DnsFailure::Timeout),
            None => Answer::Failed(DnsFailure::Other("DNS query thread failed".to_string())),
        };
        state.record(&answer, &self.config);
        answer
    }
}

impl Breaker {
    fn record(&mut self, answer: &Answer, config: &LiveConfig) {
        match answer {
            Answer::Failed(DnsFailure::Unreachable(_)) => self.tripped = true,
            Answer::Failed(DnsFailure::Timeout) => {
                self.consecutive_timeouts += 1;
                let limit = if self.answered {
                    config.trip_after_timeouts_once_answered
                } else {
                    config.trip_after_timeouts
                };
                if limit > 0 && self.consecutive_timeouts >= limit {
                    self.tripped = true;
                }
            }
            Answer::Failed(DnsFailure::Other(_)) => {}
            _ => {
                self.answered = true;
                self.consecutive_timeouts = 0;
            }
        }
    }
}

impl Resolver for LiveResolver {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        self.query_within(name, rtype, Duration::MAX)
    }

    fn query_within(
        &self,
        name: &str,
        rtype: RecordType,
        within: Duration,
    ) -> (Answer, AnswerSource) {
        (
            self.lookup(name, rtype, within),
            AnswerSource::Live(self.label.clone()),
        )
    }
}

impl Drop for LiveResolver {
    fn drop(&mut self) {
        // Dropping a runtime inside another one panics; shutting it down in the background
        // does not, and nothing of ours still runs on it.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn build_resolver(config: &LiveConfig) -> std::io::Result<(TokioResolver, String)> {
    let provider = TokioRuntimeProvider::default();
    let (mut builder, label) = match config.server {
        Some(addr) => {
            let mut server = NameServerConfig::udp_and_tcp(addr.ip());
            for connection in &mut server.connections {
                connection.port = addr.port();
            }
            (
                TokioResolver::builder_with_config(
                    ResolverConfig::from_name_servers(vec![server]),
                    provider,
                ),
                addr.to_string(),
            )
        }
        None => {
            let builder = TokioResolver::builder(provider.clone()).unwrap_or_else(|_| {
                // No readable system configuration: no nameserver, hence "unreachable".
                TokioResolver::builder_with_config(
                    ResolverConfig::from_name_servers(Vec::new()),
                    provider,
                )
            });
            (builder, "system".to_string())
        }
    };
    let options = builder.options_mut();
    options.timeout = config.timeout;
    // `attempts` counts retries after the first try.
    options.attempts = 0;
    options.cache_size = 0;
    options.use_hosts_file = ResolveHosts::Never;
    options.try_tcp_on_error = false;
    builder
        .build()
        .map(|resolver| (resolver, label))
        .map_err(std::io::Error::other)
}

fn hickory_type(rtype: RecordType) -> HickoryType {
    match rtype {
        RecordType::A => HickoryType::A,
        RecordType::Aaaa => HickoryType::AAAA,
        RecordType::Mx => HickoryType::MX,
        RecordType::Txt => HickoryType::TXT,
        RecordType::Ptr => HickoryType::PTR,
    }
}

/// The name as sent: fully qualified, labels taken as they are (no escapes); a name with
/// non-ASCII characters is converted to A-labels (IDNA).
fn query_name(name: &str) -> Result<Name, String> {
    let name = normalize_name(name);
    let mut query = if name.is_empty() {
        Ok(Name::root())
    } else if name.is_ascii() {
        Name::from_labels(name.split('.').map(str::as_bytes))
    } else {
        Name::from_utf8(&name)
    }
    .map_err(|e| e.to_string())?;
    query.set_fqdn(true);
    Ok(query)
}

/// The records of the queried type (a CNAME chain hickory followed is left out).
fn records(
    answers: &[mail_auth::hickory_resolver::proto::rr::Record],
    rtype: HickoryType,
) -> Answer {
    let values: Vec<String> = answers
        .iter()
        .filter(|r| r.record_type() == rtype)
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(a.0.to_string()),
            RData::AAAA(a) => Some(a.0.to_string()),
            RData::MX(mx) => Some(format!("{} {}", mx.preference, host(&mx.exchange))),
            RData::TXT(txt) => {
                let mut bytes = Vec::new();
                for part in txt.txt_data.iter() {
                    bytes.extend_from_slice(part);
                }
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            RData::PTR(ptr) => Some(host(&ptr.0)),
            _ => None,
        })
        .collect();
    if values.is_empty() {
        Answer::NoData
    } else {
        Answer::Records(values)
    }
}

/// A host name in record data: lowercase, no trailing dot; the root (null MX) is `.`.
fn host(name: &Name) -> String {
    if name.is_root() {
        return ".".to_string();
    }
    normalize_name(&name.to_ascii())
}

fn map_error(error: &NetError) -> Answer {
    match error {
        NetError::Dns(DnsError::NoRecordsFound(NoRecords { response_code, .. })) => {
            match *response_code {
                ResponseCode::NXDomain => Answer::NxDomain,
                ResponseCode::NoError => Answer::NoData,
                ResponseCode::ServFail => Answer::Failed(DnsFailure::ServFail),
                ResponseCode::Refused => Answer::Failed(DnsFailure::Refused),
                other => Answer::Failed(DnsFailure::Other(format!("server answered {other}"))),
            }
        }
        NetError::Dns(DnsError::ResponseCode(code)) => match *code {
            ResponseCode::ServFail => Answer::Failed(DnsFailure::ServFail),
            ResponseCode::Refused => Answer::Failed(DnsFailure::Refused),
            ResponseCode::NXDomain => Answer::NxDomain,
            other => Answer::Failed(DnsFailure::Other(format!("server answered {other}"))),
        },
        NetError::Timeout => Answer::Failed(DnsFailure::Timeout),
        NetError::NoConnections => Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.to_string())),
        NetError::Io(io) => {
            use std::io::ErrorKind::*;
            match io.kind() {
                TimedOut => Answer::Failed(DnsFailure::Timeout),
                ConnectionRefused | ConnectionReset | NetworkUnreachable | HostUnreachable
                | NetworkDown | AddrNotAvailable | NotConnected => {
                    Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.to_string()))
                }
                _ => Answer::Failed(DnsFailure::Other(format!("DNS i/o error: {io}"))),
            }
        }
        other => Answer::Failed(DnsFailure::Other(format!("DNS error: {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses() {
        assert_eq!(
            parse_server("192.0.2.1"),
            Ok("192.0.2.1:53".parse().unwrap())
        );
        assert_eq!(
            parse_server("192.0.2.1:5353"),
            Ok("192.0.2.1:5353".parse().unwrap())
        );
        assert_eq!(parse_server("::1"), Ok("[::1]:53".parse().unwrap()));
        assert_eq!(parse_server("[::1]"), Ok("[::1]:53".parse().unwrap()));
        assert_eq!(parse_server("[::1]:54"), Ok("[::1]:54".parse().unwrap()));
        assert!(parse_server("dns.example").is_err());
        assert!(parse_server("192.0.2.1:99999").is_err());
    }

    #[test]
    fn names_are_sent_as_they_are() {
        let name = query_name("Sel._DomainKey.Example.com.").unwrap();
        assert_eq!(name.to_ascii(), "sel._domainkey.example.com.");
        assert!(
            query_name("a..b").is_err(),
            "an empty label is refused, not dropped"
        );
        assert!(query_name("").unwrap().is_root());
        assert!(query_name(&"x".repeat(64)).is_err());
    }

    #[test]
    fn errors_map_to_failures() {
        use std::io::{Error, ErrorKind};
        let unreachable = Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.to_string()));
        for kind in [
            ErrorKind::ConnectionRefused,
            ErrorKind::NetworkUnreachable,
            ErrorKind::HostUnreachable,
            ErrorKind::NetworkDown,
        ] {
            assert_eq!(map_error(&NetError::from(Error::from(kind))), unreachable);
        }
        assert_eq!(map_error(&NetError::NoConnections), unreachable);
        assert_eq!(
            map_error(&NetError::from(Error::from(ErrorKind::TimedOut))),
            Answer::Failed(DnsFailure::Timeout)
        );
        assert_eq!(
            map_error(&NetError::Dns(DnsError::ResponseCode(
                ResponseCode::ServFail
            ))),
            Answer::Failed(DnsFailure::ServFail)
        );
        assert!(matches!(
            map_error(&NetError::Dns(DnsError::ResponseCode(
                ResponseCode::FormErr
            ))),
            Answer::Failed(DnsFailure::Other(_))
        ));
    }

    /// What hickory does with no nameserver at all (an unreadable system configuration).
    #[test]
    fn no_nameserver_is_unreachable_at_once() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let resolver = {
            let _context = runtime.enter();
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(Vec::new()),
                TokioRuntimeProvider::default(),
            )
            .build()
            .unwrap()
        };
        let query = query_name("example.com").unwrap();
        let outcome = runtime.block_on(resolver.lookup(query, HickoryType::TXT));
        let error = outcome.expect_err("no nameserver cannot answer");
        assert_eq!(
            map_error(&error),
            Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.to_string())),
            "{error:?}"
        );
    }

    #[test]
    fn breaker_thresholds() {
        let config = LiveConfig::default();
        let timeout = Answer::Failed(DnsFailure::Timeout);
        let mut cold = Breaker::default();
        cold.record(&timeout, &config);
        assert!(!cold.tripped);
        cold.record(&timeout, &config);
        assert!(cold.tripped);

        let mut warm = Breaker::default();
        warm.record(&Answer::NxDomain, &config);
        for _ in 0..4 {
            warm.record(&timeout, &config);
        }
        assert!(!warm.tripped);
        warm.record(&Answer::NoData, &config);
        for _ in 0..4 {
            warm.record(&timeout, &config);
        }
        assert!(!warm.tripped, "a reply resets the count");
        warm.record(&timeout, &config);
        assert!(warm.tripped);

        let mut gone = Breaker::default();
        gone.record(
            &Answer::Failed(DnsFailure::Unreachable(UNREACHABLE.into())),
            &config,
        );
        assert!(gone.tripped);
    }
}
