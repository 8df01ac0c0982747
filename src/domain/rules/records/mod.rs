//! The rules of the records a domain publishes for mail: MX (DOM001 to DOM009), SPF (DOM010 to
//! DOM019) and DMARC (DOM020 to DOM029). They have no message check: [`crate::domain::mx`],
//! [`crate::domain::spf`] and [`crate::domain::dmarc`] push their findings.

use crate::diagnose::Rule;

pub mod dmarc_multiple_records;
pub mod dmarc_no_aggregate_reports;
pub mod dmarc_pct_partial;
pub mod dmarc_policy_none;
pub mod dmarc_record_missing;
pub mod dmarc_report_destination_unauthorized;
pub mod dmarc_subdomain_policy_none;
pub mod dmarc_syntax_error;
pub mod mx_implicit;
pub mod mx_no_mail_route;
pub mod mx_null;
pub mod mx_null_with_others;
pub mod mx_target_ip_literal;
pub mod mx_target_no_address;
pub mod record_lookup_failed;
pub mod spf_include_broken;
pub mod spf_multiple_records;
pub mod spf_neutral_all;
pub mod spf_no_all;
pub mod spf_pass_all;
pub mod spf_ptr_used;
pub mod spf_record_missing;
pub mod spf_syntax_error;
pub mod spf_too_many_lookups;
pub mod spf_too_many_void_lookups;

/// The rules of this group, by code.
pub static RULES: &[&Rule] = &[
    &mx_no_mail_route::RULE,
    &mx_null::RULE,
    &mx_target_ip_literal::RULE,
    &mx_target_no_address::RULE,
    &mx_null_with_others::RULE,
    &mx_implicit::RULE,
    &record_lookup_failed::RULE,
    &spf_record_missing::RULE,
    &spf_multiple_records::RULE,
    &spf_pass_all::RULE,
    &spf_neutral_all::RULE,
    &spf_no_all::RULE,
    &spf_ptr_used::RULE,
    &spf_too_many_lookups::RULE,
    &spf_too_many_void_lookups::RULE,
    &spf_syntax_error::RULE,
    &spf_include_broken::RULE,
    &dmarc_record_missing::RULE,
    &dmarc_multiple_records::RULE,
    &dmarc_syntax_error::RULE,
    &dmarc_policy_none::RULE,
    &dmarc_pct_partial::RULE,
    &dmarc_no_aggregate_reports::RULE,
    &dmarc_subdomain_policy_none::RULE,
    &dmarc_report_destination_unauthorized::RULE,
];
