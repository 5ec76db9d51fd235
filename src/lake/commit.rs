//! Atomic commits through a redo journal. A commit first writes `_journal/commit.json`
//! (every move and delete it will do, and the manifest it will install), then does them.
//! After a crash, the next open replays the journal: each step is idempotent, so a commit
//! is applied completely or — if the journal was never written — not at all.
//!
//! The same on an object store: the journal is one PUT (an object appears whole or not at
//! all), and a move is a copy then a delete, so a replay finds each move not started
//! (done now), half done (both objects: the copy is repeated, then the delete) or done
//! (no source: skipped). The manifest is one PUT too, and the journal is deleted last.

use serde::{Deserialize, Serialize};

use super::layout::Layout;
use super::manifest::Manifest;
use crate::lake::{Error, Result};

/// The redo record of one commit; paths are relative to the lake root, `/`-separated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Journal {
    /// Staged file → its place in a table (replacing a file of the same name atomically).
    pub renames: Vec<(String, String)>,
    /// Lake files to remove (every row lost deduplication).
    pub deletes: Vec<String>,
    /// The manifest to install once the files are in place.
    pub manifest: Manifest,
}

fn journal_file(layout: &Layout) -> crate::storage::Location {
    layout.journal().join("commit.json")
}

/// Records `journal` durably, then applies it.
pub fn commit(layout: &Layout, journal: &Journal) -> Result<()> {
    record(layout, journal)?;
    apply(layout, journal)
}

/// Records `journal` durably: from here on the commit happens, now or at the next open.
pub fn record(layout: &Layout, journal: &Journal) -> Result<()> {
    let file = journal_file(layout);
    let bytes = serde_json::to_vec(journal).map_err(|e| Error::Lake {
        path: file.to_string(),
        reason: e.to_string(),
    })?;
    Ok(file.write_atomic(&bytes)?)
}

/// Applies a recorded journal; safe to repeat, and safe to run twice at once (a reader
/// finishing the commit of a writer that is finishing it too): a move or delete already
/// done by the other is skipped.
pub fn apply(layout: &Layout, journal: &Journal) -> Result<()> {
    apply_with(layout, journal, &mut || {})
}

/// [`apply`], calling `after_first_move` once the first file is moved into its table.
pub fn apply_with(
    layout: &Layout,
    journal: &Journal,
    after_first_move: &mut dyn FnMut(),
) -> Result<()> {
    for (i, (from, to)) in journal.renames.iter().enumerate() {
        // `false`: already moved by an earlier, interrupted apply or a concurrent one.
        if !layout.at(from).rename(&layout.at(to))? {
            continue;
        }
        if i == 0 {
            after_first_move();
        }
    }
    for path in &journal.deletes {
        layout.at(path).delete()?;
    }
    journal.manifest.save(&layout.manifest())?;
    journal_file(layout).delete()?;
    // Only an empty folder is left; removing it keeps the lake listing to the tables.
    if let Some(dir) = layout.journal().as_local() {
        let _ = std::fs::remove_dir(dir);
    }
    Ok(())
}

/// Finishes a commit a crash interrupted (its journal is still there), so a reader sees
/// whole commits only; returns whether there was one. Staging is left alone: a writer may
/// be using it.
pub fn finish_interrupted(layout: &Layout) -> Result<bool> {
    let file = journal_file(layout);
    let Some(bytes) = file.read()? else {
        return Ok(false);
    };
    let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| Error::Lake {
        path: file.to_string(),
        reason: format!("unreadable commit journal: {e}"),
    })?;
    apply(layout, &journal)?;
    Ok(true)
}

/// Finishes a commit interrupted by a crash and discards staged files of a run that never
/// committed. Returns whether a journal was replayed.
pub fn recover(layout: &Layout) -> Result<bool> {
    let replayed = finish_interrupted(layout)?;
    layout.staging().delete_all()?;
    Ok(replayed)
}
