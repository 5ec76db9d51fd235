//! One Log Analytics row → a canonical record, however the row arrived (a CSV line or a
//! JSON object): the tables, the column lookup resolved once per header, and the mapping of
//! the PascalCase columns onto the same Graph structs every other source fills, so a field
//! means one thing everywhere.

use csv::StringRecord;

use super::csv_input::{Header, cell, text_cell};
use super::la_cells::{event_types_cell, json_cell};
use super::mapping::{GraphAudit, GraphSignIn, parse_bool, parse_i32};
use super::sink::{Sink, offer};
use super::time::parse_timestamp;
use crate::schema::tenant::normalise;
use crate::schema::{EventType, Record};
use crate::sources::{Error, Result};

/// Which table a row belongs to. A sign-in table's event type is `None` when neither the
/// `Type` column nor the file name said which sign-in log it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    SignIns(Option<EventType>),
    Audit,
}

/// An exact Log Analytics table name (the `Type` column), any case.
fn table_named(name: &str) -> Option<Table> {
    match name.trim().to_ascii_lowercase().as_str() {
        "signinlogs" => Some(Table::SignIns(Some(EventType::InteractiveUser))),
        "aadnoninteractiveusersigninlogs" => {
            Some(Table::SignIns(Some(EventType::NonInteractiveUser)))
        }
        "aadserviceprincipalsigninlogs" => Some(Table::SignIns(Some(EventType::ServicePrincipal))),
        "aadmanagedidentitysigninlogs" => Some(Table::SignIns(Some(EventType::ManagedIdentity))),
        "auditlogs" => Some(Table::Audit),
        _ => None,
    }
}

/// The table a file name mentions (`AADNonInteractiveUserSignInLogs_2026-11.csv`,
/// `query_SigninLogs.json`); the specific names are tested first because every sign-in
/// table name ends in `SignInLogs`.
pub fn table_from_file_name(file_name: &str) -> Option<Table> {
    let name = file_name.to_ascii_lowercase();
    let name = name.rsplit(['/', '\\']).next().unwrap_or(&name);
    let kinds = [
        (
            "noninteractiveusersigninlogs",
            EventType::NonInteractiveUser,
        ),
        ("serviceprincipalsigninlogs", EventType::ServicePrincipal),
        ("managedidentitysigninlogs", EventType::ManagedIdentity),
        ("signinlogs", EventType::InteractiveUser),
    ];
    if let Some((_, kind)) = kinds.iter().find(|(word, _)| name.contains(word)) {
        return Some(Table::SignIns(Some(*kind)));
    }
    name.contains("auditlogs").then_some(Table::Audit)
}

type TextSetter<T> = fn(&mut T, Option<String>);
/// Decodes a JSON cell (its text, its column title for errors) into one Graph field;
/// sets the flag when an object in it repeated a key.
type NestedSetter = fn(&mut GraphSignIn, &str, &str, &mut bool) -> std::result::Result<(), String>;

macro_rules! text {
    ($t:ty, $field:ident) => {
        |g: &mut $t, v: Option<String>| g.$field = v
    };
}

/// A list column: an empty cell leaves the list empty.
macro_rules! list_cell {
    ($field:ident) => {
        |g: &mut GraphSignIn, text: &str, column: &str, repeated: &mut bool| {
            if let Some(v) = json_cell(text, column, repeated)? {
                g.$field = v;
            }
            Ok(())
        }
    };
}

/// An object column.
macro_rules! object_cell {
    ($field:ident) => {
        |g: &mut GraphSignIn, text: &str, column: &str, repeated: &mut bool| {
            g.$field = json_cell(text, column, repeated)?;
            Ok(())
        }
    };
}

