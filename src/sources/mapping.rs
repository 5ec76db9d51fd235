//! Graph's camelCase `signIn` and `directoryAudit` objects → canonical records.
//!
//! Graph pages, portal JSON downloads, Azure Monitor `properties` and the nested JSON cells of
//! Log Analytics CSV all carry these same objects, so this is the one place their fields
//! are named. Unknown properties are ignored (Microsoft adds fields without notice); a
//! value of the wrong type that cannot be read leniently makes the record a reject.

use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::Value;

use super::time::parse_timestamp;
use crate::schema::{
    AppliedCaPolicy, AuditEvent, AuthDetail, EventType, Initiator, KeyValue, ModifiedProperty,
    NetworkLocation, RequirementPolicy, SignIn, TargetResource,
};

/// A string field that also accepts numbers and booleans (as their text) and treats
/// `null` as absent. Objects and arrays are a type error.
fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(de::Error::custom(format!(
            "expected a string, found {}",
            kind(&other)
        ))),
    }
}

/// Like [`opt_string`], but JSON objects and arrays are kept as compact JSON text
/// (audit `oldValue`/`newValue` are JSON text in Graph, parsed JSON in some exports).
fn opt_json_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Ok(Some(other.to_string())),
    }
}

/// A boolean that also accepts `"true"`/`"false"` in any case; `null` and `""` are absent.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::String(s) => parse_bool(&s)
            .map_err(|_| de::Error::custom(format!("expected a boolean, found {s:?}"))),
        other => Err(de::Error::custom(format!(
            "expected a boolean, found {}",
            kind(&other)
        ))),
    }
}

/// `true`/`false`/`""` in any case and with surrounding white space.
// A unit error: every caller words the message itself, naming its column.
#[allow(clippy::result_unit_err)]
pub fn parse_bool(s: &str) -> Result<Option<bool>, ()> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        _ => Err(()),
    }
}

/// An Int32 that also accepts its decimal text (`"50126"`); `null` and `""` are absent.
fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("error code {n} is not an Int32"))),
        Value::String(s) => parse_i32(&s)
            .map_err(|_| de::Error::custom(format!("expected an integer, found {s:?}"))),
        other => Err(de::Error::custom(format!(
            "expected an integer, found {}",
            kind(&other)
        ))),
    }
}

/// Decimal text to Int32; `""` is absent.
// A unit error: every caller words the message itself, naming its column.
#[allow(clippy::result_unit_err)]
pub fn parse_i32(s: &str) -> Result<Option<i32>, ()> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i32>().map(Some).map_err(|_| ())
}

/// A list of strings; `null` is empty.
fn string_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<Option<String>>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect())
}

/// A list of objects; `null` is empty.
fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Graph `signInStatus`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphStatus {
    #[serde(deserialize_with = "opt_i32")]
    pub error_code: Option<i32>,
    #[serde(deserialize_with = "opt_string")]
    pub failure_reason: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub additional_details: Option<String>,
}

/// Graph `authenticationDetail`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphAuthDetail {
    #[serde(deserialize_with = "opt_string")]
    pub authentication_step_date_time: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_method: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_method_detail: Option<String>,
    #[serde(deserialize_with = "opt_bool")]
    pub succeeded: Option<bool>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_step_result_detail: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_step_requirement: Option<String>,
}

impl GraphAuthDetail {
    /// The canonical element; an unreadable step time is dropped to null (the rules do not
    /// use it) rather than rejecting the whole sign-in.
    pub fn into_canonical(self) -> AuthDetail {
        AuthDetail {
            authentication_step_date_time: self
                .authentication_step_date_time
                .as_deref()
                .and_then(parse_timestamp),
            authentication_method: self.authentication_method,
            authentication_method_detail: self.authentication_method_detail,
            succeeded: self.succeeded,
            authentication_step_result_detail: self.authentication_step_result_detail,
            authentication_step_requirement: self.authentication_step_requirement,
        }
    }
}

/// Graph `authenticationRequirementPolicy`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphRequirementPolicy {
    #[serde(deserialize_with = "opt_string")]
    pub requirement_provider: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub detail: Option<String>,
}

