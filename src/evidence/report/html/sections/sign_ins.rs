//! Sections R1–R4 of the HTML report: the sign-ins by class and MFA method, the accounts
//! (emergency-access and technical ones on their own), location skips and legacy sign-ins.

use serde_json::Value;

use super::super::charts::{self, BarRow};
use super::super::table::{Table, grouped, rows, whole};
use super::*;
use crate::evidence::report::columns;

pub(super) fn r1(sec: &mut Section, f: &Value) {
    sec.facts.push(count_fact(
        "Violating or unproven user sign-ins",
        &f["violating_or_unproven_user_sign_ins"],
    ));
    let by_class = &f["sign_ins_by_class"];
    let mut groups: Vec<(String, [u64; 5])> = Vec::new();
    for row in rows(by_class) {
        if !matches!(
            s(row, "event_type"),
            "interactive_user" | "non_interactive_user"
        ) {
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
    groups.sort_by(|a, b| {
        b.1.iter()
            .sum::<u64>()
            .cmp(&a.1.iter().sum())
            .then(a.0.cmp(&b.0))
    });
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
        &[
            ("k-strong", "strong (phishing-resistant) method"),
            ("k-second_factor", "second factor"),
        ],
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

/// Accounts with problems first (most first), then the others in the query's order.
fn problem_first<'a>(list: impl Iterator<Item = &'a Value>) -> Vec<&'a Value> {
    let mut v: Vec<&Value> = list.collect();
    v.sort_by_key(|r| std::cmp::Reverse(problems(r)));
    v
}

pub(super) fn r2(sec: &mut Section, f: &Value) {
    sec.facts.push(count_fact(
        "Violating or unproven sign-ins of emergency-access and technical accounts",
        &f["special_account_problems"],
    ));
    let accounts = &f["accounts"];
    let q = query(accounts);
    let all = rows(accounts);
    let (total, rest) = whole(accounts, all.len());
    sec.facts
        .push(fact("Accounts that signed in", grouped(total as u64), q));
    let list = |k: &str| -> String {
        let v: Vec<&str> = f[k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if v.is_empty() {
            "none".into()
        } else {
            v.join(", ")
        }
    };
    sec.facts.push(fact(
        "Emergency-access accounts configured",
        list("emergency_accounts_configured"),
        "command line",
    ));
    sec.facts.push(fact(
        "Technical accounts configured (besides Sync_* and the sync service account)",
        list("technical_accounts_configured"),
        "command line",
    ));
    sec.facts.push(fact(
        "Configured emergency-access accounts without sign-ins",
        list("emergency_accounts_without_sign_ins"),
        q,
    ));
    let with_problems = problem_first(all.iter().filter(|r| problems(r) > 0));
    let with_problems_total = f["accounts_with_problems"]["count"]
        .as_u64()
        .unwrap_or(with_problems.len() as u64);
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
    if with_problems_total > ACCOUNT_BARS as u64 {
        chart.note = Some(format!(
            "The {ACCOUNT_BARS} accounts with the most violating or unproven sign-ins, of {} accounts with any; every account is in {rest}.",
            grouped(with_problems_total)
        ));
    }
    sec.charts.push(chart);
    let special = problem_first(all.iter().filter(|r| !r["special"].is_null()));
    sec.tables.push(
        Table::new(
            "Emergency-access and technical accounts",
            q,
            &special,
            &columns::ACCOUNTS,
            ACCOUNTS_CAP,
            "report.json",
        )
        .sortable(),
    );
    let others = problem_first(all.iter().filter(|r| r["special"].is_null()));
    // report.json lists every special account, so the others are the rest of the total.
    let others_total = total.saturating_sub(special.len()).max(others.len());
    let mut t = Table::new(
        "Every other account (accounts with problems first)",
        q,
        &others,
        &columns::ACCOUNTS,
        ACCOUNTS_CAP,
        "report.json",
    )
    .of_total(others_total, rest)
    .sortable();
    if t.more.is_some() {
        sec.notes.push(format!("The per-account table lists {ACCOUNTS_CAP} of {} accounts, those with violating or unproven sign-ins first; every account is in {rest}.", grouped(others_total as u64)));
    }
    t.folded = others_total > 50;
    sec.tables.push(t);
}

pub(super) fn r3(sec: &mut Section, f: &Value) {
    sec.facts.push(count_fact(
        "Sign-ins that skipped MFA by location",
        &f["sign_ins"],
    ));
    sec.tables.push(Table::of_figure(
        "Location skips per account",
        &f["location_skips"],
        &[
            "user_principal_name",
            "reason",
            "sign_ins",
            "first_seen",
            "last_seen",
        ],
        ROWS_CAP,
    ));
}

pub(super) fn r4(sec: &mut Section, f: &Value) {
    let legacy = &f["legacy"];
    for (k, words) in [
        (
            "app_password",
            "App-password sign-ins under enforced per-user MFA (accepted)",
        ),
        (
            "legacy_single_factor",
            "Legacy single-factor sign-ins (violation)",
        ),
        (
            "legacy_unverified",
            "Legacy sign-ins with per-user MFA state unknown (unproven)",
        ),
    ] {
        sec.facts.push(count_fact(words, &f[k]));
    }
    let mut groups: Vec<(String, [u64; 5])> =
        ["app_password", "legacy_single_factor", "legacy_unverified"]
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
    sec.charts.push(charts::bars(
        "Legacy sign-ins by class",
        query(legacy),
        by_verdict(groups),
        &verdict_legend(),
    ));
    sec.tables.push(Table::of_figure(
        "Legacy and app-password sign-ins per client app",
        legacy,
        &[
            "class",
            "verdict",
            "client_app_used",
            "sign_ins",
            "accounts",
        ],
        ROWS_CAP,
    ));
}
