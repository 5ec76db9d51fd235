//! What the JSON sources share: the one choice of JSON parser for record bytes, the
//! wording of JSON errors, and the loop that feeds split pieces to a source.

use std::io::{self, BufRead};

use serde::Deserialize;

use super::Sink;
use super::json_split::{JsonSplitter, Piece};
use crate::error::{Error, Result};

/// Why record bytes did not parse.
#[derive(Debug)]
pub struct JsonError {
    /// The kind of problem and where it is (`… at line 1 column 57`).
    pub reason: String,
    /// Not JSON at all (syntax error or cut short), rather than a value of the wrong type.
    pub malformed: bool,
}

/// Parses one record's bytes. Every JSON source goes through here so the parser is chosen
/// in one place (see `benches/parse.rs` for why it is this one).
pub fn from_slice<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, JsonError> {
    use serde_json::error::Category;
    serde_json::from_slice(bytes).map_err(|e| {
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
    })
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
    super::piece_pool::run(&mut split, sink, init, handle)?;
    if split.left_unclosed() {
        sink.warn(
            "the input ends inside a JSON array: it was cut short; the records before the cut \
             were read"
                .to_string(),
        );
    }
    Ok(())
}

/// Sources are given a reader, not a path: the caller re-labels the error with its file.
const INPUT: &str = "input";

pub(super) fn unreadable(e: io::Error) -> Error {
    Error::Input {
        file: INPUT.to_string(),
        reason: e.to_string(),
    }
}

/// A [`Sink`] that keeps everything, for the sources' tests.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct Collect {
    pub records: Vec<(u64, crate::schema::Record)>,
    pub rejects: Vec<(u64, String, String)>,
    pub skips: Vec<(u64, String)>,
    pub partials: Vec<(u64, String)>,
    pub warnings: Vec<String>,
}

#[cfg(test)]
impl Sink for Collect {
    fn record(&mut self, record_no: u64, record: crate::schema::Record) -> Result<()> {
        self.records.push((record_no, record));
        Ok(())
    }
    fn reject(&mut self, record_no: u64, raw: &[u8], reason: String) -> Result<()> {
        let raw = String::from_utf8_lossy(raw).into_owned();
        self.rejects.push((record_no, raw, reason));
        Ok(())
    }
    fn skip(&mut self, record_no: u64, what: &str) {
        self.skips.push((record_no, what.to_string()));
    }
    fn partial(&mut self, record_no: u64, raw: &[u8]) {
        let raw = String::from_utf8_lossy(raw).into_owned();
        self.partials.push((record_no, raw));
    }
    fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }
}

#[cfg(test)]
impl Collect {
    /// Reads `path` (relative to the crate root) with `read`.
    pub fn file(
        path: &str,
        read: fn(&mut dyn BufRead, &mut dyn Sink) -> Result<()>,
    ) -> Result<Collect> {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let file = std::fs::File::open(&full).map_err(|e| Error::io(&full, e))?;
        let mut sink = Collect::default();
        read(&mut io::BufReader::new(file), &mut sink)?;
        Ok(sink)
    }

    /// The decoded sign-ins, in input order.
    pub fn sign_ins(&self) -> Vec<&crate::schema::SignIn> {
        self.records
            .iter()
            .filter_map(|(_, r)| match r {
                crate::schema::Record::SignIn(s) => Some(&**s),
                _ => None,
            })
            .collect()
    }
}
