//! Diagnose: rules -> findings.
//!
//! A registry like a linter's: one rule, one file under `rules/`, declared with
//! [`declare_rule!`]; its doc comment is the teaching page that `mailtrace explain` prints.
//! Rules read what the earlier stages established and only judge; they never parse.

pub mod rules;

use std::fmt;
use std::ops::Range;

use crate::auth::AuthOutcome;
use crate::hops::Chain;
use crate::input::Source;
use crate::options::Options;
use crate::parse::ParsedMessage;

/// Everything a rule may look at.
pub struct Context<'a> {
    /// The input.
    pub source: &'a Source,
    /// The parsed message.
    pub parsed: &'a ParsedMessage,
    /// The hop chain.
    pub chain: &'a Chain,
    /// Authentication, re-verified.
    pub auth: &'a AuthOutcome,
    /// Bounces, auto-replies and feedback reports the message carries.
    pub reports: &'a crate::reports::Reports,
    /// Spam-filter verdicts recorded on the way.
    pub verdicts: &'a [crate::verdicts::Verdict],
    /// Where the time went.
    pub time: &'a crate::timing::TimeStory,
    /// The options.
    pub options: &'a Options,
}

impl Context<'_> {
    /// The boundary hop's index and its Received field as evidence (SPF is checked there).
    pub fn boundary_evidence(&self) -> (Option<usize>, Vec<Evidence>) {
        let hop = self
            .chain
            .boundary
            .as_ref()
            .and_then(|b| self.chain.hop(b.hop));
        (
            hop.map(|h| h.index),
            hop.map(|h| vec![Evidence::at("Received", &h.span, &h.raw)])
                .unwrap_or_default(),
        )
    }

    /// Evidence pointing at the header field with this index.
    pub fn header_evidence(&self, index: usize) -> Vec<Evidence> {
        self.parsed
            .headers
            .get(index)
            .map(|h| vec![Evidence::at(&h.name, &h.span, &h.value)])
            .unwrap_or_default()
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Something is off and may explain a problem.
    Warning,
    /// Something is wrong.
    Error,
}

impl Severity {
    /// The lowercase word.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the input a finding's evidence stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    /// The header field name (or a description such as `input` for text around the message).
    pub header: String,
    /// Byte span `[start, end)` in the extracted message (`Source::message`), when known.
    pub span: Option<[usize; 2]>,
    /// The text of the evidence, at most a few hundred characters.
    pub excerpt: String,
}

impl Evidence {
    /// Evidence pointing at a span of the message.
    pub fn at(header: &str, span: &Range<usize>, excerpt: &str) -> Evidence {
        Evidence {
            header: header.to_string(),
            span: Some([span.start, span.end]),
            excerpt: clip(excerpt),
        }
    }

    /// Evidence without a place in the message.
    pub fn note(header: &str, excerpt: &str) -> Evidence {
        Evidence {
            header: header.to_string(),
            span: None,
            excerpt: clip(excerpt),
        }
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 300;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX).collect();
    out.push('…');
    out
}

/// One finding about this message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The rule's stable code, e.g. `HOP001`.
    pub code: &'static str,
    /// The rule's kebab-case name, e.g. `hop-clock-skew`.
    pub name: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// One line about this instance (lowercase, no final period).
    pub message: String,
    /// The hop it concerns (1-based, oldest first), if any.
    pub hop: Option<usize>,
    /// Where it shows in the input.
    pub evidence: Vec<Evidence>,
}

/// A rule's check: look at the context, push findings.
pub type Check = fn(&Rule, &Context, &mut Vec<Finding>);

/// A rule of the registry.
pub struct Rule {
    /// Stable code: a family prefix and digits (`HOP001`). Never reused.
    pub code: &'static str,
    /// Kebab-case name that reads as the problem.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
    /// The teaching page (markdown): What it means / Why it matters / Example / What to do / References.
    pub doc: &'static str,
    /// The check.
    pub check: Check,
}

impl Rule {
    /// A finding of this rule.
    pub fn finding(&self, message: String, hop: Option<usize>, evidence: Vec<Evidence>) -> Finding {
        Finding {
            code: self.code,
            name: self.name,
            severity: self.severity,
            message,
            hop,
            evidence,
        }
    }

    /// The teaching page with the one leading space of each doc line removed.
    pub fn page(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string()
    }
}

/// Declare a rule: the doc comment is its teaching page.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            summary: $summary:literal,
            check: $check:path $(,)?
        }
    ) => {
        $vis static $ident: $crate::diagnose::Rule = $crate::diagnose::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnose::Severity::$severity,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}

/// Find a rule by code or name (case-insensitive): message rules and `mailtrace domain`'s.
pub fn lookup(key: &str) -> Option<&'static Rule> {
    all_rules().find(|r| r.code.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

/// Every rule: the message rules ([`rules::ALL`]), then the domain rules
/// ([`crate::domain::rules::all`]).
pub fn all_rules() -> impl Iterator<Item = &'static Rule> {
    rules::ALL
        .iter()
        .copied()
        .chain(crate::domain::rules::all())
}

/// The check of a rule that looks at no message (the `mailtrace domain` rules).
pub fn no_check(_: &Rule, _: &Context, _: &mut Vec<Finding>) {}

/// Run every rule; findings sorted by severity (worst first), then hop, then code.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules::ALL {
        (rule.check)(rule, ctx, &mut out);
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.hop.cmp(&b.hop))
            .then(a.code.cmp(b.code))
    });
    out
}
