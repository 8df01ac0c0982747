//! Reason classes: why a delivery failed, in a few kebab-case words, with plain advice.
//!
//! The class is read from the diagnostic text first (what the refusing server said is more
//! precise than its code: `550 5.1.1 ... has sent to too many recipients` is a rate limit), then
//! from the enhanced status code, then from the action. A cause written in the text wins over
//! the fact that the message expired (`mailbox is full: retry timeout exceeded` is
//! mailbox-full), except when the status code itself is `X.4.7` (delivery time expired), and
//! except for a server that could not be reached at all: a final bounce after "connection
//! timed out" or "connection refused" means the sending server retried until it gave up, so it
//! is expired-in-queue (the diagnostic still names the network error); the same words in a
//! delay warning are network-error. A refusal given in reply to MAIL FROM is about the sender,
//! so it is a policy rejection even when its words say "no such user". Specific words (user
//! unknown, mailbox full, DMARC, SPF, spam, relaying...) come before a specific status code,
//! which comes before general refusal words ("rejected", "denied", "policy"). Gmail's
//! boilerplate ("To best protect our users from spam") is ignored. The words are English, with
//! a few Japanese phrases common in the bounces of Japanese carriers.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use serde::Serialize;

use super::status::StatusCode;

/// Why a delivery failed (or was delayed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonClass {
    /// The recipient address does not exist.
    UserUnknown,
    /// The recipient's mailbox is over its quota.
    MailboxFull,
    /// The recipient's account exists but is disabled, suspended or locked.
    MailboxDisabled,
    /// Refused by the receiver's local policy (sender, client host, reverse DNS, access rules).
    PolicyRejection,
    /// Judged to be spam: content filters, IP or domain blocklists, reputation.
    SpamRejection,
    /// Refused because DMARC failed for the From domain (5.7.26, DMARC texts).
    DmarcRejection,
    /// SPF, DKIM or SMTP authentication failed or was missing (5.7.1 SPF/DKIM texts, 5.7.20-24).
    AuthenticationFailure,
    /// Too many messages, connections or recipients: the receiver throttles the sender.
    RateLimited,
    /// Temporarily refused by greylisting: the sender's server is asked to come back later.
    Greylisted,
    /// The recipient's domain does not exist or does not receive mail (no MX, null MX, NXDOMAIN).
    HostUnknown,
    /// The recipient's server could not be reached: connection refused or timed out, DNS
    /// temporarily failing, a mail loop.
    NetworkError,
    /// The message is larger than the receiver accepts.
    MessageTooLarge,
    /// The sending server kept the message in its queue until its time ran out.
    ExpiredInQueue,
    /// The server refused to relay for a domain it does not serve.
    RelayDenied,
    /// Refused because of what the message contains or how it is formatted (virus, attachment,
    /// malformed headers).
    ContentRejection,
    /// None of the above.
    Other,
}

