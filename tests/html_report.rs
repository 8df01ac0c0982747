//! The HTML report (`--format html`): structure on the samples, and hostile messages that must
//! stay text. Pages are checked by scanning their tags: message text is escaped, so every `<`
//! in a page starts a tag the renderer wrote, and every tag must be one the report uses, with
//! no event handler, no `src`, no `style` attribute and no link that leaves the page.
//!
//! Analyses are offline (the samples' zone, the fixed `now` of `tests/common`); nothing here
//! touches the network or the wall clock.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::*;
use mailtrace::render::html::{self, HtmlOptions};
use mailtrace::{Report, Source};

// ---------------------------------------------------------------------------------------------
// helpers

fn analyse(name: &str, bytes: Vec<u8>) -> (Report, Source) {
    let source = Source::from_bytes(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let report = mailtrace::analyze(&source, &options()).unwrap_or_else(|e| panic!("{name}: {e}"));
    (report, source)
}

fn sample(name: &str) -> (Report, Source) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    analyse(
        &format!("samples/{name}"),
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
}

fn page(report: &Report, source: &Source) -> String {
    html::render(report, source, &HtmlOptions::default())
}

/// One tag of a page.
#[derive(Debug)]
struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
}

/// Every tag of a page, in order; the text of `<style>` is skipped (it is CSS, not markup).
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.split_once("-->").map(|(_, r)| r).unwrap_or("");
            continue;
        }
        if rest.starts_with('!') {
            rest = rest.split_once('>').map(|(_, r)| r).unwrap_or("");
            out.push(Tag {
                name: "!doctype".into(),
                closing: false,
                attrs: Vec::new(),
            });
            continue;
        }
        let closing = rest.starts_with('/');
        if closing {
            rest = &rest[1..];
        }
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = &rest[name_len..];
        let mut attrs = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if rest.is_empty() {
                break;
            }
            if let Some(r) = rest.strip_prefix('>') {
                rest = r;
                break;
            }
            let n = rest
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
                .unwrap_or(rest.len())
                .max(1);
            let attr = rest[..n].to_ascii_lowercase();
            rest = &rest[n..];
            let mut value = String::new();
            if let Some(r) = rest.strip_prefix('=') {
                let (v, r) = match r.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let body = &r[1..];
                        let end = body.find(q).unwrap_or(body.len());
                        (&body[..end], body.get(end + 1..).unwrap_or(""))
                    }
                    _ => {
                        let end = r
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .unwrap_or(r.len());
                        (&r[..end], &r[end..])
                    }
                };
                value = v.to_string();
                rest = r;
            }
            attrs.push((attr, value));
        }
        if name == "style" && !closing {
            rest = rest.split_once("</style>").map(|(_, r)| r).unwrap_or("");
            out.push(Tag {
                name,
                closing,
                attrs,
            });
            out.push(Tag {
                name: "style".into(),
                closing: true,
                attrs: Vec::new(),
            });
            continue;
        }
        out.push(Tag {
            name,
            closing,
            attrs,
        });
    }
    out
}

/// The elements a report page is made of; anything else came from a message.
const ALLOWED: &[&str] = &[
    "!doctype",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "nav",
    "main",
    "footer",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "a",
    "span",
    "b",
    "br",
    "code",
    "pre",
    "mark",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "details",
    "summary",
    "figure",
    "figcaption",
    "div",
    "strong",
    "em",
    "svg",
    "g",
    "rect",
    "line",
    "circle",
    "text",
    "tspan",
];

/// The page is inert: known elements only, no handler, no `src`, no `style` attribute, links
/// within the page (or the allowed back link), no `javascript:` anywhere in an attribute.
fn assert_inert(what: &str, html: &str, back_link: Option<&str>) {
    let tags = tags(html);
    assert!(tags.len() > 50, "{what}: only {} tags", tags.len());
    for tag in &tags {
        assert!(
            ALLOWED.contains(&tag.name.as_str()),
            "{what}: unexpected element <{}> {:?}",
            tag.name,
            tag.attrs
        );
        for (name, value) in &tag.attrs {
            assert!(
                !name.starts_with("on"),
                "{what}: event handler {name} on <{}>",
                tag.name
            );
            assert!(
                !matches!(
                    name.as_str(),
                    "src" | "style" | "srcdoc" | "action" | "formaction" | "xlink:href"
                ),
                "{what}: attribute {name} on <{}>",
                tag.name
            );
            let folded: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(
                !folded.contains("javascript:") && !folded.contains("data:text"),
                "{what}: {name}={value:?} on <{}>",
                tag.name
            );
            if name == "href" {
                assert!(
                    value.starts_with('#') || Some(value.as_str()) == back_link,
                    "{what}: a link out of the page: {value:?}"
                );
            }
        }
    }
    assert!(!html.contains("<script"), "{what}: <script");
    // URLs may appear as escaped text (a DMARC rua=, a teaching page), never in a tag
    for tag in &tags {
        for (name, value) in &tag.attrs {
            assert!(
                !value.contains("http://") && !value.contains("https://"),
                "{what}: a URL in {name} of <{}>",
                tag.name
            );
        }
    }
}

/// The text of the one `<style>` element.
fn style_text(html: &str) -> &str {
    assert_eq!(html.matches("<style>").count(), 1, "one <style> element");
    assert_eq!(html.matches("</style>").count(), 1, "one </style>");
    let start = html.find("<style>").unwrap() + "<style>".len();
    let end = html.find("</style>").unwrap();
    &html[start..end]
}

