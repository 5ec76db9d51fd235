//! Assembles the report: the requirements in their order, the verdict, the headline
//! figures (sign-ins, tenants) and the first violating or unproven sign-ins.

use std::path::{Path, PathBuf};

use chrono::Utc;
use datafusion::prelude::SessionContext;

use super::figures::{Count, figure};
use super::model::{Problems, REPORT_VERSION, Report, Verdict, Window};
use super::options::Options;
use super::provenance::{Method, Tool, query_texts};
use super::read;
use super::requirements::{self, Requirement, context::Context};
use super::rows::is_problem;
use crate::evidence::queries;
use crate::report::Result;
use crate::storage::Location;

/// The query listing the problems (all of them go to findings.csv).
pub const PROBLEMS: &str = "r1_problems";
/// The query naming the tenants.
const TENANTS: &str = "report_tenants";
/// The file with every violating or unproven sign-in.
pub const FINDINGS_CSV: &str = "findings.csv";

/// Builds the report over the (materialised) session, writing the long figures' CSV
/// files into `out`; returns the report and the CSV files kept.
pub async fn build(
    session: &SessionContext,
    lake: &Location,
    out: &Path,
    opts: &Options,
) -> Result<(Report, Vec<PathBuf>)> {
    let mut cx = Context::new(session, lake, out, opts).await?;
    let requirements = requirements::build(&mut cx).await?;
    let holes = requirements.iter().find_map(|r| match &r.figures {
        requirements::Figures::R6(f) => Some(f.holes.len()),
        _ => None,
    });
    let verdict = Verdict::of(&requirements, holes.unwrap_or(0));
    let file = queries::get(PROBLEMS)?.file();
    let df = queries::plan(session, PROBLEMS, &cx.settling()).await?;
    let df = df.limit(0, Some(opts.listed_problems))?;
    let listed = read::rows(&file, &queries::collect(PROBLEMS, df).await?)?;
    let report = Report {
        generated_at: Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        lake: lake.to_string(),
        method: Method::this(inputs_pointer(&requirements)),
        options: opts.recorded(),
        problems: Problems {
            full_list: FINDINGS_CSV,
            listed,
            query: file,
            total: cx.by_class.sum(|r| is_problem(&r.verdict), |r| r.sign_ins),
        },
        queries: query_texts(report_queries())?,
        report_version: REPORT_VERSION,
        requirements,
        settling_hours: opts.settling_hours,
        sign_ins: Count::of(cx.coverage.sum(|_| true, |r| r.sign_ins), &cx.coverage),
        tenants: figure(session, TENANTS, &[]).await?,
        tool: Tool::this(),
        verdict,
        window: cx.window.map(|(from, to)| Window { from, to }),
    };
    Ok((report, cx.files))
}

/// Every query a figure of the report comes from: those the figures name, and the
/// foundations every session runs first (the classification, the timelines, conditional
/// access).
pub fn report_queries() -> impl Iterator<Item = &'static str> {
    let figures = requirements::QUERIES
        .iter()
        .flat_map(|(_, names)| names.iter());
    crate::evidence::FOUNDATIONS
        .iter()
        .chain(figures)
        .chain([&PROBLEMS, &TENANTS])
        .copied()
}

/// The JSON Pointer of the inputs' list in `report.json` (R6's manifest figure).
fn inputs_pointer(requirements: &[Requirement]) -> String {
    let r6 = requirements
        .iter()
        .position(|r| r.id == requirements::r6::ID)
        .unwrap_or(0);
    format!("/requirements/{r6}/figures/manifest/inputs")
}
