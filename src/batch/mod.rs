//! Batch mode: every message of a mailbox analysed on several threads, results delivered in
//! input order, with bounded memory whatever the mailbox size.
//!
//! The driver ([`run`]) takes the stream of [`MailboxItem`]s from `input::mailbox::open`, hands
//! them to `jobs` worker threads through a bounded channel in chunks (up to [`CHUNK_ITEMS`]
//! messages or [`CHUNK_BYTES`] bytes, so that threads wake once per chunk rather than once per
//! message) and delivers one [`Record`] per item, in input order, to a callback. At most
//! `window` chunks are in flight at any time (queued, being analysed, or waiting in the reorder
//! buffer), so memory is bounded by `window` chunks plus the one being filled.
//!
//! Faults: a message that cannot be read or analysed (or whose analysis panics) becomes a
//! `Record` carrying the error; messages in = records out. When the callback fails (a closed
//! pipe), the driver stops the reader and the workers and returns that error.
//!
//! DNS: reports list the DNS answers their analysis used (`Report::dns`), taken from the log of
//! `Options::dns`. That log is one per `Dns`, so analyses running at the same time on one `Dns`
//! would mix their logs. [`SharedDns`] keeps one cache per run (each name resolved once) and
//! gives each worker its own `Dns` (own log) over it; pass it in [`Config::shared_dns`]. The
//! per-message DNS budget (`Limits::max_dns_lookups`, `Limits::dns_time_budget`) is kept by
//! each worker's `Dns` and restarted by every analysis; answers from the run cache are free.
//! Without a `SharedDns` and with several jobs, the workers share one `Dns`, so their logs and
//! budgets mix: use one.
//!
//! This module renders nothing to a terminal and reads no clock; writers live in [`write`],
//! totals in [`totals`].

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::auth::dns::{Answer, AnswerSource, Dns, RecordType, Resolver, normalize_name};
use crate::input::mailbox::MailboxItem;
use crate::{Options, Report, Source};

pub mod html;
pub mod totals;
pub mod write;

pub use totals::Totals;

/// The outcome of one message of a batch.
#[derive(Debug, Clone)]
pub struct Record {
    /// The file it came from.
    pub path: PathBuf,
    /// 0-based index of the message in the whole run.
    pub index: usize,
    /// Byte offset of the message in its file.
    pub offset: u64,
    /// Maildir flags, when any.
    pub flags: Option<String>,
    /// Size of the message in bytes (0 when it could not be read).
    pub size: u64,
    /// The report, or why there is none.
    pub result: Result<Report, String>,
    /// Its JSON line, made by the worker when [`Config::json_lines`] asks for it (JSON of a
    /// full report is as costly as a fair part of the analysis; done on the writing thread,
    /// it was what held a run back).
    pub json: Option<Vec<u8>>,
    /// Its HTML page, made by the worker when [`Config::page`] is set (the page shows the
    /// message's raw headers, which only the worker still has).
    pub page: Option<String>,
}

impl Record {
    /// The report, when the message could be analysed.
    pub fn report(&self) -> Option<&Report> {
        self.result.as_ref().ok()
    }

    /// The error, when it could not.
    pub fn error(&self) -> Option<&str> {
        self.result.as_ref().err().map(String::as_str)
    }
}

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The analysis options (the same for every message).
    pub options: Options,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Chunks of messages in flight at most (queued, being analysed, or waiting to be delivered
    /// in order); 0 means `4 * jobs`.
    pub window: usize,
    /// One DNS cache for the run with a log per worker (see the module docs). `None`: every
    /// worker uses `options.dns` as it is (fine with one job).
    pub shared_dns: Option<SharedDns>,
    /// Workers also make each record's JSON line ([`Record::json`]).
    pub json_lines: bool,
    /// Workers also render each analysed message's page ([`Record::page`]) with this.
    pub page: Option<PageRenderer>,
}

/// Renders the page of one analysed message from its report and its source.
pub type PageRenderer = fn(&Report, &Source) -> String;

impl Config {
    /// A batch with these options on `jobs` threads.
    pub fn new(options: Options, jobs: usize) -> Self {
        Config {
            options,
            jobs,
            window: 0,
            shared_dns: None,
            json_lines: false,
            page: None,
        }
    }
}

