//! A domain's SPF policy read and explained: its record term by term, the tree of includes and
//! redirects, the DNS lookups it costs against RFC 7208's limits, and the classic mistakes as
//! findings.
//!
//! The record grammar is [`crate::auth::spf`]'s (one parser for evaluation and explanation).
//! This module evaluates no sender: it follows every include and redirect that a receiver
//! might follow, so its lookup count is the worst case (RFC 7208 4.6.4). Terms whose target is
//! a macro (`exists:%{i}._spf.%{d}`) depend on the message and are counted, not followed. It
//! reads no clock and opens no socket but through [`Dns`].

use serde::Serialize;

use crate::auth::AuthResult;
use crate::auth::dns::{Answer, Dns, RecordType};
use crate::auth::spf::{
    Directive, MAX_DNS_TERMS, MAX_VOID_LOOKUPS, MacroString, Mechanism, Qualifier, Term, Token,
    failure_note, is_spf_record, parse_record, parse_term, target_name,
};
use crate::diagnose::{Evidence, Finding, Rule};
use crate::domain::rules::records::{
    record_lookup_failed, spf_include_broken, spf_multiple_records, spf_neutral_all, spf_no_all,
    spf_pass_all, spf_ptr_used, spf_record_missing, spf_syntax_error, spf_too_many_lookups,
    spf_too_many_void_lookups,
};
use crate::domain::{Explained, push};

/// Past this many DNS-querying terms nothing more is looked up: includes and redirects are no
/// longer followed and `a`, `mx` and `exists` terms are counted without a query (a hostile or
/// broken policy could otherwise fan out without end, or cost one query per term of a huge
/// record); the count is then a lower bound.
const FOLLOW_CAP: u32 = 50;

/// At most this many findings name a term of one record; the rest are summed up in one more
/// finding ("... and N more"), so that a record of thousands of bad terms gives a short report.
const FINDINGS_PER_RECORD: usize = 10;

/// The SPF setup of a domain.
#[derive(Debug, Clone, Serialize)]
pub struct SpfSetup {
    /// The TXT records at the domain that start with `v=spf1`: none, one, or several (several
    /// is a permerror at every receiver).
    pub records: Vec<String>,
    /// The policy as a tree: the domain's record explained term by term, with its includes and
    /// redirect expanded below it. None unless the domain has exactly one SPF record.
    pub tree: Option<SpfNode>,
    /// DNS-querying terms (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) over the whole
    /// tree: the worst case a receiver meets (RFC 7208 4.6.4).
    pub dns_lookups: u32,
    /// The limit on `dns_lookups`: 10. Past it receivers return permerror.
    pub dns_lookup_limit: u32,
    /// The tree was not followed to the end (over 50 lookups): `dns_lookups` is a lower bound.
    pub dns_lookups_incomplete: bool,
    /// Lookups of those terms that returned NXDOMAIN or no records.
    pub void_lookups: u32,
    /// The limit on `void_lookups`: 2. Past it receivers return permerror.
    pub void_lookup_limit: u32,
    /// The `all` term that decides for servers the policy does not list, as written (`-all`,
    /// `~all`), found in the record or through its redirect; None when there is none.
    pub all: Option<String>,
    /// The SPF result for a server the policy does not list: fail (`-all`), softfail (`~all`),
    /// neutral (`?all`, or no `all` and no redirect), pass (`+all`), permerror (a redirect
    /// that leads nowhere), temperror (a DNS failure on the way). None without a record.
    pub default_result: Option<AuthResult>,
    /// Why there is no tree: no SPF record, several, the domain does not exist, or the DNS
    /// failure (one line). None when there is a tree.
    pub error: Option<String>,
}

impl Default for SpfSetup {
    fn default() -> Self {
        SpfSetup {
            records: Vec::new(),
            tree: None,
            dns_lookups: 0,
            dns_lookup_limit: MAX_DNS_TERMS,
            dns_lookups_incomplete: false,
            void_lookups: 0,
            void_lookup_limit: MAX_VOID_LOOKUPS,
            all: None,
            default_result: None,
            error: None,
        }
    }
}

/// How a record of the tree was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpfLink {
    /// The domain's own record (the root).
    Domain,
    /// An `include:` mechanism.
    Include,
    /// A `redirect=` modifier.
    Redirect,
}

/// One SPF record of the tree: the domain's own, or one reached by include or redirect.
#[derive(Debug, Clone, Serialize)]
pub struct SpfNode {
    /// How it was reached.
    pub via: SpfLink,
    /// The term that led here, as written (`include:_spf.example.net`,
    /// `redirect=_spf.example.com`); None for the root.
    pub term: Option<String>,
    /// The domain whose record this is.
    pub domain: String,
    /// Its SPF record; None when there is none usable (see `error`).
    pub record: Option<String>,
    /// Why there is no usable record here: the name does not exist, no SPF record, several,
    /// a loop, a DNS failure, or not followed (the lookup count ran far over the limit).
    pub error: Option<String>,
    /// The record explained term by term, `v=spf1` first, in the order written.
    pub explained: Vec<Explained>,
    /// DNS-querying terms in this record itself (its children count their own).
    pub lookups: u32,
    /// Void lookups of this record's own terms.
    pub void_lookups: u32,
    /// Which of this record's terms were void, and why (`a:old.example.com: NXDOMAIN`).
    pub void_terms: Vec<String>,
    /// The records its includes and redirect lead to, in the order written (the redirect last).
    pub children: Vec<SpfNode>,
}

impl SpfNode {
    fn new(via: SpfLink, term: Option<String>, domain: &str) -> SpfNode {
        SpfNode {
            via,
            term,
            domain: domain.to_string(),
            record: None,
            error: None,
            explained: Vec::new(),
            lookups: 0,
            void_lookups: 0,
            void_terms: Vec::new(),
            children: Vec::new(),
        }
    }
}

