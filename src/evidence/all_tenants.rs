//! The per-sign-in export of a lake of several tenants: each tenant is classified in a
//! session of its own (so no tenant's security defaults, policies or per-user MFA decide
//! another's sign-ins), its rows written to a Parquet work file, and the union sorted in
//! one pass as one tenant's export is (`created_at`, then `id`; the why-not table by `id`,
//! then `policy_id`). Sign-in ids are globally unique, so the export gains no column.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use datafusion::prelude::{ParquetReadOptions, SessionContext, col};

use super::export::{is_csv, write_parquet, write_rows, write_why_not_rows};
use super::materialise::materialise;
use super::{Engine, Error, Result, open_with, queries, session};
use crate::storage::Location;

/// What to export, and where.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub range: Option<(NaiveDate, NaiveDate)>,
    pub engine: &'a Engine,
    /// The export (`.csv` or `.parquet`).
    pub out: &'a Path,
    /// The why-not table (CSV), when asked.
    pub why_not: Option<&'a Path>,
    /// An empty working folder for the per-tenant files; the caller removes it.
    pub work: &'a Path,
}

/// Writes the export (and the why-not table) of every tenant of `tenants` in `lake` (a
/// path or a [`Location`]); returns the rows written to each.
pub async fn write(
    lake: impl Into<Location>,
    tenants: &[String],
    req: Request<'_>,
) -> Result<(u64, Option<u64>)> {
    let lake = &lake.into();
    let csv = is_csv(req.out)?;
    let exports = folder(req.work, "export")?;
    let why_nots = folder(req.work, "why_not")?;
    for (i, tenant) in tenants.iter().enumerate() {
        let ctx = open_with(lake, req.range, Some(tenant), req.engine).await?;
        let part = format!("{i:06}.parquet");
        if req.why_not.is_some() {
            // Both files read the classification: classify once into a working file.
            let classified = folder(req.work, &format!("classified-{i:06}"))?;
            materialise(&ctx, &classified).await?;
            let df = queries::plan(&ctx, "why_not_export", &[]).await?;
            write_parquet(df, &why_nots.join(&part)).await?;
        }
        let df = queries::plan(&ctx, "classify_export", &[]).await?;
        write_parquet(df, &exports.join(&part)).await?;
    }
    let ctx = session(req.engine)?;
    let df = sorted(&ctx, "export", &exports, ["created_at", "id"]).await?;
    let rows = write_rows(df, req.out, csv).await?;
    let why_not = match req.why_not {
        Some(path) => {
            let df = sorted(&ctx, "why_not", &why_nots, ["id", "policy_id"]).await?;
            Some(write_why_not_rows(df, path).await?)
        }
        None => None,
    };
    Ok((rows, why_not))
}

/// The rows of every Parquet file in `dir`, sorted by `keys` (ascending, nulls last, as
/// the queries' `ORDER BY` sorts).
async fn sorted(
    ctx: &SessionContext,
    name: &str,
    dir: &Path,
    keys: [&str; 2],
) -> Result<datafusion::prelude::DataFrame> {
    let location = format!("{}/", dir.display());
    ctx.register_parquet(name, &location, ParquetReadOptions::default())
        .await?;
    let order = keys.iter().map(|k| col(*k).sort(true, false)).collect();
    Ok(ctx.table(name).await?.sort(order)?)
}

fn folder(work: &Path, name: &str) -> Result<PathBuf> {
    let dir = work.join(name);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}
