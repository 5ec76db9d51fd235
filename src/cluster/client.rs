//! The client side: a session whose queries run on a Ballista cluster. The session is
//! planned here as on one machine (the same tables, views and UDFs, `evidence::open`);
//! each query's optimised logical plan goes to the scheduler with mfaproof's codecs, and
//! its rows come back in the order the plan's `ORDER BY` gives them.

use std::sync::Arc;

use ballista_core::extension::{SessionConfigExt, SessionStateExt};
use datafusion::config::SpillCompression;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::session_state::SessionState;

use super::codec::{LogicalCodec, PhysicalCodec};
use super::{Error, MAX_MESSAGE_BYTES};
use crate::evidence::Distribute;

/// The scheduler's address of a `df://HOST:PORT` URL.
pub fn scheduler_address(url: &str) -> Result<(String, u16), Error> {
    let bad = |reason: &str| Error::Usage(format!("--cluster {url}: {reason}"));
    let rest = url
        .strip_prefix("df://")
        .ok_or_else(|| bad("give the scheduler as df://HOST:PORT"))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| bad("give the scheduler's port (df://HOST:PORT)"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains('/') {
        return Err(bad("no host"));
    }
    let port = port.parse().map_err(|_| bad("the port is not a number"))?;
    Ok((host.to_owned(), port))
}

/// Sends a session's queries to the scheduler at `url` (`df://HOST:PORT`), each stage
/// split into `partitions` (see [`super::DEFAULT_PARTITIONS`]).
pub fn distribute(url: &str, partitions: usize) -> Result<Distribute, Error> {
    if partitions == 0 {
        return Err(Error::Usage(
            "a cluster job needs at least 1 partition".into(),
        ));
    }
    let (host, port) = scheduler_address(url)?;
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let scheduler = format!("http://{host}:{port}");
    let upgrade = move |state: SessionState| {
        // A plan carries the rows of the lake's timelines and directory. Ballista's query
        // planner copies the limit when the state is upgraded, so it is set before: set
        // afterwards, the planner kept Ballista's 16 MiB and a 10M-sign-in lake's plan
        // failed to send ("h2 protocol error").
        let config = state
            .config()
            .clone()
            .upgrade_for_ballista()
            .with_ballista_grpc_client_max_message_size(MAX_MESSAGE_BYTES as usize)
            .with_ballista_logical_extension_codec(Arc::new(LogicalCodec::default()))
            .with_ballista_physical_extension_codec(Arc::new(PhysicalCodec::default()));
        let state = SessionStateBuilder::new_from_existing(state)
            .with_config(config)
            .build()
            .upgrade_for_ballista(scheduler.clone())?;
        let mut config = state.config().clone();
        let options = config.options_mut();
        // Ballista 55's adaptive planner fails `per_user_mfa_timeline`: it puts a stage
        // boundary under the ORDER BY's merge of a UNION of two sorted branches, each
        // with its own constant `source`, and its sanity check then finds the branches'
        // order short of the merge's ("does not satisfy order requirements"). The static
        // planner runs every query.
        options.set("ballista.planner.adaptive.enabled", "false")?;
        // Not the client's cores: an executor takes as many of a stage's partitions per task
        // as it has cores, so a stage of 2 partitions ran on one executor alone.
        options.execution.target_partitions = partitions;
        // Shuffle files go to the executors' local disk beside their spills, and a
        // classification shuffles every sign-in: they are compressed as the spills are
        // (Ballista's own default is lz4).
        let codec = shuffle_codec(options.execution.spill_compression);
        options.set("ballista.shuffle.compression.codec", codec)?;
        // Ballista's `prefer_hash_join = false` is left as it is: with hash joins the
        // classification's vocabulary joins were broadcast and shared by every executor, but
        // Ballista 55 then gave wrong rows for a semi join of `ca_changes.sql` (a count over
        // it came back as one row per partition).
        Ok(SessionStateBuilder::new_from_existing(state)
            .with_config(config)
            .build())
    };
    Ok(Distribute {
        name: url.to_owned(),
        upgrade: Arc::new(upgrade),
    })
}

/// Ballista's name for the shuffle codec that compresses as `spill` does.
fn shuffle_codec(spill: SpillCompression) -> &'static str {
    match spill {
        SpillCompression::Zstd => "zstd",
        SpillCompression::Lz4Frame => "lz4",
        SpillCompression::Uncompressed => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduler_urls() {
        let ok = |u: &str| scheduler_address(u).unwrap();
        assert_eq!(ok("df://127.0.0.1:50050"), ("127.0.0.1".into(), 50050));
        assert_eq!(ok("df://sched.example:7/"), ("sched.example".into(), 7));
        assert_eq!(ok("df://[::1]:50050"), ("::1".into(), 50050));
        for bad in [
            "127.0.0.1:50050",
            "df://host",
            "df://:1",
            "df://h:x",
            "http://h:1",
        ] {
            assert!(scheduler_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_job_of_no_partitions_is_refused() {
        assert!(distribute("df://127.0.0.1:50050", 0).is_err());
        assert!(distribute("df://127.0.0.1:50050", 16).is_ok());
    }

    #[test]
    fn a_jobs_shuffles_compress_as_its_spills_do() {
        use ballista_core::config::BallistaConfig;
        use datafusion::arrow::ipc::CompressionType;
        use datafusion::prelude::SessionConfig;

        let cluster = distribute("df://127.0.0.1:50050", 16).unwrap();
        for (spill, shuffle) in [
            (SpillCompression::Zstd, Some(CompressionType::ZSTD)),
            (SpillCompression::Lz4Frame, Some(CompressionType::LZ4_FRAME)),
            (SpillCompression::Uncompressed, None),
        ] {
            let mut config = SessionConfig::new();
            config.options_mut().execution.spill_compression = spill;
            let state = SessionStateBuilder::new().with_config(config).build();
            let state = (cluster.upgrade)(state).unwrap();
            let ballista = state.config().options().extensions.get::<BallistaConfig>();
            let codec = ballista.unwrap().shuffle_compression_codec().unwrap();
            assert_eq!(codec, shuffle, "{spill:?}");
        }
    }
}
