//! The Parquet files of a lake's tables.

use std::path::PathBuf;

use super::layout::{Layout, Table};
use crate::lake::{Error, Result};

/// Every `.parquet` file of `tenant`'s part of a partitioned table, partition by partition
/// in date order.
pub fn table_files(layout: &Layout, table: Table, tenant: &str) -> Result<Vec<PathBuf>> {
    let dir = layout.tenant(table, tenant);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut partitions = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(&dir, e))?.path();
        let is_partition = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("date="));
        if is_partition && path.is_dir() {
            partitions.push(path);
        }
    }
    partitions.sort();
    let mut files = Vec::new();
    for p in partitions {
        files.extend(parquet_files(&p)?);
    }
    Ok(files)
}

/// The `.parquet` files of a directory, sorted; none when it does not exist.
pub fn parquet_files(dir: &std::path::Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "parquet") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
