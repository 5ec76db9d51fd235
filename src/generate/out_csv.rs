//! Log Analytics tables exported to CSV (`<Table>_<day>.csv`): PascalCase columns, nested
//! values as JSON text; the non-interactive table wraps some of them once more in a JSON
//! string literal, as its exports do.

use std::io;
use std::sync::OnceLock;

use super::audit::AuditPlan;
use super::files::{Out, PathCache, Stream, csv_cell};
use super::graph::{self, Parties};
use super::json::{self, TimeStyle, day_text, timestamp};
use super::signin::{Actor, SignInRec, log_index};
use super::tenant::{CITIES, DAY, Micros, Tenant};
use super::{Part, Sink};
use crate::schema::EventType;

const USER_COLUMNS: &str = "TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,OperationVersion,Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Resource,ResourceGroup,ResourceProvider,Identity,Level,Location,AlternateSignInName,AppDisplayName,AppId,AuthenticationContextClassReferences,AuthenticationDetails,AppliedEventListeners,AuthenticationMethodsUsed,AuthenticationProcessingDetails,AuthenticationRequirement,AuthenticationRequirementPolicies,ClientAppUsed,ConditionalAccessPolicies,ConditionalAccessStatus,CreatedDateTime [UTC],DeviceDetail,IsInteractive,Id,IPAddress,IsRisky,LocationDetails,MfaDetail,NetworkLocationDetails,OriginalRequestId,ProcessingTimeInMilliseconds,RiskDetail,RiskEventTypes,RiskEventTypes_V2,RiskLevelAggregated,RiskLevelDuringSignIn,RiskState,ResourceDisplayName,ResourceIdentity,ServicePrincipalId,Status,TokenIssuerName,TokenIssuerType,UserAgent,UserDisplayName,UserId,UserPrincipalName,AADTenantId,UserType,FlaggedForReview,IPAddressFromResourceProvider,SignInIdentifier,SignInIdentifierType,ResourceTenantId,HomeTenantId,UniqueTokenIdentifier,SessionLifetimePolicies,AutonomousSystemNumber,AuthenticationProtocol,CrossTenantAccessType,AppliedConditionalAccessPolicies,RiskLevel,SessionId,IncomingTokenType,ServicePrincipalName,Type";
const WORKLOAD_COLUMNS: &str = "TenantId,SourceSystem,TimeGenerated [UTC],OperationName,Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Identity,Level,Location,AppId,ConditionalAccessPolicies,ConditionalAccessStatus,CreatedDateTime [UTC],Id,IPAddress,LocationDetails,ResourceDisplayName,ResourceIdentity,ResourceServicePrincipalId,ServicePrincipalCredentialKeyId,ServicePrincipalCredentialThumbprint,ServicePrincipalId,ServicePrincipalName,Status,UniqueTokenIdentifier,ClientCredentialType,FederatedCredentialId,AuthenticationProcessingDetails,ManagedServiceIdentity,Type";
const AUDIT_COLUMNS: &str = "TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,OperationVersion,Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Resource,ResourceGroup,ResourceProvider,Identity,Level,Location,AdditionalDetails,Id,InitiatedBy,LoggedByService,Result,ResultReason,TargetResources,AADTenantId,ActivityDisplayName,ActivityDateTime [UTC],AADOperationType,Type";

/// (table, category) per event type.
const TABLES: [(&str, &str); 4] = [
    ("SigninLogs", "SignInLogs"),
    (
        "AADNonInteractiveUserSignInLogs",
        "NonInteractiveUserSignInLogs",
    ),
    (
        "AADServicePrincipalSignInLogs",
        "ServicePrincipalSignInLogs",
    ),
    ("AADManagedIdentitySignInLogs", "ManagedIdentitySignInLogs"),
];

#[derive(Default)]
pub struct LogAnalyticsSink {
    streams: [Stream; 4],
    paths: [PathCache; 4],
    row: Vec<u8>,
    cell: Vec<u8>,
    wrapped: Vec<u8>,
}

