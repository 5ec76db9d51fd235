//! What writing a report can fail with: the evidence it reads, a query's rows that do not
//! fit the report's model, the lake's manifest, and I/O on the report's files; and what
//! verifying one can: a report folder that cannot be read as a pack.

use std::path::PathBuf;

use crate::path_io::PathIo;
use crate::{evidence, lake};

/// Errors of the report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Evidence(#[from] evidence::Error),
    #[error(transparent)]
    Lake(#[from] lake::Error),
    #[error(transparent)]
    Io(#[from] PathIo),
    /// A report folder `verify` cannot read as a pack: the file and why (a usage error:
    /// the folder the user named is not what `evaluate` writes).
    #[error("{}: {reason}", file.display())]
    Pack { file: PathBuf, reason: String },
}

/// Result alias of the report.
pub type Result<T, E = Error> = std::result::Result<T, E>;

crate::path_io::io_constructor!(Error);

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Error {
        Error::Evidence(e.into())
    }
}

impl From<arrow::error::ArrowError> for Error {
    fn from(e: arrow::error::ArrowError) -> Error {
        Error::Evidence(e.into())
    }
}
