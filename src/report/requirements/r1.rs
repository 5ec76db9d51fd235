//! R1 (evidence rules §7): every successful user sign-in shows MFA. Holds when no
//! interactive or non-interactive user sign-in (members and guests) is a violation or
//! unproven; the figures are the full breakdown by class and the MFA method mix.

use serde::{Deserialize, Serialize};

use super::context::{BY_CLASS, Context};
use crate::report::Result;
use crate::report::figures::{Count, Figure, figure};
use crate::report::rows::{ClassRow, is_problem};

pub const ID: &str = "R1";
pub const TITLE: &str = "every successful user sign-in (members and guests, interactive and non-interactive) shows MFA";
/// Whether the verdict depends on R1.
pub const DECIDES: bool = true;
const METHODS: &str = "r1_mfa_methods";
/// The queries of R1's figures.
pub const QUERIES: [&str; 2] = [BY_CLASS, METHODS];

/// R1's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
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

/// Builds R1's figures; returns whether R1 holds.
pub async fn build(cx: &mut Context<'_>) -> Result<(bool, Figures)> {
    let by_class = cx.by_class.clone();
    let problems = by_class.sum(|r| r.is_user() && is_problem(&r.verdict), |r| r.sign_ins);
    let figures = Figures {
        mfa_methods: figure(cx.session, METHODS, &[]).await?,
        violating_or_unproven_user_sign_ins: Count::of(problems, &by_class),
        sign_ins_by_class: by_class,
    };
    Ok((problems == 0, figures))
}
