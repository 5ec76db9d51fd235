//! `report.md`: the human-readable rendering of `report.json`. Every table names the query
//! that produced it; every cell from the logs is escaped (names are attacker-controlled).

use std::fmt::Write;

use serde_json::Value;

use super::columns;
use super::escape::markdown_cell;
use super::figures::extent;

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => markdown_cell(s),
        other => markdown_cell(&other.to_string()),
    }
}

/// A table of `figure.rows` with `columns`, capped at `cap` rows; names its query, and
/// where the rows not shown are (the figure's CSV file when report.json lists only the
/// first, else report.json).
fn table(out: &mut String, title: &str, figure: &Value, columns: &[&str], cap: usize) {
    let rows = figure["rows"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let (total, file) = extent(figure, rows.len());
    let _ = writeln!(
        out,
        "\n**{title}** — {total} row(s), from `{}`\n",
        figure["query"].as_str().unwrap_or("")
    );
    if rows.is_empty() {
        out.push_str("_none_\n");
        return;
    }
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(columns.len()));
    let shown = rows.len().min(cap);
    for row in &rows[..shown] {
        let cells: Vec<String> = columns.iter().map(|c| cell(&row[*c])).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if total > shown {
        let file = match file {
            Some(f) => format!("`{}`", f.replace('`', "")),
            None => "report.json".to_owned(),
        };
        let _ = writeln!(out, "\n_{} more row(s) in {file}_", total - shown);
    }
}

fn holds(r: &Value) -> &'static str {
    if r["holds"] == true { "holds" } else { "fails" }
}

/// Renders the report.
pub fn render(report: &Value) -> String {
    let mut out = String::new();
    let verdict = report["verdict"].as_str().unwrap_or("");
    let _ = writeln!(out, "# MFA evidence report\n");
    let _ = writeln!(out, "- Verdict: **{}**", verdict.replace('_', " "));
    let window = &report["window"];
    let _ = writeln!(
        out,
        "- Evidence window: {} to {}",
        cell(&window["from"]),
        cell(&window["to"])
    );
    let _ = writeln!(out, "- Sign-ins: {}", report["sign_ins"]["count"]);
    let _ = writeln!(
        out,
        "- Generated: {} from lake `{}`",
        cell(&report["generated_at"]),
        cell(&report["lake"])
    );
    let _ = writeln!(
        out,
        "- Report schema version: {}\n",
        cell(&report["report_version"])
    );
    let empty = Vec::new();
    let reqs = report["requirements"].as_array().unwrap_or(&empty);
    out.push_str("| requirement | | result |\n|---|---|---|\n");
    for r in reqs {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&r["id"]),
            cell(&r["title"]),
            holds(r)
        );
    }
    for r in reqs {
        let f = &r["figures"];
        let _ = writeln!(
            out,
            "\n## {} — {}: {}",
            cell(&r["id"]),
            cell(&r["title"]),
            holds(r)
        );
        match r["id"].as_str().unwrap_or("") {
            "R1" => {
                let _ = writeln!(
                    out,
                    "\nViolating or unproven user sign-ins: {}",
                    f["violating_or_unproven_user_sign_ins"]["count"]
                );
                table(
                    &mut out,
                    "Sign-ins by event type, user type, class and verdict",
                    &f["sign_ins_by_class"],
                    &["event_type", "user_type", "class", "verdict", "sign_ins"],
                    usize::MAX,
                );
            }
            "R2" => {
                let _ = writeln!(
                    out,
                    "\nProblems of emergency-access and technical accounts: {}",
                    f["special_account_problems"]["count"]
                );
                let cols = columns::ACCOUNTS;
                let special: Vec<&Value> = f["accounts"]["rows"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| !r["special"].is_null())
                    .collect();
                let special =
                    serde_json::json!({ "query": f["accounts"]["query"], "rows": special });
                table(
                    &mut out,
                    "Emergency-access and technical accounts",
                    &special,
                    &cols,
                    usize::MAX,
                );
                let unseen = f["emergency_accounts_without_sign_ins"]
                    .as_array()
                    .map_or(0, Vec::len);
                if unseen > 0 {
                    let _ = writeln!(
                        out,
                        "\nConfigured emergency-access accounts without sign-ins in the window: {unseen}"
                    );
                }
                table(&mut out, "Every account", &f["accounts"], &cols, 200);
            }
            "R3" => table(
                &mut out,
                "Location skips",
                &f["location_skips"],
                &[
                    "user_principal_name",
                    "reason",
                    "sign_ins",
                    "first_seen",
                    "last_seen",
                ],
                200,
            ),
            "R4" => {
                let _ = writeln!(
                    out,
                    "\napp_password: {} · legacy_single_factor: {} · legacy_unverified: {}",
                    f["app_password"]["count"],
                    f["legacy_single_factor"]["count"],
                    f["legacy_unverified"]["count"]
                );
                table(
                    &mut out,
                    "Legacy and app-password sign-ins",
                    &f["legacy"],
                    &[
                        "class",
                        "verdict",
                        "client_app_used",
                        "sign_ins",
                        "accounts",
                    ],
                    usize::MAX,
                );
            }
            "R5" => {
                if f["regime_at_window_start"].is_object() {
                    table(
                        &mut out,
                        "Security defaults at the window start",
                        &f["regime_at_window_start"],
                        &["at", "security_defaults", "source"],
                        1,
                    );
                }
                table(
                    &mut out,
                    "Regime changes in the window",
                    &f["changes"],
                    &columns::CHANGES,
                    500,
                );
            }
            "R6" => {
                table(
                    &mut out,
                    "Coverage per event type",
                    &f["coverage"],
                    &[
                        "event_type",
                        "sign_ins",
                        "first_sign_in",
                        "last_sign_in",
                        "days_with_data",
                    ],
                    usize::MAX,
                );
                table(
                    &mut out,
                    "Days without user sign-ins",
                    &f["days_without_data"],
                    &["event_type", "date"],
                    200,
                );
                table(
                    &mut out,
                    "Provisional sign-ins (settling window)",
                    &f["settling"],
                    &[
                        "newest_sign_in",
                        "settling_hours",
                        "verdict",
                        "provisional_sign_ins",
                    ],
                    usize::MAX,
                );
                table(
                    &mut out,
                    "Claims chaining to an MFA origin inside the window",
                    &f["claim_chaining"],
                    &["class", "sign_ins", "chained", "share_chained"],
                    usize::MAX,
                );
                let m = &f["manifest"];
                let _ = writeln!(
                    out,
                    "\nFrom `manifest.json`: duplicates dropped {}, records quarantined {}.",
                    m["duplicates_dropped"], m["quarantined"]
                );
                let inputs = json_rows(&m["inputs"]);
                table(
                    &mut out,
                    "Inputs",
                    &inputs,
                    &[
                        "path",
                        "sha256",
                        "size",
                        "records",
                        "duplicates",
                        "quarantined",
                    ],
                    500,
                );
            }
            _ => {}
        }
    }
    let p = &report["problems"];
    let _ = writeln!(
        out,
        "\n## Violating and unproven sign-ins\n\n{} in total; all are in `{}`.",
        p["total"],
        cell(&p["full_list"])
    );
    let listed = serde_json::json!({ "query": p["query"], "rows": p["listed"] });
    table(
        &mut out,
        "First violating or unproven sign-ins",
        &listed,
        &columns::PROBLEMS,
        usize::MAX,
    );
    out
}

fn json_rows(rows: &Value) -> Value {
    serde_json::json!({ "query": "manifest.json", "rows": rows })
}
