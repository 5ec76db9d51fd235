//! Deduplication at commit (evidence-rules §3): one row per `id` in a table, the version
//! with the most `authentication_details`, on a tie the one ingested last. Ids are compared
//! as the contract compares them: trimmed and ignoring case.
//!
//! A re-emitted record may carry another `created_at`, hence land in another date
//! partition, so a commit settles its staged rows against the whole table: only the key
//! columns of its files are read, and only files that hold a losing row are rewritten.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use arrow::array::{AsArray, BooleanArray, RecordBatch};
use arrow::compute::filter_record_batch;
use arrow::datatypes::Int64Type;
use foldhash::fast::RandomState;
use parquet::arrow::ArrowWriter;

use super::layout::Table;
use super::parquet_file;
use super::staging::{table_schema, writer_properties};
use crate::lake::{Error, Result};
use crate::storage::Location;

/// An id as evidence-rules §3 compares it: trimmed of Unicode white space, lower-cased.
/// Borrowed when it already is in that form (a Graph GUID is).
pub fn id_key(id: &str) -> Cow<'_, str> {
    let trimmed = id.trim();
    if trimmed.len() == id.len() && !id.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        return Cow::Borrowed(id);
    }
    Cow::Owned(trimmed.to_lowercase())
}

/// One row's dedup key: authentication-details count, then ingest order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    details: u32,
    seq: i64,
}

/// Which file of the commit a row is in: staged (new) files first, then existing ones.
type FileIdx = usize;

/// What deduplicating one table decided.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rows to drop, per file index (staged files first, then existing files).
    pub drops: HashMap<FileIdx, HashSet<usize>>,
    /// Number of rows dropped.
    pub dropped: u64,
}

impl Outcome {
    /// Marks row `row` of file `file` as dropped.
    pub(super) fn lose(&mut self, file: FileIdx, row: usize) {
        self.drops.entry(file).or_default().insert(row);
        self.dropped += 1;
    }
}

/// The leaves `read_keys` needs: `id`, `ingest_seq` and one leaf of
/// `authentication_details`, which gives the list lengths without decoding the other five.
fn key_leaves(schema: &parquet::schema::types::SchemaDescriptor) -> Vec<usize> {
    let mut leaves = Vec::new();
    let mut details_leaf = false;
    for (i, col) in schema.columns().iter().enumerate() {
        let parts = col.path().parts();
        match parts.first().map(String::as_str) {
            Some("id" | "ingest_seq") if parts.len() == 1 => leaves.push(i),
            Some("authentication_details") if !details_leaf => {
                leaves.push(i);
                details_leaf = true;
            }
            _ => {}
        }
    }
    leaves
}

/// Calls `each(row, id, rank)` for every row of a lake file, reading only its key leaves.
fn read_keys(path: &Location, mut each: impl FnMut(usize, &str, Rank)) -> Result<()> {
    let reader = parquet_file::reader(path, 64 * 1024, |schema| Some(key_leaves(schema)))?;
    let unreadable = |what: &str| Error::Lake {
        path: path.to_string(),
        reason: format!("{what}: not a file of this lake's schema"),
    };
    let mut offset = 0;
    for batch in reader {
        let batch = batch?;
        let ids = batch
            .column_by_name("id")
            .and_then(|c| c.as_string_opt::<i32>())
            .ok_or_else(|| unreadable("no text column id"))?;
        let seqs = batch
            .column_by_name("ingest_seq")
            .and_then(|c| c.as_primitive_opt::<Int64Type>())
            .ok_or_else(|| unreadable("no integer column ingest_seq"))?;
        let lists = match batch.column_by_name("authentication_details") {
            Some(c) => Some(
                c.as_list_opt::<i32>()
                    .ok_or_else(|| unreadable("authentication_details is not a list"))?,
            ),
            None => None,
        };
        for row in 0..batch.num_rows() {
            let details = lists.map_or(0, |l| u32::try_from(l.value_length(row)).unwrap_or(0));
            let rank = Rank {
                details,
                seq: seqs.value(row),
            };
            each(offset + row, ids.value(row), rank);
        }
        offset += batch.num_rows();
    }
    Ok(())
}