impl ReasonClass {
    /// Every class, in the order of the documentation.
    pub const ALL: [ReasonClass; 16] = [
        ReasonClass::UserUnknown,
        ReasonClass::MailboxFull,
        ReasonClass::MailboxDisabled,
        ReasonClass::PolicyRejection,
        ReasonClass::SpamRejection,
        ReasonClass::DmarcRejection,
        ReasonClass::AuthenticationFailure,
        ReasonClass::RateLimited,
        ReasonClass::Greylisted,
        ReasonClass::HostUnknown,
        ReasonClass::NetworkError,
        ReasonClass::MessageTooLarge,
        ReasonClass::ExpiredInQueue,
        ReasonClass::RelayDenied,
        ReasonClass::ContentRejection,
        ReasonClass::Other,
    ];

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonClass::UserUnknown => "user-unknown",
            ReasonClass::MailboxFull => "mailbox-full",
            ReasonClass::MailboxDisabled => "mailbox-disabled",
            ReasonClass::PolicyRejection => "policy-rejection",
            ReasonClass::SpamRejection => "spam-rejection",
            ReasonClass::DmarcRejection => "dmarc-rejection",
            ReasonClass::AuthenticationFailure => "authentication-failure",
            ReasonClass::RateLimited => "rate-limited",
            ReasonClass::Greylisted => "greylisted",
            ReasonClass::HostUnknown => "host-unknown",
            ReasonClass::NetworkError => "network-error",
            ReasonClass::MessageTooLarge => "message-too-large",
            ReasonClass::ExpiredInQueue => "expired-in-queue",
            ReasonClass::RelayDenied => "relay-denied",
            ReasonClass::ContentRejection => "content-rejection",
            ReasonClass::Other => "other",
        }
    }

    /// The class with this kebab-case name.
    pub fn from_name(name: &str) -> Option<ReasonClass> {
        ReasonClass::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// Plain advice for the sender, one or two sentences.
    pub fn advice(self) -> &'static str {
        match self {
            ReasonClass::UserUnknown => {
                "The address does not exist at the receiving server. Check it for typing mistakes or ask the person for their current address; do not keep sending to it."
            }
            ReasonClass::MailboxFull => {
                "The recipient's mailbox is full. Try again in a few days or reach the person another way so they can make room."
            }
            ReasonClass::MailboxDisabled => {
                "The address exists but its account is disabled or suspended. Ask the person, by another route, for an address they still use."
            }
            ReasonClass::PolicyRejection => {
                "The receiving server's rules refused your message or your sending server (for example your server's reverse DNS, your sender address or access rules). Read the diagnostic text, and ask your mail administrator to contact the receiver's postmaster if it looks wrong."
            }
            ReasonClass::SpamRejection => {
                "The receiver judged the message or your sending server to be spam (content, or your server's IP on a blocklist). Check the blocklist named in the diagnostic and ask for delisting, and avoid spam-like content."
            }
            ReasonClass::DmarcRejection => {
                "The receiver refused the message because it failed DMARC for the domain in From. The domain's owner must make SPF or DKIM pass aligned with that domain (for example sign with DKIM for it) on every server that sends as it."
            }
            ReasonClass::AuthenticationFailure => {
                "The message failed SPF or DKIM checks, or the server wanted your client to log in first. Make sure your sending server is listed in your domain's SPF record and signs with DKIM (or enable SMTP authentication in your mail client)."
            }
            ReasonClass::RateLimited => {
                "The receiver is limiting how much mail it accepts from your server. Send more slowly and to fewer recipients at once; your server will usually retry by itself."
            }
            ReasonClass::Greylisted => {
                "The receiver asked your server to try again later, a normal anti-spam step called greylisting. Nothing to do: your server retries and the message usually arrives within minutes."
            }
            ReasonClass::HostUnknown => {
                "The domain after the @ does not exist or does not receive mail. Check the spelling of the domain (for example gmial.com instead of gmail.com)."
            }
            ReasonClass::NetworkError => {
                "Your server could not reach the recipient's server (connection refused or timed out, or DNS failing). If it keeps happening, the problem is usually on the recipient's side; try again later."
            }
            ReasonClass::MessageTooLarge => {
                "The message is bigger than the receiver accepts. Send large files as a link to a file-sharing service instead of an attachment."
            }
            ReasonClass::ExpiredInQueue => {
                "Your server kept retrying and gave up after its time limit, usually because the recipient's server was unreachable or kept refusing temporarily. Check the last error in the diagnostic, then send again later."
            }
            ReasonClass::RelayDenied => {
                "The server refused to pass the message on because it does not handle mail for that domain and you are not allowed to use it as a relay. Check the recipient domain's MX records, or send through your own provider's server after logging in."
            }
            ReasonClass::ContentRejection => {
                "The receiver refused the message because of what it contains or how it is built (a virus, an attachment type, malformed headers). Remove the attachment or fix the message format and send again."
            }
            ReasonClass::Other => {
                "The receiving server gave no reason that fits a known class. Read the diagnostic text; if it is unclear, forward the bounce to your mail administrator."
            }
        }
    }
}

fn re(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(1 << 22)
        .build()
        .unwrap_or_else(|e| panic!("reason pattern {pattern:?}: {e}"))
}

/// Phrases of boilerplate that name a class without being the reason (Gmail: "To best protect
/// our users from spam, the message has been blocked" under an authentication failure).
static BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"to (best )?(protect|reduce) (our users from|the amount of) spam( sent to gmail)?|",
        r"set up spf records( for your sending domain)?"
    ))
});

