//! The Arrow schemas of the lake tables: the single definition of every canonical column.
//!
//! `docs/schema.md` documents each column and its source field in every format; keep the
//! two in step (a test compares the column lists).

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

use super::directory::DirectoryKind;

/// Bumped when a column changes meaning or type; written into every Parquet file's metadata.
/// 2: every table's first column is `tenant_id`.
pub const SCHEMA_VERSION: &str = "2";

/// The column (first in every table, and the first partition folder) naming the Entra
/// tenant a row belongs to.
pub const TENANT_ID: &str = "tenant_id";

fn tenant() -> Field {
    Field::new(TENANT_ID, DataType::Utf8, false)
}

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn boolean(name: &str) -> Field {
    Field::new(name, DataType::Boolean, true)
}

/// UTC timestamps in microseconds: Entra's 7th fractional digit is truncated at ingest.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn timestamp(name: &str) -> Field {
    Field::new(name, timestamp_type(), true)
}

fn list_of(name: &str, item: DataType) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", item, true))),
        true,
    )
}

fn string_list(name: &str) -> Field {
    list_of(name, DataType::Utf8)
}

/// The struct fields of one `authentication_details` element.
pub fn auth_detail_fields() -> Fields {
    Fields::from(vec![
        timestamp("authentication_step_date_time"),
        utf8("authentication_method"),
        utf8("authentication_method_detail"),
        boolean("succeeded"),
        utf8("authentication_step_result_detail"),
        utf8("authentication_step_requirement"),
    ])
}

/// The struct fields of one `authentication_requirement_policies` element.
pub fn requirement_policy_fields() -> Fields {
    Fields::from(vec![utf8("requirement_provider"), utf8("detail")])
}

/// The struct fields of one `applied_conditional_access_policies` element.
pub fn ca_policy_fields() -> Fields {
    Fields::from(vec![
        utf8("id"),
        utf8("display_name"),
        utf8("result"),
        string_list("enforced_grant_controls"),
        string_list("enforced_session_controls"),
    ])
}

/// The struct fields of one `network_location_details` element.
pub fn network_location_fields() -> Fields {
    Fields::from(vec![utf8("network_type"), string_list("network_names")])
}

/// The struct fields of a `{key, value}` element.
pub fn key_value_fields() -> Fields {
    Fields::from(vec![utf8("key"), utf8("value")])
}

/// The struct fields of audit `initiated_by`.
pub fn initiator_fields() -> Fields {
    Fields::from(vec![
        utf8("user_id"),
        utf8("user_principal_name"),
        utf8("user_display_name"),
        utf8("ip_address"),
        utf8("app_id"),
        utf8("app_display_name"),
        utf8("service_principal_id"),
        utf8("service_principal_name"),
    ])
}

/// The struct fields of one audit `modified_properties` element.
pub fn modified_property_fields() -> Fields {
    Fields::from(vec![
        utf8("display_name"),
        utf8("old_value"),
        utf8("new_value"),
    ])
}

/// The struct fields of one audit `target_resources` element.
pub fn target_resource_fields() -> Fields {
    Fields::from(vec![
        utf8("id"),
        utf8("display_name"),
        utf8("type"),
        utf8("user_principal_name"),
        list_of(
            "modified_properties",
            DataType::Struct(modified_property_fields()),
        ),
    ])
}

/// Provenance columns shared by every table.
fn provenance() -> Vec<Field> {
    vec![
        utf8("source_format"),
        utf8("source_file"),
        Field::new("source_record", DataType::Int64, true),
        timestamp("ingested_at"),
        // Global ingest order (run number, then record order): the dedup tie-break.
        Field::new("ingest_seq", DataType::Int64, false),
    ]
}