/// Read and explain the SPF policy of `domain`.
pub fn check(domain: &str, dns: &Dns, findings: &mut Vec<Finding>) -> SpfSetup {
    let mut setup = SpfSetup::default();
    let evidence = |text: &str| vec![Evidence::note(&format!("TXT {domain}"), text)];
    let texts = match dns.txt(domain) {
        Answer::Records(r) => r,
        Answer::NxDomain => {
            setup.error = Some(format!("{domain} does not exist (NXDOMAIN)"));
            push(
                findings,
                &spf_record_missing::RULE,
                format!("{domain} does not exist, so it has no SPF record"),
                evidence("NXDOMAIN"),
            );
            return setup;
        }
        Answer::NoData => Vec::new(),
        Answer::Failed(f) => {
            let note = failure_note(&f, domain, RecordType::Txt);
            push(
                findings,
                &record_lookup_failed::RULE,
                format!("the SPF record could not be looked up ({note})"),
                evidence(&note),
            );
            setup.error = Some(note);
            return setup;
        }
    };
    setup.records = texts.into_iter().filter(|t| is_spf_record(t)).collect();
    match setup.records.len() {
        0 => {
            setup.error = Some(format!("no SPF record at {domain}"));
            push(
                findings,
                &spf_record_missing::RULE,
                format!("{domain} publishes no SPF record: receivers get spf=none"),
                evidence("no TXT record starting with v=spf1"),
            );
            return setup;
        }
        1 => {}
        n => {
            setup.error = Some(format!("{n} SPF records at {domain}: permerror"));
            findings.push(
                spf_multiple_records::RULE.finding(
                    format!("{domain} publishes {n} SPF records: receivers return permerror"),
                    None,
                    setup
                        .records
                        .iter()
                        .map(|r| Evidence::note(&format!("TXT {domain}"), r))
                        .collect(),
                ),
            );
            return setup;
        }
    }
    let mut walker = Walker {
        dns,
        findings,
        lookups: 0,
        voids: 0,
        incomplete: false,
        stack: Vec::new(),
        shown: Vec::new(),
    };
    let (root, ending) = walker.node(domain, SpfLink::Domain, None);
    setup.dns_lookups = walker.lookups;
    setup.void_lookups = walker.voids;
    setup.dns_lookups_incomplete = walker.incomplete;
    let (lookups, voids, incomplete) = (walker.lookups, walker.voids, walker.incomplete);
    let root_record = root.record.clone().unwrap_or_default();
    match &ending {
        Ending::All(text, q, at) => {
            setup.all = Some(text.clone());
            setup.default_result = Some(q.result());
            if *q == Qualifier::Neutral {
                push(
                    findings,
                    &spf_neutral_all::RULE,
                    format!(
                        "`{text}`{}: servers not listed get neutral, which is no statement",
                        where_(at, domain)
                    ),
                    vec![Evidence::note(&format!("TXT {at}"), &root_record)],
                );
            }
        }
        Ending::Default(at) => {
            setup.default_result = Some(AuthResult::Neutral);
            push(
                findings,
                &spf_no_all::RULE,
                format!(
                    "the SPF policy{} has no `all` and no redirect: servers not listed get neutral",
                    where_(at, domain)
                ),
                vec![Evidence::note(&format!("TXT {at}"), &root_record)],
            );
        }
        Ending::Broken(result) => setup.default_result = Some(*result),
        Ending::Unknown => {}
    }
    if lookups > MAX_DNS_TERMS {
        push(
            findings,
            &spf_too_many_lookups::RULE,
            format!(
                "the SPF policy needs {}{lookups} DNS lookups (limit {MAX_DNS_TERMS}): receivers \
                 return permerror",
                if incomplete { "at least " } else { "" }
            ),
            evidence(&root_record),
        );
    }
    if voids > MAX_VOID_LOOKUPS {
        push(
            findings,
            &spf_too_many_void_lookups::RULE,
            format!(
                "{voids} SPF lookups return no answer (limit {MAX_VOID_LOOKUPS}): receivers \
                 return permerror"
            ),
            evidence(&root_record),
        );
    }
    setup.tree = Some(root);
    setup
}

/// What decides for the servers a record (with its redirects) does not list.
enum Ending {
    /// An `all` term: as written, its qualifier, and the domain whose record has it.
    All(String, Qualifier, String),
    /// No `all` and no redirect (neutral), at this domain.
    Default(String),
    /// The record or a redirect target is unusable.
    Broken(AuthResult),
    /// A redirect to a name built from each message: not known here.
    Unknown,
}

struct Walker<'a> {
    dns: &'a Dns,
    findings: &'a mut Vec<Finding>,
    lookups: u32,
    voids: u32,
    incomplete: bool,
    /// The domains being expanded (to see a loop).
    stack: Vec<String>,
    /// For each record of `stack`, its findings so far: how many were pushed, and those held
    /// back past [`FINDINGS_PER_RECORD`] (how many, and the worst).
    shown: Vec<(usize, usize, Option<Finding>)>,
}

