//! Requirements R1–R6 (evidence rules §7): runs each figure's query, decides whether the
//! requirement holds and assembles `report.json`'s value. Every figure carries its query.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use datafusion::prelude::SessionContext;
use glob::{MatchOptions, Pattern};
use serde_json::{Map, Value, json};

use super::figures::{Figure, figure, text};
use super::listing::{self, Listing};
use super::{Options, REPORT_VERSION, requirement};
use crate::error::{Error, Result};
use crate::evidence::queries;
use crate::lake::layout::Layout;
use crate::lake::manifest::Manifest;

/// The user event types R1 and R6 are about.
pub const USER_EVENT_TYPES: [&str; 2] = ["interactive_user", "non_interactive_user"];
/// The CSV files of the long figures, every row (report.json lists the first).
pub const ACCOUNTS_CSV: &str = "accounts.csv";
pub const LOCATION_CSV: &str = "location_skips.csv";
pub const CHANGES_CSV: &str = "regime_changes.csv";
/// The display name of the Azure AD Connect sync account (a default technical account).
pub const SYNC_DISPLAY_NAME: &str = "On-Premises Directory Synchronization Service Account";

fn is_problem(row: &Map<String, Value>) -> bool {
    matches!(text(row, "verdict"), "violation" | "unproven")
}

fn is_user(row: &Map<String, Value>) -> bool {
    USER_EVENT_TYPES.contains(&text(row, "event_type"))
}

/// The account patterns of the command line (each a UPN or a glob), compiled once: the
/// accounts figure tests every account against them.
struct Globs(Vec<(String, Option<Pattern>)>);

impl Globs {
    fn new(patterns: &[String]) -> Globs {
        Globs(
            patterns
                .iter()
                .map(|p| (p.clone(), Pattern::new(p).ok()))
                .collect(),
        )
    }

    /// Whether each pattern matches `value`, case-insensitively.
    fn hits<'a>(&'a self, value: &'a str) -> impl Iterator<Item = bool> + 'a {
        let opts = MatchOptions {
            case_sensitive: false,
            ..MatchOptions::default()
        };
        self.0.iter().map(move |(text, glob)| {
            text.eq_ignore_ascii_case(value)
                || glob.as_ref().is_some_and(|g| g.matches_with(value, opts))
        })
    }
}

/// `emergency_access`, `technical` or null for an account row (`emergency`: whether an
/// emergency-access pattern matched it).
fn special_kind(
    row: &Map<String, Value>,
    emergency: bool,
    technical: &Globs,
) -> Option<&'static str> {
    if emergency {
        return Some("emergency_access");
    }
    let upn = text(row, "user_principal_name");
    let default_technical = upn.to_lowercase().starts_with("sync_")
        || text(row, "user_display_name")
            .trim()
            .eq_ignore_ascii_case(SYNC_DISPLAY_NAME);
    (default_technical || technical.hits(upn).any(|hit| hit)).then_some("technical")
}

fn number(row: &Map<String, Value>, col: &str) -> u64 {
    row.get(col).and_then(Value::as_u64).unwrap_or(0)
}

fn day(row: &Map<String, Value>, col: &str) -> Option<NaiveDate> {
    text(row, col)
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The listing of query `query` into `out/file`, capped as `opts` asks.
fn listing_of<'a>(
    out: &Path,
    opts: &Options,
    query: &'a str,
    file: &str,
    added: &'a [&'a str],
) -> Listing<'a> {
    Listing {
        query,
        params: &[],
        csv: out.join(file),
        cap: opts.listed_rows,
        added,
    }
}

/// A number derived from a figure, naming the figure's query.
fn count(n: u64, from: &Figure) -> Value {
    json!({ "count": n, "query": from.query })
}

