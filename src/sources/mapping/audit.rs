//! Graph `directoryAudit` and its nested objects → the canonical `AuditEvent`.

use serde::Deserialize;

use super::lenient::{list, opt_json_text, opt_string};
use super::sign_in::{GraphKeyValue, non_empty};
use crate::schema::{AuditEvent, Initiator, KeyValue, ModifiedProperty, TargetResource};
use crate::sources::time::parse_timestamp;

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
