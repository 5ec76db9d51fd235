//! Log Analytics tables exported to CSV (`<Table>_<day>.csv`): PascalCase columns, nested
//! values as JSON text; the non-interactive table wraps some of them once more in a JSON
//! string literal, as its exports do.

use std::io;
use std::sync::OnceLock;

use super::Sink;
use super::audit::AuditPlan;
use super::files::{Out, PathCache, Stream, csv_cell};
use super::graph;
use super::json::{self, TimeStyle, date, timestamp};
use super::signin::{Actor, SignInRec};
use super::tenant::DAY;
use super::tenant::{CITIES, Micros, TENANT_ID, Tenant};
use crate::schema::EventType;

const USER_COLUMNS: &str = "TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,OperationVersion,Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Resource,ResourceGroup,ResourceProvider,Identity,Level,Location,AlternateSignInName,AppDisplayName,AppId,AuthenticationContextClassReferences,AuthenticationDetails,AppliedEventListeners,AuthenticationMethodsUsed,AuthenticationProcessingDetails,AuthenticationRequirement,AuthenticationRequirementPolicies,ClientAppUsed,ConditionalAccessPolicies,ConditionalAccessStatus,CreatedDateTime [UTC],DeviceDetail,IsInteractive,Id,IPAddress,IsRisky,LocationDetails,MfaDetail,NetworkLocationDetails,OriginalRequestId,ProcessingTimeInMilliseconds,RiskDetail,RiskEventTypes,RiskEventTypes_V2,RiskLevelAggregated,RiskLevelDuringSignIn,RiskState,ResourceDisplayName,ResourceIdentity,ServicePrincipalId,Status,TokenIssuerName,TokenIssuerType,UserAgent,UserDisplayName,UserId,UserPrincipalName,AADTenantId,UserType,FlaggedForReview,IPAddressFromResourceProvider,SignInIdentifier,SignInIdentifierType,ResourceTenantId,HomeTenantId,UniqueTokenIdentifier,SessionLifetimePolicies,AutonomousSystemNumber,AuthenticationProtocol,CrossTenantAccessType,AppliedConditionalAccessPolicies,RiskLevel,SessionId,IncomingTokenType,ServicePrincipalName,Type";
const USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";
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

fn kind_index(kind: EventType) -> usize {
    match kind {
        EventType::InteractiveUser => 0,
        EventType::NonInteractiveUser => 1,
        EventType::ServicePrincipal => 2,
        EventType::ManagedIdentity => 3,
    }
}

fn day_text(at: Micros) -> String {
    let mut b = Vec::with_capacity(10);
    date(&mut b, at);
    String::from_utf8(b).expect("ASCII date")
}

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
}

