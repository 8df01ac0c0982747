//! `mailtrace domain` as text and Markdown: one layout, two media. Every value that came from
//! DNS is escaped for its medium (terminal escapes made visible; Markdown metacharacters
//! escaped): DNS answers are written by whoever controls the zone.

use std::fmt::Write as _;

use crate::diagnose::Finding;
use crate::domain::dkim::{KeyType, Lookup, SelectorCheck, SelectorSource};
use crate::domain::mta_sts::PolicyFetch;
use crate::domain::spf::SpfNode;
use crate::domain::{DomainReport, Explained};
use crate::text::{escape_markdown, escape_terminal, plural};

/// The report as text for a terminal.
pub fn text(report: &DomainReport) -> String {
    Layout {
        esc: escape_terminal,
        markdown: false,
        out: String::new(),
    }
    .report(report)
}

/// The report as Markdown.
pub fn markdown(report: &DomainReport) -> String {
    Layout {
        esc: escape_markdown,
        markdown: true,
        out: String::new(),
    }
    .report(report)
}

struct Layout {
    esc: fn(&str) -> String,
    markdown: bool,
    out: String,
}

impl Layout {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn heading(&mut self, title: &str) {
        if self.markdown {
            let _ = writeln!(self.out, "\n## {title}\n");
        } else {
            let _ = writeln!(self.out, "\n{title}\n{}", "-".repeat(title.chars().count()));
        }
    }

    /// A list item at `depth` (0 = top).
    fn item(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{}- {text}", "  ".repeat(depth));
    }

    /// A record as written, quoted as code.
    fn record(&mut self, depth: usize, label: &str, record: &str) {
        let record = (self.esc)(record);
        if self.markdown {
            self.item(depth, &format!("{label}: `{}`", record.replace('`', "'")));
        } else {
            self.item(depth, &format!("{label}: {record}"));
        }
    }

    fn explained(&mut self, depth: usize, terms: &[Explained]) {
        for t in terms {
            let text = (self.esc)(&t.text);
            let text = if self.markdown {
                format!("`{}`", text.replace('`', "'"))
            } else {
                text
            };
            self.item(depth, &format!("{text}: {}", (self.esc)(&t.meaning)));
        }
    }

    fn report(mut self, r: &DomainReport) -> String {
        let domain = (self.esc)(&r.domain);
        if self.markdown {
            let _ = writeln!(self.out, "# Mail setup of {domain}");
        } else {
            let _ = writeln!(
                self.out,
                "Mail setup of {domain}\n{}",
                "=".repeat(domain.chars().count() + 14)
            );
        }
        let errors = r
            .findings
            .iter()
            .filter(|f| f.severity.as_str() == "error")
            .count();
        let warnings = r
            .findings
            .iter()
            .filter(|f| f.severity.as_str() == "warning")
            .count();
        self.line(&format!(
            "{} finding{}: {errors} error{}, {warnings} warning{}.",
            r.findings.len(),
            plural(r.findings.len()),
            plural(errors),
            plural(warnings)
        ));
        self.mx(r);
        self.spf(r);
        self.dmarc(r);
        self.dkim(&r.dkim);
        self.policies(r);
        self.findings(&r.findings);
        self.heading("DNS answers used");
        let zone = r
            .dns
            .iter()
            .filter(|d| matches!(d.source, crate::auth::dns::AnswerSource::Zone(_)))
            .count();
        let live = r
            .dns
            .iter()
            .filter(|d| matches!(d.source, crate::auth::dns::AnswerSource::Live(_)))
            .count();
        let missing = r.dns.len() - zone - live;
        self.line(&format!(
            "{} lookups: {zone} from zone files, {live} from live DNS, {missing} other (offline or given). The JSON output lists each one.",
            r.dns.len()
        ));
        self.out
    }

