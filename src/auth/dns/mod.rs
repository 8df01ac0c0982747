//! DNS for authentication: zone files, a live server, or nothing at all (offline), with the
//! provenance of every answer kept so that an analysis can be replayed offline later.
//!
//! The library never opens a socket unless the caller gave it a live resolver.
//!
//! * [`ZoneResolver`] (`--dns-zone`): answers from RFC 1035 master files, authoritative for the
//!   names under their origins and silent ([`ZoneLookup::NotMine`]) about everything else.
//! * [`LiveResolver`] (`--dns-server`, `--dns-timeout`): hickory over UDP/TCP, one attempt, a
//!   short timeout, and a circuit breaker so that an analysis without a network fails fast.
//! * [`OfflineResolver`] (`--offline`): no network; every name is "not found (offline)".
//! * [`LayeredResolver`]: zones first, then live DNS or offline, which is what the binary uses.
//! * [`Dns`]: one resolver, one cache and the log of every answer used; [`save_zone`] writes
//!   that log back as a zone file (`--save-dns`) for an offline replay.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

mod live;
mod save;
mod zone;

pub use live::{DEFAULT_TIMEOUT, LiveConfig, LiveResolver, UNREACHABLE, parse_server};
pub use save::save_zone;
pub use zone::{MAX_CNAME_CHAIN, ZoneError, ZoneLookup, ZoneResolver};

/// The record types authentication needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RecordType {
    /// IPv4 address
    A,
    /// IPv6 address
    #[serde(rename = "AAAA")]
    Aaaa,
    /// mail exchanger
    #[serde(rename = "MX")]
    Mx,
    /// text (DKIM keys, SPF, DMARC)
    #[serde(rename = "TXT")]
    Txt,
    /// reverse name
    #[serde(rename = "PTR")]
    Ptr,
}

/// Why a lookup gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DnsFailure {
    /// The server answered SERVFAIL.
    ServFail,
    /// No answer in time.
    Timeout,
    /// The server refused.
    Refused,
    /// No server could be reached (no network).
    Unreachable(String),
    /// Offline: the name is in no zone file and no network may be used.
    Offline,
    /// Not asked: the message's DNS budget (`--max-dns-lookups`, `--dns-time-budget`) is
    /// spent. The text says which limit, e.g. "DNS time budget of 20 s spent".
    Budget(String),
    /// Anything else.
    Other(String),
}

/// The answer to one query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// The records, as text: a TXT record's strings joined; an address; `PREF HOST` for MX;
    /// a host name for PTR (no trailing dot; lowercase from zones and live DNS; the root, as in
    /// a null MX `0 .`, is `.`).
    Records(Vec<String>),
    /// The name does not exist.
    NxDomain,
    /// The name exists but has no record of this type.
    NoData,
    /// No answer could be had.
    Failed(DnsFailure),
}

/// Where an answer came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "from")]
pub enum AnswerSource {
    /// A zone file (its path).
    Zone(String),
    /// A live DNS server (its address).
    Live(String),
    /// Offline and in no zone: "not found (offline)".
    OfflineMissing,
    /// Records given in code (tests, suites with their own DNS data).
    Static,
    /// Nobody was asked: the message's DNS budget was spent (`Failed(Budget(..))`).
    NotAsked,
}

/// Something that answers DNS queries.
pub trait Resolver: Send + Sync {
    /// Answer one query, saying where the answer came from.
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource);

    /// Answer one query taking at most `within` (a live resolver shortens its timeout to it;
    /// others answer at once anyway). [`Dns`] uses this so that no lookup runs past the
    /// message's DNS time budget.
    fn query_within(
        &self,
        name: &str,
        rtype: RecordType,
        within: Duration,
    ) -> (Answer, AnswerSource) {
        let _ = within;
        self.query(name, rtype)
    }

    /// An answer already cached below this resolver (a run cache shared between workers),
    /// without asking anyone. [`Dns`] does not count such answers as lookups.
    fn cached(&self, name: &str, rtype: RecordType) -> Option<(Answer, AnswerSource)> {
        let _ = (name, rtype);
        None
    }
}

