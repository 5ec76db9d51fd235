//! The Entra admin center download: one sign-ins CSV per log and day (BOM, CRLF, the
//! portal's human titles) with its `…_AuthDetails_…` companion (one row per step), split
//! at the portal's 100,000-row cap. Re-issued versions of an id go to a later download in
//! `reissued/` (in one download, the companion's steps of a repeated id would be merged).
//! The portal's audit download is Graph-shaped JSON, so audits are a JSON array.

use std::io;

use super::Sink;
use super::audit::AuditPlan;
use super::files::{Out, Stream, csv_cell};
use super::graph;
use super::json::{TimeStyle, date, timestamp};
use super::signin::{Actor, SignInRec};
use super::tenant::{CITIES, DAY, Micros, TENANT_ID, Tenant};
use crate::schema::EventType;

const COLUMNS: [&str; 57] = [
    "Date (UTC)",
    "Request ID",
    "User agent",
    "Correlation ID",
    "User ID",
    "User",
    "Username",
    "User type",
    "Cross tenant access type",
    "Incoming token type",
    "Authentication Protocol",
    "Unique token identifier",
    "Original transfer method",
    "Client credential type",
    "Token Protection - Sign In Session",
    "Token Protection - Sign In Session StatusCode",
    "Application",
    "Application ID ",
    "App owner tenant ID",
    "Resource",
    "Resource ID ",
    "Resource tenant ID",
    "Resource owner tenant ID",
    "Home tenant ID",
    "Home tenant name",
    "IP address",
    "Location",
    "Status",
    "Sign-in error code",
    "Failure reason",
    "Client app",
    "Device ID",
    "Browser",
    "Operating System",
    "Compliant",
    "Managed",
    "Join Type",
    "Multifactor authentication result",
    "Multifactor authentication auth method",
    "Multifactor authentication auth detail",
    "Authentication requirement",
    "Sign-in identifier",
    "Session ID",
    "IP address (seen by resource)",
    "Through Global Secure Access",
    "Global Secure Access IP address",
    "Autonomous  system number",
    "Flagged for review",
    "Token issuer type",
    "Incoming token type",
    "Token issuer name",
    "Latency",
    "Conditional Access",
    "Managed Identity type",
    "Associated Resource Id",
    "Federated Token Id",
    "Federated Token Issuer",
];
const STEP_COLUMNS: &str = "Request ID,Authentication Date,Authentication method,Authentication method detail,Requirement,Succeeded,Result detail\r\n";
const PREFIXES: [&str; 4] = [
    "InteractiveSignIns",
    "NonInteractiveSignIns",
    "ApplicationSignIns",
    "MSISignIns",
];
const ROW_CAP: u64 = 100_000;
const INTERRUPTS: [i32; 7] = [50_072, 50_074, 50_076, 50_078, 50_079, 500_121, 50_158];

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

/// One download (a log, original or re-issued): its sign-ins and steps files.
#[derive(Default)]
struct Download {
    sign_ins: Stream,
    steps: Stream,
    day: Option<i64>,
    part: u32,
}

#[derive(Default)]
pub struct PortalSink {
    downloads: [Download; 8],
    row: Vec<u8>,
}

impl PortalSink {
    fn text(&mut self, s: &str) {
        csv_cell(&mut self.row, s.as_bytes());
    }
}

/// The portal's display words for the requirement (the reader accepts both forms).
fn requirement_text(r: Option<&str>) -> &str {
    match r {
        Some("multiFactorAuthentication") => "Multifactor authentication",
        Some("singleFactorAuthentication") => "Single-factor authentication",
        Some(other) => other,
        None => "",
    }
}

