//! Input discovery and opening: command-line inputs → files in ingest order, and each file
//! → decompressed streams (plain, gzip, or the entries of a zip archive) with limits.
//!
//! An input is a local file or folder, or a URL of an object store (`az://container/prefix`,
//! `abfss://…`, `s3://bucket/prefix`): every object below the prefix is an input, as every
//! file below a folder is, and is read the same way, its URL standing for the file's path
//! (an Azure Monitor export's blob path, `…/y=2026/m=01/d=02/h=03/m=00/PT1H.json`, names
//! `m=` twice: it is never read as Hive partitions, only as a name).
//!
//! Order matters for deduplication ties (evidence-rules §3): inputs in command-line order,
//! a folder's files (a prefix's objects) in sorted path order, a zip's entries in sorted
//! name order.

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use super::content::{Content, ReadSeek, hex, store_error};
use crate::ingest::{Error, Result};
use crate::storage::Location;

/// Extensions a folder walk picks up; other files in a folder are reported as skipped.
const LOG_EXTENSIONS: [&str; 6] = ["json", "ndjson", "jsonl", "csv", "gz", "zip"];

/// Decompressed bytes one archive entry or gzip stream may expand to.
pub const MAX_EXPANDED_BYTES: u64 = 64 * 1024 * 1024 * 1024;

/// Expansion ratio beyond which a compressed input is treated as a decompression bomb
/// (real Entra JSON compresses 10–30×).
pub const MAX_RATIO: u64 = 250;

/// Entries one zip archive may hold.
pub const MAX_ZIP_ENTRIES: usize = 100_000;

/// One input file found on the command line, in a folder or below a prefix.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// How messages and the manifest name it: its path, or its URL.
    pub name: String,
    pub origin: Origin,
    /// Whether it was named explicitly (an unreadable explicit input is an error; an
    /// unrecognised file found in a folder is only skipped).
    pub explicit: bool,
}

/// Where an input file's bytes are.
#[derive(Debug, Clone)]
pub enum Origin {
    File(PathBuf),
    /// The object at `path` below `root` (a listed prefix; `path` is empty when the URL
    /// named the object itself), and its size as listed.
    Object {
        root: Location,
        path: String,
        size: u64,
    },
}

impl InputFile {
    fn file(path: PathBuf, explicit: bool) -> InputFile {
        InputFile {
            name: path.display().to_string(),
            origin: Origin::File(path),
            explicit,
        }
    }

    fn object(root: &Location, path: String, size: u64, explicit: bool) -> InputFile {
        InputFile {
            name: root.join(&path).to_string(),
            origin: Origin::Object {
                root: root.clone(),
                path,
                size,
            },
            explicit,
        }
    }

    /// Its size, for the progress bar (0 when unknown).
    pub fn size(&self) -> u64 {
        match &self.origin {
            Origin::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            Origin::Object { size, .. } => *size,
        }
    }

    /// The file or object named `file_name` beside this one (a portal export's companion
    /// CSV), which may not exist; `None` for an object named alone on the command line
    /// (what is beside it was not listed).
    pub fn sibling(&self, file_name: &str) -> Option<InputFile> {
        match &self.origin {
            Origin::File(p) => Some(InputFile::file(p.with_file_name(file_name), false)),
            Origin::Object { path, .. } if path.is_empty() => None,
            Origin::Object { root, path, .. } => {
                let sibling = match path.rsplit_once('/') {
                    Some((dir, _)) => format!("{dir}/{file_name}"),
                    None => file_name.to_owned(),
                };
                Some(InputFile::object(root, sibling, 0, false))
            }
        }
    }

    /// Its bytes, ready to read (an object is fetched here, once).
    pub fn content(&self) -> Result<Content> {
        match &self.origin {
            Origin::File(p) => Ok(Content::File(p.clone())),
            Origin::Object { root, path, .. } => Content::fetch(&root.join(path), &self.name),
        }
    }

    /// Whether the file or object is there.
    pub fn exists(&self) -> Result<bool> {
        match &self.origin {
            Origin::File(p) => Ok(p.is_file()),
            Origin::Object { root, path, .. } => root
                .join(path)
                .exists()
                .map_err(|e| store_error(&self.name, e)),
        }
    }
}

/// Expands command-line inputs: files as given, folders walked recursively in sorted path
/// order, an object store's prefix listed in the same order (or, when nothing is below
/// it, the one object it names). Returns the inputs and the names of the files skipped
/// for their extension.
pub fn expand(inputs: &[Location]) -> Result<(Vec<InputFile>, Vec<String>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for input in inputs {
        let found = match input.as_local() {
            Some(p) => expand_path(p)?,
            None => expand_prefix(input)?,
        };
        for file in found {
            if file.explicit || has_log_extension(Path::new(&file.name)) {
                files.push(file);
            } else {
                skipped.push(file.name);
            }
        }
    }
    Ok((files, skipped))
}

