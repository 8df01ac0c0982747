//! The one error type of the library: "could not analyse at all".
//!
//! Anything odd *about* a message is a finding, never an error. This type is only for input
//! that is not a message: empty, binary, or text without a header block.

/// Why an input could not be analysed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input held no bytes, or only whitespace.
    #[error("the input is empty: paste the message headers or give an .eml file")]
    Empty,
    /// The input looks like binary data rather than text.
    #[error("the input looks like binary data ({0}), not an email message")]
    Binary(String),
    /// The input is text but no header block could be found in it.
    #[error(
        "no email header block found: expected lines like 'Received: ...' or 'From: ...' ({0})"
    )]
    NoHeaders(String),
    /// The input is larger than the configured limit.
    #[error("the input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
}

/// Result with the library's error type.
pub type Result<T> = std::result::Result<T, Error>;
