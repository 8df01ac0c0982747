//! The MTA-STS policy fetched over HTTPS (RFC 8461 section 3.3), for `mailtrace domain` when
//! online: `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`, HTTPS only, no redirect followed,
//! status 200 and `text/plain` required, at most [`MAX_POLICY_BYTES`], within [`TIMEOUT`].
//!
//! This is the only HTTP client of the library, and it is used only when the caller hands a
//! [`HttpsPolicyFetcher`] to [`crate::domain::check`]: the library never fetches by itself, and
//! never when offline. Certificates are checked by ureq's rustls against the web PKI roots, as
//! RFC 8461 requires (a certificate valid for `mta-sts.DOMAIN`).
//!
//! The fetch does not go through [`crate::auth::dns::Dns`]: ureq resolves `mta-sts.DOMAIN`
//! with the system resolver, so `--dns-server` and `--dns-zone` do not apply to it, and its
//! address lookup is not in the report's `dns` list. `--dns-zone` alone (without `--offline`)
//! still fetches the policy; only `--offline` stops it.

use std::time::Duration;

use super::PolicyFetcher;

/// The largest policy accepted: RFC 8461 section 3.3 suggests a limit of 64 KB.
pub const MAX_POLICY_BYTES: u64 = 64 * 1024;

/// The whole fetch (connect, TLS, response) must be done within this.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Fetches MTA-STS policies over HTTPS with ureq.
pub struct HttpsPolicyFetcher {
    agent: ureq::Agent,
}

impl std::fmt::Debug for HttpsPolicyFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpsPolicyFetcher")
    }
}

impl Default for HttpsPolicyFetcher {
    fn default() -> Self {
        Self::new(TIMEOUT)
    }
}

impl HttpsPolicyFetcher {
    /// A fetcher whose fetches end after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .https_only(true)
            // RFC 8461 section 3.3: "HTTP 3xx redirects MUST NOT be followed". With 0, ureq
            // hands the 3xx response back, which is refused below.
            .max_redirects(0)
            .timeout_global(Some(timeout))
            // Judge every status here, so that the message says what the server answered.
            .http_status_as_error(false)
            .user_agent(concat!("mailtrace/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpsPolicyFetcher {
            agent: ureq::Agent::new_with_config(config),
        }
    }
}

impl PolicyFetcher for HttpsPolicyFetcher {
    fn fetch(&self, domain: &str) -> Result<String, String> {
        let url = policy_url(domain)?;
        let mut response = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status();
        if status.is_redirection() {
            let to = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("?");
            return Err(format!(
                "GET {url}: redirect {} to {to}, which senders must not follow",
                status.as_u16()
            ));
        }
        if status.as_u16() != 200 {
            return Err(format!("GET {url}: HTTP status {status}"));
        }
        let body = response.body_mut();
        let mime = body.mime_type().map(str::to_ascii_lowercase);
        if mime.as_deref() != Some("text/plain") {
            return Err(format!(
                "GET {url}: served as {}, not text/plain (RFC 8461 section 3.3)",
                mime.as_deref().unwrap_or("no content type")
            ));
        }
        body.with_config()
            .limit(MAX_POLICY_BYTES)
            .read_to_string()
            .map_err(|e| format!("GET {url}: {e}"))
    }
}

/// The policy URL of a domain, refusing names that would change the host.
fn policy_url(domain: &str) -> Result<String, String> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let host_like = !domain.is_empty()
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'));
    if !host_like {
        return Err(format!("{domain:?} is not a host name"));
    }
    Ok(format!("https://mta-sts.{domain}/.well-known/mta-sts.txt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            policy_url("Example.COM.").as_deref(),
            Ok("https://mta-sts.example.com/.well-known/mta-sts.txt")
        );
        assert!(policy_url("evil.com/x?").is_err());
        assert!(policy_url("a@b").is_err());
        assert!(policy_url("").is_err());
    }

    #[test]
    fn an_unresolvable_host_is_an_error_not_a_panic() {
        // `.invalid` never resolves (RFC 2606), so this needs no network.
        let err = HttpsPolicyFetcher::new(Duration::from_secs(2))
            .fetch("example.invalid")
            .unwrap_err();
        assert!(
            err.starts_with("GET https://mta-sts.example.invalid/"),
            "{err}"
        );
    }
}
