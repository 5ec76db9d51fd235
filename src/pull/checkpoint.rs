//! Where each stream goes on: `<lake>/pull/<tenant>/checkpoints.json`, one file per
//! tenant, written atomically (temporary file, fsync, rename) and only after the lake
//! committed everything the checkpoint claims. A crash between the two re-reads pages the
//! lake already holds, which deduplication absorbs; it never skips one. The single
//! `<lake>/pull/checkpoints.json` of earlier versions is moved into its tenant's folder by
//! that tenant's next pull ([`adopt_legacy`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use crate::lake::Layout;
use crate::storage::Location;

/// The checkpoint file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoints {
    pub version: u32,
    /// The tenant these checkpoints are of.
    pub tenant_id: Option<String>,
    /// By stream key (`sign-ins/interactiveUser`, …, `audit`).
    pub streams: BTreeMap<String, StreamState>,
}

/// One log stream's progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamState {
    /// The end of the last window pulled completely: the next run starts at this time
    /// minus the overlap.
    pub watermark: Option<DateTime<Utc>>,
    /// The window a run was pulling when it stopped.
    pub window: Option<WindowState>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A window being pulled, slice by slice (oldest slice first; Graph pages each slice
/// newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowState {
    pub start: DateTime<Utc>,
    /// The fixed upper bound (`le`): pages stay stable while new events arrive.
    pub end: DateTime<Utc>,
    /// Length of a slice in seconds; none: the whole window is one slice.
    pub slice_seconds: Option<i64>,
    pub slice_start: DateTime<Utc>,
    pub slice_end: DateTime<Utc>,
    /// The next page of the slice (Graph's `@odata.nextLink`, or the page that failed);
    /// none: the slice starts from its first page.
    pub next_link: Option<String>,
    /// Pages of the slice already in the lake.
    pub pages_done: u64,
}

impl WindowState {
    /// A window from `start` to `end`, in slices of `slice` (none: one slice).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, slice: Option<Duration>) -> WindowState {
        let slice_seconds = slice.map(|d| d.num_seconds().max(60));
        let mut w = WindowState {
            start,
            end,
            slice_seconds,
            slice_start: start,
            slice_end: end,
            next_link: None,
            pages_done: 0,
        };
        w.slice_end = w.slice_end_from(start);
        w
    }

    fn slice_end_from(&self, from: DateTime<Utc>) -> DateTime<Utc> {
        match self.slice_seconds {
            Some(s) => (from + Duration::seconds(s)).min(self.end),
            None => self.end,
        }
    }

    /// Moves to the next slice; false when the window is done.
    pub fn next_slice(&mut self) -> bool {
        if self.slice_end >= self.end {
            return false;
        }
        self.slice_start = self.slice_end;
        self.slice_end = self.slice_end_from(self.slice_start);
        self.next_link = None;
        self.pages_done = 0;
        true
    }
}

impl Checkpoints {
    /// Loads the checkpoints at `file`; none yet is an empty file.
    pub fn load(file: &Location) -> Result<Checkpoints> {
        match file.read().map_err(crate::lake::Error::from)? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Usage(format!(
                    "{file}: not a readable checkpoint file ({e}); move it away to pull from --since"
                ))
            }),
            None => Ok(Checkpoints {
                version: 1,
                ..Checkpoints::default()
            }),
        }
    }

    /// Writes the checkpoints atomically (one PUT on an object store).
    pub fn save(&self, file: &Location) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).expect("checkpoints serialise");
        file.write_atomic(&json).map_err(crate::lake::Error::from)?;
        Ok(())
    }

    /// Claims the file for `tenant`; a file of another tenant (copied into this folder by
    /// hand) is refused rather than resumed from.
    pub fn claim(&mut self, tenant: &str, file: &Location) -> Result<()> {
        match &self.tenant_id {
            Some(t) if !t.eq_ignore_ascii_case(tenant) => Err(Error::Usage(format!(
                "{file}: holds the checkpoints of tenant {t}, not {tenant}; move it away to pull {tenant} from --since"
            ))),
            _ => {
                self.tenant_id = Some(tenant.to_string());
                Ok(())
            }
        }
    }
}

/// Where one tenant's pull state lives in a lake.
#[derive(Debug, Clone)]
pub struct TenantFiles {
    pub checkpoints: Location,
    /// The streams not read (`lake::PullFailures`).
    pub failures: Location,
}

/// The files of `tenant` in the lake at `lake` (`<lake>/pull/<tenant>/`).
pub fn tenant_files(lake: &Location, tenant: &str) -> TenantFiles {
    let dir = Layout::new(lake).pull_tenant(tenant);
    TenantFiles {
        checkpoints: dir.join("checkpoints.json"),
        failures: dir.join("failures.json"),
    }
}

