//! `mailtrace serve`: a local page to paste headers or a whole message (or drop an .eml file)
//! and see the same report as `--format html`, plus a JSON endpoint returning `--format json`.
//!
//! STUB (being written): the interface below is fixed; the body is a placeholder.

use std::net::SocketAddr;

use crate::Options;

/// How to serve.
#[derive(Clone)]
pub struct ServeConfig {
    /// Where to listen (127.0.0.1:8025 by default in the command).
    pub listen: SocketAddr,
    /// The analysis options of every request (DNS, trust hosts, offline...).
    pub options: Options,
    /// Largest request body accepted, in bytes.
    pub max_request_bytes: usize,
}

/// Serve until Ctrl-C. Prints the address it listens on (and a warning when it is not a
/// loopback address) to stderr.
pub fn run(config: ServeConfig) -> std::io::Result<()> {
    let _ = config;
    Err(std::io::Error::other("serve: not written yet"))
}
