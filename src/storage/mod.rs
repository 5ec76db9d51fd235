//! Where bytes live: a local folder or a prefix of an object store (Azure Blob Storage,
//! S3), named by a plain path or a URL (`az://container/prefix`, `abfss://container@account
//! .dfs.core.windows.net/prefix`, `s3://bucket/prefix`, `file:///path`). Below the lake
//! and the sources, which both read and write through it.
//!
//! The lake's code is synchronous (it runs on the ingest threads); a remote [`Location`]
//! runs each request on the tokio runtime it was given ([`StoreOptions::runtime`]) and
//! waits for it. A local location uses `std::fs` directly, with the fsyncs the lake's
//! durability needs (object_store's local store never syncs).
//!
//! What a single request can do atomically decides how the lake commits on object storage:
//! a PUT replaces an object whole (readers see the old or the new), a create-only PUT
//! (`If-None-Match: *`) fails when the object exists, and there is no rename (it is a copy
//! then a delete, so the journal that replays a commit must tolerate either half done).

mod error;
mod local;
mod options;
mod registry;
mod remote;

use std::fmt;
use std::path::{Path, PathBuf};

pub use error::{Error, Result};
pub use options::StoreOptions;
pub use registry::Registry;

use remote::Remote;

/// A place that holds objects: a folder, or a prefix in an object store.
#[derive(Clone)]
pub struct Location {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Local(PathBuf),
    Remote(Remote),
}

/// One object found by [`Location::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path below the listed location, `/`-separated.
    pub path: String,
    pub size: u64,
}

impl Location {
    /// The location `text` names: a URL with a scheme object_store knows (`az`, `abfs`,
    /// `abfss`, `s3`, `file`, `https` of a blob endpoint…), else a local path.
    pub fn parse(text: &str, options: &StoreOptions) -> Result<Location> {
        if let Some(path) = text.strip_prefix("file://") {
            return Ok(Location::local(path));
        }
        if is_url(text) {
            return Ok(Location {
                kind: Kind::Remote(Remote::open(text, options)?),
            });
        }
        Ok(Location::local(text))
    }

    /// A local folder or file.
    pub fn local(path: impl Into<PathBuf>) -> Location {
        Location {
            kind: Kind::Local(path.into()),
        }
    }

    /// The local path, when this is one.
    pub fn as_local(&self) -> Option<&Path> {
        match &self.kind {
            Kind::Local(p) => Some(p),
            Kind::Remote(_) => None,
        }
    }

    /// Whether this is in an object store.
    pub fn is_remote(&self) -> bool {
        matches!(self.kind, Kind::Remote(_))
    }

    /// The location `rel` (`/`-separated, relative) below this one.
    #[must_use]
    pub fn join(&self, rel: &str) -> Location {
        let kind = match &self.kind {
            Kind::Local(p) => Kind::Local(
                rel.split('/')
                    .filter(|s| !s.is_empty())
                    .fold(p.clone(), |acc, s| acc.join(s)),
            ),
            Kind::Remote(r) => Kind::Remote(r.join(rel)),
        };
        Location { kind }
    }

    /// The options its store was opened with (none for a local location): a DataFusion
    /// session that reads it gives them to its [`Registry`].
    pub fn options(&self) -> StoreOptions {
        match &self.kind {
            Kind::Local(_) => StoreOptions::default(),
            Kind::Remote(r) => r.options().clone(),
        }
    }

    /// The last segment of the path (a file or folder name).
    pub fn name(&self) -> Option<String> {
        match &self.kind {
            Kind::Local(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()),
            Kind::Remote(r) => r.name(),
        }
    }

    /// How DataFusion names it: an absolute local path, or the URL
    /// (`az://container/prefix/…`) of a store the session's [`Registry`] resolves.
    pub fn table_url(&self) -> String {
        match &self.kind {
            Kind::Local(p) => std::path::absolute(p)
                .unwrap_or_else(|_| p.clone())
                .to_string_lossy()
                .into_owned(),
            Kind::Remote(r) => r.url(),
        }
    }

    /// The object's bytes; `None` when there is no such object.
    pub fn read(&self) -> Result<Option<Vec<u8>>> {
        match &self.kind {
            Kind::Local(p) => local::read(p),
            Kind::Remote(r) => r.read(),
        }
    }

    /// Replaces the object whole: a reader sees the old bytes or the new, never a mix.
    pub fn write_atomic(&self, bytes: &[u8]) -> Result<()> {
        match &self.kind {
            Kind::Local(p) => local::write_atomic(p, bytes),
            Kind::Remote(r) => r.put(bytes),
        }
    }

    /// Creates the object only if there is none; returns `false` (and writes nothing)
    /// when it exists.
    pub fn create_new(&self, bytes: &[u8]) -> Result<bool> {
        match &self.kind {
            Kind::Local(p) => local::create_new(p, bytes),
            Kind::Remote(r) => r.create_new(bytes),
        }
    }

    /// Removes the object; no error when there is none.
    pub fn delete(&self) -> Result<()> {
        match &self.kind {
            Kind::Local(p) => local::delete(p),
            Kind::Remote(r) => r.delete(),
        }
    }

    /// Removes every object below this location (a local folder and all it holds).
    pub fn delete_all(&self) -> Result<()> {
        match &self.kind {
            Kind::Local(p) => local::delete_all(p),
            Kind::Remote(r) => r.delete_all(),
        }
    }

