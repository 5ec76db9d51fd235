//! The accounts table (evidence rules §10) that R2 and R8 share: every account of
//! `queries/accounts.sql` streamed once into `accounts.csv`, each marked as emergency-access
//! or technical, and the tallies both requirements read, taken over every row as it passes.

use glob::{MatchOptions, Pattern};
use serde::{Deserialize, Serialize};

use datafusion::prelude::SessionContext;

use crate::evidence::queries;
use crate::report::Result;
use crate::report::cell::{AsCell, Cell, table};
use crate::report::figures::Figure;
use crate::report::listing::{self, Listed, Listing};
use crate::report::options::Options;

/// The query of the accounts table.
pub const ACCOUNTS: &str = "accounts";
/// The CSV file with every account (report.json lists the first).
pub const ACCOUNTS_CSV: &str = "accounts.csv";
/// The display name of the Azure AD Connect sync account (a default technical account).
pub const SYNC_DISPLAY_NAME: &str = "On-Premises Directory Synchronization Service Account";

/// A row of `accounts.sql`, plus whether the account is a special one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRow {
    pub accepted: u64,
    pub account_enabled: bool,
    pub covered: String,
    pub covered_because: String,
    pub directory_sync_role: bool,
    pub first_sign_in: Option<String>,
    pub in_directory: bool,
    pub last_sign_in: Option<String>,
    pub methods: Option<String>,
    pub mfa_capable: Option<bool>,
    pub mfa_registered: Option<bool>,
    pub not_applicable: u64,
    pub satisfied: u64,
    pub sign_ins: u64,
    /// Added by the report, not a column of the query.
    #[serde(skip_deserializing)]
    pub special: Option<Special>,
    pub status: String,
    pub unproven: u64,
    pub user_display_name: Option<String>,
    pub user_id: String,
    pub user_principal_name: String,
    pub user_type: Option<String>,
    pub violation: u64,
}
table!(AccountRow: user_principal_name, status, covered, special, user_display_name, mfa_registered, methods, sign_ins, violation, unproven, last_sign_in, covered_because);

impl AccountRow {
    /// Violating and unproven sign-ins.
    pub fn problems(&self) -> u64 {
        self.violation + self.unproven
    }

    /// Whether the directory's registration details say it has no MFA method.
    pub fn without_mfa_method(&self) -> bool {
        self.mfa_registered == Some(false)
    }
}

impl Listed for AccountRow {
    const ADDED: &'static [&'static str] = &["special"];
    fn added(&self) -> Vec<&str> {
        vec![self.special.map_or("", Special::word)]
    }
}

/// An account R2 and R8 list on their own.
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

/// One account as R8 names it (fields in key order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountBrief {
    pub covered: String,
    pub covered_because: String,
    pub methods: Option<String>,
    pub mfa_registered: Option<bool>,
    pub special: Option<Special>,
    pub status: String,
    pub user_id: String,
    pub user_principal_name: String,
}
table!(AccountBrief: user_principal_name, special, covered, covered_because, mfa_registered, methods, status);

impl AccountBrief {
    fn of(row: &AccountRow) -> AccountBrief {
        AccountBrief {
            covered: row.covered.clone(),
            covered_because: row.covered_because.clone(),
            methods: row.methods.clone(),
            mfa_registered: row.mfa_registered,
            special: row.special,
            status: row.status.clone(),
            user_id: row.user_id.clone(),
            user_principal_name: row.user_principal_name.clone(),
        }
    }
}

/// Accounts picked out of the table: how many in all, and the first of them.
#[derive(Debug, Clone, Default)]
pub struct Picked {
    pub count: u64,
    pub listed: Vec<AccountBrief>,
}

impl Picked {
    fn add(&mut self, row: &AccountRow, cap: usize) {
        self.count += 1;
        if self.listed.len() < cap {
            self.listed.push(AccountBrief::of(row));
        }
    }
}

