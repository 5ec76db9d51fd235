//! `mfaproof ingest`: the arguments and the summary printed after a run.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::progress::Terminal;
use crate::ingest::{self, IngestOptions, Summary};
use crate::sources::Format;

/// Arguments of `mfaproof ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Files or folders (walked recursively); .gz and .zip are opened.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The lake directory (created if missing).
    #[arg(long, default_value = "mfaproof-lake")]
    pub lake: PathBuf,
    /// Read every input as this format instead of detecting it (graph, azure-monitor,
    /// log-analytics, portal-csv, mfa-state-csv, mfa-state-json, security-defaults).
    #[arg(long)]
    pub format: Option<Format>,
    /// Print the summary as JSON on stdout (for scripts).
    #[arg(long)]
    pub json: bool,
}

/// Runs `mfaproof ingest`.
pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let summary = ingest_with_terminal(&args.inputs, &args.lake, args.format, args.json)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(if summary.failed() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Ingests with terminal feedback (also used by `mfaproof run`).
pub fn ingest_with_terminal(
    inputs: &[PathBuf],
    lake: &std::path::Path,
    format: Option<Format>,
    quiet_info: bool,
) -> anyhow::Result<Summary> {
    let mut terminal = Terminal::new(quiet_info);
    let options = IngestOptions { format };
    let summary = ingest::ingest(lake, inputs, &options, &mut terminal)
        .with_context(|| format!("ingesting into {}", lake.display()))?;
    terminal.finish();
    Ok(summary)
}

/// The human summary (stdout).
pub fn print_summary(s: &Summary) {
    let c = &s.counts;
    let by_status = |st: &str| s.inputs.iter().filter(|i| i.status == st).count();
    println!("lake {} (run {})", s.lake, s.run);
    println!(
        "inputs: {} ingested, {} already ingested, {} skipped, {} failed",
        by_status("ingested"),
        by_status("already-ingested"),
        by_status("skipped"),
        by_status("failed")
    );
    println!(
        "records: {} ingested ({} sign-ins, {} audit events, {} snapshot rows), {} duplicates dropped, {} quarantined, {} skipped, {} partial",
        c.records,
        c.sign_ins,
        c.audit_events,
        c.snapshots,
        s.duplicates_dropped,
        c.quarantined,
        c.skipped_total(),
        c.partial
    );
    for (what, n) in &c.skipped {
        println!("  skipped {n} × {what}");
    }
    if c.repeated_keys > 0 {
        println!(
            "  {} record(s) repeat a key in one of their objects (the last occurrence was read)",
            c.repeated_keys
        );
    }
}
