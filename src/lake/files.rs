//! The Parquet files of a lake's tables, as paths relative to the lake.

use super::layout::{Layout, Table, tenant_path};
use crate::lake::Result;
use crate::storage::Location;

/// Every `.parquet` file of `tenant`'s part of a partitioned table, partition by partition
/// in date order.
pub fn table_files(layout: &Layout, table: Table, tenant: &str) -> Result<Vec<String>> {
    let dir = tenant_path(table, tenant);
    let mut files = Vec::new();
    for entry in layout.at(&dir).list()? {
        // Sorted by path, so by partition, then by name within one.
        if let Some((partition, name)) = entry.path.split_once('/')
            && partition.starts_with("date=")
            && is_parquet(name)
        {
            files.push(format!("{dir}/{}", entry.path));
        }
    }
    Ok(files)
}

/// The `.parquet` files right below `dir` (relative to the lake), sorted; none when it
/// does not exist.
pub fn parquet_files(layout: &Layout, dir: &str) -> Result<Vec<String>> {
    Ok(layout
        .at(dir)
        .files()?
        .into_iter()
        .filter(|e| is_parquet(&e.path))
        .map(|e| format!("{dir}/{}", e.path))
        .collect())
}

/// Whether `dir` holds a Parquet file at any depth (looking no further than the first).
pub fn holds_parquet(dir: &Location) -> Result<bool> {
    if dir.files()?.iter().any(|e| is_parquet(&e.path)) {
        return Ok(true);
    }
    for folder in dir.folders()? {
        if holds_parquet(&dir.join(&folder))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a file name (one segment) is a Parquet file's.
fn is_parquet(name: &str) -> bool {
    !name.contains('/') && name.ends_with(".parquet")
}
