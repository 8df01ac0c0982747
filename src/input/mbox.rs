//! The mbox `From ` separator line (`From sender asctime-date`), as far as one message needs it.
//!
//! A single message saved from an mbox, or the first message of a whole mbox file, starts with
//! that line; it is not part of the message and is dropped. Lines in a body that started with
//! `From ` were quoted as `>From ` when the mbox was written, but whether every `>From ` was
//! quoted (mboxrd) or only the ones that needed it (mboxo) cannot be told from one message, so
//! this module must not unquote them: the body is kept byte for byte.

use super::field::is_wsp;

/// True for a `From ` line that can start an input: `From `, then a sender token.
pub(super) fn is_first_line(line: &[u8]) -> bool {
    sender_and_rest(line).is_some()
}

/// True for a `From ` line that separates two messages in an mbox: `From `, a sender, then a
/// date that holds a time (`17:54:04`). Only looked for after an empty line.
pub(super) fn is_separator(line: &[u8]) -> bool {
    sender_and_rest(line).is_some_and(|(_, rest)| {
        rest.windows(5).any(|w| {
            w[0].is_ascii_digit()
                && w[1].is_ascii_digit()
                && w[2] == b':'
                && w[3].is_ascii_digit()
                && w[4].is_ascii_digit()
        })
    })
}

fn sender_and_rest(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = line.strip_prefix(b"From ")?;
    let rest = rest.trim_ascii_start();
    let len = rest.iter().position(|&b| is_wsp(b)).unwrap_or(rest.len());
    let (sender, rest) = rest.split_at(len);
    if sender.is_empty() || sender.ends_with(b":") {
        return None;
    }
    Some((sender, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_lines() {
        assert!(is_first_line(
            b"From MAILER-DAEMON Thu Sep 18 17:54:04 2008"
        ));
        assert!(is_separator(b"From MAILER-DAEMON Thu Sep 18 17:54:04 2008"));
        assert!(is_first_line(b"From a@b.example"));
        assert!(!is_separator(b"From the start of the year we"));
        assert!(!is_first_line(b"From: a@b.example"));
        assert!(!is_first_line(b"From "));
    }
}
