//! Canonical records: the one in-memory shape every source maps onto before it becomes Arrow.
//!
//! Field names follow the canonical snake_case column names of `docs/schema.md`; every
//! source module fills these structs, and `schema::builder` is the only code that turns
//! them into `RecordBatch`es, so a column can never mean two things in two formats.

use chrono::{DateTime, Utc};

use super::directory::DirectoryRecord;

/// Where a record came from: the input file and the 1-based line (JSON Lines, CSV) or
/// index (JSON array, `value`/`records` envelope) inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub file: String,
    pub record: u64,
}

/// The four sign-in logs of Entra ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    InteractiveUser,
    NonInteractiveUser,
    ServicePrincipal,
    ManagedIdentity,
}

impl EventType {
    /// The canonical word stored in the `event_type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::InteractiveUser => "interactive_user",
            EventType::NonInteractiveUser => "non_interactive_user",
            EventType::ServicePrincipal => "service_principal",
            EventType::ManagedIdentity => "managed_identity",
        }
    }

    /// Maps Graph's `signInEventTypes` words (any casing) to an event type.
    pub fn from_graph(word: &str) -> Option<EventType> {
        match word.trim().to_ascii_lowercase().as_str() {
            "interactiveuser" => Some(EventType::InteractiveUser),
            "noninteractiveuser" => Some(EventType::NonInteractiveUser),
            "serviceprincipal" => Some(EventType::ServicePrincipal),
            "managedidentity" => Some(EventType::ManagedIdentity),
            _ => None,
        }
    }
}

/// The canonical records with owned strings, as every source but the Graph fast path
/// makes them (that path borrows its strings from the read buffer: `SignInOf<Cow<str>>`).
pub type AuthDetail = AuthDetailOf<String>;
pub type RequirementPolicy = RequirementPolicyOf<String>;
pub type AppliedCaPolicy = AppliedCaPolicyOf<String>;
pub type NetworkLocation = NetworkLocationOf<String>;
pub type KeyValue = KeyValueOf<String>;
pub type SignIn = SignInOf<String>;

/// One element of `authentication_details`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthDetailOf<S> {
    pub authentication_step_date_time: Option<DateTime<Utc>>,
    pub authentication_method: Option<S>,
    pub authentication_method_detail: Option<S>,
    pub succeeded: Option<bool>,
    pub authentication_step_result_detail: Option<S>,
    pub authentication_step_requirement: Option<S>,
}

/// One element of `authentication_requirement_policies`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequirementPolicyOf<S> {
    pub requirement_provider: Option<S>,
    pub detail: Option<S>,
}

/// One element of `applied_conditional_access_policies`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppliedCaPolicyOf<S> {
    pub id: Option<S>,
    pub display_name: Option<S>,
    pub result: Option<S>,
    pub enforced_grant_controls: Vec<S>,
    pub enforced_session_controls: Vec<S>,
}

/// One element of `network_location_details`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkLocationOf<S> {
    pub network_type: Option<S>,
    pub network_names: Vec<S>,
}

/// A `{key, value}` pair (`authentication_processing_details`, audit `additional_details`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyValueOf<S> {
    pub key: Option<S>,
    pub value: Option<S>,
}

/// A canonical sign-in. `None` is "the source did not say"; lists are empty when the
/// source said nothing or an empty list (the rules treat both alike).
#[derive(Debug, Clone, PartialEq)]
pub struct SignInOf<S> {
    /// The Entra tenant the record says it belongs to (Azure Monitor's envelope
    /// `tenantId`, Log Analytics' `AADTenantId`), in `schema::tenant` form; `None` for
    /// formats that do not say (the lake then takes it from the input's given tenant).
    pub tenant_id: Option<S>,
    pub id: S,
    pub created_at: DateTime<Utc>,
    pub event_type: EventType,
    pub is_interactive: Option<bool>,
    pub user_id: Option<S>,
    pub user_principal_name: Option<S>,
    pub user_display_name: Option<S>,
    /// Lower-cased: `member` / `guest` (Azure Monitor writes `Member`).
    pub user_type: Option<S>,
    pub app_id: Option<S>,
    pub app_display_name: Option<S>,
    pub resource_id: Option<S>,
    pub resource_display_name: Option<S>,
    pub resource_tenant_id: Option<S>,
    pub home_tenant_id: Option<S>,
    pub cross_tenant_access_type: Option<S>,
    pub service_principal_id: Option<S>,
    pub service_principal_name: Option<S>,
    pub managed_identity_type: Option<S>,
    pub ip_address: Option<S>,
    pub client_app_used: Option<S>,
    pub user_agent: Option<S>,
    pub error_code: Option<i32>,
    pub failure_reason: Option<S>,
    pub additional_details: Option<S>,
    pub authentication_requirement: Option<S>,
    pub authentication_requirement_policies: Vec<RequirementPolicyOf<S>>,
    pub authentication_details: Vec<AuthDetailOf<S>>,
    pub mfa_auth_method: Option<S>,
    pub mfa_auth_detail: Option<S>,
    pub conditional_access_status: Option<S>,
    pub applied_conditional_access_policies: Vec<AppliedCaPolicyOf<S>>,
    pub network_location_details: Vec<NetworkLocationOf<S>>,
    pub authentication_processing_details: Vec<KeyValueOf<S>>,
    pub session_id: Option<S>,
    pub correlation_id: Option<S>,
    pub original_request_id: Option<S>,
    pub unique_token_identifier: Option<S>,
    pub incoming_token_type: Option<S>,
    pub authentication_protocol: Option<S>,
    pub token_issuer_type: Option<S>,
    pub location_city: Option<S>,
    pub location_state: Option<S>,
    pub location_country_or_region: Option<S>,
    pub device_id: Option<S>,
    pub device_display_name: Option<S>,
    pub device_operating_system: Option<S>,
    pub device_browser: Option<S>,
    pub device_is_compliant: Option<bool>,
    pub device_is_managed: Option<bool>,
    pub device_trust_type: Option<S>,
    pub risk_level_during_sign_in: Option<S>,
    pub risk_level_aggregated: Option<S>,
    pub risk_state: Option<S>,
    pub risk_detail: Option<S>,
}

