//! `mfaproof classify`: writes the per-sign-in export (evidence rules §6) of a lake, CSV or
//! Parquet by the output's extension.

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::Evidence;
use super::output::outln;
use crate::evidence::materialise::materialise;
use crate::evidence::{all_tenants, export, open_with, tenants};

/// A working folder beside the export, removed when done.
fn work_dir(out: &std::path::Path) -> PathBuf {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty());
    dir.unwrap_or(std::path::Path::new("."))
        .join(format!(".mfaproof-work-{}", std::process::id()))
}

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
    /// Also write, as CSV, why no MFA policy enforced MFA on each violating or unproven
    /// user sign-in (columns id, policy_id, policy_name, reason; evidence rules §9).
    #[arg(long, value_name = "FILE")]
    pub why_not: Option<PathBuf>,
}

/// Runs the command; prints how many sign-ins were written. Without `--tenant`, a lake of
/// several tenants is classified tenant by tenant and the export is their union.
pub fn run(args: ClassifyArgs) -> anyhow::Result<ExitCode> {
    let range = args.evidence.window.range()?;
    let runtime = super::runtime()?;
    let lake = &args.evidence.lake.existing(&runtime)?;
    let engine = args.evidence.cluster.engine()?;
    let tenant = args.evidence.tenant.id.clone();
    let held = tenants(lake)?;
    let work = work_dir(&args.out);
    let (rows, why_not) = runtime.block_on(async {
        if tenant.is_none() && held.len() > 1 {
            std::fs::create_dir_all(&work).map_err(|e| crate::evidence::Error::io(&work, e))?;
            let req = all_tenants::Request {
                range,
                engine: &engine,
                out: &args.out,
                why_not: args.why_not.as_deref(),
                work: &work,
            };
            let written = all_tenants::write(lake, &held, req).await;
            let _ = std::fs::remove_dir_all(&work);
            return written;
        }
        let ctx = open_with(lake, range, tenant.as_deref(), &engine).await?;
        let Some(path) = &args.why_not else {
            return Ok((export::write(&ctx, &args.out).await?, None));
        };
        // Both files read the classification: classify once into a working file.
        std::fs::create_dir_all(&work).map_err(|e| crate::evidence::Error::io(&work, e))?;
        let written = async {
            materialise(&ctx, &work).await?;
            let rows = export::write(&ctx, &args.out).await?;
            Ok::<_, crate::evidence::Error>((rows, Some(export::write_why_not(&ctx, path).await?)))
        }
        .await;
        let _ = std::fs::remove_dir_all(&work);
        written
    })?;
    if tenant.is_none() && held.len() > 1 {
        outln!(
            "classified {rows} sign-in(s) of {} tenants, each on its own evidence, into {}",
            held.len(),
            args.out.display()
        )?;
    } else {
        outln!("classified {rows} sign-in(s) into {}", args.out.display())?;
    }
    if let (Some(n), Some(path)) = (why_not, &args.why_not) {
        outln!("wrote {n} why-not row(s) into {}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
