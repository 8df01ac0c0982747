//! Zone files (`--dns-zone FILE`): DNS answers read from RFC 1035 master files, so that an
//! analysis can run without a network, against keys captured earlier or written by hand.
//!
//! Parsing is the `domain` crate's (`domain::zonefile::inplace`), a maintained scanner that
//! handles `$ORIGIN`, `$TTL`, `$INCLUDE`, `@`, relative names, parentheses, comments, escapes and
//! TXT records made of several quoted strings. This module only turns its records into answers
//! and decides what the zones are authoritative for; it must not grow its own zone-file
//! grammar. The one thing the scanner does not report is which `$ORIGIN` directives it saw, so
//! `lex` finds those lines (and nothing else) to learn what each file claims.
//!
//! # What a zone file answers
//!
//! * A name that owns records in a file (any type, SOA and NS included) is answered from zone
//!   data for every type: its records, a CNAME followed inside the zones, or NoData.
//! * A name absent from the files but at or under a file's *origin* is authoritative: an empty
//!   non-terminal (an ancestor of a name that has records) is NoData, a wildcard `*.` owner
//!   under the closest existing ancestor answers for it (RFC 4592), anything else is NXDOMAIN.
//!   A file's origins are every `$ORIGIN` it declares (even one with no record after it),
//!   the origin given to an `$INCLUDE`, and the owner of every SOA record. The root (`$ORIGIN .`)
//!   never claims authority: no file speaks for the whole DNS.
//! * Any other name is not the zones' to answer ([`ZoneLookup::NotMine`]): a layered resolver
//!   falls through to live DNS or to "not found (offline)".
//!
//! Several files are consulted in load order: the first file that has the queried type (or a
//! CNAME) at a name answers; if none does, the first file that owns the name answers NoData;
//! if no file owns it, the file with the most specific origin covering it decides.
//!
//! Records of other classes than IN, and of types authentication never asks for, make their
//! owner exist but are otherwise ignored. A CNAME beside other data at the same owner is refused
//! when loading (RFC 2181 section 10.1), and CNAME chains are followed for at most
//! [`MAX_CNAME_CHAIN`] links.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use domain::base::iana::Class;
use domain::base::name::{Name, ToName};
use domain::rdata::ZoneRecordData;
use domain::zonefile::inplace::{Entry, ScannedDname, ScannedRecord, Zonefile};

use super::{Answer, AnswerSource, DnsFailure, RecordType, normalize_name};

/// How many CNAME links are followed before the answer is a failure.
pub const MAX_CNAME_CHAIN: usize = 8;

/// How deeply `$INCLUDE` may nest (a guard against include cycles).
const MAX_INCLUDE_DEPTH: usize = 8;

/// A zone file that could not be loaded. Its `Display` is one line:
/// `path:line: what was wrong` (or `path: what was wrong` when no line is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    /// The file, as given.
    pub path: String,
    /// The line (1-based) where the problem was found, when known.
    pub line: Option<usize>,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ZoneError {}

/// What the zones say about one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneLookup {
    /// The zones answer (records, NoData, NXDOMAIN, or a failure such as a CNAME loop).
    Answer(Answer, AnswerSource),
    /// A CNAME in the zones leads out of them: the caller should ask elsewhere for `target`
    /// (the name is normalised: lowercase, no trailing dot).
    Alias {
        /// Where the chain leaves the zones.
        target: String,
        /// The file holding the last CNAME followed.
        via: AnswerSource,
    },
    /// The name is in no zone's data and under no zone's origin.
    NotMine,
}

/// DNS answers from zone files. See the module documentation for what it is authoritative for.
#[derive(Debug, Default, Clone)]
pub struct ZoneResolver {
    files: Vec<ZoneData>,
}