/// Graph `appliedConditionalAccessPolicy`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphCaPolicy {
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub result: Option<String>,
    #[serde(deserialize_with = "string_vec")]
    pub enforced_grant_controls: Vec<String>,
    #[serde(deserialize_with = "string_vec")]
    pub enforced_session_controls: Vec<String>,
}

/// Graph `networkLocationDetail`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphNetworkLocation {
    #[serde(deserialize_with = "opt_string")]
    pub network_type: Option<String>,
    #[serde(deserialize_with = "string_vec")]
    pub network_names: Vec<String>,
}

/// Graph `keyValue`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GraphKeyValue {
    #[serde(deserialize_with = "opt_string")]
    pub key: Option<String>,
    #[serde(deserialize_with = "opt_json_text")]
    pub value: Option<String>,
}

impl From<GraphKeyValue> for KeyValue {
    fn from(kv: GraphKeyValue) -> KeyValue {
        KeyValue {
            key: kv.key,
            value: kv.value,
        }
    }
}

/// Graph `mfaDetail` (deprecated but still exported).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphMfaDetail {
    #[serde(deserialize_with = "opt_string")]
    pub auth_method: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub auth_detail: Option<String>,
}

/// Graph `signInLocation`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphLocation {
    #[serde(deserialize_with = "opt_string")]
    pub city: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub state: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub country_or_region: Option<String>,
}

/// Graph `deviceDetail`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphDevice {
    #[serde(deserialize_with = "opt_string")]
    pub device_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub operating_system: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub browser: Option<String>,
    #[serde(deserialize_with = "opt_bool")]
    pub is_compliant: Option<bool>,
    #[serde(deserialize_with = "opt_bool")]
    pub is_managed: Option<bool>,
    #[serde(deserialize_with = "opt_string")]
    pub trust_type: Option<String>,
}

/// Graph beta `managedIdentity` (`managedServiceIdentity`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphManagedIdentity {
    #[serde(deserialize_with = "opt_string")]
    pub msi_type: Option<String>,
}

/// Graph `signIn` (beta; v1.0 is a subset).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphSignIn {
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub created_date_time: Option<String>,
    #[serde(deserialize_with = "string_vec")]
    pub sign_in_event_types: Vec<String>,
    #[serde(deserialize_with = "opt_bool")]
    pub is_interactive: Option<bool>,
    #[serde(deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub user_principal_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub user_display_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub user_type: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub app_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub app_display_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub resource_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub resource_display_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub resource_tenant_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub home_tenant_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub cross_tenant_access_type: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub service_principal_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub service_principal_name: Option<String>,
    pub managed_service_identity: Option<GraphManagedIdentity>,
    #[serde(deserialize_with = "opt_string")]
    pub ip_address: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub client_app_used: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub user_agent: Option<String>,
    pub status: Option<GraphStatus>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_requirement: Option<String>,
    #[serde(deserialize_with = "list")]
    pub authentication_requirement_policies: Vec<GraphRequirementPolicy>,
    #[serde(deserialize_with = "list")]
    pub authentication_details: Vec<GraphAuthDetail>,
    pub mfa_detail: Option<GraphMfaDetail>,
    #[serde(deserialize_with = "opt_string")]
    pub conditional_access_status: Option<String>,
    #[serde(deserialize_with = "list")]
    pub applied_conditional_access_policies: Vec<GraphCaPolicy>,
    #[serde(deserialize_with = "list")]
    pub network_location_details: Vec<GraphNetworkLocation>,
    #[serde(deserialize_with = "list")]
    pub authentication_processing_details: Vec<GraphKeyValue>,
    #[serde(deserialize_with = "opt_string")]
    pub session_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub correlation_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub original_request_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub unique_token_identifier: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub incoming_token_type: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_protocol: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub token_issuer_type: Option<String>,
    pub location: Option<GraphLocation>,
    pub device_detail: Option<GraphDevice>,
    #[serde(deserialize_with = "opt_string")]
    pub risk_level_during_sign_in: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub risk_level_aggregated: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub risk_state: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub risk_detail: Option<String>,
}

