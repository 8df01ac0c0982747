//! Bounces (RFC 3464 and MTA texts), auto-replies and feedback reports: the MIME walk and the
//! report readers, on whatever the input parses to.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = mailtrace::Source::from_bytes("fuzz", data.to_vec())
        && let Ok(parsed) = mailtrace::parse::parse(&source)
    {
        let _ = mailtrace::reports::extract(&source.message, &parsed);
    }
});
