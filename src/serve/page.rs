//! The server's own pages, `templates/serve.html` (the form, and the short page of an error)
//! with `templates/serve.css`, rendered with minijinja: every value is HTML-escaped, no
//! script, style from the one `<style>` block.

use std::net::SocketAddr;

use axum::http::StatusCode;
use minijinja::Environment;
use serde::Serialize;

use super::ServeConfig;

const TEMPLATE: &str = include_str!("../../templates/serve.html");
const CSS: &str = include_str!("../../templates/serve.css");

/// The compiled template.
pub(super) struct Pages {
    env: Environment<'static>,
}

/// What the page says about how the server analyses.
#[derive(Serialize)]
pub(super) struct Settings {
    /// The JSON endpoint's URL, for the curl example.
    api_url: String,
    /// The request limit, in words.
    limit: String,
    /// `(what, how)` lines: DNS, trusted hosts, time, limit.
    lines: Vec<(String, String)>,
}

impl Settings {
    /// Describe `config` for a server listening on `addr`.
    pub(super) fn describe(config: &ServeConfig, addr: SocketAddr) -> Self {
        // the curl example names an address that answers: the unspecified address listens on
        // every interface, loopback included
        let shown = if addr.ip().is_unspecified() {
            let loopback = match addr {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            };
            SocketAddr::new(loopback, addr.port())
        } else {
            addr
        };
        let dns = &config.dns;
        let mut how = if dns.offline {
            "offline: no lookup leaves this machine; names in no zone file are \"not found (offline)\"".to_string()
        } else if let Some(server) = dns.server {
            format!("live, asking {server}")
        } else {
            "live, through this machine's resolver".to_string()
        };
        if !dns.zones.is_empty() {
            let names: Vec<String> = dns
                .zones
                .iter()
                .map(|z| {
                    z.file_name()
                        .map_or_else(|| z.display().to_string(), |n| n.to_string_lossy().into())
                })
                .collect();
            how.push_str(&format!("; zone files answer first: {}", names.join(", ")));
        }
        let trust = if config.options.trust.is_empty() {
            "none given: the trust boundary is inferred from the hops".to_string()
        } else {
            config.options.trust.join(", ")
        };
        let now = match (config.clock, config.options.now) {
            (Some(_), _) => "the time each message is submitted".to_string(),
            (None, Some(now)) => format!("{} (fixed)", now.format("%Y-%m-%d %H:%M:%S UTC")),
            (None, None) => "none: no judgement that needs the present is made".to_string(),
        };
        Settings {
            api_url: format!("http://{shown}/api/analyze"),
            lines: vec![
                ("DNS".into(), how),
                ("Trusted hosts".into(), trust),
                ("Time judgements as of".into(), now),
                (
                    "Largest request".into(),
                    size_exact(config.max_request_bytes as u64),
                ),
            ],
            limit: size(config.max_request_bytes as u64),
        }
    }
}

impl Pages {
    pub(super) fn new() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        // `.html`: minijinja escapes every value for HTML
        env.add_template("serve.html", TEMPLATE)?;
        Ok(Pages { env })
    }

    /// The form.
    pub(super) fn index(&self, settings: &Settings) -> Result<String, minijinja::Error> {
        self.env
            .get_template("serve.html")?
            .render(minijinja::context! {
                css => CSS,
                settings => settings,
            })
    }

    /// The page of an error: a title, one sentence, the way back.
    pub(super) fn error(&self, status: StatusCode, message: &str) -> String {
        let title = match status {
            StatusCode::BAD_REQUEST => "Nothing to analyse",
            StatusCode::FORBIDDEN => "Refused",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::METHOD_NOT_ALLOWED => "Method not allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "Too large",
            StatusCode::REQUEST_TIMEOUT => "Too slow",
            StatusCode::SERVICE_UNAVAILABLE => "Not now",
            _ => "Something went wrong",
        };
        let sentence = sentence(message);
        self.env
            .get_template("serve.html")
            .and_then(|t| {
                t.render(minijinja::context! {
                    css => CSS,
                    error => minijinja::context! {
                        status => status.as_u16(),
                        title => title,
                        message => sentence,
                    },
                })
            })
            .unwrap_or_else(|_| {
                format!(
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>mailtrace: {title}</title></head><body><h1>{title}</h1><p>{}</p><p><a href=\"/\">Back to the form</a></p></body></html>\n",
                    crate::render::html::escape(&sentence)
                )
            })
    }
}

/// A message as a sentence: capital first letter, final period.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// A template that does not load or render, as an I/O error of `start`.
pub(super) fn template_error(e: minijinja::Error) -> std::io::Error {
    std::io::Error::other(format!("the serve page template: {e}"))
}

/// A size in words, to one decimal: `812 bytes`, `4.2 KiB`, `12.3 MiB`, `1.1 GiB`.
pub(super) fn size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

/// A size in words with the exact number when it is not already exact: `64 MiB (67108864
/// bytes)`, `812 bytes`.
pub(super) fn size_exact(bytes: u64) -> String {
    if bytes < 1024 {
        size(bytes)
    } else {
        format!("{} ({bytes} bytes)", size(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_words() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(1024), "1 KiB");
        assert_eq!(size(4300), "4.2 KiB");
        assert_eq!(size(12_900_000), "12.3 MiB");
        assert_eq!(size(64 << 20), "64 MiB");
        assert_eq!(size(3 << 40), "3072 GiB");
        assert_eq!(size_exact(64 << 20), "64 MiB (67108864 bytes)");
        assert_eq!(size_exact(100), "100 bytes");
    }

    #[test]
    fn sentences() {
        assert_eq!(sentence("the input is empty"), "The input is empty.");
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn error_page_escapes_and_links_back() {
        let pages = Pages::new().expect("template");
        let html = pages.error(StatusCode::BAD_REQUEST, "not <b>a</b> message");
        assert!(
            html.contains("Not &lt;b&gt;a&lt;&#x2f;b&gt; message."),
            "{html}"
        );
        assert!(html.contains("href=\"/\""), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }
}
