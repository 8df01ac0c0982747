//! Bounces in an MTA's own words: Postfix, Exim, Sendmail, qmail, Exchange / Microsoft 365,
//! Gmail, Yahoo, Amazon SES and the many that look like them.
//!
//! One generic reader does most of the work, because these texts share a shape: a sentence
//! saying delivery failed, the failed address on a line of its own (or with the reason after
//! it), and the remote server's reply on the lines below (Exim indents it, qmail puts it after
//! `<address>:`, Sendmail writes `(reason: ...)` or a session transcript). A few senders are
//! recognised by their words for the name of the agent and for where their diagnostic stands
//! (Gmail's "The error that the other server returned was:", Exchange's "Remote Server
//! returned", Amazon SES's JSON notification).

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use super::fields::lines;
use super::reason::ReasonClass;

/// One recipient read out of a bounce text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextEntry {
    pub recipient: Option<String>,
    pub diagnostic: Option<String>,
    pub remote_mta: Option<String>,
    /// Some(true) permanent, Some(false) temporary (a delay warning), None unknown.
    pub permanent: Option<bool>,
    /// An RFC 3464 status given as data (Amazon SES notifications).
    pub status: Option<String>,
    /// An RFC 3464 action given as data (Amazon SES notifications).
    pub action: Option<String>,
    /// The reason the bounce format itself stands for, whatever its words (Google Groups sends
    /// one text, in the sender's language, for "no such group or no permission to post").
    pub reason_hint: Option<ReasonClass>,
}

/// What a bounce text says.
#[derive(Debug, Clone, Default)]
pub struct TextBounce {
    /// The program that wrote it, when its words give it away (`postfix`, `exim`, ...).
    pub agent: Option<&'static str>,
    pub entries: Vec<TextEntry>,
}

fn re(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(1 << 22)
        .build()
        .unwrap_or_else(|e| panic!("bounce pattern {pattern:?}: {e}"))
}

/// Words of the bounce texts themselves: one of them must be present.
static BOUNCE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"created automatically by mail delivery software|qmail-send program|",
        r"wasn't able to deliver|was not able to deliver|were unable to deliver|unable to deliver|",
        r"could not be delivered|couldn't be delivered|can ?not be delivered|could not deliver|",
        r"permanent fatal errors|transcript of session follows|delivery to the following recipients? failed|",
        r"delivery has failed|did not reach the following recipient|not delivered to|",
        r"this is the mail system at host|remote host said|smtp error from remote|delivery failed|",
        r"failed permanently|permanent (error|failure)|wasn't delivered|was not delivered|",
        r"message (was )?(not|undeliverable)|undeliverable|delivery (status )?notification|",
        r"following address(es)? (failed|had)|following recipient|delivery problems|",
        r"returned to sender|returned mail|mail delivery (failed|failure|system)|non-?delivery|",
        r"error that the other server returned|delivery to .{0,80} failed|failed to deliver|",
        r"rejected by (the )?(remote|recipient)|there was an error delivering|trouble delivering|",
        r"did not like our|has not yet been delivered|has not been delivered|delayed|could not send|",
        r"retry timeout exceeded|giving up|address not found|message not delivered|mail system error|",
        r"not reach|failure notice|notificationtype|addresses had delivery errors|",
        r"mail failure|unable to send|recipient(s)? (was|were) rejected|was rejected by|error transferring|",
        r"error has occurred while attempting to deliver|attempting to deliver|delivery errors|",
        r"not be delivered|failed recipient|cannot deliver|can't deliver|could not reach"
    ))
});

/// An email address.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"[A-Za-z0-9._%+'=/!#$&*?^`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z][A-Za-z0-9-]{0,62}",
    )
});

/// A reply code or enhanced status at the start of a diagnostic.
static SMTP_REPLY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(^|[\s:(#'<])([245]\d\d[\s-]|[245]\.\d{1,3}\.\d{1,3}\b)"));

/// Failure words that make a line a diagnostic.
static FAILURE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"unknown|no such|does not exist|doesn't exist|not found|invalid|rejected|refused|denied|",
        r"full|quota|disabled|timed out|timeout|expired|blocked|not allowed|failed|failure|",
        r"error|unable|unavailable|too (large|big|many)|exceeded|not accept|policy|spam|",
        r"unroutable|unrouteable|loop|not listed|said|returned|reason|couldn't|could not|cannot"
    ))
});

