//! The query rows a UDF of data was built from, kept so that it can be rebuilt elsewhere
//! (`portable.rs`): Arrow IPC streams, one per query, gzip-compressed.

use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

use arrow::array::RecordBatch;
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::{Error, Result};

/// What the bytes start with (and the layout's version).
const MAGIC: &[u8] = b"mfaproof-rows/1\n";

/// The rows a UDF was built from, one list of batches per query, in the order its builder
/// reads them; and their bytes, encoded once (a plan sent per query and stage carries them).
#[derive(Debug)]
pub struct Rows {
    tables: Vec<Vec<RecordBatch>>,
    bytes: OnceLock<Vec<u8>>,
}

impl Rows {
    pub fn new(tables: Vec<Vec<RecordBatch>>) -> Rows {
        Rows {
            tables,
            bytes: OnceLock::new(),
        }
    }

    /// The batches of the `i`th query (none when it has fewer).
    pub fn table(&self, i: usize) -> &[RecordBatch] {
        self.tables.get(i).map_or(&[], Vec::as_slice)
    }

    /// The rows as bytes (encoded on first use).
    pub fn bytes(&self) -> Result<&[u8]> {
        if let Some(b) = self.bytes.get() {
            return Ok(b);
        }
        let encoded = encode_tables(&self.tables)?;
        Ok(self.bytes.get_or_init(|| encoded))
    }

    /// Whether `bytes` are rows as [`Rows::bytes`] writes them (by their first bytes).
    pub fn are_rows(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }

    /// The lists of batches, in order.
    pub fn into_tables(self) -> Vec<Vec<RecordBatch>> {
        self.tables
    }

    /// The rows `bytes` hold (which they keep, so that sending them on costs nothing).
    pub fn from_bytes(bytes: &[u8]) -> Result<Rows> {
        let tables = decode_tables(bytes)?;
        let rows = Rows::new(tables);
        let _ = rows.bytes.set(bytes.to_vec());
        Ok(rows)
    }
}

fn bad(reason: impl std::fmt::Display) -> Error {
    Error::Internal(format!("UDF rows: {reason}"))
}

fn encode_tables(tables: &[Vec<RecordBatch>]) -> Result<Vec<u8>> {
    let mut out = GzEncoder::new(MAGIC.to_vec(), Compression::fast());
    let count = u32::try_from(tables.len()).map_err(bad)?;
    out.write_all(&count.to_le_bytes()).map_err(bad)?;
    for batches in tables {
        let mut ipc = Vec::new();
        if let Some(first) = batches.first() {
            let mut writer = StreamWriter::try_new(&mut ipc, &first.schema())?;
            for b in batches {
                writer.write(b)?;
            }
            writer.finish()?;
        }
        out.write_all(&(ipc.len() as u64).to_le_bytes())
            .map_err(bad)?;
        out.write_all(&ipc).map_err(bad)?;
    }
    out.finish().map_err(bad)
}

fn decode_tables(bytes: &[u8]) -> Result<Vec<Vec<RecordBatch>>> {
    let body = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("not rows written by this version of mfaproof"))?;
    let mut plain = Vec::new();
    GzDecoder::new(body).read_to_end(&mut plain).map_err(bad)?;
    let mut rest = plain.as_slice();
    let mut take = |n: usize| -> Result<&[u8]> {
        if rest.len() < n {
            return Err(bad("cut short"));
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let count = u32::from_le_bytes(take(4)?.try_into().map_err(bad)?);
    let mut tables = Vec::new();
    for _ in 0..count {
        let len = u64::from_le_bytes(take(8)?.try_into().map_err(bad)?);
        let ipc = take(usize::try_from(len).map_err(bad)?)?;
        if ipc.is_empty() {
            tables.push(Vec::new());
            continue;
        }
        let reader = StreamReader::try_new(ipc, None)?;
        tables.push(reader.collect::<std::result::Result<_, _>>()?);
    }
    Ok(tables)
}

/// What a UDF of data kept of the rows it was built from.
pub(crate) enum Kept<'a> {
    Rows(&'a Arc<Rows>),
    /// None: it was built for a session on one machine.
    Dropped,
}

impl<'a> Kept<'a> {
    pub(crate) fn of(rows: Option<&'a Arc<Rows>>) -> Kept<'a> {
        rows.map_or(Kept::Dropped, Kept::Rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    fn batch(words: &[Option<&str>], n: i64) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("w", DataType::Utf8, true),
            Field::new("n", DataType::Int64, false),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(words.to_vec())),
                Arc::new(Int64Array::from(vec![n; words.len()])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn rows_survive_the_bytes_table_by_table_and_batch_by_batch() {
        let a = vec![batch(&[Some("x"), None], 1), batch(&[Some("y")], 2)];
        let rows = Rows::new(vec![a.clone(), Vec::new(), vec![batch(&[], 3)]]);
        let bytes = rows.bytes().unwrap().to_vec();
        let back = Rows::from_bytes(&bytes).unwrap();
        assert_eq!(back.table(0), a.as_slice());
        assert!(back.table(1).is_empty());
        assert_eq!(back.table(2).len(), 1);
        assert_eq!(back.table(2)[0].num_rows(), 0);
        assert!(back.table(3).is_empty());
        assert_eq!(back.bytes().unwrap(), bytes.as_slice());
    }

    #[test]
    fn bytes_of_another_kind_or_cut_short_are_errors() {
        assert!(Rows::from_bytes(b"hello").is_err());
        let rows = Rows::new(vec![vec![batch(&[Some("x")], 1)]]);
        let bytes = rows.bytes().unwrap();
        assert!(Rows::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    }
}
