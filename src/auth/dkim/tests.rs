//! Unit tests: messages signed here with mail-auth's signing pieces and the test keys below
//! (fixed timestamps), plus two messages signed by dkimpy 1.1.8 with the same RSA key
//! (an independent implementation), verified through `input::read` and `parse::parse`.

use chrono::{DateTime, Utc};
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::{HeaderStream, HeaderWriter, Writable, Writer};
use mail_auth::dkim::canonicalize::CanonicalHeaders;
use mail_auth::dkim::{Canonicalization, DkimSigner, Signature};

use super::*;
use crate::auth::dns::{Answer, DnsFailure, RecordType, StaticResolver};

// Test keys, made with `openssl genrsa -traditional 2048|512` and `openssl genpkey -algorithm
// ed25519`. They sign nothing but these tests.
const RSA_2048: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEoQIBAAKCAQEAn9dC9eGVxgQeUUadteCjbjuu/RCucQibalxNV+xaBixAplCZ
TM94SVhaa1xV/YkX8pQt9Lyqbn8GwYjQ5xcvwLatyliPN88IuSfvmA04ziRJ59v2
wshSTEaqyMzc2icEjHE+94Is7/SWqnzJ1OtApX4kasqhngY7u//XJ/dy43nw+y20
V4AoOoNUNk2uElU2B3jwCwQok4w+myKkbHXegdfwhDR5V724/agXedEPVW0Y3Vbn
c4AXt6BcdkOOGBAuQbWfjnkrxV8GNnFo8/WCN4rBcXa08RlI0L9Nl6KWpbublFY9
x1umS7zd6m3ewAMHi9Pj3clB3vv+cUpFUYMncwIDAQABAoIBABCUxYr5PE6+1aBL
yYd5BqskQNpatSXfpTOq4JEa4Rnb1FcMbGK18P32zuZtPTRgWN4etge53Jo6zioc
dcNLOfZtXOjtN+orrXV7qZSl5nsn84y8WkRJgJQODqBm9BAjVQr2ongNhnjb8Bc+
e7d9MgcY51E2tP5OGjs95oVsW3wyW4h/n1rWFyhY9yyIWbcfZ3S5VqzCn/g5muir
W5ezYA+bVTdkI4tJX/g+rBXCkYZ8T5UyGhwihVFVPn/jI2tlB5uJKnXN5lxsieXE
PACs5WKqjl6vWyXG+Z9HLRxyD1tHituNmHccVaDPLoOFENNBLSUT2TzLpzbT4nxU
ix9h3vECgYEA3FXNwhP3rXm+31IVij6qa+HEHmt8ci6x3TknASjQ680+4rWuPRyx
buZ6+rRlrWNhIJyP94HkHUuE+zAh8qtUWg/JQC/zW2wCvj15qWW+eA9QRS8PjoPl
tFW+e9dkVwz4AlXHLkSsr+/3M2QlWeuDwWkTRQ26sI0TAFSEjC2f+WMCgYEAuba1
j7PSz7mDnP6YkOWHtfC7o2XBaSF8GutSJB5is9JZf5LwsH6RLzM5YChyge6DaPSO
QSN/axyJ8UNbwRkCSDCdKiT9lt/xzGntzA99W9kd4oDiLS5BhCqKkRxl8dNcD12b
gUdFVH3R2rJuYx3P5dw5Y1l3J7KHsryxj38DfrECgYEAwrd9X99/iapG2VrUOFkL
CM37IJsC3nGPtB527tpgT5MR2Q6QDefWklhTJE3acXGa+1QBEs2Sh6Uev1GZHrj0
kabTxsrZeNiqT+9KHj8RJU77NDjTubGshUMlVJJUVW3bm0ys+qGsLsuVnbAKJj4x
MPKoGeV5L99shGUswijr8FsCgYBZb2TmbHokcTmxvGYquW7urp0eZl2LTIXgzNzE
6iEsaiuRpWjmBj3S1j9WUIQ8kGmWfNeZBQhSw+6mUoL4bhvMOiUl66R4KSbgA09y
iy8asWeT8e96RKFmjbongd6SY/Acsj62NmVr+B+8y1sfvnalQrYcYzRf2LlC2V5F
NaywMQJ/Gvlhw7D8BZlhlIudWSN514AM8nHGjPBNtf+A80o9MBhnXcM7KM45rQ6D
XHJ9zif1ptlCLNYcrs+PvI/to8J9xieR2qOq+vIeHC6OlnV/VB+IZh4kBgLqNlrW
29k8TeYUVn/9s9Dsj4EGjqoWskM9WTjtIPeZpTkRYN4FR+VGJw==
-----END RSA PRIVATE KEY-----";
const RSA_2048_PUBLIC: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAn9dC9eGVxgQeUUadteCjbjuu/RCucQibalxNV+xaBixAplCZTM94SVhaa1xV/YkX8pQt9Lyqbn8GwYjQ5xcvwLatyliPN88IuSfvmA04ziRJ59v2wshSTEaqyMzc2icEjHE+94Is7/SWqnzJ1OtApX4kasqhngY7u//XJ/dy43nw+y20V4AoOoNUNk2uElU2B3jwCwQok4w+myKkbHXegdfwhDR5V724/agXedEPVW0Y3Vbnc4AXt6BcdkOOGBAuQbWfjnkrxV8GNnFo8/WCN4rBcXa08RlI0L9Nl6KWpbublFY9x1umS7zd6m3ewAMHi9Pj3clB3vv+cUpFUYMncwIDAQAB";
const RSA_512: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIBPAIBAAJBAPG6mQ9gQ0hd+I9YBqaRMgBqMnIVb5P1uqICMFihUG6AYySdAMuz
GFUFuL1OdrMUyTnkXIR8Eb04qqVpV4h8q68CAwEAAQJAVJ67whQyuXyb7KImAd1G
IbsLWcCDRMp6wQf/IKen3mZJI9AnQyhnSNK/Zuzmezr33Kdj52QWUMOdBJ9R78Hq
cQIhAPlGi3vlr7MVo8syKrqW4pDOXWpgOp9tBUbVn4J06JYlAiEA+D/v4Ayl4bgN
DaOj9BSAvgPCv+WiQvgX639PGqY54EMCIQDy2e96PUL3TdXNWIqYTfdc7C/GOwnh
1+yUHfrQteUCoQIhALgSIHkOp8kQQY2FcsI+mZ9LBpJnYMMrVgEmKq9l5bAlAiEA
+KubrAYSDjjwPxszCpdmCU2ufYtveSecJgf2eiHXS8M=
-----END RSA PRIVATE KEY-----";
const RSA_512_PUBLIC: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAPG6mQ9gQ0hd+I9YBqaRMgBqMnIVb5P1uqICMFihUG6AYySdAMuzGFUFuL1OdrMUyTnkXIR8Eb04qqVpV4h8q68CAwEAAQ==";
const ED25519_PKCS8: &str = "MC4CAQAwBQYDK2VwBCIEIKkJ3gUPRJNRdQi9xxOc6jzP4nCoi4WX+1piOsSoY9xD";
const ED25519_PUBLIC: &str = "nxKFIXVMo8RogVZKsUgJrhbRDSLmiiTyJRwKAs6Ix6Y=";

