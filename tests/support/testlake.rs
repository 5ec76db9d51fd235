//! Test support, shared by the `evidence` test crate and the `evaluate` benchmark (each
//! includes this file as a module; it is not part of the library): writes a small lake
//! from canonical records in the lake layout, one Parquet file per table and date
//! partition of one tenant ([`TENANT`] unless named), without the lake writer's dedup and commit
//! machinery.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow::array::RecordBatch;
use chrono::{DateTime, Utc};
use parquet::arrow::ArrowWriter;

use mfaproof::lake::Result;
use mfaproof::lake::layout::{Layout, Table};
use mfaproof::schema::batch::{
    Provenance, audit_events_batch, mfa_state_batch, security_defaults_batch, sign_ins_batch,
};
use mfaproof::schema::{AuditEvent, MfaStateSnapshot, SecurityDefaultsSnapshot, SignIn};
use mfaproof::storage::Location;

/// The tenant every row is written for.
pub const TENANT: &str = "0e35ee7a-425d-45a5-9013-218c1eae8fd4";

/// Records to write into one lake.
#[derive(Debug, Default, Clone)]
pub struct Records {
    pub sign_ins: Vec<SignIn>,
    pub audits: Vec<AuditEvent>,
    pub mfa_states: Vec<MfaStateSnapshot>,
    pub security_defaults: Vec<SecurityDefaultsSnapshot>,
}

fn provenance(n: usize, first_seq: i64) -> Vec<Provenance> {
    let file: Arc<str> = Arc::from("testlake");
    (0..n)
        .map(|i| Provenance {
            source_format: "testlake",
            source_file: file.clone(),
            source_record: i as u64 + 1,
            ingested_at: DateTime::<Utc>::UNIX_EPOCH,
            ingest_seq: first_seq + i as i64,
        })
        .collect()
}

fn write_batch(dir: &Location, name: &str, batch: &RecordBatch) -> Result<()> {
    let file = dir.join(name).writer()?;
    let mut w = ArrowWriter::try_new(file, batch.schema(), None)?;
    w.write(batch)?;
    w.into_inner()?.finish()?;
    Ok(())
}

/// `rows` by the day (`YYYY-MM-DD`, the partition) of their time.
fn by_day<T>(rows: &[T], time: impl Fn(&T) -> DateTime<Utc>) -> BTreeMap<String, Vec<&T>> {
    let mut days: BTreeMap<String, Vec<&T>> = BTreeMap::new();
    for r in rows {
        days.entry(time(r).format("%Y-%m-%d").to_string())
            .or_default()
            .push(r);
    }
    days
}

/// Writes `records` under `root` as the tenant [`TENANT`]'s; `part` names the files (call
/// again with another part to add files, as several ingest runs would).
pub fn write(root: &Path, records: &Records, part: &str) -> Result<()> {
    write_tenant(root, records, part, TENANT)
}

/// Writes `records` under `root` as `tenant`'s (`<table>/tenant_id=<tenant>/…`).
pub fn write_tenant(root: &Path, records: &Records, part: &str, tenant: &str) -> Result<()> {
    let layout = Layout::new(root);
    let name = format!("part-{part}.parquet");
    for (day, rows) in by_day(&records.sign_ins, |s| s.created_at) {
        let b = sign_ins_batch(tenant, &rows, &provenance(rows.len(), 0))?;
        write_batch(&layout.partition(Table::SignIns, tenant, &day), &name, &b)?;
    }
    for (day, rows) in by_day(&records.audits, |a| a.activity_date_time) {
        let b = audit_events_batch(tenant, &rows, &provenance(rows.len(), 0))?;
        write_batch(
            &layout.partition(Table::AuditEvents, tenant, &day),
            &name,
            &b,
        )?;
    }
    if !records.mfa_states.is_empty() {
        let rows: Vec<_> = records.mfa_states.iter().collect();
        let b = mfa_state_batch(tenant, &rows, &provenance(rows.len(), 0))?;
        write_batch(&layout.tenant(Table::MfaStateSnapshots, tenant), &name, &b)?;
    }
    if !records.security_defaults.is_empty() {
        let rows: Vec<_> = records.security_defaults.iter().collect();
        let b = security_defaults_batch(tenant, &rows, &provenance(rows.len(), 0))?;
        write_batch(
            &layout.tenant(Table::SecurityDefaultsSnapshots, tenant),
            &name,
            &b,
        )?;
    }
    Ok(())
}