    fn mx(&mut self, r: &DomainReport) {
        self.heading("MX: where its mail goes");
        let mx = &r.mx;
        if let Some(e) = &mx.error {
            self.item(0, &format!("lookup failed: {}", (self.esc)(e)));
        }
        if mx.null_mx {
            self.item(
                0,
                "null MX (`0 .`): this domain says it accepts no mail (RFC 7505)",
            );
        }
        if mx.implicit {
            self.item(
                0,
                "no MX record: senders use the domain's own address (implicit MX, RFC 5321 5.1)",
            );
        }
        for x in &mx.exchangers {
            let addresses: Vec<String> = x.addresses().iter().map(|a| a.to_string()).collect();
            let addresses = if addresses.is_empty() {
                "no address".to_string()
            } else {
                addresses.join(", ")
            };
            self.item(
                0,
                &format!(
                    "preference {}: {} ({addresses})",
                    x.preference,
                    (self.esc)(&x.host)
                ),
            );
        }
        if !mx.delivery.is_empty() {
            let text = (self.esc)(&mx.delivery);
            self.line("");
            self.line(&text);
        }
    }

    fn spf(&mut self, r: &DomainReport) {
        self.heading("SPF: who may send as this domain");
        let spf = &r.spf;
        if spf.records.is_empty() {
            self.item(0, "no SPF record");
        }
        if spf.records.len() > 1 {
            self.item(
                0,
                &format!("{} SPF records (there must be one)", spf.records.len()),
            );
        }
        if let Some(e) = &spf.error {
            self.item(0, &format!("problem: {}", (self.esc)(e)));
        }
        if let Some(tree) = &spf.tree {
            self.spf_node(0, tree);
        }
        if spf.tree.is_some() {
            self.item(
                0,
                &format!(
                    "DNS-querying terms: {} of at most {}{}; void lookups: {} of at most {}",
                    spf.dns_lookups,
                    spf.dns_lookup_limit,
                    if spf.dns_lookups_incomplete {
                        " (counting stopped early)"
                    } else {
                        ""
                    },
                    spf.void_lookups,
                    spf.void_lookup_limit
                ),
            );
        }
        if let Some(all) = &spf.all {
            let everyone = spf.default_result.map(|a| a.as_str()).unwrap_or("?");
            self.item(
                0,
                &format!("everyone else: {everyone} ({})", (self.esc)(all)),
            );
        }
    }

    fn spf_node(&mut self, depth: usize, node: &SpfNode) {
        let how = match node.term.as_deref() {
            Some(term) => format!("{} ", (self.esc)(term)),
            None => String::new(),
        };
        match (&node.record, &node.error) {
            (Some(record), _) => self.record(
                depth,
                &format!(
                    "{how}{} ({} lookup{})",
                    (self.esc)(&node.domain),
                    node.lookups,
                    plural(node.lookups as usize)
                ),
                record,
            ),
            (None, Some(e)) => self.item(
                depth,
                &format!("{how}{}: {}", (self.esc)(&node.domain), (self.esc)(e)),
            ),
            (None, None) => self.item(depth, &format!("{how}{}", (self.esc)(&node.domain))),
        }
        self.explained(depth + 1, &node.explained);
        for child in &node.children {
            self.spf_node(depth + 1, child);
        }
    }

    fn dmarc(&mut self, r: &DomainReport) {
        self.heading("DMARC: what receivers do when a message fails");
        let d = &r.dmarc;
        match (&d.record, &d.record_domain) {
            (Some(record), Some(at)) => {
                let label = if d.inherited {
                    format!(
                        "_dmarc.{} (the organisational domain's record applies)",
                        (self.esc)(at)
                    )
                } else {
                    format!("_dmarc.{}", (self.esc)(at))
                };
                self.record(0, &label, record);
            }
            _ => self.item(0, "no DMARC record"),
        }
        if let Some(e) = &d.error {
            self.item(0, &format!("problem: {}", (self.esc)(e)));
        }
        self.explained(1, &d.explained);
        if !d.summary.is_empty() {
            let text = (self.esc)(&d.summary);
            self.line("");
            self.line(&text);
        }
    }

