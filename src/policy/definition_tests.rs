//! Policy definitions: MFA POLICY, RISK POLICY, QUALIFYING, condition absence, OTHER
//! conditions, findings and parse errors.

use serde_json::{Value, json};

use super::*;

/// A qualifying policy (everyone, every app, MFA, enabled), changed by `f`.
pub(crate) fn pol(f: impl FnOnce(&mut Value)) -> Policy {
    let mut v = json!({
        "id": " P1 ", "displayName": "Require MFA", "state": "enabled",
        "createdDateTime": "2026-10-01T10:00:00Z", "modifiedDateTime": null,
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                      "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
                      "includeGuestsOrExternalUsers": null, "excludeGuestsOrExternalUsers": null},
            "applications": {"includeApplications": ["All"], "excludeApplications": [],
                             "includeUserActions": [], "applicationFilter": null},
            "clientAppTypes": ["all"], "locations": null, "platforms": null,
            "signInRiskLevels": [], "userRiskLevels": [], "devices": null
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"],
                          "customAuthenticationFactors": [], "termsOfUse": [],
                          "authenticationStrength": null}
    });
    f(&mut v);
    Policy::from_json(&v.to_string()).unwrap()
}

/// A change to the qualifying policy.
type Change = fn(&mut Value);

fn grant(g: Value) -> bool {
    pol(|v| v["grantControls"] = g).is_mfa_policy()
}

#[test]
fn parsed_fields() {
    let p = pol(|_| {});
    assert_eq!(p.id, "P1");
    assert_eq!(p.display_name, "Require MFA");
    assert_eq!(p.state, State::Enabled);
    assert_eq!(p.created.unwrap().to_rfc3339(), "2026-10-01T10:00:00+00:00");
    assert_eq!(p.modified, None);
}

