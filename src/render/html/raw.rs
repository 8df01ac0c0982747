//! The raw header block of the extracted message, with each finding's evidence span wrapped in
//! a `<mark>`. Works on bytes and decodes lossily: spans are byte offsets that may fall inside
//! a character, out of range, or overlap; none of that may panic or break the markup. Overlapping
//! spans are merged into one mark (every evidence number still gets its anchor inside it);
//! spans outside the header block are left out. Very long lines are clipped with a visible note,
//! and the whole view is capped, so the page stays small and the work linear.
//!
//! Each Received field carries a "hop N" tag (the block runs newest first, hops oldest first),
//! and each mark the codes of its findings; both sit in a gutter left of the text, so the first
//! line of a field stays aligned with its continuation lines.

use std::collections::HashMap;

use serde::Serialize;

use super::{Marker, escape_into, safe, thousands};
use minijinja::value::Value;

/// Longest part of one line shown; the rest is replaced by "… N more bytes".
pub(super) const MAX_LINE_BYTES: usize = 2_000;
/// Most bytes of escaped header text shown in all (escaping and markers count).
pub(super) const MAX_BLOCK_BYTES: usize = 256 * 1024;

/// One evidence span to mark: its evidence number `k`, the finding it belongs to.
#[derive(Debug, Clone)]
pub(super) struct Span {
    pub k: usize,
    pub finding: usize,
    pub code: &'static str,
    pub start: usize,
    pub end: usize,
}

/// A piece of the raw view, in order.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(super) enum Segment {
    /// Escaped text (a safe value).
    Text { html: Value },
    /// A mark opens: `id` is the first evidence number in it, `also` the other numbers merged
    /// into it, `findings` the findings it links back to (number, code).
    Open {
        id: usize,
        also: Vec<usize>,
        findings: Vec<(usize, &'static str)>,
        /// The hop of the Received field the mark opens at the start of.
        hop: Option<usize>,
        /// The hop's tag links to its row (the row is on the page).
        hop_link: bool,
    },
    /// A Received field starts here (no mark opens with it): its hop's tag, a link to its
    /// row when `link`.
    Hop { hop: usize, link: bool },
    /// The mark closes.
    Close,
    /// Part of a line left out.
    Clip { more: String },
}

/// The raw view.
#[derive(Debug, Serialize)]
pub(super) struct RawView {
    pub segments: Vec<Segment>,
    /// Bytes of the header block.
    pub header_bytes: usize,
    /// Lines clipped.
    pub clipped_lines: usize,
    /// Bytes of the header block beyond [`MAX_BLOCK_BYTES`], not shown.
    pub hidden_bytes: usize,
    /// Bytes after the header block (the body), not shown.
    pub body_bytes: usize,
}

/// Where the header block ends: after the CRLF of its last field (the empty line is not
/// part of it), or the whole message when there is no empty line.
pub(super) fn header_block_len(message: &[u8]) -> usize {
    if let Some(p) = memchr::memmem::find(message, b"\r\n\r\n") {
        return p + 2;
    }
    if let Some(p) = memchr::memmem::find(message, b"\n\n") {
        return p + 1;
    }
    message.len()
}

/// One header field of the block: its name as written and its byte range (continuation
/// lines and the final line break included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Field {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// The header fields of `message`'s header block, top to bottom. A line that starts with a
/// space or tab continues the field before it; a line without a colon is a field of its own
/// with no name (it is still counted, so positions stay true).
pub(super) fn fields(message: &[u8]) -> Vec<Field> {
    let block = &message[..header_block_len(message)];
    let mut out: Vec<Field> = Vec::new();
    let mut at = 0;
    while at < block.len() {
        let end = memchr::memchr(b'\n', &block[at..])
            .map(|p| at + p + 1)
            .unwrap_or(block.len());
        let line = &block[at..end];
        match (line.first(), out.last_mut()) {
            (Some(b' ' | b'\t'), Some(last)) => last.end = end,
            _ => {
                let name = memchr::memchr(b':', line)
                    .map(|p| String::from_utf8_lossy(&line[..p]).trim().to_string())
                    .unwrap_or_default();
                out.push(Field {
                    name,
                    start: at,
                    end,
                });
            }
        }
        at = end;
    }
    out
}