/// Lines that name the sender or the original, not a failed recipient.
static NOT_RECIPIENT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"^\s*(>\s*)*(from|sender|reply-to|return-path|original[- ]sender|x-[\w-]+|message-id|",
        r"in-reply-to|references|reporting-mta|received-from-mta|envelope-from|errors-to|sent by|",
        r"date|subject|cc|list-[\w-]+)\s*:|",
        r"envelope-from|mail from\s*:?\s*<|\(generated from|generated from|ultimately generated|",
        r"originally (sent )?from|sent from|contact (your )?(the )?(postmaster|administrator|help)|",
        r"postmaster at|send mail to|please (contact|send|write)|for (more )?(information|assistance|help)"
    ))
});

/// Lines before a blank line that end a recipient's block.
static SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(-{3,}|={3,}|\*{3,}|_{3,}|#{3,}|\|-{3,})"));

/// A host named as the remote MTA in a diagnostic.
static REMOTE_MTA: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        // Exim: host mx.example.jp [192.0.2.20]
        re(r"\bhost:?\s+([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)\.?\s*\[([0-9A-Fa-f:.]+)\]"),
        // Postfix: host mx.example.org[192.0.2.1] said / connect to x[ip]
        re(
            r"\b([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)\[([0-9A-Fa-f:.]+)\](:\d+)?\s*(said|refused|:)",
        ),
        // Gmail: by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.153]
        re(r"\bby ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)\.?\s*\[([0-9A-Fa-f:.]+)\]"),
        // Exchange: Remote Server at mx.example.org (192.0.2.1) returned
        re(r"remote server at ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)"),
        // Microsoft 365: Receiving server: mx.example.org
        re(r"receiving server:\s*([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)"),
        // Sendmail: ... while talking to mx.example.org.:
        re(r"while talking to ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)\.?:"),
        // qmail: 192.0.2.1 does not like recipient / failed after I sent the message / Connected to
        re(
            r"\b(?:connected to )?((?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]+) (?:does not like|failed after|but sender|but my name|but greeting|said)",
        ),
        re(r"\bconnected to ((?:\d{1,3}\.){3}\d{1,3})"),
        // Domino and others: Server mx.example.org[192.0.2.1] failed with
        re(r"\bserver ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)\s*\[([0-9A-Fa-f:.]+)\]"),
        // DragonFly: mx.example.org [192.0.2.1] did not like our
        re(r"([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+) \[([0-9A-Fa-f:.]+)\] did not like"),
        // Exim 4.9x: host mx.example.org [192.0.2.1]: after the colon form, or SMTP server <ip>
        re(r"smtp server <([0-9A-Fa-f:.]+)>"),
    ]
});

/// Words that say the failure is temporary (a delay warning).
static TEMPORARY: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"this is a warning only|will (be )?retr(y|ied)|still (being )?(retried|trying|attempting)|",
        r"delivery (is |has been )?delayed|delayed mail|has not yet been delivered|temporar(y|ily) (failure|error|problem)|",
        r"will keep trying|continue (to )?(try|attempt)|not been delivered yet|warning: could not send|",
        r"this is a temporary error|was delayed|delivery delayed|no action is required"
    ))
});

/// Words that say the failure is permanent.
static PERMANENT: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"permanent|fatal|given up|giving up|gave up|not going to try again|failed permanently|",
        r"could not be delivered|couldn't be delivered|was not delivered|wasn't delivered|",
        r"undeliverable|delivery has failed|failed:|has failed|delivery failed|returned mail|",
        r"no further (delivery )?attempts|will not be retried|rejected"
    ))
});

