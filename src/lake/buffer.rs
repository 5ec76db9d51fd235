//! One partition's buffered rows, deduplicated among themselves as they arrive (ids
//! compared trimmed and ignoring case, as `dedup.rs` compares them).
//!
//! Versions of one id often arrive close together (a re-delivered record next to the
//! first). Settling them while both are still buffered keeps the loser out of the staged
//! file, so the commit does not have to rewrite that file without it. Versions that are
//! further apart are still settled exactly at commit (`dedup.rs`); this is only the cheap
//! first pass, by the same rule (evidence-rules §3).

use std::collections::HashMap;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;

use super::dedup::id_key;
use super::layout::Table;
use crate::schema::batch::Provenance;
use crate::schema::{AuditEvent, SignInRow};

/// Rows kept back when a partition's buffer is flushed for size.
pub const TAIL: usize = 128;

/// What the dedup rule looks at in a row.
pub trait Keyed {
    /// The table the row goes to.
    const TABLE: Table;
    fn id(&self) -> &str;
    /// The number of authentication details (0 for audit events).
    fn details(&self) -> usize;
}

impl Keyed for SignInRow {
    const TABLE: Table = Table::SignIns;
    fn id(&self) -> &str {
        match self {
            SignInRow::Record(s) => &s.id,
            SignInRow::Decoded(rows, at) => rows.id(*at),
        }
    }
    fn details(&self) -> usize {
        match self {
            SignInRow::Record(s) => s.authentication_details.len(),
            SignInRow::Decoded(rows, at) => rows.details(*at),
        }
    }
}

impl Keyed for Box<AuditEvent> {
    const TABLE: Table = Table::AuditEvents;
    fn id(&self) -> &str {
        &self.id
    }
    fn details(&self) -> usize {
        0
    }
}

/// Rows with their provenance, in arrival order.
pub type Pending<T> = Vec<(T, Provenance)>;

/// Buffered rows of one partition, and where each id's row is.
pub struct Buffer<T> {
    rows: Pending<T>,
    /// Hash of an id → its row. Two ids with one hash are both kept (the commit settles
    /// them), so the index holds no strings.
    index: HashMap<u64, usize, RandomState>,
    hasher: RandomState,
}

impl<T> Default for Buffer<T> {
    fn default() -> Self {
        Buffer {
            rows: Vec::new(),
            index: HashMap::default(),
            hasher: RandomState::default(),
        }
    }
}

impl<T: Keyed> Buffer<T> {
    /// Adds a row, which arrived after every buffered one. Returns `true` when a version
    /// of the same id was already buffered: the one that loses (fewer details; on a tie,
    /// the earlier) is gone and the buffer did not grow.
    pub fn push(&mut self, row: T, prov: Provenance) -> bool {
        let key = id_key(row.id());
        let h = self.hasher.hash_one(key.as_ref());
        match self.index.get(&h) {
            Some(&at) if id_key(self.rows[at].0.id()) == key => {
                if row.details() >= self.rows[at].0.details() {
                    self.rows[at] = (row, prov);
                }
                true
            }
            Some(_) => {
                self.rows.push((row, prov));
                false
            }
            None => {
                self.index.insert(h, self.rows.len());
                self.rows.push((row, prov));
                false
            }
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// All rows, leaving the buffer empty.
    pub fn take(self) -> Pending<T> {
        self.rows
    }

    /// All rows but the last [`TAIL`], which stay buffered (and indexed) to meet versions
    /// of their ids that arrive just after the cut. Without it, one pair split by a
    /// flush made the commit rewrite a whole staged file.
    pub fn take_keeping_tail(&mut self) -> Pending<T> {
        if self.rows.len() <= 2 * TAIL {
            self.index.clear();
            return std::mem::take(&mut self.rows);
        }
        let tail = self.rows.split_off(self.rows.len() - TAIL);
        let head = std::mem::replace(&mut self.rows, tail);
        self.index.clear();
        for (at, (row, _)) in self.rows.iter().enumerate() {
            self.index
                .entry(self.hasher.hash_one(id_key(row.id()).as_ref()))
                .or_insert(at);
        }
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{AuthDetail, EventType, SignIn};

    fn sign_in(id: &str, details: usize) -> SignInRow {
        let mut s = SignIn::new(id.into(), chrono::Utc::now(), EventType::InteractiveUser);
        s.authentication_details = vec![AuthDetail::default(); details];
        SignInRow::Record(Box::new(s))
    }

    fn prov(seq: i64) -> Provenance {
        Provenance {
            source_format: "graph",
            source_file: "f".into(),
            source_record: seq as u64,
            ingested_at: chrono::Utc::now(),
            ingest_seq: seq,
        }
    }

    #[test]
    fn more_details_win_and_a_tie_goes_to_the_later_version() {
        let mut b = Buffer::default();
        assert!(!b.push(sign_in("a", 1), prov(1)));
        assert!(!b.push(sign_in("b", 2), prov(2)));
        assert!(b.push(sign_in("a", 2), prov(3)), "more details replace");
        assert!(
            b.push(sign_in("b", 1), prov(4)),
            "fewer details are dropped"
        );
        assert!(b.push(sign_in("a", 2), prov(5)), "a tie goes to the later");
        assert!(
            b.push(sign_in(" A ", 2), prov(6)),
            "ids compare trimmed, ignoring case"
        );
        let rows = b.take();
        let kept: Vec<(&str, usize, i64)> = rows
            .iter()
            .map(|(s, p)| (s.id(), s.details(), p.ingest_seq))
            .collect();
        assert_eq!(kept, [(" A ", 2, 6), ("b", 2, 2)]);
    }

    #[test]
    fn the_kept_tail_still_meets_later_versions() {
        let mut b = Buffer::default();
        let n = 3 * TAIL;
        for i in 0..n {
            b.push(sign_in(&format!("id{i}"), 1), prov(i as i64));
        }
        let head = b.take_keeping_tail();
        assert_eq!((head.len(), b.len()), (n - TAIL, TAIL));
        assert!(b.push(sign_in(&format!("id{}", n - 1), 2), prov(n as i64)));
        assert!(
            !b.push(sign_in("id0", 2), prov(n as i64 + 1)),
            "id0 left with the head"
        );
        assert_eq!(b.len(), TAIL + 1);
    }
}
