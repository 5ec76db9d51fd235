//! The Parquet lake: layout, manifest, atomic commits, deduplication and quarantine.

pub mod fsutil;
pub mod layout;
pub mod manifest;

pub use layout::{Layout, Table};
pub use manifest::{Counts, InputEntry, Manifest, RunEntry};
