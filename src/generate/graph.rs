//! Graph beta `signIn` and `directoryAudit` objects as JSON — every field real records
//! carry — and their nested parts, which the Log Analytics writer reuses as JSON cells.

use super::audit::AuditPlan;
use super::json::{Obj, TimeStyle, objects, string};
use super::signin::{APPS, Actor, SignInRec};
use super::tenant::{CITIES, Tenant};
use crate::schema::EventType;

/// Graph (`/beta/auditLogs/signIns`) or Azure Monitor `properties` (capitalised
/// `userType`, `+00:00` offsets, no `signInEventTypes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Graph,
    AzureMonitor,
}

/// The sign-in's client IP address.
pub fn ip(rec: &SignInRec, t: &Tenant) -> String {
    match rec.actor {
        Actor::User(u) => {
            let user = &t.users[u];
            format!("{}.{}", CITIES[user.city].3, user.ip_last_octet)
        }
        Actor::Workload(w) => format!("198.51.100.{}", 200 + w),
    }
}

/// (display name, UPN, user type word) of the sign-in's user; empty for workloads.
pub fn user_fields<'t>(rec: &SignInRec, t: &'t Tenant) -> (&'t str, &'t str, &'static str) {
    match rec.actor {
        Actor::User(u) => {
            let user = &t.users[u];
            (
                &user.display_name,
                &user.upn,
                if user.guest { "guest" } else { "member" },
            )
        }
        Actor::Workload(_) => ("", "", ""),
    }
}

/// (app id, app name, resource id, resource name).
pub fn app_fields<'t>(
    rec: &SignInRec,
    t: &'t Tenant,
) -> (&'t str, &'t str, &'static str, &'static str) {
    match rec.actor {
        Actor::User(_) => {
            let a = APPS[rec.app];
            (a.0, a.1, a.2, a.3)
        }
        Actor::Workload(w) => {
            let wl = &t.workloads[w];
            let (rid, rname) = if wl.msi_type.is_some() {
                ("cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "Azure Key Vault")
            } else {
                ("00000003-0000-0000-c000-000000000000", "Microsoft Graph")
            };
            (&wl.app_id, &wl.name, rid, rname)
        }
    }
}

/// The user, application and address of a sign-in, as every format writes them.
pub struct Parties<'t> {
    pub display: &'t str,
    pub upn: &'t str,
    /// `member`, `guest`, or empty for workloads.
    pub user_type: &'static str,
    pub app_id: &'t str,
    pub app_name: &'t str,
    pub resource_id: &'static str,
    pub resource_name: &'static str,
    pub ip: String,
}

impl<'t> Parties<'t> {
    pub fn of(rec: &SignInRec, t: &'t Tenant) -> Parties<'t> {
        let (display, upn, user_type) = user_fields(rec, t);
        let (app_id, app_name, resource_id, resource_name) = app_fields(rec, t);
        Parties {
            display,
            upn,
            user_type,
            app_id,
            app_name,
            resource_id,
            resource_name,
            ip: ip(rec, t),
        }
    }
}

/// The browser of interactive sign-ins.
pub const USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";

/// The user agent: the browser's on interactive sign-ins, empty otherwise.
pub fn user_agent(rec: &SignInRec) -> &'static str {
    if rec.is_interactive() { USER_AGENT } else { "" }
}

/// The device's browser column.
pub fn browser(rec: &SignInRec) -> &'static str {
    if rec.is_interactive() {
        "Edge 130.0.0"
    } else {
        "Rich Client 5.2.3.0"
    }
}

/// `Member` / `Guest`: the user type as Azure Monitor and the CSV exports write it.
pub fn user_type_title(user_type: &'static str) -> &'static str {
    match user_type {
        "member" => "Member",
        "guest" => "Guest",
        _ => "",
    }
}

/// `crossTenantAccessType` of a user type (either casing).
pub fn cross_tenant_access(user_type: &str) -> &'static str {
    if user_type.eq_ignore_ascii_case("guest") {
        "b2bCollaboration"
    } else {
        "none"
    }
}

/// `uniqueTokenIdentifier`: derived from the correlation id.
pub fn unique_token_id(rec: &SignInRec) -> &str {
    &rec.correlation_id[..22]
}

/// The error code as text (`resultType`); empty when the status has none.
pub fn result_type(rec: &SignInRec) -> String {
    rec.error_code.map(|c| c.to_string()).unwrap_or_default()
}

/// The failure reason, empty on success (`resultDescription`).
pub fn result_description(rec: &SignInRec) -> &'static str {
    if rec.error_code == Some(0) {
        ""
    } else {
        rec.failure_reason
    }
}