    /// Moves the object to `to`, replacing what is there. Returns `false` when there is no
    /// object to move (an earlier, interrupted move may have done it). On an object store
    /// this is a copy then a delete: after a crash between the two, both exist and
    /// repeating the move finishes it.
    pub fn rename(&self, to: &Location) -> Result<bool> {
        match (&self.kind, &to.kind) {
            (Kind::Local(a), Kind::Local(b)) => local::rename(a, b),
            (Kind::Remote(a), Kind::Remote(b)) => a.rename(b),
            _ => Err(Error::Unsupported(format!(
                "moving {self} to {to}: both must be in the same store"
            ))),
        }
    }

    /// Whether an object (or, locally, a file or folder) is there.
    pub fn exists(&self) -> Result<bool> {
        match &self.kind {
            Kind::Local(p) => Ok(p.exists()),
            Kind::Remote(r) => r.exists(),
        }
    }

    /// Every object below this location, recursively, sorted by path. Empty when there is
    /// nothing (a missing folder is not an error).
    pub fn list(&self) -> Result<Vec<Entry>> {
        let mut entries = match &self.kind {
            Kind::Local(p) => local::list(p)?,
            Kind::Remote(r) => r.list()?,
        };
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    /// The names of the folders (common prefixes) directly below this location, sorted.
    pub fn folders(&self) -> Result<Vec<String>> {
        let mut names = match &self.kind {
            Kind::Local(p) => local::folders(p)?,
            Kind::Remote(r) => r.folders()?,
        };
        names.sort();
        Ok(names)
    }

    /// The objects directly below this location (not those in folders below it), sorted.
    pub fn files(&self) -> Result<Vec<Entry>> {
        let mut entries = match &self.kind {
            Kind::Local(p) => local::files(p)?,
            Kind::Remote(r) => r.files()?,
        };
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    /// A writer that streams into the object; nothing is visible until
    /// [`ObjectWriter::finish`] (locally: written in place, so write under a staging
    /// folder and [`rename`](Location::rename) it in).
    pub fn writer(&self) -> Result<ObjectWriter> {
        match &self.kind {
            Kind::Local(p) => local::writer(p),
            Kind::Remote(r) => r.writer(),
        }
    }

    /// The bytes of each of `ranges` of the object (a Parquet footer, the column chunks of
    /// a row group): on an object store one ranged request per run of nearby ranges.
    pub fn read_ranges(&self, ranges: &[std::ops::Range<u64>]) -> Result<Vec<bytes::Bytes>> {
        match &self.kind {
            Kind::Local(p) => local::read_ranges(p, ranges),
            Kind::Remote(r) => r.read_ranges(ranges),
        }
    }

    /// The object's size in bytes; `None` when there is no such object.
    pub fn size(&self) -> Result<Option<u64>> {
        match &self.kind {
            Kind::Local(p) => local::size(p),
            Kind::Remote(r) => r.size(),
        }
    }

    /// A reader of the object's bytes, streamed.
    pub fn reader(&self) -> Result<Box<dyn std::io::Read + Send>> {
        match &self.kind {
            Kind::Local(p) => local::reader(p),
            Kind::Remote(r) => r.reader(),
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::local(path)
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Location {
        Location::local(path)
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Location {
        Location::local(path.as_path())
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Location {
        location.clone()
    }
}

/// Streams bytes into an object (see [`Location::writer`]).
pub struct ObjectWriter {
    inner: WriterKind,
}

enum WriterKind {
    Local(local::FileWriter),
    Remote(remote::UploadWriter),
}

impl ObjectWriter {
    /// Makes the object complete and durable (locally: fsynced).
    pub fn finish(self) -> Result<()> {
        self.complete()?.wait()
    }

    /// Makes the object complete (an upload is then visible) and leaves a local file's
    /// fsync to [`Durability::wait`], so that several files' writes reach the disk while
    /// the caller goes on.
    pub fn complete(self) -> Result<Durability> {
        match self.inner {
            WriterKind::Local(w) => Ok(Durability(vec![w.close()?])),
            WriterKind::Remote(w) => w.finish().map(|()| Durability::default()),
        }
    }
}

/// Completed objects whose durability is still to be waited for (local files to fsync).
#[derive(Default)]
pub struct Durability(Vec<local::Unsynced>);

impl Durability {
    /// Adds `other`'s objects.
    pub fn add(&mut self, other: Durability) {
        self.0.extend(other.0);
    }

    /// Returns once every object is durable.
    pub fn wait(self) -> Result<()> {
        self.0.into_iter().try_for_each(local::Unsynced::sync)
    }
}

impl std::io::Write for ObjectWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.inner {
            WriterKind::Local(w) => w.write(buf),
            WriterKind::Remote(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.inner {
            WriterKind::Local(w) => w.flush(),
            // Parts are uploaded as they fill; the rest goes at `finish`.
            WriterKind::Remote(_) => Ok(()),
        }
    }
}

impl fmt::Display for Location {
    /// The path or URL as the user gave it; never a credential (they are options, not
    /// parts of the URL).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Local(p) => write!(f, "{}", p.display()),
            Kind::Remote(r) => write!(f, "{}", r.url()),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

/// Whether `text` starts with a URL scheme (`letters://`); a Windows drive (`C:\`) or a
/// relative path does not.
fn is_url(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
    })
}

/// The multi-thread runtime the unit tests give remote locations (one builder for all).
#[cfg(test)]
pub(crate) fn test_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[cfg(test)]
mod tests;