/// 2025-03-11T09:15:00Z, the signing time of every test signature.
const T: u64 = 1_741_684_500;

/// What the receiving server adds above the signature on delivery.
const RECEIVED: &[u8] = b"Received: from mail.a.example (mail.a.example [192.0.2.1])\r\n\tby mx.b.example with ESMTPS id 1; Tue, 11 Mar 2025 09:15:42 +0000\r\n";

const MESSAGE: &[u8] = b"From: Ann <ann@a.example>\r\nTo: bob@b.example\r\nSubject: Lunch\r\n on Friday?\r\nDate: Tue, 11 Mar 2025 09:14:58 +0000\r\nMessage-ID: <lunch@a.example>\r\n\r\nHello Bob,\r\n\r\nlunch on Friday?\r\n";

const SIGNED: &[&str] = &["From", "To", "Subject", "Date", "Message-ID"];

// Signed by dkimpy 1.1.8 (rsa-sha1 relaxed/relaxed, and rsa-sha256 simple/simple) with
// RSA_2048 as s2048._domainkey.a.example, t= T; dkimpy verifies both.
const DKIMPY_SHA1: &[u8] = b"DKIM-Signature: v=1; a=rsa-sha1; c=relaxed/relaxed; d=a.example;\r\n i=@a.example; q=dns/txt; s=s2048; t=1741684500; h=from : to : subject\r\n : date : message-id; bh=sFGxhsTpuNBqxQlmlsvMm+Jud8Q=;\r\n b=VFHLvnZr2xzSdzZ4/12FFYoG9Pk1Fz5ODoKC0QOhWzvI9+0GooA4poFmuVU7KLShQI9+y\r\n QM/AvOv5P7i93Dt+FGeItjnXZNx4r7KJVIq8NNd2UVIe2hvfGkPsqjhxUdDtgeVvI/NXvmB\r\n LmVkUaLFumWBrNbsOom63FfDoe3nxqKu1h67MZDKyjrwkZacbZgJPxaI0vfMDavD25Z9LJi\r\n bJdayK4EwfwD751RwOuPRKZYc4rido67UhbU0LyRynyu/hyAnRe29KdmsPo9mgaiZzho3ON\r\n fADk+7wbH1xKN94x1ooy4pBI1waUponG2h/ySWUHzWll4OA+eFDr7i+EE5RA==\r\nFrom: Ann <ann@a.example>\r\nTo: bob@b.example\r\nSubject: sha1 test\r\nDate: Tue, 11 Mar 2025 09:15:00 +0000\r\nMessage-ID: <sha1@a.example>\r\n\r\nHello Bob.\r\n";
const DKIMPY_SIMPLE: &[u8] = b"DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=a.example;\r\n i=@a.example; q=dns/txt; s=s2048; t=1741684500; h=from : to : subject\r\n : date : message-id; bh=DD3L33E64/RV0CUJdfGTtPGKU7OPJpo/2LxOdf3k0RI=;\r\n b=FH1vihH7DjjGuEj5eG2p0J4686sEmvGssRopLERXnBNmJJ4fYmkq7dki8mMe3JmypbzrZ\r\n d5jl36NDK4vc5wEPsd2HurcKQu3sB9P13HPcpI4JH+KnjlPDohJ9zO4WRQWo0DbJbV1780o\r\n qiSJflSYi3w2Jz+aoS46V6x7ywfY+3vsB12+Wta1nfs1Oymd8L5aGzR4uoj6dL5Yc8oTeuE\r\n xaW3tOc3gldQvThwRpTlEdonCymlHsFlal+O7lgPopfMkbucPlpYMxsSbMttwlQ/fIt9hXJ\r\n EmnqsAcgnV7KauSWxnpmhmuxIM8GYDlJBsjqoVqbp9WzhK88jkmppPtSXEaw==\r\nFrom: Ann <ann@a.example>\r\nTo: bob@b.example\r\nSubject: dkimpy simple\r\nDate: Tue, 11 Mar 2025 09:15:00 +0000\r\nMessage-ID: <sha1@a.example>\r\n\r\nHello Bob.\r\n";

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut acc) = (0u32, 0u32);
    for c in text.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn rsa(pem: &str) -> RsaKey<Sha256> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64(&body);
    RsaKey::<Sha256>::from_key_der(der.as_slice().try_into().expect("a DER key"))
        .expect("an RSA key")
}

fn ed25519() -> Ed25519Key {
    Ed25519Key::from_pkcs8_der(&base64(ED25519_PKCS8)).expect("an ed25519 key")
}

fn at(seconds: u64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds as i64, 0)
}

/// How to sign.
#[derive(Clone)]
struct Sign {
    domain: &'static str,
    selector: &'static str,
    headers: Vec<&'static str>,
    ch: Canonicalization,
    cb: Canonicalization,
    t: u64,
    x: u64,
    /// Sign only this many canonical body bytes (l=).
    l: Option<usize>,
    i: &'static str,
}

impl Default for Sign {
    fn default() -> Self {
        Sign {
            domain: "a.example",
            selector: "s2048",
            headers: SIGNED.to_vec(),
            ch: Canonicalization::Relaxed,
            cb: Canonicalization::Relaxed,
            t: T,
            x: 0,
            l: None,
            i: "",
        }
    }
}

