//! Hostile input stays linear: times `analyze` on 1,000 and 10,000 Received fields, and on
//! header blocks of 1 MB and 10 MB, and prints the figures (docs/PERFORMANCE.md, "Hostile input
//! stays linear"). Ten times the input should take about ten times as long, not a hundred.
//!
//! Run: `cargo bench --bench hostile`. The limits are raised so that the whole input is
//! analysed (the default `max_headers` of 10,000 would refuse the larger blocks at once).

use std::time::{Duration, Instant};

use mailtrace::options::Limits;
use mailtrace::{Options, Source};

const TAIL: &str = "From: Ann <ann@example.net>\r\nTo: bob@example.org\r\nSubject: hostile\r\nDate: Tue, 11 Mar 2025 09:15:30 +0000\r\nMessage-ID: <hostile@example.net>\r\n\r\nbody\r\n";

/// `n` Received fields, each naming its own hosts and IPs, newest first.
fn received(n: usize) -> Vec<u8> {
    let mut m = String::with_capacity(n * 200);
    for i in (0..n).rev() {
        let (a, b) = (i / 250 % 250 + 1, i % 250 + 1);
        let secs = 30 + i % 30;
        m.push_str(&format!(
            "Received: from relay{i}.example.net (relay{i}.example.net [198.51.{a}.{b}])\r\n\tby relay{}.example.net with ESMTPS id {i:08X}; Tue, 11 Mar 2025 09:15:{secs:02} +0000\r\n",
            i + 1
        ));
    }
    m.push_str(TAIL);
    m.into_bytes()
}

/// A header block of about `bytes` bytes: Received fields (as in a relay loop) mixed with the
/// fields that cost the most (DKIM-Signature, ARC, Authentication-Results, long X- fields).
fn block(bytes: usize) -> Vec<u8> {
    let mut m = String::with_capacity(bytes + 1024);
    let mut i = 0usize;
    while m.len() < bytes {
        match i % 4 {
            0 => m.push_str(&format!(
                "Received: from h{i}.example.net (h{i}.example.net [203.0.113.{}])\r\n\tby mx.example.org with ESMTP id {i}; Tue, 11 Mar 2025 09:15:42 +0000\r\n",
                i % 250 + 1
            )),
            1 => m.push_str(&format!(
                "Authentication-Results: mx{i}.example.org; dkim=pass header.d=example.net; spf=pass smtp.mailfrom=example.net; dmarc=pass header.from=example.net\r\n"
            )),
            2 => m.push_str(&format!(
                "X-Filler-{i}: {}\r\n",
                "lorem ipsum dolor sit amet ".repeat(20)
            )),
            _ => m.push_str(&format!(
                "Comments: {}\r\n\t{}\r\n",
                "a folded field ".repeat(10),
                "its second line ".repeat(10)
            )),
        }
        i += 1;
    }
    m.push_str(TAIL);
    m.into_bytes()
}

fn time(name: &str, message: Vec<u8>, options: &Options) -> Duration {
    let fields = message
        .split(|&b| b == b'\n')
        .filter(|l| l.first().is_some_and(|b| !b.is_ascii_whitespace()))
        .count();
    let bytes = message.len();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let source = Source::from_bytes(name, message.clone()).expect("a message");
        let report = mailtrace::analyze(&source, options).expect("analysed");
        std::hint::black_box(&report);
        best = best.min(started.elapsed());
    }
    println!(
        "{name:<24} {:>8.2} MB {fields:>8} fields {:>9.1} ms",
        bytes as f64 / 1e6,
        best.as_secs_f64() * 1e3
    );
    best
}

fn main() {
    let options = Options {
        limits: Limits {
            max_headers: usize::MAX,
            ..Limits::default()
        },
        ..Options::default()
    };
    println!("best of 3, input reading included");
    let r1 = time("1,000 Received", received(1_000), &options);
    let r10 = time("10,000 Received", received(10_000), &options);
    let b1 = time("1 MB header block", block(1_000_000), &options);
    let b10 = time("10 MB header block", block(10_000_000), &options);
    println!(
        "growth for 10x the input: Received {:.1}x, header block {:.1}x (linear: about 10x)",
        r10.as_secs_f64() / r1.as_secs_f64(),
        b10.as_secs_f64() / b1.as_secs_f64()
    );
}
