//! Output files written as the generator goes: one open file per stream (a log and its
//! period), switched when the period moves on, so memory stays flat in the number of
//! records. A stream never returns to a closed file: the planner's times only increase.
//! Files go to a folder, or to an [`Opener`] that takes them one at a time (`generate
//! --lake` streams them into ingest without writing them).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Takes the files of a streamed archive: called with each file's path (relative,
/// `/`-separated) when it is opened; what is written to the writer is its content, and
/// dropping the writer (after a flush) ends it.
pub type Opener<'a> = dyn FnMut(&str) -> io::Result<Box<dyn Write + Send>> + 'a;

/// The output folder (or opener) and the bytes written under it.
pub struct Out<'o> {
    pub root: PathBuf,
    pub bytes: u64,
    pub files: u64,
    opener: Option<&'o mut Opener<'o>>,
}

impl<'o> Out<'o> {
    pub fn new(root: &Path) -> Out<'o> {
        Out {
            root: root.to_path_buf(),
            bytes: 0,
            files: 0,
            opener: None,
        }
    }

    /// Files named `<prefix>/<path>` handed to `opener` instead of written.
    pub fn streamed(prefix: &str, opener: &'o mut Opener<'o>) -> Out<'o> {
        Out {
            root: PathBuf::from(prefix),
            bytes: 0,
            files: 0,
            opener: Some(opener),
        }
    }

    /// A new file of the archive: in the folder, or from the opener.
    fn open(&mut self, rel: &str) -> io::Result<Box<dyn Write + Send>> {
        match &mut self.opener {
            None => Ok(Box::new(self.create(rel)?)),
            Some(open) => {
                self.files += 1;
                let name = format!("{}/{rel}", self.root.display());
                open(&name)
            }
        }
    }

    /// Creates a new file (and its folders); refuses to overwrite one, so a planning
    /// mistake that revisits a period fails loudly instead of losing records.
    pub fn create(&mut self, rel: &str) -> io::Result<BufWriter<File>> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        self.files += 1;
        Ok(BufWriter::with_capacity(256 * 1024, file))
    }
}

/// One stream of files: the current file's relative path and writer.
#[derive(Default)]
pub struct Stream {
    current: Option<(String, Box<dyn Write + Send>)>,
    /// Records written to the current file.
    pub rows: u64,
}

impl Stream {
    /// The writer of `rel`, opening it (with `header`) when the stream moves to it.
    /// Returns whether the file is new.
    pub fn switch(&mut self, out: &mut Out, rel: &str, header: &[u8]) -> io::Result<bool> {
        if self.current.as_ref().is_some_and(|(p, _)| p == rel) {
            return Ok(false);
        }
        self.close()?;
        let mut w = out.open(rel)?;
        w.write_all(header)?;
        out.bytes += header.len() as u64;
        self.current = Some((rel.to_string(), w));
        self.rows = 0;
        Ok(true)
    }

    /// Appends bytes to the current file.
    pub fn write(&mut self, out: &mut Out, bytes: &[u8]) -> io::Result<()> {
        let (_, w) = self
            .current
            .as_mut()
            .ok_or_else(|| io::Error::other("no file open in the stream"))?;
        w.write_all(bytes)?;
        out.bytes += bytes.len() as u64;
        self.rows += 1;
        Ok(())
    }

    /// Appends bytes that are not a record (a header).
    pub fn raw(&mut self, out: &mut Out, bytes: &[u8]) -> io::Result<()> {
        self.write(out, bytes)?;
        self.rows -= 1;
        Ok(())
    }

    /// Flushes and closes the current file, appending `trailer` first.
    pub fn close_with(&mut self, out: &mut Out, trailer: &[u8]) -> io::Result<()> {
        if let Some((_, mut w)) = self.current.take() {
            w.write_all(trailer)?;
            out.bytes += trailer.len() as u64;
            w.flush()?;
        }
        Ok(())
    }

    /// Flushes and closes the current file.
    pub fn close(&mut self) -> io::Result<()> {
        if let Some((_, mut w)) = self.current.take() {
            w.flush()?;
        }
        Ok(())
    }
}

/// A file name computed once per period (day or hour), not once per record.
#[derive(Debug, Default)]
pub struct PathCache {
    period: Option<i64>,
    path: String,
}

impl PathCache {
    /// The path of `period`, made by `make` when the period changes.
    pub fn get(&mut self, period: i64, make: impl FnOnce() -> String) -> &str {
        if self.period != Some(period) {
            self.period = Some(period);
            self.path = make();
        }
        &self.path
    }
}

/// Appends a CSV field, quoted when it holds a comma, quote or line break.
pub fn csv_cell(buf: &mut Vec<u8>, s: &[u8]) {
    let special =
        memchr::memchr3(b',', b'"', b'\n', s).is_some() || memchr::memchr(b'\r', s).is_some();
    if !special {
        buf.extend_from_slice(s);
        return;
    }
    buf.push(b'"');
    let mut run = 0;
    for at in memchr::memchr_iter(b'"', s) {
        buf.extend_from_slice(&s[run..=at]);
        buf.push(b'"');
        run = at + 1;
    }
    buf.extend_from_slice(&s[run..]);
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        let mut b = Vec::new();
        csv_cell(&mut b, b"plain");
        b.push(b',');
        csv_cell(&mut b, br#"{"a":"x,y"}"#);
        assert_eq!(b, br#"plain,"{""a"":""x,y""}""#);
    }

    #[test]
    fn a_stream_refuses_to_reopen_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Out::new(dir.path());
        let mut s = Stream::default();
        assert!(s.switch(&mut out, "a/x.json", b"").unwrap());
        s.write(&mut out, b"1\n").unwrap();
        assert!(!s.switch(&mut out, "a/x.json", b"").unwrap());
        s.switch(&mut out, "a/y.json", b"").unwrap();
        assert!(s.switch(&mut out, "a/x.json", b"").is_err());
        s.close().unwrap();
        assert_eq!(std::fs::read(dir.path().join("a/x.json")).unwrap(), b"1\n");
    }
}
