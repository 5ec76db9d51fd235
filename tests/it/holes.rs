//! Holes in the evidence (R6) through the real binary: a tenant whose evidence is complete
//! is `compliant`; a day without audit events, or no policy definitions, leaves it
//! `compliant_on_available_evidence` (`--strict` exit 4); a portal download at its
//! 100,000-row cap is recorded at ingest and makes R6 fail.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::common::{bin, graph_sign_in, ingest, text, write_lines};

const USERS: [&str; 2] = ["1", "2"];

/// An interactive and a non-interactive sign-in with MFA of each user on `day`.
fn sign_ins(day: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for u in USERS {
        let created = format!("{day}T09:00:00Z");
        lines.push(
            graph_sign_in(u, &created, 2, "t")
                .replace(&format!(r#""id":"{u}""#), &format!(r#""id":"{day}-i-{u}""#)),
        );
        let non = graph_sign_in(u, &format!("{day}T10:00:00Z"), 2, "t")
            .replace(&format!(r#""id":"{u}""#), &format!(r#""id":"{day}-n-{u}""#))
            .replace(r#"["interactiveUser"]"#, r#"["nonInteractiveUser"]"#);
        lines.push(non);
    }
    lines
}

/// A directory audits page with one event on each of `days`.
fn audits(days: &[&str]) -> String {
    let value: Vec<Value> = days
        .iter()
        .map(|d| {
            json!({"id": format!("audit-{d}"), "activityDateTime": format!("{d}T11:00:00Z"),
                "activityDisplayName": "Update group", "category": "GroupManagement",
                "result": "success", "initiatedBy": {"user": {"id": "admin"}},
                "targetResources": [], "additionalDetails": []})
        })
        .collect();
    json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
        "value": value})
    .to_string()
}

/// Every input of a tenant whose evidence is complete over 2026-11-01..03, except the
/// audit events (`audit_days`) and the policy (`with_policy`): sign-ins of both user event
/// types every day, per-user MFA and security-defaults snapshots, the directory, and one
/// policy requiring MFA of everyone for every app.
fn inputs(dir: &Path, audit_days: &[&str], with_policy: bool) -> Vec<PathBuf> {
    let days = ["2026-11-01", "2026-11-02", "2026-11-03"];
    let lines: Vec<String> = days.iter().flat_map(|d| sign_ins(d)).collect();
    let mut files = vec![write_lines(&dir.join("sign-ins.json"), &lines)];
    let write = |name: &str, body: String| {
        let path = dir.join(name);
        fs::write(&path, body).unwrap();
        path
    };
    files.push(write("audits.json", audits(audit_days)));
    let mut mfa = String::from("user_principal_name,user_id,per_user_mfa_state,as_of\n");
    let mut users = Vec::new();
    for u in USERS {
        mfa.push_str(&format!(
            "user{u}@contoso.example,u-{u},disabled,2026-10-31T00:00:00Z\n"
        ));
        users.push(
            json!({"id": format!("u-{u}"), "userPrincipalName": format!("user{u}@contoso.example"),
            "displayName": format!("User {u}"), "userType": "Member", "accountEnabled": true,
            "createdDateTime": "2026-01-01T00:00:00Z", "onPremisesSyncEnabled": null}),
        );
    }
    files.push(write("per-user-mfa.csv", mfa));
    files.push(write(
        "security-defaults.json",
        r#"{"isEnabled": false, "asOf": "2026-10-31T00:00:00Z"}"#.into(),
    ));
    let context = "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,displayName,userType,accountEnabled,createdDateTime,onPremisesSyncEnabled)";
    files.push(write(
        "users.json",
        json!({"@odata.context": context, "value": users}).to_string(),
    ));
    if with_policy {
        let policy = json!({"id": "p-all", "displayName": "MFA for everyone", "state": "enabled",
            "createdDateTime": "2026-01-01T00:00:00Z", "modifiedDateTime": "2026-01-01T00:00:00Z",
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
                "applications": {"includeApplications": ["All"], "excludeApplications": []}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}});
        files.push(write("policy.json", policy.to_string()));
    }
    files
}

/// `evaluate --strict` of `lake` into `out`: its exit status and report.json.
fn evaluate(lake: &Path, out: &Path) -> (Option<i32>, Value) {
    let res = bin()
        .args(["evaluate", "--strict", "--format", "json,md,html", "--lake"])
        .arg(lake)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let report = fs::read(out.join("report.json")).unwrap_or_else(|_| panic!("{}", text(&res)));
    (res.status.code(), serde_json::from_slice(&report).unwrap())
}

fn r6(report: &Value) -> &Value {
    let reqs = report["requirements"].as_array().unwrap();
    &reqs.iter().find(|r| r["id"] == "R6").unwrap()["figures"]
}

/// `(kind, what, effect)` of every hole.
fn holes(report: &Value) -> Vec<(String, String, String)> {
    let word = |h: &Value, k: &str| h[k].as_str().unwrap().to_owned();
    r6(report)["holes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (word(h, "kind"), word(h, "what"), word(h, "effect")))
        .collect()
}

fn holds(report: &Value, id: &str) -> bool {
    let reqs = report["requirements"].as_array().unwrap();
    reqs.iter().find(|r| r["id"] == id).unwrap()["holds"] == true
}

#[test]
fn a_day_without_audit_events_leaves_compliance_on_the_evidence_available() {
    let dir = TempDir::new().unwrap();
    let lake = dir.path().join("lake");
    ingest(
        &lake,
        inputs(dir.path(), &["2026-11-01", "2026-11-03"], true),
    );
    let (status, report) = evaluate(&lake, &dir.path().join("r1"));
    assert_eq!(report["verdict"], "compliant_on_available_evidence");
    assert_eq!(status, Some(4), "--strict: not proven compliant");
    assert_eq!(
        holes(&report),
        [(
            "days_without_audit_events".to_owned(),
            "2026-11-02".to_owned(),
            "lowers_verdict".to_owned()
        )]
    );
    assert_eq!(
        r6(&report)["days_without_audit_events"]["rows"],
        json!([{"date": "2026-11-02"}])
    );
    for id in ["R1", "R2", "R3", "R4", "R6", "R7"] {
        assert!(holds(&report, id), "{id}");
    }
    let md = fs::read_to_string(dir.path().join("r1/report.md")).unwrap();
    assert!(
        md.contains("- Verdict: **compliant on the evidence available**"),
        "{md}"
    );
    assert!(
        md.contains(
            "| days\\_without\\_audit\\_events | 2026-11-02 | no audit event on these days"
        ),
        "{md}"
    );
    let html = fs::read_to_string(dir.path().join("r1/report.html")).unwrap();
    assert!(html.contains(r#"<header id="headline" class="headline partial">"#));
    assert!(html.contains("◐ Compliant on the evidence available"));
    assert!(html.contains("1 hole(s) in the evidence (0 of them make R6 fail)"));
    // The missing day's audit export arrives: the evidence is complete.
    let late = dir.path().join("late");
    fs::create_dir(&late).unwrap();
    fs::write(late.join("audits.json"), audits(&["2026-11-02"])).unwrap();
    ingest(&lake, [late.join("audits.json")]);
    let (status, report) = evaluate(&lake, &dir.path().join("r2"));
    assert_eq!(report["verdict"], "compliant");
    assert_eq!(status, Some(0));
    assert!(holes(&report).is_empty(), "{:?}", holes(&report));
}

#[test]
fn without_policies_r7_is_not_evidenced_and_the_verdict_says_so() {
    let dir = TempDir::new().unwrap();
    let lake = dir.path().join("lake");
    let days = ["2026-11-01", "2026-11-02", "2026-11-03"];
    ingest(&lake, inputs(dir.path(), &days, false));
    let (status, report) = evaluate(&lake, &dir.path().join("out"));
    assert_eq!(report["verdict"], "compliant_on_available_evidence");
    assert_eq!(status, Some(4));
    assert_eq!(
        holes(&report),
        [(
            "no_policies".to_owned(),
            "conditional access policies".to_owned(),
            "lowers_verdict".to_owned()
        )]
    );
    let reqs = report["requirements"].as_array().unwrap();
    let r7 = &reqs.iter().find(|r| r["id"] == "R7").unwrap()["figures"];
    assert_eq!(r7["evidenced"], false);
    let out = bin()
        .args(["evaluate", "--lake"])
        .arg(&lake)
        .arg("--out")
        .arg(dir.path().join("plain"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "without --strict: {}",
        text(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "verdict: compliant_on_available_evidence (12 sign-ins, window 2026-11-01 to 2026-11-03)",
        "  R7 NOT EVIDENCED: the policy configuration enforces MFA on everyone, with no exclusion and no location exemption",
        "holes in the evidence: 1 (0 make R6 fail); each is named in the report",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line:?} in\n{stdout}");
    }
}

/// A portal download of exactly 100,000 rows, named as the admin center names it.
fn capped_download(dir: &Path, rows: usize) -> PathBuf {
    let path = dir.join(format!(
        "InteractiveSignIns_2026-11-01_2026-11-01_{rows}.csv"
    ));
    let mut csv = String::from(
        "Date (UTC),Request ID,User ID,Username,User type,Status,Sign-in error code\n",
    );
    for i in 0..rows {
        let (h, m, s) = (i / 3600 % 24, i / 60 % 60, i % 60);
        csv.push_str(&format!(
            "2026-11-01T{h:02}:{m:02}:{s:02}Z,r{i},u{},u{}@contoso.example,Member,Success,0\n",
            i % 7,
            i % 7
        ));
    }
    fs::write(&path, csv).unwrap();
    path
}

#[test]
fn a_download_at_the_portal_row_cap_is_recorded_and_fails_r6() {
    let dir = TempDir::new().unwrap();
    let lake = dir.path().join("lake");
    let capped = capped_download(dir.path(), 100_000);
    let out = ingest(&lake, [&capped]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("  1 input(s) stop at their download's row cap (probably truncated)"),
        "{stdout}"
    );
    let manifest: Value =
        serde_json::from_slice(&fs::read(lake.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"][0]["counts"]["truncated"], 1);
    assert_eq!(manifest["inputs"][0]["counts"]["sign_ins"], 100_000);
    let (status, report) = evaluate(&lake, &dir.path().join("out"));
    assert_eq!(report["verdict"], "not_compliant");
    assert_eq!(status, Some(3));
    assert!(!holds(&report, "R6"));
    let hole = r6(&report)["holes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "truncated_input")
        .cloned()
        .unwrap();
    assert_eq!(
        hole,
        json!({"effect": "fails_r6", "kind": "truncated_input",
            "prevents": "it stops at the admin center's download cap of 100,000 rows: sign-ins of its period past the cap are missing, so R1–R4 cannot be shown for them (download shorter time ranges)",
            "source": "manifest.json", "what": capped.display().to_string()})
    );
}