/// Builds the whole report value, writing the long figures' CSV files into `out`; returns
/// the value and the CSV files kept.
pub async fn build(
    ctx: &SessionContext,
    lake: &Path,
    out: &Path,
    opts: &Options,
) -> Result<(Value, Vec<PathBuf>)> {
    let listing = |query, file, added| listing_of(out, opts, query, file, added);
    let mut files = Vec::new();
    // A long figure's CSV stays when CSV or HTML output was asked, or when report.json
    // leaves rows out (then it names the file that holds them).
    let keep_csv = |fig: &Figure, file: &str, files: &mut Vec<PathBuf>| -> Result<()> {
        let path = out.join(file);
        if opts.formats.csv || opts.formats.html || fig.rows_file.is_some() {
            files.push(path);
        } else {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    };
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
    let mut special_problems = 0;
    let mut with_problems = 0;
    let mut seen_emergency = vec![false; opts.emergency_accounts.len()];
    let (emergency, technical) = (
        Globs::new(&opts.emergency_accounts),
        Globs::new(&opts.technical_accounts),
    );
    let accounts = listing::stream(
        ctx,
        &listing("r2_accounts", ACCOUNTS_CSV, &["special"]),
        |row| {
            let problems = number(row, "violation") + number(row, "unproven");
            with_problems += u64::from(problems > 0);
            let mut is_emergency = false;
            let hits = emergency.hits(text(row, "user_principal_name"));
            for (seen, hit) in seen_emergency.iter_mut().zip(hits) {
                *seen |= hit;
                is_emergency |= hit;
            }
            let kind = special_kind(row, is_emergency, &technical);
            if kind.is_some() {
                special_problems += problems;
            }
            row.insert("special".into(), kind.map_or(Value::Null, Value::from));
            kind.is_some()
        },
    )
    .await?;
    keep_csv(&accounts, ACCOUNTS_CSV, &mut files)?;
    let unseen_emergency: Vec<&String> = opts
        .emergency_accounts
        .iter()
        .zip(&seen_emergency)
        .filter(|(_, seen)| !**seen)
        .map(|(p, _)| p)
        .collect();
    let r2 = requirement(
        "R2",
        "no account is excluded; emergency-access and technical accounts satisfy R1 too",
        special_problems == 0,
        json!({
            "special_account_problems": count(special_problems, &accounts),
            "accounts_with_problems": count(with_problems, &accounts),
            "accounts": accounts,
            "emergency_accounts_configured": opts.emergency_accounts,
            "technical_accounts_configured": opts.technical_accounts,
            "emergency_accounts_without_sign_ins": unseen_emergency,
        }),
    );

    // R3, R4
    let (mut skips, mut skipped_sign_ins) = (0, 0);
    let location = listing::stream(
        ctx,
        &listing("r3_location_skips", LOCATION_CSV, &[]),
        |row| {
            skips += 1;
            skipped_sign_ins += number(row, "sign_ins");
            false
        },
    )
    .await?;
    keep_csv(&location, LOCATION_CSV, &mut files)?;
    let r3 = requirement(
        "R3",
        "no location exemption",
        skips == 0,
        json!({
            "sign_ins": count(skipped_sign_ins, &location),
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
    let mut changes_known = true;
    let mut per_day: BTreeMap<(String, String), u64> = BTreeMap::new();
    let changes = listing::stream(ctx, &listing("regime_changes", CHANGES_CSV, &[]), |row| {
        let family = text(row, "family");
        let decisive = matches!(family, "security_defaults" | "per_user_mfa");
        let unknown = decisive && matches!(text(row, "new_state"), "" | "unknown");
        changes_known &= !unknown;
        let date = text(row, "at").get(..10).unwrap_or("").to_owned();
        *per_day.entry((date, family.to_owned())).or_default() += 1;
        // The band of the timeline needs every security-defaults change, and an auditor
        // every change whose state is unknown (they are why R5 fails).
        family == "security_defaults" || unknown
    })
    .await?;
    keep_csv(&changes, CHANGES_CSV, &mut files)?;
    let changes_per_day: Vec<Value> = per_day
        .into_iter()
        .map(|((date, family), n)| json!({ "date": date, "family": family, "changes": n }))
        .collect();
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
    let r5 = requirement(
        "R5",
        "the regime and its changes are known",
        start_known && changes_known,
        json!({
            "regime_at_window_start": at_start,
            "changes_per_day": { "query": changes.query, "rows": changes_per_day },
            "changes": changes,
        }),
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
    let report = json!({
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
    });
    Ok((report, files))
}