pub fn status(buf: &mut Vec<u8>, rec: &SignInRec) {
    let mut o = Obj::new(buf);
    if let Some(code) = rec.error_code {
        o.int("errorCode", i64::from(code));
    }
    o.str("failureReason", rec.failure_reason);
    o.opt("additionalDetails", rec.additional_details.as_deref());
    o.end();
}

pub fn auth_details(buf: &mut Vec<u8>, rec: &SignInRec) {
    objects(buf, &rec.steps, |o, s| {
        o.time("authenticationStepDateTime", s.at, None, TimeStyle::Seconds);
        o.opt("authenticationMethod", s.method.as_deref());
        o.opt("authenticationMethodDetail", s.method_detail);
        match s.succeeded {
            Some(b) => o.bool("succeeded", b),
            None => o.raw("succeeded", "null"),
        }
        o.opt("authenticationStepResultDetail", s.detail.as_deref());
        o.str("authenticationStepRequirement", &s.requirement);
        o.int("statusSequence", 0);
        o.int("RequestSequence", 0);
    });
}

pub fn requirement_policies(buf: &mut Vec<u8>, rec: &SignInRec) {
    objects(buf, &rec.policies, |o, (provider, detail)| {
        o.str("requirementProvider", provider);
        o.str("detail", detail);
    });
}

pub fn ca_policies(buf: &mut Vec<u8>, rec: &SignInRec) {
    let policies: [(&str, &str, &str, &str); 3] = [
        (
            "01",
            "CA001: Require MFA for all users",
            r#"["Mfa"]"#,
            if rec.ca_mfa { "success" } else { "notApplied" },
        ),
        (
            "02",
            "CA002: Block legacy authentication",
            r#"["Block"]"#,
            if rec.ca_status == "failure" && !rec.ca_mfa {
                "failure"
            } else {
                "notApplied"
            },
        ),
        (
            "03",
            "CA003: Require compliant device",
            r#"["RequireCompliantDevice"]"#,
            "reportOnlyNotApplied",
        ),
    ];
    // Non-interactive records list fewer policies: the report-only one is not evaluated.
    let shown = match rec.actor {
        Actor::Workload(_) => 0,
        Actor::User(_) if rec.is_interactive() => 3,
        Actor::User(_) => 2,
    };
    objects(buf, &policies[..shown], |o, &(n, name, grant, result)| {
        let success = result == "success";
        o.str("id", n);
        o.str("displayName", name);
        o.raw("enforcedGrantControls", grant);
        o.raw("enforcedSessionControls", "[]");
        o.str("result", result);
        o.str(
            "conditionsSatisfied",
            if success { "application,users" } else { "none" },
        );
        o.str(
            "conditionsNotSatisfied",
            if success { "none" } else { "clientType" },
        );
    });
}

pub fn network(buf: &mut Vec<u8>, rec: &SignInRec) {
    match rec.named_network {
        Some(n) => {
            buf.extend_from_slice(b"[{\"networkType\":\"namedNetwork\",\"networkNames\":[");
            string(buf, n);
            buf.extend_from_slice(b"]},{\"networkType\":\"trustedNamedLocation\",\"networkNames\":[\"Head office\"]}]");
        }
        None => buf.extend_from_slice(b"[]"),
    }
}

pub fn processing(buf: &mut Vec<u8>) {
    buf.extend_from_slice(br#"[{"key":"Legacy TLS (TLS 1.0, 1.1, 3DES)","value":"False"},{"key":"Is CAE Token","value":"False"}]"#);
}

pub fn device(buf: &mut Vec<u8>, rec: &SignInRec, t: &Tenant) {
    let mut o = Obj::new(buf);
    match rec.actor {
        Actor::User(u) if rec.protocol != "ropc" => {
            let user = &t.users[u];
            o.str("deviceId", &user.device_id);
            o.str("displayName", &user.device_name);
            o.str("operatingSystem", user.os);
            o.str("browser", browser(rec));
            o.bool("isCompliant", !user.guest);
            o.bool("isManaged", !user.guest);
            o.str("trustType", if user.guest { "" } else { "Azure AD joined" });
        }
        _ => {
            for k in ["deviceId", "displayName", "operatingSystem", "browser"] {
                o.str(k, "");
            }
            o.raw("isCompliant", "null");
            o.raw("isManaged", "null");
            o.str("trustType", "");
        }
    }
    o.end();
}

pub fn location(buf: &mut Vec<u8>, rec: &SignInRec, t: &Tenant) {
    let city = match rec.actor {
        Actor::User(u) => t.users[u].city,
        Actor::Workload(_) => 0,
    };
    let (c, s, cc, _) = CITIES[city];
    let mut o = Obj::new(buf);
    o.str("city", c);
    o.str("state", s);
    o.str("countryOrRegion", cc);
    o.raw(
        "geoCoordinates",
        r#"{"altitude":null,"latitude":52.37403,"longitude":4.88969}"#,
    );
    o.end();
}

/// The method of the last succeeded non-password step (the deprecated `mfaDetail`).
pub fn mfa_method(rec: &SignInRec) -> Option<&str> {
    rec.steps
        .iter()
        .filter(|s| s.succeeded == Some(true))
        .filter_map(|s| s.method.as_deref())
        .rfind(|m| *m != "Password")
}

pub fn mfa_detail(buf: &mut Vec<u8>, rec: &SignInRec) {
    let method = mfa_method(rec);
    let mut o = Obj::new(buf);
    if let Some(m) = method {
        o.str("authMethod", m);
        o.raw("authDetail", "null");
    }
    o.end();
}

/// The Graph event type word.
pub fn event_word(kind: EventType) -> &'static str {
    match kind {
        EventType::InteractiveUser => "interactiveUser",
        EventType::NonInteractiveUser => "nonInteractiveUser",
        EventType::ServicePrincipal => "servicePrincipal",
        EventType::ManagedIdentity => "managedIdentity",
    }
}

