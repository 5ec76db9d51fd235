//! R5 (evidence rules §7): the regime and its changes are known. Reported for the
//! auditor, not part of the verdict. Holds when security defaults are known (on or off)
//! at the window start (§4) and every security-defaults and per-user MFA change in the
//! window has a recognised new state; the figures are the state at the start and every
//! audit change to the regime, counted per day for the timeline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::report::Result;
use crate::evidence::queries;
use crate::report::cell::table;
use crate::report::figures::{Figure, figure};
use crate::report::listing::{self, Listed};

pub const ID: &str = "R5";
pub const TITLE: &str = "the regime and its changes are known";
/// Whether the verdict depends on R5: no, it is reported for the auditor.
pub const DECIDES: bool = false;
const AT_START: &str = "r5_regime_at_start";
const CHANGES: &str = "regime_changes";
/// The queries of R5's figures.
pub const QUERIES: [&str; 2] = [AT_START, CHANGES];
/// The CSV file with every regime change (report.json lists the first).
pub const CHANGES_CSV: &str = "regime_changes.csv";

/// R5's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub changes: Figure<ChangeRow>,
    /// Every change counted per day and family (from all changes, listed or not).
    pub changes_per_day: Figure<ChangesPerDay>,
    /// None without a window.
    pub regime_at_window_start: Option<Figure<RegimeAtStart>>,
}

/// A row of `regime_changes.sql`: one audit change to the regime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub activity: Option<String>,
    pub at: String,
    pub audit_id: String,
    /// `security_defaults`, `per_user_mfa`, `conditional_access`, `auth_methods` or
    /// `app_passwords`.
    pub family: String,
    pub initiated_by: Option<String>,
    pub new_state: Option<String>,
    pub old_state: Option<String>,
    pub target: Option<String>,
}
table!(ChangeRow: at, family, activity, target, initiated_by, old_state, new_state, audit_id);

impl Listed for ChangeRow {}

impl ChangeRow {
    /// Whether the change decides the regime (security defaults, per-user MFA) and its
    /// new state is not known.
    pub fn unknown(&self) -> bool {
        matches!(self.family.as_str(), "security_defaults" | "per_user_mfa")
            && matches!(self.new_state.as_deref(), None | Some("" | "unknown"))
    }
}

/// The changes of one family on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangesPerDay {
    pub changes: u64,
    pub date: String,
    pub family: String,
}

/// A row of `r5_regime_at_start.sql`: security defaults at the window start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegimeAtStart {
    pub at: String,
    pub security_defaults: Option<String>,
    pub source: Option<String>,
}
table!(RegimeAtStart: at, security_defaults, source);

/// Builds R5's figures, streaming every change into `regime_changes.csv`; returns whether
/// R5 holds.
pub async fn build(cx: &mut Context<'_>) -> Result<(bool, Figures)> {
    let mut changes_known = true;
    let mut per_day: BTreeMap<(String, String), u64> = BTreeMap::new();
    let listing = cx.listing(CHANGES, CHANGES_CSV);
    let changes = listing::stream(cx.session, &listing, |row: &mut ChangeRow| {
        let unknown = row.unknown();
        changes_known &= !unknown;
        let date = row.at.get(..10).unwrap_or("").to_owned();
        *per_day.entry((date, row.family.clone())).or_default() += 1;
        // The band of the timeline needs every security-defaults change, and an auditor
        // every change whose state is unknown (they are why R5 fails).
        row.family == "security_defaults" || unknown
    })
    .await?;
    cx.keep_csv(&changes, CHANGES_CSV)?;
    let per_day = per_day
        .into_iter()
        .map(|((date, family), changes)| ChangesPerDay {
            changes,
            date,
            family,
        })
        .collect();
    let at_start = match cx.window {
        Some((from, _)) => {
            let start = from.format("%Y-%m-%dT00:00:00").to_string();
            let params = [("window_start", queries::literal(&start))];
            Some(figure::<RegimeAtStart>(cx.session, AT_START, &params).await?)
        }
        None => None,
    };
    let start_known = at_start
        .as_ref()
        .and_then(|f| f.rows.first())
        .is_some_and(|r| matches!(r.security_defaults.as_deref(), Some("on" | "off")));
    let figures = Figures {
        changes_per_day: Figure::whole(changes.query.clone(), per_day),
        changes,
        regime_at_window_start: at_start,
    };
    Ok((start_known && changes_known, figures))
}
