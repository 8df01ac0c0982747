//! Input repair and extraction: any bytes either become a Source or a clear error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = mailtrace::Source::from_bytes("fuzz", data.to_vec()) {
        let _ = mailtrace::parse::parse(&source);
    }
});
