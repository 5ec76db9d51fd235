//! A fake Microsoft Graph and token endpoint on 127.0.0.1 (wiremock with one stateful
//! responder): client-credentials tokens that expire, sign-ins filtered by time and event
//! type and paged newest first by `$skiptoken`, directory audits, users, `$batch`, the
//! security-defaults policy, the conditional access policies and named locations,
//! registration details, groups (members expanded up to 20, as Graph does, and listed in
//! full per group), role assignments, and scripted faults (status codes, delays, 401,
//! malformed pages). Other tenants can be served beside the main one, each with its own
//! credentials, tokens and data. Every request is logged for the tests' assertions.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use mfaproof::pull::streams::query_encode;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod lists;

pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";
pub const CLIENT: &str = "app-client-id";
pub const SECRET: &str = "s3cr3t-VALUE+9f8e/7d";

/// Which app registration of which tenant a token request must come from.
#[derive(Debug, Clone, Copy)]
pub struct Who {
    pub tenant: &'static str,
    pub client: &'static str,
    pub secret: &'static str,
}

const MAIN: Who = Who {
    tenant: TENANT,
    client: CLIENT,
    secret: SECRET,
};

/// A tenant served beside the main one: its tokens open its data only.
pub struct Other {
    pub who: Who,
    pub state: State,
}

/// What a scripted fault does to the request it hits.
#[derive(Debug, Clone)]
pub enum Kind {
    Status(u16, Option<&'static str>),
    /// 401 as for an expired token (the client must renew and retry).
    Unauthorized,
    Delay(Duration),
    /// A page whose second record has an unreadable timestamp.
    Malformed,
}

/// A fault for requests whose path and query contain `needle`: the first `skip` pass.
#[derive(Debug, Clone)]
pub struct Rule {
    pub needle: String,
    pub skip: u32,
    pub times: u32,
    pub kind: Kind,
}

pub fn rule(needle: &str, skip: u32, times: u32, kind: Kind) -> Rule {
    Rule {
        needle: needle.to_string(),
        skip,
        times,
        kind,
    }
}

/// One request the fake saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub method: String,
    /// Path and decoded query (`?$filter=…`).
    pub target: String,
    pub status: u16,
}

#[derive(Default)]
pub struct State {
    pub sign_ins: Vec<Value>,
    pub audits: Vec<Value>,
    /// (id, upn, per-user MFA state).
    pub users: Vec<(String, String, String)>,
    pub security_defaults: bool,
    pub ca_policies: Vec<Value>,
    pub named_locations: Vec<Value>,
    pub registrations: Vec<Value>,
    /// Groups with their full `members` lists.
    pub groups: Vec<Value>,
    pub role_assignments: Vec<Value>,
    pub page_size: usize,
    pub expires_in: u64,
    pub rules: Vec<Rule>,
    pub forbidden: Vec<String>,
    pub seen: Vec<Seen>,
    /// Token → when it expires.
    pub tokens: BTreeMap<String, Instant>,
    pub expired_uses: u32,
    /// Token requests still to answer with 503 (the endpoint is briefly unavailable).
    pub token_unavailable: u32,
    /// Batched requests still to answer with 429 (`Retry-After: 1`).
    pub batch_throttled: u32,
    /// A service limit played across every tenant, as Graph keeps one per app: a request
    /// whose target contains the needle, arriving sooner than the span after the previous
    /// one, is answered 429 (`Retry-After: 1`).
    pub spacing: Option<(&'static str, Duration)>,
    pub base: String,
    /// Other tenants served by the same fake.
    pub others: Vec<Other>,
}

#[derive(Clone)]
pub struct Fake {
    pub state: Arc<Mutex<State>>,
    /// Notified at every request logged in `seen`.
    pub arrived: Arc<Condvar>,
}

pub struct Server {
    pub server: MockServer,
    pub fake: Fake,
    /// Keeps the server's runtime (and its mocks) alive.
    pub _runtime: tokio::runtime::Runtime,
}

impl Server {
    pub fn start(state: State) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        let mut state = State {
            base: server.uri(),
            ..state
        };
        for o in &mut state.others {
            o.state.base = server.uri();
        }
        let fake = Fake {
            state: Arc::new(Mutex::new(state)),
            arrived: Arc::new(Condvar::new()),
        };
        runtime.block_on(Mock::given(any()).respond_with(fake.clone()).mount(&server));
        Server {
            server,
            fake,
            _runtime: runtime,
        }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.fake.state.lock().unwrap())
    }

    /// Requests seen whose target contains `needle`.
    pub fn seen(&self, needle: &str) -> Vec<Seen> {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|r| r.target.contains(needle))
                .cloned()
                .collect()
        })
    }

    /// Blocks until a request whose target contains `needle` has arrived (its response may
    /// still be delayed). A minute without one fails the test rather than hanging it.
    pub fn wait_for(&self, needle: &str) {
        let state = self.fake.state.lock().unwrap();
        let (_state, wait) = self
            .fake
            .arrived
            .wait_timeout_while(state, Duration::from_secs(60), |s| {
                !s.seen.iter().any(|r| r.target.contains(needle))
            })
            .unwrap();
        assert!(!wait.timed_out(), "no request for {needle} within a minute");
    }

    /// The response statuses of the requests whose target contains `needle`, in order.
    pub fn statuses(&self, needle: &str) -> Vec<u16> {
        self.seen(needle).iter().map(|s| s.status).collect()
    }
}

