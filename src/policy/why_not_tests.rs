//! §9 reasons, one test per reason and the tricky cases, and §10 coverage.

use std::collections::HashMap;

use serde_json::json;

use super::*;
use crate::policy::NamedLocation;
use crate::policy::definition::tests::pol;

/// A world of named locations (`None`: definition unknown), group members (`None`: not
/// ingested) and role assignments (`None`: none ingested).
#[derive(Default)]
struct Fake {
    locations: Vec<(&'static str, Option<NamedLocation>)>,
    groups: HashMap<&'static str, Option<Vec<&'static str>>>,
    roles: Option<Vec<(&'static str, &'static str)>>,
}

impl World for Fake {
    fn location(&self, id: &str) -> LocationAt<'_> {
        match self
            .locations
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(id))
        {
            None => LocationAt::Missing,
            Some((_, None)) => LocationAt::Unknown,
            Some((_, Some(l))) => LocationAt::Known(l),
        }
    }

    fn locations(&self) -> Vec<LocationAt<'_>> {
        self.locations
            .iter()
            .map(|(id, _)| self.location(id))
            .collect()
    }

    fn in_group(&self, user_id: &str, group_id: &str) -> Option<bool> {
        let members = self.groups.get(group_id)?.as_ref()?;
        Some(members.iter().any(|m| m.eq_ignore_ascii_case(user_id)))
    }

    fn has_role(&self, user_id: &str, role_id: &str) -> Option<bool> {
        let roles = self.roles.as_ref()?;
        Some(
            roles
                .iter()
                .any(|(u, r)| u.eq_ignore_ascii_case(user_id) && r.eq_ignore_ascii_case(role_id)),
        )
    }
}

const EXO: &str = "00000002-0000-0ff1-ce00-000000000000";

fn facts() -> SignInFacts<'static> {
    SignInFacts {
        user_id: "U1",
        guest: false,
        resource_id: Some(EXO),
        client_app_used: Some("Browser"),
        ip_address: Some("203.0.113.10"),
        country: Some("DE"),
        risk_level: Some("none"),
    }
}

fn office() -> NamedLocation {
    NamedLocation::from_json(
        r##"{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"office","isTrusted":true,
            "ipRanges":[{"cidrAddress":"203.0.113.0/24"},{"cidrAddress":"2001:db8::/32"}]}"##,
    )
    .unwrap()
}

fn germany(gps: bool) -> NamedLocation {
    let method = if gps {
        "authenticatorAppGps"
    } else {
        "clientIpAddress"
    };
    NamedLocation::from_json(&format!(
        r#"{{"id":"de","countriesAndRegions":["DE"],"includeUnknownCountriesAndRegions":true,"countryLookupMethod":"{method}"}}"#
    ))
    .unwrap()
}

fn world() -> Fake {
    Fake {
        locations: vec![("office", Some(office())), ("de", Some(germany(false)))],
        groups: HashMap::from([("g-tech", Some(vec!["u2"])), ("g-admins", Some(vec!["u1"]))]),
        roles: Some(vec![("u1", "r-ga")]),
    }
}

fn reason(f: impl FnOnce(&mut serde_json::Value), facts: &SignInFacts<'_>, world: &Fake) -> Reason {
    why_not(&pol(f), facts, world)
}

#[test]
fn reasons_1_and_2_state() {
    let w = world();
    assert_eq!(
        reason(|v| v["state"] = json!("disabled"), &facts(), &w),
        Reason::Disabled
    );
    assert_eq!(
        reason(|v| v["state"] = json!("paused"), &facts(), &w),
        Reason::Disabled
    );
    assert_eq!(
        reason(
            |v| v["state"] = json!("enabledForReportingButNotEnforced"),
            &facts(),
            &w
        ),
        Reason::ReportOnly
    );
}

#[test]
fn reason_3_user_excluded_ignoring_case() {
    let r = reason(
        |v| v["conditions"]["users"]["excludeUsers"] = json!([" u1 "]),
        &facts(),
        &world(),
    );
    assert_eq!(r, Reason::UserExcluded);
}

#[test]
fn reason_4_guest_excluded_by_word_or_object() {
    let guest = SignInFacts {
        guest: true,
        ..facts()
    };
    let w = world();
    let word = |v: &mut serde_json::Value| {
        v["conditions"]["users"]["excludeUsers"] = json!(["GuestsOrExternalUsers"])
    };
    assert_eq!(reason(word, &guest, &w), Reason::GuestExcluded);
    let object = |v: &mut serde_json::Value| {
        v["conditions"]["users"]["excludeGuestsOrExternalUsers"] = json!({"guestOrExternalUserTypes": "internalGuest", "externalTenants": {"membershipKind": "all"}});
    };
    assert_eq!(reason(object, &guest, &w), Reason::GuestExcluded);
    assert_eq!(
        reason(object, &facts(), &w),
        Reason::Unexplained,
        "a member is not a guest"
    );
}