/// Agent names from the words of their texts.
static AGENTS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    vec![
        (
            "qmail",
            re(r"this is the qmail-send program|\(#[45]\.\d+\.\d+\)"),
        ),
        (
            "postfix",
            re(
                r"this is the mail system at host|\(in reply to (rcpt to|end of data|mail from|data) command\)",
            ),
        ),
        ("dragonfly", re(r"this is the dragonfly mail agent")),
        (
            "gmail",
            re(
                r"delivery to the following recipient failed permanently|the error that the other server returned was|google tried to deliver your message|\*\* address not found \*\*|your message wasn't delivered to .{0,200} because",
            ),
        ),
        (
            "exchange",
            re(
                r"delivery has failed to these recipients|remote server returned '|did not reach the following recipient|diagnostic information for administrators|msexch",
            ),
        ),
        (
            "yahoo",
            re(r"sorry, we were unable to deliver your message to the following address"),
        ),
        (
            "sendmail",
            re(
                r"transcript of session follows|the following addresses had permanent fatal errors|----- the following addresses had",
            ),
        ),
        (
            "exim",
            re(
                r"created automatically by mail delivery software|smtp error from remote mail server|the following address\(es\) failed",
            ),
        ),
    ]
});

/// The first 64 KiB of a text (cut at a character boundary).
pub fn head(text: &str) -> &str {
    clip_line(text, 64 * 1024)
}

/// At most `max` bytes of a text, cut at a character boundary.
fn clip_line(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// True when the text reads like a bounce (its head is enough).
pub fn has_bounce_words(text: &str) -> bool {
    BOUNCE_WORDS.is_match(head(text))
}

/// True when a line of the text holds a 4xx/5xx SMTP reply or enhanced status code.
pub fn has_failure_reply(text: &str) -> bool {
    lines(text).take(5000).any(is_failure_reply)
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Clip a diagnostic to a readable length (characters, not bytes).
fn clip(s: String) -> String {
    const MAX: usize = 1000;
    if s.chars().count() <= MAX {
        return s;
    }
    s.chars().take(MAX).collect()
}

fn clean_address(a: &str) -> String {
    a.trim_matches(|c: char| {
        matches!(
            c,
            '<' | '>' | '"' | '\'' | '.' | ',' | ';' | ':' | '(' | ')' | '[' | ']'
        )
    })
    .to_ascii_lowercase()
}

/// The remote MTA named in a text.
pub fn remote_mta(text: &str) -> Option<String> {
    for pattern in REMOTE_MTA.iter() {
        if let Some(caps) = pattern.captures(text)
            && let Some(host) = caps.get(1)
        {
            let host = host.as_str().trim_end_matches('.');
            if host.is_empty() {
                continue;
            }
            return Some(host.to_string());
        }
    }
    None
}

fn is_diagnostic_line(line: &str) -> bool {
    SMTP_REPLY.is_match(line) || FAILURE_WORDS.is_match(line)
}

struct Line<'a> {
    text: &'a str,
    indent: usize,
    blank: bool,
}

/// A line that holds nothing but an address (`<a@b>`, `a@b:`, `* a@b`, `>>> a@b`,
/// `RCPT TO:<a@b>`): a recipient even when it is also the bounce's own To.
fn is_address_line(line: &str, address: &str) -> bool {
    let lower = line.trim().to_ascii_lowercase();
    let rest = lower
        .trim_start_matches(['*', '>', '-', ' ', '\t', '"'])
        .trim_start_matches("rcpt to:")
        .trim_start_matches("rcpt to")
        .trim_start_matches("sent <<< rcpt to:");
    let rest =
        rest.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | ':' | ' ' | '\t' | '.' | ','));
    rest == address
}

