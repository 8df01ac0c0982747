use std::sync::LazyLock;

use regex::Regex;

use crate::auth::address_domain;
use crate::declare_rule;
use crate::diagnose::rules::lookalike_domain::{char_skeleton, split_org};
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::hops::host::{org_domain, org_family};

declare_rule! {
    /// ## What it means
    /// The display name of `From` (the part before the address, which is what mail programs
    /// show) claims to be someone the address is not:
    ///
    /// - it carries an email address of its own that is not the real one
    ///   (`"security@paypal.com" <alert@account-verify.example>`);
    /// - it names a domain that is not the address's (`"paypal.com Service" <...@other.example>`);
    /// - it names a well-known brand and the address is in none of that brand's domains
    ///   (`"PayPal" <service@paypa1.example>`), or in a free mailbox provider's
    ///   (`"Microsoft Account Team" <...@outlook.com>`: anyone can open such a mailbox);
    /// - it names a bank, a help desk or a security team, and the address is a free mailbox.
    ///
    /// The brands are a small table kept in this rule's source: PayPal, Microsoft, Apple,
    /// Amazon, Google, DHL, FedEx, UPS, Netflix, DocuSign, LinkedIn, Facebook/Instagram/WhatsApp,
    /// Dropbox, Adobe, Bank of America, Wells Fargo, American Express, with the domains each one
    /// sends from (its name under the common top-level domains, e.g. paypal.com, paypal.de,
    /// paypal.co.uk, plus a few others such as amazonses.com or facebookmail.com). Words are
    /// matched after folding look-alike characters (Cyrillic `а`, digit `0`), so `PаyPal` and
    /// `Micros0ft` count.
    ///
    /// ## Why it matters
    /// Most mail programs, phones above all, show only the display name. Anyone can write any
    /// name there, and no authentication covers it: SPF, DKIM and DMARC can all pass for
    /// `paypa1.example` while the screen says "PayPal". It is the most common disguise of
    /// phishing and of CEO fraud ("Your CEO's Name" from a free mailbox).
    ///
    /// ## Example
    /// ```text
    /// From: PayPal <service@paypa1.example>
    /// From: "billing@example.com" <billing.example.com@mailbox-relay.example>
    /// ```
    ///
    /// ## What to do
    /// Look at the address, not the name. Do not follow links or open attachments; go to the
    /// brand's site yourself. Mail administrators can tag external mail whose display name
    /// matches internal staff or well-known brands. A brand's real mail sometimes comes from a
    /// domain this small table does not know: check the DKIM signing domain before reporting it.
    ///
    /// ## References
    /// - RFC 5322 section 3.4 (display names are free text)
    /// - RFC 7489 section 11.4 (display name attacks: outside what DMARC protects)
    pub static RULE = {
        code: "HDR008",
        name: "display-name-spoof",
        severity: Warning,
        summary: "the From display name claims an address, domain or brand the address does not match",
        check: check,
    }
}

/// A well-known brand that phishing impersonates.
pub(crate) struct Brand {
    /// The brand as people write it.
    pub name: &'static str,
    /// Word sequences (lowercase, one space between words) that name it in a display name.
    pub phrases: &'static [&'static str],
    /// Words that name it only when they are the whole display name (`Apple`, `UPS`: also
    /// ordinary words).
    pub alone: &'static [&'static str],
    /// Registrable labels it owns under the [`COMMON_SUFFIXES`] (`paypal`: paypal.com,
    /// paypal.de, paypal.co.uk). `lookalike-domain` compares sender domains with these.
    pub labels: &'static [&'static str],
    /// Other organisational domains it sends from (not compared for look-alikes: some are
    /// ordinary words).
    pub domains: &'static [&'static str],
}

impl Brand {
    /// True when this organisational domain is one of the brand's.
    pub fn owns(&self, org: &str) -> bool {
        let org = org.to_ascii_lowercase();
        if self.domains.contains(&org.as_str()) {
            return true;
        }
        split_org(&org).is_some_and(|(_, label, suffix)| {
            self.labels.contains(&label.as_str()) && COMMON_SUFFIXES.contains(&suffix.as_str())
        })
    }
}

/// Public suffixes under which a brand's own name counts as the brand's domain: the big
/// generic ones and the country domains where these brands run their national sites.
pub(crate) const COMMON_SUFFIXES: &[&str] = &[
    "com", "net", "org", "de", "fr", "it", "es", "nl", "be", "at", "ch", "se", "dk", "no", "fi",
    "pl", "pt", "ie", "cz", "ru", "ca", "in", "jp", "me", "co.uk", "com.au", "co.jp", "co.in",
    "com.br", "com.mx", "com.tr", "com.sg", "co.nz", "co.za", "ae", "sg",
];

