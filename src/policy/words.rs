//! The fixed words of the policy rules: a policy's state, the §10 configuration findings
//! and the §9 reasons a policy did not enforce MFA on a sign-in.

use super::json::norm;
use crate::words::word_enum;

/// A policy's `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Enabled,
    Disabled,
    /// `enabledForReportingButNotEnforced`.
    ReportOnly,
    /// A state word Entra does not document (trimmed, as given): nothing enforces it.
    Other(String),
}

impl State {
    /// The state of a Graph `state` word (compared ignoring case, after trimming).
    pub fn from_graph(word: &str) -> State {
        match norm(word).as_str() {
            "enabled" => State::Enabled,
            "disabled" => State::Disabled,
            "enabledforreportingbutnotenforced" => State::ReportOnly,
            _ => State::Other(word.trim().to_owned()),
        }
    }

    /// Graph's word for the state.
    pub fn as_str(&self) -> &str {
        match self {
            State::Enabled => "enabled",
            State::Disabled => "disabled",
            State::ReportOnly => "enabledForReportingButNotEnforced",
            State::Other(word) => word,
        }
    }
}

word_enum! {
    /// §10 configuration findings of an MFA POLICY, in their fixed order.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Finding {
        /// Any exclusion of users, groups, roles or guests.
        ExcludesAccounts => "excludes_accounts",
        /// includeUsers is not All.
        NotAllUsers => "not_all_users",
        /// includeApplications is not All, or some application is excluded.
        NotAllApps => "not_all_apps",
        /// A locations condition is present.
        LocationCondition => "location_condition",
        /// A clientAppTypes condition is present.
        ClientAppTypesLimited => "client_app_types_limited",
        /// One of the OTHER conditions is present.
        OtherCondition => "other_condition",
        /// The state is report-only.
        ReportOnly => "report_only",
        /// The state is disabled (or a state word Entra does not document).
        Disabled => "disabled",
    }
}

word_enum! {
    /// §9: the first reason a policy did not enforce MFA on a sign-in, in their order.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Reason {
        Disabled => "disabled",
        ReportOnly => "report_only",
        UserExcluded => "user_excluded",
        GuestExcluded => "guest_excluded",
        GroupOrRoleExcluded => "group_or_role_excluded",
        UserNotIncluded => "user_not_included",
        AppExcluded => "app_excluded",
        AppNotIncluded => "app_not_included",
        ClientAppNotIncluded => "client_app_not_included",
        LocationExcluded => "location_excluded",
        LocationNotIncluded => "location_not_included",
        RiskBelowThreshold => "risk_below_threshold",
        OtherCondition => "other_condition",
        MembershipUnknown => "membership_unknown",
        LocationUnknown => "location_unknown",
        Unexplained => "unexplained",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_ignoring_case_and_keep_unknown_words() {
        assert_eq!(State::from_graph(" ENABLED "), State::Enabled);
        assert_eq!(
            State::from_graph("EnabledForReportingButNotEnforced"),
            State::ReportOnly
        );
        assert_eq!(State::from_graph("disabled"), State::Disabled);
        let other = State::from_graph(" paused ");
        assert_eq!(other, State::Other("paused".into()));
        assert_eq!(other.as_str(), "paused");
        assert_eq!(
            State::ReportOnly.as_str(),
            "enabledForReportingButNotEnforced"
        );
    }

    #[test]
    fn the_words_are_the_contracts() {
        let findings: Vec<&str> = Finding::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(
            findings,
            [
                "excludes_accounts",
                "not_all_users",
                "not_all_apps",
                "location_condition",
                "client_app_types_limited",
                "other_condition",
                "report_only",
                "disabled"
            ]
        );
        assert_eq!(Reason::ALL.len(), 16);
        assert_eq!(Reason::ALL[13].as_str(), "membership_unknown");
        assert_eq!(
            Reason::from_word("location_unknown"),
            Some(Reason::LocationUnknown)
        );
    }
}
