//! `mfaproof evaluate`: classifies a lake and writes the compliance report (`report.json`
//! always; `report.md`, `findings.csv`, `report.html` as `--format` asks, all by default),
//! then prints a short summary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;

use super::args::Evidence;
use super::exit::{NOT_COMPLIANT, ON_AVAILABLE_EVIDENCE};
use super::output::outln;
use crate::evidence::Engine;
use crate::report::model::Verdict;
use crate::report::rollup::evaluate_tenants;
use crate::report::{Formats, Options, Report, evaluate};
use crate::storage::Location;

/// A report file `--format` can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// report.json (always written: the canonical result).
    Json,
    /// report.md.
    Md,
    /// findings.csv: every violating or unproven sign-in.
    Csv,
    /// report.html: the self-contained report for people (writes findings.csv too, which
    /// it links).
    Html,
}

/// The formats as the library's switches.
pub fn formats(list: &[ReportFormat]) -> Formats {
    Formats {
        markdown: list.contains(&ReportFormat::Md),
        csv: list.contains(&ReportFormat::Csv),
        html: list.contains(&ReportFormat::Html),
    }
}

/// What the report is asked, shared by `mfaproof evaluate` and `mfaproof run`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// An emergency-access (break-glass) account: a UPN or a glob; repeatable.
    #[arg(long = "emergency-account")]
    pub emergency_accounts: Vec<String>,
    /// A technical account besides the defaults (UPNs starting `Sync_`, the directory
    /// synchronization account): a UPN or a glob; repeatable.
    #[arg(long = "technical-account")]
    pub technical_accounts: Vec<String>,
    /// Exit with status 3 when the tenant is not compliant, 4 when it is compliant only on
    /// the evidence available (holes, or a requirement that could not be evidenced).
    #[arg(long)]
    pub strict: bool,
    /// Sign-ins this many hours before the newest one are provisional.
    #[arg(long, default_value_t = 24)]
    pub settling_hours: u32,
    /// Rows report.json lists of each long table (accounts, location skips, regime
    /// changes); every row is in accounts.csv, location_skips.csv and regime_changes.csv.
    #[arg(long, default_value_t = 10_000)]
    pub listed_rows: usize,
    /// Report files to write, comma-separated; report.json is always written.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "json,md,csv,html"
    )]
    pub format: Vec<ReportFormat>,
}

/// Arguments of `mfaproof evaluate`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "A lake of several tenants, without --tenant: each tenant's report in OUT/<tenant_id>/, and rollup.json, rollup.md and rollup.html in OUT (every tenant, worst first).\n\nExit status: 0 report written, whatever it finds; 1 runtime failure; 2 usage error or no lake; 3 with --strict, the tenant (of several: the worst) is not compliant; 4 with --strict, compliant only on the evidence available (holes in it, or a requirement not evidenced)."
)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub evidence: Evidence,
    /// The folder the report files are written to (created if absent).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Runs the command: exit 0 once the report is written (with `--strict`: 3 when not
/// compliant, 4 when compliant only on the evidence available); errors are returned.
pub fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let range = args.evidence.window.range()?;
    let runtime = super::runtime()?;
    report(
        &runtime,
        &args.evidence.lake.existing(&runtime)?,
        &args.out,
        range,
        args.evidence.tenant.id.clone(),
        &args.report,
        args.evidence.cluster.engine()?,
    )
}

/// Writes the report of `lake` into `out` and prints its summary: `tenant`'s, else the
/// lake's only tenant's, else (a lake of several) each tenant's into `out/<tenant_id>/`
/// and the roll-up into `out`.
pub fn report(
    runtime: &tokio::runtime::Runtime,
    lake: &Location,
    out: &Path,
    range: Option<(NaiveDate, NaiveDate)>,
    tenant: Option<String>,
    args: &ReportArgs,
    engine: Engine,
) -> anyhow::Result<ExitCode> {
    let held = crate::evidence::tenants(lake)?;
    if tenant.is_none() && held.len() > 1 {
        let opts = options(range, None, args, engine);
        return rollup(runtime, lake, out, opts, &held, args.strict);
    }
    // Without a tenant the library takes the lake's only one.
    let opts = options(range, tenant, args, engine);
    let outcome = runtime.block_on(evaluate(lake, out, &opts))?;
    print_summary(&outcome.report)?;
    for f in &outcome.files {
        outln!("wrote {}", f.display())?;
    }
    Ok(status(outcome.report.verdict, args.strict))
}

/// Evaluates each tenant of `tenants` and writes the roll-up; the status is the worst
/// tenant's.
fn rollup(
    runtime: &tokio::runtime::Runtime,
    lake: &Location,
    out: &Path,
    opts: Options,
    tenants: &[String],
    strict: bool,
) -> anyhow::Result<ExitCode> {
    let done = runtime.block_on(evaluate_tenants(lake, out, &opts, tenants))?;
    for t in &done.rollup.tenants {
        outln!(
            "tenant {}: {} ({} sign-ins, {} violating or unproven) in {}",
            t.tenant_id,
            t.verdict.word(),
            t.sign_ins,
            t.problems,
            out.join(&t.tenant_id).display()
        )?;
    }
    for f in &done.files {
        outln!("wrote {}", f.display())?;
    }
    Ok(status(done.rollup.verdict, strict))
}

/// The exit status of a verdict.
fn status(verdict: Verdict, strict: bool) -> ExitCode {
    match verdict {
        _ if !strict => ExitCode::SUCCESS,
        Verdict::Compliant => ExitCode::SUCCESS,
        Verdict::CompliantOnAvailableEvidence => ExitCode::from(ON_AVAILABLE_EVIDENCE),
        Verdict::NotCompliant => ExitCode::from(NOT_COMPLIANT),
    }
}

/// The library's options from the command line.
fn options(
    range: Option<(NaiveDate, NaiveDate)>,
    tenant: Option<String>,
    args: &ReportArgs,
    engine: Engine,
) -> Options {
    Options {
        range,
        emergency_accounts: args.emergency_accounts.clone(),
        technical_accounts: args.technical_accounts.clone(),
        settling_hours: args.settling_hours,
        listed_rows: args.listed_rows,
        formats: formats(&args.format),
        tenant,
        engine,
        ..Options::default()
    }
}

fn print_summary(r: &Report) -> std::io::Result<()> {
    let day = |d: Option<NaiveDate>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
    outln!(
        "verdict: {} ({} sign-ins, window {} to {})",
        r.verdict.word(),
        r.sign_ins.count,
        day(r.window.map(|w| w.from)),
        day(r.window.map(|w| w.to))
    )?;
    for req in &r.requirements {
        let holds = match () {
            () if !req.evidenced => "NOT EVIDENCED",
            () if req.holds => "holds",
            () => "FAILS",
        };
        outln!("  {} {holds}: {}", req.id, req.title)?;
    }
    let holes = r.holes();
    if !holes.is_empty() {
        let failing = holes.iter().filter(|h| h.fails_r6()).count();
        outln!(
            "holes in the evidence: {} ({failing} make R6 fail); each is named in the report",
            holes.len()
        )?;
    }
    outln!("violating or unproven sign-ins: {}", r.problems.total)
}
