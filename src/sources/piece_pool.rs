//! Decodes split JSON pieces on worker threads while the caller's thread splits the input
//! and hands the results to the sink in input order.
//!
//! Parsing and mapping a record is most of ingest's work; one thread splitting and
//! several decoding keep both cores busy. The sink sees exactly the calls, in exactly the
//! order, a single-threaded loop would make: each worker records its sink calls per batch,
//! and batches are replayed in the order they were cut.

use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::json_split::{JsonSplitter, Piece};
use super::sink::Sink;
use crate::schema::{Record, SignInRows};
use crate::sources::{Error, Result};

/// A batch is sent once it holds this many bytes or pieces. Small enough that its buffer
/// stays an ordinary allocation, reused from batch to batch: multi-MiB buffers were fresh
/// (zeroed) pages every time.
const BATCH_BYTES: usize = 512 << 10;
const BATCH_PIECES: usize = 256;

/// Batches queued or being decoded per worker before the splitter waits.
const IN_FLIGHT_PER_WORKER: usize = 4;

/// Pieces copied out of the splitter, one buffer for many.
struct Batch {
    bytes: Vec<u8>,
    pieces: Vec<Meta>,
}

/// A piece's place in its batch and its flags (see [`Piece`]).
struct Meta {
    start: usize,
    end: usize,
    no: u64,
    element: bool,
    closed: Option<bool>,
    unterminated: bool,
}

impl Batch {
    fn push(&mut self, p: &Piece<'_>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(p.bytes);
        self.pieces.push(Meta {
            start,
            end: self.bytes.len(),
            no: p.no,
            element: p.element,
            closed: p.closed,
            unterminated: p.unterminated,
        });
    }

    fn new() -> Batch {
        Batch {
            bytes: Vec::with_capacity(BATCH_BYTES + (BATCH_BYTES >> 2)),
            pieces: Vec::with_capacity(BATCH_PIECES),
        }
    }

    fn full(&self) -> bool {
        self.bytes.len() >= BATCH_BYTES || self.pieces.len() >= BATCH_PIECES
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.pieces.clear();
    }
}

/// One recorded sink call.
enum Call {
    Record(u64, Record),
    Reject(u64, Vec<u8>, String),
    Skip(u64, String),
    Partial(u64, Vec<u8>),
    Warn(String),
    Truncated(String),
    RepeatedKeys(u64),
    /// Row of the batch's decoded sign-ins ([`Decoded`]).
    SignInRow(u64, usize),
}

/// A sink that records calls for replay on the caller's thread; it answers
/// [`Sink::tenant`] and [`Sink::takes_columns`] as the caller's sink does.
#[derive(Default)]
pub struct Recorder {
    calls: Vec<Call>,
    tenant: Option<String>,
    columns: bool,
}

impl Recorder {
    /// Row `row` of the sign-ins the batch handler returns, for the caller's sink's
    /// [`Sink::sign_in_row`] (in order among the other calls).
    pub fn decoded_row(&mut self, record_no: u64, row: usize) {
        self.calls.push(Call::SignInRow(record_no, row));
    }
}

/// What a batch handler may return: the batch's sign-ins decoded as columns.
pub type Decoded = Option<Arc<SignInRows>>;

impl Sink for Recorder {
    fn record(&mut self, record_no: u64, record: Record) -> Result<()> {
        self.calls.push(Call::Record(record_no, record));
        Ok(())
    }
    fn reject(&mut self, record_no: u64, raw: &[u8], reason: String) -> Result<()> {
        self.calls
            .push(Call::Reject(record_no, raw.to_vec(), reason));
        Ok(())
    }
    fn skip(&mut self, record_no: u64, what: &str) {
        self.calls.push(Call::Skip(record_no, what.to_string()));
    }
    fn partial(&mut self, record_no: u64, raw: &[u8]) {
        self.calls.push(Call::Partial(record_no, raw.to_vec()));
    }
    fn warn(&mut self, message: String) {
        self.calls.push(Call::Warn(message));
    }
    fn truncated(&mut self, message: String) {
        self.calls.push(Call::Truncated(message));
    }
    fn repeated_keys(&mut self, record_no: u64) {
        self.calls.push(Call::RepeatedKeys(record_no));
    }
    fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }
    fn takes_columns(&self) -> bool {
        self.columns
    }
}

