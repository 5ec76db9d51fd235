//! Policy and named-location observations from the lake: snapshot rows
//! (`queries/ca_snapshots.sql`) and audit changes (`queries/ca_changes.sql`), parsed into
//! definitions. A definition that does not parse is an unknown definition at that instant,
//! reported with where it came from; it never stops the evaluation.

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use chrono::{DateTime, Utc};

use super::versions::{At, History, Obs, Version};
use crate::evidence::{Error, Result};
use crate::policy::{NamedLocation, Policy};

/// Everything observed about policies and named locations.
#[derive(Debug, Default)]
pub struct Observed {
    pub policies: History<Policy>,
    pub locations: History<NamedLocation>,
    /// Definitions that could not be read: where, and why.
    pub unreadable: Vec<String>,
}

/// A definition type read from Graph-shaped JSON.
trait Definition: Sized {
    fn parse(text: &str) -> std::result::Result<Self, String>;
    fn created(&self) -> Option<DateTime<Utc>>;
}

impl Definition for Policy {
    fn parse(text: &str) -> std::result::Result<Policy, String> {
        Policy::from_json(text)
    }
    fn created(&self) -> Option<DateTime<Utc>> {
        self.created
    }
}

impl Definition for NamedLocation {
    fn parse(text: &str) -> std::result::Result<NamedLocation, String> {
        NamedLocation::from_json(text)
    }
    fn created(&self) -> Option<DateTime<Utc>> {
        self.created
    }
}

/// Parses one definition text: `None` = no value (absent, null, empty).
fn parse<T: Definition>(raw: Option<&str>) -> Parsed<T> {
    let raw = raw
        .map(str::trim)
        .filter(|r| !r.is_empty() && *r != "null")?;
    let canon = match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => v.to_string(),
        Err(e) => return Some(Err(format!("not JSON: {e}"))),
    };
    Some(T::parse(raw).map(|def| {
        let created = def.created().map(|c| c.timestamp_micros());
        (Version { def, canon }, created)
    }))
}

fn strings(b: &RecordBatch, name: &str) -> Result<StringArray> {
    let col = b
        .column_by_name(name)
        .ok_or_else(|| Error::Internal(format!("conditional access query lacks column {name}")))?;
    Ok(cast(col, &DataType::Utf8)?.as_string::<i32>().clone())
}

