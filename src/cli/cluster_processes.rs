//! The processes of `mfaproof cluster` (a build with the `cluster` feature): a Ballista
//! scheduler or executor with mfaproof's object stores, and Ballista's log lines on stderr.

use std::process::ExitCode;
use std::sync::Arc;

use datafusion::execution::object_store::ObjectStoreRegistry;

use super::cluster::{ClusterArgs, Role};
use super::exit::usage;
use super::output::outln;
use super::settings;
use crate::cluster::{client, executor, scheduler};
use crate::storage::Registry;

/// Runs `mfaproof cluster`.
pub(super) fn run(args: ClusterArgs) -> anyhow::Result<ExitCode> {
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
