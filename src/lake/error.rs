//! What the lake can fail with: I/O on its files, a lake whose own files cannot be read,
//! Parquet and Arrow failures, a tenant only the user can give, and an encoder thread
//! that died.

use std::path::PathBuf;

use crate::path_io::PathIo;

/// Errors of the lake.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(#[from] PathIo),
    /// A lake that is corrupt or not a lake (a manifest or journal that does not parse…).
    #[error("lake {path}: {reason}")]
    Lake { path: PathBuf, reason: String },
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    /// The tenant of records cannot be decided without the user (none named, or several
    /// possible), or the lake was written before tenants and must be migrated: said with
    /// the command that helps (exit 2).
    #[error("{0}")]
    Tenant(String),
    /// A defect of mfaproof itself (the encoder thread died): nothing the user did.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias of the lake.
pub type Result<T, E = Error> = std::result::Result<T, E>;

crate::path_io::io_constructor!(Error);
