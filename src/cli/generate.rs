//! `mfaproof generate`: writes a synthetic archive with known answers (`truth.csv`).

use std::path::PathBuf;
use std::process::ExitCode;

use super::output::outln;
use crate::generate::{self, Mix, OutputFormat};

/// Arguments of `mfaproof generate`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Exit status: 0 archive written; 1 runtime failure; 2 usage error (an --out that already holds an archive)."
)]
pub struct GenerateArgs {
    /// Output folder: the archive goes to `<out>/<format>/` (with several tenants
    /// `<out>/<tenant_id>/<format>/`), the answers to `<out>/truth.csv`. With --lake,
    /// only the answers.
    #[arg(long)]
    pub out: PathBuf,
    /// Ingest the archive into this new lake as it is generated, without writing it
    /// (for sizes whose JSON would not fit the disk): the lake holds what ingesting the
    /// written archive would give (`--tenant` being the generated tenant). graph,
    /// azure-monitor and log-analytics; several tenants in azure-monitor only.
    /// A folder or an object store URL, as `--lake` of every command.
    #[arg(long, value_name = "LAKE")]
    pub lake: Option<String>,
    /// Distinct sign-ins to generate, per tenant (duplicate versions of some ids come on
    /// top).
    #[arg(long)]
    pub sign_ins: u64,
    /// Tenants, each with its own id, users, sign-ins and security-defaults regime
    /// (see docs/generate.md); `truth.csv` gains a `tenant_id` column when more than 1.
    #[arg(long, default_value_t = 1)]
    pub tenants: u32,
    #[command(flatten)]
    pub tenant: Synthetic,
    /// Planned class proportions, `class=weight,…` (unnamed classes: 0). Default: a
    /// plausible tenant (see docs/generate.md).
    #[arg(long, value_parser = parse_mix)]
    pub mix: Option<Mix>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The synthetic tenant, shared by `generate` and `bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct Synthetic {
    /// Users in the tenant (default: one per 40 sign-ins, 50 to 250,000).
    #[arg(long)]
    pub users: Option<usize>,
    /// Days the sign-ins span, from 2026-11-01 (the lake's date partitions).
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Seed: the same seed writes byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// graph, azure-monitor, log-analytics or portal.
    #[arg(long, default_value = "graph", value_parser = parse_format)]
    pub format: OutputFormat,
}

impl Synthetic {
    /// The generator's options for `sign_ins` distinct sign-ins.
    pub fn options(&self, sign_ins: u64) -> generate::Options {
        generate::Options {
            sign_ins,
            users: self.users,
            days: self.days,
            seed: self.seed,
            format: self.format,
            ..generate::Options::default()
        }
    }
}

fn parse_format(s: &str) -> Result<OutputFormat, String> {
    s.parse()
}

fn parse_mix(s: &str) -> Result<Mix, String> {
    s.parse()
}

/// What to generate, from the arguments.
pub fn options(args: &GenerateArgs) -> generate::Options {
    generate::Options {
        mix: args.mix.clone().unwrap_or_default(),
        tenants: args.tenants,
        ..args.tenant.options(args.sign_ins)
    }
}

/// Runs the command (with `--lake`, `generate_lake` runs it instead).
pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let opts = options(&args);
    let s = generate::generate(&args.out, &opts)?;
    if args.json {
        outln!("{}", summary_json(&s, &args, &opts))?;
    } else {
        print_summary(&s, &args, &format!("in {}", s.input_dir.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The summary as JSON (`--json`).
pub fn summary_json(
    s: &generate::Summary,
    args: &GenerateArgs,
    opts: &generate::Options,
) -> serde_json::Value {
    let rate = s.records as f64 / s.seconds.max(1e-9);
    let per_class: serde_json::Map<String, serde_json::Value> = s
        .per_class
        .iter()
        .map(|(c, n)| (c.as_str().to_string(), (*n).into()))
        .collect();
    let mut v = serde_json::json!({
        "input_dir": s.input_dir, "truth_file": s.truth_file, "format": opts.format.as_str(),
        "seed": opts.seed, "sign_ins": s.sign_ins, "records": s.records,
        "audit_events": s.audit_events, "users": s.users, "bytes": s.bytes,
        "files": s.files, "seconds": s.seconds, "records_per_second": rate,
        "per_class": per_class,
    });
    if args.tenants > 1 {
        v["tenants"] = s
            .tenants
            .iter()
            .map(|(id, dir)| serde_json::json!({"tenant_id": id, "input_dir": dir}))
            .collect();
    }
    v
}

/// The human summary; `into` says where the archive went (its folder, or the lake).
pub fn print_summary(
    s: &generate::Summary,
    args: &GenerateArgs,
    into: &str,
) -> std::io::Result<()> {
    let rate = s.records as f64 / s.seconds.max(1e-9);
    if args.tenants > 1 {
        for (id, dir) in &s.tenants {
            outln!("tenant {id}: {}", dir.display())?;
        }
    }
    outln!(
        "wrote {} sign-ins ({} records with duplicate versions) and {} audit events for {} users: {} files, {:.1} MB {into}",
        s.sign_ins,
        s.records,
        s.audit_events,
        s.users,
        s.files,
        s.bytes as f64 / 1e6,
    )?;
    outln!(
        "{:.2} s, {:.0} records/s, {:.0} MB/s; known answers in {}",
        s.seconds,
        rate,
        s.bytes as f64 / 1e6 / s.seconds.max(1e-9),
        s.truth_file.display()
    )
}
