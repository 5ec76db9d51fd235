//! Tests of the portal sign-ins CSV reader and its authentication-details join.

use super::*;
use crate::sources::test_sink::{Collect, sample};

fn read_with(file_name: &str, main: &[u8], companion: Option<&[u8]>) -> (Result<()>, Collect) {
    let mut sink = Collect::default();
    let mut input: &[u8] = main;
    let mut comp: Option<&[u8]> = companion;
    let comp_reader = comp.as_mut().map(|c| c as &mut dyn BufRead);
    let result = read(file_name, &mut input, comp_reader, &mut sink);
    (result, sink)
}

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

const NESTED_WARNING: &str = "applied_conditional_access_policies (CA policy details), network_location_details, authentication_requirement_policies and authentication_processing_details";

#[test]
fn interactive_sample_with_companion() {
    let (result, sink) = read_with(
        "InteractiveSignIns_2026-11-01_2026-11-03.csv",
        &sample("portal/InteractiveSignIns_2026-11-01_2026-11-03.csv"),
        Some(&sample(
            "portal/InteractiveSignIns_AuthDetails_2026-11-01_2026-11-03.csv",
        )),
    );
    result.unwrap();
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
    assert_eq!(sink.warnings.len(), 1, "{:?}", sink.warnings);
    assert!(sink.warnings[0].contains(NESTED_WARNING));
    let s = sink.numbered_sign_ins();
    assert_eq!(s.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [2, 3, 4, 5]);

    let push = s[0].1;
    assert_eq!(push.event_type, EventType::InteractiveUser);
    assert_eq!(
        push.app_id.as_deref(),
        Some("00000006-0000-0ff1-ce00-000000000000"),
        "\"Application ID \" has a trailing space"
    );
    assert_eq!(push.user_type.as_deref(), Some("member"));
    assert_eq!(
        push.authentication_requirement.as_deref(),
        Some("multiFactorAuthentication")
    );
    assert_eq!(push.conditional_access_status.as_deref(), Some("success"));
    assert_eq!(push.device_is_compliant, Some(true));
    assert_eq!(push.device_trust_type.as_deref(), Some("Azure AD joined"));
    let methods: Vec<_> = push
        .authentication_details
        .iter()
        .map(|d| d.authentication_method.as_deref())
        .collect();
    assert_eq!(
        methods,
        [Some("Password"), Some("Mobile app notification")],
        "steps in file order"
    );
    assert_eq!(
        iso(push.authentication_details[1]
            .authentication_step_date_time
            .unwrap()),
        "2026-11-02T08:02:29.000000Z"
    );

    let app_password = s[1].1;
    assert_eq!(app_password.client_app_used.as_deref(), Some("IMAP4"));
    assert_eq!(
        app_password.conditional_access_status.as_deref(),
        Some("notApplied")
    );
    assert_eq!(
        app_password.authentication_details[1]
            .authentication_step_result_detail
            .as_deref(),
        Some("MFA requirement skipped due to app password")
    );
    assert_eq!(
        app_password.authentication_protocol.as_deref(),
        Some("ropc")
    );

    let interrupted = s[2].1;
    assert_eq!(interrupted.error_code, Some(50074));
    assert_eq!(interrupted.authentication_details[1].succeeded, Some(false));

    let failed = s[3].1;
    assert_eq!(failed.error_code, Some(50126));
    assert!(
        failed.authentication_details.is_empty(),
        "no steps in the companion"
    );
    assert_eq!(
        failed.authentication_requirement.as_deref(),
        Some("singleFactorAuthentication")
    );
    assert_eq!(
        (
            failed.location_city.as_deref(),
            failed.location_state.as_deref(),
            failed.location_country_or_region.as_deref()
        ),
        (Some("Frankfurt am Main"), Some("Hessen"), Some("DE"))
    );
}