/// Empty strings mean "no value" in Entra exports (`servicePrincipalId: ""`).
pub fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

/// Decides the event type: Graph's `signInEventTypes` when it names one, else the log the
/// record was delivered in (`from_envelope`: category, table, file kind), else
/// `isInteractive`, else interactive (v1.0 lists only interactive sign-ins).
pub fn event_type(
    sign_in_event_types: &[String],
    from_envelope: Option<EventType>,
    is_interactive: Option<bool>,
) -> EventType {
    sign_in_event_types
        .iter()
        .find_map(|t| EventType::from_graph(t))
        .or(from_envelope)
        .unwrap_or(match is_interactive {
            Some(false) => EventType::NonInteractiveUser,
            _ => EventType::InteractiveUser,
        })
}

impl GraphSignIn {
    /// The canonical sign-in; `Err` names the missing or unreadable key field.
    /// `envelope_error_code` is the envelope's `resultType`, used only when
    /// `status.errorCode` is absent.
    pub fn into_canonical(
        self,
        from_envelope: Option<EventType>,
        envelope_error_code: Option<i32>,
    ) -> Result<SignIn, String> {
        let id = non_empty(self.id).ok_or("missing id")?;
        let created_text = self.created_date_time.ok_or("missing createdDateTime")?;
        let created_at = parse_timestamp(&created_text)
            .ok_or_else(|| format!("createdDateTime {created_text:?} is not a timestamp"))?;
        let event_type = event_type(
            &self.sign_in_event_types,
            from_envelope,
            self.is_interactive,
        );
        let mut s = SignIn::new(id, created_at, event_type);
        s.is_interactive = self.is_interactive;
        s.user_id = non_empty(self.user_id);
        s.user_principal_name = non_empty(self.user_principal_name);
        s.user_display_name = non_empty(self.user_display_name);
        s.user_type = non_empty(self.user_type).map(|t| t.trim().to_ascii_lowercase());
        s.app_id = non_empty(self.app_id);
        s.app_display_name = non_empty(self.app_display_name);
        s.resource_id = non_empty(self.resource_id);
        s.resource_display_name = non_empty(self.resource_display_name);
        s.resource_tenant_id = non_empty(self.resource_tenant_id);
        s.home_tenant_id = non_empty(self.home_tenant_id);
        s.cross_tenant_access_type = non_empty(self.cross_tenant_access_type);
        s.service_principal_id = non_empty(self.service_principal_id);
        s.service_principal_name = non_empty(self.service_principal_name);
        s.managed_identity_type = self
            .managed_service_identity
            .and_then(|m| non_empty(m.msi_type));
        s.ip_address = non_empty(self.ip_address);
        s.client_app_used = non_empty(self.client_app_used);
        s.user_agent = non_empty(self.user_agent);
        let status = self.status.unwrap_or_default();
        s.error_code = status.error_code.or(envelope_error_code);
        s.failure_reason = non_empty(status.failure_reason);
        s.additional_details = non_empty(status.additional_details);
        s.authentication_requirement = non_empty(self.authentication_requirement);
        s.authentication_requirement_policies = self
            .authentication_requirement_policies
            .into_iter()
            .map(|p| RequirementPolicy {
                requirement_provider: p.requirement_provider,
                detail: p.detail,
            })
            .collect();
        s.authentication_details = self
            .authentication_details
            .into_iter()
            .map(GraphAuthDetail::into_canonical)
            .collect();
        let mfa = self.mfa_detail.unwrap_or_default();
        s.mfa_auth_method = non_empty(mfa.auth_method);
        s.mfa_auth_detail = non_empty(mfa.auth_detail);
        s.conditional_access_status = non_empty(self.conditional_access_status);
        s.applied_conditional_access_policies = self
            .applied_conditional_access_policies
            .into_iter()
            .map(|p| AppliedCaPolicy {
                id: p.id,
                display_name: p.display_name,
                result: p.result,
                enforced_grant_controls: p.enforced_grant_controls,
                enforced_session_controls: p.enforced_session_controls,
            })
            .collect();
        s.network_location_details = self
            .network_location_details
            .into_iter()
            .map(|n| NetworkLocation {
                network_type: n.network_type,
                network_names: n.network_names,
            })
            .collect();
        s.authentication_processing_details = self
            .authentication_processing_details
            .into_iter()
            .map(KeyValue::from)
            .collect();
        s.session_id = non_empty(self.session_id);
        s.correlation_id = non_empty(self.correlation_id);
        s.original_request_id = non_empty(self.original_request_id);
        s.unique_token_identifier = non_empty(self.unique_token_identifier);
        s.incoming_token_type = non_empty(self.incoming_token_type);
        s.authentication_protocol = non_empty(self.authentication_protocol);
        s.token_issuer_type = non_empty(self.token_issuer_type);
        let loc = self.location.unwrap_or_default();
        s.location_city = non_empty(loc.city);
        s.location_state = non_empty(loc.state);
        s.location_country_or_region = non_empty(loc.country_or_region);
        let dev = self.device_detail.unwrap_or_default();
        s.device_id = non_empty(dev.device_id);
        s.device_display_name = non_empty(dev.display_name);
        s.device_operating_system = non_empty(dev.operating_system);
        s.device_browser = non_empty(dev.browser);
        s.device_is_compliant = dev.is_compliant;
        s.device_is_managed = dev.is_managed;
        s.device_trust_type = non_empty(dev.trust_type);
        s.risk_level_during_sign_in = non_empty(self.risk_level_during_sign_in);
        s.risk_level_aggregated = non_empty(self.risk_level_aggregated);
        s.risk_state = non_empty(self.risk_state);
        s.risk_detail = non_empty(self.risk_detail);
        Ok(s)
    }
}