/// Base64 of SHA-256, written here apart from the renderer's.
fn sha256_base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let bytes = digest.as_ref();
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = String::new();
    for &b in bytes {
        bits = (bits << 8) | u32::from(b);
        nbits += 8;
        while nbits >= 6 {
            nbits -= 6;
            out.push(A[((bits >> nbits) & 63) as usize] as char);
        }
    }
    if nbits > 0 {
        out.push(A[((bits << (6 - nbits)) & 63) as usize] as char);
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

/// The CSP meta tag's policy, and that it allows exactly the page's stylesheet.
fn assert_csp(what: &str, html: &str) {
    let tags = tags(html);
    let metas: Vec<&Tag> = tags
        .iter()
        .filter(|t| {
            t.name == "meta"
                && t.attrs.iter().any(|(n, v)| {
                    n == "http-equiv" && v.eq_ignore_ascii_case("content-security-policy")
                })
        })
        .collect();
    assert_eq!(metas.len(), 1, "{what}: one CSP meta tag");
    let policy = metas[0]
        .attrs
        .iter()
        .find(|(n, _)| n == "content")
        .map(|(_, v)| v.replace("&#39;", "'"))
        .expect("CSP content");
    let hash = sha256_base64(style_text(html).as_bytes());
    assert_eq!(
        policy,
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; form-action 'none'"
        ),
        "{what}"
    );
    // the policy comes before the stylesheet it allows
    assert!(html.find("Content-Security-Policy").unwrap() < html.find("<style>").unwrap());
}

/// Elements that must be closed (void and self-closing SVG shapes are not among them).
const CONTAINERS: &[&str] = &[
    "html",
    "head",
    "body",
    "main",
    "header",
    "footer",
    "nav",
    "section",
    "article",
    "details",
    "summary",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "svg",
    "g",
    "text",
    "tspan",
    "mark",
    "pre",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "p",
    "a",
    "span",
    "blockquote",
    "figure",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "code",
    "b",
    "strong",
    "em",
    "title",
];

