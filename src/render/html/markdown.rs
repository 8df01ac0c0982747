//! The little Markdown of the teaching pages, as HTML: headings, paragraphs, `-` and `1.`
//! lists (with indented continuation lines), fenced code, inline code, `**strong**` and
//! `*emphasis*`. Everything is escaped: the pages are ours, but escaping costs nothing and keeps
//! the rule that no text reaches the page raw. Links are shown as text, never made links.

use super::{Marker, escape_into};

/// Markdown to HTML. Headings are shifted down by `shift` levels (a page's `##` sits under a
/// finding's own heading), never below `h6`.
pub(super) fn to_html(md: &str, shift: usize) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<List> = None;
    let mut code: Option<String> = None;
    for line in md.lines() {
        if let Some(block) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                code_block(&mut out, block);
                code = None;
            } else {
                block.push_str(line);
                block.push('\n');
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush_paragraph(&mut out, &mut paragraph);
            flush_list(&mut out, &mut list);
            code = Some(String::new());
            continue;
        }
        if trimmed.is_empty() {
            flush_paragraph(&mut out, &mut paragraph);
            flush_list(&mut out, &mut list);
            continue;
        }
        if let Some((level, text)) = heading(trimmed) {
            flush_paragraph(&mut out, &mut paragraph);
            flush_list(&mut out, &mut list);
            let h = (level + shift).min(6);
            out.push_str(&format!("<h{h}>"));
            inline(&mut out, text);
            out.push_str(&format!("</h{h}>\n"));
            continue;
        }
        if let Some((ordered, text)) = list_item(line) {
            flush_paragraph(&mut out, &mut paragraph);
            match list.as_mut() {
                Some(l) if l.ordered == ordered => l.items.push(text.to_string()),
                _ => {
                    flush_list(&mut out, &mut list);
                    list = Some(List {
                        ordered,
                        items: vec![text.to_string()],
                    });
                }
            }
            continue;
        }
        if let Some(l) = list.as_mut()
            && line.starts_with([' ', '\t'])
            && let Some(last) = l.items.last_mut()
        {
            last.push(' ');
            last.push_str(trimmed);
            continue;
        }
        flush_list(&mut out, &mut list);
        paragraph.push(trimmed);
    }
    flush_paragraph(&mut out, &mut paragraph);
    flush_list(&mut out, &mut list);
    if let Some(block) = code {
        // an unterminated fence: still shown as code
        code_block(&mut out, &block);
    }
    out
}

fn code_block(out: &mut String, block: &str) {
    out.push_str("<pre><code>");
    for line in block.lines() {
        escape_into(out, line, Marker::Html);
        out.push('\n');
    }
    out.push_str("</code></pre>\n");
}

struct List {
    ordered: bool,
    items: Vec<String>,
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&level) && line[level..].starts_with(' ') {
        Some((level, line[level..].trim()))
    } else {
        None
    }
}

/// `- item`, `* item` or `1. item`; the bool says ordered.
fn list_item(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    if line.len() - t.len() > 1 {
        return None; // indented: a continuation line
    }
    if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some((false, rest.trim()));
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && t[digits..].starts_with(". ") {
        return Some((true, t[digits + 2..].trim()));
    }
    None
}

fn flush_paragraph(out: &mut String, paragraph: &mut Vec<&str>) {
    if paragraph.is_empty() {
        return;
    }
    out.push_str("<p>");
    inline(out, &paragraph.join(" "));
    out.push_str("</p>\n");
    paragraph.clear();
}

fn flush_list(out: &mut String, list: &mut Option<List>) {
    let Some(l) = list.take() else {
        return;
    };
    let tag = if l.ordered { "ol" } else { "ul" };
    out.push_str(&format!("<{tag}>\n"));
    for item in &l.items {
        out.push_str("<li>");
        inline(out, item);
        out.push_str("</li>\n");
    }
    out.push_str(&format!("</{tag}>\n"));
}

/// Inline markup: `code` first (nothing inside it is markup), then `**strong**`, `*em*`.
fn inline(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else {
            break;
        };
        emphasis(out, &rest[..open]);
        out.push_str("<code>");
        escape_into(out, &after[..close], Marker::Html);
        out.push_str("</code>");
        rest = &after[close + 1..];
    }
    emphasis(out, rest);
}

fn emphasis(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(open) = rest.find('*') {
        let strong = rest[open..].starts_with("**");
        let delim = if strong { "**" } else { "*" };
        let inner_start = open + delim.len();
        let inner = &rest[inner_start..];
        // an opening delimiter is followed by a non-space; the closing one follows a non-space
        let close = inner.find(delim).filter(|&c| {
            c > 0
                && !inner.starts_with(char::is_whitespace)
                && !inner[..c].ends_with(char::is_whitespace)
        });
        let Some(close) = close else {
            escape_into(out, &rest[..inner_start], Marker::Html);
            rest = inner;
            continue;
        };
        escape_into(out, &rest[..open], Marker::Html);
        let tag = if strong { "strong" } else { "em" };
        out.push_str(&format!("<{tag}>"));
        escape_into(out, &inner[..close], Marker::Html);
        out.push_str(&format!("</{tag}>"));
        rest = &inner[close + delim.len()..];
    }
    escape_into(out, rest, Marker::Html);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks() {
        let md = "## What it means\nA line\nand `code <b>` here.\n\n- **the time**: a hop\n  continued *after*\n- two\n\n1. first\n2. second\n\n```text\nReceived: <x> & y\n```\n";
        let html = to_html(md, 2);
        assert_eq!(
            html,
            "<h4>What it means</h4>\n\
             <p>A line and <code>code &lt;b&gt;</code> here.</p>\n\
             <ul>\n<li><strong>the time</strong>: a hop continued <em>after</em></li>\n<li>two</li>\n</ul>\n\
             <ol>\n<li>first</li>\n<li>second</li>\n</ol>\n\
             <pre><code>Received: &lt;x&gt; &amp; y\n</code></pre>\n"
        );
    }

    #[test]
    fn everything_is_escaped() {
        let html = to_html(
            "# <script>alert(1)</script>\n[x](javascript:alert(1)) <img src=x onerror=y> 2 * 3 *\n```\n</pre><script>\n",
            0,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("href"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("2 * 3 *"), "{html}");
        assert!(html.contains("<pre><code>&lt;/pre&gt;&lt;script&gt;\n</code></pre>"));
    }

    #[test]
    fn every_rule_page_renders_balanced() {
        let mut pages = 0;
        for rule in crate::diagnose::rules::ALL {
            let html = to_html(&rule.page(), 2);
            for tag in ["p", "ul", "ol", "li", "pre", "code", "strong", "em", "h4"] {
                assert_eq!(
                    html.matches(&format!("<{tag}>")).count(),
                    html.matches(&format!("</{tag}>")).count(),
                    "{}: <{tag}> unbalanced",
                    rule.code
                );
            }
            assert!(html.contains("<h4>What to do</h4>"), "{}", rule.code);
            pages += 1;
        }
        assert!(pages > 30);
    }
}
