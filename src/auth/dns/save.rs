//! `--save-dns FILE`: the DNS answers an analysis used, written as an RFC 1035 zone file, so
//! that the analysis can be replayed offline later (`--offline --dns-zone FILE`) and give the
//! same results even after keys have been rotated or records changed: evidence preserved.
//!
//! # What replays, and how
//!
//! Loaded back with [`super::ZoneResolver`], the file gives the same answer to every query
//! recorded, under these rules:
//!
//! * Records: written as they were answered (absolute names, `$TTL 3600`). TXT text is split
//!   into quoted strings of at most 255 bytes, which replay joins again; the original string
//!   boundaries are not kept (nothing in authentication depends on them).
//! * NXDOMAIN: the name is written as an `$ORIGIN` with no record. The zone resolver is
//!   authoritative under an origin, so the name replays as NXDOMAIN; and since nothing exists
//!   below a name that does not exist (RFC 8020), that origin claims nothing that was not seen.
//! * NoData: the name must exist without the type asked. If the file has no other record at
//!   that name, it gets a private-use `TYPE65280` record with empty data (RFC 3597 syntax)
//!   whose only meaning is "this name exists".
//! * Failures (timeout, SERVFAIL, REFUSED, unreachable, offline): a comment only. They were
//!   transient, so a replay asks again (offline: "not found (offline)").
//!
//! What is lost: TTLs; answers that contradict each other (an NXDOMAIN for a name that has
//! records of another type, or has records below it, replays as NoData, and a comment says so);
//! a second, different answer to the same query (only the first is kept, the others are
//! comments); values that cannot be written as zone data (a name with an empty label, an
//! address that does not parse), which are comments too. Every NXDOMAIN, NoData and failure
//! is also written as a comment (`; NXDOMAIN sel._domainkey.example.com TXT`) for a reader.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::zone::query_key;
use super::{Answer, AnswerSource, DnsFailure, DnsUse, RecordType, normalize_name};

/// The private-use type of the marker record that makes a NoData name exist.
const EXISTS_TYPE: &str = "TYPE65280";

/// Write the answers used as a zone file. See the module documentation for what replays.
pub fn save_zone(uses: &[DnsUse]) -> String {
    // First answer per query; later different ones are kept as comments.
    let mut first: BTreeMap<(Vec<String>, RecordType), &DnsUse> = BTreeMap::new();
    let mut conflicts: Vec<&DnsUse> = Vec::new();
    for used in uses {
        let key = (sort_key(&used.name), used.rtype);
        match first.get(&key) {
            None => {
                first.insert(key, used);
            }
            Some(kept) if kept.answer == used.answer => {}
            Some(_) => conflicts.push(used),
        }
    }

    // Names that own records in this file, and their ancestors (which replay as existing).
    let mut owners: HashSet<String> = HashSet::new();
    for used in first.values() {
        if let Answer::Records(values) = &used.answer
            && !values.is_empty()
            && zone_name(&used.name).is_some()
        {
            owners.insert(query_key(&used.name));
        }
    }
    let mut ancestors: HashSet<String> = HashSet::new();
    for owner in &owners {
        let mut rest = owner.as_str();
        while let Some((_, parent)) = rest.split_once('.') {
            ancestors.insert(parent.to_string());
            rest = parent;
        }
    }

    let mut out = String::new();
    out.push_str(
        "; mailtrace DNS evidence: the DNS answers an analysis used, as an RFC 1035 zone file.\n\
         ; Replay offline with: mailtrace --offline --dns-zone THIS-FILE ...\n\
         ; An NXDOMAIN name is an $ORIGIN without records; a name that exists without the type\n\
         ; asked owns an empty TYPE65280 record; failures are comments and are asked again.\n\
         $TTL 3600\n",
    );
    let mut origins_written: HashSet<String> = HashSet::new();
    let mut markers_written: HashSet<String> = HashSet::new();
    for used in first.values() {
        out.push('\n');
        let name = &used.name;
        let what = format!("{} {}", comment_text(name), type_name(used.rtype));
        let from = source_text(&used.source);
        let key = query_key(name);
        let Some(owner) = zone_name(name) else {
            let _ = writeln!(
                out,
                "; {} {what} (from {from}): the name cannot be written as zone data",
                answer_word(&used.answer)
            );
            continue;
        };
        match &used.answer {
            Answer::Records(values) if !values.is_empty() => {
                let _ = writeln!(out, "; {what} (from {from})");
                for value in values {
                    match rdata(used.rtype, value) {
                        Some(data) => {
                            let _ = writeln!(out, "{owner} IN {} {data}", type_name(used.rtype));
                        }
                        None => {
                            let _ = writeln!(
                                out,
                                "; unwritable {} value: {}",
                                type_name(used.rtype),
                                comment_text(value)
                            );
                        }
                    }
                }
            }
            Answer::Records(_) | Answer::NoData => {
                let _ = writeln!(out, "; NODATA {what} (from {from})");
                if !owners.contains(&key)
                    && !ancestors.contains(&key)
                    && markers_written.insert(key.clone())
                {
                    let _ = writeln!(out, "{owner} IN {EXISTS_TYPE} \\# 0");
                }
            }
            Answer::NxDomain => {
                let _ = writeln!(out, "; NXDOMAIN {what} (from {from})");
                if owners.contains(&key)
                    || ancestors.contains(&key)
                    || markers_written.contains(&key)
                {
                    let _ = writeln!(
                        out,
                        "; (other answers say this name exists: it replays as NODATA)"
                    );
                }
                if origins_written.insert(key) {
                    let _ = writeln!(out, "$ORIGIN {owner}");
                }
            }
            Answer::Failed(failure) => {
                let _ = writeln!(
                    out,
                    "; FAILED {what}: {} (from {from}); not replayed",
                    failure_text(failure)
                );
            }
        }
    }
    for used in conflicts {
        let _ = writeln!(
            out,
            "\n; ALSO {} {} answered {} (from {}); the first answer above is the one replayed",
            comment_text(&used.name),
            type_name(used.rtype),
            comment_text(&answer_text(&used.answer)),
            source_text(&used.source)
        );
    }
    out
}

