//! Authentication-Results, ARC-Authentication-Results and Received-SPF as servers write them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailtrace::parse::HeaderField;

fuzz_target!(|text: &str| {
    let headers: Vec<HeaderField> = [
        "Authentication-Results",
        "ARC-Authentication-Results",
        "Received-SPF",
    ]
    .iter()
    .map(|name| HeaderField {
        name: name.to_string(),
        value: text.to_string(),
        span: 0..0,
    })
    .collect();
    let _ = mailtrace::auth::claims::parse_claims(&headers);
});
