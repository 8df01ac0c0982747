//! Reports: bounces (RFC 3464 delivery-status notifications and the common non-standard bounce
//! texts), RFC 3834 auto-replies and RFC 5965 feedback reports, read out of a message.
//!
//! This module reads; it does not judge (the rules under `diagnose/` do). It is the one place
//! besides `parse/` that calls mail-parser, and only for the MIME walk (`mime.rs`): the parts,
//! their transfer encodings and charsets. Everything about reports is read here by hand:
//! delivery-status and feedback-report fields (`dsn.rs`, `arf.rs`), the bounce texts of the
//! MTAs (`text.rs`), the returned original after a marker line (`original.rs`), status codes
//! (`status.rs`) and reason classes with their advice (`reason.rs`).
//!
//! What is inferred, and from what:
//! - `status` comes from the DSN `Status:` field, unless the remote server's reply in
//!   `Diagnostic-Code` carries its own enhanced code of the same class right after its reply
//!   code (`550 5.2.2 Over quota` under `Status: 5.1.1`): the remote server's code is what
//!   happened, the reporting MTA's field is its summary (Sendmail writes 5.1.1 or 4.4.7 whatever
//!   the remote said). An `X.0.0` field also gives way to a more precise code of the same class
//!   anywhere in the diagnostic. Without a `Status:` field, the code written in the diagnostic
//!   text (the one after the reply code first). When no code is written anywhere, only the class
//!   is inferred (`5.0.0`, `4.0.0`, `2.0.0`): from the SMTP reply code's first digit, else from
//!   the action (`failed` 5, `delayed` 4, `delivered` 2), else from the bounce text saying the
//!   error is permanent or temporary. Such codes carry `status_source: inferred`; no subject or
//!   detail (the `1.1` of `5.1.1`) is ever made up.
//! - `reason` is read from the diagnostic text, then from the status code, then from the action
//!   (see `reason.rs`, which lists the order).
//! - Only messages that can be reports are taken apart: a `multipart/report` or
//!   delivery-status/feedback-report content type, a mailer-daemon or postmaster sender (or an
//!   empty one), `X-Failed-Recipients`, a bounce subject, an auto-reply header or an Amazon SES
//!   notification. A bounce text must also contain bounce words or an SMTP failure reply.
//!
//! It must not panic on any input and stays linear in the size of the message: every scan is
//! one pass or bounded, and the regexes are linear-time.

mod arf;
mod auto_reply;
mod dsn;
mod fields;
mod mime;
mod original;
mod reason;
mod status;
mod text;

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use serde::Serialize;

use crate::parse::ParsedMessage;

pub use arf::Feedback;
pub use reason::ReasonClass;
pub use status::{StatusCode, StatusSource};

/// What kind of report a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// An RFC 3464 delivery-status notification.
    Dsn,
    /// A bounce in an MTA's own words (no message/delivery-status part).
    BounceText,
    /// An RFC 3834 automatic reply (out of office, vacation).
    AutoReply,
    /// An RFC 5965 feedback report (ARF: abuse or spam complaint).
    FeedbackReport,
}

