//! What the caller decides: the "now" of the analysis, the trusted hosts, thresholds.
//!
//! The library never reads the clock by itself; the binary fills `now`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::auth::dns::Dns;

/// Options for one analysis.
#[derive(Debug, Clone)]
pub struct Options {
    /// The "now" used for every time judgement (e.g. a Date in the future). `None` = no judgement
    /// that needs the present is made.
    pub now: Option<DateTime<Utc>>,
    /// Hosts or domain suffixes that belong to the recipient's own infrastructure (`--trust`).
    pub trust: Vec<String>,
    /// A hop delay at or above this many seconds is reported as `hop-delay`.
    pub delay_threshold_secs: i64,
    /// Inputs larger than this are refused.
    pub max_message_bytes: usize,
    /// The DNS used for authentication (zone files, live, or offline). Default: offline with no
    /// zone, so nothing is looked up unless the caller says so.
    pub dns: Arc<Dns>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            now: None,
            trust: Vec::new(),
            delay_threshold_secs: 300,
            max_message_bytes: 64 * 1024 * 1024,
            dns: Arc::new(Dns::default()),
        }
    }
}
