//! The tenants of a lake: which ones it holds (its `tenant_id=` folders), the slot a
//! buffered row's tenant takes while a run may not know it yet, and the rewrite that
//! stamps a tenant on a file (a run's undecided rows, a file of a lake written before
//! tenants).

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;

use super::files::holds_parquet;
use super::layout::{Layout, Table, folder_tenant};
use super::parquet_file;
use super::staging::{table_schema, writer_properties};
use crate::lake::{Error, Result};
use crate::schema::columns::TENANT_ID;
use crate::storage::Location;

pub use super::staging::Slot;

/// The tenants the lake holds: every `tenant_id=` folder of a table with a Parquet file in
/// it, sorted.
pub fn held(layout: &Layout) -> Result<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    for table in Table::ALL {
        let dir = layout.table(table);
        for name in dir.folders()? {
            if let Some(tenant) = folder_tenant(&name)
                && !found.contains(tenant)
                && holds_parquet(&dir.join(&name))?
            {
                found.insert(tenant.to_string());
            }
        }
    }
    Ok(found)
}

/// Copies the `table` file `src` to `dst` with every row's `tenant_id` set to `tenant`
/// (added when `src` has no such column: a file written before tenants); every other
/// column is taken by name. Returns the rows copied.
pub fn stamp(table: Table, src: &Location, dst: &Location, tenant: &str) -> Result<usize> {
    let schema = table_schema(table);
    let reader = parquet_file::reader(src, 8192, |_| None)?;
    let out = dst.writer()?;
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(writer_properties()))?;
    let mut rows = 0;
    for batch in reader {
        let batch = batch?;
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        for field in schema.fields() {
            let column = if field.name() == TENANT_ID {
                let values = std::iter::repeat_n(tenant, batch.num_rows());
                Arc::new(StringArray::from_iter_values(values)) as ArrayRef
            } else {
                batch
                    .column_by_name(field.name())
                    .cloned()
                    .ok_or_else(|| Error::Lake {
                        path: src.to_string(),
                        reason: format!(
                            "no column {} of the {} table: not a file of this lake",
                            field.name(),
                            table.name()
                        ),
                    })?
            };
            columns.push(column);
        }
        let stamped = RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::Lake {
            path: src.to_string(),
            reason: format!("not a file of the {} table: {e}", table.name()),
        })?;
        rows += stamped.num_rows();
        writer.write(&stamped)?;
    }
    writer.into_inner()?.finish()?;
    Ok(rows)
}

/// The tenants one run deals with, and the rule for a record that names none and whose
/// input was given none: it belongs to the lake's only tenant, counting the tenants this
/// run's other records bring. The rule is applied when the run commits (a record naming a
/// tenant may come after), so the rows wait in the [`Slot::Undecided`] slot; when the
/// lake with this run holds no tenant, or several, the run fails without committing them
/// (a record is never guessed between tenants).
#[derive(Debug)]
pub struct RunTenants {
    /// The lake's tenants: those it held when the run began and those the run committed.
    lake: BTreeSet<String>,
    /// The tenants of this run's records, named or given.
    seen: BTreeSet<Arc<str>>,
    /// What undecided rows' `tenant_id` column says until the decision: the lake's only
    /// tenant, else empty.
    provisional: Arc<str>,
    /// The first record since the last commit that named no tenant (file, record).
    undecided: Option<(Arc<str>, u64)>,
}

impl RunTenants {
    /// The tenants of the lake at `layout`.
    pub fn load(layout: &Layout) -> Result<RunTenants> {
        let mut tenants = RunTenants {
            lake: held(layout)?,
            seen: BTreeSet::new(),
            provisional: Arc::from(""),
            undecided: None,
        };
        tenants.settle();
        Ok(tenants)
    }

    /// The slot of a record that names `named` (or none), of an input given `given` (or
    /// none), record `record` of `file`. An error when the record names none and the lake
    /// with this run already holds two tenants.
    pub fn slot(
        &mut self,
        named: Option<&str>,
        given: Option<&Arc<str>>,
        file: &Arc<str>,
        record: u64,
    ) -> Result<Slot> {
        let tenant = match (named, given) {
            (Some(t), _) => match self.seen.get(t) {
                Some(known) => known.clone(),
                None => Arc::from(t),
            },
            (None, Some(t)) => t.clone(),
            (None, None) => {
                if self.undecided.is_none() {
                    self.undecided = Some((file.clone(), record));
                }
                self.check_undecided()?;
                return Ok(Slot::Undecided);
            }
        };
        if !self.seen.contains(&tenant) {
            self.seen.insert(tenant.clone());
            if self.undecided.is_some() {
                self.check_undecided()?;
            }
        }
        Ok(Slot::Tenant(tenant))
    }

