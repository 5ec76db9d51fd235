//! Settings from the environment, the one place mfaproof reads environment variables (with
//! `bench.rs`'s peak-RSS file); the library gets the values through its options structs.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::exit::usage;
use crate::evidence::Engine;
use crate::lake::{CommitPoint, CommitStage, WriterOptions};
use crate::pull::retry::Backoff;
use crate::storage::StoreOptions;

/// The client secret of `mfaproof pull` (never a flag: flags show in `ps` and shell
/// history).
pub const SECRET_ENV: &str = "MFAPROOF_CLIENT_SECRET";

/// Megabytes the query engine may hold before it spills to disk.
pub const MEMORY_POOL_ENV: &str = "MFAPROOF_MEMORY_POOL_MB";

/// How the query engine compresses what it spills: `zstd`, `lz4_frame` or `uncompressed`.
pub const SPILL_COMPRESSION_ENV: &str = "MFAPROOF_SPILL_COMPRESSION";

/// Partitions of each stage of a `--cluster` job.
#[cfg(feature = "cluster")]
pub const CLUSTER_PARTITIONS_ENV: &str = "MFAPROOF_CLUSTER_PARTITIONS";

/// Rows staged before an ingest commits at the next input boundary (the crash tests use
/// small groups).
pub const COMMIT_ROWS_ENV: &str = "MFAPROOF_COMMIT_ROWS";

/// The first delay of the puller's backoff, in milliseconds (the tests keep it short).
pub const BACKOFF_ENV: &str = "MFAPROOF_PULL_BACKOFF_MS";

/// The exit status of a run stopped by `--crash-at`, as a shell reports a SIGKILL.
pub const CRASH_STATUS: i32 = 137;

/// A number from the environment; unset is `None`, anything but a number a usage error.
fn number<T: FromStr>(name: &str) -> anyhow::Result<Option<T>> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| usage(format!("{name}={v:?} is not a whole number"))),
        Err(_) => Ok(None),
    }
}

/// The prefixes of the variables given to object stores as their configuration keys
/// (lower-cased: `AZURE_STORAGE_ACCOUNT_KEY` is `azure_storage_account_key`).
pub const STORE_ENV_PREFIXES: [&str; 3] = ["AZURE_", "AWS_", "AZURITE_"];

/// The object stores' settings: every variable whose name starts with one of
/// [`STORE_ENV_PREFIXES`] (credentials among them: never printed, `StoreOptions` shows
/// the keys only).
pub fn store_options() -> StoreOptions {
    StoreOptions::new(std::env::vars_os().filter_map(|(k, v)| {
        let (k, v) = (k.into_string().ok()?, v.into_string().ok()?);
        STORE_ENV_PREFIXES
            .iter()
            .any(|p| k.starts_with(p))
            .then_some((k, v))
    }))
}

/// The query engine's settings.
pub fn engine() -> anyhow::Result<Engine> {
    let mut engine = Engine::default();
    if let Some(mb) = number::<usize>(MEMORY_POOL_ENV)? {
        engine.memory_pool_bytes = mb << 20;
    }
    if let Ok(codec) = std::env::var(SPILL_COMPRESSION_ENV).map(|v| v.trim().to_owned())
        && !codec.is_empty()
    {
        engine.spill_compression = codec.parse().map_err(|_| {
            usage(format!(
                "{SPILL_COMPRESSION_ENV}={codec:?}: give zstd, lz4_frame or uncompressed"
            ))
        })?;
    }
    Ok(engine)
}

/// Partitions of each stage of a `--cluster` job (Ballista's default of 16 unless set).
#[cfg(feature = "cluster")]
pub fn cluster_partitions() -> anyhow::Result<usize> {
    match number::<usize>(CLUSTER_PARTITIONS_ENV)? {
        Some(0) => Err(usage(format!("{CLUSTER_PARTITIONS_ENV}=0: give 1 or more"))),
        Some(n) => Ok(n),
        None => Ok(crate::cluster::DEFAULT_PARTITIONS),
    }
}

/// The lake writer's settings; `crash_at` stops the process at that point of a commit.
pub fn writer(crash_at: Option<CommitPoint>) -> anyhow::Result<WriterOptions> {
    let mut options = WriterOptions::default();
    if let Some(rows) = number::<usize>(COMMIT_ROWS_ENV)? {
        options.commit_rows = rows.max(1);
    }
    if let Some(target) = crash_at {
        options.fault_hook = Some(Arc::new(move |point: CommitPoint| {
            if point == target {
                // Like a kill: no destructor runs, nothing more is written.
                std::process::exit(CRASH_STATUS);
            }
        }));
    }
    Ok(options)
}

/// The puller's backoff.
pub fn backoff() -> anyhow::Result<Backoff> {
    let mut backoff = Backoff::default();
    if let Some(ms) = number::<u64>(BACKOFF_ENV)? {
        backoff.min = Duration::from_millis(ms);
    }
    Ok(backoff)
}

/// The client secret.
pub fn secret() -> anyhow::Result<SecretString> {
    match std::env::var(SECRET_ENV) {
        Ok(s) if !s.trim().is_empty() => Ok(SecretString::from(s)),
        Ok(_) => Err(usage(format!("{SECRET_ENV} is empty"))),
        Err(_) => Err(usage(format!(
            "set the app's client secret in the environment variable {SECRET_ENV} (it is never taken as a flag)"
        ))),
    }
}

/// A tenant's client secret from the variable `name` (`pull --config` names one per
/// tenant); the error names the variable, never a value.
pub fn secret_named(name: &str) -> Result<SecretString, String> {
    match std::env::var(name) {
        Ok(s) if !s.trim().is_empty() => Ok(SecretString::from(s)),
        Ok(_) => Err(format!(
            "the environment variable {name} (its client secret) is empty"
        )),
        Err(_) => Err(format!(
            "the environment variable {name} (its client secret) is not set"
        )),
    }
}

/// Parses `--crash-at STAGE:N` (stage `staged`, `journaled`, `renamed` or `committed`; N the
/// commit's number in the run, from 1).
/// `--tenant`: a tenant id in the lake's form (trimmed, lower-cased), or why it is none.
pub fn parse_tenant(s: &str) -> Result<String, String> {
    crate::schema::tenant::normalise(s)
}

pub fn parse_crash_point(s: &str) -> Result<CommitPoint, String> {
    let (stage, n) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?}: expected STAGE:N, e.g. journaled:2"))?;
    let stage = match stage {
        "staged" => CommitStage::Staged,
        "journaled" => CommitStage::Journaled,
        "renamed" => CommitStage::Renamed,
        "committed" => CommitStage::Committed,
        other => {
            return Err(format!(
                "{other:?}: staged, journaled, renamed or committed"
            ));
        }
    };
    let commit = n
        .parse()
        .map_err(|_| format!("{n:?}: a commit number, from 1"))?;
    Ok(CommitPoint { commit, stage })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_points_parse() {
        assert_eq!(
            parse_crash_point("journaled:2"),
            Ok(CommitPoint {
                commit: 2,
                stage: CommitStage::Journaled
            })
        );
        assert_eq!(
            parse_crash_point("renamed:3"),
            Ok(CommitPoint {
                commit: 3,
                stage: CommitStage::Renamed
            })
        );
        assert!(parse_crash_point("moved:2").is_err());
        assert!(parse_crash_point("staged").is_err());
        assert!(parse_crash_point("committed:x").is_err());
    }
}
