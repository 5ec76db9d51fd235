//! `mfaproof pull`: the arguments, the secret from the environment, and the summary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::args::Lake;
use super::exit::{FAILURE, usage};
use super::output::outln;
use super::progress::Terminal;
use super::settings;
use crate::pull::{
    self, Credentials, PullOptions, PullSummary, Stream, TenantPull, TenantsSummary,
};

/// Arguments of `mfaproof pull`. The client secret is read from the environment variable
/// `MFAPROOF_CLIENT_SECRET`, never from a flag.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 every stream (of every tenant) complete; 1 a stream failed or is partial, a tenant of --config failed (the summary names it), or a runtime failure; 2 usage error (no secret, bad flags, an unreadable --config or one holding a secret)."
)]
pub struct PullArgs {
    #[command(flatten)]
    pub lake: Lake,
    /// The tenant to pull from (GUID or domain).
    #[arg(long, required_unless_present = "config", conflicts_with = "config")]
    pub tenant_id: Option<String>,
    /// The app registration's application (client) id.
    #[arg(long, required_unless_present = "config", conflicts_with = "config")]
    pub client_id: Option<String>,
    /// Pull many tenants listed in a TOML file (docs/pull.md): per `[[tenant]]` its
    /// `tenant_id`, `client_id` and `client_secret_env` (the NAME of the environment
    /// variable holding its secret; a secret in the file is refused), optionally `streams`,
    /// `graph_url` and `login_url`. One request budget for all; one failing does not stop
    /// the others.
    #[arg(long, value_name = "TENANTS_TOML")]
    pub config: Option<PathBuf>,
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
    if let Some(config) = args.config.clone() {
        return run_tenants(args, &config);
    }
    let (Some(tenant), Some(client)) = (&args.tenant_id, &args.client_id) else {
        return Err(usage(
            "--tenant-id and --client-id are needed without --config",
        ));
    };
    let credentials = Credentials::new(tenant, client, settings::secret()?)?;
    let runtime = super::runtime()?;
    let options = options(&args, &runtime)?;
    let mut terminal = Terminal::new(args.json);
    let summary = runtime
        .block_on(pull::pull(&options, credentials, &mut terminal))
        .with_context(|| format!("pulling into {}", options.lake));
    terminal.finish();
    let summary = summary?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        print_summary(&summary)?;
    }
    Ok(status(summary.failed() == 0))
}

/// The options both ways of pulling share.
fn options(args: &PullArgs, runtime: &tokio::runtime::Runtime) -> anyhow::Result<PullOptions> {
    Ok(PullOptions {
        graph_url: args.graph_url.clone(),
        login_url: args.login_url.clone(),
        since: args.since,
        until: args.until,
        streams: args.streams.clone(),
        overlap: args.overlap,
        slice: args.slice,
        reports_per_10s: args.requests_per_10s,
        directory_per_10s: args.directory_requests_per_10s,
        commit_pages: args.commit_pages,
        backoff: settings::backoff()?,
        writer: settings::writer(None)?,
        ..PullOptions::new(args.lake.open(runtime)?)
    })
}

/// `pull --config`: every tenant of the file, each with the secret its variable holds.
fn run_tenants(args: PullArgs, config: &Path) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(config).map_err(|e| usage(format!("{}: {e}", config.display())))?;
    let entries = pull::config::parse(config, &text)?;
    let tenants = entries
        .into_iter()
        .map(|e| TenantPull {
            credentials: settings::secret_named(&e.secret_env).and_then(|secret| {
                Credentials::new(&e.tenant_id, &e.client_id, secret).map_err(|x| x.to_string())
            }),
            tenant_id: e.tenant_id,
            streams: e.streams,
            graph_url: e.graph_url,
            login_url: e.login_url,
        })
        .collect();
    let runtime = super::runtime()?;
    let options = options(&args, &runtime)?;
    let mut terminal = Terminal::new(args.json);
    let summary = runtime.block_on(pull::pull_tenants(&options, tenants, &mut terminal));
    terminal.finish();
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        print_tenants(&summary)?;
    }
    Ok(status(summary.failed().is_empty()))
}

fn status(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILURE)
    }
}

fn print_tenants(s: &TenantsSummary) -> std::io::Result<()> {
    for t in &s.tenants {
        match &t.error {
            Some(e) => outln!("tenant {}: {}: {e}", t.tenant_id, t.status)?,
            None => outln!("tenant {}: {}", t.tenant_id, t.status)?,
        }
        if let Some(p) = &t.pull {
            print_summary(p)?;
        }
    }
    let failed = s.failed();
    if failed.is_empty() {
        outln!("{} tenant(s) pulled, all complete", s.tenants.len())
    } else {
        outln!(
            "{} of {} tenant(s) failed: {}",
            failed.len(),
            s.tenants.len(),
            failed.join(", ")
        )
    }
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
