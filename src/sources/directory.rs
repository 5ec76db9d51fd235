//! Graph directory bodies → records: `users`, `reports/authenticationMethods/
//! userRegistrationDetails`, `groups?$expand=members($select=id)` and
//! `roleManagement/directory/roleAssignments` (input-formats §7). Unknown members are
//! ignored; an object without its key is rejected with the reason.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::graph_object::{self, Object};
use super::sink::Sink;
use crate::schema::{
    DirectoryGroup, DirectoryRecord, DirectoryUser, RoleAssignment, UserRegistration,
};
use crate::sources::Result;

type At = Option<DateTime<Utc>>;

/// Reads a `users` body.
pub fn read_users(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    graph_object::read(input, sink, user)
}

/// Reads a `userRegistrationDetails` body.
pub fn read_registrations(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    graph_object::read(input, sink, registration)
}

/// Reads a `groups` body (with or without expanded `members`).
pub fn read_groups(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    graph_object::read(input, sink, group)
}

/// Reads a `roleAssignments` body.
pub fn read_role_assignments(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    graph_object::read(input, sink, role_assignment)
}

fn user(o: &Object, snapshot_at: At) -> Result<DirectoryRecord, String> {
    Ok(DirectoryRecord::User(DirectoryUser {
        user_id: o.key("id")?,
        user_principal_name: o.text("userPrincipalName")?,
        display_name: o.text("displayName")?,
        user_type: o.text("userType")?,
        account_enabled: o.boolean("accountEnabled")?,
        created_at: o.time("createdDateTime")?,
        on_premises_sync_enabled: o.boolean("onPremisesSyncEnabled")?,
        snapshot_at,
    }))
}

fn registration(o: &Object, snapshot_at: At) -> Result<DirectoryRecord, String> {
    Ok(DirectoryRecord::Registration(UserRegistration {
        user_id: o.key("id")?,
        user_principal_name: o.text("userPrincipalName")?,
        user_type: o.text("userType")?,
        is_admin: o.boolean("isAdmin")?,
        is_mfa_registered: o.boolean("isMfaRegistered")?,
        is_mfa_capable: o.boolean("isMfaCapable")?,
        methods_registered: o.strings("methodsRegistered")?,
        snapshot_at,
    }))
}

/// `members` absent or `null`: membership unknown; `[]`: no members.
fn group(o: &Object, snapshot_at: At) -> Result<DirectoryRecord, String> {
    let member_ids = match o.get("members") {
        None => None,
        Some(Value::Array(members)) => Some(
            members
                .iter()
                .enumerate()
                .map(|(i, m)| member_id(m).ok_or_else(|| format!("members[{i}] has no id")))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => return Err(format!("members is not a list: {other}")),
    };
    Ok(DirectoryRecord::Group(DirectoryGroup {
        group_id: o.key("id")?,
        display_name: o.text("displayName")?,
        member_ids,
        snapshot_at,
    }))
}

/// A member's `id` (a member is a directory object; `$select=id` leaves its type too).
fn member_id(member: &Value) -> Option<String> {
    let object = member.as_object()?;
    let id = object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("id"))
        .and_then(|(_, v)| v.as_str())?;
    (!id.trim().is_empty()).then(|| id.to_string())
}

