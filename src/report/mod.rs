//! The report layer, above `evidence`: `evaluate` classifies the lake once, builds the
//! report of requirements R1–R6 (evidence rules §7, `docs/evidence-rules.md`) as typed
//! values (`model`), and writes `report.json` (always: their serialisation, the
//! canonical result) and, as asked, `report.md`, `findings.csv` and `report.html`, each
//! rendered from the same values. The JSON schema is documented in
//! `docs/report-schema.md`, the HTML report in `docs/report-html.md`.
//!
//! Every file `evaluate` writes is listed with its SHA-256 in `SHA256SUMS` (`sums`);
//! `verify` checks a folder against it and, with the lake, evaluates again with the
//! options `report.json` records and compares every figure.
//!
//! Inside, dependencies point one way: `read`, `cell`, `rows`, `escape`, `csv_out`,
//! `glossary`, `statement` and `difference` at the bottom; `provenance`, `options`,
//! `figures`, `listing` and `sums` on them; `requirements` (one module per requirement) on
//! those; `model` and `build` on the requirements; the renderers (`markdown`, `html`) and
//! this module on top, and `verify` above it.

pub mod build;
pub mod cell;
pub mod csv_out;
pub mod difference;
mod error;
pub mod escape;
pub mod figures;
pub mod glossary;
pub mod html;
pub mod listing;
pub mod markdown;
pub mod model;
pub mod options;
pub mod provenance;
pub mod read;
pub mod requirements;
pub mod rollup;
pub mod rows;
pub mod statement;
pub mod sums;
pub mod verify;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use datafusion::prelude::SessionContext;
use futures::StreamExt;

pub use self::model::Report;
pub use self::options::{Formats, Options};
use crate::evidence::cells::cells;
use crate::evidence::materialise::materialise;
use crate::evidence::queries;
use crate::storage::Location;
pub use error::{Error, Result};

/// The canonical result's file name.
pub const REPORT_JSON: &str = "report.json";

/// What `evaluate` wrote and found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub report: Report,
    pub compliant: bool,
    pub files: Vec<PathBuf>,
}

/// Classifies the lake (the tenant of `opts`, or the lake's only one) and writes the
/// report files into `out`. A lake of several tenants needs a tenant: a report is one
/// tenant's (`rollup::evaluate_tenants` evaluates each).
pub async fn evaluate(lake: impl Into<Location>, out: &Path, opts: &Options) -> Result<Outcome> {
    let lake = &lake.into();
    let opts = &of_one_tenant(lake, opts)?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let ctx =
        crate::evidence::open_with(lake, opts.range, opts.tenant.as_deref(), &opts.engine).await?;
    let work = out.join(".mfaproof-work");
    std::fs::create_dir_all(&work).map_err(|e| Error::io(&work, e))?;
    let result = evaluate_in(&ctx, lake, out, &work, opts).await;
    // The materialised classification is a working file, never part of the output.
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// `opts` with its tenant: the one asked, else the lake's only tenant (none for a lake
/// without any); a lake of several without one asked is refused.
fn of_one_tenant(lake: &Location, opts: &Options) -> Result<Options> {
    if opts.tenant.is_some() {
        return Ok(opts.clone());
    }
    let held = crate::evidence::tenants(lake)?;
    if held.len() > 1 {
        return Err(crate::evidence::Error::Usage(format!(
            "{}: the lake holds {} tenants ({}); a report is one tenant's: name it",
            lake,
            held.len(),
            held.join(", ")
        ))
        .into());
    }
    Ok(Options {
        tenant: held.into_iter().next(),
        ..opts.clone()
    })
}

async fn evaluate_in(
    ctx: &SessionContext,
    lake: &Location,
    out: &Path,
    work: &Path,
    opts: &Options,
) -> Result<Outcome> {
    materialise(ctx, work).await?;
    let (report, tables) = build::build(ctx, lake, out, opts).await?;
    let json_path = out.join(REPORT_JSON);
    write_json(&json_path, &report)?;
    let mut files = vec![json_path];
    let f = opts.formats;
    if f.markdown {
        let md_path = out.join("report.md");
        std::fs::write(&md_path, markdown::render(&report)).map_err(|e| Error::io(&md_path, e))?;
        files.push(md_path);
    }
    if f.csv || f.html {
        let csv_path = out.join(build::FINDINGS_CSV);
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
    files.push(sums::write(out, &files)?);
    Ok(Outcome {
        compliant: report.compliant(),
        report,
        files,
    })
}

/// Writes `report.json` (pretty, with a final newline) without building its text in memory.
fn write_json(path: &Path, report: &Report) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, report)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    w.write_all(b"\n").map_err(|e| Error::io(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))
}

/// `report.json`'s text, as `write_json` writes it (`path` names it in an error); any
/// other JSON file of the report folder is written the same way.
pub fn write_json_text<T: serde::Serialize>(value: &T, path: &Path) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map(|text| text + "\n")
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))
}

/// Streams every violating or unproven sign-in into `findings.csv`, cells neutralised.
async fn write_findings(ctx: &SessionContext, path: &Path, opts: &Options) -> Result<()> {
    let params = [("settling_hours", opts.settling_hours.to_string())];
    let df = queries::plan(ctx, build::PROBLEMS, &params).await?;
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