/// Specific text patterns in the order they are tried: the first class that matches wins.
static SPECIFIC: LazyLock<Vec<(ReasonClass, Regex)>> = LazyLock::new(|| {
    use ReasonClass::*;
    vec![
        (
            Greylisted,
            re(r"gr[ae]y[ -]?list|gr[ae]ylisted|gr[ae]ylisting"),
        ),
        (DmarcRejection, re(r"\bdmarc\b")),
        (
            SpamRejection,
            re(concat!(
                r"\bspam|\bube\b|unsolicited|bulk ?mail|blocked using|black ?list|block ?list|\bdnsbl\b|",
                r"\brbl\b|spamhaus|spamcop|\bsorbs\b|uribl|surbl|cloudmark|",
                r"reputation|banned sending|\bjunk\b|blacklisted|blocklisted|",
                r"suspicious due to|known spammer"
            )),
        ),
        (
            AuthenticationFailure,
            re(concat!(
                r"\bspf\b|\bdkim\b|\bsender ?id\b|unauthenticated (e-?mail|sender|mail|user)|",
                r"sender is unauthenticated|authentication (is )?(required|needed|checks?|failed|failure|level)|",
                r"fails? to pass (authentication|spf|dkim)|not authenticated|must (be )?authenticate|smtp[ -]?auth|",
                r"authentication information|please (turn on|enable|use) (smtp )?auth|authrequired"
            )),
        ),
        (
            RelayDenied,
            re(concat!(
                r"relay(ing)? (access )?(denied|not permitted|prohibited|not allowed|refused)|",
                r"not (permitted|allowed|configured|authorized) to relay|unable to relay|",
                r"insecure mail relay|we do not relay|relay not (permitted|allowed)|cannot relay|",
                r"no relaying|relaying (is )?not"
            )),
        ),
        (
            RateLimited,
            re(concat!(
                r"rate[ -]?limit|ratelimit|too many (connections|messages|recipients|mails|e-?mails|concurrent|sessions|rcpt)|",
                r"frequency limit|unexpected volume|receiving mail at a rate|sending (rate|limit|quota)|",
                r"throttl|sent to too many|exceeded (the )?(message|sending|hourly|daily) (rate|limit|quota)|",
                r"(daily|hourly|relay|sending) (relay )?(quota|limit)|\brate of\b|",
                r"too many (e-?mail|message)s? (from|sent)|\btss\d\d\b"
            )),
        ),
        (
            // refused for the sending host itself: reverse DNS, HELO, an address not allowed
            PolicyRejection,
            re(concat!(
                r"reverse dns|\bptr\b|\brdns\b|reverse (lookup|dns)|ip name lookup failed|",
                r"client host rejected|my name was rejected|helo (command )?rejected|invalid helo|",
                r"bad helo|sending ips?\b|messages from \S+ weren't sent|not allowed to send"
            )),
        ),
        (
            ContentRejection,
            re(concat!(
                r"virus|malware|infected|trojan|worm found|attachment|8-?bit data|",
                r"headers? too (large|long|big)|header error|duplicate header|multiple (addresses in )?from|",
                r"multiple \w+ headers|not rfc ?(5322|2822|822)[- ]compliant|potential security issue|",
                r"content (rejected|not accepted|filter)|message content|banned content|",
                r"mime (error|syntax)|malformed (message|mime)"
            )),
        ),
        (
            MailboxFull,
            re(concat!(
                r"mail ?box (is |was )?(full|over)|over ?quota|quota (exceeded|full|limit)|",
                r"exceed(ed|s)? (the |his |her |their |its )?(allowed )?(storage|quota|mailbox|disk)|",
                r"mail ?box size limit|mail ?(box|folder)( is)? full|(mail ?box|inbox|mail ?folder) (is )?full|",
                r"insufficient (user )?(storage|quota)|storage (allocation|quota|limit)|disk quota|",
                r"quotaexceeded|mail ?box exceed|user.{0,20} is over|recipient.{0,20}full|",
                r"number of messages in .{0,30} exceeded|no space in mailbox|full mailbox|",
                r"out of (storage )?space|storage space"
            )),
        ),
        (
            MessageTooLarge,
            re(concat!(
                r"too (large|big)|size (limit|exceed)|exceeds? (the )?(maximum|size|fixed maximum|allowed|limit)|",
                r"message (length|size) exceeds|mail size|message size|line (limit|length) exceeded|",
                r"line too long|message too long|larger than"
            )),
        ),
        (
            MailboxDisabled,
            re(concat!(
                r"(account|mail ?box|user|address|recipient)\b.{0,40}\b(is |has been |was )?",
                r"(disabled|inactive|deactivated|suspended|locked|frozen|blocked|closed|discontinued|",
                r"de-?activated|terminated|on hold)\b|",
                r"disabled (recipient|user|account|mailbox|address)|account (is )?(disabled|suspended)|",
                r"no longer (active|in use|valid|available)|temporar(il)?y locked"
            )),
        ),
        (
            // the sender was refused
            PolicyRejection,
            re(concat!(
                r"sender (address |domain )?(rejected|denied|not allowed|invalid|verify failed|unknown)|",
                r"domain of sender|unroutable sender|sender address|from: domain is invalid|",
                r"invalid sender|sender.{0,40}(is not|not) (verified|allowed|permitted)|",
                r"identities failed|address is not verified|sender rejected|sender verification|",
                r"unknown sender|bad sender|mail from .{0,40}rejected"
            )),
        ),
        (
            HostUnknown,
            re(concat!(
                r"host (or domain name )?(not found|unknown)|domain (name )?not (found|exist)|no such domain|",
                r"unknown (host|domain)|\bnxdomain\b|domain does ?n[o']t exist|invalid domain|",
                r"no mx|doesn't receive e?mail|does not receive e?mail|does not accept mail|",
                r"null mx|no (smtp|mail) service|domain is not reachable|unrouteable address|",
                r"bad destination (system|host)|no valid (host|mx)|domain (is )?(invalid|unknown)|",
                r"name or service not known|mx record"
            )),
        ),
        (
            UserUnknown,
            re(concat!(
                r"user (is )?unknown|unknown (user|recipient|local[- ]?part|address|mailbox|alias|account|e-?mail)|",
                r"no such (user|mailbox|recipient|address|account|person|local user|e-?mail)|",
                r"(user|mail ?box|recipient|address|account|e-?mail)\b.{0,60}\b(does not|doesn't|does ?n't|do not) exist|",
                r"does not exist|not exist|invalid (recipient|mail ?box|address|user|e-?mail)|",
                r"(recipient|user|address|mail ?box|account)( address)? (was )?not found|",
                r"not (a )?valid (recipient|user|mail ?box|address)|no mail ?box|",
                r"address (couldn't|could not|can't|cannot) be found|not listed in|doesn't have an? .{0,60} account|",
                r"not our (user|customer)|recipientnotfound|name is not recognized|unknown recipient|",
                r"bad destination mail ?box|\baddress rejected|recipient rejected|mailbox unavailable|",
                r"invalid .{0,20}userid|",
                r"addressee unknown|undeliverable address|not a registered|no valid recipients|",
                r"account .{0,30}not (exist|found)|unknown or illegal alias|recipient no longer|",
                r"no longer on server|not (a )?known user|user not found|invalid address|",
                r"check if (the )?address is correct|",
                r"ディレクトリのリストにありません|存在しません|宛先不明"
            )),
        ),
        (
            NetworkError,
            re(concat!(
                r"connection (refused|timed out|reset|lost|closed|dropped)|lost connection|no route to host|",
                r"network (is )?unreachable|network error|timed out|connection time ?out|",
                r"time ?out (while|during|waiting|connecting|on)|routing loop|mail loop|loop detected|",
                r"too many hops|hop count|could not connect|unable to connect|cannot connect|",
                r"establish an smtp connection|requests to connect|name service error|host name lookup failure|",
                r"(dns|lookup) (error|failure|failed)|dns query failed|try again.{0,20}dns|temporary failure in name|",
                r"connect to .{0,80}:25|host unreachable|unreachable|broken pipe|tls (handshake|negotiation)|",
                r"not responding"
            )),
        ),
    ]
});

