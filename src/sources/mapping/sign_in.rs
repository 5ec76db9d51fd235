//! Graph `signIn` (beta and v1.0) and its nested objects → the canonical `SignIn`.

use serde::Deserialize;

use super::lenient::{list, opt_bool, opt_i32, opt_json_text, opt_string, string_vec};
use crate::schema::{
    AppliedCaPolicy, AuthDetail, EventType, KeyValue, NetworkLocation, RequirementPolicy, SignIn,
};
use crate::sources::time::parse_timestamp;

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
/// `isInteractive`, else interactive (v1.0 has no `signInEventTypes` and lists only
/// interactive sign-ins). `Err` when `signInEventTypes` names only types mfaproof does not
/// know and nothing else says which log the record is from: such a record may be a
/// workload sign-in, and reading it as interactive would judge it by the user rules.
pub fn event_type(
    sign_in_event_types: &[String],
    from_envelope: Option<EventType>,
    is_interactive: Option<bool>,
) -> Result<EventType, String> {
    if let Some(t) = sign_in_event_types
        .iter()
        .find_map(|t| EventType::from_graph(t))
        .or(from_envelope)
    {
        return Ok(t);
    }
    let named: Vec<&str> = sign_in_event_types
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .collect();
    if !named.is_empty() {
        return Err(format!(
            "signInEventTypes {named:?} names no sign-in event type mfaproof knows \
             (interactiveUser, nonInteractiveUser, servicePrincipal, managedIdentity)"
        ));
    }
    Ok(match is_interactive {
        Some(false) => EventType::NonInteractiveUser,
        _ => EventType::InteractiveUser,
    })
}

impl GraphSignIn {
    /// The canonical sign-in; `Err` names the missing or unreadable key field.
    /// `envelope_error_code` is the envelope's `resultType`, used only when
    /// `status.errorCode` is absent.
    pub fn into_canonical(
        mut self,
        from_envelope: Option<EventType>,
        envelope_error_code: Option<i32>,
    ) -> Result<SignIn, String> {
        let id = non_empty(self.id.take()).ok_or("missing id")?;
        let created_text = self
            .created_date_time
            .take()
            .ok_or("missing createdDateTime")?;
        let created_at = parse_timestamp(&created_text)
            .ok_or_else(|| format!("createdDateTime {created_text:?} is not a timestamp"))?;
        let event_type = event_type(
            &self.sign_in_event_types,
            from_envelope,
            self.is_interactive,
        )?;
        let mut s = SignIn::new(id, created_at, event_type);
        s.is_interactive = self.is_interactive;
        let status = self.status.take().unwrap_or_default();
        s.error_code = status.error_code.or(envelope_error_code);
        s.failure_reason = non_empty(status.failure_reason);
        s.additional_details = non_empty(status.additional_details);
        self.copy_texts(&mut s);
        self.copy_lists(&mut s);
        self.copy_objects(&mut s);
        Ok(s)
    }

    /// The plain text properties (an empty string is no value).
    fn copy_texts(&mut self, s: &mut SignIn) {
        let text = |v: &mut Option<String>| non_empty(v.take());
        s.user_id = text(&mut self.user_id);
        s.user_principal_name = text(&mut self.user_principal_name);
        s.user_display_name = text(&mut self.user_display_name);
        s.user_type = text(&mut self.user_type).map(|t| t.trim().to_ascii_lowercase());
        s.app_id = text(&mut self.app_id);
        s.app_display_name = text(&mut self.app_display_name);
        s.resource_id = text(&mut self.resource_id);
        s.resource_display_name = text(&mut self.resource_display_name);
        s.resource_tenant_id = text(&mut self.resource_tenant_id);
        s.home_tenant_id = text(&mut self.home_tenant_id);
        s.cross_tenant_access_type = text(&mut self.cross_tenant_access_type);
        s.service_principal_id = text(&mut self.service_principal_id);
        s.service_principal_name = text(&mut self.service_principal_name);
        s.ip_address = text(&mut self.ip_address);
        s.client_app_used = text(&mut self.client_app_used);
        s.user_agent = text(&mut self.user_agent);
        s.authentication_requirement = text(&mut self.authentication_requirement);
        s.conditional_access_status = text(&mut self.conditional_access_status);
        s.session_id = text(&mut self.session_id);
        s.correlation_id = text(&mut self.correlation_id);
        s.original_request_id = text(&mut self.original_request_id);
        s.unique_token_identifier = text(&mut self.unique_token_identifier);
        s.incoming_token_type = text(&mut self.incoming_token_type);
        s.authentication_protocol = text(&mut self.authentication_protocol);
        s.token_issuer_type = text(&mut self.token_issuer_type);
        s.risk_level_during_sign_in = text(&mut self.risk_level_during_sign_in);
        s.risk_level_aggregated = text(&mut self.risk_level_aggregated);
        s.risk_state = text(&mut self.risk_state);
        s.risk_detail = text(&mut self.risk_detail);
    }

    /// The list properties.
    fn copy_lists(&mut self, s: &mut SignIn) {
        s.authentication_requirement_policies =
            std::mem::take(&mut self.authentication_requirement_policies)
                .into_iter()
                .map(|p| RequirementPolicy {
                    requirement_provider: p.requirement_provider,
                    detail: p.detail,
                })
                .collect();
        s.authentication_details = std::mem::take(&mut self.authentication_details)
            .into_iter()
            .map(GraphAuthDetail::into_canonical)
            .collect();
        s.applied_conditional_access_policies =
            std::mem::take(&mut self.applied_conditional_access_policies)
                .into_iter()
                .map(|p| AppliedCaPolicy {
                    id: p.id,
                    display_name: p.display_name,
                    result: p.result,
                    enforced_grant_controls: p.enforced_grant_controls,
                    enforced_session_controls: p.enforced_session_controls,
                })
                .collect();
        s.network_location_details = std::mem::take(&mut self.network_location_details)
            .into_iter()
            .map(|n| NetworkLocation {
                network_type: n.network_type,
                network_names: n.network_names,
            })
            .collect();
        s.authentication_processing_details =
            std::mem::take(&mut self.authentication_processing_details)
                .into_iter()
                .map(KeyValue::from)
                .collect();
    }

    /// The nested objects flattened into columns: MFA detail, location, device, managed
    /// identity.
    fn copy_objects(&mut self, s: &mut SignIn) {
        s.managed_identity_type = self
            .managed_service_identity
            .take()
            .and_then(|m| non_empty(m.msi_type));
        let mfa = self.mfa_detail.take().unwrap_or_default();
        s.mfa_auth_method = non_empty(mfa.auth_method);
        s.mfa_auth_detail = non_empty(mfa.auth_detail);
        let loc = self.location.take().unwrap_or_default();
        s.location_city = non_empty(loc.city);
        s.location_state = non_empty(loc.state);
        s.location_country_or_region = non_empty(loc.country_or_region);
        let dev = self.device_detail.take().unwrap_or_default();
        s.device_id = non_empty(dev.device_id);
        s.device_display_name = non_empty(dev.display_name);
        s.device_operating_system = non_empty(dev.operating_system);
        s.device_browser = non_empty(dev.browser);
        s.device_is_compliant = dev.is_compliant;
        s.device_is_managed = dev.is_managed;
        s.device_trust_type = non_empty(dev.trust_type);
    }
}
