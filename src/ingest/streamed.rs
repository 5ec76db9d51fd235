//! Inputs that exist only as streams, written by another thread as ingest reads them
//! (`generate --lake`: an archive too large for the disk goes straight into the lake). A
//! bounded [`pipe`] carries them one after another; each is detected and read exactly as
//! a file of its name found in a folder, its SHA-256 computed as it passes.

use std::io::{self, BufReader, Read, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use sha2::{Digest, Sha256};

use super::content::hex;
use super::{Error, IngestOptions, InputOutcome, Observer, Read as Found, Result, Run, Summary};
use super::{Event, Identity};
use crate::lake::{Layout, RunWriter};
use crate::storage::Location;

/// Bytes one message of the pipe carries.
const CHUNK: usize = 256 * 1024;

/// Messages in flight: with [`CHUNK`], the pipe holds at most 4 MiB.
const IN_FLIGHT: usize = 16;

enum Message {
    Start(String),
    Bytes(Vec<u8>),
    End,
    /// The writing side failed: nothing of the run may be committed.
    Failed(String),
}

/// A pipe of named streams: the writing half opens them one at a time, the reading half
/// ([`ingest_streamed`]) ingests them in that order.
pub fn pipe() -> (PipeWriter, PipeInputs) {
    let (tx, rx) = sync_channel(IN_FLIGHT);
    let inputs = PipeInputs {
        rx,
        chunk: Vec::new(),
        at: 0,
        open: false,
        failure: None,
    };
    (PipeWriter { tx }, inputs)
}

/// The writing half of a [`pipe`].
pub struct PipeWriter {
    tx: SyncSender<Message>,
}

impl PipeWriter {
    /// Starts the next stream, named `name` (a relative path: it stands for the file's in
    /// the manifest and in every message); dropping the writer ends it.
    pub fn open(&mut self, name: &str) -> io::Result<Box<dyn Write + Send>> {
        send(&self.tx, Message::Start(name.to_owned()))?;
        Ok(Box::new(PipeFile {
            tx: self.tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        }))
    }

    /// Tells the reading half the writing failed (it then ends its run without
    /// committing).
    pub fn fail(self, reason: String) {
        // The reader may be gone already (it failed first): nothing to tell.
        let _ = self.tx.send(Message::Failed(reason));
    }
}

fn send(tx: &SyncSender<Message>, message: Message) -> io::Result<()> {
    tx.send(message)
        .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "ingest stopped reading"))
}

/// One stream being written.
struct PipeFile {
    tx: SyncSender<Message>,
    buf: Vec<u8>,
}

impl Write for PipeFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        send(&self.tx, Message::Bytes(full))
    }
}

impl Drop for PipeFile {
    fn drop(&mut self) {
        // A failed send means the reader is gone; it reports why.
        if self.flush().is_ok() {
            let _ = self.tx.send(Message::End);
        }
    }
}

/// The reading half of a [`pipe`]: the current stream's bytes (end of file at its end).
pub struct PipeInputs {
    rx: Receiver<Message>,
    chunk: Vec<u8>,
    at: usize,
    /// Whether a stream is started and not yet read to its end.
    open: bool,
    /// Why the writing side stopped early, once seen.
    failure: Option<String>,
}

impl PipeInputs {
    /// The next stream's name, after skipping what is left of the current one; `None`
    /// when the writer is done.
    fn next_input(&mut self) -> Result<Option<String>> {
        if self.open {
            // An error here is kept in `failure`, reported just below.
            let _ = io::copy(self, &mut io::sink());
        }
        if let Some(reason) = &self.failure {
            return Err(failed("", &io::Error::other(reason.clone())));
        }
        match self.rx.recv() {
            Ok(Message::Start(name)) => {
                self.open = true;
                Ok(Some(name))
            }
            Ok(Message::Failed(reason)) => Err(failed("", &io::Error::other(reason))),
            Ok(Message::Bytes(_) | Message::End) => Err(failed(
                "",
                &io::Error::other("bytes outside a stream in the pipe"),
            )),
            Err(_) => Ok(None),
        }
    }
}

impl Read for PipeInputs {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            if !self.open {
                return Ok(0);
            }
            let reason = match self.rx.recv() {
                Ok(Message::Bytes(b)) => {
                    (self.chunk, self.at) = (b, 0);
                    continue;
                }
                Ok(Message::End) => {
                    self.open = false;
                    continue;
                }
                Ok(Message::Failed(reason)) => reason,
                Ok(Message::Start(_)) | Err(_) => "the stream stopped before its end".into(),
            };
            self.open = false;
            self.failure = Some(reason.clone());
            return Err(io::Error::other(reason));
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn failed(name: &str, e: &io::Error) -> Error {
    let file = if name.is_empty() {
        "generated input"
    } else {
        name
    };
    Error::Input {
        file: file.to_owned(),
        reason: e.to_string(),
    }
}

/// Hashes and counts what passes through.
struct Hashing<'a> {
    inner: &'a mut PipeInputs,
    hasher: Sha256,
    size: u64,
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

/// Ingests every stream of `inputs` into the lake at `lake`, in one run that commits only
/// when the writer ends without failing. The lake should hold none of them: a stream's
/// hash is known only once it is read, so one already in the lake is read again (the
/// lake's dedup then keeps one version of each record).
pub fn ingest_streamed(
    lake: impl Into<Location>,
    inputs: &mut PipeInputs,
    options: &IngestOptions,
    observer: &mut dyn Observer,
) -> Result<Summary> {
    let lake: Location = lake.into();
    let writer = RunWriter::begin_with(Layout::new(&lake), options.writer.clone())?;
    observer.event(Event::Started { total_bytes: 0 });
    let counter = Arc::new(AtomicU64::new(0));
    let mut run = Run {
        writer,
        options,
        counter: &counter,
        records: 0,
        observer,
    };
    let mut outcomes = Vec::new();
    while let Some(name) = inputs.next_input()? {
        outcomes.push(run.streamed(name, inputs)?);
    }
    run.finish(&lake, outcomes)
}

impl Run<'_> {
    /// Reads one stream as a file of its name found in a folder.
    fn streamed(&mut self, name: String, inputs: &mut PipeInputs) -> Result<InputOutcome> {
        let mut hashing = Hashing {
            inner: inputs,
            hasher: Sha256::new(),
            size: 0,
        };
        let mut read = Found::default();
        let mut reader = BufReader::with_capacity(1 << 20, &mut hashing);
        let result = self.stream(None, &name, &mut reader, &mut read);
        // The rest of it (what the source did not read) still counts in its hash.
        io::copy(&mut reader, &mut io::sink()).map_err(|e| failed(&name, &e))?;
        drop(reader);
        let input = Identity {
            name,
            explicit: false,
            sha256: hex(&hashing.hasher.finalize()),
            size: hashing.size,
        };
        self.conclude(input, read, result)
    }
}