/// An in-memory resolver: records given in code. Names not present are NXDOMAIN.
#[derive(Debug, Default, Clone)]
pub struct StaticResolver {
    records: HashMap<(String, RecordType), Answer>,
}

impl StaticResolver {
    /// An empty resolver.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one record (TXT: the joined text).
    pub fn add(&mut self, name: &str, rtype: RecordType, value: &str) -> &mut Self {
        let entry = self
            .records
            .entry((normalize_name(name), rtype))
            .or_insert_with(|| Answer::Records(Vec::new()));
        if let Answer::Records(v) = entry {
            v.push(value.to_string());
        }
        self
    }

    /// Set a whole answer (NXDOMAIN, a failure...).
    pub fn set(&mut self, name: &str, rtype: RecordType, answer: Answer) -> &mut Self {
        self.records.insert((normalize_name(name), rtype), answer);
        self
    }
}

impl Resolver for StaticResolver {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        let key = (normalize_name(name), rtype);
        let answer = match self.records.get(&key) {
            Some(a) => a.clone(),
            None if self.records.keys().any(|(n, _)| *n == key.0) => Answer::NoData,
            None => Answer::NxDomain,
        };
        (answer, AnswerSource::Static)
    }
}

/// What answers when the zones do not: live DNS, or nothing (offline).
pub enum Fallback {
    /// A live server.
    Live(Box<LiveResolver>),
    /// No network: "not found (offline)".
    Offline,
    /// Any other resolver (tests, suites with their own DNS data).
    Other(Box<dyn Resolver>),
}

impl std::fmt::Debug for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fallback::Live(live) => f.debug_tuple("Live").field(live).finish(),
            Fallback::Offline => f.write_str("Offline"),
            Fallback::Other(_) => f.write_str("Other"),
        }
    }
}

impl Resolver for Fallback {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        match self {
            Fallback::Live(live) => live.query(name, rtype),
            Fallback::Offline => OfflineResolver.query(name, rtype),
            Fallback::Other(other) => other.query(name, rtype),
        }
    }

    fn query_within(
        &self,
        name: &str,
        rtype: RecordType,
        within: Duration,
    ) -> (Answer, AnswerSource) {
        match self {
            Fallback::Live(live) => live.query_within(name, rtype, within),
            Fallback::Offline => OfflineResolver.query(name, rtype),
            Fallback::Other(other) => other.query_within(name, rtype, within),
        }
    }
}

/// Zone files first, then the fallback: what `--dns-zone` with or without `--offline` means.
///
/// A name the zones answer (records, NoData, NXDOMAIN under a zone's origin) never reaches the
/// fallback, so zone data overrides live DNS. A CNAME in the zones whose target is outside them
/// is followed through the fallback; the answer then names the fallback as its source.
#[derive(Debug)]
pub struct LayeredResolver {
    /// The zone files.
    pub zones: ZoneResolver,
    /// Live DNS or offline.
    pub fallback: Fallback,
}

impl LayeredResolver {
    /// Zones, then offline.
    pub fn offline(zones: ZoneResolver) -> Self {
        LayeredResolver {
            zones,
            fallback: Fallback::Offline,
        }
    }

    /// Zones, then a live server.
    pub fn live(zones: ZoneResolver, live: LiveResolver) -> Self {
        LayeredResolver {
            zones,
            fallback: Fallback::Live(Box::new(live)),
        }
    }
}

impl Resolver for LayeredResolver {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        self.query_within(name, rtype, Duration::MAX)
    }

    fn query_within(
        &self,
        name: &str,
        rtype: RecordType,
        within: Duration,
    ) -> (Answer, AnswerSource) {
        match self.zones.lookup(name, rtype) {
            ZoneLookup::Answer(answer, source) => (answer, source),
            ZoneLookup::Alias { target, .. } => self.fallback.query_within(&target, rtype, within),
            ZoneLookup::NotMine => self.fallback.query_within(name, rtype, within),
        }
    }
}

