//! Mailbox exports: mbox (mboxo, mboxrd, mboxcl2; Google Takeout and Thunderbird files;
//! `.mbox.gz`), Maildir and Maildir++, and folders of .eml files, read as a stream of messages.
//!
//! Streaming: nothing reads a whole mbox into memory; one message at a time is held.
//! Nothing is lost: every message found, readable or not, is yielded once, in file order.

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
    /// The file it came from.
    pub path: PathBuf,
    /// 0-based index of the message in the whole run (input order).
    pub index: usize,
    /// Byte offset of the message in its file (mbox), 0 for one-message files.
    pub offset: u64,
    /// The message bytes (mbox envelope line removed, `>From ` unquoted for mboxrd), or why it
    /// could not be read.
    pub bytes: Result<Vec<u8>, String>,
    /// Maildir flags (`S`, `R`, `F`...) from the file name, when any.
    pub flags: Option<String>,
}

/// Messages of the mailboxes at these paths, in order; `format` forces a format.
pub fn open(paths: &[PathBuf], format: Option<MailboxFormat>) -> Box<dyn Iterator<Item = MailboxItem> + Send> {
    let _ = (paths, format);
    Box::new(std::iter::empty())
}

/// The format of a path, detected.
pub fn detect(path: &Path) -> Option<MailboxFormat> {
    let _ = path;
    None
}
