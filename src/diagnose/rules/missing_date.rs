use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The message has no `Date` header, or one that cannot be read as a date. `Date` is the
    /// moment the author's program finished the message and handed it over for sending; together
    /// with `From` it is one of the only two header fields every message must have.
    ///
    /// ## Why it matters
    /// Mail programs sort and show messages by `Date`; without it they fall back on the arrival
    /// time or show nothing. It is also the first point of the message's timeline: without it
    /// nobody can tell how long the message waited before its first hop. Careful senders never
    /// omit it, so a missing or garbled `Date` points at a hand-made script, a broken bulk-mail
    /// tool or spam software. Some receivers add one on arrival, which hides the problem; others
    /// score the message as spam for it.
    ///
    /// ## Example
    /// ```text
    /// From: NAS Backup <nas-backup@example.net>
    /// To: it@example.org
    /// Subject: backup finished
    /// ```
    /// No `Date:` line at all (a shell script talking SMTP), or `Date: %%DATE%%` (a template that
    /// was never filled in).
    ///
    /// ## What to do
    /// Senders: let the mail library write the header (every library can) in RFC 5322 form,
    /// `Tue, 11 Mar 2025 09:15:40 +0000`. Analysts: take the first hop's time as the best
    /// estimate of when the message was written.
    ///
    /// ## References
    /// - RFC 5322 section 3.6 (the origination date is required) and 3.6.1 (the Date field)
    /// - RFC 5322 section 3.3 (date and time syntax)
    /// - RFC 6409 section 8.2 (a submission server may add a missing Date)
    pub static RULE = {
        code: "HDR002",
        name: "missing-date",
        severity: Warning,
        summary: "the message has no readable Date header",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    match ctx.parsed.first("Date") {
        None => out.push(rule.finding(
            "the message has no Date header: nobody can tell when it was written".into(),
            None,
            vec![Evidence::note("Date", "absent")],
        )),
        Some(field) if ctx.parsed.date.is_none() => {
            let what = if field.value.trim().is_empty() {
                "the Date header is empty".to_string()
            } else {
                format!("the Date header {:?} cannot be read as a date", field.value)
            };
            out.push(rule.finding(
                format!("{what}: nobody can tell when the message was written"),
                None,
                vec![Evidence::at("Date", &field.span, &field.value)],
            ));
        }
        Some(_) => {}
    }
}