/// One entry of a report: one failed (or delayed, delivered...) recipient, or one auto-reply
/// or feedback report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// The kind of report.
    pub kind: ReportKind,
    /// The recipient the entry is about (bounces: the failed address; auto-replies: who
    /// replied; feedback reports: the recipient who complained, when named).
    pub recipient: Option<String>,
    /// `failed`, `delayed`, `delivered`, `relayed`, `expanded` (RFC 3464), when known.
    pub action: Option<String>,
    /// The RFC 3463 enhanced status code, e.g. `5.1.1`.
    pub status: Option<String>,
    /// The remote MTA that refused, when named.
    pub remote_mta: Option<String>,
    /// The diagnostic text (the remote server's reply), whitespace collapsed, at most 1000
    /// characters. Auto-replies: the header that marks them; feedback reports: the first
    /// paragraph of the report's text.
    pub diagnostic: Option<String>,
    /// A kebab-case reason class: user-unknown, mailbox-full, mailbox-disabled,
    /// policy-rejection, spam-rejection, dmarc-rejection, authentication-failure, rate-limited,
    /// greylisted, host-unknown, network-error, message-too-large, expired-in-queue,
    /// relay-denied, content-rejection, other (feedback reports: their feedback type, e.g.
    /// abuse; none for auto-replies and successful deliveries).
    pub reason: Option<String>,
    /// Plain advice on what to do, for a student.
    pub advice: Option<String>,
    /// Where `status` came from: `status-field`, `diagnostic` or `inferred` (only the class).
    pub status_source: Option<StatusSource>,
    /// The SMTP reply code in the diagnostic (`550`, `421`...), when there is one.
    pub reply_code: Option<u16>,
    /// The DSN's `Original-Recipient` (the address as the sender wrote it), when it differs
    /// from `recipient`.
    pub original_recipient: Option<String>,
    /// The MTA that wrote the report (DSN `Reporting-MTA`, feedback `Reporting-MTA`).
    pub reporting_mta: Option<String>,
    /// When the reporting MTA received the message (`Arrival-Date`), as written.
    pub arrival_date: Option<String>,
    /// The program whose words the bounce text is in, when recognised: `postfix`, `exim`,
    /// `sendmail`, `qmail`, `exchange`, `gmail`, `google-groups`, `yahoo`, `amazon-ses`,
    /// `dragonfly`, `microsoft-jmrp` (feedback).
    pub agent: Option<String>,
    /// Feedback reports: the report's fields.
    pub feedback: Option<Feedback>,
    /// Index of the header field that shows what kind of report this is (evidence for the
    /// rules); not part of the JSON.
    #[serde(skip)]
    pub header_index: Option<usize>,
}

impl DeliveryReport {
    fn new(kind: ReportKind) -> DeliveryReport {
        DeliveryReport {
            kind,
            recipient: None,
            action: None,
            status: None,
            remote_mta: None,
            diagnostic: None,
            reason: None,
            advice: None,
            status_source: None,
            reply_code: None,
            original_recipient: None,
            reporting_mta: None,
            arrival_date: None,
            agent: None,
            feedback: None,
            header_index: None,
        }
    }

    /// True for a bounce (a DSN or a bounce text), whatever its action.
    pub fn is_bounce(&self) -> bool {
        matches!(self.kind, ReportKind::Dsn | ReportKind::BounceText)
    }

    /// The reason as a class, for bounces.
    pub fn reason_class(&self) -> Option<ReasonClass> {
        if !self.is_bounce() {
            return None;
        }
        self.reason.as_deref().and_then(ReasonClass::from_name)
    }
}

/// Everything read out of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reports {
    /// The entries, in order.
    pub entries: Vec<DeliveryReport>,
    /// The original message returned inside a bounce or feedback report (bytes as found),
    /// to be analysed with the same engine.
    pub original: Option<Vec<u8>>,
    /// Set when the MIME walk stopped at this depth (`Limits::max_mime_depth`), leaving parts
    /// below it unread.
    pub mime_depth_limited: Option<usize>,
}

/// At most this many entries are kept for one message.
const MAX_ENTRIES: usize = 200;

fn re(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .unwrap_or_else(|e| panic!("pattern {pattern:?}: {e}"))
}

/// Subjects of bounces.
static BOUNCE_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"undeliver|undelivered|delivery (status )?(notification|failure|failed|has failed|problem|report)|",
        r"^\s*delivery status\s*$|",
        r"returned mail|mail delivery (failed|failure|system)|failure notice|non[- ]?deliver|",
        r"could not be delivered|couldn't be delivered|mail system error|delayed mail|",
        r"message not delivered|returned to sender|delivery notification|mail failure|",
        r"error sending|warning: could not send|failed delivery|unzustellbar|non remis|",
        r"not delivered|rejected|delivery failure|delivery error|mail error|ndr\b|returning to sender|",
        r"エラー|不達|配信|返送|送信できません"
    ))
});

