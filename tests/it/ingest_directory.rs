//! Ingest of the policy and directory bodies (issue 15 item 1, input-formats §7): every kind
//! detected by its `@odata.context` or its shape whatever the file name, read into its own
//! table, none of them read as sign-ins; bad records quarantined; a body of a kind mfaproof
//! does not read reported and counted; the same snapshot again adds nothing.

use std::path::Path;

use serde_json::Value;

use crate::common::{TENANT, bin, ingest, quarantined, rows, run_ok, table_rows, temp_lake, text};

const POLICIES: &str = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies","value":[
  {"id":"p1","displayName":"Require MFA for all users","state":"enabled","createdDateTime":"2026-01-05T10:00:00Z","modifiedDateTime":"2026-02-01T09:30:00.1234567Z",
   "conditions":{"users":{"includeUsers":["All"],"excludeUsers":["u-breakglass"]},"applications":{"includeApplications":["All"]},"clientAppTypes":["all"]},
   "grantControls":{"operator":"OR","builtInControls":["mfa"]}},
  {"id":"p2","displayName":"Risky sign-ins","state":"enabledForReportingButNotEnforced","createdDateTime":"2026-01-06T10:00:00Z",
   "conditions":{"signInRiskLevels":["high"]},"grantControls":{"operator":"OR","builtInControls":["mfa"]}},
  {"displayName":"no id","createdDateTime":"2026-01-06T10:00:00Z","conditions":{},"grantControls":{}}
]}"#;

const NAMED_LOCATIONS: &str = r##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/namedLocations","value":[
  {"@odata.type":"#microsoft.graph.ipNamedLocation","id":"l1","displayName":"HQ","createdDateTime":"2026-01-01T00:00:00Z","modifiedDateTime":"2026-01-01T00:00:00Z","isTrusted":true,"ipRanges":[{"@odata.type":"#microsoft.graph.iPv4CidrRange","cidrAddress":"203.0.113.0/24"}]},
  {"@odata.type":"#microsoft.graph.countryNamedLocation","id":"l2","displayName":"Germany","createdDateTime":"2026-01-01T00:00:00Z","countriesAndRegions":["DE"],"includeUnknownCountriesAndRegions":false}
]}"##;

const USERS: &str = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,displayName,userType,accountEnabled,createdDateTime,onPremisesSyncEnabled)","value":[
  {"id":"u1","userPrincipalName":"ada@contoso.example","displayName":"Ada","userType":"Member","accountEnabled":true,"createdDateTime":"2025-03-01T00:00:00Z","onPremisesSyncEnabled":true},
  {"id":"u2","userPrincipalName":"bob@contoso.example","displayName":"Bob","userType":"Member","accountEnabled":false,"createdDateTime":"2025-03-02T00:00:00Z","onPremisesSyncEnabled":null},
  {"id":"u3","userPrincipalName":"guest_fabrikam.example#EXT#@contoso.example","displayName":"Guest","userType":"Guest","accountEnabled":true,"createdDateTime":"2025-03-03T00:00:00Z"},
  {"userPrincipalName":"ghost@contoso.example","accountEnabled":true,"createdDateTime":"2025-03-04T00:00:00Z"}
]}"#;

/// No `@odata.context`: told by its shape.
const REGISTRATIONS: &str = r#"[
  {"id":"u1","userPrincipalName":"ada@contoso.example","userType":"member","isAdmin":true,"isMfaRegistered":true,"isMfaCapable":true,"methodsRegistered":["microsoftAuthenticatorPush"]},
  {"id":"u2","userPrincipalName":"bob@contoso.example","userType":"member","isAdmin":false,"isMfaRegistered":false,"isMfaCapable":false,"methodsRegistered":[]}
]"#;

/// Two pages as saved one after the other, pretty-printed.
const GROUPS: &str = r#"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups(members(id))",
  "value": [
    {"id": "g1", "displayName": "Admins", "members": [{"@odata.type": "x", "id": "u1"}, {"id": "u2"}]},
    {"id": "g2", "displayName": "Nobody", "members": []}
  ],
  "@odata.nextLink": "https://graph.microsoft.com/v1.0/groups?$skiptoken=x"
}
{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups(members(id))",
  "value": [
    {"id": "g3", "displayName": "Not expanded"}
  ]
}
"#;

/// One object a line, no context.
const ROLE_ASSIGNMENTS: &str = "{\"id\":\"a1\",\"principalId\":\"u1\",\"roleDefinitionId\":\"62e90394-69f5-4237-9190-012177145e10\",\"directoryScopeId\":\"/\"}\n{\"id\":\"a2\",\"principalId\":\"u2\",\"roleDefinitionId\":\"\"}\n";

const PROVISIONING: &str = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning","value":[{"id":"x","activityDateTime":"2026-11-01T00:00:00Z"}]}"#;

const SIGN_INS: &str = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns","value":[
  {"id":"s1","createdDateTime":"2026-11-03T08:00:00Z","userId":"u1","userPrincipalName":"ada@contoso.example","status":{"errorCode":0},"signInEventTypes":["interactiveUser"]},
  {"id":"s2","createdDateTime":"2026-11-03T09:00:00Z","userId":"u2","userPrincipalName":"bob@contoso.example","status":{"errorCode":0},"signInEventTypes":["interactiveUser"]}
]}"#;