/// The brand table (see the rule's page).
pub(crate) static BRANDS: &[Brand] = &[
    Brand {
        name: "PayPal",
        phrases: &["paypal"],
        alone: &[],
        labels: &["paypal"],
        domains: &[],
    },
    Brand {
        name: "Microsoft",
        phrases: &[
            "microsoft",
            "office 365",
            "office365",
            "onedrive",
            "sharepoint",
        ],
        alone: &[],
        labels: &[
            "microsoft",
            "microsoftonline",
            "office365",
            "sharepointonline",
        ],
        domains: &[
            "office.com",
            "sharepoint.com",
            "onedrive.com",
            "skype.com",
            "xbox.com",
            "bing.com",
        ],
    },
    Brand {
        name: "Apple",
        phrases: &[
            "apple id",
            "apple support",
            "apple store",
            "apple pay",
            "app store",
            "icloud",
            "itunes",
        ],
        alone: &["apple"],
        labels: &["apple"],
        domains: &["itunes.com"],
    },
    Brand {
        name: "Amazon",
        phrases: &["amazon", "aws", "prime video"],
        alone: &[],
        labels: &["amazon", "amazonaws", "amazonses", "aws", "primevideo"],
        domains: &[],
    },
    Brand {
        name: "Google",
        phrases: &["google", "youtube"],
        alone: &[],
        labels: &["google", "youtube"],
        domains: &["withgoogle.com"],
    },
    Brand {
        name: "DHL",
        phrases: &["dhl"],
        alone: &[],
        labels: &["dhl"],
        domains: &["dpdhl.com", "deutschepost.de"],
    },
    Brand {
        name: "FedEx",
        phrases: &["fedex"],
        alone: &[],
        labels: &["fedex"],
        domains: &[],
    },
    Brand {
        name: "UPS",
        phrases: &["ups my choice", "united parcel service"],
        alone: &["ups"],
        labels: &["ups"],
        domains: &[],
    },
    Brand {
        name: "Netflix",
        phrases: &["netflix"],
        alone: &[],
        labels: &["netflix"],
        domains: &[],
    },
    Brand {
        name: "DocuSign",
        phrases: &["docusign"],
        alone: &[],
        labels: &["docusign"],
        domains: &[],
    },
    Brand {
        name: "LinkedIn",
        phrases: &["linkedin"],
        alone: &[],
        labels: &["linkedin"],
        domains: &[],
    },
    Brand {
        name: "Facebook",
        phrases: &["facebook", "instagram", "whatsapp"],
        alone: &[],
        labels: &["facebook", "facebookmail", "instagram", "whatsapp"],
        domains: &["meta.com"],
    },
    Brand {
        name: "Dropbox",
        phrases: &["dropbox"],
        alone: &[],
        labels: &["dropbox"],
        domains: &["dropboxmail.com"],
    },
    Brand {
        name: "Adobe",
        phrases: &["adobe"],
        alone: &[],
        labels: &["adobe"],
        domains: &["adobesign.com", "echosign.com"],
    },
    Brand {
        name: "Bank of America",
        phrases: &["bank of america"],
        alone: &[],
        labels: &["bankofamerica"],
        domains: &["bofa.com"],
    },
    Brand {
        name: "Wells Fargo",
        phrases: &["wells fargo"],
        alone: &[],
        labels: &["wellsfargo"],
        domains: &[],
    },
    Brand {
        name: "American Express",
        phrases: &["american express", "amex"],
        alone: &[],
        labels: &["americanexpress"],
        domains: &["aexp.com"],
    },
];

/// Words that name an institution no one runs from a free mailbox.
const INSTITUTIONS: &[(&str, &str)] = &[
    ("bank", "a bank"),
    ("banking", "a bank"),
    ("helpdesk", "a help desk"),
    ("help desk", "a help desk"),
    ("service desk", "a service desk"),
    ("it support", "IT support"),
    ("security team", "a security team"),
    ("account security", "an account security team"),
    ("administrator", "an administrator"),
    ("postmaster", "a postmaster"),
    ("webmaster", "a webmaster"),
];

/// Free mailbox providers, and platforms where anyone can get an address: registrable labels
/// (under the common suffixes) and domains.
const FREEMAIL_LABELS: &[&str] = &[
    "gmail",
    "googlemail",
    "hotmail",
    "outlook",
    "live",
    "msn",
    "yahoo",
    "ymail",
    "aol",
    "gmx",
    "icloud",
    "protonmail",
    "yandex",
];
const FREEMAIL_DOMAINS: &[&str] = &[
    "me.com",
    "mac.com",
    "web.de",
    "mail.com",
    "proton.me",
    "pm.me",
    "mail.ru",
    "inbox.ru",
    "zoho.com",
    "qq.com",
    "163.com",
    "126.com",
    "tutanota.com",
    "tuta.io",
    "fastmail.com",
    "t-online.de",
    "rocketmail.com",
    "zohomail.com",
    // every Microsoft 365 tenant, trial ones included, gets addresses here
    "onmicrosoft.com",
];

