//! The command line: clap definitions and dispatch. Only this module (and `main.rs`)
//! knows about terminals, environment variables (`settings.rs`), exit codes (`exit.rs`)
//! and `anyhow`.

mod args;
mod bench;
mod check_policies;
mod classify;
mod cluster;
#[cfg(feature = "cluster")]
mod cluster_processes;
mod evaluate;
pub mod exit;
mod generate;
mod generate_lake;
mod ingest;
pub(crate) mod output;
mod progress;
mod pull;
mod query;
mod run;
mod settings;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Prove from Entra ID sign-in and audit logs that MFA was actually satisfied.
#[derive(Debug, Parser)]
#[command(name = "mfaproof", version, long_version = LONG_VERSION, about, long_about = None, after_help = EXIT_STATUS)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// `--version`: the version and the commit it was built from.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("MFAPROOF_COMMIT"),
    ")"
);

const EXIT_STATUS: &str = "Exit status: 0 success; 1 runtime failure; 2 usage error or \
unreadable input; 3 evaluated and not compliant, 4 evaluated and compliant only on the evidence \
available (run and evaluate with --strict). Output \
closed early by its reader (| head) ends quietly with 0. check-policies: 0 the policy set \
meets R7, 1 it does not. verify: 0 the report matches, 1 a difference (named).";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest, then evaluate: the whole job with defaults.
    Run(run::RunArgs),
    /// Ingest Entra log exports (files, folders, .gz, .zip) into a Parquet lake.
    Ingest(ingest::IngestArgs),
    /// Write the per-sign-in classification (CSV or Parquet by extension).
    Classify(classify::ClassifyArgs),
    /// Classify and write the compliance report (report.json, report.md, findings.csv, report.html).
    Evaluate(evaluate::EvaluateArgs),
    /// Check a report folder against its SHA256SUMS; with --lake, evaluate again and confirm every figure.
    Verify(verify::VerifyArgs),
    /// Run SQL over the lake and the evidence views.
    Query(query::QueryArgs),
    /// Pull sign-ins, audit events, MFA state, policy and directory snapshots from Microsoft Graph.
    Pull(pull::PullArgs),
    /// Write a synthetic archive with known answers (truth.csv).
    Generate(generate::GenerateArgs),
    /// Generate an archive, then time ingest, classify and evaluate (records/s, MB/s, peak RSS).
    Bench(bench::BenchArgs),
    /// Check a planned conditional access policy set against the requirement (findings, R7), without a lake.
    CheckPolicies(check_policies::CheckPoliciesArgs),
    /// Run a Ballista scheduler or executor, for classify, evaluate and query --cluster.
    Cluster(cluster::ClusterArgs),
}

/// Runs a parsed command line to its exit status, printing an error once.
pub fn main(cli: Cli) -> ExitCode {
    exit::finish(run(cli))
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let result = dispatch(cli);
    bench::record_peak_rss();
    result
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Ingest(args) => ingest::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Query(args) => query::run(args),
        Command::Pull(args) => pull::run(args),
        Command::Generate(args) => match args.lake.clone() {
            Some(lake) => generate_lake::run(&args, &lake, generate::options(&args)),
            None => generate::run(args),
        },
        Command::Bench(args) => bench::run(args),
        Command::CheckPolicies(args) => check_policies::run(args),
        #[cfg(feature = "cluster")]
        Command::Cluster(args) => cluster_processes::run(args),
        #[cfg(not(feature = "cluster"))]
        Command::Cluster(args) => cluster::run(args),
    }
}

/// The one tokio runtime every command that needs one runs on. Its threads get 32 MiB
/// stacks (address space; only what is used is mapped), as Ballista's own scheduler does:
/// a cluster's scheduler decodes and plans a query's whole plan recursively, which
/// overflowed the 2 MiB default for the classification in a debug build.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(32 << 20)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}
