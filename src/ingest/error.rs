//! What an ingest can fail with: an input the user named that cannot be read, a source's
//! failure, the lake's, and I/O on the inputs.

use crate::path_io::PathIo;
use crate::{lake, sources};

/// Errors of an ingest.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input the user named cannot be listed, opened or read (exit 2).
    #[error("{file}: cannot read input: {reason}")]
    Input { file: String, reason: String },
    #[error(transparent)]
    Io(#[from] PathIo),
    #[error(transparent)]
    Source(sources::Error),
    #[error(transparent)]
    Lake(#[from] lake::Error),
}

/// Result alias of an ingest.
pub type Result<T, E = Error> = std::result::Result<T, E>;

crate::path_io::io_constructor!(Error);

/// A source's error; the lake's error a [`Sink`](sources::Sink) passed through a source
/// is the lake's again.
impl From<sources::Error> for Error {
    fn from(e: sources::Error) -> Error {
        match e {
            sources::Error::Sink(inner) => match inner.downcast::<lake::Error>() {
                Ok(lake) => Error::Lake(*lake),
                Err(other) => Error::Source(sources::Error::Sink(other)),
            },
            other => Error::Source(other),
        }
    }
}
