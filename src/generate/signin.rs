//! A planned sign-in: every value a format writer needs, decided by the planner before any
//! byte is written, so all formats carry the same evidence.

use super::tenant::Micros;
use crate::schema::EventType;

/// One authentication step (`authenticationDetails` element).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub at: Micros,
    /// `None` writes `null` (Graph) / an empty cell (CSV).
    pub method: Option<String>,
    pub method_detail: Option<&'static str>,
    pub succeeded: Option<bool>,
    pub detail: Option<String>,
    pub requirement: String,
}

/// Who signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// An index into `Tenant::users`.
    User(usize),
    /// An index into `Tenant::workloads`.
    Workload(usize),
}

/// One sign-in record as it will be written.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInRec {
    pub id: String,
    pub at: Micros,
    /// The 7th fractional digit; `None` writes six digits.
    pub tick: Option<u8>,
    pub kind: EventType,
    pub actor: Actor,
    /// The user id as written (sometimes upper-cased: ids compare case-insensitively).
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    /// Index into `formats::APPS`.
    pub app: usize,
    pub client_app: Option<String>,
    /// `None` writes a status without `errorCode`.
    pub error_code: Option<i32>,
    pub failure_reason: &'static str,
    pub additional_details: Option<String>,
    pub requirement: Option<String>,
    /// `authenticationRequirementPolicies`: (requirementProvider, detail).
    pub policies: Vec<(String, &'static str)>,
    pub steps: Vec<Step>,
    pub ca_status: &'static str,
    /// A CA policy requiring MFA applied (success) to the sign-in.
    pub ca_mfa: bool,
    /// A trusted named location the sign-in came from.
    pub named_network: Option<&'static str>,
    pub incoming_token: &'static str,
    pub protocol: &'static str,
    pub correlation_id: String,
    /// A re-issued version of an id (portal: written to the `reissued/` download).
    pub reissued: bool,
}

impl SignInRec {
    /// True for the interactive user log.
    pub fn is_interactive(&self) -> bool {
        self.kind == EventType::InteractiveUser
    }
}

/// The logs in [`log_index`] order.
pub const LOGS: [EventType; 4] = [
    EventType::InteractiveUser,
    EventType::NonInteractiveUser,
    EventType::ServicePrincipal,
    EventType::ManagedIdentity,
];

/// The place of a sign-in log (interactive, non-interactive, service principal, managed
/// identity) in a writer's per-log arrays.
pub fn log_index(kind: EventType) -> usize {
    match kind {
        EventType::InteractiveUser => 0,
        EventType::NonInteractiveUser => 1,
        EventType::ServicePrincipal => 2,
        EventType::ManagedIdentity => 3,
    }
}

/// Applications users sign in to: (app id, app name, resource id, resource name).
pub const APPS: [(&str, &str, &str, &str); 8] = [
    (
        "4765445b-32c6-49b0-83e6-1d93765276ca",
        "OfficeHome",
        "4765445b-32c6-49b0-83e6-1d93765276ca",
        "OfficeHome",
    ),
    (
        "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        "Microsoft Teams",
        "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
        "Microsoft Teams Services",
    ),
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "00000006-0000-0ff1-ce00-000000000000",
        "Microsoft Office 365 Portal",
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
    (
        "d3590ed6-52b3-4102-aeff-aad2292ab01c",
        "Microsoft Office",
        "00000003-0000-0000-c000-000000000000",
        "Microsoft Graph",
    ),
    (
        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
        "Azure Portal",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "Windows Azure Service Management API",
    ),
    (
        "27922004-5251-4030-b22d-91ecd9a37ea4",
        "Outlook Mobile",
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "0ec893e0-5785-4de6-99da-4ed124e5296c",
        "Office UWP PWA",
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
];
