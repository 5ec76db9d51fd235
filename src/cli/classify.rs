//! `mfaproof classify`: writes the per-sign-in export (evidence rules §6) of a lake, CSV or
//! Parquet by the output's extension.

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::{Lake, Window};
use super::output::outln;
use super::settings;
use crate::evidence::{export, open_with};

/// Arguments of `mfaproof classify`.
#[derive(Debug, Clone, clap::Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub lake: Lake,
    /// The export file: `.csv` (with a header) or `.parquet`.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub window: Window,
}

/// Runs the command; prints how many sign-ins were written.
pub fn run(args: ClassifyArgs) -> anyhow::Result<ExitCode> {
    let range = args.window.range()?;
    let lake = args.lake.existing()?;
    let engine = settings::engine()?;
    let rows = super::runtime()?.block_on(async {
        let ctx = open_with(lake, range, &engine).await?;
        export::write(&ctx, &args.out).await
    })?;
    outln!("classified {rows} sign-in(s) into {}", args.out.display())?;
    Ok(ExitCode::SUCCESS)
}