/// The bodies under names that say nothing of their kind.
fn write_tenant(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, body) in [
        ("a.json", POLICIES),
        ("b.json", NAMED_LOCATIONS),
        ("c.json", USERS),
        ("d.json", REGISTRATIONS),
        ("e.json", GROUPS),
        ("f.json", ROLE_ASSIGNMENTS),
        ("g.json", PROVISIONING),
        ("h.json", SIGN_INS),
    ] {
        std::fs::write(dir.join(name), body).unwrap();
    }
}

/// `mfaproof query` as JSON rows (one object a line).
fn query(lake: &Path, sql: &str) -> Vec<Value> {
    let out = run_ok([
        "query".as_ref(),
        "--lake".as_ref(),
        lake.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        sql.as_ref(),
    ]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {}", text(&out))))
        .collect()
}

#[test]
fn every_body_goes_to_its_table_and_none_becomes_a_sign_in() {
    let (dir, lake) = temp_lake();
    let inputs = dir.path().join("tenant");
    write_tenant(&inputs);
    let out = ingest(&lake, [&inputs]);
    let said = text(&out);
    assert!(
        said.contains("g.json: a Graph body of `auditLogs/provisioning` (its @odata.context), which mfaproof does not read; not ingested"),
        "{said}"
    );
    let expected = vec![
        ("sign_ins", 2),
        ("audit_events", 0),
        ("mfa_state_snapshots", 0),
        ("security_defaults_snapshots", 0),
        ("ca_policies", 2),
        ("named_locations", 2),
        ("directory_users", 3),
        ("user_registrations", 2),
        ("directory_groups", 3),
        ("role_assignments", 1),
    ];
    assert_eq!(table_rows(&lake), expected);
    let ids = query(&lake, "SELECT id FROM sign_ins ORDER BY id");
    assert_eq!(
        ids,
        vec![
            serde_json::json!({"id": "s1"}),
            serde_json::json!({"id": "s2"})
        ]
    );

    let reasons: Vec<(String, u64, String)> = quarantined(&lake)
        .iter()
        .map(|q| {
            let file = q["file"].as_str().unwrap();
            let name = Path::new(file).file_name().unwrap().to_str().unwrap();
            (
                name.to_string(),
                q["record"].as_u64().unwrap(),
                q["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("a.json".to_string(), 3, "id is missing".to_string()),
            ("c.json".to_string(), 4, "id is missing".to_string()),
            (
                "f.json".to_string(),
                2,
                "roleDefinitionId is missing".to_string()
            ),
        ]
    );

    let manifest: Value =
        serde_json::from_slice(&std::fs::read(lake.join("manifest.json")).unwrap()).unwrap();
    let entry = |name: &str| {
        manifest["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with(name))
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in the manifest"))
    };
    assert_eq!(
        entry("g.json")["counts"]["skipped"]["JSON body of a kind mfaproof does not read"],
        1
    );
    assert_eq!(entry("g.json")["formats"], serde_json::json!([]));
    assert_eq!(
        entry("a.json")["formats"],
        serde_json::json!(["ca-policies"])
    );
    assert_eq!(
        entry("d.json")["formats"],
        serde_json::json!(["user-registrations"])
    );
    assert_eq!(entry("a.json")["counts"]["snapshots"], 2);

    // Through the evidence session the lead's queries use.
    let groups = query(
        &lake,
        "SELECT group_id, member_ids IS NULL AS unknown, array_length(member_ids) AS n, snapshot_at IS NULL AS no_time FROM directory_groups ORDER BY group_id",
    );
    assert_eq!(
        groups,
        vec![
            serde_json::json!({"group_id": "g1", "unknown": false, "n": 2, "no_time": true}),
            serde_json::json!({"group_id": "g2", "unknown": false, "n": 0, "no_time": true}),
            serde_json::json!({"group_id": "g3", "unknown": true, "no_time": true}),
        ]
    );
    let modified = query(
        &lake,
        "SELECT CAST(modified_at AS VARCHAR) AS m FROM ca_policies WHERE policy_id = 'p1'",
    );
    assert_eq!(
        modified,
        vec![serde_json::json!({"m": "2026-02-01T09:30:00.123456Z"})]
    );

    // Again: every input already in the lake, nothing changes.
    let again = ingest(&lake, [&inputs]);
    assert!(
        text(&again).contains("inputs: 0 ingested, 8 already ingested"),
        "{}",
        text(&again)
    );
    assert_eq!(table_rows(&lake), expected);
}

#[test]
fn the_same_snapshot_under_another_name_adds_nothing() {
    let (dir, lake) = temp_lake();
    let first = dir.path().join("policies.json");
    std::fs::write(&first, POLICIES).unwrap();
    ingest(&lake, [&first]);
    // Re-saved pretty-printed with its members in another order: the same rows.
    let second = dir.path().join("policies-again.json");
    let value: Value = serde_json::from_str(POLICIES).unwrap();
    std::fs::write(&second, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let out = bin()
        .args(["ingest", "--json", "--lake"])
        .arg(&lake)
        .arg(&second)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["duplicates_dropped"], 2);
    assert_eq!(rows(&lake, "ca_policies"), 2);
}

#[test]
fn format_forces_a_kind() {
    let (dir, lake) = temp_lake();
    // Objects of no known shape, read as users because the user says so.
    let input = dir.path().join("export.json");
    std::fs::write(&input, r#"[{"id":"u9","displayName":"Nine"}]"#).unwrap();
    let out = bin()
        .args([
            "ingest",
            "--format",
            "directory_users",
            "--tenant",
            TENANT,
            "--lake",
        ])
        .arg(&lake)
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(rows(&lake, "directory_users"), 1);
    assert_eq!(rows(&lake, "sign_ins"), 0);
}
