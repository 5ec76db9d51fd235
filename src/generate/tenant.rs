//! The synthetic tenant: users (members, guests, the `Sync_` account), workload
//! identities, and the two state timelines of evidence rules §4 — per-user MFA and
//! security defaults — decided before any sign-in, so the state at any time is known by
//! construction. Memory grows with the number of users, never with sign-ins.

use super::rng::{Rng, guid_from, mix};

/// One microsecond-resolution instant: microseconds since the Unix epoch (UTC).
pub type Micros = i64;

/// Microseconds in a day.
pub const DAY: Micros = 86_400_000_000;

/// The id of the (first) tenant; with one tenant, every record carries it. It is also the
/// Log Analytics workspace's id (`TenantId`) of every tenant.
pub const TENANT_ID: &str = "0e35ee7a-425d-45a5-9013-218c1eae8fd4";

/// The Azure resource id of a tenant's Entra logs.
pub fn resource_id(tenant_id: &str) -> String {
    format!("/tenants/{tenant_id}/providers/Microsoft.aadiam")
}

/// How a tenant's security defaults go over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// A known state before the window, then 2–4 toggles inside it (drawn from the seed).
    Toggling,
    /// On since before the window, never changed.
    AlwaysOn,
    /// Off since before the window, never changed.
    AlwaysOff,
}

/// The `k`-th of several tenants (from 0): its id, seed and regime. The first is the
/// tenant of a one-tenant archive (same id, seed and regime); the others have ids and
/// seeds of their own, and regimes in turn always on, always off, toggling.
pub fn nth(seed: u64, k: u64) -> (String, u64, Regime) {
    if k == 0 {
        return (TENANT_ID.to_owned(), seed, Regime::Toggling);
    }
    let regime = match k % 3 {
        1 => Regime::AlwaysOn,
        2 => Regime::AlwaysOff,
        _ => Regime::Toggling,
    };
    (
        guid_from(mix(seed ^ 0x5445_4e41_4e54), k),
        mix(seed.wrapping_add(k.wrapping_mul(0x9e37_79b9_7f4a_7c15))),
        regime,
    )
}

/// A per-user MFA state as §4 defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerUser {
    Disabled,
    Enabled,
    Enforced,
    Unknown,
}

/// How a user's per-user MFA is observed: never, or by one audit change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaPlan {
    /// No observation at all: the state is unknown at every time.
    Unobserved,
    /// One successful change at `at`; `old` = `None` is an absent old value (unknown
    /// before), `disable_activity` = the change is "Disable Strong Authentication" without
    /// the property.
    Change {
        at: Micros,
        old: Option<PerUser>,
        new: PerUser,
        disable_activity: bool,
    },
}

impl MfaPlan {
    /// The state at `t` by §4: the latest observation at or before `t`, else the earliest
    /// after it (its old value), else unknown.
    pub fn state_at(&self, t: Micros) -> PerUser {
        match *self {
            MfaPlan::Unobserved => PerUser::Unknown,
            MfaPlan::Change { at, old, new, .. } => {
                if t >= at {
                    new
                } else {
                    old.unwrap_or(PerUser::Unknown)
                }
            }
        }
    }

    /// True when the state at `t` is known only from an audit change's old value.
    pub fn known_only_from_old_value(&self, t: Micros) -> bool {
        matches!(*self, MfaPlan::Change { at, old: Some(_), .. } if t < at)
    }
}

/// A user of the tenant.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub upn: String,
    pub display_name: String,
    pub guest: bool,
    pub mfa: MfaPlan,
    pub city: usize,
    pub ip_last_octet: u8,
    pub device_id: String,
    pub device_name: String,
    pub os: &'static str,
}

/// A service principal or managed identity.
#[derive(Debug, Clone)]
pub struct Workload {
    pub app_id: String,
    pub sp_id: String,
    pub name: String,
    /// `Some(msi type)` for a managed identity.
    pub msi_type: Option<&'static str>,
}

/// One security-defaults change (`IsEnabled` old → new).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultsChange {
    pub at: Micros,
    pub old: bool,
    pub new: bool,
    /// Written as "Update policy" on the "Security Defaults" target instead of
    /// "Update security defaults".
    pub as_update_policy: bool,
}

