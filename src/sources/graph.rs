//! Microsoft Graph `signIn` (beta and v1.0) and `directoryAudit` objects as saved from the
//! API or the Entra admin center: a response page, a JSON array (the admin center's JSON
//! download) or NDJSON, whose lines may themselves be pages.

use std::io::BufRead;

use super::json_decode::{TRUNCATED, for_each_piece, from_slice};
use super::mapping::{GraphAudit, GraphSignIn};
use super::sink::Sink;
use crate::schema::Record;
use crate::sources::Result;

/// Reads Graph sign-ins and directory audits into `sink`. Records are numbered by line for
/// NDJSON and by element index for arrays and pages.
pub fn read(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    // Files hold one kind of object almost always; trying the last kind first means one
    // parse per record.
    for_each_piece(
        input,
        sink,
        || Kind::SignIn,
        |hint, piece, sink| {
            if piece.unterminated && !piece.complete() {
                return sink.reject(piece.no, piece.bytes, TRUNCATED.to_string());
            }
            match decode(piece.bytes, *hint) {
                Ok(Decoded {
                    record,
                    kind,
                    repeated_keys,
                }) => {
                    *hint = kind;
                    sink.record(piece.no, record)?;
                    if repeated_keys {
                        sink.repeated_keys(piece.no);
                    }
                    Ok(())
                }
                Err(reason) => sink.reject(piece.no, piece.bytes, reason),
            }
        },
    )
}

/// The two Graph objects this source knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SignIn,
    Audit,
}

impl Kind {
    fn other(self) -> Kind {
        match self {
            Kind::SignIn => Kind::Audit,
            Kind::Audit => Kind::SignIn,
        }
    }
}

/// A decoded object.
struct Decoded {
    record: Record,
    kind: Kind,
    /// The object repeated a key (the last occurrence was read).
    repeated_keys: bool,
}

/// The outcome of reading an object as one kind.
enum Attempt {
    /// It has this kind's timestamp key: this is its record (and whether it repeated a
    /// key) or why it is rejected.
    Is(Result<(Record, bool), String>),
    /// It parsed but lacks this kind's timestamp key.
    IsNot,
    /// It does not parse as this kind.
    Invalid(String),
}

fn attempt(raw: &[u8], kind: Kind) -> Attempt {
    match kind {
        Kind::SignIn => match from_slice::<GraphSignIn>(raw) {
            Ok(p) if p.value.created_date_time.is_some() => Attempt::Is(
                p.value
                    .into_canonical(None, None)
                    .map(|s| (Record::SignIn(Box::new(s)), p.repeated_keys)),
            ),
            Ok(_) => Attempt::IsNot,
            Err(e) => Attempt::Invalid(e.reason),
        },
        Kind::Audit => match from_slice::<GraphAudit>(raw) {
            Ok(p) if p.value.activity_date_time.is_some() => Attempt::Is(
                p.value
                    .into_canonical()
                    .map(|a| (Record::Audit(Box::new(a)), p.repeated_keys)),
            ),
            Ok(_) => Attempt::IsNot,
            Err(e) => Attempt::Invalid(e.reason),
        },
    }
}

