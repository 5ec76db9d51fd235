//! State timelines (evidence rules §4): per-user MFA state and security defaults over time,
//! from audit changes and snapshots, and the lookup "state at t" with the rules' tie-breaks.
//!
//! Timelines are small (one entry per change or snapshot row, not per sign-in), so they are
//! held in memory and looked up per sign-in by binary search.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The state word of an unknown state (both timelines).
pub const UNKNOWN: &str = "unknown";

/// Parses a `StrongAuthenticationRequirement` value: `[]` = disabled, highest `State` of
/// the entries (0 enabled, 1 enforced). `None` = no value; `Some("unknown")` = other shape.
pub fn per_user_value(raw: Option<&str>) -> Option<&'static str> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    let Ok(Value::Array(entries)) = serde_json::from_str::<Value>(raw) else {
        return Some(UNKNOWN);
    };
    let mut highest: Option<u64> = None;
    for entry in &entries {
        let state = entry.as_object().and_then(|o| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("state"))
                .and_then(|(_, v)| v.as_u64())
        });
        match state {
            Some(s) if s <= 1 => highest = Some(highest.map_or(s, |h| h.max(s))),
            _ => return Some(UNKNOWN),
        }
    }
    Some(match highest {
        None => "disabled",
        Some(0) => "enabled",
        Some(_) => "enforced",
    })
}

/// Parses an `IsEnabled` value: `true`/`false`, JSON-quoted, or in a one-element array.
/// Any other shape is no value.
pub fn security_defaults_value(raw: Option<&str>) -> Option<&'static str> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    let parsed: Value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.into()));
    let scalar = match parsed {
        Value::Array(mut items) if items.len() == 1 => items.remove(0),
        Value::Array(_) => return None,
        other => other,
    };
    let word = match scalar {
        Value::Bool(b) => b,
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => return None,
        },
        _ => return None,
    };
    Some(if word { "on" } else { "off" })
}

/// Normalises a per-user MFA snapshot state word.
pub fn snapshot_state(word: &str) -> &'static str {
    match word.trim().to_lowercase().as_str() {
        "disabled" => "disabled",
        "enabled" => "enabled",
        "enforced" => "enforced",
        _ => UNKNOWN,
    }
}

/// One observation: an audit change (with its id and old/new values) or a snapshot
/// (old = new = its state, no audit id).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub at: i64,
    pub audit_id: Option<String>,
    pub old: Option<&'static str>,
    pub new: Option<&'static str>,
}

/// The looked-up state and a short sentence naming its source.
#[derive(Debug, Clone, PartialEq)]
pub struct StateAt {
    pub state: &'static str,
    pub source: String,
}

fn time(at: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(at)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
        .unwrap_or_else(|| at.to_string())
}

/// Lookup over one or more observation lists, each sorted by `at`.
pub fn state_at(lists: &[&[Observation]], t: i64) -> StateAt {
    // a) the latest observation at or before t.
    let latest = lists
        .iter()
        .filter_map(|l| l[..l.partition_point(|o| o.at <= t)].last().map(|o| o.at))
        .max();
    if let Some(at) = latest {
        return decided(&at_time(lists, at), at, Side::AtOrBefore);
    }
    // b) the earliest observation after t.
    let earliest = lists
        .iter()
        .filter_map(|l| l.get(l.partition_point(|o| o.at <= t)).map(|o| o.at))
        .min();
    if let Some(at) = earliest {
        return decided(&at_time(lists, at), at, Side::After);
    }
    StateAt {
        state: UNKNOWN,
        source: "no audit change or snapshot".into(),
    }
}

/// Where the deciding observations lie from the time looked up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    AtOrBefore,
    After,
}

