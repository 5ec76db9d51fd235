//! One hand-written case per class and per rule-order conflict, timeline rule and chaining
//! rule, classified in a single lake; and security defaults on/off/unknown.

use super::*;

/// (id, sign-in, class, verdict, reason fragment, origin)
pub(crate) type Case = (
    &'static str,
    S,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
pub(crate) fn cases() -> Vec<Case> {
    let m = |h| at(8, h);
    vec![
        ("sp", S::new("sp", m(1), "app").event(EventType::ServicePrincipal), "workload", "not_applicable", "service_principal", ""),
        ("mi", S::new("mi", m(1), "app").event(EventType::ManagedIdentity).error(Some(50126)), "workload", "not_applicable", "managed_identity", ""),
        ("int", S::new("int", m(1), "u1").error(Some(500121)).step("FIDO2 security key", Some(true), "", ""), "mfa_interrupted", "not_applicable", "500121", ""),
        ("fail", S::new("fail", m(1), "u1").error(Some(50126)), "failed", "not_applicable", "50126", ""),
        ("nullerr", S::new("nullerr", m(1), "u1").error(None).step("FIDO2 security key", Some(true), "", ""), "failed", "not_applicable", "no error code", ""),
        ("strong", S::new("strong", m(2), "u1").step("Password", Some(true), "", "Primary authentication").step("FIDO2 security key", Some(true), "", "Multifactor authentication"), "strong_auth", "satisfied", "FIDO2 security key", ""),
        ("strongdetail", S::new("strongdetail", m(2), "u1").step("", None, "MFA requirement satisfied by strong authentication", ""), "strong_auth", "satisfied", "strong authentication", ""),
        ("passkeynull", S::new("passkeynull", m(2), "u1").step("Passkey (device-bound)", None, "", "").requirement("multiFactorAuthentication"), "mfa_required_success", "satisfied", "multiFactorAuthentication", ""),
        ("passkeyvariant", S::new("passkeyvariant", m(2), "u1").step(" passkey (Microsoft Authenticator) ", Some(true), "", ""), "strong_auth", "satisfied", "passkey", ""),
        ("push", S::new("push", m(3), "u1").step("Mobile app notification", Some(true), "", ""), "mfa_completed", "satisfied", "Mobile app notification", ""),
        ("phone", S::new("phone", m(3), "u1").step("Phone call (office phone)", Some(true), "", ""), "mfa_completed", "satisfied", "Phone call", ""),
        ("padded", S::new("padded", m(3), "u1").step("Password", Some(true), "\u{a0} mfa SUCCESSFULLY completed\t", ""), "mfa_completed", "satisfied", "SUCCESSFULLY", ""),
        ("failedstep", S::new("failedstep", m(3), "u1").step("Text message", Some(false), "MFA successfully completed", "").requirement("singleFactorAuthentication"), "single_factor", "violation", "off", ""),
        ("statusdetail", S::new("statusdetail", m(3), "u1").additional("MFA completed in Azure AD"), "mfa_completed", "satisfied", "Azure AD", ""),
        ("strongbeatsloc", S::new("strongbeatsloc", m(4), "u1").step("Windows Hello for Business", Some(true), "", "").additional("MFA requirement skipped due to location"), "strong_auth", "satisfied", "Windows Hello", ""),
        ("apsnap", S::new("apsnap", m(10), "enf").client("IMAP4"), "app_password", "satisfied", "enforced (snapshot", ""),
        ("apdetail", S::new("apdetail", m(10), "enfaudit").step("", Some(false), "MFA requirement skipped due to app password", ""), "app_password", "satisfied", "enforced (audit a-enf", ""),
        ("approvider", S::new("approvider", m(10), "nobody").client("POP3").provider(" User "), "app_password", "satisfied", "per-user MFA requirement", ""),
        ("apreq", S::new("apreq", m(10), "nobody").client("Exchange ActiveSync").requirement(" multiFactorAuthentication "), "app_password", "satisfied", "multiFactorAuthentication", ""),
        ("legdis", S::new("legdis", m(11), "dis").client("Authenticated SMTP"), "legacy_single_factor", "violation", "disabled (audit a-dis", ""),
        ("legsnapafter", S::new("legsnapafter", m(11), "later").client("IMAP4"), "legacy_single_factor", "violation", "enabled (snapshot after", ""),
        ("legunknownclient", S::new("legunknownclient", m(11), "nobody").client("Some Future Protocol"), "legacy_unverified", "unproven", "unknown", ""),
        ("legbeatsloc", S::new("legbeatsloc", m(11), "nobody").client("IMAP4").additional("MFA requirement skipped due to location"), "legacy_unverified", "unproven", "IMAP4", ""),
        ("unicodepad", S::new("unicodepad", m(12), "nobody").client("\u{a0}BROWSER\u{2003}").requirement("\u{3000}multifactorauthentication\u{a0}"), "mfa_required_success", "satisfied", "multiFactor", ""),
        ("modernpadded", S::new("modernpadded", m(11), "nobody").client(" mobile apps and desktop CLIENTS ").requirement("singleFactorAuthentication"), "single_factor", "violation", "singleFactor", ""),
        ("legfailedstate", S::new("legfailedstate", m(11), "failaudit").client("IMAP4"), "legacy_unverified", "unproven", "no audit change", ""),
        ("legupn", S::new("legupn", m(11), "mixed").client("IMAP4"), "app_password", "satisfied", "enforced (snapshot", ""),
        ("oldbefore", S::new("oldbefore", at(9, 0), "flip").client("IMAP4"), "app_password", "satisfied", "old value", ""),
        ("newafter", S::new("newafter", at(11, 0), "flip").client("IMAP4"), "legacy_single_factor", "violation", "new value", ""),
        ("snapvsaudit", S::new("snapvsaudit", at(8, 30), "same").client("IMAP4"), "legacy_single_factor", "violation", "disabled (audit a-same", ""),
        ("snapsdisagree", S::new("snapsdisagree", at(8, 30), "disagree").client("IMAP4"), "legacy_unverified", "unproven", "disagree", ""),
        ("disablebefore", S::new("disablebefore", at(9, 0), "disabler").client("IMAP4"), "legacy_unverified", "unproven", "unknown", ""),
        ("disableafter", S::new("disableafter", at(11, 0), "disabler").client("IMAP4"), "legacy_single_factor", "violation", "disabled", ""),
        ("loc", S::new("loc", m(20), "u2").step("", None, "MFA requirement skipped due to location", ""), "mfa_skipped_location", "violation", "location", ""),
        ("locip", S::new("locip", m(20), "u2").additional("MFA requirement skipped due to IP address"), "mfa_skipped_location", "violation", "IP address", ""),
        ("locadfs", S::new("locadfs", m(20), "u2").step("", Some(false), "MFA requirement skipped due to ADFS-issued InsideCorpNet claim (corpnet)", ""), "mfa_skipped_location", "violation", "InsideCorpNet", ""),
        ("root1", S::new("root1", m(30), "u3").session("sess-1").step("Mobile app notification", Some(true), "", ""), "mfa_completed", "satisfied", "Mobile app", ""),
        ("rememb", S::new("rememb", m(31), "u3").session("SESS-1 ").additional("MFA requirement skipped due to remembered device"), "remembered_device", "satisfied", "origin root1", "root1"),
        ("otherskip", S::new("otherskip", m(31), "u3").additional("MFA requirement skipped due to registered device"), "mfa_skipped_other", "unproven", "registered device", ""),
        ("external", S::new("external", m(31), "u3").additional("MFA requirement satisfied by claim provided by external provider"), "external_mfa", "satisfied", "external provider", ""),
        ("claim", S::new("claim", m(32), "u3").session("sess-1").step("Previously satisfied", Some(true), "MFA requirement satisfied by claim in the token", "Multifactor authentication"), "mfa_claim", "satisfied", "origin root1", "root1"),
        ("claimmethod", S::new("claimmethod", m(32), "u3").step("Previously satisfied", Some(true), "", "Multi-Factor Authentication"), "mfa_claim", "satisfied", "no origin", ""),
        ("sso", S::new("sso", m(32), "u3").step("Previously satisfied", Some(true), "First factor requirement satisfied by claim in the token", "Primary authentication").requirement("singleFactorAuthentication"), "single_factor", "violation", "singleFactor", ""),
        ("mfareq", S::new("mfareq", m(33), "u3").requirement("MULTIFACTORAUTHENTICATION"), "mfa_required_success", "satisfied", "multiFactor", ""),
        ("sessmfa", S::new("sessmfa", m(34), "u3").session("sess-1").requirement("singleFactorAuthentication"), "session_mfa", "satisfied", "root1", "root1"),
        // Two roots at the same instant: the greater id wins, even over this sign-in's own time.
        ("tie-a", S::new("tie-a", m(40), "u4").session("s4").step("OATH verification code", Some(true), "", ""), "mfa_completed", "satisfied", "OATH", ""),
        ("tie-c", S::new("tie-c", m(40), "u4").session("s4").step("Text message", Some(true), "", ""), "mfa_completed", "satisfied", "Text", ""),
        ("tie-b", S::new("tie-b", m(40), "u4").session("s4"), "session_mfa", "satisfied", "tie-c", "tie-c"),
        ("tie-later", S::new("tie-later", m(41), "u4").session("s4").step("Voice", Some(true), "", ""), "mfa_completed", "satisfied", "Voice", ""),
        // Only ROOT classes are origins: a claim is not.
        ("claimonly1", S::new("claimonly1", m(42), "u5").session("s5").additional("MFA requirement satisfied by claim in the token"), "mfa_claim", "satisfied", "no origin", ""),
        ("claimonly2", S::new("claimonly2", m(43), "u5").session("s5"), "no_evidence", "unproven", "security defaults off", ""),
        // Same session, another user: no origin.
        ("otheruser", S::new("otheruser", m(44), "u6").session("sess-1"), "no_evidence", "unproven", "nothing to decide", ""),
        // Empty session id: never chained.
        ("emptysess1", S::new("emptysess1", m(45), "u7").session(" ").step("Text message", Some(true), "", ""), "mfa_completed", "satisfied", "Text", ""),
        ("emptysess2", S::new("emptysess2", m(46), "u7").session(" ").requirement("singleFactorAuthentication"), "single_factor", "violation", "singleFactor", ""),
        // A root after the sign-in is not its origin.
        ("beforeroot", S::new("beforeroot", m(39), "u4").session("s4"), "no_evidence", "unproven", "nothing", ""),
        ("guest", S::new("guest", m(50), "g1").guest().step("Mobile app notification", Some(true), "", ""), "mfa_completed", "satisfied", "Mobile", ""),
        ("guestsf", S::new("guestsf", m(50), "g1").guest().requirement("singleFactorAuthentication"), "single_factor", "violation", "off", ""),
        ("empty", S::new("empty", m(51), "u8"), "no_evidence", "unproven", "nothing to decide", ""),
        ("sdon", S::new("sdon", at(13, 0), "u8").requirement("singleFactorAuthentication"), "security_defaults", "accepted", "security defaults on", ""),
        ("sdoff", S::new("sdoff", at(15, 0), "u8").requirement("singleFactorAuthentication"), "single_factor", "violation", "off", ""),
    ]
}

pub(crate) fn context() -> (
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
async fn a_change_before_the_window_sets_the_state_inside_it() {
    let day2 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let records = testlake::Records {
        sign_ins: vec![S::new("d2", day2, "enf").client("IMAP4").0],
        audits: vec![sar("a-day1", at(7, 0), "enf", Some("[]"), Some(ENFORCED))],
        ..testlake::Records::default()
    };
    let dir = tempfile::tempdir().unwrap();
    testlake::write(dir.path(), &records, "0").unwrap();
    let d = day2.date_naive();
    let ctx = open(dir.path(), Some((d, d)), None).await.unwrap();
    let out = dir.path().join("x.csv");
    assert_eq!(export::write(&ctx, &out).await.unwrap(), 1);
    let rows = read_csv(&out);
    assert_eq!(rows["d2"]["class"], "app_password", "{:?}", rows["d2"]);
}
