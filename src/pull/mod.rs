//! `mfaproof pull`: sign-ins, directory audits, state snapshots and the policy and directory
//! snapshots from Microsoft Graph into the lake — incrementally (a checkpoint per stream, re-reading an overlap), politely
//! (client-side rate limits, `Retry-After`, bounded backoff), resumably (the lake commits
//! before a checkpoint moves) and without leaking the secret (`auth.rs`).
//!
//! Pages are not a second ingest path: each fetched body goes through
//! [`crate::ingest::ingest_bytes`] — the Graph page source and the snapshot source, the
//! same `FileSink` and the same lake `RunWriter` as a file. Choices: `docs/pull.md`.

pub mod auth;
pub mod checkpoint;
pub mod client;
pub mod config;
pub mod directory;
pub mod error;
mod failures;
pub mod logs;
pub mod retry;
mod session;
pub mod snapshots;
pub mod streams;
mod tenants;
pub mod throttle;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::Serialize;

pub use auth::Credentials;
pub use error::{Error, Result};
pub use streams::Stream;
pub use tenants::{TenantOutcome, TenantPull, TenantsSummary, pull_tenants};

use crate::ingest::{Event, Level, Observer};
use crate::lake::{Layout, RunWriter, WriterOptions};
use crate::storage::Location;
use session::Session;
use streams::{EVENT_TYPES, LogStream};

/// The sign-in streams, one per event type.
const SIGN_IN_STREAMS: [LogStream; 4] = [
    LogStream::SignIns(EVENT_TYPES[0]),
    LogStream::SignIns(EVENT_TYPES[1]),
    LogStream::SignIns(EVENT_TYPES[2]),
    LogStream::SignIns(EVENT_TYPES[3]),
];

/// Everything a pull is told.
#[derive(Debug, Clone)]
pub struct PullOptions {
    pub lake: Location,
    pub graph_url: String,
    pub login_url: String,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub streams: Vec<Stream>,
    pub overlap: Duration,
    /// Without a checkpoint or `--since`, pull this far back (Graph keeps 30 days of
    /// sign-ins with Entra ID P1/P2, 7 without).
    pub lookback: Duration,
    pub slice: Option<Duration>,
    /// Requests per 10 s to the reporting APIs (`auditLogs/*`).
    pub reports_per_10s: usize,
    /// Requests per 10 s to the directory APIs (users, `$batch`, policies).
    pub directory_per_10s: usize,
    /// Pages between two commits within a slice.
    pub commit_pages: u64,
    /// How requests are retried.
    pub backoff: retry::Backoff,
    /// How the lake is written.
    pub writer: WriterOptions,
}

impl PullOptions {
    /// The defaults for a lake (Graph's public cloud).
    pub fn new(lake: impl Into<Location>) -> PullOptions {
        PullOptions {
            lake: lake.into(),
            graph_url: "https://graph.microsoft.com".into(),
            login_url: "https://login.microsoftonline.com".into(),
            since: None,
            until: None,
            streams: Stream::ALL.to_vec(),
            overlap: Duration::hours(2),
            lookback: Duration::days(30),
            slice: None,
            reports_per_10s: 5,
            directory_per_10s: 20,
            commit_pages: 20,
            backoff: retry::Backoff::default(),
            writer: WriterOptions::default(),
        }
    }
}

/// What happened to one stream.
#[derive(Debug, Clone, Serialize)]
pub struct StreamOutcome {
    pub stream: String,
    /// `complete`, `partial` (snapshot rows quarantined), `failed`, or `not-run` after a
    /// failure that stops the pull.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs: Option<logs::LogOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<snapshots::SnapshotOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The summary of a pull (`--json` prints it).
#[derive(Debug, Clone, Serialize)]
pub struct PullSummary {
    pub lake: String,
    pub run: u64,
    /// The fixed upper bound of every window of this run.
    pub until: DateTime<Utc>,
    pub streams: Vec<StreamOutcome>,
    pub counts: crate::lake::Counts,
    pub duplicates_dropped: u64,
}

impl PullSummary {
    /// Streams that did not complete (the CLI exits non-zero when there are any).
    pub fn failed(&self) -> usize {
        self.streams
            .iter()
            .filter(|s| s.status != "complete")
            .count()
    }
}

/// What the tenants of one pull share: the polite request budget, and Ctrl-C watched.
pub struct Shared {
    throttle: Arc<throttle::Throttle>,
    interrupted: Arc<AtomicBool>,
    stop: tokio::sync::watch::Receiver<bool>,
}

impl Shared {
    /// The budget of `options`; Ctrl-C is watched from now on (needs the tokio runtime).
    pub fn new(options: &PullOptions) -> Shared {
        let throttle = throttle::Throttle::new(options.reports_per_10s, options.directory_per_10s);
        let interrupted = Arc::new(AtomicBool::new(false));
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        let flag = interrupted.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::Relaxed);
                let _ = stop_tx.send(true);
            }
        });
        Shared {
            throttle: Arc::new(throttle),
            interrupted,
            stop,
        }
    }

    /// Whether Ctrl-C was pressed.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }
}

