//! `mfaproof check-policies` on the forum thread's planned policy set and its fix
//! (`data-samples/conditional-access/`): the findings CSV byte for byte, the R7 exit
//! status, the JSON shape and unreadable files.

use std::path::PathBuf;

use tempfile::TempDir;

use crate::common::{fails, run, samples, stderr, text};

fn forum() -> Vec<String> {
    let dir = samples().join("conditional-access/forum-thread");
    [
        "1-require-mfa-all-users.json",
        "2-require-mfa-admins.json",
        "3-block-legacy-authentication.json",
        "4-require-mfa-outside-internal-network.json",
    ]
    .iter()
    .map(|f| dir.join(f).to_string_lossy().into_owned())
    .collect()
}

fn named_locations() -> String {
    let file = samples().join("conditional-access/forum-thread/named-locations.json");
    file.to_string_lossy().into_owned()
}

fn fixed() -> Vec<String> {
    let dir = samples().join("conditional-access/fixed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect()
}

fn check(files: &[String], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["check-policies".to_owned()];
    args.extend(files.iter().cloned());
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    run(args)
}

#[test]
fn the_forum_thread_plan_does_not_meet_r7() {
    let out = check(&forum(), &["--format", "csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(stderr(&out), "");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "policy_id,policy_name,finding\n\
         6a1f2c3e-0b7d-4c1a-9e21-5d0c7f3a9b11,Require MFA for all users,excludes_accounts\n\
         9c4e7b20-3f18-4d6a-8b55-2e71a0c4d802,Require MFA for admins,not_all_users\n\
         e47a0c19-5d2b-4f86-a3e8-1c6b9f0d2e74,Require MFA outside the internal network,location_condition\n"
    );
}

#[test]
fn the_table_explains_each_finding_and_ends_with_the_verdict() {
    let out = check(&forum(), &["--named-locations", &named_locations()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    for line in [
        "4 policies, 3 of them MFA policies (grant met only with MFA)",
        "2b8d5f61-7a94-4e03-b1c6-84f9e2d7a353  Block legacy authentication               enabled  not an MFA policy",
        "  location_condition: includes locations All; excludes AllTrusted (trusted named locations: \"Internal network\")",
        "  excludes_accounts: excludes users 0f3c8a51-2d64-4b9e-8a17-6e5d4c3b2a10, 5b7e9d13-8c2a-4f60-b4d1-3a9e7f6c5b21; groups c8d2e4f6-1a3b-4c5d-9e7f-8a6b4c2d0e32",
    ] {
        assert!(table.lines().any(|l| l == line), "{line:?} in\n{table}");
    }
    assert_eq!(
        table.matches("    Why it breaks the requirement: ").count(),
        3
    );
    assert_eq!(
        table.lines().last(),
        Some(
            "R7 does not hold: no enabled MFA policy requires MFA of every user for every application with no exclusion and no location, client app or other condition."
        )
    );
}

#[test]
fn the_fixed_plan_meets_r7() {
    let out = check(&fixed(), &["--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "policy_id,policy_name,finding\n\
         b6d8f0a2-4c6e-4a1b-9d3f-5e7a9c1b3d62,Require phishing-resistant MFA for admins,not_all_users\n"
    );
    let out = check(&fixed(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.ends_with("R7 holds: \"Require MFA for everyone\" (a3c5e7f9-1b2d-4e6f-8a0c-2d4f6a8c0e51) requires MFA of every user for every application, with no exclusion and no condition but sign-in risk.\n"),
        "{table}"
    );
}

#[test]
fn json_output_shape() {
    let out = check(
        &forum(),
        &["--format", "json", "--named-locations", &named_locations()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["r7"],
        serde_json::json!({"holds": false, "qualifying": []})
    );
    let policies = doc["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 4);
    let keys: Vec<&str> = policies[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "file",
        "policy_id",
        "policy_name",
        "state",
        "mfa_policy",
        "risk_policy",
        "qualifies",
        "findings",
        "other_conditions",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(
        policies[0]["findings"],
        serde_json::json!(["excludes_accounts"])
    );
    assert_eq!(policies[2]["policy_name"], "Block legacy authentication");
    assert_eq!(policies[2]["mfa_policy"], false);
    assert_eq!(policies[2]["findings"], serde_json::json!([]));
    assert_eq!(policies[3]["state"], "enabled");
    assert_eq!(
        doc["named_locations"],
        serde_json::json!([{"id": "3d5f7a9b-2c4e-4f68-8a0b-1c3e5f7a9b43", "name": "Internal network", "trusted": true}])
    );
}

#[test]
fn unreadable_files_exit_2_naming_the_file() {
    let dir = TempDir::new().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"id\": \"p\",\n  \"state\":\n").unwrap();
    let broken = broken.to_str().unwrap();
    fails(
        ["check-policies", broken],
        2,
        &format!("error: {broken}: not JSON: EOF while parsing a value at line 4 column 0\n"),
    );
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        r#"[{"id":"p1","state":"enabled"},{"id":"p2","state":"enabled","conditions":{"users":{"includeUsers":"All"}}}]"#,
    )
    .unwrap();
    let wrong = wrong.to_str().unwrap();
    fails(
        ["check-policies", &fixed()[0], wrong],
        2,
        &format!(
            "error: {wrong}: item 2: policy p2: conditions.users.includeUsers: expected a list of strings, found a string\n"
        ),
    );
    let missing = dir.path().join("missing.json");
    let out = run(["check-policies", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with(&format!("error: {}: ", missing.display())));
    let out = check(&forum(), &["--named-locations", &forum()[0]]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("1-require-mfa-all-users.json: named location 6a1f2c3e-0b7d-4c1a-9e21-5d0c7f3a9b11: no @odata.type"),
        "{}",
        stderr(&out)
    );
}
