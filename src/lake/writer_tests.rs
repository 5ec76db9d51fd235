//! The run writer's commits: deduplication across date partitions and runs, ids compared
//! trimmed and ignoring case (evidence-rules §3).

use std::path::Path;
use std::sync::Arc;

use arrow::array::AsArray;
use chrono::{TimeZone, Utc};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::*;
use crate::lake::files::table_files;
use crate::schema::{AuthDetail, EventType};

fn sign_in(id: &str, day: u32, hour: u32, details: usize) -> Record {
    let at = Utc.with_ymd_and_hms(2026, 11, day, hour, 59, 0).unwrap();
    let mut s = SignIn::new(id.into(), at, EventType::InteractiveUser);
    s.authentication_details = vec![AuthDetail::default(); details];
    Record::SignIn(Box::new(s))
}

/// The tenant the tests' inputs are given.
const T: &str = "t1";

/// One ingest run of one input holding `records`, given the tenant `T`.
fn run(lake: &Path, input: &str, records: Vec<Record>) -> RunOutcome {
    run_as(lake, input, records, Some(T)).unwrap()
}

/// One ingest run of one input holding `records`, given `tenant`.
fn run_as(
    lake: &Path,
    input: &str,
    records: Vec<Record>,
    tenant: Option<&str>,
) -> Result<RunOutcome> {
    let mut w = RunWriter::begin(Layout::new(lake))?;
    let file: Arc<str> = Arc::from(input);
    for (i, r) in records.into_iter().enumerate() {
        let origin = Origin {
            source_format: "graph",
            source_file: file.clone(),
            source_record: i as u64 + 1,
            tenant: tenant.map(Arc::from),
        };
        w.push(r, origin)?;
    }
    w.finish_input(InputEntry {
        path: input.into(),
        size: 0,
        sha256: input.into(),
        formats: vec!["graph".into()],
        tenants: Vec::new(),
        run: 0,
        counts: Counts::default(),
        warnings: Vec::new(),
    })?;
    w.finish()
}

/// Every sign-in row of tenant `T`: (partition, id, details), sorted.
fn rows(lake: &Path) -> Vec<(String, String, usize)> {
    rows_of(lake, T)
}

/// Every sign-in row of `tenant`: (partition, id, details), sorted.
fn rows_of(lake: &Path, tenant: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for file in table_files(&Layout::new(lake), Table::SignIns, tenant).unwrap() {
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
    assert!(!lake.join("sign_ins/tenant_id=t1/date=2026-11-03").exists());
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

/// A sign-in that names its tenant, as an Azure Monitor record does.
fn named(id: &str, tenant: &str) -> Record {
    let mut r = sign_in(id, 1, 10, 1);
    if let Record::SignIn(s) = &mut r {
        s.tenant_id = Some(tenant.into());
    }
    r
}

#[test]
fn the_same_id_in_two_tenants_is_two_rows() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path();
    let first = run(lake, "a.json", vec![sign_in("same", 1, 10, 1)]);
    let second = run_as(lake, "b.json", vec![named("same", "t2")], None).unwrap();
    assert_eq!(
        (first.duplicates_dropped, second.duplicates_dropped),
        (0, 0)
    );
    let one = ("date=2026-11-01".to_string(), "same".to_string(), 1);
    assert_eq!(rows_of(lake, "t1"), std::slice::from_ref(&one));
    assert_eq!(rows_of(lake, "t2"), [one]);
    let manifest = Manifest::load(&Layout::new(lake).manifest()).unwrap();
    let tenants: Vec<Vec<String>> = manifest.inputs.iter().map(|i| i.tenants.clone()).collect();
    assert_eq!(tenants, [vec!["t1".to_string()], vec!["t2".to_string()]]);
}

#[test]
fn a_record_without_a_tenant_takes_the_only_one_of_the_lake_with_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path();
    // The record naming the tenant comes after the one that names none.
    run_as(
        lake,
        "a.json",
        vec![sign_in("first", 1, 9, 0), named("second", "t2")],
        None,
    )
    .unwrap();
    assert_eq!(rows_of(lake, "t2").len(), 2);
    // A later run with no tenant at all takes the lake's only one, without a rewrite.
    run_as(lake, "b.json", vec![sign_in("third", 2, 9, 0)], None).unwrap();
    assert_eq!(rows_of(lake, "t2").len(), 3);
}

#[test]
fn no_tenant_or_two_tenants_is_refused_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path();
    let err = run_as(lake, "a.json", vec![sign_in("x", 1, 9, 0)], None).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "a.json: record 1 names no tenant and its input was given none; neither the lake \
             nor any record of this run names a tenant."
        ),
        "{err}"
    );
    assert!(matches!(err, Error::Tenant(_)));
    assert!(
        Manifest::load(&Layout::new(lake).manifest())
            .unwrap()
            .inputs
            .is_empty()
    );
    run(lake, "b.json", vec![sign_in("y", 1, 9, 0)]);
    run_as(lake, "c.json", vec![named("z", "t2")], None).unwrap();
    let err = run_as(lake, "d.json", vec![sign_in("w", 1, 9, 0)], None).unwrap_err();
    assert!(
        err.to_string()
            .contains("the lake with this run holds several tenants (t1, t2)"),
        "{err}"
    );
    assert_eq!(rows_of(lake, "t1").len() + rows_of(lake, "t2").len(), 2);
}
