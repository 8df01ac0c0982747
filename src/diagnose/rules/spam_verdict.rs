use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule, Severity};
use crate::verdicts::Verdict;

declare_rule! {
    /// ## What it means
    /// A spam filter on the way wrote down what it thought of the message: Microsoft 365,
    /// SpamAssassin, rspamd, Proofpoint, Mimecast, Cisco IronPort or Barracuda. Each one adds its
    /// own headers with its own codes, for example `SCL:5;SFV:SPM;CAT:PHSH` (Microsoft),
    /// `Yes, score=7.3 required=5.0 tests=BAYES_99,...` (SpamAssassin) or
    /// `default: False [11.20 / 15.00]` plus `X-Rspamd-Action: add header` (rspamd). mailtrace
    /// decodes them and reports one finding per filtering pass: which system, on which hop,
    /// decided what. It is a warning when the verdict was spam, phishing, bulk, malware or
    /// suspicious, and information when the filter passed the message.
    ///
    /// ## Why it matters
    /// "Why did my message land in spam?" is answered here, not in SPF or DKIM alone. A filter's
    /// verdict sums up many signals: the sender's reputation, authentication (Microsoft's
    /// `compauth`), the content (Bayes, links on block lists), and bulk-mail complaints (BCL). The
    /// codes also tell the difference between a message the filter judged and one that skipped
    /// filtering (`SFV:SKN`, a whitelist), or one the recipient's own rules moved (`dest:J` with
    /// `SFV:NSPM`). Only the headers written by the recipient's side count: a verdict header
    /// written by the sender's own outbound filter (Microsoft's `-Untrusted` copies, a Proofpoint
    /// `outbound` policy) says how the sender saw it, and anybody can forge such headers below
    /// the trust boundary.
    ///
    /// ## Example
    /// ```text
    /// X-Forefront-Antispam-Report: CIP:203.0.113.66;CTRY:;LANG:en;SCL:5;SRV:;IPV:NLI;
    ///  SFV:SPM;H:mail.example.net;PTR:;CAT:PHSH;SFTY:9.25;SFS:(13230040);DIR:INB;
    /// X-Microsoft-Antispam: BCL:0;
    /// Authentication-Results: spf=fail (sender IP is 203.0.113.66) smtp.mailfrom=example.com;
    ///  dkim=none (message not signed) header.d=none;dmarc=fail action=quarantine
    ///  header.from=example.com;compauth=fail reason=000
    /// ```
    /// Microsoft 365 flagged the message as phishing (`CAT:PHSH`) with spam confidence level 5,
    /// and the From domain failed Microsoft's composite authentication: DMARC failed and the
    /// domain asks for quarantine (reason 000).
    ///
    /// ## What to do
    /// As a recipient: a phishing, spoofing or malware verdict is a reason for suspicion, not a
    /// mistake to undo. If a genuine message was filtered, report it to the filter's owner
    /// (Microsoft's "Report not junk", an administrator's release from quarantine) rather than
    /// allow-listing the sender. As a sender: read the basis. An authentication failure
    /// (`compauth=fail`, `SPF_FAIL`, `DMARC_*`) is fixed with SPF, DKIM and DMARC aligned with
    /// your From domain; a block-list hit (`RCVD_IN_*`, `URIBL_*`, `RBL_*`) with your provider
    /// or the list's delisting process; a high BCL or a bulk verdict with one-click unsubscribe,
    /// clean lists and fewer complaints. Content scores (Bayes) come from what the message says
    /// and links to.
    ///
    /// ## References
    /// - RFC 8601 (Authentication-Results; Microsoft adds `compauth` and `reason` to it)
    /// - RFC 5322 section 3.6.7 (trace fields: who added which header, top to bottom)
    /// - Microsoft: "Anti-spam message headers in Microsoft 365", "Spam confidence level (SCL)",
    ///   "Bulk complaint level (BCL)"
    /// - Apache SpamAssassin: Mail::SpamAssassin::Conf (`add_header`, `required_score`)
    /// - rspamd: "Milter headers module" and the actions in "Configuration: actions"
    pub static RULE = {
        code: "SPAM001",
        name: "spam-verdict",
        severity: Warning,
        summary: "a spam filter on the way recorded its verdict on the message",
        check: check,
    }
}

