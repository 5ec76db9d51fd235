//! Staged Parquet files: one writer per (table, partition), under `<lake>/_staging/`,
//! outside every table folder, so no reader ever sees a file being written (an object
//! store shows an upload only when it completes, but a table's listing would still take a
//! staged object for one of its files).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::RecordBatch;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};

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

/// Parquet's version 2 pages (`DataPageV2`). A version 1 page is compressed into a buffer
/// sized for the worst case, which is then shrunk, a copy of every page into fresh memory.
/// On the 1M-sign-in benchmark (BENCHMARKS.md) ingest was 3% faster, faster in 6 pairs of
/// 6, with the same classification time and export; the lake 0.5% larger. Values a
/// dictionary does not hold are then `DELTA_BYTE_ARRAY`, not `PLAIN`. DataFusion and
/// DuckDB read both versions (checked), and a lake may hold files of both.
const WRITER_VERSION: WriterVersion = WriterVersion::PARQUET_2_0;

/// Writer properties of every lake file (ZSTD, version 2 pages, page statistics, bloom
/// filter on `id`, no dictionary for [`DISTINCT_COLUMNS`], differences for
/// [`DELTA_COLUMNS`]).
pub fn writer_properties() -> WriterProperties {
    let builder = WriterProperties::builder()
        .set_writer_version(WRITER_VERSION)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use bytes::Bytes;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::PageType;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    #[test]
    fn lake_files_have_version_2_pages_and_delta_encoded_ids() {
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, false)]));
        let ids: StringArray = (0..500).map(|i| Some(format!("id-{i:04}"))).collect();
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(ids) as ArrayRef]).unwrap();
        let mut writer =
            ArrowWriter::try_new(Vec::new(), schema, Some(writer_properties())).unwrap();
        writer.write(&batch).unwrap();
        let file = SerializedFileReader::new(Bytes::from(writer.into_inner().unwrap())).unwrap();
        let group = file.get_row_group(0).unwrap();
        let encodings = group.metadata().column(0).encodings().collect::<Vec<_>>();
        assert!(
            encodings.contains(&Encoding::DELTA_BYTE_ARRAY),
            "{encodings:?}"
        );
        assert!(!encodings.contains(&Encoding::PLAIN), "{encodings:?}");
        let mut pages = group.get_column_page_reader(0).unwrap();
        let page = pages.get_next_page().unwrap().expect("a page");
        assert_eq!(page.page_type(), PageType::DATA_PAGE_V2);
    }
}