/// The data of one file.
#[derive(Debug, Clone)]
struct ZoneData {
    /// The file, as given (the `AnswerSource::Zone` of its answers).
    source: String,
    /// Owner name (lookup key) to its data.
    names: HashMap<String, NameData>,
    /// Proper ancestors of every owner: they exist as empty non-terminals.
    ancestors: HashSet<String>,
    /// The names this file is authoritative for (with everything under them).
    origins: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct NameData {
    /// Record values by type, in file order, as [`Answer::Records`] shows them.
    rrsets: HashMap<RecordType, Vec<String>>,
    /// The CNAME target (a lookup key), if the name is an alias.
    cname: Option<String>,
    /// Whether the name owns records other than a CNAME (for the CNAME-and-other-data check).
    other_data: bool,
}

/// One step of a lookup inside the zones.
enum Step {
    Answer(Answer, usize),
    Alias(String, usize),
    NotMine,
}

impl ZoneResolver {
    /// No zone at all: every name is [`ZoneLookup::NotMine`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Load each file in order (the first has precedence).
    pub fn from_files<P: AsRef<Path>>(paths: &[P]) -> Result<Self, ZoneError> {
        let mut zones = Self::new();
        for path in paths {
            zones.load(path.as_ref())?;
        }
        Ok(zones)
    }

    /// Load one zone file; its answers name it as given (`AnswerSource::Zone(path)`).
    /// `$INCLUDE` paths are relative to the including file's folder.
    pub fn load(&mut self, path: &Path) -> Result<(), ZoneError> {
        let label = path.display().to_string();
        let text = read(path, &label)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.load_text(&label, &text, &base, None, 0)
    }

    /// Load zone data from a string; `source` names it in answers and errors. `$INCLUDE` paths
    /// are relative to the current directory.
    pub fn load_str(&mut self, source: &str, text: &str) -> Result<(), ZoneError> {
        self.load_text(source, text, Path::new(""), None, 0)
    }

    /// Whether no zone data was loaded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The names the loaded files are authoritative for (normalised, in load order).
    pub fn origins(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for file in &self.files {
            for origin in &file.origins {
                if !out.contains(origin) {
                    out.push(origin.clone());
                }
            }
        }
        out
    }

    /// Look a name up in the zones, following CNAMEs inside them.
    pub fn lookup(&self, name: &str, rtype: RecordType) -> ZoneLookup {
        let start = query_key(name);
        let mut current = start.clone();
        let mut seen: Vec<String> = vec![current.clone()];
        let mut via = None;
        for _ in 0..=MAX_CNAME_CHAIN {
            match self.step(&current, rtype) {
                Step::Answer(answer, file) => return ZoneLookup::Answer(answer, self.source(file)),
                Step::NotMine => {
                    return match via {
                        None => ZoneLookup::NotMine,
                        Some(file) => ZoneLookup::Alias {
                            target: current,
                            via: self.source(file),
                        },
                    };
                }
                Step::Alias(target, file) => {
                    via = Some(file);
                    if seen.contains(&target) {
                        return ZoneLookup::Answer(
                            Answer::Failed(DnsFailure::Other(format!("CNAME loop at {target}"))),
                            self.source(file),
                        );
                    }
                    seen.push(target.clone());
                    current = target;
                }
            }
        }
        ZoneLookup::Answer(
            Answer::Failed(DnsFailure::Other(format!(
                "CNAME chain from {start} longer than {MAX_CNAME_CHAIN} links"
            ))),
            via.map(|f| self.source(f))
                .unwrap_or(AnswerSource::OfflineMissing),
        )
    }

    fn source(&self, file: usize) -> AnswerSource {
        AnswerSource::Zone(
            self.files
                .get(file)
                .map(|f| f.source.clone())
                .unwrap_or_default(),
        )
    }