/// A Microsoft JMRP complaint's subject.
static JMRP_SUBJECT: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*complaint about message from"));

fn header_index(parsed: &ParsedMessage, name: &str) -> Option<usize> {
    parsed.headers.iter().position(|h| h.is(name))
}

fn addresses_of(parsed: &ParsedMessage) -> Vec<String> {
    let mut out: Vec<String> = parsed
        .from
        .iter()
        .chain(parsed.to.iter())
        .filter_map(|m| m.address.as_deref())
        .map(str::to_ascii_lowercase)
        .collect();
    if let Some(rp) = &parsed.return_path
        && !rp.is_empty()
    {
        out.push(rp.to_ascii_lowercase());
    }
    out
}

fn sender_is_daemon(parsed: &ParsedMessage) -> bool {
    parsed.from.iter().any(|m| {
        m.address.as_deref().is_some_and(auto_reply::is_daemon)
            || m.name.as_deref().is_some_and(auto_reply::is_daemon)
    }) || parsed
        .first("From")
        .is_some_and(|h| auto_reply::is_daemon(&h.value) || h.value.trim() == "<>")
        || parsed.return_path.as_deref() == Some("")
}

/// The human-readable text of the message (the returned original cut off), the original found
/// inline, and the whole text.
struct Texts {
    human: String,
    inline_original: Option<Vec<u8>>,
}

fn texts(pieces: &mime::Pieces, message: &[u8]) -> Texts {
    let mut human = String::new();
    let mut inline_original = None;
    for part in &pieces.texts {
        let mut text = part.text.as_str();
        if let Some((end, _)) = original::find(text.as_bytes()) {
            if inline_original.is_none() {
                let raw = part.raw.clone().and_then(|r| message.get(r));
                inline_original =
                    match raw.and_then(|raw| original::find(raw).map(|(_, s)| (raw, s))) {
                        Some((raw, start)) => Some(raw[start..].to_vec()),
                        None => original::find(text.as_bytes())
                            .map(|(_, s)| text.as_bytes()[s..].to_vec()),
                    };
            }
            text = text.get(..end).unwrap_or(text);
        }
        if !human.is_empty() {
            human.push('\n');
        }
        human.push_str(text);
    }
    Texts {
        human,
        inline_original,
    }
}

/// Choose the status of an entry and say where it came from.
fn choose_status(
    field: Option<&str>,
    diagnostic: Option<&str>,
    action: Option<&str>,
    permanent: Option<bool>,
) -> (Option<StatusCode>, Option<StatusSource>, Option<u16>) {
    let from_field = field.and_then(StatusCode::parse);
    let from_remote = diagnostic.and_then(status::find_after_reply);
    let from_text = from_remote.or_else(|| diagnostic.and_then(status::find));
    let reply = diagnostic.and_then(status::find_reply_code);
    let chosen = match (from_field, from_text) {
        // the remote server's own code, given with its reply, is more exact than the
        // reporting MTA's summary (Sendmail writes 5.1.1 or 4.4.7 whatever the remote said)
        (Some(f), Some(t))
            if from_remote == Some(t) && t != f && t.class == f.class && !t.is_unspecific() =>
        {
            (Some(t), Some(StatusSource::Diagnostic))
        }
        (Some(f), Some(t)) if f.is_unspecific() && t.class == f.class && !t.is_unspecific() => {
            (Some(t), Some(StatusSource::Diagnostic))
        }
        (Some(f), _) => (Some(f), Some(StatusSource::StatusField)),
        (None, Some(t)) => (Some(t), Some(StatusSource::Diagnostic)),
        (None, None) => {
            let class = reply
                .map(|r| (r / 100) as u8)
                .or(match action {
                    Some("failed" | "expired") => Some(5),
                    Some("delayed") => Some(4),
                    Some("delivered" | "relayed" | "expanded") => Some(2),
                    _ => None,
                })
                .or(match permanent {
                    Some(true) => Some(5),
                    Some(false) => Some(4),
                    None => None,
                });
            match class.and_then(|c| StatusCode::new(c, 0, 0)) {
                Some(code) => (Some(code), Some(StatusSource::Inferred)),
                None => (None, None),
            }
        }
    };
    (chosen.0, chosen.1, reply)
}

