//! Mailbox exports: mbox (mboxo, mboxrd, mboxcl2; Google Takeout and Thunderbird files;
//! `.mbox.gz`), Maildir and Maildir++, and folders of .eml files, read as a stream of messages.
//!
//! Why: an incident brings a 5 GB mbox or a whole Maildir, and every message in it has to
//! reach the analyser, in a stable order, each one saying where it came from.
//!
//! Streaming: nothing reads a whole mbox into memory; one message at a time is held (at most
//! [`OpenOptions::max_message_bytes`]; a larger one is read through and yielded as an error).
//! Directories are listed one at a time, as they are reached.
//!
//! Nothing is lost: every message found, readable or not, is yielded once, in order. What
//! cannot be read (a missing path, a permission error, an I/O or gzip error, a dangling
//! symlink in a Maildir) is yielded as an item whose `bytes` is `Err("cannot read PATH: ...")`.
//! A message that is not a message (no header block, truncated, empty file in a Maildir or an
//! .eml folder) is yielded with its bytes: judging it is the analyser's job. An empty mbox file
//! holds no message and yields nothing.
//!
//! Formats (see [`detect`]; a forced format applies to every path of the run):
//! - mbox: see `mbox.rs` for separators, `>From ` unquoting (mboxrd rule) and Content-Length.
//! - Maildir / Maildir++: the messages of `cur/` and `new/` (`tmp/` is ignored), sorted by file
//!   name, then the subfolders: Maildir++ `.Folder` and `.Folder.Sub` directories, and nested
//!   directories that are Maildirs themselves, sorted by name and read the same way. Dotfiles
//!   are ignored. Flags come from the info part of the name, `:2,FLAGS` (also `!2,` and `;2,`,
//!   used where `:` is not allowed in names); `,S=`/`,W=` size tags are left alone.
//! - .eml folders: every regular file whose name does not start with `.`, recursively, sorted
//!   by name; when the format is detected, each file is detected too (an mbox in the folder is
//!   split) and a subdirectory that is a Maildir is read as one.
//! - Any file starting with the gzip magic bytes is decompressed as it is read.
//!
//! Directory symlinks are followed, but a directory already visited in the walk of one path
//! (by canonical path) is not entered again, so symlink loops end. Files other than regular
//! ones (FIFOs, devices, sockets) met inside a directory are skipped: reading them could block.
//!
//! This module must not analyse messages or change their bytes beyond removing the mbox
//! envelope and unquoting `>From ` lines.

mod mbox;
mod stream;

use std::collections::{HashSet, VecDeque};
use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A mailbox format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailboxFormat {
    /// An mbox file (any variant; `>From ` quoting handled per variant).
    Mbox,
    /// A Maildir or Maildir++ tree.
    Maildir,
    /// A folder of .eml files (recursive), or one .eml file.
    Eml,
}

