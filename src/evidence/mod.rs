//! The evidence engine: a DataFusion session over a lake that classifies every sign-in per
//! the MFA contract (`docs/evidence-rules.md`); the report (`src/report/`) is built on it.
//! See `docs/evidence.md` for the choices the contract leaves open.

pub mod cells;
pub mod conditional_access;
mod error;
pub mod export;
pub mod matcher;
pub mod materialise;
pub mod queries;
pub mod state_udf;
pub mod timeline;
mod udf;
pub mod vocabulary;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::lake::layout::{Layout, Table};
use crate::schema::columns::{
    AUDIT_EVENTS, MFA_STATE_SNAPSHOTS, SECURITY_DEFAULTS_SNAPSHOTS, SIGN_INS, TENANT_ID,
};
use arrow::datatypes::{DataType, Field, Schema};
pub use error::{Error, Result};

/// Memory the query engine may hold before it spills sorts and joins to disk: keeps a
/// 10M sign-in classification under 2 GiB peak RSS (untracked buffers come on top).
pub const MEMORY_POOL_BYTES: usize = 1024 * 1024 * 1024;

/// How the query engine runs (the CLI sets the pool from `MFAPROOF_MEMORY_POOL_MB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Engine {
    /// Bytes the engine may hold before it spills to disk.
    pub memory_pool_bytes: usize,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine {
            memory_pool_bytes: MEMORY_POOL_BYTES,
        }
    }
}

/// A session with the spilling memory pool and one partition per core.
pub fn session(engine: &Engine) -> Result<SessionContext> {
    let pool = engine.memory_pool_bytes;
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(FairSpillPool::new(pool)))
        .build_arc()?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut config = SessionConfig::new()
        .with_target_partitions(cores)
        .with_information_schema(true);
    // Parquet strings read as Utf8, not Utf8View: a sorted view batch shares the data
    // buffers of every batch it was merged from, and the memory pool counts them whole
    // for each one, so the sort of findings.csv at 10M sign-ins failed ("Failed to
    // allocate additional 186.7 MB for SortPreservingMergeExec") with most of the pool
    // free in fact. Plain strings are copied by the sort and counted as they are.
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    Ok(SessionContext::new_with_config_rt(config, runtime))
}

/// The queries every session runs before any figure: the state timelines (`state_udf`),
/// the conditional access observations and memberships (`conditional_access`) and the
/// views `sign_in_evidence`, `session_origin` and `why_not`. Every figure rests on them.
pub const FOUNDATIONS: [&str; 10] = [
    "per_user_mfa_changes",
    "per_user_mfa_timeline",
    "security_defaults_changes",
    "security_defaults_timeline",
    "ca_changes",
    "ca_snapshots",
    "directory_membership",
    "classification",
    "session_origin",
    "why_not",
];

/// Opens the lake at `lake`: its tables, the vocabulary, the state timelines and the view
/// `sign_in_evidence`. `range` (inclusive dates) restricts `sign_ins` and `audit_events` by
/// their `date` partition; the state timelines read every audit event (`audit_events_all`),
/// since a change before the window tells the state inside it.
pub async fn open(lake: &Path, range: Option<(NaiveDate, NaiveDate)>) -> Result<SessionContext> {
    open_with(lake, range, &Engine::default()).await
}

