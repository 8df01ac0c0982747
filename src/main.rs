//! The `mailtrace` command: turns arguments into `Options`, calls the library, renders.
//! No analysis happens here.

use std::io::{IsTerminal, Read, Write};

/// mimalloc: the analysis makes many small, short-lived allocations on several threads, where
/// glibc's allocator cost 15 % of a batch run (docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use mailtrace::auth::dns;
use mailtrace::batch;
use mailtrace::diagnose::{Rule, Severity, all_rules, lookup};
use mailtrace::input::mailbox::{self, MailboxFormat};
use mailtrace::options::Limits;
use mailtrace::render::{self, TextStyle, Width};
use mailtrace::{Options, Report, Source};

#[derive(Parser)]
#[command(
    name = "mailtrace",
    version,
    about = "Email header forensics: the journey of a message, hop by hop, and what went wrong",
    args_conflicts_with_subcommands = true,
    after_help = "With no subcommand, mailtrace analyzes: `mailtrace message.eml`, `cat message.eml | mailtrace`."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    analyze: AnalyzeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse messages (the default): hops, delays, trust boundary, findings.
    Analyze(AnalyzeArgs),
    /// Analyse every message of mailboxes (mbox, Maildir, folders of .eml) in parallel.
    Batch(BatchArgs),
    /// Check a domain's mail setup: MX, SPF, DMARC, DKIM, MTA-STS, TLS-RPT, BIMI, explained.
    Domain(DomainArgs),
    /// A local web page: paste headers or a message (or drop an .eml) and see the report;
    /// POST /api/analyze answers the JSON report.
    Serve(ServeArgs),
    /// List every finding rule.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print the teaching page of a finding rule.
    Explain {
        /// A rule code (HOP001) or name (hop-clock-skew).
        rule: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

#[derive(Args, Clone)]
struct AnalyzeArgs {
    /// Message files (.eml or pasted text); `-` or none reads standard input.
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Colour in text output (auto honours NO_COLOR and whether stdout is a terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// The "now" used for time judgements, RFC 3339 (e.g. 2025-03-11T10:00:00Z); default: the clock.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<DateTime<Utc>>,
    /// A host or domain suffix of the recipient's own infrastructure (repeatable).
    #[arg(long, value_name = "HOST")]
    trust: Vec<String>,
    /// Exit with 1 when a finding at or above this severity is present.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
    /// Report hops slower than this many seconds (hop-delay).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    delay_threshold: i64,
    /// Print each finding's teaching page under it (text and markdown).
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    dns: DnsArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Args, Clone)]
struct DomainArgs {
    /// The domain (e.g. example.com). With --from-message, may be left out.
    domain: Option<String>,
    /// Check the sender domains of this message instead (From, envelope sender, DKIM d=).
    #[arg(long, value_name = "FILE")]
    from_message: Option<PathBuf>,
    /// A DKIM selector to look up (repeatable).
    #[arg(long, value_name = "SELECTOR")]
    selector: Vec<String>,
    /// Also try commonly used DKIM selectors.
    #[arg(long)]
    probe_selectors: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DomainFormat::Text)]
    format: DomainFormat,
    /// Exit with 1 when a finding at or above this severity is present.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
    /// The "now" for the message of --from-message (RFC 3339); default: the clock.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<DateTime<Utc>>,
    #[command(flatten)]
    dns: DnsArgs,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum DomainFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on. Anything but loopback lets others on the network submit mail
    /// (and have DNS looked up on their behalf): a warning says so.
    #[arg(long, value_name = "ADDR", default_value_t = mailtrace::serve::DEFAULT_LISTEN)]
    listen: std::net::SocketAddr,
    /// A host name the page may be reached by besides its address (repeatable); other names
    /// are refused, against DNS rebinding.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_host: Vec<String>,
    /// Largest request accepted, in bytes (default: 10 MiB).
    #[arg(long, value_name = "BYTES")]
    max_request_bytes: Option<usize>,
    /// The "now" of every analysis, RFC 3339; default: the clock at each request.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<DateTime<Utc>>,
    /// A host or domain suffix of the recipient's own infrastructure (repeatable).
    #[arg(long, value_name = "HOST")]
    trust: Vec<String>,
    /// Report hops slower than this many seconds (hop-delay).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    delay_threshold: i64,
    #[command(flatten)]
    dns: DnsArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Where DNS answers come from.
