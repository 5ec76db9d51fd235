//! One ingest run's writer: buffers canonical records per table and date, stages Parquet,
//! and commits groups of whole inputs (dedup, rename into place, manifest) atomically.

pub use super::fault::{CommitPoint, CommitStage, FaultHook};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::buffer::{Buffer, Keyed, Pending};
use super::commit;
use super::encoder::{Encoder, Job, Part, Rows};
use super::layout::{Layout, STAGING, Table};
use super::lock::{Holder, WriterLock};
use super::manifest::{Counts, InputEntry, Manifest};
use super::migrate;
use super::row_dedup::Seen;
use super::staging::Staging;
use super::tenants::{RunTenants, Slot};
use crate::lake::{Error, Result};
use crate::schema::batch::Provenance;
use crate::schema::{
    AuditEvent, DirectoryKind, DirectoryRecord, MfaStateSnapshot, Record, SecurityDefaultsSnapshot,
    SignInRow, SignInRows,
};
use crate::storage::ObjectWriter;

/// Rows buffered per partition before they become a record batch.
const BATCH_ROWS: usize = 8192;

/// Rows buffered across all partitions: past it the largest partition's rows become a
/// batch early, so the buffer does not grow with the number of dates a run touches.
const BUFFERED_ROWS: usize = 2 * BATCH_ROWS;

/// Staged rows after which the run commits at the next input boundary: bounds the work a
/// crash can lose without making many tiny files.
pub const COMMIT_ROWS: usize = 2_000_000;

/// How a run writes; the defaults suit every run.
#[derive(Clone)]
pub struct WriterOptions {
    /// Staged rows after which the run commits at the next input boundary.
    pub commit_rows: usize,
    /// Called at each named point of every commit; the crash tests stop the process there.
    pub fault_hook: Option<FaultHook>,
    /// The tenant of the records that name none (`ingest --tenant`, a pull's tenant), in
    /// `schema::tenant` form; a record naming another is quarantined by its source. Also
    /// the tenant a lake written before tenants is migrated to when the run begins.
    pub tenant: Option<String>,
}

impl Default for WriterOptions {
    fn default() -> WriterOptions {
        WriterOptions {
            commit_rows: COMMIT_ROWS,
            fault_hook: None,
            tenant: None,
        }
    }
}

impl std::fmt::Debug for WriterOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterOptions")
            .field("commit_rows", &self.commit_rows)
            .field("fault_hook", &self.fault_hook.is_some())
            .field("tenant", &self.tenant)
            .finish()
    }
}

/// Where one record came from, before the writer stamps run time and order on it.
#[derive(Debug, Clone)]
pub struct Origin {
    pub source_format: &'static str,
    pub source_file: Arc<str>,
    pub source_record: u64,
    /// The tenant given for the record's input, used when the record names none.
    pub tenant: Option<Arc<str>>,
}

/// What a run did, for the summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOutcome {
    pub run: u64,
    pub counts: Counts,
    pub duplicates_dropped: u64,
}

/// Writes one ingest run into a lake.
pub struct RunWriter {
    layout: Layout,
    /// Held from the start of the run to its end, and released on drop.
    lock: WriterLock,
    options: WriterOptions,
    manifest: Manifest,
    run: u64,
    started_at: DateTime<Utc>,
    encoder: Encoder,
    group: u64,
    /// The quarantine file being written in staging (its path relative to the lake).
    quarantine: Option<(String, ObjectWriter)>,
    sign_ins: BTreeMap<DatePart, Buffer<SignInRow>>,
    audits: BTreeMap<DatePart, Buffer<Box<AuditEvent>>>,
    mfa_states: BTreeMap<Slot, Rows<MfaStateSnapshot>>,
    security_defaults: BTreeMap<Slot, Rows<SecurityDefaultsSnapshot>>,
    directory: BTreeMap<(DirectoryKind, Slot), Rows<DirectoryRecord>>,
    /// The rows of each tenant's policy and directory tables, loaded when the run first
    /// commits to one.
    seen: BTreeMap<(DirectoryKind, Arc<str>), Seen>,
    tenants: RunTenants,
    /// The tenants of the input being read, and whether some of its records wait for the
    /// run's decision.
    input_tenants: (std::collections::BTreeSet<Arc<str>>, bool),
    /// Inputs read completely, not committed yet, each with whether it has undecided rows.
    pending: Vec<(InputEntry, bool)>,
    buffered: usize,
    dates: DateKeys,
    ordinal: i64,
    counts: Counts,
    duplicates: u64,
}

/// A tenant's date partition of `sign_ins` or `audit_events`.
type DatePart = (Slot, String);

