//! Atomic commits through a redo journal. A commit first writes `_journal/commit.json`
//! (every rename and delete it will do, and the manifest it will install), then does them.
//! After a crash, the next open replays the journal: each step is idempotent, so a commit
//! is applied completely or — if the journal was never written — not at all.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fsutil::{create_dir_all, sync_dir, write_atomic};
use super::layout::Layout;
use super::manifest::Manifest;
use crate::lake::{Error, Result};

/// The redo record of one commit; paths are relative to the lake root.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Journal {
    /// Staged file → its place in a table (replacing a file of the same name atomically).
    pub renames: Vec<(PathBuf, PathBuf)>,
    /// Lake files to remove (every row lost deduplication).
    pub deletes: Vec<PathBuf>,
    /// The manifest to install once the files are in place.
    pub manifest: Manifest,
}

fn journal_file(layout: &Layout) -> PathBuf {
    layout.journal().join("commit.json")
}

/// Records `journal` durably, then applies it.
pub fn commit(layout: &Layout, journal: &Journal) -> Result<()> {
    record(layout, journal)?;
    apply(layout, journal)
}

/// Records `journal` durably: from here on the commit happens, now or at the next open.
pub fn record(layout: &Layout, journal: &Journal) -> Result<()> {
    create_dir_all(&layout.journal())?;
    let path = journal_file(layout);
    let bytes = serde_json::to_vec(journal).map_err(|e| Error::Lake {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    write_atomic(&path, &bytes)
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
    let root = layout.root();
    for (i, (from, to)) in journal.renames.iter().enumerate() {
        let (from, to) = (root.join(from), root.join(to));
        if !from.exists() {
            continue; // already moved by an earlier, interrupted apply
        }
        if let Some(dir) = to.parent() {
            create_dir_all(dir)?;
        }
        match fs::rename(&from, &to) {
            Ok(()) => {}
            // Moved by a concurrent apply between the check and the rename.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && to.exists() => {}
            Err(e) => return Err(Error::io(&to, e)),
        }
        if let Some(dir) = to.parent() {
            sync_dir(dir);
        }
        if i == 0 {
            after_first_move();
        }
    }
    for path in &journal.deletes {
        let path = root.join(path);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    journal.manifest.save(&layout.manifest())?;
    let path = journal_file(layout);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&path, e)),
    }
    // Only an empty folder is left; removing it keeps the lake listing to the tables.
    let _ = fs::remove_dir(layout.journal());
    Ok(())
}

/// Finishes a commit a crash interrupted (its journal is still there), so a reader sees
/// whole commits only; returns whether there was one. Staging is left alone: a writer may
/// be using it.
pub fn finish_interrupted(layout: &Layout) -> Result<bool> {
    let path = journal_file(layout);
    match fs::read(&path) {
        Ok(bytes) => {
            let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| Error::Lake {
                path: path.clone(),
                reason: format!("unreadable commit journal: {e}"),
            })?;
            apply(layout, &journal)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Finishes a commit interrupted by a crash and discards staged files of a run that never
/// committed. Returns whether a journal was replayed.
pub fn recover(layout: &Layout) -> Result<bool> {
    let replayed = finish_interrupted(layout)?;
    remove_dir_if_exists(&layout.staging())?;
    Ok(replayed)
}

fn remove_dir_if_exists(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// `path` relative to the lake root (journal paths must survive moving the lake).
pub fn relative(layout: &Layout, path: &Path) -> PathBuf {
    path.strip_prefix(layout.root())
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}
