//! What the lake can fail with: I/O on its files, a lake whose own files cannot be read,
//! Parquet and Arrow failures, a tenant only the user can give, and an encoder thread
//! that died.

use crate::path_io::PathIo;

/// Errors of the lake.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(#[from] PathIo),
    /// A request to the lake's store that failed (an object store unreachable or refusing).
    #[error(transparent)]
    Storage(crate::storage::Error),
    /// A lake that is corrupt or not a lake (a manifest or journal that does not parse…);
    /// `path` is the file's path or URL.
    #[error("lake {path}: {reason}")]
    Lake { path: String, reason: String },
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    /// The tenant of records cannot be decided without the user (none named, or several
    /// possible), or the lake was written before tenants and must be migrated: said with
    /// the command that helps (exit 2).
    #[error("{0}")]
    Tenant(String),
    /// Another writer holds the lake (`lock.rs`): one writer at a time.
    #[error(
        "the lake is being written by another writer ({holder}): one writer at a time; if \
         that writer is no longer running, delete {lock} and run again"
    )]
    Locked { lock: String, holder: String },
    /// A defect of mfaproof itself (the encoder thread died): nothing the user did.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias of the lake.
pub type Result<T, E = Error> = std::result::Result<T, E>;

crate::path_io::io_constructor!(Error);

impl From<crate::storage::Error> for Error {
    /// A local file's I/O error stays the lake's `Io`, as before object stores.
    fn from(e: crate::storage::Error) -> Error {
        match e {
            crate::storage::Error::Io(io) => Error::Io(io),
            other => Error::Storage(other),
        }
    }
}

impl Error {
    /// Wraps an I/O error with the place (a path, or an object's URL) it concerns.
    pub fn io_at(place: &crate::storage::Location, source: std::io::Error) -> Error {
        match place.as_local() {
            Some(path) => Error::io(path, source),
            None => Error::io(place.to_string(), source),
        }
    }
}
