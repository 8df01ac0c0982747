//! Microsoft 365 / Exchange Online Protection: `X-Forefront-Antispam-Report` (SCL, SFV, CAT, IPV,
//! CIP, PTR, H, CTRY, LANG, SFTY, SRV, DIR, SFS), `X-Microsoft-Antispam` (BCL),
//! `X-MS-Exchange-Organization-SCL`, `-PCL`, `-AuthAs`, `X-Microsoft-Antispam-Mailbox-Delivery`
//! (the folder the mailbox chose) and the `compauth=... reason=NNN` of Microsoft's
//! `Authentication-Results`.
//!
//! The tables follow Microsoft's "Anti-spam message headers", "Spam confidence level (SCL)" and
//! "Bulk complaint level (BCL)" pages. `X-Forefront-Antispam-Report-Untrusted` and
//! `X-Microsoft-Antispam-Untrusted` are the sending organisation's own outbound scan, kept by a
//! receiving Microsoft 365 organisation under another name: they become a separate, `outbound`
//! verdict. Microsoft says the fields it does not describe are for its anti-spam team only;
//! those we have seen are listed as undocumented, anything else stays unknown.

use super::{
    BULK, MALWARE, NOT_SPAM, PHISH, SPAM, Table, UNKNOWN, Verdict, VerdictField,
    anchors_or_fallback, clip, coded, field, group, indexes, integer, key_value, known, lookup,
    semicolon_parts, unknown,
};
use crate::parse::HeaderField;

const FOREFRONT: &str = "X-Forefront-Antispam-Report";
const FOREFRONT_UNTRUSTED: &str = "X-Forefront-Antispam-Report-Untrusted";
const ANTISPAM: &str = "X-Microsoft-Antispam";
const ANTISPAM_UNTRUSTED: &str = "X-Microsoft-Antispam-Untrusted";
const ORG_SCL: &str = "X-MS-Exchange-Organization-SCL";
const ORG_PCL: &str = "X-MS-Exchange-Organization-PCL";
const ORG_AUTHAS: &str = "X-MS-Exchange-Organization-AuthAs";
const CROSSPREMISES_SCL: &str = "X-MS-Exchange-CrossPremises-SCL";
const MAILBOX_DELIVERY: &str = "X-Microsoft-Antispam-Mailbox-Delivery";
const AUTH_RESULTS: &str = "Authentication-Results";

/// `SFV`: the spam filtering verdict.
pub(crate) const SFV: Table = &[
    (
        "BLK",
        "filtering was skipped and the message was blocked: the sender is on the recipient's Blocked Senders list",
    ),
    (
        "NSPM",
        "spam filtering found the message was not spam; it went to the intended recipients",
    ),
    (
        "SFE",
        "filtering was skipped and the message allowed: the sender is on the recipient's Safe Senders list",
    ),
    (
        "SKA",
        "spam filtering was skipped and the message delivered to the Inbox: the sender is on an allowed senders or domains list of an anti-spam policy",
    ),
    (
        "SKB",
        "marked as spam: the sender matched a blocked senders or domains list of an anti-spam policy",
    ),
    (
        "SKI",
        "spam filtering was skipped: the source IP address is on the IP Allow List of the connection filter policy",
    ),
    (
        "SKN",
        "spam filtering was bypassed by an Exchange mail flow rule (transport rule)",
    ),
    (
        "SKQ",
        "the message was released from quarantine and sent to the intended recipients",
    ),
    (
        "SKS",
        "marked as spam before spam filtering, by a mail flow rule that set the SCL or by an on-premises Exchange server in a hybrid setup",
    ),
    ("SPM", "spam filtering marked the message as spam"),
];

/// `CAT`: the category of protection policy applied.
pub(crate) const CAT: Table = &[
    ("AMP", "anti-malware"),
    ("BIMP", "brand impersonation (Defender for Office 365)"),
    ("BULK", "bulk mail"),
    ("DIMP", "domain impersonation (Defender for Office 365)"),
    (
        "FTBP",
        "anti-malware common attachments filter (a blocked file type)",
    ),
    (
        "GIMP",
        "mailbox intelligence impersonation (Defender for Office 365)",
    ),
    ("HPHSH", "high confidence phishing"),
    ("HPHISH", "high confidence phishing"),
    ("HSPM", "high confidence spam"),
    ("INTOS", "intra-organisation phishing"),
    ("MALW", "malware"),
    (
        "NONE",
        "no threat category: none of the protection policies applied",
    ),
    ("OSPM", "outbound spam"),
    ("PHSH", "phishing"),
    ("SAP", "Safe Attachments (Defender for Office 365)"),
    ("SPM", "spam"),
    ("SPOOF", "spoofing: the sender's address is forged"),
    ("UIMP", "user impersonation (Defender for Office 365)"),
];

/// `IPV`: IP reputation from connection filtering.
pub(crate) const IPV: Table = &[
    (
        "CAL",
        "spam filtering was skipped: the source IP address is on the IP Allow List",
    ),
    (
        "NLI",
        "the IP address was not found on any IP reputation list",
    ),
    ("", "no IP reputation verdict"),
];

/// `SRV`: bulk mail.
pub(crate) const SRV: Table = &[
    (
        "BULK",
        "identified as bulk mail by spam filtering and the bulk complaint level (BCL) threshold",
    ),
    ("", "not marked as bulk mail"),
];

/// `DIR`: directionality.
pub(crate) const DIR: Table = &[
    ("INB", "an inbound message (from outside the organisation)"),
    ("OUT", "an outbound message (the organisation sending out)"),
    ("INT", "an internal message (within the organisation)"),
];