    /// One name, no CNAME following.
    fn step(&self, key: &str, rtype: RecordType) -> Step {
        // A file that owns the name: the first with this type or a CNAME answers...
        for (i, file) in self.files.iter().enumerate() {
            if let Some(data) = file.names.get(key) {
                if let Some(values) = data.rrsets.get(&rtype) {
                    return Step::Answer(Answer::Records(values.clone()), i);
                }
                if let Some(target) = &data.cname {
                    return Step::Alias(target.clone(), i);
                }
            }
        }
        // ...else the first that owns it says NoData.
        if let Some(i) = self.files.iter().position(|f| f.names.contains_key(key)) {
            return Step::Answer(Answer::NoData, i);
        }
        // Not owned anywhere: the most specific origin covering it decides.
        let mut best: Option<(usize, usize, &str)> = None; // (labels in origin, file, origin)
        for (i, file) in self.files.iter().enumerate() {
            for origin in &file.origins {
                if covers(origin, key) {
                    let depth = label_count(origin);
                    if best.is_none_or(|(d, _, _)| depth > d) {
                        best = Some((depth, i, origin));
                    }
                }
            }
        }
        let Some((_, i, origin)) = best else {
            return Step::NotMine;
        };
        let file = &self.files[i];
        if file.ancestors.contains(key) {
            return Step::Answer(Answer::NoData, i);
        }
        // RFC 4592: the closest encloser is the longest existing ancestor inside the zone (at
        // or under its origin); its `*` child, if any, answers for the name.
        let mut ancestor = parent(key);
        while let Some(candidate) = ancestor.filter(|c| covers(origin, c)) {
            if file.names.contains_key(candidate) || file.ancestors.contains(candidate) {
                let wildcard = if candidate.is_empty() {
                    "*".to_string()
                } else {
                    format!("*.{candidate}")
                };
                if let Some(data) = file.names.get(&wildcard) {
                    if let Some(values) = data.rrsets.get(&rtype) {
                        return Step::Answer(Answer::Records(values.clone()), i);
                    }
                    if let Some(target) = &data.cname {
                        return Step::Alias(target.clone(), i);
                    }
                    return Step::Answer(Answer::NoData, i);
                }
                break;
            }
            ancestor = parent(candidate);
        }
        Step::Answer(Answer::NxDomain, i)
    }

    /// Load one file's text as a new `ZoneData`, then the files it includes.
    fn load_text(
        &mut self,
        label: &str,
        text: &str,
        base: &Path,
        initial_origin: Option<&str>,
        depth: usize,
    ) -> Result<(), ZoneError> {
        // `lex` and the trailing line feed avoid every scanner panic known; this is the last
        // guard, so that a malformed file is an error and never a crash.
        let scanned = std::panic::catch_unwind(|| scan(label, text, base, initial_origin, depth))
            .unwrap_or_else(|_| {
                Err(ZoneError {
                    path: label.to_string(),
                    line: None,
                    message: "the zone-file scanner failed on this file".to_string(),
                })
            });
        let (zone, includes) = scanned?;
        self.files.push(zone);
        for (path, origin) in includes {
            let child = path.display().to_string();
            let text = read(&path, &child)?;
            let child_base = path.parent().map(Path::to_path_buf).unwrap_or_default();
            self.load_text(&child, &text, &child_base, origin.as_deref(), depth + 1)?;
        }
        Ok(())
    }
}

/// The files a zone file includes: (path, origin).
type Includes = Vec<(PathBuf, Option<String>)>;

/// Scan one file's text: its data, and the files it includes.
fn scan(
    label: &str,
    text: &str,
    base: &Path,
    initial_origin: Option<&str>,
    depth: usize,
) -> Result<(ZoneData, Includes), ZoneError> {
    let error = |line: usize, message: String| ZoneError {
        path: label.to_string(),
        line: Some(line),
        message,
    };

    let mut zone = ZoneData {
        source: label.to_string(),
        names: HashMap::new(),
        ancestors: HashSet::new(),
        origins: Vec::new(),
    };
    let mut current_origin: Option<String> = initial_origin.map(str::to_string);
    if let Some(origin) = initial_origin {
        zone.add_origin(origin);
    }
    let lexed = lex(text);
    if let Some(line) = lexed.open_quote {
        return Err(error(
            line,
            "quoted string not closed before the end of the file".to_string(),
        ));
    }
    if let Some(line) = lexed.open_paren {
        return Err(error(
            line,
            "parenthesis not closed before the end of the file".to_string(),
        ));
    }
    for (_line, argument) in lexed.origins {
        if let Some(key) = resolve_origin(&argument, current_origin.as_deref()) {
            zone.add_origin(&key);
            current_origin = Some(key);
        }
    }

    // The scanner needs the last entry to end with a line feed (see `lex`).
    let mut scanner = if text.ends_with('\n') {
        Zonefile::from(text)
    } else {
        Zonefile::from(format!("{text}\n").as_str())
    };
    scanner.set_default_class(Class::IN);
    if let Some(origin) = initial_origin {
        let text = if origin.is_empty() {
            ".".to_string()
        } else {
            format!("{origin}.")
        };
        if let Ok(name) = Name::from_str(&text) {
            scanner.set_origin(name);
        }
    }
    // Where each owner was first defined, for the CNAME-and-other-data message.
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut includes = Vec::new();
    loop {
        let line = entry_line(text, scanner.current_offset());
        let entry = match scanner.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(e) => {
                let (at, message) = error_line(&e.to_string(), line);
                return Err(error(at, explain(&message)));
            }
        };
        match entry {
            Entry::Record(record) => {
                let owner = name_key(record.owner());
                if let Err(message) = zone.add_record(&owner, record) {
                    let first = first_line.get(&owner).copied().unwrap_or(line);
                    return Err(error(
                        line,
                        format!("{message} (first defined on line {first})"),
                    ));
                }
                first_line.entry(owner).or_insert(line);
            }
            Entry::Include { path, origin } => {
                if depth >= MAX_INCLUDE_DEPTH {
                    return Err(error(
                        line,
                        format!("$INCLUDE nested more than {MAX_INCLUDE_DEPTH} deep"),
                    ));
                }
                let origin = match origin {
                    Some(o) => Some(name_key(&o)),
                    None => scanner.origin().ok().map(|o| name_key(&o)),
                };
                includes.push((base.join(path.to_string()), origin));
            }
        }
    }
    Ok((zone, includes))
}

