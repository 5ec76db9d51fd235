//! The puller's errors. None of them carries the client secret or a token: HTTP errors
//! name the request by its path (never a full URL with query secrets, never a header), and
//! token-endpoint messages are redacted before they are kept.

/// What can stop a pull.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting is missing or wrong (no secret in the environment, a bad time…).
    #[error("{0}")]
    Usage(String),
    /// The token endpoint refused the credentials, or could not be reached.
    #[error("token request to {endpoint} failed: {reason}")]
    Token {
        endpoint: String,
        reason: String,
        /// An unavailable endpoint (5xx, 429, transport), not refused credentials.
        transient: bool,
    },
    /// Graph answered 401/403: the message names the permission likely missing.
    #[error("{status} from GET {path}: {hint}. Graph said: {graph}")]
    Permission {
        status: u16,
        path: String,
        hint: String,
        graph: String,
    },
    /// Graph answered with an error status that retrying did not (or cannot) cure.
    #[error("{status} from {path}{after}: {graph}")]
    Http {
        status: u16,
        path: String,
        /// ` after N attempts` when retries were spent.
        after: String,
        graph: String,
        /// `Retry-After` of the response, when it had one (used by the retry loop).
        #[source]
        retry_after: Option<RetryAfter>,
    },
    /// The request did not complete (connect/read timeout, connection reset, TLS…).
    #[error("{path}: request failed: {reason}")]
    Transport {
        path: String,
        reason: String,
        timeout: bool,
    },
    /// A response that is not what Graph sends (no JSON, a foreign `@odata.nextLink`…).
    #[error("{path}: {reason}")]
    Protocol { path: String, reason: String },
    /// A page was read, but records in it could not be: they are in the lake's
    /// quarantine, and the stream's checkpoint still points at this page.
    #[error(
        "{name}: {quarantined} record(s) could not be read and are quarantined; stopped this stream with its checkpoint on this page (rerun to retry it)"
    )]
    Malformed { name: String, quarantined: u64 },
    /// Ctrl-C: stopped at a page boundary, committed and checkpointed.
    #[error("interrupted; what was read is in the lake and a rerun goes on from the checkpoint")]
    Interrupted,
    /// A defect of mfaproof itself, nothing the user did.
    #[error("internal error: {0}")]
    Internal(String),
    /// The lake (writer, manifest, checkpoint file).
    #[error(transparent)]
    Lake(#[from] crate::lake::Error),
    /// Reading a page into the lake.
    #[error(transparent)]
    Ingest(#[from] crate::ingest::Error),
}

/// A `Retry-After` delay carried inside an HTTP error.
#[derive(Debug, Clone, Copy)]
pub struct RetryAfter(pub std::time::Duration);

impl std::fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "retry after {:?}", self.0)
    }
}

impl std::error::Error for RetryAfter {}

/// Result alias of the puller.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether another attempt may succeed: throttling, an overloaded or unavailable
    /// service, a gateway timeout, or a transport failure.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            Error::Transport { .. } => true,
            Error::Token { transient, .. } => *transient,
            _ => false,
        }
    }

    /// The server's `Retry-After`, if it sent one.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::Http {
                retry_after: Some(r),
                ..
            } => Some(r.0),
            _ => None,
        }
    }
}
