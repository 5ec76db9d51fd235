//! `mfaproof pull`: the arguments, the secret from the environment, and the summary.

use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::args::Lake;
use super::exit::FAILURE;
use super::output::outln;
use super::progress::Terminal;
use super::settings;
use crate::pull::{self, Credentials, PullOptions, PullSummary, Stream};

/// Arguments of `mfaproof pull`. The client secret is read from the environment variable
/// `MFAPROOF_CLIENT_SECRET`, never from a flag.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 every stream complete; 1 a stream failed or is partial, or a runtime failure; 2 usage error (no secret, bad flags, a lake pulled from another tenant)."
)]
pub struct PullArgs {
    #[command(flatten)]
    pub lake: Lake,
    /// The tenant to pull from (GUID or domain).
    #[arg(long)]
    pub tenant_id: String,
    /// The app registration's application (client) id.
    #[arg(long)]
    pub client_id: String,
    /// Start of the window (RFC 3339 or YYYY-MM-DD, UTC). Default: the stream's checkpoint
    /// minus --overlap; without one, 30 days back.
    #[arg(long, value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// End of the window (inclusive). Default: the start of the run.
    #[arg(long, value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
    /// What to pull, comma-separated: signins, audit, mfa-state, security-defaults,
    /// ca-policies, named-locations, users, registrations, groups, role-assignments.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "signins,audit,mfa-state,security-defaults,ca-policies,named-locations,users,registrations,groups,role-assignments"
    )]
    pub streams: Vec<Stream>,
    /// How far before the checkpoint a run starts again (late and re-emitted records).
    #[arg(long, default_value = "2h", value_parser = parse_duration)]
    pub overlap: chrono::Duration,
    /// Split windows into slices of this length (e.g. 1d); default: one slice.
    #[arg(long, value_parser = parse_duration)]
    pub slice: Option<chrono::Duration>,
    /// Requests per 10 seconds to the reporting APIs (Graph allows 5 per app and tenant).
    #[arg(long, default_value_t = 5)]
    pub requests_per_10s: usize,
    /// Requests per 10 seconds to the directory APIs (users, $batch, policies).
    #[arg(long, default_value_t = 20)]
    pub directory_requests_per_10s: usize,
    /// Pages between two commits (and checkpoint moves) within a slice.
    #[arg(long, default_value_t = 20)]
    pub commit_pages: u64,
    /// Microsoft Graph root (national clouds: e.g. https://graph.microsoft.us).
    #[arg(long, default_value = "https://graph.microsoft.com")]
    pub graph_url: String,
    /// Microsoft identity platform root (e.g. https://login.microsoftonline.us).
    #[arg(long, default_value = "https://login.microsoftonline.com")]
    pub login_url: String,
    /// Print the summary as JSON on stdout (for scripts).
    #[arg(long)]
    pub json: bool,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    crate::sources::time::parse_timestamp(t).ok_or_else(|| {
        format!("{s:?} is not a time (RFC 3339, e.g. 2026-11-01T00:00:00Z, or a date)")
    })
}

fn parse_duration(s: &str) -> Result<chrono::Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("{s:?}: {e} (e.g. 2h, 30m, 1d)"))?;
    chrono::Duration::from_std(d).map_err(|e| e.to_string())
}

/// Runs `mfaproof pull`.
pub fn run(args: PullArgs) -> anyhow::Result<ExitCode> {
    let credentials = Credentials::new(&args.tenant_id, &args.client_id, settings::secret()?)?;
    let lake = args.lake.dir.clone();
    let options = PullOptions {
        graph_url: args.graph_url,
        login_url: args.login_url,
        since: args.since,
        until: args.until,
        streams: args.streams,
        overlap: args.overlap,
        slice: args.slice,
        reports_per_10s: args.requests_per_10s,
        directory_per_10s: args.directory_requests_per_10s,
        commit_pages: args.commit_pages,
        backoff: settings::backoff()?,
        writer: settings::writer(None)?,
        ..PullOptions::new(lake.clone())
    };
    let mut terminal = Terminal::new(args.json);
    let summary = super::runtime()?
        .block_on(pull::pull(&options, credentials, &mut terminal))
        .with_context(|| format!("pulling into {}", lake.display()));
    terminal.finish();
    let summary = summary?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        print_summary(&summary)?;
    }
    Ok(if summary.failed() > 0 {
        ExitCode::from(FAILURE)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_summary(s: &PullSummary) -> std::io::Result<()> {
    outln!(
        "lake {} (run {}), up to {}",
        s.lake,
        s.run,
        s.until.to_rfc3339()
    )?;
    for st in &s.streams {
        let mut line = format!("{}: {}", st.stream, st.status);
        if let Some(l) = &st.logs {
            line.push_str(&format!(
                ", {} pages ({} already in the lake), {} records, {} quarantined",
                l.pages, l.pages_already_in_lake, l.records, l.quarantined
            ));
        }
        if let Some(n) = &st.snapshot {
            line.push_str(&format!(", {} snapshot rows", n.rows));
            if n.quarantined > 0 {
                line.push_str(&format!(", {} quarantined", n.quarantined));
            }
        }
        if let Some(w) = st.watermark {
            line.push_str(&format!(", complete up to {}", w.to_rfc3339()));
        }
        outln!("{line}")?;
    }
    let c = &s.counts;
    outln!(
        "records: {} ingested ({} sign-ins, {} audit events, {} snapshot rows), {} duplicates dropped, {} quarantined",
        c.records,
        c.sign_ins,
        c.audit_events,
        c.snapshots,
        s.duplicates_dropped,
        c.quarantined
    )
}