/// One message found in a mailbox, or the error that stopped it being read.
#[derive(Debug, Clone)]
pub struct MailboxItem {
    /// The file it came from (the directory, when a directory could not be listed).
    pub path: PathBuf,
    /// 0-based index of the item in the whole run (input order; errors count too).
    pub index: usize,
    /// Byte offset of the message in its (decompressed) file: of its envelope `From ` line in
    /// an mbox, 0 for one-message files.
    pub offset: u64,
    /// The message bytes (mbox envelope line and the empty line before the next one removed,
    /// `>From ` unquoted), or why it could not be read.
    pub bytes: Result<Vec<u8>, String>,
    /// Maildir flags (`S`, `R`, `F`..., and lowercase keyword letters) from the file name,
    /// as written there; `None` when the name has no flags.
    pub flags: Option<String>,
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The largest message held in memory; a larger one is yielded as an error.
    pub max_message_bytes: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            max_message_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Messages of the mailboxes at these paths, in order; `format` forces a format.
pub fn open(
    paths: &[PathBuf],
    format: Option<MailboxFormat>,
) -> Box<dyn Iterator<Item = MailboxItem> + Send> {
    open_with(paths, format, &OpenOptions::default())
}

/// [`open`] with settings.
pub fn open_with(
    paths: &[PathBuf],
    format: Option<MailboxFormat>,
    options: &OpenOptions,
) -> Box<dyn Iterator<Item = MailboxItem> + Send> {
    let entries = paths
        .iter()
        .map(|p| Entry {
            path: p.clone(),
            kind: Kind::Top,
        })
        .collect();
    Box::new(Run {
        stack: vec![Task::Queue(entries)],
        forced: format,
        max: options.max_message_bytes.max(1),
        visited: HashSet::new(),
        index: 0,
    })
}

/// The format of a path, detected: a directory with `cur/` or `new/` is a Maildir, another
/// directory a folder of .eml files; a file starting with `From ` (after gzip decompression)
/// is an mbox, any other file one message. `None` when the path cannot be read.
pub fn detect(path: &Path) -> Option<MailboxFormat> {
    let meta = fs::metadata(path).ok()?;
    if meta.is_dir() {
        return Some(if is_maildir(path) {
            MailboxFormat::Maildir
        } else {
            MailboxFormat::Eml
        });
    }
    let mut s = stream::open(path).ok()?;
    let head = stream::peek(&mut s, 5).ok()?;
    Some(if head.starts_with(b"From ") {
        MailboxFormat::Mbox
    } else {
        MailboxFormat::Eml
    })
}

/// The flags in a Maildir file name: the letters after the last `:2,` (or `!2,`, `;2,`).
pub fn maildir_flags(name: &str) -> Option<String> {
    let info = [":2,", "!2,", ";2,"]
        .iter()
        .filter_map(|sep| name.rfind(sep).map(|i| i + sep.len()))
        .max()?;
    let flags: String = name[info..]
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect();
    (!flags.is_empty()).then_some(flags)
}

fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() || dir.join("new").is_dir()
}

fn is_dot(name: &OsString) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

struct Entry {
    path: PathBuf,
    kind: Kind,
}

enum Kind {
    /// A path given to the run: format forced or detected; the walk's memory starts afresh.
    Top,
    /// A file or directory met in a folder walk, read by the forced or detected format.
    Auto,
    /// A one-message file.
    Message {
        flags: Option<String>,
    },
    Mbox,
    Maildir,
    /// Something that could not be read.
    Error(String),
}

enum Task {
    Queue(VecDeque<Entry>),
    Mbox(Box<mbox::MboxReader>),
}

struct Run {
    stack: Vec<Task>,
    forced: Option<MailboxFormat>,
    max: usize,
    visited: HashSet<PathBuf>,
    index: usize,
}

impl Iterator for Run {
    type Item = MailboxItem;

    fn next(&mut self) -> Option<MailboxItem> {
        loop {
            match self.stack.last_mut()? {
                Task::Mbox(reader) => match reader.next() {
                    Some(m) => {
                        let path = reader.path().clone();
                        return Some(self.item(path, m.offset, m.bytes, None));
                    }
                    None => {
                        self.stack.pop();
                    }
                },
                Task::Queue(queue) => match queue.pop_front() {
                    Some(entry) => {
                        if let Some(item) = self.dispatch(entry) {
                            return Some(item);
                        }
                    }
                    None => {
                        self.stack.pop();
                    }
                },
            }
        }
    }
}

fn cannot_read(path: &Path, e: impl std::fmt::Display) -> String {
    format!("cannot read {}: {e}", path.display())
}

impl Run {
    fn item(
        &mut self,
        path: PathBuf,
        offset: u64,
        bytes: Result<Vec<u8>, String>,
        flags: Option<String>,
    ) -> MailboxItem {
        let index = self.index;
        self.index += 1;
        MailboxItem {
            path,
            index,
            offset,
            bytes,
            flags,
        }
    }

    /// Handles one entry: returns an item, or schedules more work and returns None.
    fn dispatch(&mut self, entry: Entry) -> Option<MailboxItem> {
        let Entry { path, kind } = entry;
        match kind {
            Kind::Top => {
                self.visited.clear();
                self.top(path)
            }
            Kind::Auto => self.auto(path),
            Kind::Message { flags } => {
                let bytes = read_message(&path, self.max);
                Some(self.item(path, 0, bytes, flags))
            }
            Kind::Mbox => match stream::open(&path) {
                Ok(s) => {
                    self.stack.push(Task::Mbox(Box::new(mbox::MboxReader::new(
                        path, s, self.max,
                    ))));
                    None
                }
                Err(e) => {
                    let err = cannot_read(&path, e);
                    Some(self.item(path, 0, Err(err), None))
                }
            },
            Kind::Maildir => self.maildir(path),
            Kind::Error(e) => Some(self.item(path, 0, Err(e), None)),
        }
    }