/// The accounts table and what R2 and R8 read from it, over every row.
#[derive(Debug, Clone)]
pub struct Accounts {
    pub figure: Figure<AccountRow>,
    /// The instant covered was judged at (none without a window).
    pub covered_at: Option<String>,
    pub with_problems: u64,
    pub special_problems: u64,
    /// Per `--emergency-account` pattern: whether an account it names signed in.
    pub emergency_signed_in: Vec<bool>,
    pub covered_yes: u64,
    pub covered_no: u64,
    pub covered_unknown: u64,
    pub not_covered: Picked,
    pub without_mfa_method: Picked,
    pub emergency: Picked,
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
/// account's display name, a holder of the Directory Synchronization Accounts role) or by
/// a `--technical-account` pattern (how Teams Rooms resource accounts are named: the
/// directory does not mark them).
fn is_technical(row: &AccountRow, technical: &Globs) -> bool {
    let upn = &row.user_principal_name;
    upn.to_lowercase().starts_with("sync_")
        || row.directory_sync_role
        || row
            .user_display_name
            .as_deref()
            .is_some_and(|n| n.trim().eq_ignore_ascii_case(SYNC_DISPLAY_NAME))
        || technical.hits(upn).any(|hit| hit)
}

impl Accounts {
    fn new(figure: Figure<AccountRow>, covered_at: Option<String>, patterns: usize) -> Accounts {
        Accounts {
            figure,
            covered_at,
            with_problems: 0,
            special_problems: 0,
            emergency_signed_in: vec![false; patterns],
            covered_yes: 0,
            covered_no: 0,
            covered_unknown: 0,
            not_covered: Picked::default(),
            without_mfa_method: Picked::default(),
            emergency: Picked::default(),
        }
    }

    /// Tallies one row (already marked special).
    fn tally(&mut self, row: &AccountRow, cap: usize) {
        let problems = row.problems();
        self.with_problems += u64::from(problems > 0);
        if row.special.is_some() {
            self.special_problems += problems;
        }
        match row.covered.as_str() {
            "yes" => self.covered_yes += 1,
            "no" => self.covered_no += 1,
            _ => self.covered_unknown += 1,
        }
        if row.covered != "yes" {
            self.not_covered.add(row, cap);
        }
        if row.without_mfa_method() {
            self.without_mfa_method.add(row, cap);
        }
        if row.special == Some(Special::EmergencyAccess) {
            self.emergency.add(row, cap);
        }
    }
}

/// Streams the accounts table of `listing` (its `covered_at` parameter set here to the
/// instant `covered_at`, in microseconds) into its CSV file, marking and tallying every row.
pub async fn build(
    session: &SessionContext,
    mut listing: Listing,
    opts: &Options,
    covered_at: Option<i64>,
) -> Result<Accounts> {
    let cap = opts.listed_rows;
    let emergency = Globs::new(&opts.emergency_accounts);
    let technical = Globs::new(&opts.technical_accounts);
    let at_text = covered_at.map(crate::evidence::cells::format_micros);
    let literal = at_text.as_deref().map_or("NULL".into(), queries::literal);
    listing.params = vec![("covered_at", literal)];
    let mut acc = Accounts::new(
        Figure::whole(String::new(), Vec::new()),
        at_text,
        opts.emergency_accounts.len(),
    );
    let figure = listing::stream(session, &listing, |row: &mut AccountRow| {
        let mut is_emergency = false;
        for (signed_in, hit) in acc
            .emergency_signed_in
            .iter_mut()
            .zip(emergency.hits(&row.user_principal_name))
        {
            *signed_in |= hit && row.sign_ins > 0;
            is_emergency |= hit;
        }
        row.special = if is_emergency {
            Some(Special::EmergencyAccess)
        } else {
            is_technical(row, &technical).then_some(Special::Technical)
        };
        acc.tally(row, cap);
        // R8 names the accounts not covered in its own lists.
        row.special.is_some()
    })
    .await?;
    acc.figure = figure;
    Ok(acc)
}
