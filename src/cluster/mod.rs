//! Evaluation on an Apache DataFusion Ballista cluster (`docs/cluster.md`): a scheduler
//! and executors that are this binary (`scheduler.rs`, `executor.rs`), with mfaproof's
//! codecs (`codec.rs`), and the client side, a session whose queries run there
//! (`client.rs`). Every process resolves the lake's URLs the same way: they are given the
//! same object-store registry.
//!
//! Above `evidence` (whose UDFs and tables the codecs send, `evidence::portable`), below
//! `report` and the CLI.

pub mod client;
pub mod codec;
mod engine;
pub mod executor;
pub mod scheduler;

pub use client::distribute;

/// The largest gRPC message a process of the cluster sends or accepts. A plan carries the
/// rows its UDFs were built from (the lake's per-user MFA timelines and its directory),
/// which Ballista's default of 16 MiB would refuse for a large tenant.
pub const MAX_MESSAGE_BYTES: u32 = 1 << 30;

/// Partitions a cluster job splits each stage into when not told otherwise: Ballista's own
/// default. An executor takes as many of a stage's partitions per task as it has cores, so
/// a stage of fewer partitions than one executor's cores runs on that executor alone (a
/// 2-partition plan kept a 2-executor cluster's second executor idle). Give more than the
/// cluster's cores in all (`MFAPROOF_CLUSTER_PARTITIONS`).
pub const DEFAULT_PARTITIONS: usize = 16;

/// What can go wrong starting a cluster process or reaching one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag's value is wrong.
    #[error("{0}")]
    Usage(String),
    /// Ballista failed.
    #[error("{0}")]
    Ballista(#[from] ballista_core::error::BallistaError),
    /// A working folder or socket failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}
