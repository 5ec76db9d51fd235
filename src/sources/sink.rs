//! The interface every source reports through: records, rejects, skips, partial lines,
//! remarks and repeated keys, each with its record number.

use std::sync::Arc;

use crate::schema::{Record, SignInRows};
use crate::sources::{Error, Result};

/// Where a source reports what it found. Record numbers are 1-based: the line for
/// line-oriented inputs (JSON Lines, CSV data rows count from the header's line + 1), the
/// element index for JSON arrays and `value`/`records` envelopes.
pub trait Sink {
    /// A decoded record.
    fn record(&mut self, record_no: u64, record: Record) -> Result<()>;
    /// A record that could not be decoded; it goes to quarantine with its raw bytes.
    fn reject(&mut self, record_no: u64, raw: &[u8], reason: String) -> Result<()>;
    /// A record deliberately not ingested (another log category, …), counted by `what`.
    fn skip(&mut self, record_no: u64, what: &str);
    /// The unterminated last line of a blob that is still being written: not an error; the
    /// completed blob, ingested again later, delivers it.
    fn partial(&mut self, record_no: u64, raw: &[u8]);
    /// A file-level remark for the user (low-fidelity source, missing companion file).
    fn warn(&mut self, message: String);
    /// The input stops where its download is capped, so it probably lacks records: said
    /// like a remark, and counted (the report names it as a hole in the evidence).
    fn truncated(&mut self, message: String) {
        self.warn(message);
    }
    /// The record just handed to [`Sink::record`] repeated a key in one of its JSON
    /// objects; the last occurrence was used (input-formats §1). Counted, not rejected.
    /// A sink that keeps no counts may ignore it.
    fn repeated_keys(&mut self, _record_no: u64) {}
    /// The tenant given for this input (`ingest --tenant`, a pull's tenant, an Azure
    /// Monitor blob's `tenantId=` folder), in `schema::tenant` form: a record that names
    /// another tenant is rejected (see [`offer`]).
    fn tenant(&self) -> Option<&str> {
        None
    }
    /// Whether this sink takes decoded sign-ins as columns ([`Sink::sign_in_row`]): the
    /// Graph source then decodes sign-ins with borrowed strings straight into Arrow
    /// arrays, one [`SignInRows`] per batch of input, instead of into records.
    fn takes_columns(&self) -> bool {
        false
    }
    /// A decoded sign-in: row `row` of `rows`. Called only when [`Sink::takes_columns`];
    /// it stands for [`Sink::record`] of the same sign-in, in the same order.
    fn sign_in_row(&mut self, record_no: u64, rows: &Arc<SignInRows>, row: usize) -> Result<()> {
        let _ = (record_no, rows, row);
        Err(Error::Internal(
            "a sink that takes records was given decoded columns".into(),
        ))
    }
}

/// Hands `record` to `sink`, unless it names a tenant other than the one given for the
/// input: then it is rejected with its raw bytes and both tenants named. Returns whether
/// the record was taken.
pub fn offer(sink: &mut dyn Sink, record_no: u64, record: Record, raw: &[u8]) -> Result<bool> {
    let reason = record
        .tenant()
        .and_then(|carried| crate::schema::tenant::mismatch(carried, sink.tenant()));
    match reason {
        Some(reason) => sink.reject(record_no, raw, reason).map(|()| false),
        None => sink.record(record_no, record).map(|()| true),
    }
}