/// Read a bounce text. `exclude` holds addresses that are not recipients (the bounce's own From
/// and To: the reporting system and the original sender); `known` the recipients named in the
/// bounce's headers (Exim's `X-Failed-Recipients`).
pub fn read(text: &str, exclude: &[String], known: &[String]) -> TextBounce {
    // whole-text patterns look at the head only: what a bounce says about itself stands at
    // its top, and this keeps the work bounded on huge inputs
    let head = head(text);
    let agent = AGENTS
        .iter()
        .find(|(_, re)| re.is_match(head))
        .map(|(name, _)| *name);
    if let Some(SesNotification::Delivery(entries)) = amazon_ses(text) {
        return TextBounce {
            agent: Some("amazon-ses"),
            entries,
        };
    }
    // at most 5000 lines of at most 4 KiB each: bounce texts are short, and the per-recipient
    // work below then stays bounded whatever the input
    let all: Vec<Line> = lines(text)
        .take(5000)
        .map(|l| clip_line(l, 4096))
        .map(|l| Line {
            text: l,
            indent: l.len() - l.trim_start().len(),
            blank: l.trim().is_empty(),
        })
        .collect();
    let permanent = if TEMPORARY.is_match(head) && !text_says_failed(head) {
        Some(false)
    } else if PERMANENT.is_match(head) {
        Some(true)
    } else {
        None
    };

    // recipients in order of first appearance, each with the line it was first seen on;
    // addresses of the bounce's own headers only when nothing else is found
    let mut recipients: Vec<(String, usize)> = Vec::new();
    let mut excluded: Vec<(String, usize)> = Vec::new();
    for (i, line) in all.iter().enumerate() {
        if line.blank || NOT_RECIPIENT_LINE.is_match(line.text) {
            continue;
        }
        for m in ADDRESS.find_iter(line.text) {
            let address = clean_address(m.as_str());
            let local = address.split('@').next().unwrap_or("");
            if local.is_empty()
                || matches!(
                    local,
                    "postmaster"
                        | "mailer-daemon"
                        | "mailer_daemon"
                        | "abuse"
                        | "noreply"
                        | "no-reply"
                )
                || local.len() > 64
                || recipients.iter().any(|(r, _)| *r == address)
            {
                continue;
            }
            // a Message-ID-like token, or an address inside a link, not a recipient
            let before = &line.text[..m.start()];
            if before.ends_with(['/', '=', '?', '&'])
                || before.to_ascii_lowercase().ends_with("mailto:")
            {
                continue;
            }
            if before
                .trim_end()
                .to_ascii_lowercase()
                .ends_with("message-id")
                || local.chars().filter(|c| c.is_ascii_hexdigit()).count() > 24
            {
                continue;
            }
            if exclude.iter().any(|e| e.eq_ignore_ascii_case(&address)) {
                if is_address_line(line.text, &address)
                    && !excluded.iter().any(|(r, _)| *r == address)
                {
                    excluded.push((address, i));
                }
                continue;
            }
            recipients.push((address, i));
            if recipients.len() >= 100 {
                break;
            }
        }
    }
    if recipients.is_empty() {
        recipients = excluded;
    }
    if !known.is_empty() {
        // the header's list wins; find where each one stands in the text (address, or the
        // local part alone as Exim writes local deliveries)
        recipients = known
            .iter()
            .take(100)
            .map(|k| {
                let k = k.to_ascii_lowercase();
                let local = k.split('@').next().unwrap_or("").to_string();
                let at = all
                    .iter()
                    .position(|l| l.text.to_ascii_lowercase().contains(&k))
                    .or_else(|| {
                        all.iter().position(|l| {
                            !local.is_empty() && l.text.trim().eq_ignore_ascii_case(&local)
                        })
                    })
                    .unwrap_or(usize::MAX);
                (k, at)
            })
            .collect();
    }

    let global = global_diagnostic(&all);
    let remote_anywhere = remote_mta(head);
    let mut entries = Vec::new();
    for (address, first_line) in &recipients {
        // the first place the address stands with a diagnostic (a To: line quoting the
        // original comes before the line that says what failed, in Exchange's texts)
        let mut block = Vec::new();
        if *first_line < all.len() {
            let later = all
                .iter()
                .enumerate()
                .skip(*first_line)
                .filter(|(_, l)| l.text.to_ascii_lowercase().contains(address.as_str()))
                .map(|(i, _)| i)
                .take(8);
            for at in later {
                let candidate = block_after(&all, at, address, &recipients);
                let useful = candidate
                    .iter()
                    .any(|l| is_diagnostic_line(&ADDRESS.replace_all(l, "")));
                if block.is_empty() || useful {
                    block = candidate;
                }
                if useful {
                    break;
                }
            }
        }
        // the block when it holds the server's reply; the reply found elsewhere in the text
        // when only that one does; the block's words otherwise
        let block_has_reply = block.iter().any(|l| is_failure_reply(l));
        let block_useful = block
            .iter()
            .any(|l| is_diagnostic_line(&ADDRESS.replace_all(l, "")));
        let global_has_reply = global.as_deref().is_some_and(is_failure_reply);
        let joined = collapse(&block.join(" "));
        let diagnostic = if block_has_reply || (block_useful && !global_has_reply) {
            Some(joined)
        } else {
            global
                .clone()
                .or_else(|| (!joined.is_empty()).then_some(joined))
        };
        let remote = diagnostic
            .as_deref()
            .and_then(remote_mta)
            .or_else(|| remote_anywhere.clone());
        entries.push(TextEntry {
            recipient: Some(address.clone()),
            diagnostic: diagnostic.map(clip),
            remote_mta: remote,
            permanent,
            ..Default::default()
        });
    }
    // Google Groups: "the group you tried to contact may not exist, or you may not have
    // permission to post", in the sender's language, always with the Help Center link
    if text.contains("groups.google.com") {
        let explanation = all
            .iter()
            .filter(|l| !l.blank)
            .take(4)
            .max_by_key(|l| l.text.len())
            .map(|l| collapse(l.text));
        for e in &mut entries {
            e.reason_hint = Some(ReasonClass::PolicyRejection);
            if e.diagnostic.is_none() {
                e.diagnostic = explanation.clone().map(clip);
            }
        }
        return TextBounce {
            agent: Some("google-groups"),
            entries,
        };
    }
    if entries.is_empty() && global.is_some() {
        entries.push(TextEntry {
            recipient: None,
            remote_mta: global
                .as_deref()
                .and_then(remote_mta)
                .or_else(|| remote_anywhere.clone()),
            diagnostic: global.map(clip),
            permanent,
            ..Default::default()
        });
    }
    TextBounce { agent, entries }
}

