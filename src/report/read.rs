//! Query results as typed rows, written once: a serde deserialiser over the columns of
//! an Arrow batch. A row struct declares the query's columns as fields
//! (`#[derive(Deserialize)]`) and every figure reads its rows through `rows`, so no
//! figure converts cells by hand. Integers read as integers, floats as floats, booleans
//! as booleans, timestamps as the contract's text (`evidence::cells::format_micros`),
//! everything else as text; a null reads as `None`.

use std::fmt;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType};
use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde::forward_to_deserialize_any;

use crate::evidence::{self, cells::format_micros};
use crate::report::Result;

/// Why a row did not fit its struct (a column missing, a null where a value must be).
#[derive(Debug)]
pub struct RowError(String);

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowError {}

impl de::Error for RowError {
    fn custom<T: fmt::Display>(msg: T) -> RowError {
        RowError(msg.to_string())
    }
}

/// Every row of `batches` as an `R`; an error names the query file `query`.
pub fn rows<R: DeserializeOwned>(query: &str, batches: &[RecordBatch]) -> Result<Vec<R>> {
    let mut out = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for batch in batches {
        let columns = Columns::of(batch)?;
        for row in 0..batch.num_rows() {
            let r =
                R::deserialize(At { of: &columns, row }).map_err(|e| evidence::Error::Query {
                    name: query.to_owned(),
                    source: datafusion::error::DataFusionError::External(Box::new(e)),
                })?;
            out.push(r);
        }
    }
    Ok(out)
}

/// One column, cast once per batch to the type it is read as.
enum Column {
    Int(Int64Array),
    Float(Float64Array),
    Bool(BooleanArray),
    Time(TimestampMicrosecondArray),
    Text(StringArray),
}

impl Column {
    fn of(col: &ArrayRef) -> Result<Column> {
        use DataType::{
            Boolean, Float32, Float64, Int8, Int16, Int32, Int64, Timestamp, UInt8, UInt16, UInt32,
            UInt64,
        };
        Ok(match col.data_type() {
            Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 => {
                Column::Int(cast(col, &Int64)?.as_primitive::<Int64Type>().clone())
            }
            Float32 | Float64 => {
                Column::Float(cast(col, &Float64)?.as_primitive::<Float64Type>().clone())
            }
            Boolean => Column::Bool(col.as_boolean().clone()),
            Timestamp(_, _) => {
                let t = cast(col, &Timestamp(TimeUnit::Microsecond, None))?;
                Column::Time(t.as_primitive::<TimestampMicrosecondType>().clone())
            }
            _ => Column::Text(cast(col, &DataType::Utf8)?.as_string::<i32>().clone()),
        })
    }

    fn is_null(&self, row: usize) -> bool {
        match self {
            Column::Int(a) => a.is_null(row),
            Column::Float(a) => a.is_null(row),
            Column::Bool(a) => a.is_null(row),
            Column::Time(a) => a.is_null(row),
            Column::Text(a) => a.is_null(row),
        }
    }
}

/// The columns of one batch with their names.
struct Columns {
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Columns {
    fn of(batch: &RecordBatch) -> Result<Columns> {
        let schema = batch.schema();
        Ok(Columns {
            names: schema.fields().iter().map(|f| f.name().clone()).collect(),
            columns: batch
                .columns()
                .iter()
                .map(Column::of)
                .collect::<Result<_>>()?,
        })
    }
}

/// Row `row` of `of`: of a batch's columns (read as a map from column name to cell), or
/// of one column (a cell).
struct At<'a, T> {
    of: &'a T,
    row: usize,
}

impl<'de> de::Deserializer<'de> for At<'_, Columns> {
    type Error = RowError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        let (columns, row) = (self.of, self.row);
        visitor.visit_map(Cells {
            columns,
            row,
            next: 0,
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// The cells of one row, column by column.
struct Cells<'a> {
    columns: &'a Columns,
    row: usize,
    next: usize,
}

impl<'de> MapAccess<'de> for Cells<'_> {
    type Error = RowError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, RowError> {
        match self.columns.names.get(self.next) {
            Some(name) => seed.deserialize(StrDeserializer::new(name)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, RowError> {
        let i = self.next;
        self.next += 1;
        let cell = At {
            of: &self.columns.columns[i],
            row: self.row,
        };
        seed.deserialize(cell)
            .map_err(|e| RowError(format!("column {}: {e}", self.columns.names[i])))
    }
}

impl<'de> de::Deserializer<'de> for At<'_, Column> {
    type Error = RowError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        let i = self.row;
        if self.of.is_null(i) {
            return visitor.visit_none();
        }
        match self.of {
            Column::Int(a) => visitor.visit_i64(a.value(i)),
            Column::Float(a) => visitor.visit_f64(a.value(i)),
            Column::Bool(a) => visitor.visit_bool(a.value(i)),
            Column::Time(a) => visitor.visit_string(format_micros(a.value(i))),
            Column::Text(a) => visitor.visit_str(a.value(i)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        if self.of.is_null(self.row) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// The fields a row struct reads, in declaration order (from its `Deserialize` impl): the
/// tests compare them with the columns of the struct's query.
#[cfg(test)]
pub fn fields<R: DeserializeOwned>() -> &'static [&'static str] {
    struct FieldsOf<'a>(&'a mut &'static [&'static str]);

    impl<'de> de::Deserializer<'de> for FieldsOf<'_> {
        type Error = RowError;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, RowError> {
            Err(RowError("not a struct".into()))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, RowError> {
            *self.0 = fields;
            Err(RowError("fields taken".into()))
        }

        forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    let _ = R::deserialize(FieldsOf(&mut fields));
    fields
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int32Array, UInt64Array};
    use arrow::datatypes::{Field, Schema};
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Row {
        n: u64,
        share: f64,
        flag: bool,
        at: String,
        name: Option<String>,
    }

    fn batch(name: Option<&str>, n: Option<u64>) -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("n", DataType::UInt64, true),
            Field::new("share", DataType::Float64, true),
            Field::new("flag", DataType::Boolean, true),
            Field::new("at", DataType::Timestamp(TimeUnit::Microsecond, None), true),
            Field::new("name", DataType::Utf8, true),
            Field::new("extra", DataType::Int32, true),
        ]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(UInt64Array::from(vec![n])),
                Arc::new(Float64Array::from(vec![0.25])),
                Arc::new(BooleanArray::from(vec![true])),
                Arc::new(TimestampMicrosecondArray::from(vec![1_793_520_902_123_456])),
                Arc::new(StringArray::from(vec![name])),
                Arc::new(Int32Array::from(vec![1])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn a_batch_reads_into_typed_rows() {
        let read: Vec<Row> = rows("queries/q.sql", &[batch(None, Some(3))]).unwrap();
        assert_eq!(
            read,
            [Row {
                n: 3,
                share: 0.25,
                flag: true,
                at: "2026-11-01T08:15:02.123456Z".into(),
                name: None,
            }]
        );
        let read: Vec<Row> = rows("queries/q.sql", &[batch(Some("x"), Some(3))]).unwrap();
        assert_eq!(read[0].name.as_deref(), Some("x"));
        assert_eq!(fields::<Row>(), ["n", "share", "flag", "at", "name"]);
    }

    #[test]
    fn a_null_where_a_value_must_be_names_the_query_and_column() {
        let err = rows::<Row>("queries/q.sql", &[batch(None, None)]).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("query queries/q.sql: "), "{text}");
        assert!(text.contains("column n: invalid type"), "{text}");
    }
}
