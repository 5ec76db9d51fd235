//! The planner: decides every sign-in before it is written — its time, class, user,
//! session, evidence and duplicates — and the truth row that follows by construction
//! (evidence rules §3–§5), never by running the classifier.
//!
//! Times strictly increase from one planned sign-in to the next (except deliberate
//! same-microsecond twins), so "the latest ROOT sign-in of this session at or before" is
//! the last ROOT planned in the session: one id per user is all chaining needs. State
//! grows with the number of users, never with the number of sign-ins.

use super::class::{Class, Mix};
use super::evidence::{self, Legacy};
use super::rng::{Rng, guid_from, mix};
use super::signin::{APPS, Actor, SignInRec, Step};
use super::tenant::{DAY, Micros, PerUser, Tenant};
use crate::schema::EventType;

/// The known answer for one sign-in id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthRow {
    pub id: String,
    pub class: Class,
    pub origin: Option<String>,
}

/// What the planner needs besides the tenant.
#[derive(Debug, Clone)]
pub struct PlanConfig {
    pub seed: u64,
    pub sign_ins: u64,
    pub days: u32,
    pub mix: Mix,
    /// The format keeps `authenticationRequirementPolicies` (all but the portal CSV).
    pub keeps_policies: bool,
    /// Re-issued versions go to a separate download (portal CSV): the winner of a tie
    /// is then the re-issued one.
    pub reissue_in_separate_files: bool,
}

/// Relative sign-in volume per hour of the day (UTC): office hours burst.
const HOURS: [f64; 24] = [
    1.0, 0.8, 0.7, 0.7, 0.9, 1.5, 3.0, 6.5, 10.0, 11.0, 10.0, 9.0, 8.0, 9.5, 10.0, 9.5, 8.5, 7.0,
    5.0, 3.5, 2.5, 2.0, 1.6, 1.2,
];

#[derive(Debug, Clone, Default)]
struct UserRun {
    session: u32,
    /// The latest ROOT sign-in of the current session.
    root: Option<String>,
}

/// Plans sign-ins one slot at a time.
pub struct Planner<'t> {
    tenant: &'t Tenant,
    cfg: PlanConfig,
    rng: Rng,
    runs: Vec<UserRun>,
    /// Users whose current session has a ROOT sign-in, and each user's place in it.
    rooted: Vec<usize>,
    rooted_pos: Vec<Option<usize>>,
    /// Cumulative sign-in count at the start of each day.
    day_starts: Vec<u64>,
    hour_cdf: [f64; 25],
    next_index: u64,
    last_at: Micros,
}

