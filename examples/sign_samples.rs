//! Signs the teaching samples with the project's own test keys, at fixed timestamps.
//!
//! Reads the unsigned sources `samples/src/<name>.eml` and the manifest `samples/src/manifest.json`,
//! runs each sample's operations in order (DKIM signatures, ARC sets, and the changes made in
//! transit after signing) and writes `samples/<name>.eml`. Running it twice gives byte-identical
//! files: every `t=`/`x=` comes from the manifest and RSA PKCS#1 v1.5 and Ed25519 signatures are
//! deterministic. mail-auth's own `DkimSigner::sign` and `ArcSealer::seal` read the wall clock, so
//! the signatures are composed here from its public parts: canonicalization, body hash and
//! `SigningKey::sign` over the canonical header bytes (RFC 6376 3.7, RFC 8617 5.1).
//!
//! ```text
//! cargo run --example sign_samples              # regenerate every sample
//! cargo run --example sign_samples -- --check   # exit 1 if a sample differs from its regeneration
//! cargo run --example sign_samples -- NAME...   # only these samples
//! cargo run --release --example sign_samples -- --typical-mbox N OUT.mbox
//!                                               # the benchmark's typical mail (benches/typical)
//! ```
//!
//! Sources use LF line endings like the samples; signing happens over the CRLF form, as a verifier
//! sees the message on the wire. In a source, a line `{{sign:ID}}` marks where the header(s) of the
//! operation `ID` go: the signer sees only the lines below it (headers above it were added in
//! transit, later). Without a marker the headers go on top. `{{b8:ID}}` anywhere is replaced by the
//! first 8 characters of that signature's `b=` (for `header.b=` in Authentication-Results).
//! The keys in `samples/keys/` are test keys, published on purpose: never use them for real mail.

use std::error::Error;
use std::path::Path;

use mail_auth::common::crypto::{DkimKey, Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::Writable;
use mail_auth::dkim::Canonicalization;
use serde_json::Value;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// A header field: its name and its value after the colon, CRLF included.
type Field<'a> = (&'a [u8], &'a [u8]);

/// Longest header line written (without the line ending).
const WIDTH: usize = 78;

fn main() {
    match run() {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("sign_samples: {e}");
            std::process::exit(2);
        }
    }
}

fn run() -> Result<i32> {
    let mut check = false;
    let mut only = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: sign_samples [--check] [NAME...]");
                println!("       sign_samples --typical-mbox MESSAGES OUT.mbox");
                return Ok(0);
            }
            "--typical-mbox" => {
                let mut rest = std::env::args().skip(2);
                let count = rest
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--typical-mbox needs a message count")?;
                let out = rest.next().ok_or("--typical-mbox needs an output path")?;
                return typical_mbox(count, Path::new(&out)).map(|()| 0);
            }
            _ => only.push(arg),
        }
    }
    let samples_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let manifest_path = samples_dir.join("src/manifest.json");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let samples = manifest["samples"]
        .as_array()
        .ok_or("manifest: \"samples\" must be an array")?;

    let mut done = 0;
    let mut differ = 0;
    for sample in samples {
        let name = str_field(sample, "name")?;
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let out = build(&samples_dir, sample).map_err(|e| format!("{name}: {e}"))?;
        let output = samples_dir.join(
            sample["output"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}.eml")),
        );
        if check {
            let old = std::fs::read(&output).unwrap_or_default();
            if old != out.as_bytes() {
                println!("differs: {}", rel(&output));
                differ += 1;
            }
        } else {
            std::fs::write(&output, out.as_bytes())
                .map_err(|e| format!("{}: {e}", output.display()))?;
            println!("wrote {}", rel(&output));
        }
        done += 1;
    }
    if !only.is_empty() && done != only.len() {
        return Err(format!("some of {only:?} are not in the manifest").into());
    }
    if check {
        println!("{done} samples checked, {differ} differ");
    }
    Ok(if differ > 0 { 1 } else { 0 })
}

/// Variants of each benchmark template: enough that the bodies differ, few enough that signing
/// them (pure-Rust RSA) takes a second or two.
const TYPICAL_VARIANTS: usize = 64;