/// Moves the checkpoints and failures of earlier versions (`<lake>/pull/checkpoints.json`,
/// `failures.json`) into `tenant`'s folder when they are that tenant's and the folder has
/// none yet; returns whether it did. Files of another tenant stay until that tenant is
/// pulled. The failures move first: the checkpoints carry the tenant, so a crash between
/// the two renames is finished by the next pull.
pub fn adopt_legacy(lake: &Location, tenant: &str) -> Result<bool> {
    let layout = Layout::new(lake);
    let (old_checkpoints, old_failures) = (layout.pull_checkpoints(), layout.pull_failures());
    let to = tenant_files(lake, tenant);
    if !exists(&old_checkpoints)? || exists(&to.checkpoints)? {
        return Ok(false);
    }
    let old = Checkpoints::load(&old_checkpoints)?;
    if !old
        .tenant_id
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case(tenant))
    {
        return Ok(false);
    }
    if exists(&old_failures)? && !exists(&to.failures)? {
        rename(&old_failures, &to.failures)?;
    }
    rename(&old_checkpoints, &to.checkpoints)?;
    Ok(true)
}

fn exists(file: &Location) -> Result<bool> {
    Ok(file.exists().map_err(crate::lake::Error::from)?)
}

/// Moves `from` to `to` (on an object store a copy then a delete: after a crash between
/// the two, the old file's tenant is this one's and its folder has the file, so the next
/// pull skips it and the stale copy is never read again).
fn rename(from: &Location, to: &Location) -> Result<()> {
    from.rename(to).map_err(crate::lake::Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn slices_cover_the_window_oldest_first_and_end_on_its_bound() {
        let mut w = WindowState::new(
            t("2026-11-01T00:00:00Z"),
            t("2026-11-03T12:00:00Z"),
            Some(Duration::days(1)),
        );
        let mut slices = vec![(w.slice_start, w.slice_end)];
        while w.next_slice() {
            slices.push((w.slice_start, w.slice_end));
        }
        assert_eq!(slices.len(), 3);
        assert_eq!(slices[2].1, t("2026-11-03T12:00:00Z"));
        for pair in slices.windows(2) {
            assert_eq!(pair[0].1, pair[1].0, "no gap between slices");
        }
        let whole = WindowState::new(slices[0].0, slices[2].1, None);
        assert_eq!(
            (whole.slice_start, whole.slice_end),
            (slices[0].0, slices[2].1)
        );
    }

    #[test]
    fn round_trip_and_tenant_claim() {
        let dir = tempfile::tempdir().unwrap();
        let p = tenant_files(&Location::local(dir.path()), "tenant-a").checkpoints;
        assert_eq!(
            p.as_local(),
            Some(dir.path().join("pull/tenant-a/checkpoints.json").as_path())
        );
        let mut c = Checkpoints::load(&p).unwrap();
        c.claim("tenant-a", &p).unwrap();
        c.streams.insert(
            "audit".into(),
            StreamState {
                watermark: Some(t("2026-11-01T00:00:00Z")),
                window: None,
                updated_at: None,
            },
        );
        c.save(&p).unwrap();
        let mut back = Checkpoints::load(&p).unwrap();
        assert_eq!(back, c);
        assert!(back.claim("tenant-b", &p).is_err());
        assert!(back.claim("TENANT-A", &p).is_ok());
    }

    #[test]
    fn files_of_earlier_versions_move_to_their_tenant_only() {
        let dir = tempfile::tempdir().unwrap();
        let lake = &Location::local(dir.path());
        let layout = Layout::new(lake);
        let mut c = Checkpoints::load(&layout.pull_checkpoints()).unwrap();
        c.claim("Tenant-A", &layout.pull_checkpoints()).unwrap();
        c.save(&layout.pull_checkpoints()).unwrap();
        let failures = layout.pull_failures();
        failures
            .write_atomic(b"{\"version\":1,\"streams\":{}}")
            .unwrap();
        assert!(!adopt_legacy(lake, "tenant-b").unwrap());
        assert!(layout.pull_checkpoints().exists().unwrap());
        assert!(adopt_legacy(lake, "tenant-a").unwrap());
        let to = tenant_files(lake, "tenant-a");
        assert_eq!(Checkpoints::load(&to.checkpoints).unwrap(), c);
        assert!(to.failures.exists().unwrap());
        assert!(!layout.pull_checkpoints().exists().unwrap());
        assert!(!layout.pull_failures().exists().unwrap());
        assert!(!adopt_legacy(lake, "tenant-a").unwrap());
    }
}
