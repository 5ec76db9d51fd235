//! R3 (evidence rules §7): no location exemption. Holds when no sign-in skipped MFA
//! because of a trusted location or IP (class `mfa_skipped_location`, rule 9); every such
//! skip is listed per account and reason.

use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::report::Result;
use crate::report::cell::table;
use crate::report::figures::{Count, Figure};
use crate::report::listing::{self, Listed};

pub const ID: &str = "R3";
pub const TITLE: &str = "no location exemption";
/// Whether the verdict depends on R3.
pub const DECIDES: bool = true;
const SKIPS: &str = "r3_location_skips";
/// The queries of R3's figures.
pub const QUERIES: [&str; 1] = [SKIPS];
/// The CSV file with every location skip (report.json lists the first).
pub const LOCATION_CSV: &str = "location_skips.csv";

/// R3's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub location_skips: Figure<LocationSkipRow>,
    pub sign_ins: Count,
}

/// A row of `r3_location_skips.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationSkipRow {
    pub first_seen: String,
    pub last_seen: String,
    pub reason: Option<String>,
    pub sign_ins: u64,
    pub user_principal_name: String,
}
table!(LocationSkipRow: user_principal_name, reason, sign_ins, first_seen, last_seen);

impl Listed for LocationSkipRow {}

/// Builds R3's figures, streaming every skip into `location_skips.csv`; returns whether
/// R3 holds.
pub async fn build(cx: &mut Context<'_>) -> Result<(bool, Figures)> {
    let (mut skips, mut sign_ins) = (0u64, 0);
    let listing = cx.listing(SKIPS, LOCATION_CSV);
    let location_skips = listing::stream(cx.session, &listing, |row: &mut LocationSkipRow| {
        skips += 1;
        sign_ins += row.sign_ins;
        false
    })
    .await?;
    cx.keep_csv(&location_skips, LOCATION_CSV)?;
    let figures = Figures {
        sign_ins: Count::of(sign_ins, &location_skips),
        location_skips,
    };
    Ok((skips == 0, figures))
}
