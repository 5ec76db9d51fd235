//! Deduplication at commit (evidence-rules §3): per partition, one row per `id` — the
//! version with the most `authentication_details`, on a tie the one ingested last.
//!
//! All versions of an id share its `created_at`, hence its date partition, so a partition
//! is deduplicated on its own: only the key columns of its files are read, and only files
//! that hold a losing row are rewritten.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{AsArray, BooleanArray, RecordBatch};
use arrow::compute::filter_record_batch;
use arrow::datatypes::Int64Type;
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::layout::Table;
use super::staging::{table_schema, writer_properties};
use crate::error::{Error, Result};

/// One row's dedup key: authentication-details count, then ingest order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    details: u32,
    seq: i64,
}

/// Which file of the partition a row is in: staged (new) files first, then existing ones.
type FileIdx = usize;

/// What deduplicating one partition decided.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rows to drop, per file index (staged files first, then existing files).
    pub drops: HashMap<FileIdx, HashSet<usize>>,
    /// Number of rows dropped.
    pub dropped: u64,
}

/// Reads `(id, rank)` of every row of a lake file.
fn read_keys(path: &Path) -> Result<Vec<(String, Rank)>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
    // Leaves, not whole columns: one leaf of `authentication_details` gives the list
    // lengths without decoding the other five.
    let wanted = |parts: &[String]| match parts.first().map(String::as_str) {
        Some("id" | "ingest_seq") => parts.len() == 1,
        Some("authentication_details") => true,
        _ => false,
    };
    let mut leaves = Vec::new();
    let mut details_leaf = false;
    for (i, col) in builder.parquet_schema().columns().iter().enumerate() {
        let parts = col.path().parts();
        if wanted(parts) {
            let is_details = parts[0] == "authentication_details";
            if !(is_details && details_leaf) {
                leaves.push(i);
            }
            details_leaf |= is_details;
        }
    }
    let mask = ProjectionMask::leaves(builder.parquet_schema(), leaves);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch?;
        let ids = batch
            .column_by_name("id")
            .map(|c| c.as_string::<i32>().clone());
        let seqs = batch
            .column_by_name("ingest_seq")
            .map(|c| c.as_primitive::<Int64Type>().clone());
        let lists = batch
            .column_by_name("authentication_details")
            .map(|c| c.as_list::<i32>().clone());
        let (Some(ids), Some(seqs)) = (ids, seqs) else {
            return Err(Error::Lake {
                path: path.to_path_buf(),
                reason: "file lacks the id or ingest_seq column".into(),
            });
        };
        for row in 0..batch.num_rows() {
            let details = lists
                .as_ref()
                .map(|l| l.value_length(row) as u32)
                .unwrap_or(0);
            out.push((
                ids.value(row).to_string(),
                Rank {
                    details,
                    seq: seqs.value(row),
                },
            ));
        }
    }
    Ok(out)
}

/// Decides the losing rows of one partition. `staged` are this commit's new files,
/// `existing` the files already in the partition (which hold no duplicate among themselves).
pub fn decide(staged: &[PathBuf], existing: &[PathBuf]) -> Result<Outcome> {
    let mut best: HashMap<String, (Rank, FileIdx, usize)> = HashMap::new();
    let mut outcome = Outcome::default();
    let lose = |outcome: &mut Outcome, file: FileIdx, row: usize| {
        outcome.drops.entry(file).or_default().insert(row);
        outcome.dropped += 1;
    };
    for (f, path) in staged.iter().enumerate() {
        for (row, (id, rank)) in read_keys(path)?.into_iter().enumerate() {
            match best.get_mut(&id) {
                None => {
                    best.insert(id, (rank, f, row));
                }
                Some(current) => {
                    if rank > current.0 {
                        lose(&mut outcome, current.1, current.2);
                        *current = (rank, f, row);
                    } else {
                        lose(&mut outcome, f, row);
                    }
                }
            }
        }
    }
    if best.is_empty() {
        return Ok(outcome);
    }
    for (e, path) in existing.iter().enumerate() {
        let f = staged.len() + e;
        for (row, (id, rank)) in read_keys(path)?.into_iter().enumerate() {
            if let Some(current) = best.get_mut(&id) {
                if rank > current.0 {
                    lose(&mut outcome, current.1, current.2);
                    *current = (rank, f, row);
                } else {
                    lose(&mut outcome, f, row);
                }
            }
        }
    }
    Ok(outcome)
}

/// Copies `src` to `dst` without the rows in `drop`; returns the rows kept.
pub fn rewrite_without(
    table: Table,
    src: &Path,
    dst: &Path,
    drop: &HashSet<usize>,
) -> Result<usize> {
    let file = File::open(src).map_err(|e| Error::io(src, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?
        .with_batch_size(8192)
        .build()?;
    let out = File::create(dst).map_err(|e| Error::io(dst, e))?;
    let mut writer = ArrowWriter::try_new(out, table_schema(table), Some(writer_properties()))?;
    let mut offset = 0usize;
    let mut kept = 0usize;
    for batch in reader {
        let batch: RecordBatch = batch?;
        let mask: BooleanArray = (0..batch.num_rows())
            .map(|r| Some(!drop.contains(&(offset + r))))
            .collect();
        offset += batch.num_rows();
        let filtered = filter_record_batch(&batch, &mask)?;
        kept += filtered.num_rows();
        if filtered.num_rows() > 0 {
            writer.write(&filtered)?;
        }
    }
    let f = writer.into_inner()?;
    f.sync_all().map_err(|e| Error::io(dst, e))?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_orders_by_details_then_ingest_order() {
        let more = Rank { details: 2, seq: 1 };
        let fewer_later = Rank { details: 1, seq: 9 };
        let tie_later = Rank { details: 2, seq: 5 };
        assert!(more > fewer_later);
        assert!(tie_later > more);
    }
}