impl ZoneData {
    fn add_origin(&mut self, key: &str) {
        // The root never claims authority.
        if !key.is_empty() && !self.origins.iter().any(|o| o == key) {
            self.origins.push(key.to_string());
        }
    }

    fn add_record(&mut self, owner: &str, record: ScannedRecord) -> Result<(), String> {
        let mut ancestor = parent(owner);
        while let Some(a) = ancestor {
            if !a.is_empty() {
                self.ancestors.insert(a.to_string());
            }
            ancestor = parent(a);
        }
        let in_class = record.class() == Class::IN;
        let data = self.names.entry(owner.to_string()).or_default();
        let (rtype, value) = match record.into_data() {
            ZoneRecordData::A(a) => (RecordType::A, a.addr().to_string()),
            ZoneRecordData::Aaaa(a) => (RecordType::Aaaa, a.addr().to_string()),
            ZoneRecordData::Mx(mx) => (
                RecordType::Mx,
                format!("{} {}", mx.preference(), host_text(mx.exchange())),
            ),
            ZoneRecordData::Txt(txt) => {
                let mut bytes = Vec::new();
                for part in txt.iter() {
                    bytes.extend_from_slice(part);
                }
                (
                    RecordType::Txt,
                    String::from_utf8_lossy(&bytes).into_owned(),
                )
            }
            ZoneRecordData::Ptr(ptr) => (RecordType::Ptr, host_text(ptr.ptrdname())),
            ZoneRecordData::Cname(cname) => {
                if data.other_data {
                    return Err(format!("{owner} has a CNAME beside other data"));
                }
                let target = name_key(cname.cname());
                match &data.cname {
                    Some(existing) if *existing != target => {
                        return Err(format!("{owner} has more than one CNAME"));
                    }
                    _ => data.cname = Some(target),
                }
                return Ok(());
            }
            ZoneRecordData::Soa(_) => {
                data.other_data = true;
                if data.cname.is_some() {
                    return Err(format!("{owner} has a CNAME beside other data"));
                }
                self.add_origin(owner);
                return Ok(());
            }
            _ => {
                data.other_data = true;
                if data.cname.is_some() {
                    return Err(format!("{owner} has a CNAME beside other data"));
                }
                return Ok(());
            }
        };
        data.other_data = true;
        if data.cname.is_some() {
            return Err(format!("{owner} has a CNAME beside other data"));
        }
        if in_class {
            let values = data.rrsets.entry(rtype).or_default();
            if !values.contains(&value) {
                values.push(value);
            }
        }
        Ok(())
    }
}

