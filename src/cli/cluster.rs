//! `mfaproof cluster scheduler` and `mfaproof cluster executor`: the processes of a
//! Ballista cluster that `classify`, `evaluate` and `query --cluster df://HOST:PORT` run
//! their queries on (`docs/cluster.md`). They run until stopped (Ctrl-C, SIGTERM) and log
//! Ballista's lines to stderr.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use datafusion::execution::object_store::ObjectStoreRegistry;

use super::exit::usage;
use super::output::outln;
use super::settings;
use crate::cluster::{client, executor, scheduler};
use crate::storage::Registry;

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

/// Runs `mfaproof cluster`.
pub fn run(args: ClusterArgs) -> anyhow::Result<ExitCode> {
    log_to_stderr();
    let runtime = super::runtime()?;
    // The lake's object stores, opened as the clients open them (the same AZURE_*, AWS_*
    // and AZURITE_* settings): every process resolves the lake's URLs the same way.
    let options = settings::store_options().with_runtime(runtime.handle().clone());
    let stores: Arc<dyn ObjectStoreRegistry> = Arc::new(Registry::new(options));
    match args.role {
        Role::Scheduler(a) => {
            runtime.block_on(scheduler::run(a.bind, Some(stores), |bound| {
                // The line a script (or the tests) waits for.
                let _ = outln!("scheduler listening on {bound}");
            }))?;
        }
        Role::Executor(a) => {
            let url = if a.scheduler.starts_with("df://") {
                a.scheduler.clone()
            } else {
                format!("df://{}", a.scheduler)
            };
            let scheduler = client::scheduler_address(&url)
                .map_err(|e| usage(e.to_string().replace("--cluster", "--scheduler")))?;
            executor::grpc_port(a.bind.port()).map_err(|e| usage(e.to_string()))?;
            let options = executor::Options {
                bind: a.bind,
                scheduler,
                work_dir: a.work_dir,
                memory_pool_bytes: settings::engine()?.memory_pool_bytes,
            };
            runtime.block_on(executor::run(options, Some(stores)))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Ballista's log lines (info and above from Ballista, warnings and errors from the
/// rest) on stderr, one per line.
fn log_to_stderr() {
    static LOGGER: StderrLog = StderrLog;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
}

struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, meta: &log::Metadata<'_>) -> bool {
        meta.level() <= log::Level::Warn
            || (meta.level() <= log::Level::Info && meta.target().starts_with("ballista"))
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            // A closed stderr loses the line; it must not stop the process.
            let line = format!(
                "{} {}: {}\n",
                record.level(),
                record.target(),
                record.args()
            );
            let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
        }
    }

    fn flush(&self) {}
}
