//! Requirements R1–R6 (evidence rules §7): runs each figure's query, decides whether the
//! requirement holds and assembles `report.json`'s value. Every figure carries its query.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{NaiveDate, Utc};
use datafusion::prelude::SessionContext;
use glob::{MatchOptions, Pattern};
use serde_json::{Map, Value, json};

use super::figures::{Figure, figure, text};
use super::{Options, REPORT_VERSION, requirement};
use crate::error::Result;
use crate::evidence::queries;
use crate::lake::layout::Layout;
use crate::lake::manifest::Manifest;

/// The user event types R1 and R6 are about.
pub const USER_EVENT_TYPES: [&str; 2] = ["interactive_user", "non_interactive_user"];
/// The display name of the Azure AD Connect sync account (a default technical account).
pub const SYNC_DISPLAY_NAME: &str = "On-Premises Directory Synchronization Service Account";

fn is_problem(row: &Map<String, Value>) -> bool {
    matches!(text(row, "verdict"), "violation" | "unproven")
}

fn is_user(row: &Map<String, Value>) -> bool {
    USER_EVENT_TYPES.contains(&text(row, "event_type"))
}

fn matches_any(patterns: &[String], value: &str) -> bool {
    let opts = MatchOptions {
        case_sensitive: false,
        ..MatchOptions::default()
    };
    patterns.iter().any(|p| {
        p.eq_ignore_ascii_case(value) || Pattern::new(p).is_ok_and(|g| g.matches_with(value, opts))
    })
}

/// `emergency_access`, `technical` or null for an account row.
fn special_kind(row: &Map<String, Value>, opts: &Options) -> Option<&'static str> {
    let upn = text(row, "user_principal_name");
    if matches_any(&opts.emergency_accounts, upn) {
        return Some("emergency_access");
    }
    let default_technical = upn.to_lowercase().starts_with("sync_")
        || text(row, "user_display_name")
            .trim()
            .eq_ignore_ascii_case(SYNC_DISPLAY_NAME);
    (default_technical || matches_any(&opts.technical_accounts, upn)).then_some("technical")
}