/// Fill reason and advice of a bounce entry.
fn judge(
    entry: &mut DeliveryReport,
    code: Option<StatusCode>,
    human: &str,
    hint: Option<ReasonClass>,
) {
    let action = entry.action.as_deref();
    if matches!(action, Some("delivered" | "relayed" | "expanded"))
        || code.is_some_and(|c| c.class == 2)
    {
        entry.reason = None;
        entry.advice = Some(
            "This notice reports a success: the message was delivered (or passed on). Nothing to do."
                .into(),
        );
        return;
    }
    let diagnostic = entry.diagnostic.as_deref().unwrap_or("");
    // a bounce format that stands for one reason (Google Groups) says it, in any language
    let mut class = hint.unwrap_or_else(|| reason::classify(code, diagnostic, action));
    if class == ReasonClass::Other && diagnostic.is_empty() {
        let head: String = human.chars().take(3000).collect();
        class = reason::classify(code, &head, action);
    }
    entry.reason = Some(class.as_str().to_string());
    let advice = class.advice();
    entry.advice = Some(if action == Some("delayed") {
        format!("Not a failure yet: the sending server is still trying. {advice}")
    } else {
        advice.to_string()
    });
}

/// Read the reports a message carries (none for an ordinary message).
pub fn extract(message: &[u8], parsed: &ParsedMessage) -> Reports {
    extract_limited(message, parsed, mime::DEFAULT_MAX_DEPTH)
}

/// [`extract`], the MIME walk going at most `max_mime_depth` multipart levels deep
/// (`Limits::max_mime_depth`).
pub fn extract_limited(message: &[u8], parsed: &ParsedMessage, max_mime_depth: usize) -> Reports {
    extract_at(message, parsed, 0, max_mime_depth)
}

/// Whether a message can be a report at all, from its headers (and, for Amazon SES
/// notifications, one scan of the body): only those are taken apart.
fn may_be_report(message: &[u8], parsed: &ParsedMessage) -> bool {
    parsed.fields("Content-Type").any(|h| {
        ["multipart/report", "delivery-status", "feedback-report"]
            .iter()
            .any(|t| mime::find_ci(&h.value, t).is_some())
    }) || sender_is_daemon(parsed)
        || parsed.first("X-Failed-Recipients").is_some()
        || parsed
            .subject
            .as_deref()
            .is_some_and(|s| BOUNCE_SUBJECT.is_match(s) || JMRP_SUBJECT.is_match(s))
        || auto_reply::detect(parsed).is_some()
        || memchr::memmem::find(message, b"notificationType").is_some()
}

