//! What a source can fail with: an input it cannot read at all (a bad record is rejected to
//! the sink, not an error), an I/O failure, a decoder thread that died, or the sink's own
//! failure passed through.

use crate::path_io::PathIo;

/// Errors of the sources.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not of its format, or its bytes cannot be read (exit 2).
    #[error("{file}: cannot read input: {reason}")]
    Input { file: String, reason: String },
    #[error(transparent)]
    Io(#[from] PathIo),
    /// An input the user named that no source reads on its own (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A defect of mfaproof itself (a decoding thread that died): nothing the user did.
    #[error("internal error: {0}")]
    Internal(String),
    /// The [`Sink`](super::Sink) failed (the lake it writes to): its error, unchanged, for
    /// the caller that gave the sink to take back.
    #[error(transparent)]
    Sink(Box<dyn std::error::Error + Send + Sync>),
}

/// Result alias of the sources.
pub type Result<T, E = Error> = std::result::Result<T, E>;

crate::path_io::io_constructor!(Error);
