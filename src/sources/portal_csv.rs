//! The Entra admin center sign-ins CSV download: human column titles, one file per sign-in
//! log, MFA steps in a separate authentication-details CSV joined on Request ID. It carries
//! no nested lists, so every file is reported as a lower-fidelity source.

use std::io::BufRead;

use csv::StringRecord;

use super::csv_input::{Header, cell, read_rows, text_cell};
use super::mapping::parse_i32;
use super::portal_auth_details::{self, Steps, lenient_bool};
use super::sink::Sink;
use super::time::parse_timestamp;
use crate::schema::{EventType, Record, SignIn};
use crate::sources::Result;

/// The portal refuses to download more sign-ins than this into one file.
pub const PORTAL_ROW_CAP: u64 = 100_000;

/// Sign-in log kinds by file-name prefix; `NonInteractive` precedes `Interactive`, which
/// it contains.
const KINDS: [(&str, EventType); 4] = [
    ("noninteractivesignins", EventType::NonInteractiveUser),
    ("interactivesignins", EventType::InteractiveUser),
    ("applicationsignins", EventType::ServicePrincipal),
    ("msisignins", EventType::ManagedIdentity),
];

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The sign-in log a download's file name says it holds; interactive when it says nothing.
fn event_type_from_file_name(file_name: &str) -> EventType {
    let name = base_name(file_name).to_ascii_lowercase();
    KINDS
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map_or(EventType::InteractiveUser, |(_, kind)| *kind)
}

/// The authentication-details companion's file name for a sign-ins download:
/// `InteractiveSignIns_2026-11-01_2026-11-03.csv` → `InteractiveSignIns_AuthDetails_2026-11-01_2026-11-03.csv`.
/// A leading directory is kept. `None` when the name is not a portal sign-ins download.
pub fn companion_name(sign_ins_file_name: &str) -> Option<String> {
    let name = base_name(sign_ins_file_name);
    let dir = &sign_ins_file_name[..sign_ins_file_name.len() - name.len()];
    let lower = name.to_ascii_lowercase();
    let (prefix, _) = KINDS.iter().find(|(p, _)| lower.starts_with(p))?;
    let rest = &name[prefix.len()..];
    if !rest.starts_with('_') || lower.contains("authdetails") {
        return None;
    }
    Some(format!("{dir}{}_AuthDetails{rest}", &name[..prefix.len()]))
}

/// Column indices, resolved once from the normalised header (first occurrence wins).
struct Columns {
    id: Option<usize>,
    date: Option<usize>,
    status: Option<usize>,
    error_code: Option<usize>,
    location: Option<usize>,
    compliant: Option<usize>,
    managed: Option<usize>,
    texts: Vec<(Option<usize>, TextSetter)>,
}

type TextSetter = fn(&mut SignIn, Option<String>);