/// The canonical header fields followed by the signature field with an empty b=, as
/// mail-auth's own signer hashes them.
struct Signable<'a> {
    headers: CanonicalHeaders<'a>,
    signature: &'a Signature,
}

impl Writable for Signable<'_> {
    fn write(self, writer: &mut impl Writer) {
        self.headers.write(writer);
        self.signature.write(writer, false);
    }
}

/// The header fields of a CRLF message as mail-auth's signer reads them (its own reader is
/// crate-private): the name before the colon, the value after it up to and including the CRLF
/// that ends the field, then the body after the empty line.
struct Fields<'a> {
    message: &'a [u8],
    pos: usize,
}

impl<'a> HeaderStream<'a> for Fields<'a> {
    fn next_header(&mut self) -> Option<(&'a [u8], &'a [u8])> {
        let rest = self.message.get(self.pos..)?;
        if rest.starts_with(b"\r\n") || rest.is_empty() {
            return None;
        }
        let mut end = 0;
        loop {
            let line = rest[end..].windows(2).position(|w| w == b"\r\n")? + end + 2;
            end = line;
            if !matches!(rest.get(end), Some(b' ' | b'\t')) {
                break;
            }
        }
        let colon = rest[..end].iter().position(|&b| b == b':')?;
        self.pos += end;
        Some((&rest[..colon], &rest[colon + 1..end]))
    }

    fn body(&mut self) -> &'a [u8] {
        while self.next_header().is_some() {}
        self.message.get(self.pos + 2..).unwrap_or_default()
    }
}

/// Sign with mail-auth's signing pieces at a fixed time (mail-auth's `DkimSigner::sign` reads
/// the wall clock), then deliver: the receiving server's Received field goes on top.
fn sign(key: &impl SigningKey, message: &[u8], how: &Sign) -> Vec<u8> {
    let template = Signature {
        v: 1,
        a: key.algorithm(),
        d: how.domain.into(),
        s: how.selector.into(),
        i: how.i.into(),
        h: how.headers.iter().map(|h| h.to_string()).collect(),
        ch: how.ch,
        cb: how.cb,
        ..Default::default()
    };
    let (_, headers, names, body) = template.canonicalize(Fields { message, pos: 0 });
    let mut canonical_body = Vec::new();
    body.write(&mut canonical_body);
    let mut signature = template.clone();
    if let Some(l) = how.l {
        canonical_body.truncate(l);
        signature.l = l as u64;
    }
    signature.h = names;
    signature.t = how.t;
    signature.x = how.x;
    signature.bh = key.hash(canonical_body.as_slice()).as_ref().to_vec();
    signature.b = key
        .sign(Signable {
            headers,
            signature: &signature,
        })
        .expect("signed");
    let mut out = RECEIVED.to_vec();
    out.extend_from_slice(signature.to_header().as_bytes());
    out.extend_from_slice(message);
    out
}

fn resolver() -> StaticResolver {
    let mut r = StaticResolver::new();
    let rsa = format!("v=DKIM1; k=rsa; p={RSA_2048_PUBLIC}");
    let ed = format!("v=DKIM1; k=ed25519; p={ED25519_PUBLIC}");
    r.add("s2048._domainkey.a.example", RecordType::Txt, &rsa)
        .add("ed._domainkey.a.example", RecordType::Txt, &ed)
        .add("ed._domainkey.list.example", RecordType::Txt, &ed)
        .add(
            "s512._domainkey.a.example",
            RecordType::Txt,
            &format!("v=DKIM1; p={RSA_512_PUBLIC}"),
        )
        .add(
            "testing._domainkey.a.example",
            RecordType::Txt,
            &format!("v=DKIM1; t=y; p={RSA_2048_PUBLIC}"),
        )
        .add(
            "strict._domainkey.a.example",
            RecordType::Txt,
            &format!("v=DKIM1; t=s; p={RSA_2048_PUBLIC}"),
        )
        .add(
            "revoked._domainkey.a.example",
            RecordType::Txt,
            "v=DKIM1; k=rsa; p=",
        )
        .add(
            "wrongtype._domainkey.a.example",
            RecordType::Txt,
            &format!("v=DKIM1; k=rsa; p={RSA_2048_PUBLIC}"),
        )
        .add(
            "twokeys._domainkey.a.example",
            RecordType::Txt,
            &format!("v=DKIM1; k=rsa; p={RSA_2048_PUBLIC}; p={RSA_512_PUBLIC}"),
        )
        .set(
            "slow._domainkey.a.example",
            RecordType::Txt,
            Answer::Failed(DnsFailure::Timeout),
        );
    r
}

/// Read, parse and verify as the library does, with the test DNS.
fn run_with(
    raw: &[u8],
    arrival: Option<DateTime<Utc>>,
    now: Option<DateTime<Utc>>,
    dns: &Dns,
) -> Vec<DkimCheck> {
    let source = crate::input::read("test", raw.to_vec()).expect("a message");
    let parsed = crate::parse::parse(&source).expect("parsed");
    let repaired: Vec<String> = source
        .repairs
        .iter()
        .filter(|r| r.touches_message)
        .flat_map(|r| r.headers.clone())
        .collect();
    verify_all(
        &source.message,
        &parsed.headers,
        parsed.body_offset,
        arrival,
        now,
        dns,
        &repaired,
    )
}

fn run(raw: &[u8], arrival: Option<DateTime<Utc>>, now: Option<DateTime<Utc>>) -> Vec<DkimCheck> {
    run_with(raw, arrival, now, &Dns::new(Box::new(resolver())))
}

fn one(raw: &[u8]) -> DkimCheck {
    let mut checks = run(raw, at(T + 60), at(T + 120));
    assert_eq!(checks.len(), 1, "{checks:#?}");
    checks.remove(0)
}

/// (header_signature, body_hash, result, reason)
fn verdict(c: &DkimCheck) -> (HeaderSignature, BodyHash, AuthResult, Option<&str>) {
    (
        c.header_signature,
        c.body_hash,
        c.result,
        c.reason.as_deref(),
    )
}

const PASS: (HeaderSignature, BodyHash, AuthResult, Option<&str>) = (
    HeaderSignature::Valid,
    BodyHash::Match,
    AuthResult::Pass,
    None,
);