#[derive(Args, Clone)]
struct DnsArgs {
    /// A zone file (RFC 1035) answering before live DNS (repeatable).
    #[arg(long = "dns-zone", value_name = "FILE")]
    dns_zone: Vec<PathBuf>,
    /// No network at all: names in no zone file are "not found (offline)".
    #[arg(long)]
    offline: bool,
    /// Ask this DNS server (IP[:PORT]) instead of the system's.
    #[arg(long = "dns-server", value_name = "IP[:PORT]", value_parser = dns::parse_server)]
    dns_server: Option<std::net::SocketAddr>,
    /// Seconds to wait for one DNS answer.
    #[arg(long = "dns-timeout", value_name = "SECONDS", default_value_t = 3.0)]
    dns_timeout: f64,
    /// Write every DNS answer used to this zone file, to replay the analysis offline later.
    #[arg(long = "save-dns", value_name = "FILE")]
    save_dns: Option<PathBuf>,
}

impl DnsArgs {
    fn settings(&self) -> Result<dns::DnsSettings> {
        if !(self.dns_timeout.is_finite() && self.dns_timeout > 0.0 && self.dns_timeout <= 300.0) {
            return Err(anyhow!("--dns-timeout must be between 0 and 300 seconds"));
        }
        Ok(dns::DnsSettings {
            zones: self.dns_zone.clone(),
            offline: self.offline,
            server: self.dns_server,
            timeout: Some(std::time::Duration::from_secs_f64(self.dns_timeout)),
        })
    }

    fn build(&self) -> Result<dns::Dns> {
        self.settings()?.build().map_err(|e| anyhow!("{e}"))
    }
}

/// How much work one message may cause (see `mailtrace::options::Limits` for why each
/// default). Input past the first three is refused with an error; past the others, what is
/// left unchecked is marked in the report and listed in its `limits`.
#[derive(Args, Clone)]
struct LimitArgs {
    /// Refuse messages larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_message_bytes)]
    max_message_bytes: usize,
    /// Refuse messages with more header fields than this.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_headers)]
    max_headers: usize,
    /// Refuse messages with a header field (folded lines together) longer than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_header_line_bytes)]
    max_header_line_bytes: usize,
    /// Read bounce and report MIME parts at most this many multipart levels deep.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_mime_depth)]
    max_mime_depth: usize,
    /// Verify at most this many DKIM signatures per message (top to bottom).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_dkim_signatures)]
    max_dkim_signatures: usize,
    /// Verify at most this many ARC instances per message (the newest).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_arc_instances)]
    max_arc_instances: usize,
    /// Make at most this many DNS lookups per message (cached answers are free).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_dns_lookups)]
    max_dns_lookups: usize,
    /// Seconds of DNS lookups one message may use in all; past it lookups fail at once.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().dns_time_budget.as_secs_f64())]
    dns_time_budget: f64,
}

impl LimitArgs {
    fn limits(&self) -> Result<Limits> {
        if !(self.dns_time_budget.is_finite() && self.dns_time_budget >= 0.0) {
            return Err(anyhow!(
                "--dns-time-budget must be a number of seconds, 0 or more"
            ));
        }
        Ok(Limits {
            max_message_bytes: self.max_message_bytes,
            max_headers: self.max_headers,
            max_header_line_bytes: self.max_header_line_bytes,
            max_mime_depth: self.max_mime_depth,
            max_dkim_signatures: self.max_dkim_signatures,
            max_arc_instances: self.max_arc_instances,
            max_dns_lookups: self.max_dns_lookups,
            dns_time_budget: std::time::Duration::try_from_secs_f64(self.dns_time_budget)
                .unwrap_or(std::time::Duration::MAX),
        })
    }
}