fn role_assignment(o: &Object, snapshot_at: At) -> Result<DirectoryRecord, String> {
    Ok(DirectoryRecord::RoleAssignment(RoleAssignment {
        assignment_id: o.text("id")?,
        principal_id: o.key("principalId")?,
        role_definition_id: o.key("roleDefinitionId")?,
        directory_scope_id: o.text("directoryScopeId")?,
        snapshot_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Record;
    use crate::sources::test_sink::Collect;

    fn rows(c: &Collect) -> Vec<(u64, &DirectoryRecord)> {
        c.records
            .iter()
            .map(|(n, r)| match r {
                Record::Directory(d) => (*n, &**d),
                other => panic!("not a directory record: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn users_from_a_page_with_the_snapshot_time_and_a_repeated_key() {
        let page = r#"{"@mfaproof.snapshotAt":"2026-11-03T08:00:00Z","@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
            {"id":"u1","userPrincipalName":"a@x.example","displayName":"A","userType":"Member","accountEnabled":true,"createdDateTime":"2026-01-02T03:04:05.1234567Z","onPremisesSyncEnabled":null,"mail":"a@x.example"},
            {"id":"u2","accountEnabled":false,"accountEnabled":true},
            {"userPrincipalName":"nobody@x.example"},
            {"id":"u4","accountEnabled":"maybe"}
        ]}"#;
        let c = Collect::text(page, read_users).unwrap();
        let rows = rows(&c);
        assert_eq!(rows.len(), 2);
        let DirectoryRecord::User(u) = rows[0].1 else {
            panic!()
        };
        assert_eq!(u.user_id, "u1");
        assert_eq!(u.account_enabled, Some(true));
        assert_eq!(u.on_premises_sync_enabled, None);
        assert_eq!(
            u.created_at.unwrap().to_rfc3339(),
            "2026-01-02T03:04:05.123456+00:00"
        );
        assert_eq!(
            u.snapshot_at.unwrap().to_rfc3339(),
            "2026-11-03T08:00:00+00:00"
        );
        let DirectoryRecord::User(u) = rows[1].1 else {
            panic!()
        };
        assert_eq!((u.user_id.as_str(), u.account_enabled), ("u2", Some(true)));
        assert_eq!(c.repeated_keys, [2]);
        assert_eq!(
            c.reasons(),
            [
                (3, "id is missing"),
                (4, "accountEnabled \"maybe\" is not true or false")
            ]
        );
    }

    #[test]
    fn registrations_as_an_array_and_as_lines() {
        let one = r#"{"id":"u1","userPrincipalName":"a@x","userType":"member","isAdmin":false,"isMfaRegistered":true,"isMfaCapable":true,"methodsRegistered":["microsoftAuthenticatorPush","softwareOneTimePasscode"],"isSsprEnabled":false}"#;
        let bad = r#"{"id":"u2","methodsRegistered":"email"}"#;
        for text in [format!("[{one},{bad}]"), format!("{one}\n{bad}\n")] {
            let c = Collect::text(&text, read_registrations).unwrap();
            let rows = rows(&c);
            let DirectoryRecord::Registration(r) = rows[0].1 else {
                panic!()
            };
            assert_eq!(r.methods_registered.len(), 2);
            assert_eq!(
                (r.is_mfa_registered, r.is_admin, r.snapshot_at),
                (Some(true), Some(false), None)
            );
            assert_eq!(
                c.reasons(),
                [(2, "methodsRegistered is not a list: \"email\"")]
            );
        }
    }

    #[test]
    fn groups_tell_members_absent_from_members_empty() {
        let page = r##"{"value":[
            {"id":"g1","displayName":"Admins","members":[{"@odata.type":"#microsoft.graph.user","id":"u1"},{"id":"u2"}]},
            {"id":"g2","displayName":"Empty","members":[]},
            {"id":"g3","displayName":"Unexpanded"},
            {"id":"g4","members":[{"@odata.type":"#microsoft.graph.user"}]}
        ]}"##;
        let c = Collect::text(page, read_groups).unwrap();
        let members: Vec<_> = rows(&c)
            .into_iter()
            .map(|(_, r)| match r {
                DirectoryRecord::Group(g) => (g.group_id.clone(), g.member_ids.clone()),
                _ => panic!(),
            })
            .collect();
        assert_eq!(
            members,
            [
                (
                    "g1".to_string(),
                    Some(vec!["u1".to_string(), "u2".to_string()])
                ),
                ("g2".to_string(), Some(vec![])),
                ("g3".to_string(), None),
            ]
        );
        assert_eq!(c.reasons(), [(4, "members[0] has no id")]);
    }

    #[test]
    fn role_assignments_need_principal_and_role() {
        let text = "{\"id\":\"a1\",\"principalId\":\"u1\",\"roleDefinitionId\":\"62e90394-69f5-4237-9190-012177145e10\",\"directoryScopeId\":\"/\"}\n{\"id\":\"a2\",\"principalId\":\"u2\"}\n[1]\n";
        let c = Collect::text(text, read_role_assignments).unwrap();
        let rows = rows(&c);
        let DirectoryRecord::RoleAssignment(a) = rows[0].1 else {
            panic!()
        };
        assert_eq!(a.directory_scope_id.as_deref(), Some("/"));
        assert_eq!(c.reasons()[0], (2, "roleDefinitionId is missing"));
        assert_eq!(c.rejects.len(), 2);
    }
}