/// The `sign_ins` table.
pub static SIGN_INS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        tenant(),
        Field::new("id", DataType::Utf8, false),
        Field::new("created_at", timestamp_type(), false),
        Field::new("event_type", DataType::Utf8, false),
        boolean("is_interactive"),
        utf8("user_id"),
        utf8("user_principal_name"),
        utf8("user_display_name"),
        utf8("user_type"),
        utf8("app_id"),
        utf8("app_display_name"),
        utf8("resource_id"),
        utf8("resource_display_name"),
        utf8("resource_tenant_id"),
        utf8("home_tenant_id"),
        utf8("cross_tenant_access_type"),
        utf8("service_principal_id"),
        utf8("service_principal_name"),
        utf8("managed_identity_type"),
        utf8("ip_address"),
        utf8("client_app_used"),
        utf8("user_agent"),
        Field::new("error_code", DataType::Int32, true),
        utf8("failure_reason"),
        utf8("additional_details"),
        utf8("authentication_requirement"),
        list_of(
            "authentication_requirement_policies",
            DataType::Struct(requirement_policy_fields()),
        ),
        list_of(
            "authentication_details",
            DataType::Struct(auth_detail_fields()),
        ),
        utf8("mfa_auth_method"),
        utf8("mfa_auth_detail"),
        utf8("conditional_access_status"),
        list_of(
            "applied_conditional_access_policies",
            DataType::Struct(ca_policy_fields()),
        ),
        list_of(
            "network_location_details",
            DataType::Struct(network_location_fields()),
        ),
        list_of(
            "authentication_processing_details",
            DataType::Struct(key_value_fields()),
        ),
        utf8("session_id"),
        utf8("correlation_id"),
        utf8("original_request_id"),
        utf8("unique_token_identifier"),
        utf8("incoming_token_type"),
        utf8("authentication_protocol"),
        utf8("token_issuer_type"),
        utf8("location_city"),
        utf8("location_state"),
        utf8("location_country_or_region"),
        utf8("device_id"),
        utf8("device_display_name"),
        utf8("device_operating_system"),
        utf8("device_browser"),
        boolean("device_is_compliant"),
        boolean("device_is_managed"),
        utf8("device_trust_type"),
        utf8("risk_level_during_sign_in"),
        utf8("risk_level_aggregated"),
        utf8("risk_state"),
        utf8("risk_detail"),
    ];
    fields.extend(provenance());
    Arc::new(Schema::new(fields))
});

/// The `audit_events` table.
pub static AUDIT_EVENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        tenant(),
        Field::new("id", DataType::Utf8, false),
        Field::new("activity_date_time", timestamp_type(), false),
        utf8("activity_display_name"),
        utf8("category"),
        utf8("correlation_id"),
        utf8("result"),
        utf8("result_reason"),
        utf8("logged_by_service"),
        utf8("operation_type"),
        Field::new("initiated_by", DataType::Struct(initiator_fields()), true),
        list_of(
            "target_resources",
            DataType::Struct(target_resource_fields()),
        ),
        list_of("additional_details", DataType::Struct(key_value_fields())),
    ];
    fields.extend(provenance());
    Arc::new(Schema::new(fields))
});

/// The `mfa_state_snapshots` table.
pub static MFA_STATE_SNAPSHOTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        tenant(),
        utf8("user_id"),
        utf8("user_principal_name"),
        Field::new("per_user_mfa_state", DataType::Utf8, false),
        Field::new("as_of", timestamp_type(), false),
    ];
    fields.extend(provenance());
    Arc::new(Schema::new(fields))
});

/// The `security_defaults_snapshots` table.
pub static SECURITY_DEFAULTS_SNAPSHOTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        tenant(),
        Field::new("is_enabled", DataType::Boolean, false),
        Field::new("as_of", timestamp_type(), false),
    ];
    fields.extend(provenance());
    Arc::new(Schema::new(fields))
});

fn key(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}

fn with_provenance(fields: Vec<Field>) -> SchemaRef {
    let mut fields = [vec![tenant()], fields].concat();
    fields.extend(provenance());
    Arc::new(Schema::new(fields))
}

/// The `ca_policies` table.
pub static CA_POLICIES: LazyLock<SchemaRef> = LazyLock::new(|| {
    with_provenance(vec![
        key("policy_id"),
        utf8("display_name"),
        utf8("state"),
        timestamp("created_at"),
        timestamp("modified_at"),
        timestamp("snapshot_at"),
        key("definition"),
    ])
});

/// The `named_locations` table.
pub static NAMED_LOCATIONS: LazyLock<SchemaRef> = LazyLock::new(|| {
    with_provenance(vec![
        key("location_id"),
        utf8("display_name"),
        utf8("odata_type"),
        timestamp("created_at"),
        timestamp("modified_at"),
        timestamp("snapshot_at"),
        key("definition"),
    ])
});

