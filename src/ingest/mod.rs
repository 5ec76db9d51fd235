//! `mfaproof ingest`: inputs → sources → lake, one run. The library reports through an
//! [`Observer`] and never prints; the CLI turns events into messages and a progress bar.

mod error;
pub mod input;
mod sink;
mod stream;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use serde::Serialize;

use crate::lake::{Counts, InputEntry, Layout, RunWriter, WriterOptions};
use crate::sources::{self, Detection, Format};
use crate::storage::Location;
pub use error::{Error, Result};
use sink::FileSink;
pub use stream::ingest_bytes;

/// How an ingest run reads its inputs and writes the lake.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Read every input as this format instead of detecting it.
    pub format: Option<Format>,
    /// How the lake is written.
    pub writer: WriterOptions,
}

/// Severity of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// What an ingest run tells its observer.
#[derive(Debug, Clone)]
pub enum Event {
    /// Total bytes of all inputs (for a progress bar).
    Started { total_bytes: u64 },
    /// Bytes read so far and records decoded so far.
    Progress { bytes: u64, records: u64 },
    /// Something the user should read; names file and record where it can.
    Message { level: Level, text: String },
}

/// Receives ingest events.
pub trait Observer {
    fn event(&mut self, event: Event);
}

/// An observer that ignores everything (library use, tests).
pub struct Quiet;

impl Observer for Quiet {
    fn event(&mut self, _: Event) {}
}

/// What happened to one input.
#[derive(Debug, Clone, Serialize)]
pub struct InputOutcome {
    pub path: String,
    /// `ingested`, `already-ingested`, `skipped` (not a log file in a folder), `failed`.
    pub status: &'static str,
    pub sha256: Option<String>,
    pub counts: Counts,
    pub messages: Vec<String>,
}

/// The summary of an ingest run (`--json` prints it).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub lake: String,
    pub run: u64,
    pub counts: Counts,
    pub duplicates_dropped: u64,
    pub inputs: Vec<InputOutcome>,
}

impl Summary {
    /// Inputs that could not be read at all (the CLI exits non-zero when there are any).
    pub fn failed(&self) -> usize {
        self.inputs.iter().filter(|i| i.status == "failed").count()
    }
}

/// Ingests `paths` into the lake at `lake` (a path or a [`Location`]).
pub fn ingest(
    lake: impl Into<Location>,
    paths: &[PathBuf],
    options: &IngestOptions,
    observer: &mut dyn Observer,
) -> Result<Summary> {
    let (files, skipped_files) = input::expand(paths).map_err(unreadable)?;
    let lake: Location = lake.into();
    let writer = RunWriter::begin_with(Layout::new(&lake), options.writer.clone())?;
    let total_bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    observer.event(Event::Started { total_bytes });
    let counter = Arc::new(AtomicU64::new(0));
    let mut outcomes: Vec<InputOutcome> = skipped_files
        .into_iter()
        .map(|path| InputOutcome {
            path: path.display().to_string(),
            status: "skipped",
            sha256: None,
            counts: Counts::default(),
            messages: vec!["not a log file (extension)".into()],
        })
        .collect();
    let companions = companions_of(&files);
    let mut run = Run {
        writer,
        options,
        counter: &counter,
        records: 0,
        observer,
    };
    for file in &files {
        if companions.contains(&file.path) {
            continue; // read together with its portal sign-ins CSV
        }
        outcomes.push(run.file(file)?);
    }
    let done = run.writer.finish()?;
    Ok(Summary {
        lake: lake.to_string(),
        run: done.run,
        counts: done.counts,
        duplicates_dropped: done.duplicates_dropped,
        inputs: outcomes,
    })
}

/// Portal authentication-details CSVs whose sign-ins CSV is also among the inputs.
fn companions_of(files: &[input::InputFile]) -> Vec<PathBuf> {
    files
        .iter()
        .filter_map(|f| {
            let name = f.path.file_name()?.to_str()?;
            let companion = sources::portal_csv::companion_name(name)?;
            let path = f.path.with_file_name(companion);
            files.iter().any(|g| g.path == path).then_some(path)
        })
        .collect()
}

/// One ingest run: the writer and what every input shares.
struct Run<'a> {
    writer: RunWriter,
    options: &'a IngestOptions,
    counter: &'a Arc<AtomicU64>,
    records: u64,
    observer: &'a mut dyn Observer,
}