impl Walker<'_> {
    /// The record of `domain`, explained, with its includes and redirect expanded.
    fn node(&mut self, domain: &str, via: SpfLink, term: Option<&str>) -> (SpfNode, Ending) {
        let mut node = SpfNode::new(via, term.map(str::to_string), domain);
        let what = match term {
            Some(t) => format!("`{t}`"),
            None => domain.to_string(),
        };
        let txt = match self.dns.txt(domain) {
            Answer::Records(r) => r,
            Answer::NxDomain => {
                node.error = Some(format!("{domain} does not exist (NXDOMAIN)"));
                self.push(
                    &spf_include_broken::RULE,
                    format!("{what} names {domain}, which does not exist: permerror"),
                    domain,
                    "NXDOMAIN",
                );
                return (node, Ending::Broken(AuthResult::Permerror));
            }
            Answer::NoData => Vec::new(),
            Answer::Failed(f) => {
                let note = failure_note(&f, domain, RecordType::Txt);
                self.push(
                    &record_lookup_failed::RULE,
                    format!("the SPF record for {what} could not be looked up ({note})"),
                    domain,
                    &note,
                );
                node.error = Some(note);
                return (node, Ending::Broken(AuthResult::Temperror));
            }
        };
        let spf: Vec<&String> = txt.iter().filter(|t| is_spf_record(t)).collect();
        let text = match spf.as_slice() {
            [one] => (*one).clone(),
            [] => {
                node.error = Some(format!("no SPF record at {domain}"));
                self.push(
                    &spf_include_broken::RULE,
                    format!("{what} names {domain}, which has no SPF record: permerror"),
                    domain,
                    "no TXT record starting with v=spf1",
                );
                return (node, Ending::Broken(AuthResult::Permerror));
            }
            many => {
                node.error = Some(format!("{} SPF records at {domain}: permerror", many.len()));
                self.findings.push(spf_multiple_records::RULE.finding(
                    format!(
                        "{domain} (reached by {what}) publishes {} SPF records: receivers return \
                         permerror",
                        many.len()
                    ),
                    None,
                    many.iter()
                        .map(|r| Evidence::note(&format!("TXT {domain}"), r))
                        .collect(),
                ));
                return (node, Ending::Broken(AuthResult::Permerror));
            }
        };
        node.record = Some(text.clone());
        self.stack.push(domain.to_string());
        self.shown.push((0, 0, None));
        let ending = self.terms(&mut node, &text);
        self.stack.pop();
        if let Some((_, more, Some(mut worst))) = self.shown.pop() {
            worst.message = format!(
                "... and {more} more problem{} in the SPF record of {domain}, not listed one by                  one (the worst: {})",
                if more == 1 { "" } else { "s" },
                worst.message
            );
            self.findings.push(worst);
        }
        (node, ending)
    }

    /// Explain the terms of `text` into `node`, counting and following them.
    fn terms(&mut self, node: &mut SpfNode, text: &str) -> Ending {
        let domain = node.domain.clone();
        node.explained.push(Explained {
            text: text.get(..6).unwrap_or("v=spf1").to_string(),
            meaning: "this TXT record is an SPF policy, version 1 (RFC 7208)".into(),
        });
        let mut syntax_errors = 0;
        let mut all: Option<(String, Qualifier)> = None;
        let mut redirect: Option<(String, &MacroString)> = None;
        let mut ptr_terms = Vec::new();
        let parsed: Vec<(&str, Result<Term, String>)> = text
            .get(6..)
            .unwrap_or_default()
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(|t| (t, parse_term(t)))
            .collect();
        for (term, result) in &parsed {
            let meaning = match result {
                Err(e) => {
                    syntax_errors += 1;
                    self.push(
                        &spf_syntax_error::RULE,
                        format!("the SPF record of {domain} has a syntax error: {e}"),
                        &domain,
                        text,
                    );
                    format!("syntax error ({e}): receivers return permerror for the whole record")
                }
                Ok(Term::Directive(_)) if all.is_some() => format!(
                    "never evaluated: evaluation stops at `{}`, which matches every sender",
                    all.as_ref().map_or("all", |(t, _)| t.as_str())
                ),
                Ok(Term::Directive(d)) => {
                    if let Mechanism::All = d.mechanism {
                        all = Some((d.text.clone(), d.qualifier));
                        if d.qualifier == Qualifier::Pass {
                            self.push(
                                &spf_pass_all::RULE,
                                format!(
                                    "`{}` in the SPF record of {domain}: any server in the world \
                                     passes",
                                    d.text
                                ),
                                &domain,
                                text,
                            );
                        }
                    }
                    if let Mechanism::Ptr(_) = d.mechanism {
                        ptr_terms.push(d.text.clone());
                    }
                    self.directive(node, d)
                }
                Ok(Term::Redirect(target)) => {
                    redirect = Some(((*term).to_string(), target));
                    String::new()
                }
                Ok(Term::Exp(target)) => format!(
                    "when SPF fails, receivers may show the text of the TXT record at {} as the \
                     explanation (no lookup is counted)",
                    spec_words(target, term)
                ),
                Ok(Term::Unknown) => "an unknown modifier: receivers ignore it".to_string(),
            };
            node.explained.push(Explained {
                text: (*term).to_string(),
                meaning,
            });
        }
        if syntax_errors == 0
            && let Err(e) = parse_record(text)
        {
            self.push(
                &spf_syntax_error::RULE,
                format!("the SPF record of {domain} has a syntax error: {e}"),
                &domain,
                text,
            );
            syntax_errors += 1;
        }
        if !ptr_terms.is_empty() {
            self.push(
                &spf_ptr_used::RULE,
                format!(
                    "the SPF record of {domain} uses {}: RFC 7208 5.5 says not to",
                    ptr_terms
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                &domain,
                text,
            );
        }
        // the redirect: explained where it is written, followed after the mechanisms
        let ending = match (&all, redirect) {
            (Some((t, q)), Some((term, _))) => {
                explain_at(
                    node,
                    &term,
                    format!("ignored: the record has `{t}`, which decides before any redirect"),
                );
                Ending::All(t.clone(), *q, domain.clone())
            }
            (Some((t, q)), None) => Ending::All(t.clone(), *q, domain.clone()),
            (None, Some((term, target))) => {
                self.count(node);
                match literal(target) {
                    None => {
                        explain_at(
                            node,
                            &term,
                            format!(
                                "if nothing above matched, use the SPF policy of {} instead (a name \
                             built from each message: not followed here)",
                                spec_words(target, &term)
                            ),
                        );
                        Ending::Unknown
                    }
                    Some(name) => {
                        explain_at(
                            node,
                            &term,
                            format!(
                                "if nothing above matched, use the SPF policy of {name} instead: its \
                             result is this domain's result"
                            ),
                        );
                        let (child, ending) = self.follow(&name, SpfLink::Redirect, &term);
                        node.children.push(child);
                        ending
                    }
                }
            }
            (None, None) => Ending::Default(domain.clone()),
        };
        if syntax_errors > 0 {
            Ending::Broken(AuthResult::Permerror)
        } else {
            ending
        }
    }

    /// One mechanism: its meaning, its lookup and void lookup, and an include followed.
    fn directive(&mut self, node: &mut SpfNode, d: &Directive) -> String {
        let domain = node.domain.clone();
        let outcome = outcome(d.qualifier);
        match &d.mechanism {
            Mechanism::All => match d.qualifier {
                Qualifier::Pass => "pass for everyone else: any server in the world may send as \
                                    this domain (this makes SPF worthless)"
                    .into(),
                Qualifier::Fail => "fail for everyone else: mail from any server not listed \
                                    before fails SPF, and receivers may reject it"
                    .into(),
                Qualifier::SoftFail => "softfail for everyone else: mail from servers not listed \
                                        is suspicious; usually accepted but marked"
                    .into(),
                Qualifier::Neutral => "neutral for everyone else: no statement about servers \
                                       not listed (the same as no SPF for them)"
                    .into(),
            },
            Mechanism::Ip4(addr, len) => {
                let who = if *len == 32 {
                    format!("the server at {addr}")
                } else {
                    format!(
                        "servers in {addr}/{len} ({} addresses)",
                        1u64 << (32 - u32::from(*len))
                    )
                };
                format!("{who}: {outcome}")
            }
            Mechanism::Ip6(addr, len) => {
                let who = if *len == 128 {
                    format!("the server at {addr}")
                } else {
                    format!("servers in the IPv6 network {addr}/{len}")
                };
                format!("{who}: {outcome}")
            }
            Mechanism::A {
                domain: spec,
                cidr4,
                cidr6,
            } => {
                self.count(node);
                let (name, words) = self.target_of(spec.as_ref(), &domain, &d.text);
                if let Some(name) = name {
                    self.void_check(node, &d.text, &name, &[RecordType::A, RecordType::Aaaa]);
                }
                format!(
                    "servers at the addresses of {words} (its A and AAAA records){}: {outcome}",
                    widened(*cidr4, *cidr6)
                )
            }
            Mechanism::Mx {
                domain: spec,
                cidr4,
                cidr6,
            } => {
                self.count(node);
                let (name, words) = self.target_of(spec.as_ref(), &domain, &d.text);
                if let Some(name) = name {
                    self.void_check(node, &d.text, &name, &[RecordType::Mx]);
                }
                format!(
                    "the mail exchangers of {words} (the addresses of its MX hosts){}: {outcome}",
                    widened(*cidr4, *cidr6)
                )
            }
            Mechanism::Ptr(spec) => {
                self.count(node);
                let (_, words) = self.target_of(spec.as_ref(), &domain, &d.text);
                format!(
                    "servers whose reverse DNS name is {words} or ends in .{words}: {outcome} \
                     (slow and unreliable: RFC 7208 5.5 says not to use it)"
                )
            }
            Mechanism::Exists(spec) => {
                self.count(node);
                let (name, words) = self.target_of(Some(spec), &domain, &d.text);
                if let Some(name) = name {
                    self.void_check(node, &d.text, &name, &[RecordType::A]);
                }
                format!("any server, when {words} has an A record: {outcome}")
            }
            Mechanism::Include(spec) => {
                self.count(node);
                let words = spec_words(spec, &d.text);
                let meaning = match d.qualifier {
                    Qualifier::Pass => format!(
                        "also allow whoever {words}'s SPF policy allows (a pass there is a pass \
                         here; anything else there moves on to the next term)"
                    ),
                    _ => format!("whoever {words}'s SPF policy allows: {outcome}"),
                };
                match literal(spec) {
                    Some(name) => {
                        let (child, _) = self.follow(&name, SpfLink::Include, &d.text);
                        node.children.push(child);
                        meaning
                    }
                    None => format!("{meaning} (a name built from each message: not followed)"),
                }
            }
        }
    }

    /// Follow an include or redirect to `name`, unless it loops or the count ran away.
    fn follow(&mut self, name: &str, via: SpfLink, term: &str) -> (SpfNode, Ending) {
        if self.stack.iter().any(|d| d == name) {
            let mut node = SpfNode::new(via, Some(term.to_string()), name);
            node.error = Some(format!(
                "loop: {name} is already being evaluated (receivers return permerror)"
            ));
            let from = self.stack.last().cloned().unwrap_or_default();
            self.push(
                &spf_include_broken::RULE,
                format!("`{term}` in the SPF record of {from} loops back to {name}: permerror"),
                &from,
                term,
            );
            return (node, Ending::Broken(AuthResult::Permerror));
        }
        if self.lookups > FOLLOW_CAP {
            self.incomplete = true;
            let mut node = SpfNode::new(via, Some(term.to_string()), name);
            node.error = Some(format!(
                "not followed: the policy already needs more than {FOLLOW_CAP} lookups"
            ));
            return (node, Ending::Broken(AuthResult::Permerror));
        }
        self.node(name, via, Some(term))
    }

    fn count(&mut self, node: &mut SpfNode) {
        self.lookups += 1;
        node.lookups += 1;
    }

    /// The target name of `a`, `mx`, `ptr` or `exists` (None when built from the message) and
    /// its words.
    fn target_of(
        &self,
        spec: Option<&MacroString>,
        domain: &str,
        term: &str,
    ) -> (Option<String>, String) {
        match spec {
            None => (Some(domain.to_string()), domain.to_string()),
            Some(spec) => (literal(spec), spec_words(spec, term)),
        }
    }

    /// Query `name` for each type; a void lookup when none has a record, a finding when one
    /// failed.
    /// Past [`FOLLOW_CAP`] lookups nothing is queried: the term is only counted.
    fn void_check(&mut self, node: &mut SpfNode, term: &str, name: &str, types: &[RecordType]) {
        if self.lookups > FOLLOW_CAP {
            self.incomplete = true;
            return;
        }
        let mut why = None;
        for rtype in types {
            match self.dns.query(name, *rtype) {
                Answer::Records(r) if !r.is_empty() => return,
                Answer::Records(_) | Answer::NoData => {
                    why.get_or_insert("no record");
                }
                Answer::NxDomain => {
                    // the name does not exist: no other type can have a record either
                    why = Some("NXDOMAIN");
                    break;
                }
                Answer::Failed(f) => {
                    let note = failure_note(&f, name, *rtype);
                    let domain = node.domain.clone();
                    let record = node.record.clone().unwrap_or_default();
                    self.push(
                        &record_lookup_failed::RULE,
                        format!(
                            "the lookup for `{term}` in the SPF record of {domain} failed ({note})"
                        ),
                        &domain,
                        &record,
                    );
                    return;
                }
            }
        }
        self.voids += 1;
        node.void_lookups += 1;
        node.void_terms
            .push(format!("{term}: {}", why.unwrap_or("no record")));
    }

    /// A finding about the record being expanded (the innermost of `stack`): past
    /// [`FINDINGS_PER_RECORD`] for that record it is held back, and summed up when the record
    /// is done.
    fn push(&mut self, rule: &Rule, message: String, domain: &str, excerpt: &str) {
        let finding = rule.finding(
            message,
            None,
            vec![Evidence::note(&format!("TXT {domain}"), excerpt)],
        );
        if let Some((shown, more, worst)) = self.shown.last_mut() {
            if *shown >= FINDINGS_PER_RECORD {
                *more += 1;
                if worst.as_ref().is_none_or(|w| finding.severity > w.severity) {
                    *worst = Some(finding);
                }
                return;
            }
            *shown += 1;
        }
        self.findings.push(finding);
    }
}