fn read(path: &Path, label: &str) -> Result<String, ZoneError> {
    let bytes = std::fs::read(path).map_err(|e| ZoneError {
        path: label.to_string(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    // Zone files are ASCII with escapes; stray non-UTF-8 bytes (in comments, say) must not stop
    // the load, and the scanner reports any that matter.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The line of a scanner error, and its message. The scanner (`line:col: message`) reports
/// where it stopped, which for a bad last token is the start of the next line: the line used
/// is never before the entry's first line, and a position at column 1 is taken as the end of
/// the line before.
fn error_line(text: &str, entry_line: usize) -> (usize, String) {
    let mut parts = text.splitn(3, ':');
    let line = parts.next().and_then(|s| s.trim().parse::<usize>().ok());
    let column = parts.next().and_then(|s| s.trim().parse::<usize>().ok());
    match (line, column, parts.next()) {
        (Some(line), Some(column), Some(message)) => {
            let line = if column <= 1 && line > entry_line {
                line - 1
            } else {
                line
            };
            (line.max(entry_line), message.trim().to_string())
        }
        _ => (entry_line, text.to_string()),
    }
}

/// The scanner's terse messages, with the likely cause where it is not obvious.
fn explain(message: &str) -> String {
    let hint = match message {
        "short buffer" => "unexpected end of file (an unclosed quote or parenthesis?)",
        "missing origin" => "relative name but no $ORIGIN in effect",
        "missing last owner" => "indented record but no owner name before it",
        "expected rtype" => "expected a record type (or TTL/class) here",
        "trailing tokens" => "unexpected text after the record data",
        "unexpected end of entry" => "record data missing or incomplete",
        _ => return message.to_string(),
    };
    format!("{message}: {hint}")
}

/// The line of the entry that starts after the scanner's `offset`, skipping what the scanner
/// consumes without returning an entry: blank lines, comments, `$ORIGIN` and `$TTL`. The
/// scanner's offsets count one leading byte of its own, hence the `saturating_sub`.
fn entry_line(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = offset.saturating_sub(1).min(bytes.len());
    let directive = |at: usize| {
        let word = |w: &str| {
            text.get(at..at + w.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(w))
        };
        (at == 0 || bytes[at - 1] == b'\n') && (word("$ORIGIN") || word("$TTL"))
    };
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && (bytes[i] == b';' || directive(i)) {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        break;
    }
    // Stop on the last newline before the record: leading whitespace of its line is its own.
    let end = i.min(bytes.len());
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count()
}

/// What `lex` learns of a master file.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Lexed {
    /// Every `$ORIGIN` directive, as (line, argument text), in order.
    pub origins: Vec<(usize, String)>,
    /// The line of a quote still open at the end of the file.
    pub open_quote: Option<usize>,
    /// The line of a parenthesis still open at the end of the file.
    pub open_paren: Option<usize>,
}

/// Find the `$ORIGIN` directives of a master file, and a quote or parenthesis left open at its
/// end.
///
/// A directive starts a line, outside quotes and parentheses; this tracks just enough of the
/// syntax (quotes, escapes, parentheses, comments) to know where lines really start. Open quotes
/// and parentheses are checked here because `domain` 0.12.3's scanner panics (index out of
/// bounds) when TXT data runs into the end of the file.
pub(crate) fn lex(text: &str) -> Lexed {
    let bytes = text.as_bytes();
    let ends_token = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"');
    let mut out = Lexed::default();
    let mut line = 1;
    let mut i = 0;
    let mut parens = 0usize;
    let mut paren_line = None;
    let mut quote_line = None;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if line_start && b == b'$' {
            let mut end = i + 1;
            while end < bytes.len() && !ends_token(bytes[end]) {
                end += 1;
            }
            if text
                .get(i..end)
                .is_some_and(|w| w.eq_ignore_ascii_case("$ORIGIN"))
            {
                let mut start = end;
                while start < bytes.len() && matches!(bytes[start], b' ' | b'\t') {
                    start += 1;
                }
                let mut stop = start;
                while stop < bytes.len() && !ends_token(bytes[stop]) {
                    stop += if bytes[stop] == b'\\' { 2 } else { 1 };
                }
                let stop = stop.min(bytes.len());
                if let Some(argument) = text.get(start..stop)
                    && !argument.is_empty()
                {
                    out.origins.push((line, argument.to_string()));
                }
                i = stop;
            } else {
                i = end;
            }
            line_start = false;
            continue;
        }
        line_start = false;
        match b {
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    line += 1;
                }
                i += 2;
                continue;
            }
            b'"' => {
                quote_line = match quote_line {
                    None => Some(line),
                    Some(_) => None,
                }
            }
            b'(' if quote_line.is_none() => {
                if parens == 0 {
                    paren_line = Some(line);
                }
                parens += 1;
            }
            b')' if quote_line.is_none() => parens = parens.saturating_sub(1),
            b';' if quote_line.is_none() => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\n' => {
                line += 1;
                line_start = quote_line.is_none() && parens == 0;
            }
            _ => {}
        }
        i += 1;
    }
    out.open_quote = quote_line;
    out.open_paren = if parens > 0 { paren_line } else { None };
    out
}

