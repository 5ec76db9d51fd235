//! An executor: Ballista's, with mfaproof's codecs (its UDFs arrive with the rows they are
//! rebuilt from, `evidence::portable`) and the object stores the client and scheduler
//! have. It serves Arrow Flight (shuffle and results) on its port and Ballista's gRPC on
//! the next one.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use datafusion::execution::object_store::ObjectStoreRegistry;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;

use super::codec::{LogicalCodec, PhysicalCodec};
use super::{Error, MAX_MESSAGE_BYTES};

/// What an executor is told.
#[derive(Debug, Clone)]
pub struct Options {
    /// Arrow Flight on this address, Ballista's gRPC on its port + 1.
    pub bind: SocketAddr,
    /// The scheduler's host and port.
    pub scheduler: (String, u16),
    /// Where shuffle files and spills go: an existing folder (a fresh temporary folder,
    /// removed at the end, when `None`).
    pub work_dir: Option<PathBuf>,
    /// Bytes the executor's tasks may hold together before they spill.
    pub memory_pool_bytes: usize,
}

/// The port of an executor's gRPC service: the one after its Flight port.
pub fn grpc_port(flight: u16) -> Result<u16, Error> {
    flight.checked_add(1).ok_or_else(|| {
        Error::Usage(format!(
            "--bind port {flight}: the executor also needs the next port, for gRPC"
        ))
    })
}

/// Runs an executor until the process ends or the scheduler stops it. `stores` resolves
/// the lake's URLs (`None`: local files only).
pub async fn run(
    options: Options,
    stores: Option<Arc<dyn ObjectStoreRegistry>>,
) -> Result<(), Error> {
    let grpc_port = grpc_port(options.bind.port())?;
    // A temporary folder is removed when `_temporary` is dropped, as the executor ends.
    let (work_dir, _temporary) = match &options.work_dir {
        Some(dir) => (dir.clone(), None),
        None => {
            let dir = tempfile::tempdir().map_err(|source| Error::Io {
                what: "cannot create the executor's working folder".into(),
                source,
            })?;
            (dir.path().to_path_buf(), Some(dir))
        }
    };
    let work = work_dir.to_string_lossy().into_owned();
    let spill_to = work.clone();
    let runtime = move |_: &datafusion::prelude::SessionConfig| {
        let mut builder = RuntimeEnvBuilder::new().with_temp_file_path(spill_to.clone());
        if let Some(stores) = &stores {
            builder = builder.with_object_store_registry(stores.clone());
        }
        builder.build_arc()
    };
    // Ballista's executor knows DataFusion's functions but not the nested ones
    // (`array_length`, `array_to_string`… that the evidence queries call), which its client
    // and scheduler do know.
    let mut functions = BallistaFunctionRegistry::default();
    for f in datafusion::functions_nested::all_default_nested_functions() {
        functions.scalar_functions.insert(f.name().to_owned(), f);
    }
    let config = ExecutorProcessConfig {
        bind_host: options.bind.ip().to_string(),
        port: options.bind.port(),
        grpc_port,
        scheduler_host: options.scheduler.0.clone(),
        scheduler_port: options.scheduler.1,
        work_dir: Some(work),
        memory_pool_size: Some(options.memory_pool_bytes as u64),
        grpc_max_decoding_message_size: MAX_MESSAGE_BYTES,
        grpc_max_encoding_message_size: MAX_MESSAGE_BYTES,
        override_logical_codec: Some(Arc::new(LogicalCodec::default())),
        override_physical_codec: Some(Arc::new(PhysicalCodec::default())),
        override_runtime_producer: Some(Arc::new(runtime)),
        override_function_registry: Some(Arc::new(functions)),
        override_execution_engine: Some(Arc::new(super::engine::Engine::default())),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config)).await?;
    Ok(())
}
