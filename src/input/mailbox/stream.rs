//! Byte streams over mailbox files: gzip recognised by its magic bytes and decompressed on the
//! fly, and a line reader with push-back that knows the byte offset of what it hands out.
//!
//! It must not read a whole file: lines are read in bounded chunks and only bytes the mbox
//! splitter asked for are held.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

/// The read buffer of a mailbox file.
const BUFFER: usize = 256 * 1024;

/// A readable stream of a file's (decompressed) bytes.
pub(super) type Stream = Box<dyn BufRead + Send>;

/// Opens a file, decompressing it when it starts with the gzip magic bytes (whatever its
/// name): `.mbox.gz`, `.gz`, or a gzip-compressed Maildir file.
pub(super) fn open(path: &Path) -> io::Result<Stream> {
    let file = File::open(path)?;
    let mut raw = BufReader::with_capacity(BUFFER, file);
    let head = raw.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            BUFFER,
            MultiGzDecoder::new(raw),
        )))
    } else {
        Ok(Box::new(raw))
    }
}

/// The first bytes of a stream, up to `n`, without consuming them (fewer at the end of the
/// stream or, rarely, when one read of the decompressor gives fewer).
pub(super) fn peek(stream: &mut Stream, n: usize) -> io::Result<Vec<u8>> {
    let head = stream.fill_buf()?;
    Ok(head[..head.len().min(n)].to_vec())
}

/// A line reader with push-back; `offset` is the position of the next byte it will hand out.
pub(super) struct Lines {
    inner: Stream,
    back: Vec<u8>,
    back_pos: usize,
    offset: u64,
}

impl Lines {
    pub(super) fn new(inner: Stream) -> Self {
        Self {
            inner,
            back: Vec::new(),
            back_pos: 0,
            offset: 0,
        }
    }

    /// The offset of the next byte to be read.
    pub(super) fn offset(&self) -> u64 {
        self.offset
    }

    /// Appends the next line (with its line end) to `out`, or its first `limit` bytes when it
    /// is longer; returns how many bytes were appended (0 at the end of the stream).
    pub(super) fn read_line(&mut self, out: &mut Vec<u8>, limit: usize) -> io::Result<usize> {
        let mut taken = 0;
        if self.back_pos < self.back.len() {
            let rest = &self.back[self.back_pos..];
            let (len, complete) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) if i < limit => (i + 1, true),
                _ => (rest.len().min(limit), rest.len() >= limit),
            };
            out.extend_from_slice(&rest[..len]);
            self.consume_back(len);
            taken = len;
            if complete {
                return Ok(taken);
            }
        }
        let n = (&mut self.inner)
            .take((limit - taken) as u64)
            .read_until(b'\n', out)?;
        self.offset += n as u64;
        Ok(taken + n)
    }

    /// Appends the next `n` bytes (fewer at the end of the stream) to `out`; returns how many.
    pub(super) fn read_bytes(&mut self, out: &mut Vec<u8>, n: u64) -> io::Result<u64> {
        let mut taken = 0u64;
        if self.back_pos < self.back.len() {
            let rest = &self.back[self.back_pos..];
            let len = rest.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            out.extend_from_slice(&rest[..len]);
            self.consume_back(len);
            taken = len as u64;
        }
        if taken < n {
            let got = (&mut self.inner).take(n - taken).read_to_end(out)? as u64;
            self.offset += got;
            taken += got;
        }
        Ok(taken)
    }

    /// Puts bytes back in front of the stream: they are read again next.
    pub(super) fn unread(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let mut back = Vec::with_capacity(bytes.len() + self.back.len() - self.back_pos);
        back.extend_from_slice(bytes);
        back.extend_from_slice(&self.back[self.back_pos..]);
        self.back = back;
        self.back_pos = 0;
        self.offset = self.offset.saturating_sub(bytes.len() as u64);
    }

    fn consume_back(&mut self, len: usize) {
        self.back_pos += len;
        self.offset += len as u64;
        if self.back_pos >= self.back.len() {
            self.back = Vec::new();
            self.back_pos = 0;
        }
    }
}