/// The tenant: everything the sign-in planner looks up.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The Entra tenant id its records carry.
    pub id: String,
    /// The Azure resource id of its Entra logs (`/tenants/<id>/providers/…`).
    pub resource_id: String,
    /// The Log Analytics workspace its logs go to (`TenantId` there).
    pub workspace_id: String,
    pub users: Vec<User>,
    pub workloads: Vec<Workload>,
    /// Sorted by time; the first lies before the window, so the state is always known.
    pub defaults: Vec<DefaultsChange>,
    pub start: Micros,
    pub end: Micros,
    /// Users grouped by how their state can be used: indices into `users`.
    pub cohorts: Cohorts,
}

/// Users whose per-user MFA state is the same over the whole window, by state, plus the
/// users whose state changes inside it with an enforced old value.
#[derive(Debug, Clone, Default)]
pub struct Cohorts {
    pub unknown: Vec<usize>,
    pub disabled: Vec<usize>,
    pub enabled: Vec<usize>,
    pub enforced: Vec<usize>,
    pub enforced_until_change: Vec<usize>,
}

pub const CITIES: [(&str, &str, &str, &str); 6] = [
    ("Amsterdam", "Noord-Holland", "NL", "203.0.113"),
    ("Utrecht", "Utrecht", "NL", "198.51.100"),
    ("Rotterdam", "Zuid-Holland", "NL", "192.0.2"),
    ("Brussels", "Brussels", "BE", "203.0.113"),
    ("London", "England", "GB", "198.51.100"),
    ("Seattle", "Washington", "US", "192.0.2"),
];

const FIRST: [&str; 16] = [
    "Alex",
    "Megan",
    "Lee",
    "Isaiah",
    "Adele",
    "Diego",
    "Grady",
    "Henrietta",
    "Johanna",
    "Joni",
    "Lidia",
    "Lynne",
    "Miriam",
    "Nestor",
    "Patti",
    "Pradeep",
];
const LAST: [&str; 12] = [
    "Wilber",
    "Bowen",
    "Gu",
    "Langer",
    "Vance",
    "Siciliani",
    "Archie",
    "Mueller",
    "Lorenz",
    "Sherman",
    "Holloway",
    "Robbins",
];
const OS: [&str; 5] = ["Windows10", "Windows 11", "MacOs", "Ios 18.1", "Android 15"];

/// Per-user MFA changes the planner draws for users whose state changes in the window.
const CHANGES: [(Option<PerUser>, PerUser, bool); 9] = [
    (Some(PerUser::Disabled), PerUser::Enforced, false),
    (Some(PerUser::Enforced), PerUser::Disabled, false),
    (Some(PerUser::Enabled), PerUser::Enforced, false),
    (Some(PerUser::Disabled), PerUser::Enabled, false),
    (Some(PerUser::Enforced), PerUser::Enabled, false),
    (Some(PerUser::Enabled), PerUser::Disabled, false),
    (None, PerUser::Disabled, true),
    (None, PerUser::Enforced, false),
    (Some(PerUser::Enforced), PerUser::Unknown, false),
];

impl Tenant {
    /// Builds the tenant of `users` users (at least 16) for the window `start..end`.
    pub fn new(seed: u64, users: usize, start: Micros, end: Micros) -> Tenant {
        let mut rng = Rng::new(seed, 1);
        let users_n = users.max(16);
        let span = end - start;
        let mut list = Vec::with_capacity(users_n);
        let mut cohorts = Cohorts::default();
        for i in 0..users_n {
            // The first users cover every cohort, so small archives hit every case.
            let pick = if i < 12 { i as u64 } else { rng.below(100) };
            let before = start - (1 + rng.below(60) as i64) * DAY - rng.below(DAY as u64) as i64;
            let inside = start + span / 20 + rng.below((span * 9 / 10) as u64) as i64;
            let mfa = match pick {
                0 | 1 | 12..=36 => MfaPlan::Unobserved,
                2 | 37..=49 => constant(before, PerUser::Enforced, &mut rng),
                3 | 50..=57 => constant(before, PerUser::Disabled, &mut rng),
                4 | 58..=64 => constant(before, PerUser::Enabled, &mut rng),
                5..=11 => change(inside, CHANGES[(pick - 4) as usize % CHANGES.len()]),
                _ => change(inside, CHANGES[rng.index(CHANGES.len())]),
            };
            let user = make_user(seed, i, mfa, &mut rng);
            let target = match mfa {
                MfaPlan::Unobserved => Some(&mut cohorts.unknown),
                MfaPlan::Change { at, new, .. } if at < start => match new {
                    PerUser::Disabled => Some(&mut cohorts.disabled),
                    PerUser::Enabled => Some(&mut cohorts.enabled),
                    PerUser::Enforced => Some(&mut cohorts.enforced),
                    PerUser::Unknown => None,
                },
                MfaPlan::Change {
                    old: Some(PerUser::Enforced),
                    ..
                } => Some(&mut cohorts.enforced_until_change),
                MfaPlan::Change { .. } => None,
            };
            if let Some(t) = target {
                t.push(i);
            }
            list.push(user);
        }
        Tenant {
            id: TENANT_ID.to_owned(),
            resource_id: resource_id(TENANT_ID),
            workspace_id: TENANT_ID.to_owned(),
            users: list,
            workloads: workloads(seed),
            defaults: defaults_timeline(&mut rng, start, end),
            start,
            end,
            cohorts,
        }
    }

