//! Query results as text, the one way: a timestamp is RFC 3339 UTC with microseconds and
//! `Z` (evidence rules §6), every other value its Arrow text. The per-sign-in export and
//! the report's CSV files and figures all write cells through here, so a time reads the
//! same in every output.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use chrono::DateTime;

use crate::evidence::Result;

/// RFC 3339 UTC with microseconds and `Z`, as the contract's exports write times.
pub fn format_micros(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
        .unwrap_or_default()
}

/// Cells of one batch as optional strings (null → `None`), row by row.
pub fn cells(batch: &RecordBatch) -> Result<Vec<Vec<Option<String>>>> {
    let mut rows = vec![Vec::with_capacity(batch.num_columns()); batch.num_rows()];
    for col in batch.columns() {
        if let DataType::Timestamp(_, _) = col.data_type() {
            let t = cast(col, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            let t = t.as_primitive::<TimestampMicrosecondType>();
            for (i, row) in rows.iter_mut().enumerate() {
                row.push(t.is_valid(i).then(|| format_micros(t.value(i))));
            }
        } else {
            let s = cast(col, &DataType::Utf8)?;
            let s = s.as_string::<i32>();
            for (i, row) in rows.iter_mut().enumerate() {
                row.push(s.is_valid(i).then(|| s.value(i).to_owned()));
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{BooleanArray, Int64Array, StringArray, TimestampMicrosecondArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;

    #[test]
    fn times_numbers_booleans_and_nulls_as_text() {
        let schema = Schema::new(vec![
            Field::new("t", DataType::Timestamp(TimeUnit::Microsecond, None), true),
            Field::new("n", DataType::Int64, true),
            Field::new("b", DataType::Boolean, true),
            Field::new("s", DataType::Utf8, true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(TimestampMicrosecondArray::from(vec![
                    Some(1_793_520_902_123_456),
                    None,
                ])),
                Arc::new(Int64Array::from(vec![Some(-7), None])),
                Arc::new(BooleanArray::from(vec![Some(true), None])),
                Arc::new(StringArray::from(vec![Some("x"), None])),
            ],
        )
        .unwrap();
        let rows = cells(&batch).unwrap();
        fn text(r: &[Option<String>]) -> Vec<Option<&str>> {
            r.iter().map(|c| c.as_deref()).collect()
        }
        assert_eq!(
            text(&rows[0]),
            [
                Some("2026-11-01T08:15:02.123456Z"),
                Some("-7"),
                Some("true"),
                Some("x")
            ]
        );
        assert_eq!(text(&rows[1]), [None, None, None, None]);
    }
}