    /// A path given to the run.
    fn top(&mut self, path: PathBuf) -> Option<MailboxItem> {
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                let err = cannot_read(&path, e);
                return Some(self.item(path, 0, Err(err), None));
            }
        };
        match (self.forced, meta.is_dir()) {
            (None, _) => self.auto(path),
            (Some(MailboxFormat::Mbox), false) => self.dispatch(Entry {
                path,
                kind: Kind::Mbox,
            }),
            (Some(MailboxFormat::Maildir), true) => self.maildir(path),
            (Some(MailboxFormat::Maildir), false) => {
                let flags = file_flags(&path);
                self.dispatch(Entry {
                    path,
                    kind: Kind::Message { flags },
                })
            }
            (Some(MailboxFormat::Eml), false) => self.dispatch(Entry {
                path,
                kind: Kind::Message { flags: None },
            }),
            (Some(_), true) => self.eml_dir(path),
        }
    }

    /// A path read by its detected format (or, below a forced top path, the forced one).
    fn auto(&mut self, path: PathBuf) -> Option<MailboxItem> {
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                let err = cannot_read(&path, e);
                return Some(self.item(path, 0, Err(err), None));
            }
        };
        if meta.is_dir() {
            return match self.forced {
                Some(MailboxFormat::Maildir) => self.maildir(path),
                None if is_maildir(&path) => self.maildir(path),
                _ => self.eml_dir(path),
            };
        }
        match self.forced {
            Some(MailboxFormat::Mbox) => {
                return self.dispatch(Entry {
                    path,
                    kind: Kind::Mbox,
                });
            }
            Some(MailboxFormat::Eml) => {
                return self.dispatch(Entry {
                    path,
                    kind: Kind::Message { flags: None },
                });
            }
            Some(MailboxFormat::Maildir) => {
                let flags = file_flags(&path);
                return self.dispatch(Entry {
                    path,
                    kind: Kind::Message { flags },
                });
            }
            None => {}
        }
        // one open, so that a FIFO given as a path is read once
        let mut s = match stream::open(&path) {
            Ok(s) => s,
            Err(e) => {
                let err = cannot_read(&path, e);
                return Some(self.item(path, 0, Err(err), None));
            }
        };
        match stream::peek(&mut s, 5) {
            Ok(head) if head.starts_with(b"From ") => {
                self.stack.push(Task::Mbox(Box::new(mbox::MboxReader::new(
                    path, s, self.max,
                ))));
                None
            }
            Ok(_) => {
                let bytes = read_limited(s, self.max).map_err(|e| match e {
                    ReadError::Io(e) => cannot_read(&path, e),
                    ReadError::TooLarge => too_large(&path, self.max),
                });
                Some(self.item(path, 0, bytes, None))
            }
            Err(e) => {
                let err = cannot_read(&path, e);
                Some(self.item(path, 0, Err(err), None))
            }
        }
    }

    /// True the first time a directory is entered in this path's walk.
    fn first_visit(&mut self, dir: &Path) -> bool {
        match fs::canonicalize(dir) {
            Ok(canonical) => self.visited.insert(canonical),
            // an unlistable directory is reported by the listing itself
            Err(_) => true,
        }
    }

    /// A Maildir: its messages, then its subfolders.
    fn maildir(&mut self, dir: PathBuf) -> Option<MailboxItem> {
        if !self.first_visit(&dir) {
            return None;
        }
        let mut queue = VecDeque::new();
        let mut messages: Vec<(OsString, &str, Entry)> = Vec::new();
        for sub in ["cur", "new"] {
            let sub_dir = dir.join(sub);
            let listing = match fs::read_dir(&sub_dir) {
                Ok(l) => l,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    let err = cannot_read(&sub_dir, e);
                    queue.push_back(Entry {
                        path: sub_dir,
                        kind: Kind::Error(err),
                    });
                    continue;
                }
            };
            for dirent in listing {
                let dirent = match dirent {
                    Ok(d) => d,
                    Err(e) => {
                        queue.push_back(Entry {
                            kind: Kind::Error(cannot_read(&sub_dir, e)),
                            path: sub_dir.clone(),
                        });
                        break;
                    }
                };
                let name = dirent.file_name();
                if is_dot(&name) {
                    continue;
                }
                let path = dirent.path();
                let kind = match fs::metadata(&path) {
                    Ok(m) if m.is_file() => Kind::Message {
                        flags: maildir_flags(&name.to_string_lossy()),
                    },
                    Ok(_) => continue,
                    Err(e) => Kind::Error(cannot_read(&path, e)),
                };
                messages.push((name, sub, Entry { path, kind }));
            }
        }
        messages.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        queue.extend(messages.into_iter().map(|(_, _, e)| e));
        match fs::read_dir(&dir) {
            Ok(listing) => {
                let mut folders: Vec<(OsString, PathBuf)> = listing
                    .flatten()
                    .filter_map(|d| {
                        let name = d.file_name();
                        if name == "cur"
                            || name == "new"
                            || name == "tmp"
                            || name == "."
                            || name == ".."
                        {
                            return None;
                        }
                        let path = d.path();
                        if !path.is_dir() {
                            return None;
                        }
                        (is_dot(&name) || is_maildir(&path)).then_some((name, path))
                    })
                    .collect();
                folders.sort();
                queue.extend(folders.into_iter().map(|(_, path)| Entry {
                    path,
                    kind: Kind::Maildir,
                }));
            }
            Err(e) => queue.push_back(Entry {
                kind: Kind::Error(cannot_read(&dir, e)),
                path: dir,
            }),
        }
        self.stack.push(Task::Queue(queue));
        None
    }

    /// A folder of .eml files (and, detected, mboxes and Maildirs), recursively.
    fn eml_dir(&mut self, dir: PathBuf) -> Option<MailboxItem> {
        if !self.first_visit(&dir) {
            return None;
        }
        let listing = match fs::read_dir(&dir) {
            Ok(l) => l,
            Err(e) => {
                let err = cannot_read(&dir, e);
                return Some(self.item(dir, 0, Err(err), None));
            }
        };
        let mut entries: Vec<(OsString, Entry)> = Vec::new();
        for dirent in listing {
            let dirent = match dirent {
                Ok(d) => d,
                Err(e) => {
                    entries.push((
                        OsString::new(),
                        Entry {
                            kind: Kind::Error(cannot_read(&dir, e)),
                            path: dir.clone(),
                        },
                    ));
                    break;
                }
            };
            let name = dirent.file_name();
            if is_dot(&name) {
                continue;
            }
            let path = dirent.path();
            let kind = match fs::metadata(&path) {
                Ok(m) if m.is_dir() || m.is_file() => Kind::Auto,
                Ok(_) => continue,
                Err(e) => Kind::Error(cannot_read(&path, e)),
            };
            entries.push((name, Entry { path, kind }));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.stack
            .push(Task::Queue(entries.into_iter().map(|(_, e)| e).collect()));
        None
    }
}

