//! Tests of the JSON sources against the synthetic files in `data-samples/`: every sample
//! decodes to what was written into it, the same sign-in gives the same canonical record
//! from Graph and Azure Monitor, and malformed files lose only their bad records.

use super::json_decode::TRUNCATED;
use super::test_sink::Collect;
use super::{azure_monitor, graph};
use crate::schema::{EventType, Record};

const TENANT: &str = "tenantId=0e35ee7a-425d-45a5-9013-218c1eae8fd4/y=2026/m=11/d=03";

fn graph_file(path: &str) -> Collect {
    Collect::file(path, graph::read).unwrap()
}

fn monitor_blob(container: &str, hour: u32) -> Collect {
    let path =
        format!("data-samples/azure-monitor/{container}/{TENANT}/h={hour:02}/m=00/PT1H.json");
    Collect::file(&path, azure_monitor::read).unwrap()
}

fn assert_clean(c: &Collect) {
    assert!(c.rejects.is_empty(), "rejects: {:?}", c.rejects);
    assert!(c.warnings.is_empty(), "warnings: {:?}", c.warnings);
}

#[test]
fn graph_and_azure_monitor_give_the_same_sign_in() {
    let graph = graph_file("data-samples/equivalence/graph-beta-page.json");
    let monitor = Collect::file(
        "data-samples/equivalence/azure-monitor-PT1H.json",
        azure_monitor::read,
    )
    .unwrap();
    assert_clean(&graph);
    assert_clean(&monitor);
    let (g, m) = (graph.sign_ins(), monitor.sign_ins());
    assert_eq!((g.len(), m.len()), (1, 1));
    // The envelope names the tenant; Graph does not.
    let mut named = m[0].clone();
    assert_eq!(
        named.tenant_id.take().as_deref(),
        Some("0e35ee7a-425d-45a5-9013-218c1eae8fd4")
    );
    assert_eq!(*g[0], named);
    assert_eq!(m[0].user_type.as_deref(), Some("member"));
    assert_eq!(m[0].authentication_details.len(), 2);
}

#[test]
fn interactive_page_covers_the_mfa_outcomes() {
    let c = graph_file("data-samples/graph/beta-signins-interactive-page.json");
    assert_clean(&c);
    let s = c.sign_ins();
    assert_eq!(s.len(), 11);
    let nos: Vec<u64> = c.records.iter().map(|r| r.0).collect();
    assert_eq!(nos, (1..=11).collect::<Vec<_>>());
    assert!(s.iter().all(|s| s.event_type == EventType::InteractiveUser));
    let result = |i: usize| {
        s[i].authentication_details
            .last()
            .and_then(|d| d.authentication_step_result_detail.as_deref())
    };
    assert_eq!(result(0), Some("MFA successfully completed"));
    assert_eq!(s[1].error_code, Some(50074));
    assert_eq!(
        s[1].correlation_id, s[0].correlation_id,
        "interrupt then success"
    );
    assert_eq!(
        result(2),
        Some("MFA requirement satisfied by strong authentication")
    );
    assert_eq!(
        result(3),
        Some("MFA requirement satisfied by claim in the token")
    );
    assert_eq!(s[3].created_at.to_rfc3339(), "2026-11-03T07:58:10+00:00");
    for i in [4, 5] {
        assert_eq!(
            result(i),
            Some("MFA requirement skipped due to app password")
        );
        assert_eq!(
            s[i].authentication_requirement_policies[0]
                .detail
                .as_deref(),
            Some("Per-user MFA")
        );
    }
    assert_eq!(s[4].client_app_used.as_deref(), Some("IMAP4"));
    assert_eq!(s[5].client_app_used.as_deref(), Some("Authenticated SMTP"));
    assert_eq!(result(6), Some("MFA requirement skipped due to location"));
    assert_eq!(
        result(7),
        Some("MFA requirement skipped due to remembered device")
    );
    assert_eq!(s[8].error_code, Some(50126));
    assert_eq!(s[9].user_type.as_deref(), Some("guest"));
    assert_eq!(
        s[9].cross_tenant_access_type.as_deref(),
        Some("b2bCollaboration")
    );
    assert_ne!(s[9].home_tenant_id, s[9].resource_tenant_id);
    assert!(s[10].authentication_details.is_empty());
    assert_eq!(
        s[10].created_at.timestamp_subsec_nanos(),
        0,
        "7th digit truncated"
    );
}

