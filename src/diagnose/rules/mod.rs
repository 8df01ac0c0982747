//! The rule registry: every rule, one file each. Order here is the order of `mailtrace rules`.

pub mod arc_chain_broken;
pub mod arc_rescues_dmarc;
pub mod auth_claim_mismatch;
pub mod dkim_body_modified;
pub mod dkim_expired;
pub mod dkim_header_modified;
pub mod dkim_key_not_found;
pub mod dkim_key_revoked;
pub mod dkim_not_aligned;
pub mod dkim_unsigned_content;
pub mod dkim_weak_key;
pub mod dmarc_fail;
pub mod greylisting;
pub mod hop_chain_broken;
pub mod hop_clock_skew;
pub mod hop_date_unparseable;
pub mod hop_delay;
pub mod hop_unparseable;
pub mod input_headers_only;
pub mod input_paste_repaired;
pub mod multiple_from;
pub mod no_received_headers;
pub mod spf_fail;
pub mod spf_softfail;

use super::Rule;

/// Every rule.
pub static ALL: &[&Rule] = &[
    &input_paste_repaired::RULE,
    &input_headers_only::RULE,
    &hop_clock_skew::RULE,
    &hop_delay::RULE,
    &greylisting::RULE,
    &hop_date_unparseable::RULE,
    &hop_chain_broken::RULE,
    &hop_unparseable::RULE,
    &no_received_headers::RULE,
    &multiple_from::RULE,
    &dkim_body_modified::RULE,
    &dkim_header_modified::RULE,
    &dkim_key_not_found::RULE,
    &dkim_key_revoked::RULE,
    &dkim_expired::RULE,
    &dkim_weak_key::RULE,
    &dkim_unsigned_content::RULE,
    &dkim_not_aligned::RULE,
    &arc_chain_broken::RULE,
    &arc_rescues_dmarc::RULE,
    &spf_fail::RULE,
    &spf_softfail::RULE,
    &dmarc_fail::RULE,
    &auth_claim_mismatch::RULE,
];
