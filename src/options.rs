//! What the caller decides: the "now" of the analysis, the trusted hosts, thresholds, limits.
//!
//! The library never reads the clock by itself; the binary fills `now`.

use std::sync::Arc;
use std::time::Duration;

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
    /// How much work one message may cause (sizes, counts, DNS); see [`Limits`].
    pub limits: Limits,
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
            limits: Limits::default(),
            dns: Arc::new(Dns::default()),
        }
    }
}

/// How much work one message may cause, so that a hostile or broken input cannot make an
/// analysis slow or unbounded. Each limit has a flag of the same name on `analyze`, `batch`
/// and `serve` (`--max-headers`, ...).
///
/// What happens at a limit:
///
/// - the input limits (`max_message_bytes`, `max_headers`, `max_header_line_bytes`) refuse the
///   message with an [`crate::Error`] naming the limit and the flag that raises it: a message
///   that far outside what mail servers accept is not analysed at all;
/// - the work limits (`max_mime_depth`, `max_dkim_signatures`, `max_arc_instances`,
///   `max_dns_lookups`, `dns_time_budget`) keep the report: what is past the limit is left
///   unchecked, marked so where it stands, and listed in the report's `limits`.
///
/// The defaults are far above what real mail needs (the figures below say how far) and low
/// enough that the worst message still finishes in about a second plus the DNS budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Inputs larger than this many bytes are refused (`--max-message-bytes`). Default 64 MiB:
    /// common servers refuse far less (Gmail 25 MB, Postfix 10 MB by default), and 64 MiB keeps
    /// the few copies of a message an analysis makes cheap in memory.
    pub max_message_bytes: usize,
    /// Messages with more header fields than this are refused (`--max-headers`). Default
    /// 10,000: Postfix bounces a message with more than 50 Received fields (`hopcount_limit`)
    /// and the largest real header blocks have a few hundred fields.
    pub max_headers: usize,
    /// A message with one header field (its folded lines together) longer than this many
    /// bytes is refused (`--max-header-line-bytes`). Default 1 MiB: Postfix cuts a header
    /// field at 100 KiB (`header_size_limit`); 1 MiB is ten times that, for pasted oddities,
    /// while the per-field work (Received parsing, DKIM tags) stays small.
    pub max_header_line_bytes: usize,
    /// The MIME walk (bounces, feedback reports) stops this many multipart levels deep
    /// (`--max-mime-depth`). Default 20: real mail nests 3 to 5 levels (mixed, alternative,
    /// related, a forwarded message); Postfix allows 100 (`mime_nesting_limit`) for delivery,
    /// which needs no more than that either.
    pub max_mime_depth: usize,
    /// At most this many DKIM signatures are verified, top to bottom; the rest are listed with
    /// `reason: not-checked` (`--max-dkim-signatures`). Default 10: real messages carry one to
    /// three (author, ESP, mailing list); each costs a DNS lookup and a hash.
    pub max_dkim_signatures: usize,
    /// At most this many ARC instances, the newest, are verified; older ones are listed as not
    /// checked and the chain cannot pass (`--max-arc-instances`). Default 50: RFC 8617 section
    /// 4.2.1 allows no more (a chain with more fails anyway), so by default every valid chain
    /// is checked in full.
    pub max_arc_instances: usize,
    /// At most this many DNS lookups per message, across DKIM, ARC, SPF and DMARC; answers
    /// from the cache do not count (`--max-dns-lookups`). Past it a lookup fails as
    /// `budget`. Default 100: a typical message needs under 15; SPF keeps its own RFC 7208
    /// limits (10 DNS-querying terms, 2 void lookups) within this.
    pub max_dns_lookups: usize,
    /// The DNS time one message may use, all lookups together (`--dns-time-budget`). Once
    /// spent, further lookups fail at once as `budget` instead of waiting; a lookup never runs
    /// past it. Default 20 s: about six timed-out queries at the default 3 s timeout, so a
    /// message full of dead domains cannot hold a batch up for minutes.
    pub dns_time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 64 * 1024 * 1024,
            max_headers: 10_000,
            max_header_line_bytes: 1024 * 1024,
            max_mime_depth: 20,
            max_dkim_signatures: 10,
            max_arc_instances: 50,
            max_dns_lookups: 100,
            dns_time_budget: Duration::from_secs(20),
        }
    }
}

impl Limits {
    /// No limit at all (for tools and benchmarks that want every field analysed).
    pub fn unlimited() -> Self {
        Limits {
            max_message_bytes: usize::MAX,
            max_headers: usize::MAX,
            max_header_line_bytes: usize::MAX,
            max_mime_depth: usize::MAX,
            max_dkim_signatures: usize::MAX,
            max_arc_instances: usize::MAX,
            max_dns_lookups: usize::MAX,
            dns_time_budget: Duration::MAX,
        }
    }
}