#[test]
fn reason_5_group_or_role_excluded() {
    let w = world();
    assert_eq!(
        reason(
            |v| v["conditions"]["users"]["excludeGroups"] = json!(["G-ADMINS"]),
            &facts(),
            &w
        ),
        Reason::GroupOrRoleExcluded
    );
    assert_eq!(
        reason(
            |v| v["conditions"]["users"]["excludeRoles"] = json!(["r-ga"]),
            &facts(),
            &w
        ),
        Reason::GroupOrRoleExcluded
    );
    assert_eq!(
        reason(
            |v| v["conditions"]["users"]["excludeGroups"] = json!(["g-tech"]),
            &facts(),
            &w
        ),
        Reason::Unexplained
    );
}

#[test]
fn reason_6_user_not_included_needs_the_directory_to_show_it() {
    let w = world();
    let only_tech = |v: &mut serde_json::Value| {
        v["conditions"]["users"]["includeUsers"] = json!(["u9"]);
        v["conditions"]["users"]["includeGroups"] = json!(["g-tech"]);
    };
    assert_eq!(reason(only_tech, &facts(), &w), Reason::UserNotIncluded);
    let none =
        |v: &mut serde_json::Value| v["conditions"]["users"]["includeUsers"] = json!(["None"]);
    assert_eq!(reason(none, &facts(), &w), Reason::UserNotIncluded);
    // Group members not ingested: not shown out, so the reason is membership_unknown.
    let mut unknown = world();
    unknown.groups.insert("g-tech", None);
    assert_eq!(
        reason(only_tech, &facts(), &unknown),
        Reason::MembershipUnknown
    );
    let admins = |v: &mut serde_json::Value| {
        v["conditions"]["users"]["includeUsers"] = json!([]);
        v["conditions"]["users"]["includeRoles"] = json!(["r-ga"]);
    };
    assert_eq!(reason(admins, &facts(), &w), Reason::Unexplained);
    let no_roles = Fake {
        roles: None,
        ..world()
    };
    assert_eq!(
        reason(admins, &facts(), &no_roles),
        Reason::MembershipUnknown
    );
    let guests = |v: &mut serde_json::Value| {
        v["conditions"]["users"]["includeUsers"] = json!(["GuestsOrExternalUsers"])
    };
    assert_eq!(reason(guests, &facts(), &w), Reason::UserNotIncluded);
    assert_eq!(
        reason(
            guests,
            &SignInFacts {
                guest: true,
                ..facts()
            },
            &w
        ),
        Reason::Unexplained
    );
}

#[test]
fn reasons_7_and_8_applications() {
    let w = world();
    let exclude = |v: &mut serde_json::Value| {
        v["conditions"]["applications"]["excludeApplications"] = json!(["Office365"])
    };
    assert_eq!(reason(exclude, &facts(), &w), Reason::AppExcluded);
    let portals = |v: &mut serde_json::Value| {
        v["conditions"]["applications"]["includeApplications"] = json!(["MicrosoftAdminPortals"])
    };
    assert_eq!(reason(portals, &facts(), &w), Reason::AppNotIncluded);
    let o365 = |v: &mut serde_json::Value| {
        v["conditions"]["applications"]["includeApplications"] = json!(["office365"])
    };
    assert_eq!(reason(o365, &facts(), &w), Reason::Unexplained);
    let no_resource = SignInFacts {
        resource_id: None,
        ..facts()
    };
    assert_eq!(reason(o365, &no_resource, &w), Reason::AppNotIncluded);
    assert_eq!(reason(|_| {}, &no_resource, &w), Reason::Unexplained);
}

#[test]
fn reason_9_client_app_types() {
    let w = world();
    let legacy = |v: &mut serde_json::Value| {
        v["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync", "other"])
    };
    assert_eq!(reason(legacy, &facts(), &w), Reason::ClientAppNotIncluded);
    let imap = SignInFacts {
        client_app_used: Some("IMAP4"),
        ..facts()
    };
    assert_eq!(reason(legacy, &imap, &w), Reason::Unexplained);
    let eas = SignInFacts {
        client_app_used: Some(" exchange activesync "),
        ..facts()
    };
    assert_eq!(reason(legacy, &eas, &w), Reason::Unexplained);
    let empty = SignInFacts {
        client_app_used: Some(""),
        ..facts()
    };
    assert_eq!(
        reason(legacy, &empty, &w),
        Reason::Unexplained,
        "an empty client app matches any"
    );
    let modern = |v: &mut serde_json::Value| {
        v["conditions"]["clientAppTypes"] = json!(["browser", "mobileAppsAndDesktopClients"])
    };
    let desktop = SignInFacts {
        client_app_used: Some("Mobile Apps and Desktop clients"),
        ..facts()
    };
    assert_eq!(reason(modern, &desktop, &w), Reason::Unexplained);
    assert_eq!(reason(modern, &imap, &w), Reason::ClientAppNotIncluded);
}

