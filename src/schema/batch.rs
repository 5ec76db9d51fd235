//! Canonical records → Arrow `RecordBatch`es of the lake schemas, column by column.
//!
//! Building column-wise from a slice of records keeps each column one tight loop and the
//! nested `List<Struct>` columns one offsets buffer plus flat child arrays.

use std::ops::Deref;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Int32Array, Int64Array, ListArray, RecordBatch, StringArray,
    StringBuilder, StructArray, TimestampMicrosecondArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::{DataType, Field, Fields};
use arrow::error::ArrowError;
use chrono::{DateTime, Utc};

use super::columns::{
    self, AUDIT_EVENTS, MFA_STATE_SNAPSHOTS, SECURITY_DEFAULTS_SNAPSHOTS, SIGN_INS,
};
use super::directory::{
    CaPolicy, DirectoryGroup, DirectoryKind, DirectoryRecord, DirectoryUser, NamedLocation,
    RoleAssignment, UserRegistration,
};
use super::record::{
    AppliedCaPolicyOf, AuditEvent, AuthDetailOf, KeyValueOf, MfaStateSnapshot, ModifiedProperty,
    NetworkLocationOf, RequirementPolicyOf, SecurityDefaultsSnapshot, SignIn, SignInOf,
    TargetResource,
};

/// Where and when one row was ingested; one per row, parallel to the records.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub source_format: &'static str,
    pub source_file: Arc<str>,
    pub source_record: u64,
    pub ingested_at: DateTime<Utc>,
    pub ingest_seq: i64,
}

/// A `Utf8` column. Its values buffer is sized at once: collecting grows it from 1 KiB by
/// doubling, and each step copied the column so far into fresh memory.
fn strings<T>(items: &[T], get: impl Fn(&T) -> Option<&str>) -> ArrayRef {
    let bytes = items.iter().map(|i| get(i).map_or(0, str::len)).sum();
    let mut column = StringBuilder::with_capacity(items.len(), bytes);
    for item in items {
        column.append_option(get(item));
    }
    Arc::new(column.finish())
}

