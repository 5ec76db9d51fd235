//! Azure Monitor diagnostic-settings export of Entra logs: `PT1H.json` blobs (JSON Lines,
//! possibly still being written) and `{"records":[…]}` batches (Event Hub capture, very
//! old blobs). Each record is an envelope whose `properties` is a Graph object.

use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::json_decode::{TRUNCATED, for_each_piece, from_slice};
use super::mapping::{GraphAudit, GraphSignIn, parse_i32};
use super::sink::{Sink, offer};
use crate::schema::tenant::normalise;
use crate::schema::{EventType, Record};
use crate::sources::Result;

/// Reads Azure Monitor records into `sink`, numbered by line (JSON Lines) or element index
/// (`records` batches). Categories other than the five sign-in and audit logs are skipped.
pub fn read(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<()> {
    for_each_piece(
        input,
        sink,
        || (),
        |(), piece, sink| match decode(piece.bytes) {
            Ok(Decoded::Record(record, repeated_keys)) => {
                if offer(sink, piece.no, record, piece.bytes)? && repeated_keys {
                    sink.repeated_keys(piece.no);
                }
                Ok(())
            }
            Ok(Decoded::Skip(category)) => {
                sink.skip(piece.no, &format!("category {category}"));
                Ok(())
            }
            // The current hour's blob is appended to while we read it: a last line that is
            // not JSON yet is not an error, the finished blob will deliver it.
            Err(Failure::NotJson(_)) if piece.unterminated && !piece.element => {
                sink.partial(piece.no, piece.bytes);
                Ok(())
            }
            Err(_) if piece.unterminated && !piece.complete() => {
                sink.reject(piece.no, piece.bytes, TRUNCATED.to_string())
            }
            Err(Failure::NotJson(reason) | Failure::Record(reason)) => {
                sink.reject(piece.no, piece.bytes, reason)
            }
        },
    )
}

/// What a category's `properties` hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    SignIn(EventType),
    Audit,
}

/// The event type of a sign-in category, or audit; `None` for categories not ingested.
fn target(category: &str) -> Option<Target> {
    let t = match category.trim().to_ascii_lowercase().as_str() {
        "signinlogs" => Target::SignIn(EventType::InteractiveUser),
        "noninteractiveusersigninlogs" => Target::SignIn(EventType::NonInteractiveUser),
        "serviceprincipalsigninlogs" => Target::SignIn(EventType::ServicePrincipal),
        "managedidentitysigninlogs" => Target::SignIn(EventType::ManagedIdentity),
        "auditlogs" => Target::Audit,
        _ => return None,
    };
    Some(t)
}

/// The envelope fields mfaproof uses; `time`, `Level`, `durationMs` and the rest are
/// skipped (their types drift between exports).
struct Envelope {
    category: Option<String>,
    /// The Entra tenant the record belongs to.
    tenant_id: Option<String>,
    result_type: Option<Value>,
    properties: Option<Properties>,
}

/// `properties`, parsed once straight into the type the category calls for: Azure writes
/// `category` first. Should `properties` come first it is kept as a `Value` until the
/// category is known.
enum Properties {
    Typed(Typed),
    Deferred(Value),
}

enum Typed {
    SignIn(Box<GraphSignIn>, EventType),
    Audit(Box<GraphAudit>),
    Skipped,
}

