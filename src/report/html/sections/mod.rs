//! The sections of the HTML report, R1–R6, each built from its requirement's figures:
//! facts, charts and tables, every one naming its query, and capped so the page stays
//! small however large the tenant. `sign_ins.rs` builds R1–R4, `regime_coverage.rs` R5
//! and R6.

mod regime_coverage;
mod sign_ins;

use super::charts::{self, BarRow, Chart};
use super::table::{Table, grouped};
use crate::report::figures::Count;
use crate::report::model::Report;
use crate::report::requirements::Figures;

/// Accounts listed per account table (problem accounts first); the rest are in report.json.
pub const ACCOUNTS_CAP: usize = 500;
/// Accounts with violations drawn as bars.
pub const ACCOUNT_BARS: usize = 20;
/// Audit changes listed.
pub const CHANGES_CAP: usize = 300;
/// Rows of the other long tables (location skips, legacy, days without data).
pub const ROWS_CAP: usize = 200;
/// Inputs listed with their SHA-256.
pub const INPUTS_CAP: usize = 1000;
/// MFA methods drawn; the rest are summed into one bar.
pub const METHOD_BARS: usize = 12;

/// A number or text the section states, with where it comes from.
#[derive(Debug, Clone)]
pub struct Fact {
    pub label: String,
    pub value: String,
    pub source: String,
}

/// One requirement's section.
#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub code: String,
    pub title: String,
    pub holds: bool,
    /// Whether the requirement decides the verdict (R5 does not).
    pub decides: bool,
    pub facts: Vec<Fact>,
    pub charts: Vec<Chart>,
    pub tables: Vec<Table>,
    pub notes: Vec<String>,
}

pub(super) fn fact(label: &str, value: impl Into<String>, source: &str) -> Fact {
    Fact {
        label: label.to_owned(),
        value: value.into(),
        source: source.to_owned(),
    }
}

/// A count as a fact.
pub(super) fn count_fact(label: &str, c: &Count) -> Fact {
    fact(label, grouped(c.count), &c.query)
}

/// Builds R1–R6 from the report's requirements.
pub fn build(report: &Report) -> Vec<Section> {
    let window = report.window.map(|w| (w.from, w.to));
    report
        .requirements
        .iter()
        .map(|r| {
            let mut section = Section {
                id: r.id.to_lowercase(),
                code: r.id.to_owned(),
                title: r.title.to_owned(),
                holds: r.holds,
                decides: r.decides,
                facts: Vec::new(),
                charts: Vec::new(),
                tables: Vec::new(),
                notes: Vec::new(),
            };
            match &r.figures {
                Figures::R1(f) => sign_ins::r1(&mut section, f),
                Figures::R2(f) => sign_ins::r2(&mut section, f),
                Figures::R3(f) => sign_ins::r3(&mut section, f),
                Figures::R4(f) => sign_ins::r4(&mut section, f),
                Figures::R5(f) => regime_coverage::r5(&mut section, f, window),
                Figures::R6(f) => regime_coverage::r6(&mut section, f, window),
            }
            section
        })
        .collect()
}

/// Bars per group, each segmented by verdict.
pub(super) fn by_verdict(groups: Vec<(String, [u64; 5])>) -> Vec<BarRow> {
    groups
        .into_iter()
        .map(|(label, counts)| BarRow {
            label,
            segments: charts::VERDICTS
                .iter()
                .zip(counts)
                .map(|((v, words), n)| (n, format!("v-{v}"), (*words).to_owned()))
                .collect(),
        })
        .collect()
}

pub(super) fn verdict_index(v: &str) -> Option<usize> {
    charts::VERDICTS.iter().position(|(name, _)| *name == v)
}

pub(super) fn verdict_legend() -> Vec<(&'static str, &'static str)> {
    vec![
        ("v-satisfied", "satisfied"),
        ("v-accepted", "accepted"),
        ("v-not_applicable", "not applicable"),
        ("v-unproven", "unproven"),
        ("v-violation", "violation"),
    ]
}
