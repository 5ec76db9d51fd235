//! `evaluate`: classifies the lake once, computes the figures of requirements R1–R6
//! (evidence rules §7) and writes `report.json` (always: the canonical result) and, as
//! asked, `report.md`, `findings.csv` and `report.html`, each rendered from the one report
//! value. The JSON schema is documented in `docs/report-schema.md`, the HTML report in
//! `docs/report-html.md`.

pub mod columns;
pub mod csv_out;
pub mod escape;
pub mod figures;
pub mod html;
pub mod listing;
pub mod markdown;
pub mod requirements;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use futures::StreamExt;
use parquet::arrow::ArrowWriter;
use serde_json::{Value, json};

use super::export::cells;
use super::queries;
use crate::error::{Error, Result};

/// The version of `report.json`'s schema.
pub const REPORT_VERSION: &str = "1";

/// What `evaluate` was asked.
#[derive(Debug, Clone)]
pub struct Options {
    pub range: Option<(NaiveDate, NaiveDate)>,
    pub emergency_accounts: Vec<String>,
    pub technical_accounts: Vec<String>,
    pub settling_hours: u32,
    /// How many problem sign-ins the report lists (all go to findings.csv).
    pub listed_problems: usize,
    /// How many rows report.json lists of each long figure (accounts, location skips,
    /// regime changes); all are in their CSV files.
    pub listed_rows: usize,
    /// The files written besides `report.json`.
    pub formats: Formats,
    /// The query engine's settings.
    pub engine: super::Engine,
}

/// The report files written besides `report.json`. `report.html` links `findings.csv`,
/// so asking for HTML writes the CSV too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub markdown: bool,
    pub csv: bool,
    pub html: bool,
}

impl Default for Formats {
    fn default() -> Formats {
        Formats {
            markdown: true,
            csv: true,
            html: true,
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            range: None,
            emergency_accounts: Vec::new(),
            technical_accounts: Vec::new(),
            settling_hours: 24,
            listed_problems: 100,
            listed_rows: 10_000,
            formats: Formats::default(),
            engine: super::Engine::default(),
        }
    }
}

/// What `evaluate` wrote and found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub report: Value,
    pub compliant: bool,
    pub files: Vec<PathBuf>,
}

/// Classifies the lake and writes the report files into `out`.
pub async fn evaluate(lake: &Path, out: &Path, opts: &Options) -> Result<Outcome> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let ctx = super::open_with(lake, opts.range, &opts.engine).await?;
    let work = out.join(".mfaproof-work");
    std::fs::create_dir_all(&work).map_err(|e| Error::io(&work, e))?;
    let result = evaluate_in(&ctx, lake, out, &work, opts).await;
    // The materialised classification is a working file, never part of the output.
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn evaluate_in(
    ctx: &SessionContext,
    lake: &Path,
    out: &Path,
    work: &Path,
    opts: &Options,
) -> Result<Outcome> {
    materialise(ctx, work).await?;
    let (report, tables) = requirements::build(ctx, lake, out, opts).await?;
    let compliant = report["verdict"] == "compliant";
    let json_path = out.join("report.json");
    write_json(&json_path, &report)?;
    let mut files = vec![json_path];
    let f = opts.formats;
    if f.markdown {
        let md_path = out.join("report.md");
        std::fs::write(&md_path, markdown::render(&report)).map_err(|e| Error::io(&md_path, e))?;
        files.push(md_path);
    }
    if f.csv || f.html {
        let csv_path = out.join("findings.csv");
        write_findings(ctx, &csv_path, opts).await?;
        files.push(csv_path);
    }
    files.extend(tables);
    if f.html {
        let html_path = out.join("report.html");
        let page = html::render(&report)
            .map_err(|e| Error::io(&html_path, std::io::Error::other(e.to_string())))?;
        std::fs::write(&html_path, page).map_err(|e| Error::io(&html_path, e))?;
        files.push(html_path);
    }
    Ok(Outcome {
        report,
        compliant,
        files,
    })
}

/// Writes `report.json` (pretty, with a final newline) without building its text in memory.
fn write_json(path: &Path, report: &Value) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, report)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    w.write_all(b"\n").map_err(|e| Error::io(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))
}

/// Classifies once into a Parquet working file and re-points `sign_in_evidence` (and the
/// views over it) at it, so the figure queries do not classify again each.
async fn materialise(ctx: &SessionContext, work: &Path) -> Result<()> {
    let path = work.join("sign_in_evidence.parquet");
    let df = ctx.table("sign_in_evidence").await?;
    let schema = df.schema().inner().clone();
    let mut stream = df.execute_stream().await?;
    let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
    let props = crate::evidence::export::parquet_properties();
    let mut writer = ArrowWriter::try_new(file, schema, Some(props))?;
    while let Some(batch) = stream.next().await {
        writer.write(&batch?)?;
    }
    writer.close()?;
    ctx.deregister_table("sign_in_evidence")?;
    ctx.deregister_table("session_origin")?;
    let location = path.to_string_lossy().into_owned();
    ctx.register_parquet("sign_in_evidence", &location, ParquetReadOptions::default())
        .await?;
    let origin = queries::plan(ctx, "session_origin", &[]).await?;
    ctx.register_table("session_origin", origin.into_view())?;
    Ok(())
}

/// Streams every violating or unproven sign-in into `findings.csv`, cells neutralised.
async fn write_findings(ctx: &SessionContext, path: &Path, opts: &Options) -> Result<()> {
    let params = [("settling_hours", opts.settling_hours.to_string())];
    let df = queries::plan(ctx, "r1_problems", &params).await?;
    let header: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut stream = df.execute_stream().await?;
    let mut out = csv_out::CsvOut::create(path, &header)?;
    while let Some(batch) = stream.next().await {
        for row in cells(&batch?)? {
            out.row(row.iter().map(|c| c.as_deref().unwrap_or("")))?;
        }
    }
    out.finish()
}

/// A JSON object for one requirement.
pub fn requirement(id: &str, title: &str, holds: bool, figures: Value) -> Value {
    json!({ "id": id, "title": title, "holds": holds, "figures": figures })
}
