//! `mfaproof ingest`: inputs → sources → lake, one run. The library reports through an
//! [`Observer`] and never prints; the CLI turns events into messages and a progress bar.

mod ahead;
mod content;
mod error;
pub mod input;
mod sink;
mod stream;
mod streamed;

use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use serde::Serialize;

use crate::lake::{Counts, InputEntry, Layout, RunWriter, WriterOptions};
use crate::sources::{self, Detection, Format};
use crate::storage::Location;
use content::Content;
pub use error::{Error, Result};
use sink::FileSink;
pub use stream::ingest_bytes;
pub use streamed::{PipeInputs, PipeWriter, ingest_streamed, pipe};

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

/// Ingests `inputs` (files, folders, object store prefixes or objects) into the lake at
/// `lake` (a path or a [`Location`]).
pub fn ingest(
    lake: impl Into<Location>,
    inputs: &[Location],
    options: &IngestOptions,
    observer: &mut dyn Observer,
) -> Result<Summary> {
    let (files, skipped_files) = input::expand(inputs).map_err(unreadable)?;
    let lake: Location = lake.into();
    let writer = RunWriter::begin_with(Layout::new(&lake), options.writer.clone())?;
    let total_bytes = files.iter().map(input::InputFile::size).sum();
    observer.event(Event::Started { total_bytes });
    let counter = Arc::new(AtomicU64::new(0));
    let mut outcomes: Vec<InputOutcome> = skipped_files
        .into_iter()
        .map(|path| InputOutcome {
            path,
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
    // A portal authentication-details CSV is read together with its sign-ins CSV.
    let files: Vec<&input::InputFile> = files
        .iter()
        .filter(|f| !companions.contains(&f.name))
        .collect();
    ahead::with_prepared(&files, run.writer.input_sizes(), |ahead| {
        for (file, prepared) in ahead {
            outcomes.push(run.file(file, prepared)?);
        }
        Ok::<_, Error>(())
    })?;
    run.finish(&lake, outcomes)
}

/// Portal authentication-details CSVs whose sign-ins CSV is also among the inputs (their
/// names).
fn companions_of(files: &[input::InputFile]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| {
            let companion = sources::portal_csv::companion_name(file_name(&f.name))?;
            let sibling = f.sibling(&companion)?.name;
            files.iter().any(|g| g.name == sibling).then_some(sibling)
        })
        .collect()
}

/// The last segment of an input's or stream's name (a path, a URL, `archive.zip!entry`).
fn file_name(name: &str) -> &str {
    name.rsplit(['/', '\\', '!']).next().unwrap_or(name)
}

/// One ingest run: the writer and what every input shares.
struct Run<'a> {
    writer: RunWriter,
    options: &'a IngestOptions,
    counter: &'a Arc<AtomicU64>,
    records: u64,
    observer: &'a mut dyn Observer,
}

/// An input's file and bytes, where a portal CSV's companion is looked for.
type Companions<'a> = Option<(&'a input::InputFile, &'a Content)>;

/// What names an input in the manifest.
struct Identity {
    name: String,
    /// Named on the command line (not found in a folder).
    explicit: bool,
    sha256: String,
    size: u64,
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
    /// Commits the run; its summary, with what happened to each input.
    fn finish(self, lake: &Location, inputs: Vec<InputOutcome>) -> Result<Summary> {
        let done = self.writer.finish()?;
        Ok(Summary {
            lake: lake.to_string(),
            run: done.run,
            counts: done.counts,
            duplicates_dropped: done.duplicates_dropped,
            inputs,
        })
    }

    fn say(&mut self, level: Level, text: String) {
        self.observer.event(Event::Message { level, text });
    }

