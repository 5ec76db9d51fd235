//! Tests of the Log Analytics CSV reader against the samples in `data-samples/` and
//! small inline files for the edge cases.

use super::*;
use crate::schema::EventType;
use crate::sources::la_row::Table;
use crate::sources::test_sink::{Collect, sample};

fn read_bytes(file_name: &str, bytes: &[u8]) -> (Result<()>, Collect) {
    let mut sink = Collect::default();
    let mut input: &[u8] = bytes;
    let result = read(file_name, &mut input, &mut sink);
    (result, sink)
}

fn read_sample(rel: &str) -> Collect {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let (result, sink) = read_bytes(name, &sample(rel));
    result.unwrap();
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
    sink
}

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[test]
fn signin_logs_sample_mfa_shapes() {
    let sink = read_sample("log-analytics/SigninLogs_2026-11-01.csv");
    let s = sink.numbered_sign_ins();
    assert_eq!(
        s.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6, 7]
    );
    assert!(
        s.iter()
            .all(|(_, x)| x.event_type == EventType::InteractiveUser)
    );

    let push = s[0].1;
    assert_eq!(push.user_type.as_deref(), Some("member"));
    assert_eq!(push.authentication_details.len(), 2);
    assert_eq!(
        push.applied_conditional_access_policies[0].enforced_grant_controls,
        ["Mfa"]
    );
    assert_eq!(push.location_city.as_deref(), Some("Amsterdam"));
    assert_eq!(push.device_is_compliant, Some(true));

    let app_password = s[1].1;
    assert_eq!(app_password.client_app_used.as_deref(), Some("IMAP4"));
    assert_eq!(
        app_password.authentication_requirement_policies[0]
            .requirement_provider
            .as_deref(),
        Some("user")
    );
    assert_eq!(
        app_password.authentication_details[1]
            .authentication_step_result_detail
            .as_deref(),
        Some("MFA requirement skipped due to app password")
    );
    assert_eq!(app_password.error_code, Some(0));

    let location_skip = s[2].1;
    assert_eq!(
        location_skip.network_location_details[0]
            .network_type
            .as_deref(),
        Some("trustedNamedLocation")
    );
    assert_eq!(
        location_skip.additional_details.as_deref(),
        Some("MFA requirement skipped due to location")
    );

    assert_eq!(s[3].1.error_code, Some(50126));
    assert_eq!(s[3].1.authentication_details[0].succeeded, Some(false));
    assert_eq!(s[4].1.error_code, Some(53003));
    assert_eq!(s[4].1.conditional_access_status.as_deref(), Some("failure"));
}

#[test]
fn non_interactive_json_in_a_string_and_us_locale_times() {
    let sink = read_sample("log-analytics/AADNonInteractiveUserSignInLogs_2026-11-01.csv");
    let s = sink.numbered_sign_ins();
    assert_eq!(s.len(), 3);
    let first = s[0].1;
    assert_eq!(first.event_type, EventType::NonInteractiveUser);
    assert_eq!(first.is_interactive, Some(false));
    assert_eq!(iso(first.created_at), "2026-11-01T08:20:11.512000Z");
    assert_eq!(
        first.authentication_details[0]
            .authentication_method
            .as_deref(),
        Some("Previously satisfied")
    );
    assert_eq!(
        first.additional_details.as_deref(),
        Some("MFA requirement satisfied by claim in the token")
    );
    assert_eq!(
        first.device_display_name.as_deref(),
        Some("CONTOSO-LT-0142")
    );
    assert_eq!(first.applied_conditional_access_policies.len(), 2);
    assert_eq!(
        first.mfa_auth_method, None,
        "an empty MfaDetail object is no value"
    );
    assert_eq!(
        s[1].1.authentication_requirement_policies[0]
            .detail
            .as_deref(),
        Some("Per-user MFA")
    );
    assert_eq!(iso(s[2].1.created_at), "2026-11-01T23:59:59.999000Z");
    assert_eq!(s[2].1.error_code, Some(700082));
}

