//! What the report says of its own making: the tool and the commit it was built from,
//! the evidence rules, method statement, glossary and vocabulary it applied (each with its
//! SHA-256), and the text and SHA-256 of every query its figures come from. The texts are
//! part of the report's values (not of `report.json`, which cites them by file and hash),
//! so the renderers show them without looking anything up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::glossary::{self, Entry};
use super::statement::{self, Block};
use crate::evidence::{queries, vocabulary};

/// The version of mfaproof (Cargo's).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit mfaproof was built from (`build.rs`), or `unknown` (built without git).
pub const COMMIT: &str = env!("MFAPROOF_COMMIT");
/// The evidence rules: the contract the classification follows. Its SHA-256 is the rules'
/// version (any edit is a new version; no number to forget to raise).
pub const RULES_FILE: &str = "docs/evidence-rules.md";
const RULES: &str = include_str!("../../docs/evidence-rules.md");
/// The choices the rules leave open.
pub const CHOICES_FILE: &str = "docs/evidence.md";
const CHOICES: &str = include_str!("../../docs/evidence.md");

/// The tool that wrote the report (fields in key order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub commit: String,
    pub name: String,
    pub version: String,
}

impl Tool {
    /// This build.
    pub fn this() -> Tool {
        Tool {
            commit: COMMIT.to_owned(),
            name: "mfaproof".to_owned(),
            version: VERSION.to_owned(),
        }
    }
}

/// A file of the repository the report was made under, and its SHA-256.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub file: String,
    pub sha256: String,
}

impl Document {
    fn of(file: impl Into<String>, text: &str) -> Document {
        Document {
            file: file.into(),
            sha256: sha256(text.as_bytes()),
        }
    }
}

/// How the report was made (fields in key order): the documents it cites, where its
/// inputs are listed, and the statement and glossary themselves (not serialised).
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub choices: Document,
    pub glossary: Document,
    /// Where `report.json` lists the inputs with their SHA-256 (a JSON Pointer).
    pub inputs: String,
    pub rules: Document,
    pub statement: Document,
    pub vocabulary: Vec<Document>,
    #[serde(skip)]
    pub statement_blocks: Vec<Block>,
    #[serde(skip)]
    pub glossary_entries: Vec<Entry>,
}

impl Method {
    /// The method of this build; `inputs` points at the inputs' list.
    pub fn this(inputs: String) -> Method {
        Method {
            choices: Document::of(CHOICES_FILE, CHOICES),
            glossary: Document::of(glossary::FILE, glossary::TEXT),
            inputs,
            rules: Document::of(RULES_FILE, RULES),
            statement: Document::of(statement::FILE, statement::TEXT),
            vocabulary: vocabulary::FILES
                .iter()
                .map(|(table, text)| Document::of(vocabulary_file(table), text))
                .collect(),
            statement_blocks: statement::blocks(),
            glossary_entries: glossary::entries(),
        }
    }
}

/// The repository file of a vocabulary table (tables are named `vocab_<file stem>`).
fn vocabulary_file(table: &str) -> String {
    let stem = table.strip_prefix("vocab_").unwrap_or(table);
    format!("queries/vocabulary/{stem}.csv")
}

/// A query of the report: its SHA-256 (serialised) and its text (not).
#[derive(Debug, Clone, Serialize)]
pub struct QueryText {
    pub sha256: String,
    #[serde(skip)]
    pub text: &'static str,
}

/// The queries `names` (registered names), by the file path figures cite them by.
pub fn query_texts<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> crate::evidence::Result<BTreeMap<String, QueryText>> {
    let mut out = BTreeMap::new();
    for name in names {
        let q = queries::get(name)?;
        out.insert(
            q.file(),
            QueryText {
                sha256: sha256(q.sql.as_bytes()),
                text: q.sql,
            },
        );
    }
    Ok(out)
}

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_file_is_named_and_exists() {
        let m = Method::this("/x".into());
        assert_eq!(m.vocabulary.len(), vocabulary::FILES.len());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (d, (_, text)) in m.vocabulary.iter().zip(vocabulary::FILES) {
            let on_disk = std::fs::read_to_string(root.join(&d.file)).unwrap();
            assert_eq!(&on_disk, text, "{}", d.file);
            assert_eq!(d.sha256, sha256(on_disk.as_bytes()));
        }
        for d in [&m.rules, &m.choices, &m.statement, &m.glossary] {
            let on_disk = std::fs::read(root.join(&d.file)).unwrap();
            assert_eq!(d.sha256, sha256(&on_disk), "{}", d.file);
        }
    }

    #[test]
    fn hashes_are_lower_case_hex() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let commit = Tool::this().commit;
        assert!(commit == "unknown" || commit.len() == 40, "{commit}");
    }
}
