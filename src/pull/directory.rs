//! The policy and directory snapshots (`ca-policies`, `named-locations`, `users`,
//! `registrations`, `groups`, `role-assignments`): each a listing paged by
//! `@odata.nextLink`, every page handed to its source through `ingest_bytes` with the
//! pull's start time put first in the body as `@mfaproof.snapshotAt` (docs/schema.md), and
//! committed when the listing is complete.
//!
//! Graph expands at most 20 members per group in `$expand=members`; a group that came
//! with 20 has its members listed in full from `/groups/{id}/members` before the page is
//! ingested, so `member_ids` is never a silently cut list.

use serde_json::{Value, json};

use super::error::{Error, Result};
use super::session::Session;
use super::snapshots::SnapshotOutcome;
use super::streams::{Envelope, SnapshotStream, Stream, query_encode};
use super::throttle::Group;

/// The most members Graph returns for one group in `$expand=members`.
const EXPAND_CAP: usize = 20;

/// The annotation the policy and directory sources read at the head of a body.
const SNAPSHOT_AT: &str = "@mfaproof.snapshotAt";

fn protocol(path: &str, reason: impl Into<String>) -> Error {
    Error::Protocol {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// Pulls one policy or directory listing into the lake.
pub async fn pull(s: &mut Session<'_>, stream: SnapshotStream) -> Result<SnapshotOutcome> {
    let mut url = stream.url(&s.graph.root());
    let mut out = SnapshotOutcome::default();
    for page in 1u64.. {
        s.check_interrupted()?;
        let body = s
            .graph
            .get(&url, Group::Directory, stream.stream.need())
            .await?;
        let envelope = Envelope::of(&body)
            .ok_or_else(|| protocol(stream.path, "not a Graph collection page"))?;
        let body = if stream.format == crate::sources::Format::DirectoryGroups {
            complete_members(s, body).await?
        } else {
            body
        };
        let body = annotate(&body, s.started)
            .ok_or_else(|| protocol(stream.path, "the page is not a JSON object"))?;
        let outcome = s.ingest(&stream.source_name(page), stream.format, &body)?;
        out.rows += outcome.counts.records;
        out.quarantined += outcome.counts.quarantined;
        match envelope.next_link {
            Some(next) => url = next,
            None => break,
        }
    }
    s.writer.commit()?;
    Ok(out)
}

/// The body with `"@mfaproof.snapshotAt": "<at>"` as the first member of its top-level
/// object; `None` when it is not an object with members.
fn annotate(body: &[u8], at: chrono::DateTime<chrono::Utc>) -> Option<Vec<u8>> {
    let open = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if body[open] != b'{' {
        return None;
    }
    let rest = &body[open + 1..];
    if rest.trim_ascii_start().starts_with(b"}") {
        return None;
    }
    let member = format!("{}:{},", json!(SNAPSHOT_AT), json!(at.to_rfc3339()));
    let mut out = Vec::with_capacity(body.len() + member.len());
    out.extend_from_slice(&body[..=open]);
    out.extend_from_slice(member.as_bytes());
    out.extend_from_slice(rest);
    Some(out)
}

/// The groups page with every group that came with [`EXPAND_CAP`] members given all of
/// them; the page unchanged when none did.
async fn complete_members(s: &mut Session<'_>, body: Vec<u8>) -> Result<Vec<u8>> {
    let mut page: Value = serde_json::from_slice(&body)
        .map_err(|e| protocol("/v1.0/groups", format!("not JSON: {e}")))?;
    let Some(groups) = page.get_mut("value").and_then(Value::as_array_mut) else {
        return Ok(body);
    };
    let mut changed = false;
    for group in groups.iter_mut() {
        let capped = group
            .get("members")
            .and_then(Value::as_array)
            .is_some_and(|m| m.len() >= EXPAND_CAP);
        let id = group.get("id").and_then(Value::as_str).map(str::to_owned);
        if let (true, Some(id)) = (capped, id) {
            group["members"] = Value::Array(members(s, &id).await?);
            changed = true;
        }
    }
    if !changed {
        return Ok(body);
    }
    Ok(serde_json::to_vec(&page).expect("JSON values serialise"))
}

/// Every direct member of group `id` (`{"id": …}` objects), paged.
async fn members(s: &mut Session<'_>, id: &str) -> Result<Vec<Value>> {
    let path = format!("/v1.0/groups/{}/members", query_encode(id));
    let mut url = format!("{}{path}?$select=id&$top=999", s.graph.root());
    let mut all = Vec::new();
    loop {
        s.check_interrupted()?;
        let body = s
            .graph
            .get(&url, Group::Directory, Stream::Groups.need())
            .await?;
        let page: Value =
            serde_json::from_slice(&body).map_err(|e| protocol(&path, format!("not JSON: {e}")))?;
        let items = page
            .get("value")
            .and_then(Value::as_array)
            .ok_or_else(|| protocol(&path, "not a Graph collection page"))?;
        all.extend(items.iter().map(|m| json!({"id": m.get("id")})));
        match page.get("@odata.nextLink").and_then(Value::as_str) {
            Some(next) => url = next.to_string(),
            None => return Ok(all),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_time_goes_first_in_the_body() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-03T08:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let body = annotate(b" {\"value\":[]}", at).unwrap();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            " {\"@mfaproof.snapshotAt\":\"2026-11-03T08:00:00+00:00\",\"value\":[]}"
        );
        assert_eq!(annotate(b"{ }", at), None);
        assert_eq!(annotate(b"[]", at), None);
    }
}
