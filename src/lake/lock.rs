//! The writer lock: one `ingest`, `pull` or `generate --lake` writes a lake at a time.
//!
//! Two writers would number their runs alike and replay each other's journal, so a writer
//! first creates `<lake>/_writer.lock` with a create-only write (a hard link on disk, a
//! conditional PUT `If-None-Match: *` in an object store): of two writers starting
//! together exactly one succeeds. The lock names its holder (host, process, start time)
//! and is deleted when the run ends.
//!
//! A writer killed before it could delete its lock leaves it behind. A lock left by a
//! process of this host that no longer runs is stale and taken over, so a rerun after a
//! kill needs nothing from the user; a lock of another host cannot be judged from here,
//! and the error says how to remove it once that writer is known to be gone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::layout::Layout;
use super::{Error, Result};
use crate::storage::Location;

/// Who holds a lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub host: String,
    pub pid: u32,
    pub since: DateTime<Utc>,
}

impl Holder {
    /// This process, now.
    pub fn this_process() -> Holder {
        Holder {
            host: host_name(),
            pid: std::process::id(),
            since: crate::schema::record::now_micros(),
        }
    }

    /// A holder on this host whose process is gone.
    fn is_stale(&self) -> bool {
        self.host == host_name() && !process_runs(self.pid)
    }

    fn describe(&self) -> String {
        format!(
            "process {} on host {} since {}",
            self.pid,
            self.host,
            self.since.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }
}

/// A held writer lock; dropping it releases it.
#[derive(Debug)]
pub struct WriterLock {
    file: Location,
    held: bool,
}

impl WriterLock {
    /// Takes the lock of the lake at `layout` for `holder`, taking over a stale one.
    pub fn acquire(layout: &Layout, holder: &Holder) -> Result<WriterLock> {
        let file = layout.writer_lock();
        let bytes = serde_json::to_vec_pretty(holder)
            .map_err(|e| Error::Internal(format!("writer lock: {e}")))?;
        // Once for a free lock; once more after a stale one was removed.
        for _ in 0..2 {
            if file.create_new(&bytes)? {
                return Ok(WriterLock { file, held: true });
            }
            let Some(existing) = file.read()? else {
                continue; // released between the two requests
            };
            let other: Option<Holder> = serde_json::from_slice(&existing).ok();
            match other {
                Some(other) if other.is_stale() => file.delete()?,
                other => return Err(locked(&file, other.as_ref())),
            }
        }
        let other = file
            .read()?
            .and_then(|b| serde_json::from_slice::<Holder>(&b).ok());
        Err(locked(&file, other.as_ref()))
    }

    /// Releases the lock now, saying whether that failed.
    pub fn release(mut self) -> Result<()> {
        self.held = false;
        Ok(self.file.delete()?)
    }
}

impl Drop for WriterLock {
    /// A run that ends in an error still releases its lock; an error deleting it then has
    /// nowhere to go (the next writer of this host takes over the lock anyway).
    fn drop(&mut self) {
        if self.held {
            let _ = self.file.delete();
        }
    }
}

fn locked(file: &Location, holder: Option<&Holder>) -> Error {
    let who = holder.map_or_else(
        || "a writer that left an unreadable lock".to_string(),
        Holder::describe,
    );
    Error::Locked {
        lock: file.to_string(),
        holder: who,
    }
}

/// This machine's name, as the kernel has it; the lock compares it, so any stable name
/// will do where there is none.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Whether process `pid` of this host runs. Without `/proc` (not Linux) nothing can be
/// told, and the lock is kept: a wrongly kept lock costs the user a deletion, a wrongly
/// broken one a corrupt lake.
fn process_runs(pid: u32) -> bool {
    let proc_root = std::path::Path::new("/proc");
    !proc_root.join("self").exists() || proc_root.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(host: &str, pid: u32) -> Holder {
        Holder {
            host: host.to_string(),
            pid,
            since: DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    /// A pid no process has: above the kernel's largest.
    fn dead_pid() -> u32 {
        std::fs::read_to_string("/proc/sys/kernel/pid_max")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .map_or(u32::MAX, |max| max + 1)
    }

    fn lake() -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(Location::local(dir.path()));
        (dir, layout)
    }

    #[test]
    fn a_second_writer_is_refused_and_told_who_holds_the_lake() {
        let (_dir, layout) = lake();
        let first = WriterLock::acquire(&layout, &Holder::this_process()).unwrap();
        let err = WriterLock::acquire(&layout, &holder(&host_name(), std::process::id()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("_writer.lock"), "{err}");
        assert!(
            err.contains(&format!("process {}", std::process::id())),
            "{err}"
        );
        first.release().unwrap();
        assert!(!layout.writer_lock().exists().unwrap());
        WriterLock::acquire(&layout, &Holder::this_process()).unwrap();
    }

    #[test]
    fn a_lock_of_a_gone_process_of_this_host_is_taken_over() {
        let (_dir, layout) = lake();
        let gone = holder(&host_name(), dead_pid());
        layout
            .writer_lock()
            .create_new(&serde_json::to_vec(&gone).unwrap())
            .unwrap();
        let me = Holder::this_process();
        let lock = WriterLock::acquire(&layout, &me).unwrap();
        let now: Holder =
            serde_json::from_slice(&layout.writer_lock().read().unwrap().unwrap()).unwrap();
        assert_eq!(now, me);
        drop(lock);
        assert!(!layout.writer_lock().exists().unwrap());
    }

    #[test]
    fn a_lock_of_another_host_or_unreadable_is_kept() {
        let (_dir, layout) = lake();
        let other = holder("build-agent-7", dead_pid());
        layout
            .writer_lock()
            .create_new(&serde_json::to_vec(&other).unwrap())
            .unwrap();
        let err = WriterLock::acquire(&layout, &Holder::this_process())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("on host build-agent-7 since 2026-12-01T08:00:00Z"),
            "{err}"
        );
        assert!(layout.writer_lock().exists().unwrap());

        layout.writer_lock().delete().unwrap();
        layout.writer_lock().create_new(b"not json").unwrap();
        let err = WriterLock::acquire(&layout, &Holder::this_process())
            .unwrap_err()
            .to_string();
        assert!(err.contains("unreadable lock"), "{err}");
    }

    #[test]
    fn the_lock_works_the_same_in_an_object_store() {
        let (_rt, root) = crate::lake::test_store::memory();
        let layout = Layout::new(root);
        let first = WriterLock::acquire(&layout, &Holder::this_process()).unwrap();
        assert!(WriterLock::acquire(&layout, &holder("elsewhere", 1)).is_err());
        first.release().unwrap();
        WriterLock::acquire(&layout, &holder("elsewhere", 1)).unwrap();
    }
}