/// The lookup key of an `$ORIGIN` argument, relative ones completed with the current origin.
fn resolve_origin(argument: &str, current: Option<&str>) -> Option<String> {
    let absolute = argument.ends_with('.') && !argument.ends_with("\\.");
    let full = if absolute {
        argument.to_string()
    } else {
        match current {
            Some("") => format!("{argument}."),
            Some(origin) => format!("{argument}.{origin}."),
            None => return None,
        }
    };
    if full == "." {
        return Some(String::new());
    }
    Name::<Vec<u8>>::from_str(&full).ok().map(|n| name_key(&n))
}

/// The lookup key of a parsed name: presentation format (domain's escapes), lowercase, no
/// trailing dot; the root is the empty string.
pub(crate) fn name_key<N: ToName + ?Sized>(name: &N) -> String {
    let name = name.to_vec();
    if name.is_root() {
        String::new()
    } else {
        name.to_string().to_ascii_lowercase()
    }
}

/// A host name in record data as answers show it: like a key, but the root is `.` (null MX).
fn host_text(name: &ScannedDname) -> String {
    let key = name_key(name);
    if key.is_empty() { ".".to_string() } else { key }
}

/// The lookup key of a queried name: each label escaped exactly as `domain` displays labels,
/// so that keys from text and keys from zone files agree.
pub(crate) fn query_key(name: &str) -> String {
    let name = normalize_name(name);
    let mut out = String::with_capacity(name.len());
    for (i, label) in name.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        for &b in label.as_bytes() {
            match b {
                b' ' | b'\\' => {
                    out.push('\\');
                    out.push(b as char);
                }
                0x21..=0x7e => out.push(b as char),
                _ => out.push_str(&format!("\\{b:03}")),
            }
        }
    }
    out
}

/// The parent of a key (`None` for the root).
fn parent(key: &str) -> Option<&str> {
    if key.is_empty() {
        return None;
    }
    // A dot preceded by a backslash is inside a label.
    let bytes = key.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'.' => return key.get(i + 1..),
            _ => i += 1,
        }
    }
    Some("")
}

fn label_count(key: &str) -> usize {
    let mut n = 0;
    let mut current = Some(key);
    while let Some(k) = current {
        if k.is_empty() {
            break;
        }
        n += 1;
        current = parent(k);
    }
    n
}

/// Whether `origin` is `key` or one of its ancestors.
fn covers(origin: &str, key: &str) -> bool {
    if origin.is_empty() {
        return false;
    }
    key == origin
        || (key.len() > origin.len()
            && key.ends_with(origin)
            && key.as_bytes()[key.len() - origin.len() - 1] == b'.'
            && parent_chain_contains(key, origin))
}

