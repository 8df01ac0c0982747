//! Signature verification for DKIM and ARC, fast and with the same verdicts as mail-auth's.
//!
//! mail-auth (feature `rust-crypto`) verifies RSA with the pure-Rust `rsa` crate, which spends
//! most of a batch run in big-number arithmetic (docs/PERFORMANCE.md). Here RSA signatures are
//! first checked with `ring` (assembly, keys of 1024 to 8192 bits). A `ring` yes is final: the
//! PKCS#1 v1.5 signature verifies under the key. A `ring` no is not, because `ring` also says no
//! to keys it does not support (under 1024 bits, unusual exponents), so mail-auth's verifier then
//! decides, and the verdict is always the one mail-auth gives. Ed25519 goes to mail-auth directly.

use mail_auth::common::crypto::{Algorithm, VerifyingKey};
use mail_auth::dkim::Canonicalization;
use ring::signature::{
    RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
    UnparsedPublicKey,
};

/// A public key from a DKIM key record, ready to verify.
pub(crate) struct PublicKey {
    /// mail-auth's verifier: Ed25519, and the arbiter of every RSA signature `ring` refuses.
    fallback: Box<dyn VerifyingKey + Send + Sync>,
    /// The RSAPublicKey (PKCS#1 DER) for `ring`, when the record holds an RSA key.
    rsa: Option<Vec<u8>>,
}

impl PublicKey {
    /// `fallback` is mail-auth's parse of the record; `p` is the record's `p=` as written
    /// (base64, whitespace allowed), read again here for `ring`.
    pub(crate) fn new(fallback: Box<dyn VerifyingKey + Send + Sync>, p: Option<&str>) -> Self {
        let rsa = p.and_then(decode_base64).map(|der| match strip_spki(&der) {
            Some(inner) => inner.to_vec(),
            None => der,
        });
        PublicKey { fallback, rsa }
    }

    /// Verify `signature` over bytes already canonicalized.
    pub(crate) fn verify_bytes(
        &self,
        input: &[u8],
        signature: &[u8],
        algorithm: Algorithm,
    ) -> mail_auth::Result<()> {
        let ring_algorithm = match algorithm {
            Algorithm::RsaSha256 => Some(&RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY),
            Algorithm::RsaSha1 => Some(&RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY),
            Algorithm::Ed25519Sha256 => None,
        };
        if let (Some(key), Some(ring_algorithm)) = (&self.rsa, ring_algorithm)
            && UnparsedPublicKey::new(ring_algorithm, key)
                .verify(input, signature)
                .is_ok()
        {
            return Ok(());
        }
        self.fallback.verify_bytes(input, signature, algorithm)
    }

    /// Verify `signature` over header fields, canonicalized here.
    pub(crate) fn verify_headers<'a>(
        &self,
        headers: &mut dyn Iterator<Item = (&'a [u8], &'a [u8])>,
        signature: &[u8],
        canonicalization: Canonicalization,
        algorithm: Algorithm,
    ) -> mail_auth::Result<()> {
        let mut data = Vec::with_capacity(512);
        canonicalization.canonicalize_headers(headers, &mut data);
        self.verify_bytes(&data, signature, algorithm)
    }
}

/// The value of a key record's `p=` tag, as written, for `ring`; None without one, and None
/// when the record has several: mail-auth keeps the last one that decodes, and `ring` must never
/// check a signature against a different key than the arbiter would (a signature made with the
/// first key would otherwise pass here and fail there).
pub(crate) fn p_tag(record: &str) -> Option<&str> {
    let mut values = record.split(';').filter_map(|tag| {
        let (name, value) = tag.split_once('=')?;
        (name.trim() == "p").then_some(value)
    });
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

/// The RSAPublicKey inside a SubjectPublicKeyInfo with the rsaEncryption algorithm, or None
/// when `der` is not one (DKIM records may also hold the bare RSAPublicKey).
fn strip_spki(der: &[u8]) -> Option<&[u8]> {
    const RSA_ENCRYPTION: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    let (tag, spki, _) = der_item(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, algorithm, rest) = der_item(spki)?;
    if tag != 0x30 || !algorithm.starts_with(RSA_ENCRYPTION) {
        return None;
    }
    let (tag, bits, _) = der_item(rest)?;
    if tag != 0x03 || bits.first() != Some(&0) {
        return None;
    }
    Some(&bits[1..])
}

/// One DER item: its tag, its contents and what follows it.
fn der_item(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first & 0x80 == 0 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// Base64 (RFC 4648) with folding whitespace ignored; None when malformed.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0usize;
    for c in text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
    {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' => 62,
            '/' => 63,
            '=' => {
                padding += 1;
                continue;
            }
            _ => return None,
        };
        if padding > 0 {
            return None;
        }
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if padding > 2 || bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use mail_auth::common::crypto::{RsaKey, Sha256, SigningKey};
    use mail_auth::common::parse::TxtRecordParser;
    use mail_auth::common::verify::DomainKey;

    fn public(pem: &str) -> String {
        pem.lines().filter(|l| !l.starts_with("-----")).collect()
    }

    /// The verdict on a signature by samples/keys/rsa2048 under this key record.
    fn verdict(record: &str) -> bool {
        let der =
            decode_base64(&public(include_str!("../../samples/keys/rsa2048.pem"))).expect("base64");
        let key = RsaKey::<Sha256>::from_key_der(der.as_slice().try_into().expect("a DER key"))
            .expect("an RSA key");
        let signature = key.sign(&b"signed bytes"[..]).expect("signed");
        let fallback = DomainKey::parse(record.as_bytes()).expect("a key record").p;
        PublicKey::new(fallback, p_tag(record))
            .verify_bytes(b"signed bytes", &signature, Algorithm::RsaSha256)
            .is_ok()
    }

    #[test]
    fn ring_never_checks_against_another_key_than_mail_auth() {
        let a = public(include_str!("../../samples/keys/rsa2048.pub"));
        let b = public(include_str!("../../samples/keys/rsa2048-rotated.pub"));
        assert!(
            verdict(&format!("v=DKIM1; k=rsa; p={a}")),
            "the signing key verifies"
        );
        assert!(
            !verdict(&format!("v=DKIM1; k=rsa; p={b}")),
            "another key does not"
        );
        // mail-auth keeps the last p= that decodes: B, so the signature by A must fail
        assert!(!verdict(&format!("v=DKIM1; k=rsa; p={a}; p={b}")));
        assert!(verdict(&format!("v=DKIM1; k=rsa; p={b}; p={a}")));
    }

    #[test]
    fn one_p_tag_only() {
        assert_eq!(p_tag("v=DKIM1; k=rsa; p=AAAA"), Some("AAAA"));
        assert_eq!(p_tag("v=DKIM1; p = AAAA ; t=y"), Some(" AAAA "));
        assert_eq!(p_tag("v=DKIM1; k=rsa"), None);
        // two keys: ring stays out, mail-auth decides
        assert_eq!(p_tag("v=DKIM1; p=AAAA; p=BBBB"), None);
    }
}
