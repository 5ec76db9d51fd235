//! Definitions over time (evidence rules §8): per policy or named-location id, the
//! definition at an instant from snapshots and audit old/new values, by §4's a/b/c
//! construction (an audit change beats a snapshot at the same instant; same-instant audit
//! changes are ordered by audit id), and nothing exists before the earliest
//! `createdDateTime` any observation of it carries.
//!
//! Definitions change rarely, so the whole history is cut into segments between the
//! instants where anything is observed: inside a segment every id's definition is the
//! same, and a sign-in finds its segment by binary search.

use std::collections::BTreeMap;
use std::sync::Arc;

/// One definition as observed, with its canonical JSON text (equal texts = same version).
#[derive(Debug)]
pub struct Version<T> {
    pub def: T,
    pub canon: String,
}

/// What an id is at an instant.
#[derive(Debug)]
pub enum At<T> {
    /// Does not exist (deleted, or before its creation).
    Gone,
    /// Exists or may exist, definition not known.
    Unknown,
    Known(Arc<Version<T>>),
}

impl<T> Clone for At<T> {
    fn clone(&self) -> At<T> {
        match self {
            At::Gone => At::Gone,
            At::Unknown => At::Unknown,
            At::Known(v) => At::Known(v.clone()),
        }
    }
}

/// One observation: an audit change (its id; `None` old/new = no value) or a snapshot
/// (no audit id, old = new).
#[derive(Debug)]
pub struct Obs<T> {
    pub at: i64,
    pub audit_id: Option<String>,
    pub old: Option<At<T>>,
    pub new: Option<At<T>>,
}

/// Every observation, per normalised id.
#[derive(Debug)]
pub struct History<T> {
    ids: BTreeMap<String, Entry<T>>,
}

#[derive(Debug)]
struct Entry<T> {
    /// The id as first seen, trimmed: what reports show.
    shown: String,
    obs: Vec<Obs<T>>,
    created: Option<i64>,
}

impl<T> Default for History<T> {
    fn default() -> History<T> {
        History {
            ids: BTreeMap::new(),
        }
    }
}

/// Ids compare trimmed, ignoring case (evidence rules §3).
pub fn key(id: &str) -> String {
    id.trim().to_lowercase()
}

impl<T> History<T> {
    /// Adds an observation of `id`; `created` is the `createdDateTime` it carries.
    pub fn add(&mut self, id: &str, created: Option<i64>, obs: Obs<T>) {
        let entry = self.ids.entry(key(id)).or_insert_with(|| Entry {
            shown: id.trim().to_owned(),
            obs: Vec::new(),
            created: None,
        });
        if let Some(c) = created {
            entry.created = Some(entry.created.map_or(c, |e| e.min(c)));
        }
        // Kept sorted by time, equal times in arrival order.
        let at = entry.obs.partition_point(|o| o.at <= obs.at);
        entry.obs.insert(at, obs);
    }

    /// Whether anything was observed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The definition of `id` (normalised) at `t`.
    pub fn at(&self, id_key: &str, t: i64) -> At<T> {
        self.ids.get(id_key).map_or(At::Unknown, |e| entry_at(e, t))
    }

    /// Cuts the history into segments of constant definitions.
    pub fn segments(self) -> Segments<T> {
        let mut starts: Vec<i64> = self
            .ids
            .values()
            .flat_map(|e| e.obs.iter().map(|o| o.at).chain(e.created))
            .collect();
        starts.push(i64::MIN);
        starts.sort_unstable();
        starts.dedup();
        let states = starts
            .iter()
            .map(|&t| {
                self.ids
                    .iter()
                    .map(|(k, e)| Item {
                        key: k.clone(),
                        shown: e.shown.clone(),
                        at: entry_at(e, t),
                    })
                    .collect()
            })
            .collect();
        Segments { starts, states }
    }
}

fn entry_at<T>(e: &Entry<T>, t: i64) -> At<T> {
    if e.created.is_some_and(|c| t < c) {
        return At::Gone;
    }
    let split = e.obs.partition_point(|o| o.at <= t);
    // a) the latest observation at or before t; b) else the earliest after t.
    let (same, side_new) = if let Some(last) = e.obs[..split].last() {
        (same_instant(&e.obs, last.at), true)
    } else if let Some(first) = e.obs.get(split) {
        (same_instant(&e.obs, first.at), false)
    } else {
        return At::Unknown;
    };
    let audits = same.iter().filter(|o| o.audit_id.is_some());
    fn id<T>(o: &Obs<T>) -> &str {
        o.audit_id.as_deref().map(str::trim).unwrap_or_default()
    }
    let by_id = |a: &&Obs<T>, b: &&Obs<T>| id(a).cmp(id(b));
    let audit = if side_new {
        audits.max_by(by_id)
    } else {
        audits.min_by(by_id)
    };
    if let Some(audit) = audit {
        let value = if side_new { &audit.new } else { &audit.old };
        return value.clone().unwrap_or(At::Unknown);
    }
    snapshots_agree(same)
}

fn same_instant<T>(obs: &[Obs<T>], at: i64) -> &[Obs<T>] {
    let start = obs.partition_point(|o| o.at < at);
    let end = obs.partition_point(|o| o.at <= at);
    &obs[start..end]
}