/// What reading one input found so far.
#[derive(Default)]
struct Read {
    counts: Counts,
    messages: Vec<String>,
    formats: Vec<String>,
    /// Why a stream of it was not recognised.
    unreadable: Option<String>,
}

impl Read {
    fn outcome(self, path: String, status: &'static str, sha256: String) -> InputOutcome {
        InputOutcome {
            path,
            status,
            sha256: Some(sha256),
            counts: self.counts,
            messages: self.messages,
        }
    }
}

impl Run<'_> {
    fn say(&mut self, level: Level, text: String) {
        self.observer.event(Event::Message { level, text });
    }

    /// Reads one input file (every stream of it: a zip holds several) and marks it
    /// complete, unless it could not be read at all.
    fn file(&mut self, file: &input::InputFile) -> Result<InputOutcome> {
        let display = file.path.display().to_string();
        let (sha256, size) = input::sha256_file(&file.path)?;
        let mut read = Read::default();
        if self.writer.already_ingested(&sha256) {
            let text = format!("{display}: already ingested (same SHA-256); nothing to do");
            self.say(Level::Info, text);
            return Ok(read.outcome(display, "already-ingested", sha256));
        }
        let counter = self.counter;
        let result = input::each_stream(&file.path, counter, &mut |name, reader| {
            self.stream(file, name, reader, &mut read)
        });
        if let Err(e) = result {
            // The lake's own failure (a tenant it cannot decide, a write that failed) ends
            // the run: the input is not the problem, and nothing of it may be committed.
            if let Error::Lake(_) = e {
                return Err(e);
            }
            let text = e.to_string();
            if read.counts.records == 0 && read.counts.quarantined == 0 {
                self.say(Level::Error, text.clone());
                read.messages = vec![text];
                return Ok(read.outcome(display, "failed", sha256));
            }
            // Keep what was read before the failure (e.g. a truncated gzip), and say so.
            let records = read.counts.records;
            let note = format!("{text} (kept the {records} records read before it)");
            self.say(Level::Warning, note.clone());
            read.messages.push(note);
        }
        if let Some(why) = read.unreadable.take() {
            let level = if file.explicit {
                Level::Error
            } else {
                Level::Warning
            };
            self.say(level, why.clone());
            if read.formats.is_empty() {
                let status = if file.explicit { "failed" } else { "skipped" };
                read.messages = vec![why];
                return Ok(read.outcome(display, status, sha256));
            }
            read.messages.push(why);
        }
        // Nothing in it is read (a body of a kind mfaproof does not read), but it is in the
        // manifest with its count, so a rerun does not report it again.
        let status = if read.formats.is_empty() && read.counts.skipped.contains_key(UNREAD) {
            "skipped"
        } else {
            "ingested"
        };
        self.writer.finish_input(InputEntry {
            path: display.clone(),
            size,
            sha256: sha256.clone(),
            formats: read.formats.clone(),
            tenants: Vec::new(),
            run: 0,
            counts: read.counts.clone(),
            warnings: read.messages.clone(),
        })?;
        Ok(read.outcome(display, status, sha256))
    }

    /// Reads one stream of an input: detects (or is told) its format and feeds its
    /// records to the writer.
    fn stream(
        &mut self,
        file: &input::InputFile,
        name: &str,
        reader: &mut dyn BufRead,
        read: &mut Read,
    ) -> Result<()> {
        let format = match self.options.format {
            Some(f) => f,
            None => match detect_stream(name, reader)? {
                Detection::Format(f) => f,
                Detection::Unread(what) => {
                    // Reported and counted, never guessed into sign-ins (issue 15).
                    let text = format!("{name}: {what}; not ingested");
                    self.say(Level::Warning, text.clone());
                    read.messages.push(text);
                    *read.counts.skipped.entry(UNREAD.into()).or_default() += 1;
                    return Ok(());
                }
                Detection::Unknown => {
                    read.unreadable = Some(describe_unknown(name, reader));
                    return Ok(());
                }
            },
        };
        if format == Format::PortalAuthDetails && has_sign_ins_sibling(&file.path, name)? {
            // Read through its sign-ins CSV, as that file's companion.
            *read
                .counts
                .skipped
                .entry("authentication-details CSV (read with its sign-ins CSV)".into())
                .or_default() += 1;
            return Ok(());
        }
        if !read.formats.contains(&format.to_string()) {
            read.formats.push(format.to_string());
        }
        let (writer, observer) = (&mut self.writer, &mut *self.observer);
        let mut sink = FileSink::new(
            writer,
            name,
            format,
            self.counter,
            &mut self.records,
            observer,
        );
        let result = read_with_companion(format, &file.path, name, reader, &mut sink)
            .map_err(|e| relabel(name, e));
        let (c, m) = sink.finish();
        read.counts.add(&c);
        read.messages.extend(m);
        result
    }
}

