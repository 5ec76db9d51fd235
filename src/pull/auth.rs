//! App-only authentication: the OAuth 2.0 client-credentials grant against the Microsoft
//! identity platform (`{login}/{tenant}/oauth2/v2.0/token`, scope `{graph}/.default`).
//! The secret and the tokens live in `SecretString`s: redacted in `Debug`, never in an
//! error (token-endpoint text is scrubbed of both), zeroed on drop. The token is cached in
//! memory only and refreshed before it expires, or when Graph rejects it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::error::{Error, Result};

/// Longest margin before expiry at which a token is renewed.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// An app registration's client credentials.
pub struct Credentials {
    pub tenant_id: String,
    pub client_id: String,
    secret: SecretString,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl Credentials {
    /// Credentials with the secret given (the CLI reads it from the environment, never
    /// from a flag: flags show in `ps` and shell history).
    pub fn new(tenant_id: &str, client_id: &str, secret: SecretString) -> Result<Credentials> {
        if secret.expose_secret().trim().is_empty() {
            return Err(Error::Usage("the client secret is empty".into()));
        }
        // The tenant goes into a URL path and names the lake's folder of its checkpoints:
        // refuse anything but a GUID or a domain name (`.` and `..` among them).
        let ok = |s: &str| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        };
        if !ok(tenant_id) || !ok(client_id) {
            return Err(Error::Usage(
                "--tenant-id and --client-id must be a GUID or a domain name".into(),
            ));
        }
        Ok(Credentials {
            tenant_id: tenant_id.to_string(),
            client_id: client_id.to_string(),
            secret,
        })
    }

    /// Removes the secret (and its URL-encoded form) from text before it is kept.
    pub fn redact(&self, text: &str) -> String {
        let secret = self.secret.expose_secret();
        let encoded = form_encode(secret);
        text.replace(secret, "[REDACTED]")
            .replace(&encoded, "[REDACTED]")
    }
}

/// A bearer token and when to stop using it.
struct Token {
    value: SecretString,
    renew_at: Instant,
    generation: u64,
}

/// Fetches and caches the bearer token.
pub struct TokenSource {
    credentials: Credentials,
    endpoint: String,
    scope: String,
    cached: Mutex<Option<Token>>,
    generation: Mutex<u64>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("token", &"[REDACTED]")
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct TokenError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

impl TokenSource {
    /// A token source for `graph_url`'s `.default` scope at `login_url`.
    pub fn new(credentials: Credentials, login_url: &str, graph_url: &str) -> TokenSource {
        let endpoint = format!(
            "{}/{}/oauth2/v2.0/token",
            login_url.trim_end_matches('/'),
            credentials.tenant_id
        );
        TokenSource {
            credentials,
            endpoint,
            scope: format!("{}/.default", graph_url.trim_end_matches('/')),
            cached: Mutex::new(None),
            generation: Mutex::new(0),
        }
    }

    /// The credentials (for redaction).
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// A valid token and its generation: the cached one unless it is due for renewal.
    pub async fn token(&self, http: &reqwest::Client) -> Result<(SecretString, u64)> {
        {
            let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(t) = cached.as_ref().filter(|t| Instant::now() < t.renew_at) {
                return Ok((t.value.clone(), t.generation));
            }
        }
        self.fetch(http).await
    }

    /// Drops the token of `generation` after Graph rejected it (a newer one is kept).
    pub fn invalidate(&self, generation: u64) {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if cached.as_ref().is_some_and(|t| t.generation == generation) {
            *cached = None;
        }
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<(SecretString, u64)> {
        let body = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
            form_encode(&self.credentials.client_id),
            form_encode(self.credentials.secret.expose_secret()),
            form_encode(&self.scope),
        );
        let fail = |reason: String, transient: bool| Error::Token {
            endpoint: self.endpoint.clone(),
            reason: self.credentials.redact(&reason),
            transient,
        };
        let response = http
            .post(&self.endpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            // reqwest's error text holds the URL only, never the body; redact anyway.
            .map_err(|e| fail(e.without_url().to_string(), true))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| fail(e.without_url().to_string(), true))?;
        if !status.is_success() {
            let reason = match serde_json::from_slice::<TokenError>(&bytes) {
                Ok(e) if !e.error.is_empty() => {
                    let first = e.error_description.lines().next().unwrap_or("").trim();
                    format!("{status}: {}: {first}", e.error)
                }
                _ => format!("{status} (no OAuth error in the response)"),
            };
            let transient = status.is_server_error() || status.as_u16() == 429;
            return Err(fail(reason, transient));
        }
        let parsed: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|_| fail("the response is not a token response".into(), false))?;
        let lifetime = parsed
            .expires_in
            .as_ref()
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            .unwrap_or(3600);
        let lifetime = Duration::from_secs(lifetime);
        // Renew 5 minutes early, or at 90% of a short lifetime.
        let margin = REFRESH_MARGIN.min(lifetime / 10);
        let generation = {
            let mut g = self.generation.lock().unwrap_or_else(|p| p.into_inner());
            *g += 1;
            *g
        };
        let token = Token {
            value: parsed.access_token,
            renew_at: Instant::now() + lifetime - margin,
            generation,
        };
        let value = token.value.clone();
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
        Ok((value, generation))
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_redaction_never_show_the_secret() {
        let c =
            Credentials::new("contoso.example", "app", SecretString::from("s3cr+t/val")).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr+t/val") && shown.contains("[REDACTED]"));
        let source = TokenSource::new(c, "https://login.example", "https://graph.example");
        assert!(!format!("{source:?}").contains("s3cr+t/val"));
        let text = "echo s3cr+t/val and s3cr%2Bt%2Fval";
        assert_eq!(
            source.credentials().redact(text),
            "echo [REDACTED] and [REDACTED]"
        );
    }

    #[test]
    fn tenant_ids_that_could_bend_the_url_are_refused() {
        let s = || SecretString::from("x");
        assert!(Credentials::new("../evil", "app", s()).is_err());
        assert!(Credentials::new("..", "app", s()).is_err());
        assert!(Credentials::new("t", "a b", s()).is_err());
        assert!(Credentials::new("t", "a", SecretString::from(" ")).is_err());
        assert!(Credentials::new("72f988bf-86f1-41af-91ab-2d7cd011db47", "a", s()).is_ok());
    }
}