/// Writes one `signIn` object.
pub fn sign_in(buf: &mut Vec<u8>, rec: &SignInRec, t: &Tenant, flavor: Flavor) {
    let style = if flavor == Flavor::AzureMonitor {
        TimeStyle::Offset
    } else {
        TimeStyle::Zulu
    };
    let p = Parties::of(rec, t);
    let mut o = Obj::new(buf);
    request_members(&mut o, rec, &p, style);
    resource_members(&mut o, rec, &p, t, flavor);
    token_members(&mut o, rec, &p, t, flavor);
    status(o.key("status"), rec);
    device(o.key("deviceDetail"), rec, t);
    location(o.key("location"), rec, t);
    mfa_detail(o.key("mfaDetail"), rec);
    ca_policies(o.key("appliedConditionalAccessPolicies"), rec);
    requirement_policies(o.key("authenticationRequirementPolicies"), rec);
    network(o.key("networkLocationDetails"), rec);
    processing(o.key("authenticationProcessingDetails"));
    auth_details(o.key("authenticationDetails"), rec);
    o.end();
}

/// `id` … `processingTimeInMilliseconds`: who signed in to what, from where, when.
fn request_members(o: &mut Obj<'_>, rec: &SignInRec, p: &Parties<'_>, style: TimeStyle) {
    o.str("id", &rec.id);
    o.time("createdDateTime", rec.at, rec.tick, style);
    o.str("userDisplayName", p.display);
    o.str("userPrincipalName", p.upn);
    o.str("userId", rec.user_id.as_deref().unwrap_or(""));
    o.str("appId", p.app_id);
    o.str("appDisplayName", p.app_name);
    o.str("ipAddress", &p.ip);
    o.str("ipAddressFromResourceProvider", "");
    o.opt("clientAppUsed", rec.client_app.as_deref());
    o.str("userAgent", user_agent(rec));
    o.str("correlationId", &rec.correlation_id);
    o.str("conditionalAccessStatus", rec.ca_status);
    o.str("originalRequestId", &rec.id);
    o.bool("isInteractive", rec.is_interactive());
    o.str("tokenIssuerName", "");
    o.str("tokenIssuerType", "AzureAD");
    o.str(
        "clientCredentialType",
        match rec.kind {
            EventType::ServicePrincipal => "clientSecret",
            EventType::ManagedIdentity => "managedIdentity",
            _ => "none",
        },
    );
    o.int("processingTimeInMilliseconds", 40 + (rec.at % 300));
}

/// `riskDetail` … `servicePrincipalName`: risk, resource, requirement, event type.
fn resource_members(o: &mut Obj<'_>, rec: &SignInRec, p: &Parties<'_>, t: &Tenant, flavor: Flavor) {
    o.str("riskDetail", "none");
    o.str("riskLevelAggregated", "none");
    o.str("riskLevelDuringSignIn", "none");
    o.str("riskState", "none");
    o.raw("riskEventTypes_v2", "[]");
    o.str("resourceDisplayName", p.resource_name);
    o.str("resourceId", p.resource_id);
    o.str("resourceTenantId", &t.id);
    o.str("homeTenantId", &t.id);
    o.str("homeTenantName", "");
    o.raw("authenticationMethodsUsed", "[]");
    o.opt("authenticationRequirement", rec.requirement.as_deref());
    if flavor == Flavor::Graph {
        o.raw(
            "signInEventTypes",
            &format!("[\"{}\"]", event_word(rec.kind)),
        );
    }
    let (sp_id, sp_name) = match rec.actor {
        Actor::Workload(w) => (t.workloads[w].sp_id.as_str(), t.workloads[w].name.as_str()),
        Actor::User(_) => ("", ""),
    };
    o.str("servicePrincipalId", sp_id);
    o.str("servicePrincipalName", sp_name);
}

