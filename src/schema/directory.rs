//! Canonical records of the policy and directory snapshots (input-formats §7): conditional
//! access policies, named locations, users, registration details, groups with their
//! members, and role assignments. Each row is one object of one Graph body; `snapshot_at`
//! is when that body was taken, when known (`mfaproof pull` records it; a hand-saved body
//! has none).

use chrono::{DateTime, Utc};

/// A conditional access policy as one snapshot showed it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaPolicy {
    /// As given, untrimmed.
    pub policy_id: String,
    pub display_name: Option<String>,
    pub state: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub modified_at: Option<DateTime<Utc>>,
    pub snapshot_at: Option<DateTime<Utc>>,
    /// The whole object as compact JSON text, after the repeated-key rule.
    pub definition: String,
}

/// A named location (IP ranges or countries) as one snapshot showed it.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedLocation {
    pub location_id: String,
    pub display_name: Option<String>,
    /// `#microsoft.graph.ipNamedLocation`, `#microsoft.graph.countryNamedLocation`, …
    pub odata_type: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub modified_at: Option<DateTime<Utc>>,
    pub snapshot_at: Option<DateTime<Utc>>,
    /// The whole object as compact JSON text, after the repeated-key rule.
    pub definition: String,
}

/// A directory user.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryUser {
    pub user_id: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub user_type: Option<String>,
    pub account_enabled: Option<bool>,
    pub created_at: Option<DateTime<Utc>>,
    pub on_premises_sync_enabled: Option<bool>,
    pub snapshot_at: Option<DateTime<Utc>>,
}

/// A user's authentication-method registration details.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRegistration {
    pub user_id: String,
    pub user_principal_name: Option<String>,
    pub user_type: Option<String>,
    pub is_admin: Option<bool>,
    pub is_mfa_registered: Option<bool>,
    pub is_mfa_capable: Option<bool>,
    pub methods_registered: Vec<String>,
    pub snapshot_at: Option<DateTime<Utc>>,
}

/// A group and the ids of its direct members.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryGroup {
    pub group_id: String,
    pub display_name: Option<String>,
    /// `None` when the body has no `members` key (membership was not ingested), an empty
    /// list when it says `members: []`.
    pub member_ids: Option<Vec<String>>,
    pub snapshot_at: Option<DateTime<Utc>>,
}

/// A directory role assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleAssignment {
    pub assignment_id: Option<String>,
    pub principal_id: String,
    /// The role template id that policies name in include/excludeRoles.
    pub role_definition_id: String,
    pub directory_scope_id: Option<String>,
    pub snapshot_at: Option<DateTime<Utc>>,
}

/// One row of one of the six policy and directory tables.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryRecord {
    CaPolicy(CaPolicy),
    NamedLocation(NamedLocation),
    User(DirectoryUser),
    Registration(UserRegistration),
    Group(DirectoryGroup),
    RoleAssignment(RoleAssignment),
}

crate::words::word_enum! {
    /// Which of the six tables a [`DirectoryRecord`] belongs to; the word is the table name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum DirectoryKind {
        CaPolicies => "ca_policies",
        NamedLocations => "named_locations",
        Users => "directory_users",
        Registrations => "user_registrations",
        Groups => "directory_groups",
        RoleAssignments => "role_assignments",
    }
}

impl DirectoryRecord {
    /// The table the record goes to.
    pub fn kind(&self) -> DirectoryKind {
        match self {
            DirectoryRecord::CaPolicy(_) => DirectoryKind::CaPolicies,
            DirectoryRecord::NamedLocation(_) => DirectoryKind::NamedLocations,
            DirectoryRecord::User(_) => DirectoryKind::Users,
            DirectoryRecord::Registration(_) => DirectoryKind::Registrations,
            DirectoryRecord::Group(_) => DirectoryKind::Groups,
            DirectoryRecord::RoleAssignment(_) => DirectoryKind::RoleAssignments,
        }
    }
}