#[test]
fn workload_tables() {
    let sp = read_sample("log-analytics/AADServicePrincipalSignInLogs_2026-11-01.csv");
    let s = sp.numbered_sign_ins();
    assert!(
        s.iter()
            .all(|(_, x)| x.event_type == EventType::ServicePrincipal)
    );
    assert_eq!(
        s[0].1.service_principal_name.as_deref(),
        Some("Contoso Backup Connector")
    );
    assert_eq!(
        s[0].1.resource_id.as_deref(),
        Some("00000003-0000-0000-c000-000000000000")
    );
    assert_eq!(s[1].1.error_code, Some(7000215));

    // No Type column in this sample: the table comes from the file name alone.
    let mi = read_sample("log-analytics/AADManagedIdentitySignInLogs_2026-11-01.csv");
    assert_eq!(
        mi.numbered_sign_ins()[0].1.event_type,
        EventType::ManagedIdentity
    );
    let (result, unnamed) = read_bytes(
        "query-results.csv",
        &sample("log-analytics/AADManagedIdentitySignInLogs_2026-11-01.csv"),
    );
    result.unwrap();
    assert_eq!(
        unnamed.numbered_sign_ins()[0].1.event_type,
        EventType::InteractiveUser
    );
}

#[test]
fn audit_logs_sample() {
    let sink = read_sample("log-analytics/AuditLogs_2026-11-01.csv");
    let a = sink.audits();
    assert_eq!(a.len(), 3);
    let per_user = a[0].1;
    assert_eq!(
        per_user.activity_display_name.as_deref(),
        Some("Update user")
    );
    assert_eq!(per_user.category.as_deref(), Some("UserManagement"));
    assert_eq!(per_user.operation_type.as_deref(), Some("Update"));
    assert_eq!(
        per_user.initiated_by.user_principal_name.as_deref(),
        Some("admin@contoso.example")
    );
    let m = &per_user.target_resources[0].modified_properties[0];
    assert_eq!(
        m.display_name.as_deref(),
        Some("StrongAuthenticationRequirement")
    );
    assert_eq!(m.old_value.as_deref(), Some("[]"));
    assert!(
        m.new_value
            .as_deref()
            .is_some_and(|v| v.starts_with(r#"[{"RelyingParty":"*","State":1"#))
    );
    let sd = a[1].1;
    assert_eq!(
        sd.activity_display_name.as_deref(),
        Some("Update security defaults")
    );
    let is_enabled = &sd.target_resources[0].modified_properties[0];
    assert_eq!(
        (
            is_enabled.old_value.as_deref(),
            is_enabled.new_value.as_deref()
        ),
        (Some("false"), Some("true"))
    );
    assert_eq!(iso(sd.activity_date_time), "2026-11-01T07:45:00.000000Z");
}

#[test]
fn missing_key_columns_make_the_file_unreadable() {
    let (result, sink) = read_bytes(
        "SigninLogs_missing-id-column.csv",
        &sample("../tests/data/malformed/SigninLogs_missing-id-column.csv"),
    );
    assert_eq!(
        result.unwrap_err().to_string(),
        "SigninLogs_missing-id-column.csv: cannot read input: not a readable Log Analytics export: missing column(s) Id"
    );
    assert!(sink.records.is_empty());

    let (result, _) = read_bytes(
        "AuditLogs.csv",
        b"Id,OperationName,CreatedDateTime\n1,x,2026-11-01T00:00:00Z\n",
    );
    assert!(
        result
            .unwrap_err()
            .to_string()
            .ends_with("missing column(s) ActivityDateTime")
    );
    let (result, _) = read_bytes(
        "export.csv",
        b"TenantId,TimeGenerated [UTC]\nw,2026-11-01T00:00:00Z\n",
    );
    assert!(
        result.unwrap_err().to_string().ends_with(
            "missing column(s) Id, CreatedDateTime (sign-ins) or ActivityDateTime (audit)"
        )
    );
}

#[test]
fn broken_json_cell_rejects_only_its_row() {
    let bytes = sample("../tests/data/malformed/SigninLogs_broken-json-cell.csv");
    let (result, sink) = read_bytes("SigninLogs_broken-json-cell.csv", &bytes);
    result.unwrap();
    let lines: Vec<u64> = sink.numbered_sign_ins().iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, [2, 4]);
    assert_eq!(sink.rejects.len(), 1);
    let (line, raw, reason) = &sink.rejects[0];
    assert_eq!(*line, 3);
    assert!(
        reason.starts_with("column AuthenticationDetails: invalid JSON"),
        "{reason}"
    );
    let third_line = bytes.split(|b| *b == b'\n').nth(2).unwrap();
    assert_eq!(raw.as_slice(), third_line);
}

#[test]
fn bad_rows_after_a_multiline_cell_keep_true_line_numbers() {
    let csv = "Id,CreatedDateTime,UserDisplayName,ResultType,Status\r\n\
               a,2026-11-01T00:00:00Z,\"Two\r\nLines\",0,\r\n\
               ,2026-11-01T00:00:01Z,x,0,\r\n\
               c,not a time,x,0,\r\n\
               d,2026-11-01T00:00:03Z,x,fifty,\r\n\
               e,2026-11-01T00:00:04Z,x,fifty,\"{\"\"errorCode\"\":0}\"\r\n\
               f,11/01/2026 12:00:05 AM,x,50126,{}\r\n";
    let (result, sink) = read_bytes("SigninLogs.csv", csv.as_bytes());
    result.unwrap();
    let reasons: Vec<(u64, &str)> = sink
        .rejects
        .iter()
        .map(|(n, _, r)| (*n, r.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (4, "column Id is empty"),
            (
                5,
                "column CreatedDateTime: \"not a time\" is not a timestamp"
            ),
            (6, "column ResultType: \"fifty\" is not an error code"),
        ]
    );
    let s = sink.numbered_sign_ins();
    assert_eq!(s.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [2, 7, 8]);
    assert_eq!(s[0].1.user_display_name.as_deref(), Some("Two\r\nLines"));
    assert_eq!(
        s[1].1.error_code,
        Some(0),
        "Status.errorCode wins; ResultType is not read"
    );
    assert_eq!(s[2].1.error_code, Some(50126), "ResultType is the fallback");
    assert_eq!(iso(s[2].1.created_at), "2026-11-01T00:00:05.000000Z");
}

#[test]
fn type_column_decides_per_row_and_unknown_tables_are_skipped() {
    let csv = "TYPE, id ,CreatedDateTime [UTC],ActivityDateTime [UTC],OperationName\n\
               AADNonInteractiveUserSignInLogs,n1,2026-11-01T00:00:00Z,,\n\
               AuditLogs,a1,,2026-11-01T00:00:00Z,Update user\n\
               AADProvisioningLogs,p1,2026-11-01T00:00:00Z,,\n\
               ,s1,2026-11-01T00:00:00Z,,\n";
    let (result, sink) = read_bytes("SigninLogs_union.csv", csv.as_bytes());
    result.unwrap();
    let s = sink.numbered_sign_ins();
    assert_eq!(s[0].1.event_type, EventType::NonInteractiveUser);
    assert_eq!((s[1].0, s[1].1.event_type), (5, EventType::InteractiveUser));
    let a = sink.audits();
    assert_eq!(
        a[0].1.activity_display_name.as_deref(),
        Some("Update user"),
        "OperationName is the fallback"
    );
    assert_eq!(sink.skips, [(4, "AADProvisioningLogs".to_string())]);
}

#[test]
fn table_names_from_files() {
    let t = |n| table_from_file_name(n);
    assert_eq!(
        t("exports/AADNonInteractiveUserSignInLogs.csv"),
        Some(Table::SignIns(Some(EventType::NonInteractiveUser)))
    );
    assert_eq!(
        t("aadserviceprincipalsigninlogs-q.csv"),
        Some(Table::SignIns(Some(EventType::ServicePrincipal)))
    );
    assert_eq!(
        t("SigninLogs (3).csv"),
        Some(Table::SignIns(Some(EventType::InteractiveUser)))
    );
    assert_eq!(t("AuditLogs_2026.csv"), Some(Table::Audit));
    assert_eq!(t("query_data.csv"), None);
}

/// Log Analytics rows as JSON (Sentinel / query API shape): one object a line, `TenantId`
/// the workspace, dynamic columns as JSON values, string columns holding JSON text.
#[test]
fn json_rows_read_like_csv_rows() {
    let sink = read_sample("log-analytics/SigninLogs_2026-11-03.json");
    assert!(sink.warnings.is_empty() && sink.repeated_keys.is_empty());
    let s = sink.numbered_sign_ins();
    assert_eq!(s.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(
        s.iter()
            .all(|(_, x)| x.event_type == EventType::InteractiveUser)
    );
    let push = s[0].1;
    assert_eq!(push.id, "9a3c5e7b-2d4f-4a6c-8e0b-1c3e5a7c0001");
    assert_eq!(iso(push.created_at), "2026-11-03T06:10:04.261953Z");
    assert_eq!(push.user_type.as_deref(), Some("member"));
    assert_eq!(push.error_code, Some(0));
    assert_eq!(
        push.authentication_details[1]
            .authentication_method
            .as_deref(),
        Some("Mobile app notification")
    );
    assert_eq!(
        push.applied_conditional_access_policies[0].enforced_grant_controls,
        ["Mfa"]
    );
    assert_eq!(
        push.resource_id.as_deref(),
        Some("00000002-0000-0ff1-ce00-000000000000"),
        "ResourceIdentity, not the Azure ResourceId"
    );
    assert_eq!(push.location_city.as_deref(), Some("Amsterdam"));
    assert_eq!(push.device_browser.as_deref(), Some("Edge 130.0.0"));
    assert_eq!(push.is_interactive, Some(true));
    assert_eq!(s[1].1.session_id, push.session_id);
    assert_eq!(s[2].1.error_code, Some(50126));
    let skip = s[3].1;
    assert_eq!(
        skip.additional_details.as_deref(),
        Some("MFA requirement skipped due to location")
    );
    assert_eq!(
        skip.network_location_details[0].network_names,
        ["Amsterdam office"]
    );
    assert_eq!(
        skip.authentication_requirement_policies[0]
            .requirement_provider
            .as_deref(),
        Some("user")
    );
}

#[test]
fn json_rows_of_every_table_and_their_faults() {
    let rows = concat!(
        r#"{"Type":"AADNonInteractiveUserSignInLogs","Id":"n1","CreatedDateTime":"2026-11-01T00:00:00Z","Status":"{\"errorCode\":0}","ResultType":"0"}"#,
        "\n",
        r#"{"Type":"AuditLogs","Id":"a1","ActivityDateTime":"2026-11-01T00:00:00Z","OperationName":"Update user","InitiatedBy":"{\"user\":{\"userPrincipalName\":\"admin@contoso.example\"}}","TargetResources":[{"id":"u1","modifiedProperties":[{"displayName":"StrongAuthenticationMethod","oldValue":"[]","newValue":"[{\"MethodType\":6}]"}]}],"Category":"UserManagement"}"#,
        "\n",
        r#"{"Type":"AADProvisioningLogs","Id":"p1"}"#,
        "\n",
        r#"{"Type":"AADServicePrincipalSignInLogs","Id":"s1","CreatedDateTime":"2026-11-01T00:00:00Z","ResultType":7000215,"ResultType":"0"}"#,
        "\n",
        r#"{"Type":"AADManagedIdentitySignInLogs","Id":"","CreatedDateTime":"2026-11-01T00:00:00Z"}"#,
        "\n",
        r#"[1]"#,
        "\n",
        r#"{"Type":"SigninLogs","Id":"x","CreatedDateTime":"2026-11-01T00:00:00Z","#,
    );
    let (result, sink) = read_bytes("export.json", rows.as_bytes());
    result.unwrap();
    let s = sink.numbered_sign_ins();
    let kinds: Vec<(u64, EventType)> = s.iter().map(|(n, x)| (*n, x.event_type)).collect();
    assert_eq!(
        kinds,
        [
            (1, EventType::NonInteractiveUser),
            (4, EventType::ServicePrincipal)
        ]
    );
    assert_eq!(
        s[1].1.error_code,
        Some(0),
        "a repeated key: the last one wins"
    );
    assert_eq!(sink.repeated_keys, [4]);
    let a = sink.audits();
    assert_eq!(a[0].0, 2);
    assert_eq!(a[0].1.activity_display_name.as_deref(), Some("Update user"));
    assert_eq!(
        a[0].1.initiated_by.user_principal_name.as_deref(),
        Some("admin@contoso.example")
    );
    assert_eq!(
        a[0].1.target_resources[0].modified_properties[0]
            .new_value
            .as_deref(),
        Some(r#"[{"MethodType":6}]"#)
    );
    assert_eq!(sink.skips, [(3, "AADProvisioningLogs".to_string())]);
    let reasons = sink.reasons();
    assert_eq!(reasons[0], (5, "column Id is empty"));
    // A line holding an array is read element by element, numbered by element.
    assert_eq!(reasons[1].0, 1);
    assert!(
        reasons[1]
            .1
            .starts_with("unreadable value: invalid type: integer `1`, expected a JSON object"),
        "{}",
        reasons[1].1
    );
    assert_eq!(reasons[2], (7, crate::sources::json_decode::TRUNCATED));
}

#[test]
fn the_tenant_is_aad_tenant_id_never_the_workspace_tenant_id() {
    let sink = read_sample("log-analytics/SigninLogs_2026-11-01.csv");
    let tenants: Vec<Option<&str>> = sink
        .sign_ins()
        .iter()
        .map(|s| s.tenant_id.as_deref())
        .collect();
    assert_eq!(tenants, [Some("0e35ee7a-425d-45a5-9013-218c1eae8fd4"); 6]);
    // The service principal table has no AADTenantId: its rows name no tenant, although
    // TenantId (the workspace) is there.
    let sink = read_sample("log-analytics/AADServicePrincipalSignInLogs_2026-11-01.csv");
    assert!(sink.sign_ins().iter().all(|s| s.tenant_id.is_none()));
}

#[test]
fn a_row_of_another_tenant_than_the_given_one_is_rejected_whole() {
    let csv = "TenantId,AADTenantId,Id,CreatedDateTime,Type\n\
               w,T-1,a,2026-11-03T08:00:00Z,SigninLogs\n\
               w,t-2,b,2026-11-03T08:00:00Z,SigninLogs\n\
               w,,c,2026-11-03T08:00:00Z,AuditLogs\n";
    let mut sink = Collect {
        tenant: Some("t-1".into()),
        ..Collect::default()
    };
    read("export.csv", &mut csv.as_bytes(), &mut sink).unwrap();
    let ids: Vec<&str> = sink.sign_ins().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["a"]);
    assert_eq!(sink.rejects.len(), 2);
    assert_eq!(
        (
            sink.rejects[0].0,
            sink.rejects[0].1.as_slice(),
            sink.rejects[0].2.as_str()
        ),
        (
            3,
            b"w,t-2,b,2026-11-03T08:00:00Z,SigninLogs".as_slice(),
            "the record belongs to tenant t-2, not to the tenant t-1 given for this input"
        )
    );
}
