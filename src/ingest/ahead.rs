//! Each input fetched and hashed one input ahead of the one being read, on a thread of
//! its own.
//!
//! Whether an input is already in the lake is known only from its SHA-256. A local file
//! whose size no input of the lake (or of this run) has cannot be one of them, so it is
//! read once: the helper reads it in chunks, hashes each and hands it to the reading
//! thread, which parses the same bytes, and its digest comes at its end (it is then the
//! digest of exactly the bytes parsed). Any other input — an object, a file of a size seen
//! before, a zip, which is read at random — is hashed whole before it is read, one input
//! ahead of the one being read. Either way the reading thread gets each input in order,
//! with the same errors as a hash on its own thread would give.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use sha2::{Digest, Sha256};

use super::content::{Content, hex};
use super::input::{InputFile, Origin, ZIP_MAGIC};
use super::{Error, Result};

/// One input, fetched and hashed, or being read once.
pub enum Prepared {
    /// Its bytes, and their SHA-256 (hex) and size or why they could not be read.
    Fetched(Content, Result<(String, u64)>),
    /// A local file the helper is reading once, hashing what it hands on.
    Streamed(Streamed),
    /// It could not be fetched (so it was not hashed).
    Unfetched(Error),
}

/// Bytes the helper reads and hands on at a time.
const CHUNK: usize = 1 << 20;

/// Chunks in flight to the reading thread: with [`CHUNK`], at most 4 MiB.
const CHUNKS_IN_FLIGHT: usize = 4;

/// What the helper sends of a streamed file.
enum Chunk {
    Bytes(Vec<u8>),
    /// The SHA-256 (hex) and size of all the bytes sent, or why reading stopped.
    End(io::Result<(String, u64)>),
}

/// The reading side of a file read once: its bytes in order (a [`BufRead`] lending each
/// chunk as it is), then its digest ([`Streamed::finish`]).
pub struct Streamed {
    path: PathBuf,
    chunks: Receiver<Chunk>,
    /// Read chunks go back to the helper to be filled again.
    spare: Sender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
    /// The end, once the reading thread has met it.
    end: Option<io::Result<(String, u64)>>,
}

impl Streamed {
    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SHA-256 (hex) and size of the whole file, reading (unparsed) whatever the
    /// reading thread left.
    pub fn finish(mut self, name: &str) -> Result<(String, u64)> {
        loop {
            if let Some(end) = self.end.take() {
                return end.map_err(|e| Error::io(name, e));
            }
            match self.chunks.recv() {
                Ok(Chunk::Bytes(b)) => drop(self.spare.send(b)),
                Ok(Chunk::End(end)) => self.end = Some(end),
                Err(_) => return Err(Error::io(name, helper_gone())),
            }
        }
    }
}

fn helper_gone() -> io::Error {
    io::Error::other("the thread reading the file stopped")
}

impl Read for Streamed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Streamed {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.at == self.current.len() {
            match &self.end {
                Some(Ok(_)) => return Ok(&[]),
                Some(Err(e)) => return Err(io::Error::new(e.kind(), e.to_string())),
                None => {}
            }
            match self.chunks.recv() {
                Ok(Chunk::Bytes(b)) => {
                    let used = std::mem::replace(&mut self.current, b);
                    // The helper may be gone already (it sent the end): nothing to reuse.
                    let _ = self.spare.send(used);
                    self.at = 0;
                }
                Ok(Chunk::End(end)) => self.end = Some(end),
                Err(_) => return Err(helper_gone()),
            }
        }
        Ok(&self.current[self.at..])
    }

    fn consume(&mut self, amount: usize) {
        self.at = (self.at + amount).min(self.current.len());
    }
}

/// Prepares `file`, sending it on `tx`; `false` when the reader has stopped. `seen` holds
/// the sizes of the lake's inputs and of the inputs prepared before this one.
fn prepare(file: &InputFile, seen: &mut HashSet<u64>, tx: &SyncSender<Prepared>) -> bool {
    if let Origin::File(path) = &file.origin
        && let Ok(meta) = std::fs::metadata(path)
        && seen.insert(meta.len())
    {
        return stream(file, path, seen, tx);
    }
    let prepared = match file.content() {
        Ok(content) => {
            let digest = content.sha256(&file.name);
            if let Ok((_, size)) = &digest {
                seen.insert(*size);
            }
            Prepared::Fetched(content, digest)
        }
        Err(e) => Prepared::Unfetched(e),
    };
    tx.send(prepared).is_ok()
}