/// Pulls into the lake of `options` (on the caller's tokio runtime).
pub async fn pull(
    options: &PullOptions,
    credentials: Credentials,
    observer: &mut dyn Observer,
) -> Result<PullSummary> {
    let shared = Shared::new(options);
    pull_shared(options, credentials, &shared, observer).await
}

/// Pulls one tenant under the budget and the Ctrl-C watch of `shared`.
pub async fn pull_shared(
    options: &PullOptions,
    credentials: Credentials,
    shared: &Shared,
    observer: &mut dyn Observer,
) -> Result<PullSummary> {
    let started = Utc::now().trunc_subsecs(0);
    let end = window_end(options, started, observer)?;
    let mut s = start(options, credentials, shared, started, observer)?;
    let bounds = logs::Bounds {
        since: options.since,
        end,
        overlap: options.overlap,
        lookback: options.lookback,
        slice: options.slice,
    };
    let mut planned = BTreeMap::new();
    for stream in &options.streams {
        for l in log_streams(*stream) {
            planned.insert(l.key(), logs::prepare(&mut s, *l, &bounds));
        }
    }
    s.checkpoints.save(&s.files.checkpoints)?;
    let ranges = failures::planned(&planned);
    let streams = pull_streams(&mut s, &options.streams, planned).await?;
    let run = s.writer.finish()?;
    let unread = failures::record(
        &s.files.failures,
        &streams,
        &ranges,
        &s.checkpoints,
        started,
    )?;
    if unread > 0 {
        let text = format!(
            "{unread} stream(s) not read are recorded in {} until a pull reads them; \
             evaluate names them as holes in the evidence",
            s.files.failures
        );
        s.observer.event(Event::Message {
            level: Level::Warning,
            text,
        });
    }
    Ok(PullSummary {
        lake: options.lake.to_string(),
        run: run.run,
        until: end,
        streams,
        counts: run.counts,
        duplicates_dropped: run.duplicates_dropped,
    })
}

/// The fixed upper bound of every window: `--until`, never past the start of the run (a
/// future end would move the watermark past events that have not happened yet, and the
/// next run would start after them).
fn window_end(
    options: &PullOptions,
    started: DateTime<Utc>,
    observer: &mut dyn Observer,
) -> Result<DateTime<Utc>> {
    let end = options
        .until
        .unwrap_or(started)
        .min(started)
        .trunc_subsecs(0);
    if options.until.is_some_and(|u| u > started) {
        observer.event(Event::Message {
            level: Level::Warning,
            text: format!(
                "--until is in the future; pulling up to now ({})",
                streams::odata_time(end)
            ),
        });
    }
    if let Some(since) = options.since
        && since >= end
    {
        return Err(Error::Usage(format!(
            "--since {} is not before the end {}",
            streams::odata_time(since),
            streams::odata_time(end)
        )));
    }
    Ok(end)
}

/// The session of one pull: the Graph client, the claimed checkpoints (those of earlier
/// versions moved into the tenant's folder first) and the lake's run writer.
fn start<'a>(
    options: &PullOptions,
    credentials: Credentials,
    shared: &Shared,
    started: DateTime<Utc>,
    observer: &'a mut dyn Observer,
) -> Result<Session<'a>> {
    let tenant = credentials.tenant_id.to_ascii_lowercase();
    let tokens = auth::TokenSource::new(credentials, &options.login_url, &options.graph_url);
    let graph = client::Graph::new(
        &options.graph_url,
        tokens,
        shared.throttle.clone(),
        options.backoff,
    )?;
    if checkpoint::adopt_legacy(&options.lake, &tenant)? {
        observer.event(Event::Message {
            level: Level::Info,
            text: format!(
                "moved the checkpoints of tenant {tenant} into {}",
                Layout::new(&options.lake).pull_tenant(&tenant)
            ),
        });
    }
    let files = checkpoint::tenant_files(&options.lake, &tenant);
    let mut checkpoints = checkpoint::Checkpoints::load(&files.checkpoints)?;
    checkpoints.claim(&tenant, &files.checkpoints)?;
    // Pulled records name no tenant: they are the pulled tenant's (when it is given as a
    // tenant id; a domain name is not one, and then the lake's only tenant is theirs).
    let mut writer_options = options.writer.clone();
    if writer_options.tenant.is_none() {
        writer_options.tenant = crate::schema::tenant::normalise(&tenant).ok();
    }
    let writer = RunWriter::begin_with(Layout::new(&options.lake), writer_options)?;
    observer.event(Event::Started { total_bytes: 0 });
    Ok(Session {
        graph,
        writer,
        checkpoints,
        files,
        observer,
        started,
        records: 0,
        commit_pages: options.commit_pages.max(1),
        interrupted: shared.interrupted.clone(),
        stop: shared.stop.clone(),
    })
}