#[derive(Args, Clone)]
struct BatchArgs {
    /// Mailboxes: mbox files (.mbox, .mbox.gz), Maildir folders, folders of .eml files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Force the mailbox format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<InputFormat>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchFormat::Jsonl)]
    format: BatchFormat,
    /// The directory to write for `--format html` (created; must be new or empty).
    #[arg(long, value_name = "DIR", required_if_eq("format", "html"))]
    out: Option<PathBuf>,
    /// Add totals (last JSON line, a text section, or on standard error for csv).
    #[arg(long)]
    summary: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Worker threads (default: the available parallelism).
    #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// The "now" used for time judgements, RFC 3339; default: the clock.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<DateTime<Utc>>,
    /// A host or domain suffix of the recipient's own infrastructure (repeatable).
    #[arg(long, value_name = "HOST")]
    trust: Vec<String>,
    /// Exit with 1 when a finding at or above this severity is present (2 wins when any
    /// message errored).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
    /// Report hops slower than this many seconds (hop-delay).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    delay_threshold: i64,
    #[command(flatten)]
    dns: DnsArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum InputFormat {
    Mbox,
    Maildir,
    Eml,
}

impl From<InputFormat> for MailboxFormat {
    fn from(f: InputFormat) -> MailboxFormat {
        match f {
            InputFormat::Mbox => MailboxFormat::Mbox,
            InputFormat::Maildir => MailboxFormat::Maildir,
            InputFormat::Eml => MailboxFormat::Eml,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum BatchFormat {
    Jsonl,
    Csv,
    Text,
    /// A directory (`--out`): index.html with the totals as charts, messages.html, and one
    /// page per message.
    Html,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Markdown,
    /// One self-contained page (no scripts, no external resources).
    Html,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Info,
    Warning,
    Error,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Info => Severity::Info,
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
        }
    }
}

fn parse_time(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2025-03-11T10:00:00Z ({e})"))
}

/// Write to stdout; a closed pipe ends the program quietly.
fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.context("cannot write to standard output"),
    }
}

