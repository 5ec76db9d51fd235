//! Lenient field readers for Graph JSON: strings that may arrive as numbers, booleans as
//! `"True"`, error codes as text, `null` lists — read as Entra writes them, rejected only
//! when no reading makes sense.

use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::Value;

use super::text::{Lenient, Strict, Text};

/// A string field that also accepts numbers and booleans (as their text) and treats
/// `null` as absent. Objects and arrays are a type error. `S` is `String`, or a `Cow` that
/// borrows from the input where the JSON string has no escapes (see [`Text`]).
pub(super) fn opt_string<'de, D: Deserializer<'de>, S: Text<'de>>(
    d: D,
) -> Result<Option<S>, D::Error> {
    d.deserialize_any(Lenient::<S>::new(false))
}

/// Like [`opt_string`], but JSON objects and arrays are kept as compact JSON text
/// (audit `oldValue`/`newValue` are JSON text in Graph, parsed JSON in some exports).
pub(super) fn opt_json_text<'de, D: Deserializer<'de>, S: Text<'de>>(
    d: D,
) -> Result<Option<S>, D::Error> {
    d.deserialize_any(Lenient::<S>::new(true))
}

/// A boolean that also accepts `"true"`/`"false"` in any case; `null` and `""` are absent.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        other => from_text(other, "a boolean", parse_bool),
    }
}

/// The rest of a lenient scalar: text goes through `parse`; any other JSON kind is an
/// error saying `what` was expected.
fn from_text<T, E: de::Error>(
    v: Value,
    what: &str,
    parse: fn(&str) -> Result<Option<T>, ()>,
) -> Result<Option<T>, E> {
    match v {
        Value::String(s) => {
            parse(&s).map_err(|()| E::custom(format!("expected {what}, found {s:?}")))
        }
        other => Err(E::custom(format!(
            "expected {what}, found {}",
            kind(&other)
        ))),
    }
}

/// `true`/`false`/`""` in any case and with surrounding white space.
// A unit error: every caller words the message itself, naming its column.
#[allow(clippy::result_unit_err)]
pub fn parse_bool(s: &str) -> Result<Option<bool>, ()> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        _ => Err(()),
    }
}

/// An Int32 that also accepts its decimal text (`"50126"`); `null` and `""` are absent.
pub(super) fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("error code {n} is not an Int32"))),
        other => from_text(other, "an integer", parse_i32),
    }
}

/// Decimal text to Int32; `""` is absent.
// A unit error: every caller words the message itself, naming its column.
#[allow(clippy::result_unit_err)]
pub fn parse_i32(s: &str) -> Result<Option<i32>, ()> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i32>().map(Some).map_err(|_| ())
}

/// A list of strings; `null` is empty, as is a `null` element.
pub(super) fn string_vec<'de, D: Deserializer<'de>, S: Text<'de>>(
    d: D,
) -> Result<Vec<S>, D::Error> {
    Ok(Option::<Vec<Option<Strict<S>>>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .map(|s| s.0)
        .collect())
}

/// A list of objects; `null` is empty.
pub(super) fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