fn locations(
    include: serde_json::Value,
    exclude: serde_json::Value,
) -> impl FnOnce(&mut serde_json::Value) {
    move |v| {
        v["conditions"]["locations"] =
            json!({"includeLocations": include, "excludeLocations": exclude})
    }
}

#[test]
fn reason_10_location_excluded_by_id_or_all_trusted() {
    let w = world();
    assert_eq!(
        reason(locations(json!(["All"]), json!(["OFFICE"])), &facts(), &w),
        Reason::LocationExcluded
    );
    assert_eq!(
        reason(
            locations(json!(["All"]), json!(["AllTrusted"])),
            &facts(),
            &w
        ),
        Reason::LocationExcluded
    );
    let v6 = SignInFacts {
        ip_address: Some("2001:db8:5::1"),
        country: Some("FR"),
        ..facts()
    };
    assert_eq!(
        reason(locations(json!(["All"]), json!(["AllTrusted"])), &v6, &w),
        Reason::LocationExcluded,
        "IPv6 range"
    );
    let away = SignInFacts {
        ip_address: Some("198.51.100.7"),
        country: Some("FR"),
        ..facts()
    };
    assert_eq!(
        reason(locations(json!(["All"]), json!(["AllTrusted"])), &away, &w),
        Reason::Unexplained
    );
    assert_eq!(
        reason(locations(json!(["All"]), json!(["gone"])), &facts(), &w),
        Reason::Unexplained,
        "a missing location contains nothing"
    );
}

#[test]
fn reason_11_location_not_included() {
    let w = world();
    let away = SignInFacts {
        ip_address: Some("198.51.100.7"),
        country: Some("FR"),
        ..facts()
    };
    assert_eq!(
        reason(locations(json!(["office", "de"]), json!([])), &away, &w),
        Reason::LocationNotIncluded
    );
    assert_eq!(
        reason(locations(json!(["de"]), json!([])), &facts(), &w),
        Reason::Unexplained
    );
    // An empty country is in a location that includes unknown countries.
    let unknown_country = SignInFacts {
        country: Some(""),
        ip_address: None,
        ..facts()
    };
    assert_eq!(
        reason(locations(json!(["de"]), json!([])), &unknown_country, &w),
        Reason::Unexplained
    );
    assert_eq!(
        reason(
            locations(json!(["office"]), json!([])),
            &unknown_country,
            &w
        ),
        Reason::LocationNotIncluded
    );
}

#[test]
fn reason_12_risk_below_threshold() {
    let w = world();
    let high =
        |v: &mut serde_json::Value| v["conditions"]["signInRiskLevels"] = json!(["medium", "high"]);
    assert_eq!(reason(high, &facts(), &w), Reason::RiskBelowThreshold);
    for risk in [Some("hidden"), Some("unknownFutureValue"), None, Some("")] {
        let f = SignInFacts {
            risk_level: risk,
            ..facts()
        };
        assert_eq!(reason(high, &f, &w), Reason::RiskBelowThreshold, "{risk:?}");
    }
    let f = SignInFacts {
        risk_level: Some(" HIGH "),
        ..facts()
    };
    assert_eq!(reason(high, &f, &w), Reason::Unexplained);
}

#[test]
fn reason_13_other_condition() {
    let r = reason(
        |v| v["conditions"]["userRiskLevels"] = json!(["high"]),
        &facts(),
        &world(),
    );
    assert_eq!(r, Reason::OtherCondition);
}

#[test]
fn reason_14_membership_unknown_for_an_excluded_group() {
    let mut w = world();
    w.groups.insert("g-tech", None);
    let r = reason(
        |v| v["conditions"]["users"]["excludeGroups"] = json!(["g-tech"]),
        &facts(),
        &w,
    );
    assert_eq!(r, Reason::MembershipUnknown);
    // Included by a known group, an unknown include group does not matter.
    let both = |v: &mut serde_json::Value| {
        v["conditions"]["users"]["includeUsers"] = json!([]);
        v["conditions"]["users"]["includeGroups"] = json!(["g-admins", "g-tech"]);
    };
    assert_eq!(reason(both, &facts(), &w), Reason::Unexplained);
}

