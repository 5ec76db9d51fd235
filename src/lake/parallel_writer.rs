//! A Parquet file writer that encodes a batch's column chunks on two threads.
//!
//! It writes what `parquet::arrow::ArrowWriter` writes, byte for byte (the same row-group
//! cuts, the same column writers, chunks appended in schema order); only the encoding and
//! compression of the columns of one batch is shared between the calling thread and a
//! helper, each taking every other leaf column. Encoding is the largest part of the
//! encoder thread's work, and without this one core does all of it while the other waits.

use std::io::Write;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{
    ArrowColumnWriter, ArrowLeafColumn, ArrowRowGroupWriterFactory, compute_leaves,
};
use parquet::errors::{ParquetError, Result};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

/// The row group being filled: one writer per leaf column, and its rows so far.
struct RowGroup {
    writers: Vec<ArrowColumnWriter>,
    rows: usize,
}

pub struct ParallelWriter<W: Write + Send> {
    file: SerializedFileWriter<W>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    max_rows: usize,
    row_groups: usize,
    open: Option<RowGroup>,
}

impl<W: Write + Send> ParallelWriter<W> {
    /// A writer of `schema` to `out`; the file's metadata (the encoded Arrow schema and
    /// `props`' key-values) is what `ArrowWriter::try_new` would write.
    pub fn try_new(out: W, schema: SchemaRef, props: WriterProperties) -> Result<Self> {
        let max_rows = props.max_row_group_row_count().unwrap_or(usize::MAX);
        let (file, factory) =
            ArrowWriter::try_new(out, schema.clone(), Some(props))?.into_serialized_writer()?;
        Ok(ParallelWriter {
            file,
            factory,
            schema,
            max_rows,
            row_groups: 0,
            open: None,
        })
    }

    /// Appends a batch, cutting row groups at the maximum row count as `ArrowWriter` does.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let mut at = 0;
        while at < batch.num_rows() {
            let group = match &mut self.open {
                Some(g) => g,
                slot => slot.insert(RowGroup {
                    writers: self.factory.create_column_writers(self.row_groups)?,
                    rows: 0,
                }),
            };
            let take = (self.max_rows - group.rows).min(batch.num_rows() - at);
            let part = batch.slice(at, take);
            encode(&self.schema, group, &part)?;
            group.rows += take;
            at += take;
            if group.rows >= self.max_rows {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes the open row group, if any, to the file.
    pub fn flush(&mut self) -> Result<()> {
        let Some(group) = self.open.take() else {
            return Ok(());
        };
        let mut out = self.file.next_row_group()?;
        for w in group.writers {
            w.close()?.append_to_row_group(&mut out)?;
        }
        out.close()?;
        self.row_groups += 1;
        Ok(())
    }

    /// What the open row group holds in memory (as `ArrowWriter::memory_size`).
    pub fn memory_size(&self) -> usize {
        self.open
            .as_ref()
            .map(|g| g.writers.iter().map(ArrowColumnWriter::memory_size).sum())
            .unwrap_or(0)
    }

    /// Writes the open row group and the footer, and returns the output.
    pub fn into_inner(mut self) -> Result<W> {
        self.flush()?;
        self.file.into_inner()
    }
}

/// Encodes `batch` into the row group's column writers: even leaves on this thread, odd
/// ones on a helper. Each writer only ever sees its own column, in batch order, so the
/// bytes are those of a single-threaded write.
fn encode(schema: &SchemaRef, group: &mut RowGroup, batch: &RecordBatch) -> Result<()> {
    let mut leaves: Vec<ArrowLeafColumn> = Vec::with_capacity(group.writers.len());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        leaves.extend(compute_leaves(field, column)?);
    }
    if leaves.len() != group.writers.len() {
        return Err(ParquetError::General(format!(
            "{} leaf columns for {} column writers",
            leaves.len(),
            group.writers.len()
        )));
    }
    let (mut even, mut odd) = (Vec::new(), Vec::new());
    for (i, pair) in group.writers.iter_mut().zip(&leaves).enumerate() {
        if i % 2 == 0 { &mut even } else { &mut odd }.push(pair);
    }
    std::thread::scope(|s| {
        let helper = s.spawn(move || write_all(odd));
        let here = write_all(even);
        let there = helper
            .join()
            .unwrap_or_else(|_| Err(ParquetError::General("a column encoder panicked".into())));
        here.and(there)
    })
}

fn write_all(pairs: Vec<(&mut ArrowColumnWriter, &ArrowLeafColumn)>) -> Result<()> {
    pairs.into_iter().try_for_each(|(w, leaf)| w.write(leaf))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int64Array, ListArray, StringArray};
    use arrow::datatypes::{DataType, Field, Int32Type, Schema};

    use super::*;
    use crate::lake::staging::writer_properties;

    fn batch(from: i64, rows: usize) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("n", DataType::Int64, true),
            Field::new(
                "l",
                DataType::List(Arc::new(Field::new("item", DataType::Int32, true))),
                true,
            ),
        ]));
        let ids: StringArray = (from..from + rows as i64)
            .map(|i| Some(format!("id-{i}")))
            .collect();
        let n: Int64Array = (from..from + rows as i64)
            .map(|i| (i % 3 != 0).then_some(i))
            .collect();
        let l = ListArray::from_iter_primitive::<Int32Type, _, _>(
            (0..rows).map(|i| (i % 4 != 1).then(|| (0..i % 5).map(|x| Some(x as i32)))),
        );
        let cols: Vec<ArrayRef> = vec![Arc::new(ids), Arc::new(n), Arc::new(l)];
        RecordBatch::try_new(schema, cols).unwrap()
    }

    #[test]
    fn writes_the_bytes_arrow_writer_writes() {
        // The lake's properties (ZSTD, page statistics, a bloom filter on `id`), with
        // row groups small enough for the batches to cross them.
        let props = || {
            writer_properties()
                .into_builder()
                .set_max_row_group_row_count(Some(1000))
                .build()
        };
        let batches = [
            batch(0, 700),
            batch(700, 900),
            batch(1600, 2500),
            batch(4100, 3),
        ];
        let schema = batches[0].schema();
        let mut ours = ParallelWriter::try_new(Vec::new(), schema.clone(), props()).unwrap();
        let mut theirs = ArrowWriter::try_new(Vec::new(), schema, Some(props())).unwrap();
        for (i, b) in batches.iter().enumerate() {
            ours.write(b).unwrap();
            theirs.write(b).unwrap();
            if i == 1 {
                ours.flush().unwrap();
                theirs.flush().unwrap();
            }
            assert_eq!(ours.memory_size(), theirs.memory_size());
        }
        let (ours, theirs) = (ours.into_inner().unwrap(), theirs.into_inner().unwrap());
        assert!(ours.len() > 1000);
        assert!(ours == theirs, "the files differ");
    }
}