    /// What the `tenant_id` column of a row in `slot` says before the commit.
    pub fn written(&self, slot: &Slot) -> Arc<str> {
        match slot {
            Slot::Tenant(t) => t.clone(),
            Slot::Undecided => self.provisional.clone(),
        }
    }

    /// The provisional tenant undecided rows were written with.
    pub fn provisional(&self) -> &str {
        &self.provisional
    }

    /// Whether rows wait for the decision.
    pub fn undecided(&self) -> bool {
        self.undecided.is_some()
    }

    /// Every tenant: the lake's and this run's.
    fn all(&self) -> BTreeSet<&str> {
        let lake = self.lake.iter().map(String::as_str);
        lake.chain(self.seen.iter().map(|t| &**t)).collect()
    }

    fn check_undecided(&self) -> Result<()> {
        if self.all().len() >= 2 {
            return Err(self.refusal());
        }
        Ok(())
    }

    /// The tenant of the undecided rows (`None` when there are none); an error when the
    /// lake with this run holds no tenant or several.
    pub fn decide(&self) -> Result<Option<Arc<str>>> {
        if self.undecided.is_none() {
            return Ok(None);
        }
        let all = self.all();
        match all.iter().next() {
            Some(only) if all.len() == 1 => Ok(Some(Arc::from(*only))),
            _ => Err(self.refusal()),
        }
    }

    /// Why the undecided rows cannot be given a tenant.
    fn refusal(&self) -> Error {
        let (file, record) = self
            .undecided
            .clone()
            .unwrap_or_else(|| (Arc::from("an input"), 0));
        let all = self.all();
        let held = if all.is_empty() {
            "neither the lake nor any record of this run names a tenant".to_string()
        } else {
            let list: Vec<&str> = all.into_iter().collect();
            format!(
                "the lake with this run holds several tenants ({}), and a record is never guessed between them",
                list.join(", ")
            )
        };
        Error::Tenant(format!(
            "{file}: record {record} names no tenant and its input was given none; {held}. \
             Give the tenant of the inputs that name none: mfaproof ingest --tenant TENANT_ID …"
        ))
    }

    /// The run's records so far are committed: their tenants are the lake's now.
    pub fn committed(&mut self) {
        self.lake.extend(self.seen.iter().map(|t| t.to_string()));
        self.undecided = None;
        self.settle();
    }

    fn settle(&mut self) {
        self.provisional = match self.lake.iter().next() {
            Some(only) if self.lake.len() == 1 => Arc::from(only.as_str()),
            _ => Arc::from(""),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::staging::Staging;
    use crate::schema::SecurityDefaultsSnapshot;
    use crate::schema::batch::{Provenance, security_defaults_batch};
    use arrow::array::AsArray;

    fn tenants_of(file: &Location) -> Vec<String> {
        let reader = parquet_file::reader(file, 8192, |_| None).unwrap();
        let mut out = Vec::new();
        for b in reader {
            let b = b.unwrap();
            let col = b.column_by_name(TENANT_ID).unwrap().as_string::<i32>();
            out.extend(col.iter().map(|v| v.unwrap().to_string()));
        }
        out
    }

    fn stamping_sets_every_row_and_a_lake_lists_its_tenants(lake: Location) {
        let layout = Layout::new(lake);
        let mut staging = Staging::new(&layout, 1, 1).unwrap();
        let row = SecurityDefaultsSnapshot {
            is_enabled: true,
            as_of: chrono::Utc::now(),
        };
        let prov = Provenance {
            source_format: "t",
            source_file: "f".into(),
            source_record: 1,
            ingested_at: chrono::Utc::now(),
            ingest_seq: 1,
        };
        let batch = security_defaults_batch("", &[&row, &row], &[prov.clone(), prov]).unwrap();
        let table = Table::SecurityDefaultsSnapshots;
        let src = layout.at(&staging.new_path());
        let mut w = ArrowWriter::try_new(src.writer().unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.into_inner().unwrap().finish().unwrap();
        let dst = layout.tenant(table, "t-1").join("part-1.parquet");
        assert_eq!(stamp(table, &src, &dst, "t-1").unwrap(), 2);
        assert_eq!(tenants_of(&dst), ["t-1", "t-1"]);
        let empty = layout
            .tenant(Table::SignIns, "empty")
            .join("date=2026-01-01/x.json");
        empty.write_atomic(b"{}").unwrap();
        assert_eq!(
            held(&layout).unwrap().into_iter().collect::<Vec<_>>(),
            ["t-1"]
        );
    }

    #[test]
    fn stamping_and_tenants_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        stamping_sets_every_row_and_a_lake_lists_its_tenants(Location::local(dir.path()));
    }

    #[test]
    fn stamping_and_tenants_in_an_object_store() {
        let (_rt, lake) = crate::lake::test_store::memory();
        stamping_sets_every_row_and_a_lake_lists_its_tenants(lake);
    }
}
