//! R8 (evidence rules §10): every account is covered, including those that did not sign
//! in. Holds when every account of the accounts table (`accounts.rs`) is covered `yes` at
//! the end of the window: security defaults on then, or an enabled MFA POLICY in force then
//! that reaches it for every application. Named: the accounts not covered (with the
//! policies and their reasons), the accounts with no MFA method registered, and the
//! emergency-access accounts with their registered methods (an emergency account may hold
//! none, per the partner FAQ, but must still be covered). Without policy definitions and
//! without security defaults on at the end of the window, R8 cannot be evidenced: it is
//! reported, and the verdict does not count it.

use serde::Serialize;

use super::Built;
use super::accounts::{self, ACCOUNTS, ACCOUNTS_CSV, AccountBrief};
use super::context::Context;
use crate::evidence::timeline::state_at;
use crate::report::Result;
use crate::report::figures::Count;

pub const ID: &str = "R8";
pub const TITLE: &str = "every account is covered, including those that did not sign in";
/// Whether the verdict depends on R8 (when it can be evidenced).
pub const DECIDES: bool = true;
/// The queries of R8's figures.
pub const QUERIES: [&str; 1] = [ACCOUNTS];

/// Accounts R8 names: how many in all and the first of them, in the accounts table's order
/// (all are in `accounts_file`).
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub count: u64,
    pub listed: Vec<AccountBrief>,
    pub query: String,
}

/// R8's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub accounts: Count,
    /// The file with every account and its covered.
    pub accounts_file: &'static str,
    pub covered_at: Option<String>,
    pub covered_no: Count,
    pub covered_unknown: Count,
    pub covered_yes: Count,
    pub emergency_accounts: Named,
    /// Whether policy definitions (or security defaults on at the end) let R8 be judged.
    pub evidenced: bool,
    pub not_covered: Named,
    /// Why R8 could not be evidenced (null when it could).
    pub not_evidenced_because: Option<String>,
    /// Security defaults' state at `covered_at` (on, off, unknown).
    pub security_defaults_at_end: Option<String>,
    pub without_mfa_method: Named,
}

/// Builds R8's figures from the accounts table.
pub async fn build(cx: &mut Context<'_>) -> Result<Built<Figures>> {
    let regime = cx.regime.clone();
    let end = cx.span().map(|(_, end)| end - 1);
    let sd = end.map(|t| state_at(&[&cx.security_defaults], t).state.to_owned());
    let acc = cx.accounts().await?;
    let query = acc.figure.query.clone();
    let count = |n: u64| Count {
        count: n,
        query: query.clone(),
    };
    let named = |p: &accounts::Picked| Named {
        count: p.count,
        listed: p.listed.clone(),
        query: query.clone(),
    };
    let not_evidenced_because = match &sd {
        None => Some("no user sign-in and no --from/--to: there is no window to judge".into()),
        Some(s) if s != "on" && !regime.policies_ingested => Some(
            "no conditional access policy definitions were ingested (policy snapshots or \
             their audit events), and security defaults were not on at the end of the window"
                .into(),
        ),
        Some(_) => None,
    };
    let evidenced = not_evidenced_because.is_none();
    let total = acc.covered_yes + acc.covered_no + acc.covered_unknown;
    let holds = evidenced && acc.covered_yes == total;
    let figures = Figures {
        accounts: count(total),
        accounts_file: ACCOUNTS_CSV,
        covered_at: acc.covered_at.clone(),
        covered_no: count(acc.covered_no),
        covered_unknown: count(acc.covered_unknown),
        covered_yes: count(acc.covered_yes),
        emergency_accounts: named(&acc.emergency),
        evidenced,
        not_covered: named(&acc.not_covered),
        not_evidenced_because,
        security_defaults_at_end: sd,
        without_mfa_method: named(&acc.without_mfa_method),
    };
    Ok(Built {
        holds,
        figures,
        evidenced,
    })
}
