//! Staged Parquet files: one writer per (table, partition), under `<lake>/_staging/`,
//! outside every table folder, so no reader ever sees a file being written (an object
//! store shows an upload only when it completes, but a table's listing would still take a
//! staged object for one of its files).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::RecordBatch;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use super::layout::{Layout, STAGING, Table};
use super::parallel_writer::ParallelWriter;
use crate::lake::Result;
use crate::schema::columns::{self, SCHEMA_VERSION};
use crate::storage::{Durability, Location, ObjectWriter};

/// Rows per row group: small enough for row-group pruning on `created_at`, large enough
/// for good compression.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Above this many bytes buffered across all open writers, the largest writer flushes its
/// row group early: memory stays bounded however many partitions a run touches.
const BUFFER_BUDGET: usize = 256 * 1024 * 1024;

/// Columns whose values are (nearly) all distinct: a dictionary would hold every value
/// until it overflowed, for nothing, so they are written plain from the start.
const DISTINCT_COLUMNS: [&str; 4] = [
    "id",
    "correlation_id",
    "original_request_id",
    "unique_token_identifier",
];

/// Integer columns of (nearly) distinct values that rise through a file: stored as the
/// differences between neighbours (`DELTA_BINARY_PACKED`), a few bits each, not through a
/// dictionary. The lake of the 1M-sign-in benchmark is 6% smaller, at no measured cost to
/// ingest or classification (BENCHMARKS.md).
const DELTA_COLUMNS: [&str; 3] = ["created_at", "source_record", "ingest_seq"];

/// ZSTD's level. Level 1 against the usual 3, on the 1M-sign-in benchmark (BENCHMARKS.md):
/// ingest 4% faster, peak memory 0.1 GB lower, and the lake 0.7% smaller, not larger.
const ZSTD_LEVEL: i32 = 1;

/// Writer properties of every lake file (ZSTD, page statistics, bloom filter on `id`, no
/// dictionary for [`DISTINCT_COLUMNS`], differences for [`DELTA_COLUMNS`]).
pub fn writer_properties() -> WriterProperties {
    let builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(ZSTD_LEVEL).unwrap_or_default(),
        ))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_column_bloom_filter_enabled("id".into(), true);
    let builder = DISTINCT_COLUMNS.iter().fold(builder, |b, c| {
        b.set_column_dictionary_enabled((*c).into(), false)
    });
    DELTA_COLUMNS
        .iter()
        .fold(builder, |b, c| {
            b.set_column_dictionary_enabled((*c).into(), false)
                .set_column_encoding((*c).into(), Encoding::DELTA_BINARY_PACKED)
        })
        .set_key_value_metadata(Some(vec![KeyValue::new(
            "mfaproof.schema_version".into(),
            SCHEMA_VERSION.to_string(),
        )]))
        .build()
}

/// The tenant of buffered and staged rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// The record named it, or its input was given one.
    Tenant(Arc<str>),
    /// Neither: the run decides it when it commits (the lake's only tenant).
    Undecided,
}

/// A (table, tenant, date) key; the date is `None` for unpartitioned tables.
pub type PartKey = (Table, Slot, Option<String>);

/// A finished staged file.
#[derive(Debug, Clone)]
pub struct StagedFile {
    pub key: PartKey,
    /// Relative to the lake (`_staging/part-….parquet`).
    pub path: String,
    pub rows: usize,
}

struct OpenWriter {
    writer: ParallelWriter<ObjectWriter>,
    path: String,
    rows: usize,
}

/// The staged files of one commit group.
pub struct Staging {
    layout: Layout,
    run: u64,
    next_file: u64,
    open: BTreeMap<PartKey, OpenWriter>,
    done: Vec<StagedFile>,
}

/// The schema of a table.
pub fn table_schema(table: Table) -> arrow::datatypes::SchemaRef {
    match table {
        Table::SignIns => columns::SIGN_INS.clone(),
        Table::AuditEvents => columns::AUDIT_EVENTS.clone(),
        Table::MfaStateSnapshots => columns::MFA_STATE_SNAPSHOTS.clone(),
        Table::SecurityDefaultsSnapshots => columns::SECURITY_DEFAULTS_SNAPSHOTS.clone(),
        Table::Directory(kind) => columns::directory_schema(kind),
    }
}

impl Staging {
    /// Staging in `layout`'s `_staging/` for run `run`; file numbers start at
    /// `first_file`.
    pub fn new(layout: &Layout, run: u64, first_file: u64) -> Result<Staging> {
        if let Some(dir) = layout.staging().as_local() {
            std::fs::create_dir_all(dir).map_err(|e| crate::lake::Error::io(dir, e))?;
        }
        Ok(Staging {
            layout: layout.clone(),
            run,
            next_file: first_file,
            open: BTreeMap::new(),
            done: Vec::new(),
        })
    }

    /// The file name a new lake file gets: unique per run and file number.
    fn file_name(&mut self) -> String {
        let n = self.next_file;
        self.next_file += 1;
        format!("part-{:06}-{:06}.parquet", self.run, n)
    }

    /// A fresh staged path, relative to the lake (also used to rewrite files during
    /// deduplication).
    pub fn new_path(&mut self) -> String {
        let name = self.file_name();
        format!("{STAGING}/{name}")
    }

    /// The place of a staged path.
    pub fn at(&self, path: &str) -> Location {
        self.layout.at(path)
    }

    /// Appends a batch to the partition's staged file.
    pub fn write(&mut self, key: PartKey, batch: &RecordBatch) -> Result<()> {
        if !self.open.contains_key(&key) {
            let path = self.new_path();
            let file = self.at(&path).writer()?;
            let writer = ParallelWriter::try_new(file, table_schema(key.0), writer_properties())?;
            self.open.insert(
                key.clone(),
                OpenWriter {
                    writer,
                    path,
                    rows: 0,
                },
            );
        }
        let open = self.open.get_mut(&key).expect("inserted above");
        open.writer.write(batch)?;
        open.rows += batch.num_rows();
        self.enforce_budget()
    }

    fn enforce_budget(&mut self) -> Result<()> {
        // memory_size counts what the writers hold (pages, dictionaries), not the smaller
        // encoded estimate.
        let total: usize = self.open.values().map(|w| w.writer.memory_size()).sum();
        if total > BUFFER_BUDGET
            && let Some(largest) = self
                .open
                .values_mut()
                .max_by_key(|w| w.writer.memory_size())
        {
            largest.writer.flush()?;
        }
        Ok(())
    }

    /// Rows written so far in this group.
    pub fn rows(&self) -> usize {
        self.open.values().map(|w| w.rows).sum::<usize>()
            + self.done.iter().map(|f| f.rows).sum::<usize>()
    }

    /// Closes every open writer (completing the uploads) and returns all staged files,
    /// and the fsyncs that make them durable (to wait for before a journal names them);
    /// the numbering goes on for files staged later.
    pub fn finish_files(&mut self) -> Result<(Vec<StagedFile>, Durability)> {
        let mut durability = Durability::default();
        for (key, open) in std::mem::take(&mut self.open) {
            durability.add(open.writer.into_inner()?.complete()?);
            self.done.push(StagedFile {
                key,
                path: open.path,
                rows: open.rows,
            });
        }
        Ok((std::mem::take(&mut self.done), durability))
    }

    /// The next unused file number (to continue numbering in the next group).
    pub fn next_file(&self) -> u64 {
        self.next_file
    }
}
