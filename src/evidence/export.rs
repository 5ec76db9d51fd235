//! The per-sign-in export (evidence rules §6): CSV with a header or Parquet by extension,
//! streamed batch by batch so 10M rows never sit in memory at once.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use datafusion::prelude::{DataFrame, SessionContext};
use futures::StreamExt;
use parquet::arrow::ArrowWriter;

use super::cells::cells;
use super::queries;
use crate::evidence::{Error, Result};
use parquet::file::properties::WriterProperties;

/// The export's columns, in order.
pub const COLUMNS: [&str; 9] = [
    "id",
    "created_at",
    "user_principal_name",
    "user_type",
    "event_type",
    "class",
    "verdict",
    "reason",
    "origin_sign_in_id",
];

/// Writes the export of `ctx` to `out` (`.csv` or `.parquet`); returns the row count.
pub async fn write(ctx: &SessionContext, out: &Path) -> Result<u64> {
    let csv = is_csv(out)?;
    let df = queries::plan(ctx, "classify_export", &[]).await?;
    write_rows(df, out, csv).await
}

/// Whether the export `out` is CSV (else Parquet); any other extension is refused before
/// the file is created, so a wrong name leaves nothing behind.
pub fn is_csv(out: &Path) -> Result<bool> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => Ok(true),
        "parquet" => Ok(false),
        _ => Err(Error::Usage(format!(
            "{}: the export must end in .csv or .parquet",
            out.display()
        ))),
    }
}

/// Writes the export's rows `df` to `out`, CSV with a header or Parquet; returns the row
/// count.
pub async fn write_rows(df: DataFrame, out: &Path, csv: bool) -> Result<u64> {
    if csv {
        let stream = df.execute_stream().await?;
        let file = File::create(out).map_err(|e| Error::io(out, e))?;
        write_csv(stream, &COLUMNS, file, out).await
    } else {
        write_parquet(df, out).await
    }
}

/// Writer properties of the Parquet files evaluation writes (the export, the materialised
/// classification): row groups of 64 Ki rows, because the writer holds a whole row group
/// in memory and its default of 1 Mi rows cost gigabytes at 10M sign-ins.
pub fn parquet_properties() -> WriterProperties {
    use parquet::basic::{Compression, ZstdLevel};
    WriterProperties::builder()
        .set_max_row_group_row_count(Some(64 * 1024))
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).unwrap_or_default()))
        .build()
}

/// Streams `df` into the Parquet file `out`; returns the row count.
pub async fn write_parquet(df: DataFrame, out: &Path) -> Result<u64> {
    let schema = df.schema().inner().clone();
    let mut stream = df.execute_stream().await?;
    let file = File::create(out).map_err(|e| Error::io(out, e))?;
    let mut rows = 0u64;
    let mut w = ArrowWriter::try_new(file, schema, Some(parquet_properties()))?;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        w.write(&batch)?;
    }
    w.close()?;
    Ok(rows)
}

/// The why-not table's columns (evidence rules §9), in order.
pub const WHY_NOT_COLUMNS: [&str; 4] = ["id", "policy_id", "policy_name", "reason"];

/// Writes the why-not table (evidence rules §9) of `ctx` to `out` as CSV with a header;
/// returns the row count.
pub async fn write_why_not(ctx: &SessionContext, out: &Path) -> Result<u64> {
    write_why_not_rows(queries::plan(ctx, "why_not_export", &[]).await?, out).await
}

/// Writes the why-not rows `df` to `out` as CSV with a header; returns the row count.
pub async fn write_why_not_rows(df: DataFrame, out: &Path) -> Result<u64> {
    let stream = df.execute_stream().await?;
    let file = File::create(out).map_err(|e| Error::io(out, e))?;
    write_csv(stream, &WHY_NOT_COLUMNS, file, out).await
}

/// Streams query results into a CSV file with `header`; returns the row count.
async fn write_csv(
    mut stream: datafusion::physical_plan::SendableRecordBatchStream,
    header: &[&str],
    file: File,
    out: &Path,
) -> Result<u64> {
    let mut rows = 0u64;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    w.write_record(header).map_err(|e| csv_error(out, e))?;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        for row in cells(&batch)? {
            w.write_record(row.iter().map(|c| c.as_deref().unwrap_or("")))
                .map_err(|e| csv_error(out, e))?;
        }
        rows += batch.num_rows() as u64;
    }
    let mut inner = w.into_inner().map_err(|e| Error::io(out, e.into_error()))?;
    inner.flush().map_err(|e| Error::io(out, e))?;
    Ok(rows)
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::io(path, std::io::Error::other(e.to_string()))
}
