//! JSON objects that repeat a key: read with the last occurrence winning, as browsers and
//! .NET read them (input-formats §1: Microsoft's own beta `signIn` list example repeats
//! `homeTenantId`), and noted so ingest can count such records.
//!
//! serde's derived structs refuse a repeated field, so the typed parsers go through here
//! only after that refusal; the Log Analytics JSON rows, which are read as values anyway,
//! always do.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A JSON value and whether any object in it repeated a key.
#[derive(Debug)]
pub struct Noted<T> {
    pub value: T,
    pub repeated_keys: bool,
}

/// Parses JSON text into a `Value`, the last occurrence of a repeated key winning.
pub fn parse(bytes: &[u8]) -> serde_json::Result<Noted<Value>> {
    let mut repeated_keys = false;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = NoteRepeats(&mut repeated_keys).deserialize(&mut de)?;
    de.end()?;
    Ok(Noted {
        value,
        repeated_keys,
    })
}

/// Parses one JSON object into its members in input order, a repeated name (compared by
/// `same`) keeping the last value at the place of the first.
pub fn parse_members(
    bytes: &[u8],
    same: impl Fn(&str, &str) -> bool,
) -> serde_json::Result<Noted<Vec<(String, Value)>>> {
    let mut repeated_keys = false;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let members = de.deserialize_map(Members {
        repeated: &mut repeated_keys,
        same,
    })?;
    de.end()?;
    Ok(Noted {
        value: members,
        repeated_keys,
    })
}

/// Whether serde refused a field it had already read (its wording since serde 1.0).
pub fn is_repeated_key(e: &serde_json::Error) -> bool {
    e.is_data() && e.to_string().starts_with("duplicate field `")
}

/// Builds a `Value`, setting the flag when an object repeats a key.
struct NoteRepeats<'r>(&'r mut bool);

impl<'de> DeserializeSeed<'de> for NoteRepeats<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoteRepeats<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(NoteRepeats(&mut *self.0))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(NoteRepeats(&mut *self.0))?;
            if out.insert(key, value).is_some() {
                *self.0 = true;
            }
        }
        Ok(Value::Object(out))
    }
}

/// The members of one object, in order.
struct Members<'r, F> {
    repeated: &'r mut bool,
    same: F,
}

impl<'de, F: Fn(&str, &str) -> bool> Visitor<'de> for Members<'_, F> {
    type Value = Vec<(String, Value)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(NoteRepeats(&mut *self.repeated))?;
            match out.iter_mut().find(|(k, _)| (self.same)(k, &key)) {
                Some(slot) => {
                    slot.1 = value;
                    *self.repeated = true;
                }
                None => out.push((key, value)),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_occurrence_wins_at_any_depth_and_is_noted() {
        let n = parse(br#"{"a":1,"b":{"c":1,"c":2},"a":3}"#).unwrap();
        assert_eq!(n.value, serde_json::json!({"a":3,"b":{"c":2}}));
        assert!(n.repeated_keys);
        let n = parse(br#"[{"a":1},{"a":2}]"#).unwrap();
        assert!(!n.repeated_keys, "the same key in two objects is no repeat");
    }

    #[test]
    fn members_keep_their_order_and_compare_names_as_told() {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let n = parse_members(br#"{"Id":"x","Type":"SigninLogs","ID":"y"}"#, same).unwrap();
        let names: Vec<&str> = n.value.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["Id", "Type"]);
        assert_eq!(n.value[0].1, "y");
        assert!(n.repeated_keys);
        assert!(parse_members(b"[1]", same).is_err());
        assert!(parse(b"{} x").is_err(), "trailing characters");
    }

    #[test]
    fn serde_still_words_a_repeated_field_as_it_did() {
        #[derive(Debug, serde::Deserialize)]
        struct T {
            #[allow(dead_code)]
            a: u8,
        }
        let e = serde_json::from_str::<T>(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(is_repeated_key(&e), "{e}");
    }
}
