//! What the struct-valued UDFs (`mfa_evidence`, the state lookups) share: every output
//! field is a nullable string, built row by row into one `StringBuilder` per field.

use std::sync::Arc;

use arrow::array::{ArrayRef, StringBuilder, StructArray};
use arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::ColumnarValue;

/// The output struct's fields, one nullable string per name, in order.
pub fn string_fields(names: &[&str]) -> Fields {
    names
        .iter()
        .map(|n| Field::new(*n, DataType::Utf8, true))
        .collect()
}

/// The UDF's result: the struct of `names` whose columns are `builders`, in the same order.
pub fn string_struct(
    names: &[&str],
    builders: impl IntoIterator<Item = StringBuilder>,
) -> DfResult<ColumnarValue> {
    let columns: Vec<ArrayRef> = builders
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    let array = StructArray::try_new(string_fields(names), columns, None)?;
    Ok(ColumnarValue::Array(Arc::new(array)))
}
