//! `report.html`: the evidence report for people, rendered from the same values as
//! `report.json` (one source of truth) with askama (`templates/report.html`, HTML
//! auto-escaping of every value; no `|safe` on data). One self-contained file: inline CSS,
//! charts as inline SVG, a strict Content-Security-Policy that allows no request at all,
//! and one optional inline script (allowed by its hash) that sorts tables on a click.
//! Listed rows are capped (see `sections`) so the page stays small for any tenant.

pub mod charts;
pub mod sections;
pub mod table;
pub mod timeline;

use askama::Template;
use base64::Engine;
use sha2::{Digest, Sha256};

use self::sections::Section;
use self::table::{Table, grouped};
use crate::evidence::queries;
use crate::report::model::{Report, Verdict};

/// The table-sorting script: a compile-time constant, never data.
pub const SORT_JS: &str = include_str!("../templates/sort.js");
/// Tenants named in the headline.
pub const TENANTS_SHOWN: usize = 5;

/// The Content-Security-Policy of the page: nothing may load; inline styles, `data:`
/// images and exactly the sorting script run.
pub fn csp() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SORT_JS));
    format!(
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'"
    )
}

/// A query file and its SQL, shown folded.
#[derive(Debug, Clone)]
pub struct Sql {
    pub file: String,
    pub text: String,
}

/// The SQL of `file` (`queries/<name>.sql`), when it is a registered query.
fn sql(file: &str) -> Option<Sql> {
    let name = file.strip_prefix("queries/")?.strip_suffix(".sql")?;
    let q = queries::get(name).ok()?;
    Some(Sql {
        file: file.to_owned(),
        text: q.sql.to_owned(),
    })
}

/// The distinct query files a section's figures name, in order of appearance.
fn section_sql(s: &Section) -> Vec<Sql> {
    let mut files: Vec<&str> = Vec::new();
    let sources = s
        .facts
        .iter()
        .map(|f| f.source.as_str())
        .chain(s.charts.iter().map(|c| c.source.as_str()))
        .chain(s.tables.iter().map(|t| t.source.as_str()));
    for f in sources {
        if !files.contains(&f) {
            files.push(f);
        }
    }
    files.into_iter().filter_map(sql).collect()
}

/// The headline: verdict, window, tenant, inputs.
#[derive(Debug, Clone)]
pub struct Headline {
    pub compliant: bool,
    /// The headline's style: `ok`, `partial` (compliant on the evidence available), `bad`.
    pub tone: &'static str,
    pub verdict: String,
    /// The holes in the evidence, and how many of them make R6 fail.
    pub holes: String,
    pub holes_failing: String,
    pub window: String,
    pub tenants: Vec<(String, String)>,
    pub tenants_more: usize,
    pub tenants_source: String,
    pub sign_ins: String,
    pub sign_ins_source: String,
    pub problems: String,
    pub problems_source: String,
    pub inputs: String,
    pub generated_at: String,
    pub lake: String,
    pub version: String,
    pub settling_hours: String,
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn headline(report: &Report) -> Headline {
    let compliant = report.compliant();
    let tenants = &report.tenants;
    let inputs = report
        .completeness()
        .map_or(&[][..], |f| f.manifest.inputs.as_slice());
    let mut formats: Vec<&str> = inputs
        .iter()
        .flat_map(|i| &i.formats)
        .map(String::as_str)
        .collect();
    formats.sort_unstable();
    formats.dedup();
    let records: u64 = inputs.iter().map(|i| i.records).sum();
    let bytes: u64 = inputs.iter().map(|i| i.size).sum();
    Headline {
        compliant,
        tone: match report.verdict {
            Verdict::Compliant => "ok",
            Verdict::CompliantOnAvailableEvidence => "partial",
            Verdict::NotCompliant => "bad",
        },
        verdict: capitalised(report.verdict.text()),
        holes: grouped(report.holes().len() as u64),
        holes_failing: grouped(report.holes().iter().filter(|h| h.fails_r6()).count() as u64),
        window: match report.window {
            Some(w) => format!("{} to {} (UTC, inclusive)", w.from, w.to),
            None => "none: the lake holds no sign-ins".into(),
        },
        tenants: tenants
            .rows
            .iter()
            .take(TENANTS_SHOWN)
            .map(|r| (r.tenant_id.clone(), grouped(r.sign_ins)))
            .collect(),
        tenants_more: tenants.rows.len().saturating_sub(TENANTS_SHOWN),
        tenants_source: tenants.query.clone(),
        sign_ins: grouped(report.sign_ins.count),
        sign_ins_source: report.sign_ins.query.clone(),
        problems: grouped(report.problems.total),
        problems_source: report.problems.query.clone(),
        inputs: format!(
            "{} input file(s), {} bytes, {} record(s); formats: {}",
            grouped(inputs.len() as u64),
            grouped(bytes),
            grouped(records),
            if formats.is_empty() {
                "none".to_owned()
            } else {
                formats.join(", ")
            }
        ),
        generated_at: report.generated_at.clone(),
        lake: report.lake.clone(),
        version: report.report_version.to_owned(),
        settling_hours: report.settling_hours.to_string(),
    }
}

/// The whole page.
#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    csp: String,
    script: &'static str,
    headline: Headline,
    sections: Vec<(Section, Vec<Sql>)>,
    problems: Table,
    problems_total: String,
    full_list: String,
    problems_sql: Option<Sql>,
    appendix: Vec<Sql>,
}

/// The queries the figures rest on without being one: the classification view and the
/// state timelines (shown in the appendix).
const FOUNDATIONS: [&str; 6] = [
    "classification",
    "session_origin",
    "per_user_mfa_changes",
    "per_user_mfa_timeline",
    "security_defaults_changes",
    "security_defaults_timeline",
];

/// Renders `report.html` from the report.
pub fn render(report: &Report) -> askama::Result<String> {
    let p = &report.problems;
    let listed: Vec<_> = p.listed.iter().collect();
    let total = p.total;
    let full_list = p.full_list.to_owned();
    let mut problems = Table::new(
        "First violating or unproven sign-ins",
        &p.query,
        &listed,
        listed.len(),
        &full_list,
    )
    .sortable();
    problems.total = usize::try_from(total).unwrap_or(usize::MAX);
    if problems.total > listed.len() {
        problems.more = Some(format!(
            "{} of {} sign-ins shown; all {} are in {full_list}.",
            listed.len(),
            grouped(total),
            grouped(total)
        ));
    }
    let sections = sections::build(report)
        .into_iter()
        .map(|s| {
            let q = section_sql(&s);
            (s, q)
        })
        .collect();
    Page {
        csp: csp(),
        script: SORT_JS,
        headline: headline(report),
        sections,
        problems,
        problems_total: grouped(total),
        problems_sql: sql(&p.query),
        full_list,
        appendix: FOUNDATIONS
            .iter()
            .filter_map(|n| sql(&format!("queries/{n}.sql")))
            .collect(),
    }
    .render()
}

#[cfg(test)]
mod tests;
