//! Totals of a batch (`--summary`): counts, authentication by sending domain, delay
//! percentiles by boundary host, top connecting IPs and sending domains, findings by rule, and
//! the DKIM selectors and keys seen per domain over time.
//!
//! Memory grows with the number of distinct domains, hosts, IPs and keys, and by one `i64` per
//! message with a known total delay (for exact percentiles); never with message content.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Record;
use crate::report::Report;

/// How many entries the "top" lists keep.
pub const TOP: usize = 10;

/// Totals accumulated record by record.
#[derive(Debug, Default, Clone)]
pub struct Totals {
    messages: u64,
    analysed: u64,
    errored: u64,
    auth: BTreeMap<String, AuthCounts>,
    delays: BTreeMap<String, Vec<i64>>,
    relay_delays: BTreeMap<String, Vec<i64>>,
    ips: HashMap<String, u64>,
    domains: HashMap<String, u64>,
    findings: BTreeMap<(&'static str, &'static str), u64>,
    keys: BTreeMap<String, BTreeMap<KeyId, KeySeen>>,
}

/// Results counted by word (`pass`, `fail`...), per method.
#[derive(Debug, Default, Clone, Serialize)]
pub struct AuthCounts {
    /// DKIM: one count per signature (`none` for a message without any).
    pub dkim: BTreeMap<String, u64>,
    /// SPF: one count per message.
    pub spf: BTreeMap<String, u64>,
    /// DMARC: one count per message.
    pub dmarc: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct KeyId {
    selector: String,
    algorithm: String,
    key_bits: Option<u32>,
}

#[derive(Debug, Clone, Default)]
struct KeySeen {
    messages: u64,
    first: Option<String>,
    last: Option<String>,
}

/// The totals, as written (`"summary"` in JSON Lines).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Messages read (analysed + errored).
    pub messages: u64,
    /// Messages analysed.
    pub analysed: u64,
    /// Messages that could not be read or analysed.
    pub errored: u64,
    /// DKIM, SPF and DMARC results by sending (From) domain.
    pub auth_by_domain: BTreeMap<String, AuthCounts>,
    /// Percentiles of the total delivery time (`time.total_seconds`) by boundary host.
    pub delay_by_boundary_host: BTreeMap<String, Percentiles>,
    /// Percentiles of each hop's own delay (`delay_seconds`, skew excluded) by the relay that
    /// received it (`by_host`): which relay is slow.
    pub delay_by_relay: BTreeMap<String, Percentiles>,
    /// The most frequent connecting IPs at the trust boundary.
    pub top_boundary_ips: Vec<Count>,
    /// The most frequent sending (From) domains.
    pub top_sending_domains: Vec<Count>,
    /// Findings counted by rule, most frequent first.
    pub findings_by_rule: Vec<RuleCount>,
    /// DKIM selectors and keys seen per signing domain, oldest first; more than one entry for a
    /// domain means a key change (or several keys in use).
    pub dkim_keys: BTreeMap<String, Vec<KeyUse>>,
}

/// Delay percentiles, in seconds (nearest rank).
#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    /// Messages with a known total delay.
    pub messages: usize,
    /// Median.
    pub p50: i64,
    /// 90th percentile.
    pub p90: i64,
    /// 99th percentile.
    pub p99: i64,
    /// Slowest.
    pub max: i64,
}

/// A value and how many messages had it.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    /// The IP or domain.
    pub value: String,
    /// Messages.
    pub messages: u64,
}

/// A rule and how often it fired.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    /// Its code.
    pub code: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Findings.
    pub count: u64,
}

/// One DKIM key of a domain, as seen.
#[derive(Debug, Clone, Serialize)]
pub struct KeyUse {
    /// The selector.
    pub selector: String,
    /// The algorithm.
    pub algorithm: String,
    /// The key size in bits, when the key could be read.
    pub key_bits: Option<u32>,
    /// Signatures seen.
    pub messages: u64,
    /// Earliest message Date (UTC) with this key.
    pub first_seen: Option<String>,
    /// Latest message Date (UTC) with this key.
    pub last_seen: Option<String>,
}

/// The sending domain of a report: DMARC's From domain, else the domain of the From address.
pub fn sending_domain(report: &Report) -> Option<String> {
    if let Some(d) = &report.dmarc
        && !d.from_domain.is_empty()
    {
        return Some(d.from_domain.clone());
    }
    let from = report.message.from.as_deref()?;
    let address = match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from,
    };
    let domain = address.rsplit_once('@')?.1.trim();
    (!domain.is_empty()).then(|| domain.to_ascii_lowercase())
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    *map.entry(key.to_string()).or_default() += 1;
}

fn top(map: &HashMap<String, u64>) -> Vec<Count> {
    let mut all: Vec<Count> = map
        .iter()
        .map(|(value, &messages)| Count {
            value: value.clone(),
            messages,
        })
        .collect();
    all.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.value.cmp(&b.value)));
    all.truncate(TOP);
    all
}

