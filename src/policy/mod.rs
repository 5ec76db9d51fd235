//! Conditional access policies as the evidence rules read them (§8–§10): parsing Graph
//! `conditionalAccessPolicy` and `namedLocation` JSON, whether a policy is an MFA POLICY,
//! a RISK POLICY or QUALIFYING for R7, its configuration findings, why it did not enforce
//! MFA on a sign-in, and whether it covers an account.
//!
//! A layer below `evidence`: pure functions over parsed definitions. What the evaluator
//! knows at a sign-in's instant (named locations, group and role membership) comes in
//! through the [`World`] trait.

mod apps;
mod body;
mod definition;
mod json;
mod location;
mod why_not;
mod words;

pub use apps::APP_GROUPS_CSV;
pub use body::{locations_from_body, planned_policies, policies_from_body};
pub use definition::{Apps, Places, Policy, Users};
pub use location::{NamedLocation, Within};
pub use why_not::{coverage, why_not};
pub use words::{Finding, Reason, State};

/// The facts of one sign-in the §9 reasons read (strings as logged; compared ignoring case
/// after trimming).
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInFacts<'a> {
    pub user_id: &'a str,
    /// The directory's userType is guest, else the sign-in's user_type is.
    pub guest: bool,
    /// The application the token is for (conditional access targets the resource).
    pub resource_id: Option<&'a str>,
    pub client_app_used: Option<&'a str>,
    pub ip_address: Option<&'a str>,
    /// `location_country_or_region` (two-letter code).
    pub country: Option<&'a str>,
    /// `risk_level_during_sign_in`.
    pub risk_level: Option<&'a str>,
}

/// What the evaluator knows at the sign-in's instant. Ids arrive trimmed and lower-cased.
pub trait World {
    /// The named location `id` at the instant: does not exist / definition unknown / known.
    fn location(&self, id: &str) -> LocationAt<'_>;
    /// Every named location existing at the instant (for AllTrusted).
    fn locations(&self) -> Vec<LocationAt<'_>>;
    /// Some(true/false) when the group's members were ingested, None when not.
    fn in_group(&self, user_id: &str, group_id: &str) -> Option<bool>;
    /// None until any role-assignment body was ingested.
    fn has_role(&self, user_id: &str, role_id: &str) -> Option<bool>;
}

/// A named location at an instant.
#[derive(Debug, Clone, Copy)]
pub enum LocationAt<'a> {
    /// It does not exist then: it contains no sign-in.
    Missing,
    /// It exists but its definition is unknown: nothing about it can be decided.
    Unknown,
    Known(&'a NamedLocation),
}

/// Whether one policy reaches an account for every application (§10 covered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    Reaches,
    /// The first reason (state, or scope reasons 3–8) it does not.
    Stopped(Reason),
    /// Only a group or role membership that was not ingested decides it.
    Unknown,
}
