//! The lake's tables as a session sees them. Every table is partitioned by tenant
//! (`tenant_id=<tid>/`, then `date=YYYY-MM-DD/` for `sign_ins` and `audit_events`); a
//! session opened for one tenant sees only that tenant's rows under every table name, so
//! every rule that reads state over time (per-user MFA, security defaults, policy
//! versions, chaining) is per tenant by construction: no query needs to know.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use datafusion::datasource::MemTable;
use datafusion::datasource::TableProvider;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::{SessionContext, col, lit};

use super::Result;
use crate::lake::files::holds_parquet;
use crate::lake::layout::{Layout, Table};
use crate::lake::tenants::held;
use crate::schema::columns::{
    AUDIT_EVENTS, MFA_STATE_SNAPSHOTS, SECURITY_DEFAULTS_SNAPSHOTS, SIGN_INS, TENANT_ID,
};
use crate::storage::Location;

/// The partition column naming a sign-in's or audit event's day.
const DATE_COLUMN: &str = "date";

/// The tenants of the lake at `lake` (a path or a [`Location`]): every `tenant_id=<tid>`
/// folder of any table that holds a Parquet file, sorted.
pub fn tenants(lake: impl Into<Location>) -> Result<Vec<String>> {
    Ok(held(&Layout::new(lake))?.into_iter().collect())
}

/// Registers every lake table in `ctx` under its name, as `tenant` sees it (every tenant
/// without one); `sign_ins` and `audit_events` are restricted to the days of `range`,
/// and `sign_ins_all` and `audit_events_all` hold every day (a change before the window
/// tells the state inside it).
pub async fn register(
    ctx: &SessionContext,
    layout: &Layout,
    range: Option<(NaiveDate, NaiveDate)>,
    tenant: Option<&str>,
) -> Result<()> {
    for table in Table::ALL {
        let provider = provider(layout, table)?;
        let mut df = ctx.read_table(provider)?;
        if let Some(tenant) = tenant {
            // A filter on a partition column prunes whole folders.
            df = df.filter(col(TENANT_ID).eq(lit(tenant)))?;
        }
        if !table.partitioned() {
            ctx.register_table(table.name(), df.into_view())?;
            continue;
        }
        ctx.register_table(format!("{}_all", table.name()), df.clone().into_view())?;
        if let Some((from, to)) = range {
            let day = |d: NaiveDate| lit(d.format("%Y-%m-%d").to_string());
            df = df.filter(
                col(DATE_COLUMN)
                    .gt_eq(day(from))
                    .and(col(DATE_COLUMN).lt_eq(day(to))),
            )?;
        }
        ctx.register_table(table.name(), df.into_view())?;
    }
    Ok(())
}

/// The table over its Parquet files (an empty table of the same columns when it has none).
fn provider(layout: &Layout, table: Table) -> Result<Arc<dyn TableProvider>> {
    let partitions = partition_columns(table);
    // The files keep `tenant_id` too (a file read alone says its tenant), but the table
    // takes it from the folder: a column cannot be both.
    let file_schema = without(&lake_schema(table), &partitions);
    let dir = layout.table(table);
    if !holds_parquet(&dir)? {
        let mut fields: Vec<_> = file_schema.fields().iter().cloned().collect();
        fields.extend(
            partitions
                .iter()
                .map(|(name, ty)| Arc::new(Field::new(name, ty.clone(), false))),
        );
        let schema = Arc::new(Schema::new(fields));
        return Ok(Arc::new(MemTable::try_new(schema, vec![vec![]])?));
    }
    // An absolute path, or the URL of an object store the session's registry opens; the
    // trailing slash makes it a folder (a prefix) to list.
    let url = ListingTableUrl::parse(format!("{}/", dir.table_url()))?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(partitions);
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(file_schema);
    Ok(Arc::new(ListingTable::try_new(config)?))
}

/// The partition columns of `table`, in folder order.
fn partition_columns(table: Table) -> Vec<(String, DataType)> {
    let mut cols = vec![(TENANT_ID.to_owned(), DataType::Utf8)];
    if table.partitioned() {
        cols.push((DATE_COLUMN.to_owned(), DataType::Utf8));
    }
    cols
}

fn lake_schema(table: Table) -> SchemaRef {
    match table {
        Table::SignIns => SIGN_INS.clone(),
        Table::AuditEvents => AUDIT_EVENTS.clone(),
        Table::MfaStateSnapshots => MFA_STATE_SNAPSHOTS.clone(),
        Table::SecurityDefaultsSnapshots => SECURITY_DEFAULTS_SNAPSHOTS.clone(),
        Table::Directory(kind) => crate::schema::columns::directory_schema(kind),
    }
}

/// `schema` without the columns named in `partitions`.
fn without(schema: &SchemaRef, partitions: &[(String, DataType)]) -> SchemaRef {
    let kept: Vec<_> = schema
        .fields()
        .iter()
        .filter(|f| !partitions.iter().any(|(name, _)| name == f.name()))
        .cloned()
        .collect();
    Arc::new(Schema::new(kept))
}
