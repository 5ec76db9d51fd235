//! The sections of the HTML report, R1–R6, each built from its part of `report.json`:
//! facts, charts and tables, every one naming its query, and capped so the page stays
//! small however large the tenant.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::charts::{self, BarRow, Change, Chart};
use super::table::{Table, grouped, rows};

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

fn fact(label: &str, value: impl Into<String>, source: &str) -> Fact {
    Fact {
        label: label.to_owned(),
        value: value.into(),
        source: source.to_owned(),
    }
}

/// A `{count, query}` value as a fact.
fn count_fact(label: &str, v: &Value) -> Fact {
    fact(
        label,
        grouped(v["count"].as_u64().unwrap_or(0)),
        v["query"].as_str().unwrap_or(""),
    )
}

fn s<'a>(row: &'a Value, col: &str) -> &'a str {
    row[col].as_str().unwrap_or("")
}

fn n(row: &Value, col: &str) -> u64 {
    row[col].as_u64().unwrap_or(0)
}

fn query(fig: &Value) -> &str {
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
    let reqs = report["requirements"].as_array().map_or(&[][..], Vec::as_slice);
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
                "R1" => r1(&mut section, f),
                "R2" => r2(&mut section, f),
                "R3" => r3(&mut section, f),
                "R4" => r4(&mut section, f),
                "R5" => r5(&mut section, f, window),
                "R6" => r6(&mut section, f, window),
                _ => {}
            }
            section
        })
        .collect()
}

/// Bars per group, each segmented by verdict.
fn by_verdict(groups: Vec<(String, [u64; 5])>) -> Vec<BarRow> {
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

fn verdict_index(v: &str) -> Option<usize> {
    charts::VERDICTS.iter().position(|(name, _)| *name == v)
}

fn verdict_legend() -> Vec<(&'static str, &'static str)> {
    vec![
        ("v-satisfied", "satisfied"),
        ("v-accepted", "accepted"),
        ("v-not_applicable", "not applicable"),
        ("v-unproven", "unproven"),
        ("v-violation", "violation"),
    ]
}

fn r1(sec: &mut Section, f: &Value) {
    sec.facts.push(count_fact(
        "Violating or unproven user sign-ins",
        &f["violating_or_unproven_user_sign_ins"],
    ));
    let by_class = &f["sign_ins_by_class"];
    let mut groups: Vec<(String, [u64; 5])> = Vec::new();
    for row in rows(by_class) {
        if !matches!(s(row, "event_type"), "interactive_user" | "non_interactive_user") {
            continue;
        }
        let Some(v) = verdict_index(s(row, "verdict")) else {
            continue;
        };
        let class = s(row, "class").to_owned();
        match groups.iter_mut().find(|g| g.0 == class) {
            Some(g) => g.1[v] += n(row, "sign_ins"),
            None => {
                let mut c = [0; 5];
                c[v] = n(row, "sign_ins");
                groups.push((class, c));
            }
        }
    }
    groups.sort_by(|a, b| b.1.iter().sum::<u64>().cmp(&a.1.iter().sum()).then(a.0.cmp(&b.0)));
    sec.charts.push(charts::bars(
        "User sign-ins by class (how MFA was shown), by verdict",
        query(by_class),
        by_verdict(groups),
        &verdict_legend(),
    ));
    let methods = &f["mfa_methods"];
    let mut rows_m: Vec<BarRow> = Vec::new();
    let mut other = 0;
    for (i, row) in rows(methods).iter().enumerate() {
        let kind = s(row, "kind");
        if i < METHOD_BARS {
            let (class, words) = if kind == "strong" {
                ("k-strong", "sign-ins, strong method")
            } else {
                ("k-second_factor", "sign-ins, second factor")
            };
            rows_m.push(BarRow {
                label: s(row, "method").to_owned(),
                segments: vec![(n(row, "sign_ins"), class.into(), words.into())],
            });
        } else {
            other += n(row, "sign_ins");
        }
    }
    if other > 0 {
        rows_m.push(BarRow {
            label: "(other methods)".into(),
            segments: vec![(other, "k-second_factor".into(), "sign-ins".into())],
        });
    }
    sec.charts.push(charts::bars(
        "MFA method mix (classes strong_auth and mfa_completed)",
        query(methods),
        rows_m,
        &[("k-strong", "strong (phishing-resistant) method"), ("k-second_factor", "second factor")],
    ));
    sec.tables.push(Table::of_figure(
        "Sign-ins by event type, user type, class and verdict",
        by_class,
        &["event_type", "user_type", "class", "verdict", "sign_ins"],
        ROWS_CAP,
    ));
}

fn problems(row: &Value) -> u64 {
    n(row, "violation") + n(row, "unproven")
}

const ACCOUNT_COLUMNS: [&str; 10] = [
    "user_principal_name",
    "user_display_name",
    "special",
    "sign_ins",
    "satisfied",
    "accepted",
    "violation",
    "unproven",
    "first_seen",
    "last_seen",
];

/// Accounts with problems first (most first), then the others in the query's order.
fn problem_first<'a>(list: impl Iterator<Item = &'a Value>) -> Vec<&'a Value> {
    let mut v: Vec<&Value> = list.collect();
    v.sort_by_key(|r| std::cmp::Reverse(problems(r)));
    v
}

