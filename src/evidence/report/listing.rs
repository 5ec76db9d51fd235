//! The long figures (R2's accounts, R3's location skips, R5's regime changes) streamed
//! batch by batch: every row goes to a CSV file in the output folder, and only the first
//! rows (plus those the caller must keep, such as emergency-access accounts) stay in
//! `report.json`, so a tenant with hundreds of thousands of accounts does not build a
//! report of hundreds of megabytes in memory. The caller sees every row on the way
//! through, so the figures it derives (counts, whether a requirement holds) are computed
//! over all of them, never over the listed part.

use std::path::{Path, PathBuf};

use datafusion::prelude::SessionContext;
use futures::StreamExt;
use serde_json::{Map, Value};

use super::csv_out::CsvOut;
use super::figures::{Figure, rows};
use crate::error::{Error, Result};
use crate::evidence::queries;

/// Where a listing's rows go and how many the report keeps.
pub struct Listing<'a> {
    /// The query file's name (without `.sql`).
    pub query: &'a str,
    pub params: &'a [(&'a str, String)],
    /// The CSV file holding every row.
    pub csv: PathBuf,
    /// Rows kept in the report in the query's order; later rows only when `visit` asks,
    /// and at most as many again.
    pub cap: usize,
    /// Columns `visit` adds to each row, written after the query's own.
    pub added: &'a [&'a str],
}

/// The CSV text of a report value: empty for null, text as is, numbers and booleans as
/// JSON writes them.
fn csv_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Runs the listing's query, hands every row to `visit` (which may add columns and
/// returns whether the row must stay in the report even past the cap), writes it to the
/// CSV file and returns the figure. `rows_total` and `rows_file` are set when rows were
/// left out of the report.
pub async fn stream(
    ctx: &SessionContext,
    listing: &Listing<'_>,
    mut visit: impl FnMut(&mut Map<String, Value>) -> bool,
) -> Result<Figure> {
    let path = listing.csv.as_path();
    let query = queries::get(listing.query)?.file();
    let df = queries::plan(ctx, listing.query, listing.params).await?;
    let mut header: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    header.extend(listing.added.iter().map(|c| (*c).to_owned()));
    let mut stream = df.execute_stream().await?;
    let mut out = CsvOut::create(path, &header)?;
    let mut kept = Vec::new();
    let (mut total, mut extra): (u64, usize) = (0, 0);
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|source| Error::Query {
            name: query.clone(),
            source,
        })?;
        for mut row in rows(std::slice::from_ref(&batch))? {
            let must_keep = visit(&mut row);
            out.row(
                header
                    .iter()
                    .map(|c| csv_text(row.get(c).unwrap_or(&Value::Null))),
            )?;
            if kept.len() < listing.cap {
                kept.push(row);
            } else if must_keep && extra < listing.cap {
                extra += 1;
                kept.push(row);
            }
            total += 1;
        }
    }
    out.finish()?;
    let left_out = total > kept.len() as u64;
    Ok(Figure {
        query,
        rows: kept,
        rows_total: left_out.then_some(total),
        rows_file: left_out.then(|| file_name(path)),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
