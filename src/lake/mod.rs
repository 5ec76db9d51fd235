//! The Parquet lake: layout, manifest, staged writes, deduplication, atomic commits,
//! quarantine, and the record of the streams a pull could not read. Readers only ever see whole committed files.

mod buffer;
pub mod commit;
pub mod dedup;
pub mod encoder;
mod error;
mod fault;
pub mod files;
pub mod fsutil;
pub mod layout;
pub mod manifest;
pub mod migrate;
mod parallel_writer;
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