/// Set the meaning of the term `text` (the redirect, explained after the mechanisms).
fn explain_at(node: &mut SpfNode, text: &str, meaning: String) {
    if let Some(e) = node.explained.iter_mut().find(|e| e.text == text) {
        e.meaning = meaning;
    }
}

/// What a matching term gives, in words.
fn outcome(q: Qualifier) -> &'static str {
    match q {
        Qualifier::Pass => "pass — allowed to send as the domain",
        Qualifier::Fail => "fail — not allowed; receivers may reject the mail",
        Qualifier::SoftFail => "softfail — probably not allowed; usually accepted but marked",
        Qualifier::Neutral => "neutral — no statement either way",
    }
}

/// `/24` and `//64` in words.
fn widened(cidr4: u8, cidr6: u8) -> String {
    match (cidr4 != 32, cidr6 != 128) {
        (false, false) => String::new(),
        (true, false) => format!(", widened to their /{cidr4} IPv4 networks"),
        (false, true) => format!(", widened to their /{cidr6} IPv6 networks"),
        (true, true) => format!(", widened to /{cidr4} (IPv4) and /{cidr6} (IPv6) networks"),
    }
}

/// A domain-spec without macros, as a query name; None when it has macros (it depends on the
/// message) or is not a valid name.
fn literal(spec: &MacroString) -> Option<String> {
    let mut out = String::new();
    for token in &spec.tokens {
        match token {
            Token::Literal(l) => out.push_str(l),
            Token::Macro(_) => return None,
        }
    }
    target_name(&out)
}