#[test]
fn without_companion_steps_are_missing_and_said_so() {
    let (result, sink) = read_with(
        "InteractiveSignIns_2026-11-01_2026-11-03.csv",
        &sample("portal/InteractiveSignIns_2026-11-01_2026-11-03.csv"),
        None,
    );
    result.unwrap();
    assert!(
        sink.numbered_sign_ins()
            .iter()
            .all(|(_, s)| s.authentication_details.is_empty())
    );
    assert_eq!(sink.warnings.len(), 2);
    assert!(sink.warnings[0].contains("InteractiveSignIns_AuthDetails_2026-11-01_2026-11-03.csv"));
    assert!(sink.warnings[0].contains("MFA step evidence"));
}

#[test]
fn non_interactive_sample_us_locale_and_empty_success_code() {
    let (result, sink) = read_with(
        "NonInteractiveSignIns_2026-11-01_2026-11-03.csv",
        &sample("portal/NonInteractiveSignIns_2026-11-01_2026-11-03.csv"),
        None,
    );
    result.unwrap();
    let s = sink.numbered_sign_ins();
    assert_eq!(s.len(), 2);
    assert!(
        s.iter()
            .all(|(_, x)| x.event_type == EventType::NonInteractiveUser)
    );
    assert_eq!(iso(s[0].1.created_at), "2026-11-02T08:20:11.000000Z");
    assert_eq!(iso(s[1].1.created_at), "2026-11-02T13:05:44.000000Z");
    assert_eq!(
        s[0].1.error_code,
        Some(0),
        "Success with an empty code is 0"
    );
    assert_eq!(
        s[0].1.incoming_token_type.as_deref(),
        Some("primaryRefreshToken")
    );
}

#[test]
fn duplicated_and_untidy_headers_resolve_by_position() {
    let csv = "Date  (UTC),Request ID ,incoming token type,Incoming Token Type,Status,Sign-in error code\n\
               2026-11-01T00:00:00Z,r1,primaryRefreshToken,none,Failure,\n";
    let (result, sink) = read_with("ApplicationSignIns_x.csv", csv.as_bytes(), None);
    result.unwrap();
    let s = sink.numbered_sign_ins()[0].1;
    assert_eq!(
        s.incoming_token_type.as_deref(),
        Some("primaryRefreshToken")
    );
    assert_eq!(s.event_type, EventType::ServicePrincipal);
    assert_eq!(s.error_code, None, "a failure without a code stays unknown");
}

#[test]
fn bad_rows_are_rejected_and_reading_goes_on() {
    let csv = "Date (UTC),Request ID,Sign-in error code,Status\n\
               2026-11-01T00:00:00Z,r1,0,Success\n\
               yesterday,r2,0,Success\n\
               2026-11-01T00:00:02Z,,0,Success\n\
               2026-11-01T00:00:03Z,r4,AADSTS50126,Failure\n\
               2026-11-01T00:00:04Z,r5,50126,Failure\n";
    let (result, sink) = read_with("MSISignIns_x.csv", csv.as_bytes(), None);
    result.unwrap();
    let reasons: Vec<(u64, &str, &str)> = sink
        .rejects
        .iter()
        .map(|(n, raw, r)| (*n, std::str::from_utf8(raw).unwrap(), r.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                3,
                "yesterday,r2,0,Success",
                "column \"Date (UTC)\": \"yesterday\" is not a timestamp"
            ),
            (
                4,
                "2026-11-01T00:00:02Z,,0,Success",
                "column \"Request ID\" is empty"
            ),
            (
                5,
                "2026-11-01T00:00:03Z,r4,AADSTS50126,Failure",
                "column \"Sign-in error code\": \"AADSTS50126\" is not an error code"
            ),
        ]
    );
    let s = sink.numbered_sign_ins();
    assert_eq!(
        s.iter()
            .map(|(n, x)| (*n, x.error_code))
            .collect::<Vec<_>>(),
        [(2, Some(0)), (6, Some(50126))]
    );
    assert_eq!(s[0].1.event_type, EventType::ManagedIdentity);
}

