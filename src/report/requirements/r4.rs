//! R4 (evidence rules §7): legacy authentication only with app passwords under enforced
//! per-user MFA. Holds when no successful legacy sign-in is `legacy_single_factor`
//! (rule 7) or `legacy_unverified` (rule 8); `app_password` sign-ins (rule 6) are
//! satisfied.

use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::report::Result;
use crate::report::cell::table;
use crate::report::figures::{Count, Figure, figure};

pub const ID: &str = "R4";
pub const TITLE: &str =
    "legacy authentication only with app passwords under enforced per-user MFA";
/// Whether the verdict depends on R4.
pub const DECIDES: bool = true;
const LEGACY: &str = "r4_legacy";
/// The queries of R4's figures.
pub const QUERIES: [&str; 1] = [LEGACY];
/// The classes of legacy and app-password sign-ins, in the order the report shows them.
pub const CLASSES: [&str; 3] = ["app_password", "legacy_single_factor", "legacy_unverified"];

/// R4's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub app_password: Count,
    pub legacy: Figure<LegacyRow>,
    pub legacy_single_factor: Count,
    pub legacy_unverified: Count,
}

/// A row of `r4_legacy.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyRow {
    pub accounts: u64,
    pub class: String,
    pub client_app_used: String,
    pub sign_ins: u64,
    pub verdict: String,
}
table!(LegacyRow: class, verdict, client_app_used, sign_ins, accounts);

/// Builds R4's figures; returns whether R4 holds.
pub async fn build(cx: &mut Context<'_>) -> Result<(bool, Figures)> {
    let legacy: Figure<LegacyRow> = figure(cx.session, LEGACY, &[]).await?;
    let bad = legacy.sum(|r| r.class != "app_password", |r| r.sign_ins);
    let count = |class: &str| Count::of(legacy.sum(|r| r.class == class, |r| r.sign_ins), &legacy);
    let figures = Figures {
        app_password: count("app_password"),
        legacy_single_factor: count("legacy_single_factor"),
        legacy_unverified: count("legacy_unverified"),
        legacy,
    };
    Ok((bad == 0, figures))
}