/// The hop of each Received field start, when the block holds exactly `hops` of them (hop 1
/// is the bottom-most): `(byte offset, hop)`, in block order.
pub(super) fn received_starts(fields: &[Field], hops: usize) -> Vec<(usize, usize)> {
    let received: Vec<usize> = fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("Received"))
        .map(|f| f.start)
        .collect();
    if received.len() != hops {
        return Vec::new();
    }
    received
        .into_iter()
        .enumerate()
        .map(|(i, start)| (start, hops - i))
        .collect()
}

/// The header fields with what the page asks of them, made once per page so that each
/// question costs a binary search, not a walk over every field: a message may carry
/// thousands of fields and a finding per field.
pub(super) struct FieldIndex {
    /// The fields, top to bottom (as [`fields`] gives them).
    pub fields: Vec<Field>,
    /// For each name, ASCII-lowercased, the positions in `fields` of the fields so named.
    by_name: HashMap<String, Vec<usize>>,
    /// `(byte offset, hop)` of each Received field start, as [`received_starts`] gives them.
    pub received: Vec<(usize, usize)>,
}

impl FieldIndex {
    /// The index of `message`'s header block, for a report of `hops` hops.
    pub fn new(message: &[u8], hops: usize) -> Self {
        let fields = fields(message);
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            by_name
                .entry(f.name.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        let received = received_starts(&fields, hops);
        FieldIndex {
            fields,
            by_name,
            received,
        }
    }

    /// The field byte `pos` falls in, with its position in `fields`.
    pub fn field_at(&self, pos: usize) -> Option<(usize, &Field)> {
        let at = self
            .fields
            .partition_point(|f| f.start <= pos)
            .checked_sub(1)?;
        self.fields.get(at).filter(|f| pos < f.end).map(|f| (at, f))
    }

    /// How many fields are named `name` (ASCII case-insensitively) among the first `upto`,
    /// and in all.
    pub fn count_named(&self, name: &str, upto: usize) -> (usize, usize) {
        match self.by_name.get(&name.to_ascii_lowercase()) {
            Some(at) => (at.partition_point(|&i| i < upto), at.len()),
            None => (0, 0),
        }
    }

    /// The first field named `name` (ASCII case-insensitively).
    pub fn first_named(&self, name: &str) -> Option<&Field> {
        let at = *self.by_name.get(&name.to_ascii_lowercase())?.first()?;
        self.fields.get(at)
    }

    /// Received fields in the block (whether or not they match the report's hops).
    pub fn received_fields(&self) -> usize {
        self.by_name.get("received").map_or(0, Vec::len)
    }

    /// The hop of the Received field that starts at byte `start`.
    pub fn hop_at(&self, start: usize) -> Option<usize> {
        let i = self
            .received
            .binary_search_by_key(&start, |(s, _)| *s)
            .ok()?;
        Some(self.received[i].1)
    }
}

/// Move `pos` back to the start of the UTF-8 character it falls in (at most 3 bytes), so that
/// a cut does not split a character when the text is UTF-8.
fn snap(bytes: &[u8], pos: usize) -> usize {
    let mut p = pos.min(bytes.len());
    let floor = p.saturating_sub(3);
    while p > floor && p < bytes.len() && (bytes[p] & 0xC0) == 0x80 {
        p -= 1;
    }
    p
}

/// A group of overlapping spans: one mark.
struct Group {
    start: usize,
    end: usize,
    ids: Vec<usize>,
    findings: Vec<(usize, &'static str)>,
}

/// The evidence numbers that got a mark (or an anchor inside one), and the view.
/// `hop_starts` are the Received field starts with their hops ([`received_starts`]): each
/// gets its hop's tag, a link when `linked` says the page lists that hop.
pub(super) fn build(
    message: &[u8],
    spans: &[Span],
    hop_starts: &[(usize, usize)],
    linked: impl Fn(usize) -> bool,
) -> (RawView, Vec<usize>) {
    let block_end = header_block_len(message);
    let block = &message[..block_end];
    let mut next_hop = 0;

    // the spans that fall in the header block, clamped and snapped, merged where they overlap
    let mut valid: Vec<Span> = spans
        .iter()
        .filter_map(|s| {
            let start = snap(block, s.start);
            let end = snap(block, s.end.min(block_end));
            (start < end && s.start < block_end).then(|| Span {
                start,
                end,
                ..s.clone()
            })
        })
        .collect();
    valid.sort_by_key(|s| (s.start, s.end, s.k));
    let mut groups: Vec<Group> = Vec::new();
    for s in valid {
        match groups.last_mut() {
            Some(g) if s.start < g.end => {
                g.end = g.end.max(s.end);
                g.ids.push(s.k);
                if !g.findings.iter().any(|(n, _)| *n == s.finding) {
                    g.findings.push((s.finding, s.code));
                }
            }
            _ => groups.push(Group {
                start: s.start,
                end: s.end,
                ids: vec![s.k],
                findings: vec![(s.finding, s.code)],
            }),
        }
    }
    let mut marked: Vec<usize> = groups.iter().flat_map(|g| g.ids.clone()).collect();
    marked.sort_unstable();

    let mut w = Writer {
        block,
        groups,
        next: 0,
        open: false,
        segments: Vec::new(),
        text: String::new(),
        written: 0,
        pending_hop: None,
    };
    let mut clipped_lines = 0;
    let mut line_start = 0;
    while line_start < block_end && w.written < MAX_BLOCK_BYTES {
        let line_end = memchr::memchr(b'\n', &block[line_start..])
            .map(|p| line_start + p + 1)
            .unwrap_or(block_end);
        let mut content_end = line_end;
        if block[line_start..content_end].ends_with(b"\n") {
            content_end -= 1;
        }
        if block[line_start..content_end].ends_with(b"\r") {
            content_end -= 1;
        }
        // a Received field starts on this line: its hop's tag, on the mark that opens here
        // when there is one
        while hop_starts
            .get(next_hop)
            .is_some_and(|(at, _)| *at < line_start)
        {
            next_hop += 1;
        }
        if let Some((_, hop)) = hop_starts.get(next_hop).filter(|(at, _)| *at == line_start) {
            next_hop += 1;
            if !w.open && w.next_event() == Some(line_start) {
                w.pending_hop = Some((*hop, linked(*hop)));
            } else {
                w.flush();
                w.segments.push(Segment::Hop {
                    hop: *hop,
                    link: linked(*hop),
                });
            }
        }
        let visible_end = if content_end - line_start > MAX_LINE_BYTES {
            snap(block, line_start + MAX_LINE_BYTES)
        } else {
            content_end
        };
        w.text_until(line_start, visible_end);
        if visible_end < content_end {
            clipped_lines += 1;
            w.flush();
            w.segments.push(Segment::Clip {
                more: thousands(content_end - visible_end),
            });
            w.events_before(content_end);
        }
        // the line break itself: marks that end on it close before it
        w.events_before(line_end);
        if line_end > content_end {
            w.text.push('\n');
            w.written += 1;
        }
        line_start = line_end;
    }
    let hidden_bytes = block_end - line_start.min(block_end);
    // whatever lies beyond what is shown: marks still open close, marks there open empty
    w.events_before(usize::MAX);
    w.flush();
    let view = RawView {
        segments: w.segments,
        header_bytes: block_end,
        clipped_lines,
        hidden_bytes,
        body_bytes: message.len() - block_end,
    };
    (view, marked)
}

/// Turns byte ranges and mark boundaries into segments, in order.
struct Writer<'a> {
    block: &'a [u8],
    groups: Vec<Group>,
    /// The next group whose opening (or closing, when `open`) is due.
    next: usize,
    open: bool,
    segments: Vec<Segment>,
    /// Escaped text not yet pushed as a segment.
    text: String,
    /// Bytes of escaped text made so far (what the page will hold).
    written: usize,
    /// The hop tag for the mark about to open, and whether it links.
    pending_hop: Option<(usize, bool)>,
}

impl Writer<'_> {
    /// The position of the next mark boundary.
    fn next_event(&self) -> Option<usize> {
        let g = self.groups.get(self.next)?;
        Some(if self.open { g.end } else { g.start })
    }

