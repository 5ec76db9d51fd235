//! Conditional access over time (evidence rules §8–§10): the definition of every policy
//! and named location at each instant, the directory, and what they decide — rule 16b
//! (`ca_risk_based`), the why-not reasons of §9 (`ca_why_not`) and the configuration
//! findings and R7 of §10. The policy logic itself is `crate::policy`; this module says
//! which definitions were in force when.

pub mod covered;
pub mod directory;
pub mod findings;
pub mod load;
pub mod udf;
pub mod versions;

use std::sync::Arc;

use datafusion::prelude::SessionContext;

use self::directory::Directory;
use self::load::Observed;
use self::versions::{At, Item, Segments, key};
use crate::evidence::kept_rows::Rows;
use crate::evidence::{Result, queries};
use crate::policy::{self, LocationAt, NamedLocation, Policy, SignInFacts};

/// Policies, named locations and the directory, as the lake shows them.
#[derive(Debug)]
pub struct Regime {
    pub policies: Segments<Policy>,
    pub locations: Segments<NamedLocation>,
    pub directory: Directory,
    /// Whether any policy definition was ingested (a snapshot or an audit change).
    pub policies_ingested: bool,
    /// Definitions that could not be read, with where they came from.
    pub unreadable: Vec<String>,
}

/// §9's one-row reasons, given instead of one row per policy: security defaults on, no
/// MFA policy in force (definitions ingested), no definitions ingested.
pub const SECURITY_DEFAULTS: &str = "security_defaults";
pub const NO_MFA_POLICY: &str = "no_mfa_policy";
pub const POLICIES_UNKNOWN: &str = "policies_unknown";
/// The one-row reasons, in §9's order.
pub const ALONE_REASONS: [&str; 3] = [SECURITY_DEFAULTS, NO_MFA_POLICY, POLICIES_UNKNOWN];

/// One row of the why-not table: the policy (absent for the one-row reasons) and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhyNot {
    pub policy_id: Option<String>,
    pub policy_name: Option<String>,
    pub reason: &'static str,
}

impl WhyNot {
    fn alone(reason: &'static str) -> WhyNot {
        WhyNot {
            policy_id: None,
            policy_name: None,
            reason,
        }
    }
}

/// The risk levels rule 16b reads (evidence rules §3).
const RISK_LEVELS: [&str; 4] = ["none", "low", "medium", "high"];

impl Regime {
    /// Reads the lake's policies, named locations and directory.
    pub async fn load(ctx: &SessionContext) -> Result<Regime> {
        Regime::from_rows(&load_rows(ctx).await?)
    }

    /// The regime of the rows of [`SOURCES`] (in that order).
    pub fn from_rows(rows: &Rows) -> Result<Regime> {
        let observed = Observed::from_rows(rows.table(0), rows.table(1))?;
        let policies_ingested = !observed.policies.is_empty();
        Ok(Regime {
            policies: observed.policies.segments(),
            locations: observed.locations.segments(),
            directory: Directory::from_rows(rows.table(2))?,
            policies_ingested,
            unreadable: observed.unreadable,
        })
    }

    /// The MFA POLICIES whose definition is known at `t`, by policy id.
    pub fn mfa_policies_at(&self, t: i64) -> impl Iterator<Item = (&Item<Policy>, &Policy)> {
        known(self.policies.state(self.policies.index(t))).filter(|(_, p)| p.is_mfa_policy())
    }

    /// Rule 16b: the first RISK POLICY in force at `t` whose levels leave out `risk`
    /// (already trimmed and lower-cased), as "name (id)".
    pub fn risk_based(&self, t: i64, risk: &str) -> Option<String> {
        if !RISK_LEVELS.contains(&risk) {
            return None;
        }
        self.mfa_policies_at(t)
            .filter(|(_, p)| p.is_risk_policy())
            .find(|(_, p)| !p.sign_in_risk_levels().iter().any(|l| l == risk))
            .map(|(item, p)| format!("{} ({})", p.display_name, item.shown))
    }

