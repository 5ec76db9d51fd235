//! Cell decoding for Log Analytics CSV exports: nested columns hold JSON text, and the
//! non-interactive tables store some of them as a JSON string literal wrapping that text.

use serde::de::DeserializeOwned;

/// Decodes a JSON cell into `T`; an empty cell, `null` and `""` are `None`. A cell that is
/// a JSON string literal is decoded twice (JSON-in-a-string). `Err` names the column.
pub fn json_cell<T: DeserializeOwned>(text: &str, column: &str) -> Result<Option<T>, String> {
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
    serde_json::from_str::<Option<T>>(t).map_err(|e| {
        // Well-formed JSON of the wrong shape is a different fault from broken text.
        let what = if e.is_data() {
            "unexpected value"
        } else {
            "invalid JSON"
        };
        format!("column {column}: {what}: {e}")
    })
}

/// `SignInEventTypes`: a JSON array (possibly JSON-in-a-string) or plain comma-separated
/// words.
pub fn event_types_cell(text: &str) -> Result<Vec<String>, String> {
    let t = text.trim();
    if t.starts_with('[') || t.starts_with('"') {
        return Ok(json_cell::<Vec<Option<String>>>(t, "SignInEventTypes")?
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect());
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
        let plain: GraphStatus = json_cell(r#"{"errorCode":50126}"#, "Status")
            .unwrap()
            .unwrap();
        assert_eq!(plain.error_code, Some(50126));
        let wrapped: GraphStatus = json_cell(
            r#""{\"errorCode\":0,\"additionalDetails\":\"x\"}""#,
            "Status",
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
                json_cell::<GraphStatus>(cell, "Status").unwrap().is_none(),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn broken_json_names_the_column() {
        let err = json_cell::<GraphStatus>(r#"{"errorCode":0"#, "Status").unwrap_err();
        assert!(err.starts_with("column Status: invalid JSON"), "{err}");
        let err = json_cell::<GraphStatus>(r#"{"errorCode":"fifty"}"#, "Status").unwrap_err();
        assert!(
            err.starts_with("column Status: unexpected value: expected an integer"),
            "{err}"
        );
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
