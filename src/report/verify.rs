//! `mfaproof verify`: a report folder checked against its `SHA256SUMS` (`sums`), and, with
//! the lake, evaluated again with the options `report.json` records and compared figure by
//! figure. What may differ between the two evaluations is only what says when and where
//! the report was made — `generated_at`, `lake` and `tool` — which are taken from the pack
//! before comparing: `report.json` must then be equal byte for byte (the first difference
//! is named by its JSON path), every CSV file equal, and `report.md` and `report.html`
//! equal to their rendering of the new report.

use std::fmt;
use std::path::Path;

use serde_json::Value;

use super::options::{Options, Recorded};
use super::provenance::Tool;
use super::sums::Entry;
use super::{Error, REPORT_JSON, Report, Result, evaluate, html, markdown, write_json_text};
use crate::evidence::Engine;

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

/// Evaluates `lake` again into `scratch` (an empty folder) with the options the pack's
/// `report.json` records, and compares every file of the pack (`entries`, already checked
/// against their hashes) with the new evaluation's: the differences, `report.json` first,
/// then the other files by name, at most one per file (its first).
pub async fn against_lake(
    dir: &Path,
    entries: &[Entry],
    lake: &Path,
    scratch: &Path,
    engine: Engine,
) -> Result<Vec<Difference>> {
    let json_path = dir.join(REPORT_JSON);
    let text = std::fs::read(&json_path).map_err(|e| Error::io(&json_path, e))?;
    let pack: Value = serde_json::from_slice(&text)
        .map_err(|e| unreadable(&json_path, &format!("not JSON: {e}")))?;
    let recorded: Recorded = serde_json::from_value(pack["options"].clone()).map_err(|e| {
        unreadable(
            &json_path,
            &format!("no options recorded to evaluate again ({e})"),
        )
    })?;
    let opts = Options::from_recorded(recorded, engine);
    let mut outcome = evaluate(lake, scratch, &opts).await?;
    let report = as_in_pack(&mut outcome.report, &pack);
    let mut differences = Vec::new();
    let again = write_json_text(report, &json_path)?;
    if again.as_bytes() != text.as_slice() {
        let again: Value = serde_json::from_str(&again)
            .map_err(|e| unreadable(&json_path, &format!("not JSON: {e}")))?;
        differences.push(
            first_json_difference(&pack, &again, "$").unwrap_or_else(|| {
                let text = String::from_utf8_lossy(&text);
                first_line_difference(REPORT_JSON, &text, &again.to_string())
            }),
        );
    }
    let mut written: Vec<String> = outcome
        .files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| n != super::sums::FILE && n != REPORT_JSON)
        .collect();
    written.sort();
    for e in entries.iter().filter(|e| e.file != REPORT_JSON) {
        if !written.contains(&e.file) {
            differences.push(Difference::NotRewritten(e.file.clone()));
            continue;
        }
        let pack_file = dir.join(&e.file);
        let ours = std::fs::read(&pack_file).map_err(|e| Error::io(&pack_file, e))?;
        let theirs = match e.file.as_str() {
            "report.md" => markdown::render(report).into_bytes(),
            "report.html" => html::render(report)
                .map_err(|e| Error::io(&pack_file, std::io::Error::other(e.to_string())))?
                .into_bytes(),
            _ => {
                let path = scratch.join(&e.file);
                std::fs::read(&path).map_err(|e| Error::io(&path, e))?
            }
        };
        if ours != theirs {
            let (a, b) = (
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
            );
            differences.push(first_line_difference(&e.file, &a, &b));
        }
    }
    for name in written {
        if !entries.iter().any(|e| e.file == name) {
            differences.push(Difference::NotInPack(name));
        }
    }
    Ok(differences)
}

/// The new report with what says when, where and by which build it was made taken from
/// the pack (`generated_at`, `lake`, `tool`), so everything else can be compared.
fn as_in_pack<'a>(report: &'a mut Report, pack: &Value) -> &'a Report {
    if let Some(at) = pack["generated_at"].as_str() {
        at.clone_into(&mut report.generated_at);
    }
    if let Some(lake) = pack["lake"].as_str() {
        lake.clone_into(&mut report.lake);
    }
    if let Ok(tool) = serde_json::from_value::<Tool>(pack["tool"].clone()) {
        report.tool = tool;
    }
    report
}

fn unreadable(path: &Path, reason: &str) -> Error {
    Error::Pack {
        file: path.to_path_buf(),
        reason: reason.to_owned(),
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
