//! Query results as report figures: rows of JSON values, each figure naming the query file
//! that produced it, so every number in the report can be traced to its SQL.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMicrosecondType};
use datafusion::prelude::SessionContext;
use serde::Serialize;
use serde_json::{Map, Value};

use super::super::export::format_micros;
use super::super::queries;
use crate::error::Result;

/// One figure: the query file and its rows (column → value, keys sorted). A long figure
/// lists only its first rows; then `rows_total` counts them all and `rows_file` names
/// the CSV file (in the report's folder) that holds them all.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub query: String,
    pub rows: Vec<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_file: Option<String>,
}

impl Figure {
    /// The integer in column `col` of every row, summed where `keep` holds.
    pub fn sum(&self, col: &str, keep: impl Fn(&Map<String, Value>) -> bool) -> u64 {
        self.rows
            .iter()
            .filter(|r| keep(r))
            .filter_map(|r| r.get(col).and_then(Value::as_u64))
            .sum()
    }
}

/// How many rows figure value `fig` has in all, `listed` of them in report.json, and the
/// CSV file holding them all when report.json leaves some out (`rows_total`, `rows_file`).
pub fn extent(fig: &Value, listed: usize) -> (usize, Option<&str>) {
    match (fig["rows_total"].as_u64(), fig["rows_file"].as_str()) {
        (Some(total), Some(file)) => ((total as usize).max(listed), Some(file)),
        _ => (listed, None),
    }
}

/// Text of a cell (empty for null or non-text).
pub fn text<'a>(row: &'a Map<String, Value>, col: &str) -> &'a str {
    row.get(col).and_then(Value::as_str).unwrap_or("")
}

/// Converts batches to JSON rows: integers as numbers, timestamps per the contract.
pub fn rows(batches: &[RecordBatch]) -> Result<Vec<Map<String, Value>>> {
    let mut out = Vec::new();
    for b in batches {
        let schema = b.schema();
        let mut rows = vec![Map::new(); b.num_rows()];
        for (field, col) in schema.fields().iter().zip(b.columns()) {
            let name = field.name().clone();
            let values: Vec<Value> = match col.data_type() {
                DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64 => {
                    let c = cast(col, &DataType::Int64)?;
                    let c = c.as_primitive::<Int64Type>();
                    (0..c.len())
                        .map(|i| {
                            if c.is_valid(i) {
                                c.value(i).into()
                            } else {
                                Value::Null
                            }
                        })
                        .collect()
                }
                DataType::Float32 | DataType::Float64 => {
                    let c = cast(col, &DataType::Float64)?;
                    let c = c.as_primitive::<arrow::datatypes::Float64Type>();
                    (0..c.len())
                        .map(|i| {
                            if c.is_valid(i) {
                                c.value(i).into()
                            } else {
                                Value::Null
                            }
                        })
                        .collect()
                }
                DataType::Boolean => {
                    let c = col.as_boolean();
                    (0..c.len())
                        .map(|i| {
                            if c.is_valid(i) {
                                c.value(i).into()
                            } else {
                                Value::Null
                            }
                        })
                        .collect()
                }
                DataType::Timestamp(_, _) => {
                    let c = cast(col, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
                    let c = c.as_primitive::<TimestampMicrosecondType>();
                    (0..c.len())
                        .map(|i| {
                            if c.is_valid(i) {
                                format_micros(c.value(i)).into()
                            } else {
                                Value::Null
                            }
                        })
                        .collect()
                }
                _ => {
                    let c = cast(col, &DataType::Utf8)?;
                    let c = c.as_string::<i32>();
                    (0..c.len())
                        .map(|i| {
                            if c.is_valid(i) {
                                c.value(i).into()
                            } else {
                                Value::Null
                            }
                        })
                        .collect()
                }
            };
            for (row, v) in rows.iter_mut().zip(values) {
                row.insert(name.clone(), v);
            }
        }
        out.extend(rows);
    }
    Ok(out)
}

/// Runs query `name` with `params` and returns it as a figure.
pub async fn figure(ctx: &SessionContext, name: &str, params: &[(&str, String)]) -> Result<Figure> {
    let df = queries::plan(ctx, name, params).await?;
    let batches = queries::collect(name, df).await?;
    Ok(Figure {
        query: queries::get(name)?.file(),
        rows: rows(&batches)?,
        rows_total: None,
        rows_file: None,
    })
}