/// Reads the file at `path` once, handing its chunks on as it hashes them; a zip (read at
/// random, not in order) is hashed whole and handed on as a file.
fn stream(
    file: &InputFile,
    path: &Path,
    seen: &mut HashSet<u64>,
    tx: &SyncSender<Prepared>,
) -> bool {
    let as_file = || Content::File(path.to_owned());
    let opened = File::open(path).and_then(|mut f| Ok((read_chunk(&mut f, Vec::new())?, f)));
    let (first, mut reader) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            return tx
                .send(Prepared::Fetched(as_file(), Err(Error::io(&file.name, e))))
                .is_ok();
        }
    };
    if first.starts_with(&ZIP_MAGIC) {
        let content = as_file();
        let digest = content.sha256(&file.name);
        return tx.send(Prepared::Fetched(content, digest)).is_ok();
    }
    let (chunks_tx, chunks) = sync_channel(CHUNKS_IN_FLIGHT);
    let (spare, spares) = channel();
    let streamed = Streamed {
        path: path.to_owned(),
        chunks,
        spare,
        current: Vec::new(),
        at: 0,
        end: None,
    };
    if tx.send(Prepared::Streamed(streamed)).is_err() {
        return false;
    }
    let end = Hashed::default().pump(first, &mut reader, &chunks_tx, &spares);
    if let Some(end) = end {
        if let Ok((_, size)) = &end {
            seen.insert(*size);
        }
        // The reader may have stopped: it then wants nothing more.
        let _ = chunks_tx.send(Chunk::End(end));
    }
    true
}

/// A running SHA-256 and the bytes it has seen.
#[derive(Default)]
struct Hashed {
    hasher: Sha256,
    size: u64,
}

impl Hashed {
    fn add(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
    }

    fn done(self) -> (String, u64) {
        (hex(&self.hasher.finalize()), self.size)
    }

    /// Hashes and sends `first` and the rest of `reader` chunk by chunk; returns how it
    /// ended, or `None` when the reader stopped taking chunks.
    fn pump(
        mut self,
        first: Vec<u8>,
        reader: &mut File,
        out: &SyncSender<Chunk>,
        spares: &Receiver<Vec<u8>>,
    ) -> Option<io::Result<(String, u64)>> {
        let mut chunk = first;
        while !chunk.is_empty() {
            self.add(&chunk);
            out.send(Chunk::Bytes(chunk)).ok()?;
            let buf = spares.try_recv().unwrap_or_default();
            chunk = match read_chunk(reader, buf) {
                Ok(c) => c,
                Err(e) => return Some(Err(e)),
            };
        }
        Some(Ok(self.done()))
    }
}

