//! The rule registry: every rule, one file each. Order here is the order of `mailtrace rules`.

pub mod greylisting;
pub mod hop_chain_broken;
pub mod hop_clock_skew;
pub mod hop_date_unparseable;
pub mod hop_delay;
pub mod hop_unparseable;
pub mod input_headers_only;
pub mod input_paste_repaired;
pub mod no_received_headers;

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
];