/// Plain text columns of the sign-in tables, by normalised title.
const SIGN_IN_TEXTS: [(&str, TextSetter<GraphSignIn>); 29] = [
    ("userprincipalname", text!(GraphSignIn, user_principal_name)),
    ("userid", text!(GraphSignIn, user_id)),
    ("userdisplayname", text!(GraphSignIn, user_display_name)),
    ("usertype", text!(GraphSignIn, user_type)),
    ("appid", text!(GraphSignIn, app_id)),
    ("appdisplayname", text!(GraphSignIn, app_display_name)),
    (
        "resourcedisplayname",
        text!(GraphSignIn, resource_display_name),
    ),
    // `ResourceId` is the tenant's Azure resource; Graph's resourceId is `ResourceIdentity`.
    ("resourceidentity", text!(GraphSignIn, resource_id)),
    ("resourcetenantid", text!(GraphSignIn, resource_tenant_id)),
    ("hometenantid", text!(GraphSignIn, home_tenant_id)),
    (
        "crosstenantaccesstype",
        text!(GraphSignIn, cross_tenant_access_type),
    ),
    (
        "serviceprincipalid",
        text!(GraphSignIn, service_principal_id),
    ),
    (
        "serviceprincipalname",
        text!(GraphSignIn, service_principal_name),
    ),
    ("ipaddress", text!(GraphSignIn, ip_address)),
    ("clientappused", text!(GraphSignIn, client_app_used)),
    ("useragent", text!(GraphSignIn, user_agent)),
    (
        "authenticationrequirement",
        text!(GraphSignIn, authentication_requirement),
    ),
    (
        "conditionalaccessstatus",
        text!(GraphSignIn, conditional_access_status),
    ),
    ("sessionid", text!(GraphSignIn, session_id)),
    ("correlationid", text!(GraphSignIn, correlation_id)),
    ("originalrequestid", text!(GraphSignIn, original_request_id)),
    (
        "uniquetokenidentifier",
        text!(GraphSignIn, unique_token_identifier),
    ),
    ("incomingtokentype", text!(GraphSignIn, incoming_token_type)),
    (
        "authenticationprotocol",
        text!(GraphSignIn, authentication_protocol),
    ),
    ("tokenissuertype", text!(GraphSignIn, token_issuer_type)),
    ("riskdetail", text!(GraphSignIn, risk_detail)),
    (
        "risklevelaggregated",
        text!(GraphSignIn, risk_level_aggregated),
    ),
    (
        "risklevelduringsignin",
        text!(GraphSignIn, risk_level_during_sign_in),
    ),
    ("riskstate", text!(GraphSignIn, risk_state)),
];

/// JSON columns of the sign-in tables: normalised title, title, setter.
const SIGN_IN_NESTED: [(&str, &str, NestedSetter); 10] = [
    ("status", "Status", object_cell!(status)),
    (
        "authenticationdetails",
        "AuthenticationDetails",
        list_cell!(authentication_details),
    ),
    (
        "authenticationrequirementpolicies",
        "AuthenticationRequirementPolicies",
        list_cell!(authentication_requirement_policies),
    ),
    (
        "authenticationprocessingdetails",
        "AuthenticationProcessingDetails",
        list_cell!(authentication_processing_details),
    ),
    // Graph's appliedConditionalAccessPolicies.
    (
        "conditionalaccesspolicies",
        "ConditionalAccessPolicies",
        list_cell!(applied_conditional_access_policies),
    ),
    (
        "networklocationdetails",
        "NetworkLocationDetails",
        list_cell!(network_location_details),
    ),
    ("mfadetail", "MfaDetail", object_cell!(mfa_detail)),
    ("devicedetail", "DeviceDetail", object_cell!(device_detail)),
    // Graph's location; `Location` is only the country code.
    ("locationdetails", "LocationDetails", object_cell!(location)),
    (
        "managedserviceidentity",
        "ManagedServiceIdentity",
        object_cell!(managed_service_identity),
    ),
];

/// Plain text columns of AuditLogs.
const AUDIT_TEXTS: [(&str, TextSetter<GraphAudit>); 6] = [
    ("category", text!(GraphAudit, category)),
    ("correlationid", text!(GraphAudit, correlation_id)),
    ("result", text!(GraphAudit, result)),
    ("resultreason", text!(GraphAudit, result_reason)),
    ("loggedbyservice", text!(GraphAudit, logged_by_service)),
    ("aadoperationtype", text!(GraphAudit, operation_type)),
];

