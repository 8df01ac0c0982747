//! mailtrace: email header forensics.
//!
//! The library is the product: [`analyze`] takes one [`Source`] and [`Options`] and returns a
//! [`Report`]. Stages, each one input type to one output type:
//! `input` (bytes -> Source) -> `parse` (Source -> ParsedMessage; the only place that touches
//! mail-parser) -> `hops` (Received -> Hop chain, delays, boundary) -> `auth` (DKIM, ARC, SPF, DMARC re-verified,
//! claims beside them) -> `diagnose` (rules ->
//! findings) -> `report` (the one serialisable Report) -> `render` (text, json, markdown, html).
//! `batch` drives the analysis over mailboxes; `serve` is the local web page.
//!
//! The library never reads the clock or the network by itself.

pub mod auth;
pub mod batch;
pub mod diagnose;
pub mod domain;
pub mod error;
pub mod hops;
pub mod input;
pub mod options;
pub mod parse;
pub mod render;
pub mod report;
pub mod reports;
pub mod serve;
pub mod text;
pub mod timing;
pub mod verdicts;

pub use error::{Error, Result};
pub use input::Source;
pub use options::Options;
pub use report::Report;

/// Analyse one message.
///
/// The input limits of `options.limits` refuse a message ([`Error::TooLarge`],
/// [`Error::TooManyHeaders`], [`Error::HeaderTooLong`]); the others leave part of it unchecked
/// and say so in [`Report::limits`]. The DNS budget starts afresh here, once per message (a
/// returned original inside a bounce shares its message's budget).
pub fn analyze(source: &Source, options: &Options) -> Result<Report> {
    let limits = &options.limits;
    if source.original.len() > limits.max_message_bytes {
        return Err(Error::TooLarge {
            size: source.original.len(),
            limit: limits.max_message_bytes,
        });
    }
    options.dns.begin(auth::dns::DnsBudget {
        max_lookups: limits.max_dns_lookups,
        time: limits.dns_time_budget,
    });
    analyze_nested(source, options, 0)
}

/// The limits one analysis reached, besides the DNS budget.
fn limits_reached(
    parsed: &parse::ParsedMessage,
    auth: &auth::AuthOutcome,
    reports: &reports::Reports,
    limits: &options::Limits,
) -> Vec<report::LimitReached> {
    use report::LimitReached;
    let mut reached = Vec::new();
    let signatures = parsed.fields("DKIM-Signature").count();
    if signatures > limits.max_dkim_signatures {
        reached.push(LimitReached::new(
            "max-dkim-signatures",
            format_args!(
                "{signatures} DKIM signatures: the first {} verified, {} not checked",
                limits.max_dkim_signatures,
                signatures - limits.max_dkim_signatures
            ),
        ));
    }
    let instances = auth.arc.instances.len();
    let skipped = auth
        .arc
        .instances
        .iter()
        .filter(|i| {
            i.reason
                .as_deref()
                .is_some_and(|r| r.starts_with("not checked"))
        })
        .count();
    if skipped > 0 {
        reached.push(LimitReached::new(
            "max-arc-instances",
            format_args!(
                "{instances} ARC instances: the newest {} verified, instances 1-{skipped} not checked",
                instances - skipped
            ),
        ));
    }
    if let Some(depth) = reports.mime_depth_limited {
        reached.push(LimitReached::new(
            "max-mime-depth",
            format_args!("MIME parts nested more than {depth} levels deep were not read"),
        ));
    }
    reached
}

/// What the message's DNS budget left out.
fn dns_limits_reached(dns: &auth::dns::Dns, limits: &options::Limits) -> Vec<report::LimitReached> {
    let spent = dns.spent();
    let mut reached = Vec::new();
    if spent.refused_lookups > 0 {
        reached.push(report::LimitReached::new(
            "max-dns-lookups",
            format_args!(
                "DNS lookup limit of {} per message reached: {} further lookups not made",
                limits.max_dns_lookups, spent.refused_lookups
            ),
        ));
    }
    if spent.refused_time > 0 {
        reached.push(report::LimitReached::new(
            "dns-time-budget",
            format_args!(
                "DNS time budget of {} spent: {} further lookups not made",
                auth::dns::seconds(limits.dns_time_budget),
                spent.refused_time
            ),
        ));
    }
    reached
}

/// How deep originals inside bounces inside bounces are analysed.
const MAX_NESTING: usize = 3;

fn analyze_nested(source: &Source, options: &Options, depth: usize) -> Result<Report> {
    let parsed = parse::parse_with(source, &options.limits)?;
    let chain = hops::build_chain(&parsed, options);
    let auth = auth::run(source, &parsed, &chain, options);
    let reports = reports::extract_limited(&source.message, &parsed, options.limits.max_mime_depth);
    let mut limits = limits_reached(&parsed, &auth, &reports, &options.limits);
    let mut verdicts = verdicts::decode(&parsed.headers);
    for verdict in &mut verdicts {
        verdict.hop = parsed
            .headers
            .get(verdict.header_index)
            .and_then(|h| chain.hop_below(h.span.start))
            // Microsoft 365 writes its filter headers under the message's own, below every
            // Received field: they belong to its inbound protection servers
            .or_else(|| {
                (verdict.vendor == "microsoft")
                    .then(|| {
                        chain.hops.iter().rev().find(|h| {
                            h.fields.by_host.as_deref().is_some_and(|b| {
                                b.to_ascii_lowercase().contains("protection.outlook.com")
                            })
                        })
                    })?
                    .map(|h| h.index)
            });
    }
    let time = timing::analyze(&parsed, &chain, &auth, options);
    let findings = diagnose::run(&diagnose::Context {
        source,
        parsed: &parsed,
        chain: &chain,
        auth: &auth,
        reports: &reports,
        verdicts: &verdicts,
        time: &time,
        options,
    });
    let dns = options.dns.take_log();
    if depth == 0 {
        limits.extend(dns_limits_reached(&options.dns, &options.limits));
    }
    // the original message returned inside a bounce or a feedback report, with the same engine
    let (original, original_error) = match &reports.original {
        Some(bytes) if depth < MAX_NESTING => {
            let name = format!("{} (returned original)", source.name);
            match Source::from_bytes(&name, bytes.clone())
                .and_then(|inner| analyze_nested(&inner, options, depth + 1))
            {
                Ok(report) => (Some(Box::new(report)), None),
                Err(e) => (None, Some(e.to_string())),
            }
        }
        Some(_) => (
            None,
            Some(format!(
                "not analysed: more than {MAX_NESTING} reports nested"
            )),
        ),
        None => (None, None),
    };
    Ok(report::build(report::Parts {
        source,
        parsed: &parsed,
        chain: &chain,
        auth,
        reports: reports.entries,
        verdicts,
        time,
        findings,
        dns,
        limits,
        original,
        original_error,
    }))
}
