//! `mfaproof ingest`: inputs → sources → lake, one run. The library reports through an
//! [`Observer`] and never prints; the CLI turns events into messages and a progress bar.

pub mod input;
mod sink;
mod stream;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::lake::{Counts, InputEntry, Layout, RunWriter};
use crate::sources::{self, Format};
use sink::FileSink;
pub use stream::ingest_bytes;

/// How an ingest run reads its inputs.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Read every input as this format instead of detecting it.
    pub format: Option<Format>,
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

/// Ingests `paths` into the lake at `lake`.
pub fn ingest(
    lake: &Path,
    paths: &[PathBuf],
    options: &IngestOptions,
    observer: &mut dyn Observer,
) -> Result<Summary> {
    let (files, skipped_files) = input::expand(paths)?;
    let mut writer = RunWriter::begin(Layout::new(lake))?;
    let total_bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    observer.event(Event::Started { total_bytes });
    let counter = Arc::new(AtomicU64::new(0));
    let mut outcomes = Vec::new();
    for path in skipped_files {
        outcomes.push(InputOutcome {
            path: path.display().to_string(),
            status: "skipped",
            sha256: None,
            counts: Counts::default(),
            messages: vec!["not a log file (extension)".into()],
        });
    }
    let companions = companions_of(&files);
    let mut records = 0u64;
    for file in &files {
        if companions.contains(&file.path) {
            continue; // read together with its portal sign-ins CSV
        }
        let outcome = ingest_file(&mut writer, file, options, &counter, &mut records, observer)?;
        outcomes.push(outcome);
    }
    let run = writer.finish()?;
    Ok(Summary {
        lake: lake.display().to_string(),
        run: run.run,
        counts: run.counts,
        duplicates_dropped: run.duplicates_dropped,
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

fn ingest_file(
    writer: &mut RunWriter,
    file: &input::InputFile,
    options: &IngestOptions,
    counter: &Arc<AtomicU64>,
    records: &mut u64,
    observer: &mut dyn Observer,
) -> Result<InputOutcome> {
    let display = file.path.display().to_string();
    let (sha256, size) = input::sha256_file(&file.path)?;
    if writer.already_ingested(&sha256) {
        observer.event(Event::Message {
            level: Level::Info,
            text: format!("{display}: already ingested (same SHA-256); nothing to do"),
        });
        return Ok(InputOutcome {
            path: display,
            status: "already-ingested",
            sha256: Some(sha256),
            counts: Counts::default(),
            messages: Vec::new(),
        });
    }
    let mut counts = Counts::default();
    let mut messages = Vec::new();
    let mut formats: Vec<String> = Vec::new();
    let mut unreadable: Option<String> = None;
    let result = input::each_stream(&file.path, counter, &mut |name, reader| {
        let format = match options.format {
            Some(f) => f,
            None => match detect_stream(name, reader)? {
                Some(f) => f,
                None => {
                    unreadable = Some(describe_unknown(name, reader));
                    return Ok(());
                }
            },
        };
        if format == Format::PortalAuthDetails && has_sign_ins_sibling(&file.path, name)? {
            // Read through its sign-ins CSV, as that file's companion.
            *counts
                .skipped
                .entry("authentication-details CSV (read with its sign-ins CSV)".into())
                .or_default() += 1;
            return Ok(());
        }
        if !formats.contains(&format.to_string()) {
            formats.push(format.to_string());
        }
        let mut sink = FileSink::new(writer, name, format, counter, records, observer);
        let read = read_with_companion(format, &file.path, name, reader, &mut sink)
            .map_err(|e| relabel(name, e));
        let (c, m) = sink.finish();
        counts.add(&c);
        messages.extend(m);
        read
    });
    if let Err(e) = result {
        let text = e.to_string();
        if counts.records == 0 && counts.quarantined == 0 {
            observer.event(Event::Message {
                level: Level::Error,
                text: text.clone(),
            });
            return Ok(failed(display, sha256, counts, vec![text]));
        }
        // Keep what was read before the failure (e.g. a truncated gzip), and say so.
        let note = format!(
            "{text} (kept the {} records read before it)",
            counts.records
        );
        observer.event(Event::Message {
            level: Level::Warning,
            text: note.clone(),
        });
        messages.push(note);
    }
    if let Some(why) = unreadable {
        let level = if file.explicit {
            Level::Error
        } else {
            Level::Warning
        };
        observer.event(Event::Message {
            level,
            text: why.clone(),
        });
        if formats.is_empty() {
            let status = if file.explicit { "failed" } else { "skipped" };
            return Ok(InputOutcome {
                path: display,
                status,
                sha256: Some(sha256),
                counts,
                messages: vec![why],
            });
        }
        messages.push(why);
    }
    writer.finish_input(InputEntry {
        path: display.clone(),
        size,
        sha256: sha256.clone(),
        formats,
        run: 0,
        counts: counts.clone(),
        warnings: messages.clone(),
    })?;
    Ok(InputOutcome {
        path: display,
        status: "ingested",
        sha256: Some(sha256),
        counts,
        messages,
    })
}

fn failed(path: String, sha256: String, counts: Counts, messages: Vec<String>) -> InputOutcome {
    InputOutcome {
        path,
        status: "failed",
        sha256: Some(sha256),
        counts,
        messages,
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

/// Sources read a stream, not a path: an input error gets the stream's name here.
fn relabel(name: &str, e: Error) -> Error {
    match e {
        Error::Input { reason, .. } => Error::Input {
            file: name.to_string(),
            reason,
        },
        other => other,
    }
}

/// Detects a stream's format from its buffered head.
fn detect_stream(name: &str, reader: &mut dyn BufRead) -> Result<Option<Format>> {
    let head = reader.fill_buf().map_err(|e| Error::Input {
        file: name.to_string(),
        reason: e.to_string(),
    })?;
    let file_name = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    Ok(sources::detect(head, file_name))
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
        return sources::read(format, file_name, reader, None, sink);
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
            return result.unwrap_or(Ok(()));
        }
        return sources::read(format, file_name, reader, None, sink);
    }
    let companion_path = path.with_file_name(&companion);
    match std::fs::File::open(&companion_path) {
        Ok(f) => {
            let mut c = std::io::BufReader::new(f);
            sources::read(format, file_name, reader, Some(&mut c), sink)
        }
        Err(_) => sources::read(format, file_name, reader, None, sink),
    }
}
