//! The rule registry: every rule, one file each. Order here is the order of `mailtrace rules`.

pub mod arc_chain_broken;
pub mod arc_rescues_dmarc;
pub mod auth_claim_mismatch;
pub mod auto_reply;
pub mod bounce;
pub mod date_in_future;
pub mod display_name_spoof;
pub mod dkim_body_modified;
pub mod dkim_expired;
pub mod dkim_from_not_oversigned;
pub mod dkim_header_modified;
pub mod dkim_key_not_found;
pub mod dkim_key_revoked;
pub mod dkim_not_aligned;
pub mod dkim_unsigned_content;
pub mod dkim_weak_key;
pub mod dmarc_fail;
pub mod dmarc_no_policy;
pub mod feedback_report;
pub mod from_without_address;
pub mod greylisting;
pub mod hop_chain_broken;
pub mod hop_clock_skew;
pub mod hop_date_unparseable;
pub mod hop_delay;
pub mod hop_forged_below_boundary;
pub mod hop_no_tls;
pub mod hop_private_origin;
pub mod hop_unparseable;
pub mod input_headers_only;
pub mod input_paste_repaired;
pub mod lookalike_domain;
pub mod missing_date;
pub mod missing_message_id;
pub mod multiple_from;
pub mod no_received_headers;
pub mod reply_to_divergent;
pub mod return_path_divergent;
pub mod spam_verdict;
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
    &missing_date::RULE,
    &missing_message_id::RULE,
    &date_in_future::RULE,
    &from_without_address::RULE,
    &reply_to_divergent::RULE,
    &return_path_divergent::RULE,
    &display_name_spoof::RULE,
    &lookalike_domain::RULE,
    &hop_private_origin::RULE,
    &hop_no_tls::RULE,
    &hop_forged_below_boundary::RULE,
    &dkim_from_not_oversigned::RULE,
    &dmarc_no_policy::RULE,
    &spam_verdict::RULE,
    &bounce::RULE,
    &auto_reply::RULE,
    &feedback_report::RULE,
];
