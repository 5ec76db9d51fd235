//! The run writer's commits: deduplication across date partitions and runs, ids compared
//! trimmed and ignoring case (evidence-rules §3).

use std::path::Path;
use std::sync::Arc;

use arrow::array::AsArray;
use chrono::{TimeZone, Utc};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::*;
use crate::schema::{AuthDetail, EventType};

fn sign_in(id: &str, day: u32, hour: u32, details: usize) -> Record {
    let at = Utc.with_ymd_and_hms(2026, 11, day, hour, 59, 0).unwrap();
    let mut s = SignIn::new(id.into(), at, EventType::InteractiveUser);
    s.authentication_details = vec![AuthDetail::default(); details];
    Record::SignIn(Box::new(s))
}

/// One ingest run of one input holding `records`.
fn run(lake: &Path, input: &str, records: Vec<Record>) -> RunOutcome {
    let mut w = RunWriter::begin(Layout::new(lake)).unwrap();
    let file: Arc<str> = Arc::from(input);
    for (i, r) in records.into_iter().enumerate() {
        let origin = Origin {
            source_format: "graph",
            source_file: file.clone(),
            source_record: i as u64 + 1,
        };
        w.push(r, origin).unwrap();
    }
    w.finish_input(InputEntry {
        path: input.into(),
        size: 0,
        sha256: input.into(),
        formats: vec!["graph".into()],
        run: 0,
        counts: Counts::default(),
        warnings: Vec::new(),
    })
    .unwrap();
    w.finish().unwrap()
}

/// Every sign-in row of the lake: (partition, id, details), sorted.
fn rows(lake: &Path) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for file in table_files(&Layout::new(lake), Table::SignIns).unwrap() {
        let partition = file.parent().unwrap().file_name().unwrap();
        let partition = partition.to_string_lossy().into_owned();
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&file).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let ids = batch.column_by_name("id").unwrap().as_string::<i32>();
            let details = batch
                .column_by_name("authentication_details")
                .unwrap()
                .as_list::<i32>();
            for r in 0..batch.num_rows() {
                let n = details.value_length(r) as usize;
                out.push((partition.clone(), ids.value(r).to_string(), n));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn versions_of_an_id_in_other_partitions_and_runs_are_settled() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path();
    let first = run(
        lake,
        "a.json",
        vec![sign_in("abc-1", 1, 23, 1), sign_in("keep", 1, 8, 0)],
    );
    assert_eq!(first.duplicates_dropped, 0);
    // Re-emitted after midnight with its MFA details: the other partition's row loses.
    let second = run(lake, "b.json", vec![sign_in(" ABC-1 ", 2, 0, 2)]);
    assert_eq!(second.duplicates_dropped, 1);
    assert_eq!(
        rows(lake),
        [
            ("date=2026-11-01".into(), "keep".into(), 0),
            ("date=2026-11-02".into(), " ABC-1 ".into(), 2),
        ]
    );
    // A later version with fewer details loses wherever it lands.
    let third = run(lake, "c.json", vec![sign_in("Abc-1", 3, 1, 1)]);
    assert_eq!(third.duplicates_dropped, 1);
    assert_eq!(rows(lake).len(), 2);
    assert!(!lake.join("sign_ins/date=2026-11-03").exists());
}

#[test]
fn within_a_run_a_tie_across_partitions_goes_to_the_later_version() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run(
        dir.path(),
        "a.json",
        vec![
            sign_in("x", 1, 10, 1),
            sign_in("y", 1, 11, 0),
            sign_in("X", 2, 10, 1),
            sign_in("x ", 1, 12, 0),
        ],
    );
    assert_eq!(outcome.duplicates_dropped, 2);
    assert_eq!(
        rows(dir.path()),
        [
            ("date=2026-11-01".into(), "y".into(), 0),
            ("date=2026-11-02".into(), "X".into(), 1),
        ]
    );
}