impl<'t> Planner<'t> {
    pub fn new(tenant: &'t Tenant, cfg: PlanConfig) -> Planner<'t> {
        let days = cfg.days.max(1) as usize;
        // Weekends carry 40% of a weekday's volume.
        let weights: Vec<f64> = (0..days)
            .map(|d| {
                let weekday = (tenant.start.div_euclid(DAY) + d as i64 + 3).rem_euclid(7);
                if weekday >= 5 { 0.4 } else { 1.0 }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let mut day_starts = vec![0u64];
        let mut acc = 0.0;
        for w in &weights {
            acc += w;
            day_starts.push((cfg.sign_ins as f64 * acc / total).round() as u64);
        }
        *day_starts.last_mut().expect("days") = cfg.sign_ins;
        let mut hour_cdf = [0.0; 25];
        let hours_total: f64 = HOURS.iter().sum();
        for h in 0..24 {
            hour_cdf[h + 1] = hour_cdf[h] + HOURS[h] / hours_total;
        }
        hour_cdf[24] = 1.0;
        Planner {
            rng: Rng::new(cfg.seed, 3),
            runs: vec![UserRun::default(); tenant.users.len()],
            rooted: Vec::new(),
            rooted_pos: vec![None; tenant.users.len()],
            day_starts,
            hour_cdf,
            next_index: 0,
            last_at: tenant.start - 1,
            tenant,
            cfg,
        }
    }

    /// True while sign-ins remain to be planned.
    pub fn has_next(&self) -> bool {
        self.next_index < self.cfg.sign_ins
    }

    /// The time of the next sign-in: its day by index, its time of day from the hourly
    /// profile, strictly after the previous one.
    fn next_time(&mut self) -> Micros {
        let i = self.next_index;
        self.next_index += 1;
        let day = self.day_starts.partition_point(|&s| s <= i) - 1;
        let (first, end) = (self.day_starts[day], self.day_starts[day + 1]);
        let u = ((i - first) as f64 + self.rng.unit()) / (end - first).max(1) as f64;
        let h = self.hour_cdf.partition_point(|&c| c <= u).clamp(1, 24) - 1;
        let frac = (u - self.hour_cdf[h]) / (self.hour_cdf[h + 1] - self.hour_cdf[h]);
        let offset = ((h as f64 + frac.clamp(0.0, 0.999_999)) * 3_600_000_000.0) as i64;
        let at = (self.tenant.start + day as i64 * DAY + offset.min(DAY - 1)).max(self.last_at + 1);
        self.last_at = at;
        at
    }

    fn random_user(&mut self) -> usize {
        // The directory sync account signs in often enough to show up in every archive.
        if self.rng.chance(0.005) {
            return 0;
        }
        1 + self.rng.index(self.tenant.users.len() - 1)
    }

    fn session_id(&self, user: usize) -> String {
        let u = user as u64;
        guid_from(
            mix(self.cfg.seed ^ 0x5345_5353 ^ u.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            mix(u64::from(self.runs[user].session) ^ (u << 32)),
        )
    }

    fn set_rooted(&mut self, user: usize, root: Option<String>) {
        match (&root, self.rooted_pos[user]) {
            (Some(_), None) => {
                self.rooted_pos[user] = Some(self.rooted.len());
                self.rooted.push(user);
            }
            (None, Some(pos)) => {
                self.rooted.swap_remove(pos);
                if let Some(&moved) = self.rooted.get(pos) {
                    self.rooted_pos[moved] = Some(pos);
                }
                self.rooted_pos[user] = None;
            }
            _ => {}
        }
        self.runs[user].root = root;
    }

    /// Starts a new session (no ROOT in it yet) for `user`.
    fn new_session(&mut self, user: usize) {
        self.runs[user].session += 1;
        self.set_rooted(user, None);
    }

    /// A user whose per-user MFA state at `at` fits `how`; `None` when no user does.
    fn user_for(&mut self, how: Legacy, at: Micros) -> Option<usize> {
        let fits = |t: &Tenant, u: usize| {
            let plan = t.users[u].mfa;
            let state = plan.state_at(at);
            match how {
                Legacy::StateEnforced | Legacy::ModernAppPassword => state == PerUser::Enforced,
                Legacy::OldValueEnforced => {
                    state == PerUser::Enforced && plan.known_only_from_old_value(at)
                }
                Legacy::StateOff => matches!(state, PerUser::Disabled | PerUser::Enabled),
                Legacy::StateUnknown => state == PerUser::Unknown,
                _ => true,
            }
        };
        let c = &self.tenant.cohorts;
        let pool: &[usize] = match how {
            Legacy::OldValueEnforced => &c.enforced_until_change,
            _ => &[],
        };
        for _ in 0..24 {
            let u = if pool.is_empty() {
                self.random_user()
            } else {
                pool[self.rng.index(pool.len())]
            };
            if fits(self.tenant, u) {
                return Some(u);
            }
        }
        let fallback: &[usize] = match how {
            Legacy::StateEnforced | Legacy::ModernAppPassword => &c.enforced,
            Legacy::StateOff => &c.disabled,
            Legacy::StateUnknown => &c.unknown,
            _ => &[],
        };
        (!fallback.is_empty()).then(|| fallback[self.rng.index(fallback.len())])
    }

    fn legacy_plan(&mut self, class: Class, at: Micros) -> (Legacy, usize) {
        let how = match class {
            Class::LegacySingleFactor => Legacy::StateOff,
            Class::LegacyUnverified => Legacy::StateUnknown,
            _ => match self.rng.below(6) {
                0 => Legacy::RecordEvidence,
                1 => Legacy::RequirementOnly,
                2 if self.cfg.keeps_policies => Legacy::PerUserPolicy,
                2 | 3 => Legacy::OldValueEnforced,
                4 => Legacy::ModernAppPassword,
                _ => Legacy::StateEnforced,
            },
        };
        if let Some(u) = self.user_for(how, at) {
            return (how, u);
        }
        let fallback = if how == Legacy::OldValueEnforced {
            Legacy::StateEnforced
        } else {
            how
        };
        match self.user_for(fallback, at) {
            Some(u) => (fallback, u),
            None => (Legacy::RequirementOnly, self.random_user()),
        }
    }

    fn event_type(&mut self, class: Class) -> EventType {
        let p = match class {
            Class::StrongAuth
            | Class::MfaCompleted
            | Class::ExternalMfa
            | Class::MfaInterrupted
            | Class::RememberedDevice
            | Class::MfaSkippedLocation
            | Class::MfaSkippedOther => 0.95,
            Class::AppPassword | Class::LegacySingleFactor | Class::LegacyUnverified => 0.8,
            Class::MfaRequiredSuccess => 0.7,
            Class::SessionMfa | Class::MfaClaim => 0.08,
            Class::Failed => 0.5,
            _ => 0.4,
        };
        if self.rng.chance(p) {
            EventType::InteractiveUser
        } else {
            EventType::NonInteractiveUser
        }
    }

    fn base(
        &mut self,
        at: Micros,
        kind: EventType,
        actor: Actor,
        session: Option<String>,
    ) -> SignInRec {
        let tick = (!self.rng.chance(0.2)).then(|| self.rng.below(10) as u8);
        let user_id = match actor {
            Actor::User(u) => {
                let id = &self.tenant.users[u].id;
                Some(if self.rng.chance(0.02) {
                    id.to_uppercase()
                } else {
                    id.clone()
                })
            }
            Actor::Workload(_) => None,
        };
        let session_id = session.map(|s| {
            if self.rng.chance(0.02) {
                s.to_uppercase()
            } else {
                s
            }
        });
        SignInRec {
            id: self.rng.guid(),
            at,
            tick,
            kind,
            actor,
            user_id,
            session_id,
            app: self.rng.index(APPS.len()),
            client_app: None,
            error_code: Some(0),
            failure_reason: "Other.",
            additional_details: None,
            requirement: None,
            policies: Vec::new(),
            steps: Vec::new(),
            ca_status: "notApplied",
            ca_mfa: false,
            named_network: None,
            incoming_token: "none",
            protocol: "none",
            correlation_id: self.rng.guid(),
            reissued: false,
        }
    }

    /// Plans the next slot: one sign-in (sometimes two at one microsecond), preceded or
    /// followed by a losing duplicate version. Records go to `out` in write order.
    pub fn plan_next(&mut self, out: &mut Vec<SignInRec>, truth: &mut Vec<TruthRow>) {
        let at = self.next_time();
        let class = self.draw_class(at);
        if class == Class::Workload {
            self.plan_workload(at, out, truth);
            return;
        }
        let (user, legacy, with_session) = self.choose_user(class, at);
        let origin = if class.has_origin_column() {
            self.runs[user].root.clone()
        } else {
            None
        };
        let kind = self.event_type(class);
        let session = with_session.then(|| self.session_id(user));
        let mut rec = self.base(at, kind, Actor::User(user), session.clone());
        evidence::fill(&mut rec, class, legacy, &mut self.rng);
        let mut planned = vec![(rec, class, origin)];
        if class.is_root() {
            self.plan_ties(&mut planned, user, session);
        }
        for (rec, class, origin) in planned {
            truth.push(TruthRow {
                id: rec.id.clone(),
                class,
                origin,
            });
            self.emit_with_duplicate(rec, out);
        }
    }

    /// The class of a slot at `at`: drawn from the mix, then moved to the one that can
    /// hold at that time.
    fn draw_class(&mut self, at: Micros) -> Class {
        let class = self.cfg.mix.draw(self.rng.unit());
        match class {
            Class::SecurityDefaults | Class::SingleFactor | Class::NoEvidence => {
                // Rule 16 precedes 17 and 18: the regime at the time decides which applies.
                match (self.tenant.defaults_on_at(at), class) {
                    (true, _) => Class::SecurityDefaults,
                    (false, Class::SecurityDefaults) if self.rng.chance(0.6) => Class::SingleFactor,
                    (false, Class::SecurityDefaults) => Class::NoEvidence,
                    (false, c) => c,
                }
            }
            Class::SessionMfa if self.rooted.is_empty() => Class::MfaCompleted,
            c => c,
        }
    }

    /// A service principal or managed identity sign-in (never duplicated).
    fn plan_workload(&mut self, at: Micros, out: &mut Vec<SignInRec>, truth: &mut Vec<TruthRow>) {
        let w = self.rng.index(self.tenant.workloads.len());
        let kind = if self.tenant.workloads[w].msi_type.is_some() {
            EventType::ManagedIdentity
        } else {
            EventType::ServicePrincipal
        };
        let mut rec = self.base(at, kind, Actor::Workload(w), None);
        evidence::fill(&mut rec, Class::Workload, None, &mut self.rng);
        truth.push(TruthRow {
            id: rec.id.clone(),
            class: Class::Workload,
            origin: None,
        });
        out.push(rec);
    }

    /// The user of a `class` sign-in at `at` (starting a new session when the class needs
    /// one), the legacy plan of legacy classes, and whether the record has a session id.
    fn choose_user(&mut self, class: Class, at: Micros) -> (usize, Option<Legacy>, bool) {
        match class {
            Class::AppPassword | Class::LegacySingleFactor | Class::LegacyUnverified => {
                let (how, u) = self.legacy_plan(class, at);
                (u, Some(how), true)
            }
            Class::SessionMfa => (self.rooted[self.rng.index(self.rooted.len())], None, true),
            Class::MfaClaim | Class::RememberedDevice
                if self.rng.chance(0.75) && !self.rooted.is_empty() =>
            {
                (self.rooted[self.rng.index(self.rooted.len())], None, true)
            }
            Class::MfaClaim
            | Class::RememberedDevice
            | Class::SecurityDefaults
            | Class::SingleFactor
            | Class::NoEvidence => {
                // No ROOT in the session: a session begun before the window, or none.
                let u = self.random_user();
                if self.runs[u].root.is_some() {
                    self.new_session(u);
                }
                (u, None, self.rng.chance(0.75))
            }
            c if c.is_root() => {
                let u = self.random_user();
                if self.rng.chance(0.4) {
                    self.new_session(u);
                }
                (u, None, true)
            }
            _ => (self.random_user(), None, true),
        }
    }

    /// After a ROOT sign-in (`planned[0]`): sometimes a ROOT twin in the same microsecond
    /// (ties go to the greater id), then the session's new ROOT, and sometimes a claim in
    /// the same microsecond as its ROOT.
    fn plan_ties(
        &mut self,
        planned: &mut Vec<(SignInRec, Class, Option<String>)>,
        user: usize,
        session: Option<String>,
    ) {
        let (at, kind) = (planned[0].0.at, planned[0].0.kind);
        if self.rng.chance(0.01) && self.has_next() {
            let mut twin = self.base(at, kind, Actor::User(user), session.clone());
            evidence::fill(&mut twin, Class::MfaCompleted, None, &mut self.rng);
            planned.push((twin, Class::MfaCompleted, None));
            self.next_index += 1;
        }
        let root = planned.iter().map(|(r, _, _)| r.id.clone()).max();
        self.set_rooted(user, root.clone());
        if self.rng.chance(0.01) && self.has_next() {
            let mut claim = self.base(
                at,
                EventType::NonInteractiveUser,
                Actor::User(user),
                session,
            );
            evidence::fill(&mut claim, Class::MfaClaim, None, &mut self.rng);
            planned.push((claim, Class::MfaClaim, root));
            self.next_index += 1;
        }
    }

    /// Writes `rec`, sometimes with a losing version of the same id: fewer details
    /// (before or after it), or as many and written before it (the later one wins a tie).
    fn emit_with_duplicate(&mut self, mut rec: SignInRec, out: &mut Vec<SignInRec>) {
        if !self.rng.chance(0.03) {
            out.push(rec);
            return;
        }
        let mut decoy = rec.clone();
        decoy.additional_details = None;
        let plain = |at: Micros| Step {
            at,
            method: Some("Password".to_string()),
            method_detail: None,
            succeeded: Some(true),
            detail: Some("Correct password".to_string()),
            requirement: "Primary authentication".to_string(),
        };
        let n = rec.steps.len();
        if n > 0 && self.rng.chance(0.6) {
            decoy.steps = (0..n - 1).map(|_| plain(rec.at)).collect();
            decoy.reissued = self.cfg.reissue_in_separate_files;
            if self.rng.chance(0.5) {
                out.push(decoy);
                out.push(rec);
            } else {
                out.push(rec);
                out.push(decoy);
            }
        } else {
            decoy.steps = (0..n).map(|_| plain(rec.at)).collect();
            rec.reissued = self.cfg.reissue_in_separate_files;
            out.push(decoy);
            out.push(rec);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn plan(n: u64, reissue: bool) -> (Vec<SignInRec>, Vec<TruthRow>) {
        let tenant = Tenant::new(5, 60, 100 * DAY, 103 * DAY);
        let mut p = Planner::new(
            &tenant,
            PlanConfig {
                seed: 5,
                sign_ins: n,
                days: 3,
                mix: Mix::default(),
                keeps_policies: true,
                reissue_in_separate_files: reissue,
            },
        );
        let (mut recs, mut truth) = (Vec::new(), Vec::new());
        while p.has_next() {
            p.plan_next(&mut recs, &mut truth);
        }
        (recs, truth)
    }

    #[test]
    fn exactly_n_ids_with_origins_that_are_earlier_roots_of_the_session() {
        let (recs, truth) = plan(5_000, false);
        assert_eq!(truth.len(), 5_000);
        let class: HashMap<&str, Class> = truth.iter().map(|t| (t.id.as_str(), t.class)).collect();
        assert_eq!(class.len(), 5_000, "ids are distinct");
        let by_id: HashMap<&str, &SignInRec> = recs.iter().map(|r| (r.id.as_str(), r)).collect();
        let key = |r: &SignInRec| {
            (
                r.user_id.as_deref().map(str::to_lowercase),
                r.session_id.as_deref().map(str::to_lowercase),
            )
        };
        let mut chained = 0;
        for t in &truth {
            let Some(origin) = &t.origin else { continue };
            chained += 1;
            assert!(t.class.has_origin_column());
            assert!(class[origin.as_str()].is_root(), "{origin} is not ROOT");
            let (rec, root) = (by_id[t.id.as_str()], by_id[origin.as_str()]);
            assert!(root.at <= rec.at);
            assert_eq!(key(rec), key(root));
        }
        assert!(chained > 1_000);
        assert!(truth.iter().any(|t| t.class == Class::SessionMfa));
    }

    #[test]
    fn times_never_go_back_and_versions_of_an_id_agree_on_time_and_user() {
        let (recs, truth) = plan(3_000, false);
        assert!(recs.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(recs.len() > truth.len(), "some ids have a losing version");
        let mut versions: HashMap<&str, Vec<&SignInRec>> = HashMap::new();
        for r in &recs {
            versions.entry(&r.id).or_default().push(r);
        }
        for vs in versions.values().filter(|v| v.len() > 1) {
            assert_eq!(vs.len(), 2);
            assert_eq!((vs[0].at, &vs[0].user_id), (vs[1].at, &vs[1].user_id));
        }
    }
}