/// What buffering a row did.
enum Buffered {
    /// It met another version of its id in the buffer (one of them is gone).
    Duplicate,
    Added,
    /// Added, and its partition is full: it becomes a batch.
    Full(Table, DatePart),
}

/// Buffers a sign-in or audit row in its tenant's date partition (ids meet only within
/// a tenant).
fn buffer<T: Keyed>(
    partitions: &mut BTreeMap<DatePart, Buffer<T>>,
    part: DatePart,
    row: T,
    prov: Provenance,
) -> Buffered {
    let rows = partitions.entry(part.clone()).or_default();
    if rows.push(row, prov) {
        Buffered::Duplicate
    } else if rows.len() >= BATCH_ROWS {
        Buffered::Full(T::TABLE, part)
    } else {
        Buffered::Added
    }
}

/// The partition with the most buffered rows, and how many.
fn largest<T: Keyed>(m: &BTreeMap<DatePart, Buffer<T>>) -> Option<(DatePart, usize)> {
    m.iter()
        .max_by_key(|(_, rows)| rows.len())
        .map(|(d, rows)| (d.clone(), rows.len()))
}

/// How much of a partition's buffer a flush takes.
#[derive(Clone, Copy)]
enum Cut {
    /// Everything (before a commit).
    All,
    /// All but the tail (a flush for size).
    Head,
}

impl Cut {
    fn take<T: Keyed>(self, m: &mut BTreeMap<DatePart, Buffer<T>>, part: &DatePart) -> Pending<T> {
        match self {
            Cut::All => m.remove(part).map(Buffer::take).unwrap_or_default(),
            Cut::Head => m
                .get_mut(part)
                .map(Buffer::take_keeping_tail)
                .unwrap_or_default(),
        }
    }
}

/// The partition key of a timestamp, remembered for the last day seen: records arrive
/// mostly in time order, and formatting a date per record was measurable.
#[derive(Default)]
struct DateKeys {
    last: Option<(chrono::NaiveDate, String)>,
}

impl DateKeys {
    fn key(&mut self, t: DateTime<Utc>) -> String {
        let day = t.date_naive();
        match &self.last {
            Some((d, key)) if *d == day => key.clone(),
            _ => {
                let key = day.format("%Y-%m-%d").to_string();
                self.last = Some((day, key.clone()));
                key
            }
        }
    }
}

impl RunWriter {
    /// Starts a run on the lake at `layout` (recovering an interrupted commit first).
    pub fn begin(layout: Layout) -> Result<RunWriter> {
        RunWriter::begin_with(layout, WriterOptions::default())
    }

    /// [`RunWriter::begin`] with options.
    pub fn begin_with(layout: Layout, mut options: WriterOptions) -> Result<RunWriter> {
        if let Some(t) = &options.tenant {
            options.tenant = Some(crate::schema::tenant::normalise(t).map_err(Error::Tenant)?);
        }
        if let Some(root) = layout.root().as_local() {
            std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        }
        let lock = WriterLock::acquire(&layout, &Holder::this_process())?;
        commit::recover(&layout)?;
        let mut manifest = Manifest::load(&layout.manifest())?;
        let run = manifest.next_run();
        let mut staging = Staging::new(&layout, run, 1)?;
        // A lake written before tenants is moved into the given tenant first, as the
        // run's first commit (the crash tests stop it like any other).
        let passed = |stage| {
            if let Some(hook) = &options.fault_hook {
                hook(CommitPoint { commit: 1, stage });
            }
        };
        let tenant = options.tenant.as_deref();
        let group = match migrate::migrate(&layout, tenant, &manifest, &mut staging, &passed)? {
            Some(migrated) => {
                manifest = migrated;
                2
            }
            None => 1,
        };
        let tenants = RunTenants::load(&layout)?;
        let encoder = Encoder::start(Staging::new(&layout, run, staging.next_file())?);
        Ok(RunWriter {
            layout,
            lock,
            options,
            manifest,
            run,
            started_at: crate::schema::record::now_micros(),
            encoder,
            group,
            quarantine: None,
            sign_ins: BTreeMap::new(),
            audits: BTreeMap::new(),
            mfa_states: BTreeMap::new(),
            security_defaults: BTreeMap::new(),
            directory: BTreeMap::new(),
            seen: BTreeMap::new(),
            tenants,
            input_tenants: Default::default(),
            pending: Vec::new(),
            buffered: 0,
            dates: DateKeys::default(),
            ordinal: 0,
            counts: Counts::default(),
            duplicates: 0,
        })
    }

    /// The run number.
    pub fn run(&self) -> u64 {
        self.run
    }

