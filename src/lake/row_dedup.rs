//! Deduplication of the policy and directory tables: a staged row equal in every content
//! column (every column but provenance) to a row already in the table, or to a row staged
//! before it in the run, is dropped and counted as a duplicate.
//!
//! Rows are compared by the SHA-256 of their arrow-row encoding, which is a function of the
//! values alone: the same snapshot ingested twice (a page pulled again, the same body saved
//! under two names) adds nothing, and a later snapshot (another `snapshot_at`) adds its rows.

use std::collections::HashSet;

use arrow::row::{RowConverter, SortField};
use sha2::{Digest, Sha256};

use super::dedup::Outcome;
use super::layout::Table;
use super::parquet_file;
use super::staging::table_schema;
use crate::lake::Result;
use crate::schema::columns::content_columns;
use crate::storage::Location;

/// The rows one table holds, by digest: loaded once per run from its files, then kept up
/// to date with every commit of the run.
pub struct Seen {
    table: Table,
    converter: RowConverter,
    content: usize,
    digests: HashSet<[u8; 32]>,
}

impl Seen {
    /// The rows of `files`, every file already in `table`.
    pub fn load(table: Table, files: &[Location]) -> Result<Seen> {
        let schema = table_schema(table);
        let content = content_columns(&schema);
        let fields = schema.fields()[..content]
            .iter()
            .map(|f| SortField::new(f.data_type().clone()))
            .collect();
        let mut seen = Seen {
            table,
            converter: RowConverter::new(fields)?,
            content,
            digests: HashSet::new(),
        };
        for path in files {
            seen.each_row(path, |_, _| {})?;
        }
        Ok(seen)
    }

    /// Decides which rows of this commit's staged files of the table are duplicates (the
    /// drops are by index into `staged`); the kept rows become part of what is seen.
    pub fn decide(&mut self, staged: &[Location]) -> Result<Outcome> {
        let mut outcome = Outcome::default();
        for (f, path) in staged.iter().enumerate() {
            self.each_row(path, |row, new| {
                if !new {
                    outcome.lose(f, row);
                }
            })?;
        }
        Ok(outcome)
    }

    /// Calls `each(row, new)` for every row of a file, `new` when its digest was not seen
    /// before (it is then recorded).
    fn each_row(&mut self, path: &Location, mut each: impl FnMut(usize, bool)) -> Result<()> {
        let reader = parquet_file::reader(path, 8192, |_| None)?;
        let mut offset = 0;
        for batch in reader {
            let batch = batch?;
            if batch.num_columns() < self.content {
                return Err(crate::lake::Error::Lake {
                    path: path.to_string(),
                    reason: format!("not a file of the {} table's schema", self.table.name()),
                });
            }
            let rows = self
                .converter
                .convert_columns(&batch.columns()[..self.content])?;
            for (i, row) in rows.iter().enumerate() {
                let digest: [u8; 32] = Sha256::digest(row.as_ref()).into();
                each(offset + i, self.digests.insert(digest));
            }
            offset += batch.num_rows();
        }
        Ok(())
    }
}