/// Guards `covers` against an escaped dot (`a\.example.com` is not under `example.com`).
fn parent_chain_contains(key: &str, origin: &str) -> bool {
    let mut current = parent(key);
    while let Some(k) = current {
        if k == origin {
            return true;
        }
        if k.len() < origin.len() {
            return false;
        }
        current = parent(k);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(text: &str) -> ZoneResolver {
        let mut z = ZoneResolver::new();
        z.load_str("test.zone", text).expect("zone loads");
        z
    }

    fn answer(z: &ZoneResolver, name: &str, rtype: RecordType) -> Answer {
        match z.lookup(name, rtype) {
            ZoneLookup::Answer(a, _) => a,
            other => panic!("expected an answer, got {other:?}"),
        }
    }

    #[test]
    fn origin_directives_skip_quotes_parens_and_comments() {
        let text = "$ORIGIN a.\nx TXT \"\n$ORIGIN fake.\" ; $ORIGIN no.\ny TXT ( \"1\"\n$ORIGIN fake2. )\n$origin b ; c\n";
        let found = lex(text).origins;
        assert_eq!(
            found,
            vec![(1, "a.".to_string()), (6, "b".to_string())],
            "{found:?}"
        );
    }

    #[test]
    fn keys_from_text_and_zone_agree() {
        assert_eq!(
            query_key("Sel._DomainKey.Example.COM."),
            "sel._domainkey.example.com"
        );
        assert_eq!(query_key("a b.example"), "a\\ b.example");
        assert_eq!(parent("a\\.b.c"), Some("c"));
        assert_eq!(parent("c"), Some(""));
        assert!(covers("example.com", "x.example.com"));
        assert!(!covers("example.com", "xexample.com"));
        assert!(!covers("example.com", "a\\.example.com"));
    }

    #[test]
    fn error_positions() {
        let mut z = ZoneResolver::new();
        let e = z
            .load_str(
                "bad.zone",
                "$ORIGIN example.com.\n@ A 1.2.3.4\nx A 300.1.1.1\n",
            )
            .expect_err("bad address");
        assert_eq!(e.line, Some(3), "{e}");
        let e = z
            .load_str(
                "bad.zone",
                "$ORIGIN example.com.\n\n; c\nx CNAME y\nx TXT \"a\"\n",
            )
            .expect_err("cname and other data");
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.to_string().contains("first defined on line 4"), "{e}");
    }

    #[test]
    fn wildcard_and_empty_non_terminal() {
        let z = zones("$ORIGIN example.com.\n*.w TXT \"wild\"\na.b.c A 192.0.2.1\n");
        assert_eq!(
            answer(&z, "x.w.example.com", RecordType::Txt),
            Answer::Records(vec!["wild".into()])
        );
        assert_eq!(answer(&z, "b.c.example.com", RecordType::A), Answer::NoData);
        assert_eq!(
            answer(&z, "z.c.example.com", RecordType::A),
            Answer::NxDomain
        );
        assert_eq!(z.lookup("example.org", RecordType::A), ZoneLookup::NotMine);

        // A wildcard above an origin does not answer inside it.
        let z = zones("*.example.com. TXT \"wild\"\n$ORIGIN gone.example.com.\n");
        assert_eq!(
            answer(&z, "x.gone.example.com", RecordType::Txt),
            Answer::NxDomain
        );
        assert_eq!(
            answer(&z, "gone.example.com", RecordType::Txt),
            Answer::NxDomain
        );
    }

    /// Mutated zone files must give an error or a zone, never a panic.
    #[test]
    fn malformed_zone_files_never_panic() {
        let seed = "$ORIGIN example.com.\n$TTL 300\n@ IN SOA ns h 1 2 3 4 5\n\
                    sel._domainkey 60 IN TXT ( \"v=DKIM1; \" \"p=abc\\\"\" ) ; c\n\
                    @ MX 10 mx\nmx A 192.0.2.1\n AAAA 2001:db8::1\nw CNAME mx\n\
                    $INCLUDE /nonexistent/x\n\\# 3 \"\\065\" TYPE65280 \\# 0\n$ORIGIN x\\.y.\nb ( 1 ) TXT a\\032b \"\" ; end";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b" \t\n\"();\\$@.*0123456789aAzZ:-_";
        for _ in 0..5000 {
            let mut bytes = seed.as_bytes().to_vec();
            for _ in 0..(1 + next() % 4) {
                let pos = (next() % bytes.len() as u64) as usize;
                match next() % 3 {
                    0 => bytes[pos] = alphabet[(next() % alphabet.len() as u64) as usize],
                    1 => {
                        bytes.remove(pos);
                    }
                    _ => bytes.insert(pos, alphabet[(next() % alphabet.len() as u64) as usize]),
                }
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut z = ZoneResolver::new();
            if z.load_str("fuzz.zone", &text).is_ok() {
                let _ = z.lookup("sel._domainkey.example.com", RecordType::Txt);
                let _ = z.lookup("x.w.example.com", RecordType::A);
            }
        }
    }
}