impl Columns {
    fn new(h: &Header) -> Columns {
        let ix = |n: &str| h.index(n);
        Columns {
            id: ix("request id"),
            date: h.index_any(&["date (utc)", "date"]),
            status: ix("status"),
            error_code: ix("sign-in error code"),
            location: ix("location"),
            compliant: ix("compliant"),
            managed: ix("managed"),
            texts: vec![
                (ix("user agent"), |s, v| s.user_agent = v),
                (ix("correlation id"), |s, v| s.correlation_id = v),
                (ix("user id"), |s, v| s.user_id = v),
                (ix("user"), |s, v| s.user_display_name = v),
                (ix("username"), |s, v| s.user_principal_name = v),
                (ix("user type"), |s, v| {
                    s.user_type = v.map(|t| t.trim().to_ascii_lowercase())
                }),
                (ix("cross tenant access type"), |s, v| {
                    s.cross_tenant_access_type = v
                }),
                (ix("incoming token type"), |s, v| s.incoming_token_type = v),
                (ix("authentication protocol"), |s, v| {
                    s.authentication_protocol = v
                }),
                (ix("unique token identifier"), |s, v| {
                    s.unique_token_identifier = v
                }),
                (ix("application"), |s, v| s.app_display_name = v),
                (ix("application id"), |s, v| s.app_id = v),
                (ix("resource"), |s, v| s.resource_display_name = v),
                (ix("resource id"), |s, v| s.resource_id = v),
                (ix("resource tenant id"), |s, v| s.resource_tenant_id = v),
                (ix("home tenant id"), |s, v| s.home_tenant_id = v),
                (ix("service principal id"), |s, v| {
                    s.service_principal_id = v
                }),
                (ix("service principal name"), |s, v| {
                    s.service_principal_name = v
                }),
                (ix("managed identity type"), |s, v| {
                    s.managed_identity_type = v
                }),
                (ix("ip address"), |s, v| s.ip_address = v),
                (ix("failure reason"), |s, v| s.failure_reason = v),
                (ix("client app"), |s, v| s.client_app_used = v),
                (ix("device id"), |s, v| s.device_id = v),
                (ix("browser"), |s, v| s.device_browser = v),
                (ix("operating system"), |s, v| s.device_operating_system = v),
                (ix("join type"), |s, v| s.device_trust_type = v),
                // The portal's "MFA result" is the text Graph puts in status.additionalDetails.
                (ix("multifactor authentication result"), |s, v| {
                    s.additional_details = v
                }),
                (ix("multifactor authentication auth method"), |s, v| {
                    s.mfa_auth_method = v
                }),
                (ix("multifactor authentication auth detail"), |s, v| {
                    s.mfa_auth_detail = v
                }),
                (ix("authentication requirement"), |s, v| {
                    s.authentication_requirement = v.map(|t| requirement_word(&t))
                }),
                (ix("session id"), |s, v| s.session_id = v),
                (ix("token issuer type"), |s, v| s.token_issuer_type = v),
                (ix("conditional access"), |s, v| {
                    s.conditional_access_status = v.map(|t| camel_words(&t))
                }),
            ],
        }
    }
}

/// The portal may print Graph's enum words as display text; the rules match Graph's.
fn requirement_word(text: &str) -> String {
    let squashed: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match squashed.as_str() {
        "multifactorauthentication" => "multiFactorAuthentication".to_string(),
        "singlefactorauthentication" => "singleFactorAuthentication".to_string(),
        _ => text.to_string(),
    }
}

