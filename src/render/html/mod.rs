//! HTML report: one self-contained page (no external fonts, scripts or images) with the summary,
//! the hop timeline as inline SVG, the authentication panel, the findings with their teaching
//! pages folded under them, and the raw headers with each finding's evidence highlighted.
//!
//! Why it is built this way: every byte of a message is hostile until shown otherwise, and a
//! report page is opened by the very people a phishing message targets. So:
//!
//! - the page is rendered by minijinja from `templates/report.html` with a formatter that
//!   escapes every value that is not one of this module's own pre-escaped fragments, shows
//!   invisible and direction-changing characters as visible `⟨U+202E⟩` markers instead of
//!   letting them act, and clips very long values with a visible note (so a 1 MB header line
//!   cannot make the page 1 MB);
//! - the page is bounded in hops, findings and evidence as well: a mail loop of 20,000
//!   Received fields gets its first and last hops and a row saying how many are left out (the
//!   JSON report has them all), and the header fields are indexed once per page, so the work
//!   stays linear in the message;
//! - message text goes only into element content: never into attribute names, URLs, CSS or
//!   SVG element names; classes come from fixed sets chosen here;
//! - there is no JavaScript, and a Content-Security-Policy in a `<meta>` forbids everything but
//!   the page's one inline stylesheet, allowed by the SHA-256 of its exact text.
//!
//! Like every renderer it computes nothing about the message: the view models below only lay
//! out what the [`Report`] says (positions for the SVG, which evidence span goes where).

mod markdown;
mod raw;
mod timeline;
mod view;

use std::sync::OnceLock;

use minijinja::value::Value;
use minijinja::{Environment, Error, Output, State, UndefinedBehavior};

use crate::input::Source;
use crate::report::Report;

/// The page template (autoescaped: its name ends in `.html`).
const TEMPLATE: &str = include_str!("../../../templates/report.html");
/// The one stylesheet, inlined and allowed by its hash.
const CSS: &str = include_str!("../../../templates/report.css");

/// The longest piece of message text shown whole; longer values are clipped with a note.
pub(crate) const MAX_TEXT_BYTES: usize = 2_000;

/// Options of the HTML renderer.
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// Unfold the teaching page of every finding (`--explain`).
    pub explain: bool,
    /// A link back, shown at the top (batch pages link to their index: `index.html`). Only a
    /// relative link or a path on the same site (`/`, `../messages.html`) is shown; anything
    /// with a scheme (`javascript:`, `https:`) or a host (`//host`) is left out.
    pub back_link: Option<String>,
}

/// The whole page for one report. `source` is the message the report was made from: the raw
/// header block is shown from `source.message`, where evidence spans point.
pub fn render(report: &Report, source: &Source, options: &HtmlOptions) -> String {
    let page = view::page(report, source, options, CSS);
    let rendered = environment()
        .get_template("report.html")
        .and_then(|t| t.render(Value::from_serialize(&page)));
    match rendered {
        Ok(html) => html,
        // a template bug must not lose the report: say so on a page that is still safe
        Err(e) => error_page(&format!("{e:#}")),
    }
}

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The Content-Security-Policy of a page whose only `<style>` element holds exactly `css`.
pub(crate) fn content_security_policy(css: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, css.as_bytes());
    format!(
        "default-src 'none'; style-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'",
        base64(digest.as_ref())
    )
}

/// Base64 (RFC 4648 section 4, with padding).
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The back link when it is safe to show: relative (`index.html`, `../messages.html`, `./x`)
/// or a path on this site (`/`, `/reports`). No scheme, no host, no backslash (browsers read
/// `/\host` as `//host`), printable ASCII only.
pub(crate) fn safe_back_link(link: &str) -> Option<&str> {
    if link.is_empty() || link.len() > 2_000 {
        return None;
    }
    if !link.bytes().all(|b| b.is_ascii_graphic()) || link.contains('\\') {
        return None;
    }
    if link.starts_with("//") {
        return None;
    }
    // a colon before the first `/`, `?` or `#` would make the start a scheme
    let head = link.split(['/', '?', '#']).next().unwrap_or("");
    if head.contains(':') {
        return None;
    }
    Some(link)
}