/// The state the observations `same` (all at `at`) give: an audit change beats the
/// snapshots; at or before t the latest change (greatest id) and its new value, after t
/// the earliest change (smallest id) and its old value.
fn decided(same: &[&Observation], at: i64, side: Side) -> StateAt {
    let audits = same.iter().filter(|o| o.audit_id.is_some());
    let by_id = |a: &&&Observation, b: &&&Observation| a.audit_id.cmp(&b.audit_id);
    let audit = match side {
        Side::AtOrBefore => audits.max_by(by_id),
        Side::After => audits.min_by(by_id),
    };
    let Some(audit) = audit else {
        let when = match side {
            Side::AtOrBefore => "at or before",
            Side::After => "after",
        };
        return snapshots(same, at, when);
    };
    let (state, which) = match side {
        Side::AtOrBefore => (audit.new, "new"),
        Side::After => (audit.old, "old"),
    };
    StateAt {
        state: state.unwrap_or(UNKNOWN),
        source: format!("audit {} at {} ({which} value)", id(audit), time(at)),
    }
}

fn id(o: &Observation) -> &str {
    o.audit_id.as_deref().unwrap_or("")
}

fn at_time<'a>(lists: &[&'a [Observation]], at: i64) -> Vec<&'a Observation> {
    lists
        .iter()
        .flat_map(|l| {
            let l: &'a [Observation] = l;
            let start = l.partition_point(|o| o.at < at);
            let end = l.partition_point(|o| o.at <= at);
            l[start..end].iter()
        })
        .collect()
}

fn snapshots(same: &[&Observation], at: i64, when: &str) -> StateAt {
    let first = same.first().and_then(|o| o.new).unwrap_or(UNKNOWN);
    let agree = same.iter().all(|o| o.new.unwrap_or(UNKNOWN) == first);
    StateAt {
        state: if agree { first } else { UNKNOWN },
        source: if agree {
            format!("snapshot {when} at {}", time(at))
        } else {
            format!("snapshots disagree at {}", time(at))
        },
    }
}

/// The states over `[from, to)` of one observation list sorted by time, as spans of one
/// state each in time order: the state changes only at an observation's time.
pub fn spans(list: &[Observation], from: i64, to: i64) -> Vec<(i64, i64, &'static str)> {
    let mut cuts = vec![from];
    cuts.extend(list.iter().map(|o| o.at).filter(|t| *t > from && *t < to));
    cuts.push(to);
    cuts.dedup();
    let mut out: Vec<(i64, i64, &'static str)> = Vec::new();
    for w in cuts.windows(2).filter(|w| w[0] < w[1]) {
        let state = state_at(&[list], w[0]).state;
        match out.last_mut() {
            Some(last) if last.2 == state => last.1 = w[1],
            _ => out.push((w[0], w[1], state)),
        }
    }
    out
}

/// Per-user observations keyed by normalised user id, and (for those without an id) by
/// normalised user principal name.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UserTimelines {
    pub by_id: HashMap<String, Vec<Observation>>,
    pub by_upn: HashMap<String, Vec<Observation>>,
}

impl UserTimelines {
    /// Adds one observation for the user named by `user_id`, else by `upn`.
    pub fn add(&mut self, user_id: Option<&str>, upn: Option<&str>, obs: Observation) {
        let id = user_id
            .map(super::vocabulary::norm)
            .filter(|s| !s.is_empty());
        let upn = upn.map(super::vocabulary::norm).filter(|s| !s.is_empty());
        match (id, upn) {
            (Some(id), _) => self.by_id.entry(id).or_default().push(obs),
            (None, Some(upn)) => self.by_upn.entry(upn).or_default().push(obs),
            (None, None) => {}
        }
    }

    /// Sorts every list by time (ids break no ties here; the lookup does).
    pub fn finish(&mut self) {
        for l in self.by_id.values_mut().chain(self.by_upn.values_mut()) {
            l.sort_by_key(|o| o.at);
        }
    }