#[test]
fn missing_key_columns_make_the_file_unreadable() {
    let (result, _) = read_with("InteractiveSignIns_x.csv", b"User,Username\na,b\n", None);
    assert_eq!(
        result.unwrap_err().to_string(),
        "InteractiveSignIns_x.csv: cannot read input: not a readable portal sign-ins CSV: missing column(s) Request ID, Date (UTC)"
    );
}

fn generated(rows: usize) -> String {
    let mut csv = String::from("Date (UTC),Request ID,Status\n");
    for i in 0..rows {
        csv.push_str(&format!("2026-11-01T00:00:00Z,r{i},Success\n"));
    }
    csv
}

#[test]
fn the_100000_row_cap_is_reported() {
    let truncated = |rows| {
        let (result, sink) =
            read_with("InteractiveSignIns_x.csv", generated(rows).as_bytes(), None);
        result.unwrap();
        assert_eq!(sink.numbered_sign_ins().len(), rows);
        assert!(!sink.warnings.iter().any(|w| w.contains("100,000")));
        match sink.truncations.as_slice() {
            [] => false,
            [w] => w.contains("100,000 rows: the portal's download cap; probably truncated"),
            more => panic!("said {} times", more.len()),
        }
    };
    assert!(truncated(100_000));
    assert!(!truncated(99_999));
}

#[test]
fn companion_join_edge_cases() {
    let main = "Date (UTC),Request ID,Status\n2026-11-01T00:00:00Z,r1,Success\n2026-11-01T00:00:01Z,r2,Success\n";
    let companion = "\u{feff}Request ID,Date,Authentication method,Succeeded,Result detail,Requirement\r\n\
                     r1,2026-11-01T00:00:00Z,Password,Yes,Correct password,Primary authentication\r\n\
                     ,2026-11-01T00:00:00Z,Password,Yes,x,y\r\n\
                     r9,2026-11-01T00:00:00Z,Password,Yes,x,y\r\n\
                     r1,garbled,FIDO2 security key,maybe,MFA requirement satisfied by strong authentication,Multifactor authentication\r\n";
    let (result, sink) = read_with(
        "InteractiveSignIns_x.csv",
        main.as_bytes(),
        Some(companion.as_bytes()),
    );
    result.unwrap();
    let s = sink.numbered_sign_ins();
    let steps = &s[0].1.authentication_details;
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].succeeded, Some(true));
    assert_eq!(
        steps[0].authentication_step_requirement.as_deref(),
        Some("Primary authentication")
    );
    assert_eq!(
        (steps[1].authentication_step_date_time, steps[1].succeeded),
        (None, None),
        "unreadable step values are unknown"
    );
    assert!(s[1].1.authentication_details.is_empty(), "r2 has no steps");
    assert!(
        sink.warnings
            .iter()
            .any(|w| w.contains("1 row(s) without a readable Request ID"))
    );
    assert!(
        sink.warnings
            .iter()
            .any(|w| w.contains("steps of 1 request id(s) match no sign-in"))
    );

    let (result, sink) = read_with(
        "InteractiveSignIns_x.csv",
        main.as_bytes(),
        Some(b"Step,Method\n1,x\n"),
    );
    result.unwrap();
    assert_eq!(
        sink.numbered_sign_ins().len(),
        2,
        "an unusable companion does not stop the sign-ins"
    );
    assert!(sink.warnings[0].contains("has no \"Request ID\" column; MFA step evidence"));
}

#[test]
fn companion_names() {
    assert_eq!(
        companion_name("InteractiveSignIns_2026-11-01_2026-11-03.csv").as_deref(),
        Some("InteractiveSignIns_AuthDetails_2026-11-01_2026-11-03.csv")
    );
    assert_eq!(
        companion_name("dl/nonInteractiveSignIns_2026-11-01_2026-11-03.csv").as_deref(),
        Some("dl/nonInteractiveSignIns_AuthDetails_2026-11-01_2026-11-03.csv")
    );
    assert_eq!(
        companion_name("InteractiveSignIns_AuthDetails_2026-11-01.csv"),
        None
    );
    assert_eq!(companion_name("SigninLogs.csv"), None);
    assert_eq!(companion_name("InteractiveSignIns.csv"), None);
}