    /// The same tenant under the id `id` and the security-defaults `regime` (toggling
    /// keeps the timeline drawn from the seed).
    pub fn into_tenant(mut self, id: &str, regime: Regime) -> Tenant {
        self.resource_id = resource_id(id);
        id.clone_into(&mut self.id);
        let at = self.defaults[0].at;
        let fixed = |on: bool| {
            vec![DefaultsChange {
                at,
                old: !on,
                new: on,
                as_update_policy: false,
            }]
        };
        match regime {
            Regime::Toggling => {}
            Regime::AlwaysOn => self.defaults = fixed(true),
            Regime::AlwaysOff => self.defaults = fixed(false),
        }
        self
    }

    /// Security defaults at `t` (§4; the timeline starts before the window, so never
    /// unknown inside it).
    pub fn defaults_on_at(&self, t: Micros) -> bool {
        match self.defaults.iter().rev().find(|c| c.at <= t) {
            Some(c) => c.new,
            None => self.defaults.first().is_some_and(|c| c.old),
        }
    }
}

fn constant(at: Micros, state: PerUser, rng: &mut Rng) -> MfaPlan {
    MfaPlan::Change {
        at,
        old: rng.chance(0.7).then_some(PerUser::Disabled),
        new: state,
        disable_activity: false,
    }
}

fn change(at: Micros, (old, new, disable_activity): (Option<PerUser>, PerUser, bool)) -> MfaPlan {
    MfaPlan::Change {
        at,
        old,
        new,
        disable_activity,
    }
}

fn make_user(seed: u64, i: usize, mfa: MfaPlan, rng: &mut Rng) -> User {
    let id = guid_from(mix(seed ^ 0x5553_4552), i as u64);
    let city = rng.index(CITIES.len());
    let device_id = rng.guid();
    let (upn, display_name, guest) = if i == 0 {
        (
            format!("Sync_CONTOSO-DC01_{}@contoso.onmicrosoft.com", &id[..12]),
            "On-Premises Directory Synchronization Service Account".to_string(),
            false,
        )
    } else {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len()) % LAST.len()];
        let n = i / (FIRST.len() * LAST.len());
        let local = format!("{}{}{}", first.to_lowercase(), &last[..1].to_lowercase(), n);
        if i == 13 || (i > 13 && rng.chance(0.08)) {
            (
                format!("{local}_fabrikam.example#EXT#@contoso.onmicrosoft.com"),
                format!("{first} {last} (Fabrikam)"),
                true,
            )
        } else {
            (
                format!("{local}@contoso.example"),
                format!("{first} {last}"),
                false,
            )
        }
    };
    User {
        id,
        upn,
        display_name,
        guest,
        mfa,
        city,
        ip_last_octet: 1 + rng.below(250) as u8,
        device_name: format!("CONTOSO-LT-{:04}", i % 10_000),
        device_id,
        os: OS[rng.index(OS.len())],
    }
}

fn workloads(seed: u64) -> Vec<Workload> {
    const NAMES: [(&str, Option<&str>); 8] = [
        ("Contoso Backup Connector", None),
        ("Contoso HR Sync", None),
        ("Fabrikam Ticketing", None),
        ("Contoso Build Pipeline", None),
        ("Contoso Reporting Service", None),
        ("vm-contoso-build01", Some("systemAssigned")),
        ("id-contoso-functions", Some("userAssigned")),
        ("aks-contoso-prod", Some("systemAssigned")),
    ];
    NAMES
        .iter()
        .enumerate()
        .map(|(i, (name, msi))| Workload {
            app_id: guid_from(mix(seed ^ 0x4150_5000), i as u64),
            sp_id: guid_from(mix(seed ^ 0x5350_0000), i as u64),
            name: (*name).to_string(),
            msi_type: *msi,
        })
        .collect()
}