/// Snapshots at one instant give their definition when they agree, else unknown.
fn snapshots_agree<T>(same: &[Obs<T>]) -> At<T> {
    fn canon<T>(o: &Obs<T>) -> Option<&str> {
        match &o.new {
            Some(At::Known(v)) => Some(v.canon.as_str()),
            _ => None,
        }
    }
    let first = same.first().and_then(canon);
    if first.is_some() && same.iter().all(|o| canon(o) == first) {
        same[0].new.clone().unwrap_or(At::Unknown)
    } else {
        At::Unknown
    }
}

/// One id's definition inside a segment.
#[derive(Debug)]
pub struct Item<T> {
    pub key: String,
    pub shown: String,
    pub at: At<T>,
}

/// The history cut at every instant something is observed: segment `i` runs from
/// `starts[i]` (the first is unbounded) to `starts[i + 1]`, excluded.
#[derive(Debug)]
pub struct Segments<T> {
    starts: Vec<i64>,
    states: Vec<Vec<Item<T>>>,
}

impl<T> Segments<T> {
    /// The segment holding `t`.
    pub fn index(&self, t: i64) -> usize {
        self.starts.partition_point(|s| *s <= t).saturating_sub(1)
    }

    /// Every id's definition in segment `i`, sorted by normalised id.
    pub fn state(&self, i: usize) -> &[Item<T>] {
        &self.states[i]
    }

    /// How many segments there are.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there is only the unbounded segment of nothing.
    pub fn is_empty(&self) -> bool {
        self.states.iter().all(Vec::is_empty)
    }

    /// Segment `i`'s start (`None`: unbounded) and end (`None`: unbounded).
    pub fn span(&self, i: usize) -> (Option<i64>, Option<i64>) {
        let start = Some(self.starts[i]).filter(|s| *s != i64::MIN);
        (start, self.starts.get(i + 1).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(text: &str) -> At<String> {
        At::Known(Arc::new(Version {
            def: text.to_owned(),
            canon: text.to_owned(),
        }))
    }
    fn snap(at: i64, text: &str) -> Obs<String> {
        Obs {
            at,
            audit_id: None,
            old: Some(known(text)),
            new: Some(known(text)),
        }
    }
    fn audit(at: i64, id: &str, old: Option<At<String>>, new: Option<At<String>>) -> Obs<String> {
        Obs {
            at,
            audit_id: Some(id.into()),
            old,
            new,
        }
    }
    fn word(a: &At<String>) -> String {
        match a {
            At::Gone => "gone".into(),
            At::Unknown => "unknown".into(),
            At::Known(v) => v.def.clone(),
        }
    }

    fn history() -> History<String> {
        let mut h = History::default();
        h.add(" P1 ", Some(5), snap(10, "v1"));
        h.add(
            "p1",
            None,
            audit(20, "b", Some(known("v1")), Some(known("v3"))),
        );
        h.add(
            "p1",
            None,
            audit(20, "a", Some(known("v1")), Some(known("v2"))),
        );
        h.add("p1", None, snap(20, "v0"));
        h.add(
            "p1",
            None,
            audit(30, "c", Some(known("v3")), Some(At::Gone)),
        );
        h.add("p2", None, audit(15, "d", None, Some(known("w1"))));
        h.add("p3", None, snap(40, "x1"));
        h.add("p3", None, snap(40, "x2"));
        h
    }

    #[test]
    fn a_b_c_ties_creation_and_deletion() {
        let h = history();
        let direct: Vec<String> = [0, 5, 10, 19, 20, 29, 30, 99]
            .iter()
            .map(|&t| word(&h.at("p1", t)))
            .collect();
        assert_eq!(
            direct,
            ["gone", "v1", "v1", "v1", "v3", "v3", "gone", "gone"]
        );
        assert_eq!(word(&h.at("p2", 14)), "unknown"); // an Add has no old value
        assert_eq!(word(&h.at("p2", 15)), "w1");
        assert_eq!(word(&h.at("p3", 40)), "unknown"); // snapshots disagree
        assert_eq!(word(&h.at("nope", 40)), "unknown");
        let s = history().segments();
        let at = |t: i64| {
            let i = s.index(t);
            s.state(i).iter().map(|it| word(&it.at)).collect::<Vec<_>>()
        };
        // Every instant agrees with the direct lookup.
        for t in [-5, 0, 4, 5, 7, 10, 15, 19, 20, 25, 30, 40, 99] {
            let direct: Vec<String> = ["p1", "p2", "p3"]
                .iter()
                .map(|k| word(&h.at(k, t)))
                .collect();
            assert_eq!(at(t), direct, "{t}");
        }
        assert_eq!(at(4), ["gone", "unknown", "unknown"]);
        assert_eq!(at(15), ["v1", "w1", "unknown"]);
        assert_eq!(at(25), ["v3", "w1", "unknown"]);
        assert_eq!(at(35), ["gone", "w1", "unknown"]);
        assert_eq!(s.state(0)[0].shown, "P1");
        assert_eq!(s.span(0), (None, Some(5)));
    }
}
