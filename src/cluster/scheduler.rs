//! The scheduler: Ballista's, with mfaproof's codecs (it decodes each query's logical plan,
//! plans it and sends every stage's physical plan to the executors) and the object stores
//! (it lists the lake's files when it plans a scan). Tasks go round-robin to the executors
//! with free slots, so every executor takes part; Ballista's default fills one executor's
//! slots first.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista_core::utils::default_session_builder;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::{SchedulerConfig, TaskDistributionPolicy};
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::object_store::ObjectStoreRegistry;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::SessionConfig;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};

use super::codec::{LogicalCodec, PhysicalCodec};
use super::{Error, MAX_MESSAGE_BYTES};

/// Runs a scheduler on `bind` until the process ends; `ready` is told the address it
/// listens on once it does (a port 0 is chosen by the system). `stores` resolves the
/// lake's URLs (`None`: local files only).
pub async fn run(
    bind: SocketAddr,
    stores: Option<Arc<dyn ObjectStoreRegistry>>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| Error::Io {
            what: format!("cannot listen on {bind}"),
            source,
        })?;
    let bound = listener.local_addr().map_err(|source| Error::Io {
        what: format!("cannot listen on {bind}"),
        source,
    })?;
    let session_builder = move |config: SessionConfig| {
        let state = default_session_builder(config)?;
        let Some(stores) = &stores else {
            return Ok(state);
        };
        let runtime = RuntimeEnvBuilder::from_runtime_env(state.runtime_env())
            .with_object_store_registry(stores.clone())
            .build_arc()?;
        Ok(SessionStateBuilder::new_from_existing(state)
            .with_runtime_env(runtime)
            .build())
    };
    let config = SchedulerConfig {
        bind_host: bound.ip().to_string(),
        bind_port: bound.port(),
        external_host: bound.ip().to_string(),
        task_distribution: TaskDistributionPolicy::RoundRobin,
        grpc_server_max_decoding_message_size: MAX_MESSAGE_BYTES,
        grpc_server_max_encoding_message_size: MAX_MESSAGE_BYTES,
        grpc_client_max_message_size: MAX_MESSAGE_BYTES,
        override_logical_codec: Some(Arc::new(LogicalCodec::default())),
        override_physical_codec: Some(Arc::new(PhysicalCodec::default())),
        override_session_builder: Some(Arc::new(session_builder)),
        ..SchedulerConfig::default()
    };
    config.validate()?;
    let cluster = BallistaCluster::new_from_config(&config).await?;
    let scheduler =
        create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, Arc::new(config)).await?;
    ready(bound);
    start_grpc_service_with_listener(listener, scheduler).await?;
    Ok(())
}