fn extract_at(
    message: &[u8],
    parsed: &ParsedMessage,
    depth: usize,
    max_mime_depth: usize,
) -> Reports {
    if depth > 1 || !may_be_report(message, parsed) {
        return Reports::default();
    }
    let pieces = mime::walk_limited(message, max_mime_depth);
    let Texts {
        human,
        inline_original,
    } = texts(&pieces, message);
    let mut reports = Reports {
        mime_depth_limited: pieces.depth_limited.then_some(max_mime_depth),
        ..Reports::default()
    };

    let is_feedback =
        !pieces.feedback.is_empty() || pieces.report_type.as_deref() == Some("feedback-report");
    let is_jmrp = !is_feedback
        && parsed
            .subject
            .as_deref()
            .is_some_and(|s| JMRP_SUBJECT.is_match(s))
        && pieces.original.as_deref().is_some_and(|o| {
            mime::find_ci(&String::from_utf8_lossy(o), "x-hmxmroriginalrecipient").is_some()
        });
    let is_dsn = !is_feedback
        && (!pieces.delivery_status.is_empty()
            || pieces.report_type.as_deref() == Some("delivery-status"));

    let ses_complaint = match (is_feedback || is_dsn, text::amazon_ses(&human)) {
        (
            false,
            Some(text::SesNotification::Complaint {
                recipients,
                feedback_type,
                user_agent,
                arrival_date,
            }),
        ) => Some(Feedback {
            feedback_type: feedback_type
                .map(|t| t.to_ascii_lowercase())
                .unwrap_or_else(|| "abuse".into()),
            user_agent,
            original_rcpt_to: recipients,
            arrival_date,
            ..Default::default()
        }),
        _ => None,
    };
    if let Some(fb) = ses_complaint {
        let mut e = DeliveryReport::new(ReportKind::FeedbackReport);
        e.recipient = fb.original_rcpt_to.first().map(|r| r.to_ascii_lowercase());
        e.reason = Some(fb.feedback_type.clone());
        e.advice = Some(arf::advice(&fb.feedback_type).to_string());
        e.arrival_date = fb.arrival_date.clone();
        e.agent = Some("amazon-ses".into());
        e.header_index = header_index(parsed, "Subject");
        e.feedback = Some(fb);
        reports.entries.push(e);
        return reports;
    }
    if is_feedback || is_jmrp {
        let mut fb = match pieces.feedback.first() {
            Some(t) => arf::parse(t),
            None => Feedback {
                feedback_type: "abuse".into(),
                ..Default::default()
            },
        };
        if is_jmrp
            && fb.original_rcpt_to.is_empty()
            && let Some(o) = &pieces.original
        {
            let o = String::from_utf8_lossy(o);
            if let Some(line) = fields::lines(&o).find(|l| {
                l.get(..24)
                    .is_some_and(|p| p.eq_ignore_ascii_case("x-hmxmroriginalrecipient"))
            }) && let Some((_, v)) = line.split_once(':')
            {
                fb.original_rcpt_to.push(v.trim().to_string());
            }
        }
        let mut e = DeliveryReport::new(ReportKind::FeedbackReport);
        e.recipient = fb.original_rcpt_to.first().map(|r| r.to_ascii_lowercase());
        e.reason = Some(fb.feedback_type.clone());
        e.advice = Some(arf::advice(&fb.feedback_type).to_string());
        e.diagnostic = first_paragraph(&human);
        e.reporting_mta = fb.reporting_mta.clone();
        e.arrival_date = fb.arrival_date.clone();
        e.agent = is_jmrp.then(|| "microsoft-jmrp".to_string());
        e.header_index = header_index(parsed, if is_jmrp { "Subject" } else { "Content-Type" });
        e.feedback = Some(fb);
        reports.entries.push(e);
    } else if is_dsn
        || (dsn::looks_inline(&human)
            && (sender_is_daemon(parsed) || text::has_bounce_words(&human)))
    {
        dsn_entries(&mut reports, &pieces, &human, parsed);
    } else if is_bounce_text(parsed, &human) {
        text_entries(&mut reports, &human, parsed);
    } else if let Some(auto) = auto_reply::detect(parsed) {
        let mut e = DeliveryReport::new(ReportKind::AutoReply);
        e.recipient = parsed
            .from
            .iter()
            .find_map(|m| m.address.clone())
            .map(|a| a.to_ascii_lowercase());
        e.diagnostic = Some(auto.evidence.chars().take(300).collect());
        e.advice = Some(
            "An automatic reply (out of office, vacation): your message was delivered to the mailbox. Nothing failed; reply to it only if its text asks you to."
                .into(),
        );
        e.header_index = Some(auto.header_index);
        reports.entries.push(e);
        return reports;
    }
    if !reports.entries.is_empty() {
        reports.original = pieces
            .original
            .or(pieces.original_headers)
            .or(inline_original);
        // a bounce that says nothing about its recipients but returns another bounce (a
        // forwarded or wrapped DSN): read the inner one
        let no_recipient = reports.entries.iter().all(|e| e.recipient.is_none());
        let only_text = reports
            .entries
            .iter()
            .all(|e| e.kind == ReportKind::BounceText);
        if (no_recipient || only_text)
            && reports.entries.iter().all(DeliveryReport::is_bounce)
            && let Some(inner) = reports.original.as_deref()
            && let Some((inner_message, inner_parsed)) = parse_inner(inner)
        {
            let inner_reports =
                extract_at(&inner_message, &inner_parsed, depth + 1, max_mime_depth);
            let usable = inner_reports.entries.iter().any(|e| {
                e.recipient.is_some()
                    && (e.kind == ReportKind::Dsn
                        || (no_recipient && e.kind == ReportKind::BounceText))
            });
            if usable {
                return inner_reports;
            }
        }
    }
    reports
}

