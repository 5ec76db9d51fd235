//! `mfaproof verify REPORT_DIR [--lake L]`: checks a report folder against its
//! `SHA256SUMS`, and with `--lake` evaluates the lake again (into a temporary folder, with
//! the options `report.json` records) and confirms every figure. Prints every difference,
//! the first one first; the checking itself is `report::sums` and `report::verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::Lake;
use super::exit::{FAILURE, usage};
use super::output::outln;
use super::settings;
use crate::report::{difference::Difference, sums, verify};

/// Arguments of `mfaproof verify`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Exit status: 0 every file matches SHA256SUMS (and, with --lake, every figure matches a new evaluation of the lake); 1 a difference (each printed, the first one first: a changed, missing or extra file, a JSON path of report.json, a line of a CSV file), or the new evaluation failed; 2 usage error, or a folder or lake that cannot be read (no SHA256SUMS, a line sha256sum -c would not read, report.json without recorded options)."
)]
pub struct VerifyArgs {
    /// The report folder `evaluate` wrote (with its SHA256SUMS).
    pub report_dir: PathBuf,
    /// Evaluate this lake again with the options report.json records and confirm that
    /// report.json (but for generated_at, lake and tool), every CSV file, report.md and
    /// report.html are what the new evaluation gives.
    /// A folder or an object store prefix, as `evaluate --lake` takes it.
    #[arg(long, value_name = "LAKE")]
    pub lake: Option<String>,
}

/// Runs the command: 0 when everything matches, 1 with the differences printed.
pub fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.report_dir;
    if !dir.is_dir() {
        return Err(usage(format!("{}: not a report folder", dir.display())));
    }
    let entries = sums::read(dir)?;
    let differences = sums::check(dir, &entries)?;
    if !differences.is_empty() {
        if args.lake.is_some() {
            outln!("the files differ from SHA256SUMS: the lake was not evaluated again")?;
        }
        return differ(&differences);
    }
    outln!("{} file(s) match {}", entries.len(), sums::FILE)?;
    let Some(lake) = &args.lake else {
        return Ok(ExitCode::SUCCESS);
    };
    let runtime = super::runtime()?;
    let lake = Lake { dir: lake.clone() }
        .existing(&runtime)
        .map_err(|_| usage(format!("{lake}: no lake here")))?;
    let scratch = tempfile::Builder::new()
        .prefix("mfaproof-verify-")
        .tempdir()
        .map_err(|e| anyhow::anyhow!("cannot create a temporary folder: {e}"))?;
    let engine = settings::engine()?;
    let differences = runtime.block_on(verify::against_lake(
        dir,
        &entries,
        &lake,
        scratch.path(),
        engine,
    ))?;
    if !differences.is_empty() {
        return differ(&differences);
    }
    outln!(
        "every figure matches a new evaluation of {}: report.json (but for generated_at, lake and tool), {} other file(s)",
        lake,
        entries.len().saturating_sub(1)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the differences, the first one first, and ends with status 1.
fn differ(differences: &[Difference]) -> anyhow::Result<ExitCode> {
    for d in differences {
        outln!("DIFFERENT {d}")?;
    }
    eprintln!(
        "verify: {} difference(s); the first: {}",
        differences.len(),
        differences[0]
    );
    Ok(ExitCode::from(FAILURE))
}
