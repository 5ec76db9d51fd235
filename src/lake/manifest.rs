//! The manifest: every input ever ingested (path, size, SHA-256, counts) and every ingest
//! run. Ingesting a file whose SHA-256 is already listed is a no-op. Written atomically
//! (temporary file + rename, or one PUT), so a reader sees the old or the new manifest,
//! never half.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lake::{Error, Result};
use crate::storage::Location;

/// Per-input and per-run record counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Records decoded and handed to the lake (before deduplication).
    pub records: u64,
    pub sign_ins: u64,
    pub audit_events: u64,
    pub snapshots: u64,
    /// Records that could not be decoded; verbatim in `quarantine/`.
    pub quarantined: u64,
    /// Records deliberately not ingested (other log categories…), by kind.
    pub skipped: BTreeMap<String, u64>,
    /// Unterminated last lines of blobs still being written.
    pub partial: u64,
    /// Streams of the input that stop exactly at their download's row cap (the admin
    /// center's 100,000 rows): probably truncated. Absent in manifests written before it
    /// was counted.
    #[serde(default)]
    pub truncated: u64,
    /// Records read although one of their JSON objects repeated a key (the last occurrence
    /// was used; input-formats §1). Absent in manifests written before it was counted.
    #[serde(default)]
    pub repeated_keys: u64,
}

impl Counts {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Counts) {
        self.records += other.records;
        self.sign_ins += other.sign_ins;
        self.audit_events += other.audit_events;
        self.snapshots += other.snapshots;
        self.quarantined += other.quarantined;
        self.partial += other.partial;
        self.truncated += other.truncated;
        self.repeated_keys += other.repeated_keys;
        for (k, v) in &other.skipped {
            *self.skipped.entry(k.clone()).or_default() += v;
        }
    }

    /// All skipped records, whatever their kind.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// One ingested input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// Formats found in it (an archive may hold several).
    pub formats: Vec<String>,
    /// The tenants of its records, sorted (several when an export mixes tenants). Absent in
    /// manifests written before tenants (migration fills it in).
    #[serde(default)]
    pub tenants: Vec<String>,
    pub run: u64,
    pub counts: Counts,
    pub warnings: Vec<String>,
}

/// One `mfaproof ingest` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEntry {
    pub run: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub counts: Counts,
    /// Rows that lost deduplication (evidence-rules §3) to another version of the same id,
    /// counted when the run committed (a loser may come from an earlier run's file).
    pub duplicates_dropped: u64,
}

/// The whole manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub inputs: Vec<InputEntry>,
    pub runs: Vec<RunEntry>,
}

impl Manifest {
    /// Loads the manifest at `file` (a path or a [`Location`]); a missing file is an empty
    /// manifest.
    pub fn load(file: &(impl Into<Location> + Clone)) -> Result<Manifest> {
        let file: Location = file.clone().into();
        match file.read()? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Lake {
                path: file.to_string(),
                reason: format!("manifest is not readable: {e}"),
            }),
            None => Ok(Manifest {
                version: 1,
                ..Manifest::default()
            }),
        }
    }

    /// Writes the manifest atomically (one PUT on an object store) at `file` (a path or a
    /// [`Location`]).
    pub fn save(&self, file: &(impl Into<Location> + Clone)) -> Result<()> {
        let file: Location = file.clone().into();
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::Lake {
            path: file.to_string(),
            reason: e.to_string(),
        })?;
        Ok(file.write_atomic(&json)?)
    }

    /// Whether an input with this SHA-256 was already ingested.
    pub fn contains(&self, sha256: &str) -> bool {
        self.inputs.iter().any(|i| i.sha256 == sha256)
    }

    /// Whether an input of these bytes was ingested for `tenant` (the tenant given for
    /// the run; `None`: its records name their own, so the same bytes give the same rows).
    /// The same file given for another tenant is another input.
    pub fn contains_for(&self, sha256: &str, tenant: Option<&str>) -> bool {
        self.inputs.iter().any(|i| {
            i.sha256 == sha256
                && tenant.is_none_or(|t| i.tenants.is_empty() || i.tenants.iter().any(|x| x == t))
        })
    }

    /// The number the next run gets.
    pub fn next_run(&self) -> u64 {
        self.runs.iter().map(|r| r.run).max().unwrap_or(0) + 1
    }

    /// Rows dropped by deduplication over all runs.
    pub fn duplicates_dropped(&self) -> u64 {
        self.runs.iter().map(|r| r.duplicates_dropped).sum()
    }

    /// Counts summed over every input.
    pub fn totals(&self) -> Counts {
        let mut total = Counts::default();
        for i in &self.inputs {
            total.add(&i.counts);
        }
        total
    }
}