/// Whether a portal authentication-details CSV has its sign-ins CSV beside it (on disk, or
/// in the same zip).
fn has_sign_ins_sibling(path: &Path, name: &str) -> Result<bool> {
    let lower = name.to_ascii_lowercase();
    let Some(at) = lower.rfind("_authdetails") else {
        return Ok(false);
    };
    let sibling = format!("{}{}", &name[..at], &name[at + "_authdetails".len()..]);
    match sibling.split_once('!') {
        Some((_, entry)) => input::with_zip_entry(path, entry, &mut |_| Ok(())),
        None => Ok(Path::new(&sibling).is_file()),
    }
}

/// A path the user named that cannot be listed or opened is an unreadable input.
fn unreadable(e: Error) -> Error {
    match e {
        Error::Io(io) => Error::Input {
            file: io.path.display().to_string(),
            reason: io.source.to_string(),
        },
        other => other,
    }
}

/// Sources read a stream, not a path: an input error gets the stream's name here.
fn relabel(name: &str, e: Error) -> Error {
    match e {
        Error::Input { reason, .. } | Error::Source(sources::Error::Input { reason, .. }) => {
            Error::Input {
                file: name.to_string(),
                reason,
            }
        }
        other => other,
    }
}

/// What the manifest counts a JSON body of a kind mfaproof does not read as (skipped).
const UNREAD: &str = "JSON body of a kind mfaproof does not read";

/// Detects a stream's format from its buffered head.
fn detect_stream(name: &str, reader: &mut dyn BufRead) -> Result<Detection> {
    let head = reader.fill_buf().map_err(|e| Error::Input {
        file: name.to_string(),
        reason: e.to_string(),
    })?;
    let file_name = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    Ok(sources::classify(head, file_name))
}

fn describe_unknown(name: &str, reader: &mut dyn BufRead) -> String {
    match reader.fill_buf() {
        Ok([]) => format!("{name}: empty file; nothing to ingest"),
        _ => format!(
            "{name}: not an Entra log export mfaproof recognises (expected Graph JSON, Azure Monitor PT1H.json, Log Analytics CSV, admin center CSV/JSON, or an MFA-state / security-defaults snapshot); use --format to force one"
        ),
    }
}

/// Reads a stream, giving a portal sign-ins CSV its authentication-details companion
/// (beside it on disk, or in the same zip) when there is one.
fn read_with_companion(
    format: Format,
    path: &Path,
    name: &str,
    reader: &mut dyn BufRead,
    sink: &mut FileSink<'_>,
) -> Result<()> {
    let file_name = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    let companion = (format == Format::PortalCsv)
        .then(|| sources::portal_csv::companion_name(file_name))
        .flatten();
    let Some(companion) = companion else {
        return Ok(sources::read(format, file_name, reader, None, sink)?);
    };
    if let Some((_, entry)) = name.split_once('!') {
        let entry_companion = match entry.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{companion}"),
            None => companion.clone(),
        };
        let mut result = None;
        let found = input::with_zip_entry(path, &entry_companion, &mut |c| {
            result = Some(sources::read(
                format,
                file_name,
                &mut *reader,
                Some(c),
                &mut *sink,
            ));
            Ok(())
        })?;
        if found {
            return Ok(result.unwrap_or(Ok(()))?);
        }
        return Ok(sources::read(format, file_name, reader, None, sink)?);
    }
    let companion_path = path.with_file_name(&companion);
    let read = match std::fs::File::open(&companion_path) {
        Ok(f) => {
            let mut c = std::io::BufReader::new(f);
            sources::read(format, file_name, reader, Some(&mut c), sink)
        }
        Err(_) => sources::read(format, file_name, reader, None, sink),
    };
    Ok(read?)
}
