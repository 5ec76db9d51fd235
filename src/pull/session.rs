//! One pull's shared state: the Graph client, the lake's run writer, the checkpoints and
//! the observer; and the one ordering rule: the lake commits before a checkpoint moves.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};

use super::checkpoint::{Checkpoints, TenantFiles};
use super::client::Graph;
use super::error::{Error, Result};
use crate::ingest::{self, Event, InputOutcome, Level, Observer};
use crate::lake::RunWriter;
use crate::sources::Format;

/// What a pull works with.
pub struct Session<'a> {
    pub graph: Graph,
    pub writer: RunWriter,
    pub checkpoints: Checkpoints,
    /// The tenant's checkpoint and failures files.
    pub files: TenantFiles,
    pub observer: &'a mut dyn Observer,
    /// When the pull started: the fixed upper bound and the snapshots' `as_of`.
    pub started: DateTime<Utc>,
    /// Records handed to the lake so far (progress).
    pub records: u64,
    /// Pages between two commits (and checkpoint moves) within a slice.
    pub commit_pages: u64,
    /// Set by Ctrl-C: stop at the next page boundary, committed and checkpointed.
    pub interrupted: Arc<AtomicBool>,
    /// The same, for cancelling a request in flight.
    pub stop: tokio::sync::watch::Receiver<bool>,
}

impl Session<'_> {
    /// Reads one fetched body through the ordinary source of `format` into the lake
    /// writer (not yet committed).
    pub fn ingest(&mut self, name: &str, format: Format, body: &[u8]) -> Result<InputOutcome> {
        self.forward_notices();
        let outcome = ingest::ingest_bytes(
            &mut self.writer,
            name,
            format,
            body,
            &self.graph.received,
            &mut self.records,
            &mut *self.observer,
        )?;
        if outcome.status == "already-ingested" {
            self.say(
                Level::Info,
                format!("{name}: already in the lake (same SHA-256); not read again"),
            );
        }
        Ok(outcome)
    }

    /// Commits everything read so far, then saves the checkpoints: in this order, so a
    /// checkpoint never claims a page the lake does not hold.
    pub fn commit_and_save(&mut self) -> Result<()> {
        self.writer.commit()?;
        self.checkpoints.save(&self.files.checkpoints)
    }

    /// Tells the user about retries the client made.
    pub fn forward_notices(&mut self) {
        for n in self.graph.drain_notices() {
            self.say(Level::Warning, n);
        }
    }

    pub fn say(&mut self, level: Level, text: String) {
        self.observer.event(Event::Message { level, text });
    }

    /// Resolves once Ctrl-C is pressed (never, if the signal cannot be watched).
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + 'static {
        let mut rx = self.stop.clone();
        async move {
            if rx.wait_for(|v| *v).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Err(Interrupted) once Ctrl-C was pressed.
    pub fn check_interrupted(&self) -> Result<()> {
        if self.interrupted.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        Ok(())
    }
}
