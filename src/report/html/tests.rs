//! The page stays small however large the tenant: a synthetic report with tens of
//! thousands of accounts, inputs, changes and ten years of days renders under 5 MB, and
//! its size does not grow with the number of rows (only the capped rows are listed).

use super::render;
use super::sections::{ACCOUNTS_CAP, CHANGES_CAP, INPUTS_CAP};
use crate::report::build::report_queries;
use crate::report::figures::{Count, Figure};
use crate::report::model::{Problems, Report, Verdict, Window};
use crate::report::options::Options;
use crate::report::provenance::{Method, Tool, query_texts};
use crate::report::requirements::r2::{AccountBrief, AccountRow, Special};
use crate::report::requirements::r3::LocationSkipRow;
use crate::report::requirements::r5::ChangeRow;
use crate::report::requirements::r6::{DayVerdictRow, Hole, Input, ManifestFigures};
use crate::report::requirements::{Figures, Requirement, r1, r2, r3, r4, r5, r6, r8};
use crate::report::rows::{ProblemRow, TenantRow};

fn fig<R>(query: &str, rows: Vec<R>) -> Figure<R> {
    Figure::whole(format!("queries/{query}.sql"), rows)
}

fn count(n: u64, query: &str) -> Count {
    Count {
        count: n,
        query: format!("queries/{query}.sql"),
    }
}

fn accounts(scale: usize) -> Vec<AccountRow> {
    (0..scale)
        .map(|i| AccountRow {
            user_principal_name: format!("user.with.a.long.name.{i:07}@contoso.example"),
            user_id: format!("00000000-0000-0000-0000-{i:012}"),
            user_display_name: Some(format!("User Number {i}")),
            sign_ins: 500,
            satisfied: 490,
            accepted: 5,
            violation: (i % 3) as u64,
            unproven: (i % 2) as u64,
            not_applicable: 5,
            first_sign_in: Some("2017-01-01T00:00:00.000000Z".into()),
            last_sign_in: Some("2026-12-31T23:59:59.999999Z".into()),
            special: (i % 1000 == 0).then_some(Special::Technical),
            status: "violation".into(),
            covered: if i % 7 == 0 { "no" } else { "yes" }.into(),
            covered_because: "CA01 Require MFA for all users (44444444-aaaa-4000-8000-0000000000c1): user_excluded".into(),
            user_type: Some("Member".into()),
            in_directory: true,
            account_enabled: true,
            directory_sync_role: false,
            mfa_registered: Some(i % 5 != 0),
            mfa_capable: Some(i % 5 != 0),
            methods: Some("microsoftAuthenticatorPush softwareOneTimePasscode".into()),
        })
        .collect()
}

/// R8's named accounts: `scale` in all, as many listed as report.json would list.
fn named(accounts: &[AccountRow]) -> r8::Named {
    r8::Named {
        count: accounts.len() as u64,
        listed: accounts
            .iter()
            .map(|a| AccountBrief {
                covered: a.covered.clone(),
                covered_because: a.covered_because.clone(),
                methods: a.methods.clone(),
                mfa_registered: a.mfa_registered,
                special: a.special,
                status: a.status.clone(),
                user_id: a.user_id.clone(),
                user_principal_name: a.user_principal_name.clone(),
            })
            .collect(),
        query: "queries/accounts.sql".into(),
    }
}

fn applications(scale: usize) -> Vec<r1::ApplicationRow> {
    (0..scale)
        .map(|i| r1::ApplicationRow {
            partner_app: (i < 5).then(|| "Exchange Online".into()),
            resource_display_name: Some(format!("Application number {i}")),
            resource_id: format!("00000000-0000-0000-0000-{i:012}"),
            sign_ins: 100,
            satisfied: 90,
            accepted: 0,
            violation: (i % 3) as u64,
            unproven: 0,
            not_applicable: 10 - (i % 3) as u64,
        })
        .collect()
}

fn per_day() -> Vec<DayVerdictRow> {
    let day0 = chrono::NaiveDate::from_ymd_opt(2017, 1, 1).unwrap();
    (0..3652)
        .flat_map(|d| {
            let date = (day0 + chrono::Duration::days(d))
                .format("%Y-%m-%d")
                .to_string();
            let verdicts = [
                "accepted",
                "not_applicable",
                "satisfied",
                "unproven",
                "violation",
            ];
            verdicts.map(|v| DayVerdictRow {
                date: date.clone(),
                verdict: v.into(),
                sign_ins: 547,
            })
        })
        .collect()
}