/// Pulls the streams asked for, in a fixed order; after a failure other than a missing
/// permission the remaining ones are `not-run`. A lake failure ends the pull.
async fn pull_streams(
    s: &mut Session<'_>,
    asked: &[Stream],
    mut planned: BTreeMap<String, Vec<checkpoint::WindowState>>,
) -> Result<Vec<StreamOutcome>> {
    let mut outcomes = Vec::new();
    let mut stop = false;
    for stream in Stream::ALL.into_iter().filter(|x| asked.contains(x)) {
        // A log stream per sign-in event type; a snapshot stream is one unit.
        let units: Vec<Option<LogStream>> = match log_streams(stream) {
            [] => vec![None],
            logs => logs.iter().copied().map(Some).collect(),
        };
        for unit in units {
            let name = unit.map_or(stream.to_string(), |l| l.key());
            if stop {
                outcomes.push(failed(name, "not-run", None));
                continue;
            }
            let windows = unit.map(|l| planned.remove(&l.key()).unwrap_or_default());
            let result = pull_unit(s, stream, unit, windows).await;
            s.forward_notices();
            let watermark = unit.and_then(|l| s.checkpoints.streams.get(&l.key())?.watermark);
            match result {
                Ok((logs, snapshot)) => outcomes.push(StreamOutcome {
                    // Snapshot rows quarantined: the others are in, the set is not whole.
                    status: match &snapshot {
                        Some(n) if n.quarantined > 0 => "partial",
                        _ => "complete",
                    },
                    stream: name,
                    logs,
                    snapshot,
                    watermark,
                    error: None,
                }),
                Err(e @ (Error::Lake(_) | Error::Ingest(_))) => return Err(e),
                Err(e) => {
                    // A missing permission concerns one stream; anything else stops.
                    stop = !matches!(e, Error::Permission { .. });
                    let text = format!("{name}: {e}");
                    s.say(Level::Error, text.clone());
                    let mut o = failed(name, "failed", Some(text));
                    o.watermark = watermark;
                    outcomes.push(o);
                }
            }
        }
    }
    Ok(outcomes)
}

type UnitOutcome = (Option<logs::LogOutcome>, Option<snapshots::SnapshotOutcome>);

/// Pulls one log stream (its planned windows) or one snapshot stream.
async fn pull_unit(
    s: &mut Session<'_>,
    stream: Stream,
    unit: Option<LogStream>,
    windows: Option<Vec<checkpoint::WindowState>>,
) -> Result<UnitOutcome> {
    match unit {
        Some(l) => logs::pull(s, l, windows.unwrap_or_default())
            .await
            .map(|o| (Some(o), None)),
        None if stream == Stream::MfaState => {
            snapshots::mfa_state(s).await.map(|o| (None, Some(o)))
        }
        None if stream == Stream::SecurityDefaults => snapshots::security_defaults(s)
            .await
            .map(|o| (None, Some(o))),
        None => match streams::snapshot_stream(stream) {
            Some(listing) => directory::pull(s, listing).await.map(|o| (None, Some(o))),
            None => Err(Error::Internal(format!(
                "{stream} is neither a log nor a snapshot"
            ))),
        },
    }
}

/// The log streams of a `--streams` word (none for the snapshots).
fn log_streams(stream: Stream) -> &'static [LogStream] {
    match stream {
        Stream::SignIns => &SIGN_IN_STREAMS,
        Stream::Audit => &[LogStream::Audits],
        _ => &[],
    }
}

fn failed(stream: String, status: &'static str, error: Option<String>) -> StreamOutcome {
    StreamOutcome {
        stream,
        status,
        logs: None,
        snapshot: None,
        watermark: None,
        error,
    }
}