    /// Reads one input file (every stream of it: a zip holds several) and marks it
    /// complete, unless it could not be read at all.
    fn file(&mut self, file: &input::InputFile, prepared: ahead::Prepared) -> Result<InputOutcome> {
        let display = file.name.clone();
        let mut read = Read::default();
        let counter = self.counter;
        let (result, (sha256, size)) = match prepared {
            ahead::Prepared::Fetched(content, digest) => {
                let (sha256, size) = digest?;
                if self.writer.already_ingested(&sha256) {
                    let text = format!("{display}: already ingested (same SHA-256); nothing to do");
                    self.say(Level::Info, text);
                    return Ok(read.outcome(display, "already-ingested", sha256));
                }
                let result = input::each_stream(&content, &display, counter, &mut |name, r| {
                    self.stream(Some((file, &content)), name, r, &mut read)
                });
                (result, (sha256, size))
            }
            // No input of the lake has its size, so none has its bytes: it is read once,
            // and its digest, of exactly the bytes read, comes at its end.
            ahead::Prepared::Streamed(mut streamed) => {
                // Its companions are beside it (never inside it: it is no zip).
                let content = Content::File(streamed.path().to_owned());
                let result =
                    input::each_streamed(&mut streamed, &display, counter, &mut |name, r| {
                        self.stream(Some((file, &content)), name, r, &mut read)
                    });
                (result, streamed.finish(&display)?)
            }
            // An object that cannot be fetched (after the store's retries): the others
            // are still ingested.
            ahead::Prepared::Unfetched(e) => {
                let text = e.to_string();
                self.say(Level::Error, text.clone());
                read.messages = vec![text];
                return Ok(read.outcome(display, "failed", String::new()));
            }
        };
        let input = Identity {
            name: display,
            explicit: file.explicit,
            sha256,
            size,
        };
        self.conclude(input, read, result)
    }

    /// Reports how reading an input went and, unless it could not be read at all, marks
    /// it complete in the manifest.
    fn conclude(
        &mut self,
        input: Identity,
        mut read: Read,
        result: Result<()>,
    ) -> Result<InputOutcome> {
        let Identity {
            name: display,
            explicit,
            sha256,
            size,
        } = input;
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
            let level = if explicit {
                Level::Error
            } else {
                Level::Warning
            };
            self.say(level, why.clone());
            if read.formats.is_empty() {
                let status = if explicit { "failed" } else { "skipped" };
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
    /// records to the writer. `companions`: the input and its bytes, where a portal CSV's
    /// companion may be (none for an input that is only a stream).
    fn stream(
        &mut self,
        companions: Companions<'_>,
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
        let with_sign_ins = match companions {
            Some((file, content)) if format == Format::PortalAuthDetails => {
                has_sign_ins_sibling(file, content, name)?
            }
            _ => false,
        };
        if with_sign_ins {
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
        let result = read_with_companion(format, companions, name, reader, &mut sink)
            .map_err(|e| relabel(name, e));
        let (c, m) = sink.finish();
        read.counts.add(&c);
        read.messages.extend(m);
        result
    }
}

/// Whether a portal authentication-details CSV has its sign-ins CSV beside it (in the same
/// folder or prefix, or in the same zip).
fn has_sign_ins_sibling(file: &input::InputFile, content: &Content, name: &str) -> Result<bool> {
    let lower = name.to_ascii_lowercase();
    let Some(at) = lower.rfind("_authdetails") else {
        return Ok(false);
    };
    let sibling = format!("{}{}", &name[..at], &name[at + "_authdetails".len()..]);
    match sibling.split_once('!') {
        Some((_, entry)) => input::with_zip_entry(content, &file.name, entry, &mut |_| Ok(())),
        None => match file.sibling(file_name(&sibling)) {
            Some(s) => s.exists(),
            None => Ok(false),
        },
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
    Ok(sources::classify(head, file_name(name)))
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
/// (beside it in its folder or prefix, or in the same zip) when there is one.
fn read_with_companion(
    format: Format,
    companions: Companions<'_>,
    name: &str,
    reader: &mut dyn BufRead,
    sink: &mut FileSink<'_>,
) -> Result<()> {
    let file_name = file_name(name);
    let companion = (format == Format::PortalCsv)
        .then(|| sources::portal_csv::companion_name(file_name))
        .flatten();
    let (Some(companion), Some((file, content))) = (companion, companions) else {
        return Ok(sources::read(format, file_name, reader, None, sink)?);
    };
    if let Some((_, entry)) = name.split_once('!') {
        let entry_companion = match entry.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{companion}"),
            None => companion.clone(),
        };
        let mut result = None;
        let found = input::with_zip_entry(content, &file.name, &entry_companion, &mut |c| {
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
    let Some(companion) = file.sibling(&companion) else {
        return Ok(sources::read(format, file_name, reader, None, sink)?);
    };
    if !companion.exists()? {
        return Ok(sources::read(format, file_name, reader, None, sink)?);
    }
    let companion_content = companion.content()?;
    let mut c = std::io::BufReader::new(companion_content.open(&companion.name)?);
    Ok(sources::read(
        format,
        file_name,
        reader,
        Some(&mut c),
        sink,
    )?)
}
