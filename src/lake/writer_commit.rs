//! A run's commit: the staged files of each tenant deduplicated against that tenant's
//! table, undecided rows given their tenant, and everything moved in with the manifest
//! through the journal.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::super::commit::{self, Journal};
use super::super::dedup;
use super::super::encoder::Encoder;
use super::super::files::{parquet_files, table_files};
use super::super::layout::{Table, file_name, partition_path, tenant_path};
use super::super::manifest::RunEntry;
use super::super::row_dedup::Seen;
use super::super::staging::{StagedFile, Staging};
use super::super::tenants::{Slot, stamp};
use super::{CommitStage, RunWriter};
use crate::lake::{Error, Result};
use crate::schema::DirectoryKind;

impl RunWriter {
    /// Deduplicates the staged files against the lake and commits them with the pending
    /// inputs' manifest entries.
    pub(super) fn commit_group(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let decided = self.tenants.decide()?;
        self.flush_all()?;
        let mut staging = self.encoder.join()?;
        let mut staged: BTreeMap<(Table, Arc<str>), Vec<StagedFile>> = BTreeMap::new();
        let (files, durability) = staging.finish_files()?;
        // The staged files reach the disk while they are deduplicated (which only reads
        // them); the journal names none of them before they are durable.
        let syncing = std::thread::spawn(move || durability.wait());
        for mut f in files {
            let tenant = match (&f.key.1, &decided) {
                (Slot::Tenant(t), _) => t.clone(),
                (Slot::Undecided, Some(t)) => {
                    if **t != *self.tenants.provisional() {
                        let stamped = staging.new_path();
                        let old = self.layout.at(&f.path);
                        stamp(f.key.0, &old, &self.layout.at(&stamped), t)?;
                        let _ = old.delete();
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
        self.encoder = Encoder::start(Staging::new(&self.layout, self.run, staging.next_file())?);
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
        syncing
            .join()
            .map_err(|_| Error::Internal("the thread syncing staged files panicked".into()))??;
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
        if let Some((path, w)) = self.quarantine.take() {
            // Complete (an upload) and durable before the journal names it.
            w.finish()?;
            let target = format!("quarantine/run-{:06}-{}.ndjson", self.run, self.group);
            journal.renames.push((path, target));
        }
        Ok(())
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
        let staged: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        let existing = if table.partitioned() {
            table_files(&self.layout, table, tenant)?
        } else {
            Vec::new()
        };
        let layout = self.layout.clone();
        let at = |paths: &[String]| paths.iter().map(|p| layout.at(p)).collect::<Vec<_>>();
        let outcome = match table {
            _ if table.partitioned() => {
                let rows = files.iter().map(|f| f.rows).sum();
                dedup::decide(&at(&staged), rows, &at(&existing))?
            }
            Table::Directory(kind) => self.seen(kind, tenant)?.decide(&at(&staged))?,
            _ => dedup::Outcome::default(),
        };
        self.duplicates += outcome.dropped;
        for (i, path) in staged.iter().chain(existing.iter()).enumerate() {
            let target = match files.get(i) {
                Some(f) => format!(
                    "{}/{}",
                    partition_dir(f.key.0, tenant, f.key.2.as_deref()),
                    file_name(path)
                ),
                None => path.clone(),
            };
            let is_staged = i < staged.len();
            let source = match outcome.drops.get(&i) {
                None if is_staged => path.clone(),
                None => continue, // an untouched existing file
                Some(drop) => {
                    let rewritten = rewrites.new_path();
                    let (src, dst) = (self.layout.at(path), self.layout.at(&rewritten));
                    let kept = dedup::rewrite_without(table, &src, &dst, drop)?;
                    if kept == 0 {
                        let _ = dst.delete();
                        if !is_staged {
                            journal.deletes.push(path.clone());
                        }
                        continue;
                    }
                    rewritten
                }
            };
            journal.renames.push((source, target));
        }
        Ok(())
    }

    /// What `tenant`'s policy or directory table `kind` holds (read from its files the
    /// first time).
    fn seen(&mut self, kind: DirectoryKind, tenant: &Arc<str>) -> Result<&mut Seen> {
        let key = (kind, tenant.clone());
        if !self.seen.contains_key(&key) {
            let table = Table::Directory(kind);
            let files = parquet_files(&self.layout, &tenant_path(table, tenant))?;
            let files: Vec<_> = files.iter().map(|f| self.layout.at(f)).collect();
            self.seen.insert(key.clone(), Seen::load(table, &files)?);
        }
        Ok(self.seen.get_mut(&key).expect("inserted above"))
    }
}

/// The folder (relative to the lake) a staged file of `table`, `tenant` and `date` goes to.
fn partition_dir(table: Table, tenant: &str, date: Option<&str>) -> String {
    match date {
        Some(date) => partition_path(table, tenant, date),
        None => tenant_path(table, tenant),
    }
}
