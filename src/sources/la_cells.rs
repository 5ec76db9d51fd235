//! Cell decoding for Log Analytics CSV exports: nested columns hold JSON text, and the
//! non-interactive tables store some of them as a JSON string literal wrapping that text.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::json_repeats::{self, is_repeated_key};

/// Decodes a JSON cell into `T`; an empty cell, `null` and `""` are `None`. A cell that is
/// a JSON string literal is decoded twice (JSON-in-a-string). An object that repeats a key
/// is read with its last occurrence and sets `repeated`. `Err` names the column.
pub fn json_cell<T: DeserializeOwned>(
    text: &str,
    column: &str,
    repeated: &mut bool,
) -> Result<Option<T>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let unwrapped;
    let t = if t.starts_with('"') {
        unwrapped = serde_json::from_str::<String>(t)
            .map_err(|e| format!("column {column}: invalid JSON string: {e}"))?;
        unwrapped.trim()
    } else {
        t
    };
    if t.is_empty() {
        return Ok(None);
    }
    let describe = |e: serde_json::Error| {
        // Well-formed JSON of the wrong shape is a different fault from broken text.
        let what = if e.is_data() {
            "unexpected value"
        } else {
            "invalid JSON"
        };
        format!("column {column}: {what}: {e}")
    };
    match serde_json::from_str::<Option<T>>(t) {
        Err(e) if is_repeated_key(&e) => {
            let value = json_repeats::parse(t.as_bytes())
                .and_then(|n| Option::<T>::deserialize(n.value))
                .map_err(|_| describe(e))?;
            *repeated = true;
            Ok(value)
        }
        parsed => parsed.map_err(describe),
    }
}

/// `SignInEventTypes`: a JSON array (possibly JSON-in-a-string) or plain comma-separated
/// words.
pub fn event_types_cell(text: &str) -> Result<Vec<String>, String> {
    let t = text.trim();
    if t.starts_with('[') || t.starts_with('"') {
        return Ok(
            json_cell::<Vec<Option<String>>>(t, "SignInEventTypes", &mut false)?
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .collect(),
        );
    }
    Ok(t.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::mapping::GraphStatus;

    #[test]
    fn plain_and_double_encoded_json() {
        let plain: GraphStatus = json_cell(r#"{"errorCode":50126}"#, "Status", &mut false)
            .unwrap()
            .unwrap();
        assert_eq!(plain.error_code, Some(50126));
        let wrapped: GraphStatus = json_cell(
            r#""{\"errorCode\":0,\"additionalDetails\":\"x\"}""#,
            "Status",
            &mut false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(wrapped.error_code, Some(0));
        assert_eq!(wrapped.additional_details.as_deref(), Some("x"));
    }

    #[test]
    fn empty_null_and_empty_string_are_absent() {
        for cell in ["", "  ", "null", "\"\"", "\"null\""] {
            assert!(
                json_cell::<GraphStatus>(cell, "Status", &mut false)
                    .unwrap()
                    .is_none(),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn broken_json_names_the_column() {
        let err = json_cell::<GraphStatus>(r#"{"errorCode":0"#, "Status", &mut false).unwrap_err();
        assert!(err.starts_with("column Status: invalid JSON"), "{err}");
        let err =
            json_cell::<GraphStatus>(r#"{"errorCode":"fifty"}"#, "Status", &mut false).unwrap_err();
        assert!(
            err.starts_with("column Status: unexpected value: expected an integer"),
            "{err}"
        );
    }

    #[test]
    fn a_repeated_key_is_read_last_and_noted() {
        let mut repeated = false;
        let s: GraphStatus = json_cell(
            r#"{"errorCode":50126,"errorCode":0}"#,
            "Status",
            &mut repeated,
        )
        .unwrap()
        .unwrap();
        assert_eq!((s.error_code, repeated), (Some(0), true));
    }

    #[test]
    fn event_types_in_any_shape() {
        assert_eq!(
            event_types_cell(r#"["nonInteractiveUser"]"#).unwrap(),
            ["nonInteractiveUser"]
        );
        assert_eq!(
            event_types_cell(r#""[\"managedIdentity\"]""#).unwrap(),
            ["managedIdentity"]
        );
        assert_eq!(
            event_types_cell("interactiveUser, x").unwrap(),
            ["interactiveUser", "x"]
        );
        assert!(event_types_cell("").unwrap().is_empty());
    }
}
