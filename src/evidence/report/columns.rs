//! The columns each report table shows, in order: one list per table, shared by
//! `report.md` and `report.html` so the two renderings cannot drift apart.

/// The per-account table (R2).
pub const ACCOUNTS: [&str; 10] = [
    "user_principal_name",
    "user_display_name",
    "special",
    "sign_ins",
    "satisfied",
    "accepted",
    "violation",
    "unproven",
    "first_seen",
    "last_seen",
];

/// The regime changes in the window (R5).
pub const CHANGES: [&str; 8] = [
    "at",
    "family",
    "activity",
    "target",
    "initiated_by",
    "old_state",
    "new_state",
    "audit_id",
];

/// The first violating or unproven sign-ins (R1).
pub const PROBLEMS: [&str; 8] = [
    "created_at",
    "id",
    "user_principal_name",
    "event_type",
    "class",
    "verdict",
    "reason",
    "provisional",
];