fn text_says_failed(text: &str) -> bool {
    static FAILED: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"failed permanently|permanent (error|failure)|fatal error|not going to try again|i've given up|has failed|delivery failed",
        )
    });
    FAILED.is_match(text)
}

/// The lines that belong to a recipient: the rest of its line, then the lines below it until a
/// blank line followed by text at the same or a smaller indent, a separator, another address
/// line at the same indent, or 12 lines.
fn block_after<'a>(
    all: &[Line<'a>],
    at: usize,
    address: &str,
    others: &[(String, usize)],
) -> Vec<&'a str> {
    static HEADER_LINE: LazyLock<Regex> =
        LazyLock::new(|| re(r"^\s*(subject|sent|date|to|from|cc|message-id)\s*:"));
    let mut out: Vec<&str> = Vec::new();
    let first = all[at].text;
    let lower = first.to_ascii_lowercase();
    if let Some(pos) = lower.find(address) {
        // the text after the address on its line ("<a@b>: host x said: 550 ..."), and the words
        // before it ("Unknown user: a@b", "Unable to deliver message to <a@b> (...)")
        let rest =
            first[pos + address.len()..].trim_start_matches(['>', '"', ':', ',', ' ', '\t', '.']);
        let before = first[..pos].trim_end_matches(['<', '"', ' ', '\t']).trim();
        let before_words = before
            .trim_start_matches(['*', '>', '-', ' ', '\t'])
            .trim_end_matches(':');
        let before_counts = !before_words.is_empty()
            && !before_words.eq_ignore_ascii_case("rcpt to")
            && !HEADER_LINE.is_match(first);
        match (rest.is_empty(), before_counts) {
            (false, true) => out.push(first.trim()),
            (false, false) => out.push(rest),
            (true, true) => out.push(first.trim()),
            (true, false) => {}
        }
    }
    let base_indent = all[at].indent;
    let mut i = at + 1;
    let mut seen_blank = false;
    while i < all.len() && out.len() < 12 {
        let line = &all[i];
        if line.blank {
            if !out.is_empty() && seen_blank {
                break;
            }
            seen_blank = true;
            i += 1;
            continue;
        }
        if SEPARATOR.is_match(line.text) {
            break;
        }
        // after a blank line only deeper-indented lines still belong to the address
        if seen_blank && line.indent <= base_indent {
            break;
        }
        // another recipient's line
        let lower = line.text.to_ascii_lowercase();
        if line.indent <= base_indent
            && others
                .iter()
                .any(|(o, _)| o != address && lower.contains(o.as_str()))
            && !lower.contains(address)
        {
            break;
        }
        if !HEADER_LINE.is_match(line.text) {
            out.push(line.text.trim());
        }
        i += 1;
    }
    out
}