    /// §9: why no MFA policy enforced MFA on a sign-in at `t`.
    pub fn why_not(
        &self,
        security_defaults_on: bool,
        t: i64,
        facts: &SignInFacts<'_>,
    ) -> Vec<WhyNot> {
        if security_defaults_on {
            return vec![WhyNot::alone(SECURITY_DEFAULTS)];
        }
        let world = self.world_at(t);
        let rows: Vec<WhyNot> = self
            .mfa_policies_at(t)
            .map(|(item, p)| WhyNot {
                policy_id: Some(item.shown.clone()),
                policy_name: Some(p.display_name.clone()),
                reason: policy::why_not(p, facts, &world).as_str(),
            })
            .collect();
        if !rows.is_empty() {
            rows
        } else if self.policies_ingested {
            vec![WhyNot::alone(NO_MFA_POLICY)]
        } else {
            vec![WhyNot::alone(POLICIES_UNKNOWN)]
        }
    }

    /// The world the policy logic asks about at `t`: the named locations then, and the
    /// directory.
    pub fn world_at(&self, t: i64) -> Instant<'_> {
        Instant {
            locations: self.locations.state(self.locations.index(t)),
            directory: &self.directory,
        }
    }

    /// Whether the directory (else the sign-in's own user_type) makes the user a guest.
    pub fn is_guest(&self, user_id: &str, sign_in_user_type: Option<&str>) -> bool {
        self.directory.is_guest(user_id).unwrap_or_else(|| {
            sign_in_user_type.is_some_and(|t| t.trim().eq_ignore_ascii_case("guest"))
        })
    }
}

/// The known definitions of a segment.
fn known<T>(items: &[Item<T>]) -> impl Iterator<Item = (&Item<T>, &T)> {
    items.iter().filter_map(|it| match &it.at {
        At::Known(v) => Some((it, &v.def)),
        _ => None,
    })
}

/// The world at one instant, as the policy logic asks about it (`Regime::world_at`).
pub struct Instant<'a> {
    locations: &'a [Item<NamedLocation>],
    directory: &'a Directory,
}

fn location_at(item: &Item<NamedLocation>) -> LocationAt<'_> {
    match &item.at {
        At::Gone => LocationAt::Missing,
        At::Unknown => LocationAt::Unknown,
        At::Known(v) => LocationAt::Known(&v.def),
    }
}

impl policy::World for Instant<'_> {
    fn location(&self, id: &str) -> LocationAt<'_> {
        let k = key(id);
        // A location never observed may exist: its definition is unknown.
        self.locations
            .binary_search_by(|it| it.key.as_str().cmp(k.as_str()))
            .map_or(LocationAt::Unknown, |i| location_at(&self.locations[i]))
    }

    fn locations(&self) -> Vec<LocationAt<'_>> {
        self.locations
            .iter()
            .map(location_at)
            .filter(|l| !matches!(l, LocationAt::Missing))
            .collect()
    }

    fn in_group(&self, user_id: &str, group_id: &str) -> Option<bool> {
        self.directory.in_group(user_id, group_id)
    }

    fn has_role(&self, user_id: &str, role_id: &str) -> Option<bool> {
        self.directory.has_role(user_id, role_id)
    }
}

/// The queries the regime is built from: policy and named-location snapshots, their audit
/// changes, the directory.
pub const SOURCES: [&str; 3] = ["ca_snapshots", "ca_changes", "directory_membership"];

async fn load_rows(ctx: &SessionContext) -> Result<Rows> {
    let mut tables = Vec::with_capacity(SOURCES.len());
    for query in SOURCES {
        tables.push(queries::run(ctx, query).await?);
    }
    Ok(Rows::new(tables))
}

/// Loads the regime and registers the UDFs `ca_risk_based`, `ca_why_not` and `ca_covered`.
/// With `portable`, they keep the rows the regime was built from, to be sent to a cluster
/// (`evidence::portable`).
pub async fn register(ctx: &SessionContext, portable: bool) -> Result<Arc<Regime>> {
    let rows = Arc::new(load_rows(ctx).await?);
    let regime = Arc::new(Regime::from_rows(&rows)?);
    udf::register(ctx, &regime, portable.then_some(rows));
    Ok(regime)
}