/// How an invisible character is made visible in each context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// `<span class="invisible">⟨U+202E⟩</span>`: HTML element content.
    Html,
    /// `<tspan class="invisible">⟨U+202E⟩</tspan>`: SVG `<text>` content, where an HTML
    /// `<span>` would end the SVG element.
    Svg,
    /// `⟨U+202E⟩` alone: `<title>` and other places where markup is not parsed.
    Plain,
}

/// Characters that must not act on the page: C0 and C1 controls (but tab), bidi overrides,
/// embeddings and isolates, zero-width and other invisible format characters, line and
/// paragraph separators, tags, non-characters.
pub(crate) fn is_invisible(c: char) -> bool {
    c != '\t'
        && (crate::text::is_dangerous(c)
            || matches!(c,
                '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
                | '\u{180B}'..='\u{180F}' | '\u{2028}' | '\u{2029}' | '\u{2065}' | '\u{3164}'
                | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' | '\u{FFFE}' | '\u{FFFF}'
                | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}'))
}

/// Append `text` escaped, with invisible characters shown by `marker`.
pub(crate) fn escape_into(out: &mut String, text: &str, marker: Marker) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_invisible(c) => {
                let shown = format!("⟨U+{:04X}⟩", u32::from(c));
                match marker {
                    Marker::Html => {
                        out.push_str("<span class=\"invisible\">");
                        out.push_str(&shown);
                        out.push_str("</span>");
                    }
                    Marker::Svg => {
                        out.push_str("<tspan class=\"invisible\">");
                        out.push_str(&shown);
                        out.push_str("</tspan>");
                    }
                    Marker::Plain => out.push_str(&shown),
                }
            }
            c => out.push(c),
        }
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary, and
/// how many bytes were left out.
pub(crate) fn clip(text: &str, max: usize) -> (&str, usize) {
    if text.len() <= max {
        return (text, 0);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], text.len() - end)
}

/// `1048000` -> `1,048,000`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The visible note after clipped text.
pub(crate) fn clipped_note(more: usize, marker: Marker) -> String {
    let text = format!("… {} more bytes", thousands(more));
    match marker {
        Marker::Html => format!("<span class=\"clipped\">{text}</span>"),
        Marker::Svg => format!("<tspan class=\"clipped\">{text}</tspan>"),
        Marker::Plain => text,
    }
}

/// Message text as safe markup for `marker`'s context: escaped, invisible characters shown,
/// clipped to `max` bytes with a visible note.
pub(crate) fn markup(text: &str, marker: Marker, max: usize) -> String {
    let (shown, more) = clip(text, max);
    let mut out = String::with_capacity(shown.len() + shown.len() / 8);
    escape_into(&mut out, shown, marker);
    if more > 0 {
        if marker != Marker::Plain {
            out.push(' ');
        }
        out.push_str(&clipped_note(more, marker));
    }
    out
}

/// Pre-escaped markup as a template value (printed as is).
pub(crate) fn safe(markup: String) -> Value {
    Value::from_safe_string(markup)
}

/// The template formatter: this module's fragments are printed as they are; everything else
/// is message text until shown otherwise (escaped, invisibles marked, clipped); none prints
/// nothing.
fn formatter(out: &mut Output, _state: &State, value: &Value) -> Result<(), Error> {
    let text = if value.is_safe() {
        return Ok(out.write_str(value.as_str().unwrap_or_default())?);
    } else if value.is_none() || value.is_undefined() {
        return Ok(());
    } else if let Some(s) = value.as_str() {
        markup(s, Marker::Html, MAX_TEXT_BYTES)
    } else {
        markup(&value.to_string(), Marker::Html, MAX_TEXT_BYTES)
    };
    Ok(out.write_str(&text)?)
}

/// The template environment, made once.
fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(formatter);
        // nothing in the template may declare message text safe
        env.remove_filter("safe");
        env.add_template("report.html", TEMPLATE)
            .expect("templates/report.html parses");
        env
    })
}

