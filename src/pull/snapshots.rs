//! State snapshots, observed at the pull's start (`as_of`): every user's per-user MFA
//! state (users listed from v1.0, each user's `authentication/requirements` read from
//! beta in `$batch`es of 20 — the endpoint exists only in beta, so the batch goes to
//! `/beta/$batch`) and the security-defaults policy. They are written in the snapshot
//! JSON that `sources::snapshot` reads and go through it, like a snapshot file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::Need;
use super::error::{Error, Result};
use super::session::Session;
use super::streams::{Envelope, Stream};
use super::throttle::Group;
use crate::sources::Format;

/// Requests per `$batch` (Graph's maximum).
const BATCH: usize = 20;

/// What a snapshot stream did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SnapshotOutcome {
    pub rows: u64,
    /// Users listed but gone before their state was read (404 in the batch).
    pub users_gone: u64,
    pub quarantined: u64,
}

#[derive(Deserialize)]
struct UsersPage {
    #[serde(default)]
    value: Vec<User>,
}

#[derive(Deserialize, Clone)]
struct User {
    id: String,
    #[serde(rename = "userPrincipalName")]
    upn: Option<String>,
}

#[derive(Deserialize)]
struct BatchResponse {
    #[serde(default)]
    responses: Vec<BatchItem>,
}

#[derive(Deserialize)]
struct BatchItem {
    id: String,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Value,
}

fn protocol(path: &str, reason: impl Into<String>) -> Error {
    Error::Protocol {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// Pulls every user's per-user MFA state.
pub async fn mfa_state(s: &mut Session<'_>) -> Result<SnapshotOutcome> {
    let as_of = s.started.to_rfc3339();
    let mut url = format!(
        "{}/v1.0/users?$select=id,userPrincipalName&$top=999",
        s.graph.root()
    );
    let mut out = SnapshotOutcome::default();
    for page in 1u64.. {
        s.check_interrupted()?;
        let body = s
            .graph
            .get(&url, Group::Directory, Stream::Users.need())
            .await?;
        let users: UsersPage = serde_json::from_slice(&body)
            .map_err(|e| protocol("/v1.0/users", format!("not a users page: {e}")))?;
        let mut rows = Vec::with_capacity(users.value.len());
        for chunk in users.value.chunks(BATCH) {
            let states = requirements(s, chunk).await?;
            for u in chunk {
                match states.get(&u.id) {
                    Some(state) => rows.push(json!({
                        "userId": u.id,
                        "userPrincipalName": u.upn,
                        "perUserMfaState": state,
                        "asOf": as_of,
                    })),
                    None => out.users_gone += 1,
                }
            }
        }
        let name =
            format!("graph:/beta/users/{{id}}/authentication/requirements#users-page={page}");
        let json = serde_json::to_vec(&Value::Array(rows)).expect("JSON values serialise");
        // A state the snapshot source does not know is quarantined (and the stream
        // reported partial); the other users' states are still evidence.
        let outcome = s.ingest(&name, Format::MfaStateJson, &json)?;
        out.rows += outcome.counts.records;
        out.quarantined += outcome.counts.quarantined;
        match Envelope::of(&body).and_then(|e| e.next_link) {
            Some(next) => url = next,
            None => break,
        }
    }
    s.writer.commit()?;
    Ok(out)
}

/// The per-user MFA state of `users` (by id), through `$batch`; items throttled inside the
/// batch are sent again after their `Retry-After`.
async fn requirements(s: &mut Session<'_>, users: &[User]) -> Result<BTreeMap<String, String>> {
    let path = "/beta/users/{id}/authentication/requirements";
    let mut todo: Vec<(usize, &User)> = users.iter().enumerate().collect();
    let mut states = BTreeMap::new();
    for round in 0.. {
        if todo.is_empty() {
            break;
        }
        if round > 6 {
            return Err(protocol(
                path,
                "items of a $batch stayed throttled after 6 retries",
            ));
        }
        let requests: Vec<Value> = todo
            .iter()
            .map(|(i, u)| {
                // Headers of the batch do not reach its requests: each carries its own.
                json!({"id": i.to_string(), "method": "GET",
                       "url": format!("/users/{}/authentication/requirements", u.id),
                       "headers": {"Prefer": "include-unknown-enum-members"}})
            })
            .collect();
        let body = s
            .graph
            .post_json(
                "/beta/$batch",
                &json!({ "requests": requests }),
                Group::Directory,
                Stream::MfaState.need(),
            )
            .await?;
        let batch: BatchResponse = serde_json::from_slice(&body)
            .map_err(|e| protocol("/beta/$batch", format!("not a batch response: {e}")))?;
        let mut again = Vec::new();
        let mut wait = std::time::Duration::ZERO;
        for item in batch.responses {
            let Some(&(i, user)) = todo.iter().find(|(i, _)| i.to_string() == item.id) else {
                continue;
            };
            match item.status {
                200 => {
                    let state = item.body.get("perUserMfaState").and_then(Value::as_str);
                    // A missing state is passed on as empty: the snapshot source rejects
                    // (quarantines) it with its reason.
                    states.insert(user.id.clone(), state.unwrap_or_default().to_string());
                }
                404 => {}
                429 | 503 | 504 => {
                    let after = item
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                        .and_then(|(_, v)| super::retry::parse_retry_after(v, chrono::Utc::now()))
                        .unwrap_or(std::time::Duration::from_secs(2));
                    wait = wait.max(after);
                    again.push((i, user));
                }
                status => return Err(item_error(status, &item.body, Stream::MfaState.need())),
            }
        }
        todo = again;
        if !todo.is_empty() {
            s.say(
                crate::ingest::Level::Warning,
                format!(
                    "{path}: {} batched requests throttled; retrying in {:.1} s",
                    todo.len(),
                    wait.as_secs_f64()
                ),
            );
            tokio::time::sleep(wait).await;
        }
    }
    Ok(states)
}

fn item_error(status: u16, body: &Value, need: Need) -> Error {
    let graph = format!(
        "{}: {}",
        body.pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or(""),
        body.pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("")
    );
    let path = "/beta/users/{id}/authentication/requirements".to_string();
    match status {
        401 | 403 => Error::Permission {
            status,
            path,
            hint: format!(
                "the app likely lacks the application permission {} (granted with admin consent)",
                need.permission
            ),
            graph,
        },
        _ => Error::Http {
            status,
            path,
            after: String::new(),
            graph,
            retry_after: None,
        },
    }
}

/// Pulls the security-defaults policy (`isEnabled`).
pub async fn security_defaults(s: &mut Session<'_>) -> Result<SnapshotOutcome> {
    let path = "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy";
    let url = format!("{}{path}", s.graph.root());
    let body = s
        .graph
        .get(&url, Group::Directory, Stream::SecurityDefaults.need())
        .await?;
    let mut policy: serde_json::Map<String, Value> = serde_json::from_slice(&body)
        .map_err(|e| protocol(path, format!("not a policy object: {e}")))?;
    policy.remove("@odata.context");
    policy.insert("asOf".into(), Value::String(s.started.to_rfc3339()));
    let json = serde_json::to_vec(&policy).expect("JSON values serialise");
    let name = format!("graph:{path}");
    let outcome = s.ingest(&name, Format::SecurityDefaults, &json)?;
    s.writer.commit()?;
    Ok(SnapshotOutcome {
        rows: outcome.counts.records,
        users_gone: 0,
        quarantined: outcome.counts.quarantined,
    })
}
