//! Figures: the rows of one query, typed, naming the query file that produced them, so
//! every number in the report can be traced to its SQL; and counts derived from them.

use datafusion::prelude::SessionContext;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::read;
use crate::evidence::queries;
use crate::report::Result;

/// One figure: the query file and its rows. A long figure lists only its first rows; then
/// `rows_total` counts them all and `rows_file` names the CSV file (in the report's
/// folder) that holds them all. (Fields in key order: `report.json`'s keys are sorted.)
#[derive(Debug, Clone, Serialize)]
pub struct Figure<Row> {
    pub query: String,
    pub rows: Vec<Row>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_total: Option<u64>,
}

impl<Row> Figure<Row> {
    /// A figure of every row of `query` (a query file's path).
    pub fn whole(query: String, rows: Vec<Row>) -> Figure<Row> {
        Figure {
            query,
            rows,
            rows_file: None,
            rows_total: None,
        }
    }

    /// The sum of `value` over the rows where `keep` holds.
    pub fn sum(&self, keep: impl Fn(&Row) -> bool, value: impl Fn(&Row) -> u64) -> u64 {
        self.rows.iter().filter(|r| keep(r)).map(value).sum()
    }

    /// How many rows the figure has in all, and the CSV file holding them all when the
    /// report lists only the first (`rows_total`, `rows_file`).
    pub fn extent(&self) -> (usize, Option<&str>) {
        let listed = self.rows.len();
        match (self.rows_total, self.rows_file.as_deref()) {
            (Some(total), Some(file)) => (
                usize::try_from(total).unwrap_or(usize::MAX).max(listed),
                Some(file),
            ),
            _ => (listed, None),
        }
    }
}

/// A number derived from a figure, naming the figure's query.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub count: u64,
    pub query: String,
}

impl Count {
    pub fn of<Row>(count: u64, from: &Figure<Row>) -> Count {
        Count {
            count,
            query: from.query.clone(),
        }
    }
}

/// Runs query `name` with `params` and returns every row as a figure.
pub async fn figure<Row: DeserializeOwned>(
    ctx: &SessionContext,
    name: &str,
    params: &[(&str, String)],
) -> Result<Figure<Row>> {
    let file = queries::get(name)?.file();
    let df = queries::plan(ctx, name, params).await?;
    let batches = queries::collect(name, df).await?;
    Ok(Figure::whole(file.clone(), read::rows(&file, &batches)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_names_the_file_with_every_row() {
        let mut fig = Figure::whole("queries/q.sql".into(), vec![1u64, 2]);
        assert_eq!(fig.extent(), (2, None));
        assert_eq!(fig.sum(|n| *n > 1, |n| *n * 10), 20);
        fig.rows_total = Some(9);
        fig.rows_file = Some("f.csv".into());
        assert_eq!(fig.extent(), (9, Some("f.csv")));
        assert_eq!(
            serde_json::to_string(&fig).unwrap(),
            r#"{"query":"queries/q.sql","rows":[1,2],"rows_file":"f.csv","rows_total":9}"#
        );
    }
}
