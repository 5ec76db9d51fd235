//! What can go wrong reaching a location.

use crate::path_io::PathIo;

/// A storage failure, naming the location.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(#[from] PathIo),
    /// A URL object_store cannot open, or options it refuses.
    #[error("{url}: {reason}")]
    Url { url: String, reason: String },
    /// A request to the object store failed (after object_store's own retries).
    #[error("{url}: {source}")]
    Store {
        url: String,
        #[source]
        source: object_store::Error,
    },
    /// Something the location cannot do.
    #[error("{0}")]
    Unsupported(String),
}

crate::path_io::io_constructor!(Error);

pub type Result<T> = std::result::Result<T, Error>;
