//! `mfaproof bench`: generates an archive (untimed), then times ingest, classify (the §6
//! export) and evaluate (the report), each as a child process of this same binary, and
//! prints seconds, records/s, MB/s and peak RSS per stage as a table and as JSON.
//!
//! Peak RSS: a child started with `MFAPROOF_PEAK_RSS_FILE=<path>` writes its own
//! `VmHWM` (from `/proc/self/status`) to that file as it exits ([`record_peak_rss`]).
//! Measuring inside the child needs no `unsafe` (`wait4`/`getrusage` would, and the crate
//! forbids it) and gives each stage its own peak (`RUSAGE_CHILDREN` would only give the
//! maximum over all stages). On systems without `/proc` the column says `n/a`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, bail};

use super::generate::Synthetic;
use super::output::outln;
use crate::generate;

/// The environment variable a child reads to report its peak RSS.
pub const PEAK_RSS_ENV: &str = "MFAPROOF_PEAK_RSS_FILE";

/// Arguments of `mfaproof bench`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Exit status: 0 every stage ran; 1 a stage failed; 2 usage error.")]
pub struct BenchArgs {
    /// Distinct sign-ins to generate.
    #[arg(long, default_value_t = 1_000_000)]
    pub sign_ins: u64,
    /// Working folder (archive, lake, outputs); emptied first.
    #[arg(long, default_value = "mfaproof-bench")]
    pub workdir: PathBuf,
    #[command(flatten)]
    pub tenant: Synthetic,
    /// Print only the JSON result.
    #[arg(long)]
    pub json: bool,
}

/// Writes this process's peak RSS (KiB) to the file named by `MFAPROOF_PEAK_RSS_FILE`,
/// when set. Called by `cli::run` after every command.
pub fn record_peak_rss() {
    let Some(path) = std::env::var_os(PEAK_RSS_ENV) else {
        return;
    };
    if let Some(kib) = peak_rss_kib() {
        // Best effort: a benchmark without the figure is still a benchmark.
        let _ = std::fs::write(path, kib.to_string());
    }
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One timed stage.
struct Stage {
    name: &'static str,
    seconds: f64,
    records: u64,
    bytes: u64,
    peak_rss_kib: Option<u64>,
}

fn dir_bytes(p: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(p) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                dir_bytes(&path)
            } else {
                e.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

/// Runs this binary with `args` as the stage `name` and times it.
fn timed(
    name: &'static str,
    work: &Path,
    args: &[&OsStr],
    records: u64,
    bytes: u64,
) -> anyhow::Result<Stage> {
    let exe = std::env::current_exe().context("cannot find the mfaproof binary")?;
    let rss_file = work.join(format!("{name}.peak-rss-kib"));
    let _ = std::fs::remove_file(&rss_file);
    let start = Instant::now();
    let out = Command::new(exe)
        .args(args)
        .env(PEAK_RSS_ENV, &rss_file)
        .output()
        .with_context(|| format!("cannot start the {name} stage"))?;
    let seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "{name} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let peak_rss_kib = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    Ok(Stage {
        name,
        seconds,
        records,
        bytes,
        peak_rss_kib,
    })
}

/// Empties the working folder's outputs of an earlier run.
fn empty(work: &Path) -> anyhow::Result<()> {
    for sub in ["archive", "lake", "report", "classified.parquet"] {
        let p = work.join(sub);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).with_context(|| format!("cannot empty {}", p.display()))?;
        } else if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    std::fs::create_dir_all(work).with_context(|| format!("cannot create {}", work.display()))
}

/// Runs the command.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let work = &args.workdir;
    empty(work)?;
    let g = generate::generate(&work.join("archive"), &args.tenant.options(args.sign_ins))?;
    let mut stages = vec![Stage {
        name: "generate",
        seconds: g.seconds,
        records: g.records,
        bytes: g.bytes,
        peak_rss_kib: None,
    }];
    let lake = work.join("lake");
    let (lake, input) = (lake.as_os_str(), g.input_dir.as_os_str());
    let (export, report) = (work.join("classified.parquet"), work.join("report"));
    let (l, o) = (OsStr::new("--lake"), OsStr::new("--out"));
    // Graph and admin center archives name no tenant: the archive's is given.
    let tenant = [OsStr::new("--tenant"), OsStr::new(generate::TENANT_ID)];
    let ingest = [
        OsStr::new("ingest"),
        OsStr::new("--json"),
        tenant[0],
        tenant[1],
        l,
        lake,
        input,
    ];
    stages.push(timed("ingest", work, &ingest, g.records, g.bytes)?);
    let lake_bytes = dir_bytes(Path::new(lake));
    let classify = [OsStr::new("classify"), l, lake, o, export.as_os_str()];
    stages.push(timed("classify", work, &classify, g.sign_ins, lake_bytes)?);
    let evaluate = [OsStr::new("evaluate"), l, lake, o, report.as_os_str()];
    stages.push(timed("evaluate", work, &evaluate, g.sign_ins, lake_bytes)?);
    if !args.json {
        print_table(&args, &g, lake_bytes, &stages)?;
    }
    outln!("{}", result(&args, &g, lake_bytes, &stages))?;
    Ok(ExitCode::SUCCESS)
}

fn per_second(n: f64, s: &Stage) -> f64 {
    n / s.seconds.max(1e-9)
}

/// The result as JSON.
fn result(
    args: &BenchArgs,
    g: &generate::Summary,
    lake_bytes: u64,
    stages: &[Stage],
) -> serde_json::Value {
    serde_json::json!({
        "format": args.tenant.format.as_str(), "sign_ins": g.sign_ins, "records": g.records,
        "audit_events": g.audit_events, "users": g.users, "input_bytes": g.bytes, "lake_bytes": lake_bytes,
        "stages": stages.iter().map(|s| serde_json::json!({
            "stage": s.name, "seconds": s.seconds, "records": s.records,
            "records_per_second": per_second(s.records as f64, s),
            "mb_per_second": per_second(s.bytes as f64 / 1e6, s),
            "peak_rss_mib": s.peak_rss_kib.map(|k| k as f64 / 1024.0),
        })).collect::<Vec<_>>(),
    })
}

/// The result as a table.
fn print_table(
    args: &BenchArgs,
    g: &generate::Summary,
    lake_bytes: u64,
    stages: &[Stage],
) -> std::io::Result<()> {
    outln!(
        "{} sign-ins ({} records, {:.1} MB of {}), lake {:.1} MB",
        g.sign_ins,
        g.records,
        g.bytes as f64 / 1e6,
        args.tenant.format,
        lake_bytes as f64 / 1e6
    )?;
    outln!(
        "{:<10} {:>9} {:>12} {:>9} {:>14}",
        "stage",
        "seconds",
        "records/s",
        "MB/s",
        "peak RSS MiB"
    )?;
    for s in stages {
        let rss = s
            .peak_rss_kib
            .map_or("n/a".to_string(), |k| format!("{:.0}", k as f64 / 1024.0));
        outln!(
            "{:<10} {:>9.2} {:>12.0} {:>9.1} {:>14}",
            s.name,
            s.seconds,
            per_second(s.records as f64, s),
            per_second(s.bytes as f64 / 1e6, s),
            rss
        )?;
    }
    Ok(())
}
