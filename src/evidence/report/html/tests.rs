//! The page stays small however large the tenant: a synthetic report with tens of
//! thousands of accounts, inputs, changes and ten years of days renders under 5 MB, and
//! its size does not grow with the number of rows (only the capped rows are listed).

use serde_json::{Value, json};

use super::render;
use super::sections::{ACCOUNTS_CAP, CHANGES_CAP, INPUTS_CAP};

fn fig(query: &str, rows: Vec<Value>) -> Value {
    json!({ "query": format!("queries/{query}.sql"), "rows": rows })
}

fn count(n: u64, query: &str) -> Value {
    json!({ "count": n, "query": format!("queries/{query}.sql") })
}

/// A report as `requirements::build` shapes it, `scale` rows per long list.
fn synthetic(scale: usize) -> Value {
    let accounts: Vec<Value> = (0..scale)
        .map(|i| {
            json!({
                "user_principal_name": format!("user.with.a.long.name.{i:07}@contoso.example"),
                "user_id": format!("00000000-0000-0000-0000-{i:012}"),
                "user_display_name": format!("User Number {i}"),
                "sign_ins": 500, "satisfied": 490, "accepted": 5, "violation": i % 3, "unproven": i % 2,
                "not_applicable": 5, "first_seen": "2017-01-01T00:00:00.000000Z",
                "last_seen": "2026-12-31T23:59:59.999999Z",
                "special": if i % 1000 == 0 { json!("technical") } else { Value::Null },
            })
        })
        .collect();
    let day0 = chrono::NaiveDate::from_ymd_opt(2017, 1, 1).unwrap();
    let days = 3652;
    let per_day: Vec<Value> = (0..days)
        .flat_map(|d| {
            let date = (day0 + chrono::Duration::days(d))
                .format("%Y-%m-%d")
                .to_string();
            [
                "accepted",
                "not_applicable",
                "satisfied",
                "unproven",
                "violation",
            ]
            .map(|v| json!({ "date": date, "verdict": v, "sign_ins": 547 }))
        })
        .collect();
    let changes: Vec<Value> = (0..scale)
        .map(|i| {
            let family = ["per_user_mfa", "security_defaults", "conditional_access"][i % 3];
            json!({ "at": format!("2020-01-01T{:02}:00:00.000000Z", i % 24),
                    "family": family,
                    "activity": "Update user", "audit_id": format!("Directory_{i:010}"),
                    "target": format!("user{i}@contoso.example"), "initiated_by": "admin@contoso.example",
                    "old_state": "off", "new_state": "on" })
        })
        .collect();
    let inputs: Vec<Value> = (0..scale)
        .map(|i| {
            json!({ "path": format!("exports/insights-logs-signinlogs/y=2026/m=01/d=01/h={i:08}/m=00/PT1H.json"),
                    "sha256": "ab".repeat(32), "size": 123_456_789, "formats": ["azure-monitor"],
                    "run": 1, "records": 20_000, "quarantined": 0 })
        })
        .collect();
    let listed: Vec<Value> = (0..100)
        .map(|i| {
            json!({ "created_at": "2026-01-01T00:00:00.000000Z", "id": format!("{i:036}"),
                    "user_principal_name": "x@contoso.example", "user_type": "member",
                    "event_type": "interactive_user", "class": "single_factor", "verdict": "violation",
                    "reason": "singleFactorAuthentication; security defaults off (audit x at y (new value))",
                    "origin_sign_in_id": null, "provisional": false })
        })
        .collect();
    let location: Vec<Value> = (0..scale)
        .map(|i| json!({ "user_principal_name": format!("u{i}@contoso.example"), "reason": "location exemption: MFA requirement skipped due to location", "sign_ins": 3, "first_seen": "2020-01-01T00:00:00.000000Z", "last_seen": "2020-01-02T00:00:00.000000Z" }))
        .collect();
    let methods: Vec<Value> = (0..scale)
        .map(
            |i| json!({ "kind": "second_factor", "method": format!("method {i}"), "sign_ins": 10 }),
        )
        .collect();
    let req = |id: &str, figures: Value| json!({ "id": id, "title": format!("{id} title"), "holds": false, "figures": figures });
    json!({
        "report_version": "1", "generated_at": "2027-01-01T00:00:00.000000Z", "lake": "/lake",
        "window": { "from": "2017-01-01", "to": "2026-12-31" }, "settling_hours": 24,
        "verdict": "not_compliant", "sign_ins": count(10_000_000, "r6_coverage"),
        "tenants": fig("report_tenants", vec![json!({ "tenant_id": "t1", "sign_ins": 10_000_000 })]),
        "requirements": [
            req("R1", json!({ "violating_or_unproven_user_sign_ins": count(5_000_000, "r1_sign_ins_by_class"),
                              "sign_ins_by_class": fig("r1_sign_ins_by_class", vec![]),
                              "mfa_methods": fig("r1_mfa_methods", methods) })),
            req("R2", json!({ "accounts": fig("r2_accounts", accounts), "special_account_problems": count(7, "r2_accounts"),
                              "emergency_accounts_configured": [], "technical_accounts_configured": [],
                              "emergency_accounts_without_sign_ins": [] })),
            req("R3", json!({ "sign_ins": count(3, "r3_location_skips"), "location_skips": fig("r3_location_skips", location) })),
            req("R4", json!({ "legacy": fig("r4_legacy", vec![]), "app_password": count(0, "r4_legacy"),
                              "legacy_single_factor": count(0, "r4_legacy"), "legacy_unverified": count(0, "r4_legacy") })),
            req("R5", json!({ "regime_at_window_start": fig("r5_regime_at_start", vec![]), "changes": fig("regime_changes", changes) })),
            req("R6", json!({ "coverage": fig("r6_coverage", vec![]), "days_without_data": fig("r6_days", vec![]),
                              "settling": fig("r6_settling", vec![]), "claim_chaining": fig("r6_claim_chaining", vec![]),
                              "sign_ins_per_day": fig("r6_days_by_verdict", per_day),
                              "manifest": { "source": "manifest.json", "duplicates_dropped": 0, "quarantined": 0, "inputs": inputs } })),
        ],
        "problems": { "query": "queries/r1_problems.sql", "total": 5_000_000, "listed": listed, "full_list": "findings.csv" },
    })
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
    let bound = 2 * ACCOUNTS_CAP + CHANGES_CAP + INPUTS_CAP + 2000;
    assert!(rows < bound, "{rows} table rows");
    assert!(
        big.contains(&format!("{ACCOUNTS_CAP} of 29,970 rows shown")),
        "per-account cap noted"
    );
    assert!(big.contains("100 of 5,000,000 sign-ins shown; all 5,000,000 are in findings.csv."));
    assert!(big.contains("Each column is 10 days."));
}