fn bools<T>(items: &[T], get: impl Fn(&T) -> Option<bool>) -> ArrayRef {
    Arc::new(items.iter().map(get).collect::<BooleanArray>())
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn timestamps<T>(items: &[T], get: impl Fn(&T) -> Option<DateTime<Utc>>) -> ArrayRef {
    let values: TimestampMicrosecondArray = items.iter().map(|i| get(i).map(micros)).collect();
    Arc::new(values.with_timezone("UTC"))
}

/// A `List<Struct>` column: one offsets buffer over the rows, children built from the
/// flattened elements by `children`.
fn struct_list<R, T>(
    rows: &[R],
    get: impl Fn(&R) -> &[T],
    fields: Fields,
    children: impl Fn(&[&T]) -> Vec<ArrayRef>,
) -> ArrayRef {
    let offsets = OffsetBuffer::from_lengths(rows.iter().map(|r| get(r).len()));
    let flat: Vec<&T> = rows.iter().flat_map(|r| get(r).iter()).collect();
    let structs = StructArray::new(fields.clone(), children(&flat), None);
    let item = Arc::new(Field::new("item", DataType::Struct(fields), true));
    Arc::new(ListArray::new(item, offsets, Arc::new(structs), None))
}

/// A `List<Utf8>` column.
fn string_list<R, S: Deref<Target = str>>(rows: &[R], get: impl Fn(&R) -> &[S]) -> ArrayRef {
    let offsets = OffsetBuffer::from_lengths(rows.iter().map(|r| get(r).len()));
    let flat: Vec<&str> = rows
        .iter()
        .flat_map(|r| get(r).iter().map(|s| &**s))
        .collect();
    let item = Arc::new(Field::new("item", DataType::Utf8, true));
    let values = strings(&flat, |s| Some(*s));
    Arc::new(ListArray::new(item, offsets, values, None))
}

fn key_values<R, S: Deref<Target = str>>(
    rows: &[R],
    get: impl Fn(&R) -> &[KeyValueOf<S>],
) -> ArrayRef {
    struct_list(
        rows,
        get,
        columns::key_value_fields(),
        |kv: &[&KeyValueOf<S>]| {
            vec![
                strings(kv, |k| k.key.as_deref()),
                strings(kv, |k| k.value.as_deref()),
            ]
        },
    )
}

/// The `tenant_id` column of a batch: every row of a batch belongs to one tenant.
fn tenant_column(tenant: &str, rows: usize) -> ArrayRef {
    Arc::new(StringArray::new_repeated(tenant, rows))
}

fn provenance_columns(prov: &[Provenance]) -> Vec<ArrayRef> {
    vec![
        strings(prov, |p| Some(p.source_format)),
        strings(prov, |p| Some(&*p.source_file)),
        Arc::new(
            prov.iter()
                .map(|p| Some(p.source_record as i64))
                .collect::<Int64Array>(),
        ),
        timestamps(prov, |p| Some(p.ingested_at)),
        Arc::new(prov.iter().map(|p| p.ingest_seq).collect::<Int64Array>()),
    ]
}

fn auth_details<S: Deref<Target = str>>(rows: &[&SignInOf<S>]) -> ArrayRef {
    struct_list(
        rows,
        |r| r.authentication_details.as_slice(),
        columns::auth_detail_fields(),
        |d: &[&AuthDetailOf<S>]| {
            vec![
                timestamps(d, |x| x.authentication_step_date_time),
                strings(d, |x| x.authentication_method.as_deref()),
                strings(d, |x| x.authentication_method_detail.as_deref()),
                bools(d, |x| x.succeeded),
                strings(d, |x| x.authentication_step_result_detail.as_deref()),
                strings(d, |x| x.authentication_step_requirement.as_deref()),
            ]
        },
    )
}

fn requirement_policies<S: Deref<Target = str>>(rows: &[&SignInOf<S>]) -> ArrayRef {
    struct_list(
        rows,
        |r| r.authentication_requirement_policies.as_slice(),
        columns::requirement_policy_fields(),
        |p: &[&RequirementPolicyOf<S>]| {
            vec![
                strings(p, |x| x.requirement_provider.as_deref()),
                strings(p, |x| x.detail.as_deref()),
            ]
        },
    )
}

fn ca_policies<S: Deref<Target = str>>(rows: &[&SignInOf<S>]) -> ArrayRef {
    struct_list(
        rows,
        |r| r.applied_conditional_access_policies.as_slice(),
        columns::ca_policy_fields(),
        |p: &[&AppliedCaPolicyOf<S>]| {
            vec![
                strings(p, |x| x.id.as_deref()),
                strings(p, |x| x.display_name.as_deref()),
                strings(p, |x| x.result.as_deref()),
                string_list(p, |x| x.enforced_grant_controls.as_slice()),
                string_list(p, |x| x.enforced_session_controls.as_slice()),
            ]
        },
    )
}

fn network_locations<S: Deref<Target = str>>(rows: &[&SignInOf<S>]) -> ArrayRef {
    struct_list(
        rows,
        |r| r.network_location_details.as_slice(),
        columns::network_location_fields(),
        |n: &[&NetworkLocationOf<S>]| {
            vec![
                strings(n, |x| x.network_type.as_deref()),
                string_list(n, |x| x.network_names.as_slice()),
            ]
        },
    )
}

/// The columns of `sign_ins` a sign-in fills: all but `tenant_id` and the provenance
/// columns. The one definition of them, for owned records (`SignIn`) and for the Graph
/// fast path's borrowed ones alike, so both paths give the same arrays.
pub fn sign_in_columns<S: Deref<Target = str>>(rows: &[&SignInOf<S>]) -> Vec<ArrayRef> {
    vec![
        strings(rows, |r| Some(&*r.id)),
        timestamps(rows, |r| Some(r.created_at)),
        strings(rows, |r| Some(r.event_type.as_str())),
        bools(rows, |r| r.is_interactive),
        strings(rows, |r| r.user_id.as_deref()),
        strings(rows, |r| r.user_principal_name.as_deref()),
        strings(rows, |r| r.user_display_name.as_deref()),
        strings(rows, |r| r.user_type.as_deref()),
        strings(rows, |r| r.app_id.as_deref()),
        strings(rows, |r| r.app_display_name.as_deref()),
        strings(rows, |r| r.resource_id.as_deref()),
        strings(rows, |r| r.resource_display_name.as_deref()),
        strings(rows, |r| r.resource_tenant_id.as_deref()),
        strings(rows, |r| r.home_tenant_id.as_deref()),
        strings(rows, |r| r.cross_tenant_access_type.as_deref()),
        strings(rows, |r| r.service_principal_id.as_deref()),
        strings(rows, |r| r.service_principal_name.as_deref()),
        strings(rows, |r| r.managed_identity_type.as_deref()),
        strings(rows, |r| r.ip_address.as_deref()),
        strings(rows, |r| r.client_app_used.as_deref()),
        strings(rows, |r| r.user_agent.as_deref()),
        Arc::new(rows.iter().map(|r| r.error_code).collect::<Int32Array>()),
        strings(rows, |r| r.failure_reason.as_deref()),
        strings(rows, |r| r.additional_details.as_deref()),
        strings(rows, |r| r.authentication_requirement.as_deref()),
        requirement_policies(rows),
        auth_details(rows),
        strings(rows, |r| r.mfa_auth_method.as_deref()),
        strings(rows, |r| r.mfa_auth_detail.as_deref()),
        strings(rows, |r| r.conditional_access_status.as_deref()),
        ca_policies(rows),
        network_locations(rows),
        key_values(rows, |r| r.authentication_processing_details.as_slice()),
        strings(rows, |r| r.session_id.as_deref()),
        strings(rows, |r| r.correlation_id.as_deref()),
        strings(rows, |r| r.original_request_id.as_deref()),
        strings(rows, |r| r.unique_token_identifier.as_deref()),
        strings(rows, |r| r.incoming_token_type.as_deref()),
        strings(rows, |r| r.authentication_protocol.as_deref()),
        strings(rows, |r| r.token_issuer_type.as_deref()),
        strings(rows, |r| r.location_city.as_deref()),
        strings(rows, |r| r.location_state.as_deref()),
        strings(rows, |r| r.location_country_or_region.as_deref()),
        strings(rows, |r| r.device_id.as_deref()),
        strings(rows, |r| r.device_display_name.as_deref()),
        strings(rows, |r| r.device_operating_system.as_deref()),
        strings(rows, |r| r.device_browser.as_deref()),
        bools(rows, |r| r.device_is_compliant),
        bools(rows, |r| r.device_is_managed),
        strings(rows, |r| r.device_trust_type.as_deref()),
        strings(rows, |r| r.risk_level_during_sign_in.as_deref()),
        strings(rows, |r| r.risk_level_aggregated.as_deref()),
        strings(rows, |r| r.risk_state.as_deref()),
        strings(rows, |r| r.risk_detail.as_deref()),
    ]
}

/// Builds a `sign_ins` batch of `tenant`'s rows; `prov` is parallel to `rows`.
pub fn sign_ins_batch(
    tenant: &str,
    rows: &[&SignIn],
    prov: &[Provenance],
) -> Result<RecordBatch, ArrowError> {
    sign_ins_batch_of(tenant, sign_in_columns(rows), prov)
}

/// A `sign_ins` batch of `tenant`'s rows from their [`sign_in_columns`]; `prov` is
/// parallel to the rows.
pub fn sign_ins_batch_of(
    tenant: &str,
    content: Vec<ArrayRef>,
    prov: &[Provenance],
) -> Result<RecordBatch, ArrowError> {
    let mut cols = vec![tenant_column(tenant, prov.len())];
    cols.extend(content);
    cols.extend(provenance_columns(prov));
    RecordBatch::try_new(SIGN_INS.clone(), cols)
}

fn target_resources(rows: &[&AuditEvent]) -> ArrayRef {
    struct_list(
        rows,
        |r| r.target_resources.as_slice(),
        columns::target_resource_fields(),
        |t: &[&TargetResource]| {
            vec![
                strings(t, |x| x.id.as_deref()),
                strings(t, |x| x.display_name.as_deref()),
                strings(t, |x| x.resource_type.as_deref()),
                strings(t, |x| x.user_principal_name.as_deref()),
                struct_list(
                    t,
                    |x| x.modified_properties.as_slice(),
                    columns::modified_property_fields(),
                    |m: &[&ModifiedProperty]| {
                        vec![
                            strings(m, |x| x.display_name.as_deref()),
                            strings(m, |x| x.old_value.as_deref()),
                            strings(m, |x| x.new_value.as_deref()),
                        ]
                    },
                ),
            ]
        },
    )
}

fn initiators(rows: &[&AuditEvent]) -> ArrayRef {
    let i: Vec<_> = rows.iter().map(|r| &r.initiated_by).collect();
    Arc::new(StructArray::new(
        columns::initiator_fields(),
        vec![
            strings(&i, |x| x.user_id.as_deref()),
            strings(&i, |x| x.user_principal_name.as_deref()),
            strings(&i, |x| x.user_display_name.as_deref()),
            strings(&i, |x| x.ip_address.as_deref()),
            strings(&i, |x| x.app_id.as_deref()),
            strings(&i, |x| x.app_display_name.as_deref()),
            strings(&i, |x| x.service_principal_id.as_deref()),
            strings(&i, |x| x.service_principal_name.as_deref()),
        ],
        None,
    ))
}

/// Builds an `audit_events` batch of `tenant`'s rows; `prov` is parallel to `rows`.
pub fn audit_events_batch(
    tenant: &str,
    rows: &[&AuditEvent],
    prov: &[Provenance],
) -> Result<RecordBatch, ArrowError> {
    let mut cols: Vec<ArrayRef> = vec![
        tenant_column(tenant, rows.len()),
        strings(rows, |r| Some(r.id.as_str())),
        timestamps(rows, |r| Some(r.activity_date_time)),
        strings(rows, |r| r.activity_display_name.as_deref()),
        strings(rows, |r| r.category.as_deref()),
        strings(rows, |r| r.correlation_id.as_deref()),
        strings(rows, |r| r.result.as_deref()),
        strings(rows, |r| r.result_reason.as_deref()),
        strings(rows, |r| r.logged_by_service.as_deref()),
        strings(rows, |r| r.operation_type.as_deref()),
        initiators(rows),
        target_resources(rows),
        key_values(rows, |r| r.additional_details.as_slice()),
    ];
    cols.extend(provenance_columns(prov));
    RecordBatch::try_new(AUDIT_EVENTS.clone(), cols)
}

/// Builds a `mfa_state_snapshots` batch of `tenant`'s rows.
pub fn mfa_state_batch(
    tenant: &str,
    rows: &[&MfaStateSnapshot],
    prov: &[Provenance],
) -> Result<RecordBatch, ArrowError> {
    let mut cols: Vec<ArrayRef> = vec![
        tenant_column(tenant, rows.len()),
        strings(rows, |r| r.user_id.as_deref()),
        strings(rows, |r| r.user_principal_name.as_deref()),
        strings(rows, |r| Some(r.per_user_mfa_state.as_str())),
        timestamps(rows, |r| Some(r.as_of)),
    ];
    cols.extend(provenance_columns(prov));
    RecordBatch::try_new(MFA_STATE_SNAPSHOTS.clone(), cols)
}

/// Builds a `security_defaults_snapshots` batch of `tenant`'s rows.
pub fn security_defaults_batch(
    tenant: &str,
    rows: &[&SecurityDefaultsSnapshot],
    prov: &[Provenance],
) -> Result<RecordBatch, ArrowError> {
    let mut cols: Vec<ArrayRef> = vec![
        tenant_column(tenant, rows.len()),
        bools(rows, |r| Some(r.is_enabled)),
        timestamps(rows, |r| Some(r.as_of)),
    ];
    cols.extend(provenance_columns(prov));
    RecordBatch::try_new(SECURITY_DEFAULTS_SNAPSHOTS.clone(), cols)
}

/// A `List<Utf8>` column whose rows may be null (`None`).
fn optional_string_list<R>(rows: &[R], get: impl Fn(&R) -> Option<&[String]>) -> ArrayRef {
    let offsets = OffsetBuffer::from_lengths(rows.iter().map(|r| get(r).map_or(0, <[_]>::len)));
    let flat: StringArray = rows
        .iter()
        .flat_map(|r| get(r).unwrap_or_default().iter().map(|s| Some(s.as_str())))
        .collect();
    let valid: NullBuffer = rows.iter().map(|r| get(r).is_some()).collect();
    let item = Arc::new(Field::new("item", DataType::Utf8, true));
    Arc::new(ListArray::new(item, offsets, Arc::new(flat), Some(valid)))
}

/// The rows of one policy or directory table, taken out of their records.
fn of_kind<'a, T>(
    rows: &[&'a DirectoryRecord],
    get: impl Fn(&'a DirectoryRecord) -> Option<&'a T>,
) -> Result<Vec<&'a T>, ArrowError> {
    rows.iter()
        .map(|r| get(r))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            ArrowError::InvalidArgumentError("records of two tables in one batch".into())
        })
}