#[test]
fn mfa_policy_and_operator() {
    let strength = json!({"id": "00000000-0000-0000-0000-000000000002"});
    assert!(grant(
        json!({"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]})
    ));
    assert!(grant(
        json!({"operator": "and", "builtInControls": ["compliantDevice"], "authenticationStrength": strength})
    ));
    assert!(!grant(
        json!({"operator": "AND", "builtInControls": ["compliantDevice"], "authenticationStrength": null})
    ));
    assert!(!grant(json!({"operator": "AND", "builtInControls": []})));
}

#[test]
fn mfa_policy_or_operator_and_absent_operator() {
    let strength = json!({"id": "s"});
    assert!(grant(json!({"operator": "OR", "builtInControls": ["mfa"]})));
    assert!(
        grant(json!({"builtInControls": ["MFA"]})),
        "absent operator is OR"
    );
    assert!(grant(
        json!({"operator": null, "builtInControls": [], "authenticationStrength": strength})
    ));
    assert!(!grant(
        json!({"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]})
    ));
    assert!(!grant(
        json!({"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": ["x"]})
    ));
    assert!(!grant(
        json!({"operator": "OR", "builtInControls": ["mfa"], "termsOfUse": ["t"]})
    ));
    assert!(!grant(json!({"operator": "OR", "builtInControls": []})));
    assert!(!grant(
        json!({"operator": "OR", "builtInControls": ["block"]})
    ));
    assert!(!grant(Value::Null), "no grant controls");
}

#[test]
fn any_other_operator_is_not_an_mfa_policy() {
    assert!(!grant(
        json!({"operator": "XOR", "builtInControls": ["mfa"]})
    ));
}

#[test]
fn risk_policy_and_qualifying() {
    let risk = pol(|v| v["conditions"]["signInRiskLevels"] = json!(["High", " medium "]));
    assert!(risk.is_risk_policy());
    assert!(risk.qualifies());
    assert_eq!(risk.sign_in_risk_levels(), ["high", "medium"]);
    let plain = pol(|_| {});
    assert!(plain.qualifies());
    assert!(!plain.is_risk_policy());
    let off = pol(|v| {
        v["conditions"]["signInRiskLevels"] = json!(["high"]);
        v["state"] = json!("enabledForReportingButNotEnforced");
    });
    assert!(!off.is_risk_policy());
    assert!(!off.qualifies());
    let excluded = pol(|v| {
        v["conditions"]["signInRiskLevels"] = json!(["high"]);
        v["conditions"]["users"]["excludeRoles"] = json!(["r"]);
    });
    assert!(!excluded.is_risk_policy());
    let located = pol(|v| {
        v["conditions"]["signInRiskLevels"] = json!(["high"]);
        v["conditions"]["locations"] =
            json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]});
    });
    assert!(!located.is_risk_policy());
    assert!(!pol(|v| v["grantControls"]["builtInControls"] = json!(["block"])).qualifies());
}

#[test]
fn absent_conditions() {
    let absent: [Change; 6] = [
        |v| {
            v["conditions"]["locations"] =
                json!({"includeLocations": ["All"], "excludeLocations": []})
        },
        |v| {
            v["conditions"]["locations"] = json!({"includeLocations": [], "excludeLocations": null})
        },
        |v| {
            v["conditions"]["platforms"] =
                json!({"includePlatforms": ["all"], "excludePlatforms": []})
        },
        |v| v["conditions"]["clientAppTypes"] = json!(["All"]),
        |v| v["conditions"]["devices"] = json!({"deviceFilter": {"mode": null, "rule": ""}}),
        |v| {
            v["conditions"]["clientApplications"] =
                json!({"@odata.type": "x", "includeServicePrincipals": []})
        },
    ];
    for (i, f) in absent.into_iter().enumerate() {
        let p = pol(f);
        assert!(p.qualifies(), "case {i}");
        assert_eq!(p.findings(), [], "case {i}");
    }
    let mut v = json!({"id": "p", "state": "enabled", "grantControls": {"builtInControls": ["mfa"]},
                       "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}}});
    assert!(
        Policy::from_json(&v.to_string()).unwrap().qualifies(),
        "missing keys"
    );
    v["conditions"]["clientAppTypes"] = Value::Null;
    assert!(
        Policy::from_json(&v.to_string()).unwrap().qualifies(),
        "null"
    );
}

#[test]
fn other_conditions_are_named() {
    let p = pol(|v| {
        let c = &mut v["conditions"];
        c["userRiskLevels"] = json!(["high"]);
        c["platforms"] = json!({"includePlatforms": ["all"], "excludePlatforms": ["iOS"]});
        c["devices"] =
            json!({"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}});
        c["clientApplications"] = json!({"includeServicePrincipals": ["x"]});
        c["authenticationFlows"] = json!({"transferMethods": "deviceCodeFlow"});
        c["insiderRiskLevels"] = json!("elevated");
        c["applications"]["applicationFilter"] = json!({"mode": "include", "rule": "x"});
        c["applications"]["includeUserActions"] = json!(["urn:user:registersecurityinfo"]);
        c["applications"]["includeAuthenticationContextClassReferences"] = json!(["c1"]);
        c["timesOfDay"] = json!({"from": "08:00"});
        c["servicePrincipalRiskLevels"] = json!([]);
    });
    assert_eq!(
        p.other_conditions(),
        [
            "authenticationFlows",
            "clientApplications",
            "devices",
            "insiderRiskLevels",
            "platforms",
            "timesofday",
            "userRiskLevels",
            "applications.applicationFilter",
            "applications.includeUserActions",
            "applications.includeAuthenticationContextClassReferences"
        ]
    );
    assert!(!p.qualifies());
    assert_eq!(p.findings(), [Finding::OtherCondition]);
}

#[test]
fn each_finding_alone() {
    let cases: [(Change, Finding); 10] = [
        (
            |v| v["conditions"]["users"]["excludeUsers"] = json!(["u1"]),
            Finding::ExcludesAccounts,
        ),
        (
            |v| v["conditions"]["users"]["excludeGroups"] = json!(["g1"]),
            Finding::ExcludesAccounts,
        ),
        (
            |v| v["conditions"]["users"]["excludeRoles"] = json!(["r1"]),
            Finding::ExcludesAccounts,
        ),
        (
            |v| v["conditions"]["users"]["excludeGuestsOrExternalUsers"] = json!({"guestOrExternalUserTypes": "b2bCollaborationGuest", "externalTenants": null}),
            Finding::ExcludesAccounts,
        ),
        (
            |v| v["conditions"]["users"]["excludeUsers"] = json!(["GuestsOrExternalUsers"]),
            Finding::ExcludesAccounts,
        ),
        (
            |v| v["conditions"]["applications"]["excludeApplications"] = json!(["a1"]),
            Finding::NotAllApps,
        ),
        (
            |v| {
                v["conditions"]["locations"] =
                    json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]})
            },
            Finding::LocationCondition,
        ),
        (
            |v| {
                v["conditions"]["clientAppTypes"] =
                    json!(["browser", "mobileAppsAndDesktopClients"])
            },
            Finding::ClientAppTypesLimited,
        ),
        (
            |v| v["state"] = json!("enabledForReportingButNotEnforced"),
            Finding::ReportOnly,
        ),
        (|v| v["state"] = json!("Disabled"), Finding::Disabled),
    ];
    for (f, finding) in cases {
        assert_eq!(pol(f).findings(), [finding], "{finding}");
    }
    let not_all_users = pol(|v| v["conditions"]["users"]["includeUsers"] = json!(["u1"]));
    assert_eq!(not_all_users.findings(), [Finding::NotAllUsers]);
    let office =
        pol(|v| v["conditions"]["applications"]["includeApplications"] = json!(["Office365"]));
    assert_eq!(office.findings(), [Finding::NotAllApps]);
    let unknown_state = pol(|v| v["state"] = json!("paused"));
    assert_eq!(unknown_state.findings(), [Finding::Disabled]);
}

#[test]
fn findings_come_in_the_fixed_order() {
    let p = pol(|v| {
        v["state"] = json!("enabledForReportingButNotEnforced");
        let c = &mut v["conditions"];
        c["devices"] = json!({"deviceFilter": {"mode": "exclude", "rule": "x"}});
        c["clientAppTypes"] = json!(["other"]);
        c["locations"] = json!({"includeLocations": ["l1"]});
        c["applications"]["includeApplications"] = json!(["MicrosoftAdminPortals"]);
        c["users"] = json!({"includeRoles": ["r"], "excludeUsers": ["u"]});
    });
    // Every finding but `disabled`, in the order of `Finding::ALL` (`words.rs` pins its words).
    let all_but_disabled: Vec<Finding> = Finding::ALL
        .into_iter()
        .filter(|f| *f != Finding::Disabled)
        .collect();
    assert_eq!(p.findings(), all_but_disabled);
}

#[test]
fn keys_and_words_ignore_case() {
    let text = r#"{"ID":"p","State":" Enabled ","Conditions":{"Users":{"IncludeUsers":["ALL"],"ExcludeUsers":[" U1 "]},
        "APPLICATIONS":{"includeapplications":["all"]},"ClientAppTypes":["ALL"]},
        "GrantControls":{"Operator":"or","BuiltInControls":["Mfa"]}}"#;
    let p = Policy::from_json(text).unwrap();
    assert!(p.is_mfa_policy());
    assert_eq!(p.findings(), [Finding::ExcludesAccounts]);
    assert_eq!(p.users.exclude_users, ["u1"]);
}