fn changes(scale: usize) -> Vec<ChangeRow> {
    (0..scale)
        .map(|i| ChangeRow {
            at: format!("2020-01-01T{:02}:00:00.000000Z", i % 24),
            family: ["per_user_mfa", "security_defaults", "conditional_access"][i % 3].into(),
            activity: Some("Update user".into()),
            audit_id: format!("Directory_{i:010}"),
            target: Some(format!("user{i}@contoso.example")),
            initiated_by: Some("admin@contoso.example".into()),
            old_state: Some("off".into()),
            new_state: Some("on".into()),
        })
        .collect()
}

fn inputs(scale: usize) -> Vec<Input> {
    (0..scale)
        .map(|i| Input {
            path: format!(
                "exports/insights-logs-signinlogs/y=2026/m=01/d=01/h={i:08}/m=00/PT1H.json"
            ),
            sha256: "ab".repeat(32),
            size: 123_456_789,
            formats: vec!["azure-monitor".into()],
            run: 1,
            records: 20_000,
            quarantined: 0,
        })
        .collect()
}

fn holes(scale: usize) -> Vec<Hole> {
    (0..scale)
        .map(|i| Hole {
            effect: "fails_r6",
            kind: "quarantined_records",
            prevents: "1 record(s) could not be read".into(),
            source: "manifest.json".into(),
            what: format!("page-{i}.json"),
        })
        .collect()
}

fn problems() -> Vec<ProblemRow> {
    (0..100)
        .map(|i| ProblemRow {
            created_at: "2026-01-01T00:00:00.000000Z".into(),
            id: format!("{i:036}"),
            user_principal_name: Some("x@contoso.example".into()),
            user_type: Some("member".into()),
            event_type: "interactive_user".into(),
            class: "single_factor".into(),
            verdict: "violation".into(),
            reason: Some(
                "singleFactorAuthentication; security defaults off (audit x at y (new value))"
                    .into(),
            ),
            origin_sign_in_id: None,
            provisional: false,
        })
        .collect()
}

fn requirements(scale: usize) -> Vec<Requirement> {
    let methods = (0..scale)
        .map(|i| r1::MethodRow {
            kind: "second_factor".into(),
            method: format!("method {i}"),
            sign_ins: 10,
        })
        .collect();
    let location = (0..scale)
        .map(|i| LocationSkipRow {
            user_principal_name: format!("u{i}@contoso.example"),
            reason: Some("location exemption: MFA requirement skipped due to location".into()),
            sign_ins: 3,
            first_seen: "2020-01-01T00:00:00.000000Z".into(),
            last_seen: "2020-01-02T00:00:00.000000Z".into(),
        })
        .collect();
    let accounts = accounts(scale);
    let with_problems = accounts.iter().filter(|a| a.problems() > 0).count() as u64;
    let figures = [
        Figures::R1(Box::new(r1::Figures {
            violating_or_unproven_user_sign_ins: count(5_000_000, "r1_sign_ins_by_class"),
            sign_ins_by_class: fig("r1_sign_ins_by_class", vec![]),
            mfa_methods: fig("r1_mfa_methods", methods),
            by_application: fig("r1_by_application", applications(scale)),
        })),
        Figures::R2(Box::new(r2::Figures {
            accounts_with_problems: count(with_problems, "accounts"),
            accounts: fig("accounts", accounts.clone()),
            special_account_problems: count(7, "accounts"),
            emergency_accounts_configured: vec![],
            technical_accounts_configured: vec![],
            emergency_accounts_without_sign_ins: vec![],
        })),
        Figures::R3(Box::new(r3::Figures {
            sign_ins: count(3, "r3_location_skips"),
            location_skips: fig("r3_location_skips", location),
        })),
        Figures::R4(Box::new(r4::Figures {
            legacy: fig("r4_legacy", vec![]),
            app_password: count(0, "r4_legacy"),
            legacy_single_factor: count(0, "r4_legacy"),
            legacy_unverified: count(0, "r4_legacy"),
        })),
        Figures::R5(Box::new(r5::Figures {
            regime_at_window_start: Some(fig("r5_regime_at_start", vec![])),
            changes_per_day: fig("regime_changes", vec![]),
            changes: fig("regime_changes", changes(scale)),
        })),
        Figures::R6(Box::new(r6::Figures {
            coverage: fig("r6_coverage", vec![]),
            days_without_data: fig("r6_days", vec![]),
            days_without_audit_events: fig("r6_audit_days", vec![]),
            evidence_kinds: fig("r6_evidence_kinds", vec![]),
            holes: holes(scale),
            settling: fig("r6_settling", vec![]),
            claim_chaining: fig("r6_claim_chaining", vec![]),
            sign_ins_per_day: fig("r6_days_by_verdict", per_day()),
            manifest: ManifestFigures {
                source: "manifest.json",
                duplicates_dropped: 0,
                quarantined: 0,
                inputs: inputs(scale),
            },
        })),
        Figures::R8(Box::new(r8::Figures {
            accounts: count(accounts.len() as u64, "accounts"),
            accounts_file: "accounts.csv",
            covered_at: Some("2026-12-31T23:59:59.999999Z".into()),
            covered_no: count(0, "accounts"),
            covered_unknown: count(0, "accounts"),
            covered_yes: count(0, "accounts"),
            emergency_accounts: named(&accounts),
            evidenced: true,
            not_covered: named(&accounts),
            not_evidenced_because: None,
            security_defaults_at_end: Some("off".into()),
            without_mfa_method: named(&accounts),
        })),
    ];
    let ids = ["R1", "R2", "R3", "R4", "R5", "R6", "R8"];
    ids.into_iter()
        .zip(figures)
        .map(|(id, figures)| Requirement {
            figures,
            holds: false,
            id,
            decides: id != "R5",
            evidenced: true,
            title: "a title",
        })
        .collect()
}