    /// Emit the mark boundary that is due.
    fn event(&mut self) {
        self.flush();
        let Some(g) = self.groups.get(self.next) else {
            return;
        };
        if self.open {
            self.segments.push(Segment::Close);
            self.open = false;
            self.next += 1;
        } else {
            let hop = self.pending_hop.take();
            self.segments.push(Segment::Open {
                id: g.ids[0],
                also: g.ids[1..].to_vec(),
                findings: g.findings.clone(),
                hop: hop.map(|(h, _)| h),
                hop_link: hop.is_some_and(|(_, l)| l),
            });
            self.open = true;
        }
    }

    /// Every mark boundary before `pos`.
    fn events_before(&mut self, pos: usize) {
        while self.next_event().is_some_and(|e| e < pos) {
            self.event();
        }
    }

    /// Text of `[from, to)`, with the mark boundaries that fall in it.
    fn text_until(&mut self, from: usize, to: usize) {
        let mut at = from;
        while let Some(e) = self.next_event().filter(|&e| e < to) {
            if e > at {
                self.push_text(at, e);
                at = e;
            }
            self.event();
        }
        if to > at {
            self.push_text(at, to);
        }
    }

    fn push_text(&mut self, from: usize, to: usize) {
        let text = String::from_utf8_lossy(&self.block[from..to]);
        let before = self.text.len();
        escape_into(&mut self.text, &text, Marker::Html);
        self.written += self.text.len() - before;
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            let html = std::mem::take(&mut self.text);
            self.segments.push(Segment::Text { html: safe(html) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The view with no hops to tag.
    fn build(message: &[u8], spans: &[Span]) -> (RawView, Vec<usize>) {
        super::build(message, spans, &[], |_| true)
    }

    /// The view with the Received fields tagged for a report of `hops` hops.
    fn build_with_hops(message: &[u8], spans: &[Span], hops: usize) -> (RawView, Vec<usize>) {
        let index = FieldIndex::new(message, hops);
        super::build(message, spans, &index.received, |h| h != 1)
    }

    fn span(k: usize, finding: usize, start: usize, end: usize) -> Span {
        Span {
            k,
            finding,
            code: "TST001",
            start,
            end,
        }
    }

    /// The view as one string: text as is, marks as `[id+also>` and `<]`, clips as `{n}`.
    fn flat(view: &RawView) -> String {
        let mut out = String::new();
        for s in &view.segments {
            match s {
                Segment::Text { html } => out.push_str(html.as_str().unwrap_or_default()),
                Segment::Open {
                    id,
                    also,
                    hop,
                    hop_link,
                    ..
                } => {
                    if let Some(h) = hop {
                        let link = if *hop_link { "" } else { " unlinked" };
                        out.push_str(&format!("(hop {h}{link})"));
                    }
                    out.push_str(&format!("[{id}"));
                    for a in also {
                        out.push_str(&format!("+{a}"));
                    }
                    out.push('>');
                }
                Segment::Close => out.push_str("<]"),
                Segment::Hop { hop, link } => {
                    let link = if *link { "" } else { " unlinked" };
                    out.push_str(&format!("(hop {hop}{link})"))
                }
                Segment::Clip { more } => out.push_str(&format!("{{{more}}}")),
            }
        }
        out
    }

    const MSG: &[u8] = b"A: 1\r\nB: <b>\r\n\tcont\r\n\r\nbody <script>\r\n";

    #[test]
    fn header_block_only_with_marks() {
        // "B: <b>\r\n\tcont\r\n" is bytes 6..21
        let (view, marked) = build(MSG, &[span(1, 1, 6, 21)]);
        assert_eq!(flat(&view), "A: 1\n[1>B: &lt;b&gt;\n\tcont\n<]");
        assert_eq!(marked, vec![1]);
        assert_eq!(view.header_bytes, 21);
        assert_eq!(view.body_bytes, MSG.len() - 21);
    }

    #[test]
    fn overlapping_spans_merge_and_keep_every_anchor() {
        let (view, marked) = build(
            MSG,
            &[span(1, 1, 0, 8), span(2, 2, 3, 12), span(3, 2, 15, 19)],
        );
        assert_eq!(flat(&view), "[1+2>A: 1\nB: &lt;b&gt;<]\n\t[3>cont<]\n");
        assert_eq!(marked, vec![1, 2, 3]);
    }

    #[test]
    fn out_of_range_empty_and_body_spans_are_left_out() {
        let (view, marked) = build(
            MSG,
            &[
                span(1, 1, 5, 5),
                span(2, 1, 9, 3),
                span(3, 1, 30, 40),
                span(4, 1, 1_000, 2_000),
                span(5, 1, usize::MAX - 1, usize::MAX),
            ],
        );
        assert_eq!(flat(&view), "A: 1\nB: &lt;b&gt;\n\tcont\n");
        assert!(marked.is_empty());
    }

    #[test]
    fn spans_inside_a_character_do_not_panic() {
        let msg = "S: h\u{e9}llo \u{202E}x\r\n\r\n".as_bytes();
        for start in 0..msg.len() {
            for end in start..msg.len() + 2 {
                let (view, _) = build(msg, &[span(1, 1, start, end)]);
                let text = flat(&view);
                assert!(!text.contains('\u{202E}'), "{text}");
            }
        }
        let (view, _) = build(msg, &[span(1, 1, 5, 8)]); // starts inside é
        assert_eq!(
            flat(&view),
            "S: h[1>\u{e9}ll<]o <span class=\"invisible\">⟨U+202E⟩</span>x\n"
        );
    }

    #[test]
    fn long_lines_are_clipped_with_the_count() {
        let mut msg = b"X-Long: ".to_vec();
        msg.extend(std::iter::repeat_n(b'a', 1_050_000 - 8));
        msg.extend_from_slice(b"\r\nY: 1\r\n\r\n");
        let (view, marked) = build(&msg, &[span(1, 1, 0, msg.len() - 2)]);
        let text = flat(&view);
        assert!(text.starts_with("[1>X-Long: aaa"));
        assert!(text.contains("{1,048,000}"), "{}", &text[text.len() - 80..]);
        assert!(text.ends_with("\nY: 1\n<]"), "{}", &text[text.len() - 80..]);
        assert!(text.len() < MAX_LINE_BYTES + 100);
        assert_eq!(view.clipped_lines, 1);
        assert_eq!(marked, vec![1]);
    }

    #[test]
    fn a_huge_block_is_capped_and_marks_beyond_still_close() {
        let mut msg = Vec::new();
        for i in 0..40_000 {
            msg.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        let total = msg.len();
        msg.extend_from_slice(b"\r\n");
        let (view, marked) = build(
            &msg,
            &[span(1, 1, 10, total - 5), span(2, 1, total - 3, total)],
        );
        assert!(view.hidden_bytes > 0);
        let text = flat(&view);
        assert!(text.len() < MAX_BLOCK_BYTES + 1_000);
        assert_eq!(text.matches("<]").count(), 2);
        assert_eq!(marked, vec![1, 2]);
    }

    #[test]
    fn no_header_block_break_means_all_headers() {
        let (view, _) = build(b"A: 1\r\nB: 2", &[]);
        assert_eq!(flat(&view), "A: 1\nB: 2");
        assert_eq!(view.body_bytes, 0);
    }

    #[test]
    fn invisible_floods_are_capped_by_what_the_page_holds() {
        let mut msg = Vec::new();
        for _ in 0..2_000 {
            msg.extend_from_slice(b"X: ");
            msg.extend_from_slice("\u{200B}".repeat(600).as_bytes());
            msg.extend_from_slice(b"\r\n");
        }
        msg.extend_from_slice(b"\r\n");
        let (view, _) = build(&msg, &[]);
        let text = flat(&view);
        assert!(text.len() < MAX_BLOCK_BYTES + 64 * 1_024, "{}", text.len());
        assert!(view.hidden_bytes > 0);
    }

    #[test]
    fn received_fields_are_tagged_with_their_hop_newest_first() {
        let msg = b"Received: from b by c; x\r\n\tcont\r\nX: 1\r\nReceived: from a by b; y\r\n\r\nbody\r\n";
        // the first Received (bytes 0..33) is evidence: its tag rides on the mark
        // (hop 1 is not on the page here: its tag is no link)
        let (view, _) = build_with_hops(msg, &[span(1, 1, 0, 33)], 2);
        assert_eq!(
            flat(&view),
            "(hop 2)[1>Received: from b by c; x\n\tcont\n<]X: 1\n(hop 1 unlinked)Received: from a by b; y\n"
        );
        // a count that does not match the report's hops tags nothing
        let (view, _) = build_with_hops(msg, &[], 3);
        assert!(!flat(&view).contains("(hop"));
        let f = fields(msg);
        assert_eq!(
            f.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["Received", "X", "Received"]
        );
        assert_eq!((f[0].start, f[0].end), (0, 33));
        assert_eq!(received_starts(&f, 2), vec![(0, 2), (39, 1)]);
        let index = FieldIndex::new(msg, 2);
        assert_eq!(index.received_fields(), 2);
        assert_eq!(
            (index.hop_at(0), index.hop_at(39), index.hop_at(33)),
            (Some(2), Some(1), None)
        );
        assert_eq!(
            index.field_at(35).map(|(i, f)| (i, f.name.as_str())),
            Some((1, "X"))
        );
        assert_eq!(index.count_named("RECEIVED", 2), (1, 2));
        assert_eq!(index.count_named("received", 3), (2, 2));
        assert_eq!(index.count_named("Nope", 3), (0, 0));
        assert_eq!(index.first_named("x").map(|f| f.start), Some(33));
    }
}
