//! Writers of batch results: JSON Lines, CSV and a text table, one record at a time.
//!
//! Each writer writes a record whole: a JSON line is serialised first, then written with one
//! `write_all` of the full line (CSV rows are flushed from the csv crate's buffer), so a closed pipe or an interrupt between records
//! never leaves a partial line. Writers compute nothing beyond picking fields.

use std::io::{self, Write};

use comfy_table::{Cell, ContentArrangement, Table};
use serde_json::{Value, json};

use super::Record;
use super::totals::Summary;
use crate::text::escape_terminal;

/// Something that writes batch records.
pub trait Writer {
    /// Write one record.
    fn record(&mut self, record: &Record) -> io::Result<()>;
    /// Write what comes after the last record (the totals, when asked).
    fn finish(&mut self, summary: Option<&Summary>) -> io::Result<()>;
}

/// The `batch` object of a JSON line: where the message came from.
pub fn source_json(record: &Record) -> Value {
    json!({
        "file": record.path.to_string_lossy(),
        "index": record.index,
        "offset": record.offset,
        "flags": record.flags,
    })
}

/// serde_json's compact output, but with U+0085, U+2028 and U+2029 written as `\u` escapes:
/// they are valid in JSON, yet some readers end a line at them (Python's `str.splitlines`, and
/// JavaScript source before ES2019), and a JSON line must be one line to every reader.
struct OneLine;

impl serde_json::ser::Formatter for OneLine {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, found) in fragment.match_indices(['\u{85}', '\u{2028}', '\u{2029}']) {
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let c = found.chars().next().map_or(0, u32::from);
            write!(writer, "\\u{c:04x}")?;
            start = i + found.len();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// `value` as one JSON line (no newline) appended to `out`.
fn one_line<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(out, OneLine))
}

/// One JSON line (with its final newline): the full report plus `"batch"`, or
/// `{"batch": {...}, "error": "..."}`. The report's fields come in the order of `--format json`
/// (docs/JSON.md), `"batch"` last; it is written straight from the report, not through a
/// `serde_json::Value`, which cost a quarter of a batch run.
pub fn json_line(record: &Record) -> Vec<u8> {
    let source = source_json(record);
    let mut line = Vec::with_capacity(16 * 1024);
    let written = match &record.result {
        Ok(report) => one_line(&mut line, report).ok().and_then(|()| {
            // a report is always an object: reopen it to add "batch"
            if line.last() != Some(&b'}') {
                return None;
            }
            line.pop();
            line.extend_from_slice(if line.len() > 1 {
                b",\"batch\":"
            } else {
                b"\"batch\":"
            });
            one_line(&mut line, &source).ok()?;
            line.push(b'}');
            Some(())
        }),
        Err(_) => None,
    };
    if written.is_none() {
        let error = match &record.result {
            Ok(_) => "the report could not be serialised",
            Err(e) => e,
        };
        line.clear();
        let _ = one_line(&mut line, &json!({ "batch": source, "error": error }));
    }
    line.push(b'\n');
    line
}

/// JSON Lines: one report per line; `{"summary": {...}}` as the last line with totals.
pub struct JsonlWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonlWriter<W> {
    /// Write to `out`.
    pub fn new(out: W) -> Self {
        JsonlWriter { out }
    }

    /// Write one whole line. No flush: given whole lines, a `BufWriter` only ever passes whole
    /// lines on (it empties its buffer, which holds whole lines, before a line that does not
    /// fit), so the output never ends in a partial line on a closed pipe or Ctrl-C; flushing
    /// every line cost a system call per message.
    fn line(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }
}

impl<W: Write> Writer for JsonlWriter<W> {
    fn record(&mut self, record: &Record) -> io::Result<()> {
        match &record.json {
            Some(line) => self.line(line),
            None => self.line(&json_line(record)),
        }
    }

    fn finish(&mut self, summary: Option<&Summary>) -> io::Result<()> {
        if let Some(summary) = summary {
            let mut line = Vec::new();
            one_line(&mut line, &json!({ "summary": summary })).map_err(io::Error::other)?;
            line.push(b'\n');
            self.line(&line)?;
        }
        self.out.flush()
    }
}

