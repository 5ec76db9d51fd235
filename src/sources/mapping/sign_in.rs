//! Graph `signIn` (beta and v1.0) and its nested objects → the canonical `SignIn`.

use std::ops::Deref;

use serde::Deserialize;

use super::lenient::{list, opt_bool, opt_i32, opt_json_text, opt_string, string_vec};
use super::text::Text;
use crate::schema::{
    AppliedCaPolicyOf, AuthDetailOf, EventType, KeyValueOf, NetworkLocationOf, RequirementPolicyOf,
    SignInOf,
};
use crate::sources::time::parse_timestamp;

/// Graph `signInStatus`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphStatus<S = String> {
    #[serde(deserialize_with = "opt_i32")]
    pub error_code: Option<i32>,
    #[serde(deserialize_with = "opt_string")]
    pub failure_reason: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub additional_details: Option<S>,
}

/// Graph `authenticationDetail`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphAuthDetail<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub authentication_step_date_time: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_method: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_method_detail: Option<S>,
    #[serde(deserialize_with = "opt_bool")]
    pub succeeded: Option<bool>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_step_result_detail: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_step_requirement: Option<S>,
}

impl<S: Deref<Target = str>> GraphAuthDetail<S> {
    /// The canonical element; an unreadable step time is dropped to null (the rules do not
    /// use it) rather than rejecting the whole sign-in.
    pub fn into_canonical(self) -> AuthDetailOf<S> {
        AuthDetailOf {
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
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphRequirementPolicy<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub requirement_provider: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub detail: Option<S>,
}

/// Graph `appliedConditionalAccessPolicy`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphCaPolicy<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub display_name: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub result: Option<S>,
    #[serde(deserialize_with = "string_vec")]
    pub enforced_grant_controls: Vec<S>,
    #[serde(deserialize_with = "string_vec")]
    pub enforced_session_controls: Vec<S>,
}

/// Graph `networkLocationDetail`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphNetworkLocation<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub network_type: Option<S>,
    #[serde(deserialize_with = "string_vec")]
    pub network_names: Vec<S>,
}

/// Graph `keyValue`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphKeyValue<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub key: Option<S>,
    #[serde(deserialize_with = "opt_json_text")]
    pub value: Option<S>,
}

impl<S> From<GraphKeyValue<S>> for KeyValueOf<S> {
    fn from(kv: GraphKeyValue<S>) -> KeyValueOf<S> {
        KeyValueOf {
            key: kv.key,
            value: kv.value,
        }
    }
}

/// Graph `mfaDetail` (deprecated but still exported).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphMfaDetail<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub auth_method: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub auth_detail: Option<S>,
}

/// Graph `signInLocation`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphLocation<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub city: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub state: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub country_or_region: Option<S>,
}

/// Graph `deviceDetail`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphDevice<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub device_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub display_name: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub operating_system: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub browser: Option<S>,
    #[serde(deserialize_with = "opt_bool")]
    pub is_compliant: Option<bool>,
    #[serde(deserialize_with = "opt_bool")]
    pub is_managed: Option<bool>,
    #[serde(deserialize_with = "opt_string")]
    pub trust_type: Option<S>,
}

/// Graph beta `managedIdentity` (`managedServiceIdentity`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphManagedIdentity<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub msi_type: Option<S>,
}