    /// Whether an input with this SHA-256 is already in the lake (or in this run).
    /// Whether an input of these bytes was already ingested for this run's tenant (the
    /// same file given for another tenant is another input).
    pub fn already_ingested(&self, sha256: &str) -> bool {
        let tenant = self.tenant();
        self.manifest.contains_for(sha256, tenant)
            || self.pending.iter().any(|(p, _)| {
                p.sha256 == sha256
                    && tenant
                        .is_none_or(|t| p.tenants.is_empty() || p.tenants.iter().any(|x| x == t))
            })
    }

    /// The sizes of the lake's inputs and of this run's so far: an input of another size
    /// cannot have the bytes of one of them.
    pub fn input_sizes(&self) -> std::collections::HashSet<u64> {
        let pending = self.pending.iter().map(|(p, _)| p.size);
        self.manifest
            .inputs
            .iter()
            .map(|i| i.size)
            .chain(pending)
            .collect()
    }

    /// The tenant given for this run's inputs (records naming none belong to it).
    pub fn tenant(&self) -> Option<&str> {
        self.options.tenant.as_deref()
    }

    fn provenance(&mut self, origin: Origin) -> Provenance {
        self.ordinal += 1;
        Provenance {
            source_format: origin.source_format,
            source_file: origin.source_file,
            source_record: origin.source_record,
            ingested_at: self.started_at,
            // Runs are ordered, records within a run by arrival: §3's "ingested last".
            ingest_seq: ((self.run as i64) << 40) | self.ordinal,
        }
    }

    /// The tenant slot of a record (the tenant it names, else its input's), noted among
    /// the tenants of the input being read.
    fn slot_of(&mut self, named: Option<&str>, origin: &Origin) -> Result<Slot> {
        let slot = self.tenants.slot(
            named,
            origin.tenant.as_ref(),
            &origin.source_file,
            origin.source_record,
        )?;
        match &slot {
            Slot::Tenant(t) => _ = self.input_tenants.0.insert(t.clone()),
            Slot::Undecided => self.input_tenants.1 = true,
        }
        Ok(slot)
    }

    /// Adds one decoded record.
    pub fn push(&mut self, record: Record, origin: Origin) -> Result<()> {
        let slot = self.slot_of(record.tenant(), &origin)?;
        let prov = self.provenance(origin);
        let buffered = match record {
            Record::SignIn(s) => {
                let date = self.dates.key(s.created_at);
                buffer(&mut self.sign_ins, (slot, date), SignInRow::Record(s), prov)
            }
            Record::Audit(a) => {
                let date = self.dates.key(a.activity_date_time);
                buffer(&mut self.audits, (slot, date), a, prov)
            }
            Record::MfaState(m) => {
                let rows = self.mfa_states.entry(slot).or_default();
                rows.push((Box::new(m), prov));
                return Ok(());
            }
            Record::SecurityDefaults(s) => {
                let rows = self.security_defaults.entry(slot).or_default();
                rows.push((Box::new(s), prov));
                return Ok(());
            }
            Record::Directory(d) => {
                let rows = self.directory.entry((d.kind(), slot)).or_default();
                rows.push((d, prov));
                return Ok(());
            }
        };
        self.settle(buffered)
    }

    /// Adds row `row` of a batch of decoded sign-ins (the Graph fast path), which names no
    /// tenant: it is its input's.
    pub fn push_sign_in_row(
        &mut self,
        rows: &Arc<SignInRows>,
        row: usize,
        origin: Origin,
    ) -> Result<()> {
        let slot = self.slot_of(None, &origin)?;
        let prov = self.provenance(origin);
        let date = self.dates.key(rows.created_at(row));
        let decoded = SignInRow::Decoded(rows.clone(), row);
        let buffered = buffer(&mut self.sign_ins, (slot, date), decoded, prov);
        self.settle(buffered)
    }

    /// Counts a buffered sign-in or audit row and flushes what became full.
    fn settle(&mut self, buffered: Buffered) -> Result<()> {
        match buffered {
            Buffered::Duplicate => {
                self.duplicates += 1;
                return Ok(());
            }
            Buffered::Added => self.buffered += 1,
            Buffered::Full(table, part) => {
                self.buffered += 1;
                match table {
                    Table::SignIns => self.flush_sign_ins(&part, Cut::Head)?,
                    _ => self.flush_audits(&part, Cut::Head)?,
                }
            }
        }
        if self.buffered >= BUFFERED_ROWS {
            self.flush_largest()?;
        }
        Ok(())
    }

    fn flush_largest(&mut self) -> Result<()> {
        match (largest(&self.sign_ins), largest(&self.audits)) {
            (Some((d, n)), Some((_, m))) if n >= m => self.flush_sign_ins(&d, Cut::Head),
            (_, Some((d, _))) => self.flush_audits(&d, Cut::Head),
            (Some((d, _)), None) => self.flush_sign_ins(&d, Cut::Head),
            (None, None) => Ok(()),
        }
    }

