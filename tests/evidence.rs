//! End-to-end tests of the evidence engine: hand-written lakes classified through the real
//! SQL, one case per class of evidence rules §3, per rule-order conflict, per timeline rule
//! (§4) and per chaining rule (§5), plus the classify export and the evaluate report.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use mfaproof::evidence::{export, open, report, testlake};
use mfaproof::schema::{
    AuditEvent, AuthDetail, EventType, MfaStateSnapshot, ModifiedProperty, RequirementPolicy,
    SecurityDefaultsSnapshot, SignIn, TargetResource,
};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, h, m, 0).unwrap()
}

struct S(SignIn);

impl S {
    fn new(id: &str, t: DateTime<Utc>, user: &str) -> S {
        let mut s = SignIn::new(id.into(), t, EventType::InteractiveUser);
        s.user_id = Some(user.into());
        s.user_principal_name = Some(format!("{user}@contoso.com"));
        s.user_type = Some("member".into());
        s.error_code = Some(0);
        s.client_app_used = Some("Browser".into());
        S(s)
    }
    fn event(mut self, e: EventType) -> S {
        self.0.event_type = e;
        self
    }
    fn error(mut self, e: Option<i32>) -> S {
        self.0.error_code = e;
        self
    }
    fn client(mut self, c: &str) -> S {
        self.0.client_app_used = Some(c.into());
        self
    }
    fn requirement(mut self, r: &str) -> S {
        self.0.authentication_requirement = Some(r.into());
        self
    }
    fn step(mut self, method: &str, ok: Option<bool>, detail: &str, req: &str) -> S {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        self.0.authentication_details.push(AuthDetail {
            authentication_method: some(method),
            succeeded: ok,
            authentication_step_result_detail: some(detail),
            authentication_step_requirement: some(req),
            ..AuthDetail::default()
        });
        self
    }
    fn additional(mut self, d: &str) -> S {
        self.0.additional_details = Some(d.into());
        self
    }
    fn session(mut self, s: &str) -> S {
        self.0.session_id = Some(s.into());
        self
    }
    fn provider(mut self, p: &str) -> S {
        self.0
            .authentication_requirement_policies
            .push(RequirementPolicy {
                requirement_provider: Some(p.into()),
                detail: None,
            });
        self
    }
    fn guest(mut self) -> S {
        self.0.user_type = Some("guest".into());
        self
    }
}

fn audit(
    id: &str,
    t: DateTime<Utc>,
    activity: &str,
    target: (Option<&str>, Option<&str>, &str),
    props: &[(&str, Option<&str>, Option<&str>)],
) -> AuditEvent {
    let mut a = AuditEvent::new(id.into(), t);
    a.activity_display_name = Some(activity.into());
    a.result = Some("success".into());
    a.target_resources.push(TargetResource {
        id: target.0.map(str::to_owned),
        user_principal_name: target.1.map(str::to_owned),
        display_name: Some(target.2.into()),
        resource_type: Some("User".into()),
        modified_properties: props
            .iter()
            .map(|(n, o, v)| ModifiedProperty {
                display_name: Some((*n).into()),
                old_value: o.map(str::to_owned),
                new_value: v.map(str::to_owned),
            })
            .collect(),
    });
    a
}

fn sar(id: &str, t: DateTime<Utc>, user: &str, old: Option<&str>, new: Option<&str>) -> AuditEvent {
    audit(
        id,
        t,
        "Update user",
        (Some(user), None, user),
        &[("StrongAuthenticationRequirement", old, new)],
    )
}

fn snapshot(
    user: Option<&str>,
    upn: Option<&str>,
    state: &str,
    t: DateTime<Utc>,
) -> MfaStateSnapshot {
    MfaStateSnapshot {
        user_id: user.map(str::to_owned),
        user_principal_name: upn.map(str::to_owned),
        per_user_mfa_state: state.into(),
        as_of: t,
    }
}