fn replace(message: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(message.to_vec()).expect("utf-8 test message");
    assert!(text.contains(from), "{from:?} not in the message");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn a_record_with_two_keys_is_judged_as_mail_auth_reads_it() {
    // signed with the first key; mail-auth keeps the last p= that decodes (the 512-bit one),
    // so the signature does not verify. The fast RSA path must not say otherwise.
    let signed = sign(
        &rsa(RSA_2048),
        MESSAGE,
        &Sign {
            selector: "twokeys",
            ..Default::default()
        },
    );
    let c = one(&signed);
    assert_ne!(c.header_signature, HeaderSignature::Valid, "{c:#?}");
    assert_ne!(c.result, AuthResult::Pass, "{c:#?}");
}

#[test]
fn relaxed_and_simple_all_four_pass() {
    use Canonicalization::{Relaxed, Simple};
    let key = rsa(RSA_2048);
    for (ch, cb, name) in [
        (Relaxed, Relaxed, "relaxed/relaxed"),
        (Relaxed, Simple, "relaxed/simple"),
        (Simple, Relaxed, "simple/relaxed"),
        (Simple, Simple, "simple/simple"),
    ] {
        let signed = sign(
            &key,
            MESSAGE,
            &Sign {
                ch,
                cb,
                ..Default::default()
            },
        );
        let c = one(&signed);
        assert_eq!(verdict(&c), PASS, "{name}: {c:#?}");
        assert_eq!(c.canonicalization, name);
        assert_eq!(c.domain, "a.example");
        assert_eq!(c.selector, "s2048");
        assert_eq!(c.algorithm, "rsa-sha256");
        assert_eq!(c.key_bits, Some(2048));
        assert_eq!(c.note, None);
        assert_eq!(c.header_index, 1);
        assert_eq!(c.timestamp.as_deref(), Some("2025-03-11T09:15:00Z"));
        assert_eq!(c.expiration, None);
        assert_eq!(
            c.signed_headers,
            ["Message-ID", "Date", "Subject", "To", "From"]
        );
        assert!(!c.from_oversigned);
    }
}

#[test]
fn signed_by_dkimpy() {
    let c = one(DKIMPY_SIMPLE);
    assert_eq!(verdict(&c), PASS, "{c:#?}");
    assert_eq!(c.identity.as_deref(), Some("@a.example"));
    assert_eq!(
        c.signed_headers,
        ["from", "to", "subject", "date", "message-id"]
    );
    // The same signature after the Subject changed: header invalid, body still matches.
    let changed = replace(
        DKIMPY_SIMPLE,
        "Subject: dkimpy simple",
        "Subject: dkimpy Simple",
    );
    assert_eq!(
        verdict(&one(&changed)),
        (
            HeaderSignature::Invalid,
            BodyHash::Match,
            AuthResult::Fail,
            Some("signature-mismatch")
        )
    );
}

#[test]
fn rsa_sha1_is_valid_but_refused_by_policy() {
    let c = one(DKIMPY_SHA1);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Valid,
            BodyHash::Match,
            AuthResult::Policy,
            Some("weak-algorithm")
        )
    );
    assert_eq!(c.algorithm, "rsa-sha1");
    assert_eq!(
        c.note.as_deref(),
        Some("rsa-sha1 is not acceptable since RFC 8301 (the signature is otherwise valid)")
    );
    // A broken sha1 signature is a plain failure, not a policy matter.
    let changed = replace(DKIMPY_SHA1, "Hello Bob.", "Hello Bob!");
    assert_eq!(
        verdict(&one(&changed)),
        (
            HeaderSignature::Valid,
            BodyHash::Mismatch,
            AuthResult::Fail,
            Some("body-hash-mismatch")
        )
    );
}

#[test]
fn signed_with_mail_auths_public_signer() {
    // DkimSigner::sign stamps the wall clock: judge nothing about time.
    let signature = DkimSigner::from_key(rsa(RSA_2048))
        .domain("a.example")
        .selector("s2048")
        .headers(SIGNED.iter().copied())
        .sign(MESSAGE)
        .expect("signed");
    let mut signed = signature.to_header().into_bytes();
    signed.extend_from_slice(MESSAGE);
    let checks = run(&signed, None, None);
    assert_eq!(verdict(&checks[0]), PASS, "{checks:#?}");
}

#[test]
fn ed25519_passes() {
    let signed = sign(
        &ed25519(),
        MESSAGE,
        &Sign {
            selector: "ed",
            ..Default::default()
        },
    );
    let c = one(&signed);
    assert_eq!(verdict(&c), PASS, "{c:#?}");
    assert_eq!(c.algorithm, "ed25519-sha256");
    assert_eq!(c.key_bits, Some(256));
}

#[test]
fn body_changed_after_signing() {
    let signed = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let mut footer = signed.clone();
    footer.extend_from_slice(b"--\r\nScanned by a gateway\r\n");
    let c = one(&footer);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Valid,
            BodyHash::Mismatch,
            AuthResult::Fail,
            Some("body-hash-mismatch")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("the header fields are as signed; the body changed since signing")
    );
    // Relaxed body canonicalization ignores trailing whitespace and empty lines.
    let mut padded = signed.clone();
    padded.extend_from_slice(b"\r\n\r\n");
    let padded = replace(&padded, "lunch on Friday?\r\n", "lunch  on Friday? \t\r\n");
    assert_eq!(verdict(&one(&padded)), PASS);
}

#[test]
fn subject_changed_after_signing() {
    let signed = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let changed = replace(&signed, "Subject: Lunch", "Subject: [EXTERNAL] Lunch");
    let c = one(&changed);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Invalid,
            BodyHash::Match,
            AuthResult::Fail,
            Some("signature-mismatch")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("the signed header fields changed since signing")
    );
    // Both changed: the body hash is compared first (RFC 6376 6.1.3), so it gives the reason;
    // the note says the headers changed too.
    let mut both = changed.clone();
    both.extend_from_slice(b"footer\r\n");
    let c = one(&both);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Invalid,
            BodyHash::Mismatch,
            AuthResult::Fail,
            Some("body-hash-mismatch")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("the body changed since signing, and so did the signed header fields")
    );
    // Relaxed header canonicalization: case of the name and whitespace do not matter.
    let respaced = replace(
        &signed,
        "Subject: Lunch\r\n on Friday?",
        "SUBJECT:Lunch   on\r\n\tFriday?  ",
    );
    assert_eq!(verdict(&one(&respaced)), PASS);
}

