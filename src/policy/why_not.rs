//! §9: the first reason a policy did not enforce MFA on a sign-in, in the order 1–16;
//! and §10's coverage of one account by one policy (its state and scope reasons 3–8,
//! for every application).

use super::apps::any_names;
use super::definition::{Places, Users};
use super::json::norm;
use super::{Coverage, LocationAt, Policy, Reason, SignInFacts, State, Within, World};

/// The first reason, in §9's order, why `policy` did not enforce MFA on the sign-in.
pub fn why_not(policy: &Policy, facts: &SignInFacts<'_>, world: &dyn World) -> Reason {
    let user = norm(facts.user_id);
    let resource = facts.resource_id.map(norm).filter(|r| !r.is_empty());
    if let Some(reason) = state_reason(&policy.state)
        .or_else(|| user_reason(&policy.users, &user, facts.guest, world))
        .or_else(|| app_reason(policy, resource.as_deref()))
        .or_else(|| client_app_reason(policy, facts.client_app_used))
    {
        return reason;
    }
    let places = policy
        .locations
        .as_ref()
        .map(|p| Judged::new(p, facts, world));
    if let Some(p) = &places {
        if p.excluded() {
            return Reason::LocationExcluded;
        }
        if p.not_included() {
            return Reason::LocationNotIncluded;
        }
    }
    if !risk_in(policy.sign_in_risk_levels(), facts.risk_level) {
        return Reason::RiskBelowThreshold;
    }
    if !policy.other_conditions().is_empty() {
        return Reason::OtherCondition;
    }
    if membership_unknown(&policy.users, &user, facts.guest, world) {
        return Reason::MembershipUnknown;
    }
    if places.as_ref().is_some_and(Judged::unknown) {
        return Reason::LocationUnknown;
    }
    Reason::Unexplained
}

/// Whether `policy` reaches the account for every application (§10 covered): its state
/// (a policy that is not enabled stops at `disabled` / `report_only`) and its scope
/// (reasons 3–8), whatever its conditions.
pub fn coverage(policy: &Policy, user_id: &str, guest: bool, world: &dyn World) -> Coverage {
    let user = norm(user_id);
    let apps = &policy.apps;
    let stop = state_reason(&policy.state)
        .or_else(|| user_reason(&policy.users, &user, guest, world))
        .or_else(|| (!apps.exclude.is_empty()).then_some(Reason::AppExcluded))
        .or_else(|| (!apps.include.iter().any(|a| a == "all")).then_some(Reason::AppNotIncluded));
    match stop {
        Some(reason) => Coverage::Stopped(reason),
        None if membership_unknown(&policy.users, &user, guest, world) => Coverage::Unknown,
        None => Coverage::Reaches,
    }
}

/// Reasons 1–2. A state word Entra does not document is enforced by nothing: `disabled`.
fn state_reason(state: &State) -> Option<Reason> {
    match state {
        State::Enabled => None,
        State::ReportOnly => Some(Reason::ReportOnly),
        State::Disabled | State::Other(_) => Some(Reason::Disabled),
    }
}

/// Reasons 3–6.
fn user_reason(u: &Users, user: &str, guest: bool, world: &dyn World) -> Option<Reason> {
    if u.exclude_users.iter().any(|x| x == user) {
        return Some(Reason::UserExcluded);
    }
    if guest && u.exclude_guests {
        return Some(Reason::GuestExcluded);
    }
    let in_group = |g: &String| world.in_group(user, g);
    let has_role = |r: &String| world.has_role(user, r);
    if u.exclude_groups.iter().any(|g| in_group(g) == Some(true))
        || u.exclude_roles.iter().any(|r| has_role(r) == Some(true))
    {
        return Some(Reason::GroupOrRoleExcluded);
    }
    let shown_out = u.include_groups.iter().all(|g| in_group(g) == Some(false))
        && u.include_roles.iter().all(|r| has_role(r) == Some(false));
    (!directly_included(u, user, guest) && shown_out).then_some(Reason::UserNotIncluded)
}

/// includeUsers All, the user's id, or guests for a guest.
fn directly_included(u: &Users, user: &str, guest: bool) -> bool {
    u.include_all || u.include_users.iter().any(|x| x == user) || (guest && u.include_guests)
}

/// Reason 14: a group or role whose membership was not ingested is excluded, or is
/// included when nothing else includes the user.
fn membership_unknown(u: &Users, user: &str, guest: bool, world: &dyn World) -> bool {
    let in_group = |g: &String| world.in_group(user, g);
    let has_role = |r: &String| world.has_role(user, r);
    let unknown_exclusion = u.exclude_groups.iter().any(|g| in_group(g).is_none())
        || u.exclude_roles.iter().any(|r| has_role(r).is_none());
    let unknown_inclusion = u.include_groups.iter().any(|g| in_group(g).is_none())
        || u.include_roles.iter().any(|r| has_role(r).is_none());
    let included = directly_included(u, user, guest)
        || u.include_groups.iter().any(|g| in_group(g) == Some(true))
        || u.include_roles.iter().any(|r| has_role(r) == Some(true));
    unknown_exclusion || (unknown_inclusion && !included)
}