/// A report as `build` shapes it, `scale` rows per long list.
fn synthetic(scale: usize) -> Report {
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    Report {
        report_version: "1",
        generated_at: "2027-01-01T00:00:00.000000Z".into(),
        lake: "/lake".into(),
        method: Method::this("/requirements/5/figures/manifest/inputs".into()),
        options: Options::default().recorded(),
        queries: query_texts(report_queries()).unwrap(),
        tool: Tool::this(),
        window: Some(Window {
            from: day(2017, 1, 1),
            to: day(2026, 12, 31),
        }),
        settling_hours: 24,
        verdict: Verdict::NotCompliant,
        sign_ins: count(10_000_000, "r6_coverage"),
        tenants: fig(
            "report_tenants",
            vec![TenantRow {
                tenant_id: "t1".into(),
                sign_ins: 10_000_000,
            }],
        ),
        requirements: requirements(scale),
        problems: Problems {
            query: "queries/r1_problems.sql".into(),
            total: 5_000_000,
            listed: problems(),
            full_list: "findings.csv",
        },
    }
}

#[test]
fn a_huge_tenant_renders_a_bounded_page() {
    let big = render(&synthetic(30_000)).unwrap();
    let small = render(&synthetic(3_000)).unwrap();
    assert!(
        big.len() < 5 * 1024 * 1024,
        "report.html is {} bytes",
        big.len()
    );
    // Only the capped rows are listed: ten times the rows adds a few digits (and the 27
    // more technical accounts), not pages.
    assert!(
        big.len() < small.len() + small.len() / 50,
        "{} vs {} bytes",
        big.len(),
        small.len()
    );
    let rows = big.matches("<tr>").count();
    assert!(rows < small.matches("<tr>").count() + 50, "{rows} rows");
    // Two account tables under R2, three under R8, and 200 applications under R1.
    let bound = 5 * ACCOUNTS_CAP + 200 + CHANGES_CAP + INPUTS_CAP + 2000;
    assert!(rows < bound, "{rows} table rows");
    assert!(
        big.contains(&format!("{ACCOUNTS_CAP} of 29,970 rows shown")),
        "per-account cap noted"
    );
    assert!(big.contains("100 of 5,000,000 sign-ins shown; all 5,000,000 are in findings.csv."));
    assert!(big.contains("Each column is 10 days."));
    assert!(big.contains("200 of 30,000 rows shown; all 30,000 are in report.json."));
    assert!(big.contains("30,000 hole(s) in the evidence (30,000 of them make R6 fail)"));
}
