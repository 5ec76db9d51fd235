//! What the policy and directory sources share: the read loop over a Graph body (a page,
//! pages one after another, a JSON array or one object a line), the snapshot time `pull`
//! writes at the head of a body, and typed access to one object's members.
//!
//! Member names are compared ignoring ASCII case (evidence-rules §8 compares every JSON
//! property name so); a name repeated in one object keeps its last value
//! (`json_repeats.rs`), and the record is counted as repeating a key.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::json_decode::{TRUNCATED, describe, for_each_piece};
use super::json_repeats::parse_members;
use super::mapping::parse_bool;
use super::sink::Sink;
use super::time::parse_timestamp;
use crate::schema::{DirectoryRecord, Record};
use crate::sources::Result;

/// The top-level member `mfaproof pull` puts first in every policy and directory body it
/// ingests: when the snapshot was taken (docs/schema.md).
pub const SNAPSHOT_AT: &str = "@mfaproof.snapshotAt";

/// Maps one object onto its record, or says why it cannot.
pub type Decode = fn(&Object, Option<DateTime<Utc>>) -> Result<DirectoryRecord, String>;

/// Reads every object of a Graph body with `decode` into `sink`.
pub fn read(input: &mut dyn BufRead, sink: &mut dyn Sink, decode: Decode) -> Result<()> {
    let snapshot_at = snapshot_time(input, sink);
    for_each_piece(
        input,
        sink,
        || (),
        |_, piece, sink| {
            if piece.unterminated && !piece.complete() {
                return sink.reject(piece.no, piece.bytes, TRUNCATED.to_string());
            }
            let parsed = parse_members(piece.bytes, |a, b| a.eq_ignore_ascii_case(b));
            let (object, repeated) = match parsed {
                Ok(n) => (Object(n.value), n.repeated_keys),
                Err(e) => return sink.reject(piece.no, piece.bytes, describe(&e).reason),
            };
            match decode(&object, snapshot_at) {
                Ok(record) => {
                    sink.record(piece.no, Record::Directory(Box::new(record)))?;
                    if repeated {
                        sink.repeated_keys(piece.no);
                    }
                    Ok(())
                }
                Err(reason) => sink.reject(piece.no, piece.bytes, reason),
            }
        },
    )
}

/// The `@mfaproof.snapshotAt` of a body that starts with it (after a BOM and white
/// space); a value that is not a timestamp is said and ignored.
fn snapshot_time(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Option<DateTime<Utc>> {
    let head = input.fill_buf().ok()?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let rest = head
        .trim_ascii_start()
        .strip_prefix(b"{")?
        .trim_ascii_start();
    let rest = rest.strip_prefix(format!("\"{SNAPSHOT_AT}\"").as_bytes())?;
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b":")?
        .trim_ascii_start();
    let mut de = serde_json::Deserializer::from_slice(rest).into_iter::<String>();
    let Some(Ok(raw)) = de.next() else {
        sink.warn(format!(
            "{SNAPSHOT_AT} is not a JSON string; snapshot time unknown"
        ));
        return None;
    };
    let at = parse_timestamp(&raw);
    if at.is_none() {
        sink.warn(format!(
            "{SNAPSHOT_AT} {raw:?} is not a timestamp; snapshot time unknown"
        ));
    }
    at
}

/// One object's members, in input order, each name once.
pub struct Object(Vec<(String, Value)>);

impl Object {
    /// The member named `name` (ignoring ASCII case); `null` is absent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// A text member; an empty string is absent (as in every Entra export).
    pub fn text(&self, name: &str) -> Result<Option<String>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("{name} is not a string: {other}")),
        }
    }

    /// A text member that must be there and not blank (a row's key); kept as given.
    pub fn key(&self, name: &str) -> Result<String, String> {
        match self.text(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(format!("{name} is missing")),
        }
    }

    /// A Boolean member (`true`, or its text `"True"`).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => {
                parse_bool(s).map_err(|()| format!("{name} {s:?} is not true or false"))
            }
            Some(other) => Err(format!("{name} is not true or false: {other}")),
        }
    }

    /// A timestamp member.
    pub fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>, String> {
        match self.text(name)? {
            None => Ok(None),
            Some(raw) => parse_timestamp(&raw)
                .map(Some)
                .ok_or_else(|| format!("{name} {raw:?} is not a timestamp")),
        }
    }

    /// A list of strings; absent or `null` is empty.
    pub fn strings(&self, name: &str) -> Result<Vec<String>, String> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(format!("{name} holds a non-string: {other}")),
                })
                .collect(),
            Some(other) => Err(format!("{name} is not a list: {other}")),
        }
    }

    /// The whole object as compact JSON text (keys in sorted order at every depth).
    pub fn compact(&self) -> String {
        let map: Map<String, Value> = self.0.iter().cloned().collect();
        Value::Object(map).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::test_sink::Collect;

    fn head_time(text: &str) -> (Option<DateTime<Utc>>, Vec<String>) {
        let mut sink = Collect::default();
        let at = snapshot_time(&mut text.as_bytes(), &mut sink);
        (at, sink.warnings)
    }

    #[test]
    fn the_snapshot_time_is_the_first_member_of_the_body() {
        let (at, _) = head_time(
            "\u{feff} {\n \"@mfaproof.snapshotAt\" : \"2026-11-03T08:00:00.1234567Z\", \"value\":[]}",
        );
        assert_eq!(at.unwrap().to_rfc3339(), "2026-11-03T08:00:00.123456+00:00");
        assert_eq!(
            head_time(r#"{"value":[],"@mfaproof.snapshotAt":"2026-11-03T08:00:00Z"}"#).0,
            None
        );
        assert_eq!(head_time(r#"[{"id":"1"}]"#).0, None);
        let (at, warnings) = head_time(r#"{"@mfaproof.snapshotAt":"soon","value":[]}"#);
        assert_eq!(at, None);
        assert_eq!(
            warnings,
            ["@mfaproof.snapshotAt \"soon\" is not a timestamp; snapshot time unknown"]
        );
    }

    #[test]
    fn members_are_typed_and_named_ignoring_case() {
        let n = parse_members(
            br#"{"ID":" x ","flag":"True","n":null,"when":"2026-11-03T08:00:00Z","list":["a"],"bad":3,"empty":""}"#,
            |a, b| a.eq_ignore_ascii_case(b),
        )
        .unwrap();
        let o = Object(n.value);
        assert_eq!(o.key("id").unwrap(), " x ");
        assert_eq!(o.boolean("Flag"), Ok(Some(true)));
        assert_eq!(o.text("n"), Ok(None));
        assert_eq!(o.text("empty"), Ok(None));
        assert_eq!(o.key("empty"), Err("empty is missing".to_string()));
        assert!(o.time("when").unwrap().is_some());
        assert_eq!(o.strings("list").unwrap(), ["a"]);
        assert_eq!(o.strings("missing").unwrap(), Vec::<String>::new());
        assert_eq!(o.text("bad"), Err("bad is not a string: 3".to_string()));
        assert_eq!(
            o.boolean("bad"),
            Err("bad is not true or false: 3".to_string())
        );
    }
}
