//! Log Analytics tables exported to CSV (SigninLogs, the three other sign-in tables and
//! AuditLogs): PascalCase columns whose nested values are JSON text, mapped through the
//! same Graph structs as every other source so a field means one thing everywhere.

use std::io::BufRead;

use csv::StringRecord;

use super::Sink;
use super::csv_input::{Header, Row, cell, read_rows, text_cell};
use super::la_cells::{event_types_cell, json_cell};
use super::mapping::{GraphAudit, GraphSignIn, parse_bool, parse_i32};
use super::time::parse_timestamp;
use crate::error::{Error, Result};
use crate::schema::{EventType, Record};

/// Which table a row belongs to. A sign-in table's event type is `None` when neither the
/// `Type` column nor the file name said which sign-in log it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
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
/// `query_SigninLogs.csv`); the specific names are tested first because every sign-in table
/// name ends in `SignInLogs`.
fn table_from_file_name(file_name: &str) -> Option<Table> {
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

/// Column indices, resolved once from the header.
struct Columns {
    table_type: Option<usize>,
    id: Option<usize>,
    created: Option<usize>,
    event_types: Option<usize>,
    result_type: Option<usize>,
    is_interactive: Option<usize>,
    /// Text columns copied into the Graph object, by setter.
    texts: Vec<(Option<usize>, TextSetter<GraphSignIn>)>,
    /// JSON columns decoded into the Graph object, by column title and setter.
    nested: Vec<(Option<usize>, &'static str, NestedSetter)>,
    audit: AuditColumns,
}

type TextSetter<T> = fn(&mut T, Option<String>);
type NestedSetter = fn(&mut GraphSignIn, &str, &str) -> std::result::Result<(), String>;

struct AuditColumns {
    activity_at: Option<usize>,
    display_name: Option<usize>,
    operation_name: Option<usize>,
    texts: Vec<(Option<usize>, TextSetter<GraphAudit>)>,
    initiated_by: Option<usize>,
    target_resources: Option<usize>,
    additional_details: Option<usize>,
}

/// Builds a [`NestedSetter`] that decodes a JSON cell into one Graph field.
macro_rules! nested {
    ($field:ident) => {
        |g: &mut GraphSignIn, text: &str, column: &str| {
            if let Some(v) = json_cell(text, column)? {
                g.$field = v;
            }
            Ok(())
        }
    };
}

impl Columns {
    fn new(h: &Header) -> Columns {
        let ix = |n: &str| h.index(n);
        Columns {
            table_type: ix("type"),
            id: ix("id"),
            created: ix("createddatetime"),
            event_types: ix("signineventtypes"),
            result_type: ix("resulttype"),
            is_interactive: ix("isinteractive"),
            texts: vec![
                (ix("userprincipalname"), |g, v| g.user_principal_name = v),
                (ix("userid"), |g, v| g.user_id = v),
                (ix("userdisplayname"), |g, v| g.user_display_name = v),
                (ix("usertype"), |g, v| g.user_type = v),
                (ix("appid"), |g, v| g.app_id = v),
                (ix("appdisplayname"), |g, v| g.app_display_name = v),
                (ix("resourcedisplayname"), |g, v| {
                    g.resource_display_name = v
                }),
                (ix("resourceidentity"), |g, v| g.resource_id = v),
                (ix("resourcetenantid"), |g, v| g.resource_tenant_id = v),
                (ix("hometenantid"), |g, v| g.home_tenant_id = v),
                (ix("crosstenantaccesstype"), |g, v| {
                    g.cross_tenant_access_type = v
                }),
                (ix("serviceprincipalid"), |g, v| g.service_principal_id = v),
                (ix("serviceprincipalname"), |g, v| {
                    g.service_principal_name = v
                }),
                (ix("ipaddress"), |g, v| g.ip_address = v),
                (ix("clientappused"), |g, v| g.client_app_used = v),
                (ix("useragent"), |g, v| g.user_agent = v),
                (ix("authenticationrequirement"), |g, v| {
                    g.authentication_requirement = v
                }),
                (ix("conditionalaccessstatus"), |g, v| {
                    g.conditional_access_status = v
                }),
                (ix("sessionid"), |g, v| g.session_id = v),
                (ix("correlationid"), |g, v| g.correlation_id = v),
                (ix("originalrequestid"), |g, v| g.original_request_id = v),
                (ix("uniquetokenidentifier"), |g, v| {
                    g.unique_token_identifier = v
                }),
                (ix("incomingtokentype"), |g, v| g.incoming_token_type = v),
                (ix("authenticationprotocol"), |g, v| {
                    g.authentication_protocol = v
                }),
                (ix("tokenissuertype"), |g, v| g.token_issuer_type = v),
                (ix("riskdetail"), |g, v| g.risk_detail = v),
                (ix("risklevelaggregated"), |g, v| {
                    g.risk_level_aggregated = v
                }),
                (ix("risklevelduringsignin"), |g, v| {
                    g.risk_level_during_sign_in = v
                }),
                (ix("riskstate"), |g, v| g.risk_state = v),
            ],
            nested: vec![
                (ix("status"), "Status", |g, t, c| {
                    g.status = json_cell(t, c)?;
                    Ok(())
                }),
                (
                    ix("authenticationdetails"),
                    "AuthenticationDetails",
                    nested!(authentication_details),
                ),
                (
                    ix("authenticationrequirementpolicies"),
                    "AuthenticationRequirementPolicies",
                    nested!(authentication_requirement_policies),
                ),
                (
                    ix("authenticationprocessingdetails"),
                    "AuthenticationProcessingDetails",
                    nested!(authentication_processing_details),
                ),
                (
                    ix("conditionalaccesspolicies"),
                    "ConditionalAccessPolicies",
                    nested!(applied_conditional_access_policies),
                ),
                (
                    ix("networklocationdetails"),
                    "NetworkLocationDetails",
                    nested!(network_location_details),
                ),
                (ix("mfadetail"), "MfaDetail", |g, t, c| {
                    g.mfa_detail = json_cell(t, c)?;
                    Ok(())
                }),
                (ix("devicedetail"), "DeviceDetail", |g, t, c| {
                    g.device_detail = json_cell(t, c)?;
                    Ok(())
                }),
                (ix("locationdetails"), "LocationDetails", |g, t, c| {
                    g.location = json_cell(t, c)?;
                    Ok(())
                }),
                (
                    ix("managedserviceidentity"),
                    "ManagedServiceIdentity",
                    |g, t, c| {
                        g.managed_service_identity = json_cell(t, c)?;
                        Ok(())
                    },
                ),
            ],
            audit: AuditColumns {
                activity_at: ix("activitydatetime"),
                display_name: ix("activitydisplayname"),
                operation_name: ix("operationname"),
                texts: vec![
                    (ix("category"), |a, v| a.category = v),
                    (ix("correlationid"), |a, v| a.correlation_id = v),
                    (ix("result"), |a, v| a.result = v),
                    (ix("resultreason"), |a, v| a.result_reason = v),
                    (ix("loggedbyservice"), |a, v| a.logged_by_service = v),
                    (ix("aadoperationtype"), |a, v| a.operation_type = v),
                ],
                initiated_by: ix("initiatedby"),
                target_resources: ix("targetresources"),
                additional_details: ix("additionaldetails"),
            },
        }
    }
}

/// Reads one Log Analytics CSV export into `sink`. `file_name` names the table when the
/// export has no `Type` column. Missing key columns make the whole file unreadable.
pub fn read(file_name: &str, input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    let file_table = table_from_file_name(file_name);
    let on_header = |h: Header| {
        let cols = Columns::new(&h);
        check_required(file_name, file_table, &cols)?;
        let fallback = file_table.unwrap_or(if cols.created.is_some() {
            Table::SignIns(None)
        } else {
            Table::Audit
        });
        Ok((cols, fallback))
    };
    read_rows(
        file_name,
        input,
        on_header,
        |(cols, fallback), row: Row<'_>| {
            let fields = match row.fields {
                Ok(f) => f,
                Err(reason) => return sink.reject(row.line, row.raw, reason),
            };
            let type_cell = cell(fields, cols.table_type).trim();
            let table = if type_cell.is_empty() {
                *fallback
            } else {
                match table_named(type_cell) {
                    Some(t) => t,
                    None => {
                        sink.skip(row.line, type_cell);
                        return Ok(());
                    }
                }
            };
            let decoded = match table {
                Table::SignIns(kind) => sign_in(cols, fields, kind),
                Table::Audit => audit(cols, fields),
            };
            match decoded {
                Ok(record) => sink.record(row.line, record),
                Err(reason) => sink.reject(row.line, row.raw, reason),
            }
        },
    )?;
    Ok(())
}

/// `Id` plus the time column of the table the file holds (either time column when the
/// file name does not say).
fn check_required(file: &str, table: Option<Table>, cols: &Columns) -> Result<()> {
    let mut missing = Vec::new();
    if cols.id.is_none() {
        missing.push("Id");
    }
    match table {
        Some(Table::SignIns(_)) if cols.created.is_none() => missing.push("CreatedDateTime"),
        Some(Table::Audit) if cols.audit.activity_at.is_none() => missing.push("ActivityDateTime"),
        None if cols.created.is_none() && cols.audit.activity_at.is_none() => {
            missing.push("CreatedDateTime (sign-ins) or ActivityDateTime (audit)")
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
        set(&mut g, text_cell(cell(fields, *index)));
    }
    for (index, column, set) in &cols.nested {
        set(&mut g, cell(fields, *index), column)?;
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

fn audit(cols: &Columns, fields: &StringRecord) -> std::result::Result<Record, String> {
    let a = &cols.audit;
    let (id, at) = key_columns(fields, cols.id, a.activity_at, "ActivityDateTime")?;
    let mut g = GraphAudit {
        id: Some(id.to_string()),
        activity_date_time: Some(at.to_string()),
        activity_display_name: text_cell(cell(fields, a.display_name))
            .or_else(|| text_cell(cell(fields, a.operation_name))),
        initiated_by: json_cell(cell(fields, a.initiated_by), "InitiatedBy")?,
        target_resources: json_cell(cell(fields, a.target_resources), "TargetResources")?
            .unwrap_or_default(),
        additional_details: json_cell(cell(fields, a.additional_details), "AdditionalDetails")?
            .unwrap_or_default(),
        ..GraphAudit::default()
    };
    for (index, set) in &a.texts {
        set(&mut g, text_cell(cell(fields, *index)));
    }
    Ok(Record::Audit(Box::new(g.into_canonical()?)))
}

#[cfg(test)]
#[path = "log_analytics_tests.rs"]
mod tests;
