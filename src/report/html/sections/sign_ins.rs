//! Sections R1–R4 of the HTML report: the sign-ins by class and MFA method, the accounts
//! (emergency-access and technical ones on their own), location skips and legacy sign-ins.

use super::super::charts::{self, BarRow};
use super::super::table::{Table, grouped, whole};
use super::section::{
    ACCOUNT_BARS, ACCOUNTS_CAP, METHOD_BARS, ROWS_CAP, Section, by_verdict, count_fact, fact,
    verdict_index, verdict_legend,
};
use crate::report::requirements::r2::AccountRow;
use crate::report::requirements::{r1, r2, r3, r4};

pub(super) fn r1(sec: &mut Section, f: &r1::Figures) {
    sec.facts.push(count_fact(
        "Violating or unproven user sign-ins",
        &f.violating_or_unproven_user_sign_ins,
    ));
    let by_class = &f.sign_ins_by_class;
    let mut groups: Vec<(String, [u64; 5])> = Vec::new();
    for row in by_class.rows.iter().filter(|r| r.is_user()) {
        let Some(v) = verdict_index(&row.verdict) else {
            continue;
        };
        match groups.iter_mut().find(|g| g.0 == row.class) {
            Some(g) => g.1[v] += row.sign_ins,
            None => {
                let mut c = [0; 5];
                c[v] = row.sign_ins;
                groups.push((row.class.clone(), c));
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
        &by_class.query,
        by_verdict(groups),
        &verdict_legend(),
    ));
    sec.charts.push(methods(&f.mfa_methods));
    sec.charts.push(applications(&f.by_application));
    sec.tables.push(Table::of_figure(
        "Sign-ins by event type, user type, class and verdict",
        by_class,
        ROWS_CAP,
    ));
    sec.tables.push(
        Table::of_figure(
            "User sign-ins per application (those the partner requirements name first)",
            &f.by_application,
            ROWS_CAP,
        )
        .filterable(),
    );
}

/// The applications the partner requirements name, and the others with violating or
/// unproven sign-ins, as bars by verdict.
fn applications(apps: &crate::report::figures::Figure<r1::ApplicationRow>) -> charts::Chart {
    let groups: Vec<(String, [u64; 5])> = apps
        .rows
        .iter()
        .filter(|r| r.partner_app.is_some() || r.violation + r.unproven > 0)
        .take(ACCOUNT_BARS)
        .map(|r| {
            let label = match (&r.partner_app, &r.resource_display_name) {
                (Some(p), _) => format!("★ {p}"),
                (None, Some(n)) if !n.is_empty() => n.clone(),
                _ => r.resource_id.clone(),
            };
            let counts = [
                r.satisfied,
                r.accepted,
                r.not_applicable,
                r.unproven,
                r.violation,
            ];
            (label, counts)
        })
        .collect();
    charts::bars(
        "Where MFA was skipped, per application (★ named by the partner requirements)",
        &apps.query,
        by_verdict(groups),
        &verdict_legend(),
    )
}

/// The MFA method mix: the largest methods as bars, the rest summed into one.
fn methods(methods: &crate::report::figures::Figure<r1::MethodRow>) -> charts::Chart {
    let mut bars: Vec<BarRow> = Vec::new();
    let mut other = 0;
    for (i, row) in methods.rows.iter().enumerate() {
        if i < METHOD_BARS {
            let (class, words) = if row.kind == "strong" {
                ("k-strong", "sign-ins, strong method")
            } else {
                ("k-second_factor", "sign-ins, second factor")
            };
            bars.push(BarRow {
                label: row.method.clone(),
                segments: vec![(row.sign_ins, class.into(), words.into())],
            });
        } else {
            other += row.sign_ins;
        }
    }
    if other > 0 {
        bars.push(BarRow {
            label: "(other methods)".into(),
            segments: vec![(other, "k-second_factor".into(), "sign-ins".into())],
        });
    }
    charts::bars(
        "MFA method mix (classes strong_auth and mfa_completed)",
        &methods.query,
        bars,
        &[
            ("k-strong", "strong (phishing-resistant) method"),
            ("k-second_factor", "second factor"),
        ],
    )
}

/// Accounts with problems first (most first), then the others in the query's order.
fn problem_first<'a>(list: impl Iterator<Item = &'a AccountRow>) -> Vec<&'a AccountRow> {
    let mut v: Vec<&AccountRow> = list.collect();
    v.sort_by_key(|r| std::cmp::Reverse(r.problems()));
    v
}

/// A configured list as text ("none" when empty).
fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

