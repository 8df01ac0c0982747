//! The rules of DKIM keys, MTA-STS, TLS-RPT and BIMI as `mailtrace domain` sees them
//! (DOM030 to DOM059: DKIM DOM030-039, MTA-STS DOM040-049, TLS-RPT and BIMI DOM050-059).
//! One rule, one file; the findings are pushed by [`crate::domain::dkim`] and
//! [`crate::domain::mta_sts`]. This module only declares: it looks at nothing.

use crate::diagnose::Rule;

pub mod bimi_logo_not_https;
pub mod bimi_record_invalid;
pub mod bimi_without_certificate;
pub mod dkim_key_below_2048_bits;
pub mod dkim_key_in_testing_mode;
pub mod dkim_key_not_for_email;
pub mod dkim_key_record_invalid;
pub mod dkim_key_restricted_to_sha1;
pub mod dkim_key_too_short;
pub mod dkim_key_type_unknown;
pub mod dkim_selector_not_found;
pub mod dkim_selector_revoked;
pub mod mta_sts_in_testing_mode;
pub mod mta_sts_max_age_short;
pub mod mta_sts_max_age_too_long;
pub mod mta_sts_mode_none;
pub mod mta_sts_mx_not_covered;
pub mod mta_sts_policy_invalid;
pub mod mta_sts_policy_unavailable;
pub mod mta_sts_record_invalid;
pub mod mta_sts_several_records;
pub mod mta_sts_without_tls_rpt;
pub mod tls_rpt_record_invalid;

/// The rules of this group, by code.
pub static RULES: &[&Rule] = &[
    &dkim_selector_not_found::RULE,
    &dkim_selector_revoked::RULE,
    &dkim_key_too_short::RULE,
    &dkim_key_below_2048_bits::RULE,
    &dkim_key_in_testing_mode::RULE,
    &dkim_key_record_invalid::RULE,
    &dkim_key_type_unknown::RULE,
    &dkim_key_not_for_email::RULE,
    &dkim_key_restricted_to_sha1::RULE,
    &mta_sts_record_invalid::RULE,
    &mta_sts_several_records::RULE,
    &mta_sts_policy_unavailable::RULE,
    &mta_sts_policy_invalid::RULE,
    &mta_sts_mx_not_covered::RULE,
    &mta_sts_in_testing_mode::RULE,
    &mta_sts_mode_none::RULE,
    &mta_sts_max_age_short::RULE,
    &mta_sts_max_age_too_long::RULE,
    &mta_sts_without_tls_rpt::RULE,
    &tls_rpt_record_invalid::RULE,
    &bimi_record_invalid::RULE,
    &bimi_logo_not_https::RULE,
    &bimi_without_certificate::RULE,
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::RULES;

    #[test]
    fn codes_names_and_pages() {
        assert!(RULES.len() >= 10);
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        let mut last = "";
        for r in RULES {
            assert!(codes.insert(r.code), "duplicate code {}", r.code);
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            let n: u32 = r.code.strip_prefix("DOM").unwrap().parse().unwrap();
            assert!((30..=59).contains(&n), "{} outside DOM030-059", r.code);
            assert!(r.code > last, "{} out of order", r.code);
            last = r.code;
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                r.name
            );
            assert!(!r.summary.ends_with('.'), "{}", r.code);
            // Unique across every rule of mailtrace, and found by `explain`.
            assert_eq!(
                crate::diagnose::all_rules()
                    .filter(|x| x.code == r.code || x.name == r.name)
                    .count(),
                1,
                "{} {} clashes with another rule",
                r.code,
                r.name
            );
            assert_eq!(
                crate::diagnose::lookup(r.name).map(|x| x.code),
                Some(r.code)
            );
            let page = r.page();
            for section in [
                "## What it means",
                "## Why it matters",
                "## Example",
                "## What to do",
                "## References",
            ] {
                assert!(page.contains(section), "{}: missing {section}", r.code);
            }
            assert!(page.contains("RFC"), "{}: no RFC", r.code);
            assert!(page.len() > 400, "{}: page too short", r.code);
        }
    }
}