/// The CSV columns.
pub const CSV_HEADER: [&str; 19] = [
    "file",
    "index",
    "offset",
    "error",
    "from",
    "to",
    "subject",
    "date",
    "message_id",
    "hops",
    "boundary_ip",
    "boundary_host",
    "total_seconds",
    "spf",
    "dmarc",
    "dkim",
    "worst",
    "findings",
    "flags",
];

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or CR first),
/// neutralised with a leading `'`.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The CSV cells of a record (text cells neutralised; numbers written by mailtrace are not).
pub fn csv_row(record: &Record) -> Vec<String> {
    let text = |s: Option<&str>| neutralise(s.unwrap_or_default());
    let mut row = vec![
        neutralise(&record.path.to_string_lossy()),
        record.index.to_string(),
        record.offset.to_string(),
        text(record.error()),
    ];
    match record.report() {
        Some(r) => {
            let m = &r.message;
            row.extend([
                text(m.from.as_deref()),
                text(m.to.as_deref()),
                text(m.subject.as_deref()),
                text(m.date.as_deref()),
                text(m.message_id.as_deref()),
                r.hops.len().to_string(),
                r.boundary
                    .as_ref()
                    .and_then(|b| b.ip)
                    .map(|ip| ip.to_string())
                    .unwrap_or_default(),
                text(r.boundary.as_ref().and_then(|b| b.host.as_deref())),
                r.time
                    .total_seconds
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                r.spf
                    .as_ref()
                    .map(|s| s.result.as_str().to_string())
                    .unwrap_or_default(),
                r.dmarc
                    .as_ref()
                    .map(|d| d.result.as_str().to_string())
                    .unwrap_or_default(),
                r.dkim
                    .iter()
                    .map(|d| d.result.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                r.worst()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                r.findings
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(";"),
            ]);
        }
        None => row.extend(std::iter::repeat_n(String::new(), 14)),
    }
    row.push(text(record.flags.as_deref()));
    row
}

/// CSV: a header, then one row per message.
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    header: bool,
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> CsvWriter<W> {
    /// Write to `out`.
    pub fn new(out: W) -> Self {
        CsvWriter {
            out: csv::Writer::from_writer(out),
            header: false,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.header {
            self.header = true;
            self.out.write_record(CSV_HEADER).map_err(csv_error)?;
        }
        Ok(())
    }
}

impl<W: Write> Writer for CsvWriter<W> {
    fn record(&mut self, record: &Record) -> io::Result<()> {
        self.header()?;
        self.out.write_record(csv_row(record)).map_err(csv_error)?;
        self.out.flush()
    }

    fn finish(&mut self, _summary: Option<&Summary>) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }
}

/// Rows per printed table: the text format holds no more than this many rows in memory.
pub const TEXT_ROWS_PER_TABLE: usize = 1000;

/// Text: a table of the messages (printed every [`TEXT_ROWS_PER_TABLE`] rows), then the totals.
pub struct TextWriter<W: Write> {
    out: W,
    rows: Vec<Vec<String>>,
}

impl<W: Write> TextWriter<W> {
    /// Write to `out`.
    pub fn new(out: W) -> Self {
        TextWriter {
            out,
            rows: Vec::new(),
        }
    }

    fn flush_table(&mut self) -> io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut table = Table::new();
        table
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(
                [
                    "#",
                    "file",
                    "from",
                    "subject",
                    "date",
                    "hops",
                    "delay",
                    "dkim",
                    "spf",
                    "dmarc",
                    "worst",
                    "findings / error",
                ]
                .map(Cell::new),
            );
        for row in self.rows.drain(..) {
            table.add_row(row);
        }
        let mut text = table.to_string();
        text.push('\n');
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }
}

