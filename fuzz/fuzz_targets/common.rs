//! Shared by the fuzz targets: the analysis options (offline, the samples' zone, a fixed now).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::{TimeZone, Utc};
use mailtrace::Options;
use mailtrace::auth::dns::DnsSettings;

pub fn options() -> &'static Options {
    static OPTIONS: OnceLock<Options> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let zone = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/dns.zone");
        let dns = DnsSettings {
            zones: vec![zone],
            offline: true,
            ..Default::default()
        }
        .build()
        .expect("samples/dns.zone loads");
        Options {
            now: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
            dns: Arc::new(dns),
            ..Options::default()
        }
    })
}