impl<S> SignInOf<S> {
    /// A sign-in with only its identity set; sources fill the rest field by field.
    pub fn new(id: S, created_at: DateTime<Utc>, event_type: EventType) -> SignInOf<S> {
        SignInOf {
            tenant_id: None,
            id,
            created_at,
            event_type,
            is_interactive: None,
            user_id: None,
            user_principal_name: None,
            user_display_name: None,
            user_type: None,
            app_id: None,
            app_display_name: None,
            resource_id: None,
            resource_display_name: None,
            resource_tenant_id: None,
            home_tenant_id: None,
            cross_tenant_access_type: None,
            service_principal_id: None,
            service_principal_name: None,
            managed_identity_type: None,
            ip_address: None,
            client_app_used: None,
            user_agent: None,
            error_code: None,
            failure_reason: None,
            additional_details: None,
            authentication_requirement: None,
            authentication_requirement_policies: Vec::new(),
            authentication_details: Vec::new(),
            mfa_auth_method: None,
            mfa_auth_detail: None,
            conditional_access_status: None,
            applied_conditional_access_policies: Vec::new(),
            network_location_details: Vec::new(),
            authentication_processing_details: Vec::new(),
            session_id: None,
            correlation_id: None,
            original_request_id: None,
            unique_token_identifier: None,
            incoming_token_type: None,
            authentication_protocol: None,
            token_issuer_type: None,
            location_city: None,
            location_state: None,
            location_country_or_region: None,
            device_id: None,
            device_display_name: None,
            device_operating_system: None,
            device_browser: None,
            device_is_compliant: None,
            device_is_managed: None,
            device_trust_type: None,
            risk_level_during_sign_in: None,
            risk_level_aggregated: None,
            risk_state: None,
            risk_detail: None,
        }
    }
}

/// `initiated_by` of an audit event: a user or an app (normally exactly one is set).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Initiator {
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    pub ip_address: Option<String>,
    pub app_id: Option<String>,
    pub app_display_name: Option<String>,
    pub service_principal_id: Option<String>,
    pub service_principal_name: Option<String>,
}

/// One `modified_properties` element; values are the raw strings (often JSON text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModifiedProperty {
    pub display_name: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// One `target_resources` element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetResource {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub resource_type: Option<String>,
    pub user_principal_name: Option<String>,
    pub modified_properties: Vec<ModifiedProperty>,
}

/// A canonical directory audit event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditEvent {
    /// As [`SignIn::tenant_id`].
    pub tenant_id: Option<String>,
    pub id: String,
    pub activity_date_time: DateTime<Utc>,
    pub activity_display_name: Option<String>,
    pub category: Option<String>,
    pub correlation_id: Option<String>,
    pub result: Option<String>,
    pub result_reason: Option<String>,
    pub logged_by_service: Option<String>,
    pub operation_type: Option<String>,
    pub initiated_by: Initiator,
    pub target_resources: Vec<TargetResource>,
    pub additional_details: Vec<KeyValue>,
}

impl AuditEvent {
    /// An audit event with only its identity set.
    pub fn new(id: String, activity_date_time: DateTime<Utc>) -> AuditEvent {
        AuditEvent {
            id,
            activity_date_time,
            ..AuditEvent::default()
        }
    }
}

/// A per-user MFA state observation from a snapshot (CSV or the Graph puller).
#[derive(Debug, Clone, PartialEq)]
pub struct MfaStateSnapshot {
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    /// `disabled`, `enabled`, `enforced` (lower-cased), or whatever else the source said.
    pub per_user_mfa_state: String,
    pub as_of: DateTime<Utc>,
}

/// A tenant-wide security-defaults observation.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityDefaultsSnapshot {
    pub is_enabled: bool,
    pub as_of: DateTime<Utc>,
}

/// Anything a source can yield for one input record.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    SignIn(Box<SignIn>),
    Audit(Box<AuditEvent>),
    MfaState(MfaStateSnapshot),
    SecurityDefaults(SecurityDefaultsSnapshot),
    /// A policy or directory snapshot row (boxed: the enum stays small on the hot path).
    Directory(Box<DirectoryRecord>),
}

impl Record {
    /// The tenant the record itself names, if its format carries one.
    pub fn tenant(&self) -> Option<&str> {
        match self {
            Record::SignIn(s) => s.tenant_id.as_deref(),
            Record::Audit(a) => a.tenant_id.as_deref(),
            Record::MfaState(_) | Record::SecurityDefaults(_) | Record::Directory(_) => None,
        }
    }
}

/// The current time, truncated to microseconds like every stored timestamp.
pub fn now_micros() -> DateTime<Utc> {
    truncate_to_micros(Utc::now())
}

/// Drops the sub-microsecond digits (Entra writes 7 fractional digits; the lake keeps 6,
/// and evidence-rules §3 compares the truncated value).
pub fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}