/// The benchmark's mailbox of typical mail (`benches/typical/`): `count` messages, the signed
/// variants of every template in turn, as an mboxrd.
fn typical_mbox(count: usize, out: &Path) -> Result<()> {
    let samples_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let manifest_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/typical/manifest.json");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?,
    )?;
    let templates = manifest["samples"]
        .as_array()
        .ok_or("manifest: \"samples\" must be an array")?;
    let mut messages = Vec::new();
    for v in 0..TYPICAL_VARIANTS {
        for template in templates {
            let source = samples_dir.join(str_field(template, "source")?);
            let text = std::fs::read_to_string(&source)
                .map_err(|e| format!("{}: {e}", source.display()))?;
            let text = fill_typical(&text, v);
            messages.push(build_text(&samples_dir, template, &source, text)?);
        }
    }
    let mut mbox = Vec::new();
    for i in 0..count {
        let message = &messages[i % messages.len()];
        mbox.extend_from_slice(b"From bench@example.com Tue Mar 11 09:15:42 2025\n");
        for line in message.split_inclusive('\n') {
            if line.trim_start_matches('>').starts_with("From ") {
                mbox.push(b'>');
            }
            mbox.extend_from_slice(line.as_bytes());
        }
        mbox.push(b'\n');
    }
    std::fs::write(out, &mbox).map_err(|e| format!("{}: {e}", out.display()))?;
    println!(
        "wrote {}: {count} messages, {} bytes ({} a message)",
        out.display(),
        mbox.len(),
        mbox.len() / count.max(1)
    );
    Ok(())
}

/// A template with `{{v}}` and its `{{text:BYTES}}` / `{{html:BYTES}}` bodies filled in for
/// variant `v`: prose made of common words, different for every variant, always the same for
/// the same variant.
fn fill_typical(template: &str, v: usize) -> String {
    let mut out = template.replace("{{v}}", &format!("{v:04x}"));
    while let Some(start) = out.find("{{text:").or_else(|| out.find("{{html:")) {
        let end = start + out[start..].find("}}").expect("a closed placeholder") + 2;
        let inner = &out[start + 2..end - 2];
        let (kind, bytes) = inner.split_once(':').expect("kind:bytes");
        let bytes: usize = bytes.parse().expect("a byte count");
        let prose = prose(v * 7919 + start, bytes, kind == "html");
        out.replace_range(start..end, &prose);
    }
    out
}

