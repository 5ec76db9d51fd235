//! What the JSON sources share: the one choice of JSON parser for record bytes, the
//! wording of JSON errors, and the loop that feeds split pieces to a source.

use std::io::BufRead;

use serde::Deserialize;

use super::json_repeats::{self, Noted, is_repeated_key};
use super::json_split::{JsonSplitter, Piece};
use super::piece_pool::{self, Decoded, INPUT, Recorder, unreadable};
use super::sink::Sink;
use crate::sources::{Error, Result};

/// Why record bytes did not parse.
#[derive(Debug)]
pub struct JsonError {
    /// The kind of problem and where it is (`… at line 1 column 57`).
    pub reason: String,
    /// Not JSON at all (syntax error or cut short), rather than a value of the wrong type.
    pub malformed: bool,
}

/// Parses one record's bytes. Every JSON source goes through here so the parser is chosen
/// in one place (see `benches/parse.rs` for why it is this one). Not sonic-rs: built
/// without `-C target-cpu` it spent no less CPU on sign-ins, and it accepts some input
/// serde_json rejects (BENCHMARKS.md, branch `sonic19`).
///
/// An object that repeats a key is read with its last occurrence (`json_repeats.rs`). The
/// typed parse refuses a repeated field, so only then is the record read again through a
/// `Value`: the common path parses once.
///
/// Bytes that are UTF-8 as a whole (nearly every record) are parsed as `&str`: serde_json
/// then skips its check of every string, a quarter of the parse's CPU (BENCHMARKS.md,
/// branch `sonic19`). It is the same parser on the same bytes, so the values and the
/// error messages are the same; bytes that are not UTF-8 take the byte parser as before.
pub fn from_slice<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<Noted<T>, JsonError> {
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    match parsed {
        Ok(value) => Ok(Noted {
            value,
            repeated_keys: false,
        }),
        Err(e) if is_repeated_key(&e) => json_repeats::parse(bytes)
            .and_then(|n| T::deserialize(n.value))
            .map(|value| Noted {
                value,
                repeated_keys: true,
            })
            .map_err(|_| describe(&e)),
        Err(e) => Err(describe(&e)),
    }
}

/// The reject reason for JSON that did not parse: what kind of fault, and where.
pub(super) fn describe(e: &serde_json::Error) -> JsonError {
    use serde_json::error::Category;
    let (what, malformed) = match e.classify() {
        Category::Syntax => ("malformed JSON", true),
        Category::Eof => ("incomplete JSON", true),
        Category::Data => ("unreadable value", false),
        Category::Io => ("read error", true),
    };
    JsonError {
        reason: format!("{what}: {e}"),
        malformed,
    }
}

/// The reject reason for a piece the input ended inside.
pub const TRUNCATED: &str = "truncated: the input ends inside this record";

/// Splits `input` and hands every piece to `handle` (on worker threads, each with its own
/// state from `init`; the sink still sees everything in input order); `Err` only when the
/// input cannot be read or does not start like JSON. An empty input and an array left open at the end
/// are reported through [`Sink::warn`].
pub fn for_each_piece<S: Send>(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    init: impl Fn() -> S,
    handle: impl Fn(&mut S, &Piece<'_>, &mut dyn Sink) -> Result<()> + Sync,
) -> Result<()> {
    for_each_batch(input, sink, init, |state, pieces, rec| {
        for piece in pieces {
            handle(state, piece, rec)?;
        }
        Ok(None)
    })
}

/// [`for_each_piece`] with a handler of whole batches of pieces, which may return the
/// batch's sign-ins decoded into columns (see [`piece_pool::run_batches`]).
pub(crate) fn for_each_batch<S: Send>(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    init: impl Fn() -> S,
    handle: impl Fn(&mut S, &[Piece<'_>], &mut Recorder) -> Result<Decoded> + Sync,
) -> Result<()> {
    let mut split = JsonSplitter::new(input);
    match split.peek_start().map_err(unreadable)? {
        None => {
            sink.warn("the input is empty: it holds no records".to_string());
            return Ok(());
        }
        Some(b'{' | b'[') => {}
        Some(b) => {
            return Err(Error::Input {
                file: INPUT.to_string(),
                reason: format!(
                    "not JSON: it starts with {:?} where `{{` or `[` was expected",
                    char::from(b)
                ),
            });
        }
    }
    piece_pool::run_batches(&mut split, sink, init, handle)?;
    if split.left_unclosed() {
        sink.warn(
            "the input ends inside a JSON array: it was cut short; the records before the cut \
             were read"
                .to_string(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Rec<'a> {
        #[serde(borrow)]
        id: Option<Cow<'a, str>>,
        n: Option<i64>,
    }

    /// What the byte parser alone says: the reason or the value.
    fn by_bytes(bytes: &[u8]) -> Result<Rec<'_>, String> {
        serde_json::from_slice(bytes).map_err(|e| describe(&e).reason)
    }

    #[test]
    fn text_and_bytes_give_the_same_values_and_reasons() {
        let inputs: [&[u8]; 9] = [
            br#"{"id":"a\"b","n":1}"#,
            br#"{"id":"\u00e9t\u00e9","x":[1,{"y":null}]}"#,
            "{\"id\":\"\u{e9}t\u{e9}\"}".as_bytes(),
            br#"{"id":"a","n":1} x"#,
            br#"{"id":"\uZZZZ"}"#,
            br#"{"id":"\ud800"}"#,
            b"{\"id\":\"a\x01\"}",
            br#"{"n":"one"}"#,
            br#"{"id":"cut"#,
        ];
        for bytes in inputs {
            let ours = from_slice::<Rec>(bytes)
                .map(|n| n.value)
                .map_err(|e| e.reason);
            assert_eq!(ours, by_bytes(bytes), "{}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_take_the_byte_parser() {
        // Invalid UTF-8 inside a string the record keeps, and inside one it ignores.
        for bytes in [&b"{\"id\":\"a\xff\"}"[..], &b"{\"x\":\"\xff\",\"n\":2}"[..]] {
            let ours = from_slice::<Rec>(bytes)
                .map(|n| n.value)
                .map_err(|e| e.reason);
            assert_eq!(ours, by_bytes(bytes), "{}", String::from_utf8_lossy(bytes));
        }
        assert!(by_bytes(b"{\"id\":\"a\xff\"}").is_err());
        assert_eq!(by_bytes(b"{\"x\":\"\xff\",\"n\":2}").unwrap().n, Some(2));
    }
}
