//! Microsoft Graph `signIn` (beta and v1.0) and `directoryAudit` objects as saved from the
//! API or the Entra admin center: a response page, a JSON array (the admin center's JSON
//! download) or NDJSON, whose lines may themselves be pages.

use std::borrow::Cow;
use std::io::BufRead;
use std::sync::Arc;

use super::json_decode::{TRUNCATED, for_each_batch, from_slice};
use super::json_split::Piece;
use super::mapping::{GraphAudit, GraphSignIn, Text};
use super::piece_pool::{Decoded as Columns, Recorder};
use super::sink::Sink;
use crate::schema::{AuditEvent, Record, SignInOf, SignInRows};
use crate::sources::Result;

/// Reads Graph sign-ins and directory audits into `sink`. Records are numbered by line for
/// NDJSON and by element index for arrays and pages.
///
/// A sink that takes columns gets the sign-ins decoded with strings borrowed from the
/// read buffer and built into Arrow arrays on the decoding threads, one batch of input at
/// a time: no allocation per field, nothing per record to free.
pub fn read(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    // Files hold one kind of object almost always; trying the last kind first means one
    // parse per record.
    for_each_batch(
        input,
        sink,
        || Kind::SignIn,
        |hint, pieces, rec| {
            if rec.takes_columns() {
                return read_columns(hint, pieces, rec);
            }
            for piece in pieces {
                read_record(hint, piece, rec)?;
            }
            Ok(None)
        },
    )
}

/// One piece through the record path.
fn read_record(hint: &mut Kind, piece: &Piece<'_>, sink: &mut dyn Sink) -> Result<()> {
    if piece.unterminated && !piece.complete() {
        return sink.reject(piece.no, piece.bytes, TRUNCATED.to_string());
    }
    match decode::<String>(piece.bytes, *hint) {
        Ok(d) => {
            *hint = d.kind;
            let record = match d.object {
                Object::SignIn(s) => Record::SignIn(Box::new(s)),
                Object::Audit(a) => Record::Audit(Box::new(a)),
            };
            sink.record(piece.no, record)?;
            if d.repeated_keys {
                sink.repeated_keys(piece.no);
            }
            Ok(())
        }
        Err(reason) => sink.reject(piece.no, piece.bytes, reason),
    }
}

/// A batch of pieces through the column path: sign-ins borrow their strings from the
/// pieces until the batch's columns are built; audits (rare) stay records.
fn read_columns<'a>(hint: &mut Kind, pieces: &[Piece<'a>], rec: &mut Recorder) -> Result<Columns> {
    // Sized at once: a sign-in is over a kilobyte, and growing the vector moved them all.
    let mut sign_ins: Vec<SignInOf<Cow<'a, str>>> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if piece.unterminated && !piece.complete() {
            rec.reject(piece.no, piece.bytes, TRUNCATED.to_string())?;
            continue;
        }
        match decode::<Cow<'a, str>>(piece.bytes, *hint) {
            Ok(d) => {
                *hint = d.kind;
                match d.object {
                    Object::SignIn(s) => {
                        rec.decoded_row(piece.no, sign_ins.len());
                        sign_ins.push(s);
                    }
                    Object::Audit(a) => rec.record(piece.no, Record::Audit(Box::new(a)))?,
                }
                if d.repeated_keys {
                    rec.repeated_keys(piece.no);
                }
            }
            Err(reason) => rec.reject(piece.no, piece.bytes, reason)?,
        }
    }
    if sign_ins.is_empty() {
        return Ok(None);
    }
    let rows: Vec<&SignInOf<Cow<'a, str>>> = sign_ins.iter().collect();
    Ok(Some(Arc::new(SignInRows::new(&rows))))
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

/// A decoded object: a sign-in whose strings are `S`, or an audit event.
// Not boxed: a sign-in is moved once per record, and a box would be the per-record
// allocation the column path exists to avoid.
#[allow(clippy::large_enum_variant)]
enum Object<S> {
    SignIn(SignInOf<S>),
    Audit(AuditEvent),
}

/// A decoded object.
struct Decoded<S> {
    object: Object<S>,
    kind: Kind,
    /// The object repeated a key (the last occurrence was read).
    repeated_keys: bool,
}

/// The outcome of reading an object as one kind.
// Not boxed, as `Object`.
#[allow(clippy::large_enum_variant)]
enum Attempt<S> {
    /// It has this kind's timestamp key: this is its object (and whether it repeated a
    /// key) or why it is rejected.
    Is(Result<(Object<S>, bool), String>),
    /// It parsed but lacks this kind's timestamp key.
    IsNot,
    /// It does not parse as this kind.
    Invalid(String),
}

fn attempt<'a, S: Text<'a> + Default>(raw: &'a [u8], kind: Kind) -> Attempt<S> {
    match kind {
        Kind::SignIn => match from_slice::<GraphSignIn<S>>(raw) {
            Ok(p) if p.value.created_date_time.is_some() => Attempt::Is(
                p.value
                    .into_canonical(None, None)
                    .map(|s| (Object::SignIn(s), p.repeated_keys)),
            ),
            Ok(_) => Attempt::IsNot,
            Err(e) => Attempt::Invalid(e.reason),
        },
        Kind::Audit => match from_slice::<GraphAudit>(raw) {
            Ok(p) if p.value.activity_date_time.is_some() => Attempt::Is(
                p.value
                    .into_canonical()
                    .map(|a| (Object::Audit(a), p.repeated_keys)),
            ),
            Ok(_) => Attempt::IsNot,
            Err(e) => Attempt::Invalid(e.reason),
        },
    }
}

/// A sign-in if the object has `createdDateTime`, an audit if `activityDateTime`. When
/// neither reading finds its key, the reason is the hinted kind's parse error if any.
fn decode<'a, S: Text<'a> + Default>(raw: &'a [u8], hint: Kind) -> Result<Decoded<S>, String> {
    let decoded = |kind| {
        move |(object, repeated_keys)| Decoded {
            object,
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