/// A diagnostic that is not tied to an address: the lines after "said:", "returned was:",
/// "Technical details", "reason:", "because:" and the like, or the first line with an SMTP
/// reply in it.
fn global_diagnostic(all: &[Line]) -> Option<String> {
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r"(error that the other server returned was|remote (host|server) (said|returned|replied)|",
            r"for the following reason|because( of)?|reason|technical details( of (permanent|temporary) failure)?|diagnostic|",
            r"the error was|error message|failed with|smtp error|said)\s*:?\s*$"
        ))
    });
    for (i, line) in all.iter().enumerate() {
        if LEAD.is_match(line.text.trim()) {
            let mut out: Vec<&str> = Vec::new();
            let mut j = i + 1;
            while j < all.len() && out.len() < 8 {
                let l = &all[j];
                if l.blank {
                    if !out.is_empty() {
                        break;
                    }
                } else if SEPARATOR.is_match(l.text) {
                    break;
                } else {
                    out.push(l.text.trim());
                }
                j += 1;
            }
            let joined = collapse(&out.join(" "));
            if !joined.is_empty() && is_diagnostic_line(&joined) {
                return Some(joined);
            }
        }
    }
    // the first line with a failure reply, and the reply's continuation lines after it
    let first = all
        .iter()
        .position(|l| !l.blank && is_failure_reply(l.text))?;
    let mut out = vec![all[first].text.trim()];
    for l in all.iter().skip(first + 1).take(16) {
        if l.blank {
            continue;
        }
        if SEPARATOR.is_match(l.text) || !is_failure_reply(l.text) || out.len() >= 8 {
            break;
        }
        out.push(l.text.trim());
    }
    Some(collapse(&out.join(" ")))
}

/// A line with a 4xx/5xx SMTP reply or an enhanced status code of class 4 or 5.
fn is_failure_reply(line: &str) -> bool {
    static FAILURE_REPLY: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(^|[\s:(#'<>])([45]\d\d[\s-]+([45]\.\d{1,3}\.\d{1,3}\b|\S)|[45]\.\d{1,3}\.\d{1,3}\b)")
    });
    FAILURE_REPLY.is_match(line)
}

/// An Amazon SES notification (sent through SNS as JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SesNotification {
    /// `notificationType: Bounce` or `Delivery`: one entry per recipient.
    Delivery(Vec<TextEntry>),
    /// `notificationType: Complaint`: a feedback report.
    Complaint {
        recipients: Vec<String>,
        feedback_type: Option<String>,
        user_agent: Option<String>,
        arrival_date: Option<String>,
    },
}

/// Amazon SES notifications: a JSON object with `notificationType` Bounce, Delivery or
/// Complaint, sent by SNS (sometimes inside an SNS envelope whose `Message` is the JSON as a
/// string), wrapped at 1000 characters with `!` continuation marks. When the JSON cannot be
/// parsed (a line cut by a relay), its fields are read one by one.
pub fn amazon_ses(text: &str) -> Option<SesNotification> {
    if !text.contains("notificationType") {
        return None;
    }
    let start = text.find('{')?;
    let joined = text[start..]
        .replace("!\r\n ", "")
        .replace("!\n ", "")
        .replace("!\r ", "");
    let mut stream = serde_json::Deserializer::from_str(&joined).into_iter::<serde_json::Value>();
    match stream.next() {
        Some(Ok(mut value)) => {
            // an SNS envelope carries the notification as a JSON string in "Message"
            if value.get("notificationType").is_none()
                && let Some(inner) = value.get("Message").and_then(|m| m.as_str())
            {
                value = serde_json::from_str(inner).ok()?;
            }
            ses_from_json(&value)
        }
        _ => ses_from_fields(&joined.replace("\\\"", "\"")),
    }
}

