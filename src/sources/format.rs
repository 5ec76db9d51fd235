//! The input formats mfaproof reads, by the word `--format` and `source_format` use, and
//! what detection can say of an input (`detect.rs` decides it from the first bytes).

use std::str::FromStr;

crate::words::word_enum! {
    /// Every input format mfaproof reads.
    ///
    /// Its word is the one stored in `source_format` and accepted by `--format`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Format {
        /// Graph `signIn` / `directoryAudit` objects: a response page, a JSON array or NDJSON
        /// (the Entra admin center JSON download is such an array).
        Graph => "graph",
        /// Azure Monitor diagnostic-settings records (`PT1H.json` lines, `{"records":[…]}`).
        AzureMonitor => "azure-monitor",
        /// Log Analytics tables exported to CSV or as JSON rows (PascalCase columns).
        LogAnalytics => "log-analytics",
        /// Entra admin center sign-ins CSV download.
        PortalCsv => "portal-csv",
        /// The admin center's authentication-details CSV (read with its sign-ins CSV).
        PortalAuthDetails => "portal-auth-details",
        /// Per-user MFA state snapshot CSV.
        MfaStateCsv => "mfa-state-csv",
        /// Per-user MFA state snapshot JSON (written by the Graph puller).
        MfaStateJson => "mfa-state-json",
        /// Security-defaults snapshot (JSON `isEnabled`/`is_enabled`, or CSV).
        SecurityDefaults => "security-defaults",
        /// Graph `identity/conditionalAccess/policies` body.
        CaPolicies => "ca-policies",
        /// Graph `identity/conditionalAccess/namedLocations` body.
        NamedLocations => "named-locations",
        /// Graph `users` body.
        DirectoryUsers => "directory-users",
        /// Graph `reports/authenticationMethods/userRegistrationDetails` body.
        UserRegistrations => "user-registrations",
        /// Graph `groups?$expand=members($select=id)` body.
        DirectoryGroups => "directory-groups",
        /// Graph `roleManagement/directory/roleAssignments` body.
        RoleAssignments => "role-assignments",
    }
}

/// What an input's first bytes say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detection {
    /// A format mfaproof reads.
    Format(Format),
    /// JSON of a kind mfaproof does not read (another Graph resource, objects of no known
    /// shape): what it is, for the message. Never guessed into sign-ins.
    Unread(String),
    /// Not an input mfaproof knows at all.
    Unknown,
}

impl Detection {
    /// The format, when it is one mfaproof reads.
    pub fn format(&self) -> Option<Format> {
        match self {
            Detection::Format(f) => Some(*f),
            _ => None,
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        let word = s.trim().to_ascii_lowercase().replace('_', "-");
        let word = match word.as_str() {
            "portal-json" => "graph",
            other => other,
        };
        Format::from_word(word).ok_or_else(|| {
            let names: Vec<_> = Format::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown format {s:?}; expected one of {}", names.join(", "))
        })
    }
}