fn file_flags(path: &Path) -> Option<String> {
    maildir_flags(&path.file_name()?.to_string_lossy())
}

enum ReadError {
    Io(std::io::Error),
    TooLarge,
}

fn read_limited(s: stream::Stream, max: usize) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    s.take(max as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() > max {
        return Err(ReadError::TooLarge);
    }
    Ok(buf)
}

fn too_large(path: &Path, max: usize) -> String {
    format!(
        "{} is larger than {max} bytes (raise the limit with --max-message-bytes)",
        path.display()
    )
}

/// One message file, whole.
fn read_message(path: &Path, max: usize) -> Result<Vec<u8>, String> {
    let s = stream::open(path).map_err(|e| cannot_read(path, e))?;
    read_limited(s, max).map_err(|e| match e {
        ReadError::Io(e) => cannot_read(path, e),
        ReadError::TooLarge => too_large(path, max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert_eq!(
            maildir_flags("1.M2P3.host,S=12:2,RS").as_deref(),
            Some("RS")
        );
        assert_eq!(maildir_flags("1.M2P3.host!2,FS").as_deref(), Some("FS"));
        assert_eq!(
            maildir_flags("1035478339.27041_118.foo.org,S=1000,W=1030;2,RDF,").as_deref(),
            Some("RDF")
        );
        assert_eq!(maildir_flags("1.M2P3.host,S=12:2,"), None);
        assert_eq!(maildir_flags("1.M2P3.host"), None);
    }
}
