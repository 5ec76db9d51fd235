//! What can be pulled: the four sign-in event types (Graph beta; v1.0 returns interactive
//! sign-ins only), directory audits, per-user MFA state, security defaults, and the policy
//! and directory snapshots — with their URLs, `$filter`s, source names in the lake and the
//! permissions they need.

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use super::client::Need;
use crate::sources::Format;

crate::words::word_enum! {
    /// A `--streams` word.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum Stream {
        SignIns => "signins",
        Audit => "audit",
        MfaState => "mfa-state",
        SecurityDefaults => "security-defaults",
        CaPolicies => "ca-policies",
        NamedLocations => "named-locations",
        Users => "users",
        Registrations => "registrations",
        Groups => "groups",
        RoleAssignments => "role-assignments",
    }
}

impl FromStr for Stream {
    type Err = String;
    fn from_str(s: &str) -> Result<Stream, String> {
        let w = s.trim().to_ascii_lowercase().replace('_', "-");
        let w = match w.as_str() {
            "sign-ins" | "signin" => "signins",
            "audits" | "directory-audits" => "audit",
            "policies" | "conditional-access" => "ca-policies",
            "directory-users" => "users",
            "user-registrations" => "registrations",
            "directory-groups" => "groups",
            other => other,
        };
        Stream::from_word(w).ok_or_else(|| {
            let words: Vec<&str> = Stream::ALL.iter().map(|s| s.as_str()).collect();
            format!("unknown stream {s:?}; expected one of {}", words.join(", "))
        })
    }
}

/// A log stream with a time window and a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStream {
    /// Sign-ins of one `signInEventTypes` value.
    SignIns(&'static str),
    Audits,
}

/// The sign-in event types, each pulled with its own filter.
pub const EVENT_TYPES: [&str; 4] = [
    "interactiveUser",
    "nonInteractiveUser",
    "servicePrincipal",
    "managedIdentity",
];

impl Stream {
    /// The permissions named when Graph answers 403 to a request of this stream.
    pub fn need(self) -> Need {
        let permission = match self {
            Stream::SignIns => {
                "AuditLog.Read.All and Directory.Read.All (and the tenant needs Entra ID P1 or P2 for sign-in logs)"
            }
            Stream::Audit => "AuditLog.Read.All",
            Stream::MfaState => {
                "Policy.Read.All (reading other users' per-user MFA state; Policy.ReadWrite.AuthenticationMethod also grants it)"
            }
            Stream::SecurityDefaults | Stream::CaPolicies | Stream::NamedLocations => {
                "Policy.Read.All"
            }
            Stream::Users => "User.Read.All (or Directory.Read.All)",
            Stream::Registrations => "AuditLog.Read.All (and the tenant needs Entra ID P1 or P2)",
            Stream::Groups => "GroupMember.Read.All (or Directory.Read.All)",
            Stream::RoleAssignments => "RoleManagement.Read.Directory (or Directory.Read.All)",
        };
        Need { permission }
    }
}

/// A policy or directory snapshot stream: one listing, paged by `@odata.nextLink`.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotStream {
    pub stream: Stream,
    /// The path under the Graph root.
    pub path: &'static str,
    /// The query of the first page, if any.
    pub query: &'static str,
    /// The source that reads its pages.
    pub format: Format,
}

/// The policy and directory snapshot stream of a `--streams` word, if it is one.
pub fn snapshot_stream(stream: Stream) -> Option<SnapshotStream> {
    let (path, query, format) = match stream {
        Stream::CaPolicies => (
            "/v1.0/identity/conditionalAccess/policies",
            "",
            Format::CaPolicies,
        ),
        Stream::NamedLocations => (
            "/v1.0/identity/conditionalAccess/namedLocations",
            "",
            Format::NamedLocations,
        ),
        Stream::Users => (
            "/v1.0/users",
            // The fields the `directory_users` table keeps.
            "$select=id,userPrincipalName,displayName,userType,accountEnabled,createdDateTime,onPremisesSyncEnabled&$top=999",
            Format::DirectoryUsers,
        ),
        Stream::Registrations => (
            "/v1.0/reports/authenticationMethods/userRegistrationDetails",
            "",
            Format::UserRegistrations,
        ),
        Stream::Groups => (
            "/v1.0/groups",
            "$select=id,displayName&$expand=members($select=id)&$top=999",
            Format::DirectoryGroups,
        ),
        Stream::RoleAssignments => (
            "/v1.0/roleManagement/directory/roleAssignments",
            "",
            Format::RoleAssignments,
        ),
        _ => return None,
    };
    Some(SnapshotStream {
        stream,
        path,
        query,
        format,
    })
}

impl SnapshotStream {
    /// The first page, under the Graph root `root`.
    pub fn url(self, root: &str) -> String {
        match self.query {
            "" => format!("{root}{}", self.path),
            q => format!("{root}{}?{q}", self.path),
        }
    }