/// `SFTY`: safety tips on messages identified as phishing.
pub(crate) const SFTY: Table = &[
    (
        "9.19",
        "domain impersonation: the sending domain tries to impersonate a protected domain",
    ),
    (
        "9.20",
        "user impersonation: the sender tries to impersonate a user of the recipient's organisation or a protected user",
    ),
    (
        "9.25",
        "first contact safety tip: the recipient has not had mail from this sender before; it might be a sign of a suspicious or phishing message",
    ),
    ("", "no safety tip"),
];

/// `X-MS-Exchange-Organization-AuthAs`: how the sending server authenticated.
pub(crate) const AUTHAS: Table = &[
    (
        "Anonymous",
        "the sending server did not authenticate: mail from the internet",
    ),
    (
        "Internal",
        "sent from inside the organisation (an authenticated user or server)",
    ),
    ("Partner", "received over a partner connector"),
    ("External", "sent by an authenticated external server"),
];

/// `dest` of `X-Microsoft-Antispam-Mailbox-Delivery`: the folder chosen.
pub(crate) const DEST: Table = &[
    ("I", "delivered to the Inbox"),
    ("J", "delivered to the Junk Email folder"),
    (
        "C",
        "delivered to a custom folder (a user's own inbox rule moved it)",
    ),
];

/// `OFR` of `X-Microsoft-Antispam-Mailbox-Delivery` (undocumented; values as seen in real mail).
pub(crate) const OFR: Table = &[
    (
        "SpamFilterAuthJ",
        "the spam filter's verdict sent it to Junk Email (undocumented value)",
    ),
    (
        "SpamFilterPass",
        "the spam filter's verdict let it through (undocumented value)",
    ),
    (
        "TrustedSenderList",
        "the sender is on the recipient's Safe Senders list (undocumented value)",
    ),
    (
        "CustomRules",
        "a user's own inbox rule decided the folder (undocumented value)",
    ),
];

/// `RF` of `X-Microsoft-Antispam-Mailbox-Delivery`.
pub(crate) const RF: Table = &[("JunkEmail", "routed to the Junk Email folder")];

/// `compauth=` results.
pub(crate) const COMPAUTH: Table = &[
    (
        "pass",
        "composite authentication passed: Microsoft believes the From domain is genuine",
    ),
    (
        "fail",
        "composite authentication failed: Microsoft believes the From domain may be forged",
    ),
    (
        "softpass",
        "composite authentication soft-passed (implicit authentication)",
    ),
    (
        "none",
        "composite authentication was not checked or was bypassed",
    ),
];

/// Composite authentication `reason=` codes: exact codes first, then the `Nxx` ranges.
pub(crate) const COMPAUTH_REASON: Table = &[
    (
        "000",
        "failed explicit authentication: DMARC failed and the domain's policy is p=quarantine or p=reject",
    ),
    (
        "001",
        "failed implicit authentication: the sending domain publishes no authentication records, or only weak ones (SPF ~all or ?all, DMARC p=none)",
    ),
    (
        "002",
        "the organisation has a policy that explicitly forbids this sender/domain pair to send spoofed mail (set by an admin)",
    ),
    (
        "010",
        "DMARC failed, the policy is p=reject or p=quarantine, and the sending domain is one of the organisation's own accepted domains (self-to-self spoofing)",
    ),
    (
        "100",
        "passed: SPF or DKIM passed and the MAIL FROM and From domains are aligned",
    ),
    (
        "101",
        "passed: DKIM-signed by the domain in the From address",
    ),
    (
        "102",
        "passed: the MAIL FROM and From domains are aligned and SPF passed",
    ),
    (
        "103",
        "passed: the From domain aligns with the PTR record of the source IP address",
    ),
    (
        "104",
        "passed: the PTR record of the source IP address aligns with the From domain",
    ),
    (
        "108",
        "passed: DKIM failed because earlier legitimate hops changed the body (for example the organisation's on-premises servers)",
    ),
    (
        "109",
        "passed: the sender's domain has no DMARC record, but the message would pass anyway",
    ),
    (
        "111",
        "passed: despite a DMARC temporary or permanent error, the SPF or DKIM domain aligns with the From domain",
    ),
    (
        "112",
        "passed: a DNS timeout prevented reading the DMARC record",
    ),
    (
        "115",
        "passed: sent from a Microsoft 365 organisation where the From domain is an accepted domain",
    ),
    (
        "116",
        "passed: the MX record of the From domain aligns with the PTR record of the connecting IP address",
    ),
    (
        "130",
        "passed: the ARC result from a trusted ARC sealer overrode the DMARC failure",
    ),
    (
        "201",
        "soft-passed: the PTR record of the From domain aligns with the subnet of the connecting IP's PTR record",
    ),
    (
        "202",
        "soft-passed: the From domain aligns with the domain of the connecting IP's PTR record",
    ),
    (
        "501",
        "DMARC was not enforced: a valid non-delivery report (bounce) between a sender and recipient already in contact",
    ),
    (
        "502",
        "DMARC was not enforced: a valid non-delivery report for a message this organisation sent",
    ),
    (
        "601",
        "failed implicit authentication: the sending domain is one of the organisation's own accepted domains (self-to-self spoofing)",
    ),
    (
        "701",
        "passed implicit authentication: DMARC was not enforced because the organisation has a history of legitimate mail from this sending infrastructure",
    ),
    (
        "702",
        "passed implicit authentication: DMARC was not enforced because the organisation has a history of legitimate mail from this sending infrastructure",
    ),
    (
        "703",
        "passed implicit authentication: DMARC was not enforced because the organisation has a history of legitimate mail from this sending infrastructure",
    ),
    (
        "704",
        "passed implicit authentication: DMARC was not enforced because the organisation has a history of legitimate mail from this sending infrastructure",
    ),
    (
        "905",
        "bypassed: DMARC was not enforced because of complex routing (through on-premises Exchange or another service first)",
    ),
    (
        "1xx",
        "passed explicit or implicit authentication (the last two digits are Microsoft's internal codes)",
    ),
    (
        "2xx",
        "soft-passed implicit authentication (the last two digits are Microsoft's internal codes)",
    ),
    ("3xx", "not checked for composite authentication"),
    ("4xx", "bypassed composite authentication"),
    ("6xx", "failed implicit email authentication"),
    (
        "7xx",
        "passed implicit authentication (the last two digits are Microsoft's internal codes)",
    ),
    ("9xx", "bypassed composite authentication"),
];

