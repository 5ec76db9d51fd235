//! The Entra admin center download: one sign-ins CSV per log and day (BOM, CRLF, the
//! portal's human titles) with its `…_AuthDetails_…` companion (one row per step), split
//! at the portal's 100,000-row cap. Re-issued versions of an id go to a later download in
//! `reissued/` (in one download, the companion's steps of a repeated id would be merged).
//! The portal's audit download is Graph-shaped JSON, so audits are a JSON array.

use std::io;

use super::audit::AuditPlan;
use super::files::{Out, Stream, csv_cell};
use super::graph::{self, Parties};
use super::json::{self, TimeStyle, day_text, timestamp};
use super::signin::{Actor, SignInRec, Step, log_index};
use super::tenant::{CITIES, DAY, Tenant, User};
use super::{Part, Sink};

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

/// One download (a log, original or re-issued): its sign-ins and steps files.
#[derive(Default)]
struct Download {
    sign_ins: Stream,
    steps: Stream,
    day: Option<i64>,
    part: u32,
}

impl Download {
    /// Moves to the download of `rec`'s day, or to the next part past the portal's row
    /// cap; each new file starts with a BOM and its titles.
    fn open(&mut self, out: &mut Out, prefix: &str, rec: &SignInRec) -> io::Result<()> {
        let day_number = rec.at.div_euclid(DAY);
        let new_day = self.day != Some(day_number);
        if !new_day && self.sign_ins.rows < ROW_CAP {
            return Ok(());
        }
        self.part = if new_day { 1 } else { self.part + 1 };
        self.day = Some(day_number);
        let day = day_text(rec.at);
        let dir = if rec.reissued { "reissued/" } else { "" };
        let suffix = if self.part > 1 {
            format!("_{}", self.part)
        } else {
            String::new()
        };
        let main = format!("{dir}{prefix}_{day}_{day}{suffix}.csv");
        self.sign_ins.switch(out, &main, "\u{feff}".as_bytes())?;
        self.sign_ins.raw(out, COLUMNS.join(",").as_bytes())?;
        self.sign_ins.raw(out, b"\r\n")?;
        let steps = format!("{dir}{prefix}_AuthDetails_{day}_{day}{suffix}.csv");
        self.steps.switch(out, &steps, "\u{feff}".as_bytes())?;
        self.steps.raw(out, STEP_COLUMNS.as_bytes())
    }
}

#[derive(Default)]
pub struct PortalSink {
    downloads: [Download; 8],
    row: Vec<u8>,
    cell: Vec<u8>,
}

/// What the cells of one sign-in row are drawn from.
struct PortalRow<'a> {
    rec: &'a SignInRec,
    t: &'a Tenant,
    parties: Parties<'a>,
    /// `None` for workloads.
    user: Option<&'a User>,
    non_interactive: bool,
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

/// The cells that are the same on every row.
fn fixed_cell<'t>(col: &str, t: &'t Tenant) -> Option<&'t str> {
    Some(match col {
        "Original transfer method" => "none",
        "Resource tenant ID" | "Home tenant ID" => &t.id,
        "Through Global Secure Access" | "Flagged for review" => "False",
        "Autonomous  system number" => "1136",
        "Token issuer type" => "AzureAD",
        "Latency" => "52",
        _ => return None,
    })
}

impl PortalSink {
    fn text(&mut self, s: &str) {
        csv_cell(&mut self.row, s.as_bytes());
    }

    fn sign_in_cell(&mut self, col: &str, r: &PortalRow<'_>) {
        if let Some(text) = fixed_cell(col, r.t) {
            self.text(text);
        } else if !self.request_cell(col, r) {
            self.party_cell(col, r);
        }
    }

