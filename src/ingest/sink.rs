//! The `Sink` one input file's records flow into: hands records to the run writer,
//! quarantines rejects, counts everything, and tells the observer what the user must know.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Event, Level, Observer};
use crate::lake;
use crate::lake::{Counts, Origin, RunWriter};
use crate::schema::{Record, SignInRows};
use crate::sources::{self, Format, Sink};

/// Reject messages printed per file before the rest are only counted.
const REJECTS_SHOWN: u64 = 10;

/// Records between two progress events.
const PROGRESS_EVERY: u64 = 16 * 1024;

pub struct FileSink<'a> {
    writer: &'a mut RunWriter,
    file: Arc<str>,
    format: &'static str,
    counter: &'a Arc<AtomicU64>,
    records: &'a mut u64,
    observer: &'a mut dyn Observer,
    counts: Counts,
    messages: Vec<String>,
    /// The tenant given for this input: the run's (`--tenant`), else an Azure Monitor
    /// blob's `tenantId=` folder.
    tenant: Option<Arc<str>>,
}

impl<'a> FileSink<'a> {
    pub fn new(
        writer: &'a mut RunWriter,
        file: &str,
        format: Format,
        counter: &'a Arc<AtomicU64>,
        records: &'a mut u64,
        observer: &'a mut dyn Observer,
    ) -> FileSink<'a> {
        let tenant = match writer.tenant() {
            Some(t) => Some(Arc::from(t)),
            None if format == Format::AzureMonitor => blob_tenant(file).map(Arc::from),
            None => None,
        };
        FileSink {
            tenant,
            writer,
            file: Arc::from(file),
            format: format.as_str(),
            counter,
            records,
            observer,
            counts: Counts::default(),
            messages: Vec::new(),
        }
    }

    /// The counts and messages of this file.
    pub fn finish(mut self) -> (Counts, Vec<String>) {
        if self.counts.repeated_keys > 0 {
            let text = format!(
                "{}: {} record(s) repeat a key in one of their objects; the last occurrence was read",
                self.file, self.counts.repeated_keys
            );
            self.say(Level::Info, text);
        }
        if self.counts.quarantined > REJECTS_SHOWN {
            self.observer.event(Event::Message {
                level: Level::Warning,
                text: format!(
                    "{}: {} records quarantined in all ({} shown)",
                    self.file, self.counts.quarantined, REJECTS_SHOWN
                ),
            });
        }
        self.observer.event(Event::Progress {
            bytes: self.counter.load(Ordering::Relaxed),
            records: *self.records,
        });
        (self.counts, self.messages)
    }

    fn say(&mut self, level: Level, text: String) {
        self.observer.event(Event::Message {
            level,
            text: text.clone(),
        });
        self.messages.push(text);
    }
}

/// The lake's error, passed through the source to [`ingest`](super) (which takes it back).
fn sink_error(e: lake::Error) -> sources::Error {
    sources::Error::Sink(Box::new(e))
}

impl FileSink<'_> {
    /// Counts one more record and says how far the input is, now and then.
    fn counted(&mut self) {
        self.counts.records += 1;
        *self.records += 1;
        if self.records.is_multiple_of(PROGRESS_EVERY) {
            self.observer.event(Event::Progress {
                bytes: self.counter.load(Ordering::Relaxed),
                records: *self.records,
            });
        }
    }

    fn origin(&self, record_no: u64) -> Origin {
        Origin {
            source_format: self.format,
            source_file: self.file.clone(),
            source_record: record_no,
            tenant: self.tenant.clone(),
        }
    }
}

