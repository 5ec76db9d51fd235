//! Sign-ins held as Arrow columns rather than records: the Graph fast path's decoding
//! workers build one [`SignInRows`] per batch of input, the lake's partition buffers hold
//! `(rows, index)` pairs into them, and a partition's batch is gathered from those pairs.
//!
//! The columns are [`batch::sign_in_columns`], the one definition of a sign-in's columns,
//! so a record and a decoded row of the same JSON give the same lake row.

use std::ops::Deref;
use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray, ListArray, RecordBatch};
use arrow::compute::{concat, interleave};
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
///
/// Rows mostly arrive as long runs of consecutive rows of one batch of input (a batch of
/// input goes to one partition unless it straddles midnight). Then each column is the
/// concatenation of the runs' slices: one copy of each value buffer per run, where a
/// row-by-row gather copied each value on its own (it was most of the encoder's building
/// time). Short runs are gathered row by row.
fn gather(sources: &[&SignInRows], at: &[(usize, usize)]) -> Result<Vec<ArrayRef>, ArrowError> {
    let runs = runs(at);
    if runs.len() * MIN_RUN <= at.len() {
        concat_runs(sources, &runs)
    } else {
        interleave_rows(sources, at)
    }
}

/// The average run length from which runs are concatenated rather than gathered.
const MIN_RUN: usize = 16;

/// A run of consecutive rows of one source: (source, first row, rows).
type Run = (usize, usize, usize);

fn runs(at: &[(usize, usize)]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for &(source, row) in at {
        match runs.last_mut() {
            Some((s, first, len)) if *s == source && *first + *len == row => *len += 1,
            _ => runs.push((source, row, 1)),
        }
    }
    runs
}

fn concat_runs(sources: &[&SignInRows], runs: &[Run]) -> Result<Vec<ArrayRef>, ArrowError> {
    let width = sources.first().map_or(0, |s| s.columns.len());
    (0..width)
        .map(|c| {
            let slices: Vec<ArrayRef> = runs
                .iter()
                .map(|&(s, first, len)| sources[s].columns[c].slice(first, len))
                .collect();
            let arrays: Vec<&dyn Array> = slices.iter().map(|a| a.as_ref()).collect();
            concat(&arrays)
        })
        .collect()
}

fn interleave_rows(
    sources: &[&SignInRows],
    at: &[(usize, usize)],
) -> Result<Vec<ArrayRef>, ArrowError> {
    let width = sources.first().map_or(0, |s| s.columns.len());
    (0..width)
        .map(|c| {
            let arrays: Vec<&dyn Array> = sources.iter().map(|s| s.columns[c].as_ref()).collect();
            interleave(&arrays, at)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::record::EventType;

    fn rows(ids: std::ops::Range<usize>) -> SignInRows {
        let records: Vec<SignIn> = ids
            .map(|i| {
                let mut s = SignIn::new(format!("id{i}"), Utc::now(), EventType::InteractiveUser);
                s.user_id = (i % 3 != 0).then(|| format!("user{}", i % 7));
                s.authentication_details = vec![crate::schema::AuthDetail::default(); i % 3];
                s
            })
            .collect();
        SignInRows::new(&records.iter().collect::<Vec<_>>())
    }

    #[test]
    fn runs_are_maximal_stretches_of_consecutive_rows_of_one_source() {
        let at = [
            (1, 4),
            (1, 5),
            (1, 6),
            (2, 7),
            (1, 7),
            (1, 9),
            (0, 0),
            (0, 1),
        ];
        assert_eq!(
            runs(&at),
            [(1, 4, 3), (2, 7, 1), (1, 7, 1), (1, 9, 1), (0, 0, 2)]
        );
    }

    #[test]
    fn concatenated_runs_equal_the_row_by_row_gather() {
        let (a, b) = (rows(0..40), rows(100..150));
        let sources = [&a, &b];
        // Long runs, a skipped row, a row repeated and a short run out of order.
        let mut at: Vec<(usize, usize)> = (0..20).map(|r| (0, r)).collect();
        at.extend((21..40).map(|r| (0, r)));
        at.extend((0..50).map(|r| (1, r)));
        at.extend([(0, 3), (0, 3), (1, 49), (0, 20)]);
        let by_run = concat_runs(&sources, &runs(&at)).unwrap();
        let by_row = interleave_rows(&sources, &at).unwrap();
        assert_eq!(by_run.len(), by_row.len());
        for (run, row) in by_run.iter().zip(&by_row) {
            assert_eq!(run.to_data(), row.to_data());
        }
        assert_eq!(gather(&sources, &at).unwrap()[0].len(), at.len());
    }
}
