//! The classification written once: `evaluate` runs a dozen figure queries over
//! `sign_in_evidence`, so it classifies into a Parquet working file first and re-points
//! the view (and `session_origin`, which reads it) at that file, and writes the why-not
//! rows once beside it for the figures that read them, both written as the export
//! writes its Parquet (`export::write_parquet`).

use std::path::Path;

use datafusion::prelude::{ParquetReadOptions, SessionContext};

use super::queries;
use crate::evidence::Result;

/// Classifies once into `work/sign_in_evidence.parquet` and re-points `sign_in_evidence`
/// (and the views over it) at it, so the figure queries do not classify again each.
pub async fn materialise(ctx: &SessionContext, work: &Path) -> Result<()> {
    let path = work.join("sign_in_evidence.parquet");
    super::export::write_parquet(ctx.table("sign_in_evidence").await?, &path).await?;
    ctx.deregister_table("sign_in_evidence")?;
    ctx.deregister_table("session_origin")?;
    ctx.deregister_table("why_not")?;
    let location = path.to_string_lossy().into_owned();
    ctx.register_parquet("sign_in_evidence", &location, ParquetReadOptions::default())
        .await?;
    let origin = queries::plan(ctx, "session_origin", &[]).await?;
    ctx.register_table("session_origin", origin.into_view())?;
    // The why-not rows are read by several figures (and the why-not export): computed once
    // into a working file too, not once per reader.
    let why_not = work.join("why_not.parquet");
    super::export::write_parquet(queries::plan(ctx, "why_not", &[]).await?, &why_not).await?;
    let location = why_not.to_string_lossy().into_owned();
    ctx.register_parquet("why_not", &location, ParquetReadOptions::default())
        .await?;
    Ok(())
}
