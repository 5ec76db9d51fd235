//! `<lake>/pull/failures.json`: the streams `mfaproof pull` could not read (a missing
//! permission, throttling that retrying did not cure, a malformed page, an interruption),
//! each with when, why and the window it left unread. `pull` writes it and a later pull
//! that reads the stream's window clears the entry; `evaluate` names every entry as a
//! hole in the evidence. Here, below both, because both read it. Written atomically
//! (temporary file + rename), like the manifest.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lake::{Error, Layout, Result};
use crate::storage::Location;

/// One stream that a pull could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// When the pull that failed started.
    pub at: DateTime<Utc>,
    /// Why, as the pull said it (never a secret: pull's errors carry none).
    pub reason: String,
    /// The time range the stream's logs were not read for (both absent for a snapshot,
    /// which is of the moment `at`).
    pub window_from: Option<DateTime<Utc>>,
    pub window_to: Option<DateTime<Utc>>,
}

impl Failure {
    /// Whether a read of the stream from `from` to `to` covers what this failure left
    /// unread (a snapshot failure is covered by any later complete snapshot).
    pub fn covered_by(&self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> bool {
        match (self.window_from, self.window_to) {
            (Some(f), Some(t)) => from.is_some_and(|s| s <= f) && to.is_some_and(|e| e >= t),
            _ => true,
        }
    }
}

/// The whole file: by stream (the pull's stream names, `sign-ins/interactiveUser`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullFailures {
    pub version: u32,
    pub streams: BTreeMap<String, Failure>,
}

impl PullFailures {
    /// Loads the file at `file`; a missing file is no failure.
    pub fn load(file: &Location) -> Result<PullFailures> {
        match file.read()? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Lake {
                path: file.to_string(),
                reason: format!("not a readable pull failures file: {e}"),
            }),
            None => Ok(PullFailures {
                version: 1,
                ..PullFailures::default()
            }),
        }
    }

    /// Every failure recorded in the lake: the file of each tenant's pull folder
    /// (`pull/<tenant>/failures.json`) and that of earlier versions (`pull/failures.json`).
    /// With more than one file, each stream is named after its tenant (`<tenant> audit`).
    /// The failures of `tenant` (its own file and that of versions before tenants), or of
    /// every tenant when `None`.
    pub fn load_tenant(layout: &Layout, tenant: Option<&str>) -> Result<PullFailures> {
        let Some(tenant) = tenant else {
            return PullFailures::load_lake(layout);
        };
        let mut all = PullFailures::load(&layout.pull_failures())?;
        let own = PullFailures::load(&layout.pull_tenant(tenant).join("failures.json"))?;
        all.streams.extend(own.streams);
        Ok(all)
    }

    pub fn load_lake(layout: &Layout) -> Result<PullFailures> {
        let mut files = vec![(String::new(), layout.pull_failures())];
        let dir = layout.root().join("pull");
        for tenant in dir.folders()? {
            let file = dir.join(&tenant).join("failures.json");
            files.push((tenant, file));
        }
        let mut present = Vec::new();
        for (tenant, file) in files {
            if file.exists()? {
                present.push((tenant, file));
            }
        }
        let mut files = present;
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let named = files.len() > 1;
        let mut all = PullFailures {
            version: 1,
            ..PullFailures::default()
        };
        for (tenant, file) in files {
            for (stream, f) in PullFailures::load(&file)?.streams {
                let key = if named && !tenant.is_empty() {
                    format!("{tenant} {stream}")
                } else {
                    stream
                };
                all.streams.insert(key, f);
            }
        }
        Ok(all)
    }

    /// Writes the file atomically (one PUT on an object store), creating its folder.
    pub fn save(&self, file: &Location) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::Lake {
            path: file.to_string(),
            reason: e.to_string(),
        })?;
        Ok(file.write_atomic(&json)?)
    }

    /// Records that `stream` failed. An earlier failure of it still open keeps its start,
    /// so the window named is everything not read since.
    pub fn failed(&mut self, stream: &str, mut failure: Failure) {
        if let Some(old) = self.streams.get(stream)
            && let (Some(a), Some(b)) = (old.window_from, failure.window_from)
        {
            failure.window_from = Some(a.min(b));
        }
        self.streams.insert(stream.to_owned(), failure);
    }

    /// Records that `stream` was read completely from `from` to `to` (none for a
    /// snapshot): clears its failure when that covers it.
    pub fn read(&mut self, stream: &str, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) {
        if self
            .streams
            .get(stream)
            .is_some_and(|f| f.covered_by(from, to))
        {
            self.streams.remove(stream);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn failure(from: &str, to: &str) -> Failure {
        Failure {
            at: t("2026-11-04T00:00:00Z"),
            reason: "403".into(),
            window_from: Some(t(from)),
            window_to: Some(t(to)),
        }
    }

    #[test]
    fn a_failure_is_cleared_only_by_a_read_of_its_whole_window() {
        let mut f = PullFailures::default();
        f.failed(
            "audit",
            failure("2026-11-01T00:00:00Z", "2026-11-04T00:00:00Z"),
        );
        f.read(
            "audit",
            Some(t("2026-11-02T00:00:00Z")),
            Some(t("2026-11-05T00:00:00Z")),
        );
        assert!(f.streams.contains_key("audit"), "the 1st is not read");
        f.read(
            "audit",
            Some(t("2026-11-01T00:00:00Z")),
            Some(t("2026-11-03T00:00:00Z")),
        );
        assert!(f.streams.contains_key("audit"), "the 3rd is not read");
        f.read("sign-ins/interactiveUser", None, None);
        assert!(f.streams.contains_key("audit"), "another stream");
        f.read(
            "audit",
            Some(t("2026-10-31T22:00:00Z")),
            Some(t("2026-11-05T00:00:00Z")),
        );
        assert!(f.streams.is_empty());
    }

    #[test]
    fn a_second_failure_keeps_the_first_start_and_snapshots_clear_on_any_read() {
        let mut f = PullFailures::default();
        f.failed(
            "audit",
            failure("2026-11-01T00:00:00Z", "2026-11-04T00:00:00Z"),
        );
        f.failed(
            "audit",
            failure("2026-11-03T00:00:00Z", "2026-11-06T00:00:00Z"),
        );
        let audit = &f.streams["audit"];
        assert_eq!(audit.window_from, Some(t("2026-11-01T00:00:00Z")));
        assert_eq!(audit.window_to, Some(t("2026-11-06T00:00:00Z")));
        let snapshot = Failure {
            window_from: None,
            window_to: None,
            ..audit.clone()
        };
        f.failed("mfa-state", snapshot);
        f.read("mfa-state", None, None);
        assert_eq!(f.streams.keys().collect::<Vec<_>>(), ["audit"]);
    }

    #[test]
    fn round_trip_and_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = Location::local(dir.path().join("pull").join("failures.json"));
        assert_eq!(PullFailures::load(&path).unwrap().version, 1);
        let mut f = PullFailures {
            version: 1,
            ..PullFailures::default()
        };
        f.failed(
            "audit",
            failure("2026-11-01T00:00:00Z", "2026-11-04T00:00:00Z"),
        );
        f.save(&path).unwrap();
        assert_eq!(PullFailures::load(&path).unwrap(), f);
        path.write_atomic(b"{").unwrap();
        let e = PullFailures::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("failures.json") && e.contains("not a readable"),
            "{e}"
        );
    }
}