fn replay(calls: Vec<Call>, decoded: &Decoded, sink: &mut dyn Sink) -> Result<()> {
    for call in calls {
        match call {
            Call::Record(no, r) => sink.record(no, r)?,
            Call::Reject(no, raw, reason) => sink.reject(no, &raw, reason)?,
            Call::Skip(no, what) => sink.skip(no, &what),
            Call::Partial(no, raw) => sink.partial(no, &raw),
            Call::Warn(m) => sink.warn(m),
            Call::Truncated(m) => sink.truncated(m),
            Call::RepeatedKeys(no) => sink.repeated_keys(no),
            Call::SignInRow(no, row) => match decoded {
                Some(rows) => sink.sign_in_row(no, rows, row)?,
                None => return Err(Error::Internal("a decoded row without its batch".into())),
            },
        }
    }
    Ok(())
}

/// What a worker sends back: the calls of one batch, its decoded sign-ins, and the
/// emptied-out batch to reuse.
type Done = Result<(Vec<Call>, Decoded, Batch)>;

struct Worker {
    jobs: SyncSender<Batch>,
    done: Receiver<Done>,
}

fn work<S, H>(
    jobs: Receiver<Batch>,
    done: SyncSender<Done>,
    (mut state, tenant, columns): (S, Option<String>, bool),
    handle: &H,
) where
    H: Fn(&mut S, &[Piece<'_>], &mut Recorder) -> Result<Decoded>,
{
    for mut batch in jobs {
        let mut rec = Recorder {
            calls: Vec::new(),
            tenant: tenant.clone(),
            columns,
        };
        let pieces: Vec<Piece<'_>> = batch
            .pieces
            .iter()
            .map(|m| Piece {
                bytes: &batch.bytes[m.start..m.end],
                no: m.no,
                element: m.element,
                closed: m.closed,
                unterminated: m.unterminated,
            })
            .collect();
        let outcome = handle(&mut state, &pieces, &mut rec);
        drop(pieces);
        batch.clear();
        let failed = outcome.is_err();
        if done
            .send(outcome.map(|decoded| (rec.calls, decoded, batch)))
            .is_err()
            || failed
        {
            return;
        }
    }
}

/// How many decoding threads: one per core (the splitting thread and the lake's encoder
/// share the cores with them), at most four.
fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
}

/// Splits `split`'s input and runs `handle` on every batch of pieces on worker threads,
/// each with its own state from `init`; the sink receives the handlers' calls in input
/// order. A handler may decode its batch's sign-ins into columns (their strings borrowed
/// from the batch's bytes until the columns are built) and return them. A handler fails
/// only when its sink does, and the workers' sinks only record, so every failure here
/// comes from reading the input or from `sink`.
pub fn run_batches<R, S, I, H>(
    split: &mut JsonSplitter<R>,
    sink: &mut dyn Sink,
    init: I,
    handle: H,
) -> Result<()>
where
    R: BufRead,
    S: Send,
    I: Fn() -> S,
    H: Fn(&mut S, &[Piece<'_>], &mut Recorder) -> Result<Decoded> + Sync,
{
    let n = workers();
    std::thread::scope(|scope| {
        let handle = &handle;
        let pool: Vec<Worker> = (0..n)
            .map(|_| {
                let (jobs, job_rx) = sync_channel::<Batch>(1);
                let (done_tx, done) = sync_channel::<Done>(IN_FLIGHT_PER_WORKER);
                let state = (
                    init(),
                    sink.tenant().map(str::to_owned),
                    sink.takes_columns(),
                );
                scope.spawn(move || work(job_rx, done_tx, state, handle));
                Worker { jobs, done }
            })
            .collect();
        let mut queue = Queue {
            pool: &pool,
            in_flight: VecDeque::new(),
            next: 0,
            spare: Vec::new(),
        };
        let mut batch = Batch::new();
        // A read error (a truncated gzip, say) ends the input, but what was read before it
        // still reaches the sink, as it would in a single-threaded loop.
        let read_error = loop {
            match split.next_piece() {
                Ok(Some(piece)) => batch.push(&piece),
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
            if batch.full() {
                let fresh = queue.spare.pop().unwrap_or_else(Batch::new);
                queue.send(std::mem::replace(&mut batch, fresh), sink)?;
            }
        };
        if !batch.pieces.is_empty() {
            queue.send(batch, sink)?;
        }
        while !queue.in_flight.is_empty() {
            queue.finish_oldest(sink)?;
        }
        match read_error {
            Some(e) => Err(unreadable(e)),
            None => Ok(()),
        }
    })
}

/// Batches out to workers in turn, results back in the same turn.
struct Queue<'a> {
    pool: &'a [Worker],
    in_flight: VecDeque<usize>,
    next: usize,
    spare: Vec<Batch>,
}

impl Queue<'_> {
    fn send(&mut self, batch: Batch, sink: &mut dyn Sink) -> Result<()> {
        if self.in_flight.len() >= self.pool.len() * IN_FLIGHT_PER_WORKER {
            self.finish_oldest(sink)?;
        }
        let w = self.next;
        self.next = (self.next + 1) % self.pool.len();
        if self.pool[w].jobs.send(batch).is_err() {
            // The worker stopped on an error: report it (and everything before it).
            while !self.in_flight.is_empty() {
                self.finish_oldest(sink)?;
            }
            return Err(stopped());
        }
        self.in_flight.push_back(w);
        Ok(())
    }

    fn finish_oldest(&mut self, sink: &mut dyn Sink) -> Result<()> {
        let Some(w) = self.in_flight.pop_front() else {
            return Ok(());
        };
        let (calls, decoded, batch) = self.pool[w].done.recv().map_err(|_| stopped())??;
        self.spare.push(batch);
        replay(calls, &decoded, sink)
    }
}

/// Sources are given a reader, not a path: the caller re-labels the error with its file.
pub(super) const INPUT: &str = "input";

/// The input could not be read (an I/O error, a truncated gzip stream).
pub(super) fn unreadable(e: std::io::Error) -> Error {
    Error::Input {
        file: INPUT.to_string(),
        reason: e.to_string(),
    }
}

fn stopped() -> Error {
    Error::Internal("a JSON decoding thread stopped unexpectedly".into())
}

#[cfg(test)]
mod tests {
    use std::io::{self, BufRead, BufReader, Read};

    use super::*;
    use crate::schema::{EventType, SignIn};
    use crate::sources::test_sink::Collect;

    /// A record for every piece that is a JSON value, a reject for every other piece.
    fn read(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
        let mut split = JsonSplitter::new(input);
        run_batches(
            &mut split,
            sink,
            || (),
            |(), pieces, sink| {
                for piece in pieces {
                    match serde_json::from_slice::<serde_json::Value>(piece.bytes) {
                        Ok(_) => {
                            let at = chrono::DateTime::UNIX_EPOCH;
                            let s =
                                SignIn::new(piece.no.to_string(), at, EventType::InteractiveUser);
                            sink.record(piece.no, Record::SignIn(Box::new(s)))?;
                        }
                        Err(e) => sink.reject(piece.no, piece.bytes, e.to_string())?,
                    }
                }
                Ok(None)
            },
        )
    }

    fn lines(n: usize) -> String {
        (1..=n)
            .map(|i| {
                if i % 7 == 0 {
                    format!("{{\"id\":\"s{i}\",\"createdDateTime\":\n")
                } else {
                    format!("{{\"id\":\"s{i}\",\"createdDateTime\":\"2026-11-03T08:00:00Z\"}}\n")
                }
            })
            .collect()
    }

    #[test]
    fn many_batches_reach_the_sink_in_input_order() {
        let n = 5_000; // about 20 batches of 256 pieces
        let input = lines(n);
        let mut sink = Collect::default();
        read(
            &mut BufReader::with_capacity(4096, input.as_bytes()),
            &mut sink,
        )
        .unwrap();
        let records: Vec<u64> = sink.records.iter().map(|r| r.0).collect();
        let expect: Vec<u64> = (1..=n as u64).filter(|i| i % 7 != 0).collect();
        assert_eq!(records, expect);
        let rejects: Vec<u64> = sink.rejects.iter().map(|r| r.0).collect();
        assert_eq!(
            rejects,
            (1..=n as u64).filter(|i| i % 7 == 0).collect::<Vec<_>>()
        );
    }

    /// Fails after `ok` bytes, like a truncated gzip stream.
    struct FailsAfter<'a> {
        data: &'a [u8],
        ok: usize,
    }

    impl Read for FailsAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.ok == 0 {
                return Err(io::Error::other("unexpected end of gzip stream"));
            }
            let n = buf.len().min(self.ok).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            self.ok -= n;
            Ok(n)
        }
    }

    #[test]
    fn records_before_a_read_error_are_delivered() {
        let input = lines(3_000);
        let cut = input.len() / 2;
        let mut reader = BufReader::with_capacity(
            1024,
            FailsAfter {
                data: input.as_bytes(),
                ok: cut,
            },
        );
        assert!(reader.fill_buf().is_ok());
        let mut sink = Collect::default();
        let err = read(&mut reader, &mut sink).unwrap_err();
        assert!(err.to_string().contains("unexpected end of gzip stream"));
        let whole_lines = input[..cut].matches('\n').count() as u64;
        let delivered = sink.records.len() + sink.rejects.len();
        assert_eq!(
            delivered as u64, whole_lines,
            "every line read before the error"
        );
        let last = sink.records.last().map(|r| r.0).unwrap_or(0);
        assert!(last >= whole_lines - 1);
    }
}