/// `Not Applied` → `notApplied`, `Success` → `success`: Graph's camelCase enum words.
fn camel_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split_whitespace().enumerate() {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.extend(first.to_lowercase());
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

/// `City, State, CC` as the portal writes it; fewer parts are ambiguous except a bare
/// two-letter country code.
fn location(text: &str) -> (Option<String>, Option<String>, Option<String>) {
    let parts: Vec<Option<String>> = text.split(',').map(|p| text_cell(p.trim())).collect();
    match parts.as_slice() {
        [city, state, country] => (city.clone(), state.clone(), country.clone()),
        [Some(cc)] if cc.len() == 2 => (None, None, Some(cc.clone())),
        _ => (None, None, None),
    }
}

fn sign_in(
    cols: &Columns,
    fields: &StringRecord,
    kind: EventType,
) -> std::result::Result<SignIn, String> {
    let id = cell(fields, cols.id).trim();
    if id.is_empty() {
        return Err("column \"Request ID\" is empty".to_string());
    }
    let date = cell(fields, cols.date);
    let created_at = parse_timestamp(date)
        .ok_or_else(|| format!("column \"Date (UTC)\": {date:?} is not a timestamp"))?;
    let mut s = SignIn::new(id.to_string(), created_at, kind);
    for (index, set) in &cols.texts {
        set(&mut s, text_cell(cell(fields, *index)));
    }
    let code = cell(fields, cols.error_code);
    s.error_code = parse_i32(code)
        .map_err(|()| format!("column \"Sign-in error code\": {code:?} is not an error code"))?;
    if s.error_code.is_none()
        && cell(fields, cols.status)
            .trim()
            .eq_ignore_ascii_case("success")
    {
        s.error_code = Some(0);
    }
    (
        s.location_city,
        s.location_state,
        s.location_country_or_region,
    ) = location(cell(fields, cols.location));
    s.device_is_compliant = lenient_bool(cell(fields, cols.compliant));
    s.device_is_managed = lenient_bool(cell(fields, cols.managed));
    Ok(s)
}

/// Said of every portal CSV: what its format cannot carry.
const NO_NESTED_LISTS: &str = "the portal CSV has no nested lists: \
    applied_conditional_access_policies (CA policy details), network_location_details, \
    authentication_requirement_policies and authentication_processing_details are empty for \
    its sign-ins";

/// Said of a download that stops at the portal's row cap.
const AT_ROW_CAP: &str = "exactly 100,000 rows: the portal's download cap; probably \
    truncated — download shorter time ranges or use Graph / diagnostic settings";

/// Reads a portal sign-ins CSV into `sink`, joining the authentication steps of
/// `companion` (the matching authentication-details CSV) when given.
pub fn read(
    file_name: &str,
    input: &mut dyn BufRead,
    companion: Option<&mut dyn BufRead>,
    sink: &mut dyn Sink,
) -> Result<()> {
    let kind = event_type_from_file_name(file_name);
    let companion_file = companion_name(file_name)
        .unwrap_or_else(|| format!("{file_name} (authentication details)"));
    let mut steps = match companion {
        Some(c) => match portal_auth_details::load(&companion_file, c) {
            Ok(steps) => Some(steps),
            Err(e) => {
                sink.warn(format!(
                    "{e}; MFA step evidence (authentication_details) is missing for {file_name}"
                ));
                None
            }
        },
        None => {
            sink.warn(format!(
                "no authentication-details CSV ({companion_file}) was given; MFA \
                 step evidence (authentication_details) is missing for every sign-in"
            ));
            None
        }
    };
    sink.warn(NO_NESTED_LISTS.to_owned());
    let on_header = |h: Header| {
        let cols = Columns::new(&h);
        let mut missing = Vec::new();
        if cols.id.is_none() {
            missing.push("Request ID");
        }
        if cols.date.is_none() {
            missing.push("Date (UTC)");
        }
        if !missing.is_empty() {
            return Err(crate::sources::Error::Input {
                file: file_name.to_string(),
                reason: format!(
                    "not a readable portal sign-ins CSV: missing column(s) {}",
                    missing.join(", ")
                ),
            });
        }
        Ok((cols, 0u64))
    };
    let (_, rows) = read_rows(file_name, input, on_header, |(cols, rows), row| {
        *rows += 1;
        let fields = match row.fields {
            Ok(f) => f,
            Err(reason) => return sink.reject(row.line, row.raw, reason),
        };
        match sign_in(cols, fields, kind) {
            Ok(mut s) => {
                if let Some(steps) = steps.as_mut() {
                    s.authentication_details = steps.take_for(&s.id);
                }
                sink.record(row.line, Record::SignIn(Box::new(s)))
            }
            Err(reason) => sink.reject(row.line, row.raw, reason),
        }
    })?;
    if rows == PORTAL_ROW_CAP {
        sink.truncated(AT_ROW_CAP.to_owned());
    }
    if let Some(steps) = steps.as_ref() {
        report_companion(sink, &companion_file, steps);
    }
    Ok(())
}

fn report_companion(sink: &mut dyn Sink, companion_file: &str, steps: &Steps) {
    if steps.unusable_rows > 0 {
        sink.warn(format!(
            "{companion_file}: {} row(s) without a readable Request ID were ignored",
            steps.unusable_rows
        ));
    }
    let unjoined = steps.unjoined();
    if unjoined > 0 {
        sink.warn(format!(
            "{companion_file}: steps of {unjoined} request id(s) match no sign-in in the \
             sign-ins CSV"
        ));
    }
}

#[cfg(test)]
#[path = "portal_csv_tests.rs"]
mod tests;
