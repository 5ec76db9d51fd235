//! The roll-up of a lake of several tenants (a CSP partner's own tenants and its
//! customers'): `evaluate` writes each tenant's full report into `<out>/<tenant_id>/`
//! (exactly what evaluating that tenant alone writes), then `rollup.json` (always) and, as
//! the formats ask, `rollup.md` and `rollup.html`: every tenant with its verdict and
//! requirements, worst first. Each tenant is evaluated in a session of its own, so one
//! tenant's evidence never decides another's (`evidence::open`).

mod render;

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Serialize;

use super::model::{Verdict, Window};
use super::options::{Options, Recorded};
use super::provenance::Tool;
use super::{Error, Outcome, REPORT_JSON, Report, Result, evaluate, write_json_text};
use crate::storage::Location;

/// The version of `rollup.json`'s schema.
pub const ROLLUP_VERSION: &str = "1";
/// The roll-up's file names.
pub const ROLLUP_JSON: &str = "rollup.json";
pub const ROLLUP_MD: &str = "rollup.md";
pub const ROLLUP_HTML: &str = "rollup.html";

/// The roll-up (fields in key order: `rollup.json`'s keys are sorted).
#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    pub generated_at: String,
    pub lake: String,
    /// The options every tenant's report was evaluated with (each also records its tenant).
    pub options: Recorded,
    pub rollup_version: &'static str,
    /// Worst first: by verdict, then failing requirements, then violating or unproven
    /// sign-ins (most first), then tenant id.
    pub tenants: Vec<TenantSummary>,
    pub tool: Tool,
    /// The worst tenant's verdict.
    pub verdict: Verdict,
}

/// One tenant's verdict and requirements, from its report.
#[derive(Debug, Clone, Serialize)]
pub struct TenantSummary {
    /// Holes in its evidence (R6).
    pub holes: usize,
    /// Violating or unproven sign-ins.
    pub problems: u64,
    /// Its `report.json`, relative to the roll-up.
    pub report: String,
    pub requirements: Vec<RequirementSummary>,
    pub sign_ins: u64,
    pub tenant_id: String,
    pub verdict: Verdict,
    pub window: Option<Window>,
}

/// A requirement of one tenant's report.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementSummary {
    /// Whether it decides the verdict (R5 is reported only; an unevidenced one does not).
    pub decides: bool,
    pub evidenced: bool,
    pub holds: bool,
    pub id: &'static str,
    pub title: &'static str,
}

impl TenantSummary {
    fn of(tenant: &str, report: &Report) -> TenantSummary {
        TenantSummary {
            holes: report.holes().len(),
            problems: report.problems.total,
            report: format!("{tenant}/{REPORT_JSON}"),
            requirements: report
                .requirements
                .iter()
                .map(|r| RequirementSummary {
                    decides: r.decides,
                    evidenced: r.evidenced,
                    holds: r.holds,
                    id: r.id,
                    title: r.title,
                })
                .collect(),
            sign_ins: report.sign_ins.count,
            tenant_id: tenant.to_owned(),
            verdict: report.verdict,
            window: report.window,
        }
    }

    /// Requirements that decide the verdict and fail.
    pub fn failing(&self) -> usize {
        self.requirements
            .iter()
            .filter(|r| r.decides && !r.holds)
            .count()
    }
}

/// How bad a verdict is: 0 is the worst.
fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::NotCompliant => 0,
        Verdict::CompliantOnAvailableEvidence => 1,
        Verdict::Compliant => 2,
    }
}

/// Sorts tenants worst first.
fn worst_first(tenants: &mut [TenantSummary]) {
    tenants.sort_by(|a, b| {
        (rank(a.verdict), std::cmp::Reverse(a.failing()))
            .cmp(&(rank(b.verdict), std::cmp::Reverse(b.failing())))
            .then(b.problems.cmp(&a.problems))
            .then(a.tenant_id.cmp(&b.tenant_id))
    });
}

/// What `evaluate_tenants` wrote and found: each tenant's outcome (in the order asked)
/// and the roll-up.
#[derive(Debug, Clone)]
pub struct RollupOutcome {
    pub rollup: Rollup,
    pub tenants: Vec<(String, Outcome)>,
    /// The roll-up's files (each tenant's are in its outcome).
    pub files: Vec<PathBuf>,
}

/// Evaluates each of `tenants` of `lake` into `out/<tenant>/` with `opts` (its tenant set
/// to each), then writes the roll-up into `out`.
pub async fn evaluate_tenants(
    lake: impl Into<Location>,
    out: &Path,
    opts: &Options,
    tenants: &[String],
) -> Result<RollupOutcome> {
    let lake = &lake.into();
    let mut outcomes = Vec::with_capacity(tenants.len());
    for tenant in tenants {
        let dir = folder(out, tenant)?;
        let mut each = opts.clone();
        each.tenant = Some(tenant.clone());
        outcomes.push((tenant.clone(), evaluate(lake, &dir, &each).await?));
    }
    let mut summaries: Vec<TenantSummary> = outcomes
        .iter()
        .map(|(t, o)| TenantSummary::of(t, &o.report))
        .collect();
    worst_first(&mut summaries);
    let rollup = Rollup {
        generated_at: Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        lake: lake.to_string(),
        options: Options {
            tenant: None,
            ..opts.clone()
        }
        .recorded(),
        rollup_version: ROLLUP_VERSION,
        verdict: summaries.first().map_or(Verdict::Compliant, |t| t.verdict),
        tenants: summaries,
        tool: Tool::this(),
    };
    let files = write(out, &rollup, opts)?;
    Ok(RollupOutcome {
        rollup,
        tenants: outcomes,
        files,
    })
}

/// The folder of `tenant`'s report: a tenant id names a folder only when it cannot
/// reach outside `out`.
fn folder(out: &Path, tenant: &str) -> Result<PathBuf> {
    let plain = !tenant.is_empty()
        && tenant != "."
        && tenant != ".."
        && !tenant.contains(['/', '\\', ':', '\0']);
    if !plain {
        return Err(Error::Evidence(crate::evidence::Error::Usage(format!(
            "tenant id {tenant:?} cannot name a report folder"
        ))));
    }
    Ok(out.join(tenant))
}

/// Writes `rollup.json` and, as `opts` asks, `rollup.md` and `rollup.html`.
fn write(out: &Path, rollup: &Rollup, opts: &Options) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let json = out.join(ROLLUP_JSON);
    let text = write_json_text(rollup, &json)?;
    std::fs::write(&json, text).map_err(|e| Error::io(&json, e))?;
    let mut files = vec![json];
    if opts.formats.markdown {
        let md = out.join(ROLLUP_MD);
        std::fs::write(&md, render::markdown(rollup)).map_err(|e| Error::io(&md, e))?;
        files.push(md);
    }
    if opts.formats.html {
        let html = out.join(ROLLUP_HTML);
        let page = render::html(rollup)
            .map_err(|e| Error::io(&html, std::io::Error::other(e.to_string())))?;
        std::fs::write(&html, page).map_err(|e| Error::io(&html, e))?;
        files.push(html);
    }
    Ok(files)
}

#[cfg(test)]
mod tests;
