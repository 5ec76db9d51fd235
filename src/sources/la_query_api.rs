//! The Log Analytics query API's response body (`POST …/v1/workspaces/{id}/query`, also what
//! `az monitor log-analytics query --output json` wraps and what Azure Monitor's logs query
//! returns): `{"tables":[{"name":"PrimaryResult","columns":[{"name","type"}…],
//! "rows":[[…]…]}]}`. Each row is a list of cells in the order of the columns; `dynamic`
//! columns arrive as JSON text. Every row goes through `la_row` like a CSV row with the
//! columns as its header, so a column means the same in every Log Analytics shape.
//!
//! The body is read whole: the API caps a response (500,000 rows, 64 MB), so it is bounded.

use std::io::BufRead;

use csv::StringRecord;
use serde::Deserialize;
use serde_json::Value;

use super::csv_input::{Header, normalise_header};
use super::la_row::{self, Shape, table_from_file_name};
use super::sink::Sink;
use crate::sources::{Error, Result};

#[derive(Deserialize)]
struct Response {
    tables: Vec<ResultTable>,
}

#[derive(Deserialize)]
struct ResultTable {
    columns: Vec<Column>,
    #[serde(default)]
    rows: Vec<Vec<Value>>,
}

#[derive(Deserialize)]
struct Column {
    // The ARM endpoint spells it `columnName`.
    #[serde(alias = "columnName")]
    name: String,
}

/// Whether `head` (the first bytes, white space removed) opens a query API response.
pub fn is_response(compact_head: &str) -> bool {
    compact_head.starts_with("{\"tables\":[")
}

/// Reads a query API response into `sink`; rows are numbered across the tables from 1.
pub fn read(file_name: &str, input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    let unreadable = |reason: String| Error::Input {
        file: file_name.to_string(),
        reason,
    };
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string()))?;
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let response: Response = serde_json::from_slice(body)
        .map_err(|e| unreadable(format!("not a Log Analytics query API response: {e}")))?;
    let file_table = table_from_file_name(file_name);
    let mut no = 0u64;
    for table in response.tables {
        let names: Vec<String> = table
            .columns
            .iter()
            .map(|c| normalise_header(&c.name))
            .collect();
        let shape = Shape::new(&Header::from_normalised(names), file_table);
        for cells in table.rows {
            no += 1;
            let raw = row_text(&table.columns, &cells);
            if cells.len() != table.columns.len() {
                let reason = format!(
                    "row has {} cells for {} columns",
                    cells.len(),
                    table.columns.len()
                );
                sink.reject(no, raw.as_bytes(), reason)?;
                continue;
            }
            let fields: StringRecord = cells.iter().map(cell_text).collect();
            la_row::deliver(la_row::decode(&shape, &fields), no, raw.as_bytes(), sink)?;
        }
    }
    Ok(())
}

/// A cell as a CSV export would hold it: text as is, null empty, anything else its JSON.
fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The row as one JSON object (column → cell), what the quarantine keeps of it.
fn row_text(columns: &[Column], cells: &[Value]) -> String {
    let object: serde_json::Map<String, Value> = columns
        .iter()
        .zip(cells)
        .map(|(c, v)| (c.name.clone(), v.clone()))
        .collect();
    Value::Object(object).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{EventType, Record};
    use crate::sources::test_sink::Collect;

    const RESPONSE: &str = r#"{"tables":[{"name":"PrimaryResult","columns":[
        {"name":"TenantId","type":"string"},{"name":"TimeGenerated","type":"datetime"},
        {"name":"Id","type":"string"},{"name":"CreatedDateTime","type":"datetime"},
        {"name":"UserPrincipalName","type":"string"},{"name":"UserId","type":"string"},
        {"name":"ResultType","type":"string"},{"name":"ClientAppUsed","type":"string"},
        {"name":"AuthenticationRequirement","type":"string"},
        {"name":"AuthenticationDetails","type":"string"},{"name":"Type","type":"string"}],
      "rows":[
        ["w-1","2026-11-03T08:05:00Z","qa-1","2026-11-03T08:00:00.1234567Z","a@contoso.example","u-1","0","Browser","multiFactorAuthentication","[{\"authenticationMethod\":\"Mobile app notification\",\"succeeded\":true,\"authenticationStepResultDetail\":\"MFA successfully completed\"}]","SigninLogs"],
        ["w-1","2026-11-03T08:06:00Z","qa-2"],
        ["w-1","2026-11-03T08:07:00Z","qa-3","2026-11-03T08:01:00Z","b@contoso.example","u-2","50126","Browser",null,"[]","SigninLogs"]
      ]}]}"#;

    #[test]
    fn rows_become_sign_ins_and_a_short_row_is_rejected() {
        assert!(is_response(
            &RESPONSE
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        ));
        let mut sink = Collect::default();
        let mut input = RESPONSE.as_bytes();
        read("query.json", &mut input, &mut sink).unwrap();
        let s = sink.numbered_sign_ins();
        assert_eq!(s.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 3]);
        let first = &s[0].1;
        assert_eq!(first.id, "qa-1");
        assert_eq!(first.event_type, EventType::InteractiveUser);
        assert_eq!(first.error_code, Some(0));
        assert_eq!(first.authentication_details.len(), 1);
        assert_eq!(
            first
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "2026-11-03T08:00:00.123456Z"
        );
        assert_eq!(s[1].1.error_code, Some(50126));
        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(sink.rejects[0].0, 2);
        assert!(
            sink.rejects[0].2.contains("3 cells for 11 columns"),
            "{:?}",
            sink.rejects
        );
        assert!(matches!(sink.records.first(), Some((_, Record::SignIn(_)))));
    }

    #[test]
    fn a_body_that_is_not_a_response_is_unreadable() {
        let mut sink = Collect::default();
        let mut input: &[u8] = br#"{"tables":"nope"}"#;
        let err = read("q.json", &mut input, &mut sink).unwrap_err();
        assert!(err.to_string().contains("q.json"), "{err}");
    }
}