impl Typed {
    fn from_value(target: Option<Target>, v: Value) -> Result<Typed, serde_json::Error> {
        Ok(match target {
            Some(Target::SignIn(t)) => Typed::SignIn(Box::new(GraphSignIn::deserialize(v)?), t),
            Some(Target::Audit) => Typed::Audit(Box::new(GraphAudit::deserialize(v)?)),
            None => Typed::Skipped,
        })
    }
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum Key {
    #[serde(rename = "category")]
    Category,
    #[serde(rename = "resultType")]
    ResultType,
    #[serde(rename = "tenantId")]
    TenantId,
    #[serde(rename = "properties")]
    Properties,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Envelope, D::Error> {
        d.deserialize_map(EnvelopeVisitor)
    }
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an Azure Monitor record object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let mut env = Envelope {
            category: None,
            tenant_id: None,
            result_type: None,
            properties: None,
        };
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Category => env.category = map.next_value()?,
                Key::ResultType => env.result_type = map.next_value()?,
                Key::TenantId => env.tenant_id = map.next_value()?,
                Key::Properties => {
                    let props = match env.category.as_deref().map(target) {
                        Some(Some(Target::SignIn(t))) => Typed::SignIn(map.next_value()?, t),
                        Some(Some(Target::Audit)) => Typed::Audit(map.next_value()?),
                        Some(None) => {
                            map.next_value::<IgnoredAny>()?;
                            Typed::Skipped
                        }
                        None => {
                            env.properties = Some(Properties::Deferred(map.next_value()?));
                            continue;
                        }
                    };
                    env.properties = Some(Properties::Typed(props));
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

enum Decoded {
    /// A record, and whether an object in it repeated a key.
    Record(Record, bool),
    Skip(String),
}

/// Why a record was not decoded: it is not JSON, or it is JSON but not a usable record.
enum Failure {
    NotJson(String),
    Record(String),
}

fn decode(raw: &[u8]) -> Result<Decoded, Failure> {
    let parsed = from_slice::<Envelope>(raw).map_err(|e| {
        if e.malformed {
            Failure::NotJson(e.reason)
        } else {
            Failure::Record(e.reason)
        }
    })?;
    let env = parsed.value;
    let category = env
        .category
        .ok_or_else(|| Failure::Record("no category in the record envelope".to_string()))?;
    let typed = match env.properties {
        Some(Properties::Typed(t)) => t,
        Some(Properties::Deferred(v)) => Typed::from_value(target(&category), v)
            .map_err(|e| Failure::Record(format!("unreadable value in properties: {e}")))?,
        None if target(&category).is_none() => Typed::Skipped,
        None => {
            return Err(Failure::Record(format!(
                "{category} record without a properties object"
            )));
        }
    };
    if matches!(typed, Typed::Skipped) {
        return Ok(Decoded::Skip(category));
    }
    let tenant_id = match env.tenant_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => {
            Some(normalise(t).map_err(|e| Failure::Record(format!("envelope tenantId: {e}")))?)
        }
    };
    let record = match typed {
        Typed::SignIn(g, event_type) => {
            let code = env.result_type.as_ref().and_then(result_code);
            let mut s = g
                .into_canonical(Some(event_type), code)
                .map_err(Failure::Record)?;
            s.tenant_id = tenant_id;
            Record::SignIn(Box::new(s))
        }
        Typed::Audit(g) => {
            let mut a = g.into_canonical().map_err(Failure::Record)?;
            a.tenant_id = tenant_id;
            Record::Audit(Box::new(a))
        }
        Typed::Skipped => return Ok(Decoded::Skip(category)),
    };
    Ok(Decoded::Record(record, parsed.repeated_keys))
}

/// The envelope's `resultType` as an error code: `"0"` or `0`; words are not codes.
fn result_code(v: &Value) -> Option<i32> {
    match v {
        Value::String(s) => parse_i32(s).ok().flatten(),
        Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::test_sink::Collect;

    const SIGN_IN: &str = r#"{"time":"2026-11-03T09:00:00Z","category":"NonInteractiveUserSignInLogs","resultType":"50126","Level":"4","durationMs":"0","properties":{"id":"a","createdDateTime":"2026-11-03T08:00:00.1234567+00:00","userType":"Member"}}"#;

    fn run(input: &str) -> Collect {
        Collect::text(input, read).unwrap()
    }

    #[test]
    fn envelope_category_and_result_type_fill_gaps() {
        let sink = run(&format!("{SIGN_IN}\n"));
        let s = sink.sign_ins()[0];
        assert_eq!(s.event_type, EventType::NonInteractiveUser);
        assert_eq!(
            s.error_code,
            Some(50126),
            "resultType used when status is absent"
        );
        assert_eq!(s.user_type.as_deref(), Some("member"));
        assert_eq!(
            s.created_at.to_rfc3339(),
            "2026-11-03T08:00:00.123456+00:00",
            "created_at is properties.createdDateTime, not the envelope time"
        );
    }

    #[test]
    fn the_envelope_names_the_tenant_and_another_than_the_given_one_is_rejected() {
        let line = |tenant: &str, id: &str| {
            format!(
                r#"{{"category":"SignInLogs","tenantId":"{tenant}","properties":{{"id":"{id}","createdDateTime":"2026-11-03T08:00:00Z"}}}}"#
            )
        };
        let input = [
            line(" 0E35EE7A-425D-45A5-9013-218C1EAE8FD4 ", "a"),
            line("other-tenant", "b"),
            line("not/a tenant", "c"),
            line("", "d"),
        ]
        .join("\n");
        let mut sink = Collect {
            tenant: Some("0e35ee7a-425d-45a5-9013-218c1eae8fd4".into()),
            ..Collect::default()
        };
        read(&mut input.as_bytes(), &mut sink).unwrap();
        let tenants: Vec<(&str, Option<&str>)> = sink
            .sign_ins()
            .iter()
            .map(|s| (s.id.as_str(), s.tenant_id.as_deref()))
            .collect();
        assert_eq!(
            tenants,
            [
                ("a", Some("0e35ee7a-425d-45a5-9013-218c1eae8fd4")),
                ("d", None)
            ]
        );
        let reasons: Vec<(u64, &str)> = sink.rejects.iter().map(|r| (r.0, r.2.as_str())).collect();
        assert_eq!(
            reasons,
            [
                (
                    2,
                    "the record belongs to tenant other-tenant, not to the tenant 0e35ee7a-425d-45a5-9013-218c1eae8fd4 given for this input"
                ),
                (
                    3,
                    "envelope tenantId: tenant id \"not/a tenant\" holds '/' (a tenant id is a GUID: letters, digits and -)"
                ),
            ]
        );
    }

    #[test]
    fn categories_are_case_insensitive_and_others_skipped() {
        let audit = r#"{"category":"auditlogs","resultType":"Success","properties":{"id":"x","activityDateTime":"2026-11-03T08:00:00Z"}}"#;
        let other = r#"{"category":"ProvisioningLogs","properties":{"id":"p"}}"#;
        let sink = run(&format!("{audit}\r\n\n{other}\n"));
        assert!(matches!(sink.records[0].1, Record::Audit(_)));
        assert_eq!(sink.skips, [(3, "category ProvisioningLogs".to_string())]);
    }

    #[test]
    fn records_batch_is_numbered_by_element() {
        let sink = run(&format!("{{\"records\": [\n {SIGN_IN},\n {SIGN_IN}\n]}}"));
        let nos: Vec<u64> = sink.records.iter().map(|r| r.0).collect();
        assert_eq!(nos, [1, 2]);
    }

    #[test]
    fn unterminated_last_line_is_partial_only_when_it_does_not_parse() {
        let cut = &SIGN_IN[..SIGN_IN.find("08:00:00.12").unwrap()];
        let sink = run(&format!("{SIGN_IN}\n{cut}"));
        assert_eq!(sink.records.len(), 1);
        assert_eq!(sink.partials, [(2, cut.to_string())]);
        assert!(sink.rejects.is_empty());
        let sink = run(&format!("{SIGN_IN}\n{SIGN_IN}"));
        assert_eq!(sink.records.len(), 2, "a complete last line is a record");
        // A cut line that is not the last one is malformed, not partial.
        let sink = run(&format!("{cut}\n{SIGN_IN}\n"));
        assert_eq!(sink.rejects.len(), 1);
        assert_eq!(sink.rejects[0].0, 1);
        assert!(
            sink.rejects[0]
                .2
                .starts_with("incomplete JSON: EOF while parsing")
        );
    }

    #[test]
    fn unusable_envelopes_are_rejected() {
        let sink = run(concat!(
            r#"{"properties":{"id":"a","createdDateTime":"2026-11-03T08:00:00Z"},"category":"SignInLogs"}"#,
            "\n",
            r#"{"properties":{"id":"a"}}"#,
            "\n",
            r#"{"category":"SignInLogs"}"#,
            "\n",
            r#"{"category":"SignInLogs","properties":{"id":"a","createdDateTime":"2026-11-03T08:00:00Z","status":{"errorCode":"fifty"}}}"#,
            "\n",
        ));
        assert_eq!(
            sink.records.len(),
            1,
            "properties before category still decode"
        );
        let reasons: Vec<&str> = sink.rejects.iter().map(|r| r.2.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "no category in the record envelope",
                "SignInLogs record without a properties object",
                "unreadable value: expected an integer, found \"fifty\" at line 1 column 119",
            ]
        );
    }
}
