//! Sign-ins held as Arrow columns rather than records: the Graph fast path's decoding
//! workers build one [`SignInRows`] per batch of input, the lake's partition buffers hold
//! `(rows, index)` pairs into them, and a partition's batch is gathered from those pairs.
//!
//! The columns are [`batch::sign_in_columns`], the one definition of a sign-in's columns,
//! so a record and a decoded row of the same JSON give the same lake row.

use std::ops::Deref;
use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray, ListArray, RecordBatch};
use arrow::compute::interleave;
use arrow::datatypes::TimestampMicrosecondType;
use arrow::error::ArrowError;
use chrono::{DateTime, Utc};

use super::batch::{self, Provenance};
use super::columns::SIGN_INS;
use super::record::{SignIn, SignInOf};

/// The place of `authentication_details` among [`batch::sign_in_columns`] (which leave out
/// `tenant_id`, the schema's first column).
static DETAILS: LazyLock<usize> = LazyLock::new(|| {
    SIGN_INS
        .index_of("authentication_details")
        .expect("sign_ins has authentication_details")
        - 1
});

/// Decoded sign-ins of one batch of input, as columns.
#[derive(Debug)]
pub struct SignInRows {
    columns: Vec<ArrayRef>,
}

impl SignInRows {
    /// The columns of `rows`, in order.
    pub fn new<S: Deref<Target = str>>(rows: &[&SignInOf<S>]) -> SignInRows {
        SignInRows {
            columns: batch::sign_in_columns(rows),
        }
    }

    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `id` of row `row` (never null).
    pub fn id(&self, row: usize) -> &str {
        self.columns[0].as_string::<i32>().value(row)
    }

    /// The `created_at` of row `row` (never null).
    pub fn created_at(&self, row: usize) -> DateTime<Utc> {
        let micros = self.columns[1]
            .as_primitive::<TimestampMicrosecondType>()
            .value(row);
        DateTime::from_timestamp_micros(micros).unwrap_or_default()
    }

    /// How many `authentication_details` row `row` has (the dedup rule counts them).
    pub fn details(&self, row: usize) -> usize {
        let list: &ListArray = self.columns[*DETAILS].as_list::<i32>();
        list.value_length(row).try_into().unwrap_or(0)
    }
}

/// One sign-in waiting in a partition buffer: a record some source made, or a row of
/// decoded columns.
#[derive(Debug)]
pub enum SignInRow {
    Record(Box<SignIn>),
    Decoded(Arc<SignInRows>, usize),
}

/// Builds a `sign_ins` batch of `tenant`'s rows; `prov` is parallel to `rows`. Records are
/// first turned into columns of their own, then every row is gathered from its columns in
/// order (one copy of each value, as building from records made).
pub fn sign_ins_batch(
    tenant: &str,
    rows: &[&SignInRow],
    prov: &[Provenance],
) -> Result<RecordBatch, ArrowError> {
    let records: Vec<&SignIn> = rows
        .iter()
        .filter_map(|r| match r {
            SignInRow::Record(s) => Some(&**s),
            SignInRow::Decoded(..) => None,
        })
        .collect();
    if records.len() == rows.len() {
        return batch::sign_ins_batch(tenant, &records, prov);
    }
    let own = SignInRows::new(&records);
    let mut sources: Vec<&SignInRows> = vec![&own];
    let mut next_record = 0;
    let mut at: Vec<(usize, usize)> = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            SignInRow::Record(_) => {
                at.push((0, next_record));
                next_record += 1;
            }
            SignInRow::Decoded(cols, i) => {
                // Rows of one batch of input arrive together: the last source is the
                // likely one, so the search is short.
                let found = sources
                    .iter()
                    .rposition(|s| std::ptr::eq(*s, Arc::as_ptr(cols)));
                let source = found.unwrap_or_else(|| {
                    sources.push(cols);
                    sources.len() - 1
                });
                at.push((source, *i));
            }
        }
    }
    let content = gather(&sources, &at)?;
    batch::sign_ins_batch_of(tenant, content, prov)
}

/// Each column of `sources` gathered at `at` (source, row).
fn gather(sources: &[&SignInRows], at: &[(usize, usize)]) -> Result<Vec<ArrayRef>, ArrowError> {
    let width = sources.first().map_or(0, |s| s.columns.len());
    (0..width)
        .map(|c| {
            let arrays: Vec<&dyn Array> = sources.iter().map(|s| s.columns[c].as_ref()).collect();
            interleave(&arrays, at)
        })
        .collect()
}
