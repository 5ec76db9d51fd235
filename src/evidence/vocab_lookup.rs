//! `vocab_lookup(table, key_column, value_column, key)`: the `value_column` of the row of
//! `vocab_<table>` whose `key_column` is `key`, compared as the rules compare strings
//! (`vocabulary::norm`); null when no row has that key.
//!
//! The classification's lookups of every sign-in in the small vocabularies (client app,
//! interrupt error code, class) were joins. On one machine a join with a table of 20 rows
//! costs little; on a Ballista cluster each was a sort-merge join with both sides
//! partitioned on the vocabulary key, whose few values put nearly every sign-in in one
//! partition of one task, and every sign-in crossed the network once per join. A lookup in
//! the vocabulary compiled into every binary needs neither: it runs wherever the row is.
//! The tables stay registered, for the queries and the reader who wants to see them.

use std::collections::HashMap;

use arrow::array::{Array, AsArray, StringBuilder};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::vocabulary::{Table, norm};

/// The UDF's name.
pub const NAME: &str = "vocab_lookup";

/// The UDF, holding the vocabulary tables.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct VocabLookup {
    tables: Vec<Table>,
    signature: Signature,
}

impl VocabLookup {
    /// The UDF over `tables` (`vocabulary::tables()`).
    pub fn udf(tables: Vec<Table>) -> ScalarUDF {
        ScalarUDF::new_from_impl(VocabLookup {
            tables,
            signature: Signature::any(4, Volatility::Immutable),
        })
    }

    /// Normalised key → value of `table`'s `key_column` and `value_column`. A key given two
    /// different values is a defect of the vocabulary: an error, not a guess.
    fn map(&self, table: &str, key: &str, value: &str) -> DfResult<HashMap<String, String>> {
        let full = format!("vocab_{table}");
        let bad = |why: String| DataFusionError::Plan(format!("{NAME}: {why}"));
        let t = self
            .tables
            .iter()
            .find(|t| t.name == full)
            .ok_or_else(|| bad(format!("no vocabulary table {full}")))?;
        let column = |c: &str| {
            t.header
                .iter()
                .position(|h| h == c)
                .ok_or_else(|| bad(format!("{full} has no column {c}")))
        };
        let (k, v) = (column(key)?, column(value)?);
        let mut out = HashMap::new();
        for row in &t.rows {
            let (Some(kc), Some(vc)) = (row.get(k), row.get(v)) else {
                continue;
            };
            if let Some(old) = out.insert(norm(kc), vc.clone())
                && &old != vc
            {
                return Err(bad(format!("{full}: {kc} has two {value}s")));
            }
        }
        Ok(out)
    }
}

/// `key`'s value in `map`, normalising only a key that needs it (most are already plain
/// lower-case ASCII: the classification normalises client apps itself, and classes and
/// error codes are written so).
fn get<'a>(map: &'a HashMap<String, String>, key: &str) -> Option<&'a String> {
    // `char::is_whitespace`, as `str::trim` (in `norm`) uses: it counts the vertical tab,
    // which `u8::is_ascii_whitespace` does not.
    let edge_space = |b: Option<&u8>| b.is_some_and(|&b| char::from(b).is_whitespace());
    let plain = key.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        && !edge_space(key.as_bytes().first())
        && !edge_space(key.as_bytes().last());
    if plain {
        map.get(key)
    } else {
        map.get(&norm(key))
    }
}

/// The literal string argument `i` (table and column names must be constants).
fn literal(args: &[ColumnarValue], i: usize) -> DfResult<&str> {
    match args.get(i) {
        Some(ColumnarValue::Scalar(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::Utf8View(Some(s))
            | ScalarValue::LargeUtf8(Some(s)),
        )) => Ok(s),
        _ => Err(DataFusionError::Plan(format!(
            "{NAME}(table, key_column, value_column, key): argument {} must be a string constant",
            i + 1
        ))),
    }
}

