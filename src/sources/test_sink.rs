//! Test support for the sources: a sink that keeps everything it is told, and access to
//! the files under `data-samples/`.

use std::io::{self, BufRead};
use std::path::PathBuf;
use std::sync::Arc;

use super::sink::Sink;
use crate::schema::{AuditEvent, Record, SignIn, SignInRows};
use crate::sources::{Error, Result};

/// A source's `read` (those that need no file name).
type ReadFn = fn(&mut dyn BufRead, &mut dyn Sink) -> Result<()>;

/// Everything a reader reported, in order.
#[derive(Debug, Default)]
pub struct Collect {
    pub records: Vec<(u64, Record)>,
    /// Record number, raw bytes, reason.
    pub rejects: Vec<(u64, Vec<u8>, String)>,
    pub skips: Vec<(u64, String)>,
    pub partials: Vec<(u64, String)>,
    pub warnings: Vec<String>,
    /// Inputs said to stop at their download's row cap.
    pub truncations: Vec<String>,
    /// Records read although an object in them repeated a key.
    pub repeated_keys: Vec<u64>,
    /// The tenant given for the input.
    pub tenant: Option<String>,
    /// Take decoded sign-ins as columns (`Sink::takes_columns`), kept in `rows`.
    pub columns: bool,
    /// Decoded sign-ins: record number, their batch's columns, row.
    pub rows: Vec<(u64, Arc<SignInRows>, usize)>,
}

impl Sink for Collect {
    fn record(&mut self, record_no: u64, record: Record) -> Result<()> {
        self.records.push((record_no, record));
        Ok(())
    }
    fn reject(&mut self, record_no: u64, raw: &[u8], reason: String) -> Result<()> {
        self.rejects.push((record_no, raw.to_vec(), reason));
        Ok(())
    }
    fn skip(&mut self, record_no: u64, what: &str) {
        self.skips.push((record_no, what.to_string()));
    }
    fn partial(&mut self, record_no: u64, raw: &[u8]) {
        let raw = String::from_utf8_lossy(raw).into_owned();
        self.partials.push((record_no, raw));
    }
    fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }
    fn truncated(&mut self, message: String) {
        self.truncations.push(message);
    }
    fn repeated_keys(&mut self, record_no: u64) {
        self.repeated_keys.push(record_no);
    }
    fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }
    fn takes_columns(&self) -> bool {
        self.columns
    }
    fn sign_in_row(&mut self, record_no: u64, rows: &Arc<SignInRows>, row: usize) -> Result<()> {
        self.rows.push((record_no, rows.clone(), row));
        Ok(())
    }
}

impl Collect {
    /// Reads `path` (relative to the crate root) with `read`.
    pub fn file(path: &str, read: ReadFn) -> Result<Collect> {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let file = std::fs::File::open(&full).map_err(|e| Error::io(&full, e))?;
        let mut sink = Collect::default();
        read(&mut io::BufReader::new(file), &mut sink)?;
        Ok(sink)
    }

    /// Reads `text` with `read`.
    pub fn text(text: &str, read: ReadFn) -> Result<Collect> {
        let mut sink = Collect::default();
        read(&mut text.as_bytes(), &mut sink)?;
        Ok(sink)
    }

    /// The decoded sign-ins, in input order.
    pub fn sign_ins(&self) -> Vec<&SignIn> {
        self.numbered_sign_ins()
            .into_iter()
            .map(|(_, s)| s)
            .collect()
    }

    /// The sign-ins with their record numbers.
    pub fn numbered_sign_ins(&self) -> Vec<(u64, &SignIn)> {
        self.numbered(|r| match r {
            Record::SignIn(s) => Some(s),
            _ => None,
        })
    }

    /// The audit events with their record numbers.
    pub fn audits(&self) -> Vec<(u64, &AuditEvent)> {
        self.numbered(|r| match r {
            Record::Audit(a) => Some(a),
            _ => None,
        })
    }

    fn numbered<T>(&self, pick: fn(&Record) -> Option<&T>) -> Vec<(u64, &T)> {
        self.records
            .iter()
            .filter_map(|(n, r)| pick(r).map(|x| (*n, x)))
            .collect()
    }

    /// Each reject's record number and reason.
    pub fn reasons(&self) -> Vec<(u64, &str)> {
        self.rejects.iter().map(|r| (r.0, r.2.as_str())).collect()
    }
}

/// The bytes of `data-samples/<rel>`.
pub fn sample(rel: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "data-samples", rel]
        .iter()
        .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