/// Forefront fields whose value needs no table.
const FOREFRONT_FIELDS: Table = &[
    (
        "CIP",
        "the connecting IP address: the server that handed the message to Microsoft 365",
    ),
    (
        "H",
        "the HELO/EHLO name the connecting server gave (its own claim)",
    ),
    ("LANG", "the language Microsoft detected in the message"),
    (
        "SFS",
        "ids of Microsoft's internal spam-filter rules that matched; Microsoft does not publish their meanings",
    ),
    (
        "ARC",
        "the ARC results Microsoft recorded (AAR, AMS and AS parts)",
    ),
    (
        "X-CustomSpam",
        "an Advanced Spam Filter (ASF) option of the anti-spam policy that the message matched",
    ),
];

/// Fields Microsoft does not document ("used exclusively by the Microsoft anti-spam team for
/// diagnostic purposes"), as seen in real headers.
const DIAGNOSTIC: &[&str] = &[
    "SFP", "SRVR", "FPR", "SPF", "A", "MX", "EFV", "ARA", "RULEID", "ENG",
];

/// Flags of `X-Microsoft-Antispam-Mailbox-Delivery` that Microsoft does not document.
const MAILBOX_FLAGS: &[&str] = &[
    "ucf", "jmr", "ex", "psp", "auth", "wl", "pcwl", "kl", "dwl", "dkl", "iwl", "ijl", "abwl",
    "rwl",
];

/// The meaning of an SCL value.
fn scl_meaning(value: &str) -> (Option<String>, bool) {
    let what = "spam confidence level (SCL)";
    let m = match integer(value) {
        Some(-1) => {
            "-1: spam filtering was skipped (a safe sender, an allow list or a mail flow rule); delivered to the Inbox"
        }
        Some(0 | 1) => "not spam: delivered to the Inbox",
        Some(5 | 6) => "spam: by default delivered to the Junk Email folder",
        Some(7..=9) => {
            "high confidence spam: by default delivered to the Junk Email folder or quarantined, as the anti-spam policy says"
        }
        Some(2..=4) => {
            "not a level Microsoft 365's own filter sets (a mail flow rule or an on-premises server set it); below the usual spam threshold of 5"
        }
        _ => {
            return (
                Some(format!(
                    "{what}; the value `{}` is not in mailtrace's table",
                    clip(value, 20)
                )),
                false,
            );
        }
    };
    (Some(format!("{what} {}: {m}", value.trim())), true)
}

/// The meaning of a BCL value.
fn bcl_meaning(value: &str) -> (Option<String>, bool) {
    let what = "bulk complaint level (BCL)";
    let m = match integer(value) {
        Some(0) => "not from a bulk sender",
        Some(1..=3) => "from a bulk sender that draws few complaints",
        Some(4..=7) => "from a bulk sender that draws a mixed number of complaints",
        Some(8 | 9) => "from a bulk sender that draws many complaints",
        _ => {
            return (
                Some(format!(
                    "{what}; the value `{}` is not in mailtrace's table",
                    clip(value, 20)
                )),
                false,
            );
        }
    };
    (
        Some(format!(
            "{what} {}: {m} (mail at or above the policy's bulk threshold, 7 by default, is treated as bulk)",
            value.trim()
        )),
        true,
    )
}

/// The meaning of a PCL value (phishing confidence level, from Microsoft's older documentation).
fn pcl_meaning(value: &str) -> (Option<String>, bool) {
    let what = "phishing confidence level (PCL)";
    let m = match integer(value) {
        Some(0..=3) => "the content is not likely to be phishing",
        Some(4..=8) => "the content is likely to be phishing",
        _ => {
            return (
                Some(format!(
                    "{what}; the value `{}` is not in mailtrace's table",
                    clip(value, 20)
                )),
                false,
            );
        }
    };
    (Some(format!("{what} {}: {m}", value.trim())), true)
}

fn with(header: &str, name: &str, value: &str, m: (Option<String>, bool)) -> VerdictField {
    field(header, name, value, m.0, m.1)
}

fn diagnostic(header: &str, name: &str, value: &str) -> VerdictField {
    known(
        header,
        name,
        value,
        "a diagnostic field Microsoft does not document (used by its anti-spam team)",
    )
}

/// One `KEY:VALUE` part of `X-Forefront-Antispam-Report`.
fn forefront_field(header: &str, key: &str, value: &str) -> VerdictField {
    match key.to_ascii_uppercase().as_str() {
        "SCL" => with(header, key, value, scl_meaning(value)),
        "SFV" => coded(header, key, value, "spam filtering verdict (SFV)", SFV),
        "CAT" => coded(header, key, value, "protection policy category (CAT)", CAT),
        "IPV" => coded(header, key, value, "IP reputation (IPV)", IPV),
        "SRV" => coded(header, key, value, "bulk mail (SRV)", SRV),
        "DIR" => coded(header, key, value, "direction (DIR)", DIR),
        "SFTY" => coded(header, key, value, "safety tip (SFTY)", SFTY),
        "CTRY" if value.is_empty() => known(
            header,
            key,
            value,
            "the country of the connecting IP address: not determined",
        ),
        "CTRY" => known(
            header,
            key,
            value,
            "the country/region of the connecting IP address (which may differ from where the message was written)",
        ),
        "PTR" if value.is_empty() => known(
            header,
            key,
            value,
            "the reverse DNS (PTR) name of the connecting IP address: none found",
        ),
        "PTR" => known(
            header,
            key,
            value,
            "the reverse DNS (PTR) name of the connecting IP address",
        ),
        "BCL" => with(header, key, value, bcl_meaning(value)),
        "PCL" => with(header, key, value, pcl_meaning(value)),
        k if DIAGNOSTIC.contains(&k) => diagnostic(header, key, value),
        _ => match lookup(FOREFRONT_FIELDS, key) {
            Some(m) => known(header, key, value, m),
            None => unknown(header, key, value),
        },
    }
}

