//! The evidence engine: a DataFusion session over a lake that classifies every sign-in per
//! the MFA contract (`docs/evidence-rules.md`); the report (`src/report/`) is built on it.
//! See `docs/evidence.md` for the choices the contract leaves open.

pub mod all_tenants;
pub mod cells;
pub mod conditional_access;
mod error;
pub mod export;
mod kept_rows;
pub mod matcher;
pub mod materialise;
mod memory_pool;
pub mod portable;
pub mod queries;
pub mod state_udf;
pub mod tables;
pub mod timeline;
mod udf;
pub mod vocab_lookup;
pub mod vocabulary;

use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::common::Result as DfResult;
pub use datafusion::common::config::SpillCompression;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionState;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::lake::layout::Layout;
use crate::storage::{Location, Registry, StoreOptions};
pub use error::{Error, Result};
use memory_pool::HeadroomPool;
pub use tables::tenants;

/// Memory the query engine may hold before it spills sorts and joins to disk: keeps a
/// 10M sign-in classification under 2 GiB peak RSS (untracked buffers come on top).
pub const MEMORY_POOL_BYTES: usize = 1024 * 1024 * 1024;

/// How spilled sort runs are written. A sort spills nearly every column of the sign-ins
/// it orders: uncompressed, a 10M-sign-in classification wrote 5.1 GB to the temporary
/// folder at its peak, so 100M would need about 50 GB of free disk.
pub const SPILL_COMPRESSION: SpillCompression = SpillCompression::Zstd;

/// How the query engine runs (the CLI sets the pool from `MFAPROOF_MEMORY_POOL_MB` and the
/// spill codec from `MFAPROOF_SPILL_COMPRESSION`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// Bytes the engine may hold before it spills to disk.
    pub memory_pool_bytes: usize,
    /// How spilled sort runs are compressed (a session setting; on a cluster it goes to the
    /// scheduler with the job's other settings).
    pub spill_compression: SpillCompression,
    /// Where the queries run when not in this process (`crate::cluster`).
    pub distribute: Option<Distribute>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine {
            memory_pool_bytes: MEMORY_POOL_BYTES,
            spill_compression: SPILL_COMPRESSION,
            distribute: None,
        }
    }
}

/// Turns a session's state into one whose queries run elsewhere (`crate::cluster` makes
/// one that sends them to a Ballista cluster). The evidence does not know where its
/// queries run; it only keeps, in such a session, the rows its UDFs were built from, so
/// that they can be sent along (`portable.rs`).
#[derive(Clone)]
pub struct Distribute {
    /// Where, for messages (`df://host:port`).
    pub name: String,
    pub upgrade: Arc<dyn Fn(SessionState) -> DfResult<SessionState> + Send + Sync>,
}

impl std::fmt::Debug for Distribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Distribute")
            .field("name", &self.name)
            .finish()
    }
}

impl PartialEq for Distribute {
    fn eq(&self, other: &Distribute) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.upgrade, &other.upgrade)
    }
}
impl Eq for Distribute {}

/// A session with the spilling memory pool and one partition per core, over local files;
/// its queries run where `engine.distribute` sends them, else in this process.
pub fn session(engine: &Engine) -> Result<SessionContext> {
    session_with_stores(engine, StoreOptions::default())
}

/// A session whose object stores (a lake's `az://`, `s3://`…) open with `stores`.
pub fn session_with_stores(engine: &Engine, stores: StoreOptions) -> Result<SessionContext> {
    let pool = engine.memory_pool_bytes;
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(HeadroomPool::new(pool)))
        .with_object_store_registry(Arc::new(Registry::new(stores)))
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
    config.options_mut().execution.spill_compression = engine.spill_compression;
    let mut state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .build();
    if let Some(distribute) = &engine.distribute {
        state = (distribute.upgrade)(state)?;
    }
    Ok(SessionContext::new_with_state(state))
}

pub use queries::FOUNDATIONS;

/// Opens the lake at `lake` (a path or a [`Location`]) for `tenant` (see [`open_with`]).
pub async fn open(
    lake: impl Into<Location>,
    range: Option<(NaiveDate, NaiveDate)>,
    tenant: Option<&str>,
) -> Result<SessionContext> {
    open_with(&lake.into(), range, tenant, &Engine::default()).await
}

/// Opens the lake at `lake`: its tables, the vocabulary, the state timelines and the view
/// `sign_in_evidence`. `range` (inclusive dates) restricts `sign_ins` and `audit_events` by
/// their `date` partition; the state timelines read every audit event (`audit_events_all`),
/// since a change before the window tells the state inside it.
///
/// With `tenant`, every table is that tenant's rows only, so the evidence is that
/// tenant's (a tenant the lake does not hold is a usage error). Without one, a lake of one
/// tenant is evaluated as it is; a lake of several gets its tables (each row with its
/// `tenant_id`) and the vocabulary but no evidence: one tenant's security defaults or
/// policies must never decide another's sign-ins, so the evidence views exist only in a
/// session of one tenant.
pub async fn open_with(
    lake: &Location,
    range: Option<(NaiveDate, NaiveDate)>,
    tenant: Option<&str>,
    engine: &Engine,
) -> Result<SessionContext> {
    // A prefix of an object store is a lake however empty; a local lake is a folder.
    if lake.as_local().is_some_and(|p| !p.is_dir()) {
        return Err(crate::lake::Error::Lake {
            path: lake.to_string(),
            reason: "not a directory".into(),
        }
        .into());
    }
    let layout = Layout::new(lake);
    // A commit a crash interrupted is finished first: a reader sees whole commits only.
    crate::lake::commit::finish_interrupted(&layout)?;
    // A lake written before tenants is refused with the command that migrates it.
    crate::lake::migrate::check(&layout)?;
    let held = tenants(lake)?;
    let tenant = tenant
        .map(crate::schema::tenant::normalise)
        .transpose()
        .map_err(Error::Usage)?;
    if let Some(t) = &tenant
        && !held.contains(t)
    {
        return Err(Error::Usage(format!(
            "{}: the lake holds no tenant {t} (it holds: {})",
            lake,
            if held.is_empty() {
                "none".to_owned()
            } else {
                held.join(", ")
            }
        )));
    }
    let ctx = session_with_stores(engine, lake.options())?;
    tables::register(&ctx, &layout, range, tenant.as_deref()).await?;
    vocabulary::register(&ctx)?;
    if tenant.is_none() && held.len() > 1 {
        return Ok(ctx);
    }
    ctx.register_udf(matcher::MfaEvidence::udf(vocabulary::Patterns::load()?));
    ctx.register_udf(vocab_lookup::VocabLookup::udf(vocabulary::tables()?));
    let portable = engine.distribute.is_some();
    state_udf::register(&ctx, portable).await?;
    conditional_access::register(&ctx, portable).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_compress_their_spills_as_the_engine_says() {
        let default = session(&Engine::default()).unwrap();
        let options = default.state().config().options().clone();
        assert_eq!(options.execution.spill_compression, SpillCompression::Zstd);
        let engine = Engine {
            spill_compression: SpillCompression::Uncompressed,
            ..Engine::default()
        };
        let plain = session(&engine).unwrap();
        let options = plain.state().config().options().clone();
        assert_eq!(
            options.execution.spill_compression,
            SpillCompression::Uncompressed
        );
    }
}
