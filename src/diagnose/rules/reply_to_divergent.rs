use crate::auth::{AuthResult, address_domain};
use crate::declare_rule;
use crate::diagnose::rules::display_name_spoof::is_freemail;
use crate::diagnose::{Context, Evidence, Finding, Rule, Severity};
use crate::hops::host::org_family;

declare_rule! {
    /// ## What it means
    /// The `Reply-To` header sends replies to an address whose organisational domain is not the
    /// From domain's: the message says it is from `example.net`, and an answer goes to
    /// `accounts-ledger.example`.
    ///
    /// ## Why it matters
    /// Reply-To decides where the recipient's answer goes, and mail programs hardly show it. It
    /// is the heart of invoice fraud and CEO fraud: the From is a real supplier or colleague
    /// (a hijacked mailbox, or a forged From that slips through), while Reply-To quietly points
    /// at a mailbox the criminal controls, so the conversation about "new bank details" continues
    /// with them. DMARC, SPF and DKIM say nothing about Reply-To: a message can pass all three
    /// and still send the reply elsewhere. There are honest reasons too: mailing lists set
    /// Reply-To to the list, newsletters to a helpdesk on another domain. The finding is info
    /// for a mailing list or when a passing DKIM signature's domain is the Reply-To's (the signer
    /// vouches for it), and a warning otherwise; it says so when the replies go to a free
    /// mailbox provider while the From is a company domain.
    ///
    /// ## Example
    /// ```text
    /// From: Marta Jensen <marta.jensen@example.net>
    /// Reply-To: Marta Jensen <marta.jensen@accounts-ledger.example>
    /// Subject: Updated bank details for invoice 2025-0417
    /// ```
    ///
    /// ## What to do
    /// Before answering a message about money, passwords or documents, look at the address your
    /// reply goes to. Confirm changed payment details by phone, with a number you already had.
    /// Mail administrators can flag external messages whose Reply-To differs from From.
    ///
    /// ## References
    /// - RFC 5322 section 3.6.2 (originator fields: Reply-To names where replies go)
    /// - RFC 7489 section 11.4 (display name attacks: what DMARC does not cover)
    pub static RULE = {
        code: "HDR006",
        name: "reply-to-divergent",
        severity: Warning,
        summary: "replies go to a domain other than the From domain",
        check: check,
    }
}

/// The addresses (`local@domain`) written in an address header's value: the ones in angle
/// brackets when there are any, else the bare words holding an `@`. Display names, comments and
/// quoted strings are skipped. A light reading for the headers `ParsedMessage` does not decode.
pub(crate) fn header_addresses(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    // drop quoted strings and comments, which may themselves hold an address-like text
    let mut plain = String::with_capacity(value.len());
    let (mut quoted, mut depth, mut escaped) = (false, 0usize, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted || depth > 0 => escaped = true,
            '"' if depth == 0 => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if quoted || depth > 0 => {}
            _ => plain.push(c),
        }
    }
    if plain.contains('<') {
        for part in plain.split('<').skip(1) {
            let inner = part.split('>').next().unwrap_or_default().trim();
            if inner.contains('@') {
                out.push(inner.to_string());
            }
        }
    } else {
        for word in plain.split([',', ';', ' ', '\t']) {
            let word = word.trim();
            if word.contains('@') {
                out.push(word.to_string());
            }
        }
    }
    out
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(from_domain) = ctx
        .parsed
        .from
        .first()
        .and_then(|m| m.address.as_deref())
        .and_then(address_domain)
    else {
        return;
    };
    let Some(from_org) = org_family(&from_domain) else {
        return;
    };
    let mailing_list =
        ctx.parsed.first("List-Id").is_some() || ctx.parsed.first("List-Post").is_some();
    for field in ctx.parsed.fields("Reply-To") {
        let Some((address, domain, org)) = header_addresses(&field.value)
            .into_iter()
            .filter_map(|a| {
                let d = address_domain(&a)?;
                let o = org_family(&d)?;
                Some((a, d, o))
            })
            .find(|(_, _, o)| *o != from_org)
        else {
            continue;
        };
        let signed = ctx.auth.dkim.iter().any(|d| {
            d.result == AuthResult::Pass && org_family(&d.domain).as_deref() == Some(org.as_str())
        });
        let freemail = is_freemail(&domain) && !is_freemail(&from_domain);
        let why = if freemail {
            ": a free mailbox, while the From is a company domain"
        } else if mailing_list {
            ": a mailing list, which usually sends replies to the list"
        } else if signed {
            ": a passing DKIM signature of that domain vouches for it"
        } else {
            ""
        };
        let mut finding = rule.finding(
            format!("replies go to {address}, not to the From domain {from_domain}{why}"),
            None,
            vec![Evidence::at("Reply-To", &field.span, &field.value)],
        );
        if let Some(from) = ctx.parsed.first("From") {
            finding
                .evidence
                .push(Evidence::at("From", &from.span, &from.value));
        }
        if (mailing_list || signed) && !freemail {
            finding.severity = Severity::Info;
        }
        out.push(finding);
        return;
    }
}
