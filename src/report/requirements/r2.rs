//! R2 (evidence rules §7): no account is excluded. Every account is listed (§10's accounts
//! table, `accounts.rs`: the directory's enabled accounts and every account that signed
//! in); emergency-access and technical accounts (configured, and by default the directory
//! synchronisation accounts) are marked and must satisfy R1 too: R2 holds when none of them
//! has a violating or unproven sign-in.

use serde::Serialize;

use super::accounts::ACCOUNTS;
use super::context::Context;
use crate::report::Result;
use crate::report::figures::{Count, Figure};

pub use super::accounts::{ACCOUNTS_CSV, AccountBrief, AccountRow, SYNC_DISPLAY_NAME, Special};

pub const ID: &str = "R2";
pub const TITLE: &str =
    "no account is excluded; emergency-access and technical accounts satisfy R1 too";
/// Whether the verdict depends on R2.
pub const DECIDES: bool = true;
/// The queries of R2's figures.
pub const QUERIES: [&str; 1] = [ACCOUNTS];

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

/// Builds R2's figures from the accounts table; returns whether R2 holds.
pub async fn build(cx: &mut Context<'_>) -> Result<(bool, Figures)> {
    let opts = cx.opts;
    let acc = cx.accounts().await?;
    let accounts = acc.figure.clone();
    let unseen = opts.emergency_accounts.iter().zip(&acc.emergency_signed_in);
    let figures = Figures {
        special_account_problems: Count::of(acc.special_problems, &accounts),
        accounts_with_problems: Count::of(acc.with_problems, &accounts),
        emergency_accounts_configured: opts.emergency_accounts.clone(),
        technical_accounts_configured: opts.technical_accounts.clone(),
        emergency_accounts_without_sign_ins: unseen
            .filter(|(_, seen)| !**seen)
            .map(|(p, _)| p.clone())
            .collect(),
        accounts,
    };
    Ok((acc.special_problems == 0, figures))
}
