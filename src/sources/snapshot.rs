//! Snapshot inputs → records: per-user MFA state (CSV, or the Graph puller's JSON) and the
//! security-defaults state, each observed at a moment (`as_of`). Formats are documented in
//! `docs/evidence.md` ("Snapshot inputs").

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::detect::Format;
use super::mapping::parse_bool;
use super::sink::Sink;
use super::time::parse_timestamp;
use crate::schema::{MfaStateSnapshot, Record, SecurityDefaultsSnapshot};
use crate::sources::{Error, Result};

/// Reads one snapshot input of `format` into `sink`.
pub fn read(format: Format, input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| input_error(format, e.to_string()))?;
    let text = text.trim_start_matches('\u{feff}');
    let json = matches!(text.trim_start().chars().next(), Some('{' | '['));
    let decode: fn(&Fields) -> Result<Record, String> = match format {
        Format::MfaStateCsv | Format::MfaStateJson => mfa_state,
        Format::SecurityDefaults => security_defaults,
        other => return Err(input_error(other, "not a snapshot format".into())),
    };
    let rows = if json {
        json_rows(text)
    } else {
        csv_rows(text).map_err(|e| input_error(format, e))?
    };
    for (record_no, raw, fields) in rows {
        match fields.and_then(|f| decode(&f)) {
            Ok(record) => sink.record(record_no, record)?,
            Err(reason) => sink.reject(record_no, raw.as_bytes(), reason)?,
        }
    }
    Ok(())
}

fn input_error(format: Format, reason: String) -> Error {
    Error::Input {
        file: format!("<{format} input>"),
        reason,
    }
}

/// One row's fields, keys normalised: lower case without `_` (so `asOf` = `as_of`).
type Fields = Vec<(String, String)>;
type Row = (u64, String, Result<Fields, String>);

fn key(k: &str) -> String {
    k.trim().to_ascii_lowercase().replace('_', "")
}

fn field<'a>(f: &'a Fields, name: &str) -> Option<&'a str> {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn object_fields(o: &Map<String, Value>) -> Fields {
    o.iter()
        .filter_map(|(k, v)| {
            let text = match v {
                Value::Null => return None,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((key(k), text))
        })
        .collect()
}

fn value_fields(v: &Value) -> Result<Fields, String> {
    v.as_object()
        .map(object_fields)
        .ok_or_else(|| format!("expected a JSON object, found {v}"))
}

/// A JSON array, a `{"value":[…]}` page, one object, or NDJSON (one object per line).
fn json_rows(text: &str) -> Vec<Row> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => elements(&items),
        Ok(Value::Object(o)) => match o.get("value") {
            Some(Value::Array(items)) => elements(items),
            _ => vec![(1, text.trim().to_owned(), Ok(object_fields(&o)))],
        },
        Ok(other) => vec![(
            1,
            other.to_string(),
            Err("expected a JSON object or array".into()),
        )],
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                let parsed = serde_json::from_str::<Value>(l)
                    .map_err(|e| format!("not JSON: {e}"))
                    .and_then(|v| value_fields(&v));
                (i as u64 + 1, l.to_owned(), parsed)
            })
            .collect(),
    }
}

fn elements(items: &[Value]) -> Vec<Row> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| (i as u64 + 1, v.to_string(), value_fields(v)))
        .collect()
}

fn csv_rows(text: &str) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(key)
        .collect();
    let mut rows = Vec::new();
    // Data rows count from the header's line + 1 (snapshot cells hold no line breaks).
    for no in 2u64.. {
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let raw = record.iter().collect::<Vec<_>>().join(",");
                let fields = header
                    .iter()
                    .cloned()
                    .zip(record.iter().map(str::to_owned))
                    .collect();
                rows.push((no, raw, Ok(fields)));
            }
            Err(e) => rows.push((no, String::new(), Err(e.to_string()))),
        }
    }
    Ok(rows)
}

fn as_of(f: &Fields) -> Result<DateTime<Utc>, String> {
    let raw = field(f, "asof").ok_or("as_of is missing")?;
    parse_timestamp(raw).ok_or_else(|| format!("as_of {raw:?} is not a timestamp"))
}

