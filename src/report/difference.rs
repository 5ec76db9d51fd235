//! How a report file differs from another: the ways a pack can differ from its
//! `SHA256SUMS` or from a new evaluation (`Difference`, said in one line each), the first
//! difference of two JSON values named by its path, and the first differing line of two
//! texts.

use std::fmt;

use serde_json::Value;

use super::REPORT_JSON;

/// One way the pack differs from its `SHA256SUMS` or from a new evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// `report.json` is not listed (`evaluate` always writes it).
    Unlisted(String),
    /// A listed file is not in the folder.
    Missing(String),
    /// A file's SHA-256 is not the one listed.
    Changed(String),
    /// A file or folder in the report folder that is not listed.
    Extra(String),
    /// A file of the pack the new evaluation did not write.
    NotRewritten(String),
    /// A file the new evaluation wrote that the pack does not have.
    NotInPack(String),
    /// `report.json` differs at `path`.
    Json {
        path: String,
        pack: String,
        again: String,
    },
    /// A text file differs first at line `line` (1-based).
    Line {
        file: String,
        line: usize,
        pack: String,
        again: String,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Unlisted(file) => write!(
                f,
                "{file}: not listed in SHA256SUMS (evaluate always writes it)"
            ),
            Difference::Missing(file) => write!(f, "{file}: missing (listed in SHA256SUMS)"),
            Difference::Changed(file) => {
                write!(
                    f,
                    "{file}: changed (its SHA-256 is not the one in SHA256SUMS)"
                )
            }
            Difference::Extra(file) => write!(f, "{file}: extra (not listed in SHA256SUMS)"),
            Difference::NotRewritten(file) => {
                write!(f, "{file}: in the pack, not written by the new evaluation")
            }
            Difference::NotInPack(file) => {
                write!(f, "{file}: written by the new evaluation, not in the pack")
            }
            Difference::Json { path, pack, again } => {
                write!(
                    f,
                    "{REPORT_JSON}: {path}: pack {pack}, new evaluation {again}"
                )
            }
            Difference::Line {
                file,
                line,
                pack,
                again,
            } => write!(f, "{file} line {line}: pack {pack}, new evaluation {again}"),
        }
    }
}

/// The first place, in key order, where `pack` and `again` differ, as a JSON path
/// (`$.requirements[0].figures.…`) with both values.
pub fn first_json_difference(pack: &Value, again: &Value, path: &str) -> Option<Difference> {
    match (pack, again) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let absent = Value::Null;
                let (x, y) = (a.get(k), b.get(k));
                let step = member(path, k);
                if x.is_none() != y.is_none() {
                    return Some(json_difference(step, x, y));
                }
                first_json_difference(x.unwrap_or(&absent), y.unwrap_or(&absent), &step)
            })
        }
        (Value::Array(a), Value::Array(b)) => {
            let shared = a.iter().zip(b).enumerate();
            let found = shared
                .into_iter()
                .find_map(|(i, (x, y))| first_json_difference(x, y, &format!("{path}[{i}]")));
            found.or_else(|| {
                (a.len() != b.len()).then(|| Difference::Json {
                    path: format!("{path}.length"),
                    pack: a.len().to_string(),
                    again: b.len().to_string(),
                })
            })
        }
        (a, b) if a == b => None,
        (a, b) => Some(json_difference(path.to_owned(), Some(a), Some(b))),
    }
}

/// `path.key`, or `path["key"]` when the key is not a plain word.
fn member(path: &str, key: &str) -> String {
    let word = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if word {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::from(key))
    }
}

fn json_difference(path: String, pack: Option<&Value>, again: Option<&Value>) -> Difference {
    let show = |v: Option<&Value>| v.map_or_else(|| "absent".to_owned(), |v| short(&v.to_string()));
    Difference::Json {
        path,
        pack: show(pack),
        again: show(again),
    }
}

/// The first line where two texts differ, both lines shown (quoted, shortened).
pub fn first_line_difference(file: &str, pack: &str, again: &str) -> Difference {
    let (mut a, mut b) = (pack.split('\n'), again.split('\n'));
    let mut line = 0;
    loop {
        line += 1;
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => {
                let show = |l: Option<&str>| {
                    l.map_or_else(|| "(end of file)".to_owned(), |l| short(&format!("{l:?}")))
                };
                return Difference::Line {
                    file: file.to_owned(),
                    line,
                    pack: show(x),
                    again: show(y),
                };
            }
        }
    }
}

/// `text` cut to 120 characters.
fn short(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_json_difference_is_named_by_its_path() {
        let a: Value =
            serde_json::from_str(r#"{"a":1,"q":{"x/y.sql":{"s":"1"}},"r":[{"n":1},{"n":2}]}"#)
                .unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":1,"q":{"x/y.sql":{"s":"2"}},"r":[{"n":1},{"n":3}]}"#)
                .unwrap();
        assert_eq!(
            first_json_difference(&a, &b, "$").unwrap().to_string(),
            r#"report.json: $.q["x/y.sql"].s: pack "1", new evaluation "2""#
        );
        let c: Value =
            serde_json::from_str(r#"{"a":1,"q":{"x/y.sql":{"s":"1"}},"r":[{"n":1}]}"#).unwrap();
        assert_eq!(
            first_json_difference(&a, &c, "$").unwrap().to_string(),
            "report.json: $.r.length: pack 2, new evaluation 1"
        );
        let d: Value =
            serde_json::from_str(r#"{"q":{"x/y.sql":{"s":"1"}},"r":[{"n":1},{"n":2}]}"#).unwrap();
        assert_eq!(
            first_json_difference(&a, &d, "$").unwrap().to_string(),
            "report.json: $.a: pack 1, new evaluation absent"
        );
        assert_eq!(first_json_difference(&a, &a.clone(), "$"), None);
    }

    #[test]
    fn the_first_line_difference_names_the_line() {
        assert_eq!(
            first_line_difference("a.csv", "h\n1\n2\n", "h\n1\n3\n").to_string(),
            r#"a.csv line 3: pack "2", new evaluation "3""#
        );
        assert_eq!(
            first_line_difference("a.csv", "h\n", "h\n1\n").to_string(),
            r#"a.csv line 2: pack "", new evaluation "1""#
        );
        assert_eq!(
            first_line_difference("a.csv", "h", "h\n").to_string(),
            r#"a.csv line 2: pack (end of file), new evaluation """#
        );
    }
}
