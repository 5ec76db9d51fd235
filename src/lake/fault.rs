//! The named points of a commit, and the hook that hears them (the crash test stops the
//! process at each): below the writer and the migration, which both pass them.

use std::sync::Arc;

/// Hears every [`CommitPoint`] a run passes.
pub type FaultHook = Arc<dyn Fn(CommitPoint) + Send + Sync>;

/// A named point of one commit of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitPoint {
    /// The commit's number within the run, from 1.
    pub commit: u64,
    pub stage: CommitStage,
}

/// Where a commit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitStage {
    /// Its files are staged (deduplicated, rewrites written); no journal yet.
    Staged,
    /// Its journal is written; nothing is renamed into the tables yet.
    Journaled,
    /// Its first file is moved into its table, the others not yet.
    Renamed,
    /// It is applied: files in place, manifest saved, journal removed.
    Committed,
}