fn expand_path(p: &Path) -> Result<Vec<InputFile>> {
    let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
    if !meta.is_dir() {
        return Ok(vec![InputFile::file(p.to_path_buf(), true)]);
    }
    let mut found = Vec::new();
    walk(p, &mut found)?;
    found.sort();
    Ok(found
        .into_iter()
        .map(|f| InputFile::file(f, false))
        .collect())
}

/// The objects below a prefix, in the order a folder's files are walked (by path
/// segment), else the object the URL names.
fn expand_prefix(prefix: &Location) -> Result<Vec<InputFile>> {
    let name = prefix.to_string();
    let mut entries = prefix.list().map_err(|e| store_error(&name, e))?;
    if entries.is_empty() {
        return match prefix.exists() {
            Ok(true) => Ok(vec![InputFile::object(prefix, String::new(), 0, true)]),
            Ok(false) => Err(Error::Input {
                file: name,
                reason: "no object there, nor below it".into(),
            }),
            Err(e) => Err(store_error(&name, e)),
        };
    }
    entries.sort_by(|a, b| a.path.split('/').cmp(b.path.split('/')));
    Ok(entries
        .into_iter()
        .map(|e| InputFile::object(prefix, e.path, e.size, false))
        .collect())
}

fn has_log_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| LOG_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// SHA-256 (hex) of bytes held in memory (a fetched page).
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Counts bytes read from the underlying file (for the progress bar).
pub struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
    /// Bytes of the inner buffer counted already and not yet consumed.
    lent: usize,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Counts each buffer of a reader that is its own buffer when it is lent (so that reader is
/// read through as it is, with no copy into another buffer).
impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let buffered = self.inner.fill_buf()?;
        // Counted as a whole when it is lent: a JSON Lines line is consumed at a time, and
        // counting each on the shared counter cost more than reading it.
        if self.lent == 0 && !buffered.is_empty() {
            self.lent = buffered.len();
            self.counter
                .fetch_add(buffered.len() as u64, Ordering::Relaxed);
        }
        Ok(buffered)
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
        self.lent = self.lent.saturating_sub(amount);
    }
}

/// Fails reading once more than `limit` bytes came out, or the output outgrows the input
/// consumed so far by more than [`MAX_RATIO`].
struct Limited<R> {
    inner: R,
    produced: u64,
    limit: u64,
    consumed: Arc<AtomicU64>,
    consumed_at_start: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let consumed = self
            .consumed
            .load(Ordering::Relaxed)
            .saturating_sub(self.consumed_at_start)
            .max(64 * 1024);
        if self.produced > self.limit || self.produced / consumed > MAX_RATIO {
            return Err(io::Error::other(format!(
                "expands beyond the decompression limits ({} bytes, ratio {MAX_RATIO}:1): refusing a possible decompression bomb",
                self.limit
            )));
        }
        Ok(n)
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
pub(super) const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";

/// Whether the input is a zip archive.
pub fn is_zip(content: &Content, name: &str) -> Result<bool> {
    Ok(content.magic(name)?.starts_with(&ZIP_MAGIC))
}

/// Calls `f` with each readable stream of an input file (`content`, named `name`), in
/// order: the file itself, its gzip content, or each `.json`/`.csv` entry of a zip
/// (possibly gzip-compressed; sorted by name; names checked with `enclosed_name` and never
/// used as paths). `counter` receives the bytes read, for the progress bar.
pub fn each_stream(
    content: &Content,
    name: &str,
    counter: &Arc<AtomicU64>,
    f: &mut dyn FnMut(&str, &mut dyn BufRead) -> Result<()>,
) -> Result<()> {
    let magic = content.magic(name)?;
    if magic.starts_with(&ZIP_MAGIC) {
        return each_zip_entry(content, name, counter, f);
    }
    let counting = Counting {
        inner: content.open(name)?,
        counter: counter.clone(),
        lent: 0,
    };
    if magic.starts_with(&GZIP_MAGIC) {
        gunzip(name, counting, counter, f)
    } else {
        f(name, &mut BufReader::with_capacity(1 << 20, counting))
    }
}

/// [`each_stream`] of an input read once, in order (never a zip): the file itself, lent
/// chunk by chunk as it is read, or its gzip content.
pub fn each_streamed(
    input: &mut dyn BufRead,
    name: &str,
    counter: &Arc<AtomicU64>,
    f: &mut dyn FnMut(&str, &mut dyn BufRead) -> Result<()>,
) -> Result<()> {
    let gzip = input
        .fill_buf()
        .map_err(|e| Error::io(name, e))?
        .starts_with(&GZIP_MAGIC);
    let mut counting = Counting {
        inner: input,
        counter: counter.clone(),
        lent: 0,
    };
    if gzip {
        gunzip(name, counting, counter, f)
    } else {
        f(name, &mut counting)
    }
}

/// Calls `f` with the gzip content of `compressed`, within the decompression limits.
fn gunzip(
    name: &str,
    compressed: impl Read,
    counter: &Arc<AtomicU64>,
    f: &mut dyn FnMut(&str, &mut dyn BufRead) -> Result<()>,
) -> Result<()> {
    let start = counter.load(Ordering::Relaxed);
    let mut reader = BufReader::with_capacity(
        1 << 20,
        Limited {
            inner: MultiGzDecoder::new(BufReader::new(compressed)),
            produced: 0,
            limit: MAX_EXPANDED_BYTES,
            consumed: counter.clone(),
            consumed_at_start: start,
        },
    );
    f(name, &mut reader)
}

/// A zip's log entries: (safe name, index), sorted by name.
type Entries = Vec<(String, usize)>;

/// An open zip archive.
type Zip<'c> = zip::ZipArchive<Box<dyn ReadSeek + Send + 'c>>;

/// The log entries of a zip, sorted by name, with their indices.
fn zip_entries<'c>(content: &'c Content, name: &str) -> Result<(Zip<'c>, Entries)> {
    let mut zip = zip::ZipArchive::new(content.open(name)?).map_err(|e| zip_error(name, e))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(Error::Input {
            file: name.to_owned(),
            reason: format!(
                "zip holds {} entries, more than {MAX_ZIP_ENTRIES}",
                zip.len()
            ),
        });
    }
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| zip_error(name, e))?;
        if entry.is_dir() || entry.is_symlink() {
            continue;
        }
        let Some(safe) = entry.enclosed_name() else {
            return Err(Error::Input {
                file: name.to_owned(),
                reason: format!("entry {:?} escapes the archive; refusing it", entry.name()),
            });
        };
        let safe = safe.to_string_lossy().to_string();
        let nested_zip = safe.to_ascii_lowercase().ends_with(".zip");
        if has_log_extension(Path::new(&safe)) && !nested_zip {
            names.push((safe, i));
        }
    }
    names.sort();
    Ok((zip, names))
}

