//! Sections R5 and R6 of the HTML report: the regime timeline with its audit changes, and
//! the completeness of the evidence (per-day chart, coverage, inputs with SHA-256).

use chrono::{DateTime, NaiveDate, Utc};

use super::super::charts;
use super::super::table::{Table, grouped, whole};
use super::super::timeline::{self, Change, DayCount};
use super::section::{CHANGES_CAP, INPUTS_CAP, ROWS_CAP, Section, fact};
use crate::report::requirements::{r5, r6};

fn at(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub(super) fn r5(sec: &mut Section, f: &r5::Figures, window: Option<(NaiveDate, NaiveDate)>) {
    let start = f.regime_at_window_start.as_ref();
    let first = start.and_then(|s| s.rows.first());
    let state = first
        .and_then(|r| r.security_defaults.as_deref())
        .unwrap_or("");
    let start_query = start.map_or("", |s| s.query.as_str());
    sec.facts.push(fact(
        "Security defaults at the window start",
        match first {
            Some(r) => format!(
                "{} ({})",
                state_text(state),
                r.source.as_deref().unwrap_or("")
            ),
            None => "unknown (no window)".into(),
        },
        start_query,
    ));
    let changes_fig = &f.changes;
    let (total, rest) = whole(changes_fig);
    sec.facts.push(fact(
        "Audit changes to the regime in the window",
        grouped(total as u64),
        &changes_fig.query,
    ));
    let counts: Vec<DayCount> = f
        .changes_per_day
        .rows
        .iter()
        .filter_map(|r| {
            Some(DayCount {
                date: NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").ok()?,
                family: r.family.clone(),
                changes: r.changes,
            })
        })
        .collect();
    let changes: Vec<Change> = changes_fig
        .rows
        .iter()
        .filter_map(|r| {
            Some(Change {
                at: at(&r.at)?,
                family: r.family.clone(),
                new_state: r.new_state.clone().unwrap_or_default(),
                activity: r.activity.clone().unwrap_or_default(),
                target: r.target.clone().unwrap_or_default(),
            })
        })
        .collect();
    let mut chart = timeline::timeline(
        "Regime timeline with audit changes",
        &changes_fig.query,
        window,
        state,
        (&changes, &counts, total),
    );
    chart.note = Some(format!(
        "Security-defaults state at the start from {start_query}."
    ));
    sec.charts.push(chart);
    let rows: Vec<&r5::ChangeRow> = changes_fig.rows.iter().collect();
    sec.tables.push(
        Table::new(
            "Regime changes in the window",
            &changes_fig.query,
            &rows,
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

pub(super) fn r6(sec: &mut Section, f: &r6::Figures, window: Option<(NaiveDate, NaiveDate)>) {
    let per_day = &f.sign_ins_per_day;
    let m = &f.manifest;
    let failing = f.holes.iter().filter(|h| h.fails_r6()).count();
    sec.facts.push(fact(
        "Holes in the evidence (those that make R6 fail)",
        format!(
            "{} ({})",
            grouped(f.holes.len() as u64),
            grouped(failing as u64)
        ),
        r6::HOLE_SOURCES,
    ));
    sec.facts.push(fact(
        "Days without user sign-ins (per event type)",
        grouped(f.days_without_data.rows.len() as u64),
        &f.days_without_data.query,
    ));
    sec.facts.push(fact(
        "Duplicates dropped at ingest",
        grouped(m.duplicates_dropped),
        m.source,
    ));
    sec.facts.push(fact(
        "Records quarantined",
        grouped(m.quarantined),
        m.source,
    ));
    let day_rows: Vec<(String, String, u64)> = per_day
        .rows
        .iter()
        .map(|r| (r.date.clone(), r.verdict.clone(), r.sign_ins))
        .collect();
    sec.charts.push(charts::per_day(
        "Sign-ins per day, stacked by verdict",
        &per_day.query,
        &day_rows,
        window,
    ));
    let holes: Vec<&r6::Hole> = f.holes.iter().collect();
    sec.tables.extend([
        Table::new(
            "Holes in the evidence, and what each prevents proving",
            r6::HOLE_SOURCES,
            &holes,
            ROWS_CAP,
            "report.json",
        ),
        Table::of_figure("Coverage per event type", &f.coverage, ROWS_CAP),
        Table::of_figure("Days without user sign-ins", &f.days_without_data, ROWS_CAP),
        Table::of_figure(
            "Provisional sign-ins (settling window)",
            &f.settling,
            ROWS_CAP,
        ),
        Table::of_figure(
            "Claims chaining to an MFA origin inside the window",
            &f.claim_chaining,
            ROWS_CAP,
        ),
        Table::of_figure(
            "Sign-ins per day and verdict",
            per_day,
            charts::MAX_COLUMNS * 5,
        )
        .folded(),
    ]);
    let inputs: Vec<&r6::Input> = m.inputs.iter().collect();
    let mut t = Table::new(
        "Inputs with SHA-256",
        m.source,
        &inputs,
        INPUTS_CAP,
        "report.json and the lake's manifest.json",
    )
    .sortable();
    t.folded = inputs.len() > 50;
    sec.tables.push(t);
}