    /// The source name of page `page` in the lake: the path, never a host or skip token.
    pub fn source_name(self, page: u64) -> String {
        format!("graph:{}#page={page}", self.path)
    }
}

/// `2026-11-03T08:00:00Z`: the form Graph's `$filter` takes.
pub fn odata_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl LogStream {
    /// The checkpoint key.
    pub fn key(self) -> String {
        match self {
            LogStream::SignIns(t) => format!("sign-ins/{t}"),
            LogStream::Audits => "audit".to_string(),
        }
    }

    /// For messages.
    pub fn label(self) -> String {
        match self {
            LogStream::SignIns(t) => format!("sign-ins ({t})"),
            LogStream::Audits => "directory audits".to_string(),
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            LogStream::SignIns(_) => "/beta/auditLogs/signIns",
            LogStream::Audits => "/v1.0/auditLogs/directoryAudits",
        }
    }

    pub fn need(self) -> Need {
        match self {
            LogStream::SignIns(_) => Stream::SignIns.need(),
            LogStream::Audits => Stream::Audit.need(),
        }
    }

    /// The largest page each API allows.
    fn top(self) -> u32 {
        match self {
            LogStream::SignIns(_) => 1000,
            LogStream::Audits => 999,
        }
    }

    /// The `$filter` of a slice: both bounds inclusive (an event on a slice boundary is
    /// read twice and deduplicated).
    pub fn filter(self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let (s, e) = (odata_time(start), odata_time(end));
        match self {
            LogStream::SignIns(t) => format!(
                "createdDateTime ge {s} and createdDateTime le {e} and signInEventTypes/any(t: t eq '{t}')"
            ),
            LogStream::Audits => {
                format!("activityDateTime ge {s} and activityDateTime le {e}")
            }
        }
    }

    /// The first page of a slice, under the Graph root `root`.
    pub fn url(self, root: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        format!(
            "{root}{}?$filter={}&$top={}",
            self.path(),
            query_encode(&self.filter(start, end)),
            self.top()
        )
    }

    /// The source name of a slice's pages in the lake (`source_file`, manifest, quarantine):
    /// path and filter, never a host, token or skip token.
    pub fn source_name(self, start: DateTime<Utc>, end: DateTime<Utc>, page: u64) -> String {
        format!(
            "graph:{}?$filter={}#page={page}",
            self.path(),
            self.filter(start, end)
        )
    }
}

/// Percent-encodes a query value (spaces as `%20`, never `+`).
pub fn query_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b':'
            | b'\''
            | b'('
            | b')'
            | b'/'
            | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The part of a Graph collection page the puller reads itself; `value` is left to the
/// sources.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    #[serde(default)]
    value: Option<serde::de::IgnoredAny>,
}

impl Envelope {
    /// Reads a page's envelope; `None` when the body is not a JSON object with `value`.
    pub fn of(body: &[u8]) -> Option<Envelope> {
        serde_json::from_slice::<Envelope>(body)
            .ok()
            .filter(|e| e.value.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_filters_and_names() {
        let s = DateTime::parse_from_rfc3339("2026-11-01T00:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = DateTime::parse_from_rfc3339("2026-11-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let st = LogStream::SignIns("nonInteractiveUser");
        assert_eq!(
            st.url("https://graph.example", s, e),
            "https://graph.example/beta/auditLogs/signIns?$filter=createdDateTime%20ge%202026-11-01T00:00:00Z%20and%20createdDateTime%20le%202026-11-02T00:00:00Z%20and%20signInEventTypes/any(t:%20t%20eq%20'nonInteractiveUser')&$top=1000"
        );
        assert_eq!(
            LogStream::Audits.source_name(s, e, 3),
            "graph:/v1.0/auditLogs/directoryAudits?$filter=activityDateTime ge 2026-11-01T00:00:00Z and activityDateTime le 2026-11-02T00:00:00Z#page=3"
        );
        assert_eq!("Sign-Ins".parse::<Stream>(), Ok(Stream::SignIns));
        assert!("everything".parse::<Stream>().is_err());
    }

    #[test]
    fn envelopes() {
        let p =
            br#"{"@odata.context":"x","value":[{"id":"a"}],"@odata.nextLink":"https://g/next"}"#;
        assert_eq!(
            Envelope::of(p).unwrap().next_link.as_deref(),
            Some("https://g/next")
        );
        assert!(
            Envelope::of(br#"{"value":[]}"#)
                .unwrap()
                .next_link
                .is_none()
        );
        assert!(Envelope::of(br#"{"value":[{"id":"a"},"#).is_none());
        assert!(Envelope::of(br#"{"error":{"code":"x"}}"#).is_none());
    }
}
