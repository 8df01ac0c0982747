//! The findings of `mailtrace domain`: rules like the message rules (a code, a name, a
//! severity and a teaching page, found by `mailtrace explain`), family `DOM`. They have no
//! message check ([`crate::diagnose::no_check`]): the domain checks push their findings with
//! [`crate::diagnose::Rule::finding`]. One rule, one file, as for message rules.

use crate::diagnose::Rule;

pub mod policies;
pub mod records;

/// Every domain rule: MX, SPF and DMARC ([`records`], DOM001 to DOM029), then DKIM, MTA-STS,
/// TLS-RPT and BIMI ([`policies`], DOM030 to DOM059).
pub fn all() -> impl Iterator<Item = &'static Rule> {
    records::RULES.iter().chain(policies::RULES.iter()).copied()
}
