//! `mfaproof run`: ingest, then evaluate, with defaults — the one command a new user runs.

use std::path::PathBuf;
use std::process::ExitCode;

use super::evaluate::{self, EvaluateArgs, ReportFormat};
use super::ingest::{ingest_with_terminal, print_summary};

/// Arguments of `mfaproof run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Files or folders to ingest (as for `mfaproof ingest`).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The lake directory.
    #[arg(long, default_value = "mfaproof-lake")]
    pub lake: PathBuf,
    /// The report folder.
    #[arg(long, default_value = "mfaproof-report")]
    pub out: PathBuf,
    /// An emergency-access (break-glass) account: a UPN or a glob; repeatable.
    #[arg(long = "emergency-account")]
    pub emergency_accounts: Vec<String>,
    /// A technical account besides the defaults: a UPN or a glob; repeatable.
    #[arg(long = "technical-account")]
    pub technical_accounts: Vec<String>,
    /// Exit with status 3 when the tenant is not compliant.
    #[arg(long)]
    pub strict: bool,
    /// Report files to write, comma-separated; report.json is always written.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "json,md,csv,html"
    )]
    pub format: Vec<ReportFormat>,
}

/// Runs ingest then evaluate; an input that could not be read at all makes the exit
/// status 1 after the report is written.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let summary = ingest_with_terminal(&args.inputs, &args.lake, None, false)?;
    print_summary(&summary);
    println!();
    let code = evaluate::run(EvaluateArgs {
        lake: args.lake,
        out: args.out,
        from: None,
        to: None,
        emergency_accounts: args.emergency_accounts,
        technical_accounts: args.technical_accounts,
        strict: args.strict,
        settling_hours: 24,
        listed_rows: 10_000,
        format: args.format,
    })?;
    Ok(if summary.failed() > 0 {
        ExitCode::from(1)
    } else {
        code
    })
}
