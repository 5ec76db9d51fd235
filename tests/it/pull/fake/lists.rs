//! The fake's listings of the policy and directory streams (and the users the MFA-state
//! stream lists): pages by `$skiptoken`, next links that keep the query, and groups
//! expanded as Graph expands them.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use mfaproof::pull::streams::query_encode;
use serde_json::{Value, json};
use wiremock::ResponseTemplate;

use super::{Out, State, graph_error, out};

impl State {
    /// The users, each with the fields `$select` names (every user a member, enabled but
    /// the third, created one day apart).
    pub(super) fn users_page(&self, q: &BTreeMap<String, String>) -> Out {
        let fields: Vec<String> = q
            .get("$select")
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        let users: Vec<Value> = self
            .users
            .iter()
            .enumerate()
            .map(|(i, (id, upn, _))| {
                let full = json!({"id": id, "userPrincipalName": upn, "displayName": format!("User {i}"),
                    "userType": "Member", "accountEnabled": i % 3 != 2,
                    "createdDateTime": format!("2025-01-{:02}T00:00:00Z", i + 1),
                    "onPremisesSyncEnabled": null, "mail": upn});
                Value::Object(
                    full.as_object()
                        .unwrap()
                        .iter()
                        .filter(|(k, _)| fields.iter().any(|f| f == *k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            })
            .collect();
        self.list("/v1.0/users", q, &users, "users")
    }

    /// One page of `items` by `$skiptoken`, with the next link keeping the query.
    pub(super) fn list(
        &self,
        path: &str,
        q: &BTreeMap<String, String>,
        items: &[Value],
        context: &str,
    ) -> Out {
        let (page, next) = self.paged(q, items);
        let mut body = json!({
            "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#{context}"),
            "value": page
        });
        if let Some(next) = next {
            let mut query: Vec<String> = q
                .iter()
                .filter(|(k, _)| k.as_str() != "$skiptoken")
                .map(|(k, v)| format!("{k}={}", query_encode(v)))
                .collect();
            query.push(format!("$skiptoken={next}"));
            body["@odata.nextLink"] = json!(format!("{}{path}?{}", self.base, query.join("&")));
        }
        out(200, ResponseTemplate::new(200).set_body_json(body))
    }

    /// The page of `items` the request's `$skiptoken` asks for, and the skip token of the
    /// next page when there is one.
    pub(super) fn paged<V: Borrow<Value>>(
        &self,
        q: &BTreeMap<String, String>,
        items: &[V],
    ) -> (Vec<Value>, Option<usize>) {
        let skip: usize = q
            .get("$skiptoken")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let page = items
            .iter()
            .skip(skip)
            .take(self.page_size)
            .map(|v| v.borrow().clone())
            .collect();
        let next = skip + self.page_size;
        (page, (next < items.len()).then_some(next))
    }

    /// Groups; with `$expand=members…` each carries at most its first 20 members, as
    /// Graph's `$expand` does; without it, none.
    pub(super) fn groups_page(&self, path: &str, q: &BTreeMap<String, String>) -> Out {
        let expand = q.get("$expand").is_some_and(|e| e.starts_with("members"));
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|g| {
                let mut g = g.clone();
                let members: Vec<Value> = g["members"].as_array().cloned().unwrap_or_default();
                let o = g.as_object_mut().unwrap();
                o.remove("members");
                if expand {
                    let cut: Vec<Value> = members.into_iter().take(20).collect();
                    o.insert("members".into(), Value::Array(cut));
                }
                g
            })
            .collect();
        self.list(path, q, &groups, "groups(id,displayName,members(id))")
    }

    /// `/v1.0/groups/{id}/members`: every member, paged.
    pub(super) fn members_page(&self, path: &str, q: &BTreeMap<String, String>) -> Out {
        let id = path
            .trim_start_matches("/v1.0/groups/")
            .trim_end_matches("/members");
        let Some(group) = self.groups.iter().find(|g| g["id"] == id) else {
            return out(
                404,
                graph_error(404, "Request_ResourceNotFound", "no such group"),
            );
        };
        let members: Vec<Value> = group["members"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|m| json!({"@odata.type": "#microsoft.graph.user", "id": m["id"]}))
            .collect();
        self.list(path, q, &members, "directoryObjects(id)")
    }
}
