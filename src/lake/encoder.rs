//! The encoder: turns buffered records into record batches on one thread and the batches
//! into Parquet on another (whose column chunks are encoded on two, see
//! `parallel_writer.rs`), while the sources parse input: building, encoding and parsing
//! overlap, and every core has work.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow::array::RecordBatch;

use super::buffer::Pending;
use super::layout::Table;
use super::staging::{PartKey, Staging};
use super::tenants::Slot;
use crate::lake::{Error, Result};
use crate::schema::batch::{self, Provenance};
use crate::schema::sign_in_rows;
use crate::schema::{
    AuditEvent, DirectoryKind, DirectoryRecord, MfaStateSnapshot, SecurityDefaultsSnapshot,
    SignInRow,
};

/// Rows of one table with their provenance. Records stay boxed as the sources made them:
/// moving a 1.4 KB `SignIn` into a growing vector of 8,192 cost a memmove and fresh pages
/// per batch. (Sign-ins are [`SignInRow`]s: a boxed record or a row of decoded columns.)
pub type Rows<T> = Vec<(Box<T>, Provenance)>;

/// Where a job's rows go.
#[derive(Debug, Clone)]
pub struct Part {
    /// Their tenant, or undecided.
    pub slot: Slot,
    /// What their `tenant_id` column says: the slot's tenant, or for undecided rows the
    /// run's provisional guess (rewritten at commit when the decision differs).
    pub tenant: Arc<str>,
    /// Their date partition (`sign_ins`, `audit_events`).
    pub date: Option<String>,
}

/// A unit of work: rows of one partition of one table.
pub enum Job {
    SignIns(Part, Pending<SignInRow>),
    Audits(Part, Rows<AuditEvent>),
    MfaStates(Part, Rows<MfaStateSnapshot>),
    SecurityDefaults(Part, Rows<SecurityDefaultsSnapshot>),
    /// Rows of one policy or directory table.
    Directory(DirectoryKind, Part, Rows<DirectoryRecord>),
}

impl Job {
    fn rows(&self) -> usize {
        match self {
            Job::SignIns(_, r) => r.len(),
            Job::Audits(_, r) => r.len(),
            Job::MfaStates(_, r) => r.len(),
            Job::SecurityDefaults(_, r) => r.len(),
            Job::Directory(_, _, r) => r.len(),
        }
    }
}

/// Jobs in flight: enough to keep the encoder busy, few enough to bound memory.
const QUEUE: usize = 4;

/// A running encoder thread that owns the staging area of one commit group.
pub struct Encoder {
    tx: Option<SyncSender<Job>>,
    handle: Option<JoinHandle<Result<Staging>>>,
    rows: usize,
}

fn split<T>(rows: &Rows<T>) -> (Vec<&T>, Vec<Provenance>) {
    rows.iter().map(|(r, p)| (&**r, p.clone())).unzip()
}

fn split_pending<T>(rows: &Pending<T>) -> (Vec<&T>, Vec<Provenance>) {
    rows.iter().map(|(r, p)| (r, p.clone())).unzip()
}

/// A built batch and the staged file it goes to.
type Built = (PartKey, RecordBatch);

/// Built batches waiting for the Parquet writer: one being written and one ready.
const BUILT_QUEUE: usize = 1;

fn build(job: Job) -> Result<Built> {
    let (table, part, b) = match job {
        Job::SignIns(part, rows) => {
            let (recs, prov) = split_pending(&rows);
            let b = sign_in_rows::sign_ins_batch(&part.tenant, &recs, &prov)?;
            (Table::SignIns, part, b)
        }
        Job::Audits(part, rows) => {
            let (recs, prov) = split(&rows);
            let b = batch::audit_events_batch(&part.tenant, &recs, &prov)?;
            (Table::AuditEvents, part, b)
        }
        Job::MfaStates(part, rows) => {
            let (recs, prov) = split(&rows);
            let b = batch::mfa_state_batch(&part.tenant, &recs, &prov)?;
            (Table::MfaStateSnapshots, part, b)
        }
        Job::SecurityDefaults(part, rows) => {
            let (recs, prov) = split(&rows);
            let b = batch::security_defaults_batch(&part.tenant, &recs, &prov)?;
            (Table::SecurityDefaultsSnapshots, part, b)
        }
        Job::Directory(kind, part, rows) => {
            let (recs, prov) = split(&rows);
            let b = batch::directory_batch(&part.tenant, kind, &recs, &prov)?;
            (Table::Directory(kind), part, b)
        }
    };
    Ok(((table, part.slot, part.date), b))
}

/// Builds every job's batch and hands it to the writer, until the jobs end or the writer
/// stops (its error is the one returned, by [`write_all`]).
fn build_all(jobs: Receiver<Job>, built: SyncSender<Built>) -> Result<()> {
    for job in jobs {
        if built.send(build(job)?).is_err() {
            break;
        }
    }
    Ok(())
}

fn write_all(mut staging: Staging, built: Receiver<Built>) -> Result<Staging> {
    for (key, batch) in built {
        staging.write(key, &batch)?;
    }
    Ok(staging)
}

impl Encoder {
    /// Starts the thread on `staging`.
    pub fn start(staging: Staging) -> Encoder {
        let (tx, rx) = sync_channel::<Job>(QUEUE);
        let handle = std::thread::spawn(move || {
            let (built_tx, built_rx) = sync_channel::<Built>(BUILT_QUEUE);
            std::thread::scope(|s| {
                let writer = s.spawn(move || write_all(staging, built_rx));
                let building = build_all(rx, built_tx);
                let written = writer
                    .join()
                    .map_err(|_| Error::Internal("the Parquet writer thread panicked".into()))?;
                // The writer's error first: a build that stopped because the writer did
                // says nothing more.
                let staging = written?;
                building.map(|()| staging)
            })
        });
        Encoder {
            tx: Some(tx),
            handle: Some(handle),
            rows: 0,
        }
    }

    /// Queues a job; an error means the thread failed (its error is returned).
    pub fn send(&mut self, job: Job) -> Result<()> {
        self.rows += job.rows();
        let sent = self
            .tx
            .as_ref()
            .map(|tx| tx.send(job).is_ok())
            .unwrap_or(false);
        if sent {
            return Ok(());
        }
        match self.join() {
            Ok(_) => Err(Error::Internal(
                "the encoder thread stopped unexpectedly".into(),
            )),
            Err(e) => Err(e),
        }
    }

    /// Rows queued so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Waits for every queued job and returns the staging area.
    pub fn join(&mut self) -> Result<Staging> {
        self.tx = None;
        match self.handle.take() {
            Some(h) => h
                .join()
                .map_err(|_| Error::Internal("the encoder thread panicked".into()))?,
            None => Err(Error::Internal("the encoder was already joined".into())),
        }
    }
}