/// [`open`] with the engine's settings.
pub async fn open_with(
    lake: &Path,
    range: Option<(NaiveDate, NaiveDate)>,
    engine: &Engine,
) -> Result<SessionContext> {
    if !lake.is_dir() {
        return Err(crate::lake::Error::Lake {
            path: lake.to_path_buf(),
            reason: "not a directory".into(),
        }
        .into());
    }
    let layout = Layout::new(lake);
    // A commit a crash interrupted is finished first: a reader sees whole commits only.
    crate::lake::commit::finish_interrupted(&layout)?;
    // A lake written before tenants is refused with the command that migrates it.
    crate::lake::migrate::check(&layout)?;
    let ctx = session(engine)?;
    register_table(&ctx, &layout, Table::SignIns, "sign_ins_all").await?;
    register_table(&ctx, &layout, Table::AuditEvents, "audit_events_all").await?;
    register_table(
        &ctx,
        &layout,
        Table::MfaStateSnapshots,
        "mfa_state_snapshots",
    )
    .await?;
    register_table(
        &ctx,
        &layout,
        Table::SecurityDefaultsSnapshots,
        "security_defaults_snapshots",
    )
    .await?;
    for kind in crate::schema::DirectoryKind::ALL {
        register_table(&ctx, &layout, Table::Directory(kind), kind.as_str()).await?;
    }
    for (table, all) in [
        ("sign_ins", "sign_ins_all"),
        ("audit_events", "audit_events_all"),
    ] {
        // A filter on the partition column prunes whole `date=` folders.
        let filter = match range {
            Some((from, to)) => format!(
                " WHERE date >= '{}' AND date <= '{}'",
                from.format("%Y-%m-%d"),
                to.format("%Y-%m-%d")
            ),
            None => String::new(),
        };
        let view = ctx
            .sql(&format!("SELECT * FROM {all}{filter}"))
            .await?
            .into_view();
        ctx.register_table(table, view)?;
    }
    vocabulary::register(&ctx)?;
    ctx.register_udf(matcher::MfaEvidence::udf(vocabulary::Patterns::load()?));
    state_udf::register(&ctx).await?;
    conditional_access::register(&ctx).await?;
    for (view, query) in [
        ("sign_in_evidence", "classification"),
        ("session_origin", "session_origin"),
        ("why_not", "why_not"),
    ] {
        let df = queries::plan(&ctx, query, &[]).await?;
        ctx.register_table(view, df.into_view())?;
    }
    Ok(ctx)
}

async fn register_table(
    ctx: &SessionContext,
    layout: &Layout,
    table: Table,
    name: &str,
) -> Result<()> {
    let schema = match table {
        Table::SignIns => SIGN_INS.clone(),
        Table::AuditEvents => AUDIT_EVENTS.clone(),
        Table::MfaStateSnapshots => MFA_STATE_SNAPSHOTS.clone(),
        Table::SecurityDefaultsSnapshots => SECURITY_DEFAULTS_SNAPSHOTS.clone(),
        Table::Directory(kind) => crate::schema::columns::directory_schema(kind),
    };
    // Every table is partitioned by tenant (`tenant_id=`), `sign_ins` and `audit_events`
    // by date under it. The files keep `tenant_id` too, but the table takes it from the
    // folder: a column cannot be both.
    let mut partitions = vec![(TENANT_ID.to_string(), DataType::Utf8)];
    if table.partitioned() {
        partitions.push(("date".to_string(), DataType::Utf8));
    }
    let file_fields: Vec<_> = schema
        .fields()
        .iter()
        .filter(|f| f.name() != TENANT_ID)
        .cloned()
        .collect();
    let schema = Arc::new(Schema::new(file_fields));
    let dir = layout.table(table);
    let has_files = dir.is_dir() && contains_parquet(&dir);
    if !has_files {
        let mut fields: Vec<_> = schema.fields().iter().cloned().collect();
        fields.extend(
            partitions
                .iter()
                .map(|(name, ty)| Arc::new(Field::new(name, ty.clone(), false))),
        );
        let schema = Arc::new(Schema::new(fields));
        ctx.register_table(name, Arc::new(MemTable::try_new(schema, vec![vec![]])?))?;
        return Ok(());
    }
    let url = ListingTableUrl::parse(format!("{}/", dir.display()))?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(partitions);
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(schema);
    ctx.register_table(name, Arc::new(ListingTable::try_new(config)?))?;
    Ok(())
}

fn contains_parquet(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(|e| e.ok()).any(|e| {
        let p = e.path();
        if p.is_dir() {
            contains_parquet(&p)
        } else {
            p.extension().is_some_and(|x| x == "parquet")
        }
    })
}