#[test]
fn reason_15_location_unknown() {
    let mut w = world();
    w.locations.push(("lost", None));
    let away = SignInFacts {
        ip_address: Some("198.51.100.7"),
        country: Some("FR"),
        ..facts()
    };
    // AllTrusted with an unknown location and the sign-in in no known trusted one.
    assert_eq!(
        reason(locations(json!(["All"]), json!(["AllTrusted"])), &away, &w),
        Reason::LocationUnknown
    );
    // In a known trusted location: decided, excluded.
    assert_eq!(
        reason(
            locations(json!(["All"]), json!(["AllTrusted"])),
            &facts(),
            &w
        ),
        Reason::LocationExcluded
    );
    // An unknown included location, and the sign-in decidedly in no other.
    assert_eq!(
        reason(locations(json!(["lost", "office"]), json!([])), &away, &w),
        Reason::LocationUnknown
    );
    // Decidedly in another included named location: reason 15 does not fire.
    assert_eq!(
        reason(
            locations(json!(["lost", "office"]), json!([])),
            &facts(),
            &w
        ),
        Reason::Unexplained
    );
    // Authenticator GPS lookup cannot be decided.
    let gps = Fake {
        locations: vec![("de", Some(germany(true)))],
        ..world()
    };
    assert_eq!(
        reason(locations(json!(["All"]), json!(["de"])), &facts(), &gps),
        Reason::LocationUnknown
    );
    // Reason 13 comes first.
    let both = |v: &mut serde_json::Value| {
        locations(json!(["All"]), json!(["lost"]))(v);
        v["conditions"]["devices"] = json!({"deviceFilter": {"mode": "include", "rule": "x"}});
    };
    assert_eq!(reason(both, &facts(), &w), Reason::OtherCondition);
}

#[test]
fn reason_16_unexplained_and_the_order_of_the_first_reasons() {
    let w = world();
    assert_eq!(reason(|_| {}, &facts(), &w), Reason::Unexplained);
    let many = |v: &mut serde_json::Value| {
        v["state"] = json!("enabledForReportingButNotEnforced");
        v["conditions"]["users"]["excludeUsers"] = json!(["u1"]);
    };
    assert_eq!(reason(many, &facts(), &w), Reason::ReportOnly);
    let excluded_twice = |v: &mut serde_json::Value| {
        v["conditions"]["users"]["excludeUsers"] = json!(["u1"]);
        v["conditions"]["applications"]["excludeApplications"] = json!([EXO]);
    };
    assert_eq!(reason(excluded_twice, &facts(), &w), Reason::UserExcluded);
}

#[test]
fn coverage_of_an_account() {
    let w = world();
    let cover =
        |f: fn(&mut serde_json::Value), user: &str, w: &Fake| coverage(&pol(f), user, false, w);
    assert_eq!(cover(|_| {}, "U1", &w), Coverage::Reaches);
    // One member of the definition changed at a time; conditions do not stop coverage
    // (R7 judges them).
    for (pointer, value, expected) in [
        (
            "/state",
            json!("disabled"),
            Coverage::Stopped(Reason::Disabled),
        ),
        (
            "/conditions/users/excludeUsers",
            json!(["u1"]),
            Coverage::Stopped(Reason::UserExcluded),
        ),
        (
            "/conditions/applications/excludeApplications",
            json!(["x"]),
            Coverage::Stopped(Reason::AppExcluded),
        ),
        (
            "/conditions/applications/includeApplications",
            json!(["Office365"]),
            Coverage::Stopped(Reason::AppNotIncluded),
        ),
        (
            "/conditions/clientAppTypes",
            json!(["browser"]),
            Coverage::Reaches,
        ),
    ] {
        let policy = pol(|v| *v.pointer_mut(pointer).unwrap() = value);
        assert_eq!(coverage(&policy, "u1", false, &w), expected, "{pointer}");
    }
    let mut unknown = world();
    unknown.groups.insert("g-tech", None);
    let tech =
        |v: &mut serde_json::Value| v["conditions"]["users"]["excludeGroups"] = json!(["g-tech"]);
    assert_eq!(cover(tech, "u1", &unknown), Coverage::Unknown);
    assert_eq!(
        cover(tech, "u2", &w),
        Coverage::Stopped(Reason::GroupOrRoleExcluded)
    );
    assert_eq!(cover(tech, "u1", &w), Coverage::Reaches);
    let guest = coverage(
        &pol(|v| v["conditions"]["users"]["excludeUsers"] = json!(["GuestsOrExternalUsers"])),
        "g1",
        true,
        &w,
    );
    assert_eq!(guest, Coverage::Stopped(Reason::GuestExcluded));
}