pub(super) fn r2(sec: &mut Section, f: &r2::Figures) {
    sec.facts.push(count_fact(
        "Violating or unproven sign-ins of emergency-access and technical accounts",
        &f.special_account_problems,
    ));
    let accounts = &f.accounts;
    let q = accounts.query.as_str();
    let (total, rest) = whole(accounts);
    sec.facts.push(fact(
        "Accounts (directory and sign-ins)",
        grouped(total as u64),
        q,
    ));
    sec.facts.push(fact(
        "Emergency-access accounts configured",
        list(&f.emergency_accounts_configured),
        "command line",
    ));
    sec.facts.push(fact(
        "Technical accounts configured (besides Sync_* and the sync service account)",
        list(&f.technical_accounts_configured),
        "command line",
    ));
    sec.facts.push(fact(
        "Configured emergency-access accounts without sign-ins",
        list(&f.emergency_accounts_without_sign_ins),
        q,
    ));
    sec.charts.push(problem_accounts(f, rest));
    let all = &accounts.rows;
    let special = problem_first(all.iter().filter(|r| r.special.is_some()));
    sec.tables.push(
        Table::new(
            "Emergency-access and technical accounts",
            q,
            &special,
            ACCOUNTS_CAP,
            "report.json",
        )
        .filterable(),
    );
    let others = problem_first(all.iter().filter(|r| r.special.is_none()));
    // report.json lists every special account, so the others are the rest of the total.
    let others_total = total.saturating_sub(special.len()).max(others.len());
    let mut t = Table::new(
        "Every other account (accounts with problems first)",
        q,
        &others,
        ACCOUNTS_CAP,
        "report.json",
    )
    .of_total(others_total, rest)
    .filterable();
    if t.more.is_some() {
        sec.notes.push(format!("The per-account table lists {ACCOUNTS_CAP} of {} accounts, those with violating or unproven sign-ins first; every account is in {rest}.", grouped(others_total as u64)));
    }
    t.folded = others_total > 50;
    sec.tables.push(t);
}

/// The accounts with the most violating or unproven sign-ins as bars; `rest` names the
/// file with every account.
fn problem_accounts(f: &r2::Figures, rest: &str) -> charts::Chart {
    let accounts = &f.accounts;
    let with_problems = problem_first(accounts.rows.iter().filter(|r| r.problems() > 0));
    let bars: Vec<BarRow> = with_problems
        .iter()
        .take(ACCOUNT_BARS)
        .map(|r| BarRow {
            label: match r.user_principal_name.as_str() {
                "" => r.user_id.clone(),
                upn => upn.to_owned(),
            },
            segments: vec![
                (r.violation, "v-violation".into(), "violation".into()),
                (r.unproven, "v-unproven".into(), "unproven".into()),
            ],
        })
        .collect();
    let mut chart = charts::bars(
        "Accounts with violating or unproven sign-ins",
        &accounts.query,
        bars,
        &[("v-violation", "violation"), ("v-unproven", "unproven")],
    );
    let with_problems_total = f.accounts_with_problems.count;
    if with_problems_total > ACCOUNT_BARS as u64 {
        chart.note = Some(format!(
            "The {ACCOUNT_BARS} accounts with the most violating or unproven sign-ins, of {} accounts with any; every account is in {rest}.",
            grouped(with_problems_total)
        ));
    }
    chart
}

pub(super) fn r3(sec: &mut Section, f: &r3::Figures) {
    sec.facts.push(count_fact(
        "Sign-ins that skipped MFA by location",
        &f.sign_ins,
    ));
    sec.tables.push(Table::of_figure(
        "Location skips per account",
        &f.location_skips,
        ROWS_CAP,
    ));
}

/// R4's counts, each with its words and the verdict of its class (evidence rules §3).
pub(super) const R4_FACTS: [(&str, &str, &str); 3] = [
    (
        "app_password",
        "App-password sign-ins under enforced per-user MFA",
        "satisfied",
    ),
    (
        "legacy_single_factor",
        "Legacy single-factor sign-ins",
        "violation",
    ),
    (
        "legacy_unverified",
        "Legacy sign-ins with per-user MFA state unknown",
        "unproven",
    ),
];

pub(super) fn r4(sec: &mut Section, f: &r4::Figures) {
    let counts = [
        &f.app_password,
        &f.legacy_single_factor,
        &f.legacy_unverified,
    ];
    for ((_, words, verdict), count) in R4_FACTS.iter().zip(counts) {
        sec.facts
            .push(count_fact(&format!("{words} ({verdict})"), count));
    }
    let legacy = &f.legacy;
    let mut groups: Vec<(String, [u64; 5])> = r4::CLASSES
        .iter()
        .map(|c| ((*c).to_owned(), [0; 5]))
        .collect();
    for row in &legacy.rows {
        if let (Some(g), Some(v)) = (
            groups.iter_mut().find(|g| g.0 == row.class),
            verdict_index(&row.verdict),
        ) {
            g.1[v] += row.sign_ins;
        }
    }
    sec.charts.push(charts::bars(
        "Legacy sign-ins by class",
        &legacy.query,
        by_verdict(groups),
        &verdict_legend(),
    ));
    sec.tables.push(Table::of_figure(
        "Legacy and app-password sign-ins per client app",
        legacy,
        ROWS_CAP,
    ));
}

#[cfg(test)]
mod tests {
    use super::R4_FACTS;
    use crate::evidence::vocabulary;

    /// Each R4 fact names the verdict the vocabulary gives its class: app-password
    /// sign-ins under enforced per-user MFA are satisfied (rule 6), not accepted.
    #[test]
    fn r4_labels_say_the_verdict_of_their_class() {
        let tables = vocabulary::tables().unwrap();
        let classes = tables.iter().find(|t| t.name == "vocab_classes").unwrap();
        let col = |name: &str| classes.header.iter().position(|h| h == name).unwrap();
        let (class, verdict) = (col("class"), col("verdict"));
        for (name, _, said) in R4_FACTS {
            let row = classes.rows.iter().find(|r| r[class] == name).unwrap();
            assert_eq!(said, row[verdict], "{name}");
        }
    }
}
