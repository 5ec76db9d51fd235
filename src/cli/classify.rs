//! `mfaproof classify`: writes the per-sign-in export (evidence rules §6) of a lake, CSV or
//! Parquet by the output's extension.

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::Evidence;
use super::output::outln;
use super::settings;
use crate::evidence::{export, open_with};

/// Arguments of `mfaproof classify`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Exit status: 0 export written; 1 runtime failure; 2 usage error, no lake, or an output name that is neither .csv nor .parquet."
)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub evidence: Evidence,
    /// The export file: `.csv` (with a header) or `.parquet`.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the command; prints how many sign-ins were written.
pub fn run(args: ClassifyArgs) -> anyhow::Result<ExitCode> {
    let range = args.evidence.window.range()?;
    let lake = args.evidence.lake.existing()?;
    let engine = settings::engine()?;
    let rows = super::runtime()?.block_on(async {
        let ctx = open_with(lake, range, &engine).await?;
        export::write(&ctx, &args.out).await
    })?;
    outln!("classified {rows} sign-in(s) into {}", args.out.display())?;
    Ok(ExitCode::SUCCESS)
}