#[test]
fn headers_only_judges_the_header_signature() {
    let signed = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let cut = signed
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a body");
    let headers_only = &signed[..cut + 2];
    let c = one(headers_only);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Valid,
            BodyHash::Unchecked,
            AuthResult::Neutral,
            Some("body-missing")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("no body in the input: the header fields are as signed, the body cannot be judged")
    );
    assert_eq!(c.unsigned_body_bytes, None);
    // Headers only and a changed Subject: the failure is the header's.
    let changed = replace(headers_only, "Subject: Lunch", "Subject: Dinner");
    assert_eq!(
        verdict(&one(&changed)),
        (
            HeaderSignature::Invalid,
            BodyHash::Unchecked,
            AuthResult::Fail,
            Some("signature-mismatch")
        )
    );
    // The same through verify_all directly with body_offset None.
    let source = crate::input::read("t", signed.clone()).expect("read");
    let parsed = crate::parse::parse(&source).expect("parse");
    let checks = verify_all(
        &source.message,
        &parsed.headers,
        None,
        at(T + 60),
        None,
        &Dns::new(Box::new(resolver())),
        &[],
    );
    assert_eq!(checks[0].reason.as_deref(), Some("body-missing"));
}

#[test]
fn a_missing_body_that_was_signed_empty_passes() {
    let empty = b"From: Ann <ann@a.example>\r\nTo: bob@b.example\r\nSubject: empty\r\n\r\n";
    for cb in [Canonicalization::Simple, Canonicalization::Relaxed] {
        let signed = sign(
            &rsa(RSA_2048),
            empty,
            &Sign {
                cb,
                ..Default::default()
            },
        );
        let without = &signed[..signed.len() - 2];
        let c = one(without);
        assert_eq!(verdict(&c), PASS, "{c:#?}");
        assert_eq!(
            c.note.as_deref(),
            Some("no body in the input, and the signature covers an empty body")
        );
    }
}

#[test]
fn key_not_found_still_hashes_the_body() {
    let signed = sign(
        &rsa(RSA_2048),
        MESSAGE,
        &Sign {
            selector: "gone",
            ..Default::default()
        },
    );
    let c = one(&signed);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Unchecked,
            BodyHash::Match,
            AuthResult::Permerror,
            Some("key-not-found")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("gone._domainkey.a.example does not exist (NXDOMAIN)")
    );
    assert_eq!(c.key_bits, None);
    let mut footer = signed.clone();
    footer.extend_from_slice(b"footer\r\n");
    assert_eq!(one(&footer).body_hash, BodyHash::Mismatch);
}

#[test]
fn revoked_and_unusable_keys() {
    let key = rsa(RSA_2048);
    let revoked = sign(
        &key,
        MESSAGE,
        &Sign {
            selector: "revoked",
            ..Default::default()
        },
    );
    let c = one(&revoked);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Unchecked,
            BodyHash::Match,
            AuthResult::Permerror,
            Some("key-revoked")
        )
    );
    // An ed25519 signature whose selector holds an RSA key.
    let wrong = sign(
        &ed25519(),
        MESSAGE,
        &Sign {
            selector: "wrongtype",
            ..Default::default()
        },
    );
    let c = one(&wrong);
    assert_eq!(c.reason.as_deref(), Some("key-type-mismatch"));
    assert_eq!(
        c.note.as_deref(),
        Some("a k=rsa key cannot verify an ed25519-sha256 signature")
    );
}

#[test]
fn dns_failures_are_temporary() {
    let signed = sign(
        &rsa(RSA_2048),
        MESSAGE,
        &Sign {
            selector: "slow",
            ..Default::default()
        },
    );
    let c = one(&signed);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Unchecked,
            BodyHash::Match,
            AuthResult::Temperror,
            Some("dns-error")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("DNS timeout looking up slow._domainkey.a.example")
    );
    // Offline with no zone: "not found (offline)".
    let signed = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let checks = run_with(&signed, at(T + 60), None, &Dns::default());
    assert_eq!(checks[0].result, AuthResult::Temperror);
    assert_eq!(checks[0].reason.as_deref(), Some("dns-error"));
    assert_eq!(checks[0].note.as_deref(), Some("not found (offline)"));
}

