//! The rule vocabulary (client apps, methods, details, interrupt errors, classes, audit
//! activities) as data: CSV files under `queries/vocabulary/`, embedded at build time,
//! registered as SQL tables and parsed once for the detail matcher.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use crate::evidence::{Error, Result};

/// Every vocabulary file: (table name, CSV text). Tables are named `vocab_<file stem>`.
pub const FILES: &[(&str, &str)] = &[
    (
        "vocab_client_apps",
        include_str!("../../queries/vocabulary/client_apps.csv"),
    ),
    (
        "vocab_methods",
        include_str!("../../queries/vocabulary/methods.csv"),
    ),
    (
        "vocab_details",
        include_str!("../../queries/vocabulary/details.csv"),
    ),
    (
        "vocab_interrupt_errors",
        include_str!("../../queries/vocabulary/interrupt_errors.csv"),
    ),
    (
        "vocab_classes",
        include_str!("../../queries/vocabulary/classes.csv"),
    ),
    (
        "vocab_audit_activities",
        include_str!("../../queries/vocabulary/audit_activities.csv"),
    ),
    (
        "vocab_finding_reasons",
        include_str!("../../queries/vocabulary/finding_reasons.csv"),
    ),
    (
        "vocab_technical_roles",
        include_str!("../../queries/vocabulary/technical_roles.csv"),
    ),
    (
        "vocab_partner_apps",
        include_str!("../../queries/vocabulary/partner_apps.csv"),
    ),
];

/// How the rules compare strings: Unicode trim (as `str::trim`), then lower case.
pub fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// One vocabulary table as header + rows of strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Table {
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Parses one embedded CSV (lines starting `#` are comments: where the values come from);
/// a malformed file is a build defect, reported as an error.
pub fn parse(name: &'static str, text: &str) -> Result<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| Error::Internal(format!("vocabulary {name}: {e}"));
    let header = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row.map_err(bad)?;
        rows.push(row.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(Table { name, header, rows })
}

/// All vocabulary tables.
pub fn tables() -> Result<Vec<Table>> {
    FILES.iter().map(|(n, t)| parse(n, t)).collect()
}

/// Registers every vocabulary table (all columns Utf8, except `error_code` Int32).
pub fn register(ctx: &SessionContext) -> Result<()> {
    for table in tables()? {
        let fields: Vec<Field> = table
            .header
            .iter()
            .map(|h| Field::new(h, column_type(h), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (i, h) in table.header.iter().enumerate() {
            let cells = table.rows.iter().map(|r| r.get(i).map(String::as_str));
            if column_type(h) == DataType::Int32 {
                let values: arrow::array::Int32Array =
                    cells.map(|c| c.and_then(|c| c.parse().ok())).collect();
                columns.push(Arc::new(values));
            } else {
                columns.push(Arc::new(cells.collect::<StringArray>()));
            }
        }
        let batch = RecordBatch::try_new(schema.clone(), columns)?;
        let mem = MemTable::try_new(schema, vec![vec![batch]])?;
        ctx.register_table(table.name, Arc::new(mem))?;
    }
    Ok(())
}

fn column_type(header: &str) -> DataType {
    if header == "error_code" {
        DataType::Int32
    } else {
        DataType::Utf8
    }
}

/// A method or detail pattern: exact or prefix match on the normalised text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    pub text: String,
    pub kind: String,
    pub prefix: bool,
}

impl Pattern {
    /// Whether the normalised `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        if self.prefix {
            value.starts_with(&self.text)
        } else {
            value == self.text
        }
    }
}

/// The patterns of `vocab_methods` and `vocab_details`, normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Patterns {
    pub methods: Vec<Pattern>,
    pub details: Vec<Pattern>,
}

impl Patterns {
    /// Loads the method and detail patterns from the embedded vocabulary.
    pub fn load() -> Result<Patterns> {
        let mut out = Patterns::default();
        for table in tables()? {
            let target = match table.name {
                "vocab_methods" => &mut out.methods,
                "vocab_details" => &mut out.details,
                _ => continue,
            };
            for row in table.rows {
                if let [text, kind, how] = row.as_slice() {
                    target.push(Pattern {
                        text: norm(text),
                        kind: kind.clone(),
                        prefix: how == "prefix",
                    });
                } else {
                    return Err(Error::Internal(format!(
                        "vocabulary {}: bad row {row:?}",
                        table.name
                    )));
                }
            }
        }
        Ok(out)
    }

    /// Kinds of `method` (normalised).
    pub fn method_kinds<'a>(&'a self, method: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.methods
            .iter()
            .filter(move |p| p.matches(method))
            .map(|p| p.kind.as_str())
    }

    /// Kinds of `detail` (normalised). A skip detail matched by a specific skip kind is
    /// not also an `other_skip` (the rules say "any *other* detail starting …").
    pub fn detail_kinds(&self, detail: &str) -> Vec<&str> {
        let mut kinds: Vec<&str> = self
            .details
            .iter()
            .filter(|p| p.matches(detail))
            .map(|p| p.kind.as_str())
            .collect();
        if kinds
            .iter()
            .any(|k| matches!(*k, "app_password" | "location" | "remembered"))
        {
            kinds.retain(|k| *k != "other_skip");
        }
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_file_parses_with_consistent_rows() {
        for table in tables().unwrap() {
            assert!(!table.rows.is_empty(), "{}", table.name);
            for row in &table.rows {
                assert_eq!(row.len(), table.header.len(), "{}: {row:?}", table.name);
            }
        }
    }

    #[test]
    fn specific_skips_are_not_other_skips() {
        let p = Patterns::load().unwrap();
        assert_eq!(
            p.detail_kinds(&norm(" MFA requirement skipped due to LOCATION ")),
            vec!["location"]
        );
        assert_eq!(
            p.detail_kinds(&norm("MFA requirement skipped due to registered device")),
            vec!["other_skip"]
        );
        assert_eq!(
            p.detail_kinds(&norm(
                "MFA requirement skipped due to ADFS-issued InsideCorpNet claim (corp)"
            )),
            vec!["location"]
        );
        assert!(p.detail_kinds("mfa successfully completed!").is_empty());
    }
}