fn r2(sec: &mut Section, f: &Value) {
    sec.facts.push(count_fact(
        "Violating or unproven sign-ins of emergency-access and technical accounts",
        &f["special_account_problems"],
    ));
    let accounts = &f["accounts"];
    let q = query(accounts);
    let all = rows(accounts);
    sec.facts.push(fact("Accounts that signed in", grouped(all.len() as u64), q));
    let list = |k: &str| -> String {
        let v: Vec<&str> = f[k].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if v.is_empty() { "none".into() } else { v.join(", ") }
    };
    sec.facts.push(fact("Emergency-access accounts configured", list("emergency_accounts_configured"), "command line"));
    sec.facts.push(fact("Technical accounts configured (besides Sync_* and the sync service account)", list("technical_accounts_configured"), "command line"));
    sec.facts.push(fact("Configured emergency-access accounts without sign-ins", list("emergency_accounts_without_sign_ins"), q));
    let with_problems = problem_first(all.iter().filter(|r| problems(r) > 0));
    let bars: Vec<BarRow> = with_problems
        .iter()
        .take(ACCOUNT_BARS)
        .map(|r| BarRow {
            label: match s(r, "user_principal_name") {
                "" => s(r, "user_id").to_owned(),
                upn => upn.to_owned(),
            },
            segments: vec![
                (n(r, "violation"), "v-violation".into(), "violation".into()),
                (n(r, "unproven"), "v-unproven".into(), "unproven".into()),
            ],
        })
        .collect();
    let mut chart = charts::bars(
        "Accounts with violating or unproven sign-ins",
        q,
        bars,
        &[("v-violation", "violation"), ("v-unproven", "unproven")],
    );
    if with_problems.len() > ACCOUNT_BARS {
        chart.note = Some(format!(
            "The {ACCOUNT_BARS} accounts with the most of {}; all are in the table below and in report.json.",
            with_problems.len()
        ));
    }
    sec.charts.push(chart);
    let special = problem_first(all.iter().filter(|r| !r["special"].is_null()));
    sec.tables.push(
        Table::new("Emergency-access and technical accounts", q, &special, &ACCOUNT_COLUMNS, ACCOUNTS_CAP, "report.json").sortable(),
    );
    let others = problem_first(all.iter().filter(|r| r["special"].is_null()));
    let mut t = Table::new("Every other account (accounts with problems first)", q, &others, &ACCOUNT_COLUMNS, ACCOUNTS_CAP, "report.json").sortable();
    if t.more.is_some() {
        sec.notes.push(format!("The per-account table lists {ACCOUNTS_CAP} of {} accounts, those with violating or unproven sign-ins first.", others.len()));
    }
    t.folded = others.len() > 50;
    sec.tables.push(t);
}

fn r3(sec: &mut Section, f: &Value) {
    sec.facts.push(count_fact("Sign-ins that skipped MFA by location", &f["sign_ins"]));
    sec.tables.push(Table::of_figure(
        "Location skips per account",
        &f["location_skips"],
        &["user_principal_name", "reason", "sign_ins", "first_seen", "last_seen"],
        ROWS_CAP,
    ));
}

