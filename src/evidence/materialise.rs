//! The classification written once: `evaluate` runs a dozen figure queries over
//! `sign_in_evidence`, so it classifies into a Parquet working file first and re-points
//! the view (and `session_origin`, which reads it) at that file, written as the export
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
    for view in ["session_origin", "why_not"] {
        let df = queries::plan(ctx, view, &[]).await?;
        ctx.register_table(view, df.into_view())?;
    }
    Ok(())
}
