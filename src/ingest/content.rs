//! The bytes of one input, ready to be read as often as ingest needs (hashed, its head
//! sniffed, streamed, a zip's directory sought): a local file as it is, an object from an
//! object store fetched once — kept in memory when small, else spooled to a temporary
//! file so that a large blob costs neither memory nor a second download.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::ingest::{Error, Result};
use crate::storage::{self, Location};

/// An object up to this size is held in memory; a larger one goes to a temporary file.
pub const IN_MEMORY_BYTES: u64 = 64 * 1024 * 1024;

/// Something a zip archive can be read from.
pub trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

/// One input's bytes.
pub enum Content {
    File(PathBuf),
    Memory(Vec<u8>),
    Spooled(NamedTempFile),
}

impl Content {
    /// Fetches the object at `location` (named `name` in errors) in one streamed read.
    pub fn fetch(location: &Location, name: &str) -> Result<Content> {
        Content::fetch_within(location, name, IN_MEMORY_BYTES)
    }

    /// [`Content::fetch`], holding up to `in_memory` bytes in memory.
    fn fetch_within(location: &Location, name: &str, in_memory: u64) -> Result<Content> {
        let failed = |e: io::Error| Error::Input {
            file: name.to_owned(),
            reason: e.to_string(),
        };
        let mut reader = location.reader().map_err(|e| store_error(name, e))?;
        let mut head = Vec::new();
        (&mut reader)
            .take(in_memory + 1)
            .read_to_end(&mut head)
            .map_err(failed)?;
        if head.len() as u64 <= in_memory {
            return Ok(Content::Memory(head));
        }
        let mut spool = NamedTempFile::new().map_err(failed)?;
        spool.write_all(&head).map_err(failed)?;
        drop(head);
        io::copy(&mut reader, &mut spool).map_err(failed)?;
        spool.flush().map_err(failed)?;
        Ok(Content::Spooled(spool))
    }

    /// A reader from its first byte, which can seek (a zip's directory is at its end);
    /// each call an independent one.
    pub fn open(&self, name: &str) -> Result<Box<dyn ReadSeek + Send + '_>> {
        let file = |p: &Path| File::open(p).map_err(|e| Error::io(name, e));
        Ok(match self {
            Content::Memory(bytes) => Box::new(Cursor::new(bytes.as_slice())),
            Content::File(p) => Box::new(file(p)?),
            Content::Spooled(t) => Box::new(file(t.path())?),
        })
    }

    /// SHA-256 (hex) and size, read in a streaming pass.
    pub fn sha256(&self, name: &str) -> Result<(String, u64)> {
        let mut reader = self.open(name)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = reader.read(&mut buf).map_err(|e| Error::io(name, e))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        Ok((hex(&hasher.finalize()), size))
    }

    /// Its first bytes (up to four: enough for the gzip and zip signatures).
    pub fn magic(&self, name: &str) -> Result<Vec<u8>> {
        let mut head = Vec::with_capacity(4);
        self.open(name)?
            .take(4)
            .read_to_end(&mut head)
            .map_err(|e| Error::io(name, e))?;
        Ok(head)
    }
}

/// Lower-case hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// An object store's failure as an unreadable input named `name` (its URL).
pub fn store_error(name: &str, e: storage::Error) -> Error {
    let reason = match e {
        storage::Error::Store { source, .. } => source.to_string(),
        storage::Error::Url { reason, .. } => reason,
        storage::Error::Io(io) => io.source.to_string(),
        storage::Error::Unsupported(what) => what,
    };
    Error::Input {
        file: name.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::StoreOptions;

    #[test]
    fn a_small_object_is_held_and_a_large_one_spooled_with_the_same_bytes() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let options = StoreOptions::default().with_runtime(rt.handle().clone());
        let root = Location::parse("memory:///inputs", &options).unwrap();
        let blob = root.join("PT1H.json");
        blob.write_atomic(b"0123456789").unwrap();
        let held = Content::fetch_within(&blob, "b", 10).unwrap();
        assert!(matches!(held, Content::Memory(_)));
        let spooled = Content::fetch_within(&blob, "b", 9).unwrap();
        assert!(matches!(spooled, Content::Spooled(_)));
        let digest = hex(&Sha256::digest(b"0123456789"));
        for content in [held, spooled] {
            assert_eq!(content.sha256("b").unwrap(), (digest.clone(), 10));
            assert_eq!(content.magic("b").unwrap(), b"0123");
            let mut all = String::new();
            content.open("b").unwrap().read_to_string(&mut all).unwrap();
            assert_eq!(all, "0123456789");
        }
        let missing = Content::fetch(&root.join("none.json"), "memory:///inputs/none.json");
        let Err(Error::Input { file, .. }) = missing else {
            panic!("a missing object is an unreadable input");
        };
        assert_eq!(file, "memory:///inputs/none.json");
    }
}