    /// The state of the user at `t`.
    pub fn state_at(&self, user_id: Option<&str>, upn: Option<&str>, t: i64) -> StateAt {
        let mut lists: Vec<&[Observation]> = Vec::with_capacity(2);
        if let Some(l) = user_id.and_then(|u| self.by_id.get(&super::vocabulary::norm(u))) {
            lists.push(l);
        }
        if let Some(l) = upn.and_then(|u| self.by_upn.get(&super::vocabulary::norm(u))) {
            lists.push(l);
        }
        state_at(&lists, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(
        at: i64,
        id: &str,
        old: Option<&'static str>,
        new: Option<&'static str>,
    ) -> Observation {
        Observation {
            at,
            audit_id: Some(id.into()),
            old,
            new,
        }
    }
    fn snap(at: i64, s: &'static str) -> Observation {
        Observation {
            at,
            audit_id: None,
            old: Some(s),
            new: Some(s),
        }
    }

    #[test]
    fn value_shapes() {
        assert_eq!(per_user_value(Some("[]")), Some("disabled"));
        assert_eq!(
            per_user_value(Some(r#"[{"RelyingParty":"*","State":0}]"#)),
            Some("enabled")
        );
        assert_eq!(
            per_user_value(Some(r#"[{"State":0},{"RelyingParty":"*","State":1}]"#)),
            Some("enforced")
        );
        assert_eq!(per_user_value(Some(r#"{"State":1}"#)), Some(UNKNOWN));
        assert_eq!(per_user_value(Some(r#"[{"State":7}]"#)), Some(UNKNOWN));
        assert_eq!(per_user_value(Some("  ")), None);
        assert_eq!(per_user_value(None), None);
        for (raw, want) in [
            ("true", Some("on")),
            ("\"true\"", Some("on")),
            ("[true]", Some("on")),
            ("[\"false\"]", Some("off")),
            ("False", Some("off")),
            ("[true,false]", None),
            ("1", None),
            ("", None),
        ] {
            assert_eq!(security_defaults_value(Some(raw)), want, "{raw}");
        }
    }

    #[test]
    fn lookup_rules_a_b_c_and_ties() {
        let l = vec![
            snap(10, "enabled"),
            audit(20, "b", Some("enabled"), Some("enforced")),
            audit(20, "a", Some("disabled"), Some("enabled")),
            snap(20, "disabled"),
            snap(30, "enabled"),
            snap(30, "enforced"),
        ];
        let s = |t| state_at(&[&l], t).state;
        assert_eq!(s(5), "enabled"); // b) earliest after is a snapshot
        assert_eq!(s(10), "enabled");
        assert_eq!(s(20), "enforced"); // a) audit wins over snapshot, greater id is later
        assert_eq!(s(25), "enforced");
        assert_eq!(s(30), UNKNOWN); // two snapshots disagree
        let only_audits = vec![
            audit(20, "b", Some("enabled"), None),
            audit(20, "a", None, Some("enabled")),
        ];
        assert_eq!(state_at(&[&only_audits], 19).state, UNKNOWN); // smallest id's old: none
        assert_eq!(state_at(&[&only_audits], 20).state, UNKNOWN); // greatest id's new: none
        assert_eq!(state_at(&[], 20).state, UNKNOWN);
    }

    #[test]
    fn spans_cut_the_window_where_the_state_changes() {
        let snap = |at, s: &'static str| Observation {
            at,
            audit_id: None,
            old: Some(s),
            new: Some(s),
        };
        let list = [
            audit(10, "a", None, Some("on")),
            audit(20, "b", Some("on"), Some("on")),
            audit(30, "c", Some("on"), Some("off")),
            snap(40, "off"),
        ];
        assert_eq!(
            spans(&list, 0, 50),
            [(0, 10, UNKNOWN), (10, 30, "on"), (30, 50, "off")]
        );
        assert_eq!(spans(&list, 12, 25), [(12, 25, "on")]);
        assert_eq!(spans(&[], 0, 5), [(0, 5, UNKNOWN)]);
        assert!(spans(&list, 5, 5).is_empty());
    }
}
