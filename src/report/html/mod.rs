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
use crate::report::model::{Report, Verdict};
use crate::report::statement::Block;

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

/// A query file, its SHA-256 and its SQL, shown folded.
#[derive(Debug, Clone)]
pub struct Sql {
    pub file: String,
    pub sha256: String,
    pub text: String,
}

/// The SQL of `file` (`queries/<name>.sql`), when the report lists it among its queries.
fn sql(report: &Report, file: &str) -> Option<Sql> {
    let q = report.queries.get(file)?;
    Some(Sql {
        file: file.to_owned(),
        sha256: q.sha256.clone(),
        text: q.text.to_owned(),
    })
}

/// The distinct query files a section's figures name, in order of appearance.
fn section_sql(report: &Report, s: &Section) -> Vec<Sql> {
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
    files.into_iter().filter_map(|f| sql(report, f)).collect()
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
    pub tool: String,
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
        tool: format!(
            "{} {}, commit {}",
            report.tool.name, report.tool.version, report.tool.commit
        ),
    }
}

/// A document the report was made under: what it is, its file and its SHA-256.
#[derive(Debug, Clone)]
pub struct Made {
    pub label: String,
    pub file: String,
    pub sha256: String,
}

/// How the report was made: the method statement, the tool, the documents, the options
/// and where the inputs are listed.
#[derive(Debug, Clone)]
pub struct About {
    pub blocks: Vec<Block>,
    pub tool: String,
    pub made: Vec<Made>,
    pub options: Vec<(String, String)>,
    pub inputs: String,
}

fn about(report: &Report) -> About {
    let m = &report.method;
    let made = |label: &str, d: &crate::report::provenance::Document| Made {
        label: label.to_owned(),
        file: d.file.clone(),
        sha256: d.sha256.clone(),
    };
    let mut documents = vec![
        made("Evidence rules (their version is this SHA-256)", &m.rules),
        made("Choices where the rules are silent", &m.choices),
        made("This method statement", &m.statement),
        made("The glossary", &m.glossary),
    ];
    documents.extend(m.vocabulary.iter().map(|d| made("Vocabulary", d)));
    About {
        blocks: m.statement_blocks.clone(),
        tool: format!(
            "{} {}, commit {}",
            report.tool.name, report.tool.version, report.tool.commit
        ),
        made: documents,
        options: report
            .options
            .shown()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
        inputs: m.inputs.clone(),
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
    about: About,
    glossary: Table,
    appendix: Vec<Sql>,
}

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
    let sections: Vec<(Section, Vec<Sql>)> = sections::build(report)
        .into_iter()
        .map(|s| {
            let q = section_sql(report, &s);
            (s, q)
        })
        .collect();
    // The queries no section shows: the foundations every figure rests on.
    let shown: Vec<&str> = sections
        .iter()
        .flat_map(|(_, qs)| qs.iter().map(|q| q.file.as_str()))
        .chain([p.query.as_str()])
        .collect();
    let appendix = report
        .queries
        .keys()
        .filter(|f| !shown.contains(&f.as_str()))
        .filter_map(|f| sql(report, f))
        .collect();
    let m = &report.method;
    let entries: Vec<_> = m.glossary_entries.iter().collect();
    let glossary = Table::new(
        "Every verdict, class, reason, finding, account status and hole",
        &m.glossary.file,
        &entries,
        entries.len(),
        &m.glossary.file,
    )
    .sortable();
    Page {
        csp: csp(),
        script: SORT_JS,
        headline: headline(report),
        sections,
        problems,
        problems_total: grouped(total),
        problems_sql: sql(report, &p.query),
        full_list,
        about: about(report),
        glossary,
        appendix,
    }
    .render()
}

#[cfg(test)]
mod tests;
