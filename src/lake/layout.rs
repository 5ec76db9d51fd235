//! Where things live inside a lake (a folder, or a prefix in an object store). The only
//! code that builds lake paths.
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
//! <lake>/_writer.lock                      the running writer (`lock.rs`)
//! <lake>/pull/<tid>/checkpoints.json      where `mfaproof pull` goes on, per tenant and stream
//! <lake>/pull/<tid>/failures.json         the streams it could not read
//! ```
//!
//! `<tid>` is the Entra tenant id in `schema::tenant` form (trimmed, lower-cased). A lake
//! written before tenants has the same tables without the `tenant_id=` level
//! (`lake::migrate` moves it there).

pub use crate::schema::columns::TENANT_ID;

use crate::schema::DirectoryKind;
use crate::storage::Location;

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

/// Places inside one lake: a local folder or an object store prefix. Each place also has a
/// path relative to the lake (`/`-separated), which is what the commit journal records.
#[derive(Debug, Clone)]
pub struct Layout {
    root: Location,
}

/// The folder of files being written, relative to the lake.
pub const STAGING: &str = "_staging";

impl Layout {
    /// The layout of the lake at `root` (a path, or a [`Location`]).
    pub fn new(root: impl Into<Location>) -> Layout {
        Layout { root: root.into() }
    }

    /// The lake.
    pub fn root(&self) -> &Location {
        &self.root
    }

    /// The place at `rel` (relative to the lake, `/`-separated).
    pub fn at(&self, rel: &str) -> Location {
        self.root.join(rel)
    }

    /// A table's folder.
    pub fn table(&self, table: Table) -> Location {
        self.root.join(table.name())
    }

    /// A tenant's folder of a table (`tenant` in `schema::tenant` form): all its files
    /// for an unpartitioned table, its `date=` folders for a partitioned one.
    pub fn tenant(&self, table: Table, tenant: &str) -> Location {
        self.at(&tenant_path(table, tenant))
    }

    /// A tenant's date partition of a partitioned table (`date` as `YYYY-MM-DD`).
    pub fn partition(&self, table: Table, tenant: &str, date: &str) -> Location {
        self.at(&partition_path(table, tenant, date))
    }

    /// The manifest file.
    pub fn manifest(&self) -> Location {
        self.root.join("manifest.json")
    }

    /// The quarantine folder.
    pub fn quarantine(&self) -> Location {
        self.root.join("quarantine")
    }

    /// Where files are written before they are moved into a table.
    pub fn staging(&self) -> Location {
        self.root.join(STAGING)
    }

    /// The Graph puller's checkpoints as versions before one folder per tenant kept them
    /// (a pull of their tenant moves them into [`Layout::pull_tenant`]).
    pub fn pull_checkpoints(&self) -> Location {
        self.root.join("pull/checkpoints.json")
    }

    /// The streams the Graph puller could not read, as versions before one folder per
    /// tenant kept them (moved like [`Layout::pull_checkpoints`]).
    pub fn pull_failures(&self) -> Location {
        self.root.join("pull/failures.json")
    }

    /// The puller's folder of one tenant (`pull/<tenant>/`): its `checkpoints.json` and
    /// `failures.json`.
    pub fn pull_tenant(&self, tenant: &str) -> Location {
        self.root
            .join("pull")
            .join(&tenant.trim().to_ascii_lowercase())
    }

    /// The lock a writer holds while it runs (`lock.rs`).
    pub fn writer_lock(&self) -> Location {
        self.root.join("_writer.lock")
    }

    /// Where a commit in progress is recorded.
    pub fn journal(&self) -> Location {
        self.root.join("_journal")
    }
}

/// A tenant's folder of a table, relative to the lake.
pub fn tenant_path(table: Table, tenant: &str) -> String {
    format!("{}/{}", table.name(), tenant_folder(tenant))
}

/// A tenant's date partition of a partitioned table, relative to the lake.
pub fn partition_path(table: Table, tenant: &str, date: &str) -> String {
    format!("{}/date={date}", tenant_path(table, tenant))
}

/// The last segment of a lake-relative path (a file's name).
pub fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// The folder name of a tenant's partition.
pub fn tenant_folder(tenant: &str) -> String {
    format!("{TENANT_ID}={tenant}")
}

/// The tenant a folder name is the partition of, if it is one.
pub fn folder_tenant(name: &str) -> Option<&str> {
    name.strip_prefix(TENANT_ID)?.strip_prefix('=')
}
