//! The Received header parser (ours, with mail-parser's as second opinion) and the date parser.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = mailtrace::hops::received::parse_received(text);
    let _ = mailtrace::hops::date::parse_date_detailed(text);
    let _ = mailtrace::hops::date::find_date_in(text);
});