/// The fields of a `KEY:VALUE;KEY:VALUE` header (Forefront, X-Microsoft-Antispam).
fn forefront_fields(h: &HeaderField, out: &mut Vec<VerdictField>) {
    for part in semicolon_parts(&h.value) {
        let (key, value) = key_value(part, ':');
        out.push(forefront_field(&h.name, key, value));
    }
}

fn mailbox_delivery_fields(h: &HeaderField, out: &mut Vec<VerdictField>) {
    for part in semicolon_parts(&h.value) {
        let (key, value) = key_value(part, ':');
        let f = match key.to_ascii_lowercase().as_str() {
            "dest" => coded(
                &h.name,
                key,
                value,
                "the folder the mailbox chose (dest)",
                DEST,
            ),
            "ofr" => coded(
                &h.name,
                key,
                value,
                "why the mailbox chose that folder (OFR, undocumented)",
                OFR,
            ),
            "rf" => coded(&h.name, key, value, "routing folder (RF)", RF),
            "eng" => known(
                &h.name,
                key,
                value,
                "ids of Microsoft's internal mailbox-filter rules; Microsoft does not publish their meanings",
            ),
            k if MAILBOX_FLAGS.contains(&k) => known(
                &h.name,
                key,
                value,
                "a flag of Microsoft's mailbox junk filter that Microsoft does not document",
            ),
            _ => unknown(&h.name, key, value),
        };
        out.push(f);
    }
}

/// `compauth=<result> reason=<code>` in one Authentication-Results value, in linear time.
pub(crate) fn compauth(value: &str) -> Option<(String, Option<String>)> {
    let lower = value.to_ascii_lowercase();
    let at = lower.find("compauth=")?;
    let rest = &value[at + "compauth=".len()..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .unwrap_or(rest.len());
    let result = rest[..end].to_string();
    // the reason belongs to the same clause: up to the next ';'
    let clause_end = rest.find(';').unwrap_or(rest.len());
    let clause = &rest[..clause_end];
    let reason = clause.to_ascii_lowercase().find("reason=").map(|r| {
        let code = &clause[r + "reason=".len()..];
        let code = code.trim_start_matches('"');
        let stop = code
            .find(|c: char| c.is_whitespace() || c == '"' || c == ';')
            .unwrap_or(code.len());
        code[..stop].to_string()
    });
    Some((result, reason))
}

/// The meaning of a composite authentication reason code.
fn reason_meaning(code: &str) -> (Option<String>, bool) {
    let what = "composite authentication reason";
    if let Some(m) = lookup(COMPAUTH_REASON, code) {
        return (Some(format!("{what} {code}: {m}")), true);
    }
    let bucket = match code.as_bytes() {
        [d @ b'1'..=b'9', b'0'..=b'9', b'0'..=b'9'] => format!("{}xx", *d as char),
        _ => String::new(),
    };
    match lookup(COMPAUTH_REASON, &bucket) {
        Some(m) if !bucket.is_empty() => (Some(format!("{what} {code}: {m}")), true),
        _ => (
            Some(format!(
                "{what}; the code `{}` is not in Microsoft's table",
                clip(code, 20)
            )),
            false,
        ),
    }
}

/// A few words about a failing reason code, for the summary.
fn reason_short(code: &str) -> &'static str {
    match code {
        "000" => "DMARC failed and the domain asks for quarantine or reject",
        "001" => "the sending domain's authentication is missing or weak",
        "002" => "an admin forbids this sender to spoof the domain",
        "010" => "DMARC failed for one of the organisation's own domains",
        c if c.starts_with('6') => "implicit authentication failed for the From domain",
        _ => "the From domain could not be authenticated",
    }
}

/// What the Microsoft headers of one pass say, for the verdict.
#[derive(Default)]
struct Signals {
    scl: Option<i64>,
    scl_text: Option<String>,
    sfv: Option<String>,
    cat: Option<String>,
    srv_bulk: bool,
    bcl: Option<i64>,
    dir: Option<String>,
    dest: Option<String>,
    ofr: Option<String>,
    compauth: Option<String>,
    reason: Option<String>,
}

impl Signals {
    fn read(&mut self, f: &VerdictField) {
        let v = f.value.trim();
        let name = f.name.to_ascii_uppercase();
        let first = |slot: &mut Option<String>| {
            if slot.is_none() && !v.is_empty() {
                *slot = Some(v.to_ascii_uppercase());
            }
        };
        match name.as_str() {
            // the Forefront SCL wins over the organisation header: it is written first in the
            // pass, and the two agree in practice
            "SCL" if self.scl.is_none() => {
                self.scl = integer(v);
                if self.scl.is_some() {
                    self.scl_text = Some(v.to_string());
                }
            }
            "SFV" => first(&mut self.sfv),
            "CAT" => first(&mut self.cat),
            "SRV" => self.srv_bulk |= v.eq_ignore_ascii_case("BULK"),
            "BCL" if self.bcl.is_none() => self.bcl = integer(v),
            "DIR" => first(&mut self.dir),
            "DEST" => first(&mut self.dest),
            "OFR" if self.ofr.is_none() && !v.is_empty() => self.ofr = Some(v.to_string()),
            "COMPAUTH" if self.compauth.is_none() && !v.is_empty() => {
                self.compauth = Some(v.to_ascii_lowercase());
            }
            "REASON"
                if f.header.eq_ignore_ascii_case(AUTH_RESULTS)
                    && self.reason.is_none()
                    && !v.is_empty() =>
            {
                self.reason = Some(v.to_string());
            }
            _ => {}
        }
    }

