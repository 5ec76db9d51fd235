//! What a section of the HTML report is made of: its facts, charts and tables, the caps
//! that keep it small, and the helpers the sections share.

use super::super::charts::{self, BarRow, Chart};
use super::super::table::{Table, grouped};
use crate::report::figures::Count;

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
    /// Whether the evidence could decide it at all.
    pub evidenced: bool,
    pub facts: Vec<Fact>,
    pub charts: Vec<Chart>,
    pub tables: Vec<Table>,
    pub notes: Vec<String>,
}

pub fn fact(label: &str, value: impl Into<String>, source: &str) -> Fact {
    Fact {
        label: label.to_owned(),
        value: value.into(),
        source: source.to_owned(),
    }
}

/// A count as a fact.
pub fn count_fact(label: &str, c: &Count) -> Fact {
    fact(label, grouped(c.count), &c.query)
}

/// Bars per group, each segmented by verdict.
pub fn by_verdict(groups: Vec<(String, [u64; 5])>) -> Vec<BarRow> {
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

pub fn verdict_index(v: &str) -> Option<usize> {
    charts::VERDICTS.iter().position(|(name, _)| *name == v)
}

pub fn verdict_legend() -> Vec<(&'static str, &'static str)> {
    vec![
        ("v-satisfied", "satisfied"),
        ("v-accepted", "accepted"),
        ("v-not_applicable", "not applicable"),
        ("v-unproven", "unproven"),
        ("v-violation", "violation"),
    ]
}
