//! `mfaproof query`: SQL over the lake's tables and the evidence views; a table on a
//! terminal, CSV or JSON lines otherwise.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use futures::StreamExt;

/// Output formats of `mfaproof query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    Table,
    Csv,
    Json,
}

/// Arguments of `mfaproof query`.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The SQL to run (tables: sign_ins, audit_events, mfa_state_snapshots,
    /// security_defaults_snapshots, sign_in_evidence, the state timelines, vocabularies).
    pub sql: Option<String>,
    /// Read the SQL from a file instead.
    #[arg(long, conflicts_with = "sql")]
    pub file: Option<PathBuf>,
    /// The lake directory.
    #[arg(long, default_value = "mfaproof-lake")]
    pub lake: PathBuf,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<QueryFormat>,
}

/// Runs `mfaproof query`.
pub fn run(args: QueryArgs) -> anyhow::Result<ExitCode> {
    let sql = match (&args.sql, &args.file) {
        (Some(sql), None) => sql.clone(),
        (None, Some(file)) => {
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?
        }
        _ => bail!("give the SQL as an argument or with --file"),
    };
    if !args.lake.is_dir() {
        bail!(
            "{}: no lake here (run `mfaproof ingest` first)",
            args.lake.display()
        );
    }
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        QueryFormat::Table
    } else {
        QueryFormat::Csv
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(execute(&args.lake, &sql, format))?;
    Ok(ExitCode::SUCCESS)
}

async fn execute(lake: &std::path::Path, sql: &str, format: QueryFormat) -> anyhow::Result<()> {
    let ctx = crate::evidence::open(lake, None).await?;
    let df = ctx.sql(sql).await.context("running the query")?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        QueryFormat::Table => {
            let batches = df.collect().await?;
            writeln!(
                out,
                "{}",
                arrow::util::pretty::pretty_format_batches(&batches)?
            )?;
        }
        QueryFormat::Csv => {
            let mut stream = df.execute_stream().await?;
            let mut writer = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(&mut out);
            while let Some(batch) = stream.next().await {
                writer.write(&batch?)?;
            }
        }
        QueryFormat::Json => {
            let mut stream = df.execute_stream().await?;
            let mut writer = arrow::json::LineDelimitedWriter::new(&mut out);
            while let Some(batch) = stream.next().await {
                writer.write(&batch?)?;
            }
            writer.finish()?;
        }
    }
    Ok(())
}
