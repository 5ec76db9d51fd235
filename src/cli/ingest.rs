//! `mfaproof ingest`: the arguments and the summary printed after a run.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::args::{Inputs, Lake};
use super::exit::USAGE;
use super::output::outln;
use super::progress::Terminal;
use super::settings;
use crate::ingest::{self, IngestOptions, Summary};
use crate::lake::CommitPoint;
use crate::sources::Format;

/// Arguments of `mfaproof ingest`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 every input read (bad records are quarantined); 1 runtime failure; 2 usage error, an input that could not be read at all (the others are ingested), a record with no tenant that the lake cannot decide (give --tenant), or a lake written before tenants without --tenant."
)]
pub struct IngestArgs {
    /// Files or folders (walked recursively, in sorted order); .gz and .zip are opened.
    /// None with --tenant only migrates a lake written before tenants.
    #[arg(required_unless_present = "tenant")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub lake: Lake,
    /// The Entra tenant id (a GUID) of the records that name none: Graph and admin center
    /// exports, snapshots. A record naming another tenant (Azure Monitor `tenantId`, Log
    /// Analytics `AADTenantId`) is quarantined. Also migrates a lake written before
    /// tenants into this tenant. Without it, such records belong to the lake's only
    /// tenant (counting the tenants this run's records name); none or several is an error.
    #[arg(long, value_parser = settings::parse_tenant)]
    pub tenant: Option<String>,
    /// Read every input as this format instead of detecting it (graph, azure-monitor,
    /// log-analytics, portal-csv, mfa-state-csv, mfa-state-json, security-defaults,
    /// ca-policies, named-locations, directory-users, user-registrations, directory-groups,
    /// role-assignments).
    #[arg(long)]
    pub format: Option<Format>,
    /// Print the summary as JSON on stdout (for scripts).
    #[arg(long)]
    pub json: bool,
    /// For the crash tests: stop the process (status 137) at `STAGE:N` of the run's
    /// commits, STAGE `staged`, `journaled` or `committed`.
    #[arg(long, hide = true, value_parser = settings::parse_crash_point)]
    pub crash_at: Option<CommitPoint>,
}

/// Runs `mfaproof ingest`.
pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let mut writer = settings::writer(args.crash_at)?;
    writer.tenant = args.tenant;
    let options = IngestOptions {
        format: args.format,
        writer,
    };
    let source = Inputs {
        inputs: args.inputs,
        lake: args.lake,
    };
    let summary = ingest_with_terminal(&source, &options, args.json)?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        print_summary(&summary)?;
    }
    Ok(status(&summary))
}

/// 0, or 2 when an input could not be read at all.
pub fn status(summary: &Summary) -> ExitCode {
    if summary.failed() > 0 {
        ExitCode::from(USAGE)
    } else {
        ExitCode::SUCCESS
    }
}

/// Ingests with terminal feedback (also used by `mfaproof run`).
pub fn ingest_with_terminal(
    source: &Inputs,
    options: &IngestOptions,
    quiet_info: bool,
) -> anyhow::Result<Summary> {
    let runtime = super::runtime()?;
    let ingested = ingest_into(&runtime, source, options, quiet_info);
    // An object store's last requests are done: the runtime may go.
    drop(runtime);
    ingested
}

/// [`ingest_with_terminal`] on the runtime the lake's requests run on.
pub fn ingest_into(
    runtime: &tokio::runtime::Runtime,
    source: &Inputs,
    options: &IngestOptions,
    quiet_info: bool,
) -> anyhow::Result<Summary> {
    let lake = source.lake.open(runtime)?;
    let mut terminal = Terminal::new(quiet_info);
    let summary = ingest::ingest(&lake, &source.inputs, options, &mut terminal)
        .with_context(|| format!("ingesting into {lake}"));
    terminal.finish();
    summary
}

/// The human summary (stdout).
pub fn print_summary(s: &Summary) -> std::io::Result<()> {
    let c = &s.counts;
    let by_status = |st: &str| s.inputs.iter().filter(|i| i.status == st).count();
    outln!("lake {} (run {})", s.lake, s.run)?;
    outln!(
        "inputs: {} ingested, {} already ingested, {} skipped, {} failed",
        by_status("ingested"),
        by_status("already-ingested"),
        by_status("skipped"),
        by_status("failed")
    )?;
    outln!(
        "records: {} ingested ({} sign-ins, {} audit events, {} snapshot rows), {} duplicates dropped, {} quarantined, {} skipped, {} partial",
        c.records,
        c.sign_ins,
        c.audit_events,
        c.snapshots,
        s.duplicates_dropped,
        c.quarantined,
        c.skipped_total(),
        c.partial
    )?;
    for (what, n) in &c.skipped {
        outln!("  skipped {n} × {what}")?;
    }
    if c.truncated > 0 {
        outln!(
            "  {} input(s) stop at their download's row cap (probably truncated)",
            c.truncated
        )?;
    }
    if c.repeated_keys > 0 {
        outln!(
            "  {} record(s) repeat a key in one of their objects (the last occurrence was read)",
            c.repeated_keys
        )?;
    }
    Ok(())
}