#[test]
fn non_interactive_lines_chain_to_the_interactive_session() {
    let interactive = graph_file("data-samples/graph/beta-signins-interactive-page.json");
    let mfa_session = interactive.sign_ins()[0].session_id.clone();
    let c = graph_file("data-samples/graph/beta-signins-noninteractive.ndjson");
    assert_clean(&c);
    let s = c.sign_ins();
    assert_eq!(s.len(), 5);
    assert!(
        s.iter()
            .all(|s| s.event_type == EventType::NonInteractiveUser)
    );
    let chained = s.iter().filter(|s| s.session_id == mfa_session).count();
    assert_eq!(chained, 4);
    assert_eq!(s[4].error_code, Some(700082));
}

#[test]
fn workload_v1_and_audit_pages() {
    let c = graph_file("data-samples/graph/beta-signins-workload-page.json");
    assert_clean(&c);
    let kinds: Vec<EventType> = c.sign_ins().iter().map(|s| s.event_type).collect();
    use EventType::{ManagedIdentity as Mi, ServicePrincipal as Sp};
    assert_eq!(kinds, [Sp, Sp, Mi]);
    assert_eq!(
        c.sign_ins()[2].managed_identity_type.as_deref(),
        Some("systemAssigned")
    );
    assert_eq!(c.sign_ins()[0].user_principal_name, None);

    let c = graph_file("data-samples/graph/v1-signins-page.json");
    assert_clean(&c);
    assert_eq!(c.sign_ins().len(), 3);
    assert!(c.sign_ins().iter().all(|s| s.user_type.is_none()
        && s.authentication_details.is_empty()
        && s.event_type == EventType::InteractiveUser));

    let c = graph_file("data-samples/graph/directory-audits-page.json");
    assert_clean(&c);
    let audits: Vec<_> = c
        .records
        .iter()
        .filter_map(|(_, r)| match r {
            Record::Audit(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(audits.len(), 6);
    let requirement = &audits[0].target_resources[0].modified_properties[0];
    assert_eq!(
        requirement.display_name.as_deref(),
        Some("StrongAuthenticationRequirement")
    );
    assert_eq!(requirement.old_value.as_deref(), Some("[]"));
    let new: serde_json::Value =
        serde_json::from_str(requirement.new_value.as_deref().unwrap()).unwrap();
    assert_eq!(new[0]["State"], 1);
    let defaults = &audits[2].target_resources[0].modified_properties[0];
    assert_eq!(
        (defaults.old_value.as_deref(), defaults.new_value.as_deref()),
        (Some("false"), Some("true"))
    );
    let names: Vec<_> = audits
        .iter()
        .filter_map(|a| a.activity_display_name.as_deref())
        .collect();
    assert!(names.contains(&"Create application password for user"));
}

#[test]
fn azure_monitor_tree() {
    let c = monitor_blob("insights-logs-signinlogs", 8);
    assert_clean(&c);
    assert_eq!(c.sign_ins().len(), 4);
    assert!(
        c.sign_ins()
            .iter()
            .all(|s| s.event_type == EventType::InteractiveUser)
    );
    assert_eq!(c.sign_ins()[0].error_code, Some(50074));

    let c = monitor_blob("insights-logs-noninteractiveusersigninlogs", 9);
    assert_clean(&c);
    assert_eq!(c.sign_ins().len(), 3);
    assert!(
        c.sign_ins()
            .iter()
            .all(|s| s.event_type == EventType::NonInteractiveUser)
    );
    assert_eq!(c.partials.len(), 1, "the blob is still being written");
    assert_eq!(c.partials[0].0, 4);

    let c = monitor_blob("insights-logs-serviceprincipalsigninlogs", 8);
    assert_clean(&c);
    let nos: Vec<u64> = c.records.iter().map(|r| r.0).collect();
    assert_eq!(nos, [1, 2], "records batch elements");
    assert_eq!(c.sign_ins()[1].error_code, Some(7000215));

    let c = monitor_blob("insights-logs-managedidentitysigninlogs", 8);
    assert_clean(&c);
    assert_eq!(c.sign_ins()[0].event_type, EventType::ManagedIdentity);

    let audits = monitor_blob("insights-logs-auditlogs", 9).records.len()
        + monitor_blob("insights-logs-auditlogs", 10).records.len();
    assert_eq!(audits, 6);

    let c = monitor_blob("insights-logs-provisioninglogs", 8);
    assert!(c.records.is_empty() && c.rejects.is_empty());
    assert_eq!(c.skips, [(1, "category ProvisioningLogs".to_string())]);
}

#[test]
fn malformed_files_keep_their_good_records() {
    let c = graph_file("tests/data/malformed/graph-bad-lines.ndjson");
    let nos: Vec<u64> = c.records.iter().map(|r| r.0).collect();
    assert_eq!(nos, [1, 4]);
    let rejects: Vec<(u64, &str)> = c.rejects.iter().map(|r| (r.0, r.2.as_str())).collect();
    assert_eq!(rejects.len(), 2);
    assert_eq!(rejects[0].0, 2);
    assert!(
        rejects[0]
            .1
            .starts_with("malformed JSON: expected ident at line 1 column")
    );
    assert_eq!(rejects[1].0, 3);
    assert!(
        rejects[1]
            .1
            .starts_with("unreadable value: expected an integer, found \"fifty\" at line 1 column")
    );

    let c = graph_file("tests/data/malformed/empty.json");
    assert!(c.records.is_empty() && c.rejects.is_empty());
    assert_eq!(c.warnings.len(), 1);

    let c = graph_file("tests/data/malformed/graph-truncated-array.json");
    let nos: Vec<u64> = c.records.iter().map(|r| r.0).collect();
    assert_eq!(nos, [1, 2]);
    let rejects: Vec<(u64, &str)> = c.rejects.iter().map(|r| (r.0, r.2.as_str())).collect();
    assert_eq!(rejects, [(3, TRUNCATED)]);
    assert_eq!(c.warnings.len(), 1, "the array is left open");

    let c = Collect::file(
        "tests/data/malformed/azure-monitor-unknown-category.json",
        azure_monitor::read,
    )
    .unwrap();
    let nos: Vec<u64> = c.records.iter().map(|r| r.0).collect();
    assert_eq!(nos, [1, 3]);
    assert_eq!(c.skips, [(2, "category AgentSignInLogs".to_string())]);
}

/// Microsoft's `List signIns` example shape repeats `homeTenantId` (two values),
/// `uniqueTokenIdentifier` and `isTenantRestricted` in one record: read, the last
/// occurrence winning, and counted once.
#[test]
fn a_record_that_repeats_keys_is_read_with_the_last_occurrence() {
    let c = graph_file("data-samples/graph/beta-signins-docs-shape.json");
    assert_clean(&c);
    assert_eq!(c.repeated_keys, [1]);
    let s = c.sign_ins();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].id, "5b0e7c2d-91a4-4f3e-8d6c-2e4a7f9b1300");
    assert_eq!(
        s[0].home_tenant_id.as_deref(),
        Some("0e35ee7a-425d-45a5-9013-218c1eae8fd4")
    );
    assert_eq!(
        s[0].unique_token_identifier.as_deref(),
        Some("NWIwZTdjMmQtOTFhNC00ZjNlLThkNmMtMmU0YTdm")
    );
    assert_eq!(s[0].event_type, EventType::InteractiveUser);
    assert_eq!(s[0].error_code, Some(50126));
    assert_eq!(s[0].authentication_details[0].succeeded, Some(false));

    // The same record as an Azure Monitor `properties`: read the same way.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data-samples/graph/beta-signins-docs-shape.json"),
    )
    .unwrap();
    let start = text.find("{\n      \"id\"").unwrap();
    let end = text.rfind(']').unwrap();
    let record = text[start..end].trim_end();
    let line = format!(
        "{{\"category\":\"SignInLogs\",\"properties\":{}}}\n",
        record.replace('\n', "")
    );
    let mut sink = Collect::default();
    azure_monitor::read(&mut line.as_bytes(), &mut sink).unwrap();
    assert_clean(&sink);
    assert_eq!(sink.repeated_keys, [1]);
    assert_eq!(sink.sign_ins()[0], s[0]);
}