/// The page shown when the template fails: the error, escaped, and nothing else.
fn error_page(error: &str) -> String {
    let css = "body{font-family:sans-serif;margin:2rem}";
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
         <title>mailtrace: report failed</title><style>{css}</style></head>\
         <body><h1>mailtrace could not lay out this report</h1><pre>{}</pre></body></html>\n",
        escape(&content_security_policy(css)),
        markup(error, Marker::Html, MAX_TEXT_BYTES)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_vectors() {
        // RFC 4648 section 10
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want, "{input:?}");
        }
    }

    #[test]
    fn csp_hash_of_known_text() {
        // printf 'abc' | openssl dgst -sha256 -binary | base64
        let csp = content_security_policy("abc");
        assert!(
            csp.contains("'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"),
            "{csp}"
        );
        assert!(csp.starts_with("default-src 'none'; "));
        assert!(csp.ends_with("base-uri 'none'; form-action 'none'"));
    }

    #[test]
    fn escape_covers_the_five() {
        assert_eq!(
            escape("<a href=\"x\" b='y'>&</a>"),
            "&lt;a href=&quot;x&quot; b=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn invisibles_are_shown_per_context() {
        let s = "pay\u{202E}fdp.exe\u{200B}\u{0}\u{9b}\tx";
        assert_eq!(
            markup(s, Marker::Html, 100),
            "pay<span class=\"invisible\">⟨U+202E⟩</span>fdp.exe\
             <span class=\"invisible\">⟨U+200B⟩</span>\
             <span class=\"invisible\">⟨U+0000⟩</span>\
             <span class=\"invisible\">⟨U+009B⟩</span>\tx"
        );
        assert!(
            markup(s, Marker::Svg, 100).contains("<tspan class=\"invisible\">⟨U+202E⟩</tspan>")
        );
        assert_eq!(
            markup("a\u{2066}b\u{E0041}", Marker::Plain, 100),
            "a⟨U+2066⟩b⟨U+E0041⟩"
        );
        for c in [
            '\u{202A}', '\u{2069}', '\u{FEFF}', '\u{061C}', '\u{7F}', '\n', '\r',
        ] {
            assert!(is_invisible(c), "{:04X}", u32::from(c));
        }
        for c in ['\t', 'a', 'é', 'א', ' ', '\u{A0}'] {
            assert!(!is_invisible(c), "{:04X}", u32::from(c));
        }
    }

    #[test]
    fn clipping_is_on_char_boundaries_with_a_note() {
        let text = "é".repeat(10); // 20 bytes
        let (shown, more) = clip(&text, 5);
        assert_eq!((shown, more), ("éé", 16));
        assert_eq!(
            markup(&text, Marker::Html, 5),
            "éé <span class=\"clipped\">… 16 more bytes</span>"
        );
        assert_eq!(thousands(1_048_000), "1,048,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
    }

    #[test]
    fn back_links_are_relative_or_same_site() {
        for ok in [
            "/",
            "index.html",
            "../messages.html",
            "./a/b.html?x=1#y",
            "/serve/x",
        ] {
            assert_eq!(safe_back_link(ok), Some(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,x",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "",
            "a b",
            "x\u{202E}",
        ] {
            assert_eq!(safe_back_link(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_template_parses_and_the_formatter_escapes() {
        let env = environment();
        assert!(env.get_template("report.html").is_ok());
        let out = env
            .render_str(
                "{{ a }}|{{ b }}|{{ c }}",
                minijinja::context! {
                    a => "<img src=x onerror=alert(1)>\u{202E}",
                    b => safe("<b>ok</b>".into()),
                    c => Value::from(()),
                },
            )
            .unwrap();
        assert_eq!(
            out,
            "&lt;img src=x onerror=alert(1)&gt;<span class=\"invisible\">⟨U+202E⟩</span>|<b>ok</b>|"
        );
        // `safe` is gone: a template cannot declare message text safe
        assert!(
            env.render_str("{{ a|safe }}", minijinja::context! { a => "<i>" })
                .is_err()
        );
    }
}
