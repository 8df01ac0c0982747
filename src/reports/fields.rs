//! `Name: value` blocks as they stand in message/delivery-status and message/feedback-report
//! parts: fields with folding, grouped by blank lines.

/// One field: name as written, value unfolded and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// A block of fields between blank lines.
pub type Group = Vec<Field>;

/// Split a text into groups of fields. Lines that are neither a field nor a continuation are
/// skipped; a blank line closes the current group. Line endings may be CRLF, LF or CR.
pub fn groups(text: &str) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut current: Group = Vec::new();
    for line in lines(text) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = current.last_mut() {
                if !last.value.is_empty() {
                    last.value.push(' ');
                }
                last.value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = split_field(line) {
            current.push(Field {
                name: name.to_string(),
                value: value.trim().to_string(),
            });
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `Name: value` when the line starts with a field name (letters, digits, hyphens).
pub fn split_field(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let name = line[..colon].trim_end();
    if name.is_empty()
        || name.len() > 60
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        || !name.as_bytes()[0].is_ascii_alphabetic()
    {
        return None;
    }
    Some((name, &line[colon + 1..]))
}

/// Lines of a text whatever its line endings.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').flat_map(|l| {
        let l = l.strip_suffix('\r').unwrap_or(l);
        l.split('\r')
    })
}

/// The first value of a field in a group (name case-insensitive).
pub fn get<'a>(group: &'a [Field], name: &str) -> Option<&'a str> {
    group
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .map(|f| f.value.as_str())
        .filter(|v| !v.is_empty())
}

/// A typed value such as `rfc822; user@example.com` or `dns; mx.example.com` without its type,
/// and an address without angle brackets.
pub fn untyped(value: &str) -> String {
    let v = match value.split_once(';') {
        Some((kind, rest))
            if !kind.trim().is_empty()
                && kind.trim().len() <= 16
                && kind
                    .trim()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'/')) =>
        {
            rest
        }
        _ => value,
    };
    v.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_with_folding_and_blank_lines() {
        let g = groups(
            "Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; a@example.com\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n  user unknown\r\n\r\n\r\n",
        );
        assert_eq!(g.len(), 2);
        assert_eq!(
            get(&g[1], "diagnostic-code"),
            Some("smtp; 550 5.1.1 user unknown")
        );
        assert_eq!(
            untyped(get(&g[1], "Final-Recipient").unwrap()),
            "a@example.com"
        );
        assert_eq!(untyped("<b@example.com>"), "b@example.com");
        assert_eq!(untyped("smtp; 550 x; y"), "550 x; y");
    }

    #[test]
    fn bare_cr_lines() {
        assert_eq!(
            lines("a\rb\r\nc\n").collect::<Vec<_>>(),
            ["a", "b", "c", ""]
        );
    }
}
