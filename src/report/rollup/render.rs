//! `rollup.md` and `rollup.html`, rendered from the same values as `rollup.json`.

use std::fmt::Write as _;

use askama::Template;

use super::{Rollup, TenantSummary};
use crate::report::escape::markdown_cell;
use crate::report::html::table::grouped;
use crate::report::model::Verdict;

/// A requirement's result in words.
fn result(r: &super::RequirementSummary) -> (&'static str, &'static str) {
    match () {
        () if !r.evidenced => ("unknown", "not evidenced"),
        () if r.holds => ("holds", "holds"),
        () => ("fails", "FAILS"),
    }
}

/// The requirements' ids and titles (every tenant's report has the same ones).
fn requirements(rollup: &Rollup) -> Vec<(&'static str, &'static str)> {
    rollup.tenants.first().map_or_else(Vec::new, |t| {
        t.requirements.iter().map(|r| (r.id, r.title)).collect()
    })
}

/// `rollup.md`.
pub fn markdown(rollup: &Rollup) -> String {
    let mut md = String::new();
    let reqs = requirements(rollup);
    let _ = writeln!(md, "# MFA evidence roll-up\n");
    let _ = writeln!(
        md,
        "Worst verdict: **{}**, over {} tenants, each evaluated on its own evidence only; \
         its full report is in its folder.\n",
        rollup.verdict.text(),
        rollup.tenants.len()
    );
    let _ = writeln!(
        md,
        "Generated {} from lake `{}` by {} {} (commit {}); roll-up schema version {}.\n",
        rollup.generated_at,
        markdown_cell(&rollup.lake),
        rollup.tool.name,
        rollup.tool.version,
        rollup.tool.commit,
        rollup.rollup_version
    );
    let _ = writeln!(md, "## Tenants, worst first\n");
    let ids: String = reqs.iter().map(|(id, _)| format!(" {id} |")).collect();
    let _ = writeln!(
        md,
        "| tenant | verdict | sign-ins | violating or unproven | holes |{ids} report |"
    );
    let rule: String = reqs.iter().map(|_| "---|").collect();
    let _ = writeln!(md, "|---|---|---:|---:|---:|{rule}---|");
    for t in &rollup.tenants {
        let cells: String = t
            .requirements
            .iter()
            .map(|r| format!(" {} |", result(r).1))
            .collect();
        let id = markdown_cell(&t.tenant_id);
        let _ = writeln!(
            md,
            "| {id} | {} | {} | {} | {} |{cells} [report.md]({id}/report.md) |",
            t.verdict.text(),
            grouped(t.sign_ins),
            grouped(t.problems),
            t.holes
        );
    }
    let _ = writeln!(md);
    for (id, title) in reqs {
        let _ = writeln!(md, "- {id}: {title}");
    }
    md
}

/// A tenant's row of the HTML table.
struct Row {
    tenant_id: String,
    tone: &'static str,
    verdict: &'static str,
    sign_ins: String,
    problems: String,
    holes: usize,
    requirements: Vec<(&'static str, &'static str)>,
    link: Option<String>,
    folder: String,
}

#[derive(Template)]
#[template(path = "rollup.html", escape = "html")]
struct Page {
    csp: &'static str,
    tone: &'static str,
    verdict: &'static str,
    generated_at: String,
    lake: String,
    version: &'static str,
    tool: String,
    tenants: Vec<Row>,
    requirement_ids: Vec<&'static str>,
    requirement_titles: Vec<(&'static str, &'static str)>,
}

fn tone(v: Verdict) -> &'static str {
    match v {
        Verdict::Compliant => "ok",
        Verdict::CompliantOnAvailableEvidence => "partial",
        Verdict::NotCompliant => "bad",
    }
}

fn row(t: &TenantSummary, html: bool) -> Row {
    Row {
        tenant_id: t.tenant_id.clone(),
        tone: match t.verdict {
            Verdict::Compliant => "holds",
            Verdict::CompliantOnAvailableEvidence => "unknown",
            Verdict::NotCompliant => "fails",
        },
        verdict: t.verdict.text(),
        sign_ins: grouped(t.sign_ins),
        problems: grouped(t.problems),
        holes: t.holes,
        requirements: t.requirements.iter().map(result).collect(),
        link: html.then(|| format!("{}/report.html", t.tenant_id)),
        folder: format!("{}/", t.tenant_id),
    }
}

/// `rollup.html`: one self-contained page that loads nothing.
pub fn html(rollup: &Rollup) -> askama::Result<String> {
    let reqs = requirements(rollup);
    let html = rollup.options.formats.html;
    Page {
        csp: "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
        tone: tone(rollup.verdict),
        verdict: rollup.verdict.text(),
        generated_at: rollup.generated_at.clone(),
        lake: rollup.lake.clone(),
        version: rollup.rollup_version,
        tool: format!(
            "{} {}, commit {}",
            rollup.tool.name, rollup.tool.version, rollup.tool.commit
        ),
        tenants: rollup.tenants.iter().map(|t| row(t, html)).collect(),
        requirement_ids: reqs.iter().map(|(id, _)| *id).collect(),
        requirement_titles: reqs,
    }
    .render()
}