/// Column indices, resolved once from the header; only columns the header has are kept.
pub struct Columns {
    table_type: Option<usize>,
    /// `AADTenantId`: the Entra tenant (`TenantId` is the workspace's id, never read).
    tenant: Option<usize>,
    id: Option<usize>,
    created: Option<usize>,
    event_types: Option<usize>,
    result_type: Option<usize>,
    is_interactive: Option<usize>,
    texts: Vec<(usize, TextSetter<GraphSignIn>)>,
    nested: Vec<(usize, &'static str, NestedSetter)>,
    audit: AuditColumns,
}

struct AuditColumns {
    activity_at: Option<usize>,
    display_name: Option<usize>,
    operation_name: Option<usize>,
    texts: Vec<(usize, TextSetter<GraphAudit>)>,
    initiated_by: Option<usize>,
    target_resources: Option<usize>,
    additional_details: Option<usize>,
}

/// The columns of `table` that `h` has, with their setters.
fn present<S: Copy>(h: &Header, table: &[(&str, S)]) -> Vec<(usize, S)> {
    table
        .iter()
        .filter_map(|(name, set)| h.index(name).map(|i| (i, *set)))
        .collect()
}

impl Columns {
    pub fn new(h: &Header) -> Columns {
        let ix = |n: &str| h.index(n);
        Columns {
            table_type: ix("type"),
            tenant: ix("aadtenantid"),
            id: ix("id"),
            created: ix("createddatetime"),
            event_types: ix("signineventtypes"),
            result_type: ix("resulttype"),
            is_interactive: ix("isinteractive"),
            texts: present(h, &SIGN_IN_TEXTS),
            nested: SIGN_IN_NESTED
                .iter()
                .filter_map(|(name, title, set)| ix(name).map(|i| (i, *title, *set)))
                .collect(),
            audit: AuditColumns {
                activity_at: ix("activitydatetime"),
                display_name: ix("activitydisplayname"),
                operation_name: ix("operationname"),
                texts: present(h, &AUDIT_TEXTS),
                initiated_by: ix("initiatedby"),
                target_resources: ix("targetresources"),
                additional_details: ix("additionaldetails"),
            },
        }
    }
}

/// What the rows of one header need: its columns, and the table of a row whose `Type` is
/// empty (from the file name, else from which time column the header has).
pub struct Shape {
    cols: Columns,
    fallback: Table,
}

impl Shape {
    /// The shape of `header`; `file_table` is what the file name says.
    pub fn new(header: &Header, file_table: Option<Table>) -> Shape {
        let cols = Columns::new(header);
        let fallback = file_table.unwrap_or(if cols.created.is_some() {
            Table::SignIns(None)
        } else {
            Table::Audit
        });
        Shape { cols, fallback }
    }

    /// Refuses an export without `Id` plus the time column of the table the file holds
    /// (either time column when the file name does not say).
    pub fn check_required(&self, file: &str, table: Option<Table>) -> Result<()> {
        let cols = &self.cols;
        let mut missing = Vec::new();
        if cols.id.is_none() {
            missing.push("Id");
        }
        match table {
            Some(Table::SignIns(_)) if cols.created.is_none() => missing.push("CreatedDateTime"),
            Some(Table::Audit) if cols.audit.activity_at.is_none() => {
                missing.push("ActivityDateTime");
            }
            None if cols.created.is_none() && cols.audit.activity_at.is_none() => {
                missing.push("CreatedDateTime (sign-ins) or ActivityDateTime (audit)");
            }
            _ => {}
        }
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::Input {
            file: file.to_string(),
            reason: format!(
                "not a readable Log Analytics export: missing column(s) {}",
                missing.join(", ")
            ),
        })
    }
}

/// What one row is.
pub enum Row {
    /// A record, and whether one of its JSON cells repeated a key.
    Record(Record, bool),
    /// A row of another table (its `Type`), not ingested.
    Skip(String),
    /// Why the row cannot be read.
    Reject(String),
}

/// Decodes one row of `shape`'s header.
pub fn decode(shape: &Shape, fields: &StringRecord) -> Row {
    let cols = &shape.cols;
    let type_cell = cell(fields, cols.table_type).trim();
    let table = if type_cell.is_empty() {
        shape.fallback
    } else {
        match table_named(type_cell) {
            Some(t) => t,
            None => return Row::Skip(type_cell.to_string()),
        }
    };
    let mut repeated = false;
    let decoded = tenant_cell(cols, fields).and_then(|tenant| {
        let mut record = match table {
            Table::SignIns(kind) => sign_in(cols, fields, kind, &mut repeated)?,
            Table::Audit => audit(cols, fields, &mut repeated)?,
        };
        match &mut record {
            Record::SignIn(s) => s.tenant_id = tenant,
            Record::Audit(a) => a.tenant_id = tenant,
            _ => {}
        }
        Ok(record)
    });
    match decoded {
        Ok(record) => Row::Record(record, repeated),
        Err(reason) => Row::Reject(reason),
    }
}