impl ScalarUDFImpl for VocabLookup {
    fn name(&self) -> &str {
        NAME
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let map = self.map(
            literal(&args.args, 0)?,
            literal(&args.args, 1)?,
            literal(&args.args, 2)?,
        )?;
        let Some(key) = args.args.get(3) else {
            return Err(DataFusionError::Plan(format!("{NAME} takes 4 arguments")));
        };
        let keys = cast(&key.to_array(args.number_rows)?, &DataType::Utf8)?;
        let keys = keys.as_string::<i32>();
        let mut out = StringBuilder::with_capacity(keys.len(), keys.len() * 8);
        for i in 0..keys.len() {
            let found = keys.is_valid(i).then(|| get(&map, keys.value(i))).flatten();
            out.append_option(found);
        }
        let array = std::sync::Arc::new(out.finish());
        Ok(ColumnarValue::Array(array))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int32Array, StringArray};
    use arrow::datatypes::Field;
    use datafusion::config::ConfigOptions;

    use super::*;
    use crate::evidence::vocabulary::tables;

    fn lookup(names: [&str; 3], key: ArrayRef) -> DfResult<Vec<Option<String>>> {
        let udf = VocabLookup {
            tables: tables().unwrap(),
            signature: Signature::any(4, Volatility::Immutable),
        };
        let mut args: Vec<ColumnarValue> = names
            .iter()
            .map(|n| ColumnarValue::Scalar(ScalarValue::Utf8(Some((*n).to_owned()))))
            .collect();
        let rows = key.len();
        let fields = [
            DataType::Utf8,
            DataType::Utf8,
            DataType::Utf8,
            key.data_type().clone(),
        ]
        .into_iter()
        .map(|t| Arc::new(Field::new("a", t, true)))
        .collect();
        args.push(ColumnarValue::Array(key));
        let out = udf.invoke_with_args(ScalarFunctionArgs {
            args,
            arg_fields: fields,
            number_rows: rows,
            return_field: Arc::new(Field::new("r", DataType::Utf8, true)),
            config_options: Arc::new(ConfigOptions::default()),
        })?;
        let ColumnarValue::Array(a) = out else {
            panic!("an array")
        };
        Ok(a.as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect())
    }

    #[test]
    fn keys_compare_as_the_rules_compare_strings() {
        let apps = Arc::new(StringArray::from(vec![
            Some(" browser"),
            Some("IMAP4"),
            Some("telnet"),
            None,
        ]));
        assert_eq!(
            lookup(["client_apps", "client_app_used", "kind"], apps).unwrap(),
            vec![Some("modern".into()), Some("legacy".into()), None, None]
        );
    }

    #[test]
    fn a_plain_key_is_trimmed_as_the_rules_trim() {
        let apps = Arc::new(StringArray::from(vec![
            "\x0bbrowser",
            "browser\x0c",
            "browser",
        ]));
        let found = lookup(["client_apps", "client_app_used", "kind"], apps).unwrap();
        assert_eq!(found, vec![Some("modern".into()); 3]);
    }

    #[test]
    fn a_number_is_looked_up_by_its_text() {
        let codes = Arc::new(Int32Array::from(vec![Some(50074), Some(0), None]));
        let found = lookup(["interrupt_errors", "error_code", "error_code"], codes).unwrap();
        assert_eq!(found, vec![Some("50074".into()), None, None]);
    }

    #[test]
    fn a_key_of_two_values_is_an_error() {
        let table = Table {
            name: "vocab_client_apps",
            header: vec!["client_app_used".into(), "kind".into()],
            rows: vec![
                vec!["IMAP4".into(), "legacy".into()],
                vec!["imap4 ".into(), "modern".into()],
            ],
        };
        let udf = VocabLookup {
            tables: vec![table],
            signature: Signature::any(4, Volatility::Immutable),
        };
        let err = udf
            .map("client_apps", "client_app_used", "kind")
            .unwrap_err();
        assert!(err.to_string().contains("imap4  has two kinds"), "{err}");
    }

    #[test]
    fn an_unknown_table_or_column_is_an_error_not_a_panic() {
        let key: ArrayRef = Arc::new(StringArray::from(vec!["x"]));
        let err = lookup(["nope", "class", "rule"], key.clone()).unwrap_err();
        assert!(
            err.to_string().contains("no vocabulary table vocab_nope"),
            "{err}"
        );
        let err = lookup(["classes", "class", "nope"], key).unwrap_err();
        assert!(err.to_string().contains("has no column nope"), "{err}");
    }
}
