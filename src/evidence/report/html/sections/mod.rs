//! The sections of the HTML report, R1–R6, each built from its part of `report.json`:
//! facts, charts and tables, every one naming its query, and capped so the page stays
//! small however large the tenant. `sign_ins.rs` builds R1–R4, `regime_coverage.rs` R5
//! and R6.

mod regime_coverage;
mod sign_ins;

use chrono::NaiveDate;
use serde_json::Value;

use super::charts::{self, BarRow, Chart};
use super::table::{Table, grouped};

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

/// A `{count, query}` value as a fact.
pub(super) fn count_fact(label: &str, v: &Value) -> Fact {
    fact(
        label,
        grouped(v["count"].as_u64().unwrap_or(0)),
        v["query"].as_str().unwrap_or(""),
    )
}

pub(super) fn s<'a>(row: &'a Value, col: &str) -> &'a str {
    row[col].as_str().unwrap_or("")
}

pub(super) fn n(row: &Value, col: &str) -> u64 {
    row[col].as_u64().unwrap_or(0)
}

pub(super) fn query(fig: &Value) -> &str {
    fig["query"].as_str().unwrap_or("")
}

/// The evidence window of the report.
pub fn window(report: &Value) -> Option<(NaiveDate, NaiveDate)> {
    let day = |k: &str| NaiveDate::parse_from_str(report["window"][k].as_str()?, "%Y-%m-%d").ok();
    day("from").zip(day("to"))
}

/// Builds R1–R6 from the report's `requirements`.
pub fn build(report: &Value) -> Vec<Section> {
    let window = window(report);
    let reqs = report["requirements"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    reqs.iter()
        .map(|r| {
            let code = s(r, "id").to_owned();
            let mut section = Section {
                id: code.to_lowercase(),
                title: s(r, "title").to_owned(),
                holds: r["holds"] == true,
                decides: code != "R5",
                code,
                facts: Vec::new(),
                charts: Vec::new(),
                tables: Vec::new(),
                notes: Vec::new(),
            };
            let f = &r["figures"];
            match section.code.as_str() {
                "R1" => sign_ins::r1(&mut section, f),
                "R2" => sign_ins::r2(&mut section, f),
                "R3" => sign_ins::r3(&mut section, f),
                "R4" => sign_ins::r4(&mut section, f),
                "R5" => regime_coverage::r5(&mut section, f, window),
                "R6" => regime_coverage::r6(&mut section, f, window),
                _ => {}
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
