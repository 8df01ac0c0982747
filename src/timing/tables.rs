//! The two tables the delay causes rest on: content scanners recognised by host name or by
//! what they write in a Received field, and the retry steps of common MTAs.
//!
//! Both are data, kept here so that a reader can check and extend them without reading the
//! classifier. Every entry names where it comes from; a name that cannot be matched in a
//! Received field written by the product itself stays out.

use crate::hops::host::{matches_suffix, normalize};

/// A content-scanning service or filter.
#[derive(Debug)]
pub struct Scanner {
    /// The product, as the summary names it.
    pub product: &'static str,
    /// Host-name suffixes: a host equal to one or ending in `.suffix` is the product's.
    pub suffixes: &'static [&'static str],
    /// Prefixes of a host name's first label (`barracuda` matches `barracuda1.example.com`:
    /// the appliance is usually named after itself).
    pub label_prefixes: &'static [&'static str],
    /// Words the product writes in its own Received field (matched case-insensitively), such
    /// as Proofpoint's `(PPS)` after the receiving host.
    pub markers: &'static [&'static str],
}

/// Content scanners, network services first, then filters running on the receiving host.
///
/// | product | recognised by | seen in |
/// |---|---|---|
/// | Proofpoint | `*.pphosted.com`, `*.ppops.net`, `*.ppe-hosted.com` (Essentials), the filter's re-injection `from pps.filterd`, `by host (PPS)` | corpus `received/by-mta/proofpoint.txt` |
/// | Mimecast | `*.mimecast.com`, `*.mimecast.co.za`, `*.mimecast-offshore.com`, `*.mimecast.lan` (`relay.mimecast.com`, `us-smtp-inbound-*`, `*-smtp-delivery-*`) | corpus `received/by-mta/mimecast.txt` |
/// | Microsoft Exchange Online Protection / Defender for Office 365 | `*.protection.outlook.com` (the inbound edge `*.mail.protection.outlook.com` and the filtering front ends `*.eop-*.prod.protection.outlook.com`); Safe Attachments when `X-MS-Exchange-AtpMessageProperties` lists `SA` | corpus `phishing_pot` |
/// | Cisco Secure Email (IronPort) | `*.iphmx.com` | corpus `received/by-mta/cisco-ironport.txt` |
/// | Barracuda | `*.barracudanetworks.com`, `*.barracuda.com`, a first label starting `barracuda`, `(Spam Firewall)` | corpus `received/by-mta/barracuda.txt` |
/// | Broadcom Email Security.cloud (MessageLabs) | `*.messagelabs.com` | corpus `received-samples.jsonl` |
/// | Trend Micro Email Security | `*.trendmicro.com`, `*.trendmicro.eu` | vendor MX names (`*.tmes.trendmicro.com`) |
/// | Sophos Email | `*.hydra.sophos.com` | vendor MX names |
/// | Hornetsecurity | `*.antispameurope.com`, `*.hornetsecurity.com` | vendor MX names |
/// | Forcepoint Email Security | `*.mailcontrol.com` | vendor MX names |
/// | Trellix Email Security (FireEye) | `*.fireeyecloud.com` | vendor MX names |
/// | SpamExperts / Mail Assure | `*.antispamcloud.com` | vendor MX names |
/// | amavis (with SpamAssassin, ClamAV) | `amavisd-new` / `amavis` in the Received field of the filter's hop | corpus `received/by-mta/amavis-dkimproxy-filters.txt` |
/// | MailScanner, MIMEDefang | their names in a Received field | vendor documentation |
///
/// A filter that re-injects through the loopback interface without naming itself (amavis
/// after scanning, dkimproxy, a Postfix content_filter) is recognised by the shape instead:
/// see `causes::local_reinjection`.
pub const SCANNERS: &[Scanner] = &[
    Scanner {
        product: "Proofpoint",
        suffixes: &["pphosted.com", "ppops.net", "ppe-hosted.com", "pps.filterd"],
        label_prefixes: &[],
        markers: &["(pps)", "pps.filterd"],
    },
    Scanner {
        product: "Mimecast",
        suffixes: &[
            "mimecast.com",
            "mimecast.co.za",
            "mimecast-offshore.com",
            "mimecast.lan",
        ],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: MICROSOFT_EOP,
        suffixes: &["protection.outlook.com"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "Cisco Secure Email (IronPort)",
        suffixes: &["iphmx.com"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "Barracuda",
        suffixes: &["barracudanetworks.com", "barracuda.com"],
        label_prefixes: &["barracuda"],
        markers: &["(spam firewall)"],
    },
    Scanner {
        product: "Broadcom Email Security.cloud (MessageLabs)",
        suffixes: &["messagelabs.com"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "Trend Micro Email Security",
        suffixes: &["trendmicro.com", "trendmicro.eu"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "Sophos Email",
        suffixes: &["hydra.sophos.com"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "Hornetsecurity",
        suffixes: &["antispameurope.com", "hornetsecurity.com"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "Forcepoint Email Security",
        suffixes: &["mailcontrol.com"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "Trellix Email Security (FireEye)",
        suffixes: &["fireeyecloud.com"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "SpamExperts",
        suffixes: &["antispamcloud.com"],
        label_prefixes: &[],
        markers: &[],
    },
    Scanner {
        product: "amavis",
        suffixes: &[],
        label_prefixes: &[],
        markers: &["amavis"],
    },
    Scanner {
        product: "MailScanner",
        suffixes: &[],
        label_prefixes: &[],
        markers: &["mailscanner"],
    },
    Scanner {
        product: "MIMEDefang",
        suffixes: &[],
        label_prefixes: &[],
        markers: &["mimedefang"],
    },
];

/// The product name of Microsoft's filtering front ends.
pub const MICROSOFT_EOP: &str = "Exchange Online Protection";

/// The scanner a host name belongs to.
pub fn scanner_of_host(host: &str) -> Option<&'static Scanner> {
    let h = normalize(host);
    if h.is_empty() {
        return None;
    }
    let first = h.split('.').next().unwrap_or("");
    SCANNERS.iter().find(|s| {
        s.suffixes.iter().any(|suffix| matches_suffix(&h, suffix))
            || s.label_prefixes.iter().any(|p| first.starts_with(p))
    })
}

/// The scanner whose own words appear in a Received field.
pub fn scanner_of_text(raw: &str) -> Option<&'static Scanner> {
    let lower = raw.to_ascii_lowercase();
    SCANNERS
        .iter()
        .find(|s| s.markers.iter().any(|m| lower.contains(m)))
}

/// One step of a retry schedule: seconds after the first delivery attempt.
#[derive(Debug)]
pub struct RetryStep {
    /// When the retry happens, counted from the first attempt.
    pub seconds: i64,
    /// Whose schedule has this step, in words.
    pub schedules: &'static str,
}

/// Retry steps of common MTAs with their default settings, cumulative from the first attempt.
///
/// | MTA | default schedule | steps kept |
/// |---|---|---|
/// | Postfix | the back-off is the message's age, at least `minimal_backoff_time` (300 s) and at most `maximal_backoff_time` (4000 s), deferred mail scanned every `queue_run_delay` (300 s) | 5, 10, 20, 40, 80 min |
/// | Exim | `F,2h,15m; G,16h,1h,1.5; F,4d,6h`: every 15 min for 2 h, then 1 h growing by 1.5 | 15, 30 min, 1, 2, 3 h |
/// | qmail | remote retries at (20 n)² s after arrival | 6 min 40 s, 26 min 40 s, 1 h, 1 h 46 min 40 s, 2 h 46 min 40 s, 4 h |
/// | Sendmail | a queue run every `-q` interval (commonly 15, 30 or 60 min) | 15, 30 min, 1 h |
/// | Exchange Server | `TransientFailureRetryInterval` 5 min, `OutboundConnectionFailureRetryInterval` 10 min (Hub), `MessageRetryInterval` 15 min | 5, 10, 15 min |
///
/// Only these steps are kept: with every step of every schedule (Exim's quarter hours up to
/// 2 h, Postfix's jitter of up to one queue run), nearly any delay would "match" and the
/// word retry would say nothing. A delay that matches none is still the sender's queue.
pub const RETRY_STEPS: &[RetryStep] = &[
    RetryStep {
        seconds: 300,
        schedules: "Postfix's first retry (minimal_backoff_time, 5 min) and Exchange Server's transient-failure retry (5 min)",
    },
    RetryStep {
        seconds: 400,
        schedules: "qmail's first retry (6 min 40 s)",
    },
    RetryStep {
        seconds: 600,
        schedules: "Postfix's second retry (10 min) and Exchange Server's outbound-connection retry (10 min)",
    },
    RetryStep {
        seconds: 900,
        schedules: "Exim's first retry (every 15 min for 2 h), Exchange Server's message retry (15 min) and 15-min Sendmail queue runs",
    },
    RetryStep {
        seconds: 1200,
        schedules: "Postfix's third retry (20 min)",
    },
    RetryStep {
        seconds: 1600,
        schedules: "qmail's second retry (26 min 40 s)",
    },
    RetryStep {
        seconds: 1800,
        schedules: "Exim's second retry (30 min) and 30-min Sendmail queue runs",
    },
    RetryStep {
        seconds: 2400,
        schedules: "Postfix's fourth retry (40 min)",
    },
    RetryStep {
        seconds: 3600,
        schedules: "a retry after 1 h (Exim's fourth, qmail's third, hourly Sendmail queue runs)",
    },
    RetryStep {
        seconds: 4800,
        schedules: "Postfix's fifth retry (80 min)",
    },
    RetryStep {
        seconds: 6400,
        schedules: "qmail's fourth retry (1 h 46 min 40 s)",
    },
    RetryStep {
        seconds: 7200,
        schedules: "a retry after 2 h (the last of Exim's quarter-hourly retries)",
    },
    RetryStep {
        seconds: 10_000,
        schedules: "qmail's fifth retry (2 h 46 min 40 s)",
    },
    RetryStep {
        seconds: 10_800,
        schedules: "Exim's first retry after its quarter-hourly phase (3 h)",
    },
    RetryStep {
        seconds: 14_400,
        schedules: "a retry after 4 h (qmail's sixth)",
    },
];

/// The retry step a delay matches: from 30 s before the step (clocks) to 5 % or 90 s after it
/// (the attempt itself, a queue run that starts a little late), whichever is more.
pub fn retry_step(delay: i64) -> Option<&'static RetryStep> {
    RETRY_STEPS
        .iter()
        .find(|s| delay >= s.seconds - 30 && delay <= s.seconds + (s.seconds / 20).max(90))
}

/// The delay an `X-Greylist` header states: postgrey's `delayed N seconds by ...` or
/// milter-greylist's `Delayed for HH:MM:SS by ...` (hours may pass 99). None for the headers
/// that say nothing was delayed (`Sender IP whitelisted, not delayed by ...`, `inspected by`).
pub fn greylist_delay(value: &str) -> Option<i64> {
    let lower = value.to_ascii_lowercase();
    let start = lower.find("delayed")?;
    // "not delayed" says the opposite
    if lower[..start].trim_end().ends_with("not") {
        return None;
    }
    let rest = lower[start + "delayed".len()..].trim_start();
    if let Some(clock) = rest.strip_prefix("for") {
        // `for HH:MM:SS`: every part digits, minutes and seconds under 60
        let clock = clock.trim_start();
        let end = clock
            .find(|c: char| !c.is_ascii_digit() && c != ':')
            .unwrap_or(clock.len());
        let parts: Vec<i64> = clock[..end]
            .split(':')
            .map(|p| p.parse().ok().filter(|_| !p.is_empty() && p.len() <= 9))
            .collect::<Option<_>>()?;
        return match parts.as_slice() {
            [h, m, s] if *m < 60 && *s < 60 => Some(h * 3600 + m * 60 + s),
            [m, s] if *s < 60 => Some(m * 60 + s),
            _ => None,
        };
    }
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() > 12 {
        return None;
    }
    // `delayed 615 seconds`: a number with its unit, never a bare `delayed by`
    let unit = rest[digits.len()..].trim_start();
    unit.starts_with('s').then(|| digits.parse().ok()).flatten()
}

/// The greylisting software an `X-Greylist` header names.
pub fn greylist_product(value: &str) -> &'static str {
    let lower = value.to_ascii_lowercase();
    if lower.contains("postgrey") {
        "postgrey"
    } else if lower.contains("milter-greylist") {
        "milter-greylist"
    } else {
        "a greylisting filter"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanners_by_host_and_text() {
        let p = |h: &str| scanner_of_host(h).map(|s| s.product);
        assert_eq!(p("mx07-00096706.pphosted.com"), Some("Proofpoint"));
        assert_eq!(p("m0240467.ppops.net"), Some("Proofpoint"));
        assert_eq!(p("pps.filterd"), Some("Proofpoint"));
        assert_eq!(
            p("us-smtp-inbound-delivery-0.mimecast.com"),
            Some("Mimecast")
        );
        assert_eq!(p("za-smtp-delivery-146.mimecast.co.za"), Some("Mimecast"));
        assert_eq!(
            p("DM6NAM11FT012.mail.protection.outlook.com"),
            Some(MICROSOFT_EOP)
        );
        assert_eq!(
            p("BN8NAM04FT007.eop-NAM04.prod.protection.outlook.com."),
            Some(MICROSOFT_EOP)
        );
        assert_eq!(
            p("ob1.hc1855-42.eu.iphmx.com"),
            Some("Cisco Secure Email (IronPort)")
        );
        assert_eq!(p("barracudain.cobranet.org"), Some("Barracuda"));
        assert_eq!(
            p("server-5.bemta-12.messagelabs.com"),
            Some("Broadcom Email Security.cloud (MessageLabs)")
        );
        for none in [
            "mx.example.org",
            "DS7PR19MB5976.namprd19.prod.outlook.com",
            "notmimecast.com",
            "",
        ] {
            assert_eq!(p(none), None, "{none}");
        }
        let t = |raw: &str| scanner_of_text(raw).map(|s| s.product);
        assert_eq!(
            t(
                "from mail.example.ne.jp ([127.0.0.1]) by localhost (mx4 [127.0.0.1]) (amavisd-new, port 10024) with ESMTP id X"
            ),
            Some("amavis")
        );
        assert_eq!(
            t("from smtp.example.net by ppsgw1.example.com (PPS) with ESMTPS id 47c2"),
            Some("Proofpoint")
        );
        assert_eq!(
            t("from neko by barracuda.cat.example.jp (Spam Firewall) with ESMTP"),
            Some("Barracuda")
        );
        assert_eq!(t("from a by b (Postfix) with ESMTPS id C"), None);
    }

    #[test]
    fn retry_steps_match_only_near_a_step() {
        assert_eq!(retry_step(7346).map(|s| s.seconds), Some(7200));
        assert_eq!(retry_step(300).map(|s| s.seconds), Some(300));
        assert_eq!(retry_step(1605).map(|s| s.seconds), Some(1600));
        assert!(retry_step(3000).is_none());
        assert!(retry_step(100).is_none());
        assert!(retry_step(183_845).is_none());
    }

    #[test]
    fn reads_greylist_delay() {
        assert_eq!(
            greylist_delay("delayed 600 seconds by milter-greylist-4.6.4 (mx [192.0.2.1]); x"),
            Some(600)
        );
        assert_eq!(greylist_delay("Sender IP whitelisted"), None);
        assert_eq!(
            greylist_delay("delayed 615 seconds by postgrey-1.37 at mx.example.org; x"),
            Some(615)
        );
        // milter-greylist's own form
        assert_eq!(
            greylist_delay(
                "Delayed for 00:06:10 by milter-greylist-4.5.16 (mx.example.org\n\t[192.0.2.25]); x"
            ),
            Some(370)
        );
        assert_eq!(
            greylist_delay("Delayed for 111:19:22 by milter-greylist-4.4.3 (mx [192.0.2.1]); x"),
            Some(111 * 3600 + 19 * 60 + 22)
        );
        for none in [
            "Sender IP whitelisted, Sender e-mail whitelisted, not delayed by milter-greylist-4.4.3 (mx [192.0.2.1]); x",
            "inspected by milter-greylist-4.5.16 (mx [192.0.2.1]); x",
            "Delayed for 00:61:00 by milter-greylist",
            "Delayed for :: by milter-greylist",
            "Delayed for 1:2:3:4 by milter-greylist",
            "delayed 12 by x",
            "delayed 99999999999999999999 seconds by x",
        ] {
            assert_eq!(greylist_delay(none), None, "{none}");
        }
        assert_eq!(
            greylist_product("delayed 615 seconds by postgrey-1.37 at mx"),
            "postgrey"
        );
    }
}
