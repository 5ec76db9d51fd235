//! The directory facts conditional-access scope depends on (evidence rules §8 "Membership",
//! §10): users' userType, group members, role assignments — from the directory snapshots
//! (`queries/directory_membership.sql`).

use std::collections::{HashMap, HashSet};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::DataType;

use super::versions::key;
use crate::evidence::{Error, Result};

/// What the directory snapshots say.
#[derive(Debug, Default)]
pub struct Directory {
    /// userType per user (normalised id → lower-cased word).
    user_types: HashMap<String, String>,
    /// Members per group, from the group's latest row whose members were ingested; a
    /// group only ever seen without members maps to `None`.
    groups: HashMap<String, Option<HashSet<String>>>,
    /// (principal, role template) pairs; `None` until a role-assignment body was ingested.
    roles: Option<HashSet<(String, String)>>,
}

impl Directory {
    /// Whether the user is a guest by the directory (`None`: not in it).
    pub fn is_guest(&self, user_id: &str) -> Option<bool> {
        self.user_types.get(&key(user_id)).map(|t| t == "guest")
    }

    /// Whether the user is a (direct) member of the group; `None` when its members were
    /// not ingested.
    pub fn in_group(&self, user_id: &str, group_id: &str) -> Option<bool> {
        let members = self.groups.get(&key(group_id))?.as_ref()?;
        Some(members.contains(&key(user_id)))
    }

    /// Whether the user holds the role; `None` when no role assignment was ingested.
    pub fn has_role(&self, user_id: &str, role_id: &str) -> Option<bool> {
        let roles = self.roles.as_ref()?;
        Some(roles.contains(&(key(user_id), key(role_id))))
    }

    /// The directory of the rows of `directory_membership`.
    pub fn from_rows(batches: &[RecordBatch]) -> Result<Directory> {
        let mut dir = Directory::default();
        // Per group: (latest seq with members known, its members).
        let mut latest: HashMap<String, (i64, HashSet<String>)> = HashMap::new();
        for batch in batches {
            dir.read(batch, &mut latest)?;
        }
        for (group, (_, members)) in latest {
            dir.groups.insert(group, Some(members));
        }
        Ok(dir)
    }

    fn read(
        &mut self,
        b: &RecordBatch,
        latest: &mut HashMap<String, (i64, HashSet<String>)>,
    ) -> Result<()> {
        let text = |name: &str| -> Result<arrow::array::StringArray> {
            let col = b.column_by_name(name).ok_or_else(|| {
                Error::Internal(format!("directory_membership lacks column {name}"))
            })?;
            Ok(cast(col, &DataType::Utf8)?.as_string::<i32>().clone())
        };
        let (kind, object, member, user_type) = (
            text("kind")?,
            text("object_id")?,
            text("member_id")?,
            text("user_type")?,
        );
        let known = cast(
            b.column_by_name("members_known").ok_or_else(|| {
                Error::Internal("directory_membership lacks members_known".into())
            })?,
            &DataType::Boolean,
        )?;
        let known = known.as_boolean();
        let seq = cast(
            b.column_by_name("seq")
                .ok_or_else(|| Error::Internal("directory_membership lacks seq".into()))?,
            &DataType::Int64,
        )?;
        let seq = seq.as_primitive::<arrow::datatypes::Int64Type>();
        fn get(a: &arrow::array::StringArray, i: usize) -> Option<&str> {
            a.is_valid(i).then(|| a.value(i))
        }
        for i in 0..b.num_rows() {
            let Some(object) = get(&object, i).map(key).filter(|k| !k.is_empty()) else {
                continue;
            };
            match get(&kind, i) {
                Some("user") => {
                    if let Some(t) = get(&user_type, i) {
                        self.user_types.insert(object, t.trim().to_lowercase());
                    }
                }
                Some("group") => {
                    let known = known.is_valid(i) && known.value(i);
                    if !known {
                        self.groups.entry(object).or_insert(None);
                        continue;
                    }
                    let s = seq.value(i);
                    let entry = latest.entry(object).or_insert((s, HashSet::new()));
                    if s > entry.0 {
                        *entry = (s, HashSet::new());
                    }
                    if s == entry.0
                        && let Some(m) = get(&member, i).map(key).filter(|m| !m.is_empty())
                    {
                        entry.1.insert(m);
                    }
                }
                Some("role") => {
                    let roles = self.roles.get_or_insert_with(HashSet::new);
                    if let Some(m) = get(&member, i).map(key) {
                        roles.insert((m, object));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}
