//! mfaproof: prove from Entra ID sign-in and audit logs that MFA was actually satisfied.
//!
//! Data flows one way: `sources` (bytes → canonical records) → `schema` (records → Arrow)
//! → `lake` (partitioned, deduplicated Parquet) → `evidence` (DataFusion SQL) → `report`.
//! See ARCHITECTURE.md for the map and its invariants.

pub mod cli;
#[cfg(feature = "cluster")]
pub mod cluster;
pub mod evidence;
pub mod generate;
pub mod ingest;
pub mod lake;
pub mod path_io;
pub mod policy;
pub mod pull;
pub mod report;
pub mod schema;
pub mod sources;
pub mod storage;
mod words;
