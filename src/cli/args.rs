//! Arguments several subcommands share, each defined once and flattened into them.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::exit::usage;
use super::settings;
use crate::storage::Location;

/// `--lake`.
#[derive(Debug, Clone, clap::Args)]
pub struct Lake {
    /// The lake: a folder, or a prefix in an object store — az://CONTAINER/PREFIX,
    /// abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PREFIX, s3://BUCKET/PREFIX (file://
    /// and plain paths are folders). The store's settings and credentials come from every
    /// environment variable whose name starts with AZURE_, AWS_ or AZURITE_ (object_store's
    /// keys: AZURE_STORAGE_ACCOUNT_NAME, AZURE_STORAGE_ACCOUNT_KEY,
    /// AZURE_STORAGE_USE_EMULATOR, AZURITE_BLOB_STORAGE_URL, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT…), else the platform's managed
    /// identity; they are never printed. `ingest`, `run` and `pull` create a folder lake.
    #[arg(long = "lake", value_name = "LAKE", default_value = "mfaproof-lake")]
    pub dir: String,
}

impl Lake {
    /// The lake; an object store's requests run on `runtime`, which must outlive it.
    pub fn open(&self, runtime: &tokio::runtime::Runtime) -> anyhow::Result<Location> {
        let options = settings::store_options().with_runtime(runtime.handle().clone());
        Location::parse(&self.dir, &options).map_err(|e| usage(format!("--lake {e}")))
    }

    /// The lake, which must exist (a usage error otherwise): a folder, or a prefix that
    /// holds something.
    pub fn existing(&self, runtime: &tokio::runtime::Runtime) -> anyhow::Result<Location> {
        let lake = self.open(runtime)?;
        let found = match lake.as_local() {
            Some(dir) => dir.is_dir(),
            None => !(lake.folders()?.is_empty() && lake.files()?.is_empty()),
        };
        if found {
            Ok(lake)
        } else {
            Err(usage(format!(
                "{lake}: no lake here (run `mfaproof ingest` first)"
            )))
        }
    }
}

/// The inputs to ingest and the lake they go to (`ingest`, `run`).
#[derive(Debug, Clone, clap::Args)]
pub struct Inputs {
    /// Files or folders (walked recursively, in sorted order), or object store URLs
    /// (az://CONTAINER/PREFIX, abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PREFIX,
    /// s3://BUCKET/PREFIX: every object below the prefix, in the same order; file:// is a
    /// path); .gz and .zip are opened.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub lake: Lake,
}

impl Inputs {
    /// The inputs as locations; an object store's requests run on `runtime`, which must
    /// outlive them.
    pub fn locations(&self, runtime: &tokio::runtime::Runtime) -> anyhow::Result<Vec<Location>> {
        input_locations(&self.inputs, runtime)
    }
}

/// Command-line inputs as locations: a URL of an object store (its settings from the
/// environment, see [`settings::store_options`]), else a local path.
pub fn input_locations(
    inputs: &[PathBuf],
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<Vec<Location>> {
    let options = settings::store_options().with_runtime(runtime.handle().clone());
    inputs
        .iter()
        .map(|input| match input.to_str() {
            Some(text) => Location::parse(text, &options).map_err(|e| usage(e.to_string())),
            None => Ok(Location::local(input)),
        })
        .collect()
}

/// The lake and the days of it to read, and where the queries run (`classify`,
/// `evaluate`).
#[derive(Debug, Clone, clap::Args)]
pub struct Evidence {
    #[command(flatten)]
    pub lake: Lake,
    #[command(flatten)]
    pub window: Window,
    #[command(flatten)]
    pub tenant: Tenant,
    #[command(flatten)]
    pub cluster: Cluster,
}

/// `--cluster`: the Ballista cluster the queries run on (`classify`, `evaluate`, `query`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Cluster {
    /// Run the queries on the cluster whose scheduler listens at df://HOST:PORT (started
    /// with `mfaproof cluster scheduler`, executors with `mfaproof cluster executor`).
    /// Every executor must read the lake at the same path or URL as this command; the
    /// output is the same as without a cluster.
    #[arg(long = "cluster", value_name = "df://HOST:PORT")]
    pub url: Option<String>,
}

impl Cluster {
    /// The query engine's settings, with the queries sent to the cluster when one is
    /// given.
    pub fn engine(&self) -> anyhow::Result<crate::evidence::Engine> {
        let engine = super::settings::engine()?;
        match &self.url {
            None => Ok(engine),
            Some(url) => on_cluster(engine, url),
        }
    }
}

/// `engine` with its queries sent to the cluster at `url`.
#[cfg(feature = "cluster")]
fn on_cluster(
    mut engine: crate::evidence::Engine,
    url: &str,
) -> anyhow::Result<crate::evidence::Engine> {
    let partitions = super::settings::cluster_partitions()?;
    let distribute =
        crate::cluster::distribute(url, partitions).map_err(|e| usage(e.to_string()))?;
    engine.distribute = Some(distribute);
    Ok(engine)
}

/// A build without Ballista cannot send queries to a cluster: it says how to get one.
#[cfg(not(feature = "cluster"))]
#[allow(clippy::needless_pass_by_value)]
fn on_cluster(
    _engine: crate::evidence::Engine,
    _url: &str,
) -> anyhow::Result<crate::evidence::Engine> {
    Err(super::cluster::not_built())
}

/// `--tenant`: the one tenant of the lake to read (`classify`, `evaluate`, `query`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Tenant {
    /// Read only this tenant of the lake (its Entra tenant id; compared trimmed and
    /// ignoring case). Without it, every tenant is read, each on its own evidence.
    #[arg(long = "tenant", value_name = "TENANT_ID", value_parser = super::settings::parse_tenant)]
    pub id: Option<String>,
}

/// `--from` and `--to`: the days of sign-ins and audit events read.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Window {
    /// First day (UTC, inclusive) of the sign-ins read.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day (UTC, inclusive) of the sign-ins read.
    #[arg(long)]
    pub to: Option<NaiveDate>,
}

impl Window {
    /// The inclusive date range; an open end reaches as far as dates go, and no bound at
    /// all is no range.
    pub fn range(&self) -> anyhow::Result<Option<(NaiveDate, NaiveDate)>> {
        if self.from.is_none() && self.to.is_none() {
            return Ok(None);
        }
        // Four-digit years keep the partition strings comparable as text.
        let first = self.from.unwrap_or(ymd(1, 1, 1));
        let last = self.to.unwrap_or(ymd(9999, 12, 31));
        if first > last {
            return Err(usage(format!("--from {first} is after --to {last}")));
        }
        Ok(Some((first, last)))
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn open_ends_reach_the_four_digit_years() {
        let w = |from: Option<&str>, to: Option<&str>| {
            Window {
                from: from.map(day),
                to: to.map(day),
            }
            .range()
            .map_err(|e| e.to_string())
        };
        assert_eq!(w(None, None), Ok(None));
        assert_eq!(
            w(Some("2026-11-02"), None),
            Ok(Some((day("2026-11-02"), day("9999-12-31"))))
        );
        assert_eq!(
            w(None, Some("2026-11-02")),
            Ok(Some((day("0001-01-01"), day("2026-11-02"))))
        );
        assert_eq!(
            w(Some("2026-11-03"), Some("2026-11-02")),
            Err("--from 2026-11-03 is after --to 2026-11-02".to_string())
        );
    }
}
