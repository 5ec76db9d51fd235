//! Contract defects found when the engine was tried as an auditor would, each pinned by a
//! case that failed before its fix: the settling window's anchor (§7 R6), method
//! registration changes in R5, and user SQL that passes the UDFs the wrong types.

use super::*;
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use mfaproof::evidence::queries;

/// Every row of `batches` as text, by column name (null is empty).
fn text_rows(batches: &[RecordBatch]) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    for b in batches {
        let cols: Vec<_> = b
            .columns()
            .iter()
            .map(|c| arrow::compute::cast(c, &DataType::Utf8).unwrap())
            .collect();
        for r in 0..b.num_rows() {
            let row = b
                .schema()
                .fields()
                .iter()
                .zip(&cols)
                .map(|(f, c)| {
                    let c = c.as_string::<i32>();
                    let v = if c.is_valid(r) { c.value(r) } else { "" };
                    (f.name().clone(), v.to_owned())
                })
                .collect();
            out.push(row);
        }
    }
    out
}

/// Sign-ins on 1 and 3 November; a report on 1 November alone.
fn two_days() -> tempfile::TempDir {
    let day3 = Utc.with_ymd_and_hms(2026, 11, 3, 10, 0, 0).unwrap();
    let records = testlake::Records {
        sign_ins: vec![
            S::new("a", at(8, 0), "u1")
                .requirement("singleFactorAuthentication")
                .0,
            S::new("b", at(20, 0), "u1")
                .requirement("singleFactorAuthentication")
                .0,
            S::new("c", day3, "u1")
                .requirement("singleFactorAuthentication")
                .0,
        ],
        ..testlake::Records::default()
    };
    let dir = tempfile::tempdir().unwrap();
    testlake::write(dir.path(), &records, "0").unwrap();
    dir
}

/// `(verdict or id, provisional)` rows of a settling query with a 24-hour window.
async fn settling(
    lake: &Path,
    range: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
) -> Vec<String> {
    let ctx = open(lake, range, None).await.unwrap();
    let params = [("settling_hours", "24".to_string())];
    let mut out = Vec::new();
    for (query, key, value) in [
        ("r6_settling", "verdict", "provisional_sign_ins"),
        ("r1_problems", "id", "provisional"),
    ] {
        let df = queries::plan(&ctx, query, &params).await.unwrap();
        for r in text_rows(&queries::collect(query, df).await.unwrap()) {
            out.push(format!("{query}: {} {}", r[key], r[value]));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settling_window_is_anchored_to_the_newest_ingested_sign_in() {
    let lake = two_days();
    let day1 = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    // Inside an older window nothing is younger than 24 h before the newest sign-in (3 Nov).
    assert_eq!(
        settling(lake.path(), Some((day1, day1))).await,
        [
            "r1_problems: a false".to_string(),
            "r1_problems: b false".to_string()
        ]
    );
    assert_eq!(
        settling(lake.path(), None).await,
        [
            "r6_settling: violation 1".to_string(),
            "r1_problems: a false".to_string(),
            "r1_problems: b false".to_string(),
            "r1_problems: c true".to_string(),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn method_registration_changes_are_listed_under_auth_methods() {
    let upn = Some("adele@contoso.com");
    let method = (
        "StrongAuthenticationMethod",
        Some("[]"),
        Some(r#"[{"MethodType":6}]"#),
    );
    let mut initiated = audit(
        "m1",
        at(9, 0),
        "Update user",
        (Some("u1"), upn, "Adele"),
        &[method],
    );
    initiated.initiated_by.user_principal_name = Some("admin@contoso.com".into());
    let registered = audit(
        "m2",
        at(9, 5),
        "User registered security info",
        (Some("u1"), upn, "Adele"),
        &[method],
    );
    let requirement_only = sar("m3", at(9, 10), "u2", Some("[]"), Some(ENFORCED));
    let padded = audit(
        "m4",
        at(9, 15),
        "Update user",
        (Some("u3"), None, "Lee"),
        &[
            (" strongauthenticationMETHOD ", None, Some("[]")),
            ("StrongAuthenticationMethod", None, Some("[]")),
        ],
    );
    let records = testlake::Records {
        sign_ins: vec![S::new("s", at(8, 0), "u1").0],
        audits: vec![initiated, registered, requirement_only, padded],
        ..testlake::Records::default()
    };
    let dir = tempfile::tempdir().unwrap();
    testlake::write(dir.path(), &records, "0").unwrap();
    let ctx = open(dir.path(), None, None).await.unwrap();
    let got: Vec<String> = text_rows(&queries::run(&ctx, "regime_changes").await.unwrap())
        .iter()
        .map(|r| {
            let f = ["audit_id", "family", "activity", "target", "initiated_by"];
            f.map(|k| r[k].as_str()).join(" ")
        })
        .collect();
    assert_eq!(
        got,
        [
            "m1 auth_methods Update user adele@contoso.com admin@contoso.com",
            "m2 auth_methods User registered security info Adele ",
            "m3 per_user_mfa Update user u2 ",
            "m4 auth_methods Update user Lee ",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udf_calls_with_the_wrong_types_are_errors() {
    let lake = two_days();
    let ctx = open(lake.path(), None, None).await.unwrap();
    for sql in [
        "SELECT mfa_evidence(make_array(1, 2), 'x', make_array(3))",
        "SELECT mfa_evidence(authentication_details, additional_details, make_array('user')) FROM sign_ins",
        "SELECT mfa_evidence('text', 'x', authentication_requirement_policies) FROM sign_ins",
    ] {
        let result = match ctx.sql(sql).await {
            Ok(df) => df.collect().await.map(|_| ()),
            Err(e) => Err(e),
        };
        let err = result.expect_err(sql).to_string();
        assert!(err.contains("must be a list of structs"), "{sql}: {err}");
    }
}

/// The same through the binary: an error message and a failure status, no panic.
#[test]
fn mfaproof_query_reports_a_bad_udf_call_without_panicking() {
    let lake = two_days();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mfaproof"))
        .args(["query", "--lake"])
        .arg(lake.path())
        .arg("SELECT mfa_evidence(make_array(1), 'x', make_array(2))")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("mfa_evidence: authentication_details must be a list of structs"),
        "{stderr}"
    );
}