/// Words of any refusal: a policy rejection when nothing more precise is said.
static GENERIC_POLICY: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"polic(y|ies)|access denied|not allowed|denied|prohibited|refused|\bblocked\b|",
        r"not accepting|forbidden|not permitted|rejected|administrative|banned|mismatch|",
        r"invalid ip|not authorized|unauthori[sz]ed|permission|responsible address|",
        r"not a member|no access|open relay|service unavailable|not accepted|barred|restricted"
    ))
});

/// Words that say the message expired in the sending server's queue.
static EXPIRED: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"retry time ?out|message expired|\bexpired\b|in the queue too long|too long in (the )?queue|",
        r"giving up|gave up|couldn't be delivered .{0,20}(in|for|within)|could not be delivered for|",
        r"delivery time|failing for a long time|unable to deliver in|cannot send message for|",
        r"maximum (time|age)|undeliverable for|been undeliverable|not delivered for|failed \d+ attempts|",
        r"not delivered within"
    ))
});

/// "Come back later" words: greylisting when the failure is temporary and nothing else fits.
static TRY_LATER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(try|come back|retry|please try) (again )?later|temporarily (rejected|deferred)")
});

/// A rejection given in reply to MAIL FROM (the sender), not to the recipient.
static AT_MAIL_FROM: LazyLock<Regex> =
    LazyLock::new(|| re(r"after mail from|in reply to mail from"));

