//! The one integration-test crate: runs the real library and binary on `data-samples/`
//! and on generated inputs with known answers.

#[path = "../support/azurite.rs"]
mod azurite;
mod backend;
mod backends;
mod backends_kill;
mod backends_lock;
mod browser;
mod check_policies;
mod classify;
mod cli;
#[cfg(feature = "cluster")]
mod cluster;
mod common;
mod conditional_access;
mod generate;
mod generate_lake;
mod holes;
mod ingest;
mod ingest_directory;
mod ingest_tenants;
mod kill;
mod object_store;
mod pull;
mod samples;
mod tenants;
mod tidy;
mod verify;