fn read_input(path: &PathBuf, limit: usize) -> Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let name;
    if path.as_os_str() == "-" {
        name = "-".to_string();
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!(
                "Paste the message (or just its headers), then press Ctrl-D on an empty line."
            );
        }
        stdin
            .lock()
            .take(limit as u64 + 1)
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
    } else {
        name = path.display().to_string();
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        file.take(limit as u64 + 1)
            .read_to_end(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    if buf.len() > limit {
        return Err(anyhow!(
            "{name}: the input is over the limit of {limit} bytes (raise it with --max-message-bytes)"
        ));
    }
    Ok((name, buf))
}

fn analyze(args: AnalyzeArgs) -> Result<ExitCode> {
    let options = Options {
        now: Some(args.at.unwrap_or_else(Utc::now)),
        trust: args.trust.clone(),
        delay_threshold_secs: args.delay_threshold,
        limits: args.limits.limits()?,
        dns: std::sync::Arc::new(args.dns.build()?),
    };
    let mut dns_used = Vec::new();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    // a terminal wraps to its width; a pipe or file is not wrapped unless COLUMNS says so
    let width = match std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        Some(columns) => Width::Columns(columns),
        None if std::io::stdout().is_terminal() => Width::Terminal,
        None => Width::Unlimited,
    };
    let style = TextStyle {
        color,
        width,
        explain: args.explain,
    };
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let mut failed = false;
    let mut worst: Option<Severity> = None;
    let mut json_reports = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let analysed =
            read_input(path, options.limits.max_message_bytes).and_then(|(name, bytes)| {
                let source =
                    Source::from_bytes(&name, bytes).map_err(|e| anyhow!("{name}: {e}"))?;
                let report =
                    mailtrace::analyze(&source, &options).map_err(|e| anyhow!("{name}: {e}"))?;
                Ok((source, report))
            });
        let (source, report): (Source, Report) = match analysed {
            Ok(r) => r,
            Err(e) => {
                eprintln!("mailtrace: {e:#}");
                failed = true;
                continue;
            }
        };
        worst = worst.max(report.worst());
        dns_used.extend(report.all_dns());
        match args.format {
            Format::Text => {
                if i > 0 {
                    emit("\n")?;
                }
                emit(&render::text::render(&report, &style))?
            }
            Format::Markdown => {
                if i > 0 {
                    emit("\n")?;
                }
                emit(&render::markdown::render(&report, args.explain))?
            }
            Format::Json if files.len() == 1 => {
                emit(&render::json::render(&report))?;
                emit("\n")?;
            }
            Format::Json => json_reports.push(serde_json::to_value(&report)?),
            Format::Html if files.len() == 1 => emit(&render::html::render(
                &report,
                &source,
                &render::html::HtmlOptions {
                    explain: args.explain,
                    ..Default::default()
                },
            ))?,
            Format::Html => {
                return Err(anyhow!(
                    "--format html takes one message (for many, use `mailtrace batch --format html --out DIR`)"
                ));
            }
        }
    }
    if let Some(path) = &args.dns.save_dns {
        std::fs::write(path, dns::save_zone(&dns_used))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.format == Format::Json && files.len() > 1 {
        emit(&render::json::render_many(&json_reports))?;
        emit("\n")?;
    }
    if failed {
        return Ok(ExitCode::from(2));
    }
    if let (Some(fail_on), Some(worst)) = (args.fail_on, worst)
        && worst >= Severity::from(fail_on)
    {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Total size in bytes of the files under these paths (for the progress bar's ETA).
fn total_size(paths: &[PathBuf]) -> u64 {
    fn walk(path: &std::path::Path, depth: usize) -> u64 {
        let Ok(meta) = std::fs::metadata(path) else {
            return 0;
        };
        if meta.is_file() {
            return meta.len();
        }
        if !meta.is_dir() || depth > 32 {
            return 0;
        }
        std::fs::read_dir(path)
            .map(|entries| entries.flatten().map(|e| walk(&e.path(), depth + 1)).sum())
            .unwrap_or(0)
    }
    paths.iter().map(|p| walk(p, 0)).sum()
}

/// Ctrl-C in batch mode: the first one asks the run to stop after the record being written (so
/// the output ends on a whole line) and exits 130; a second one kills at once. Without this
/// (non-Unix), the default handler ends the process, which can only happen between or during
/// a record's single `write_all`.
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    static INTERRUPTED: AtomicBool = AtomicBool::new(false);

    pub fn requested() -> bool {
        INTERRUPTED.load(Ordering::Relaxed)
    }

    /// Ctrl-C (SIGINT on Unix, the console control handler on Windows, through the `ctrlc`
    /// crate): the first asks the batch to stop after the record being written; a second one
    /// ends the process at once (the lines written so far stay whole).
    pub fn install() {
        let _ = ctrlc::set_handler(|| {
            if INTERRUPTED.swap(true, Ordering::Relaxed) {
                std::process::exit(130);
            }
        });
    }
}

fn run_domain(args: DomainArgs) -> Result<ExitCode> {
    let settings = args.dns.settings()?;
    let dns = std::sync::Arc::new(settings.build().map_err(|e| anyhow!("{e}"))?);
    let mut domains: Vec<String> = args.domain.iter().cloned().collect();
    if let Some(path) = &args.from_message {
        let options = Options {
            now: Some(args.at.unwrap_or_else(Utc::now)),
            dns: std::sync::Arc::clone(&dns),
            ..Options::default()
        };
        let (name, bytes) = read_input(path, options.limits.max_message_bytes)?;
        let source = Source::from_bytes(&name, bytes).map_err(|e| anyhow!("{name}: {e}"))?;
        let report = mailtrace::analyze(&source, &options).map_err(|e| anyhow!("{name}: {e}"))?;
        dns.take_log();
        domains.extend(sender_domains(&report));
    }
    let mut seen = std::collections::HashSet::new();
    domains.retain(|d| seen.insert(dns::normalize_name(d)));
    if domains.is_empty() {
        return Err(anyhow!(
            "no domain to check: give one (mailtrace domain example.com) or --from-message FILE"
        ));
    }
    for d in &domains {
        if !mailtrace::domain::is_domain_name(d) {
            return Err(anyhow!("{d:?} is not a domain name"));
        }
    }
    let options = mailtrace::domain::DomainOptions {
        selectors: args.selector.clone(),
        probe_selectors: args.probe_selectors,
        offline: settings.offline,
    };
    let fetcher = mailtrace::domain::default_fetcher(settings.offline);
    let reports: Vec<mailtrace::domain::DomainReport> = domains
        .iter()
        .map(|d| mailtrace::domain::check(d, &options, &dns, fetcher.as_deref()))
        .collect();
    let mut out = String::new();
    match args.format {
        // one domain given: one object; --from-message: always an array
        DomainFormat::Json if args.from_message.is_none() && reports.len() == 1 => {
            out = serde_json::to_string_pretty(&reports[0])? + "\n";
        }
        DomainFormat::Json => out = serde_json::to_string_pretty(&reports)? + "\n",
        DomainFormat::Text => {
            for r in &reports {
                out.push_str(&render::domain::text(r));
            }
        }
        DomainFormat::Markdown => {
            for r in &reports {
                out.push_str(&render::domain::markdown(r));
            }
        }
    }
    emit(&out)?;
    if let Some(path) = &args.dns.save_dns {
        let used: Vec<dns::DnsUse> = reports.iter().flat_map(|r| r.dns.clone()).collect();
        std::fs::write(path, dns::save_zone(&used))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let worst = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(|f| f.severity))
        .max();
    if let (Some(fail_on), Some(worst)) = (args.fail_on, worst)
        && worst >= Severity::from(fail_on)
    {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The domains a message claims to come from: From, the envelope sender (SPF), DKIM d=.
fn sender_domains(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &report.dmarc {
        out.push(d.from_domain.clone());
    }
    if let Some(s) = &report.spf {
        out.push(s.domain.clone());
    }
    out.extend(report.dkim.iter().map(|d| d.domain.clone()));
    out.retain(|d| !d.is_empty());
    out
}

fn run_serve(args: ServeArgs) -> Result<ExitCode> {
    if args.dns.save_dns.is_some() {
        return Err(anyhow!(
            "--save-dns is not used by serve: each report lists its DNS answers (JSON `dns`)"
        ));
    }
    let options = Options {
        now: args.at,
        trust: args.trust.clone(),
        delay_threshold_secs: args.delay_threshold,
        limits: args.limits.limits()?,
        ..Options::default()
    };
    let mut config = mailtrace::serve::ServeConfig::new(args.listen, options, args.dns.settings()?);
    config.max_request_bytes = args
        .max_request_bytes
        .unwrap_or(mailtrace::serve::DEFAULT_MAX_REQUEST_BYTES);
    config.allowed_hosts = args.allow_host.clone();
    if args.at.is_none() {
        config.clock = Some(Utc::now);
    }
    mailtrace::serve::run(config).map_err(|e| anyhow!("serve: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn run_batch(args: BatchArgs) -> Result<ExitCode> {
    let shared =
        batch::SharedDns::from_settings(&args.dns.settings()?).map_err(|e| anyhow!("{e}"))?;
    let options = Options {
        now: Some(args.at.unwrap_or_else(Utc::now)),
        trust: args.trust.clone(),
        delay_threshold_secs: args.delay_threshold,
        limits: args.limits.limits()?,
        dns: std::sync::Arc::new(shared.worker()),
    };
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut config = batch::Config::new(options, jobs);
    config.shared_dns = Some(shared);
    config.json_lines = matches!(args.format, BatchFormat::Jsonl);
    if args.format == BatchFormat::Html {
        config.page = Some(|report, source| {
            render::html::render(
                report,
                source,
                &render::html::HtmlOptions {
                    back_link: Some("../messages.html".into()),
                    ..Default::default()
                },
            )
        });
    }

    let progress = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total_size(&args.paths));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let started = std::time::Instant::now();

    let stdout = std::io::stdout();
    let out = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut writer: Box<dyn batch::write::Writer> = match args.format {
        BatchFormat::Jsonl => Box::new(batch::write::JsonlWriter::new(out)),
        BatchFormat::Csv => Box::new(batch::write::CsvWriter::new(out)),
        BatchFormat::Text => Box::new(batch::write::TextWriter::new(out)),
        BatchFormat::Html => {
            let dir = args
                .out
                .as_deref()
                .context("--format html needs --out DIR")?;
            Box::new(
                batch::html::HtmlWriter::create(dir)
                    .with_context(|| format!("cannot write to {}", dir.display()))?,
            )
        }
    };
    let mut totals = batch::Totals::new();
    let mut worst: Option<Severity> = None;
    interrupt::install();

    let items = mailbox::open_with(
        &args.paths,
        args.input_format.map(MailboxFormat::from),
        &mailbox::OpenOptions {
            max_message_bytes: config.options.limits.max_message_bytes,
        },
    );
    // --save-dns: every distinct answer the run used (bounded by the distinct names asked)
    let save_dns = args.dns.save_dns.is_some();
    let mut dns_used: Vec<dns::DnsUse> = Vec::new();
    let result = batch::run(items, &config, |record| {
        if interrupt::requested() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted",
            ));
        }
        if let Some(e) = record.error() {
            eprintln!(
                "mailtrace: {} message {} (offset {}): {}",
                record.path.display(),
                record.index,
                record.offset,
                mailtrace::text::escape_terminal(e)
            );
        }
        worst = worst.max(record.report().and_then(Report::worst));
        if save_dns && let Some(report) = record.report() {
            for used in report.all_dns() {
                if !dns_used.contains(&used) {
                    dns_used.push(used);
                }
            }
        }
        totals.add(&record);
        if let Some(bar) = &progress {
            bar.inc(record.size);
            let secs = started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!("{:.0} msg/s", totals.messages() as f64 / secs));
        }
        writer.record(&record)
    });
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    match result {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            // best effort: what was written is whole lines
            return Ok(ExitCode::from(130));
        }
        Err(e) => return Err(anyhow!(e).context("cannot write to standard output")),
    }
    let summary = (args.summary || args.format == BatchFormat::Html).then(|| totals.summary());
    match writer.finish(summary.as_ref()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        other => other.context("cannot write to standard output")?,
    }
    if let (BatchFormat::Csv, Some(summary)) = (args.format, &summary) {
        eprint!("{}", batch::write::summary_text(summary));
    }
    if let Some(path) = &args.dns.save_dns {
        std::fs::write(path, dns::save_zone(&dns_used))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if totals.errored() > 0 {
        return Ok(ExitCode::from(2));
    }
    if let (Some(fail_on), Some(worst)) = (args.fail_on, worst)
        && worst >= Severity::from(fail_on)
    {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        None => analyze(cli.analyze),
        Some(Command::Analyze(args)) => analyze(args),
        Some(Command::Batch(args)) => run_batch(args),
        Some(Command::Serve(args)) => run_serve(args),
        Some(Command::Domain(args)) => run_domain(args),
        Some(Command::Rules { format }) => {
            let all: Vec<&Rule> = all_rules().collect();
            match format {
                ListFormat::Text => emit(&render::rules::list_text(&all))?,
                ListFormat::Json => emit(&(render::rules::list_json(&all) + "\n"))?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Explain { rule, format }) => {
            let Some(r) = lookup(&rule) else {
                return Err(anyhow!(
                    "no rule named {rule:?}: `mailtrace rules` lists them all"
                ));
            };
            match format {
                ListFormat::Text => emit(&render::rules::explain_text(r))?,
                ListFormat::Json => emit(&(render::rules::explain_json(r) + "\n"))?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mailtrace: {e:#}");
            ExitCode::from(2)
        }
    }
}