#[test]
fn expiry_is_judged_at_arrival() {
    let signed = sign(
        &rsa(RSA_2048),
        MESSAGE,
        &Sign {
            x: T + 3600,
            ..Default::default()
        },
    );
    // Valid on arrival, expired since: a pass with a note.
    let checks = run(&signed, at(T + 42), at(T + 86_400));
    let c = &checks[0];
    assert_eq!(verdict(c), PASS);
    assert_eq!(c.expiration.as_deref(), Some("2025-03-11T10:15:00Z"));
    assert_eq!(
        c.note.as_deref(),
        Some("expired since delivery: x= 2025-03-11T10:15:00Z, arrived 2025-03-11T09:15:42Z")
    );
    // Expired when it arrived: a failure, though the crypto holds.
    let c = &run(&signed, at(T + 7200), at(T + 86_400))[0];
    assert_eq!(
        verdict(c),
        (
            HeaderSignature::Valid,
            BodyHash::Match,
            AuthResult::Fail,
            Some("signature-expired")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("expired before delivery: x= 2025-03-11T10:15:00Z, arrived 2025-03-11T11:15:00Z")
    );
    // No arrival time: judged as of now.
    let c = &run(&signed, None, at(T + 7200))[0];
    assert_eq!(c.reason.as_deref(), Some("signature-expired"));
    assert_eq!(
        c.note.as_deref(),
        Some(
            "expired: x= 2025-03-11T10:15:00Z, judged as of 2025-03-11T11:15:00Z (no arrival time)"
        )
    );
    assert_eq!(verdict(&run(&signed, None, at(T + 60))[0]), PASS);
    // Neither: not judged, and said so.
    let c = &run(&signed, None, None)[0];
    assert_eq!(verdict(c), PASS);
    assert_eq!(
        c.note.as_deref(),
        Some("x= 2025-03-11T10:15:00Z not judged: no arrival time and no clock")
    );
    // A few minutes late is clock skew.
    let c = &run(&signed, at(T + 3600 + 300), None)[0];
    assert_eq!(verdict(c), PASS);
    assert_eq!(
        c.note.as_deref(),
        Some(
            "x= 2025-03-11T10:15:00Z is 300 s before arrival (2025-03-11T10:20:00Z), within the clock allowance of 900 s"
        )
    );
}

#[test]
fn a_signature_above_every_received_field_is_judged_as_of_now() {
    let signed = sign(
        &rsa(RSA_2048),
        MESSAGE,
        &Sign {
            x: T + 3600,
            ..Default::default()
        },
    );
    // Move the Received field below the signature: the signature was added after delivery.
    let mut moved = signed[RECEIVED.len()..].to_vec();
    let cut = moved
        .windows(7)
        .position(|w| w == b"\r\nFrom:")
        .expect("From")
        + 2;
    moved.splice(cut..cut, RECEIVED.iter().copied());
    let c = &run(&moved, at(T + 60), at(T + 7200))[0];
    assert_eq!(c.reason.as_deref(), Some("signature-expired"));
    assert_eq!(
        c.note.as_deref(),
        Some(
            "expired: x= 2025-03-11T10:15:00Z, judged as of 2025-03-11T11:15:00Z (no arrival time); the signature sits above every Received field, so it was added after delivery: its times are judged as of now"
        )
    );
    assert_eq!(verdict(&run(&moved, at(T - 7200), at(T + 60))[0]), PASS);
}

#[test]
fn a_signature_made_after_arrival() {
    let signed = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let c = &run(&signed, at(T - 3600), None)[0];
    assert_eq!(
        verdict(c),
        (
            HeaderSignature::Valid,
            BodyHash::Match,
            AuthResult::Fail,
            Some("signature-in-future")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("signed after delivery: t= 2025-03-11T09:15:00Z, arrived 2025-03-11T08:15:00Z")
    );
    let c = &run(&signed, at(T - 60), None)[0];
    assert_eq!(verdict(c), PASS);
    assert_eq!(
        c.note.as_deref(),
        Some(
            "t= 2025-03-11T09:15:00Z is 60 s after arrival (2025-03-11T09:14:00Z), within the clock allowance of 900 s"
        )
    );
    // Without arrival, t= is judged against now.
    let c = &run(&signed, None, at(T - 3600))[0];
    assert_eq!(c.reason.as_deref(), Some("signature-in-future"));
}

#[test]
fn body_length_limit_reports_unsigned_bytes() {
    let body_len = MESSAGE.len()
        - MESSAGE
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| p + 4)
            .expect("a body");
    let how = Sign {
        l: Some(body_len),
        cb: Canonicalization::Simple,
        ..Default::default()
    };
    let signed = sign(&rsa(RSA_2048), MESSAGE, &how);
    let c = one(&signed);
    assert_eq!(verdict(&c), PASS);
    assert_eq!(c.body_length_limit, Some(body_len as u64));
    assert_eq!(c.unsigned_body_bytes, Some(0));
    assert_eq!(c.note, None);
    let mut appended = signed.clone();
    appended.extend_from_slice(b"Click here: http://bad.example/\r\n");
    let c = one(&appended);
    assert_eq!(verdict(&c), PASS);
    assert_eq!(c.unsigned_body_bytes, Some(33));
    assert_eq!(
        c.note.as_deref(),
        Some(&*format!(
            "33 body bytes after the l={body_len} signed bytes are not covered by the signature"
        ))
    );
    // A body shorter than l=: it was cut.
    let cut = replace(&signed, "lunch on Friday?\r\n", "lunch\r\n");
    let c = one(&cut);
    assert_eq!(c.body_hash, BodyHash::Mismatch);
    assert!(
        c.note
            .as_deref()
            .unwrap_or_default()
            .contains("the body was shortened")
    );
}

#[test]
fn two_signatures_each_on_its_own() {
    // The author signs; a list changes the Subject and signs again (ed25519).
    let author = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let listed = replace(&author, "Subject: Lunch", "Subject: [team] Lunch");
    let both = sign(
        &ed25519(),
        &listed,
        &Sign {
            domain: "list.example",
            selector: "ed",
            ..Default::default()
        },
    );
    let checks = run(&both, at(T + 60), None);
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0].domain, "list.example");
    assert_eq!(checks[0].header_index, 1);
    assert_eq!(verdict(&checks[0]), PASS);
    assert_eq!(checks[1].domain, "a.example");
    assert_eq!(checks[1].header_index, 3);
    assert_eq!(
        verdict(&checks[1]),
        (
            HeaderSignature::Invalid,
            BodyHash::Match,
            AuthResult::Fail,
            Some("signature-mismatch")
        )
    );
}

#[test]
fn weak_and_short_keys() {
    let signed = sign(
        &rsa(RSA_512),
        MESSAGE,
        &Sign {
            selector: "s512",
            ..Default::default()
        },
    );
    let c = one(&signed);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Valid,
            BodyHash::Match,
            AuthResult::Policy,
            Some("weak-key")
        )
    );
    assert_eq!(c.key_bits, Some(512));
    assert_eq!(
        c.note.as_deref(),
        Some(
            "a 512-bit RSA key: RFC 8301 forbids accepting keys under 1024 bits (the signature is otherwise valid)"
        )
    );
}

#[test]
fn testing_keys_are_noted() {
    let signed = sign(
        &rsa(RSA_2048),
        MESSAGE,
        &Sign {
            selector: "testing",
            ..Default::default()
        },
    );
    let c = one(&signed);
    assert_eq!(verdict(&c), PASS);
    assert_eq!(c.note.as_deref(), Some("the key is in testing mode (t=y)"));
}