fn prose(seed: usize, bytes: usize, html: bool) -> String {
    const WORDS: &[&str] = &[
        "the", "order", "delivery", "team", "spring", "workshop", "account", "please", "update",
        "invoice", "meeting", "schedule", "report", "customer", "shipping", "weekend", "office",
        "review", "project", "figures", "quarter", "thanks", "details", "attached", "tomorrow",
        "service", "support", "price", "members", "event", "library", "garden", "bicycle", "hours",
        "opening", "new", "and", "of", "to", "with", "for", "on", "our", "your", "we",
    ];
    let mut state = seed as u64 ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut out = String::new();
    let mut line = String::new();
    let mut words_in_paragraph = 0;
    while out.len() < bytes {
        if line.is_empty() && words_in_paragraph == 0 && html {
            line.push_str(
                "<tr><td style=\"padding:8px 24px;font:15px/1.5 Arial,sans-serif;color:#333\">",
            );
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        let word = WORDS[next() % WORDS.len()];
        if line.len() + word.len() + 1 > 72 {
            out.push_str(line.trim_end());
            out.push('\n');
            line.clear();
        }
        line.push_str(word);
        line.push(' ');
        words_in_paragraph += 1;
        if words_in_paragraph > 60 + next() % 40 {
            out.push_str(line.trim_end());
            out.push_str(if html { ".</td></tr>\n" } else { ".\n\n" });
            line.clear();
            words_in_paragraph = 0;
        }
    }
    out.push_str(line.trim_end());
    out.push_str(if html { "</td></tr>\n" } else { "\n" });
    out
}

fn rel(p: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str> {
    v[key]
        .as_str()
        .ok_or_else(|| format!("missing string field \"{key}\"").into())
}

/// One sample: the source text, then each operation in turn.
fn build(dir: &Path, sample: &Value) -> Result<String> {
    let name = str_field(sample, "name")?;
    let source = dir.join(
        sample["source"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("src/{name}.eml")),
    );
    let text =
        std::fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
    build_text(dir, sample, &source, text)
}

/// [`build`] over a source already read (and, for the benchmark, already filled in).
fn build_text(dir: &Path, sample: &Value, source: &Path, text: String) -> Result<String> {
    if text.contains('\r') {
        return Err(format!("{}: use LF line endings", source.display()).into());
    }
    let preamble = sample["preamble_lines"].as_u64().unwrap_or(0) as usize;
    let mut doc = Doc {
        lines: text.split_inclusive('\n').map(str::to_string).collect(),
        preamble,
        b8: Vec::new(),
    };
    let ops = sample["ops"].as_array().ok_or("\"ops\" must be an array")?;
    for (n, op) in ops.iter().enumerate() {
        let kind = str_field(op, "op")?;
        doc.resolve_placeholders();
        let r = match kind {
            "dkim" => doc.dkim(dir, op),
            "arc" => doc.arc(dir, op),
            "prepend" => doc.prepend(op),
            "append-body" => doc.append_body(op),
            "append-header" => doc.append_header(op),
            "replace-header" => doc.replace_header(op),
            "edit-body" => doc.edit_body(op),
            "strip-body" => doc.strip_body(),
            other => Err(format!("unknown op \"{other}\"").into()),
        };
        r.map_err(|e| format!("op {} ({kind}): {e}", n + 1))?;
    }
    doc.resolve_placeholders();
    let out: String = doc.lines.concat();
    if let Some(pos) = out.find("{{") {
        let end = out[pos..].find("}}").map_or(out.len(), |e| pos + e + 2);
        return Err(format!("unresolved {}", &out[pos..end]).into());
    }
    Ok(out)
}

/// The sample being built: its lines (LF, each with its line ending) and what is known so far.
struct Doc {
    lines: Vec<String>,
    /// Lines at the top that are not part of the message (a paste's summary block).
    preamble: usize,
    /// `b=` prefixes of the signatures made so far, by operation id.
    b8: Vec<(String, String)>,
}

impl Doc {
    /// `text` with the `{{b8:ID}}` known so far filled in.
    fn fill(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (id, b8) in &self.b8 {
            out = out.replace(&format!("{{{{b8:{id}}}}}"), b8);
        }
        out
    }

    fn resolve_placeholders(&mut self) {
        let lines: Vec<String> = self.lines.iter().map(|l| self.fill(l)).collect();
        self.lines = lines;
    }

    /// Where the headers of operation `id` go (its marker line, taken out, or the top of the
    /// message): the signer sees the message from that line on.
    fn position(&mut self, id: &str) -> usize {
        let marker = format!("{{{{sign:{id}}}}}");
        match self.lines.iter().position(|l| l.trim_end() == marker) {
            Some(i) => {
                self.lines.remove(i);
                i
            }
            None => self.preamble,
        }
    }

    /// What the signer sees, from line `from` on, in CRLF form.
    fn view(&self, from: usize) -> Result<Vec<u8>> {
        let text: String = self.lines[from..].concat();
        if let Some(pos) = text.find("{{") {
            let end = text[pos..].find("}}").map_or(text.len(), |e| pos + e + 2);
            return Err(format!(
                "{} is still in the signed part (operations must run bottom-up)",
                &text[pos..end]
            )
            .into());
        }
        Ok(text.replace('\n', "\r\n").into_bytes())
    }

    fn insert(&mut self, at: usize, header_text: &str) {
        let new: Vec<String> = header_text
            .split_inclusive('\n')
            .map(str::to_string)
            .collect();
        self.lines.splice(at..at, new);
    }

    /// Index of the blank line that ends the message's header block, if any.
    fn header_end(&self) -> Option<usize> {
        (self.preamble..self.lines.len()).find(|&i| self.lines[i].trim_end_matches('\n').is_empty())
    }

    fn dkim(&mut self, dir: &Path, op: &Value) -> Result<()> {
        let id = str_field(op, "id")?.to_string();
        let at = self.position(&id);
        let view = self.view(at)?;
        let key = load_key(&dir.join(str_field(op, "key")?))?;
        let (ch, cb) = canonicalization(op["c"].as_str().unwrap_or("relaxed/relaxed"))?;
        let h = header_list(op)?;
        let (headers, body) = split_message(&view)?;
        let body = body.ok_or("the message has no body to sign")?;

        let canonical_body = canonical_body(cb, body);
        let l = op["l"]
            .as_bool()
            .unwrap_or(false)
            .then_some(canonical_body.len());
        let bh = base64(key.hash(canonical_body.as_slice()).as_ref());

        let mut tags = vec![
            Tag::plain("v", "1"),
            Tag::plain("a", key.algorithm().name()),
            Tag::plain("c", &format!("{}/{}", canon_name(ch), canon_name(cb))),
            Tag::plain("d", str_field(op, "domain")?),
            Tag::plain("s", str_field(op, "selector")?),
        ];
        if let Some(i) = op["i"].as_str() {
            tags.push(Tag::plain("i", i));
        }
        tags.push(Tag::plain("t", &unix_time(&op["t"])?.to_string()));
        if !op["x"].is_null() {
            tags.push(Tag::plain("x", &unix_time(&op["x"])?.to_string()));
        }
        if let Some(l) = l {
            tags.push(Tag::plain("l", &l.to_string()));
        }
        tags.push(Tag::list("h", &h));
        tags.push(Tag::base64("bh", &bh));

        let name = "DKIM-Signature";
        let prefix = fold_prefix(name, &tags);
        let mut input = Vec::new();
        let selected = select_headers(&headers, &h);
        ch.canonicalize_headers(selected.into_iter(), &mut input);
        canonicalize_own(ch, name, &prefix, &mut input);
        let b = base64(&key.sign(input.as_slice())?);
        self.b8.push((id, b.chars().take(8).collect()));
        self.insert(at, &finish(&prefix, &b));
        Ok(())
    }

    fn arc(&mut self, dir: &Path, op: &Value) -> Result<()> {
        let id = str_field(op, "id")?.to_string();
        let at = self.position(&id);
        let view = self.view(at)?;
        let key = load_key(&dir.join(str_field(op, "key")?))?;
        let (ch, cb) = canonicalization(op["c"].as_str().unwrap_or("relaxed/relaxed"))?;
        let h = header_list(op)?;
        if h.iter().any(|n| n.eq_ignore_ascii_case("arc-seal")) {
            return Err("an ARC-Message-Signature must not sign ARC-Seal".into());
        }
        let (headers, body) = split_message(&view)?;
        let body = body.ok_or("the message has no body to sign")?;
        let domain = str_field(op, "domain")?;
        let selector = str_field(op, "selector")?;
        let t = unix_time(&op["t"])?.to_string();

        // the sets already there, 1..n, each complete
        let mut sets = Vec::new();
        for i in 1.. {
            let find = |name: &str| {
                headers
                    .iter()
                    .find(|(n, v)| {
                        n.eq_ignore_ascii_case(name.as_bytes()) && instance(v) == Some(i)
                    })
                    .copied()
            };
            match (
                find("ARC-Authentication-Results"),
                find("ARC-Message-Signature"),
                find("ARC-Seal"),
            ) {
                (Some(aar), Some(ams), Some(seal)) => sets.push([aar, ams, seal]),
                (None, None, None) => break,
                _ => return Err(format!("ARC set i={i} is incomplete").into()),
            }
        }
        let i = sets.len() + 1;
        if let Some(want) = op["instance"].as_u64()
            && want as usize != i
        {
            return Err(format!("instance {want} expected, the chain so far makes it {i}").into());
        }
        let cv = str_field(op, "cv")?;
        match (i, cv) {
            (1, "none") | (2.., "pass" | "fail") => {}
            _ => return Err(format!("cv={cv} is impossible for i={i}").into()),
        }

        // ARC-Authentication-Results: given by the manifest, written as is
        let aar = format!(
            "ARC-Authentication-Results: i={i}; {}\n",
            self.fill(str_field(op, "aar")?.trim_end())
        );
        if aar.contains("{{") {
            return Err("the AAR refers to a signature not made yet".into());
        }

        // ARC-Message-Signature: a DKIM signature with i= and without v=
        let canonical_body = canonical_body(cb, body);
        let bh = base64(key.hash(canonical_body.as_slice()).as_ref());
        let tags = vec![
            Tag::plain("i", &i.to_string()),
            Tag::plain("a", key.algorithm().name()),
            Tag::plain("c", &format!("{}/{}", canon_name(ch), canon_name(cb))),
            Tag::plain("d", domain),
            Tag::plain("s", selector),
            Tag::plain("t", &t),
            Tag::list("h", &h),
            Tag::base64("bh", &bh),
        ];
        let ams_prefix = fold_prefix("ARC-Message-Signature", &tags);
        let mut input = Vec::new();
        ch.canonicalize_headers(select_headers(&headers, &h).into_iter(), &mut input);
        canonicalize_own(ch, "ARC-Message-Signature", &ams_prefix, &mut input);
        let ams_b = base64(&key.sign(input.as_slice())?);
        let ams = finish(&ams_prefix, &ams_b);

        // ARC-Seal: over every set in order, this one last with b= empty (always relaxed)
        let tags = vec![
            Tag::plain("i", &i.to_string()),
            Tag::plain("a", key.algorithm().name()),
            Tag::plain("t", &t),
            Tag::plain("cv", cv),
            Tag::plain("d", domain),
            Tag::plain("s", selector),
        ];
        let seal_prefix = fold_prefix("ARC-Seal", &tags);
        let relaxed = Canonicalization::Relaxed;
        let mut input = Vec::new();
        relaxed.canonicalize_headers(sets.iter().flat_map(|s| s.iter().copied()), &mut input);
        let aar_crlf = aar.replace('\n', "\r\n");
        let ams_crlf = ams.replace('\n', "\r\n");
        let own = [aar_crlf.as_bytes(), ams_crlf.as_bytes()].map(split_field);
        relaxed.canonicalize_headers(own.into_iter(), &mut input);
        canonicalize_own(relaxed, "ARC-Seal", &seal_prefix, &mut input);
        let seal = finish(&seal_prefix, &base64(&key.sign(input.as_slice())?));

        self.b8.push((id, ams_b.chars().take(8).collect()));
        self.insert(at, &format!("{seal}{ams}{aar}"));
        Ok(())
    }

    fn prepend(&mut self, op: &Value) -> Result<()> {
        let text = ensure_newline(str_field(op, "text")?);
        let at = self.preamble;
        self.insert(at, &text);
        Ok(())
    }

    /// A header added at the bottom of the header block (as mailing lists add List-*).
    fn append_header(&mut self, op: &Value) -> Result<()> {
        let at = self.header_end().ok_or("no end of the header block")?;
        let text = ensure_newline(str_field(op, "text")?);
        self.insert(at, &text);
        Ok(())
    }

    fn append_body(&mut self, op: &Value) -> Result<()> {
        self.header_end().ok_or("no body to append to")?;
        if let Some(last) = self.lines.last_mut()
            && !last.ends_with('\n')
        {
            last.push('\n');
        }
        let text = ensure_newline(str_field(op, "text")?);
        let at = self.lines.len();
        self.insert(at, &text);
        Ok(())
    }

    fn edit_body(&mut self, op: &Value) -> Result<()> {
        let start = self.header_end().ok_or("no body to edit")? + 1;
        let find = str_field(op, "find")?;
        let replace = str_field(op, "replace")?;
        let body: String = self.lines[start..].concat();
        match body.matches(find).count() {
            1 => {}
            n => return Err(format!("{find:?} occurs {n} times in the body, not once").into()),
        }
        let body = body.replacen(find, replace, 1);
        self.lines.truncate(start);
        self.lines
            .extend(body.split_inclusive('\n').map(str::to_string));
        Ok(())
    }

    fn replace_header(&mut self, op: &Value) -> Result<()> {
        let name = str_field(op, "name")?;
        let nth = op["nth"].as_u64().unwrap_or(1) as usize;
        let end = self.header_end().unwrap_or(self.lines.len());
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let starts: Vec<usize> = (self.preamble..end)
            .filter(|&i| self.lines[i].to_ascii_lowercase().starts_with(&prefix))
            .collect();
        let start = *starts
            .get(nth.wrapping_sub(1))
            .ok_or_else(|| format!("no {name} header number {nth}"))?;
        let mut stop = start + 1;
        while stop < end && self.lines[stop].starts_with([' ', '\t']) {
            stop += 1;
        }
        let text = ensure_newline(str_field(op, "text")?);
        self.lines.drain(start..stop);
        self.insert(start, &text);
        Ok(())
    }

    fn strip_body(&mut self) -> Result<()> {
        let end = self.header_end().ok_or("no body to strip")?;
        self.lines.truncate(end);
        Ok(())
    }
}

fn ensure_newline(s: &str) -> String {
    if s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}

/// Header fields (name, value after the colon with its CRLF) and the body, if there is one.
fn split_message(view: &[u8]) -> Result<(Vec<Field<'_>>, Option<&[u8]>)> {
    let (head, body) = match view.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(p) => (&view[..p + 2], Some(&view[p + 4..])),
        None => (view, None),
    };
    let mut fields: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    while pos < head.len() {
        let end = head[pos..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(head.len(), |e| pos + e + 2);
        if pos > start && !matches!(head[pos], b' ' | b'\t') {
            fields.push(&head[start..pos]);
            start = pos;
        }
        pos = end;
    }
    if start < head.len() {
        fields.push(&head[start..]);
    }
    let mut headers = Vec::new();
    for field in fields {
        let (name, value) = split_field(field);
        if value.is_empty() || name.is_empty() || name.iter().any(|c| c.is_ascii_whitespace()) {
            return Err(format!(
                "not a header line: {:?}",
                String::from_utf8_lossy(field).trim_end()
            )
            .into());
        }
        headers.push((name, value));
    }
    Ok((headers, body))
}

/// A field as (name, value after the colon).
fn split_field(field: &[u8]) -> Field<'_> {
    let colon = field.iter().position(|&c| c == b':').unwrap_or(field.len());
    (&field[..colon], field.get(colon + 1..).unwrap_or_default())
}

/// The `i=` of an ARC header value.
fn instance(value: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(value);
    text.split(';').find_map(|tag| {
        let (k, v) = tag.split_once('=')?;
        (k.trim() == "i").then(|| v.trim().parse().ok()).flatten()
    })
}

/// RFC 6376 5.4.2: each name takes the bottom-most instance not taken yet; a name with no
/// instance left signs nothing (it makes a later-added header of that name break the signature).
fn select_headers<'a>(headers: &[Field<'a>], h: &[String]) -> Vec<Field<'a>> {
    let mut used = vec![false; headers.len()];
    let mut out = Vec::new();
    for name in h {
        if let Some(i) = (0..headers.len())
            .rev()
            .find(|&i| !used[i] && headers[i].0.eq_ignore_ascii_case(name.as_bytes()))
        {
            used[i] = true;
            out.push(headers[i]);
        }
    }
    out
}