/// Zone files alone are offline: a name outside them is "not found (offline)".
impl Resolver for ZoneResolver {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        match self.lookup(name, rtype) {
            ZoneLookup::Answer(answer, source) => (answer, source),
            ZoneLookup::Alias { .. } | ZoneLookup::NotMine => OfflineResolver.query(name, rtype),
        }
    }
}

/// The DNS options of a run, as the binary reads them: `--dns-zone` (repeatable),
/// `--offline`, `--dns-server`, `--dns-timeout`. [`DnsSettings::build`] turns them into a
/// [`Dns`], so the binary holds no DNS logic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsSettings {
    /// Zone files, the first with precedence.
    pub zones: Vec<PathBuf>,
    /// No network at all.
    pub offline: bool,
    /// One server instead of the system configuration (ignored when offline).
    pub server: Option<SocketAddr>,
    /// Per-query timeout (default [`DEFAULT_TIMEOUT`]).
    pub timeout: Option<Duration>,
}

/// Why the DNS of a run could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DnsSetupError {
    /// A zone file could not be read or parsed (`path:line: what`).
    #[error("{0}")]
    Zone(#[from] ZoneError),
    /// The live resolver could not be created.
    #[error("cannot start the DNS resolver: {0}")]
    Resolver(std::io::Error),
}

impl DnsSettings {
    /// Zones first, then live DNS, or offline when asked.
    pub fn build(&self) -> Result<Dns, DnsSetupError> {
        Ok(Dns::new(self.resolver()?))
    }

    /// The resolver alone (zones first, then live or offline), for callers that put their own
    /// cache and logs around it (the batch driver).
    pub fn resolver(&self) -> Result<Box<dyn Resolver>, DnsSetupError> {
        let zones = ZoneResolver::from_files(&self.zones)?;
        let fallback = if self.offline {
            Fallback::Offline
        } else {
            let config = LiveConfig {
                server: self.server,
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                ..LiveConfig::default()
            };
            Fallback::Live(Box::new(
                LiveResolver::new(config).map_err(DnsSetupError::Resolver)?,
            ))
        };
        Ok(Box::new(LayeredResolver { zones, fallback }))
    }
}

/// A duration as people write it: `20 s`, `1.5 s`, `250 ms`.
pub fn seconds(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Lowercase, no trailing dot.
pub fn normalize_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// One answer used by an analysis, for the report's `dns[]` and `--save-dns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsUse {
    /// The name queried.
    pub name: String,
    /// The record type.
    #[serde(rename = "type")]
    pub rtype: RecordType,
    /// The answer.
    pub answer: Answer,
    /// Where it came from.
    pub source: AnswerSource,
}

/// The DNS of a run: one resolver, one cache, the log of answers used, and the budget of the
/// message being analysed.
///
/// The budget ([`DnsBudget`]) is per message: [`crate::analyze`] calls [`Dns::begin`] at the
/// start of each analysis, which sets the limits and zeroes what was spent. Only lookups that
/// reach the resolver count, and only their time: answers from this cache or from a run cache
/// below ([`Resolver::cached`]) are free. Past the budget a lookup answers
/// `Failed(Budget(..))` at once; such answers are neither cached nor sent anywhere. A `Dns`
/// on which `begin` was never called has no budget. One `Dns` serves one analysis at a time
/// (the batch driver gives each worker its own).
pub struct Dns {
    resolver: Box<dyn Resolver>,
    cache: Mutex<HashMap<(String, RecordType), (Answer, AnswerSource)>>,
    log: Mutex<Vec<DnsUse>>,
    budget: Mutex<Spending>,
}

/// How much DNS one message may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnsBudget {
    /// Lookups that reach the resolver (cache hits are free).
    pub max_lookups: usize,
    /// Time spent in those lookups, all together.
    pub time: Duration,
}

impl DnsBudget {
    /// No budget at all.
    pub const UNLIMITED: DnsBudget = DnsBudget {
        max_lookups: usize::MAX,
        time: Duration::MAX,
    };
}

/// What the current message has spent of its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DnsSpent {
    /// Lookups that reached the resolver.
    pub lookups: usize,
    /// Time those lookups took.
    pub time: Duration,
    /// Lookups refused because the lookup limit was reached.
    pub refused_lookups: usize,
    /// Lookups refused because the time budget was spent.
    pub refused_time: usize,
}