    /// A column of the request, its outcome and its evidence; false when `col` is not one.
    fn request_cell(&mut self, col: &str, r: &PortalRow<'_>) -> bool {
        let rec = r.rec;
        match col {
            "Date (UTC)" => timestamp(&mut self.row, rec.at, rec.tick, TimeStyle::Zulu),
            "Request ID" => self.text(&rec.id),
            "Correlation ID" => self.text(&rec.correlation_id),
            "Incoming token type" => self.text(rec.incoming_token),
            "Authentication Protocol" => self.text(rec.protocol),
            "Unique token identifier" => self.text(graph::unique_token_id(rec)),
            "Status" => self.text(match rec.error_code {
                Some(0) => "Success",
                Some(c) if INTERRUPTS.contains(&c) => "Interrupted",
                _ => "Failure",
            }),
            "Sign-in error code" => match rec.error_code {
                // Non-interactive downloads leave the code empty on success.
                Some(0) if r.non_interactive => {}
                Some(c) => json::int(&mut self.row, i64::from(c)),
                None => {}
            },
            "Failure reason" => self.text(graph::result_description(rec)),
            "Client app" => self.text(rec.client_app.as_deref().unwrap_or("")),
            "Multifactor authentication result" => {
                self.text(rec.additional_details.as_deref().unwrap_or(""));
            }
            "Multifactor authentication auth method" => {
                self.text(graph::mfa_method(rec).unwrap_or(""));
            }
            "Authentication requirement" => {
                self.text(requirement_text(rec.requirement.as_deref()));
            }
            "Session ID" => self.text(rec.session_id.as_deref().unwrap_or("")),
            "Conditional Access" => self.text(match rec.ca_status {
                "success" => "Success",
                "failure" => "Failure",
                _ => "Not Applied",
            }),
            _ => return false,
        }
        true
    }

    /// A column of the user, the device, the workload or the application (empty when
    /// none applies).
    fn party_cell(&mut self, col: &str, r: &PortalRow<'_>) {
        let (rec, p, user) = (r.rec, &r.parties, r.user);
        let member = user.is_some_and(|u| !u.guest);
        match col {
            "User agent" => self.text(graph::user_agent(rec)),
            "User ID" => self.text(rec.user_id.as_deref().unwrap_or("")),
            "User" => self.text(p.display),
            "Username" | "Sign-in identifier" => self.text(p.upn),
            "User type" => self.text(graph::user_type_title(p.user_type)),
            "Cross tenant access type" => self.text(graph::cross_tenant_access(p.user_type)),
            "Client credential type" => {
                self.text(if user.is_some() {
                    "none"
                } else {
                    "clientSecret"
                });
            }
            "Application" => self.text(p.app_name),
            "Application ID " => self.text(p.app_id),
            "Resource" => self.text(p.resource_name),
            "Resource ID " => self.text(p.resource_id),
            "IP address" => self.text(&p.ip),
            "Location" => {
                let (city, state, country, _) = CITIES[user.map_or(0, |u| u.city)];
                self.cell.clear();
                for (i, part) in [city, state, country].into_iter().enumerate() {
                    if i > 0 {
                        self.cell.extend_from_slice(b", ");
                    }
                    self.cell.extend_from_slice(part.as_bytes());
                }
                csv_cell(&mut self.row, &self.cell);
            }
            "Device ID" => self.text(user.map_or("", |u| u.device_id.as_str())),
            "Browser" if user.is_some() => self.text(graph::browser(rec)),
            "Operating System" => self.text(user.map_or("", |u| u.os)),
            "Compliant" | "Managed" => self.text(if member { "True" } else { "False" }),
            "Join Type" if member => self.text("Azure AD joined"),
            "Managed Identity type" => match rec.actor {
                Actor::Workload(w) => self.text(r.t.workloads[w].msi_type.unwrap_or("")),
                Actor::User(_) => {}
            },
            _ => {}
        }
    }

    /// The `…_AuthDetails_…` row of one step into `self.row`.
    fn step_row(&mut self, id: &str, s: &Step) {
        self.row.clear();
        csv_cell(&mut self.row, id.as_bytes());
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
    }
}

impl Sink for PortalSink {
    fn sign_in(&mut self, out: &mut Out, rec: &SignInRec, t: &Tenant) -> io::Result<()> {
        let k = log_index(rec.kind);
        let slot = k + if rec.reissued { 4 } else { 0 };
        self.downloads[slot].open(out, PREFIXES[k], rec)?;
        let row = PortalRow {
            rec,
            t,
            parties: Parties::of(rec, t),
            user: match rec.actor {
                Actor::User(u) => Some(&t.users[u]),
                Actor::Workload(_) => None,
            },
            non_interactive: k == 1,
        };
        self.row.clear();
        for (i, col) in COLUMNS.iter().enumerate() {
            if i > 0 {
                self.row.push(b',');
            }
            self.sign_in_cell(col, &row);
        }
        self.row.extend_from_slice(b"\r\n");
        self.downloads[slot].sign_ins.write(out, &self.row)?;
        for s in &rec.steps {
            self.step_row(&rec.id, s);
            self.downloads[slot].steps.write(out, &self.row)?;
        }
        Ok(())
    }

    fn audits(&mut self, out: &mut Out, audits: &[AuditPlan], _t: &Tenant) -> io::Result<()> {
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

    /// A sign-ins CSV is read with its authentication-details companion.
    fn part_prefix(&self, _part: Part) -> Option<String> {
        None
    }
}
