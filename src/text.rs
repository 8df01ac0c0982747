//! Small text helpers shared by findings and renderers: durations in words, and escaping of
//! message content for terminals and Markdown.

/// `"s"` unless `n` is 1: `format!("{n} hop{}", plural(n))`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A signed duration in words: `12 s`, `7 min 5 s`, `2 h 3 min`, `3 d 2 h`, `-7 min 5 s`.
pub fn human_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, (s / 3600) % 24, (s / 60) % 60, s % 60);
    let body = if d > 0 {
        if h > 0 {
            format!("{d} d {h} h")
        } else {
            format!("{d} d")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h} h {m} min")
        } else {
            format!("{h} h")
        }
    } else if m > 0 {
        if sec > 0 {
            format!("{m} min {sec} s")
        } else {
            format!("{m} min")
        }
    } else {
        format!("{sec} s")
    };
    format!("{sign}{body}")
}

/// True for characters that must never reach a terminal raw: C0 and C1 controls, DEL, and the
/// invisible or direction-changing format characters (bidi overrides and isolates, zero-width).
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// Escape message content for a terminal: tabs and newlines become spaces, every other
/// dangerous character becomes a visible `\u{…}` escape, so no header can drive the terminal.
pub fn escape_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_dangerous(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Escape message content for a Markdown table cell or line: terminal escaping plus the
/// characters Markdown gives meaning to.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_terminal(s).chars() {
        if matches!(
            c,
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(human_duration(0), "0 s");
        assert_eq!(human_duration(59), "59 s");
        assert_eq!(human_duration(425), "7 min 5 s");
        assert_eq!(human_duration(-425), "-7 min 5 s");
        assert_eq!(human_duration(7380), "2 h 3 min");
        assert_eq!(human_duration(3 * 86_400 + 7200 + 5), "3 d 2 h");
    }

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape_terminal("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape_terminal("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(escape_terminal("t\tn\r\n"), "t n  ");
        assert_eq!(escape_terminal("\u{9b}"), "\\u{9b}");
    }

    #[test]
    fn escapes_markdown() {
        assert_eq!(escape_markdown("a|b<script>"), "a\\|b\\<script\\>");
    }
}