fn times(
    b: &RecordBatch,
    name: &str,
) -> Result<arrow::array::PrimitiveArray<TimestampMicrosecondType>> {
    let col = b
        .column_by_name(name)
        .ok_or_else(|| Error::Internal(format!("conditional access query lacks column {name}")))?;
    let col = cast(col, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
    Ok(col.as_primitive::<TimestampMicrosecondType>().clone())
}

fn get(a: &StringArray, i: usize) -> Option<&str> {
    a.is_valid(i).then(|| a.value(i))
}

fn time(a: &arrow::array::PrimitiveArray<TimestampMicrosecondType>, i: usize) -> Option<i64> {
    a.is_valid(i).then(|| a.value(i))
}

impl Observed {
    /// The observations of the rows of `ca_snapshots` and `ca_changes`.
    pub fn from_rows(snapshots: &[RecordBatch], changes: &[RecordBatch]) -> Result<Observed> {
        let mut seen = Observed::default();
        for b in snapshots {
            seen.snapshots(b)?;
        }
        for b in changes {
            seen.changes(b)?;
        }
        Ok(seen)
    }

    fn snapshots(&mut self, b: &RecordBatch) -> Result<()> {
        let (kind, id, def, file, record) = (
            strings(b, "kind")?,
            strings(b, "object_id")?,
            strings(b, "definition")?,
            strings(b, "source_file")?,
            strings(b, "source_record")?,
        );
        let (created, modified, snapshot) = (
            times(b, "created_at")?,
            times(b, "modified_at")?,
            times(b, "snapshot_at")?,
        );
        for i in 0..b.num_rows() {
            let Some(id) = get(&id, i) else { continue };
            let Some(at) = time(&modified, i)
                .or_else(|| time(&created, i))
                .or_else(|| time(&snapshot, i))
            else {
                continue; // not an observation (evidence rules §8)
            };
            let whence = || {
                format!(
                    "{} record {}",
                    get(&file, i).unwrap_or("?"),
                    get(&record, i).unwrap_or("?")
                )
            };
            match get(&kind, i) {
                Some("policy") => {
                    let v = parse::<Policy>(get(&def, i));
                    snapshot_obs(&mut self.policies, &mut self.unreadable, id, at, v, whence);
                }
                _ => {
                    let v = parse::<NamedLocation>(get(&def, i));
                    snapshot_obs(&mut self.locations, &mut self.unreadable, id, at, v, whence);
                }
            }
        }
        Ok(())
    }

    fn changes(&mut self, b: &RecordBatch) -> Result<()> {
        let (audit, kind, action, id, old, new) = (
            strings(b, "audit_id")?,
            strings(b, "kind")?,
            strings(b, "action")?,
            strings(b, "target_id")?,
            strings(b, "old_value")?,
            strings(b, "new_value")?,
        );
        let at = times(b, "at")?;
        for i in 0..b.num_rows() {
            let (Some(id), Some(t)) = (get(&id, i), time(&at, i)) else {
                continue;
            };
            let change = Change {
                audit_id: get(&audit, i).unwrap_or_default(),
                at: t,
                delete: get(&action, i) == Some("delete"),
                old: get(&old, i),
                new: get(&new, i),
            };
            if get(&kind, i) == Some("policy") {
                change.add(&mut self.policies, &mut self.unreadable, id);
            } else {
                change.add(&mut self.locations, &mut self.unreadable, id);
            }
        }
        Ok(())
    }
}

type Parsed<T> = Option<std::result::Result<(Version<T>, Option<i64>), String>>;

fn snapshot_obs<T: Definition>(
    history: &mut History<T>,
    unreadable: &mut Vec<String>,
    id: &str,
    at: i64,
    parsed: Parsed<T>,
    whence: impl Fn() -> String,
) {
    let (value, created) = match parsed {
        Some(Ok((v, created))) => (At::Known(Arc::new(v)), created),
        Some(Err(reason)) => {
            unreadable.push(format!("{}: {id}: {reason}", whence()));
            (At::Unknown, None)
        }
        None => {
            unreadable.push(format!("{}: {id}: no definition", whence()));
            (At::Unknown, None)
        }
    };
    let obs = Obs {
        at,
        audit_id: None,
        old: Some(value.clone()),
        new: Some(value),
    };
    history.add(id, created, obs);
}

/// One audit change of a policy or named location.
struct Change<'a> {
    audit_id: &'a str,
    at: i64,
    delete: bool,
    old: Option<&'a str>,
    new: Option<&'a str>,
}

impl Change<'_> {
    fn add<T: Definition>(&self, history: &mut History<T>, unreadable: &mut Vec<String>, id: &str) {
        let mut created = None;
        let mut value = |raw: Option<&str>, which: &str| match parse::<T>(raw) {
            None => None,
            Some(Ok((v, c))) => {
                created = created.or(c);
                Some(At::Known(Arc::new(v)))
            }
            Some(Err(reason)) => {
                unreadable.push(format!(
                    "audit {} ({which} value): {id}: {reason}",
                    self.audit_id
                ));
                Some(At::Unknown)
            }
        };
        let old = value(self.old, "old");
        let new = if self.delete {
            Some(At::Gone)
        } else {
            value(self.new, "new")
        };
        let obs = Obs {
            at: self.at,
            audit_id: Some(self.audit_id.to_owned()),
            old,
            new,
        };
        history.add(id, created, obs);
    }
}