/// Decides the losing rows of one table. `staged` are this commit's new files, holding
/// about `staged_rows` rows (room is made for them at once), `existing` every file already
/// in the table, whatever its partition (they hold no duplicate among themselves).
///
/// Ids are split in two by their hash, and each half is settled on a thread of its own:
/// this runs alone at the end of a commit, with the other core idle. Each thread reads
/// every file's key columns (a cheap part) and keeps only its half's ids.
pub fn decide(staged: &[Location], staged_rows: usize, existing: &[Location]) -> Result<Outcome> {
    // Ids come from input files, so the hasher is seeded (per process), as std's is.
    let hasher = RandomState::default();
    let half = |shard: u64| decide_shard(staged, staged_rows / 2, existing, &hasher, shard);
    let (mine, theirs) = std::thread::scope(|s| {
        let theirs = s.spawn(|| half(1));
        (half(0), theirs.join())
    });
    let theirs = theirs.map_err(|_| Error::Internal("a deduplicating thread panicked".into()))?;
    let mut outcome = mine?;
    let theirs = theirs?;
    outcome.dropped += theirs.dropped;
    for (file, rows) in theirs.drops {
        outcome.drops.entry(file).or_default().extend(rows);
    }
    Ok(outcome)
}

/// The hash bit that picks an id's half: one the map itself leaves alone (it places
/// entries by the low bits and tags them with the top seven).
const SHARD_BIT: u32 = 40;

/// [`decide`] for the ids whose hash has `shard` at [`SHARD_BIT`].
fn decide_shard(
    staged: &[Location],
    rows: usize,
    existing: &[Location],
    hasher: &RandomState,
    shard: u64,
) -> Result<Outcome> {
    let mine = |key: &str| (hasher.hash_one(key) >> SHARD_BIT) & 1 == shard;
    let mut best: HashMap<String, (Rank, FileIdx, usize), RandomState> =
        HashMap::with_capacity_and_hasher(rows, hasher.clone());
    let mut outcome = Outcome::default();
    for (f, path) in staged.iter().enumerate() {
        read_keys(path, |row, id, rank| {
            let key = id_key(id);
            if !mine(&key) {
                return;
            }
            if let Some(current) = best.get_mut(key.as_ref()) {
                settle(&mut outcome, current, (rank, f, row));
            } else {
                best.insert(key.into_owned(), (rank, f, row));
            }
        })?;
    }
    if best.is_empty() {
        return Ok(outcome);
    }
    for (e, path) in existing.iter().enumerate() {
        let f = staged.len() + e;
        read_keys(path, |row, id, rank| {
            if let Some(current) = best.get_mut(id_key(id).as_ref()) {
                settle(&mut outcome, current, (rank, f, row));
            }
        })?;
    }
    Ok(outcome)
}

/// Keeps the better of the id's current best row and `candidate`; the other loses. A tie
/// in rank cannot happen (`ingest_seq` is unique), so `>` decides.
fn settle(
    outcome: &mut Outcome,
    current: &mut (Rank, FileIdx, usize),
    candidate: (Rank, FileIdx, usize),
) {
    if candidate.0 > current.0 {
        outcome.lose(current.1, current.2);
        *current = candidate;
    } else {
        outcome.lose(candidate.1, candidate.2);
    }
}

/// Copies `src` to `dst` without the rows in `drop`; returns the rows kept.
pub fn rewrite_without(
    table: Table,
    src: &Location,
    dst: &Location,
    drop: &HashSet<usize>,
) -> Result<usize> {
    let reader = parquet_file::reader(src, 8192, |_| None)?;
    let out = dst.writer()?;
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
    writer.into_inner()?.finish()?;
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

    #[test]
    fn a_file_of_another_schema_is_an_error_not_a_panic() {
        use arrow::array::{ArrayRef, Int64Array};
        use std::fs::File;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part-1.parquet");
        let ids: ArrayRef = std::sync::Arc::new(Int64Array::from(vec![1, 2]));
        let seqs: ArrayRef = std::sync::Arc::new(Int64Array::from(vec![1, 2]));
        let batch = RecordBatch::try_from_iter([("id", ids), ("ingest_seq", seqs)]).unwrap();
        let mut w =
            ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let err = decide(&[Location::local(path)], 2, &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("no text column id: not a file of this lake's schema"),
            "{err}"
        );
    }

    #[test]
    fn ids_compare_trimmed_and_ignoring_case() {
        assert!(matches!(id_key("1691d37b-8579"), Cow::Borrowed(_)));
        assert_eq!(id_key(" 1691D37B-8579\u{a0}"), "1691d37b-8579");
        assert_eq!(id_key("\tÄbc "), "äbc");
    }
}
