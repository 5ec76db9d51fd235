//! A lake file opened for Parquet reading (deduplication, rewrites, tenant stamps). A local
//! file is read as a file, as it always was. An object is read by ranged requests: its
//! tail (footer and metadata) when it is opened, then, the first time the reader touches a
//! row group, the column chunks it will read of that row group, in one request per run of
//! nearby chunks; the previous row group's chunks are dropped then. Memory stays at one
//! row group's chunks, requests at a few per row group, and reading only the key columns
//! of a file fetches only those.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::{ChunkReader, Length};
use parquet::schema::types::SchemaDescriptor;

use crate::lake::{Error, Result};
use crate::storage::Location;

/// Bytes of an object's tail fetched when it is opened: the footer and, for every lake
/// file, the metadata.
const TAIL: u64 = 64 * 1024;

/// Bytes fetched for a read outside every planned chunk (a page header, a footer).
const READ_AHEAD: u64 = 64 * 1024;

/// A reader of the rows of the lake file at `file`, `batch_size` rows a batch, of the leaf
/// columns `leaves` picks from its schema (`None`: every column).
pub fn reader(
    file: &Location,
    batch_size: usize,
    leaves: impl FnOnce(&SchemaDescriptor) -> Option<Vec<usize>>,
) -> Result<ParquetRecordBatchReader> {
    let source = Source::open(file)?;
    let meta = ArrowReaderMetadata::load(&source, ArrowReaderOptions::default())?;
    let picked = leaves(meta.metadata().file_metadata().schema_descr());
    source.plan(meta.metadata(), picked.as_deref());
    let mut builder = ParquetRecordBatchReaderBuilder::new_with_metadata(source, meta);
    if let Some(picked) = picked {
        let mask = ProjectionMask::leaves(builder.parquet_schema(), picked);
        builder = builder.with_projection(mask);
    }
    Ok(builder.with_batch_size(batch_size).build()?)
}

/// Where the bytes come from.
enum Source {
    Local(File),
    Remote(Remote),
}

impl Source {
    fn open(file: &Location) -> Result<Source> {
        if let Some(path) = file.as_local() {
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            return Ok(Source::Local(f));
        }
        let len = file.size()?.ok_or_else(|| Error::Lake {
            path: file.to_string(),
            reason: "no such file".into(),
        })?;
        let tail = len.saturating_sub(TAIL)..len;
        let bytes = file.read_ranges(std::slice::from_ref(&tail))?;
        let blocks = tail_block(tail, bytes);
        Ok(Source::Remote(Remote {
            file: file.clone(),
            len,
            plan: Mutex::new(Vec::new()),
            cache: Mutex::new(blocks),
        }))
    }

    /// Tells an object which chunks will be read: those of `leaves` (every column when
    /// `None`) in every row group.
    fn plan(&self, meta: &ParquetMetaData, leaves: Option<&[usize]>) {
        let Source::Remote(remote) = self else {
            return;
        };
        let groups = meta
            .row_groups()
            .iter()
            .map(|rg| {
                let columns = rg.columns().iter().enumerate();
                columns
                    .filter(|(i, _)| leaves.is_none_or(|l| l.contains(i)))
                    .map(|(_, c)| {
                        let (start, len) = c.byte_range();
                        start..start + len
                    })
                    .collect()
            })
            .collect();
        *remote.plan.lock().unwrap_or_else(PoisonError::into_inner) = groups;
    }
}

fn tail_block(range: Range<u64>, bytes: Vec<Bytes>) -> Vec<(Range<u64>, Bytes)> {
    bytes.into_iter().map(|b| (range.clone(), b)).collect()
}

/// An object read by ranges.
struct Remote {
    file: Location,
    len: u64,
    /// The chunk ranges read of each row group.
    plan: Mutex<Vec<Vec<Range<u64>>>>,
    /// Fetched blocks: the tail, and the chunks of the row group being read.
    cache: Mutex<Vec<(Range<u64>, Bytes)>>,
}

fn failed(e: impl std::fmt::Display) -> ParquetError {
    ParquetError::External(e.to_string().into())
}

impl Remote {
    /// The bytes `range`, from a fetched block or fetched now.
    fn bytes(&self, range: Range<u64>) -> parquet::errors::Result<Bytes> {
        if let Some(b) = self.cached(&range) {
            return Ok(b);
        }
        let group = {
            let plan = self.plan.lock().unwrap_or_else(PoisonError::into_inner);
            plan.iter()
                .find(|g| {
                    g.iter()
                        .any(|r| r.start <= range.start && range.end <= r.end)
                })
                .cloned()
        };
        let Some(group) = group else {
            let got = self.file.read_ranges(std::slice::from_ref(&range));
            return got.map_err(failed)?.pop().ok_or_else(|| failed("no bytes"));
        };
        let fetched = self.file.read_ranges(&group).map_err(failed)?;
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        // Keep the tail (it is the last block until the first row group is fetched).
        cache.truncate(1);
        cache.extend(group.into_iter().zip(fetched));
        drop(cache);
        self.cached(&range)
            .ok_or_else(|| failed("a planned range was not fetched"))
    }

    fn cached(&self, range: &Range<u64>) -> Option<Bytes> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .iter()
            .find(|(r, _)| r.start <= range.start && range.end <= r.end)
            .map(|(r, b)| {
                let from = usize::try_from(range.start - r.start).unwrap_or(usize::MAX);
                let to = usize::try_from(range.end - r.start).unwrap_or(usize::MAX);
                b.slice(from..to)
            })
    }

    /// From `start` to the end of the block holding it (a page header is read from there).
    fn from(&self, start: u64) -> parquet::errors::Result<Bytes> {
        let end = {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            let plan = self.plan.lock().unwrap_or_else(PoisonError::into_inner);
            let held = cache.iter().map(|(r, _)| r);
            let planned = plan.iter().flatten();
            held.chain(planned)
                .find(|r| r.start <= start && start < r.end)
                .map_or((start + READ_AHEAD).min(self.len), |r| r.end)
        };
        self.bytes(start..end)
    }
}

impl Length for Source {
    fn len(&self) -> u64 {
        match self {
            Source::Local(f) => f.len(),
            Source::Remote(r) => r.len,
        }
    }
}

impl ChunkReader for Source {
    type T = Box<dyn Read + Send>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        match self {
            Source::Local(f) => Ok(Box::new(f.get_read(start)?)),
            Source::Remote(r) => Ok(Box::new(std::io::Cursor::new(r.from(start)?))),
        }
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        match self {
            Source::Local(f) => f.get_bytes(start, length),
            Source::Remote(r) => r.bytes(start..start + length as u64),
        }
    }
}