#[test]
fn identity_must_be_under_the_domain() {
    let key = rsa(RSA_2048);
    let sub = sign(
        &key,
        MESSAGE,
        &Sign {
            i: "ann@mail.a.example",
            ..Default::default()
        },
    );
    let c = one(&sub);
    assert_eq!(verdict(&c), PASS);
    assert_eq!(c.identity.as_deref(), Some("ann@mail.a.example"));
    let other = sign(
        &key,
        MESSAGE,
        &Sign {
            i: "ann@b.example",
            ..Default::default()
        },
    );
    let c = one(&other);
    // Unacceptable, though the crypto holds.
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Valid,
            BodyHash::Match,
            AuthResult::Permerror,
            Some("domain-mismatch")
        )
    );
    assert_eq!(
        c.note.as_deref(),
        Some("i= domain b.example is not d=a.example or under it")
    );
    // A key with t=s accepts no subdomain in i=.
    let strict = sign(
        &key,
        MESSAGE,
        &Sign {
            selector: "strict",
            i: "ann@mail.a.example",
            ..Default::default()
        },
    );
    assert_eq!(one(&strict).reason.as_deref(), Some("domain-mismatch"));
    let strict_ok = sign(
        &key,
        MESSAGE,
        &Sign {
            selector: "strict",
            i: "ann@a.example",
            ..Default::default()
        },
    );
    assert_eq!(verdict(&one(&strict_ok)), PASS);
}

#[test]
fn from_must_be_signed() {
    let signed = sign(
        &rsa(RSA_2048),
        MESSAGE,
        &Sign {
            headers: vec!["To", "Subject"],
            ..Default::default()
        },
    );
    let c = one(&signed);
    assert_eq!(
        verdict(&c),
        (
            HeaderSignature::Valid,
            BodyHash::Match,
            AuthResult::Permerror,
            Some("header-missing")
        )
    );
}

#[test]
fn oversigned_and_added_from() {
    let key = rsa(RSA_2048);
    // h= lists both From fields of a message that had two; one of them is then removed.
    let two = replace(
        MESSAGE,
        "From: Ann",
        "From: Ann <ann@a.example>\r\nFrom: Ann",
    );
    let signed = sign(&key, &two, &Sign::default());
    let oversigned = replace(
        &signed,
        "From: Ann <ann@a.example>\r\nFrom: Ann <ann@a.example>\r\n",
        "From: Ann <ann@a.example>\r\n",
    );
    let c = one(&oversigned);
    assert_eq!(c.signed_headers.iter().filter(|h| *h == "From").count(), 2);
    // Removing a signed From breaks the signature, but h= still lists From twice.
    assert!(c.from_oversigned);
    // The usual case: one From signed, and an attacker adds a second From above.
    let signed = sign(&key, MESSAGE, &Sign::default());
    let mut injected = b"From: Mallory <boss@a.example>\r\n".to_vec();
    injected.extend_from_slice(&signed);
    let c = one(&injected);
    assert_eq!(
        verdict(&c),
        PASS,
        "bottom-up selection signs the original From"
    );
    assert!(!c.from_oversigned);
    assert_eq!(
        c.note.as_deref(),
        Some("the message has 2 From fields and h= signs 1: an unsigned From may have been added")
    );
    // Oversigned for real: h= names From twice while the message has one.
    let oversigned = sign(
        &key,
        MESSAGE,
        &Sign {
            headers: vec!["From", "From", "Subject"],
            ..Default::default()
        },
    );
    let c = one(&oversigned);
    assert_eq!(verdict(&c), PASS);
    assert!(c.from_oversigned);
}

#[test]
fn lf_only_input_is_verified_as_crlf() {
    let key = rsa(RSA_2048);
    for ch in [Canonicalization::Simple, Canonicalization::Relaxed] {
        let signed = sign(
            &key,
            MESSAGE,
            &Sign {
                ch,
                cb: ch,
                ..Default::default()
            },
        );
        let lf: Vec<u8> = signed.iter().copied().filter(|&b| b != b'\r').collect();
        assert_eq!(verdict(&one(&lf)), PASS);
    }
}

#[test]
fn paste_repairs_never_break_a_relaxed_signature() {
    let key = rsa(RSA_2048);
    // A paste that lost the leading whitespace of folded lines (Subject, DKIM-Signature).
    let relaxed = sign(&key, MESSAGE, &Sign::default());
    let unfolded = |m: &[u8]| -> Vec<u8> {
        let text = String::from_utf8(m.to_vec()).expect("utf-8");
        text.replace("\r\n on Friday?", "\non Friday?")
            .replace("\r\n\th=", "\nh=")
            .replace("\r\n", "\n")
            .into_bytes()
    };
    let checks = run(&unfolded(&relaxed), at(T + 60), None);
    assert_eq!(verdict(&checks[0]), PASS, "{checks:#?}");
    assert_eq!(
        checks[0].repaired_headers_signed,
        ["Subject", "DKIM-Signature"]
    );
    // Simple header canonicalization keeps folding whitespace: the repair guessed a space
    // where the signer had a tab, and the note says so.
    let simple_message = replace(MESSAGE, "\r\n on Friday?", "\r\n\ton Friday?");
    let simple = sign(
        &key,
        &simple_message,
        &Sign {
            ch: Canonicalization::Simple,
            ..Default::default()
        },
    );
    let text = String::from_utf8(simple)
        .expect("utf-8")
        .replace("\r\n\ton Friday?", "\non Friday?");
    let c = &run(text.as_bytes(), at(T + 60), None)[0];
    assert_eq!(c.reason.as_deref(), Some("signature-mismatch"));
    assert_eq!(c.repaired_headers_signed, ["Subject"]);
    assert_eq!(
        c.note.as_deref(),
        Some(
            "the signed header fields changed since signing; a paste repair changed signed field(s) Subject: the failure may come from the repair"
        )
    );
}