fn shorten(s: &str, max: usize) -> String {
    let s = escape_terminal(s);
    if s.chars().count() <= max {
        return s;
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn text_row(record: &Record) -> Vec<String> {
    let file = record.path.to_string_lossy();
    let mut row = vec![record.index.to_string(), shorten(&file, 40)];
    match &record.result {
        Ok(r) => {
            let m = &r.message;
            row.extend([
                shorten(m.from.as_deref().unwrap_or_default(), 40),
                shorten(m.subject.as_deref().unwrap_or_default(), 40),
                m.date_utc.clone().unwrap_or_default(),
                r.hops.len().to_string(),
                r.time
                    .total_seconds
                    .map(crate::text::human_duration)
                    .unwrap_or_default(),
                r.dkim
                    .iter()
                    .map(|d| d.result.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                r.spf
                    .as_ref()
                    .map(|s| s.result.as_str().to_string())
                    .unwrap_or_default(),
                r.dmarc
                    .as_ref()
                    .map(|d| d.result.as_str().to_string())
                    .unwrap_or_default(),
                r.worst()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                r.findings
                    .iter()
                    .map(|f| f.code)
                    .collect::<Vec<_>>()
                    .join(" "),
            ]);
        }
        Err(e) => {
            row.extend(std::iter::repeat_n(String::new(), 9));
            row.push(shorten(&format!("error: {e}"), 80));
        }
    }
    row
}

impl<W: Write> Writer for TextWriter<W> {
    fn record(&mut self, record: &Record) -> io::Result<()> {
        self.rows.push(text_row(record));
        if self.rows.len() >= TEXT_ROWS_PER_TABLE {
            self.flush_table()?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: Option<&Summary>) -> io::Result<()> {
        self.flush_table()?;
        if let Some(summary) = summary {
            self.out.write_all(summary_text(summary).as_bytes())?;
        }
        self.out.flush()
    }
}

/// The totals as text (for `--format text`, and on standard error with `--format csv`).
pub fn summary_text(s: &Summary) -> String {
    use std::fmt::Write as _;
    let e = |v: &str| escape_terminal(v);
    let counts = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::new();
    let _ = writeln!(out, "\nSummary");
    let _ = writeln!(
        out,
        "  messages {}: analysed {}, errored {}",
        s.messages, s.analysed, s.errored
    );
    if !s.auth_by_domain.is_empty() {
        let _ = writeln!(out, "\nAuthentication by sending domain");
        for (domain, a) in &s.auth_by_domain {
            let _ = writeln!(
                out,
                "  {}: dkim [{}] spf [{}] dmarc [{}]",
                e(domain),
                counts(&a.dkim),
                counts(&a.spf),
                counts(&a.dmarc)
            );
        }
    }
    for (title, unit, map) in [
        (
            "Delivery time by boundary host (seconds)",
            "messages",
            &s.delay_by_boundary_host,
        ),
        ("Hop delay by relay (seconds)", "hops", &s.delay_by_relay),
    ] {
        if map.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}");
        for (host, p) in map {
            let _ = writeln!(
                out,
                "  {}: {} {unit}, p50 {}, p90 {}, p99 {}, max {}",
                e(host),
                p.messages,
                p.p50,
                p.p90,
                p.p99,
                p.max
            );
        }
    }
    for (title, list) in [
        ("Top connecting IPs", &s.top_boundary_ips),
        ("Top sending domains", &s.top_sending_domains),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "\n{title}");
            for c in list {
                let _ = writeln!(out, "  {:>6}  {}", c.messages, e(&c.value));
            }
        }
    }
    if !s.findings_by_rule.is_empty() {
        let _ = writeln!(out, "\nFindings by rule");
        for r in &s.findings_by_rule {
            let _ = writeln!(out, "  {:>6}  {} {}", r.count, r.code, r.name);
        }
    }
    if !s.dkim_keys.is_empty() {
        let _ = writeln!(out, "\nDKIM keys by signing domain");
        for (domain, keys) in &s.dkim_keys {
            let change = if keys.len() > 1 { " (key change)" } else { "" };
            let _ = writeln!(out, "  {}{change}", e(domain));
            for k in keys {
                let _ = writeln!(
                    out,
                    "    s={} {} {} bits, {} signatures, {} .. {}",
                    e(&k.selector),
                    e(&k.algorithm),
                    k.key_bits.map_or("?".to_string(), |b| b.to_string()),
                    k.messages,
                    k.first_seen.as_deref().unwrap_or("?"),
                    k.last_seen.as_deref().unwrap_or("?")
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("@SUM"), "'@SUM");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("hello"), "hello");
        assert_eq!(neutralise(""), "");
    }
}