/// The markup of hop `n`'s group in the timeline.
fn hop_group(html: &str, n: usize) -> &str {
    let open = format!("<g class=\"hop\" data-hop=\"{n}\">");
    let start = html.find(&open).unwrap_or_else(|| panic!("no {open}"));
    let rest = &html[start + open.len()..];
    let end = [rest.find("<g class=\"hop\""), rest.find("</svg>")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Hops drawn in full: past this many, the page shows the oldest `HOP_HEAD`, the newest
/// `HOP_TAIL` and the boundary hop (the renderer's `timeline::HOP_HEAD` and `HOP_TAIL`).
const HOP_HEAD: usize = 200;
const HOP_TAIL: usize = 50;
/// Findings shown (the renderer's `MAX_FINDINGS`).
const MAX_FINDINGS: usize = 200;

/// The indices of the hops the page shows, in order.
fn shown_hops(report: &Report) -> Vec<usize> {
    let n = report.hops.len();
    let boundary = report.boundary.as_ref().map(|b| b.hop);
    report
        .hops
        .iter()
        .map(|h| h.index)
        .filter(|&i| {
            n <= HOP_HEAD + HOP_TAIL || i <= HOP_HEAD || i > n - HOP_TAIL || boundary == Some(i)
        })
        .collect()
}

/// The page's structure agrees with the report it was made from.
fn assert_structure(what: &str, report: &Report, html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
    assert!(
        !html.contains("could not lay out this report"),
        "{what}: the template failed: {html}"
    );
    for id in [
        "summary",
        "journey",
        "authentication",
        "findings",
        "headers",
    ] {
        assert_eq!(
            html.matches(&format!("<section id=\"{id}\">")).count(),
            1,
            "{what}: section#{id}"
        );
    }
    assert_eq!(
        html.matches("<section").count(),
        html.matches("</section>").count(),
        "{what}: unbalanced sections"
    );
    // every container the page uses opens and closes as often (and never closes first)
    let mut depth: std::collections::BTreeMap<&str, i64> = Default::default();
    let all = tags(html);
    for t in &all {
        if let Some(name) = CONTAINERS.iter().find(|c| **c == t.name) {
            let d = depth.entry(name).or_default();
            *d += if t.closing { -1 } else { 1 };
            assert!(*d >= 0, "{what}: </{name}> before its <{name}>");
        }
    }
    for (name, d) in depth {
        assert_eq!(d, 0, "{what}: unbalanced <{name}>");
    }
    assert_eq!(html.matches("<svg class=\"timeline\"").count(), 1, "{what}");

    // one g.hop per hop shown (every hop of real mail), 1..n in order
    let groups: Vec<usize> = html
        .match_indices("<g class=\"hop\" data-hop=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    let want = shown_hops(report);
    assert_eq!(groups, want, "{what}: timeline hops");
    assert_eq!(
        html.matches("<g class=\"hop\"").count(),
        want.len(),
        "{what}"
    );
    for hop in report
        .hops
        .iter()
        .filter(|h| want.binary_search(&h.index).is_ok())
    {
        let g = hop_group(html, hop.index);
        if hop.tls.is_some() {
            assert!(g.contains("class=\"tls\""), "{what}: hop {} TLS", hop.index);
        } else {
            assert!(
                g.contains("class=\"no-tls\"") && !g.contains("class=\"tls\""),
                "{what}: hop {} no TLS",
                hop.index
            );
        }
        let negative = hop.delay_seconds.is_some_and(|d| d < 0);
        let skew_finding = report
            .findings
            .iter()
            .any(|f| f.name == "hop-clock-skew" && f.hop == Some(hop.index));
        if negative || skew_finding {
            assert!(g.contains("skewed"), "{what}: hop {} skewed", hop.index);
            assert!(g.contains("skew"), "{what}: hop {} says skew", hop.index);
        }
        if negative {
            // a clock behind is a marker with words, never a bar lying over the previous one
            assert!(
                g.contains("class=\"skew-marker skewed\"") && !g.contains("<rect class=\"bar"),
                "{what}: hop {}",
                hop.index
            );
            assert!(
                g.contains("behind the previous hop"),
                "{what}: hop {}",
                hop.index
            );
        }
    }

    // the boundary is marked when there is one, and only then
    let boundary = html.matches("<g class=\"boundary\">").count();
    assert_eq!(boundary, usize::from(report.boundary.is_some()), "{what}");
    if report.boundary.as_ref().is_some_and(|b| !b.internal) {
        assert!(
            html.contains("entered the recipient&#39;s servers here"),
            "{what}"
        );
    }

    // the findings, in order, each with its code and teaching page
    let mut at = 0;
    for (i, f) in report.findings.iter().enumerate().take(MAX_FINDINGS) {
        let open = format!(
            "<article class=\"finding\" id=\"finding-{}\" data-code=\"{}\"",
            i + 1,
            f.code
        );
        let found = html[at..]
            .find(&open)
            .unwrap_or_else(|| panic!("{what}: no {open} after byte {at}"));
        at += found + open.len();
        let article_end = at + html[at..].find("</article>").unwrap();
        assert!(
            html[at..article_end].contains("<details class=\"teaching\""),
            "{what}: finding {} without its teaching page",
            i + 1
        );
    }
    assert_eq!(
        html.matches("<article class=\"finding\"").count(),
        report.findings.len().min(MAX_FINDINGS),
        "{what}"
    );

    // every link inside the page has its target
    let ids: BTreeSet<String> = tags(html)
        .iter()
        .flat_map(|t| t.attrs.iter())
        .filter(|(n, _)| n == "id")
        .map(|(_, v)| v.clone())
        .collect();
    for t in tags(html) {
        for (n, v) in &t.attrs {
            if n == "href"
                && let Some(id) = v.strip_prefix('#')
            {
                assert!(ids.contains(id), "{what}: link to missing #{id}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// the samples

#[test]
fn every_sample_renders_a_whole_inert_page() {
    let mut checked = 0;
    let mut with_boundary = 0;
    let mut with_findings = 0;
    for path in samples() {
        let name = sample_name(&path);
        let Ok(source) = Source::from_bytes(&name, std::fs::read(&path).unwrap()) else {
            continue;
        };
        let Ok(report) = mailtrace::analyze(&source, &options()) else {
            continue;
        };
        let html = page(&report, &source);
        assert_structure(&name, &report, &html);
        assert_csp(&name, &html);
        assert_inert(&name, &html, None);
        with_boundary += usize::from(report.boundary.is_some());
        with_findings += usize::from(!report.findings.is_empty());
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} samples rendered");
    assert!(with_boundary >= 5 && with_findings >= 5);
}

#[test]
fn the_stylesheet_is_the_template_file_and_its_hash_is_allowed() {
    let (report, source) = sample("dkim-body-modified-by-footer.eml");
    let html = page(&report, &source);
    let css = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/report.css"),
    )
    .unwrap();
    assert_eq!(style_text(&html), css);
    assert_csp("dkim-body-modified-by-footer", &html);
    // a changed stylesheet would not match the policy: the check can fail
    let tampered = html.replacen("<style>", "<style> ", 1);
    assert!(std::panic::catch_unwind(|| assert_csp("tampered", &tampered)).is_err());
}

#[test]
fn evidence_is_marked_in_the_raw_headers_and_links_both_ways() {
    let (report, source) = sample("dkim-body-modified-by-footer.eml");
    let html = page(&report, &source);
    let headers = &html[html.find("<section id=\"headers\">").unwrap()..];
    let mut k = 0;
    let mut linked = 0;
    for (i, f) in report.findings.iter().enumerate() {
        for e in &f.evidence {
            let Some([start, end]) = e.span else {
                continue;
            };
            k += 1;
            if start < end && end <= source.message.len() {
                let link = format!("href=\"#ev-{k}\"");
                assert!(html.contains(&link), "finding {} evidence {k}", i + 1);
                assert!(headers.contains(&format!("id=\"ev-{k}\"")), "#ev-{k}");
                linked += 1;
            }
        }
        if f.evidence.iter().any(|e| e.span.is_some()) {
            assert!(
                headers.contains(&format!("href=\"#finding-{}\"", i + 1)),
                "the raw headers link back to finding {}",
                i + 1
            );
        }
    }
    assert!(linked >= 1, "the sample has evidence in its headers");
    assert!(headers.contains("<mark class=\"evidence\" id=\"ev-1\">"));
}

#[test]
fn broken_evidence_spans_do_not_break_the_page() {
    let (mut report, source) = sample("hop-delay-sender-queue.eml");
    assert!(!report.findings.is_empty());
    let len = source.message.len();
    // find a byte inside a multi-byte character, if the message has one; else any byte
    let mid = source
        .message
        .iter()
        .position(|b| (b & 0xC0) == 0x80)
        .unwrap_or(len / 2);
    let spans = [
        [0, len * 4],
        [len + 10, len + 20],
        [50, 10],
        [7, 7],
        [mid, mid + 1],
        [3, 40],
        [20, 60],
        [usize::MAX - 2, usize::MAX],
    ];
    let finding = &mut report.findings[0];
    for span in spans {
        finding.evidence.push(mailtrace::diagnose::Evidence {
            header: "Test".into(),
            span: Some(span),
            excerpt: "<b>x</b>".into(),
        });
    }
    let html = page(&report, &source);
    assert_structure("broken spans", &report, &html);
    assert_inert("broken spans", &html, None);
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
}

#[test]
fn explain_unfolds_every_teaching_page() {
    let (report, source) = sample("spoofed-from-spf-fail-dmarc-reject.eml");
    assert!(report.findings.len() >= 2);
    let folded = page(&report, &source);
    assert_eq!(
        folded.matches("<details class=\"teaching\" open>").count(),
        0
    );
    let open = html::render(
        &report,
        &source,
        &HtmlOptions {
            explain: true,
            ..Default::default()
        },
    );
    assert_eq!(
        open.matches("<details class=\"teaching\" open>").count(),
        report.findings.len()
    );
    // the page is the rule's own, rendered: its headings are there
    assert!(open.contains("<h4>What it means</h4>"));
    assert!(open.contains("<h4>What to do</h4>"));
}

#[test]
fn back_links_only_stay_on_the_site() {
    let (report, source) = sample("gmail-to-gmail.eml");
    for (link, shown) in [
        ("/", true),
        ("../messages.html", true),
        ("index.html", true),
        ("javascript:alert(1)", false),
        ("JaVaScRiPt:alert(1)", false),
        ("https://evil.example/", false),
        ("//evil.example/", false),
        ("/\\evil.example", false),
        ("\"><img src=x onerror=alert(1)>", false),
    ] {
        let html = html::render(
            &report,
            &source,
            &HtmlOptions {
                back_link: Some(link.into()),
                ..Default::default()
            },
        );
        let tag = format!("<a href=\"{}\" rel=\"noreferrer\">", html::escape(link));
        assert_eq!(html.contains(&tag), shown, "{link}");
        assert_inert(link, &html, shown.then_some(link));
        if !shown {
            assert!(!html.contains("class=\"back\""), "{link}");
            assert!(!html.to_ascii_lowercase().contains("javascript:"), "{link}");
        }
    }
}

#[test]
fn bounces_show_the_report_and_the_returned_original() {
    let (report, source) = sample("bounce-dsn-user-unknown.eml");
    assert!(!report.reports.is_empty());
    let original = report
        .original
        .as_deref()
        .expect("the bounce returns the original");
    let html = page(&report, &source);
    let section = &html[html
        .find("<section id=\"reports\">")
        .expect("section#reports")..];
    let section = &section[..section.find("</section>").unwrap()];
    let entry = &report.reports[0];
    for field in [&entry.status, &entry.recipient, &entry.reason]
        .into_iter()
        .flatten()
    {
        assert!(section.contains(&html::escape(field)), "{field}");
    }
    assert!(section.contains("The returned original message"));
    let subject = original
        .message
        .subject
        .as_deref()
        .expect("original subject");
    assert!(section.contains(&html::escape(subject)), "{subject}");
    for f in &original.findings {
        assert!(section.contains(f.code), "{}", f.code);
    }
}

#[test]
fn a_message_without_hops_still_has_its_timeline() {
    let (report, source) = sample("sent-items-copy-no-received.eml");
    assert!(report.hops.is_empty());
    let html = page(&report, &source);
    assert_structure("no hops", &report, &html);
    assert!(html.contains("No Received fields: no hop to draw."));
    assert!(!html.contains("<g class=\"boundary\">"));
}

#[test]
fn the_timeline_keeps_short_hops_visible_beside_a_long_queue() {
    let mut msg = String::new();
    // newest first: 1 s, 3 h, 1 s
    msg.push_str("Received: from b.example.org (b.example.org [192.0.2.3]) by c.example.org with ESMTPS; Tue, 11 Mar 2025 12:00:02 +0000\r\n");
    msg.push_str("Received: from a.example.org (a.example.org [192.0.2.2]) by b.example.org with ESMTPS; Tue, 11 Mar 2025 12:00:01 +0000\r\n");
    msg.push_str("Received: from z.example.net (z.example.net [198.51.100.9]) by a.example.org with ESMTP; Tue, 11 Mar 2025 09:00:01 +0000\r\n");
    msg.push_str("Received: from [10.0.0.2] by z.example.net with ESMTPSA; Tue, 11 Mar 2025 09:00:00 +0000\r\n");
    msg.push_str("From: a@example.net\r\nTo: b@example.org\r\nSubject: queue\r\nDate: Tue, 11 Mar 2025 09:00:00 +0000\r\nMessage-ID: <q@example.net>\r\n\r\nhi\r\n");
    let (report, source) = analyse("queue.eml", msg.into_bytes());
    let html = page(&report, &source);
    let width = |n: usize| -> f64 {
        let g = hop_group(&html, n);
        let bar = &g[g.find("<rect class=\"bar").expect("a bar")..];
        let w = &bar[bar.find("width=\"").unwrap() + 7..];
        w[..w.find('"').unwrap()].parse().unwrap()
    };
    let (one_s, three_h, last) = (width(2), width(3), width(4));
    assert!(one_s >= 15.0, "a 1 s hop is {one_s} px wide");
    assert!(
        three_h > 5.0 * one_s,
        "3 h ({three_h}) against 1 s ({one_s})"
    );
    assert!(three_h < 600.0);
    assert!((one_s - last).abs() < 0.5);
    assert!(html.contains("logarithmic scale"));
    // each bar ends with its duration
    assert!(
        hop_group(&html, 3).contains(">+3 h"),
        "{}",
        hop_group(&html, 3)
    );
    assert!(hop_group(&html, 2).contains(">+1 s<"));
}

/// The tick labels of the timeline's axis, in order, and the number of tick lines.
fn axis(html: &str) -> (Vec<String>, usize) {
    let start = html.find("<g class=\"axis\">").expect("an axis");
    let g = &html[start..start + html[start..].find("</g>").unwrap()];
    let labels = g
        .match_indices("<text class=\"tick-label\"")
        .map(|(i, _)| {
            let rest = &g[i..];
            let text = &rest[rest.find('>').unwrap() + 1..];
            text[..text.find('<').unwrap()].to_string()
        })
        .collect();
    (labels, g.matches("<line class=\"tick\"").count())
}

#[test]
fn the_axis_is_labelled_in_elapsed_time_on_the_log_scale() {
    let (report, source) = sample("enterprise-gateway-proofpoint-delay.eml");
    let html = page(&report, &source);
    let (labels, ticks) = axis(&html);
    // the longest hop is 6 min 15 s: the axis runs to 10 min, every tick labelled
    assert_eq!(labels, ["0", "1 s", "10 s", "1 min", "10 min"]);
    assert_eq!(ticks, labels.len(), "an unlabelled tick");
    // no clock time on the axis: it would read as a linear scale
    assert!(!labels.iter().any(|l| l.contains(':')));
    // ticks stand on the bars' scale, ln(1 + seconds), from the origin at 0
    let xs: Vec<f64> = {
        let start = html.find("<g class=\"axis\">").unwrap();
        let g = &html[start..start + html[start..].find("</g>").unwrap()];
        g.match_indices("<line class=\"tick\" x1=\"")
            .map(|(i, m)| {
                let rest = &g[i + m.len()..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    };
    for (x, seconds) in xs.iter().zip([0.0f64, 1.0, 10.0, 60.0, 600.0]).skip(1) {
        let want = (1.0 + seconds).ln() / 601.0f64.ln() * (xs[4] - xs[0]);
        assert!((x - xs[0] - want).abs() < 1.0, "{seconds} s at {x}: {xs:?}");
    }
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
    // the slow hop's bar says how long it took, at its end
    assert!(hop_group(&html, 3).contains("+6 min 15 s"));
    assert!(html.contains("logarithmic scale"));
}

#[test]
fn the_headline_comes_before_the_journey_and_the_details_after() {
    let (report, source) = sample("enterprise-gateway-proofpoint-delay.eml");
    let html = page(&report, &source);
    let summary = html.find("<section id=\"summary\">").unwrap();
    let time = html
        .find("Delivered in 6 min 21 s: 6 min 15 s content scanning at ppsgw1.example.com")
        .expect("the time headline");
    let worst = html
        .find("Hop 3 (ppsgw1.example.com) received the message 6 min 15 s after hop 2")
        .expect("the worst finding in words");
    let timeline = html.find("<svg class=\"timeline\"").unwrap();
    let details = html
        .find("<section id=\"details\">")
        .expect("section#details");
    let from_row = html.find("<dt>From</dt>").unwrap();
    assert!(
        summary < time && time < worst && worst < timeline,
        "headline first"
    );
    assert!(
        timeline < details && details < from_row,
        "details after the journey"
    );
    // said once: no "Hops 5" beside "5 hops"; what was read sits with the raw headers
    assert!(!html.contains("<dt>Hops</dt>") && !html.contains("<dt>Journey</dt>"));
    let read = html.find("<dt>What was read</dt>").unwrap();
    assert!(read > html.find("<section id=\"headers\">").unwrap());
}

#[test]
fn hop_labels_name_the_parts() {
    let (report, source) = sample("enterprise-gateway-proofpoint-delay.eml");
    let html = page(&report, &source);
    // host first, then the IP by name
    assert!(hop_group(&html, 2).contains(">2 smtp.example.net<"));
    assert!(hop_group(&html, 2).contains("IP 198.51.100.20 → by ppsgw1.example.com"));
    // from 127.0.0.1 on the same host: a hand-off inside one server
    assert!(hop_group(&html, 3).contains("hand-off inside one server"));
    // no from part at all
    assert!(hop_group(&html, 5).contains("sender not recorded"));
    assert!(!html.contains("from ?"));
    // the colours are explained
    for words in [
        "sending side",
        "recipient side",
        "the hop states encryption",
        "a slow hop",
    ] {
        assert!(html.contains(words), "legend: {words}");
    }
    // a long host wraps to a second line instead of being cut before its bracket
    let long = "Received: from relay-with-a-rather-long-name.mail.example-provider.example (relay-with-a-rather-long-name.mail.example-provider.example [198.51.100.77]) by mx.example.org with ESMTPS; Tue, 11 Mar 2025 09:15:42 +0000\r\nReceived: from [10.0.0.2] by relay-with-a-rather-long-name.mail.example-provider.example with ESMTPSA; Tue, 11 Mar 2025 09:15:40 +0000\r\nFrom: a@example.net\r\nTo: b@example.org\r\nSubject: long\r\nDate: Tue, 11 Mar 2025 09:15:39 +0000\r\n\r\nhi\r\n";
    let (report, source) = analyse("long.eml", long.as_bytes().to_vec());
    let html = page(&report, &source);
    let g = hop_group(&html, 2);
    assert!(g.matches("<text class=\"host\"").count() >= 1, "{g}");
    assert!(g.contains("IP 198.51.100.77"), "{g}");
    assert!(!g.contains('…'), "{g}");
}

#[test]
fn the_end_of_the_body_is_shown_only_for_a_body_hash_mismatch() {
    let (report, source) = sample("dkim-body-modified-by-footer.eml");
    let html = page(&report, &source);
    let at = html
        .find("<section id=\"body-end\">")
        .expect("section#body-end");
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(section.contains("no longer matches the body"), "{section}");
    assert!(section.contains("footer"));
    // the footer's last line is there, the greeting's first line is not cut off wrongly
    assert!(
        section.contains("delete it. Example Net Ltd, registered in Exampleshire, no. 0471123.")
    );
    // at most 15 lines of body
    let pre = &section[section.find("<pre").unwrap()..];
    assert!(pre.matches('\n').count() <= 16, "{pre}");

    // absent when the body hash matches
    for name in [
        "dkim-pass-relaxed.eml",
        "enterprise-gateway-proofpoint-delay.eml",
    ] {
        let (report, source) = sample(name);
        let html = page(&report, &source);
        assert!(!html.contains("id=\"body-end\""), "{name}");
    }

    // escaped, invisibles shown, long lines capped
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/dkim-body-modified-by-footer.eml"),
    )
    .unwrap();
    let hostile = format!(
        "{}<script>alert(1)</script>{}x\n{}\n",
        text,
        '\u{202E}',
        "y".repeat(5_000)
    );
    let (report, source) = analyse("footer-hostile.eml", hostile.into_bytes());
    assert!(
        report
            .dkim
            .iter()
            .any(|d| d.reason.as_deref() == Some("body-hash-mismatch"))
    );
    let html = page(&report, &source);
    let at = html.find("<section id=\"body-end\">").unwrap();
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(section.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(section.contains("<span class=\"invisible\">⟨U+202E⟩</span>"));
    assert!(section.contains("… 4,800 more bytes"), "{section}");
    assert!(section.len() < 8_000);
    assert_inert("footer-hostile", &html, None);
}

#[test]
fn evidence_is_described_by_header_and_hop() {
    let (report, source) = sample("enterprise-gateway-proofpoint-delay.eml");
    let html = page(&report, &source);
    // the slow hop 3 is the 3rd Received field from the top of 5
    assert!(
        html.contains(">Received header, 3rd from the top (hop 3)</a>"),
        "no place in words"
    );
    assert!(html.contains(">From header</a>"));
    assert!(!html.contains("in the raw headers</a>") && !html.contains(">bytes "));

    let (report, source) = sample("clock-skew-negative-delay.eml");
    let html = page(&report, &source);
    let hop = report.findings[0].hop.expect("the skew names its hop");
    let nth = report.hops.len() - hop + 1;
    let ord = match nth {
        1 => "1st".to_string(),
        2 => "2nd".to_string(),
        3 => "3rd".to_string(),
        n => format!("{n}th"),
    };
    assert!(
        html.contains(&format!(
            ">Received header, {ord} from the top (hop {hop})</a>"
        )),
        "hop {hop}"
    );
}

#[test]
fn received_fields_carry_their_hop_in_the_raw_view() {
    let (report, source) = sample("enterprise-gateway-proofpoint-delay.eml");
    let html = page(&report, &source);
    let raw = &html[html.find("<pre class=\"raw\">").unwrap()..];
    let raw = &raw[..raw.find("</pre>").unwrap()];
    // newest first: the tags run 5, 4, ..., 1 down the block
    let tags: Vec<usize> = raw
        .match_indices("class=\"hoptag\" href=\"#hop-")
        .map(|(i, m)| {
            let rest = &raw[i + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    let want: Vec<usize> = (1..=report.hops.len()).rev().collect();
    assert_eq!(tags, want);
    // each tag sits right before its field's text, in the gutter
    for hop in &want {
        let tag = format!("<a class=\"hoptag\" href=\"#hop-{hop}\">hop {hop}</a>");
        let at = raw.find(&tag).unwrap();
        let after = &raw[at..];
        let text = after.find("Received:").unwrap();
        assert!(
            after[..text].ends_with("</span>"),
            "hop {hop}: {}",
            &after[..text]
        );
        assert!(
            raw[..at].ends_with("<span class=\"gutter\">")
                || raw[..at].contains("class=\"gutter\"")
        );
    }
}

#[test]
fn dkim_signatures_in_evidence_show_their_tags_and_abbreviate_b() {
    let (report, source) = sample("dkim-body-modified-by-footer.eml");
    let html = page(&report, &source);
    let at = html
        .find("data-code=\"DKIM001\"")
        .expect("the body-hash finding");
    let article = &html[at..at + html[at..].find("</article>").unwrap()];
    let q = &article[article.find("<blockquote").unwrap()..article.find("</blockquote>").unwrap()];
    for tag in [
        "d=example.net",
        "s=mail",
        "c=relaxed/relaxed",
        "h=from:to:subject",
        "bh=",
        "t=1742296044",
    ] {
        assert!(q.contains(tag), "{tag} in {q}");
    }
    let b = q.find("b=… ").expect("b= abbreviated");
    assert!(q[b..].contains(" chars"), "{q}");
    assert!(q.len() < 600, "the signature is shown whole: {q}");
}

#[test]
fn noise_is_cut() {
    // many evidence blocks: two, then "and N more"
    let (report, source) = sample("spam-verdict-microsoft-365-phish-to-junk.eml");
    let html = page(&report, &source);
    let (i, f) = report
        .findings
        .iter()
        .enumerate()
        .find(|(_, f)| f.evidence.len() > 3)
        .expect("a finding with many evidence items");
    let at = html.find(&format!("id=\"finding-{}\"", i + 1)).unwrap();
    let article = &html[at..at + html[at..].find("</article>").unwrap()];
    let more = article
        .find("<details class=\"more-evidence\">")
        .expect("folded");
    assert_eq!(article[..more].matches("<li>").count(), 2);
    assert!(article.contains(&format!("and {} more", f.evidence.len() - 2)));

    // a skew is told once in "Where the time went"
    let (report, source) = sample("clock-skew-negative-delay.eml");
    let html = page(&report, &source);
    let story = &html[html.find("<div class=\"time-story\">").unwrap()..];
    let story = &story[..story.find("</div>").unwrap()];
    assert_eq!(story.matches("<li").count(), 1, "{story}");
    assert!(story.contains("clock 7 min 13 s behind"));

    // bounces are named in words
    let (report, source) = sample("bounce-dsn-user-unknown.eml");
    let html = page(&report, &source);
    assert!(html.contains("<h3>Delivery status notification (bounce)</h3>"));
    assert!(!html.contains("<h3>dsn</h3>"));

    // an all-empty "why" column is left out
    let (report, source) = sample("enterprise-gateway-proofpoint-delay.eml");
    let html = page(&report, &source);
    let auth = &html[html.find("<table class=\"auth\">").unwrap()..];
    let auth = &auth[..auth.find("</table>").unwrap()];
    let has_why = auth.contains("<th scope=\"col\">why</th>");
    let any_why = report
        .dkim
        .iter()
        .any(|d| d.reason.is_some() || d.note.is_some())
        || report
            .spf
            .as_ref()
            .is_some_and(|s| s.reason.is_some() || s.note.is_some())
        || report
            .dmarc
            .as_ref()
            .is_some_and(|d| d.reason.is_some() || d.note.is_some());
    if !any_why {
        assert!(!has_why, "an empty why column");
    }
}

// ---------------------------------------------------------------------------------------------
// hostile messages

const IMG: &str = "\"><img src=x onerror=alert(1)>";
const SCRIPT: &str = "<script>alert(1)</script>";
const SVG: &str = "<svg onload=alert(1)>";
const JS: &str = "javascript:alert(1)";
const CSS_BREAK: &str = "</style><style>body{display:none}</style>";
const RLO: char = '\u{202E}';

/// A message with each payload in the Subject, the From display name, Received lines, an
/// Authentication-Results line, a DKIM-Signature's tags and the body.
fn hostile_message() -> Vec<u8> {
    let lines = [
        format!(
            "Received: from evil.example ({IMG} [203.0.113.66]) by mx.example.org ({SVG}) with ESMTP id {SCRIPT}; Tue, 11 Mar 2025 09:15:42 +0000"
        ),
        format!(
            "Received: from pay{RLO}fdp.exe\u{200B}.example.net ({JS} [10.0.0.9]) by {IMG}.example.net with ESMTP; Tue, 11 Mar 2025 09:15:40 +0000"
        ),
        format!(
            "Authentication-Results: mx.example.org; dkim=pass header.d={IMG} header.b={CSS_BREAK}; spf=pass smtp.mailfrom={SVG}"
        ),
        format!(
            "DKIM-Signature: v=1; a=rsa-sha256; d={IMG}; s={SCRIPT}; c=relaxed/relaxed; h=from:to:subject; bh={CSS_BREAK}; b=AAAA"
        ),
        format!("From: \"{IMG} {RLO}gnp.exe \u{2066}x\u{2069}\" <ceo@example.net>"),
        "To: bob@example.org".to_string(),
        format!("Subject: {SCRIPT} {IMG} {CSS_BREAK} {JS} {SVG} {RLO}evil\u{200D}\u{1b}[31m"),
        "Date: Tue, 11 Mar 2025 09:15:38 +0000".to_string(),
        format!("Message-ID: <{SVG}@example.net>"),
        "Content-Type: text/html; charset=utf-8".to_string(),
        String::new(),
        format!("<html><body>{SCRIPT}<a href=\"{JS}\">x</a>{IMG}{SVG}{CSS_BREAK}</body></html>"),
    ];
    let mut out = lines.join("\r\n");
    out.push_str("\r\n");
    out.into_bytes()
}

#[test]
fn hostile_bounce_and_returned_original_stay_text() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/bounce-dsn-user-unknown.eml");
    let text = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
    let hostile = text
        .replace(
            "Diagnostic-Code: smtp; 550 5.1.1 <kimm@example.edu>:",
            &format!("Diagnostic-Code: smtp; 550 5.1.1 {IMG} {SCRIPT} {RLO}:"),
        )
        .replace(
            "Remote-MTA: dns; mailstore.example.edu",
            &format!("Remote-MTA: dns; {SVG}"),
        )
        .replace(
            "Subject: Seminar notes for Thursday",
            &format!("Subject: {CSS_BREAK} {IMG} {RLO}"),
        );
    assert_ne!(hostile, text, "the sample changed: the payloads are not in");
    let (report, source) = analyse("hostile-bounce.eml", hostile.into_bytes());
    let original = report
        .original
        .as_deref()
        .expect("the original is returned");
    assert!(
        original
            .message
            .subject
            .as_deref()
            .unwrap_or("")
            .contains(CSS_BREAK)
    );
    assert!(
        report
            .reports
            .iter()
            .any(|r| r.diagnostic.as_deref().unwrap_or("").contains("<img"))
    );
    let html = page(&report, &source);
    assert_structure("hostile bounce", &report, &html);
    assert_inert("hostile bounce", &html, None);
    assert_csp("hostile bounce", &html);
    let section = &html[html.find("<section id=\"reports\">").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(section.contains("&lt;/style&gt;&lt;style&gt;body{display:none}&lt;/style&gt;"));
    assert!(section.contains("<span class=\"invisible\">⟨U+202E⟩</span>"));
    assert!(!html.contains('\u{202E}') && !html.contains("<img") && !html.contains("<svg onload"));
}

/// Characters that must never reach the page raw.
fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[test]
fn hostile_content_stays_escaped_text() {
    let (report, source) = analyse("hostile.eml", hostile_message());
    // the payloads reached the report: the page has something to escape
    let subject = report.message.subject.as_deref().unwrap_or_default();
    assert!(
        subject.contains(SCRIPT) && subject.contains(RLO),
        "{subject:?}"
    );
    assert!(report.hops.iter().any(|h| h.raw.contains("<img")));
    assert!(report.dkim.iter().any(|d| d.domain.contains("<img")));
    assert!(
        report
            .claims
            .iter()
            .any(|c| c.claim.properties.iter().any(|(_, v)| v.contains("<svg")))
    );

    let html = page(&report, &source);
    assert_structure("hostile", &report, &html);
    assert_csp("hostile", &html);
    assert_inert("hostile", &html, None);

    for raw in [
        "<img",
        "<svg onload",
        "<script",
        "<style>body",
        "<a href=\"javascript",
    ] {
        assert!(!html.contains(raw), "raw {raw} in the page");
    }
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;svg onload=alert(1)&gt;"));
    assert!(html.contains("&lt;/style&gt;&lt;style&gt;body{display:none}&lt;/style&gt;"));
    // the stylesheet is still exactly ours
    let css = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/report.css"),
    )
    .unwrap();
    assert_eq!(style_text(&html), css);
    // `onerror=` and `onload=` only ever in escaped text: never inside a tag
    for tag in tags(&html) {
        for (name, value) in &tag.attrs {
            assert!(
                !name.contains("onerror") && !name.contains("onload"),
                "<{} {name}>",
                tag.name
            );
            assert!(!value.contains("onerror") && !value.contains("onload"));
        }
    }
    // the title is plain text
    let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
    assert!(!title[7..].contains('<'), "{title}");
}

#[test]
fn invisible_characters_are_shown_not_obeyed() {
    let (report, source) = analyse("hostile.eml", hostile_message());
    let html = page(&report, &source);
    let raw: Vec<char> = html.chars().filter(|&c| is_invisible(c)).collect();
    assert!(
        raw.is_empty(),
        "invisible characters reach the page: {raw:?}"
    );
    for marker in [
        "⟨U+202E⟩",
        "⟨U+200B⟩",
        "⟨U+2066⟩",
        "⟨U+2069⟩",
        "⟨U+200D⟩",
        "⟨U+001B⟩",
    ] {
        assert!(
            html.contains(&format!("<span class=\"invisible\">{marker}</span>")),
            "{marker} not shown"
        );
    }
    // inside the SVG the marker is an SVG element: an HTML <span> would end the drawing
    let svg = &html[html.find("<svg class=\"timeline\"").unwrap()..html.find("</svg>").unwrap()];
    assert!(!svg.contains("<span"), "an HTML element inside the SVG");
    assert!(svg.contains("<tspan class=\"invisible\">⟨U+202E⟩</tspan>"));
    // in the title, where no markup is read, the marker is plain text
    let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
    assert!(
        title.contains("⟨U+202E⟩") && !title.contains("<span"),
        "{title}"
    );
}

#[test]
fn megabyte_header_lines_are_cut_short_and_fast() {
    let mb = 1_048_576;
    let mut msg = Vec::new();
    msg.extend_from_slice(b"Received: from a.example.net (a.example.net [198.51.100.7]) by mx.example.org with ESMTPS (");
    msg.extend(std::iter::repeat_n(b'x', mb));
    msg.extend_from_slice(b"); Tue, 11 Mar 2025 09:15:42 +0000\r\n");
    msg.extend_from_slice(b"X-Angles: ");
    msg.extend(std::iter::repeat_n(b'<', mb));
    msg.extend_from_slice(b"\r\nX-Rlo: ");
    for _ in 0..(mb / 3) {
        msg.extend_from_slice("\u{202E}".as_bytes());
    }
    msg.extend_from_slice(b"\r\nSubject: ");
    msg.extend(std::iter::repeat_n(b'S', mb));
    msg.extend_from_slice(b"\r\nFrom: \"");
    msg.extend(std::iter::repeat_n(b'N', mb));
    msg.extend_from_slice(b"\" <a@example.net>\r\nTo: b@example.org\r\nDate: Tue, 11 Mar 2025 09:15:40 +0000\r\nMessage-ID: <m@example.net>\r\n\r\nbody\r\n");
    let mut options = options();
    options.limits.max_message_bytes = 64 * mb;
    // fields of a megabyte and more: past the default limit for one field
    options.limits.max_header_line_bytes = 64 * mb;
    let source = Source::from_bytes("huge.eml", msg).unwrap();
    let report = mailtrace::analyze(&source, &options).unwrap();

    let started = Instant::now();
    let html = page(&report, &source);
    let took = started.elapsed();
    eprintln!(
        "5 MB of header lines: {} bytes of page in {took:?}",
        html.len()
    );
    assert!(
        took < Duration::from_secs(2),
        "rendering took {took:?} (debug build)"
    );
    assert!(html.len() < 300 * 1024, "the page is {} bytes", html.len());
    assert_structure("huge", &report, &html);
    assert_inert("huge", &html, None);
    // each long line is cut with a visible count of what is left out
    assert!(html.contains("more bytes</span>"));
    let raw = &html[html.find("<pre class=\"raw\">").unwrap()..];
    assert!(
        raw.matches("<span class=\"clipped\">").count() >= 5,
        "each long line is clipped"
    );
    // "X-Angles: " and "Subject: " lines: all but their first 2,000 bytes left out
    for more in [10 + mb - 2_000, 9 + mb - 2_000] {
        let note = format!("… {} more bytes", thousands(more));
        assert!(raw.contains(&note), "no {note:?}");
    }
    // the Subject in the message details is clipped too
    let summary = &html[html.find("<section id=\"details\">").unwrap()
        ..html.find("<section id=\"authentication\">").unwrap()];
    assert!(
        summary.len() < 40 * 1024,
        "summary is {} bytes",
        summary.len()
    );
    assert!(summary.contains("more bytes"));
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A mail loop: `n` Received fields, newest first, one hop a second, every other clock ten
/// minutes behind (a skew finding with evidence per hop).
fn mail_loop(n: usize) -> Vec<u8> {
    use chrono::{Duration, TimeZone, Utc};
    let base = Utc.with_ymd_and_hms(2025, 3, 11, 9, 0, 0).unwrap();
    let mut msg = Vec::new();
    for hop in (1..=n).rev() {
        let secs = hop as i64 * 400 - (hop as i64 % 2) * 1_000;
        let at = (base + Duration::seconds(secs)).format("%a, %d %b %Y %H:%M:%S +0000");
        msg.extend_from_slice(
            format!(
                "Received: from relay{}.example.net (relay{}.example.net [198.51.100.{}]) \
                 by relay{hop}.example.net with ESMTPS id h{hop}; {at}\r\n",
                hop - 1,
                hop - 1,
                hop % 250 + 1
            )
            .as_bytes(),
        );
    }
    msg.extend_from_slice(
        b"From: a@example.net\r\nTo: b@example.org\r\nSubject: loop\r\n\
          Date: Tue, 11 Mar 2025 09:00:00 +0000\r\nMessage-ID: <loop@example.net>\r\n\r\nbody\r\n",
    );
    msg
}

#[test]
fn a_mail_loop_of_ten_thousand_hops_makes_a_bounded_page() {
    let n = 10_000;
    let source = Source::from_bytes("loop.eml", mail_loop(n)).unwrap();
    let mut options = options();
    // more fields than the default limit admits
    options.limits.max_headers = 2 * n;
    let report = mailtrace::analyze(&source, &options).unwrap();
    assert_eq!(report.hops.len(), n);
    let html = page(&report, &source);
    eprintln!(
        "{n} Received fields: {} findings, a page of {} bytes",
        report.findings.len(),
        html.len()
    );
    // no timing asserted: the bounds below are what keeps the work and the page small
    assert!(
        html.len() < 3 * 1024 * 1024,
        "the page is {} bytes",
        html.len()
    );
    let groups = html.matches("<g class=\"hop\"").count();
    assert!(groups <= HOP_HEAD + HOP_TAIL + 1, "{groups} hops drawn");
    assert_eq!(groups, shown_hops(&report).len());
    let rows = html.matches("<tr class=\"side-").count();
    assert!(rows <= HOP_HEAD + HOP_TAIL + 1, "{rows} hop rows");
    // the rows left out are said, in the drawing and in the table, with the count
    let hidden = n - groups;
    let note = format!(
        "… {} hops not shown (hops {} to {}): the message has {} Received fields; see the JSON report",
        thousands(hidden),
        HOP_HEAD + 1,
        thousands(n - HOP_TAIL),
        thousands(n)
    );
    assert!(report.boundary.as_ref().is_some_and(|b| b.hop <= HOP_HEAD));
    assert_eq!(html.matches(&note).count(), 2, "no {note:?}");
    assert!(html.contains("<g class=\"gap\">"));
    assert!(html.contains("<tr class=\"gap-row\">"));
    // hops 1..200 and the newest 50, in order
    assert!(!hop_group(&html, HOP_HEAD).is_empty());
    assert!(!html.contains(&format!("data-hop=\"{}\"", HOP_HEAD + 1)));
    assert!(html.contains(&format!("data-hop=\"{n}\"")));
    // a finding per skewed hop, but only the first ones on the page, with the rest counted
    assert!(
        report.findings.len() > MAX_FINDINGS,
        "{}",
        report.findings.len()
    );
    assert!(html.contains(&format!(
        "… {} more findings not shown here; see the JSON report",
        report.findings.len() - MAX_FINDINGS
    )));
    assert_structure("loop", &report, &html);
    assert_inert("loop", &html, None);

    // a boundary among the hops left out is drawn all the same, between two gaps
    let mut moved = report.clone();
    let middle = n / 2;
    moved.boundary.as_mut().unwrap().hop = middle;
    let html = page(&moved, &source);
    assert!(html.contains(&format!("<g class=\"hop\" data-hop=\"{middle}\">")));
    assert_eq!(html.matches("<g class=\"gap\">").count(), 2);
    assert_eq!(html.matches("<tr class=\"gap-row\">").count(), 2);
    assert!(html.contains(&format!(
        "hops not shown (hops {} to {})",
        thousands(middle + 1),
        thousands(n - HOP_TAIL)
    )));
    assert_structure("loop, boundary moved", &moved, &html);
}