#[test]
fn malformed_signatures() {
    let base = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=a.example; s=s2048; t=1741684500; h=From:To; bh=AAAA; b=AAAA";
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "v=1; ",
            "",
            "signature-syntax",
            "the required tag v= is missing",
        ),
        ("v=1", "v=2", "unsupported-version", "v=2 is not 1"),
        (
            "a=rsa-sha256",
            "a=rsa-md5",
            "unsupported-algorithm",
            "a=rsa-md5 is not supported",
        ),
        (
            "c=relaxed/relaxed",
            "c=future",
            "unsupported-canonicalization",
            "c=future is not supported",
        ),
        (
            "d=a.example; ",
            "",
            "signature-syntax",
            "required tag(s) missing: d=",
        ),
        (
            "; bh=AAAA",
            "",
            "signature-syntax",
            "required tag(s) missing: bh=",
        ),
        (
            "t=1741684500",
            "t=1741684500; x=1741684500",
            "signature-syntax",
            "x= (1741684500) is not after t= (1741684500)",
        ),
        (
            "t=1741684500",
            "t=soon",
            "signature-syntax",
            "t=soon is not a number",
        ),
        (
            "t=1741684500",
            "t=1; t=2",
            "signature-syntax",
            "the tag t= occurs more than once",
        ),
        (
            "s=s2048",
            "s=s2048; q=http",
            "unsupported-query-method",
            "q=http does not offer dns/txt",
        ),
        (
            "d=a.example",
            "d=a..example",
            "signature-syntax",
            "d=a..example is not a valid domain name",
        ),
        (
            "s=s2048",
            "s=s2048; i=ann",
            "signature-syntax",
            "i=ann has no @",
        ),
        (
            "h=From:To",
            "h=From;To",
            "signature-syntax",
            "'To' is not of the form tag=value",
        ),
    ];
    for (from, to, reason, note) in cases {
        let value = base.replacen(from, to, 1);
        let message = format!(
            "DKIM-Signature: {value}\r\nFrom: a@a.example\r\nTo: b@b.example\r\n\r\nhi\r\n"
        );
        let c = one(message.as_bytes());
        assert_eq!(c.result, AuthResult::Permerror, "{value}");
        assert_eq!(c.reason.as_deref(), Some(*reason), "{value}");
        assert_eq!(c.note.as_deref(), Some(*note), "{value}");
        assert_eq!(c.header_signature, HeaderSignature::Unchecked, "{value}");
    }
    // q= may list other methods besides dns/txt.
    let signed = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let with_q = replace(
        &signed,
        "DKIM-Signature: v=1;",
        "DKIM-Signature: v=1; q=foo/bar:dns/txt;",
    );
    assert_eq!(one(&with_q).reason.as_deref(), Some("signature-mismatch"));
    let bad_base64 = base.replacen("b=AAAA", "b=A*A", 1);
    let message = format!("DKIM-Signature: {bad_base64}\r\nFrom: a@a.example\r\n\r\nhi\r\n");
    let c = one(message.as_bytes());
    assert_eq!(c.reason.as_deref(), Some("signature-syntax"));
    assert_eq!(c.note.as_deref(), Some("b= or bh= is not valid base64"));
    let empty = one(b"DKIM-Signature:\r\nFrom: a@a.example\r\n\r\nhi\r\n");
    assert_eq!(empty.reason.as_deref(), Some("signature-syntax"));
}

#[test]
fn json_field_names_are_the_contract() {
    let signed = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let value = serde_json::to_value(one(&signed)).expect("json");
    let keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "domain",
        "selector",
        "algorithm",
        "canonicalization",
        "key_bits",
        "header_signature",
        "body_hash",
        "result",
        "reason",
        "note",
        "identity",
        "signed_headers",
        "timestamp",
        "expiration",
        "body_length_limit",
        "unsigned_body_bytes",
        "from_oversigned",
        "header_index",
        "repaired_headers_signed",
    ];
    let mut keys = keys;
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(value["header_signature"], "valid");
    assert_eq!(value["body_hash"], "match");
    assert_eq!(value["result"], "pass");
    assert_eq!(value["reason"], serde_json::Value::Null);
    let headers_only = sign(&rsa(RSA_2048), MESSAGE, &Sign::default());
    let cut = headers_only
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("body");
    let value = serde_json::to_value(one(&headers_only[..cut + 2])).expect("json");
    assert_eq!(value["body_hash"], "unchecked");
    assert_eq!(value["result"], "neutral");
    assert_eq!(value["reason"], "body-missing");
}

#[test]
fn reasons_have_their_words() {
    assert_eq!(
        serde_json::to_value(Reason::SignatureInFuture).expect("json"),
        Reason::SignatureInFuture.as_str()
    );
    assert_eq!(Reason::WeakKey.result(), AuthResult::Policy);
    assert_eq!(Reason::DnsError.result(), AuthResult::Temperror);
    assert_eq!(Reason::BodyMissing.result(), AuthResult::Neutral);
}

#[test]
fn arrival_is_the_topmost_received_time() {
    let source = crate::input::read(
        "t",
        b"Received: by mx.b.example; Tue, 11 Mar 2025 09:15:42 +0000\r\nReceived: by relay.a.example; Tue, 11 Mar 2025 09:15:40 +0000\r\nFrom: a@a.example\r\n\r\nhi\r\n".to_vec(),
    )
    .expect("read");
    let parsed = crate::parse::parse(&source).expect("parse");
    let chain = crate::hops::build_chain(&parsed, &crate::Options::default());
    assert_eq!(arrival(&chain), at(T + 42));
    assert_eq!(arrival(&crate::hops::Chain::default()), None);
}

#[test]
fn never_panics() {
    let key = rsa(RSA_2048);
    let signed = sign(
        &key,
        MESSAGE,
        &Sign {
            l: Some(10),
            x: T + 10,
            ..Default::default()
        },
    );
    let dns = Dns::new(Box::new(resolver()));
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for end in (1..signed.len()).step_by(7) {
        inputs.push(signed[..end].to_vec());
    }
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..200 {
        let mut v = signed.clone();
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let pos = (x % v.len() as u64) as usize;
            v[pos] = b"=;: \r\n\tab0"[(x >> 32) as usize % 10];
        }
        inputs.push(v);
    }
    for input in inputs {
        let Ok(source) = crate::input::read("fuzz", input) else {
            continue;
        };
        let Ok(parsed) = crate::parse::parse(&source) else {
            continue;
        };
        let repaired = vec!["Subject".to_string()];
        for body in [parsed.body_offset, None, Some(usize::MAX)] {
            let _ = verify_all(
                &source.message,
                &parsed.headers,
                body,
                at(T),
                at(T),
                &dns,
                &repaired,
            );
        }
        // Spans that do not fit the message are survived too.
        let _ = verify_all(b"", &parsed.headers, Some(0), None, None, &dns, &[]);
    }
}