fn query(req: &Request) -> BTreeMap<String, String> {
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn graph_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": {"code": code, "message": message}}))
}

impl Respond for Fake {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.state.lock().unwrap();
        let q = query(req);
        let mut target = req.url.path().to_string();
        if !q.is_empty() {
            let parts: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
            target = format!("{target}?{}", parts.join("&"));
        }
        let now = Instant::now();
        let response = if s.too_soon(&target, now) {
            let throttled = graph_error(429, "TooManyRequests", "too many requests");
            out(429, throttled.insert_header("Retry-After", "1"))
        } else {
            s.route(req, &target, &q, MAIN)
        };
        let status = response_status(&response);
        s.seen.push(Seen {
            at: now,
            method: req.method.to_string(),
            target,
            status,
        });
        self.arrived.notify_all();
        response.0
    }
}

/// A response and its status (ResponseTemplate does not expose it).
struct Out(ResponseTemplate, u16);

fn response_status(o: &Out) -> u16 {
    o.1
}

fn out(status: u16, t: ResponseTemplate) -> Out {
    Out(t, status)
}

impl State {
    /// Whether a request for `target` at `now` breaks the `spacing` limit.
    fn too_soon(&self, target: &str, now: Instant) -> bool {
        let Some((needle, span)) = self.spacing else {
            return false;
        };
        target.contains(needle)
            && self
                .seen
                .iter()
                .rev()
                .find(|s| s.target.contains(needle))
                .is_some_and(|last| now.duration_since(last.at) < span)
    }

