//! The hand-checked conditional-access tenant of `data-samples/conditional-access/tenant/`
//! through the real binary: every why-not reason of evidence rules §9 as worked out by hand
//! in its `expected-why-not.csv`, rule 16b, and R7's findings, gaps and disagreements.

use std::fs;

use tempfile::TempDir;

use crate::common::{ingest, run_ok, samples};

/// The rows of `csv` whose first cell starts with `prefix`, in file order.
fn rows_starting(csv: &str, prefix: &str) -> Vec<String> {
    csv.lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

/// The scenario and the tenant in one lake: the scenario's audit events turn security
/// defaults off at 18:00 on 2 November, before the tenant's policies exist.
fn tenant_lake() -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new().unwrap();
    let lake = dir.path().join("lake");
    let tenant = samples().join("conditional-access/tenant");
    ingest(&lake, [samples().join("scenario"), tenant]);
    (dir, lake)
}

#[test]
fn why_not_and_rule_16b_match_the_hand_checked_tenant() {
    let (dir, lake) = tenant_lake();
    let classes = dir.path().join("classes.csv");
    let why_not = dir.path().join("why-not.csv");
    let out = run_ok([
        "classify".as_ref(),
        "--lake".as_ref(),
        lake.as_os_str(),
        "--out".as_ref(),
        classes.as_os_str(),
        "--why-not".as_ref(),
        why_not.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("why-not row(s)"), "{stdout}");
    let expected =
        fs::read_to_string(samples().join("conditional-access/tenant/expected-why-not.csv"))
            .unwrap();
    let written = fs::read_to_string(&why_not).unwrap();
    assert_eq!(
        written.lines().next(),
        Some("id,policy_id,policy_name,reason")
    );
    assert_eq!(
        rows_starting(&written, "ca-"),
        rows_starting(&expected, "ca-")
    );
    // The scenario's problems after the policies' deletion at midnight, with security
    // defaults off: no MFA policy known (the scenario's own CA audit change is unreadable).
    assert!(
        written.contains("s16-kim-sd-off,,,no_mfa_policy\n"),
        "{written}"
    );
    // Before 18:00 security defaults were on: one row, no policy.
    assert!(
        written.contains("s10-grace-location,,,security_defaults\n"),
        "{written}"
    );
    let classes = fs::read_to_string(&classes).unwrap();
    let a2 = rows_starting(&classes, "ca-a2,");
    assert_eq!(a2.len(), 1);
    assert!(
        a2[0].contains(",risk_based,accepted,risk-based MFA: sign-in risk low is below the levels of risk policy CA07 Risk-based MFA (44444444-aaaa-4000-8000-0000000000c7);"),
        "{}",
        a2[0]
    );
    assert!(!dir.path().read_dir().unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".mfaproof-work")
    }));
}

#[test]
fn r7_findings_gaps_and_disagreements_of_the_tenant() {
    let (dir, lake) = tenant_lake();
    let out = dir.path().join("report");
    run_ok([
        "evaluate".as_ref(),
        "--lake".as_ref(),
        lake.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--format".as_ref(),
        "json,csv".as_ref(),
    ]);
    let findings = fs::read_to_string(out.join("policy_findings.csv")).unwrap();
    let c1 = "44444444-aaaa-4000-8000-0000000000c1,CA01 Require MFA for all users (with exclusions),2026-11-02T20:00:00.000000Z";
    let lines: Vec<&str> = findings.lines().collect();
    assert_eq!(
        lines[0],
        "policy_id,policy_name,version_from,finding,version_to,escaped_sign_ins"
    );
    // CA01: four excluded accounts (Bob, Gus, Gil, Ray), one sign-in from the excluded
    // office, one to the excluded app; the version ends with its deletion at midnight.
    assert_eq!(
        lines[1..4],
        [
            format!("{c1},excludes_accounts,2026-11-03T00:00:00.000000Z,4"),
            format!("{c1},location_condition,2026-11-03T00:00:00.000000Z,1"),
            format!("{c1},not_all_apps,2026-11-03T00:00:00.000000Z,1"),
        ]
    );
    // CA07, the risk policy, qualifies: no finding. Seven policies, twelve findings.
    assert!(!findings.contains("-0000000000c7"));
    assert_eq!(lines.len(), 13, "{findings}");
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("report.json")).unwrap()).unwrap();
    let r7 = &report["requirements"][6];
    assert_eq!(r7["id"], "R7");
    assert_eq!(r7["holds"], false);
    assert_eq!(r7["figures"]["evidenced"], true);
    // Security defaults off from 18:00 and CA07 (qualifying) from 20:00 to midnight.
    let gaps: Vec<(&str, &str)> = r7["figures"]["gaps"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["gap_from"].as_str().unwrap(),
                g["gap_to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        gaps[0],
        ("2026-11-02T18:00:00.000000Z", "2026-11-02T20:00:00.000000Z")
    );
    assert!(gaps[1].0 == "2026-11-03T00:00:00.000000Z", "{gaps:?}");
    let disagreements = fs::read_to_string(out.join("entra_disagreements.csv")).unwrap();
    assert_eq!(
        disagreements.lines().nth(1),
        Some(
            "2026-11-02T21:35:00.000000Z,ca-a4,ana@contoso.example,44444444-aaaa-4000-8000-0000000000c1,CA01 Require MFA for all users (with exclusions),location_excluded,success"
        )
    );
    assert_eq!(disagreements.lines().count(), 2);
}
