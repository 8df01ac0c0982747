//! The whole analyze path: input repair, parsing, hops, authentication re-verified against the
//! samples' zone, reports, verdicts, timing, diagnosis, and every renderer of the report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailtrace::render;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let options = common::options();
    if let Ok(source) = mailtrace::Source::from_bytes("fuzz", data.to_vec()) {
        // the DNS log must not grow across runs
        let _ = options.dns.take_log();
        if let Ok(report) = mailtrace::analyze(&source, options) {
            let _ = render::json::render(&report);
            let _ = render::text::render(&report, &render::TextStyle::default());
            let _ = render::markdown::render(&report, true);
            let _ = render::html::render(&report, &source, &render::html::HtmlOptions::default());
        }
    }
});
