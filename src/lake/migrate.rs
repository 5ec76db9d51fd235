//! A lake written before tenants: its tables hold `date=` folders and files with no
//! `tenant_id=` level above them, and its files no `tenant_id` column. Readers refuse it
//! ([`check`]) with the command that migrates it; `ingest --tenant T` (any run given a
//! tenant) migrates it as its first commit ([`migrate`]): every file is rewritten with the
//! column into staging, then moved to `tenant_id=T/…` under its old name while the old
//! file is deleted, through the redo journal, so a crash leaves the old lake or the
//! migrated one and the next open finishes what was journaled. No row is dropped.

use super::commit::{self, Journal};
use super::fault::CommitStage;
use super::files::parquet_files;
use super::layout::{Layout, Table, file_name, partition_path, tenant_path};
use super::manifest::Manifest;
use super::staging::Staging;
use super::tenants::stamp;
use crate::lake::{Error, Result};

/// A file of the old layout: its table, its date partition (partitioned tables), its path
/// relative to the lake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyFile {
    pub table: Table,
    pub date: Option<String>,
    pub path: String,
}

/// Every Parquet file of the lake outside a `tenant_id=` folder, table by table.
pub fn legacy_files(layout: &Layout) -> Result<Vec<LegacyFile>> {
    let mut found = Vec::new();
    for table in Table::ALL {
        let dir = table.name();
        for path in parquet_files(layout, dir)? {
            found.push(LegacyFile {
                table,
                date: None,
                path,
            });
        }
        if !table.partitioned() {
            continue;
        }
        for date in date_folders(layout, table)? {
            for path in parquet_files(layout, &format!("{dir}/date={date}"))? {
                found.push(LegacyFile {
                    table,
                    date: Some(date.clone()),
                    path,
                });
            }
        }
    }
    Ok(found)
}

/// The dates of the `date=` folders right under a table, sorted.
fn date_folders(layout: &Layout, table: Table) -> Result<Vec<String>> {
    let folders = layout.table(table).folders()?;
    Ok(folders
        .into_iter()
        .filter_map(|n| n.strip_prefix("date=").map(str::to_string))
        .collect())
}

/// The refusal of a lake written before tenants, with the command that migrates it.
pub fn refusal(layout: &Layout) -> Error {
    let lake = layout.root();
    Error::Tenant(format!(
        "{lake}: this lake was written before mfaproof kept tenants (its tables have files \
         outside tenant_id= folders); migrate it, naming the tenant its records belong to: \
         mfaproof ingest --lake {lake} --tenant TENANT_ID"
    ))
}

/// Refuses a lake written before tenants (readers call it before they read).
pub fn check(layout: &Layout) -> Result<()> {
    if legacy_files(layout)?.is_empty() {
        Ok(())
    } else {
        Err(refusal(layout))
    }
}

/// Migrates the old-layout files of the lake into `tenant` and returns the manifest it
/// installed (its inputs without tenants now name `tenant`); `None` when there was nothing
/// to migrate. Without a tenant, an old lake is refused. `passed` hears the commit's
/// points, as a run's commits do.
pub fn migrate(
    layout: &Layout,
    tenant: Option<&str>,
    manifest: &Manifest,
    staging: &mut Staging,
    passed: &dyn Fn(CommitStage),
) -> Result<Option<Manifest>> {
    let files = legacy_files(layout)?;
    if files.is_empty() {
        return Ok(None);
    }
    let Some(tenant) = tenant else {
        return Err(refusal(layout));
    };
    let mut journal = Journal::default();
    for f in &files {
        let folder = match &f.date {
            Some(date) => partition_path(f.table, tenant, date),
            None => tenant_path(f.table, tenant),
        };
        let stamped = staging.new_path();
        stamp(f.table, &layout.at(&f.path), &layout.at(&stamped), tenant)?;
        let target = format!("{folder}/{}", file_name(&f.path));
        journal.renames.push((stamped, target));
        journal.deletes.push(f.path.clone());
    }
    let mut migrated = manifest.clone();
    for input in migrated.inputs.iter_mut().filter(|i| i.tenants.is_empty()) {
        input.tenants = vec![tenant.to_string()];
    }
    journal.manifest = migrated.clone();
    passed(CommitStage::Staged);
    commit::record(layout, &journal)?;
    passed(CommitStage::Journaled);
    commit::apply_with(layout, &journal, &mut || passed(CommitStage::Renamed))?;
    tidy(layout);
    passed(CommitStage::Committed);
    Ok(Some(migrated))
}

/// Removes the empty `date=` folders a migration left (a crash may leave some: they hold
/// no file, so they are no old layout).
pub fn tidy(layout: &Layout) {
    for table in Table::ALL.into_iter().filter(|t| t.partitioned()) {
        // An object store has no empty folders to remove.
        let Some(dir) = layout
            .table(table)
            .as_local()
            .map(std::path::Path::to_path_buf)
        else {
            continue;
        };
        if let Ok(dates) = date_folders(layout, table) {
            for date in dates {
                let _ = std::fs::remove_dir(dir.join(format!("date={date}")));
            }
        }
    }
}
