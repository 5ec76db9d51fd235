//! The rows of the figures more than one part of the report reads: each struct has the
//! columns of its query (`read` fills it by name), its fields in key order because
//! `report.json`'s keys are sorted. The rows of one requirement live in its module.

use serde::{Deserialize, Serialize};

use super::cell::table;

/// The user event types R1, R2 and R6 are about.
pub const USER_EVENT_TYPES: [&str; 2] = ["interactive_user", "non_interactive_user"];

/// Whether a verdict is a problem (R1 and the problem list).
pub fn is_problem(verdict: &str) -> bool {
    matches!(verdict, "violation" | "unproven")
}

/// A row of `r1_sign_ins_by_class.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRow {
    pub class: String,
    pub event_type: String,
    pub sign_ins: u64,
    pub user_type: String,
    pub verdict: String,
}
table!(ClassRow: event_type, user_type, class, verdict, sign_ins);

impl ClassRow {
    /// Whether the sign-ins are of users (not workload identities).
    pub fn is_user(&self) -> bool {
        USER_EVENT_TYPES.contains(&self.event_type.as_str())
    }
}

/// A row of `r6_coverage.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub days_with_data: u64,
    pub event_type: String,
    pub first_sign_in: String,
    pub last_sign_in: String,
    pub sign_ins: u64,
}
table!(CoverageRow: event_type, sign_ins, first_sign_in, last_sign_in, days_with_data);

/// A row of `r1_problems.sql`: a violating or unproven sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemRow {
    pub class: String,
    pub created_at: String,
    pub event_type: String,
    pub id: String,
    pub origin_sign_in_id: Option<String>,
    pub provisional: bool,
    pub reason: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_type: Option<String>,
    pub verdict: String,
}
table!(ProblemRow: created_at, id, user_principal_name, event_type, class, verdict, reason, provisional);

/// A row of `report_tenants.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantRow {
    pub sign_ins: u64,
    pub tenant_id: String,
}