fn day(row: &Map<String, Value>, col: &str) -> Option<NaiveDate> {
    text(row, col)
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// A number derived from a figure, naming the figure's query.
fn count(n: u64, from: &Figure) -> Value {
    json!({ "count": n, "query": from.query })
}

/// Builds the whole report value.
pub async fn build(ctx: &SessionContext, lake: &Path, opts: &Options) -> Result<Value> {
    let settling = [("settling_hours", opts.settling_hours.to_string())];
    let by_class = figure(ctx, "r1_sign_ins_by_class", &[]).await?;
    let coverage = figure(ctx, "r6_coverage", &[]).await?;
    let window = match opts.range {
        Some(r) => Some(r),
        None => {
            let first = coverage
                .rows
                .iter()
                .filter_map(|r| day(r, "first_sign_in"))
                .min();
            let last = coverage
                .rows
                .iter()
                .filter_map(|r| day(r, "last_sign_in"))
                .max();
            first.zip(last)
        }
    };

    // R1
    let user_problems = by_class.sum("sign_ins", |r| is_user(r) && is_problem(r));
    let all_problems = by_class.sum("sign_ins", is_problem);
    let df = queries::plan(ctx, "r1_problems", &settling).await?;
    let df = df.limit(0, Some(opts.listed_problems))?;
    let listed = super::figures::rows(&queries::collect("r1_problems", df).await?)?;
    let methods = figure(ctx, "r1_mfa_methods", &[]).await?;
    let r1 = requirement(
        "R1",
        "every successful user sign-in (members and guests, interactive and non-interactive) shows MFA",
        user_problems == 0,
        json!({
            "violating_or_unproven_user_sign_ins": count(user_problems, &by_class),
            "sign_ins_by_class": by_class,
            "mfa_methods": methods,
        }),
    );

    // R2
    let mut accounts = figure(ctx, "r2_accounts", &[]).await?;
    let mut special_problems = 0;
    for row in &mut accounts.rows {
        let kind = special_kind(row, opts);
        if kind.is_some() {
            special_problems += row.get("violation").and_then(Value::as_u64).unwrap_or(0)
                + row.get("unproven").and_then(Value::as_u64).unwrap_or(0);
        }
        row.insert("special".into(), kind.map_or(Value::Null, Value::from));
    }
    let seen: BTreeSet<String> = accounts
        .rows
        .iter()
        .map(|r| text(r, "user_principal_name").to_lowercase())
        .collect();
    let unseen_emergency: Vec<&String> = opts
        .emergency_accounts
        .iter()
        .filter(|p| !seen.iter().any(|s| matches_any(std::slice::from_ref(p), s)))
        .collect();
    let r2 = requirement(
        "R2",
        "no account is excluded; emergency-access and technical accounts satisfy R1 too",
        special_problems == 0,
        json!({
            "accounts": accounts,
            "special_account_problems": count(special_problems, &accounts),
            "emergency_accounts_configured": opts.emergency_accounts,
            "technical_accounts_configured": opts.technical_accounts,
            "emergency_accounts_without_sign_ins": unseen_emergency,
        }),
    );

    // R3, R4
    let location = figure(ctx, "r3_location_skips", &[]).await?;
    let r3 = requirement(
        "R3",
        "no location exemption",
        location.rows.is_empty(),
        json!({
            "sign_ins": count(location.sum("sign_ins", |_| true), &location),
            "location_skips": location,
        }),
    );
    let legacy = figure(ctx, "r4_legacy", &[]).await?;
    let bad_legacy = legacy.sum("sign_ins", |r| text(r, "class") != "app_password");
    let split = |class: &str| legacy.sum("sign_ins", |r| text(r, "class") == class);
    let r4 = requirement(
        "R4",
        "legacy authentication only with app passwords under enforced per-user MFA",
        bad_legacy == 0,
        json!({
            "legacy": legacy.clone(),
            "app_password": count(split("app_password"), &legacy),
            "legacy_single_factor": count(split("legacy_single_factor"), &legacy),
            "legacy_unverified": count(split("legacy_unverified"), &legacy),
        }),
    );

    // R5
    let start = window.map(|(from, _)| from.format("%Y-%m-%dT00:00:00").to_string());
    let changes = figure(ctx, "regime_changes", &[]).await?;
    let at_start = match &start {
        Some(s) => Some(
            figure(
                ctx,
                "r5_regime_at_start",
                &[("window_start", queries::literal(s))],
            )
            .await?,
        ),
        None => None,
    };
    let start_known = at_start
        .as_ref()
        .and_then(|f| f.rows.first())
        .is_some_and(|r| matches!(text(r, "security_defaults"), "on" | "off"));
    let changes_known = changes
        .rows
        .iter()
        .filter(|r| matches!(text(r, "family"), "security_defaults" | "per_user_mfa"))
        .all(|r| !matches!(text(r, "new_state"), "" | "unknown"));
    let r5 = requirement(
        "R5",
        "the regime and its changes are known",
        start_known && changes_known,
        json!({ "regime_at_window_start": at_start, "changes": changes }),
    );

    // R6
    let days = figure(ctx, "r6_days", &[]).await?;
    let mut missing = Vec::new();
    if let Some((from, to)) = window {
        for event_type in USER_EVENT_TYPES {
            let have: BTreeSet<&str> = days
                .rows
                .iter()
                .filter(|r| text(r, "event_type") == event_type)
                .map(|r| text(r, "date"))
                .collect();
            for d in from.iter_days().take_while(|d| *d <= to) {
                let d = d.format("%Y-%m-%d").to_string();
                if !have.contains(d.as_str()) {
                    missing.push(json!({ "event_type": event_type, "date": d }));
                }
            }
        }
    }
    let settling_fig = figure(ctx, "r6_settling", &settling).await?;
    let chaining = figure(ctx, "r6_claim_chaining", &[]).await?;
    let per_day = figure(ctx, "r6_days_by_verdict", &[]).await?;
    let manifest = Manifest::load(&Layout::new(lake).manifest())?;
    let totals = manifest.totals();
    let inputs: Vec<Value> = manifest
        .inputs
        .iter()
        .map(|i| json!({ "path": i.path, "sha256": i.sha256, "size": i.size, "formats": i.formats, "run": i.run,
            "records": i.counts.records, "quarantined": i.counts.quarantined }))
        .collect();
    let sign_ins = coverage.sum("sign_ins", |_| true);
    let sign_ins_count = count(sign_ins, &coverage);
    let r6 = requirement(
        "R6",
        "the evidence is complete",
        sign_ins > 0
            && missing.is_empty()
            && totals.quarantined == 0
            && !manifest.inputs.is_empty(),
        json!({
            "coverage": coverage,
            "days_without_data": { "query": days.query, "rows": missing },
            "settling": settling_fig,
            "claim_chaining": chaining,
            "sign_ins_per_day": per_day,
            "manifest": { "source": "manifest.json", "duplicates_dropped": manifest.duplicates_dropped(),
                          "quarantined": totals.quarantined, "inputs": inputs },
        }),
    );

    let holds = |r: &Value| r["holds"] == true;
    let compliant = [&r1, &r2, &r3, &r4, &r6].into_iter().all(holds);
    Ok(json!({
        "report_version": REPORT_VERSION,
        "generated_at": Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        "lake": lake.display().to_string(),
        "window": window.map(|(f, t)| json!({ "from": f.format("%Y-%m-%d").to_string(), "to": t.format("%Y-%m-%d").to_string() })),
        "settling_hours": opts.settling_hours,
        "verdict": if compliant { "compliant" } else { "not_compliant" },
        "sign_ins": sign_ins_count,
        "tenants": figure(ctx, "report_tenants", &[]).await?,
        "requirements": [r1, r2, r3, r4, r5, r6],
        "problems": {
            "query": queries::get("r1_problems")?.file(),
            "total": all_problems,
            "listed": listed,
            "full_list": "findings.csv",
        },
    }))
}
