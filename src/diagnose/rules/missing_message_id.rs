use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The message has no `Message-ID` header, or its value is not a message identifier
    /// (`<left@right>`: angle brackets around two parts joined by `@`). The Message-ID is the
    /// message's unique name, chosen once by the program that created it.
    ///
    /// ## Why it matters
    /// Replies point at it (`In-Reply-To`, `References`), so threads fall apart without it; mail
    /// programs and archives use it to spot duplicates; and receivers use it to find one message
    /// in their logs. Every ordinary mail program writes one, so a message without it was made by
    /// a script, a broken tool or spam software. Large mailbox providers require it from bulk
    /// senders and may reject or junk messages that lack it. A submission server may add one on
    /// the way, so its absence on arrival says the sender's software and servers both skipped it.
    ///
    /// ## Example
    /// ```text
    /// From: NAS Backup <nas-backup@example.net>
    /// Subject: backup finished
    /// ```
    /// No `Message-ID:` line; or `Message-ID: 1741684540` (no `@`, no angle brackets).
    ///
    /// ## What to do
    /// Senders: let the mail library generate it (`<unique-part@your.domain>`), or have the
    /// submission server add missing ones (Postfix: `always_add_missing_headers = yes`). To find
    /// this message in a server's logs, search by time and queue id (the `id` in its Received line).
    ///
    /// ## References
    /// - RFC 5322 section 3.6.4 (identification fields: every message SHOULD have a Message-ID)
    /// - RFC 6409 section 8.3 (a submission server may add a missing Message-ID)
    pub static RULE = {
        code: "HDR003",
        name: "missing-message-id",
        severity: Warning,
        summary: "the message has no valid Message-ID header",
        check: check,
    }
}

/// True for `<left@right>` with both parts non-empty (angle brackets optional: many programs
/// drop them and readers accept it).
fn valid_id(value: &str) -> bool {
    let v = value.trim();
    let v = v
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(v)
        .trim();
    match v.rsplit_once('@') {
        Some((left, right)) => {
            !left.is_empty()
                && !right.is_empty()
                && !v.contains(char::is_whitespace)
                && !v.contains(['<', '>'])
        }
        None => false,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    match ctx.parsed.first("Message-ID") {
        None => out.push(rule.finding(
            "the message has no Message-ID header: replies cannot thread on it and logs cannot be searched for it".into(),
            None,
            vec![Evidence::note("Message-ID", "absent")],
        )),
        Some(field) if !valid_id(&field.value) => out.push(rule.finding(
            format!(
                "the Message-ID {:?} is not of the form <left@right>",
                field.value
            ),
            None,
            vec![Evidence::at(&field.name, &field.span, &field.value)],
        )),
        Some(_) => {}
    }
}