/// The column titles of a sign-in table, split once.
fn column_names(workload: bool) -> &'static [&'static str] {
    static USER: OnceLock<Vec<&'static str>> = OnceLock::new();
    static WORKLOAD: OnceLock<Vec<&'static str>> = OnceLock::new();
    if workload {
        WORKLOAD.get_or_init(|| WORKLOAD_COLUMNS.split(',').collect())
    } else {
        USER.get_or_init(|| USER_COLUMNS.split(',').collect())
    }
}

/// How a JSON cell is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Json {
    Plain,
    /// JSON-in-a-string (non-interactive exports).
    Wrapped,
}

/// What the cells of one sign-in row are drawn from.
struct SignInRow<'a> {
    rec: &'a SignInRec,
    t: &'a Tenant,
    parties: Parties<'a>,
    table: &'static str,
    category: &'static str,
    /// How the table writes most nested columns.
    wrap: Json,
    country: &'static str,
}

/// The cells that are the same on every row of a tenant's tables. `TenantId` is the
/// workspace's id, `AADTenantId` the Entra tenant's.
fn fixed_cell<'t>(col: &str, t: &'t Tenant) -> Option<&'t str> {
    Some(match col {
        "TenantId" => &t.workspace_id,
        "AADTenantId" | "ResourceTenantId" | "HomeTenantId" => &t.id,
        "SourceSystem" => "Azure AD",
        "ResourceId" => &t.resource_id,
        "OperationVersion" => "1.0",
        "ResultSignature" => "None",
        "DurationMs" => "0",
        "Resource" | "ResourceGroup" | "ResourceProvider" => "Microsoft.aadiam",
        "Level" => "4",
        "ProcessingTimeInMilliseconds" => "52",
        "RiskDetail" | "RiskLevelAggregated" | "RiskLevelDuringSignIn" | "RiskState" => "none",
        "AuthenticationContextClassReferences"
        | "AppliedEventListeners"
        | "AuthenticationMethodsUsed"
        | "RiskEventTypes"
        | "RiskEventTypes_V2"
        | "SessionLifetimePolicies" => "[]",
        "TokenIssuerType" => "AzureAD",
        "FlaggedForReview" => "false",
        "AutonomousSystemNumber" => "1136",
        _ => return None,
    })
}

impl LogAnalyticsSink {
    /// Appends the cell built in `self.cell` (as JSON), wrapped when asked.
    fn json_cell(&mut self, how: Json) {
        if how == Json::Wrapped {
            self.wrapped.clear();
            json::string(
                &mut self.wrapped,
                std::str::from_utf8(&self.cell).unwrap_or(""),
            );
            csv_cell(&mut self.row, &self.wrapped);
        } else {
            csv_cell(&mut self.row, &self.cell);
        }
    }

    fn text(&mut self, s: &str) {
        csv_cell(&mut self.row, s.as_bytes());
    }

    fn time(&mut self, at: Micros, tick: Option<u8>) {
        timestamp(&mut self.row, at, tick, TimeStyle::Zulu);
    }

    /// Moves the log's stream to the file of `rec`'s day; a new file starts with the
    /// header line.
    fn open_day(&mut self, out: &mut Out, k: usize, rec: &SignInRec) -> io::Result<()> {
        let (table, _) = TABLES[k];
        let columns = if matches!(rec.actor, Actor::Workload(_)) {
            WORKLOAD_COLUMNS
        } else {
            USER_COLUMNS
        };
        let rel = self.paths[k].get(rec.at.div_euclid(DAY), || {
            format!("{table}_{}.csv", day_text(rec.at))
        });
        if self.streams[k].switch(out, rel, columns.as_bytes())? {
            self.streams[k].raw(out, b"\n")?;
        }
        Ok(())
    }

    fn sign_in_cell(&mut self, col: &str, r: &SignInRow<'_>) {
        if let Some(text) = fixed_cell(col, r.t) {
            self.text(text);
        } else if !self.nested_cell(col, r) && !self.request_cell(col, r) {
            self.party_cell(col, r);
        }
    }

