//! A location on the local file system: `std::fs`, with the fsyncs the lake's durability
//! needs (a renamed file and its directory entry reach the disk).

use std::fs::{self, File};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use super::{Entry, Error, ObjectWriter, Result, WriterKind};

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::io(path, e)
}

pub fn read(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, e)),
    }
}

/// A temporary sibling of `path` for writing it whole (unique per process, so two
/// processes never write the same one).
fn sibling(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let mut f = File::create(path).map_err(|e| io(path, e))?;
    f.write_all(bytes).map_err(|e| io(path, e))?;
    f.sync_all().map_err(|e| io(path, e))
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = sibling(path);
    write_synced(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(|e| io(path, e))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Written whole beside it, then hard-linked in: the link fails when the object exists,
/// and a reader never sees it half written.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<bool> {
    let tmp = sibling(path);
    write_synced(&tmp, bytes)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(path.parent().unwrap_or(Path::new(".")));
            Ok(true)
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io(path, e)),
    }
}

pub fn delete(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path, e)),
    }
}

pub fn delete_all(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path, e)),
    }
}

pub fn rename(from: &Path, to: &Path) -> Result<bool> {
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    match fs::rename(from, to) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(to, e)),
    }
    sync_dir(to.parent().unwrap_or(Path::new(".")));
    Ok(true)
}

/// Flushes a directory entry (after a rename) where the platform allows it.
pub fn sync_dir(dir: &Path) {
    // Best effort: directories cannot be opened for sync on every platform.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

pub fn list(root: &Path) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    let mut pending = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound && dir == root => return Ok(out),
            Err(e) if e.kind() == ErrorKind::NotADirectory && dir == root => {
                let size = fs::metadata(root).map_err(|e| io(root, e))?.len();
                return Ok(vec![Entry {
                    path: String::new(),
                    size,
                }]);
            }
            Err(e) => return Err(io(&dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let meta = entry.metadata().map_err(|e| io(&entry.path(), e))?;
            if meta.is_dir() {
                pending.push((entry.path(), path));
            } else {
                out.push(Entry {
                    path,
                    size: meta.len(),
                });
            }
        }
    }
    Ok(out)
}

pub fn folders(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, e))?;
        if entry.path().is_dir() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(names)
}

pub fn read_ranges(path: &Path, ranges: &[std::ops::Range<u64>]) -> Result<Vec<bytes::Bytes>> {
    use std::io::{Seek, SeekFrom};
    let mut f = File::open(path).map_err(|e| io(path, e))?;
    let mut out = Vec::with_capacity(ranges.len());
    for r in ranges {
        let mut buf = vec![0; usize::try_from(r.end.saturating_sub(r.start)).unwrap_or(0)];
        f.seek(SeekFrom::Start(r.start)).map_err(|e| io(path, e))?;
        f.read_exact(&mut buf).map_err(|e| io(path, e))?;
        out.push(bytes::Bytes::from(buf));
    }
    Ok(out)
}

pub fn size(path: &Path) -> Result<Option<u64>> {
    match fs::metadata(path) {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, e)),
    }
}

pub fn files(dir: &Path) -> Result<Vec<Entry>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, e))?;
        let meta = entry.metadata().map_err(|e| io(&entry.path(), e))?;
        if meta.is_file() {
            out.push(Entry {
                path: entry.file_name().to_string_lossy().into_owned(),
                size: meta.len(),
            });
        }
    }
    Ok(out)
}

pub fn reader(path: &Path) -> Result<Box<dyn Read + Send>> {
    let f = File::open(path).map_err(|e| io(path, e))?;
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, f)))
}

pub fn writer(path: &Path) -> Result<ObjectWriter> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let file = File::create(path).map_err(|e| io(path, e))?;
    Ok(ObjectWriter {
        inner: WriterKind::Local(FileWriter {
            path: path.to_path_buf(),
            // A small buffer: the lake keeps a writer open per partition a run touches
            // (its Parquet writer buffers on its own), so a large one would grow memory
            // with the number of days.
            file: std::io::BufWriter::new(file),
        }),
    })
}

/// A written file not yet fsynced.
pub struct Unsynced {
    path: PathBuf,
    file: File,
}

impl Unsynced {
    pub fn sync(self) -> Result<()> {
        self.file.sync_all().map_err(|e| io(&self.path, e))
    }
}

/// A file being written; [`FileWriter::close`] flushes it, [`Unsynced::sync`] fsyncs it.
pub struct FileWriter {
    path: PathBuf,
    file: std::io::BufWriter<File>,
}

impl FileWriter {
    /// Writes out what is buffered; durable only once [`Unsynced::sync`] returns.
    pub fn close(self) -> Result<Unsynced> {
        let file = self
            .file
            .into_inner()
            .map_err(|e| io(&self.path, e.into_error()))?;
        Ok(Unsynced {
            path: self.path,
            file,
        })
    }

    pub fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}
