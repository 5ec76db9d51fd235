//! Input discovery and opening: command-line paths → files in ingest order, and each file
//! → decompressed streams (plain, gzip, or the entries of a zip archive) with limits.
//!
//! Order matters for deduplication ties (evidence-rules §3): inputs in command-line order,
//! a folder's files in sorted path order, a zip's entries in sorted name order.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use crate::ingest::{Error, Result};

/// Extensions a folder walk picks up; other files in a folder are reported as skipped.
const LOG_EXTENSIONS: [&str; 6] = ["json", "ndjson", "jsonl", "csv", "gz", "zip"];

/// Decompressed bytes one archive entry or gzip stream may expand to.
pub const MAX_EXPANDED_BYTES: u64 = 64 * 1024 * 1024 * 1024;

/// Expansion ratio beyond which a compressed input is treated as a decompression bomb
/// (real Entra JSON compresses 10–30×).
pub const MAX_RATIO: u64 = 250;

/// Entries one zip archive may hold.
pub const MAX_ZIP_ENTRIES: usize = 100_000;

/// One input file found on the command line or in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// Whether it was named explicitly (an unreadable explicit input is an error; an
    /// unrecognised file found in a folder is only skipped).
    pub explicit: bool,
}

/// Expands command-line paths: files as given, folders walked recursively in sorted path
/// order. Returns the inputs and the folder files skipped for their extension.
pub fn expand(paths: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            for f in found {
                if has_log_extension(&f) {
                    files.push(InputFile {
                        path: f,
                        explicit: false,
                    });
                } else {
                    skipped.push(f);
                }
            }
        } else {
            files.push(InputFile {
                path: p.clone(),
                explicit: true,
            });
        }
    }
    Ok((files, skipped))
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

/// SHA-256 (hex) and size of a file, read in a streaming pass.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let digest = hasher.finalize();
    Ok((digest.iter().map(|b| format!("{b:02x}")).collect(), size))
}

/// SHA-256 (hex) of bytes held in memory (a fetched page).
pub fn sha256_bytes(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Counts bytes read from the underlying file (for the progress bar).
pub struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
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
const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";

fn magic(path: &Path) -> Result<Vec<u8>> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = vec![0u8; 4];
    let n = read_up_to(&mut f, &mut head).map_err(|e| Error::io(path, e))?;
    head.truncate(n);
    Ok(head)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Whether the file is a zip archive.
pub fn is_zip(path: &Path) -> Result<bool> {
    Ok(magic(path)?.starts_with(&ZIP_MAGIC))
}

/// Calls `f` with each readable stream of an input file, in order: the file itself, its
/// gzip content, or each `.json`/`.csv` entry of a zip (possibly gzip-compressed; sorted
/// by name; names checked with `enclosed_name` and never used as paths). `counter`
/// receives the bytes read from disk, for the progress bar.
pub fn each_stream(
    path: &Path,
    counter: &Arc<AtomicU64>,
    f: &mut dyn FnMut(&str, &mut dyn BufRead) -> Result<()>,
) -> Result<()> {
    let name = path.display().to_string();
    if is_zip(path)? {
        return each_zip_entry(path, counter, f);
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let counting = Counting {
        inner: file,
        counter: counter.clone(),
    };
    if magic(path)?.starts_with(&GZIP_MAGIC) {
        let start = counter.load(Ordering::Relaxed);
        let mut reader = BufReader::with_capacity(
            1 << 20,
            Limited {
                inner: MultiGzDecoder::new(BufReader::new(counting)),
                produced: 0,
                limit: MAX_EXPANDED_BYTES,
                consumed: counter.clone(),
                consumed_at_start: start,
            },
        );
        f(&name, &mut reader)
    } else {
        f(&name, &mut BufReader::with_capacity(1 << 20, counting))
    }
}

/// A zip's log entries: (safe name, index), sorted by name.
type Entries = Vec<(String, usize)>;

/// The log entries of a zip, sorted by name, with their indices.
fn zip_entries(path: &Path) -> Result<(zip::ZipArchive<File>, Entries)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| zip_error(path, e))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(Error::Input {
            file: path.display().to_string(),
            reason: format!(
                "zip holds {} entries, more than {MAX_ZIP_ENTRIES}",
                zip.len()
            ),
        });
    }
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| zip_error(path, e))?;
        if entry.is_dir() || entry.is_symlink() {
            continue;
        }
        let Some(safe) = entry.enclosed_name() else {
            return Err(Error::Input {
                file: path.display().to_string(),
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
    path: &Path,
    counter: &Arc<AtomicU64>,
    f: &mut dyn FnMut(&str, &mut dyn BufRead) -> Result<()>,
) -> Result<()> {
    let (mut zip, names) = zip_entries(path)?;
    for (name, index) in names {
        let entry = zip.by_index(index).map_err(|e| zip_error(path, e))?;
        // The zip reader pulls from the file directly, so progress counts compressed sizes.
        counter.fetch_add(entry.compressed_size(), Ordering::Relaxed);
        let display = format!("{}!{name}", path.display());
        f(&display, &mut *entry_reader(entry, &name))?;
    }
    Ok(())
}

/// A zip entry as a bounded, decompressed stream (`.gz` entries are gunzipped too); the
/// expansion ratio is judged against the entry's compressed size.
fn entry_reader<'a>(entry: zip::read::ZipFile<'a, File>, name: &str) -> Box<dyn BufRead + 'a> {
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

/// Opens the entry `name` of the zip at `path` (for a portal authentication-details
/// companion) and calls `f` with it; `Ok(false)` when there is no such entry.
pub fn with_zip_entry(
    path: &Path,
    name: &str,
    f: &mut dyn FnMut(&mut dyn BufRead) -> Result<()>,
) -> Result<bool> {
    let (mut zip, names) = zip_entries(path)?;
    let Some((_, index)) = names.iter().find(|(n, _)| n == name) else {
        return Ok(false);
    };
    let entry = zip.by_index(*index).map_err(|e| zip_error(path, e))?;
    f(&mut *entry_reader(entry, name))?;
    Ok(true)
}

fn zip_error(path: &Path, e: zip::result::ZipError) -> Error {
    Error::Input {
        file: path.display().to_string(),
        reason: format!("not a readable zip archive: {e}"),
    }
}