    fn route(
        &mut self,
        req: &Request,
        target: &str,
        q: &BTreeMap<String, String>,
        who: Who,
    ) -> Out {
        let path = req.url.path().to_string();
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let token = auth.strip_prefix("Bearer ").unwrap_or("");
        // Another tenant's token request, or a request with its token: its data answers.
        for o in &mut self.others {
            if path == format!("/{}/oauth2/v2.0/token", o.who.tenant)
                || o.state.tokens.contains_key(token)
            {
                return o.state.route(req, target, q, o.who);
            }
        }
        if path.ends_with("/oauth2/v2.0/token") {
            return self.token(req, who);
        }
        // Every Graph request must carry a live token and the Prefer header.
        match self.tokens.get(token) {
            None => {
                return out(
                    401,
                    graph_error(401, "InvalidAuthenticationToken", "no token"),
                );
            }
            Some(exp) if Instant::now() >= *exp => {
                self.expired_uses += 1;
                return out(
                    401,
                    graph_error(
                        401,
                        "InvalidAuthenticationToken",
                        "Lifetime validation failed, the token is expired.",
                    ),
                );
            }
            _ => {}
        }
        let prefer = req.headers.get("prefer").and_then(|v| v.to_str().ok());
        if prefer != Some("include-unknown-enum-members") {
            return out(
                400,
                graph_error(
                    400,
                    "BadRequest",
                    "the test fake wants Prefer: include-unknown-enum-members",
                ),
            );
        }
        if self.forbidden.iter().any(|f| target.contains(f.as_str())) {
            return out(
                403,
                graph_error(
                    403,
                    "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.",
                ),
            );
        }
        let mut delay = None;
        let mut malformed = false;
        for r in self.rules.iter_mut() {
            if !target.contains(&r.needle) || r.times == 0 {
                continue;
            }
            if r.skip > 0 {
                r.skip -= 1;
                continue;
            }
            r.times -= 1;
            match r.kind.clone() {
                Kind::Status(code, retry_after) => {
                    let mut t = graph_error(code, "Throttled", "fault injected by the test");
                    if let Some(ra) = retry_after {
                        t = t.insert_header("Retry-After", ra);
                    }
                    return out(code, t);
                }
                Kind::Unauthorized => {
                    self.tokens.remove(token);
                    return out(
                        401,
                        graph_error(401, "InvalidAuthenticationToken", "revoked by the test"),
                    );
                }
                Kind::Delay(d) => delay = Some(d),
                Kind::Malformed => malformed = true,
            }
            break;
        }
        let mut o = match path.as_str() {
            "/beta/auditLogs/signIns" => self.page(&path, q, true, malformed),
            "/v1.0/auditLogs/directoryAudits" => self.page(&path, q, false, malformed),
            "/v1.0/users" => self.users_page(q),
            "/v1.0/identity/conditionalAccess/policies" => {
                self.list(&path, q, &self.ca_policies, "identity/conditionalAccess/policies")
            }
            "/v1.0/identity/conditionalAccess/namedLocations" => self.list(
                &path,
                q,
                &self.named_locations,
                "identity/conditionalAccess/namedLocations",
            ),
            "/v1.0/reports/authenticationMethods/userRegistrationDetails" => self.list(
                &path,
                q,
                &self.registrations,
                "reports/authenticationMethods/userRegistrationDetails",
            ),
            "/v1.0/groups" => self.groups_page(&path, q),
            "/v1.0/roleManagement/directory/roleAssignments" => self.list(
                &path,
                q,
                &self.role_assignments,
                "roleManagement/directory/roleAssignments",
            ),
            p if p.starts_with("/v1.0/groups/") && p.ends_with("/members") => {
                self.members_page(&path, q)
            }
            "/beta/$batch" => self.batch(req),
            "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy" => out(
                200,
                ResponseTemplate::new(200).set_body_json(json!({
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
                    "id": "00000000-0000-0000-0000-000000000005",
                    "displayName": "Security Defaults",
                    "description": "Security defaults is a set of basic identity security mechanisms.",
                    "isEnabled": self.security_defaults
                })),
            ),
            _ => out(404, graph_error(404, "NotFound", "the fake has no such resource")),
        };
        if let Some(d) = delay {
            o.0 = o.0.set_delay(d);
        }
        o
    }