/// Reasons 7–8.
fn app_reason(policy: &Policy, resource: Option<&str>) -> Option<Reason> {
    if any_names(&policy.apps.exclude, resource) {
        Some(Reason::AppExcluded)
    } else if any_names(&policy.apps.include, resource) {
        None
    } else {
        Some(Reason::AppNotIncluded)
    }
}

/// Reason 9: the sign-in's client app type (§8) is not among `clientAppTypes`.
fn client_app_reason(policy: &Policy, client_app_used: Option<&str>) -> Option<Reason> {
    let types = policy.client_app_types.as_ref()?;
    let used = norm(client_app_used.unwrap_or(""));
    let kind = match used.as_str() {
        "" => return None,
        "browser" => "browser",
        "mobile apps and desktop clients" => "mobileappsanddesktopclients",
        "exchange activesync" => "exchangeactivesync",
        _ => "other",
    };
    // `easSupported` is Graph's older word for Exchange ActiveSync.
    let held = types
        .iter()
        .any(|t| t == kind || (t == "eassupported" && kind == "exchangeactivesync"));
    (!held).then_some(Reason::ClientAppNotIncluded)
}

/// Reason 12's test: the sign-in's risk is among the levels (always, when there are none).
fn risk_in(levels: &[String], risk: Option<&str>) -> bool {
    if levels.is_empty() {
        return true;
    }
    let risk = norm(risk.unwrap_or(""));
    !matches!(risk.as_str(), "" | "hidden" | "unknownfuturevalue") && levels.contains(&risk)
}

/// The sign-in judged against each entry of a locations condition.
struct Judged {
    /// Every excludeLocations entry.
    exclude: Vec<Within>,
    /// Every includeLocations entry but `All`.
    include_named: Vec<Within>,
    include_given: bool,
    include_all: bool,
}

impl Judged {
    fn new(places: &Places, facts: &SignInFacts<'_>, world: &dyn World) -> Judged {
        let judge = |entry: &String| within_entry(entry, facts, world);
        Judged {
            exclude: places.exclude.iter().map(judge).collect(),
            include_named: places
                .include
                .iter()
                .filter(|e| *e != "all")
                .map(judge)
                .collect(),
            include_given: !places.include.is_empty(),
            include_all: places.include.iter().any(|e| e == "all"),
        }
    }

    /// Reason 10.
    fn excluded(&self) -> bool {
        self.exclude.contains(&Within::Yes)
    }

    /// Reason 11: includeLocations given, not All, and the sign-in decidedly in none.
    fn not_included(&self) -> bool {
        self.include_given
            && !self.include_all
            && self.include_named.iter().all(|w| *w == Within::No)
    }

    /// Reason 15 (after reason 10 did not fire): a named location the condition names
    /// cannot be decided, and the sign-in is not decidedly in a named included one (`All`
    /// is no named location).
    fn unknown(&self) -> bool {
        let undecidable = self
            .exclude
            .iter()
            .chain(&self.include_named)
            .any(|w| *w == Within::Undecidable);
        undecidable && !self.include_named.contains(&Within::Yes)
    }
}

/// Whether the sign-in is in the location a locations-condition entry names.
fn within_entry(entry: &str, facts: &SignInFacts<'_>, world: &dyn World) -> Within {
    match entry {
        "all" => Within::Yes,
        "alltrusted" => within_trusted(facts, world),
        id => within_at(world.location(id), facts),
    }
}

fn within_at(at: LocationAt<'_>, facts: &SignInFacts<'_>) -> Within {
    match at {
        LocationAt::Missing => Within::No,
        LocationAt::Unknown => Within::Undecidable,
        LocationAt::Known(l) => l.contains(facts.ip_address, facts.country),
    }
}

/// `AllTrusted`: in some trusted named location whose definition is known; else
/// undecidable while some existing location's definition is unknown (it may be trusted).
fn within_trusted(facts: &SignInFacts<'_>, world: &dyn World) -> Within {
    let mut undecidable = false;
    for at in world.locations() {
        match at {
            LocationAt::Known(l) if l.trusted => {
                match l.contains(facts.ip_address, facts.country) {
                    Within::Yes => return Within::Yes,
                    Within::Undecidable => undecidable = true,
                    Within::No => {}
                }
            }
            LocationAt::Unknown => undecidable = true,
            LocationAt::Known(_) | LocationAt::Missing => {}
        }
    }
    if undecidable {
        Within::Undecidable
    } else {
        Within::No
    }
}

#[cfg(test)]
#[path = "why_not_tests.rs"]
mod tests;