const ENFORCED: &str =
    r#"[{"RelyingParty":"*","State":1,"RememberDevicesNotIssuedBefore":"2026-01-01T00:00:00Z"}]"#;
const ENABLED: &str = r#"[{"RelyingParty":"*","State":0}]"#;

type Row = BTreeMap<String, String>;

async fn classify(records: &testlake::Records) -> BTreeMap<String, Row> {
    let dir = tempfile::tempdir().unwrap();
    testlake::write(dir.path(), records, "0").unwrap();
    let out = dir.path().join("export.csv");
    let ctx = open(dir.path(), None).await.unwrap();
    export::write(&ctx, &out).await.unwrap();
    read_csv(&out)
}

fn read_csv(path: &Path) -> BTreeMap<String, Row> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, export::COLUMNS);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let row: Row = header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect();
            (row["id"].clone(), row)
        })
        .collect()
}

/// (id, sign-in, class, verdict, reason fragment, origin)
type Case = (
    &'static str,
    S,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn cases() -> Vec<Case> {
    let m = |h| at(8, h);
    vec![
        (
            "sp",
            S::new("sp", m(1), "app").event(EventType::ServicePrincipal),
            "workload",
            "not_applicable",
            "service_principal",
            "",
        ),
        (
            "mi",
            S::new("mi", m(1), "app")
                .event(EventType::ManagedIdentity)
                .error(Some(50126)),
            "workload",
            "not_applicable",
            "managed_identity",
            "",
        ),
        (
            "int",
            S::new("int", m(1), "u1").error(Some(500121)).step(
                "FIDO2 security key",
                Some(true),
                "",
                "",
            ),
            "mfa_interrupted",
            "not_applicable",
            "500121",
            "",
        ),
        (
            "fail",
            S::new("fail", m(1), "u1").error(Some(50126)),
            "failed",
            "not_applicable",
            "50126",
            "",
        ),
        (
            "nullerr",
            S::new("nullerr", m(1), "u1").error(None).step(
                "FIDO2 security key",
                Some(true),
                "",
                "",
            ),
            "failed",
            "not_applicable",
            "no error code",
            "",
        ),
        (
            "strong",
            S::new("strong", m(2), "u1")
                .step("Password", Some(true), "", "Primary authentication")
                .step(
                    "FIDO2 security key",
                    Some(true),
                    "",
                    "Multifactor authentication",
                ),
            "strong_auth",
            "satisfied",
            "FIDO2 security key",
            "",
        ),
        (
            "strongdetail",
            S::new("strongdetail", m(2), "u1").step(
                "",
                None,
                "MFA requirement satisfied by strong authentication",
                "",
            ),
            "strong_auth",
            "satisfied",
            "strong authentication",
            "",
        ),
        (
            "passkeynull",
            S::new("passkeynull", m(2), "u1")
                .step("Passkey (device-bound)", None, "", "")
                .requirement("multiFactorAuthentication"),
            "mfa_required_success",
            "satisfied",
            "multiFactorAuthentication",
            "",
        ),
        (
            "passkeyvariant",
            S::new("passkeyvariant", m(2), "u1").step(
                " passkey (Microsoft Authenticator) ",
                Some(true),
                "",
                "",
            ),
            "strong_auth",
            "satisfied",
            "passkey",
            "",
        ),
        (
            "push",
            S::new("push", m(3), "u1").step("Mobile app notification", Some(true), "", ""),
            "mfa_completed",
            "satisfied",
            "Mobile app notification",
            "",
        ),
        (
            "phone",
            S::new("phone", m(3), "u1").step("Phone call (office phone)", Some(true), "", ""),
            "mfa_completed",
            "satisfied",
            "Phone call",
            "",
        ),
        (
            "padded",
            S::new("padded", m(3), "u1").step(
                "Password",
                Some(true),
                "\u{a0} mfa SUCCESSFULLY completed\t",
                "",
            ),
            "mfa_completed",
            "satisfied",
            "SUCCESSFULLY",
            "",
        ),
        (
            "failedstep",
            S::new("failedstep", m(3), "u1")
                .step(
                    "Text message",
                    Some(false),
                    "MFA successfully completed",
                    "",
                )
                .requirement("singleFactorAuthentication"),
            "single_factor",
            "violation",
            "off",
            "",
        ),
        (
            "statusdetail",
            S::new("statusdetail", m(3), "u1").additional("MFA completed in Azure AD"),
            "mfa_completed",
            "satisfied",
            "Azure AD",
            "",
        ),
        (
            "strongbeatsloc",
            S::new("strongbeatsloc", m(4), "u1")
                .step("Windows Hello for Business", Some(true), "", "")
                .additional("MFA requirement skipped due to location"),
            "strong_auth",
            "satisfied",
            "Windows Hello",
            "",
        ),
        (
            "apsnap",
            S::new("apsnap", m(10), "enf").client("IMAP4"),
            "app_password",
            "satisfied",
            "enforced (snapshot",
            "",
        ),
        (
            "apdetail",
            S::new("apdetail", m(10), "enfaudit").step(
                "",
                Some(false),
                "MFA requirement skipped due to app password",
                "",
            ),
            "app_password",
            "satisfied",
            "enforced (audit a-enf",
            "",
        ),
        (
            "approvider",
            S::new("approvider", m(10), "nobody")
                .client("POP3")
                .provider(" User "),
            "app_password",
            "satisfied",
            "per-user MFA requirement",
            "",
        ),
        (
            "apreq",
            S::new("apreq", m(10), "nobody")
                .client("Exchange ActiveSync")
                .requirement(" multiFactorAuthentication "),
            "app_password",
            "satisfied",
            "multiFactorAuthentication",
            "",
        ),
        (
            "legdis",
            S::new("legdis", m(11), "dis").client("Authenticated SMTP"),
            "legacy_single_factor",
            "violation",
            "disabled (audit a-dis",
            "",
        ),
        (
            "legsnapafter",
            S::new("legsnapafter", m(11), "later").client("IMAP4"),
            "legacy_single_factor",
            "violation",
            "enabled (snapshot after",
            "",
        ),
        (
            "legunknownclient",
            S::new("legunknownclient", m(11), "nobody").client("Some Future Protocol"),
            "legacy_unverified",
            "unproven",
            "unknown",
            "",
        ),
        (
            "legbeatsloc",
            S::new("legbeatsloc", m(11), "nobody")
                .client("IMAP4")
                .additional("MFA requirement skipped due to location"),
            "legacy_unverified",
            "unproven",
            "IMAP4",
            "",
        ),
        (
            "modernpadded",
            S::new("modernpadded", m(11), "nobody")
                .client(" mobile apps and desktop CLIENTS ")
                .requirement("singleFactorAuthentication"),
            "single_factor",
            "violation",
            "singleFactor",
            "",
        ),
        (
            "legfailedstate",
            S::new("legfailedstate", m(11), "failaudit").client("IMAP4"),
            "legacy_unverified",
            "unproven",
            "no audit change",
            "",
        ),
        (
            "legupn",
            S::new("legupn", m(11), "mixed").client("IMAP4"),
            "app_password",
            "satisfied",
            "enforced (snapshot",
            "",
        ),
        (
            "oldbefore",
            S::new("oldbefore", at(9, 0), "flip").client("IMAP4"),
            "app_password",
            "satisfied",
            "old value",
            "",
        ),
        (
            "newafter",
            S::new("newafter", at(11, 0), "flip").client("IMAP4"),
            "legacy_single_factor",
            "violation",
            "new value",
            "",
        ),
        (
            "snapvsaudit",
            S::new("snapvsaudit", at(8, 30), "same").client("IMAP4"),
            "legacy_single_factor",
            "violation",
            "disabled (audit a-same",
            "",
        ),
        (
            "snapsdisagree",
            S::new("snapsdisagree", at(8, 30), "disagree").client("IMAP4"),
            "legacy_unverified",
            "unproven",
            "disagree",
            "",
        ),
        (
            "disablebefore",
            S::new("disablebefore", at(9, 0), "disabler").client("IMAP4"),
            "legacy_unverified",
            "unproven",
            "unknown",
            "",
        ),
        (
            "disableafter",
            S::new("disableafter", at(11, 0), "disabler").client("IMAP4"),
            "legacy_single_factor",
            "violation",
            "disabled",
            "",
        ),
        (
            "loc",
            S::new("loc", m(20), "u2").step(
                "",
                None,
                "MFA requirement skipped due to location",
                "",
            ),
            "mfa_skipped_location",
            "violation",
            "location",
            "",
        ),
        (
            "locip",
            S::new("locip", m(20), "u2").additional("MFA requirement skipped due to IP address"),
            "mfa_skipped_location",
            "violation",
            "IP address",
            "",
        ),
        (
            "locadfs",
            S::new("locadfs", m(20), "u2").step(
                "",
                Some(false),
                "MFA requirement skipped due to ADFS-issued InsideCorpNet claim (corpnet)",
                "",
            ),
            "mfa_skipped_location",
            "violation",
            "InsideCorpNet",
            "",
        ),
        (
            "root1",
            S::new("root1", m(30), "u3").session("sess-1").step(
                "Mobile app notification",
                Some(true),
                "",
                "",
            ),
            "mfa_completed",
            "satisfied",
            "Mobile app",
            "",
        ),
        (
            "rememb",
            S::new("rememb", m(31), "u3")
                .session("SESS-1 ")
                .additional("MFA requirement skipped due to remembered device"),
            "remembered_device",
            "satisfied",
            "origin root1",
            "root1",
        ),
        (
            "otherskip",
            S::new("otherskip", m(31), "u3")
                .additional("MFA requirement skipped due to registered device"),
            "mfa_skipped_other",
            "unproven",
            "registered device",
            "",
        ),
        (
            "external",
            S::new("external", m(31), "u3")
                .additional("MFA requirement satisfied by claim provided by external provider"),
            "external_mfa",
            "satisfied",
            "external provider",
            "",
        ),
        (
            "claim",
            S::new("claim", m(32), "u3").session("sess-1").step(
                "Previously satisfied",
                Some(true),
                "MFA requirement satisfied by claim in the token",
                "Multifactor authentication",
            ),
            "mfa_claim",
            "satisfied",
            "origin root1",
            "root1",
        ),
        (
            "claimmethod",
            S::new("claimmethod", m(32), "u3").step(
                "Previously satisfied",
                Some(true),
                "",
                "Multi-Factor Authentication",
            ),
            "mfa_claim",
            "satisfied",
            "no origin",
            "",
        ),
        (
            "sso",
            S::new("sso", m(32), "u3")
                .step(
                    "Previously satisfied",
                    Some(true),
                    "First factor requirement satisfied by claim in the token",
                    "Primary authentication",
                )
                .requirement("singleFactorAuthentication"),
            "single_factor",
            "violation",
            "singleFactor",
            "",
        ),
        (
            "mfareq",
            S::new("mfareq", m(33), "u3").requirement("MULTIFACTORAUTHENTICATION"),
            "mfa_required_success",
            "satisfied",
            "multiFactor",
            "",
        ),
        (
            "sessmfa",
            S::new("sessmfa", m(34), "u3")
                .session("sess-1")
                .requirement("singleFactorAuthentication"),
            "session_mfa",
            "satisfied",
            "root1",
            "root1",
        ),
        // Two roots at the same instant: the greater id wins, even over this sign-in's own time.
        (
            "tie-a",
            S::new("tie-a", m(40), "u4").session("s4").step(
                "OATH verification code",
                Some(true),
                "",
                "",
            ),
            "mfa_completed",
            "satisfied",
            "OATH",
            "",
        ),
        (
            "tie-c",
            S::new("tie-c", m(40), "u4")
                .session("s4")
                .step("Text message", Some(true), "", ""),
            "mfa_completed",
            "satisfied",
            "Text",
            "",
        ),
        (
            "tie-b",
            S::new("tie-b", m(40), "u4").session("s4"),
            "session_mfa",
            "satisfied",
            "tie-c",
            "tie-c",
        ),
        (
            "tie-later",
            S::new("tie-later", m(41), "u4")
                .session("s4")
                .step("Voice", Some(true), "", ""),
            "mfa_completed",
            "satisfied",
            "Voice",
            "",
        ),
        // Only ROOT classes are origins: a claim is not.
        (
            "claimonly1",
            S::new("claimonly1", m(42), "u5")
                .session("s5")
                .additional("MFA requirement satisfied by claim in the token"),
            "mfa_claim",
            "satisfied",
            "no origin",
            "",
        ),
        (
            "claimonly2",
            S::new("claimonly2", m(43), "u5").session("s5"),
            "no_evidence",
            "unproven",
            "security defaults off",
            "",
        ),
        // Same session, another user: no origin.
        (
            "otheruser",
            S::new("otheruser", m(44), "u6").session("sess-1"),
            "no_evidence",
            "unproven",
            "nothing to decide",
            "",
        ),
        // Empty session id: never chained.
        (
            "emptysess1",
            S::new("emptysess1", m(45), "u7")
                .session(" ")
                .step("Text message", Some(true), "", ""),
            "mfa_completed",
            "satisfied",
            "Text",
            "",
        ),
        (
            "emptysess2",
            S::new("emptysess2", m(46), "u7")
                .session(" ")
                .requirement("singleFactorAuthentication"),
            "single_factor",
            "violation",
            "singleFactor",
            "",
        ),
        // A root after the sign-in is not its origin.
        (
            "beforeroot",
            S::new("beforeroot", m(39), "u4").session("s4"),
            "no_evidence",
            "unproven",
            "nothing",
            "",
        ),
        (
            "guest",
            S::new("guest", m(50), "g1").guest().step(
                "Mobile app notification",
                Some(true),
                "",
                "",
            ),
            "mfa_completed",
            "satisfied",
            "Mobile",
            "",
        ),
        (
            "guestsf",
            S::new("guestsf", m(50), "g1")
                .guest()
                .requirement("singleFactorAuthentication"),
            "single_factor",
            "violation",
            "off",
            "",
        ),
        (
            "empty",
            S::new("empty", m(51), "u8"),
            "no_evidence",
            "unproven",
            "nothing to decide",
            "",
        ),
        (
            "sdon",
            S::new("sdon", at(13, 0), "u8").requirement("singleFactorAuthentication"),
            "security_defaults",
            "accepted",
            "security defaults on",
            "",
        ),
        (
            "sdoff",
            S::new("sdoff", at(15, 0), "u8").requirement("singleFactorAuthentication"),
            "single_factor",
            "violation",
            "off",
            "",
        ),
    ]
}

fn context() -> (
    Vec<AuditEvent>,
    Vec<MfaStateSnapshot>,
    Vec<SecurityDefaultsSnapshot>,
) {
    let mut failed = sar("a-fail", at(7, 0), "failaudit", Some("[]"), Some(ENFORCED));
    failed.result = Some("failure".into());
    let audits = vec![
        sar("a-enf", at(7, 0), "enfaudit", Some(ENABLED), Some(ENFORCED)),
        sar("a-dis", at(7, 0), "dis", Some(ENFORCED), Some("[]")),
        failed,
        sar("a-flip", at(10, 0), "flip", Some(ENFORCED), Some("[]")),
        sar("a-same", at(8, 0), "same", Some(ENFORCED), Some("[]")),
        audit(
            "a-disable",
            at(10, 0),
            "Disable Strong Authentication",
            (Some("disabler"), None, "disabler"),
            &[],
        ),
        // Security defaults: off until 12:00 (old value), on until 14:00, then off.
        audit(
            "a-sd1",
            at(12, 0),
            "Update security defaults",
            (None, None, "Security Defaults"),
            &[("IsEnabled", Some("[\"false\"]"), Some("[true]"))],
        ),
        audit(
            "a-sd2",
            at(14, 0),
            "Update policy",
            (None, None, "Security Defaults Policy"),
            &[("isenabled", Some("\"true\""), Some("false"))],
        ),
    ];
    let snaps = vec![
        snapshot(Some("enf"), None, "enforced", at(6, 0)),
        snapshot(Some("later"), None, "enabled", at(20, 0)),
        snapshot(Some("same"), None, "enforced", at(8, 0)),
        snapshot(Some("disagree"), None, "enabled", at(8, 0)),
        snapshot(Some("disagree"), None, "enforced", at(8, 0)),
        snapshot(None, Some(" MIXED@Contoso.com"), "Enforced", at(6, 0)),
    ];
    (audits, snaps, vec![])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_class_and_rule_order_conflict() {
    let (audits, mfa_states, security_defaults) = context();
    let cases = cases();
    let records = testlake::Records {
        sign_ins: cases.iter().map(|c| c.1.0.clone()).collect(),
        audits,
        mfa_states,
        security_defaults,
    };
    let rows = classify(&records).await;
    assert_eq!(rows.len(), cases.len());
    let mut failures = Vec::new();
    for (id, _, class, verdict, reason, origin) in &cases {
        let row = &rows[*id];
        if row["class"] != *class
            || row["verdict"] != *verdict
            || row["origin_sign_in_id"] != *origin
            || !row["reason"].contains(reason)
        {
            failures.push(format!(
                "{id}: want {class}/{verdict}/{origin:?} ~{reason:?}, got {}/{}/{:?} {:?}",
                row["class"], row["verdict"], row["origin_sign_in_id"], row["reason"]
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // Every class of the contract is exercised.
    let classes: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.2).collect();
    assert_eq!(classes.len(), 18, "{classes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_defaults_unknown_counts_as_off_and_says_so() {
    let records = testlake::Records {
        sign_ins: vec![
            S::new("x1", at(9, 0), "u1").0,
            S::new("x2", at(9, 0), "u1")
                .requirement("singleFactorAuthentication")
                .0,
        ],
        ..testlake::Records::default()
    };
    let rows = classify(&records).await;
    assert_eq!(rows["x1"]["class"], "no_evidence");
    assert!(
        rows["x1"]["reason"].contains("security defaults unknown"),
        "{}",
        rows["x1"]["reason"]
    );
    assert_eq!(rows["x2"]["class"], "single_factor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_defaults_snapshot_on() {
    let records = testlake::Records {
        sign_ins: vec![S::new("y1", at(9, 0), "u1").0],
        security_defaults: vec![SecurityDefaultsSnapshot {
            is_enabled: true,
            as_of: at(10, 0),
        }],
        ..testlake::Records::default()
    };
    let rows = classify(&records).await;
    assert_eq!(rows["y1"]["class"], "security_defaults");
    assert_eq!(rows["y1"]["verdict"], "accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_format_order_range_and_parquet() {
    let mut late = S::new(
        "b",
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap()
            + chrono::Duration::microseconds(123_456),
        "u1",
    );
    late.0.user_principal_name = None;
    let records = testlake::Records {
        sign_ins: vec![
            late.0,
            S::new("a2", at(8, 0), "u1").0,
            S::new("a1", at(8, 0), "u1").0,
        ],
        ..testlake::Records::default()
    };
    let dir = tempfile::tempdir().unwrap();
    testlake::write(dir.path(), &records, "0").unwrap();
    let csv_path = dir.path().join("all.csv");
    let ctx = open(dir.path(), None).await.unwrap();
    assert_eq!(export::write(&ctx, &csv_path).await.unwrap(), 3);
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,created_at,user_principal_name,user_type,event_type,class,verdict,reason,origin_sign_in_id"
    );
    assert!(lines[1].starts_with("a1,2026-11-01T08:00:00.000000Z,u1@contoso.com,member,interactive_user,no_evidence,unproven,"));
    assert!(lines[2].starts_with("a2,"));
    assert!(
        lines[3].starts_with("b,2026-11-02T08:00:00.123456Z,,member,"),
        "{}",
        lines[3]
    );
    assert!(
        lines[3].ends_with(','),
        "null origin is an empty field: {}",
        lines[3]
    );

    let day2 = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let ctx = open(dir.path(), Some((day2, day2))).await.unwrap();
    let pq = dir.path().join("day2.parquet");
    assert_eq!(export::write(&ctx, &pq).await.unwrap(), 1);
    let file = std::fs::File::open(&pq).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    let names: Vec<String> = batches[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, export::COLUMNS);
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
    assert!(
        export::write(&ctx, &dir.path().join("x.txt"))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluate_writes_a_traceable_report() {
    let (audits, mfa_states, security_defaults) = context();
    let mut sign_ins: Vec<SignIn> = cases().into_iter().map(|c| c.1.0).collect();
    let mut evil = S::new("evil", at(16, 0), "evil")
        .requirement("singleFactorAuthentication")
        .0;
    evil.user_principal_name = Some("=cmd|' /C calc'!A0 <b>|`x`".into());
    sign_ins.push(evil);
    let mut sync = S::new("sync", at(16, 1), "sync")
        .requirement("singleFactorAuthentication")
        .0;
    sync.user_principal_name = Some("Sync_DC1_abc@contoso.onmicrosoft.com".into());
    sign_ins.push(sync);
    sign_ins.push(
        S::new("ni", at(16, 2), "u9")
            .event(EventType::NonInteractiveUser)
            .step("Text message", Some(true), "", "")
            .0,
    );
    let records = testlake::Records {
        sign_ins,
        audits,
        mfa_states,
        security_defaults,
    };
    let lake = tempfile::tempdir().unwrap();
    testlake::write(lake.path(), &records, "0").unwrap();
    let out = tempfile::tempdir().unwrap();
    let opts = report::Options {
        emergency_accounts: vec!["breakglass*@contoso.com".into()],
        ..report::Options::default()
    };
    let outcome = report::evaluate(lake.path(), out.path(), &opts)
        .await
        .unwrap();
    assert!(!outcome.compliant);
    assert!(!out.path().join(".mfaproof-work").exists());
    let r = &outcome.report;
    let holds: Vec<bool> = r["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["holds"] == true)
        .collect();
    assert_eq!(holds, vec![false, false, false, false, true, true]);
    assert_eq!(
        r["requirements"][1]["figures"]["special_account_problems"],
        1
    );
    // Every figure names its query file.
    for req in r["requirements"].as_array().unwrap() {
        for (name, fig) in req["figures"].as_object().unwrap() {
            if let Some(q) = fig.get("query") {
                let q = q.as_str().unwrap();
                assert!(
                    q.starts_with("queries/")
                        && Path::new(env!("CARGO_MANIFEST_DIR")).join(q).exists(),
                    "{name}: {q}"
                );
            }
        }
    }
    let findings = std::fs::read_to_string(out.path().join("findings.csv")).unwrap();
    assert!(
        findings.contains(",'=cmd|' /C calc'!A0 <b>|`x`,"),
        "{findings}"
    );
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(md.contains("=cmd\\|' /C calc'!A0 &lt;b&gt;\\|\\`x\\`"));
    let mut json = r.clone();
    json["generated_at"] = "[generated_at]".into();
    json["lake"] = "[lake]".into();
    insta::assert_json_snapshot!("report_json", json);
    let md = md
        .replace(r["generated_at"].as_str().unwrap(), "[generated_at]")
        .replace(&lake.path().display().to_string(), "[lake]");
    insta::assert_snapshot!("report_md", md);
}

#[test]
fn scenario_expectations_cover_every_sign_in_and_every_class() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/scenario");
    let page: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sign-ins.json")).unwrap()).unwrap();
    let ids: std::collections::BTreeSet<String> = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let mut r = csv::Reader::from_path(dir.join("expected.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let expected: std::collections::BTreeSet<String> =
        rows.iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(ids, expected);
    let classes: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.get(1).unwrap()).collect();
    assert_eq!(classes.len(), 18, "{classes:?}");
    for row in &rows {
        assert!(
            row[3].is_empty() || ids.contains(&row[3]),
            "origin of {} is not a sign-in",
            &row[0]
        );
    }
}

/// Collects snapshot records read by `sources::snapshot`.
#[derive(Default)]
struct Collect(Vec<mfaproof::schema::Record>);

impl mfaproof::sources::Sink for Collect {
    fn record(&mut self, _: u64, r: mfaproof::schema::Record) -> mfaproof::Result<()> {
        self.0.push(r);
        Ok(())
    }
    fn reject(&mut self, n: u64, _: &[u8], reason: String) -> mfaproof::Result<()> {
        panic!("record {n} rejected: {reason}")
    }
    fn skip(&mut self, _: u64, _: &str) {}
    fn partial(&mut self, _: u64, _: &[u8]) {}
    fn warn(&mut self, _: String) {}
}

/// The scenario through the Graph mapping and the snapshot source (not the ingester, which
/// is built elsewhere) against the hand-derived `expected.csv`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_classifies_as_worked_out_by_hand() {
    use mfaproof::sources::mapping::{GraphAudit, GraphSignIn};
    use mfaproof::sources::{Format, snapshot};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/scenario");
    let page = |name: &str| -> Vec<serde_json::Value> {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
        v["value"].as_array().unwrap().clone()
    };
    let mut records = testlake::Records::default();
    for v in page("sign-ins.json") {
        let g: GraphSignIn = serde_json::from_value(v).unwrap();
        records.sign_ins.push(g.into_canonical(None, None).unwrap());
    }
    for v in page("directory-audits.json") {
        let g: GraphAudit = serde_json::from_value(v).unwrap();
        records.audits.push(g.into_canonical().unwrap());
    }
    let mut sink = Collect::default();
    let csv = std::fs::read(dir.join("per-user-mfa.csv")).unwrap();
    snapshot::read(Format::MfaStateCsv, &mut csv.as_slice(), &mut sink).unwrap();
    let sd = std::fs::read(dir.join("security-defaults.json")).unwrap();
    snapshot::read(Format::SecurityDefaults, &mut sd.as_slice(), &mut sink).unwrap();
    for r in sink.0 {
        match r {
            mfaproof::schema::Record::MfaState(s) => records.mfa_states.push(s),
            mfaproof::schema::Record::SecurityDefaults(s) => records.security_defaults.push(s),
            other => panic!("unexpected {other:?}"),
        }
    }
    let rows = classify(&records).await;
    let mut r = csv::Reader::from_path(dir.join("expected.csv")).unwrap();
    let mut failures = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let got = &rows[&rec[0]];
        if got["class"] != rec[1] || got["verdict"] != rec[2] || got["origin_sign_in_id"] != rec[3]
        {
            failures.push(format!(
                "{}: want {}/{}/{:?}, got {}/{}/{:?} ({})",
                &rec[0],
                &rec[1],
                &rec[2],
                &rec[3],
                got["class"],
                got["verdict"],
                got["origin_sign_in_id"],
                got["reason"]
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