    /// A column of nested JSON; false when `col` is not one.
    fn nested_cell(&mut self, col: &str, r: &SignInRow<'_>) -> bool {
        let (rec, t, cell) = (r.rec, r.t, &mut self.cell);
        match col {
            "AuthenticationDetails" => graph::auth_details(cell, rec),
            "AuthenticationProcessingDetails" => graph::processing(cell),
            "AuthenticationRequirementPolicies" => graph::requirement_policies(cell, rec),
            "ConditionalAccessPolicies" => graph::ca_policies(cell, rec),
            "DeviceDetail" => graph::device(cell, rec, t),
            "LocationDetails" => graph::location(cell, rec, t),
            "MfaDetail" => graph::mfa_detail(cell, rec),
            "NetworkLocationDetails" => graph::network(cell, rec),
            "Status" => graph::status(cell, rec),
            _ => return false,
        }
        // The exports never wrap these three, whatever the table.
        let always_plain = matches!(
            col,
            "AuthenticationProcessingDetails"
                | "AuthenticationRequirementPolicies"
                | "NetworkLocationDetails"
        );
        self.json_cell(if always_plain { Json::Plain } else { r.wrap });
        true
    }

    /// A column of the request, its outcome and its token; false when `col` is not one.
    fn request_cell(&mut self, col: &str, r: &SignInRow<'_>) -> bool {
        let rec = r.rec;
        match col {
            "TimeGenerated [UTC]" => self.time(rec.at + 1_000_000, Some(0)),
            "CreatedDateTime [UTC]" => self.time(rec.at, rec.tick),
            "OperationName" => self.text("Sign-in activity"),
            "Category" => self.text(r.category),
            "ResultType" => self.text(&graph::result_type(rec)),
            "ResultDescription" => self.text(graph::result_description(rec)),
            "CorrelationId" => self.text(&rec.correlation_id),
            "AuthenticationRequirement" => self.text(rec.requirement.as_deref().unwrap_or("")),
            "ClientAppUsed" => self.text(rec.client_app.as_deref().unwrap_or("")),
            "ConditionalAccessStatus" => self.text(rec.ca_status),
            "IsInteractive" => self.text(if rec.is_interactive() {
                "true"
            } else {
                "false"
            }),
            "Id" | "OriginalRequestId" => self.text(&rec.id),
            "UniqueTokenIdentifier" => self.text(graph::unique_token_id(rec)),
            "AuthenticationProtocol" => self.text(rec.protocol),
            "SessionId" => self.text(rec.session_id.as_deref().unwrap_or("")),
            "IncomingTokenType" => self.text(rec.incoming_token),
            "Type" => self.text(r.table),
            _ => return false,
        }
        true
    }