/// The hop where a verdict was added: the caller's placement, else for Microsoft 365 (which
/// writes its headers below the message's own) the first Exchange Online Protection hop, or the
/// boundary hop when that is a Microsoft server.
fn hop_of(ctx: &Context, v: &Verdict) -> Option<usize> {
    if v.hop.is_some() || v.outbound || v.vendor != "microsoft" {
        return v.hop;
    }
    let by = |i: usize| {
        ctx.chain
            .hop(i)
            .and_then(|h| h.fields.by_host.as_deref())
            .map(str::to_ascii_lowercase)
    };
    ctx.chain
        .hops
        .iter()
        .find(|h| {
            h.fields
                .by_host
                .as_deref()
                .is_some_and(|b| b.to_ascii_lowercase().ends_with(".protection.outlook.com"))
        })
        .map(|h| h.index)
        .or_else(|| {
            let b = ctx.chain.boundary.as_ref()?.hop;
            by(b)
                .filter(|host| host.ends_with(".outlook.com"))
                .map(|_| b)
        })
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for v in ctx.verdicts {
        let hop = hop_of(ctx, v);
        // a verdict header standing below the boundary was there before the recipient's
        // servers got the message: the sender's side wrote it (or forged it)
        let below_boundary = match (hop, ctx.chain.boundary.as_ref()) {
            (Some(h), Some(b)) => h < b.hop,
            _ => false,
        };
        let who = match (v.outbound, hop) {
            (true, _) => format!("the sender's own {} (outbound scan)", v.system),
            (false, Some(h)) if below_boundary => format!(
                "hop {h}'s {}, on the sender's side of the trust boundary,",
                v.system
            ),
            (false, Some(h)) => format!("hop {h}'s {}", v.system),
            (false, None) => v.system.clone(),
        };
        let what = match v.verdict.as_str() {
            "spam" => "filtered it as spam",
            "phish" => "flagged it as phishing",
            "malware" => "found malware in it",
            "bulk" => "classed it as bulk mail",
            "suspicious" => "marked it as suspicious",
            "not-spam" => "passed it as not spam",
            _ => "scanned it, but its verdict cannot be read",
        };
        let basis = if v.basis.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.basis)
        };
        let mut evidence = ctx.header_evidence(v.header_index);
        for &i in &v.related {
            evidence.extend(ctx.header_evidence(i));
        }
        if evidence.is_empty() {
            evidence.push(Evidence::note(&v.header, &v.raw));
        }
        let mut f = rule.finding(format!("{who} {what}{basis}"), hop, evidence);
        // only the recipient's own filters decide where the message lands
        if !v.is_adverse() || v.outbound || below_boundary {
            f.severity = Severity::Info;
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnose::{Finding, Severity};
    use crate::input::Source;
    use crate::options::Options;

    fn findings(text: &str) -> Vec<Finding> {
        let source = Source::from_bytes("inline", text.as_bytes().to_vec()).expect("source");
        let report = crate::analyze(&source, &Options::default()).expect("analysable");
        report
            .findings
            .into_iter()
            .filter(|f| f.name == "spam-verdict")
            .collect()
    }

    /// Sender's submission, sender's relay, the recipient's MX (the boundary, hop 3) and its
    /// mailbox server; `at_mx` stands above the MX's Received, `at_relay` above the relay's.
    fn chain(at_mx: &str, at_relay: &str) -> String {
        format!(
            "Received: from mx.example.org ([10.0.0.5])\n\
             \tby imap.example.org with LMTP id AAA000\n\
             \tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:47 +0000\n\
             {at_mx}\
             Received: from out.example.net (out.example.net [198.51.100.20])\n\
             \tby mx.example.org (Postfix) with ESMTPS id AAA111\n\
             \tfor <bob@example.org>; Tue, 11 Mar 2025 09:15:46 +0000\n\
             {at_relay}\
             Received: from relay.example.net (relay.example.net [198.51.100.10])\n\
             \tby out.example.net (Postfix) with ESMTPS id BBB222; Tue, 11 Mar 2025 09:15:44 +0000\n\
             Received: from client.example.net (client.example.net [203.0.113.9])\n\
             \tby relay.example.net (Postfix) with ESMTPSA id CCC333; Tue, 11 Mar 2025 09:15:42 +0000\n\
             From: Ann <ann@example.net>\nTo: Bob <bob@example.org>\nSubject: test\n\
             Date: Tue, 11 Mar 2025 09:15:40 +0000\nMessage-ID: <x@example.net>\n\nhello\n"
        )
    }

    #[test]
    fn spam_at_the_boundary_is_a_warning() {
        let f = findings(&chain(
            "X-Spam-Flag: YES\nX-Spam-Status: Yes, score=7.3 required=5.0 tests=BAYES_99 autolearn=no\nX-Spam-Checker-Version: SpamAssassin 4.0.1 (2024-03-25) on mx.example.org\n",
            "",
        ));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].code, "SPAM001");
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].hop, Some(3));
        assert_eq!(
            f[0].message,
            "hop 3's SpamAssassin on mx.example.org filtered it as spam (score 7.3, required 5.0)"
        );
        // the main header and both companions are the evidence
        assert_eq!(f[0].evidence.len(), 3);
        assert_eq!(f[0].evidence[0].header, "X-Spam-Status");
    }

    #[test]
    fn not_spam_is_information() {
        let f = findings(&chain(
            "X-Spamd-Result: default: False [0.40 / 15.00]; BAYES_HAM(-3.00)[99.90%]\nX-Rspamd-Action: no action\n",
            "",
        ));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(
            f[0].message,
            "hop 3's rspamd passed it as not spam (action no action, score 0.40, reject at 15.00)"
        );
    }

    #[test]
    fn a_verdict_below_the_boundary_is_the_senders_claim() {
        let f = findings(&chain(
            "",
            "X-Spam-Status: No, score=-5.0 required=5.0 tests=USER_IN_WHITELIST autolearn=no\n",
        ));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].hop, Some(2));
        assert!(
            f[0].message.starts_with(
                "hop 2's SpamAssassin, on the sender's side of the trust boundary, passed it"
            ),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn microsoft_headers_below_the_body_headers_belong_to_the_eop_hop() {
        let text = "Received: from BN0PR04CA0112.namprd04.prod.outlook.com (2603:10b6:408:ec::27)\n \
             by CH3PR12MB8460.namprd12.prod.outlook.com with HTTPS; Tue, 10 Jun 2025 08:41:19 +0000\n\
             Received: from mail.example.net (198.51.100.20) by\n \
             BN2PEPF000044A7.mail.protection.outlook.com (10.167.243.158) with Microsoft\n \
             SMTP Server id 15.20.8722.31 via Frontend Transport; Tue, 10 Jun 2025 08:41:17 +0000\n\
             From: Ann <ann@example.net>\nTo: Bob <bob@example.org>\nSubject: test\n\
             Date: Tue, 10 Jun 2025 08:41:14 +0000\nMessage-ID: <y@example.net>\n\
             X-MS-Exchange-Organization-SCL: 6\n\
             X-Forefront-Antispam-Report: CIP:198.51.100.20;CTRY:;LANG:en;SCL:6;SRV:BULK;IPV:NLI;SFV:SPM;H:mail.example.net;PTR:;CAT:BULK;SFS:(1);DIR:INB;\n\
             X-Microsoft-Antispam: BCL:8;\n\nhello\n";
        let f = findings(text);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].hop, Some(1));
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(
            f[0].message,
            "hop 1's Microsoft 365 classed it as bulk mail (SCL 6, SFV:SPM, CAT:BULK, SRV:BULK, BCL 8)"
        );
    }
}
