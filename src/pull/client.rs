//! The Graph HTTP client: one reqwest client (rustls, HTTP/2, gzip; connect and read
//! timeouts; no redirects, so a bearer token never follows one), the bearer token, the
//! client-side rate limits and the retry loop around every request. Every request carries
//! `Prefer: include-unknown-enum-members`, or Graph collapses newer enum members (the
//! report-only Conditional Access results among them) into `unknownFutureValue`.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::auth::TokenSource;
use super::error::{Error, Result, RetryAfter};
use super::retry::{Backoff, parse_retry_after};
use super::throttle::{Group, Throttle};

/// Largest response body accepted (a 1,000-sign-in page is a few MiB).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// Request timeouts: establishing the connection, and silence while reading.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// What a request needs to be explained when Graph refuses it.
#[derive(Debug, Clone, Copy)]
pub struct Need {
    /// The application permission(s) likely missing on a 403.
    pub permission: &'static str,
}

/// The Graph client of one pull.
pub struct Graph {
    http: reqwest::Client,
    base: Url,
    tokens: TokenSource,
    /// Shared by every tenant of a pull: one polite budget.
    throttle: Arc<Throttle>,
    backoff: Backoff,
    /// Response bytes received (the progress bar's byte count).
    pub received: Arc<AtomicU64>,
    notices: Mutex<Vec<String>>,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

impl Graph {
    /// A client for the Graph root `graph_url` (e.g. `https://graph.microsoft.com`).
    pub fn new(
        graph_url: &str,
        tokens: TokenSource,
        throttle: Arc<Throttle>,
        backoff: Backoff,
    ) -> Result<Graph> {
        let base = Url::parse(graph_url.trim_end_matches('/'))
            .map_err(|e| Error::Usage(format!("--graph-url {graph_url:?}: {e}")))?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("mfaproof/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Graph {
            http,
            base,
            tokens,
            throttle,
            backoff,
            received: Arc::new(AtomicU64::new(0)),
            notices: Mutex::new(Vec::new()),
        })
    }

    /// The Graph root, without a trailing slash.
    pub fn root(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    /// Retries and other remarks since the last call, for the user.
    pub fn drain_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Checks that a link Graph returned (`@odata.nextLink`) points at the Graph root: the
    /// bearer token is never sent anywhere else.
    pub fn check_link(&self, link: &str) -> Result<Url> {
        let url = Url::parse(link).map_err(|e| Error::Protocol {
            path: self.base.path().to_string(),
            reason: format!("@odata.nextLink is not a URL: {e}"),
        })?;
        let same = url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default();
        if !same {
            return Err(Error::Protocol {
                path: url.path().to_string(),
                reason: format!(
                    "@odata.nextLink leaves {} ({}); refusing to send the token there",
                    self.root(),
                    url.host_str().unwrap_or("no host")
                ),
            });
        }
        Ok(url)
    }

    /// GETs `url` (absolute, on the Graph root) and returns the body.
    pub async fn get(&self, url: &str, group: Group, need: Need) -> Result<Vec<u8>> {
        let url = self.check_link(url)?;
        self.send(Method::GET, url, None, group, need).await
    }

    /// POSTs a JSON body to `path` under the Graph root and returns the response body.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        group: Group,
        need: Need,
    ) -> Result<Vec<u8>> {
        let url = self.check_link(&format!("{}{path}", self.root()))?;
        let bytes = serde_json::to_vec(body).expect("JSON values serialise");
        self.send(Method::POST, url, Some(bytes), group, need).await
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        group: Group,
        need: Need,
    ) -> Result<Vec<u8>> {
        self.backoff
            .run(
                || self.attempt(&method, &url, body.as_deref(), group, need),
                |e, d| {
                    let text = format!("{e}; retrying in {:.1} s", d.as_secs_f64());
                    self.notices
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(text);
                },
            )
            .await
    }

