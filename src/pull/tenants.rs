//! Many tenants in one pull (`pull --config`): one after another into the same lake (the
//! lake has one writer at a time), under one polite request budget (the client-side rate
//! limits of [`super::Shared`], so all tenants together stay within it), each with its own
//! checkpoints and failures (`<lake>/pull/<tenant>/`). A tenant that cannot be pulled —
//! its secret missing, its credentials refused, a stream failing, even a lake error — is
//! that tenant's failure; the others are pulled all the same. Ctrl-C stops the tenant
//! being pulled at a page boundary and leaves the rest `not-run`.

use serde::Serialize;

use super::{Credentials, PullOptions, PullSummary, Shared, Stream, pull_shared};
use crate::ingest::{Event, Level, Observer};

/// One tenant to pull and what differs for it from the shared options.
#[derive(Debug)]
pub struct TenantPull {
    pub tenant_id: String,
    /// The credentials, or why there are none (its secret's variable unset): then this
    /// tenant fails alone.
    pub credentials: Result<Credentials, String>,
    pub streams: Option<Vec<Stream>>,
    pub graph_url: Option<String>,
    pub login_url: Option<String>,
}

/// What happened to one tenant.
#[derive(Debug, Clone, Serialize)]
pub struct TenantOutcome {
    pub tenant_id: String,
    /// `complete`; `failed` (not pulled, or a stream failed or is partial); `not-run`
    /// (interrupted before its turn).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull: Option<PullSummary>,
}

/// The summary of a pull of many tenants (`--json` prints it).
#[derive(Debug, Clone, Serialize)]
pub struct TenantsSummary {
    pub lake: String,
    pub tenants: Vec<TenantOutcome>,
}

impl TenantsSummary {
    /// The tenants that did not complete, in the order pulled.
    pub fn failed(&self) -> Vec<&str> {
        self.tenants
            .iter()
            .filter(|t| t.status != "complete")
            .map(|t| t.tenant_id.as_str())
            .collect()
    }
}

/// Pulls every tenant of `tenants` into the lake of `options`, in the order given.
pub async fn pull_tenants(
    options: &PullOptions,
    tenants: Vec<TenantPull>,
    observer: &mut dyn Observer,
) -> TenantsSummary {
    let shared = Shared::new(options);
    let mut outcomes = Vec::with_capacity(tenants.len());
    for t in tenants {
        let tenant_id = t.tenant_id.clone();
        if shared.interrupted() {
            outcomes.push(outcome(tenant_id, "not-run", None, None));
            continue;
        }
        let o = match pull_one(options, t, &shared, observer).await {
            Ok(summary) if summary.failed() == 0 => {
                outcome(tenant_id, "complete", None, Some(summary))
            }
            Ok(summary) => {
                let why = format!("{} stream(s) failed or partial", summary.failed());
                outcome(tenant_id, "failed", Some(why), Some(summary))
            }
            Err(e) => outcome(tenant_id, "failed", Some(e), None),
        };
        if let Some(e) = &o.error {
            observer.event(Event::Message {
                level: Level::Error,
                text: format!("tenant {}: {e}", o.tenant_id),
            });
        }
        outcomes.push(o);
    }
    TenantsSummary {
        lake: options.lake.to_string(),
        tenants: outcomes,
    }
}

async fn pull_one(
    options: &PullOptions,
    t: TenantPull,
    shared: &Shared,
    observer: &mut dyn Observer,
) -> Result<PullSummary, String> {
    let credentials = t.credentials?;
    observer.event(Event::Message {
        level: Level::Info,
        text: format!("tenant {}: pulling", t.tenant_id),
    });
    let options = PullOptions {
        streams: t.streams.unwrap_or_else(|| options.streams.clone()),
        graph_url: t.graph_url.unwrap_or_else(|| options.graph_url.clone()),
        login_url: t.login_url.unwrap_or_else(|| options.login_url.clone()),
        ..options.clone()
    };
    pull_shared(&options, credentials, shared, observer)
        .await
        .map_err(|e| e.to_string())
}

fn outcome(
    tenant_id: String,
    status: &'static str,
    error: Option<String>,
    pull: Option<PullSummary>,
) -> TenantOutcome {
    TenantOutcome {
        tenant_id,
        status,
        error,
        pull,
    }
}
