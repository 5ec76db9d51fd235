//! §10 covered: whether security defaults, or some enabled MFA POLICY in force at an
//! instant, reach an account for every application — whatever the policy's conditions
//! (R7 judges those). The report judges every account at the end of the window.

use super::Regime;
use crate::policy::{self, Coverage};

/// An account's §10 covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Covered {
    Yes,
    No,
    Unknown,
}

impl Covered {
    /// The word `accounts.csv` writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Covered::Yes => "yes",
            Covered::No => "no",
            Covered::Unknown => "unknown",
        }
    }
}

/// Covered, and what decided it: security defaults, the policy that reaches the account,
/// or every MFA POLICY in force with the reason it does not ("name (id): reason", `; `
/// between them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub covered: Covered,
    pub because: String,
}

impl Judged {
    fn new(covered: Covered, because: impl Into<String>) -> Judged {
        Judged {
            covered,
            because: because.into(),
        }
    }
}

impl Regime {
    /// §10 covered of the account `user_id` (a guest or not) at `t`. A policy whose
    /// definition is unknown at `t` reaches no one, as in §9 and R7 (R7 lists it as
    /// unreadable).
    pub fn covered(
        &self,
        security_defaults_on: bool,
        t: i64,
        user_id: &str,
        guest: bool,
    ) -> Judged {
        if security_defaults_on {
            return Judged::new(Covered::Yes, "security defaults on");
        }
        if !self.policies_ingested {
            return Judged::new(
                Covered::Unknown,
                "no conditional access policy definitions were ingested",
            );
        }
        let world = self.world_at(t);
        let mut unknown = false;
        let mut stops = Vec::new();
        for (item, p) in self.mfa_policies_at(t) {
            let named = format!("{} ({})", p.display_name, item.shown);
            match policy::coverage(p, user_id, guest, &world) {
                Coverage::Reaches => return Judged::new(Covered::Yes, named),
                Coverage::Unknown => {
                    unknown = true;
                    stops.push(format!("{named}: membership_unknown"));
                }
                Coverage::Stopped(reason) => stops.push(format!("{named}: {}", reason.as_str())),
            }
        }
        if stops.is_empty() {
            return Judged::new(Covered::No, "no_mfa_policy");
        }
        let covered = if unknown {
            Covered::Unknown
        } else {
            Covered::No
        };
        Judged::new(covered, stops.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::conditional_access::directory::Directory;
    use crate::evidence::conditional_access::versions::{At, History, Obs, Version};
    use crate::policy::Policy;

    fn policy(id: &str, name: &str, state: &str, users: &str) -> Policy {
        Policy::from_json(&format!(
            r#"{{"id":"{id}","displayName":"{name}","state":"{state}",
            "conditions":{{"users":{users},"applications":{{"includeApplications":["All"]}}}},
            "grantControls":{{"operator":"OR","builtInControls":["mfa"]}}}}"#
        ))
        .unwrap()
    }

    /// A regime whose policies are all created at 0 and in force from then on.
    fn regime(policies: Vec<Policy>) -> Regime {
        let mut history = History::default();
        let ingested = !policies.is_empty();
        for p in policies {
            let id = p.id.clone();
            let canon = format!("{}{}", p.id, p.display_name);
            let v = At::Known(std::sync::Arc::new(Version { def: p, canon }));
            let obs = Obs {
                at: 0,
                audit_id: None,
                old: Some(v.clone()),
                new: Some(v),
            };
            history.add(&id, Some(0), obs);
        }
        Regime {
            policies: history.segments(),
            locations: History::default().segments(),
            directory: Directory::default(),
            policies_ingested: ingested,
            unreadable: Vec::new(),
        }
    }

    const ALL: &str = r#"{"includeUsers":["All"],"excludeUsers":["U-BG"]}"#;

    #[test]
    fn security_defaults_cover_everyone_and_no_definitions_leave_it_unknown() {
        let none = regime(Vec::new());
        assert_eq!(none.covered(true, 5, "x", false).covered, Covered::Yes);
        let unknown = none.covered(false, 5, "x", false);
        assert_eq!(unknown.covered, Covered::Unknown);
        assert_eq!(
            unknown.because,
            "no conditional access policy definitions were ingested"
        );
    }

    #[test]
    fn an_excluded_account_is_not_covered_and_the_policies_are_named() {
        let r = regime(vec![
            policy("P1", "All users", "enabled", ALL),
            policy(
                "P2",
                "Report only",
                "enabledForReportingButNotEnforced",
                ALL,
            ),
        ]);
        let other = r.covered(false, 5, "u-other", false);
        assert_eq!(other, Judged::new(Covered::Yes, "All users (P1)"));
        // Ids compare trimmed, ignoring case.
        let bg = r.covered(false, 5, " u-bg ", false);
        assert_eq!(
            bg,
            Judged::new(
                Covered::No,
                "All users (P1): user_excluded; Report only (P2): report_only"
            )
        );
        let group = r#"{"includeGroups":["G1"]}"#;
        let r = regime(vec![policy("P3", "Group", "enabled", group)]);
        let g = r.covered(false, 5, "u", false);
        assert_eq!(
            g,
            Judged::new(Covered::Unknown, "Group (P3): membership_unknown")
        );
    }

    #[test]
    fn ingested_policies_none_in_force_is_no() {
        let r = regime(vec![policy("P1", "All users", "enabled", ALL)]);
        assert_eq!(r.covered(false, -5, "u", false).because, "no_mfa_policy");
        assert_eq!(r.covered(false, -5, "u", false).covered, Covered::No);
    }
}