fn r4(sec: &mut Section, f: &Value) {
    let legacy = &f["legacy"];
    for (k, words) in [
        ("app_password", "App-password sign-ins under enforced per-user MFA (accepted)"),
        ("legacy_single_factor", "Legacy single-factor sign-ins (violation)"),
        ("legacy_unverified", "Legacy sign-ins with per-user MFA state unknown (unproven)"),
    ] {
        sec.facts.push(count_fact(words, &f[k]));
    }
    let mut groups: Vec<(String, [u64; 5])> = ["app_password", "legacy_single_factor", "legacy_unverified"]
        .iter()
        .map(|c| ((*c).to_owned(), [0; 5]))
        .collect();
    for row in rows(legacy) {
        if let (Some(g), Some(v)) = (
            groups.iter_mut().find(|g| g.0 == s(row, "class")),
            verdict_index(s(row, "verdict")),
        ) {
            g.1[v] += n(row, "sign_ins");
        }
    }
    sec.charts.push(charts::bars("Legacy sign-ins by class", query(legacy), by_verdict(groups), &verdict_legend()));
    sec.tables.push(Table::of_figure(
        "Legacy and app-password sign-ins per client app",
        legacy,
        &["class", "verdict", "client_app_used", "sign_ins", "accounts"],
        ROWS_CAP,
    ));
}

fn at(row: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s(row, "at")).ok().map(|t| t.with_timezone(&Utc))
}

fn r5(sec: &mut Section, f: &Value, window: Option<(NaiveDate, NaiveDate)>) {
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
    sec.facts.push(fact("Audit changes to the regime in the window", grouped(all.len() as u64), query(changes_fig)));
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
    let mut chart = charts::timeline("Regime timeline with audit changes", query(changes_fig), window, state, &changes);
    chart.note = Some(format!("Security-defaults state at the start from {}.", query(start)));
    sec.charts.push(chart);
    let rows: Vec<&Value> = all.iter().collect();
    sec.tables.push(Table::new(
        "Regime changes in the window",
        query(changes_fig),
        &rows,
        &["at", "family", "activity", "target", "initiated_by", "old_state", "new_state", "audit_id"],
        CHANGES_CAP,
        "report.json",
    ));
}

fn state_text(s: &str) -> &str {
    if matches!(s, "on" | "off") { s } else { "unknown" }
}

fn r6(sec: &mut Section, f: &Value, window: Option<(NaiveDate, NaiveDate)>) {
    let per_day = &f["sign_ins_per_day"];
    let m = &f["manifest"];
    let missing = rows(&f["days_without_data"]).len();
    sec.facts.push(fact("Days without user sign-ins (per event type)", grouped(missing as u64), query(&f["days_without_data"])));
    sec.facts.push(fact("Duplicates dropped at ingest", grouped(n(m, "duplicates_dropped")), "manifest.json"));
    sec.facts.push(fact("Records quarantined", grouped(n(m, "quarantined")), "manifest.json"));
    let day_rows: Vec<(String, String, u64)> = rows(per_day)
        .iter()
        .map(|r| (s(r, "date").to_owned(), s(r, "verdict").to_owned(), n(r, "sign_ins")))
        .collect();
    sec.charts.push(charts::per_day("Sign-ins per day, stacked by verdict", query(per_day), &day_rows, window));
    sec.tables.push(Table::of_figure(
        "Coverage per event type",
        &f["coverage"],
        &["event_type", "sign_ins", "first_sign_in", "last_sign_in", "days_with_data"],
        ROWS_CAP,
    ));
    sec.tables.push(Table::of_figure("Days without user sign-ins", &f["days_without_data"], &["event_type", "date"], ROWS_CAP));
    sec.tables.push(Table::of_figure(
        "Provisional sign-ins (settling window)",
        &f["settling"],
        &["newest_sign_in", "settling_hours", "verdict", "provisional_sign_ins"],
        ROWS_CAP,
    ));
    sec.tables.push(Table::of_figure(
        "Claims chaining to an MFA origin inside the window",
        &f["claim_chaining"],
        &["class", "sign_ins", "chained", "share_chained"],
        ROWS_CAP,
    ));
    sec.tables.push(Table::of_figure(
        "Sign-ins per day and verdict",
        per_day,
        &["date", "verdict", "sign_ins"],
        charts::MAX_COLUMNS * 5,
    ).folded());
    let inputs: Vec<&Value> = m["inputs"].as_array().into_iter().flatten().collect();
    let mut t = Table::new(
        "Inputs with SHA-256",
        "manifest.json",
        &inputs,
        &["path", "formats", "sha256", "size", "records", "quarantined"],
        INPUTS_CAP,
        "report.json and the lake's manifest.json",
    )
    .sortable();
    t.folded = inputs.len() > 50;
    sec.tables.push(t);
}