    /// A column of the user, the workload or the application (empty when none applies).
    fn party_cell(&mut self, col: &str, r: &SignInRow<'_>) {
        let (rec, p) = (r.rec, &r.parties);
        let workload = match rec.actor {
            Actor::Workload(w) => Some(&r.t.workloads[w]),
            Actor::User(_) => None,
        };
        match col {
            "Identity" => self.text(if workload.is_some() {
                p.app_name
            } else {
                p.display
            }),
            "Location" => self.text(r.country),
            "AlternateSignInName" | "SignInIdentifier" | "UserPrincipalName" => self.text(p.upn),
            "AppDisplayName" => self.text(p.app_name),
            "AppId" => self.text(p.app_id),
            "IPAddress" => self.text(&p.ip),
            "ResourceDisplayName" => self.text(p.resource_name),
            "ResourceIdentity" => self.text(p.resource_id),
            "ServicePrincipalId" | "ResourceServicePrincipalId" => {
                self.text(workload.map_or("", |w| &w.sp_id));
            }
            "ServicePrincipalName" => self.text(workload.map_or("", |w| &w.name)),
            "UserAgent" => self.text(graph::user_agent(rec)),
            "UserDisplayName" => self.text(p.display),
            "UserId" => self.text(rec.user_id.as_deref().unwrap_or("")),
            "UserType" => self.text(graph::user_type_title(p.user_type)),
            "CrossTenantAccessType" => self.text(graph::cross_tenant_access(p.user_type)),
            "ClientCredentialType" => self.text(if rec.kind == EventType::ManagedIdentity {
                "managedIdentity"
            } else {
                "clientSecret"
            }),
            "ManagedServiceIdentity" => {
                if let Some(msi) = workload.and_then(|w| w.msi_type) {
                    self.text(&format!(r#"{{"msiType":"{msi}"}}"#));
                }
            }
            _ => {}
        }
    }

    fn audit_cell(&mut self, col: &str, e: &AuditPlan) {
        match col {
            "TimeGenerated [UTC]" | "ActivityDateTime [UTC]" => self.time(e.at, Some(e.tick)),
            "OperationName" | "ActivityDisplayName" => self.text(e.activity),
            "Category" => self.text(e.category),
            "CorrelationId" => self.text(&e.id[10..46]),
            "AdditionalDetails" => {
                graph::audit_details(&mut self.cell, e);
                self.json_cell(Json::Plain);
            }
            "Id" => self.text(&e.id),
            "InitiatedBy" => {
                graph::initiated_by(&mut self.cell, e);
                self.json_cell(Json::Plain);
            }
            "LoggedByService" => self.text(e.service),
            "Result" => self.text(if e.success { "success" } else { "failure" }),
            "TargetResources" => {
                graph::targets(&mut self.cell, e);
                self.json_cell(Json::Plain);
            }
            "AADOperationType" => self.text(e.operation),
            "Type" => self.text("AuditLogs"),
            _ => {}
        }
    }
}

impl Sink for LogAnalyticsSink {
    fn sign_in(&mut self, out: &mut Out, rec: &SignInRec, t: &Tenant) -> io::Result<()> {
        let k = log_index(rec.kind);
        self.open_day(out, k, rec)?;
        let (table, category) = TABLES[k];
        let row = SignInRow {
            rec,
            t,
            parties: Parties::of(rec, t),
            table,
            category,
            wrap: if k == 1 { Json::Wrapped } else { Json::Plain },
            country: match rec.actor {
                Actor::User(u) => CITIES[t.users[u].city].2,
                Actor::Workload(_) => "NL",
            },
        };
        self.row.clear();
        let names = column_names(matches!(rec.actor, Actor::Workload(_)));
        for (i, col) in names.iter().enumerate() {
            if i > 0 {
                self.row.push(b',');
            }
            self.cell.clear();
            self.sign_in_cell(col, &row);
        }
        self.row.push(b'\n');
        self.streams[k].write(out, &self.row)
    }

    fn audits(&mut self, out: &mut Out, audits: &[AuditPlan], t: &Tenant) -> io::Result<()> {
        let mut s = Stream::default();
        let mut header = AUDIT_COLUMNS.as_bytes().to_vec();
        header.push(b'\n');
        for e in audits {
            s.switch(out, &format!("AuditLogs_{}.csv", day_text(e.at)), &header)?;
            self.row.clear();
            for (i, col) in AUDIT_COLUMNS.split(',').enumerate() {
                if i > 0 {
                    self.row.push(b',');
                }
                self.cell.clear();
                match fixed_cell(col, t) {
                    Some(text) => self.text(text),
                    None => self.audit_cell(col, e),
                }
            }
            self.row.push(b'\n');
            s.write(out, &self.row)?;
        }
        s.close()
    }

    fn finish(&mut self, _out: &mut Out) -> io::Result<()> {
        self.streams.iter_mut().try_for_each(Stream::close)
    }

    fn part_prefix(&self, part: Part) -> Option<String> {
        Some(match part {
            Part::Audits => "AuditLogs_".into(),
            Part::Log(k) => format!("{}_", TABLES[k].0),
        })
    }
}