/// Canonical DNS order: by labels from the root down, so a domain's names sit together.
fn sort_key(name: &str) -> Vec<String> {
    normalize_name(name)
        .split('.')
        .rev()
        .map(str::to_string)
        .collect()
}

/// The name in zone-file syntax, absolute (trailing dot), every byte outside letters, digits,
/// `-` and `_` escaped as `\DDD`; `None` when it is not a valid name.
fn zone_name(name: &str) -> Option<String> {
    let name = normalize_name(name);
    if name.is_empty() {
        return Some(".".to_string());
    }
    let mut out = String::new();
    let mut wire_len = 1;
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return None;
        }
        wire_len += label.len() + 1;
        for &b in label.as_bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                out.push(b as char);
            } else {
                let _ = write!(out, "\\{b:03}");
            }
        }
        out.push('.');
    }
    (wire_len <= 255).then_some(out)
}

/// A record value as zone-file record data, or `None` when it does not parse.
fn rdata(rtype: RecordType, value: &str) -> Option<String> {
    match rtype {
        RecordType::A => value.trim().parse::<Ipv4Addr>().ok().map(|a| a.to_string()),
        RecordType::Aaaa => value.trim().parse::<Ipv6Addr>().ok().map(|a| a.to_string()),
        RecordType::Mx => {
            let (preference, host) = value.trim().split_once(' ')?;
            let preference: u16 = preference.parse().ok()?;
            Some(format!("{preference} {}", host_name(host.trim())?))
        }
        RecordType::Ptr => host_name(value.trim()),
        RecordType::Txt => Some(txt_data(value)),
    }
}

fn host_name(host: &str) -> Option<String> {
    if host == "." {
        Some(".".to_string())
    } else {
        zone_name(host)
    }
}

/// TXT text as quoted strings of at most 255 bytes; several go in parentheses, one a line.
fn txt_data(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut strings: Vec<String> = bytes.chunks(255).map(quoted).collect();
    if strings.is_empty() {
        strings.push("\"\"".to_string());
    }
    if strings.len() == 1 {
        strings.remove(0)
    } else {
        format!("( {} )", strings.join("\n\t"))
    }
}

fn quoted(chunk: &[u8]) -> String {
    let mut out = String::with_capacity(chunk.len() + 2);
    out.push('"');
    for &b in chunk {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

fn type_name(rtype: RecordType) -> &'static str {
    match rtype {
        RecordType::A => "A",
        RecordType::Aaaa => "AAAA",
        RecordType::Mx => "MX",
        RecordType::Txt => "TXT",
        RecordType::Ptr => "PTR",
    }
}

fn source_text(source: &AnswerSource) -> String {
    comment_text(&match source {
        AnswerSource::Zone(path) => format!("zone {path}"),
        AnswerSource::Live(server) => format!("live {server}"),
        AnswerSource::OfflineMissing => "offline".to_string(),
        AnswerSource::Static => "static data".to_string(),
        AnswerSource::NotAsked => "not asked".to_string(),
    })
}

fn answer_word(answer: &Answer) -> &'static str {
    match answer {
        Answer::Records(v) if !v.is_empty() => "RECORDS",
        Answer::Records(_) | Answer::NoData => "NODATA",
        Answer::NxDomain => "NXDOMAIN",
        Answer::Failed(_) => "FAILED",
    }
}

fn answer_text(answer: &Answer) -> String {
    match answer {
        Answer::Records(values) if !values.is_empty() => values.join(" | "),
        Answer::Failed(failure) => format!("FAILED {}", failure_text(failure)),
        other => answer_word(other).to_string(),
    }
}

fn failure_text(failure: &DnsFailure) -> String {
    match failure {
        DnsFailure::ServFail => "SERVFAIL".to_string(),
        DnsFailure::Timeout => "timeout".to_string(),
        DnsFailure::Refused => "REFUSED".to_string(),
        DnsFailure::Unreachable(note) => note.clone(),
        DnsFailure::Offline => "not found (offline)".to_string(),
        DnsFailure::Budget(text) | DnsFailure::Other(text) => text.clone(),
    }
}

/// Text safe inside a comment: one line, no control characters.
fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_are_escaped() {
        assert_eq!(
            zone_name("Sel._domainkey.Example.com").as_deref(),
            Some("sel._domainkey.example.com.")
        );
        assert_eq!(zone_name("a;b\n.x").as_deref(), Some("a\\059b\\010.x."));
        assert_eq!(zone_name("a..b"), None);
        assert_eq!(zone_name(&"a".repeat(64)), None);
        assert_eq!(quoted(b"a\"b\\c\n"), "\"a\\\"b\\\\c\\010\"");
        assert_eq!(rdata(RecordType::Mx, "0 .").as_deref(), Some("0 ."));
        assert_eq!(rdata(RecordType::A, "not an address"), None);
        let long = "k".repeat(600);
        let data = txt_data(&long);
        assert_eq!(data.matches('"').count(), 6, "{data}");
    }
}
