//! Where things live inside a lake directory. The only code that builds lake paths.
//!
//! ```text
//! <lake>/sign_ins/tenant_id=<tid>/date=YYYY-MM-DD/part-<run>-<n>.parquet
//! <lake>/audit_events/tenant_id=<tid>/date=YYYY-MM-DD/part-<run>-<n>.parquet
//! <lake>/mfa_state_snapshots/tenant_id=<tid>/part-<run>-<n>.parquet
//! <lake>/security_defaults_snapshots/tenant_id=<tid>/part-<run>-<n>.parquet
//! <lake>/{ca_policies,named_locations,directory_users,user_registrations,
//!         directory_groups,role_assignments}/tenant_id=<tid>/part-<run>-<n>.parquet
//! <lake>/quarantine/run-<run>.ndjson      rejected records, verbatim, with position and reason
//! <lake>/manifest.json                    every ingested input (SHA-256, counts), every run
//! <lake>/_staging/                        files being written (outside every table folder)
//! <lake>/_journal/                        a commit in progress (replayed after a crash)
//! <lake>/pull/checkpoints.json            where `mfaproof pull` goes on, per stream
//! ```
//!
//! `<tid>` is the Entra tenant id in `schema::tenant` form (trimmed, lower-cased). A lake
//! written before tenants has the same tables without the `tenant_id=` level
//! (`lake::migrate` moves it there).

use std::path::{Path, PathBuf};

pub use crate::schema::columns::TENANT_ID;

use crate::schema::DirectoryKind;

/// A lake table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    SignIns,
    AuditEvents,
    MfaStateSnapshots,
    SecurityDefaultsSnapshots,
    /// One of the six policy and directory tables.
    Directory(DirectoryKind),
}

impl Table {
    /// All tables.
    pub const ALL: [Table; 10] = [
        Table::SignIns,
        Table::AuditEvents,
        Table::MfaStateSnapshots,
        Table::SecurityDefaultsSnapshots,
        Table::Directory(DirectoryKind::CaPolicies),
        Table::Directory(DirectoryKind::NamedLocations),
        Table::Directory(DirectoryKind::Users),
        Table::Directory(DirectoryKind::Registrations),
        Table::Directory(DirectoryKind::Groups),
        Table::Directory(DirectoryKind::RoleAssignments),
    ];

    /// The folder name, which is also the SQL table name.
    pub fn name(self) -> &'static str {
        match self {
            Table::SignIns => "sign_ins",
            Table::AuditEvents => "audit_events",
            Table::MfaStateSnapshots => "mfa_state_snapshots",
            Table::SecurityDefaultsSnapshots => "security_defaults_snapshots",
            Table::Directory(kind) => kind.as_str(),
        }
    }

    /// Whether the table is partitioned by `date=YYYY-MM-DD` (of `created_at` /
    /// `activity_date_time`).
    pub fn partitioned(self) -> bool {
        matches!(self, Table::SignIns | Table::AuditEvents)
    }
}

/// Paths inside one lake directory.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout of the lake at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }

    /// The lake directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A table's folder.
    pub fn table(&self, table: Table) -> PathBuf {
        self.root.join(table.name())
    }

    /// A tenant's folder of a table (`tenant` in `schema::tenant` form): all its files
    /// for an unpartitioned table, its `date=` folders for a partitioned one.
    pub fn tenant(&self, table: Table, tenant: &str) -> PathBuf {
        self.table(table).join(tenant_folder(tenant))
    }

    /// A tenant's date partition of a partitioned table (`date` as `YYYY-MM-DD`).
    pub fn partition(&self, table: Table, tenant: &str, date: &str) -> PathBuf {
        self.tenant(table, tenant).join(format!("date={date}"))
    }

    /// The manifest file.
    pub fn manifest(&self) -> PathBuf {
        self.root.join("manifest.json")
    }

    /// The quarantine folder.
    pub fn quarantine(&self) -> PathBuf {
        self.root.join("quarantine")
    }

    /// Where files are written before they are renamed into a table.
    pub fn staging(&self) -> PathBuf {
        self.root.join("_staging")
    }

    /// The Graph puller's checkpoints.
    pub fn pull_checkpoints(&self) -> PathBuf {
        self.root.join("pull").join("checkpoints.json")
    }

    /// The streams the Graph puller could not read.
    pub fn pull_failures(&self) -> PathBuf {
        self.root.join("pull").join("failures.json")
    }

    /// Where a commit in progress is recorded.
    pub fn journal(&self) -> PathBuf {
        self.root.join("_journal")
    }
}

/// The folder name of a tenant's partition.
pub fn tenant_folder(tenant: &str) -> String {
    format!("{TENANT_ID}={tenant}")
}

/// The tenant a folder name is the partition of, if it is one.
pub fn folder_tenant(name: &str) -> Option<&str> {
    name.strip_prefix(TENANT_ID)?.strip_prefix('=')
}