    fn token(&mut self, req: &Request, who: Who) -> Out {
        if self.token_unavailable > 0 {
            self.token_unavailable -= 1;
            return out(
                503,
                ResponseTemplate::new(503).set_body_json(json!({
                    "error": "temporarily_unavailable", "error_description": "AADSTS90033: busy"
                })),
            );
        }
        let form: BTreeMap<String, String> = url_form(&req.body);
        let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
            && form.get("client_id").map(String::as_str) == Some(who.client)
            && form.get("client_secret").map(String::as_str) == Some(who.secret)
            && form
                .get("scope")
                .is_some_and(|s| s.starts_with("http://127.0.0.1:") && s.ends_with("/.default"))
            && req.url.path() == format!("/{}/oauth2/v2.0/token", who.tenant);
        if !ok {
            return out(401, ResponseTemplate::new(401).set_body_json(json!({
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x"
            })));
        }
        // Tokens differ between tenants: one opens its own tenant's data only.
        let token = match who.tenant {
            TENANT => format!("token-{}", self.tokens.len() + 1),
            other => format!("{other}-token-{}", self.tokens.len() + 1),
        };
        self.tokens.insert(
            token.clone(),
            Instant::now() + Duration::from_secs(self.expires_in),
        );
        out(200, ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "Bearer", "expires_in": self.expires_in, "ext_expires_in": self.expires_in,
            "access_token": token
        })))
    }

    fn page(
        &self,
        path: &str,
        q: &BTreeMap<String, String>,
        sign_ins: bool,
        malformed: bool,
    ) -> Out {
        let filter = q.get("$filter").cloned().unwrap_or_default();
        let (field, items) = if sign_ins {
            ("createdDateTime", &self.sign_ins)
        } else {
            ("activityDateTime", &self.audits)
        };
        let (ge, le, event) = parse_filter(&filter, field);
        let mut hits: Vec<&Value> = items
            .iter()
            .filter(|v| {
                let t = v[field].as_str().unwrap();
                ge.as_deref().is_none_or(|g| t >= g)
                    && le.as_deref().is_none_or(|l| t <= l)
                    && event.as_deref().is_none_or(|e| {
                        v["signInEventTypes"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|x| x == e)
                    })
            })
            .collect();
        hits.sort_by(|a, b| {
            b[field]
                .as_str()
                .cmp(&a[field].as_str())
                .then(b["id"].as_str().cmp(&a["id"].as_str()))
        });
        let (page, next) = self.paged(q, &hits);
        let mut body = json!({"@odata.context": format!("https://graph.microsoft.com{path}/$metadata"), "value": page});
        if malformed && body["value"].as_array().is_some_and(|v| v.len() > 1) {
            body["value"][1][field] = json!("yesterday");
        }
        if let Some(next) = next {
            let top = q.get("$top").cloned().unwrap_or_default();
            body["@odata.nextLink"] = json!(format!(
                "{}{path}?$filter={}&$top={top}&$skiptoken={next}",
                self.base,
                query_encode(&filter),
            ));
        }
        out(200, ResponseTemplate::new(200).set_body_json(body))
    }

    fn batch(&mut self, req: &Request) -> Out {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let requests = body["requests"].as_array().cloned().unwrap_or_default();
        if requests.is_empty() || requests.len() > 20 {
            return out(
                400,
                graph_error(400, "BadRequest", "a batch holds 1 to 20 requests"),
            );
        }
        let mut throttled = std::mem::take(&mut self.batch_throttled);
        let responses: Vec<Value> = requests.iter().map(|r| {
            if throttled > 0 {
                throttled -= 1;
                return json!({"id": r["id"], "status": 429, "headers": {"Retry-After": "1"},
                    "body": {"error": {"code": "TooManyRequests", "message": "throttled"}}});
            }
            let url = r["url"].as_str().unwrap_or("");
            let id = url.strip_prefix("/users/").and_then(|u| u.strip_suffix("/authentication/requirements"));
            let forbidden = self.forbidden.iter().any(|f| url.contains(f.as_str()));
            if r["headers"]["Prefer"] != "include-unknown-enum-members" {
                return json!({"id": r["id"], "status": 400, "body": {"error": {"code": "BadRequest", "message": "the test fake wants Prefer on every batched request"}}});
            }
            match self.users.iter().find(|(uid, _, _)| Some(uid.as_str()) == id) {
                _ if forbidden => json!({"id": r["id"], "status": 403, "body": {"error": {"code": "accessDenied", "message": "Request Authorization failed"}}}),
                Some((_, _, state)) => json!({"id": r["id"], "status": 200, "headers": {"Content-Type": "application/json"}, "body": {"perUserMfaState": state}}),
                None => json!({"id": r["id"], "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}}),
            }
        }).collect();
        out(
            200,
            ResponseTemplate::new(200).set_body_json(json!({"responses": responses})),
        )
    }
}

/// `createdDateTime ge A and createdDateTime le B and signInEventTypes/any(t: t eq 'X')`.
fn parse_filter(filter: &str, field: &str) -> (Option<String>, Option<String>, Option<String>) {
    let (mut ge, mut le, mut event) = (None, None, None);
    for part in filter.split(" and ") {
        let p = part.trim();
        if let Some(v) = p.strip_prefix(&format!("{field} ge ")) {
            ge = Some(v.to_string());
        } else if let Some(v) = p.strip_prefix(&format!("{field} le ")) {
            le = Some(v.to_string());
        } else if let Some(v) = p.strip_prefix("signInEventTypes/any(t: t eq '") {
            event = Some(v.trim_end_matches("')").to_string());
        }
    }
    (ge, le, event)
}

fn url_form(body: &[u8]) -> BTreeMap<String, String> {
    url_decode_pairs(&String::from_utf8_lossy(body))
}

fn url_decode_pairs(s: &str) -> BTreeMap<String, String> {
    let decode = |v: &str| {
        let bytes = v.replace('+', " ").into_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let h = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(h, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    s.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}