/// One DNS cache for a whole run, over any resolver; each worker asks through it with its own
/// [`Dns`] (own answer log), so reports list exactly the answers their analysis used.
#[derive(Clone)]
pub struct SharedDns {
    inner: Arc<CachedResolver>,
}

impl std::fmt::Debug for SharedDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedDns")
    }
}

type DnsCache = HashMap<(String, RecordType), (Answer, AnswerSource)>;

struct CachedResolver {
    resolver: Box<dyn Resolver>,
    cache: Mutex<DnsCache>,
}

impl Resolver for CachedResolver {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        self.query_within(name, rtype, Duration::MAX)
    }

    fn query_within(
        &self,
        name: &str,
        rtype: RecordType,
        within: Duration,
    ) -> (Answer, AnswerSource) {
        if let Some(hit) = self.cached(name, rtype) {
            return hit;
        }
        let key = (normalize_name(name), rtype);
        let fresh = self.resolver.query_within(&key.0, rtype, within);
        self.cache().insert(key, fresh.clone());
        fresh
    }

    fn cached(&self, name: &str, rtype: RecordType) -> Option<(Answer, AnswerSource)> {
        let key = (normalize_name(name), rtype);
        self.cache().get(&key).cloned()
    }
}

impl CachedResolver {
    /// The cache. A panic elsewhere while the lock was held cannot leave the map half-written
    /// (insert and clone do not panic on our types), so a poisoned lock is still a good cache.
    fn cache(&self) -> std::sync::MutexGuard<'_, DnsCache> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

struct SharedHandle(Arc<CachedResolver>);

impl Resolver for SharedHandle {
    fn query(&self, name: &str, rtype: RecordType) -> (Answer, AnswerSource) {
        self.0.query(name, rtype)
    }

    fn query_within(
        &self,
        name: &str,
        rtype: RecordType,
        within: Duration,
    ) -> (Answer, AnswerSource) {
        self.0.query_within(name, rtype, within)
    }