    /// The filter's own verdict (before the mailbox's folder choice).
    fn filter_verdict(&self) -> Option<&'static str> {
        let by_cat = self.cat.as_deref().and_then(|c| match c {
            "MALW" | "AMP" | "SAP" | "FTBP" => Some(MALWARE),
            "PHSH" | "HPHSH" | "HPHISH" | "SPOOF" | "UIMP" | "DIMP" | "GIMP" | "BIMP" | "INTOS" => {
                Some(PHISH)
            }
            "SPM" | "HSPM" | "OSPM" => Some(SPAM),
            "BULK" => Some(BULK),
            _ => None,
        });
        let by_sfv = self.sfv.as_deref().and_then(|s| match s {
            "SPM" | "SKS" | "SKB" | "BLK" => Some(SPAM),
            "NSPM" | "SKN" | "SKA" | "SFE" | "SKI" | "SKQ" => Some(NOT_SPAM),
            _ => None,
        });
        let by_scl = self.scl.and_then(|s| match s {
            -1..=4 => Some(NOT_SPAM),
            5..=9 => Some(SPAM),
            _ => None,
        });
        let mut v = by_cat.or(by_sfv).or(by_scl);
        if matches!(v, None | Some(NOT_SPAM)) && self.srv_bulk {
            v = Some(BULK);
        }
        if v.is_none() && self.bcl.is_some_and(|b| b >= 7) {
            v = Some(BULK);
        }
        v
    }

    /// The values the verdict rests on, as written.
    fn basis(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.scl_text {
            parts.push(format!("SCL {}", clip(s, 8)));
        }
        if let Some(s) = &self.sfv {
            parts.push(format!("SFV:{}", clip(s, 12)));
        }
        if let Some(c) = self.cat.as_deref().filter(|c| *c != "NONE") {
            parts.push(format!("CAT:{}", clip(c, 12)));
        }
        if self.srv_bulk {
            parts.push("SRV:BULK".to_string());
        }
        if let Some(b) = self.bcl.filter(|b| *b > 0) {
            parts.push(format!("BCL {b}"));
        }
        if let Some(d) = self.dest.as_deref().filter(|d| *d != "I") {
            parts.push(format!("dest:{}", clip(d, 4)));
        }
        if self.compauth.as_deref() == Some("fail") {
            match &self.reason {
                Some(r) => parts.push(format!("compauth=fail reason={}", clip(r, 6))),
                None => parts.push("compauth=fail".to_string()),
            }
        }
        if parts.is_empty()
            && let Some(b) = self.bcl
        {
            parts.push(format!("BCL {b}"));
        }
        parts.join(", ")
    }
}

/// Decode every Microsoft filtering pass.
pub(super) fn decode(headers: &[HeaderField], out: &mut Vec<Verdict>) {
    // the recipient organisation's pass(es)
    let mut companions = indexes(
        headers,
        &[
            ANTISPAM,
            ORG_SCL,
            ORG_PCL,
            ORG_AUTHAS,
            CROSSPREMISES_SCL,
            MAILBOX_DELIVERY,
        ],
    );
    companions.extend(
        headers
            .iter()
            .enumerate()
            .filter(|(_, h)| h.is(AUTH_RESULTS) && compauth(&h.value).is_some())
            .map(|(i, _)| i),
    );
    companions.sort_unstable();
    let anchors = anchors_or_fallback(
        headers,
        &[FOREFRONT],
        &[ORG_SCL, MAILBOX_DELIVERY, ANTISPAM, CROSSPREMISES_SCL],
        &mut companions,
    );
    for (anchor, related) in group(&anchors, &companions) {
        out.push(verdict(headers, anchor, related, false));
    }
    // the sending organisation's outbound pass, kept as -Untrusted by a receiving tenant
    let mut companions = indexes(headers, &[ANTISPAM_UNTRUSTED]);
    let anchors = anchors_or_fallback(
        headers,
        &[FOREFRONT_UNTRUSTED],
        &[ANTISPAM_UNTRUSTED],
        &mut companions,
    );
    for (anchor, related) in group(&anchors, &companions) {
        out.push(verdict(headers, anchor, related, true));
    }
}

