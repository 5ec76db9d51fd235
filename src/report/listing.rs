//! The long figures (the accounts of R2 and R8, R3's location skips, R5's regime changes) streamed
//! batch by batch: every row goes to a CSV file in the output folder, and only the first
//! rows (plus those the caller must keep, such as emergency-access accounts) stay in
//! `report.json`, so a tenant with hundreds of thousands of accounts does not build a
//! report of hundreds of megabytes in memory. The caller sees every row on the way
//! through, so the figures it derives (counts, whether a requirement holds) are computed
//! over all of them, never over the listed part.

use std::path::{Path, PathBuf};

use datafusion::prelude::SessionContext;
use futures::StreamExt;
use serde::de::DeserializeOwned;

use super::csv_out::CsvOut;
use super::figures::Figure;
use super::read;
use crate::evidence::queries;
use crate::evidence::{self, cells::cells};
use crate::report::Result;

/// A row of a long figure: its query's columns, and the columns the report adds after
/// them in the CSV file (R2's `special`).
pub trait Listed: DeserializeOwned {
    /// Names of the added columns.
    const ADDED: &'static [&'static str] = &[];
    /// Text of the added columns of this row (empty for null).
    fn added(&self) -> Vec<&str> {
        Vec::new()
    }
}

/// Where a listing's rows go and how many the report keeps.
pub struct Listing {
    /// The query file's name (without `.sql`).
    pub query: &'static str,
    /// The CSV file holding every row.
    pub csv: PathBuf,
    /// Rows kept in the report in the query's order; later rows only when `visit` asks,
    /// and at most as many again.
    pub cap: usize,
    /// The query's `{placeholders}` and their SQL literals.
    pub params: Vec<(&'static str, String)>,
}

/// Runs the listing's query, hands every row to `visit` (which may fill the added
/// columns and returns whether the row must stay in the report even past the cap),
/// writes it to the CSV file (the query's cells as text, then the added ones) and
/// returns the figure. `rows_total` and `rows_file` are set when rows were left out of
/// the report.
pub async fn stream<R: Listed>(
    ctx: &SessionContext,
    listing: &Listing,
    mut visit: impl FnMut(&mut R) -> bool,
) -> Result<Figure<R>> {
    let path = listing.csv.as_path();
    let query = queries::get(listing.query)?.file();
    let df = queries::plan(ctx, listing.query, &listing.params).await?;
    let mut header: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    header.extend(R::ADDED.iter().map(|c| (*c).to_owned()));
    let mut stream = df.execute_stream().await?;
    let mut out = CsvOut::create(path, &header)?;
    let mut kept = Vec::new();
    let (mut total, mut extra): (u64, usize) = (0, 0);
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|source| evidence::Error::Query {
            name: query.clone(),
            source,
        })?;
        let texts = cells(&batch)?;
        let rows: Vec<R> = read::rows(&query, std::slice::from_ref(&batch))?;
        for (text, mut row) in texts.into_iter().zip(rows) {
            let must_keep = visit(&mut row);
            let own = text.iter().map(|c| c.as_deref().unwrap_or(""));
            out.row(own.chain(row.added()))?;
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
        rows_file: left_out.then(|| file_name(path)),
        rows_total: left_out.then_some(total),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