fn ca_policy_columns(r: &[&CaPolicy]) -> Vec<ArrayRef> {
    vec![
        strings(r, |x| Some(x.policy_id.as_str())),
        strings(r, |x| x.display_name.as_deref()),
        strings(r, |x| x.state.as_deref()),
        timestamps(r, |x| x.created_at),
        timestamps(r, |x| x.modified_at),
        timestamps(r, |x| x.snapshot_at),
        strings(r, |x| Some(x.definition.as_str())),
    ]
}

fn named_location_columns(r: &[&NamedLocation]) -> Vec<ArrayRef> {
    vec![
        strings(r, |x| Some(x.location_id.as_str())),
        strings(r, |x| x.display_name.as_deref()),
        strings(r, |x| x.odata_type.as_deref()),
        timestamps(r, |x| x.created_at),
        timestamps(r, |x| x.modified_at),
        timestamps(r, |x| x.snapshot_at),
        strings(r, |x| Some(x.definition.as_str())),
    ]
}

fn user_columns(r: &[&DirectoryUser]) -> Vec<ArrayRef> {
    vec![
        strings(r, |x| Some(x.user_id.as_str())),
        strings(r, |x| x.user_principal_name.as_deref()),
        strings(r, |x| x.display_name.as_deref()),
        strings(r, |x| x.user_type.as_deref()),
        bools(r, |x| x.account_enabled),
        timestamps(r, |x| x.created_at),
        bools(r, |x| x.on_premises_sync_enabled),
        timestamps(r, |x| x.snapshot_at),
    ]
}