/// True for a domain of a free mailbox provider or a platform where anyone can get an address.
pub(crate) fn is_freemail(domain: &str) -> bool {
    let Some(org) = org_domain(domain) else {
        return false;
    };
    FREEMAIL_DOMAINS.contains(&org.as_str())
        || split_org(&org).is_some_and(|(_, label, suffix)| {
            FREEMAIL_LABELS.contains(&label.as_str()) && COMMON_SUFFIXES.contains(&suffix.as_str())
        })
}

/// The words of a display name, lowercase, look-alike characters folded (`PаyPal` -> paypal).
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .map(|c| char_skeleton(c).unwrap_or(c))
                .collect()
        })
        .collect()
}

/// True when the phrase's words occur, in order and together, among `words`.
fn contains_phrase(words: &[String], phrase: &str) -> bool {
    let phrase: Vec<String> = self::words(phrase);
    !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase.as_slice())
}

/// The brand a display name names, if any.
pub(crate) fn brand_named(name: &str) -> Option<&'static Brand> {
    let words = words(name);
    BRANDS.iter().find(|b| {
        b.phrases.iter().any(|p| contains_phrase(&words, p))
            || b.alone.iter().any(|a| self::words(a) == words)
    })
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+").expect("static regex")
});
static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\b")
        .expect("static regex")
});

/// True when the two organisational domains belong to one owner: the same organisation, or
/// two domains of one brand (amazon.com and amazon.de).
fn same_owner(a: &str, b: &str) -> bool {
    let (Some(fa), Some(fb)) = (org_family(a), org_family(b)) else {
        return false;
    };
    fa == fb
        || BRANDS
            .iter()
            .any(|brand| brand.owns(&fa) && brand.owns(&fb))
}

/// A domain written in a display name: a known public suffix, or a reserved test name
/// (`.example`, `.test`: RFC 2606), so that `J.R. Smith` or `Dr.Jones` are not domains.
fn looks_like_domain(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    let tld = lower.rsplit('.').next().unwrap_or_default();
    if !tld.chars().all(|c| c.is_ascii_alphabetic()) || tld.len() < 2 {
        return false;
    }
    matches!(tld, "example" | "test") || psl::suffix(lower.as_bytes()).is_some_and(|s| s.is_known())
}

/// Why the display name does not fit the address, in words; None when it fits.
fn mismatch(name: &str, address: &str, domain: &str) -> Option<String> {
    // an address in the name that is not the sender's
    for m in EMAIL.find_iter(name) {
        let shown = m.as_str().trim_end_matches('.');
        if shown.eq_ignore_ascii_case(address) {
            continue;
        }
        let shown_domain = address_domain(shown).unwrap_or_default();
        if !same_owner(&shown_domain, domain) {
            return Some(format!(
                "shows the address {shown}, but the message is from {address}"
            ));
        }
    }
    // a domain in the name that is not the sender's
    let without_addresses = EMAIL.replace_all(name, " ");
    for m in DOMAIN.find_iter(&without_addresses) {
        let shown = m.as_str().to_ascii_lowercase();
        if looks_like_domain(&shown) && !same_owner(&shown, domain) {
            return Some(format!("names {shown}, but the message is from {address}"));
        }
    }
    let free = is_freemail(domain);
    if let Some(brand) = brand_named(name) {
        if free {
            return Some(format!(
                "names {}, but the message is from a free mailbox ({address}) that anyone can open",
                brand.name
            ));
        }
        let org = org_domain(domain).unwrap_or_else(|| domain.to_string());
        if !brand.owns(&org) {
            return Some(format!(
                "names {}, but the message is from {address}, not from a {} domain",
                brand.name, brand.name
            ));
        }
    }
    if free {
        let words = words(name);
        if let Some((_, what)) = INSTITUTIONS
            .iter()
            .find(|(p, _)| contains_phrase(&words, p))
        {
            return Some(format!(
                "names {what}, but the message is from a free mailbox ({address}) that anyone can open"
            ));
        }
    }
    None
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(field) = ctx.parsed.first("From") else {
        return;
    };
    let Some(mailbox) = ctx.parsed.from.first() else {
        return;
    };
    let Some(name) = mailbox
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return;
    };
    let Some(address) = mailbox.address.as_deref().map(str::trim) else {
        return;
    };
    let Some(domain) = address_domain(address) else {
        return;
    };
    // Exchange's own delivery reports: "Microsoft Outlook" <MicrosoftExchange<hex>@tenant>,
    // a real report read as one (a fake one without the report parts still fires)
    let system_report = name.eq_ignore_ascii_case("Microsoft Outlook")
        && address
            .to_ascii_lowercase()
            .starts_with("microsoftexchange")
        && ctx.reports.entries.iter().any(|r| r.is_bounce());
    if system_report {
        return;
    }
    if let Some(why) = mismatch(name, address, &domain) {
        out.push(rule.finding(
            format!("the display name {name:?} {why}"),
            None,
            vec![Evidence::at("From", &field.span, &field.value)],
        ));
    }
}
