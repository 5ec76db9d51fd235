//! R2 (evidence rules §7): no account is excluded. Every account that signed in is
//! listed; emergency-access and technical accounts (configured, and by default the
//! directory synchronisation accounts) are marked and must satisfy R1 too: R2 holds when
//! none of them has a violating or unproven sign-in.

use glob::{MatchOptions, Pattern};
use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::report::Result;
use crate::report::cell::{AsCell, Cell, table};
use crate::report::figures::{Count, Figure};
use crate::report::listing::{self, Listed};

pub const ID: &str = "R2";
pub const TITLE: &str =
    "no account is excluded; emergency-access and technical accounts satisfy R1 too";
/// Whether the verdict depends on R2.
pub const DECIDES: bool = true;
const ACCOUNTS: &str = "r2_accounts";
/// The queries of R2's figures.
pub const QUERIES: [&str; 1] = [ACCOUNTS];
/// The CSV file with every account (report.json lists the first).
pub const ACCOUNTS_CSV: &str = "accounts.csv";
/// The display name of the Azure AD Connect sync account (a default technical account).
pub const SYNC_DISPLAY_NAME: &str = "On-Premises Directory Synchronization Service Account";

/// R2's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub accounts: Figure<AccountRow>,
    pub accounts_with_problems: Count,
    pub emergency_accounts_configured: Vec<String>,
    pub emergency_accounts_without_sign_ins: Vec<String>,
    pub special_account_problems: Count,
    pub technical_accounts_configured: Vec<String>,
}

/// A row of `r2_accounts.sql`, plus whether the account is a special one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRow {
    pub accepted: u64,
    pub first_seen: String,
    pub last_seen: String,
    pub not_applicable: u64,
    pub satisfied: u64,
    pub sign_ins: u64,
    /// Added by the report, not a column of the query.
    #[serde(skip_deserializing)]
    pub special: Option<Special>,
    pub unproven: u64,
    pub user_display_name: Option<String>,
    pub user_id: String,
    pub user_principal_name: String,
    pub violation: u64,
}
table!(AccountRow: user_principal_name, user_display_name, special, sign_ins, satisfied, accepted, violation, unproven, first_seen, last_seen);

impl AccountRow {
    /// Violating and unproven sign-ins.
    pub fn problems(&self) -> u64 {
        self.violation + self.unproven
    }
}

impl Listed for AccountRow {
    const ADDED: &'static [&'static str] = &["special"];
    fn added(&self) -> Vec<&str> {
        vec![self.special.map_or("", Special::word)]
    }
}

/// An account R2 lists on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Special {
    EmergencyAccess,
    Technical,
}

impl Special {
    pub fn word(self) -> &'static str {
        match self {
            Special::EmergencyAccess => "emergency_access",
            Special::Technical => "technical",
        }
    }
}

impl AsCell for Special {
    fn cell(&self) -> Cell<'_> {
        Cell::Text(self.word())
    }
}

/// The account patterns of the command line (each a UPN or a glob), compiled once: every
/// account is tested against them.
struct Globs(Vec<(String, Option<Pattern>)>);

impl Globs {
    fn new(patterns: &[String]) -> Globs {
        Globs(
            patterns
                .iter()
                .map(|p| (p.clone(), Pattern::new(p).ok()))
                .collect(),
        )
    }

    /// Whether each pattern matches `value`, case-insensitively.
    fn hits<'a>(&'a self, value: &'a str) -> impl Iterator<Item = bool> + 'a {
        let opts = MatchOptions {
            case_sensitive: false,
            ..MatchOptions::default()
        };
        self.0.iter().map(move |(text, glob)| {
            text.eq_ignore_ascii_case(value)
                || glob.as_ref().is_some_and(|g| g.matches_with(value, opts))
        })
    }
}

/// Whether an account is technical: by default (UPN starting `Sync_`, the sync service
/// account's display name) or by a `--technical-account` pattern.
fn is_technical(row: &AccountRow, technical: &Globs) -> bool {
    let upn = &row.user_principal_name;
    upn.to_lowercase().starts_with("sync_")
        || row
            .user_display_name
            .as_deref()
            .is_some_and(|n| n.trim().eq_ignore_ascii_case(SYNC_DISPLAY_NAME))
        || technical.hits(upn).any(|hit| hit)
}

/// Builds R2's figures, streaming every account into `accounts.csv`; returns whether R2
/// holds.
pub async fn build(cx: &mut Context<'_>) -> Result<(bool, Figures)> {
    let opts = cx.opts;
    let (mut special_problems, mut with_problems) = (0, 0);
    let mut seen_emergency = vec![false; opts.emergency_accounts.len()];
    let emergency = Globs::new(&opts.emergency_accounts);
    let technical = Globs::new(&opts.technical_accounts);
    let listing = cx.listing(ACCOUNTS, ACCOUNTS_CSV);
    let accounts = listing::stream(cx.session, &listing, |row: &mut AccountRow| {
        let problems = row.problems();
        with_problems += u64::from(problems > 0);
        let mut is_emergency = false;
        for (seen, hit) in seen_emergency
            .iter_mut()
            .zip(emergency.hits(&row.user_principal_name))
        {
            *seen |= hit;
            is_emergency |= hit;
        }
        row.special = if is_emergency {
            Some(Special::EmergencyAccess)
        } else {
            is_technical(row, &technical).then_some(Special::Technical)
        };
        if row.special.is_some() {
            special_problems += problems;
        }
        row.special.is_some()
    })
    .await?;
    cx.keep_csv(&accounts, ACCOUNTS_CSV)?;
    let unseen = opts.emergency_accounts.iter().zip(&seen_emergency);
    let figures = Figures {
        special_account_problems: Count::of(special_problems, &accounts),
        accounts_with_problems: Count::of(with_problems, &accounts),
        emergency_accounts_configured: opts.emergency_accounts.clone(),
        technical_accounts_configured: opts.technical_accounts.clone(),
        emergency_accounts_without_sign_ins: unseen
            .filter(|(_, seen)| !**seen)
            .map(|(p, _)| p.clone())
            .collect(),
        accounts,
    };
    Ok((special_problems == 0, figures))
}