/// A known state before the window, then 2–4 toggles inside it.
fn defaults_timeline(rng: &mut Rng, start: Micros, end: Micros) -> Vec<DefaultsChange> {
    let initial = rng.chance(0.5);
    let mut out = vec![DefaultsChange {
        at: start - 20 * DAY + rng.below(DAY as u64) as i64,
        old: !initial,
        new: initial,
        as_update_policy: false,
    }];
    let toggles = 2 + rng.below(3) as usize;
    let mut times: Vec<Micros> = (0..toggles)
        .map(|_| start + rng.below((end - start) as u64) as i64)
        .collect();
    times.sort_unstable();
    let mut state = initial;
    for (k, at) in times.into_iter().enumerate() {
        out.push(DefaultsChange {
            at,
            old: state,
            new: !state,
            as_update_policy: k == 1,
        });
        state = !state;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resource_id_names_the_tenant() {
        let t = Tenant::new(1, 16, 10 * DAY, 17 * DAY);
        assert_eq!(
            t.resource_id,
            "/tenants/0e35ee7a-425d-45a5-9013-218c1eae8fd4/providers/Microsoft.aadiam"
        );
        assert_eq!(
            (t.id.as_str(), t.workspace_id.as_str()),
            (TENANT_ID, TENANT_ID)
        );
    }

    #[test]
    fn several_tenants_differ_in_id_seed_and_regime() {
        assert_eq!(nth(5, 0), (TENANT_ID.to_owned(), 5, Regime::Toggling));
        let (ids, seeds): (Vec<String>, Vec<u64>) = (0..6)
            .map(|k| {
                let (id, seed, _) = nth(5, k);
                (id, seed)
            })
            .unzip();
        for (i, a) in ids.iter().enumerate() {
            assert_eq!(a.len(), 36);
            assert!(
                ids[i + 1..].iter().all(|b| b != a)
                    && seeds[i + 1..].iter().all(|s| *s != seeds[i])
            );
        }
        let regimes: Vec<Regime> = (1..4).map(|k| nth(5, k).2).collect();
        assert_eq!(
            regimes,
            [Regime::AlwaysOn, Regime::AlwaysOff, Regime::Toggling]
        );
        let (id, seed, regime) = nth(5, 2);
        let t = Tenant::new(seed, 16, 10 * DAY, 17 * DAY).into_tenant(&id, regime);
        assert_eq!(
            t.resource_id,
            format!("/tenants/{id}/providers/Microsoft.aadiam")
        );
        assert_eq!(t.workspace_id, TENANT_ID);
        assert!(
            !t.defaults_on_at(10 * DAY) && !t.defaults_on_at(17 * DAY - 1) && t.defaults.len() == 1
        );
    }

    #[test]
    fn state_follows_section_4() {
        let plan = MfaPlan::Change {
            at: 100,
            old: Some(PerUser::Enforced),
            new: PerUser::Disabled,
            disable_activity: false,
        };
        assert_eq!(plan.state_at(99), PerUser::Enforced);
        assert!(plan.known_only_from_old_value(99));
        assert_eq!(plan.state_at(100), PerUser::Disabled);
        let no_old = MfaPlan::Change {
            at: 100,
            old: None,
            new: PerUser::Disabled,
            disable_activity: true,
        };
        assert_eq!(no_old.state_at(50), PerUser::Unknown);
        assert_eq!(MfaPlan::Unobserved.state_at(5), PerUser::Unknown);
    }

    #[test]
    fn every_cohort_is_populated_and_defaults_toggle_inside_the_window() {
        let t = Tenant::new(9, 16, 10 * DAY, 17 * DAY);
        let c = &t.cohorts;
        for list in [
            &c.unknown,
            &c.disabled,
            &c.enabled,
            &c.enforced,
            &c.enforced_until_change,
        ] {
            assert!(!list.is_empty());
        }
        assert!(t.users[0].upn.starts_with("Sync_"));
        assert!(t.users[13].guest);
        assert!(t.defaults[0].at < t.start);
        assert!(t.defaults.len() >= 3);
        let inside = &t.defaults[1];
        assert_eq!(t.defaults_on_at(inside.at), inside.new);
        assert_eq!(t.defaults_on_at(inside.at - 1), inside.old);
    }
}
