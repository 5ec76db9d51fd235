//! Test support for the CSV readers: a sink that keeps everything it is told, and access
//! to the files under `data-samples/`.

use std::path::PathBuf;

use super::Sink;
use crate::error::Result;
use crate::schema::{AuditEvent, Record, SignIn};

/// Everything a reader reported, in order.
#[derive(Debug, Default)]
pub struct TestSink {
    pub records: Vec<(u64, Record)>,
    pub rejects: Vec<(u64, Vec<u8>, String)>,
    pub skips: Vec<(u64, String)>,
    pub warnings: Vec<String>,
}

impl Sink for TestSink {
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
        panic!("CSV readers never report partial lines ({record_no}: {raw:?})");
    }
    fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }
}

impl TestSink {
    /// The sign-ins with their record numbers.
    pub fn sign_ins(&self) -> Vec<(u64, &SignIn)> {
        self.records
            .iter()
            .filter_map(|(n, r)| match r {
                Record::SignIn(s) => Some((*n, s.as_ref())),
                _ => None,
            })
            .collect()
    }

    /// The audit events with their record numbers.
    pub fn audits(&self) -> Vec<(u64, &AuditEvent)> {
        self.records
            .iter()
            .filter_map(|(n, r)| match r {
                Record::Audit(a) => Some((*n, a.as_ref())),
                _ => None,
            })
            .collect()
    }
}

/// The bytes of `data-samples/<rel>`.
pub fn sample(rel: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "data-samples", rel]
        .iter()
        .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