/// `userType` … `managedServiceIdentity`: the user type, the token and the session.
fn token_members(o: &mut Obj<'_>, rec: &SignInRec, p: &Parties<'_>, t: &Tenant, flavor: Flavor) {
    let user_type = match flavor {
        Flavor::AzureMonitor => user_type_title(p.user_type),
        Flavor::Graph => p.user_type,
    };
    o.str("userType", user_type);
    o.str("crossTenantAccessType", cross_tenant_access(user_type));
    o.str("incomingTokenType", rec.incoming_token);
    o.str("authenticationProtocol", rec.protocol);
    o.str("uniqueTokenIdentifier", unique_token_id(rec));
    o.str("signInIdentifier", p.upn);
    o.str(
        "signInIdentifierType",
        if p.upn.is_empty() {
            ""
        } else {
            "userPrincipalName"
        },
    );
    o.opt("sessionId", rec.session_id.as_deref());
    o.str("autonomousSystemNumber", "1136");
    o.bool("flaggedForReview", false);
    o.bool("isTenantRestricted", false);
    o.bool("isThroughGlobalSecureAccess", false);
    o.str("globalSecureAccessIpAddress", "");
    o.str("originalTransferMethod", "none");
    o.str("appOwnerTenantId", "f8cdef31-a31e-4b4a-93e4-5f571e91255a");
    o.str(
        "resourceOwnerTenantId",
        "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
    );
    o.raw("sessionLifetimePolicies", "[]");
    o.raw("authenticationContextClassReferences", "[]");
    o.raw(
        "tokenProtectionStatusDetails",
        r#"{"signInSessionStatus":"unbound","signInSessionStatusCode":1002}"#,
    );
    if let Actor::Workload(w) = rec.actor {
        let msi = t.workloads[w].msi_type.unwrap_or("none");
        o.raw("managedServiceIdentity", &format!(r#"{{"msiType":"{msi}","associatedResourceId":"","federatedTokenId":null,"federatedTokenIssuer":null}}"#));
    }
}

/// `initiatedBy` of an audit event.
pub fn initiated_by(buf: &mut Vec<u8>, e: &AuditPlan) {
    let mut o = Obj::new(buf);
    let u = o.key("user");
    let mut user = Obj::new(u);
    user.str("id", &e.initiator.0);
    user.raw("displayName", "null");
    user.str("userPrincipalName", &e.initiator.1);
    user.str("ipAddress", "203.0.113.10");
    user.raw("userType", "null");
    user.end();
    o.raw("app", "null");
    o.end();
}

/// `targetResources` of an audit event.
pub fn targets(buf: &mut Vec<u8>, e: &AuditPlan) {
    objects(buf, &e.targets, |o, t| {
        o.str("id", &t.id);
        o.opt("displayName", t.display_name.as_deref());
        o.str("type", t.kind);
        o.opt("userPrincipalName", t.upn.as_deref());
        o.raw("groupType", "null");
        objects(o.key("modifiedProperties"), &t.props, |o, p| {
            o.str("displayName", p.name);
            o.opt("oldValue", p.old.as_deref());
            o.opt("newValue", p.new.as_deref());
        });
    });
}

/// `additionalDetails` of an audit event.
pub fn audit_details(buf: &mut Vec<u8>, e: &AuditPlan) {
    objects(buf, &e.details, |o, (k, v)| {
        o.str("key", k);
        o.str("value", v);
    });
}

/// Writes one `directoryAudit` object.
pub fn audit(buf: &mut Vec<u8>, e: &AuditPlan) {
    let mut o = Obj::new(buf);
    o.str("id", &e.id);
    o.str("category", e.category);
    o.str("correlationId", &e.id[10..46]);
    o.str("result", if e.success { "success" } else { "failure" });
    o.str(
        "resultReason",
        if e.success {
            ""
        } else {
            "Insufficient privileges to complete the operation."
        },
    );
    o.str("activityDisplayName", e.activity);
    o.time("activityDateTime", e.at, Some(e.tick), TimeStyle::Zulu);
    o.str("loggedByService", e.service);
    o.str("operationType", e.operation);
    initiated_by(o.key("initiatedBy"), e);
    targets(o.key("targetResources"), e);
    audit_details(o.key("additionalDetails"), e);
    o.end();
}
