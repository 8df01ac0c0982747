//! mailtrace: email header forensics.
//!
//! The library is the product: [`analyze`] takes one [`Source`] and [`Options`] and returns a
//! [`Report`]. Stages, each one input type to one output type:
//! `input` (bytes -> Source) -> `parse` (Source -> ParsedMessage; the only place that touches
//! mail-parser) -> `hops` (Received -> Hop chain, delays, boundary) -> `auth` (DKIM, ARC, SPF, DMARC re-verified,
//! claims beside them) -> `diagnose` (rules ->
//! findings) -> `report` (the one serialisable Report) -> `render` (text, json, markdown).
//!
//! The library never reads the clock or the network by itself.

pub mod auth;
pub mod diagnose;
pub mod error;
pub mod hops;
pub mod input;
pub mod options;
pub mod parse;
pub mod render;
pub mod report;
pub mod reports;
pub mod text;
pub mod timing;
pub mod verdicts;

pub use error::{Error, Result};
pub use input::Source;
pub use options::Options;
pub use report::Report;

/// Analyse one message.
pub fn analyze(source: &Source, options: &Options) -> Result<Report> {
    let parsed = parse::parse(source)?;
    let chain = hops::build_chain(&parsed, options);
    let auth = auth::run(source, &parsed, &chain, options);
    let findings = diagnose::run(&diagnose::Context {
        source,
        parsed: &parsed,
        chain: &chain,
        auth: &auth,
        options,
    });
    let dns = options.dns.take_log();
    Ok(report::build(source, &parsed, &chain, auth, findings, dns))
}