fn verdict(
    headers: &[HeaderField],
    anchor: usize,
    related: Vec<usize>,
    untrusted: bool,
) -> Verdict {
    let mut fields = Vec::new();
    let mut order = Vec::with_capacity(related.len() + 1);
    order.push(anchor);
    order.extend(related.iter().copied());
    for &i in &order {
        let h = &headers[i];
        let name = h.name.as_str();
        if h.is(FOREFRONT)
            || h.is(FOREFRONT_UNTRUSTED)
            || h.is(ANTISPAM)
            || h.is(ANTISPAM_UNTRUSTED)
        {
            forefront_fields(h, &mut fields);
        } else if h.is(MAILBOX_DELIVERY) {
            mailbox_delivery_fields(h, &mut fields);
        } else if h.is(ORG_SCL) || h.is(CROSSPREMISES_SCL) {
            fields.push(with(name, "SCL", &h.value, scl_meaning(&h.value)));
        } else if h.is(ORG_PCL) {
            fields.push(with(name, "PCL", &h.value, pcl_meaning(&h.value)));
        } else if h.is(ORG_AUTHAS) {
            fields.push(coded(
                name,
                "AuthAs",
                &h.value,
                "how the sending server authenticated to Exchange (AuthAs)",
                AUTHAS,
            ));
        } else if h.is(AUTH_RESULTS)
            && let Some((result, reason)) = compauth(&h.value)
        {
            fields.push(coded(
                name,
                "compauth",
                &result,
                "Microsoft's composite authentication of the From domain (compauth)",
                COMPAUTH,
            ));
            if let Some(code) = reason {
                fields.push(with(name, "reason", &code, reason_meaning(&code)));
            }
        }
    }
    let mut s = Signals::default();
    for f in &fields {
        s.read(f);
    }
    let outbound = untrusted || s.dir.as_deref() == Some("OUT");
    let filter = s.filter_verdict();
    let junked = !outbound && s.dest.as_deref() == Some("J");
    let word = match filter {
        Some(v) if v != NOT_SPAM => v,
        // the filter passed it (or said nothing), but the mailbox put it in Junk Email
        _ if junked => SPAM,
        Some(v) => v,
        None => UNKNOWN,
    };
    let basis = s.basis();
    // Exchange Online Protection writes these; an on-premises Exchange server only the
    // X-MS-Exchange-Organization-* ones
    let eop = order.iter().any(|&i| {
        let h = &headers[i];
        [
            FOREFRONT,
            FOREFRONT_UNTRUSTED,
            ANTISPAM,
            ANTISPAM_UNTRUSTED,
            MAILBOX_DELIVERY,
            AUTH_RESULTS,
        ]
        .iter()
        .any(|n| h.is(n))
    });
    let system = if eop {
        "Microsoft 365"
    } else {
        "Microsoft Exchange"
    };
    let summary = summary(system, &s, filter, word, &basis, outbound, untrusted);
    let score = s
        .scl_text
        .as_ref()
        .map(|t| format!("SCL {}", clip(t, 8)))
        .or_else(|| s.bcl.map(|b| format!("BCL {b}")));
    Verdict {
        system: system.to_string(),
        related,
        outbound,
        verdict: word.to_string(),
        score,
        basis,
        summary,
        fields,
        ..Verdict::anchored("microsoft", headers, anchor)
    }
}