/// Nearest-rank percentiles of each key's values.
fn percentiles_by(map: &BTreeMap<String, Vec<i64>>) -> BTreeMap<String, Percentiles> {
    map.iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(key, values)| {
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let p = Percentiles {
                messages: sorted.len(),
                p50: percentile(&sorted, 50),
                p90: percentile(&sorted, 90),
                p99: percentile(&sorted, 99),
                max: sorted.last().copied().unwrap_or_default(),
            };
            (key.clone(), p)
        })
        .collect()
}

fn percentile(sorted: &[i64], p: usize) -> i64 {
    // nearest rank: the smallest value with at least p% of the values at or below it
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[(rank - 1).min(sorted.len() - 1)]
}

impl Totals {
    /// Empty totals.
    pub fn new() -> Self {
        Self::default()
    }

    /// Count one record.
    pub fn add(&mut self, record: &Record) {
        self.messages += 1;
        let Some(report) = record.report() else {
            self.errored += 1;
            return;
        };
        self.analysed += 1;
        let domain = sending_domain(report).unwrap_or_else(|| "(none)".to_string());
        *self.domains.entry(domain.clone()).or_default() += 1;
        let auth = self.auth.entry(domain).or_default();
        if report.dkim.is_empty() {
            bump(&mut auth.dkim, "none");
        }
        for sig in &report.dkim {
            bump(&mut auth.dkim, sig.result.as_str());
        }
        bump(
            &mut auth.spf,
            report.spf.as_ref().map_or("none", |s| s.result.as_str()),
        );
        bump(
            &mut auth.dmarc,
            report.dmarc.as_ref().map_or("none", |d| d.result.as_str()),
        );
        if let Some(boundary) = &report.boundary {
            if let Some(ip) = boundary.ip {
                *self.ips.entry(ip.to_string()).or_default() += 1;
            }
            if let Some(total) = report.time.total_seconds {
                let host = boundary.host.clone().unwrap_or_else(|| "(unknown)".into());
                self.delays.entry(host).or_default().push(total);
            }
        }
        for hop in &report.hops {
            if let (Some(delay), Some(relay)) =
                (hop.delay_seconds.filter(|d| *d >= 0), &hop.by_host)
            {
                self.relay_delays
                    .entry(relay.to_ascii_lowercase())
                    .or_default()
                    .push(delay);
            }
        }
        for f in &report.findings {
            *self.findings.entry((f.code, f.name)).or_default() += 1;
        }
        let date = report.message.date_utc.clone();
        for sig in &report.dkim {
            if sig.domain.is_empty() {
                continue;
            }
            let seen = self
                .keys
                .entry(sig.domain.clone())
                .or_default()
                .entry(KeyId {
                    selector: sig.selector.clone(),
                    algorithm: sig.algorithm.clone(),
                    key_bits: sig.key_bits,
                })
                .or_default();
            seen.messages += 1;
            // RFC 3339 UTC strings of one format order as text
            if let Some(d) = &date {
                if seen.first.as_ref().is_none_or(|f| d < f) {
                    seen.first = Some(d.clone());
                }
                if seen.last.as_ref().is_none_or(|l| d > l) {
                    seen.last = Some(d.clone());
                }
            }
        }
    }

    /// Messages counted.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Messages that errored.
    pub fn errored(&self) -> u64 {
        self.errored
    }

    /// The totals, computed.
    pub fn summary(&self) -> Summary {
        let delay_by_boundary_host = percentiles_by(&self.delays);
        let delay_by_relay = percentiles_by(&self.relay_delays);
        let mut findings_by_rule: Vec<RuleCount> = self
            .findings
            .iter()
            .map(|(&(code, name), &count)| RuleCount { code, name, count })
            .collect();
        findings_by_rule.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
        let dkim_keys = self
            .keys
            .iter()
            .map(|(domain, keys)| {
                let mut uses: Vec<KeyUse> = keys
                    .iter()
                    .map(|(id, seen)| KeyUse {
                        selector: id.selector.clone(),
                        algorithm: id.algorithm.clone(),
                        key_bits: id.key_bits,
                        messages: seen.messages,
                        first_seen: seen.first.clone(),
                        last_seen: seen.last.clone(),
                    })
                    .collect();
                uses.sort_by(|a, b| a.first_seen.cmp(&b.first_seen));
                (domain.clone(), uses)
            })
            .collect();
        Summary {
            messages: self.messages,
            analysed: self.analysed,
            errored: self.errored,
            auth_by_domain: self.auth.clone(),
            delay_by_boundary_host,
            delay_by_relay,
            top_boundary_ips: top(&self.ips),
            top_sending_domains: top(&self.domains),
            findings_by_rule,
            dkim_keys,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), 50);
        assert_eq!(percentile(&v, 90), 90);
        assert_eq!(percentile(&v, 99), 99);
        assert_eq!(percentile(&[7], 99), 7);
    }
}