#[test]
fn a_policy_that_does_not_parse_says_what_is_wrong() {
    let e = |t: &str| Policy::from_json(t).unwrap_err();
    assert_eq!(e(r#"{"state":"enabled"}"#), "policy without an id");
    assert_eq!(
        e(r#"{"id":"  ","state":"enabled"}"#),
        "policy without an id"
    );
    assert_eq!(e(r#"{"id":"p"}"#), "policy p: no state");
    assert_eq!(
        e(r#"{"id":"p","state":"enabled","conditions":{"users":{"includeUsers":"All"}}}"#),
        "policy p: conditions.users.includeUsers: expected a list of strings, found a string"
    );
    assert_eq!(
        e(r#"{"id":"p","state":"enabled","conditions":[]}"#),
        "policy p: conditions: expected an object, found a list"
    );
    assert_eq!(
        e(r#"{"id":"p","state":"enabled","grantControls":{"operator":1}}"#),
        "policy p: grantControls.operator: expected a string, found a number"
    );
    assert_eq!(
        e(r#"{"id":"p","state":"enabled","createdDateTime":"yesterday"}"#),
        "policy p: createdDateTime: \"yesterday\" is not a timestamp"
    );
    assert!(e("{").starts_with("not JSON: "));
    assert_eq!(e("[]"), "policy: expected an object, found a list");
}
