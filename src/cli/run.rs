//! `mfaproof run`: ingest, then evaluate, with defaults — the one command a new user runs.

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::{Inputs, Tenant};
use super::evaluate::{self, ReportArgs};
use super::ingest::{self, ingest_into, print_summary};
use super::output::outln;
use super::settings;
use crate::ingest::IngestOptions;

/// Arguments of `mfaproof run`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 report written; 1 runtime failure; 2 usage error, or an input that could not be read at all (after the report is written); 3 with --strict, the tenant is not compliant; 4 with --strict, compliant only on the evidence available."
)]
pub struct RunArgs {
    #[command(flatten)]
    pub source: Inputs,
    /// The report folder.
    #[arg(long, default_value = "mfaproof-report")]
    pub out: PathBuf,
    /// Ingest the records that name no tenant as this tenant's (as `ingest --tenant`) and
    /// report on this tenant only (as `evaluate --tenant`).
    #[command(flatten)]
    pub tenant: Tenant,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Runs ingest then evaluate; an input that could not be read at all makes the exit
/// status 2 after the report is written.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let mut writer = settings::writer(None)?;
    writer.tenant.clone_from(&args.tenant.id);
    let options = IngestOptions {
        format: None,
        writer,
    };
    let runtime = super::runtime()?;
    let summary = ingest_into(&runtime, &args.source, &options, false)?;
    print_summary(&summary)?;
    outln!()?;
    let code = evaluate::report(
        &runtime,
        &args.source.lake.open(&runtime)?,
        &args.out,
        None,
        args.tenant.id,
        &args.report,
        settings::engine()?,
    )?;
    Ok(if summary.failed() > 0 {
        ingest::status(&summary)
    } else {
        code
    })
}