/// The class a precise status code says.
fn from_specific_status(code: StatusCode) -> Option<ReasonClass> {
    use ReasonClass::*;
    Some(match (code.subject, code.detail) {
        (1, 1) | (1, 6) => UserUnknown,
        (1, 2) | (1, 10) => HostUnknown,
        (1, 7) | (1, 8) => PolicyRejection,
        (2, 1) => MailboxDisabled,
        (2, 2) => MailboxFull,
        (2, 3) | (3, 4) => MessageTooLarge,
        (4, 1) | (4, 2) | (4, 6) => NetworkError,
        (4, 4) => HostUnknown,
        (4, 7) => ExpiredInQueue,
        (6, _) => ContentRejection,
        (7, 8) | (7, 20..=24) => AuthenticationFailure,
        (7, 26) => DmarcRejection,
        (7, 25) | (7, 27) => PolicyRejection,
        _ => return None,
    })
}

/// Classify one entry: its status code, its diagnostic text and its action.
///
/// In order: a status code of `X.4.7`; the specific words of the text; `5.7.26`; a precise
/// status code; general refusal words; expiry words; any other `X.7.x` code; "try again later"
/// on a temporary failure (greylisting); a final failure with a temporary code (it expired).
/// A refusal in reply to MAIL FROM is about the sender, never about the recipient's mailbox.
/// A network error in a final bounce means the sending server gave up retrying: expired.
pub fn classify(status: Option<StatusCode>, text: &str, action: Option<&str>) -> ReasonClass {
    if status.is_some_and(|c| c.class == 2) {
        return ReasonClass::Other;
    }
    let cleaned = BOILERPLATE.replace_all(text, " ");
    let text = cleaned.as_ref();
    let class = classify_words(status, text, action);
    let is_final = action
        .is_some_and(|a| a.eq_ignore_ascii_case("failed") || a.eq_ignore_ascii_case("expired"));
    // the server could not be reached, again and again, until the sending server gave up
    if class == ReasonClass::NetworkError && is_final && CONNECT_FAILURE.is_match(text) {
        return ReasonClass::ExpiredInQueue;
    }
    class
}

/// Failures to reach a server at all (retried until the message expires), as opposed to loops
/// and DNS errors.
static CONNECT_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"timed out|time ?out|connection refused|no route to host|unable to connect|could not connect|",
        r"cannot connect|establish an smtp connection|requests to connect|network (is )?unreachable|",
        r"host unreachable|not responding"
    ))
});

