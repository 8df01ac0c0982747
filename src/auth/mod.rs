//! Authentication, re-verified: DKIM (header signature and body hash judged apart, as of
//! arrival), ARC, SPF for the boundary IP, DMARC alignment, and the receivers' claims beside them.
//!
//! Every DNS answer comes through [`dns::Dns`]: zone files, a live server, or nothing (offline).
//! This module never reads the wall clock: times come from the hop chain and `Options::now`.
//! mail-auth is used for record parsers, canonicalization and crypto only; no mail-auth type
//! leaves this module.

pub mod arc;
pub mod claims;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod spf;

use serde::Serialize;

/// Result words of RFC 8601 (Authentication-Results), shared by every method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthResult {
    /// Nothing to evaluate (no signature, no record, no chain).
    None,
    /// Verified.
    Pass,
    /// Verified to be wrong.
    Fail,
    /// SPF: the domain says the IP is probably not allowed.
    Softfail,
    /// Neutral: the domain makes no assertion, or the signature could not be judged.
    Neutral,
    /// A transient error (DNS timeout): try again later.
    Temperror,
    /// A permanent error in a record or signature.
    Permerror,
    /// A local policy decision (e.g. a weak key refused).
    Policy,
}

impl AuthResult {
    /// The RFC 8601 word.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthResult::None => "none",
            AuthResult::Pass => "pass",
            AuthResult::Fail => "fail",
            AuthResult::Softfail => "softfail",
            AuthResult::Neutral => "neutral",
            AuthResult::Temperror => "temperror",
            AuthResult::Permerror => "permerror",
            AuthResult::Policy => "policy",
        }
    }

    /// Read an RFC 8601 word (case-insensitive); `hardfail` is read as fail.
    pub fn parse(word: &str) -> Option<AuthResult> {
        Some(match word.to_ascii_lowercase().as_str() {
            "none" => AuthResult::None,
            "pass" => AuthResult::Pass,
            "fail" | "hardfail" => AuthResult::Fail,
            "softfail" => AuthResult::Softfail,
            "neutral" => AuthResult::Neutral,
            "temperror" => AuthResult::Temperror,
            "permerror" => AuthResult::Permerror,
            "policy" => AuthResult::Policy,
            _ => return None,
        })
    }
}