/// Graph `auditActivityInitiator.user`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphInitiatorUser {
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub user_principal_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub ip_address: Option<String>,
}

/// Graph `auditActivityInitiator.app`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphInitiatorApp {
    #[serde(deserialize_with = "opt_string")]
    pub app_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub service_principal_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub service_principal_name: Option<String>,
}

/// Graph `auditActivityInitiator`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphInitiator {
    pub user: Option<GraphInitiatorUser>,
    pub app: Option<GraphInitiatorApp>,
}

impl GraphInitiator {
    /// The canonical `initiated_by` struct.
    pub fn into_canonical(self) -> Initiator {
        let u = self.user.unwrap_or_default();
        let a = self.app.unwrap_or_default();
        Initiator {
            user_id: non_empty(u.id),
            user_principal_name: non_empty(u.user_principal_name),
            user_display_name: non_empty(u.display_name),
            ip_address: non_empty(u.ip_address),
            app_id: non_empty(a.app_id),
            app_display_name: non_empty(a.display_name),
            service_principal_id: non_empty(a.service_principal_id),
            service_principal_name: non_empty(a.service_principal_name),
        }
    }
}

/// Graph `modifiedProperty`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphModifiedProperty {
    #[serde(deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "opt_json_text")]
    pub old_value: Option<String>,
    #[serde(deserialize_with = "opt_json_text")]
    pub new_value: Option<String>,
}

/// Graph `targetResource`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphTargetResource {
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(rename = "type", deserialize_with = "opt_string")]
    pub resource_type: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub user_principal_name: Option<String>,
    #[serde(deserialize_with = "list")]
    pub modified_properties: Vec<GraphModifiedProperty>,
}

impl GraphTargetResource {
    /// The canonical target resource.
    pub fn into_canonical(self) -> TargetResource {
        TargetResource {
            id: non_empty(self.id),
            display_name: non_empty(self.display_name),
            resource_type: non_empty(self.resource_type),
            user_principal_name: non_empty(self.user_principal_name),
            modified_properties: self
                .modified_properties
                .into_iter()
                .map(|m| ModifiedProperty {
                    display_name: m.display_name,
                    old_value: m.old_value,
                    new_value: m.new_value,
                })
                .collect(),
        }
    }
}

/// Graph `directoryAudit`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphAudit {
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub activity_date_time: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub activity_display_name: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub category: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub correlation_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub result: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub result_reason: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub logged_by_service: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub operation_type: Option<String>,
    pub initiated_by: Option<GraphInitiator>,
    #[serde(deserialize_with = "list")]
    pub target_resources: Vec<GraphTargetResource>,
    #[serde(deserialize_with = "list")]
    pub additional_details: Vec<GraphKeyValue>,
}