    /// One attempt: throttle, token, request; a 401 renews the token and tries once more.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        group: Group,
        need: Need,
    ) -> Result<Vec<u8>> {
        let mut renewed = false;
        loop {
            self.throttle.acquire(group).await;
            let (token, generation) = self.tokens.token(&self.http).await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose_secret())
                .header("Prefer", "include-unknown-enum-members")
                .header("Accept", "application/json");
            if let Some(b) = body {
                request = request
                    .header("Content-Type", "application/json")
                    .body(b.to_vec());
            }
            let mut response = request.send().await.map_err(|e| transport(e, url))?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !renewed {
                // Expired or revoked early: one fresh token, then the 401 stands.
                self.tokens.invalidate(generation);
                renewed = true;
                continue;
            }
            let retry_after = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| transport(e, url))? {
                self.received
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                if bytes.len() + chunk.len() > MAX_BODY {
                    return Err(Error::Protocol {
                        path: url.path().to_string(),
                        reason: format!("response larger than {MAX_BODY} bytes"),
                    });
                }
                bytes.extend_from_slice(&chunk);
            }
            if status.is_success() {
                return Ok(bytes);
            }
            let graph = graph_error(&bytes);
            let path = url.path().to_string();
            return Err(match status.as_u16() {
                401 => Error::Permission {
                    status: 401,
                    path,
                    hint: "Graph rejected a freshly issued token: check that the app registration lives in this tenant (--tenant-id) and that admin consent was granted".into(),
                    graph,
                },
                403 => Error::Permission {
                    status: 403,
                    path,
                    hint: format!(
                        "the app likely lacks the application permission {} (granted with admin consent)",
                        need.permission
                    ),
                    graph,
                },
                s => Error::Http {
                    status: s,
                    path,
                    after: String::new(),
                    graph,
                    retry_after: retry_after.map(RetryAfter),
                },
            });
        }
    }
}

fn transport(e: reqwest::Error, url: &Url) -> Error {
    let timeout = e.is_timeout();
    let e = e.without_url();
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        reason.push_str(&format!(": {s}"));
        source = s.source();
    }
    Error::Transport {
        path: url.path().to_string(),
        reason,
        timeout,
    }
}

/// Graph's `{"error":{"code","message"}}` as one short line.
fn graph_error(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<GraphErrorBody>(body) {
        Ok(b) => format!("{}: {}", b.error.code, b.error.message),
        Err(_) => String::from_utf8_lossy(body).trim().to_string(),
    };
    let text = if text.is_empty() {
        "(empty body)".to_string()
    } else {
        text
    };
    match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pull::auth::Credentials;
    use crate::pull::retry::Backoff;

    fn graph() -> Graph {
        let c = Credentials::new("t", "c", "secret".to_string().into()).unwrap();
        let tokens = TokenSource::new(c, "https://login.example", "https://graph.example");
        Graph::new(
            "https://graph.example/",
            tokens,
            Arc::new(Throttle::new(5, 5)),
            Backoff::default(),
        )
        .unwrap()
    }

    #[test]
    fn the_token_only_goes_to_the_graph_root() {
        let g = graph();
        assert_eq!(g.root(), "https://graph.example");
        assert!(
            g.check_link("https://graph.example/beta/x?$skiptoken=1")
                .is_ok()
        );
        assert!(g.check_link("https://graph.example:443/beta/x").is_ok());
        for foreign in [
            "https://evil.example/beta/x",
            "http://graph.example/beta/x",
            "https://graph.example:8443/beta/x",
            "https://graph.example.evil.example/x",
            "not a url",
        ] {
            assert!(g.check_link(foreign).is_err(), "{foreign}");
        }
    }

    #[test]
    fn graph_errors_are_one_short_line() {
        let body = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#;
        assert_eq!(
            graph_error(body),
            "Authorization_RequestDenied: Insufficient privileges to complete the operation."
        );
        assert_eq!(graph_error(b""), "(empty body)");
        assert_eq!(graph_error(&[b'x'; 1000]).chars().count(), 301);
    }
}