    fn cached(&self, name: &str, rtype: RecordType) -> Option<(Answer, AnswerSource)> {
        self.0.cached(name, rtype)
    }
}

impl SharedDns {
    /// A run cache over this resolver.
    pub fn new(resolver: Box<dyn Resolver>) -> Self {
        SharedDns {
            inner: Arc::new(CachedResolver {
                resolver,
                cache: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The run cache over what `settings` describe (zones, then live DNS or offline), as
    /// [`crate::auth::dns::DnsSettings::build`] would build it.
    pub fn from_settings(
        settings: &crate::auth::dns::DnsSettings,
    ) -> Result<Self, crate::auth::dns::DnsSetupError> {
        Ok(SharedDns::new(settings.resolver()?))
    }

    /// A `Dns` for one worker: the shared cache, its own log.
    pub fn worker(&self) -> Dns {
        Dns::new(Box::new(SharedHandle(Arc::clone(&self.inner))))
    }
}

/// Analyse one mailbox item into a record; never panics, never fails.
pub fn analyze_item(item: MailboxItem, options: &Options) -> Record {
    analyze_item_with(item, options, None)
}

/// [`analyze_item`], also rendering the message's page with `page` when given.
pub fn analyze_item_with(
    item: MailboxItem,
    options: &Options,
    page: Option<PageRenderer>,
) -> Record {
    let MailboxItem {
        path,
        index,
        offset,
        bytes,
        flags,
    } = item;
    let size = bytes.as_ref().map_or(0, |b| b.len() as u64);
    let name = format!("{}#{index}", path.display());
    let mut rendered = None;
    let result = bytes.and_then(|bytes| {
        let limit = options.limits.max_message_bytes;
        if bytes.len() > limit {
            return Err(crate::Error::TooLarge {
                size: bytes.len(),
                limit,
            }
            .to_string());
        }
        catch_unwind(AssertUnwindSafe(|| {
            Source::from_bytes(&name, bytes)
                .and_then(|source| {
                    let report = crate::analyze(&source, options)?;
                    rendered = page.map(|render| render(&report, &source));
                    Ok(report)
                })
                .map_err(|e| e.to_string())
        }))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("internal error while analysing: {what}"))
        })
    });
    Record {
        path,
        index,
        offset,
        flags,
        size,
        result,
        json: None,
        page: rendered,
    }
}

/// A chunk is closed at this many messages...
pub const CHUNK_ITEMS: usize = 32;
/// ... or once it holds this many bytes of messages.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Consecutive items, the first with sequence number `.0`.
type Chunk<T> = (usize, Vec<T>);

/// Analyse every item on `config.jobs` threads and give each record to `each`, in input order.
///
/// Returns the first error `each` returned (after stopping the reader and the workers), or
/// `Ok(n)`, the number of records delivered (= the number of items).
pub fn run<I, F>(items: I, config: &Config, mut each: F) -> io::Result<usize>
where
    I: Iterator<Item = MailboxItem> + Send,
    F: FnMut(Record) -> io::Result<()>,
{
    let jobs = config.jobs.max(1);
    let window = if config.window == 0 {
        4 * jobs
    } else {
        config.window.max(jobs)
    };
    let stop = AtomicBool::new(false);
    // a ticket per chunk in flight: the reader takes one before sending a chunk to the
    // workers, the consumer gives it back once that chunk has been delivered
    let (ticket_tx, ticket_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        let _ = ticket_tx.send(());
    }
    let (work_tx, work_rx) = sync_channel::<Chunk<MailboxItem>>(jobs);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = sync_channel::<Chunk<Record>>(window);

    thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            let send = |chunk: Chunk<MailboxItem>| {
                ticket_rx.recv().is_ok()
                    && !stop.load(Ordering::Relaxed)
                    && work_tx.send(chunk).is_ok()
            };
            let mut chunk: Chunk<MailboxItem> = (0, Vec::with_capacity(CHUNK_ITEMS));
            let mut bytes = 0;
            for (seq, item) in items.enumerate() {
                if chunk.1.is_empty() {
                    chunk.0 = seq;
                }
                bytes += item.bytes.as_ref().map_or(0, Vec::len);
                chunk.1.push(item);
                if chunk.1.len() >= CHUNK_ITEMS || bytes >= CHUNK_BYTES {
                    let full = std::mem::replace(&mut chunk, (0, Vec::with_capacity(CHUNK_ITEMS)));
                    bytes = 0;
                    if !send(full) {
                        return;
                    }
                }
            }
            if !chunk.1.is_empty() {
                send(chunk);
            }
        });
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            let options = match &config.shared_dns {
                Some(shared) => Options {
                    dns: Arc::new(shared.worker()),
                    ..config.options.clone()
                },
                None => config.options.clone(),
            };
            let (json_lines, page) = (config.json_lines, config.page);
            scope.spawn(move || worker(work_rx, &done_tx, &options, json_lines, page, stop));
        }
        drop(done_tx);
        let result = deliver(&done_rx, &ticket_tx, &mut each);
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        // unblock everyone: no more tickets, no more results taken
        drop(ticket_tx);
        drop(done_rx);
        result
    })
}

fn worker(
    work_rx: &Mutex<Receiver<Chunk<MailboxItem>>>,
    done_tx: &std::sync::mpsc::SyncSender<Chunk<Record>>,
    options: &Options,
    json_lines: bool,
    page: Option<PageRenderer>,
    stop: &AtomicBool,
) {
    loop {
        let next = match work_rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((first, items)) = next else { return };
        // once stopped, keep taking (and dropping) work until the reader has gone, so that it
        // can never block on a full queue nobody reads
        if stop.load(Ordering::Relaxed) {
            continue;
        }
        let records = items
            .into_iter()
            .map(|item| {
                let mut record = analyze_item_with(item, options, page);
                if json_lines {
                    record.json = Some(write::json_line(&record));
                }
                record
            })
            .collect();
        if done_tx.send((first, records)).is_err() {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

fn deliver<F>(
    done_rx: &Receiver<Chunk<Record>>,
    ticket_tx: &std::sync::mpsc::SyncSender<()>,
    each: &mut F,
) -> io::Result<usize>
where
    F: FnMut(Record) -> io::Result<()>,
{
    let mut next = 0usize;
    let mut pending: BTreeMap<usize, Vec<Record>> = BTreeMap::new();
    for (first, records) in done_rx.iter() {
        pending.insert(first, records);
        while let Some(records) = pending.remove(&next) {
            next += records.len();
            for record in records {
                each(record)?;
            }
            let _ = ticket_tx.try_send(());
        }
    }
    // every worker is gone: anything left here would be a gap (cannot happen unless a worker
    // died); deliver it anyway, in order, so nothing is lost
    for (_, records) in std::mem::take(&mut pending) {
        next += records.len();
        for record in records {
            each(record)?;
        }
    }
    Ok(next)
}