/// The signature header itself, `b=` empty and without its final CRLF (RFC 6376 3.7).
fn canonicalize_own(c: Canonicalization, name: &str, prefix: &str, out: &mut Vec<u8>) {
    let field = prefix.replace('\n', "\r\n");
    let value = &field.as_bytes()[name.len() + 1..];
    c.canonicalize_headers(std::iter::once((name.as_bytes(), value)), out);
}

fn canonical_body(c: Canonicalization, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    c.canonical_body(body, 0).write(&mut out);
    out
}

fn canonicalization(c: &str) -> Result<(Canonicalization, Canonicalization)> {
    let parse = |s: &str| match s {
        "relaxed" => Ok(Canonicalization::Relaxed),
        "simple" => Ok(Canonicalization::Simple),
        other => Err(format!("unknown canonicalization {other:?}")),
    };
    let (h, b) = c.split_once('/').unwrap_or((c, "simple"));
    Ok((parse(h)?, parse(b)?))
}

fn canon_name(c: Canonicalization) -> &'static str {
    match c {
        Canonicalization::Relaxed => "relaxed",
        Canonicalization::Simple => "simple",
    }
}

fn header_list(op: &Value) -> Result<Vec<String>> {
    let h = str_field(op, "h")?;
    let list: Vec<String> = h.split(':').map(|s| s.trim().to_string()).collect();
    if list.iter().any(String::is_empty) || !list.iter().any(|n| n.eq_ignore_ascii_case("from")) {
        return Err(format!("h={h:?} must list From and no empty names").into());
    }
    Ok(list)
}