/// Graph `signIn` (beta; v1.0 is a subset).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[serde(bound(deserialize = "S: Text<'de> + Default"))]
pub struct GraphSignIn<S = String> {
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub created_date_time: Option<S>,
    #[serde(deserialize_with = "string_vec")]
    pub sign_in_event_types: Vec<S>,
    #[serde(deserialize_with = "opt_bool")]
    pub is_interactive: Option<bool>,
    #[serde(deserialize_with = "opt_string")]
    pub user_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub user_principal_name: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub user_display_name: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub user_type: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub app_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub app_display_name: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub resource_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub resource_display_name: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub resource_tenant_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub home_tenant_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub cross_tenant_access_type: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub service_principal_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub service_principal_name: Option<S>,
    pub managed_service_identity: Option<GraphManagedIdentity<S>>,
    #[serde(deserialize_with = "opt_string")]
    pub ip_address: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub client_app_used: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub user_agent: Option<S>,
    pub status: Option<GraphStatus<S>>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_requirement: Option<S>,
    #[serde(deserialize_with = "list")]
    pub authentication_requirement_policies: Vec<GraphRequirementPolicy<S>>,
    #[serde(deserialize_with = "list")]
    pub authentication_details: Vec<GraphAuthDetail<S>>,
    pub mfa_detail: Option<GraphMfaDetail<S>>,
    #[serde(deserialize_with = "opt_string")]
    pub conditional_access_status: Option<S>,
    #[serde(deserialize_with = "list")]
    pub applied_conditional_access_policies: Vec<GraphCaPolicy<S>>,
    #[serde(deserialize_with = "list")]
    pub network_location_details: Vec<GraphNetworkLocation<S>>,
    #[serde(deserialize_with = "list")]
    pub authentication_processing_details: Vec<GraphKeyValue<S>>,
    #[serde(deserialize_with = "opt_string")]
    pub session_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub correlation_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub original_request_id: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub unique_token_identifier: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub incoming_token_type: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub authentication_protocol: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub token_issuer_type: Option<S>,
    pub location: Option<GraphLocation<S>>,
    pub device_detail: Option<GraphDevice<S>>,
    #[serde(deserialize_with = "opt_string")]
    pub risk_level_during_sign_in: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub risk_level_aggregated: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub risk_state: Option<S>,
    #[serde(deserialize_with = "opt_string")]
    pub risk_detail: Option<S>,
}

/// Empty strings mean "no value" in Entra exports (`servicePrincipalId: ""`).
pub fn non_empty<S: Deref<Target = str>>(s: Option<S>) -> Option<S> {
    s.filter(|v| !v.trim().is_empty())
}

/// Decides the event type: Graph's `signInEventTypes` when it names one, else the log the
/// record was delivered in (`from_envelope`: category, table, file kind), else
/// `isInteractive`, else interactive (v1.0 has no `signInEventTypes` and lists only
/// interactive sign-ins). `Err` when `signInEventTypes` names only types mfaproof does not
/// know and nothing else says which log the record is from: such a record may be a
/// workload sign-in, and reading it as interactive would judge it by the user rules.
pub fn event_type<S: Deref<Target = str>>(
    sign_in_event_types: &[S],
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

impl<S: Deref<Target = str> + From<String> + Default> GraphSignIn<S> {
    /// The canonical sign-in; `Err` names the missing or unreadable key field.
    /// `envelope_error_code` is the envelope's `resultType`, used only when
    /// `status.errorCode` is absent.
    pub fn into_canonical(
        mut self,
        from_envelope: Option<EventType>,
        envelope_error_code: Option<i32>,
    ) -> Result<SignInOf<S>, String> {
        let id = non_empty(self.id.take()).ok_or("missing id")?;
        let created_text = self
            .created_date_time
            .take()
            .ok_or("missing createdDateTime")?;
        let created_text: &str = &created_text;
        let created_at = parse_timestamp(created_text)
            .ok_or_else(|| format!("createdDateTime {created_text:?} is not a timestamp"))?;
        let event_type = event_type(
            &self.sign_in_event_types,
            from_envelope,
            self.is_interactive,
        )?;
        let mut s = SignInOf::new(id, created_at, event_type);
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
    fn copy_texts(&mut self, s: &mut SignInOf<S>) {
        let text = |v: &mut Option<S>| non_empty(v.take());
        s.user_id = text(&mut self.user_id);
        s.user_principal_name = text(&mut self.user_principal_name);
        s.user_display_name = text(&mut self.user_display_name);
        s.user_type = text(&mut self.user_type).map(|t| S::from(t.trim().to_ascii_lowercase()));
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
    fn copy_lists(&mut self, s: &mut SignInOf<S>) {
        s.authentication_requirement_policies =
            std::mem::take(&mut self.authentication_requirement_policies)
                .into_iter()
                .map(|p| RequirementPolicyOf {
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
                .map(|p| AppliedCaPolicyOf {
                    id: p.id,
                    display_name: p.display_name,
                    result: p.result,
                    enforced_grant_controls: p.enforced_grant_controls,
                    enforced_session_controls: p.enforced_session_controls,
                })
                .collect();
        s.network_location_details = std::mem::take(&mut self.network_location_details)
            .into_iter()
            .map(|n| NetworkLocationOf {
                network_type: n.network_type,
                network_names: n.network_names,
            })
            .collect();
        s.authentication_processing_details =
            std::mem::take(&mut self.authentication_processing_details)
                .into_iter()
                .map(KeyValueOf::from)
                .collect();
    }

    /// The nested objects flattened into columns: MFA detail, location, device, managed
    /// identity.
    fn copy_objects(&mut self, s: &mut SignInOf<S>) {
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
