//! `mfaproof cluster scheduler` and `mfaproof cluster executor`: the processes of a
//! Ballista cluster that `classify`, `evaluate` and `query --cluster df://HOST:PORT` run
//! their queries on (`docs/cluster.md`). They run until stopped (Ctrl-C, SIGTERM) and log
//! Ballista's lines to stderr (`cluster_processes.rs`).
//!
//! The commands and flags are there in every build, so that a binary built without the
//! `cluster` feature says how to get them rather than not knowing them.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::exit::usage;

/// Arguments of `mfaproof cluster`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    #[command(subcommand)]
    pub role: Role,
}

/// The process to run.
#[derive(Debug, clap::Subcommand)]
pub enum Role {
    /// Run a scheduler: it plans the queries sent with --cluster and gives their tasks to
    /// the executors, round-robin.
    Scheduler(SchedulerArgs),
    /// Run an executor: it runs the tasks the scheduler gives it, reading the lake itself.
    Executor(ExecutorArgs),
}

/// Arguments of `mfaproof cluster scheduler`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints `scheduler listening on HOST:PORT` once it accepts executors and queries.\n\nExit status: 1 when it cannot listen or fails; it runs until stopped otherwise."
)]
pub struct SchedulerArgs {
    /// The address to listen on (clients give it as --cluster df://HOST:PORT, executors
    /// as --scheduler HOST:PORT); port 0 lets the system choose one.
    #[arg(long, default_value = "127.0.0.1:50050")]
    pub bind: SocketAddr,
}

/// Arguments of `mfaproof cluster executor`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "An executor uses two ports: Arrow Flight (results and shuffle data) on the --bind port, Ballista's gRPC on the next one (PORT+1); both must be free and reachable from the scheduler and the other executors.\n\nThe executor reads the lake itself: give the clients a lake path or URL every executor resolves the same way (object stores with the same AZURE_*, AWS_* and AZURITE_* settings as the clients).\n\nExit status: 1 when it cannot reach the scheduler or fails; it runs until stopped otherwise."
)]
pub struct ExecutorArgs {
    /// The scheduler, as HOST:PORT (or df://HOST:PORT).
    #[arg(long)]
    pub scheduler: String,
    /// Arrow Flight on this address; Ballista's gRPC on the next port (PORT+1).
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub bind: SocketAddr,
    /// A folder for shuffle files and spills (default: a temporary folder, removed when
    /// the executor stops).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

/// `mfaproof cluster` in a build without Ballista: says how to get it.
#[cfg(not(feature = "cluster"))]
#[allow(clippy::needless_pass_by_value)]
pub fn run(_args: ClusterArgs) -> anyhow::Result<std::process::ExitCode> {
    Err(not_built())
}

/// Why `cluster` and `--cluster` do nothing in a build without the `cluster` feature.
#[cfg_attr(feature = "cluster", allow(dead_code))]
pub fn not_built() -> anyhow::Error {
    usage(
        "this mfaproof was built without Ballista: build it with `cargo build --release \
         --features cluster` to run or use a cluster (docs/cluster.md)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_ballista_a_cluster_is_a_usage_error_that_says_how_to_build_one() {
        let e = not_built();
        assert_eq!(super::super::exit::status(&e), 2);
        assert!(
            e.to_string()
                .contains("cargo build --release --features cluster"),
            "{e}"
        );
    }
}
