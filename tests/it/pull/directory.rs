//! The policy and directory snapshot streams against the fake Graph: every listing paged
//! into its table with the pull's start as `snapshot_at`, a group's members completed past
//! Graph's `$expand` cap, and a 403 that names the permission of its stream.

use serde_json::{Value, json};

use super::fake::State;
use super::{pull, pull_failing, served, tenant, window};
use crate::common::{read_table, rows, strings, table_rows, text};

const STREAMS: &str = "ca-policies,named-locations,users,registrations,groups,role-assignments";

/// The fake tenant with 5 policies, 3 named locations, 6 registrations, 3 groups (one of
/// 25 members, one empty, one of 2) and 5 role assignments; pages of 4.
fn directory_tenant() -> State {
    let mut state = tenant();
    state.ca_policies = (0..5)
        .map(|i| {
            json!({"id": format!("policy-{i}"), "displayName": format!("Policy {i}"),
            "state": "enabled", "createdDateTime": "2026-01-01T00:00:00Z",
            "conditions": {"users": {"includeUsers": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
        })
        .collect();
    state.named_locations = (0..3)
        .map(|i| {
            json!({"@odata.type": "#microsoft.graph.countryNamedLocation",
            "id": format!("location-{i}"), "displayName": format!("Location {i}"),
            "countriesAndRegions": ["DE"], "includeUnknownCountriesAndRegions": false})
        })
        .collect();
    state.registrations = (0..6)
        .map(|i| json!({"id": format!("user-{i}"), "userPrincipalName": format!("u{i}@contoso.example"),
            "isAdmin": i == 0, "isMfaRegistered": i % 2 == 0, "isMfaCapable": i % 2 == 0,
            "methodsRegistered": if i % 2 == 0 { json!(["microsoftAuthenticatorPush"]) } else { json!([]) },
            "userType": "member"}))
        .collect();
    let big: Vec<Value> = (0..25)
        .map(|i| json!({"id": format!("member-{i}")}))
        .collect();
    state.groups = vec![
        json!({"id": "group-big", "displayName": "All staff", "members": big}),
        json!({"id": "group-empty", "displayName": "Nobody", "members": []}),
        json!({"id": "group-two", "displayName": "Admins", "members": [{"id": "user-0"}, {"id": "user-1"}]}),
    ];
    state.role_assignments = (0..5)
        .map(|i| {
            json!({"id": format!("assignment-{i}"), "principalId": format!("user-{i}"),
            "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "directoryScopeId": "/"})
        })
        .collect();
    state
}

#[test]
fn pulls_every_policy_and_directory_listing_into_its_table() {
    let (server, _dir, lake) = served(directory_tenant());
    let out = pull(
        &server,
        &lake,
        &[&window()[..], &["--streams", STREAMS]].concat(),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        table_rows(&lake),
        [
            ("sign_ins", 0),
            ("audit_events", 0),
            ("mfa_state_snapshots", 0),
            ("security_defaults_snapshots", 0),
            ("ca_policies", 5),
            ("named_locations", 3),
            ("directory_users", 6),
            ("user_registrations", 6),
            ("directory_groups", 3),
            ("role_assignments", 5),
        ]
    );
    // 5 policies in pages of 4: the second page by nextLink.
    assert_eq!(server.seen("/conditionalAccess/policies").len(), 2);
    // The users listing asks for the fields the table keeps.
    let users = server.seen("/v1.0/users?");
    assert!(
        users.iter().any(|u| u
            .target
            .contains("accountEnabled,createdDateTime,onPremisesSyncEnabled")),
        "{users:?}"
    );
    // Only the group that came with 20 members was listed again, in full.
    let listed: Vec<String> = server
        .seen("/members")
        .iter()
        .map(|s| s.target.clone())
        .collect();
    assert_eq!(listed.len(), 7, "25 members in pages of 4: {listed:?}");
    assert!(
        listed
            .iter()
            .all(|t| t.starts_with("/v1.0/groups/group-big/members")),
        "{listed:?}"
    );
    let mut members = Vec::new();
    let mut snapshot_times = Vec::new();
    for b in read_table(&lake, "directory_groups") {
        let ids = strings(&b, "group_id");
        let lists = b.column_by_name("member_ids").unwrap();
        let lists = lists
            .as_any()
            .downcast_ref::<arrow::array::ListArray>()
            .unwrap();
        for r in 0..b.num_rows() {
            members.push((ids.value(r).to_string(), lists.value_length(r)));
        }
    }
    members.sort();
    assert_eq!(
        members,
        [
            ("group-big".to_string(), 25),
            ("group-empty".to_string(), 0),
            ("group-two".to_string(), 2)
        ]
    );
    for table in ["ca_policies", "directory_users", "role_assignments"] {
        for b in read_table(&lake, table) {
            let col = b.column_by_name("snapshot_at").unwrap();
            assert_eq!(col.null_count(), 0, "{table}");
            let t = col
                .as_any()
                .downcast_ref::<arrow::array::TimestampMicrosecondArray>()
                .unwrap();
            snapshot_times.extend(t.values().iter().copied());
        }
    }
    snapshot_times.dedup();
    assert_eq!(snapshot_times.len(), 1, "one pull, one snapshot time");
    let files: Vec<String> = read_table(&lake, "ca_policies")
        .iter()
        .flat_map(|b| {
            let f = strings(b, "source_file");
            (0..b.num_rows())
                .map(move |r| f.value(r).to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("graph:/v1.0/identity/conditionalAccess/policies#page=")),
        "{files:?}"
    );
}

#[test]
fn a_403_on_a_directory_stream_names_its_permission() {
    let mut state = directory_tenant();
    state.forbidden = vec!["/roleManagement/".into(), "/v1.0/groups".into()];
    let (server, _dir, lake) = served(state);
    let (stdout, stderr) = pull_failing(
        &server,
        &lake,
        &[&window()[..], &["--streams", STREAMS]].concat(),
    );
    assert!(
        stderr.contains("403 from GET /v1.0/roleManagement/directory/roleAssignments: the app likely lacks the application permission RoleManagement.Read.Directory"),
        "{stderr}"
    );
    assert!(stderr.contains("GroupMember.Read.All"), "{stderr}");
    assert!(
        stdout.contains("role-assignments: failed") && stdout.contains("groups: failed"),
        "{stdout}"
    );
    assert!(stdout.contains("ca-policies: complete"), "{stdout}");
    assert_eq!(rows(&lake, "ca_policies"), 5);
    assert_eq!(rows(&lake, "role_assignments"), 0);
}
