//! Zone files (--dns-zone): any text is loaded or refused with an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailtrace::auth::dns::{RecordType, ZoneResolver};

fuzz_target!(|text: &str| {
    let mut zones = ZoneResolver::new();
    if zones.load_str("fuzz.zone", text).is_ok() {
        for rtype in [RecordType::Txt, RecordType::A, RecordType::Mx] {
            let _ = zones.lookup("example.com", rtype);
        }
    }
});
