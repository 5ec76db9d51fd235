//! The glossary: every verdict, class, §9 reason and §10 finding word the report shows,
//! in plain words. It is data (`queries/vocabulary/glossary.csv`), kept beside the
//! vocabulary it explains; a test checks that every word of the rules has an entry and
//! that every entry is a word of the rules.

use serde::Serialize;

use super::cell::table;

/// The glossary's file in the repository, as the report cites it.
pub const FILE: &str = "queries/vocabulary/glossary.csv";
/// The glossary, embedded at build time.
pub const TEXT: &str = include_str!("../../queries/vocabulary/glossary.csv");

/// One entry: the kind of word (verdict, class, reason, finding, overall verdict, account
/// status, covered, hole), the word, its meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub kind: String,
    pub word: String,
    pub meaning: String,
}
table!(Entry: kind, word, meaning);

/// The entries in file order. The file is embedded, so a row that does not read is a
/// defect of the build (a test reads it whole); such a row is left out, never a panic.
pub fn entries() -> Vec<Entry> {
    let mut reader = csv::ReaderBuilder::new().from_reader(TEXT.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter(|r| r.len() == 3)
        .map(|r| Entry {
            kind: r[0].trim().to_owned(),
            word: r[1].trim().to_owned(),
            meaning: r[2].trim().to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::evidence::conditional_access::ALONE_REASONS;
    use crate::evidence::vocabulary;
    use crate::policy::{Finding, Reason};
    use crate::report::model::Verdict;
    use crate::report::requirements::holes::Kind;

    fn words(kind: &str) -> BTreeSet<String> {
        entries()
            .into_iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.word)
            .collect()
    }

    fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        items.into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn every_row_reads_and_says_something() {
        let rows = TEXT.lines().count() - 1;
        let entries = entries();
        assert_eq!(entries.len(), rows, "a row of {FILE} does not read");
        let mut seen = BTreeSet::new();
        for e in &entries {
            assert!(e.meaning.ends_with('.'), "{}: {}", e.word, e.meaning);
            assert!(seen.insert((&e.kind, &e.word)), "{} twice", e.word);
        }
        let kinds: BTreeSet<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            BTreeSet::from([
                "class", "covered", "finding", "hole", "overall", "reason", "status", "verdict"
            ])
        );
    }

    /// Every class and verdict of `classes.csv`, every §9 reason (the per-policy ones and
    /// the three one-row ones) and every §10 finding has an entry, and nothing else does.
    #[test]
    fn every_word_of_the_rules_has_an_entry() {
        let classes = vocabulary::tables()
            .unwrap()
            .into_iter()
            .find(|t| t.name == "vocab_classes")
            .unwrap();
        let column = |name: &str| {
            let i = classes.header.iter().position(|h| h == name).unwrap();
            classes
                .rows
                .iter()
                .map(|r| r[i].clone())
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(words("class"), column("class"));
        assert_eq!(words("verdict"), column("verdict"));
        let reasons = Reason::ALL.iter().map(|r| r.as_str()).chain(ALONE_REASONS);
        assert_eq!(words("reason"), set(reasons));
        assert_eq!(
            words("finding"),
            set(Finding::ALL.iter().map(|f| f.as_str()))
        );
        assert_eq!(words("hole"), set(Kind::ALL.iter().map(|k| k.as_str())));
        let overall = [
            Verdict::Compliant,
            Verdict::CompliantOnAvailableEvidence,
            Verdict::NotCompliant,
        ];
        assert_eq!(words("overall"), set(overall.map(Verdict::word)));
        let statuses = ["violation", "unproven", "proven", "not_exercised"];
        assert_eq!(words("status"), set(statuses));
        assert_eq!(words("covered"), set(["yes", "no", "unknown"]));
    }
}