#[derive(Debug)]
struct Spending {
    budget: DnsBudget,
    spent: DnsSpent,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dns")
    }
}

impl Default for Dns {
    /// Offline with no zone: every name is "not found (offline)".
    fn default() -> Self {
        Dns::new(Box::new(OfflineResolver))
    }
}

/// Offline and nothing known: every query fails as offline.
#[derive(Debug, Default, Clone, Copy)]
pub struct OfflineResolver;

impl Resolver for OfflineResolver {
    fn query(&self, _name: &str, _rtype: RecordType) -> (Answer, AnswerSource) {
        (
            Answer::Failed(DnsFailure::Offline),
            AnswerSource::OfflineMissing,
        )
    }
}

impl Dns {
    /// A `Dns` answering only these records (name, type, value), nothing else: for tests and
    /// suites with their own DNS data.
    pub fn from_records(records: &[(&str, RecordType, &str)]) -> Self {
        let mut r = StaticResolver::new();
        for (name, rtype, value) in records {
            r.add(name, *rtype, value);
        }
        Dns::new(Box::new(r))
    }

    /// DNS through this resolver.
    pub fn new(resolver: Box<dyn Resolver>) -> Self {
        Dns {
            resolver,
            cache: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            budget: Mutex::new(Spending {
                budget: DnsBudget::UNLIMITED,
                spent: DnsSpent::default(),
            }),
        }
    }

    /// Start a message: this budget, nothing spent yet.
    pub fn begin(&self, budget: DnsBudget) {
        let mut state = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        *state = Spending {
            budget,
            spent: DnsSpent::default(),
        };
    }

    /// What the current message has spent (since [`Dns::begin`]).
    pub fn spent(&self) -> DnsSpent {
        self.budget.lock().unwrap_or_else(|p| p.into_inner()).spent
    }

    /// Query, through the cache; every answer used is logged.
    pub fn query(&self, name: &str, rtype: RecordType) -> Answer {
        let key = (normalize_name(name), rtype);
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
            .or_else(|| self.resolver.cached(&key.0, rtype));
        let (answer, source) = match cached {
            Some(hit) => hit,
            None => match self.spend() {
                Err(refused) => (Answer::Failed(refused), AnswerSource::NotAsked),
                Ok(within) => {
                    let started = std::time::Instant::now();
                    let fresh = self.resolver.query_within(&key.0, rtype, within);
                    let took = started.elapsed();
                    if let Ok(mut state) = self.budget.lock() {
                        state.spent.time = state.spent.time.saturating_add(took);
                    }
                    if let Ok(mut c) = self.cache.lock() {
                        c.insert(key.clone(), fresh.clone());
                    }
                    fresh
                }
            },
        };
        if let Ok(mut log) = self.log.lock() {
            let used = DnsUse {
                name: key.0,
                rtype,
                answer: answer.clone(),
                source,
            };
            if !log.contains(&used) {
                log.push(used);
            }
        }
        answer
    }

    /// Take one lookup from the budget: the time left for it, or why there is none.
    fn spend(&self) -> Result<Duration, DnsFailure> {
        let mut state = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        let Spending { budget, spent } = &mut *state;
        if spent.lookups >= budget.max_lookups {
            spent.refused_lookups += 1;
            return Err(DnsFailure::Budget(format!(
                "DNS lookup limit of {} per message reached",
                budget.max_lookups
            )));
        }
        if spent.time >= budget.time {
            spent.refused_time += 1;
            return Err(DnsFailure::Budget(format!(
                "DNS time budget of {} spent",
                seconds(budget.time)
            )));
        }
        spent.lookups += 1;
        Ok(budget.time - spent.time)
    }

    /// TXT records at a name.
    pub fn txt(&self, name: &str) -> Answer {
        self.query(name, RecordType::Txt)
    }

    /// Take the log of answers used since the last call.
    pub fn take_log(&self) -> Vec<DnsUse> {
        self.log
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}
