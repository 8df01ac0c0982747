//! DNS for authentication: zone files, a live server, or nothing at all (offline), with the
//! provenance of every answer kept so that an analysis can be replayed offline later.
//!
//! The library never opens a socket unless the caller gave it a live resolver.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

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
    /// Anything else.
    Other(String),
}

/// The answer to one query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// The records, as text: a TXT record's strings joined; an address; `PREF HOST` for MX;
    /// a host name for PTR (no trailing dot).
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
}

/// Something that answers DNS queries.
pub trait Resolver: Send + Sync {
    /// Answer one query, saying where the answer came from.
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource);
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

/// The DNS of a run: one resolver, one cache, and the log of answers used.
pub struct Dns {
    resolver: Box<dyn Resolver>,
    cache: Mutex<HashMap<(String, RecordType), (Answer, AnswerSource)>>,
    log: Mutex<Vec<DnsUse>>,
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
    /// DNS through this resolver.
    pub fn new(resolver: Box<dyn Resolver>) -> Self {
        Dns {
            resolver,
            cache: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
        }
    }

    /// Query, through the cache; every answer used is logged.
    pub fn query(&self, name: &str, rtype: RecordType) -> Answer {
        let key = (normalize_name(name), rtype);
        let cached = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let (answer, source) = match cached {
            Some(hit) => hit,
            None => {
                let fresh = self.resolver.query(&key.0, rtype);
                if let Ok(mut c) = self.cache.lock() {
                    c.insert(key.clone(), fresh.clone());
                }
                fresh
            }
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