fn registration_columns(r: &[&UserRegistration]) -> Vec<ArrayRef> {
    vec![
        strings(r, |x| Some(x.user_id.as_str())),
        strings(r, |x| x.user_principal_name.as_deref()),
        strings(r, |x| x.user_type.as_deref()),
        bools(r, |x| x.is_admin),
        bools(r, |x| x.is_mfa_registered),
        bools(r, |x| x.is_mfa_capable),
        string_list(r, |x| x.methods_registered.as_slice()),
        timestamps(r, |x| x.snapshot_at),
    ]
}

fn group_columns(r: &[&DirectoryGroup]) -> Vec<ArrayRef> {
    vec![
        strings(r, |x| Some(x.group_id.as_str())),
        strings(r, |x| x.display_name.as_deref()),
        optional_string_list(r, |x| x.member_ids.as_deref()),
        timestamps(r, |x| x.snapshot_at),
    ]
}

fn role_assignment_columns(r: &[&RoleAssignment]) -> Vec<ArrayRef> {
    vec![
        strings(r, |x| x.assignment_id.as_deref()),
        strings(r, |x| Some(x.principal_id.as_str())),
        strings(r, |x| Some(x.role_definition_id.as_str())),
        strings(r, |x| x.directory_scope_id.as_deref()),
        timestamps(r, |x| x.snapshot_at),
    ]
}

