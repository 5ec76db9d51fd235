//! Which Graph resource a JSON input is: by its `@odata.context` first, else by the keys
//! its first objects carry (input-formats §7). A policy, a named location and a user all
//! carry `createdDateTime`; only a positive sign of a sign-in or an audit event makes an
//! input Graph logs, and JSON of no known kind is reported, never read as sign-ins.
//!
//! Both functions look at the input's head with white space removed; `by_shape` is given
//! it lower-cased (Graph's camelCase keys, compared ignoring case).

use super::format::{Detection, Format};

/// The kinds an `@odata.context` names, by its resource path (lower case, selections such
/// as `(id,displayName)` and `/$entity` removed).
const CONTEXTS: [(&str, Format); 9] = [
    ("auditlogs/signins", Format::Graph),
    ("auditlogs/directoryaudits", Format::Graph),
    (
        "policies/identitysecuritydefaultsenforcementpolicy",
        Format::SecurityDefaults,
    ),
    ("identity/conditionalaccess/policies", Format::CaPolicies),
    (
        "identity/conditionalaccess/namedlocations",
        Format::NamedLocations,
    ),
    ("users", Format::DirectoryUsers),
    (
        "reports/authenticationmethods/userregistrationdetails",
        Format::UserRegistrations,
    ),
    ("groups", Format::DirectoryGroups),
    (
        "rolemanagement/directory/roleassignments",
        Format::RoleAssignments,
    ),
];

/// The kind the first `@odata.context` of `compact` names; `None` when there is none or
/// it has no `$metadata#` resource path (then the shape decides).
pub fn by_context(compact: &str) -> Option<Detection> {
    let lower = compact.to_ascii_lowercase();
    let key = "\"@odata.context\":\"";
    let at = lower.find(key)? + key.len();
    let value = &compact[at..];
    let value = &value[..value.find('"')?];
    let (_, fragment) = value.split_once("$metadata#")?;
    let path = resource_path(fragment);
    let found = CONTEXTS.iter().find(|(p, _)| *p == path);
    Some(match found {
        Some((_, format)) => Detection::Format(*format),
        None => Detection::Unread(format!(
            "a Graph body of `{fragment}` (its @odata.context), which mfaproof does not read"
        )),
    })
}

/// `groups(members(id))` → `groups`; `users/$entity` → `users`; lower case.
fn resource_path(fragment: &str) -> String {
    let mut depth = 0u32;
    let mut bare = String::new();
    for c in fragment.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => bare.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    bare.split('/')
        .filter(|s| !s.is_empty() && *s != "$entity")
        .collect::<Vec<_>>()
        .join("/")
}

fn has(lower: &str, key: &str) -> bool {
    lower.contains(&format!("\"{key}\":"))
}

fn any(lower: &str, keys: &[&str]) -> bool {
    keys.iter().any(|k| has(lower, k))
}

/// Keys only a sign-in carries among the objects told apart here.
const SIGN_IN_KEYS: [&str; 8] = [
    "userid",
    "appid",
    "ipaddress",
    "status",
    "signineventtypes",
    "authenticationdetails",
    "isinteractive",
    "clientappused",
];

/// Keys only a directory user carries.
const USER_KEYS: [&str; 7] = [
    "accountenabled",
    "onpremisessyncenabled",
    "givenname",
    "surname",
    "businessphones",
    "mobilephone",
    "officelocation",
];