impl Sink for LogAnalyticsSink {
    fn sign_in(&mut self, out: &mut Out, rec: &SignInRec, t: &Tenant) -> io::Result<()> {
        let k = kind_index(rec.kind);
        let (table, category) = TABLES[k];
        let workload = matches!(rec.actor, Actor::Workload(_));
        let columns = if workload {
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
        let wrap = if k == 1 { Json::Wrapped } else { Json::Plain };
        let (display, upn, user_type) = graph::user_fields(rec, t);
        let (app_id, app_name, resource_id, resource_name) = graph::app_fields(rec, t);
        let ip = graph::ip(rec, t);
        let country = match rec.actor {
            Actor::User(u) => CITIES[t.users[u].city].2,
            Actor::Workload(_) => "NL",
        };
        self.row.clear();
        let names = column_names(workload);
        for (i, col) in names.iter().enumerate() {
            if i > 0 {
                self.row.push(b',');
            }
            self.cell.clear();
            match *col {
                "TenantId" | "AADTenantId" | "ResourceTenantId" | "HomeTenantId" => {
                    self.text(TENANT_ID)
                }
                "SourceSystem" => self.text("Azure AD"),
                "TimeGenerated [UTC]" => self.time(rec.at + 1_000_000, Some(0)),
                "CreatedDateTime [UTC]" => self.time(rec.at, rec.tick),
                "ResourceId" => {
                    self.text(&format!("/tenants/{TENANT_ID}/providers/Microsoft.aadiam"))
                }
                "OperationName" => self.text("Sign-in activity"),
                "OperationVersion" => self.text("1.0"),
                "Category" => self.text(category),
                "ResultType" => {
                    self.text(&rec.error_code.map(|c| c.to_string()).unwrap_or_default())
                }
                "ResultSignature" => self.text("None"),
                "ResultDescription" => self.text(if rec.error_code == Some(0) {
                    ""
                } else {
                    rec.failure_reason
                }),
                "DurationMs" => self.text("0"),
                "CorrelationId" => self.text(&rec.correlation_id),
                "Resource" | "ResourceGroup" | "ResourceProvider" => self.text("Microsoft.aadiam"),
                "Identity" => self.text(if workload { app_name } else { display }),
                "Level" => self.text("4"),
                "Location" => self.text(country),
                "AlternateSignInName" | "SignInIdentifier" => self.text(upn),
                "AppDisplayName" => self.text(app_name),
                "AppId" => self.text(app_id),
                "AuthenticationDetails" => {
                    graph::auth_details(&mut self.cell, rec);
                    self.json_cell(wrap);
                }
                "AuthenticationProcessingDetails" => {
                    graph::processing(&mut self.cell);
                    self.json_cell(Json::Plain);
                }
                "AuthenticationRequirement" => self.text(rec.requirement.as_deref().unwrap_or("")),
                "AuthenticationRequirementPolicies" => {
                    graph::requirement_policies(&mut self.cell, rec);
                    self.json_cell(Json::Plain);
                }
                "ClientAppUsed" => self.text(rec.client_app.as_deref().unwrap_or("")),
                "ConditionalAccessPolicies" => {
                    graph::ca_policies(&mut self.cell, rec);
                    self.json_cell(wrap);
                }
                "ConditionalAccessStatus" => self.text(rec.ca_status),
                "DeviceDetail" => {
                    graph::device(&mut self.cell, rec, t);
                    self.json_cell(wrap);
                }
                "IsInteractive" => self.text(if rec.is_interactive() {
                    "true"
                } else {
                    "false"
                }),
                "Id" | "OriginalRequestId" => self.text(&rec.id),
                "IPAddress" => self.text(&ip),
                "LocationDetails" => {
                    graph::location(&mut self.cell, rec, t);
                    self.json_cell(wrap);
                }
                "MfaDetail" => {
                    graph::mfa_detail(&mut self.cell, rec);
                    self.json_cell(wrap);
                }
                "NetworkLocationDetails" => {
                    graph::network(&mut self.cell, rec);
                    self.json_cell(Json::Plain);
                }
                "Status" => {
                    graph::status(&mut self.cell, rec);
                    self.json_cell(wrap);
                }
                "ProcessingTimeInMilliseconds" => self.text("52"),
                "RiskDetail" | "RiskLevelAggregated" | "RiskLevelDuringSignIn" | "RiskState" => {
                    self.text("none")
                }
                "AuthenticationContextClassReferences"
                | "AppliedEventListeners"
                | "AuthenticationMethodsUsed"
                | "RiskEventTypes"
                | "RiskEventTypes_V2"
                | "SessionLifetimePolicies" => self.text("[]"),
                "ResourceDisplayName" => self.text(resource_name),
                "ResourceIdentity" => self.text(resource_id),
                "ServicePrincipalId" | "ResourceServicePrincipalId" => match rec.actor {
                    Actor::Workload(w) => self.text(&t.workloads[w].sp_id),
                    Actor::User(_) => {}
                },
                "ServicePrincipalName" => match rec.actor {
                    Actor::Workload(w) => self.text(&t.workloads[w].name),
                    Actor::User(_) => {}
                },
                "TokenIssuerType" => self.text("AzureAD"),
                "UserAgent" if rec.is_interactive() => self.text(USER_AGENT),
                "UserDisplayName" => self.text(display),
                "UserId" => self.text(rec.user_id.as_deref().unwrap_or("")),
                "UserPrincipalName" => self.text(upn),
                "UserType" => self.text(match user_type {
                    "guest" => "Guest",
                    "member" => "Member",
                    _ => "",
                }),
                "FlaggedForReview" => self.text("false"),
                "UniqueTokenIdentifier" => self.text(&rec.correlation_id[..22]),
                "AutonomousSystemNumber" => self.text("1136"),
                "AuthenticationProtocol" => self.text(rec.protocol),
                "CrossTenantAccessType" => self.text(if user_type == "guest" {
                    "b2bCollaboration"
                } else {
                    "none"
                }),
                "SessionId" => self.text(rec.session_id.as_deref().unwrap_or("")),
                "IncomingTokenType" => self.text(rec.incoming_token),
                "ClientCredentialType" => self.text(if rec.kind == EventType::ManagedIdentity {
                    "managedIdentity"
                } else {
                    "clientSecret"
                }),
                "ManagedServiceIdentity" => {
                    if let Actor::Workload(w) = rec.actor
                        && let Some(msi) = t.workloads[w].msi_type
                    {
                        self.text(&format!(r#"{{"msiType":"{msi}"}}"#));
                    }
                }
                "Type" => self.text(table),
                _ => {}
            }
        }
        self.row.push(b'\n');
        self.streams[k].write(out, &self.row)
    }

    fn audits(&mut self, out: &mut Out, audits: &[AuditPlan]) -> io::Result<()> {
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
                match col {
                    "TenantId" | "AADTenantId" => self.text(TENANT_ID),
                    "SourceSystem" => self.text("Azure AD"),
                    "TimeGenerated [UTC]" | "ActivityDateTime [UTC]" => {
                        self.time(e.at, Some(e.tick))
                    }
                    "ResourceId" => {
                        self.text(&format!("/tenants/{TENANT_ID}/providers/Microsoft.aadiam"))
                    }
                    "OperationName" | "ActivityDisplayName" => self.text(e.activity),
                    "OperationVersion" => self.text("1.0"),
                    "Category" => self.text(e.category),
                    "ResultSignature" => self.text("None"),
                    "DurationMs" => self.text("0"),
                    "CorrelationId" => self.text(&e.id[10..46]),
                    "Resource" | "ResourceGroup" | "ResourceProvider" => {
                        self.text("Microsoft.aadiam")
                    }
                    "Level" => self.text("4"),
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
            self.row.push(b'\n');
            s.write(out, &self.row)?;
        }
        s.close()
    }

    fn finish(&mut self, _out: &mut Out) -> io::Result<()> {
        self.streams.iter_mut().try_for_each(Stream::close)
    }
}
