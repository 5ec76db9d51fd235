//! An I/O failure on a named path: the one variant every layer's error type carries, so
//! the message ("{path}: {reason}") is written once, below all layers.

use std::path::PathBuf;

/// An I/O error with the path it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct PathIo {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl PathIo {
    /// Wraps an I/O error with the path it concerns.
    pub fn new(path: impl Into<PathBuf>, source: std::io::Error) -> PathIo {
        PathIo {
            path: path.into(),
            source,
        }
    }
}

/// Gives a layer's error type, which carries [`PathIo`] (`#[from]`), its constructor
/// `io(path, source)`: the same in every layer, so written once.
macro_rules! io_constructor {
    ($error:ty) => {
        impl $error {
            /// Wraps an I/O error with the path it concerns.
            pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> $error {
                $crate::path_io::PathIo::new(path, source).into()
            }
        }
    };
}
pub(crate) use io_constructor;

#[cfg(test)]
mod tests {
    use super::PathIo;

    #[test]
    fn names_the_path_then_the_reason() {
        let e = PathIo::new("lake/manifest.json", std::io::Error::other("disk full"));
        assert_eq!(e.to_string(), "lake/manifest.json: disk full");
        assert!(std::error::Error::source(&e).is_some());
    }
}
