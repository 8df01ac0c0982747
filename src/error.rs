//! The one error type of the library: "could not analyse at all".
//!
//! Anything odd *about* a message is a finding, never an error. This type is only for input
//! that is not a message: empty, binary, or text without a header block; and for input past
//! one of the input limits of [`crate::options::Limits`], each message naming the flag that
//! raises it.

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
    /// The input is larger than the configured limit (`Limits::max_message_bytes`).
    #[error(
        "the input is {size} bytes, over the limit of {limit} bytes (raise it with --max-message-bytes)"
    )]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The message has more header fields than the configured limit (`Limits::max_headers`).
    #[error(
        "the message has more than {limit} header fields, over the limit (raise it with --max-headers)"
    )]
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
    /// One header field is longer than the configured limit (`Limits::max_header_line_bytes`).
    #[error(
        "header field {name} at line {line} is {size} bytes, over the limit of {limit} bytes for one field (raise it with --max-header-line-bytes)"
    )]
    HeaderTooLong {
        /// The field name as written, escaped and shortened for display.
        name: String,
        /// The line of the message where the field starts (1-based).
        line: usize,
        /// The size of the field in bytes, its folded lines together (as far as it was read).
        size: usize,
        /// The configured limit.
        limit: usize,
    },
}

/// Result with the library's error type.
pub type Result<T> = std::result::Result<T, Error>;