/// The first paragraph of a text, whitespace collapsed, at most 300 characters.
fn first_paragraph(text: &str) -> Option<String> {
    let words: Vec<&str> = fields::lines(text)
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .take(10)
        .flat_map(str::split_whitespace)
        .collect();
    (!words.is_empty()).then(|| words.join(" ").chars().take(300).collect())
}

/// Normalise and parse a returned original that may itself be a bounce.
fn parse_inner(bytes: &[u8]) -> Option<(Vec<u8>, ParsedMessage)> {
    let source = crate::input::Source::from_bytes("returned original", bytes.to_vec()).ok()?;
    let parsed = crate::parse::parse(&source).ok()?;
    Some((source.message, parsed))
}

fn is_bounce_text(parsed: &ParsedMessage, human: &str) -> bool {
    if matches!(
        text::amazon_ses(human),
        Some(text::SesNotification::Delivery(_))
    ) {
        return true;
    }
    if parsed.first("X-Failed-Recipients").is_some() {
        return true;
    }
    let daemon = sender_is_daemon(parsed);
    let subject = parsed
        .subject
        .as_deref()
        .is_some_and(|s| BOUNCE_SUBJECT.is_match(s));
    (daemon && subject)
        || ((daemon || subject)
            && (text::has_bounce_words(human) || text::has_failure_reply(human)))
}

/// Recipients named in the bounce's headers (Exim's `X-Failed-Recipients`).
fn failed_recipients(parsed: &ParsedMessage) -> Vec<String> {
    parsed
        .fields("X-Failed-Recipients")
        .flat_map(|h| h.value.split(','))
        .map(|a| {
            a.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_ascii_lowercase()
        })
        .filter(|a| a.contains('@'))
        .collect()
}