/// The `directory_users` table.
pub static DIRECTORY_USERS: LazyLock<SchemaRef> = LazyLock::new(|| {
    with_provenance(vec![
        key("user_id"),
        utf8("user_principal_name"),
        utf8("display_name"),
        utf8("user_type"),
        boolean("account_enabled"),
        timestamp("created_at"),
        boolean("on_premises_sync_enabled"),
        timestamp("snapshot_at"),
    ])
});

/// The `user_registrations` table.
pub static USER_REGISTRATIONS: LazyLock<SchemaRef> = LazyLock::new(|| {
    with_provenance(vec![
        key("user_id"),
        utf8("user_principal_name"),
        utf8("user_type"),
        boolean("is_admin"),
        boolean("is_mfa_registered"),
        boolean("is_mfa_capable"),
        string_list("methods_registered"),
        timestamp("snapshot_at"),
    ])
});

/// The `directory_groups` table.
pub static DIRECTORY_GROUPS: LazyLock<SchemaRef> = LazyLock::new(|| {
    with_provenance(vec![
        key("group_id"),
        utf8("display_name"),
        string_list("member_ids"),
        timestamp("snapshot_at"),
    ])
});

/// The `role_assignments` table.
pub static ROLE_ASSIGNMENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    with_provenance(vec![
        utf8("assignment_id"),
        key("principal_id"),
        key("role_definition_id"),
        utf8("directory_scope_id"),
        timestamp("snapshot_at"),
    ])
});

/// The schema of a policy or directory table.
pub fn directory_schema(kind: DirectoryKind) -> SchemaRef {
    match kind {
        DirectoryKind::CaPolicies => CA_POLICIES.clone(),
        DirectoryKind::NamedLocations => NAMED_LOCATIONS.clone(),
        DirectoryKind::Users => DIRECTORY_USERS.clone(),
        DirectoryKind::Registrations => USER_REGISTRATIONS.clone(),
        DirectoryKind::Groups => DIRECTORY_GROUPS.clone(),
        DirectoryKind::RoleAssignments => ROLE_ASSIGNMENTS.clone(),
    }
}

/// The number of leading columns that are the row's content (its tenant and every column
/// but provenance): the columns the policy and directory tables deduplicate on.
pub fn content_columns(schema: &Schema) -> usize {
    schema.fields().len() - provenance().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns `docs/schema.md` lists under `## heading`: the first cell of each table
    /// row, split at commas.
    fn documented(doc: &str, heading: &str) -> Vec<String> {
        let start = doc
            .find(&format!("\n## {heading}\n"))
            .unwrap_or_else(|| panic!("docs/schema.md has no section {heading}"));
        let section = &doc[start + 1..];
        let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
        section[..end]
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| column"))
            .flat_map(|l| l[2..].split(" |").next().unwrap_or("").split(", "))
            .map(|c| c.trim().to_string())
            .collect()
    }

    fn names(fields: &[Field]) -> Vec<String> {
        fields.iter().map(|f| f.name().clone()).collect()
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    #[test]
    fn docs_schema_lists_every_column_of_every_table() {
        let doc = include_str!("../../docs/schema.md");
        let mut tables = vec![
            ("sign_ins", SIGN_INS.clone()),
            ("audit_events", AUDIT_EVENTS.clone()),
            ("mfa_state_snapshots", MFA_STATE_SNAPSHOTS.clone()),
            (
                "security_defaults_snapshots",
                SECURITY_DEFAULTS_SNAPSHOTS.clone(),
            ),
        ];
        tables.extend(DirectoryKind::ALL.map(|k| (k.as_str(), directory_schema(k))));
        for (name, schema) in tables {
            let content = content_columns(&schema);
            assert_eq!(schema.field(0).name(), TENANT_ID, "{name}");
            let fields: Vec<Field> = schema.fields()[1..content]
                .iter()
                .map(|f| f.as_ref().clone())
                .collect();
            // A doc row may name several columns of one type, so the order may differ.
            assert_eq!(
                sorted(documented(doc, &format!("`{name}`"))),
                sorted(names(&fields)),
                "{name}"
            );
        }
        assert_eq!(
            documented(doc, "Provenance (every table)"),
            names(&provenance())
        );
        assert_eq!(documented(doc, "Tenant (every table)"), [TENANT_ID]);
    }
}