fn classify_words(status: Option<StatusCode>, text: &str, action: Option<&str>) -> ReasonClass {
    use ReasonClass::*;
    if status.is_some_and(|c| c.subject == 4 && c.detail == 7) {
        return ExpiredInQueue;
    }
    let specific = SPECIFIC
        .iter()
        .find(|(_, re)| re.is_match(text))
        .map(|(class, _)| *class);
    let specific = match specific {
        Some(UserUnknown | HostUnknown | MailboxFull | MailboxDisabled)
            if AT_MAIL_FROM.is_match(text) =>
        {
            Some(PolicyRejection)
        }
        other => other,
    };
    // 5.7.26 is "multiple authentication checks failed": DMARC, unless the text names only
    // SPF or DKIM
    if status.is_some_and(|c| c.subject == 7 && c.detail == 26)
        && !matches!(specific, Some(DmarcRejection | AuthenticationFailure))
    {
        return DmarcRejection;
    }
    if let Some(class) = specific {
        return class;
    }
    if let Some(class) = status.and_then(from_specific_status) {
        // Microsoft writes 5.4.1 "Recipient address rejected: Access denied": a refusal, not
        // "no answer from host"
        if class == NetworkError && GENERIC_POLICY.is_match(text) {
            return PolicyRejection;
        }
        return class;
    }
    if GENERIC_POLICY.is_match(text) {
        return PolicyRejection;
    }
    if EXPIRED.is_match(text) {
        return ExpiredInQueue;
    }
    if status.is_some_and(|c| c.subject == 7 && c.class == 5) {
        return PolicyRejection;
    }
    if status.is_some_and(|c| c.class == 4) && TRY_LATER.is_match(text) {
        return Greylisted;
    }
    if action.is_some_and(|a| a.eq_ignore_ascii_case("failed"))
        && status.is_some_and(|c| c.class == 4)
    {
        return ExpiredInQueue;
    }
    Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(status: &str, text: &str) -> &'static str {
        classify(StatusCode::parse(status), text, Some("failed")).as_str()
    }

    #[test]
    fn text_before_code() {
        assert_eq!(
            c("5.1.1", "550 5.1.1 <a@b>... User Unknown"),
            "user-unknown"
        );
        assert_eq!(
            c(
                "5.1.1",
                "550 5.1.1 198.51.100.225 has sent to too many recipients this hour"
            ),
            "rate-limited"
        );
        assert_eq!(
            c(
                "5.7.26",
                "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy"
            ),
            "dmarc-rejection"
        );
        assert_eq!(
            c("5.7.1", "550 5.7.1 SPF check failed"),
            "authentication-failure"
        );
        assert_eq!(
            c("5.7.26", "550 5.7.26 multiple authentication checks"),
            "authentication-failure"
        );
        assert_eq!(c("5.7.26", "rejected"), "dmarc-rejection");
        assert_eq!(c("5.7.26", ""), "dmarc-rejection");
        assert_eq!(
            c("4.4.7", "mailbox full: message expired"),
            "expired-in-queue"
        );
        assert_eq!(
            c("4.0.0", "mailbox is full: retry timeout exceeded"),
            "mailbox-full"
        );
        assert_eq!(c("5.0.0", "retry timeout exceeded"), "expired-in-queue");
        assert_eq!(
            c("4.7.1", "450 4.7.1 Greylisted, see http://postgrey"),
            "greylisted"
        );
        assert_eq!(c("4.7.1", "451 4.7.1 Please try again later"), "greylisted");
        assert_eq!(c("5.7.1", "554 5.7.1 Relay access denied"), "relay-denied");
        assert_eq!(
            c("5.7.1", "554 5.7.1 client blocked using zen.spamhaus.org"),
            "spam-rejection"
        );
        assert_eq!(
            c("5.3.4", "552 5.3.4 Message too large"),
            "message-too-large"
        );
        assert_eq!(
            c(
                "5.1.8",
                "553 5.1.8 Domain of sender address x@y does not exist"
            ),
            "policy-rejection"
        );
        assert_eq!(
            c(
                "5.2.1",
                "The email account that you tried to reach is disabled"
            ),
            "mailbox-disabled"
        );
        assert_eq!(c("5.0.0", "Host or domain name not found"), "host-unknown");
        assert_eq!(
            c(
                "4.4.1",
                "connect to mx.example.org[192.0.2.1]:25: Connection refused"
            ),
            "expired-in-queue"
        );
        assert_eq!(
            classify(
                StatusCode::parse("4.4.1"),
                "connect to mx.example.org[192.0.2.1]:25: Connection refused",
                Some("delayed")
            )
            .as_str(),
            "network-error"
        );
        assert_eq!(
            c(
                "5.1.1",
                "SMTP error from remote mail server after MAIL FROM:<a@b>: 550 5.1.1 no such user"
            ),
            "policy-rejection"
        );
        assert_eq!(
            c(
                "5.7.1",
                "550-5.7.1 fails to pass authentication checks. To best protect our users from spam, the message has been blocked"
            ),
            "authentication-failure"
        );
        assert_eq!(c("5.2.2", ""), "mailbox-full");
        assert_eq!(c("5.9.9", ""), "other");
        assert_eq!(
            classify(StatusCode::parse("4.0.0"), "", Some("failed")).as_str(),
            "expired-in-queue"
        );
        assert_eq!(
            classify(StatusCode::parse("4.0.0"), "", Some("delayed")).as_str(),
            "other"
        );
    }

    #[test]
    fn names_round_trip() {
        for class in ReasonClass::ALL {
            assert_eq!(ReasonClass::from_name(class.as_str()), Some(class));
            assert!(!class.advice().is_empty());
        }
    }
}