/// The domain-spec in words: the name, or the macro expression as written in `term`.
fn spec_words(spec: &MacroString, term: &str) -> String {
    if let Some(name) = literal(spec) {
        return name;
    }
    let written = term
        .split_once([':', '='])
        .map_or(term, |(_, rest)| rest)
        .to_string();
    format!(
        "the name `{}` (built from each message)",
        strip_cidr(&written)
    )
}

/// `host/24//64` to `host`.
fn strip_cidr(s: &str) -> &str {
    let mut rest = s;
    for sep in ["//", "/"] {
        if let Some((head, tail)) = rest.rsplit_once(sep)
            && !tail.is_empty()
            && tail.bytes().all(|b| b.is_ascii_digit())
        {
            rest = head;
        }
    }
    rest
}

/// ` at DOMAIN` when the ending is in another record than the domain's own.
fn where_(at: &str, domain: &str) -> String {
    if at == domain {
        String::new()
    } else {
        format!(" (reached through the redirect to {at})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::dns::{DnsFailure, StaticResolver};
    use RecordType::{A, Mx, Txt};

    fn dns(records: &[(&str, RecordType, &str)]) -> Dns {
        Dns::from_records(records)
    }

    fn run(d: &Dns, domain: &str) -> (SpfSetup, Vec<Finding>) {
        let mut findings = Vec::new();
        let spf = check(domain, d, &mut findings);
        (spf, findings)
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        let mut c: Vec<&str> = findings.iter().map(|f| f.code).collect();
        c.sort_unstable();
        c
    }

    fn meaning<'a>(node: &'a SpfNode, text: &str) -> &'a str {
        node.explained
            .iter()
            .find(|e| e.text == text)
            .map(|e| e.meaning.as_str())
            .unwrap_or_else(|| panic!("no term {text}"))
    }

    #[test]
    fn a_good_record_explained_term_by_term() {
        let d = dns(&[
            (
                "example.com",
                Txt,
                "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::1 a mx include:_spf.google.com -all",
            ),
            ("example.com", Txt, "google-site-verification=abc"),
            ("example.com", A, "192.0.2.10"),
            ("example.com", Mx, "10 mx.example.com"),
            ("_spf.google.com", Txt, "v=spf1 ip4:203.0.113.0/24 ~all"),
        ]);
        let (spf, findings) = run(&d, "example.com");
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(spf.records.len(), 1);
        let tree = spf.tree.as_ref().expect("tree");
        assert_eq!(tree.via, SpfLink::Domain);
        assert_eq!(tree.explained.len(), 7);
        assert_eq!(tree.explained[0].text, "v=spf1");
        assert!(meaning(tree, "ip4:192.0.2.0/24").contains("256 addresses"));
        assert!(meaning(tree, "ip4:192.0.2.0/24").starts_with("servers in"));
        assert!(meaning(tree, "ip6:2001:db8::1").contains("the server at 2001:db8::1"));
        assert!(meaning(tree, "a").contains("addresses of example.com"));
        assert!(meaning(tree, "mx").contains("mail exchangers of example.com"));
        assert!(
            meaning(tree, "include:_spf.google.com")
                .starts_with("also allow whoever _spf.google.com's SPF policy allows")
        );
        assert!(meaning(tree, "-all").starts_with("fail for everyone else"));
        assert_eq!(tree.lookups, 3);
        assert_eq!(tree.children.len(), 1);
        assert_eq!(tree.children[0].via, SpfLink::Include);
        assert_eq!(tree.children[0].domain, "_spf.google.com");
        assert_eq!(
            tree.children[0].term.as_deref(),
            Some("include:_spf.google.com")
        );
        assert_eq!(spf.dns_lookups, 3);
        assert_eq!(spf.void_lookups, 0);
        assert_eq!((spf.dns_lookup_limit, spf.void_lookup_limit), (10, 2));
        assert_eq!(spf.all.as_deref(), Some("-all"));
        assert_eq!(spf.default_result, Some(AuthResult::Fail));
    }

    #[test]
    fn no_record_and_nonexistent_domain() {
        let d = dns(&[("example.com", Txt, "hello")]);
        let (spf, findings) = run(&d, "example.com");
        assert_eq!(codes(&findings), ["DOM010"]);
        assert!(spf.tree.is_none() && spf.records.is_empty());
        let (spf, findings) = run(&d, "nx.example");
        assert_eq!(codes(&findings), ["DOM010"]);
        assert!(spf.error.is_some_and(|e| e.contains("NXDOMAIN")));
    }

    #[test]
    fn two_records_are_a_permerror() {
        let d = dns(&[
            ("example.com", Txt, "v=spf1 include:_spf.google.com ~all"),
            ("example.com", Txt, "v=spf1 include:mailgun.org ~all"),
        ]);
        let (spf, findings) = run(&d, "example.com");
        assert_eq!(codes(&findings), ["DOM011"]);
        assert_eq!(findings[0].evidence.len(), 2);
        assert_eq!(spf.records.len(), 2);
        assert!(spf.tree.is_none());
    }

    #[test]
    fn plus_all_and_question_all() {
        let d = dns(&[
            ("plus.example", Txt, "v=spf1 ip4:192.0.2.1 +all"),
            ("bare.example", Txt, "v=spf1 all"),
            ("what.example", Txt, "v=spf1 ip4:192.0.2.1 ?all"),
            ("viainc.example", Txt, "v=spf1 include:open.example -all"),
            ("open.example", Txt, "v=spf1 +all"),
        ]);
        let (spf, f) = run(&d, "plus.example");
        assert_eq!(codes(&f), ["DOM012"]);
        assert_eq!(spf.default_result, Some(AuthResult::Pass));
        assert_eq!(codes(&run(&d, "bare.example").1), ["DOM012"]);
        let (spf, f) = run(&d, "what.example");
        assert_eq!(codes(&f), ["DOM013"]);
        assert_eq!(spf.default_result, Some(AuthResult::Neutral));
        let (spf, f) = run(&d, "viainc.example");
        assert_eq!(codes(&f), ["DOM012"]);
        assert!(f[0].message.contains("open.example"));
        assert_eq!(spf.default_result, Some(AuthResult::Fail));
    }

    #[test]
    fn no_all_and_no_redirect_is_neutral() {
        let d = dns(&[("example.com", Txt, "v=spf1 ip4:192.0.2.1")]);
        let (spf, f) = run(&d, "example.com");
        assert_eq!(codes(&f), ["DOM014"]);
        assert_eq!(spf.all, None);
        assert_eq!(spf.default_result, Some(AuthResult::Neutral));
    }

    #[test]
    fn redirect_is_followed_and_decides() {
        let d = dns(&[
            ("example.com", Txt, "v=spf1 redirect=_spf.example.com"),
            ("_spf.example.com", Txt, "v=spf1 ip4:192.0.2.0/24 mx -all"),
            ("_spf.example.com", Mx, "10 mx.example.com"),
            ("ign.example", Txt, "v=spf1 redirect=_spf.example.com ~all"),
            ("open.example", Txt, "v=spf1 redirect=_spf.open.example"),
            ("_spf.open.example", Txt, "v=spf1 ip4:192.0.2.1"),
        ]);
        let (spf, f) = run(&d, "example.com");
        assert!(f.is_empty(), "{f:?}");
        let tree = spf.tree.as_ref().expect("tree");
        assert_eq!(tree.children.len(), 1);
        assert_eq!(tree.children[0].via, SpfLink::Redirect);
        assert!(meaning(tree, "redirect=_spf.example.com").contains("use the SPF policy of"));
        assert_eq!(spf.dns_lookups, 2);
        assert_eq!(spf.all.as_deref(), Some("-all"));
        assert_eq!(spf.default_result, Some(AuthResult::Fail));
        // a redirect beside an all is ignored: no lookup, no child
        let (spf, f) = run(&d, "ign.example");
        assert!(f.is_empty(), "{f:?}");
        let tree = spf.tree.as_ref().expect("tree");
        assert!(tree.children.is_empty());
        assert!(meaning(tree, "redirect=_spf.example.com").starts_with("ignored"));
        assert_eq!(spf.dns_lookups, 0);
        // no all at the end of the redirect chain
        let (_, f) = run(&d, "open.example");
        assert_eq!(codes(&f), ["DOM014"]);
        assert!(f[0].message.contains("redirect to _spf.open.example"));
    }

    #[test]
    fn include_loop_is_detected() {
        let d = dns(&[
            ("loop.example", Txt, "v=spf1 include:loop2.example -all"),
            ("loop2.example", Txt, "v=spf1 include:loop.example ~all"),
            ("self.example", Txt, "v=spf1 redirect=self.example"),
        ]);
        let (spf, f) = run(&d, "loop.example");
        assert_eq!(codes(&f), ["DOM019"]);
        assert!(f[0].message.contains("loops back to loop.example"));
        let tree = spf.tree.as_ref().expect("tree");
        let inner = &tree.children[0].children[0];
        assert!(
            inner
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("loop"))
        );
        assert_eq!(spf.dns_lookups, 2);
        let (spf, f) = run(&d, "self.example");
        assert_eq!(codes(&f), ["DOM019"]);
        assert_eq!(spf.default_result, Some(AuthResult::Permerror));
    }

    #[test]
    fn eleven_lookups_are_too_many() {
        let mut records = vec![
            (
                "example.com",
                Txt,
                "v=spf1 a mx include:a.example include:b.example -all",
            ),
            ("example.com", A, "192.0.2.1"),
            ("example.com", Mx, "10 mx.example.com"),
            (
                "a.example",
                Txt,
                "v=spf1 a:h.example a:h.example a:h.example ~all",
            ),
            (
                "b.example",
                Txt,
                "v=spf1 a:h.example a:h.example include:c.example ~all",
            ),
            ("c.example", Txt, "v=spf1 a:h.example ~all"),
            ("h.example", A, "192.0.2.2"),
        ];
        let d = dns(&records);
        let (spf, f) = run(&d, "example.com");
        assert_eq!(spf.dns_lookups, 11);
        assert_eq!(codes(&f), ["DOM016"]);
        assert!(f[0].message.contains("11 DNS lookups"));
        // ten is fine
        records[0].2 = "v=spf1 a include:a.example include:b.example -all";
        let (spf, f) = run(&dns(&records), "example.com");
        assert_eq!(spf.dns_lookups, 10);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_runaway_tree_is_cut() {
        let records: Vec<(String, String)> = (0..80)
            .map(|i| {
                (
                    format!("n{i}.example"),
                    format!("v=spf1 include:n{}.example -all", i + 1),
                )
            })
            .collect();
        let mut r = StaticResolver::new();
        for (name, text) in &records {
            r.add(name, Txt, text);
        }
        let d = Dns::new(Box::new(r));
        let (spf, f) = run(&d, "n0.example");
        assert!(spf.dns_lookups_incomplete);
        assert!(spf.dns_lookups > 10 && spf.dns_lookups <= FOLLOW_CAP + 1);
        assert!(f.iter().any(|f| f.message.contains("at least")));
    }

    #[test]
    fn a_wide_record_is_not_looked_up_past_the_cap() {
        // 2,500 `a:` terms (about 21 KB): each name fails to resolve
        let terms: Vec<String> = (0..2500).map(|i| format!("a:{i}.w")).collect();
        let mut r = StaticResolver::new();
        r.add(
            "wide.example",
            Txt,
            &format!("v=spf1 {} -all", terms.join(" ")),
        );
        for i in 0..2500 {
            r.set(&format!("{i}.w"), A, Answer::Failed(DnsFailure::Timeout));
        }
        let d = Dns::new(Box::new(r));
        let (spf, f) = run(&d, "wide.example");
        let queries = d.take_log().len();
        assert!(queries as u32 <= FOLLOW_CAP + 3, "{queries} queries");
        assert_eq!(spf.dns_lookups, 2500, "every term counted");
        assert!(spf.dns_lookups_incomplete);
        let failed: Vec<&Finding> = f.iter().filter(|f| f.code == "DOM009").collect();
        assert_eq!(failed.len(), FINDINGS_PER_RECORD + 1, "{f:#?}");
        let summary: Vec<&&Finding> = failed
            .iter()
            .filter(|f| f.message.starts_with("... and "))
            .collect();
        assert_eq!(summary.len(), 1);
        assert!(
            summary[0].message.contains(&format!(
                "and {} more problems in the SPF record of wide.example",
                FOLLOW_CAP as usize - FINDINGS_PER_RECORD
            )),
            "{}",
            summary[0].message
        );
        assert_eq!(codes(&f).len(), FINDINGS_PER_RECORD + 2, "{f:#?}");

        // names that do not exist: one query per term, still capped
        let mut r = StaticResolver::new();
        r.add(
            "wide.example",
            Txt,
            &format!("v=spf1 {} -all", terms.join(" ")),
        );
        let d = Dns::new(Box::new(r));
        let (spf, f) = run(&d, "wide.example");
        assert!(d.take_log().len() as u32 <= FOLLOW_CAP + 3);
        assert_eq!(codes(&f), ["DOM016", "DOM017"]);
        assert!(spf.void_lookups <= FOLLOW_CAP + 1);

        // thousands of syntax errors: ten findings and one summary
        let bad: Vec<String> = (0..2500).map(|i| format!("ip4:999.0.0.{i}")).collect();
        let d = dns(&[(
            "bad.example",
            Txt,
            &format!("v=spf1 {} -all", bad.join(" ")),
        )]);
        let (_, f) = run(&d, "bad.example");
        assert_eq!(f.len(), FINDINGS_PER_RECORD + 1, "{f:#?}");
        assert!(
            f[FINDINGS_PER_RECORD]
                .message
                .starts_with("... and 2490 more problems")
        );
    }

    #[test]
    fn void_lookups_over_two() {
        let d = dns(&[
            (
                "example.com",
                Txt,
                "v=spf1 a:n1.example mx:n2.example exists:n3.example -all",
            ),
            ("two.example", Txt, "v=spf1 a:n1.example a:n2.example -all"),
            ("n2.example", Txt, "x"),
        ]);
        let (spf, f) = run(&d, "example.com");
        assert_eq!(spf.void_lookups, 3);
        assert_eq!(codes(&f), ["DOM017"]);
        let tree = spf.tree.as_ref().expect("tree");
        assert_eq!(
            tree.void_terms,
            [
                "a:n1.example: NXDOMAIN",
                "mx:n2.example: no record",
                "exists:n3.example: NXDOMAIN"
            ]
        );
        let (spf, f) = run(&d, "two.example");
        assert_eq!(spf.void_lookups, 2);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn ptr_is_discouraged() {
        let d = dns(&[
            ("example.com", Txt, "v=spf1 ptr include:inc.example -all"),
            ("inc.example", Txt, "v=spf1 ptr:inc.example ~all"),
        ]);
        let (spf, f) = run(&d, "example.com");
        assert_eq!(codes(&f), ["DOM015", "DOM015"]);
        let tree = spf.tree.as_ref().expect("tree");
        assert!(meaning(tree, "ptr").contains("RFC 7208 5.5"));
        assert_eq!(spf.dns_lookups, 3);
    }

    #[test]
    fn syntax_errors_name_the_bad_term() {
        let d = dns(&[
            (
                "example.com",
                Txt,
                "v=spf1 ip4:192.0.2.300 include=_spf.example.net -all",
            ),
            (
                "dup.example",
                Txt,
                "v=spf1 redirect=a.example redirect=b.example",
            ),
            ("inc.example", Txt, "v=spf1 include:bad.example -all"),
            ("bad.example", Txt, "v=spf1 ip4:1.2.3.4/33 ~all"),
        ]);
        let (spf, f) = run(&d, "example.com");
        assert_eq!(codes(&f), ["DOM018"]);
        assert!(f[0].message.contains("192.0.2.300"), "{}", f[0].message);
        let tree = spf.tree.as_ref().expect("tree");
        assert!(meaning(tree, "ip4:192.0.2.300").starts_with("syntax error"));
        assert!(meaning(tree, "include=_spf.example.net").contains("unknown modifier"));
        assert_eq!(spf.default_result, Some(AuthResult::Permerror));
        let (_, f) = run(&d, "dup.example");
        assert!(codes(&f).contains(&"DOM018"), "{f:?}");
        let (_, f) = run(&d, "inc.example");
        assert_eq!(codes(&f), ["DOM018"]);
        assert!(f[0].message.contains("bad.example"));
    }

    #[test]
    fn broken_includes() {
        let d = dns(&[
            (
                "example.com",
                Txt,
                "v=spf1 include:gone.example include:nospf.example include:two.example -all",
            ),
            ("nospf.example", Txt, "hello"),
            ("two.example", Txt, "v=spf1 -all"),
            ("two.example", Txt, "v=spf1 ~all"),
        ]);
        let (spf, f) = run(&d, "example.com");
        assert_eq!(codes(&f), ["DOM011", "DOM019", "DOM019"]);
        let tree = spf.tree.as_ref().expect("tree");
        assert!(
            tree.children
                .iter()
                .all(|c| c.error.is_some() && c.record.is_none())
        );
        assert_eq!(spf.dns_lookups, 3);
    }

    #[test]
    fn macros_are_counted_not_followed() {
        let d = dns(&[(
            "example.com",
            Txt,
            "v=spf1 exists:%{i}._spf.%{d} include:%{d2}._inc.example a:%{d}/24 -all exp=exp.%{d}",
        )]);
        let (spf, f) = run(&d, "example.com");
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(spf.dns_lookups, 3);
        assert_eq!(spf.void_lookups, 0);
        let tree = spf.tree.as_ref().expect("tree");
        assert!(tree.children.is_empty());
        assert!(meaning(tree, "exists:%{i}._spf.%{d}").contains("`%{i}._spf.%{d}`"));
        assert!(meaning(tree, "a:%{d}/24").contains("`%{d}`"));
        assert!(meaning(tree, "exp=exp.%{d}").contains("explanation"));
    }

    #[test]
    fn dns_failures() {
        let mut r = StaticResolver::new();
        r.set("example.com", Txt, Answer::Failed(DnsFailure::Timeout));
        let (spf, f) = run(&Dns::new(Box::new(r)), "example.com");
        assert_eq!(codes(&f), ["DOM009"]);
        assert!(spf.error.is_some_and(|e| e.contains("timeout")));
        let mut r = StaticResolver::new();
        r.add("example.com", Txt, "v=spf1 include:slow.example -all");
        r.set("slow.example", Txt, Answer::Failed(DnsFailure::ServFail));
        let (spf, f) = run(&Dns::new(Box::new(r)), "example.com");
        assert_eq!(codes(&f), ["DOM009"]);
        let tree = spf.tree.as_ref().expect("tree");
        assert!(
            tree.children[0]
                .error
                .as_deref()
                .is_some_and(|e| e.contains("SERVFAIL"))
        );
    }

    #[test]
    fn terms_after_all_are_never_evaluated() {
        let d = dns(&[("example.com", Txt, "v=spf1 -all include:late.example")]);
        let (spf, f) = run(&d, "example.com");
        assert!(f.is_empty(), "{f:?}");
        let tree = spf.tree.as_ref().expect("tree");
        assert!(meaning(tree, "include:late.example").starts_with("never evaluated"));
        assert_eq!(spf.dns_lookups, 0);
    }
}
