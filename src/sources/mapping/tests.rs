//! Tests of the Graph mapping: lenient types, fallbacks, errors, audit values.
use super::*;
use crate::schema::EventType;

#[test]
fn lenient_types_and_envelope_fallbacks() {
    let json = r#"{"id":"a","createdDateTime":"2026-11-01T08:15:02.1234567Z",
        "userType":"Member","isInteractive":"True","status":{"errorCode":"0"},
        "authenticationDetails":null,"servicePrincipalId":"",
        "unknownNewField":{"x":1}}"#;
    let g: GraphSignIn = serde_json::from_str(json).unwrap();
    let s = g
        .into_canonical(Some(EventType::NonInteractiveUser), Some(50126))
        .unwrap();
    assert_eq!(s.user_type.as_deref(), Some("member"));
    assert_eq!(s.is_interactive, Some(true));
    assert_eq!(
        s.error_code,
        Some(0),
        "status.errorCode wins over resultType"
    );
    assert_eq!(s.event_type, EventType::NonInteractiveUser);
    assert!(s.authentication_details.is_empty());
    assert_eq!(s.service_principal_id, None);
    assert_eq!(s.created_at.timestamp_subsec_micros(), 123456);
}

#[test]
fn sign_in_event_types_win_over_envelope() {
    let json = r#"{"id":"a","createdDateTime":"2026-11-01T08:15:02Z",
        "signInEventTypes":["managedIdentity"]}"#;
    let g: GraphSignIn = serde_json::from_str(json).unwrap();
    let s = g
        .into_canonical(Some(EventType::InteractiveUser), None)
        .unwrap();
    assert_eq!(s.event_type, EventType::ManagedIdentity);
}

#[test]
fn wrong_types_and_missing_keys_are_errors() {
    let bad =
        r#"{"id":"a","createdDateTime":"2026-11-01T08:15:02Z","status":{"errorCode":"fifty"}}"#;
    assert!(serde_json::from_str::<GraphSignIn>(bad).is_err());
    let g: GraphSignIn =
        serde_json::from_str(r#"{"createdDateTime":"2026-11-01T08:15:02Z"}"#).unwrap();
    assert_eq!(g.into_canonical(None, None).unwrap_err(), "missing id");
}

#[test]
fn audit_values_keep_json_text() {
    let json = r#"{"id":"x","activityDateTime":"2026-11-01T08:00:00Z","activityDisplayName":"Update user",
      "targetResources":[{"id":"u1","type":"User","modifiedProperties":[
        {"displayName":"StrongAuthenticationRequirement","oldValue":"[]","newValue":[{"State":1}]}]}]}"#;
    let a = serde_json::from_str::<GraphAudit>(json)
        .unwrap()
        .into_canonical()
        .unwrap();
    let m = &a.target_resources[0].modified_properties[0];
    assert_eq!(m.old_value.as_deref(), Some("[]"));
    assert_eq!(m.new_value.as_deref(), Some(r#"[{"State":1}]"#));
}

#[test]
fn unknown_event_types_are_rejected_unless_the_envelope_says_the_log() {
    let json = r#"{"id":"a","createdDateTime":"2026-11-01T08:15:02Z","isInteractive":true,
        "signInEventTypes":[" agentUser ","unknownFutureValue"]}"#;
    let read = |envelope| {
        serde_json::from_str::<GraphSignIn>(json)
            .unwrap()
            .into_canonical(envelope, None)
    };
    assert_eq!(
        read(None).unwrap_err(),
        "signInEventTypes [\"agentUser\", \"unknownFutureValue\"] names no sign-in event type \
         mfaproof knows (interactiveUser, nonInteractiveUser, servicePrincipal, managedIdentity)"
    );
    let from_category = read(Some(EventType::ServicePrincipal)).unwrap();
    assert_eq!(from_category.event_type, EventType::ServicePrincipal);
    let v1: GraphSignIn = serde_json::from_str(
        r#"{"id":"b","createdDateTime":"2026-11-01T08:15:02Z","signInEventTypes":[]}"#,
    )
    .unwrap();
    assert_eq!(
        v1.into_canonical(None, None).unwrap().event_type,
        EventType::InteractiveUser,
        "no event types at all: a v1.0 record, interactive"
    );
}
