//! R1 (evidence rules §7): every successful user sign-in shows MFA. Holds when no
//! interactive or non-interactive user sign-in (members and guests) is a violation or
//! unproven; the figures are the full breakdown by class, the MFA method mix, and the
//! verdicts per application (resource), the ones the partner requirements name called out.

use serde::{Deserialize, Serialize};

use super::context::{BY_CLASS, Context};
use crate::report::Result;
use crate::report::cell::table;
use crate::report::figures::{Count, Figure, figure};
use crate::report::rows::{ClassRow, is_problem};

pub const ID: &str = "R1";
pub const TITLE: &str = "every successful user sign-in (members and guests, interactive and non-interactive) shows MFA";
/// Whether the verdict depends on R1.
pub const DECIDES: bool = true;
const METHODS: &str = "r1_mfa_methods";
const BY_APPLICATION: &str = "r1_by_application";
/// The queries of R1's figures.
pub const QUERIES: [&str; 3] = [BY_CLASS, METHODS, BY_APPLICATION];

/// R1's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub by_application: Figure<ApplicationRow>,
    pub mfa_methods: Figure<MethodRow>,
    pub sign_ins_by_class: Figure<ClassRow>,
    pub violating_or_unproven_user_sign_ins: Count,
}

/// A row of `r1_mfa_methods.sql`: the strong method or second factor that matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodRow {
    /// `strong` or `second_factor`.
    pub kind: String,
    pub method: String,
    pub sign_ins: u64,
}

/// A row of `r1_by_application.sql`: one resource's user sign-ins by verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRow {
    pub accepted: u64,
    pub not_applicable: u64,
    /// The name the partner requirements' list gives it (null for the others).
    pub partner_app: Option<String>,
    pub resource_display_name: Option<String>,
    pub resource_id: String,
    pub satisfied: u64,
    pub sign_ins: u64,
    pub unproven: u64,
    pub violation: u64,
}
table!(ApplicationRow: partner_app, resource_display_name, resource_id, sign_ins, satisfied, accepted, violation, unproven, not_applicable);

/// Builds R1's figures; returns whether R1 holds.
pub async fn build(cx: &mut Context<'_>) -> Result<(bool, Figures)> {
    let by_class = cx.by_class.clone();
    let problems = by_class.sum(|r| r.is_user() && is_problem(&r.verdict), |r| r.sign_ins);
    let figures = Figures {
        by_application: figure(cx.session, BY_APPLICATION, &[]).await?,
        mfa_methods: figure(cx.session, METHODS, &[]).await?,
        violating_or_unproven_user_sign_ins: Count::of(problems, &by_class),
        sign_ins_by_class: by_class,
    };
    Ok((problems == 0, figures))
}