/// The kind of a JSON input without a decisive `@odata.context`, from the keys of its head
/// (`lower`: white space removed, lower-cased).
pub fn by_shape(lower: &str) -> Detection {
    let format = if has(lower, "conditions") && has(lower, "grantcontrols") {
        Format::CaPolicies
    } else if lower.contains("\"@odata.type\":\"#microsoft.graph.ipnamedlocation\"")
        || lower.contains("\"@odata.type\":\"#microsoft.graph.countrynamedlocation\"")
        || any(lower, &["ipranges", "countriesandregions"])
    {
        Format::NamedLocations
    } else if any(lower, &["ismfaregistered", "methodsregistered"]) {
        Format::UserRegistrations
    } else if has(lower, "principalid") && has(lower, "roledefinitionid") {
        Format::RoleAssignments
    } else if has(lower, "members")
        && any(
            lower,
            &[
                "grouptypes",
                "securityenabled",
                "mailenabled",
                "mailnickname",
                "displayname",
            ],
        )
    {
        Format::DirectoryGroups
    } else if has(lower, "userprincipalname")
        && any(lower, &USER_KEYS)
        && !any(lower, &SIGN_IN_KEYS)
        && !has(lower, "activitydatetime")
    {
        Format::DirectoryUsers
    } else if any(lower, &["createddatetime", "activitydatetime"]) {
        Format::Graph
    } else if any(lower, &["isenabled", "is_enabled"]) {
        Format::SecurityDefaults
    } else if lower == "[]" || lower.contains("\"value\":[]") {
        // An empty page or array: nothing to read, whatever it would have held.
        Format::Graph
    } else {
        return Detection::Unread(
            "JSON objects of no kind mfaproof reads (not sign-ins, audit events, \
             snapshots, policies, named locations or directory objects)"
                .to_string(),
        );
    };
    Detection::Format(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(json: &str) -> Detection {
        let compact: String = json.chars().filter(|c| !c.is_whitespace()).collect();
        by_context(&compact).unwrap_or_else(|| by_shape(&compact.to_lowercase()))
    }

    fn format(json: &str) -> Option<Format> {
        kind(json).format()
    }

    #[test]
    fn every_context_decides_whatever_the_root_version_and_selection() {
        let cases = [
            (
                "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
                Format::Graph,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
                Format::Graph,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
                Format::CaPolicies,
            ),
            (
                "https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies/$entity",
                Format::CaPolicies,
            ),
            (
                "https://graph.microsoft.us/v1.0/$metadata#identity/conditionalAccess/namedLocations",
                Format::NamedLocations,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#users",
                Format::DirectoryUsers,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,accountEnabled)",
                Format::DirectoryUsers,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#Users/$entity",
                Format::DirectoryUsers,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails",
                Format::UserRegistrations,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#groups(members(id))",
                Format::DirectoryGroups,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName,members(id))",
                Format::DirectoryGroups,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#groups",
                Format::DirectoryGroups,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments",
                Format::RoleAssignments,
            ),
            (
                "https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
                Format::SecurityDefaults,
            ),
        ];
        for (context, expected) in cases {
            // The body's objects look like sign-ins: the context wins.
            let body = format!(
                r#"{{"@odata.context": "{context}", "value": [{{"id":"1","createdDateTime":"2026-11-01T00:00:00Z"}}]}}"#
            );
            assert_eq!(format(&body), Some(expected), "{context}");
        }
    }

    #[test]
    fn a_context_of_another_resource_is_reported_and_one_without_a_path_defers() {
        let body = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning","value":[{"id":"1","activityDateTime":"2026-11-01T00:00:00Z"}]}"#;
        let Detection::Unread(what) = kind(body) else {
            panic!("read")
        };
        assert_eq!(
            what,
            "a Graph body of `auditLogs/provisioning` (its @odata.context), which mfaproof does not read"
        );
        let body = r#"{"@odata.context":"x","value":[{"id":"1","createdDateTime":"2026-11-01T00:00:00Z","status":{}}]}"#;
        assert_eq!(format(body), Some(Format::Graph));
    }

    #[test]
    fn every_kind_by_shape() {
        let cases = [
            (
                r#"[{"id":"p","displayName":"MFA","state":"enabled","createdDateTime":"2026-01-01T00:00:00Z","conditions":{},"grantControls":{"operator":"OR","builtInControls":["mfa"]}}]"#,
                Format::CaPolicies,
            ),
            (
                r##"{"value":[{"@odata.type":"#microsoft.graph.countryNamedLocation","id":"l","createdDateTime":"2026-01-01T00:00:00Z"}]}"##,
                Format::NamedLocations,
            ),
            (
                r#"{"id":"l","displayName":"HQ","ipRanges":[{"cidrAddress":"10.0.0.0/8"}],"isTrusted":true}"#,
                Format::NamedLocations,
            ),
            (
                r#"{"id":"l","countriesAndRegions":["DE"]}"#,
                Format::NamedLocations,
            ),
            (
                r#"[{"id":"u","userPrincipalName":"a@x","accountEnabled":true,"createdDateTime":"2026-01-01T00:00:00Z","userType":"Member"}]"#,
                Format::DirectoryUsers,
            ),
            (
                r#"[{"id":"u","userPrincipalName":"a@x","isMfaRegistered":false,"methodsRegistered":[]}]"#,
                Format::UserRegistrations,
            ),
            (
                r#"{"value":[{"id":"g","displayName":"G","createdDateTime":"2026-01-01T00:00:00Z","groupTypes":[],"members":[{"id":"u"}]}]}"#,
                Format::DirectoryGroups,
            ),
            (
                r#"{"value":[{"id":"a","principalId":"u","roleDefinitionId":"r","directoryScopeId":"/"}]}"#,
                Format::RoleAssignments,
            ),
            (
                r#"{"isEnabled":true,"asOf":"2026-01-01T00:00:00Z"}"#,
                Format::SecurityDefaults,
            ),
            (
                r#"[{"id":"s","createdDateTime":"2026-01-01T00:00:00Z","userPrincipalName":"a@x","status":{"errorCode":0}}]"#,
                Format::Graph,
            ),
            (
                r#"[{"id":"a","activityDateTime":"2026-01-01T00:00:00Z"}]"#,
                Format::Graph,
            ),
            (r#"{"value":[]}"#, Format::Graph),
            ("[]", Format::Graph),
        ];
        for (body, expected) in cases {
            assert_eq!(format(body), Some(expected), "{body}");
        }
    }

    #[test]
    fn objects_of_no_known_kind_are_reported_not_read_as_sign_ins() {
        for body in [
            r#"[{"id":"1"}]"#,
            r#"{"value":[{"id":"d","deviceId":"x"}]}"#,
        ] {
            assert!(matches!(kind(body), Detection::Unread(_)), "{body}");
        }
    }
}
