//! One ingest run's writer: buffers canonical records per table and date, stages Parquet,
//! and commits groups of whole inputs (dedup, rename into place, manifest) atomically.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::buffer::{Buffer, Keyed};
use super::commit::{self, Journal, relative};
use super::dedup;
use super::encoder::{Encoder, Job, Part, Rows};
use super::fsutil::create_dir_all;
use super::layout::{Layout, Table};
use super::manifest::{Counts, InputEntry, Manifest, RunEntry};
use super::migrate;
use super::row_dedup::Seen;
use super::staging::{StagedFile, Staging};
use super::tenants::{RunTenants, Slot, stamp};
use crate::lake::{Error, Result};
use crate::schema::batch::Provenance;
use crate::schema::{
    AuditEvent, DirectoryKind, DirectoryRecord, MfaStateSnapshot, Record, SecurityDefaultsSnapshot,
    SignIn,
};

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

/// Hears every [`CommitPoint`] a run passes.
pub type FaultHook = Arc<dyn Fn(CommitPoint) + Send + Sync>;

/// A named point of one commit of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitPoint {
    /// The commit's number within the run, from 1.
    pub commit: u64,
    pub stage: CommitStage,
}

/// Where a commit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitStage {
    /// Its files are staged (deduplicated, rewrites written); no journal yet.
    Staged,
    /// Its journal is written; nothing is renamed into the tables yet.
    Journaled,
    /// Its first file is moved into its table, the others not yet.
    Renamed,
    /// It is applied: files in place, manifest saved, journal removed.
    Committed,
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
    options: WriterOptions,
    manifest: Manifest,
    run: u64,
    started_at: DateTime<Utc>,
    encoder: Encoder,
    group: u64,
    quarantine: Option<(PathBuf, BufWriter<File>)>,
    sign_ins: BTreeMap<DatePart, Buffer<SignIn>>,
    audits: BTreeMap<DatePart, Buffer<AuditEvent>>,
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
    row: Box<T>,
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
    fn take<T: Keyed>(self, m: &mut BTreeMap<DatePart, Buffer<T>>, part: &DatePart) -> Rows<T> {
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
        create_dir_all(layout.root())?;
        commit::recover(&layout)?;
        let mut manifest = Manifest::load(&layout.manifest())?;
        let run = manifest.next_run();
        let mut staging = Staging::new(layout.staging(), run, 1)?;
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
        let encoder = Encoder::start(Staging::new(layout.staging(), run, staging.next_file())?);
        Ok(RunWriter {
            layout,
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
    pub fn already_ingested(&self, sha256: &str) -> bool {
        self.manifest.contains(sha256) || self.pending.iter().any(|(p, _)| p.sha256 == sha256)
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

    /// Adds one decoded record.
    pub fn push(&mut self, record: Record, origin: Origin) -> Result<()> {
        let slot = self.tenants.slot(
            record.tenant(),
            origin.tenant.as_ref(),
            &origin.source_file,
            origin.source_record,
        )?;
        match &slot {
            Slot::Tenant(t) => _ = self.input_tenants.0.insert(t.clone()),
            Slot::Undecided => self.input_tenants.1 = true,
        }
        let prov = self.provenance(origin);
        let buffered = match record {
            Record::SignIn(s) => {
                let date = self.dates.key(s.created_at);
                buffer(&mut self.sign_ins, (slot, date), s, prov)
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

    fn send<T>(&mut self, rows: Rows<T>, job: impl FnOnce(Rows<T>) -> Job) -> Result<()> {
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
            let path = self
                .layout
                .staging()
                .join(format!("quarantine-{}-{}.ndjson", self.run, self.group));
            let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
            self.quarantine = Some((path, BufWriter::new(f)));
        }
        let (path, w) = self.quarantine.as_mut().expect("created above");
        let line = serde_json::json!({
            "run": self.run,
            "file": file,
            "record": record,
            "reason": reason,
            "raw": String::from_utf8_lossy(raw),
        });
        writeln!(w, "{line}").map_err(|e| Error::io(path.as_path(), e))
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
        let _ = std::fs::remove_dir_all(self.layout.staging());
        Ok(RunOutcome {
            run: self.run,
            counts: self.counts,
            duplicates_dropped: self.duplicates,
        })
    }

    /// Deduplicates the staged files against the lake and commits them with the pending
    /// inputs' manifest entries.
    fn commit_group(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let decided = self.tenants.decide()?;
        self.flush_all()?;
        let mut staging = self.encoder.join()?;
        let mut staged: BTreeMap<(Table, Arc<str>), Vec<StagedFile>> = BTreeMap::new();
        for mut f in staging.finish_files()? {
            let tenant = match (&f.key.1, &decided) {
                (Slot::Tenant(t), _) => t.clone(),
                (Slot::Undecided, Some(t)) => {
                    if **t != *self.tenants.provisional() {
                        let stamped = staging.new_path();
                        stamp(f.key.0, &f.path, &stamped, t)?;
                        let _ = std::fs::remove_file(&f.path);
                        f.path = stamped;
                    }
                    t.clone()
                }
                (Slot::Undecided, None) => {
                    return Err(Error::Internal("undecided rows without a decision".into()));
                }
            };
            staged.entry((f.key.0, tenant)).or_default().push(f);
        }
        let mut journal = Journal::default();
        for ((table, tenant), files) in staged {
            // Rewritten files take fresh names from the same staging numbering.
            self.place_table(table, &tenant, &files, &mut journal, &mut staging)?;
        }
        self.encoder = Encoder::start(Staging::new(
            self.layout.staging(),
            self.run,
            staging.next_file(),
        )?);
        self.journal_quarantine(&mut journal)?;
        let number = self.group;
        self.group += 1;
        let mut manifest = self.manifest.clone();
        for (mut entry, undecided) in std::mem::take(&mut self.pending) {
            if let (true, Some(t)) = (undecided, &decided) {
                entry.tenants.push(t.to_string());
                entry.tenants.sort();
                entry.tenants.dedup();
            }
            manifest.inputs.push(entry);
        }
        let now = crate::schema::record::now_micros();
        manifest.runs.retain(|r| r.run != self.run);
        manifest.runs.push(RunEntry {
            run: self.run,
            started_at: self.started_at,
            finished_at: now,
            counts: self.counts.clone(),
            duplicates_dropped: self.duplicates,
        });
        journal.manifest = manifest.clone();
        self.passed(number, CommitStage::Staged);
        commit::record(&self.layout, &journal)?;
        self.passed(number, CommitStage::Journaled);
        commit::apply_with(&self.layout, &journal, &mut || {
            self.passed(number, CommitStage::Renamed);
        })?;
        self.manifest = manifest;
        self.tenants.committed();
        self.passed(number, CommitStage::Committed);
        Ok(())
    }

    /// Adds the run's quarantine file of this group to the commit.
    fn journal_quarantine(&mut self, journal: &mut Journal) -> Result<()> {
        if let Some((path, mut w)) = self.quarantine.take() {
            w.flush().map_err(|e| Error::io(path.as_path(), e))?;
            let target = self
                .layout
                .quarantine()
                .join(format!("run-{:06}-{}.ndjson", self.run, self.group));
            journal.renames.push((
                relative(&self.layout, &path),
                relative(&self.layout, &target),
            ));
        }
        Ok(())
    }

    fn passed(&self, commit: u64, stage: CommitStage) {
        if let Some(hook) = &self.options.fault_hook {
            hook(CommitPoint { commit, stage });
        }
    }

    /// Deduplicates one table's staged files of `tenant` against the tenant's whole table
    /// (ids are compared within a tenant) and plans their moves (and the rewrites of files
    /// that lost rows) into it.
    fn place_table(
        &mut self,
        table: Table,
        tenant: &Arc<str>,
        files: &[StagedFile],
        journal: &mut Journal,
        rewrites: &mut Staging,
    ) -> Result<()> {
        let staged: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
        let existing = if table.partitioned() {
            table_files(&self.layout, table, tenant)?
        } else {
            Vec::new()
        };
        let outcome = match table {
            _ if table.partitioned() => dedup::decide(&staged, &existing)?,
            Table::Directory(kind) => self.seen(kind, tenant)?.decide(&staged)?,
            _ => dedup::Outcome::default(),
        };
        self.duplicates += outcome.dropped;
        for (i, path) in staged.iter().chain(existing.iter()).enumerate() {
            let name = path.file_name().map(PathBuf::from).unwrap_or_default();
            let target = match files.get(i) {
                Some(f) => self
                    .partition_dir(f.key.0, tenant, f.key.2.as_deref())
                    .join(&name),
                None => path.clone(),
            };
            let is_staged = i < staged.len();
            let source = match outcome.drops.get(&i) {
                None if is_staged => path.clone(),
                None => continue, // an untouched existing file
                Some(drop) => {
                    let rewritten = rewrites.new_path();
                    let kept = dedup::rewrite_without(table, path, &rewritten, drop)?;
                    if kept == 0 {
                        let _ = std::fs::remove_file(&rewritten);
                        if !is_staged {
                            journal.deletes.push(relative(&self.layout, path));
                        }
                        continue;
                    }
                    rewritten
                }
            };
            journal.renames.push((
                relative(&self.layout, &source),
                relative(&self.layout, &target),
            ));
        }
        Ok(())
    }

    /// What `tenant`'s policy or directory table `kind` holds (read from its files the
    /// first time).
    fn seen(&mut self, kind: DirectoryKind, tenant: &Arc<str>) -> Result<&mut Seen> {
        let key = (kind, tenant.clone());
        if !self.seen.contains_key(&key) {
            let table = Table::Directory(kind);
            let files = parquet_files(&self.layout.tenant(table, tenant))?;
            self.seen.insert(key.clone(), Seen::load(table, &files)?);
        }
        Ok(self.seen.get_mut(&key).expect("inserted above"))
    }

    /// The folder a staged file of `table`, `tenant` and `date` goes to.
    fn partition_dir(&self, table: Table, tenant: &str, date: Option<&str>) -> PathBuf {
        match date {
            Some(date) => self.layout.partition(table, tenant, date),
            None => self.layout.tenant(table, tenant),
        }
    }
}

/// Every `.parquet` file of `tenant`'s part of a partitioned table, partition by partition
/// in date order.
fn table_files(layout: &Layout, table: Table, tenant: &str) -> Result<Vec<PathBuf>> {
    let dir = layout.tenant(table, tenant);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut partitions = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(&dir, e))?.path();
        let is_partition = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("date="));
        if is_partition && path.is_dir() {
            partitions.push(path);
        }
    }
    partitions.sort();
    let mut files = Vec::new();
    for p in partitions {
        files.extend(parquet_files(&p)?);
    }
    Ok(files)
}

/// The `.parquet` files of a directory, sorted; none when it does not exist.
pub fn parquet_files(dir: &std::path::Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "parquet") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
