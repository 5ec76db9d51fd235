//! Sections R5 and R6 of the HTML report: the regime timeline with its audit changes, and
//! the completeness of the evidence (per-day chart, coverage, inputs with SHA-256).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::super::charts::{self, Change, DayCount};
use super::super::table::{Table, grouped, rows, whole};
use super::*;
use crate::evidence::report::columns;

fn at(row: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s(row, "at"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub(super) fn r5(sec: &mut Section, f: &Value, window: Option<(NaiveDate, NaiveDate)>) {
    let start = &f["regime_at_window_start"];
    let first = rows(start).first();
    let state = first.map_or("", |r| s(r, "security_defaults"));
    sec.facts.push(fact(
        "Security defaults at the window start",
        match first {
            Some(r) => format!("{} ({})", state_text(state), s(r, "source")),
            None => "unknown (no window)".into(),
        },
        query(start),
    ));
    let changes_fig = &f["changes"];
    let all = rows(changes_fig);
    let (total, rest) = whole(changes_fig, all.len());
    sec.facts.push(fact(
        "Audit changes to the regime in the window",
        grouped(total as u64),
        query(changes_fig),
    ));
    let counts: Vec<DayCount> = rows(&f["changes_per_day"])
        .iter()
        .filter_map(|r| {
            Some(DayCount {
                date: NaiveDate::parse_from_str(s(r, "date"), "%Y-%m-%d").ok()?,
                family: s(r, "family").to_owned(),
                changes: n(r, "changes"),
            })
        })
        .collect();
    let changes: Vec<Change> = all
        .iter()
        .filter_map(|r| {
            Some(Change {
                at: at(r)?,
                family: s(r, "family").to_owned(),
                new_state: s(r, "new_state").to_owned(),
                activity: s(r, "activity").to_owned(),
                target: s(r, "target").to_owned(),
            })
        })
        .collect();
    let mut chart = charts::timeline(
        "Regime timeline with audit changes",
        query(changes_fig),
        window,
        state,
        (&changes, &counts, total),
    );
    chart.note = Some(format!(
        "Security-defaults state at the start from {}.",
        query(start)
    ));
    sec.charts.push(chart);
    let rows: Vec<&Value> = all.iter().collect();
    sec.tables.push(
        Table::new(
            "Regime changes in the window",
            query(changes_fig),
            &rows,
            &columns::CHANGES,
            CHANGES_CAP,
            "report.json",
        )
        .of_total(total, rest),
    );
}

fn state_text(s: &str) -> &str {
    if matches!(s, "on" | "off") {
        s
    } else {
        "unknown"
    }
}

pub(super) fn r6(sec: &mut Section, f: &Value, window: Option<(NaiveDate, NaiveDate)>) {
    let per_day = &f["sign_ins_per_day"];
    let m = &f["manifest"];
    let missing = rows(&f["days_without_data"]).len();
    sec.facts.push(fact(
        "Days without user sign-ins (per event type)",
        grouped(missing as u64),
        query(&f["days_without_data"]),
    ));
    sec.facts.push(fact(
        "Duplicates dropped at ingest",
        grouped(n(m, "duplicates_dropped")),
        "manifest.json",
    ));
    sec.facts.push(fact(
        "Records quarantined",
        grouped(n(m, "quarantined")),
        "manifest.json",
    ));
    let day_rows: Vec<(String, String, u64)> = rows(per_day)
        .iter()
        .map(|r| {
            (
                s(r, "date").to_owned(),
                s(r, "verdict").to_owned(),
                n(r, "sign_ins"),
            )
        })
        .collect();
    sec.charts.push(charts::per_day(
        "Sign-ins per day, stacked by verdict",
        query(per_day),
        &day_rows,
        window,
    ));
    sec.tables.push(Table::of_figure(
        "Coverage per event type",
        &f["coverage"],
        &[
            "event_type",
            "sign_ins",
            "first_sign_in",
            "last_sign_in",
            "days_with_data",
        ],
        ROWS_CAP,
    ));
    sec.tables.push(Table::of_figure(
        "Days without user sign-ins",
        &f["days_without_data"],
        &["event_type", "date"],
        ROWS_CAP,
    ));
    sec.tables.push(Table::of_figure(
        "Provisional sign-ins (settling window)",
        &f["settling"],
        &[
            "newest_sign_in",
            "settling_hours",
            "verdict",
            "provisional_sign_ins",
        ],
        ROWS_CAP,
    ));
    sec.tables.push(Table::of_figure(
        "Claims chaining to an MFA origin inside the window",
        &f["claim_chaining"],
        &["class", "sign_ins", "chained", "share_chained"],
        ROWS_CAP,
    ));
    sec.tables.push(
        Table::of_figure(
            "Sign-ins per day and verdict",
            per_day,
            &["date", "verdict", "sign_ins"],
            charts::MAX_COLUMNS * 5,
        )
        .folded(),
    );
    let inputs: Vec<&Value> = m["inputs"].as_array().into_iter().flatten().collect();
    let mut t = Table::new(
        "Inputs with SHA-256",
        "manifest.json",
        &inputs,
        &[
            "path",
            "formats",
            "sha256",
            "size",
            "records",
            "quarantined",
        ],
        INPUTS_CAP,
        "report.json and the lake's manifest.json",
    )
    .sortable();
    t.folded = inputs.len() > 50;
    sec.tables.push(t);
}
