//! `mfaproof query`: SQL over the lake's tables and the evidence views; a table on a
//! terminal, CSV or JSON lines otherwise.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use futures::StreamExt;

use super::args::{Cluster, Lake, Tenant};
use super::exit::usage;
use super::output;
use crate::evidence::{Engine, open_with, tenants};
use crate::storage::Location;

/// Output formats of `mfaproof query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    Table,
    Csv,
    Json,
}

/// Arguments of `mfaproof query`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 success, also when the reader closes the output early (| head); 1 runtime failure; 2 usage error, no lake, or SQL that does not parse or plan."
)]
pub struct QueryArgs {
    /// The SQL to run (tables: sign_ins, audit_events, mfa_state_snapshots,
    /// security_defaults_snapshots, ca_policies, named_locations, directory_users,
    /// user_registrations, directory_groups, role_assignments, sign_in_evidence, the state
    /// timelines, vocabularies).
    pub sql: Option<String>,
    /// Read the SQL from a file instead.
    #[arg(long, conflicts_with = "sql")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub lake: Lake,
    /// The evidence views (sign_in_evidence, the timelines…) are one tenant's: on a lake of
    /// several tenants they exist only with `--tenant`; the lake's tables are every
    /// tenant's rows without it (each with its `tenant_id`).
    #[command(flatten)]
    pub tenant: Tenant,
    #[command(flatten)]
    pub cluster: Cluster,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<QueryFormat>,
}

/// Runs `mfaproof query`.
pub fn run(args: QueryArgs) -> anyhow::Result<ExitCode> {
    let sql = match (&args.sql, &args.file) {
        (Some(sql), None) => sql.clone(),
        (None, Some(file)) => std::fs::read_to_string(file)
            .map_err(|e| usage(format!("{}: cannot read the SQL: {e}", file.display())))?,
        _ => return Err(usage("give the SQL as an argument or with --file")),
    };
    let runtime = super::runtime()?;
    let lake = args.lake.existing(&runtime)?;
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        QueryFormat::Table
    } else {
        QueryFormat::Csv
    });
    let engine = args.cluster.engine()?;
    let tenant = args.tenant.id.clone();
    runtime.block_on(execute(&lake, &sql, tenant.as_deref(), format, &engine))?;
    Ok(ExitCode::SUCCESS)
}

async fn execute(
    lake: &Location,
    sql: &str,
    tenant: Option<&str>,
    format: QueryFormat,
    engine: &Engine,
) -> anyhow::Result<()> {
    let ctx = open_with(lake, None, tenant, engine).await?;
    // SQL that does not parse or plan is the user's input at fault.
    let df = match ctx.sql(sql).await {
        Ok(df) => df,
        Err(e) => return Err(usage(with_tenant_hint(lake, tenant, e.to_string())?)),
    };
    let mut out = std::io::BufWriter::new(output::stdout());
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
    out.flush()?;
    Ok(())
}

/// A planning error, with the tenants to choose from when the lake holds several and none
/// was chosen (the evidence views are then absent: they are one tenant's).
fn with_tenant_hint(
    lake: &Location,
    tenant: Option<&str>,
    message: String,
) -> anyhow::Result<String> {
    let held = tenants(lake)?;
    if tenant.is_some() || held.len() < 2 {
        return Ok(message);
    }
    Ok(format!(
        "{message}\n(the lake holds {} tenants; the evidence views are one tenant's: give --tenant, one of {})",
        held.len(),
        held.join(", ")
    ))
}
