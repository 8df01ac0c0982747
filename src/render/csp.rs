//! The Content-Security-Policy of mailtrace's HTML pages: nothing may load or run, except the
//! page's one inline stylesheet, allowed by its SHA-256 hash (CSP Level 2 hash sources).

/// The policy for a page whose only `<style>` element holds exactly `css`.
pub fn content_security_policy(css: &str) -> String {
    format!(
        "default-src 'none'; style-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'",
        sha256_base64(css.as_bytes())
    )
}

/// Base64 (RFC 4648, with padding) of the SHA-256 of `data`.
pub fn sha256_base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = String::new();
    for chunk in digest.as_ref().chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_known_text() {
        // printf 'abc' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            sha256_base64(b"abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert!(
            content_security_policy("")
                .contains("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='")
        );
    }
}