fn summary(
    sys: &str,
    s: &Signals,
    filter: Option<&str>,
    word: &str,
    basis: &str,
    outbound: bool,
    untrusted: bool,
) -> String {
    let b = if basis.is_empty() {
        String::new()
    } else {
        format!(" ({basis})")
    };
    if outbound {
        let kept = if untrusted {
            "; the receiving Microsoft 365 organisation kept that result as an -Untrusted header"
        } else {
            ""
        };
        let what = match word {
            NOT_SPAM => "rated it not spam",
            SPAM => "rated it spam",
            PHISH => "flagged it as phishing",
            MALWARE => "found malware in it",
            BULK => "classed it as bulk mail",
            _ if s.bcl.is_some() => "recorded only its bulk complaint level",
            _ => "recorded no readable verdict",
        };
        return format!(
            "the sender's own Microsoft 365 organisation scanned this on the way out and {what}{b}{kept}"
        );
    }
    let skipped = matches!(
        s.sfv.as_deref(),
        Some("SKN" | "SKA" | "SFE" | "SKI" | "SKQ")
    ) || s.scl == Some(-1);
    let mut line = match (filter, word) {
        (Some(NOT_SPAM) | None, SPAM) => {
            let by = match s.ofr.as_deref() {
                Some(o) => format!(" ({})", clip(o, 40)),
                None => String::new(),
            };
            let rated = match filter {
                Some(_) => "its spam filter rated it not spam",
                None => "no filter verdict is recorded",
            };
            format!(
                "{sys} put this in the Junk Email folder (dest:J) although {rated}{b}: the mailbox's own junk settings decided{by}"
            )
        }
        (_, SPAM) => format!("{sys} filed this as spam{b}"),
        (_, PHISH) if s.cat.as_deref() == Some("SPOOF") => {
            format!("{sys} flagged this as phishing from a spoofed sender{b}")
        }
        (_, PHISH) => format!("{sys} flagged this as phishing{b}"),
        (_, MALWARE) => format!("{sys} found malware in this{b}"),
        (_, BULK) => format!("{sys} classed this as bulk mail{b}"),
        (_, NOT_SPAM) if skipped => {
            format!("{sys} let this through without spam filtering{b}")
        }
        (_, NOT_SPAM) => format!("{sys} found this was not spam{b}"),
        _ => format!("{sys} recorded its checks but no verdict mailtrace can read"),
    };
    let placed = match s.dest.as_deref() {
        Some("J") if filter.is_some_and(|f| f != NOT_SPAM) => {
            Some("it went to the Junk Email folder")
        }
        Some("I") => Some("it was delivered to the Inbox"),
        Some("C") => Some("a user's own rule put it in another folder"),
        Some(_) => None,
        None => match word {
            SPAM => Some("by default that sends it to the Junk Email folder"),
            BULK => Some("by default bulk mail goes to the Junk Email folder"),
            PHISH => Some(
                "the anti-phishing and anti-spam policies decide between Junk Email and quarantine",
            ),
            MALWARE => Some("by default malware is quarantined"),
            _ => None,
        },
    };
    if let Some(p) = placed {
        let adverse_in_inbox = s.dest.as_deref() == Some("I") && word != NOT_SPAM;
        line.push_str(if adverse_in_inbox { ", but " } else { ": " });
        line.push_str(p);
    }
    if s.compauth.as_deref() == Some("fail") {
        let why = s.reason.as_deref().map(reason_short).unwrap_or("");
        line.push_str("; the From domain failed Microsoft's composite authentication");
        if !why.is_empty() {
            line.push_str(" (");
            line.push_str(why);
            line.push(')');
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{get, headers};
    use super::super::{decode, lookup};
    use super::*;

    const FF_SPAM: &str = "X-Forefront-Antispam-Report: CIP:192.0.2.77;CTRY:NL;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:mail.example.net;PTR:mail.example.net;CAT:SPM;SFS:(13230025)(451199018);DIR:INB;";

    #[test]
    fn forefront_spam_with_every_field_decoded() {
        let h = headers(&[
            FF_SPAM,
            "X-Microsoft-Antispam: BCL:0;ARA:1444111002|1290799033;",
            "X-MS-Exchange-Organization-SCL: 5",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.vendor, "microsoft");
        assert_eq!(v.header, FOREFRONT);
        assert_eq!(v.header_index, 0);
        assert_eq!(v.related, vec![1, 2]);
        assert_eq!(v.verdict, "spam");
        assert!(!v.outbound);
        assert_eq!(v.score.as_deref(), Some("SCL 5"));
        assert_eq!(v.basis, "SCL 5, SFV:SPM, CAT:SPM");
        assert_eq!(
            v.summary,
            "Microsoft 365 filed this as spam (SCL 5, SFV:SPM, CAT:SPM): by default that sends it to the Junk Email folder"
        );
        assert_eq!(
            get(v, "SFV").meaning.as_deref(),
            Some("spam filtering verdict (SFV): spam filtering marked the message as spam")
        );
        assert_eq!(
            get(v, "SCL").meaning.as_deref(),
            Some(
                "spam confidence level (SCL) 5: spam: by default delivered to the Junk Email folder"
            )
        );
        assert_eq!(
            get(v, "IPV").meaning.as_deref(),
            Some("IP reputation (IPV): the IP address was not found on any IP reputation list")
        );
        assert_eq!(get(v, "CIP").value, "192.0.2.77");
        assert_eq!(get(v, "SFS").value, "(13230025)(451199018)");
        assert!(get(v, "SFS").known);
        assert_eq!(
            get(v, "SRV").meaning.as_deref(),
            Some("bulk mail (SRV): not marked as bulk mail")
        );
        assert!(
            get(v, "BCL")
                .meaning
                .as_deref()
                .unwrap()
                .starts_with("bulk complaint level (BCL) 0: not from a bulk sender")
        );
        assert!(v.fields.iter().all(|f| f.known), "{:#?}", v.fields);
        let org = v.fields.iter().find(|f| f.header == ORG_SCL).unwrap();
        assert_eq!(org.name, "SCL");
        assert_eq!(org.value, "5");
    }

    #[test]
    fn phish_junked_with_compauth_fail() {
        let h = headers(&[
            "Authentication-Results: spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=fail action=quarantine header.from=example.com;compauth=fail reason=000",
            "X-MS-Exchange-Organization-AuthAs: Anonymous",
            "X-MS-Exchange-Organization-SCL: 5",
            "X-Forefront-Antispam-Report: CIP:203.0.113.9;CTRY:;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:mx.example.net;PTR:;CAT:PHSH;SFTY:9.25;SFS:(1);DIR:INB;",
            "X-Microsoft-Antispam: BCL:0;",
            "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;ENG:(910005)(944506478);RF:JunkEmail;",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.header_index, 3);
        assert_eq!(v.related, vec![0, 1, 2, 4, 5]);
        assert_eq!(v.verdict, "phish");
        assert_eq!(
            v.basis,
            "SCL 5, SFV:SPM, CAT:PHSH, dest:J, compauth=fail reason=000"
        );
        assert_eq!(
            v.summary,
            "Microsoft 365 flagged this as phishing (SCL 5, SFV:SPM, CAT:PHSH, dest:J, compauth=fail reason=000): it went to the Junk Email folder; the From domain failed Microsoft's composite authentication (DMARC failed and the domain asks for quarantine or reject)"
        );
        let reason = get(v, "reason");
        assert_eq!(reason.value, "000");
        assert_eq!(reason.header, "Authentication-Results");
        assert_eq!(
            reason.meaning.as_deref(),
            Some(
                "composite authentication reason 000: failed explicit authentication: DMARC failed and the domain's policy is p=quarantine or p=reject"
            )
        );
        assert_eq!(get(v, "compauth").value, "fail");
        assert!(
            get(v, "SFTY")
                .meaning
                .as_deref()
                .unwrap()
                .contains("first contact")
        );
        assert_eq!(
            get(v, "dest").meaning.as_deref(),
            Some("the folder the mailbox chose (dest): delivered to the Junk Email folder")
        );
        assert_eq!(
            get(v, "AuthAs").meaning.as_deref(),
            Some(
                "how the sending server authenticated to Exchange (AuthAs): the sending server did not authenticate: mail from the internet"
            )
        );
        assert!(v.fields.iter().all(|f| f.known), "{:#?}", v.fields);
    }

    #[test]
    fn outlook_com_without_forefront_uses_org_scl() {
        let h = headers(&[
            "Authentication-Results: spf=none (sender IP is 192.0.2.5) smtp.mailfrom=example.net; dkim=none;dmarc=none action=none header.from=example.net;compauth=fail reason=001",
            "X-MS-Exchange-Organization-SCL: 1",
            "X-Microsoft-Antispam: BCL:0;",
            "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;ENG:(5062000305);RF:JunkEmail;",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 1);
        let v = &v[0];
        assert_eq!(v.header, ORG_SCL);
        assert_eq!(v.header_index, 1);
        assert_eq!(v.related, vec![0, 2, 3]);
        assert_eq!(v.verdict, "spam");
        assert_eq!(v.basis, "SCL 1, dest:J, compauth=fail reason=001");
        assert!(v.summary.starts_with("Microsoft 365 put this in the Junk Email folder (dest:J) although its spam filter rated it not spam"), "{}", v.summary);
        assert!(v.summary.contains("(SpamFilterAuthJ)"), "{}", v.summary);
    }

    #[test]
    fn on_premises_exchange_is_not_microsoft_365() {
        let v = decode(&headers(&[
            "X-MS-Exchange-Organization-SCL: 0",
            "X-MS-Exchange-Organization-AuthAs: Anonymous",
        ]));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].system, "Microsoft Exchange");
        assert_eq!(v[0].verdict, "not-spam");
        assert_eq!(
            v[0].summary,
            "Microsoft Exchange found this was not spam (SCL 0)"
        );
    }

    #[test]
    fn untrusted_is_the_senders_outbound_scan() {
        let h = headers(&[
            "X-Forefront-Antispam-Report-Untrusted: CIP:255.255.255.255;CTRY:;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;H:AM0PR01MB1234.eurprd01.prod.exchangelabs.com;PTR:;CAT:OSPM;SFS:(13230031);DIR:OUT;SFP:1102;",
            "X-Microsoft-Antispam-Untrusted: BCL:0;ARA:13230031;",
            "X-Forefront-Antispam-Report: CIP:198.51.100.5;CTRY:US;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:mail.example.com;PTR:mail.example.com;CAT:NONE;SFS:(1);DIR:INB;",
            "X-Microsoft-Antispam: BCL:0;",
        ]);
        let v = decode(&h);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].header, FOREFRONT_UNTRUSTED);
        assert!(v[0].outbound);
        assert_eq!(v[0].verdict, "spam");
        assert_eq!(v[0].related, vec![1]);
        assert!(v[0].summary.starts_with("the sender's own Microsoft 365 organisation scanned this on the way out and rated it spam (SCL 9, SFV:SPM, CAT:OSPM)"), "{}", v[0].summary);
        assert!(get(&v[0], "SFP").known);
        assert_eq!(v[1].header, FOREFRONT);
        assert!(!v[1].outbound);
        assert_eq!(v[1].verdict, "not-spam");
        assert_eq!(v[1].related, vec![3]);
        assert_eq!(
            v[1].summary,
            "Microsoft 365 found this was not spam (SCL 1, SFV:NSPM)"
        );
    }

    #[test]
    fn categories_decide_over_sfv() {
        for (cat, want) in [
            ("HPHSH", "phish"),
            ("SPOOF", "phish"),
            ("MALW", "malware"),
            ("BULK", "bulk"),
            ("HSPM", "spam"),
            ("NONE", "spam"),
        ] {
            let line = format!("X-Forefront-Antispam-Report: SCL:6;SFV:SPM;CAT:{cat};DIR:INB;");
            let v = decode(&headers(&[&line]));
            assert_eq!(v[0].verdict, want, "{cat}");
        }
        let v = decode(&headers(&[
            "X-Forefront-Antispam-Report: SCL:1;SRV:BULK;SFV:NSPM;CAT:NONE;DIR:INB;",
        ]));
        assert_eq!(v[0].verdict, "bulk");
        let v = decode(&headers(&[
            "X-Forefront-Antispam-Report: SCL:-1;SFV:SKN;CAT:NONE;DIR:INB;",
        ]));
        assert_eq!(v[0].verdict, "not-spam");
        assert!(
            v[0].summary
                .starts_with("Microsoft 365 let this through without spam filtering")
        );
    }

    #[test]
    fn unknown_fields_and_values_keep_their_raw_value() {
        let v = decode(&headers(&[
            "X-Forefront-Antispam-Report: SCL:5;SFV:XYZ;CAT:NEWCAT;ZZZ:123;SFTY:9.99;",
        ]));
        let v = &v[0];
        assert_eq!(v.verdict, "spam");
        let zzz = get(v, "ZZZ");
        assert_eq!(
            (zzz.value.as_str(), zzz.known, zzz.meaning.is_none()),
            ("123", false, true)
        );
        assert!(!get(v, "SFV").known);
        assert_eq!(get(v, "SFV").value, "XYZ");
        assert!(!get(v, "CAT").known);
        assert!(!get(v, "SFTY").known);
    }

    #[test]
    fn compauth_parsing() {
        assert_eq!(
            compauth("spf=pass smtp.mailfrom=a.example;compauth=pass reason=100"),
            Some(("pass".to_string(), Some("100".to_string())))
        );
        assert_eq!(
            compauth("dmarc=fail;compauth=fail\r reason=000; x=y"),
            Some(("fail".to_string(), Some("000".to_string())))
        );
        assert_eq!(
            compauth("compauth=none; reason=999"),
            Some(("none".to_string(), None))
        );
        assert_eq!(compauth("spf=pass"), None);
        assert_eq!(compauth("compauth="), Some((String::new(), None)));
        assert!(reason_meaning("109").0.unwrap().contains("no DMARC record"));
        assert!(
            reason_meaning("130")
                .0
                .unwrap()
                .contains("trusted ARC sealer")
        );
        assert_eq!(
            reason_meaning("105").0.as_deref(),
            Some(
                "composite authentication reason 105: passed explicit or implicit authentication (the last two digits are Microsoft's internal codes)"
            )
        );
        assert!(reason_meaning("905").0.unwrap().contains("complex routing"));
        assert!(!reason_meaning("055").1);
        assert!(!reason_meaning("5x").1);
        assert_eq!(
            lookup(COMPAUTH_REASON, "6xx"),
            Some("failed implicit email authentication")
        );
    }

    #[test]
    fn scl_and_bcl_tables() {
        assert!(scl_meaning("9").0.unwrap().contains("high confidence spam"));
        assert!(scl_meaning("-1").0.unwrap().contains("skipped"));
        assert!(!scl_meaning("x").1);
        assert!(bcl_meaning("8").0.unwrap().contains("many complaints"));
        assert!(bcl_meaning("5").0.unwrap().contains("mixed"));
        assert!(!bcl_meaning("10").1);
        assert!(
            pcl_meaning("5")
                .0
                .unwrap()
                .contains("likely to be phishing")
        );
    }
}
