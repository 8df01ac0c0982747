use crate::auth::address_domain;
use crate::declare_rule;
use crate::diagnose::rules::display_name_spoof::{BRANDS, is_freemail};
use crate::diagnose::rules::reply_to_divergent::header_addresses;
use crate::diagnose::{Context, Evidence, Finding, Rule, Severity};
use crate::hops::host::{as_ip, normalize, org_domain};

declare_rule! {
    /// ## What it means
    /// A sender domain of the message (From, Reply-To or the envelope sender) is made to look
    /// like another one:
    ///
    /// - an internationalised name (IDN, written in DNS as `xn--` punycode) whose letters come
    ///   from several scripts, or that reads like a Latin name: `xn--pypal-4ve.example` is
    ///   `pаypal.example` with a Cyrillic `а`. An IDN that mixes nothing and imitates nothing is
    ///   reported as info, so that you look at how it reads;
    /// - a name one or two characters away from a domain seen elsewhere in the message (the
    ///   recipient's domain in To, a DKIM signing domain, the envelope sender, Reply-To, a host
    ///   in the Received lines) or from a well-known brand (the table of `display-name-spoof`):
    ///   `paypa1.example`, `examp1e.org`, `rnicrosoft` (`rn` reads as `m`);
    /// - a brand's name used under a domain the brand does not send from (`paypal.example`,
    ///   `paypal-secure.example`, `secure-dhl.example`).
    ///
    /// Names are compared by their registrable part (the label before the public suffix), so
    /// `example.com` and `example.org` are not look-alikes of each other. One edit is allowed for
    /// names of 5 to 8 characters, two from 9; shorter names only match through look-alike
    /// characters.
    ///
    /// ## Why it matters
    /// A look-alike domain is registered on purpose: it passes SPF, DKIM and DMARC for itself,
    /// and a reader sees the name they expect. Supplier fraud uses the supplier's name with one
    /// letter changed; phishing uses the bank's. In many fonts `1`/`l`, `0`/`o`, `rn`/`m` and
    /// Latin/Cyrillic `a`/`а` cannot be told apart.
    ///
    /// ## Example
    /// ```text
    /// From: Account Security <security@xn--micrsoft-qbh.example>
    /// To: kim@example.org
    /// ```
    /// `xn--micrsoft-qbh` reads `micrоsoft`, with a Cyrillic `о` as the fifth letter.
    ///
    /// ## What to do
    /// Compare the domain letter by letter with the one you know, or paste it into a tool that
    /// shows punycode. Do not reply or pay; contact the real organisation through a known
    /// address. Administrators can register the obvious look-alikes of their own domain and
    /// block new look-alike domains at the gateway.
    ///
    /// ## References
    /// - RFC 5890 and RFC 5891 (internationalised domain names in applications)
    /// - RFC 3492 (Punycode, the `xn--` form)
    /// - Unicode Technical Standard #39 (security mechanisms: mixed scripts, confusables)
    /// - RFC 7489 section 11.4 (what DMARC does not protect)
    pub static RULE = {
        code: "HDR009",
        name: "lookalike-domain",
        severity: Warning,
        summary: "a sender domain imitates another domain of the message or a well-known brand",
        check: check,
    }
}

/// The organisational domain, its registrable label and its public suffix
/// (`mail.paypal.co.uk` -> `paypal.co.uk`, `paypal`, `co.uk`).
pub(crate) fn split_org(domain: &str) -> Option<(String, String, String)> {
    let org = org_domain(domain)?;
    let suffix = psl::suffix_str(&org)?.to_string();
    let label = org.strip_suffix(&suffix)?.strip_suffix('.')?.to_string();
    (!label.is_empty()).then_some((org, label, suffix))
}

/// A character folded onto the ASCII letter it looks like: Cyrillic and Greek look-alikes,
/// Latin letters with accents, the digits 0 and 1. None when it stands for itself.
pub(crate) fn char_skeleton(c: char) -> Option<char> {
    if let Some(plain) = unstyled(c) {
        return Some(plain);
    }
    Some(match c {
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'ь' => 'b',
        'с' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' => 'e',
        'һ' => 'h',
        'і' | 'ї' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'ӏ' => 'l',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'г' => 'r',
        'ѕ' => 's',
        'т' => 't',
        'у' => 'y',
        'ԝ' => 'w',
        'х' => 'x',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ϲ' => 'c',
        // Latin with accents, and look-alike Latin letters
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ę' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ı' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ɡ' => 'g',
        'ł' => 'l',
        // digits
        '0' => 'o',
        '1' => 'l',
        _ => return None,
    })
}