    fn dkim(&mut self, checks: &[SelectorCheck]) {
        self.heading("DKIM: public keys at the selectors");
        if checks.is_empty() {
            self.line("No selector given. DKIM keys live at SELECTOR._domainkey.DOMAIN and the selector is only known from a signed message: use --selector (from a DKIM-Signature's s=) or --probe-selectors.");
            return;
        }
        let probed_missing = checks
            .iter()
            .filter(|c| c.source == SelectorSource::Probed && matches!(c.lookup, Lookup::NotFound))
            .count();
        for c in checks {
            if c.source == SelectorSource::Probed && matches!(c.lookup, Lookup::NotFound) {
                continue;
            }
            let name = (self.esc)(&c.name);
            let what = match &c.lookup {
                Lookup::Found => {
                    let kind = match &c.key_type {
                        Some(KeyType::Unknown(k)) => format!("unknown type {}", (self.esc)(k)),
                        Some(known) => known.as_str().to_string(),
                        None => "key".to_string(),
                    };
                    let mut parts = vec![kind];
                    if let Some(bits) = c.bits {
                        parts.push(format!("{bits} bits"));
                    }
                    if c.revoked {
                        parts.push("revoked (empty p=)".into());
                    }
                    if c.testing {
                        parts.push("testing (t=y)".into());
                    }
                    if let Some(p) = &c.problem {
                        parts.push((self.esc)(p));
                    }
                    parts.join(", ")
                }
                Lookup::NotFound => "not found".to_string(),
                Lookup::Failed(why) => format!("lookup failed: {}", (self.esc)(why)),
                Lookup::NotLooked => "not looked up".to_string(),
            };
            let source = match c.source {
                SelectorSource::Given => "given",
                SelectorSource::Probed => "probed",
            };
            self.item(0, &format!("{name} ({source}): {what}"));
            self.explained(1, &c.explained);
        }
        if probed_missing > 0 {
            self.item(
                0,
                &format!(
                    "{probed_missing} common selector{} probed and not found",
                    plural(probed_missing)
                ),
            );
        }
    }

    fn policies(&mut self, r: &DomainReport) {
        self.heading("MTA-STS, TLS-RPT and BIMI");
        let m = &r.mta_sts;
        match &m.record {
            Some(record) => self.record(0, &format!("MTA-STS {}", (self.esc)(&m.name)), record),
            None => self.item(0, &format!("MTA-STS: no record at {}", (self.esc)(&m.name))),
        }
        self.explained(1, &m.explained);
        match &m.policy_fetch {
            PolicyFetch::NoRecord => {}
            PolicyFetch::NotFetched(why) => self.item(1, &format!("policy: {}", (self.esc)(why))),
            PolicyFetch::Failed(why) => self.item(
                1,
                &format!("policy could not be fetched: {}", (self.esc)(why)),
            ),
            PolicyFetch::Fetched => {
                if let Some(p) = &m.policy {
                    self.item(1, &format!("policy from {}", (self.esc)(&m.policy_url)));
                    self.explained(2, &p.explained);
                }
            }
        }
        let t = &r.tls_rpt;
        match &t.record {
            Some(record) => self.record(0, &format!("TLS-RPT {}", (self.esc)(&t.name)), record),
            None => self.item(0, &format!("TLS-RPT: no record at {}", (self.esc)(&t.name))),
        }
        self.explained(1, &t.explained);
        let b = &r.bimi;
        match &b.record {
            Some(record) => self.record(0, &format!("BIMI {}", (self.esc)(&b.name)), record),
            None => self.item(0, &format!("BIMI: no record at {}", (self.esc)(&b.name))),
        }
        self.explained(1, &b.explained);
    }

    fn findings(&mut self, findings: &[Finding]) {
        self.heading("Findings");
        if findings.is_empty() {
            self.line("None.");
            return;
        }
        for f in findings {
            self.item(
                0,
                &format!(
                    "{} {} {}: {}",
                    f.severity.as_str().to_uppercase(),
                    f.code,
                    f.name,
                    (self.esc)(&f.message)
                ),
            );
            for e in f.evidence.iter().take(3) {
                let label = (self.esc)(&e.header);
                self.record(1, &label, &e.excerpt);
            }
        }
        self.line("");
        self.line("Each finding has a teaching page: mailtrace explain CODE");
    }
}