impl Sink for FileSink<'_> {
    fn record(&mut self, record_no: u64, record: Record) -> sources::Result<()> {
        match &record {
            Record::SignIn(_) => self.counts.sign_ins += 1,
            Record::Audit(_) => self.counts.audit_events += 1,
            Record::MfaState(_) | Record::SecurityDefaults(_) | Record::Directory(_) => {
                self.counts.snapshots += 1
            }
        }
        self.counted();
        let origin = self.origin(record_no);
        self.writer.push(record, origin).map_err(sink_error)
    }

    fn takes_columns(&self) -> bool {
        true
    }

    fn sign_in_row(
        &mut self,
        record_no: u64,
        rows: &Arc<SignInRows>,
        row: usize,
    ) -> sources::Result<()> {
        self.counts.sign_ins += 1;
        self.counted();
        let origin = self.origin(record_no);
        self.writer
            .push_sign_in_row(rows, row, origin)
            .map_err(sink_error)
    }

    fn reject(&mut self, record_no: u64, raw: &[u8], reason: String) -> sources::Result<()> {
        self.counts.quarantined += 1;
        self.writer
            .quarantine(&self.file, record_no, raw, &reason)
            .map_err(sink_error)?;
        if self.counts.quarantined <= REJECTS_SHOWN {
            let text = format!("{}: record {record_no}: {reason} (quarantined)", self.file);
            self.observer.event(Event::Message {
                level: Level::Warning,
                text,
            });
        }
        Ok(())
    }

    fn skip(&mut self, _record_no: u64, what: &str) {
        *self.counts.skipped.entry(what.to_string()).or_default() += 1;
    }

    fn partial(&mut self, record_no: u64, raw: &[u8]) {
        self.counts.partial += 1;
        let text = format!(
            "{}: record {record_no}: unterminated last line ({} bytes) of a blob still being written; not ingested — ingest the completed blob again later",
            self.file,
            raw.len()
        );
        self.say(Level::Warning, text);
    }

    fn warn(&mut self, message: String) {
        let text = format!("{}: {message}", self.file);
        self.say(Level::Warning, text);
    }

    fn truncated(&mut self, message: String) {
        self.counts.truncated += 1;
        self.warn(message);
    }

    fn repeated_keys(&mut self, _record_no: u64) {
        self.counts.repeated_keys += 1;
    }

    fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }
}

/// The tenant an Azure Monitor blob's path names: its `tenantId=<guid>` folder
/// (`insights-logs-<category>/tenantId=<guid>/y=…/PT1H.json`), or the tenant of a
/// `resourceId=/tenants/<guid>/providers/…` path (the resource form some export settings
/// write), in `schema::tenant` form.
fn blob_tenant(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split(['/', '\\', '!']).collect();
    let mut named = segments.iter().enumerate().filter_map(|(i, segment)| {
        let (key, value) = segment.split_once('=')?;
        if key.eq_ignore_ascii_case("tenantId") {
            return Some(value);
        }
        let resource = key.eq_ignore_ascii_case("resourceId") && value.is_empty();
        if resource && segments.get(i + 1)?.eq_ignore_ascii_case("tenants") {
            segments.get(i + 2).copied()
        } else {
            None
        }
    });
    named
        .next_back()
        .and_then(|t| crate::schema::tenant::normalise(t).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_azure_monitor_blob_path_names_its_tenant() {
        let path = "logs/insights-logs-signinlogs/tenantId=0E35EE7A-425D-45A5-9013-218C1EAE8FD4/y=2026/m=11/d=03/h=08/m=00/PT1H.json";
        assert_eq!(
            blob_tenant(path).as_deref(),
            Some("0e35ee7a-425d-45a5-9013-218c1eae8fd4")
        );
        assert_eq!(
            blob_tenant("export.zip!a\\tenantid=abc\\PT1H.json").as_deref(),
            Some("abc")
        );
        assert_eq!(blob_tenant("logs/PT1H.json"), None);
        let resource = "az://insights/insights-logs-signinlogs/resourceId=/TENANTS/0E35EE7A-425D-45A5-9013-218C1EAE8FD4/providers/Microsoft.aadiam/y=2026/m=01/d=02/h=03/m=00/PT1H.json";
        assert_eq!(
            blob_tenant(resource).as_deref(),
            Some("0e35ee7a-425d-45a5-9013-218c1eae8fd4")
        );
        assert_eq!(
            blob_tenant("resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PT1H.json"),
            None,
            "an Azure resource's log names no tenant"
        );
        assert_eq!(
            blob_tenant("tenantId=a b/PT1H.json"),
            None,
            "not a tenant id"
        );
    }
}