/// The ASCII letter or digit behind a styled one: mathematical alphanumerics (`𝐚`, `𝗮`,
/// `𝕒`), circled and squared letters (`ⓐ`, `🅐`, `🅒`), fullwidth forms (`ａ`). No domain name
/// can hold them (IDNA forbids them), but mail programs show them, and they read as Latin.
fn unstyled(c: char) -> Option<char> {
    let letter = |i: u32| char::from_u32(u32::from(b'a') + i);
    let digit = |i: u32| char::from_u32(u32::from(b'0') + i);
    let u = u32::from(c);
    match u {
        // 13 alphabets of 52 letters (A-Z, a-z), holes included
        0x1D400..=0x1D6A3 => letter((u - 0x1D400) % 52 % 26),
        // 5 sets of 10 digits
        0x1D7CE..=0x1D7FF => digit((u - 0x1D7CE) % 10),
        0x24B6..=0x24CF => letter(u - 0x24B6),
        0x24D0..=0x24E9 => letter(u - 0x24D0),
        0x1F130..=0x1F149 => letter(u - 0x1F130),
        0x1F150..=0x1F169 => letter(u - 0x1F150),
        0x1F170..=0x1F189 => letter(u - 0x1F170),
        0xFF21..=0xFF3A => letter(u - 0xFF21),
        0xFF41..=0xFF5A => letter(u - 0xFF41),
        0xFF10..=0xFF19 => digit(u - 0xFF10),
        _ => None,
    }
}

/// True for a styled letter or digit ([`unstyled`]).
fn styled(c: char) -> bool {
    unstyled(c).is_some()
}

/// The skeleton of a label: look-alike characters folded, `rn` read as `m`, `vv` as `w`.
pub(crate) fn skeleton(label: &str) -> String {
    let folded: String = label
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| char_skeleton(c).unwrap_or(c))
        .collect();
    folded.replace("rn", "m").replace("vv", "w")
}

/// Optimal string alignment distance (edits, with a swap of two neighbours counted once).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// How `label` imitates `other`, in words; None when it does not (or is the same).
fn imitates(label: &str, other: &str) -> Option<String> {
    imitates_skeleton(label, &skeleton(label), other, &skeleton(other))
}

/// [`imitates`] with both skeletons already made (the brand table's are made once).
fn imitates_skeleton(
    label: &str,
    label_skeleton: &str,
    other: &str,
    other_skeleton: &str,
) -> Option<String> {
    if label == other {
        return None;
    }
    if label_skeleton == other_skeleton {
        return Some("look-alike characters".to_string());
    }
    let (a, b) = (label.chars().count(), other.chars().count());
    // the edit distance is at least the difference in length: past 2, nothing to report
    if a.abs_diff(b) > 2 {
        return None;
    }
    let shortest = a.min(b);
    if shortest < 5 {
        return None;
    }
    match distance(label, other) {
        1 if shortest >= 5 => Some("one character apart".to_string()),
        2 if shortest >= 9 => Some("two characters apart".to_string()),
        _ => None,
    }
}

