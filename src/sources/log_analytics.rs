//! Log Analytics tables (SigninLogs, the three other sign-in tables and AuditLogs) as they
//! leave a workspace: exported to CSV (PascalCase columns whose nested values are JSON
//! text), or as JSON rows (one object a line, or an array of them: what the query API,
//! Sentinel and public datasets hold; nested columns are JSON values or JSON text), or the
//! query API's `{"tables":[…]}` response (`la_query_api.rs`). All are read through
//! `la_row.rs`, so a column means the same in each.

use std::io::BufRead;

use csv::StringRecord;
use serde_json::Value;

use super::csv_input::{Header, Row, normalise_header, read_rows};
use super::json_decode::{TRUNCATED, describe, for_each_piece};
use super::json_repeats::parse_members;
use super::la_query_api;
use super::la_row::{self, Shape, table_from_file_name};
use super::sink::Sink;
use crate::sources::{Error, Result};

/// Reads one Log Analytics export into `sink`: JSON rows when the input starts with `{` or
/// `[`, else CSV. `file_name` names the table when the rows have no `Type` column.
pub fn read(file_name: &str, input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    let head = input.fill_buf().map_err(|e| Error::Input {
        file: file_name.to_string(),
        reason: e.to_string(),
    })?;
    let first = head
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(head)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    let compact: String = String::from_utf8_lossy(head)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .take(16)
        .collect();
    match first {
        Some(b'{') if la_query_api::is_response(&compact) => {
            la_query_api::read(file_name, input, sink)
        }
        Some(b'{' | b'[') => read_json(file_name, input, sink),
        _ => read_csv(file_name, input, sink),
    }
}

/// A CSV export; missing key columns make the whole file unreadable.
fn read_csv(file_name: &str, input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    let file_table = table_from_file_name(file_name);
    let on_header = |h: Header| {
        let shape = Shape::new(&h, file_table);
        shape.check_required(file_name, file_table)?;
        Ok(shape)
    };
    read_rows(
        file_name,
        input,
        on_header,
        |shape, row: Row<'_>| match row.fields {
            Ok(fields) => la_row::deliver(la_row::decode(shape, fields), row.line, row.raw, sink),
            Err(reason) => sink.reject(row.line, row.raw, reason),
        },
    )?;
    Ok(())
}

/// JSON rows, numbered by line (one object a line) or element (an array). Each row brings
/// its own column names; a run of rows with the same names shares one [`Shape`]. A row
/// without its key columns is rejected on its own.
fn read_json(file_name: &str, input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    let file_table = table_from_file_name(file_name);
    for_each_piece(
        input,
        sink,
        || None::<(Vec<String>, Shape)>,
        |last, piece, sink| {
            if piece.unterminated && !piece.complete() {
                return sink.reject(piece.no, piece.bytes, TRUNCATED.to_string());
            }
            let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
            let members = match parse_members(piece.bytes, same) {
                Ok(m) => m,
                Err(e) => return sink.reject(piece.no, piece.bytes, describe(&e).reason),
            };
            let names: Vec<String> = members
                .value
                .iter()
                .map(|(k, _)| normalise_header(k))
                .collect();
            if last.as_ref().is_none_or(|(n, _)| *n != names) {
                let shape = Shape::new(&Header::from_normalised(names.clone()), file_table);
                *last = Some((names, shape));
            }
            let Some((_, shape)) = last.as_ref() else {
                return Ok(());
            };
            let fields: StringRecord = members.value.iter().map(|(_, v)| cell_text(v)).collect();
            let row = match la_row::decode(shape, &fields) {
                la_row::Row::Record(r, nested) => {
                    la_row::Row::Record(r, nested || members.repeated_keys)
                }
                other => other,
            };
            la_row::deliver(row, piece.no, piece.bytes, sink)
        },
    )
}

/// A JSON value as a CSV export would hold it: text as is, `null` empty, anything else
/// as its JSON text (nested columns are decoded from it like a CSV cell).
fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "log_analytics_tests.rs"]
mod tests;