fn ses_from_json(value: &serde_json::Value) -> Option<SesNotification> {
    let str_of =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let kind = value.get("notificationType")?.as_str()?;
    let mut out = Vec::new();
    match kind {
        "Bounce" => {
            let bounce = value.get("bounce")?;
            let permanent =
                str_of(bounce, "bounceType").map(|t| t.eq_ignore_ascii_case("permanent"));
            let mta = str_of(bounce, "remoteMtaIp");
            for r in bounce.get("bouncedRecipients")?.as_array()? {
                out.push(TextEntry {
                    recipient: str_of(r, "emailAddress").map(|a| a.to_ascii_lowercase()),
                    diagnostic: str_of(r, "diagnosticCode")
                        .map(|d| collapse(&super::fields::untyped(&d))),
                    remote_mta: mta.clone(),
                    permanent,
                    status: str_of(r, "status"),
                    action: str_of(r, "action"),
                    reason_hint: None,
                });
            }
        }
        "Delivery" => {
            let delivery = value.get("delivery")?;
            let mta = str_of(delivery, "remoteMtaIp").or_else(|| str_of(delivery, "reportingMTA"));
            let response = str_of(delivery, "smtpResponse").map(|r| collapse(&r));
            for r in delivery.get("recipients")?.as_array()? {
                out.push(TextEntry {
                    recipient: r.as_str().map(|a| a.to_ascii_lowercase()),
                    diagnostic: response.clone(),
                    remote_mta: mta.clone(),
                    permanent: None,
                    status: None,
                    action: Some("delivered".into()),
                    reason_hint: None,
                });
            }
        }
        "Complaint" => {
            let complaint = value.get("complaint")?;
            let recipients = complaint
                .get("complainedRecipients")
                .and_then(|r| r.as_array())
                .map(|a| a.iter().filter_map(|r| str_of(r, "emailAddress")).collect())
                .unwrap_or_default();
            return Some(SesNotification::Complaint {
                recipients,
                feedback_type: str_of(complaint, "complaintFeedbackType"),
                user_agent: str_of(complaint, "userAgent"),
                arrival_date: str_of(complaint, "arrivalDate")
                    .or_else(|| str_of(complaint, "timestamp")),
            });
        }
        _ => return None,
    }
    (!out.is_empty()).then_some(SesNotification::Delivery(out))
}

