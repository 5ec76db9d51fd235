//! The JSON of a policy or named location as the rules read it: every property name trimmed
//! and lower-cased while parsing (a repeated name, in any case, keeps its last occurrence
//! in document order), and typed readers whose errors name the property's path.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value whose object keys are normalised (trimmed, lower case).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    List(Vec<Node>),
    Object(Obj),
}

/// A JSON object with normalised keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Obj(BTreeMap<String, Node>);

/// How every string the rules compare is compared: trimmed (as `str::trim`), lower case.
pub fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Parses `text` as one JSON value (the position of a syntax error in the message).
pub fn parse(text: &str) -> Result<Node, String> {
    serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))
}

impl Node {
    /// The JSON type's name, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::Str(_) => "a string",
            Node::List(_) => "a list",
            Node::Object(_) => "an object",
        }
    }

    /// The object, or an error naming `path`.
    pub fn object(&self, path: &str) -> Result<&Obj, String> {
        match self {
            Node::Object(o) => Ok(o),
            other => Err(format!(
                "{path}: expected an object, found {}",
                other.kind()
            )),
        }
    }

    /// Whether the value is absent in the rules' sense: null, an empty list or string, or
    /// an object whose members are all absent (`@odata` annotations aside).
    pub fn is_empty(&self) -> bool {
        match self {
            Node::Null => true,
            Node::Str(s) => s.trim().is_empty(),
            Node::List(l) => l.is_empty(),
            Node::Object(o) => o.members().all(|(_, v)| v.is_empty()),
            Node::Bool(_) | Node::Number(_) => false,
        }
    }
}

/// Whether an optional value is absent (missing key or [`Node::is_empty`]).
pub fn absent(node: Option<&Node>) -> bool {
    node.is_none_or(Node::is_empty)
}

impl Obj {
    /// The member named `key` (give it in lower case).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.0.get(key)
    }

    /// A copy with the member `key` (give it in lower case) set to `value`.
    pub fn with(&self, key: &str, value: Node) -> Obj {
        let mut copy = self.clone();
        copy.0.insert(key.to_owned(), value);
        copy
    }

    /// Every member but the `@odata` annotations, in key order.
    pub fn members(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.0
            .iter()
            .filter(|(k, _)| !k.starts_with("@odata"))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// An optional member that must be an object when present and not null.
    pub fn object(&self, key: &str, path: &str) -> Result<Option<&Obj>, String> {
        match self.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(n) => n.object(path).map(Some),
        }
    }

    /// An optional string member, trimmed; null and missing are `None`.
    pub fn string(&self, key: &str, path: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::Str(s)) => Ok(Some(s.trim().to_owned())),
            Some(other) => Err(format!("{path}: expected a string, found {}", other.kind())),
        }
    }

    /// An optional boolean member; null and missing are `None`.
    pub fn boolean(&self, key: &str, path: &str) -> Result<Option<bool>, String> {
        match self.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(format!(
                "{path}: expected true or false, found {}",
                other.kind()
            )),
        }
    }

    /// A list of strings, each normalised ([`norm`]); null and missing are empty.
    pub fn words(&self, key: &str, path: &str) -> Result<Vec<String>, String> {
        match self.get(key) {
            None | Some(Node::Null) => Ok(Vec::new()),
            Some(Node::List(items)) => items
                .iter()
                .map(|item| match item {
                    Node::Str(s) => Ok(norm(s)),
                    other => Err(format!(
                        "{path}: expected a list of strings, found {} in it",
                        other.kind()
                    )),
                })
                .collect(),
            Some(other) => Err(format!(
                "{path}: expected a list of strings, found {}",
                other.kind()
            )),
        }
    }

    /// An optional timestamp member (RFC 3339, or without an offset meaning UTC),
    /// truncated to microseconds as every stored time is.
    pub fn time(&self, key: &str, path: &str) -> Result<Option<DateTime<Utc>>, String> {
        let Some(text) = self.string(key, path)? else {
            return Ok(None);
        };
        if text.is_empty() {
            return Ok(None);
        }
        let parsed = DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| {
                NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc())
            })
            .map_err(|_| format!("{path}: {text:?} is not a timestamp"))?;
        Ok(Some(parsed.trunc_subsecs(6)))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    #[allow(
        clippy::cast_precision_loss,
        reason = "numbers are only ever named in messages"
    )]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v as f64))
    }

    #[allow(
        clippy::cast_precision_loss,
        reason = "numbers are only ever named in messages"
    )]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            // Insertion in document order: a later repeat (in any case) replaces an earlier.
            members.insert(norm(&key), value);
        }
        Ok(Node::Object(Obj(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(text: &str) -> Obj {
        parse(text).unwrap().object("x").unwrap().clone()
    }

    #[test]
    fn keys_are_trimmed_and_lower_cased_and_the_last_repeat_wins() {
        let o = obj(r#"{" IncludeUsers ":["A"],"includeUsers":["b"],"Z":1,"z":null}"#);
        assert_eq!(o.words("includeusers", "p").unwrap(), ["b"]);
        assert_eq!(o.get("z"), Some(&Node::Null));
        let o = obj(r#"{"includeUsers":["b"],"INCLUDEUSERS":[" A "]}"#);
        assert_eq!(o.words("includeusers", "p").unwrap(), ["a"]);
    }

    #[test]
    fn absence_is_null_empty_or_all_members_absent() {
        let o = obj(
            r#"{"a":null,"b":[],"c":{"x":null,"y":[],"@odata.type":"t"},"d":{"x":{"y":null}},"e":{"x":false},"f":""}"#,
        );
        for key in ["a", "b", "c", "d", "f", "missing"] {
            assert!(absent(o.get(key)), "{key}");
        }
        assert!(!absent(o.get("e")));
    }

    #[test]
    fn wrong_types_name_the_path() {
        let o = obj(r#"{"a":"x","b":[1],"c":3,"d":"2026-13-01T00:00:00Z"}"#);
        let errors = [
            o.words("a", "conditions.users.includeUsers").unwrap_err(),
            o.words("b", "p").unwrap_err(),
            o.boolean("c", "isTrusted").unwrap_err(),
            o.time("d", "createdDateTime").unwrap_err(),
        ];
        assert_eq!(
            errors,
            [
                "conditions.users.includeUsers: expected a list of strings, found a string",
                "p: expected a list of strings, found a number in it",
                "isTrusted: expected true or false, found a number",
                "createdDateTime: \"2026-13-01T00:00:00Z\" is not a timestamp",
            ]
        );
        assert!(
            parse("{\"a\":")
                .unwrap_err()
                .starts_with("not JSON: EOF while parsing")
        );
    }

    #[test]
    fn times_take_seven_digits_offsets_and_no_offset() {
        let o = obj(
            r#"{"a":"2026-10-01T10:00:00.1234567Z","b":"2026-10-01T12:00:00+02:00","c":"2026-10-01T10:00:00","d":null}"#,
        );
        let t = |k| o.time(k, k).unwrap().map(|t| t.to_rfc3339());
        assert_eq!(t("a").unwrap(), "2026-10-01T10:00:00.123456+00:00");
        assert_eq!(t("b").unwrap(), "2026-10-01T10:00:00+00:00");
        assert_eq!(t("c").unwrap(), "2026-10-01T10:00:00+00:00");
        assert_eq!(t("d"), None);
    }
}