/// Decode one punycode label body (after `xn--`), RFC 3492 section 6.2.
pub(crate) fn punycode_decode(input: &str) -> Option<String> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn adapt(delta: u32, points: u32, first: bool) -> u32 {
        let mut delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + SKEW)
    }
    if input.len() > 255 || !input.is_ascii() {
        return None;
    }
    let (basic, extended) = match input.rfind('-') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => ("", input),
    };
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = extended.bytes();
    let mut rest = extended.len();
    while rest > 0 {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let c = digits.next()?;
            rest -= 1;
            let digit = match c {
                b'a'..=b'z' => u32::from(c - b'a'),
                b'A'..=b'Z' => u32::from(c - b'A'),
                b'0'..=b'9' => u32::from(c - b'0') + 26,
                _ => return None,
            };
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = if k <= bias {
                TMIN
            } else if k >= bias + TMAX {
                TMAX
            } else {
                k - bias
            };
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let points = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, points, old_i == 0);
        n = n.checked_add(i / points)?;
        i %= points;
        output.insert(usize::try_from(i).ok()?, char::from_u32(n)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

/// The domain as it reads: `xn--` labels decoded.
fn unicode_form(domain: &str) -> String {
    domain
        .split('.')
        .map(|label| {
            label
                .get(..4)
                .filter(|p| p.eq_ignore_ascii_case("xn--"))
                .and_then(|_| punycode_decode(&label[4..]))
                .unwrap_or_else(|| label.to_string())
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Writing systems, coarsely (enough to see a Latin name with a Cyrillic letter in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Armenian,
    Hebrew,
    Arabic,
    Indic,
    Thai,
    /// Han, kana and Hangul: mixed with Latin in legitimate names.
    EastAsian,
    Other,
}

impl Script {
    fn name(self) -> &'static str {
        match self {
            Script::Latin => "Latin",
            Script::Greek => "Greek",
            Script::Cyrillic => "Cyrillic",
            Script::Armenian => "Armenian",
            Script::Hebrew => "Hebrew",
            Script::Arabic => "Arabic",
            Script::Indic => "Indic",
            Script::Thai => "Thai",
            Script::EastAsian => "East Asian",
            Script::Other => "other",
        }
    }
}

/// The script of a letter; None for digits, hyphens and other common characters.
fn script(c: char) -> Option<Script> {
    if c.is_ascii_alphabetic() {
        return Some(Script::Latin);
    }
    if c.is_ascii() || !c.is_alphabetic() {
        return None;
    }
    Some(match u32::from(c) {
        0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0x0250..=0x02AF => {
            Script::Latin
        }
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0530..=0x058F => Script::Armenian,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF => Script::Arabic,
        0x0900..=0x0DFF => Script::Indic,
        0x0E00..=0x0E7F => Script::Thai,
        0x1100..=0x11FF | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF => {
            Script::EastAsian
        }
        _ => Script::Other,
    })
}

/// The scripts of one label when they are mixed in a way no honest name needs (Latin with
/// Cyrillic, Greek with Latin, ...); Latin with East Asian scripts is ordinary.
fn mixed_scripts(label: &str) -> Option<Vec<Script>> {
    let mut seen: Vec<Script> = Vec::new();
    for s in label.chars().filter_map(script) {
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    let strict: Vec<Script> = seen
        .iter()
        .copied()
        .filter(|s| !(seen.contains(&Script::Latin) && *s == Script::EastAsian))
        .collect();
    (strict.len() > 1).then_some(strict)
}

/// A domain the sender domains are compared with.
struct Known {
    org: String,
    label: String,
    /// Where it was seen, in words (`the To address`, `a Received host`).
    seen: String,
    /// Its position among the candidates, when it is one of them.
    candidate: Option<usize>,
}

/// A sender domain to look at: the domain, the header it comes from, and its evidence.
struct Candidate {
    domain: String,
    header: &'static str,
    evidence: Evidence,
}

fn candidates(ctx: &Context) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut push = |domain: Option<String>, header: &'static str, evidence: Evidence| {
        if let Some(domain) = domain.map(|d| normalize(&d))
            && as_ip(&domain).is_none()
            && !domain.contains(char::REPLACEMENT_CHARACTER)
            && !out.iter().any(|c| c.domain == domain)
        {
            out.push(Candidate {
                domain,
                header,
                evidence,
            });
        }
    };
    for field in ctx.parsed.fields("From") {
        for a in header_addresses(&field.value) {
            push(
                address_domain(&a),
                "From",
                Evidence::at("From", &field.span, &field.value),
            );
        }
    }
    for field in ctx.parsed.fields("Reply-To") {
        for a in header_addresses(&field.value) {
            push(
                address_domain(&a),
                "Reply-To",
                Evidence::at("Reply-To", &field.span, &field.value),
            );
        }
    }
    if let (Some(rp), Some(field)) = (
        ctx.parsed.return_path.as_deref(),
        ctx.parsed.first("Return-Path"),
    ) {
        push(
            address_domain(rp),
            "envelope sender",
            Evidence::at("Return-Path", &field.span, &field.value),
        );
    }
    out
}

fn known_domains(ctx: &Context, candidates: &[Candidate]) -> Vec<Known> {
    let mut out: Vec<Known> = Vec::new();
    let mut push = |domain: &str, seen: String, candidate: Option<usize>| {
        if let Some((org, label, _)) = split_org(domain)
            && !out.iter().any(|k| k.org == org)
        {
            out.push(Known {
                org,
                label,
                seen,
                candidate,
            });
        }
    };
    for (i, c) in candidates.iter().enumerate() {
        push(&c.domain, format!("the {} domain", c.header), Some(i));
    }
    for m in &ctx.parsed.to {
        if let Some(d) = m.address.as_deref().and_then(address_domain) {
            push(&d, "the To address".into(), None);
        }
    }
    for d in &ctx.auth.dkim {
        push(&d.domain, "a DKIM signing domain".into(), None);
    }
    for hop in &ctx.chain.hops {
        let f = &hop.fields;
        for host in [&f.by_host, &f.rdns, &f.helo, &f.from_host]
            .into_iter()
            .flatten()
        {
            push(host, format!("a host of hop {}", hop.index), None);
        }
    }
    out
}

/// Of two sender domains that look alike, the one to report: the one written with look-alike
/// characters when only one is (`examp1e` rather than `example`), else the later header
/// (Reply-To or the envelope sender rather than From). So a pair is reported once.
fn imitator(label: &str, index: usize, other_label: &str, other_index: usize) -> bool {
    let odd = |l: &str| skeleton(l) != l;
    match (odd(label), odd(other_label)) {
        (true, false) => true,
        (false, true) => false,
        _ => index > other_index,
    }
}

/// The brand whose name this registrable label imitates, with how: one or two characters
/// apart or look-alike characters; or, for brands whose name is not also an ordinary word, the
/// brand's name itself under a domain it does not send from (`paypal.example`,
/// `secure-paypal.example`, `paypalsecure.example`).
fn brand_imitated(org: &str, label: &str) -> Option<String> {
    static SKELETONS: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    let skeletons = SKELETONS.get_or_init(|| {
        BRANDS
            .iter()
            .map(|b| b.labels.iter().map(|l| skeleton(l)).collect())
            .collect()
    });
    let label_skeleton = skeleton(label);
    BRANDS
        .iter()
        .zip(skeletons)
        .filter(|(b, _)| !b.owns(org))
        .find_map(|(b, skeletons)| {
            b.labels
                .iter()
                .zip(skeletons)
                .find_map(|(brand_label, brand_skeleton)| {
                    if let Some(how) =
                        imitates_skeleton(label, &label_skeleton, brand_label, brand_skeleton)
                    {
                        return Some(format!("looks like {brand_label} ({}): {how}", b.name));
                    }
                    if !b.alone.is_empty() {
                        return None;
                    }
                    if label == *brand_label {
                        return Some(format!(
                            "uses the name {brand_label} under a domain {} does not send from",
                            b.name
                        ));
                    }
                    let inside = label.split('-').any(|part| part == *brand_label)
                        || (brand_label.len() >= 6 && label.contains(brand_label));
                    inside.then(|| {
                        format!(
                            "contains the name {brand_label} ({}) without being one of its domains",
                            b.name
                        )
                    })
                })
        })
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let candidates = candidates(ctx);
    let known = known_domains(ctx, &candidates);
    for (index, c) in candidates.iter().enumerate() {
        let Some((org, label, _)) = split_org(&c.domain) else {
            continue;
        };
        // a mailbox provider's own domain (`outlook.com`, a `*.onmicrosoft.com` tenant) imitates
        // nothing: `display-name-spoof` speaks of those
        if is_freemail(&org) {
            continue;
        }
        let readable = unicode_form(&c.domain);
        let idn = readable != c.domain || !c.domain.is_ascii();
        let readable_label = unicode_form(&label);
        // the name as it reads, compared with the other domains of the message and the brands
        let imitation = known
            .iter()
            .filter(|k| k.org != org)
            .filter(|k| {
                k.candidate
                    .is_none_or(|other| imitator(&readable_label, index, &k.label, other))
            })
            // `kajabimail` and `kajabi-mail`: one sender's names, not an imitation
            .filter(|k| k.label.replace('-', "") != readable_label.replace('-', ""))
            .find_map(|k| {
                imitates(&readable_label, &k.label)
                    .map(|how| format!("looks like {} ({}): {how}", k.org, k.seen))
            })
            .or_else(|| brand_imitated(&org, &readable_label));
        let evidence = vec![c.evidence.clone()];
        if !idn {
            if let Some(how) = imitation {
                out.push(rule.finding(
                    format!("the {} domain {} {how}", c.header, c.domain),
                    None,
                    evidence,
                ));
            }
            continue;
        }
        let mixed = readable.split('.').find_map(mixed_scripts).map(|s| {
            format!(
                "mixes {} letters",
                s.iter().map(|s| s.name()).collect::<Vec<_>>().join(" and ")
            )
        });
        let fancy = readable
            .chars()
            .any(styled)
            .then(|| "uses styled letters that no real domain name can hold".to_string());
        let concerns: Vec<String> = fancy.into_iter().chain(mixed).chain(imitation).collect();
        let latin: String = readable
            .chars()
            .flat_map(char::to_lowercase)
            .map(|ch| char_skeleton(ch).unwrap_or(ch))
            .collect();
        let reads = if readable != c.domain {
            format!("is an internationalised name that reads {readable}")
        } else {
            "is written with non-ASCII letters".to_string()
        };
        let latin = if latin != readable && latin.is_ascii() {
            format!(" (in Latin letters: {latin})")
        } else {
            String::new()
        };
        let message = if concerns.is_empty() {
            format!(
                "the {} domain {} {reads}{latin}: check that it is the one you expect",
                c.header, c.domain
            )
        } else {
            format!(
                "the {} domain {} {reads}{latin}: it {}",
                c.header,
                c.domain,
                concerns.join(" and ")
            )
        };
        let mut finding = rule.finding(message, None, evidence);
        if concerns.is_empty() {
            finding.severity = Severity::Info;
        }
        out.push(finding);
    }
}