/// Unix seconds, from an integer or an RFC 3339 date.
fn unix_time(v: &Value) -> Result<i64> {
    if let Some(n) = v.as_i64() {
        return Ok(n);
    }
    let s = v
        .as_str()
        .ok_or("a time must be unix seconds or an RFC 3339 date")?;
    Ok(chrono::DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("{s:?}: {e}"))?
        .timestamp())
}

fn load_key(path: &Path) -> Result<DkimKey> {
    let pem = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>();
    let der = mail_parser::decoders::base64::base64_decode(b64.as_bytes())
        .ok_or_else(|| format!("{}: not PEM", path.display()))?;
    // PKCS#8 "BEGIN PRIVATE KEY" as openssl 3 writes it: RSA or Ed25519
    if let Ok(key) = Ed25519Key::from_pkcs8_der(&der) {
        return Ok(DkimKey::Ed25519(key));
    }
    let der_ref: &[u8] = &der;
    let key = RsaKey::<Sha256>::from_key_der(
        der_ref
            .try_into()
            .map_err(|e| format!("{}: {e}", path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(DkimKey::Rsa(key))
}

/// A tag of a signature header, in the form the folder may break.
enum Tag {
    /// `k=v`, never broken
    Plain(String),
    /// `h=a:b:c`, broken before a name
    List(Vec<String>),
    /// base64, broken anywhere
    Base64(String, String),
}

impl Tag {
    fn plain(k: &str, v: &str) -> Tag {
        Tag::Plain(format!("{k}={v}"))
    }
    fn list(k: &str, names: &[String]) -> Tag {
        let mut parts: Vec<String> = names.iter().map(|n| format!("{n}:")).collect();
        if let Some(last) = parts.last_mut() {
            last.pop();
        }
        if let Some(first) = parts.first_mut() {
            *first = format!("{k}={first}");
        }
        Tag::List(parts)
    }
    fn base64(k: &str, v: &str) -> Tag {
        Tag::Base64(format!("{k}="), v.to_string())
    }
}

/// `Name: tag; tag; ...; b=` folded at WIDTH columns with LF + tab; `b=` starts a line.
fn fold_prefix(name: &str, tags: &[Tag]) -> String {
    let mut out = format!("{name}:");
    let mut col = out.len();
    let put = |out: &mut String, col: &mut usize, piece: &str, space: bool| {
        let sep = usize::from(space);
        if *col + sep + piece.len() > WIDTH {
            out.push_str("\n\t");
            *col = 8;
        } else if space {
            out.push(' ');
            *col += 1;
        }
        out.push_str(piece);
        *col += piece.len();
    };
    for tag in tags {
        match tag {
            Tag::Plain(s) => put(&mut out, &mut col, &format!("{s};"), true),
            Tag::List(parts) => {
                for (n, p) in parts.iter().enumerate() {
                    let piece = if n + 1 == parts.len() {
                        format!("{p};")
                    } else {
                        p.clone()
                    };
                    put(&mut out, &mut col, &piece, n == 0);
                }
            }
            Tag::Base64(k, v) => {
                // base64 values start on a line of their own, as OpenDKIM writes them
                out.push_str("\n\t");
                col = 8;
                put(&mut out, &mut col, k, false);
                let mut rest = format!("{v};");
                while !rest.is_empty() {
                    let room = WIDTH.saturating_sub(col);
                    if room < 4 {
                        out.push_str("\n\t");
                        col = 8;
                        continue;
                    }
                    let take = room.min(rest.len());
                    out.push_str(&rest[..take]);
                    col += take;
                    rest = rest[take..].to_string();
                }
            }
        }
    }
    out.push_str("\n\tb=");
    out
}

/// The prefix followed by the folded `b=` value and a line ending.
fn finish(prefix: &str, b: &str) -> String {
    let mut out = prefix.to_string();
    let mut col = prefix
        .rsplit('\n')
        .next()
        .map_or(0, |l| l.len() + if l.starts_with('\t') { 7 } else { 0 });
    let mut rest = b;
    while !rest.is_empty() {
        let room = WIDTH.saturating_sub(col);
        if room < 4 {
            out.push_str("\n\t");
            col = 8;
            continue;
        }
        let take = room.min(rest.len());
        out.push_str(&rest[..take]);
        col += take;
        rest = &rest[take..];
    }
    out.push('\n');
    out
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