/// The row's `AADTenantId`, in `schema::tenant` form; `None` when the column is absent or
/// empty (the table has none, as the service principal and managed identity tables).
fn tenant_cell(
    cols: &Columns,
    fields: &StringRecord,
) -> std::result::Result<Option<String>, String> {
    match text_cell(cell(fields, cols.tenant)) {
        Some(t) => normalise(&t)
            .map(Some)
            .map_err(|e| format!("column AADTenantId: {e}")),
        None => Ok(None),
    }
}

/// Key columns are checked here so a reject names the column, not the Graph field.
fn key_columns<'f>(
    fields: &'f StringRecord,
    id: Option<usize>,
    at: Option<usize>,
    at_name: &str,
) -> std::result::Result<(&'f str, &'f str), String> {
    let id_text = cell(fields, id);
    if id_text.trim().is_empty() {
        return Err("column Id is empty".to_string());
    }
    let at_text = cell(fields, at);
    if parse_timestamp(at_text).is_none() {
        return Err(format!("column {at_name}: {at_text:?} is not a timestamp"));
    }
    Ok((id_text, at_text))
}

fn sign_in(
    cols: &Columns,
    fields: &StringRecord,
    kind: Option<EventType>,
    repeated: &mut bool,
) -> std::result::Result<Record, String> {
    let (id, created) = key_columns(fields, cols.id, cols.created, "CreatedDateTime")?;
    let mut g = GraphSignIn {
        id: Some(id.to_string()),
        created_date_time: Some(created.to_string()),
        sign_in_event_types: event_types_cell(cell(fields, cols.event_types))?,
        ..GraphSignIn::default()
    };
    let interactive = cell(fields, cols.is_interactive);
    g.is_interactive = parse_bool(interactive)
        .map_err(|()| format!("column IsInteractive: {interactive:?} is not true/false"))?;
    for (index, set) in &cols.texts {
        set(&mut g, text_cell(cell(fields, Some(*index))));
    }
    for (index, column, set) in &cols.nested {
        set(&mut g, cell(fields, Some(*index)), column, repeated)?;
    }
    // ResultType is only the fallback for an absent Status.errorCode, so it is only read then.
    let status_code = g.status.as_ref().and_then(|s| s.error_code);
    let result_type = if status_code.is_none() {
        let text = cell(fields, cols.result_type);
        parse_i32(text).map_err(|()| format!("column ResultType: {text:?} is not an error code"))?
    } else {
        None
    };
    let s = g.into_canonical(kind, result_type)?;
    Ok(Record::SignIn(Box::new(s)))
}

fn audit(
    cols: &Columns,
    fields: &StringRecord,
    repeated: &mut bool,
) -> std::result::Result<Record, String> {
    let a = &cols.audit;
    let (id, at) = key_columns(fields, cols.id, a.activity_at, "ActivityDateTime")?;
    let mut g = GraphAudit {
        id: Some(id.to_string()),
        activity_date_time: Some(at.to_string()),
        activity_display_name: text_cell(cell(fields, a.display_name))
            .or_else(|| text_cell(cell(fields, a.operation_name))),
        initiated_by: json_cell(cell(fields, a.initiated_by), "InitiatedBy", repeated)?,
        target_resources: json_cell(
            cell(fields, a.target_resources),
            "TargetResources",
            repeated,
        )?
        .unwrap_or_default(),
        additional_details: json_cell(
            cell(fields, a.additional_details),
            "AdditionalDetails",
            repeated,
        )?
        .unwrap_or_default(),
        ..GraphAudit::default()
    };
    for (index, set) in &a.texts {
        set(&mut g, text_cell(cell(fields, Some(*index))));
    }
    Ok(Record::Audit(Box::new(g.into_canonical()?)))
}

/// Hands a decoded row to the sink.
pub fn deliver(row: Row, no: u64, raw: &[u8], sink: &mut dyn Sink) -> Result<()> {
    match row {
        Row::Record(record, repeated_keys) => {
            if offer(sink, no, record, raw)? && repeated_keys {
                sink.repeated_keys(no);
            }
            Ok(())
        }
        Row::Skip(table) => {
            sink.skip(no, &table);
            Ok(())
        }
        Row::Reject(reason) => sink.reject(no, raw, reason),
    }
}