/// The next [`CHUNK`] bytes of `reader` (fewer only at its end) in `buf`.
fn read_chunk(reader: &mut File, mut buf: Vec<u8>) -> io::Result<Vec<u8>> {
    buf.clear();
    buf.reserve_exact(CHUNK);
    reader.take(CHUNK as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Runs `body` over `files`, each with its preparation, in order. `seen` are the sizes of
/// the inputs already in the lake: a local file of another size is read once
/// ([`Prepared::Streamed`]); any other input is hashed one input ahead of the one `body`
/// holds, so at most two inputs' contents exist at once (an object's is held in memory up
/// to [`super::content::IN_MEMORY_BYTES`], else spooled to a temporary file). When `body`
/// returns early the helper stops after the input it is preparing. A panic of the helper
/// is the caller's once `body` returns.
pub fn with_prepared<'f, T>(
    files: &[&'f InputFile],
    mut seen: HashSet<u64>,
    body: impl FnOnce(&mut dyn Iterator<Item = (&'f InputFile, Prepared)>) -> T,
) -> T {
    std::thread::scope(|scope| {
        // A rendezvous: the helper prepares the next input, then waits for it to be taken.
        let (tx, rx) = sync_channel(0);
        scope.spawn(move || {
            for file in files {
                if !prepare(file, &mut seen, &tx) {
                    return; // the reader stopped
                }
            }
        });
        body(&mut files.iter().copied().zip(rx))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::input::{expand, sha256_bytes};
    use crate::storage::Location;

    /// A preparation's digest (or error) and how it was made.
    type Got = (std::result::Result<(String, u64), String>, &'static str);

    /// Each preparation's digest (a streamed file read to its end first) and how it came.
    fn digests(prepared: Vec<Prepared>) -> Vec<Got> {
        prepared
            .into_iter()
            .map(|p| match p {
                Prepared::Fetched(_, d) => (d.map_err(|e| e.to_string()), "hashed first"),
                Prepared::Streamed(s) => (s.finish("f").map_err(|e| e.to_string()), "read once"),
                Prepared::Unfetched(e) => (Err(e.to_string()), "unfetched"),
            })
            .collect()
    }

    #[test]
    fn inputs_arrive_in_order_with_their_digests_and_a_missing_one_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [("a.json", "A"), ("c.json", "CCC")] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let (found, _) = expand(&[Location::from(dir.path())]).unwrap();
        let missing = found[0].sibling("b.json").unwrap();
        let files = [&found[0], &missing, &found[1]];
        let got = with_prepared(&files, HashSet::new(), |ahead| {
            ahead.map(|(_, p)| p).collect()
        });
        let got = digests(got);
        let sha = |s: &str| sha256_bytes(s.as_bytes());
        assert_eq!(got[0], (Ok((sha("A"), 1)), "read once"));
        let (Err(reason), "hashed first") = &got[1] else {
            panic!("a missing file has no digest: {:?}", got[1]);
        };
        assert!(reason.contains("b.json"), "{reason}");
        assert_eq!(got[2], (Ok((sha("CCC"), 3)), "read once"));
    }

    #[test]
    fn a_file_of_a_size_seen_before_or_a_zip_is_hashed_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let zip = [&ZIP_MAGIC[..], b"rest of a zip"].concat();
        for (name, bytes) in [
            ("1.json", &b"{}\n"[..]),
            ("2.json", b"{1}\n"),
            ("3.json", b"[2]\n"),
            ("4.zip", &zip),
        ] {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let (found, _) = expand(&[Location::from(dir.path())]).unwrap();
        let files: Vec<&InputFile> = found.iter().collect();
        // The lake holds an input of 3 bytes; 2.json's 4 bytes are seen first in this run.
        let got = with_prepared(&files, HashSet::from([3]), |ahead| {
            ahead.map(|(_, p)| p).collect()
        });
        let how: Vec<&str> = digests(got)
            .into_iter()
            .map(|(d, how)| {
                assert!(d.is_ok(), "{d:?}");
                how
            })
            .collect();
        assert_eq!(
            how,
            ["hashed first", "read once", "hashed first", "hashed first"]
        );
    }

    #[test]
    fn a_file_read_once_gives_its_bytes_in_order_and_the_digest_of_all_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..(2 * CHUNK + 12_345)).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.path().join("big.json"), &bytes).unwrap();
        let (found, _) = expand(&[Location::from(dir.path())]).unwrap();
        let files = [&found[0]];
        let (read, digest) = with_prepared(&files, HashSet::new(), |ahead| {
            let Some((_, Prepared::Streamed(mut s))) = ahead.next() else {
                panic!("a file of a new size is read once");
            };
            let mut all = Vec::new();
            s.read_to_end(&mut all).unwrap();
            (all, s.finish("big.json").unwrap())
        });
        assert!(read == bytes, "the bytes differ");
        assert_eq!(digest, (sha256_bytes(&bytes), bytes.len() as u64));
        // Stopping early still gives the digest of the whole file.
        let digest = with_prepared(&files, HashSet::new(), |ahead| {
            let Some((_, Prepared::Streamed(mut s))) = ahead.next() else {
                panic!("a file of a new size is read once");
            };
            s.fill_buf().unwrap();
            s.consume(10);
            s.finish("big.json").unwrap()
        });
        assert_eq!(digest, (sha256_bytes(&bytes), bytes.len() as u64));
    }

    #[test]
    fn a_reader_that_stops_early_stops_the_helper() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::write(dir.path().join(format!("{i}.json")), "x".repeat(i + 1)).unwrap();
        }
        let (found, _) = expand(&[Location::from(dir.path())]).unwrap();
        let files: Vec<&InputFile> = found.iter().collect();
        // Returns (and so joins the helper) with four inputs never taken, the one taken
        // never read.
        let first = with_prepared(&files, HashSet::new(), |ahead| {
            ahead.next().map(|(f, _)| f.name.clone())
        });
        assert_eq!(first, Some(found[0].name.clone()));
    }
}
