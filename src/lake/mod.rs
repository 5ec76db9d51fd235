//! The Parquet lake: layout, manifest, staged writes, deduplication, atomic commits,
//! quarantine, and the record of the streams a pull could not read. Readers only ever see
//! whole committed files. The lake is a local folder or a prefix in an object store
//! (`storage::Location`); the same code runs on both.

mod buffer;
pub mod commit;
pub mod dedup;
pub mod encoder;
mod error;
mod fault;
pub mod files;
pub mod layout;
pub mod lock;
pub mod manifest;
pub mod migrate;
mod parallel_writer;
pub mod parquet_file;
pub mod pull_failures;
mod row_dedup;
pub mod staging;
pub mod tenants;
pub mod writer;

pub use error::{Error, Result};
pub use layout::{Layout, Table};
pub use manifest::{Counts, InputEntry, Manifest, RunEntry};
pub use pull_failures::{Failure, PullFailures};
pub use writer::{
    CommitPoint, CommitStage, FaultHook, Origin, RunOutcome, RunWriter, WriterOptions,
};

#[cfg(test)]
pub(crate) mod test_store {
    use crate::storage::{Location, StoreOptions};

    /// A lake in object_store's in-memory store (the remote code path without a server),
    /// with the runtime its requests run on.
    pub fn memory() -> (tokio::runtime::Runtime, Location) {
        let rt = crate::storage::test_runtime();
        let options = StoreOptions::default().with_runtime(rt.handle().clone());
        let lake = Location::parse("memory:///lake", &options).expect("a memory store");
        (rt, lake)
    }
}