impl GraphAudit {
    /// The canonical audit event; `Err` names the missing or unreadable key field.
    pub fn into_canonical(self) -> Result<AuditEvent, String> {
        let id = non_empty(self.id).ok_or("missing id")?;
        let text = self.activity_date_time.ok_or("missing activityDateTime")?;
        let at = parse_timestamp(&text)
            .ok_or_else(|| format!("activityDateTime {text:?} is not a timestamp"))?;
        let mut a = AuditEvent::new(id, at);
        a.activity_display_name = non_empty(self.activity_display_name);
        a.category = non_empty(self.category);
        a.correlation_id = non_empty(self.correlation_id);
        a.result = non_empty(self.result);
        a.result_reason = non_empty(self.result_reason);
        a.logged_by_service = non_empty(self.logged_by_service);
        a.operation_type = non_empty(self.operation_type);
        a.initiated_by = self.initiated_by.unwrap_or_default().into_canonical();
        a.target_resources = self
            .target_resources
            .into_iter()
            .map(GraphTargetResource::into_canonical)
            .collect();
        a.additional_details = self
            .additional_details
            .into_iter()
            .map(KeyValue::from)
            .collect();
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_types_and_envelope_fallbacks() {
        let json = r#"{"id":"a","createdDateTime":"2026-11-01T08:15:02.1234567Z",
            "userType":"Member","isInteractive":"True","status":{"errorCode":"0"},
            "authenticationDetails":null,"servicePrincipalId":"",
            "unknownNewField":{"x":1}}"#;
        let g: GraphSignIn = serde_json::from_str(json).unwrap();
        let s = g
            .into_canonical(Some(EventType::NonInteractiveUser), Some(50126))
            .unwrap();
        assert_eq!(s.user_type.as_deref(), Some("member"));
        assert_eq!(s.is_interactive, Some(true));
        assert_eq!(
            s.error_code,
            Some(0),
            "status.errorCode wins over resultType"
        );
        assert_eq!(s.event_type, EventType::NonInteractiveUser);
        assert!(s.authentication_details.is_empty());
        assert_eq!(s.service_principal_id, None);
        assert_eq!(s.created_at.timestamp_subsec_micros(), 123456);
    }

    #[test]
    fn sign_in_event_types_win_over_envelope() {
        let json = r#"{"id":"a","createdDateTime":"2026-11-01T08:15:02Z",
            "signInEventTypes":["managedIdentity"]}"#;
        let g: GraphSignIn = serde_json::from_str(json).unwrap();
        let s = g
            .into_canonical(Some(EventType::InteractiveUser), None)
            .unwrap();
        assert_eq!(s.event_type, EventType::ManagedIdentity);
    }

    #[test]
    fn wrong_types_and_missing_keys_are_errors() {
        let bad =
            r#"{"id":"a","createdDateTime":"2026-11-01T08:15:02Z","status":{"errorCode":"fifty"}}"#;
        assert!(serde_json::from_str::<GraphSignIn>(bad).is_err());
        let g: GraphSignIn =
            serde_json::from_str(r#"{"createdDateTime":"2026-11-01T08:15:02Z"}"#).unwrap();
        assert_eq!(g.into_canonical(None, None).unwrap_err(), "missing id");
    }

    #[test]
    fn audit_values_keep_json_text() {
        let json = r#"{"id":"x","activityDateTime":"2026-11-01T08:00:00Z","activityDisplayName":"Update user",
          "targetResources":[{"id":"u1","type":"User","modifiedProperties":[
            {"displayName":"StrongAuthenticationRequirement","oldValue":"[]","newValue":[{"State":1}]}]}]}"#;
        let a = serde_json::from_str::<GraphAudit>(json)
            .unwrap()
            .into_canonical()
            .unwrap();
        let m = &a.target_resources[0].modified_properties[0];
        assert_eq!(m.old_value.as_deref(), Some("[]"));
        assert_eq!(m.new_value.as_deref(), Some(r#"[{"State":1}]"#));
    }
}