fn each_zip_entry(
    content: &Content,
    name: &str,
    counter: &Arc<AtomicU64>,
    f: &mut dyn FnMut(&str, &mut dyn BufRead) -> Result<()>,
) -> Result<()> {
    let (mut zip, entries) = zip_entries(content, name)?;
    for (entry_name, index) in entries {
        let entry = zip.by_index(index).map_err(|e| zip_error(name, e))?;
        // The zip reader pulls from the file directly, so progress counts compressed sizes.
        counter.fetch_add(entry.compressed_size(), Ordering::Relaxed);
        let display = format!("{name}!{entry_name}");
        f(&display, &mut *entry_reader(entry, &entry_name))?;
    }
    Ok(())
}

/// A zip entry as a bounded, decompressed stream (`.gz` entries are gunzipped too); the
/// expansion ratio is judged against the entry's compressed size.
fn entry_reader<'a, R: Read + ?Sized + 'a>(
    entry: zip::read::ZipFile<'a, R>,
    name: &str,
) -> Box<dyn BufRead + 'a> {
    let compressed = entry.compressed_size();
    let limited = Limited {
        inner: entry,
        produced: 0,
        limit: MAX_EXPANDED_BYTES,
        consumed: Arc::new(AtomicU64::new(compressed.max(1))),
        consumed_at_start: 0,
    };
    if name.to_ascii_lowercase().ends_with(".gz") {
        let gz = MultiGzDecoder::new(BufReader::new(limited));
        Box::new(BufReader::with_capacity(1 << 20, gz))
    } else {
        Box::new(BufReader::with_capacity(1 << 20, limited))
    }
}

/// Opens the entry `entry` of the zip (`content`, named `name`; for a portal
/// authentication-details companion) and calls `f` with it; `Ok(false)` when there is no
/// such entry.
pub fn with_zip_entry(
    content: &Content,
    name: &str,
    entry: &str,
    f: &mut dyn FnMut(&mut dyn BufRead) -> Result<()>,
) -> Result<bool> {
    let (mut zip, entries) = zip_entries(content, name)?;
    let Some((_, index)) = entries.iter().find(|(n, _)| n == entry) else {
        return Ok(false);
    };
    let found = zip.by_index(*index).map_err(|e| zip_error(name, e))?;
    f(&mut *entry_reader(found, entry))?;
    Ok(true)
}

fn zip_error(name: &str, e: zip::result::ZipError) -> Error {
    Error::Input {
        file: name.to_owned(),
        reason: format!("not a readable zip archive: {e}"),
    }
}

#[cfg(test)]
#[path = "input_tests.rs"]
mod tests;