    /// Sends a partition's buffered sign-ins to the encoder: all of them (`Cut::All`), or,
    /// when flushing for size, all but the tail kept to meet later versions (`buffer.rs`).
    fn flush_sign_ins(&mut self, part: &DatePart, cut: Cut) -> Result<()> {
        let rows = cut.take(&mut self.sign_ins, part);
        let part = self.part(&part.0, Some(&part.1));
        self.send(rows, |rows| Job::SignIns(part, rows))
    }

    fn flush_audits(&mut self, part: &DatePart, cut: Cut) -> Result<()> {
        let rows = cut.take(&mut self.audits, part);
        let part = self.part(&part.0, Some(&part.1));
        self.send(rows, |rows| Job::Audits(part, rows))
    }

    /// Where the encoder puts rows of `slot` (and `date`).
    fn part(&self, slot: &Slot, date: Option<&String>) -> Part {
        Part {
            slot: slot.clone(),
            tenant: self.tenants.written(slot),
            date: date.cloned(),
        }
    }

    fn send<T>(&mut self, rows: Pending<T>, job: impl FnOnce(Pending<T>) -> Job) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.buffered -= rows.len();
        self.encoder.send(job(rows))
    }

    fn flush_all(&mut self) -> Result<()> {
        let parts: Vec<DatePart> = self.sign_ins.keys().cloned().collect();
        for p in parts {
            self.flush_sign_ins(&p, Cut::All)?;
        }
        let parts: Vec<DatePart> = self.audits.keys().cloned().collect();
        for p in parts {
            self.flush_audits(&p, Cut::All)?;
        }
        for (slot, rows) in std::mem::take(&mut self.mfa_states) {
            let part = self.part(&slot, None);
            self.encoder.send(Job::MfaStates(part, rows))?;
        }
        for (slot, rows) in std::mem::take(&mut self.security_defaults) {
            let part = self.part(&slot, None);
            self.encoder.send(Job::SecurityDefaults(part, rows))?;
        }
        for ((kind, slot), rows) in std::mem::take(&mut self.directory) {
            let part = self.part(&slot, None);
            self.encoder.send(Job::Directory(kind, part, rows))?;
        }
        Ok(())
    }

    /// Keeps a record that could not be decoded, verbatim, with its position and reason.
    pub fn quarantine(&mut self, file: &str, record: u64, raw: &[u8], reason: &str) -> Result<()> {
        if self.quarantine.is_none() {
            let path = format!("{STAGING}/quarantine-{}-{}.ndjson", self.run, self.group);
            let w = self.layout.at(&path).writer()?;
            self.quarantine = Some((path, w));
        }
        let (path, w) = self.quarantine.as_mut().expect("created above");
        let line = serde_json::json!({
            "run": self.run,
            "file": file,
            "record": record,
            "reason": reason,
            "raw": String::from_utf8_lossy(raw),
        });
        writeln!(w, "{line}").map_err(|e| Error::io_at(&self.layout.at(path), e))
    }

    /// Marks an input as completely read; commits when enough rows are staged.
    /// Rows waiting for the run's tenant decision keep the run from committing for size:
    /// the decision counts every tenant of the run.
    pub fn finish_input(&mut self, mut entry: InputEntry) -> Result<()> {
        entry.run = self.run;
        let (tenants, undecided) = std::mem::take(&mut self.input_tenants);
        entry.tenants = tenants.iter().map(|t| t.to_string()).collect();
        self.counts.add(&entry.counts);
        self.pending.push((entry, undecided));
        let full = self.encoder.rows() + self.buffered >= self.options.commit_rows;
        if full && !self.tenants.undecided() {
            self.commit_group()?;
        }
        Ok(())
    }

    /// Commits the inputs finished so far now, whatever their size (a puller commits
    /// before it moves its checkpoint past them). Nothing pending: nothing to do.
    pub fn commit(&mut self) -> Result<()> {
        self.commit_group()
    }

    /// Commits what is pending and records the run; returns its outcome.
    pub fn finish(mut self) -> Result<RunOutcome> {
        self.commit_group()?;
        self.encoder.join()?;
        let _ = self.layout.staging().delete_all();
        self.lock.release()?;
        Ok(RunOutcome {
            run: self.run,
            counts: self.counts,
            duplicates_dropped: self.duplicates,
        })
    }

    fn passed(&self, commit: u64, stage: CommitStage) {
        if let Some(hook) = &self.options.fault_hook {
            hook(CommitPoint { commit, stage });
        }
    }
}

#[path = "writer_commit.rs"]
mod commit_group;

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