/// A sign-in if the object has `createdDateTime`, an audit if `activityDateTime`. When
/// neither reading finds its key, the reason is the hinted kind's parse error if any.
fn decode(raw: &[u8], hint: Kind) -> Result<Decoded, String> {
    let decoded = |kind| {
        move |(record, repeated_keys)| Decoded {
            record,
            kind,
            repeated_keys,
        }
    };
    let first = attempt(raw, hint);
    if let Attempt::Is(r) = first {
        return r.map(decoded(hint));
    }
    let other = hint.other();
    match (first, attempt(raw, other)) {
        (_, Attempt::Is(r)) => r.map(decoded(other)),
        (Attempt::Invalid(e), _) | (_, Attempt::Invalid(e)) => Err(e),
        _ => Err(
            "neither a sign-in (no createdDateTime) nor a directory audit \
                  (no activityDateTime)"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::EventType;
    use crate::sources::test_sink::Collect;

    fn run(input: &str) -> Collect {
        Collect::text(input, read).unwrap()
    }

    #[test]
    fn page_array_and_ndjson_give_the_same_records() {
        let a = r#"{"id":"a","createdDateTime":"2026-11-03T08:00:00Z","status":{"errorCode":0}}"#;
        let b = r#"{"id":"b","activityDateTime":"2026-11-03T09:00:00Z","activityDisplayName":"Update user"}"#;
        let page = format!(r#"{{"@odata.context":"x","value":[{a},{b}],"@odata.nextLink":"y"}}"#);
        let array = format!("[\n  {a},\n  {b}\n]\n");
        let ndjson = format!("{a}\n{b}\n");
        let from_page = run(&page);
        let from_array = run(&array);
        let from_lines = run(&ndjson);
        assert_eq!(from_page.records.len(), 2);
        assert!(matches!(from_page.records[1].1, Record::Audit(_)));
        assert_eq!(from_page.records, from_array.records);
        let line_records: Vec<_> = from_lines.records.iter().map(|r| &r.1).collect();
        let page_records: Vec<_> = from_page.records.iter().map(|r| &r.1).collect();
        assert_eq!(line_records, page_records);
        assert!(from_page.rejects.is_empty() && from_lines.rejects.is_empty());
    }

    #[test]
    fn ndjson_lines_that_are_pages_are_expanded() {
        let line = r#"{"value":[{"id":"a","createdDateTime":"2026-11-03T08:00:00Z"},{"id":"b","createdDateTime":"2026-11-03T08:01:00Z"}]}"#;
        let sink = run(&format!("{line}\n{line}\n"));
        let nos: Vec<u64> = sink.records.iter().map(|r| r.0).collect();
        assert_eq!(nos, [1, 2, 3, 4], "elements of pages count across the file");
    }

    #[test]
    fn every_bad_record_is_rejected_with_a_specific_reason() {
        let input = concat!(
            r#"{"id":"a","createdDateTime":"2026-11-03T08:00:00Z"}"#,
            "\n",
            r#"{"id":"b","createdDateTime":"2026-11-03T08:00:00Z","status":{"errorCode":"fifty"}}"#,
            "\n",
            r#"{"id":"c","createdDateTime":"2026-11-03T08:00:00Z",}"#,
            "\n",
            r#"{"createdDateTime":"2026-11-03T08:00:00Z"}"#,
            "\n",
            r#"{"id":"e","createdDateTime":"yesterday"}"#,
            "\n",
            r#"{"id":"f","displayName":"not a log record"}"#,
            "\n",
            r#"{"id":"g","activityDateTime":"2026-11-03T08:00:00Z","targetResources":"oops"}"#,
            "\n",
            r#"[1]"#,
            "\n",
            r#"{"id":"i","createdDateTime":"2026-11-03T08:00:00Z","#,
        );
        let sink = run(input);
        assert_eq!(sink.records.len(), 1);
        let reasons: Vec<(u64, &str)> = sink.rejects.iter().map(|r| (r.0, r.2.as_str())).collect();
        let expect = [
            (
                2,
                "unreadable value: expected an integer, found \"fifty\" at line 1 column 81",
            ),
            (3, "malformed JSON: trailing comma at line 1 column 52"),
            (4, "missing id"),
            (5, "createdDateTime \"yesterday\" is not a timestamp"),
            (
                6,
                "neither a sign-in (no createdDateTime) nor a directory audit (no activityDateTime)",
            ),
            (
                7,
                "unreadable value: invalid type: string \"oops\", expected a sequence at line 1 column 76",
            ),
            (
                1,
                "unreadable value: invalid type: integer `1`, expected struct GraphSignIn at line 1 column 1",
            ),
            (9, TRUNCATED),
        ];
        assert_eq!(reasons, expect);
    }

    #[test]
    fn not_json_is_an_error_and_empty_is_a_warning() {
        let mut sink = Collect::default();
        assert!(read(&mut &b"id,createdDateTime\n"[..], &mut sink).is_err());
        let sink = run("\u{feff}\n");
        assert!(sink.records.is_empty() && sink.rejects.is_empty());
        assert_eq!(sink.warnings.len(), 1);
    }

    #[test]
    fn v1_sign_ins_without_event_types_are_interactive() {
        let sink =
            run(r#"[{"id":"a","createdDateTime":"2026-11-03T08:00:00Z","isInteractive":true}]"#);
        assert_eq!(sink.sign_ins()[0].event_type, EventType::InteractiveUser);
    }
}
