//! The command line: clap definitions and dispatch. Only this module (and `main.rs`)
//! knows about terminals, exit codes and `anyhow`.
//!
//! Exit codes: 0 success; 1 error (an input unreadable, a failed query); 2 usage error;
//! 3 `evaluate --strict` found the tenant not compliant.

mod bench;
mod classify;
mod evaluate;
mod generate;
mod ingest;
mod progress;
mod pull;
mod query;
mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Prove from Entra ID sign-in and audit logs that MFA was actually satisfied.
#[derive(Debug, Parser)]
#[command(name = "mfaproof", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

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
    /// Run SQL over the lake and the evidence views.
    Query(query::QueryArgs),
    /// Pull sign-ins, audit events and MFA state snapshots from Microsoft Graph.
    Pull(pull::PullArgs),
    /// Write a synthetic archive with known answers (truth.csv).
    Generate(generate::GenerateArgs),
    /// Generate an archive, then time ingest, classify and evaluate (records/s, MB/s, peak RSS).
    Bench(bench::BenchArgs),
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
        Command::Query(args) => query::run(args),
        Command::Pull(args) => pull::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Bench(args) => bench::run(args),
    }
}