/// The fields of a notification whose JSON is broken, read with patterns.
fn ses_from_fields(text: &str) -> Option<SesNotification> {
    static KIND: LazyLock<Regex> =
        LazyLock::new(|| re(r#""notificationType"\s*:\s*"(Bounce|Delivery|Complaint)""#));
    static RECIPIENT: LazyLock<Regex> =
        LazyLock::new(|| re(r#"\{\s*"emailAddress"\s*:\s*"([^"]+)"([^}]*)\}"#));
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r#""(status|action|diagnosticCode|bounceType|complaintFeedbackType|userAgent|timestamp)"\s*:\s*"([^"]*)""#,
        )
    });
    let kind = KIND.captures(text)?.get(1)?.as_str().to_string();
    let field = |scope: &str, name: &str| {
        FIELD
            .captures_iter(scope)
            .find(|c| c.get(1).is_some_and(|m| m.as_str() == name))
            .and_then(|c| c.get(2).map(|m| m.as_str().to_string()))
    };
    let recipients: Vec<(String, String)> = RECIPIENT
        .captures_iter(text)
        .filter_map(|c| {
            Some((
                c.get(1)?.as_str().to_ascii_lowercase(),
                c.get(2).map(|m| m.as_str().to_string()).unwrap_or_default(),
            ))
        })
        .take(100)
        .collect();
    match kind.as_str() {
        "Complaint" => Some(SesNotification::Complaint {
            recipients: recipients.into_iter().map(|(r, _)| r).collect(),
            feedback_type: field(text, "complaintFeedbackType"),
            user_agent: field(text, "userAgent"),
            arrival_date: field(text, "timestamp"),
        }),
        _ => {
            let permanent = field(text, "bounceType").map(|t| t.eq_ignore_ascii_case("permanent"));
            let entries: Vec<TextEntry> = recipients
                .into_iter()
                .map(|(address, rest)| TextEntry {
                    recipient: Some(address),
                    diagnostic: field(&rest, "diagnosticCode")
                        .map(|d| collapse(&super::fields::untyped(&d))),
                    remote_mta: None,
                    permanent,
                    status: field(&rest, "status"),
                    action: field(&rest, "action")
                        .or_else(|| (kind == "Delivery").then(|| "delivered".to_string())),
                    reason_hint: None,
                })
                .collect();
            (!entries.is_empty()).then_some(SesNotification::Delivery(entries))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exim_block() {
        let t = "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  kijitora@example.ed.jp\n    SMTP error from remote mail server after RCPT TO:<kijitora@example.ed.jp>:\n    host mx.example.jp [192.0.2.20]: 550 5.1.1 <kijitora@example.ed.jp>... User unknown\n";
        let b = read(t, &["sender@example.org".into()], &[]);
        assert_eq!(b.agent, Some("exim"));
        assert_eq!(b.entries.len(), 1);
        let e = &b.entries[0];
        assert_eq!(e.recipient.as_deref(), Some("kijitora@example.ed.jp"));
        assert!(e.diagnostic.as_deref().unwrap().contains("550 5.1.1"));
        assert_eq!(e.remote_mta.as_deref(), Some("mx.example.jp"));
        assert_eq!(e.permanent, Some(true));
    }

    #[test]
    fn qmail_block() {
        let t = "Hi. This is the qmail-send program at mx.example.jp.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<kijitora@example.ne.jp>:\n192.0.2.32 does not like recipient.\nRemote host said: 550 5.1.1 unknown user\nGiving up on 192.0.2.32.\n\n--- Below this line is a copy of the message.\n";
        let b = read(t, &[], &[]);
        assert_eq!(b.agent, Some("qmail"));
        let e = &b.entries[0];
        assert_eq!(e.recipient.as_deref(), Some("kijitora@example.ne.jp"));
        assert!(
            e.diagnostic
                .as_deref()
                .unwrap()
                .contains("550 5.1.1 unknown user")
        );
        assert_eq!(e.remote_mta.as_deref(), Some("192.0.2.32"));
    }

    #[test]
    fn gmail_global_diagnostic() {
        let t = "Delivery to the following recipient failed permanently:\n\n     userunknown@example.jp\n\nTechnical details of permanent failure:\nGoogle tried to deliver your message, but it was rejected by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.153].\n\nThe error that the other server returned was:\n550 5.1.1 <userunknown@example.jp>... User Unknown\n";
        let b = read(t, &[], &[]);
        assert_eq!(b.agent, Some("gmail"));
        let e = &b.entries[0];
        assert_eq!(e.recipient.as_deref(), Some("userunknown@example.jp"));
        assert!(
            e.diagnostic.as_deref().unwrap().contains("550 5.1.1"),
            "{e:?}"
        );
        assert_eq!(e.remote_mta.as_deref(), Some("mx.example.jp"));
    }

    #[test]
    fn ses_json_with_sns_wrapping() {
        let t = "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRecipients\":[{\"emailAddress\":\"a@example.com\",\"action\":\"failed\",\"status\":\"5.1.1\",\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}],\"reportingMTA\":\"dsn; a!\n .example\"}}\n--\nunsubscribe";
        let b = read(t, &[], &[]);
        assert_eq!(b.agent, Some("amazon-ses"));
        assert_eq!(b.entries[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(
            b.entries[0].diagnostic.as_deref(),
            Some("550 5.1.1 user unknown")
        );
    }

    #[test]
    fn no_panic_on_odd_text() {
        for t in [
            "",
            "@",
            "a@b.c\n\n\n",
            "<@>:\n",
            "ü@ß.de said:\n550",
            "said:\n\n\n",
        ] {
            let _ = read(t, &[], &[]);
        }
    }
}
