//! What evaluating evidence can fail with: a query (named), DataFusion, Arrow and Parquet
//! failures, I/O on work files, the lake it reads, a request the user got wrong, and an
//! embedded vocabulary or query that is broken.

use crate::lake;
use crate::path_io::PathIo;

/// Errors of the evidence layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
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
    #[error(transparent)]
    Io(#[from] PathIo),
    #[error(transparent)]
    Lake(#[from] lake::Error),
    /// A request the user got wrong (an export format that does not exist…) (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A defect of mfaproof itself (an embedded vocabulary or query that does not parse).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias of the evidence layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

crate::path_io::io_constructor!(Error);