impl Sink for PortalSink {
    fn sign_in(&mut self, out: &mut Out, rec: &SignInRec, t: &Tenant) -> io::Result<()> {
        let k = kind_index(rec.kind);
        let slot = k + if rec.reissued { 4 } else { 0 };
        let d = &mut self.downloads[slot];
        let day_number = rec.at.div_euclid(DAY);
        let new_day = d.day != Some(day_number);
        if new_day || d.sign_ins.rows >= ROW_CAP {
            // A new download: the next day, or the next part past the portal's row cap.
            d.part = if new_day { 1 } else { d.part + 1 };
            d.day = Some(day_number);
            let day = day_text(rec.at);
            let dir = if rec.reissued { "reissued/" } else { "" };
            let suffix = if d.part > 1 {
                format!("_{}", d.part)
            } else {
                String::new()
            };
            let prefix = PREFIXES[k];
            let main = format!("{dir}{prefix}_{day}_{day}{suffix}.csv");
            d.sign_ins.switch(out, &main, "\u{feff}".as_bytes())?;
            d.sign_ins.raw(out, COLUMNS.join(",").as_bytes())?;
            d.sign_ins.raw(out, b"\r\n")?;
            let steps = format!("{dir}{prefix}_AuthDetails_{day}_{day}{suffix}.csv");
            d.steps.switch(out, &steps, "\u{feff}".as_bytes())?;
            d.steps.raw(out, STEP_COLUMNS.as_bytes())?;
        }
        let (display, upn, user_type) = graph::user_fields(rec, t);
        let (app_id, app_name, resource_id, resource_name) = graph::app_fields(rec, t);
        let ip = graph::ip(rec, t);
        let user = match rec.actor {
            Actor::User(u) => Some(&t.users[u]),
            Actor::Workload(_) => None,
        };
        let city = CITIES[user.map_or(0, |u| u.city)];
        self.row.clear();
        for (i, col) in COLUMNS.iter().enumerate() {
            if i > 0 {
                self.row.push(b',');
            }
            match *col {
                "Date (UTC)" => timestamp(&mut self.row, rec.at, rec.tick, TimeStyle::Zulu),
                "Request ID" => self.text(&rec.id),
                "User agent" if rec.is_interactive() => self.text("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0"),
                "Correlation ID" => self.text(&rec.correlation_id),
                "User ID" => self.text(rec.user_id.as_deref().unwrap_or("")),
                "User" => self.text(display),
                "Username" | "Sign-in identifier" => self.text(upn),
                "User type" => self.text(match user_type { "guest" => "Guest", "member" => "Member", _ => "" }),
                "Cross tenant access type" => self.text(if user_type == "guest" { "b2bCollaboration" } else { "none" }),
                "Incoming token type" => self.text(rec.incoming_token),
                "Authentication Protocol" => self.text(rec.protocol),
                "Unique token identifier" => self.text(&rec.correlation_id[..22]),
                "Original transfer method" => self.text("none"),
                "Client credential type" => self.text(if user.is_some() { "none" } else { "clientSecret" }),
                "Application" => self.text(app_name),
                "Application ID " => self.text(app_id),
                "Resource" => self.text(resource_name),
                "Resource ID " => self.text(resource_id),
                "Resource tenant ID" | "Home tenant ID" => self.text(TENANT_ID),
                "IP address" => self.text(&ip),
                "Location" => self.text(&format!("{}, {}, {}", city.0, city.1, city.2)),
                "Status" => self.text(match rec.error_code {
                    Some(0) => "Success",
                    Some(c) if INTERRUPTS.contains(&c) => "Interrupted",
                    _ => "Failure",
                }),
                "Sign-in error code" => match rec.error_code {
                    // Non-interactive downloads leave the code empty on success.
                    Some(0) if k == 1 => {}
                    Some(c) => self.text(&c.to_string()),
                    None => {}
                },
                "Failure reason" if rec.error_code != Some(0) => self.text(rec.failure_reason),
                "Client app" => self.text(rec.client_app.as_deref().unwrap_or("")),
                "Device ID" => self.text(user.map_or("", |u| u.device_id.as_str())),
                "Browser" if user.is_some() => self.text(if rec.is_interactive() { "Edge 130.0.0" } else { "Rich Client 5.2.3.0" }),
                "Operating System" => self.text(user.map_or("", |u| u.os)),
                "Compliant" | "Managed" => self.text(if user.is_some_and(|u| !u.guest) { "True" } else { "False" }),
                "Join Type" if user.is_some_and(|u| !u.guest) => self.text("Azure AD joined"),
                "Multifactor authentication result" => self.text(rec.additional_details.as_deref().unwrap_or("")),
                "Multifactor authentication auth method" => {
                    let m = graph::mfa_method(rec);
                    self.text(m.unwrap_or(""));
                }
                "Authentication requirement" => self.text(requirement_text(rec.requirement.as_deref())),
                "Session ID" => self.text(rec.session_id.as_deref().unwrap_or("")),
                "Through Global Secure Access" | "Flagged for review" => self.text("False"),
                "Autonomous  system number" => self.text("1136"),
                "Token issuer type" => self.text("AzureAD"),
                "Latency" => self.text("52"),
                "Conditional Access" => self.text(match rec.ca_status {
                    "success" => "Success",
                    "failure" => "Failure",
                    _ => "Not Applied",
                }),
                "Managed Identity type" => match rec.actor {
                    Actor::Workload(w) => self.text(t.workloads[w].msi_type.unwrap_or("")),
                    Actor::User(_) => {}
                },
                _ => {}
            }
        }
        self.row.extend_from_slice(b"\r\n");
        let d = &mut self.downloads[slot];
        d.sign_ins.write(out, &self.row)?;
        for s in &rec.steps {
            self.row.clear();
            csv_cell(&mut self.row, rec.id.as_bytes());
            self.row.push(b',');
            timestamp(&mut self.row, s.at, None, TimeStyle::Seconds);
            self.row.push(b',');
            csv_cell(&mut self.row, s.method.as_deref().unwrap_or("").as_bytes());
            self.row.push(b',');
            csv_cell(&mut self.row, s.method_detail.unwrap_or("").as_bytes());
            self.row.push(b',');
            csv_cell(&mut self.row, s.requirement.as_bytes());
            self.row.push(b',');
            self.row.extend_from_slice(match s.succeeded {
                Some(true) => b"True".as_slice(),
                Some(false) => b"False",
                None => b"",
            });
            self.row.push(b',');
            csv_cell(&mut self.row, s.detail.as_deref().unwrap_or("").as_bytes());
            self.row.extend_from_slice(b"\r\n");
            self.downloads[slot].steps.write(out, &self.row)?;
        }
        Ok(())
    }

    fn audits(&mut self, out: &mut Out, audits: &[AuditPlan]) -> io::Result<()> {
        let (Some(first), Some(last)) = (audits.first(), audits.last()) else {
            return Ok(());
        };
        let mut s = Stream::default();
        s.switch(
            out,
            &format!(
                "AuditLogs_{}_{}.json",
                day_text(first.at),
                day_text(last.at)
            ),
            b"[",
        )?;
        for (i, e) in audits.iter().enumerate() {
            self.row.clear();
            if i > 0 {
                self.row.extend_from_slice(b",\n");
            }
            graph::audit(&mut self.row, e);
            s.write(out, &self.row)?;
        }
        s.close_with(out, b"]\n")
    }

    fn finish(&mut self, _out: &mut Out) -> io::Result<()> {
        for d in &mut self.downloads {
            d.sign_ins.close()?;
            d.steps.close()?;
        }
        Ok(())
    }
}