fn dsn_entries(reports: &mut Reports, pieces: &mime::Pieces, human: &str, parsed: &ParsedMessage) {
    let mut message_fields = dsn::MessageFields::default();
    let mut recipients = Vec::new();
    let status_texts: Vec<&str> = if pieces.delivery_status.is_empty() {
        vec![human]
    } else {
        pieces.delivery_status.iter().map(String::as_str).collect()
    };
    for t in status_texts {
        let (m, r) = dsn::parse(t);
        if message_fields.reporting_mta.is_none() {
            message_fields.reporting_mta = m.reporting_mta;
        }
        if message_fields.arrival_date.is_none() {
            message_fields.arrival_date = m.arrival_date;
        }
        recipients.extend(r);
    }
    let exclude = addresses_of(parsed);
    let from_text = text::read(human, &exclude, &failed_recipients(parsed));
    if recipients.is_empty() {
        // a report without readable delivery-status fields: fall back to its text
        text_entries_from(reports, from_text, human, parsed, ReportKind::Dsn);
        for e in &mut reports.entries {
            e.reporting_mta = message_fields.reporting_mta.clone();
            e.arrival_date = message_fields.arrival_date.clone();
        }
        return;
    }
    let content_type = header_index(parsed, "Content-Type");
    for r in recipients.into_iter().take(MAX_ENTRIES) {
        let mut e = DeliveryReport::new(ReportKind::Dsn);
        e.recipient = r.final_recipient.clone().or(r.original_recipient.clone());
        e.original_recipient = r
            .original_recipient
            .clone()
            .filter(|o| Some(o) != r.final_recipient.as_ref());
        e.action = r.action.clone().filter(|a| !a.is_empty());
        let text_entry = from_text.entries.iter().find(|t| {
            t.recipient.is_some()
                && (t.recipient == r.final_recipient || t.recipient == r.original_recipient)
        });
        let text_entry = text_entry.or(if from_text.entries.len() == 1 {
            from_text.entries.first()
        } else {
            None
        });
        e.diagnostic = r
            .diagnostic
            .clone()
            .or_else(|| text_entry.and_then(|t| t.diagnostic.clone()));
        e.remote_mta = r
            .remote_mta
            .clone()
            .or_else(|| e.diagnostic.as_deref().and_then(text::remote_mta))
            .or_else(|| text_entry.and_then(|t| t.remote_mta.clone()));
        let (code, source, reply) = choose_status(
            r.status.as_deref(),
            e.diagnostic.as_deref(),
            e.action.as_deref(),
            text_entry.and_then(|t| t.permanent),
        );
        e.status = code.map(|c| c.to_string());
        e.status_source = source;
        e.reply_code = reply;
        e.reporting_mta = message_fields.reporting_mta.clone();
        e.arrival_date = message_fields.arrival_date.clone();
        e.agent = from_text.agent.map(str::to_string);
        e.header_index = content_type;
        judge(&mut e, code, human, text_entry.and_then(|t| t.reason_hint));
        reports.entries.push(e);
    }
}

fn text_entries(reports: &mut Reports, human: &str, parsed: &ParsedMessage) {
    let exclude = addresses_of(parsed);
    let bounce = text::read(human, &exclude, &failed_recipients(parsed));
    text_entries_from(reports, bounce, human, parsed, ReportKind::BounceText);
}