fn mfa_state(f: &Fields) -> Result<Record, String> {
    let user_id = field(f, "userid").map(str::to_owned);
    let upn = field(f, "userprincipalname").map(str::to_owned);
    if user_id.is_none() && upn.is_none() {
        return Err("neither user_id nor user_principal_name is given".into());
    }
    let state = field(f, "perusermfastate").ok_or("per_user_mfa_state is missing")?;
    let state = state.to_lowercase();
    if !matches!(state.as_str(), "disabled" | "enabled" | "enforced") {
        return Err(format!(
            "per_user_mfa_state {state:?} is not disabled, enabled or enforced"
        ));
    }
    Ok(Record::MfaState(MfaStateSnapshot {
        user_id,
        user_principal_name: upn,
        per_user_mfa_state: state,
        as_of: as_of(f)?,
    }))
}

fn security_defaults(f: &Fields) -> Result<Record, String> {
    let raw = field(f, "isenabled").ok_or("is_enabled is missing")?;
    let is_enabled = parse_bool(raw)
        .ok()
        .flatten()
        .ok_or_else(|| format!("is_enabled {raw:?} is not true or false"))?;
    Ok(Record::SecurityDefaults(SecurityDefaultsSnapshot {
        is_enabled,
        as_of: as_of(f)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        records: Vec<(u64, Record)>,
        rejects: Vec<(u64, String)>,
    }
    impl Sink for Collect {
        fn record(&mut self, n: u64, r: Record) -> Result<()> {
            self.records.push((n, r));
            Ok(())
        }
        fn reject(&mut self, n: u64, _raw: &[u8], reason: String) -> Result<()> {
            self.rejects.push((n, reason));
            Ok(())
        }
        fn skip(&mut self, _: u64, _: &str) {}
        fn partial(&mut self, _: u64, _: &[u8]) {}
        fn warn(&mut self, _: String) {}
    }

    fn run(format: Format, text: &str) -> Collect {
        let mut sink = Collect::default();
        read(format, &mut text.as_bytes(), &mut sink).unwrap();
        sink
    }

    #[test]
    fn mfa_csv_with_bom_upn_only_and_a_bad_row() {
        let c = run(
            Format::MfaStateCsv,
            "\u{feff}user_principal_name,per_user_mfa_state,as_of\r\nA@x.com, Enforced ,2026-11-01T00:00:00Z\r\nb@x.com,sometimes,2026-11-01T00:00:00Z\r\n",
        );
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.records[0].0, 2);
        let Record::MfaState(s) = &c.records[0].1 else {
            panic!()
        };
        assert_eq!(s.per_user_mfa_state, "enforced");
        assert_eq!(s.user_principal_name.as_deref(), Some("A@x.com"));
        assert_eq!(c.rejects.len(), 1);
        assert_eq!(c.rejects[0].0, 3);
    }

    #[test]
    fn mfa_json_array_and_ndjson() {
        let arr = r#"[{"userId":"u1","userPrincipalName":"a@x.com","perUserMfaState":"disabled","asOf":"2026-11-01T00:00:00.1234567Z"}]"#;
        let c = run(Format::MfaStateJson, arr);
        assert_eq!(c.records.len(), 1);
        let nd = "{\"userId\":\"u1\",\"perUserMfaState\":\"enabled\",\"asOf\":\"2026-11-01T00:00:00Z\"}\n{\"perUserMfaState\":\"enabled\"}\n";
        let c = run(Format::MfaStateJson, nd);
        assert_eq!((c.records.len(), c.rejects.len()), (1, 1));
        assert_eq!(c.rejects[0].0, 2);
    }

    #[test]
    fn security_defaults_json_and_csv() {
        let c = run(
            Format::SecurityDefaults,
            r#"{"isEnabled":true,"asOf":"2026-11-01T00:00:00Z"}"#,
        );
        assert!(matches!(&c.records[0].1, Record::SecurityDefaults(s) if s.is_enabled));
        let c = run(
            Format::SecurityDefaults,
            "is_enabled,as_of\nFALSE,2026-11-01T00:00:00Z\nmaybe,2026-11-01T00:00:00Z\n",
        );
        assert!(matches!(&c.records[0].1, Record::SecurityDefaults(s) if !s.is_enabled));
        assert_eq!(c.rejects.len(), 1);
    }
}
