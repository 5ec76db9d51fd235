//! Ingesting a body fetched over the network (a Graph page, a snapshot the puller wrote):
//! the same sources, `FileSink` and lake writer as a file, with a name instead of a path.
//! Unlike a file, a fetched body exists nowhere else, so one that cannot be read at all is
//! quarantined whole instead of being only reported.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use super::sink::FileSink;
use super::{Event, InputOutcome, Level, Observer};
use crate::ingest::Result;
use crate::lake::{Counts, InputEntry, RunWriter};
use crate::sources::{self, Format};

/// Reads `body` as one input named `name` (never a secret: it is stored in the lake) of
/// `format` into `writer`, and marks it complete. A body whose SHA-256 is already in the
/// lake is not read again (`already-ingested`). `counter` and `records` feed progress.
pub fn ingest_bytes(
    writer: &mut RunWriter,
    name: &str,
    format: Format,
    body: &[u8],
    counter: &Arc<AtomicU64>,
    records: &mut u64,
    observer: &mut dyn Observer,
) -> Result<InputOutcome> {
    let sha256 = super::input::sha256_bytes(body);
    if writer.already_ingested(&sha256) {
        return Ok(InputOutcome {
            path: name.to_string(),
            status: "already-ingested",
            sha256: Some(sha256),
            counts: Counts::default(),
            messages: Vec::new(),
        });
    }
    let mut sink = FileSink::new(writer, name, format, counter, records, observer);
    let mut reader = body;
    let read = sources::read(format, name, &mut reader, None, &mut sink);
    let (mut counts, mut messages) = sink.finish();
    if let Err(e) = read {
        let reason = match e {
            sources::Error::Input { reason, .. } => reason,
            other => other.to_string(),
        };
        let text = format!("{name}: cannot read input: {reason} (body quarantined)");
        observer.event(Event::Message {
            level: Level::Error,
            text: text.clone(),
        });
        writer.quarantine(name, 0, body, &reason)?;
        counts.quarantined += 1;
        messages.push(text);
    }
    writer.finish_input(InputEntry {
        path: name.to_string(),
        size: body.len() as u64,
        sha256: sha256.clone(),
        formats: vec![format.to_string()],
        tenants: Vec::new(),
        run: 0,
        counts: counts.clone(),
        warnings: messages.clone(),
    })?;
    Ok(InputOutcome {
        path: name.to_string(),
        status: "ingested",
        sha256: Some(sha256),
        counts,
        messages,
    })
}