fn text_entries_from(
    reports: &mut Reports,
    bounce: text::TextBounce,
    human: &str,
    parsed: &ParsedMessage,
    kind: ReportKind,
) {
    let evidence = if sender_is_daemon(parsed) {
        header_index(parsed, "From")
    } else {
        header_index(parsed, "Subject")
    };
    let mut entries = bounce.entries;
    if entries.is_empty() {
        // a bounce whose recipient and reason could not be read: still a bounce
        entries.push(text::TextEntry::default());
    }
    for t in entries.into_iter().take(MAX_ENTRIES) {
        let mut e = DeliveryReport::new(kind);
        e.recipient = t.recipient.clone();
        e.diagnostic = t.diagnostic.clone();
        e.remote_mta = t.remote_mta.clone();
        let action = t.action.clone().or(match t.permanent {
            Some(false) => Some("delayed".to_string()),
            _ => Some("failed".to_string()),
        });
        let (code, source, reply) = choose_status(
            t.status.as_deref(),
            e.diagnostic.as_deref(),
            action.as_deref(),
            t.permanent,
        );
        e.action = action;
        e.status = code.map(|c| c.to_string());
        e.status_source = source;
        e.reply_code = reply;
        e.agent = bounce.agent.map(str::to_string);
        e.header_index = evidence;
        judge(&mut e, code, human, t.reason_hint);
        reports.entries.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reports_of(text: &str) -> Reports {
        let source =
            crate::input::Source::from_bytes("test", text.as_bytes().to_vec()).expect("a message");
        let parsed = crate::parse::parse(&source).expect("parsed");
        extract(&source.message, &parsed)
    }

    #[test]
    fn ordinary_mail_is_no_report() {
        let r = reports_of(
            "From: Ann <ann@example.com>\nTo: bob@example.org\nSubject: lunch\nDate: Tue, 11 Mar 2025 09:15:42 +0000\n\nCould not be delivered? 550 5.1.1 no, just lunch.\n",
        );
        assert!(r.entries.is_empty());
        assert!(r.original.is_none());
    }

    #[test]
    fn exim_bounce_with_inline_original() {
        let r = reports_of(
            "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: ann@example.com\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: kim@example.net\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  kim@example.net\n    host mx.example.net [192.0.2.7]\n    SMTP error from remote mail server after RCPT TO:<kim@example.net>:\n    552 5.2.2 Mailbox full\n\n------ This is a copy of the message, including all the headers. ------\n\nReturn-path: <ann@example.com>\nReceived: from a by mx.example.org; Tue, 11 Mar 2025 09:15:42 +0000\nSubject: hi\n\nbody\n",
        );
        assert_eq!(r.entries.len(), 1);
        let e = &r.entries[0];
        assert_eq!(e.kind, ReportKind::BounceText);
        assert_eq!(e.recipient.as_deref(), Some("kim@example.net"));
        assert_eq!(e.status.as_deref(), Some("5.2.2"));
        assert_eq!(e.reason.as_deref(), Some("mailbox-full"));
        assert_eq!(e.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(e.agent.as_deref(), Some("exim"));
        let original = String::from_utf8(r.original.expect("original")).unwrap();
        assert!(
            original.starts_with("Return-path: <ann@example.com>"),
            "{original:?}"
        );
    }

    #[test]
    fn status_inferred_only_as_a_class() {
        let r = reports_of(
            "From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.org.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<kim@example.net>:\nSorry, no mailbox here by that name.\n",
        );
        let e = &r.entries[0];
        assert_eq!(e.status.as_deref(), Some("5.0.0"));
        assert_eq!(e.status_source, Some(StatusSource::Inferred));
        assert_eq!(e.reason.as_deref(), Some("user-unknown"));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let cases = [
            "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822;\nStatus: 9.9.9\nAction:\n\n--x--\n",
            "Content-Type: multipart/report; report-type=feedback-report\n\nno parts\n",
            "From: <>\nSubject: Undeliverable\n\n@\n<>:\n550\n5.\n",
            "From: MAILER-DAEMON@x\nSubject: Returned mail\n\n{\"notificationType\":\"Bounce\",\"bounce\":{\n",
            "From: MAILER-DAEMON@x\nSubject: Returned mail\nContent-Type: text/html\n\n<style>x<p>a@b.example said: 550 5.1.1<",
            "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; \"a\"@\nOriginal-Recipient: rfc822; \"\nAction: failed\n",
        ];
        for case in cases {
            let _ = reports_of(case);
        }
    }

    #[test]
    fn large_inputs_stay_linear() {
        // many addresses, many marker lines, one huge delivery-status block: quadratic work
        // here would take minutes, linear work takes well under a second
        let mut text = String::from(
            "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\n",
        );
        // one megabyte-long line full of addresses
        let long_line: String = (0..40_000).map(|i| format!("x{i}@example.org ")).collect();
        text.push_str(&format!("\n{long_line}\n"));
        for i in 0..20_000 {
            text.push_str(&format!(
                "u{i}@example.net: 550 5.1.1 user unknown\n------ This is a copy of the message ------\n"
            ));
        }
        text.push_str("\n--b\nContent-Type: message/delivery-status\n\n");
        for i in 0..20_000 {
            text.push_str(&format!("X-Field-{i}: v\n"));
        }
        text.push_str(
            "Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1\n\n--b--\n",
        );
        let source = crate::input::Source::from_bytes("big", text.into_bytes()).expect("a message");
        let parsed = crate::parse::parse(&source).expect("parsed");
        let start = std::time::Instant::now();
        let r = extract(&source.message, &parsed);
        assert!(!r.entries.is_empty());
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "took {:?}",
            start.elapsed()
        );
    }
}