/// Builds a batch of `tenant`'s rows of the policy or directory table `kind`; every row
/// must be of that kind.
pub fn directory_batch(
    tenant: &str,
    kind: DirectoryKind,
    rows: &[&DirectoryRecord],
    prov: &[Provenance],
) -> Result<RecordBatch, ArrowError> {
    use DirectoryRecord as D;
    let mut cols = vec![tenant_column(tenant, rows.len())];
    cols.extend(match kind {
        DirectoryKind::CaPolicies => ca_policy_columns(&of_kind(rows, |r| match r {
            D::CaPolicy(x) => Some(x),
            _ => None,
        })?),
        DirectoryKind::NamedLocations => named_location_columns(&of_kind(rows, |r| match r {
            D::NamedLocation(x) => Some(x),
            _ => None,
        })?),
        DirectoryKind::Users => user_columns(&of_kind(rows, |r| match r {
            D::User(x) => Some(x),
            _ => None,
        })?),
        DirectoryKind::Registrations => registration_columns(&of_kind(rows, |r| match r {
            D::Registration(x) => Some(x),
            _ => None,
        })?),
        DirectoryKind::Groups => group_columns(&of_kind(rows, |r| match r {
            D::Group(x) => Some(x),
            _ => None,
        })?),
        DirectoryKind::RoleAssignments => role_assignment_columns(&of_kind(rows, |r| match r {
            D::RoleAssignment(x) => Some(x),
            _ => None,
        })?),
    });
    cols.extend(provenance_columns(prov));
    RecordBatch::try_new(columns::directory_schema(kind), cols)
}

#[cfg(test)]
mod tests {
    use arrow::array::Array;

    use super::*;

    #[test]
    fn a_sized_string_column_equals_a_collected_one() {
        let items = [Some("ab"), None, Some(""), Some("\u{e9}t\u{e9}"), None];
        let built = strings(&items, |s| *s);
        let expected: StringArray = items.iter().copied().collect();
        assert_eq!(built.as_ref(), &expected as &dyn Array);
        assert_eq!(built.null_count(), 2);
    }

    #[test]
    fn a_string_list_column_keeps_empty_lists() {
        let rows: [&[&str]; 3] = [&["a", "b"], &[], &["c"]];
        let list = string_list(&rows, |r| *r);
        let list = list.as_any().downcast_ref::<ListArray>().unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list.value_offsets(), &[0, 2, 2, 3]);
        assert!(list.value(1).is_empty());
    }

    #[test]
    fn the_tenant_column_repeats_its_tenant() {
        let column = tenant_column("t1", 3);
        let expected = StringArray::from(vec!["t1"; 3]);
        assert_eq!(column.as_ref(), &expected as &dyn Array);
        assert!(tenant_column("t1", 0).is_empty());
    }
}
