//! The string type of the Graph structs, and the visitors of its lenient fields.
//!
//! The record path fills the structs with owned `String`s. The Graph fast path fills them
//! with `Cow<str>` borrowed from the read buffer: a JSON string without escapes costs no
//! allocation, and the decoding workers append it straight to Arrow arrays. Both read the
//! same JSON the same way, through the one visitor here.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// A string read from JSON input whose bytes live for `'de`.
pub trait Text<'de>: Sized + Deref<Target = str> + From<String> {
    /// A string the input holds as it is (no escapes).
    fn borrowed(s: &'de str) -> Self;
}

impl<'de> Text<'de> for String {
    fn borrowed(s: &'de str) -> Self {
        s.to_owned()
    }
}

impl<'de: 'a, 'a> Text<'de> for Cow<'a, str> {
    fn borrowed(s: &'de str) -> Self {
        Cow::Borrowed(s)
    }
}

/// Reads an optional lenient string: text, numbers and booleans as their text, `null` as
/// absent; objects and arrays are an error, or with `json_text` their compact JSON.
/// It gives the text a `serde_json::Value` of the same JSON would print.
pub(super) struct Lenient<S> {
    json_text: bool,
    _s: PhantomData<S>,
}

impl<S> Lenient<S> {
    pub(super) fn new(json_text: bool) -> Self {
        Lenient {
            json_text,
            _s: PhantomData,
        }
    }
}

impl<'de, S: Text<'de>> Visitor<'de> for Lenient<S> {
    type Value = Option<S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(S::borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(S::from(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(S::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(S::from(Number::from(v).to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(S::from(Number::from(v).to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Number::from_f64(v).map(|n| S::from(n.to_string())))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(S::from(v.to_string())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.compound(&value, "an object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        self.compound(&value, "an array")
    }
}

impl<S: From<String>> Lenient<S> {
    /// An object or array, read whole first (as the `Value` the field used to be read
    /// through was) so an error names the same place.
    fn compound<E: de::Error>(&self, value: &Value, kind: &str) -> Result<Option<S>, E> {
        if self.json_text {
            Ok(Some(S::from(value.to_string())))
        } else {
            Err(E::custom(format!("expected a string, found {kind}")))
        }
    }
}

/// An element of a list of strings: only a JSON string will do, as for `String`.
pub(super) struct Strict<S>(pub S);

impl<'de, S: Text<'de>> Deserialize<'de> for Strict<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_string(StrictVisitor(PhantomData))
    }
}

struct StrictVisitor<S>(PhantomData<S>);

impl<'de, S: Text<'de>> Visitor<'de> for StrictVisitor<S> {
    type Value = Strict<S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Strict(S::borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Strict(S::from(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Strict(S::from(v)))
    }
}
