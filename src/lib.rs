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
pub fn analyze(source: &Source, options: &Options) -> Result<Report> {
    analyze_nested(source, options, 0)
}

/// How deep originals inside bounces inside bounces are analysed.
const MAX_NESTING: usize = 3;

fn analyze_nested(source: &Source, options: &Options, depth: usize) -> Result<Report> {
    let parsed = parse::parse(source)?;
    let chain = hops::build_chain(&parsed, options);
    let auth = auth::run(source, &parsed, &chain, options);
    let reports = reports::extract(&source.message, &parsed);
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
        original,
        original_error,
    }))
}
