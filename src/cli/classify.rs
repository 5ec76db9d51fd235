//! `mfaproof classify`: writes the per-sign-in export (evidence rules §6) of a lake, CSV or
//! Parquet by the output's extension.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;

use crate::evidence::{export, open};

/// Arguments of `mfaproof classify`.
#[derive(Debug, Clone, clap::Args)]
pub struct ClassifyArgs {
    /// The lake directory (written by `mfaproof ingest`).
    #[arg(long)]
    pub lake: PathBuf,
    /// The export file: `.csv` (with a header) or `.parquet`.
    #[arg(long)]
    pub out: PathBuf,
    /// First day (UTC, inclusive) of sign-ins to classify.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day (UTC, inclusive) of sign-ins to classify.
    #[arg(long)]
    pub to: Option<NaiveDate>,
}

/// The inclusive date range of `--from`/`--to`; an open end reaches as far as dates go.
pub fn date_range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> anyhow::Result<Option<(NaiveDate, NaiveDate)>> {
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    // Four-digit years keep the partition strings comparable as text.
    let first = from.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).context("date")?);
    let last = to.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).context("date")?);
    anyhow::ensure!(first <= last, "--from {first} is after --to {last}");
    Ok(Some((first, last)))
}

/// Runs the command; prints how many sign-ins were written.
pub fn run(args: ClassifyArgs) -> anyhow::Result<ExitCode> {
    let range = date_range(args.from, args.to)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the query runtime")?;
    let rows = runtime.block_on(async {
        let ctx = open(&args.lake, range).await?;
        export::write(&ctx, &args.out).await
    })?;
    println!("classified {rows} sign-in(s) into {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
