//! The library's error type: one enum, split by pipeline stage, every variant naming the
//! thing that failed (file, record, query) so the CLI can print it once and exit.

use std::path::PathBuf;

/// Errors of the mfaproof library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: cannot read input: {reason}")]
    Input { file: String, reason: String },
    #[error("{file}: record {record}: {reason}")]
    Record {
        file: String,
        record: u64,
        reason: String,
    },
    #[error("lake {path}: {reason}")]
    Lake { path: PathBuf, reason: String },
    #[error("query {name}: {source}")]
    Query {
        name: String,
        #[source]
        source: datafusion::error::DataFusionError,
    },
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
    /// The command line or an input the user named is at fault.
    #[error("{0}")]
    Usage(String),
    /// A defect of mfaproof itself (a thread that died, an embedded file that does not
    /// parse): nothing the user did.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
