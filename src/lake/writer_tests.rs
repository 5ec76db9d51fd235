//! The run writer's commits: deduplication across date partitions and runs, ids compared
//! trimmed and ignoring case (evidence-rules §3).

use std::sync::Arc;

use arrow::array::AsArray;
use chrono::{TimeZone, Utc};

use super::*;
use crate::lake::files::table_files;
use crate::lake::parquet_file;
use crate::schema::{AuthDetail, EventType, SignIn};
use crate::storage::Location;

/// Runs `scenario` on a lake in a local folder, then on one in an object store (the
/// in-memory one: the remote code path without a server).
fn on_both(scenario: fn(&Location)) {
    let dir = tempfile::tempdir().unwrap();
    scenario(&Location::local(dir.path()));
    let (_runtime, lake) = crate::lake::test_store::memory();
    scenario(&lake);
}

pub(super) fn sign_in(id: &str, day: u32, hour: u32, details: usize) -> Record {
    let at = Utc.with_ymd_and_hms(2026, 11, day, hour, 59, 0).unwrap();
    let mut s = SignIn::new(id.into(), at, EventType::InteractiveUser);
    s.authentication_details = vec![AuthDetail::default(); details];
    Record::SignIn(Box::new(s))
}

/// The tenant the tests' inputs are given.
const T: &str = "t1";

/// One ingest run of one input holding `records`, given the tenant `T`.
fn run(lake: &Location, input: &str, records: Vec<Record>) -> RunOutcome {
    run_as(lake, input, records, Some(T)).unwrap()
}

/// One ingest run of one input holding `records`, given `tenant`.
pub(super) fn run_as(
    lake: &Location,
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
    w.finish_input(entry(input))?;
    w.finish()
}

/// Every sign-in row of tenant `T`: (partition, id, details), sorted.
pub(super) fn rows(lake: &Location) -> Vec<(String, String, usize)> {
    rows_of(lake, T)
}

/// Every sign-in row of `tenant`: (partition, id, details), sorted.
pub(super) fn rows_of(lake: &Location, tenant: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let layout = Layout::new(lake);
    for file in table_files(&layout, Table::SignIns, tenant).unwrap() {
        let mut parts = file.rsplit('/');
        let partition = parts.nth(1).unwrap().to_owned();
        let reader = parquet_file::reader(&layout.at(&file), 8192, |_| None).unwrap();
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
    on_both(settled);
}

fn settled(lake: &Location) {
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
    let third_day = lake.join("sign_ins/tenant_id=t1/date=2026-11-03");
    assert!(third_day.list().unwrap().is_empty());
}

#[test]
fn within_a_run_a_tie_across_partitions_goes_to_the_later_version() {
    on_both(tie);
}

fn tie(lake: &Location) {
    let outcome = run(
        lake,
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
        rows(lake),
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
    on_both(two_tenants);
}

fn two_tenants(lake: &Location) {
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
    on_both(only_tenant);
}

fn only_tenant(lake: &Location) {
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
    on_both(refused);
}

fn refused(lake: &Location) {
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

/// A run of one input holding `records`, given the tenant `T`, that stops at `stage` of
/// its first commit as a killed process would: the writer panics out there and nothing
/// after that point is done.
fn crash_at(lake: &Location, input: &str, records: Vec<Record>, stage: CommitStage) {
    let hook: FaultHook = Arc::new(move |p: CommitPoint| {
        if p.stage == stage {
            std::panic::resume_unwind(Box::new("crash"));
        }
    });
    let options = WriterOptions {
        fault_hook: Some(hook),
        tenant: Some(T.into()),
        ..WriterOptions::default()
    };
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut w = RunWriter::begin_with(Layout::new(lake), options).unwrap();
        let file: Arc<str> = Arc::from(input);
        for (i, r) in records.into_iter().enumerate() {
            let origin = Origin {
                source_format: "graph",
                source_file: file.clone(),
                source_record: i as u64 + 1,
                tenant: None,
            };
            w.push(r, origin).unwrap();
        }
        w.quarantine(input, 9, b"{not json", "not JSON").unwrap();
        w.finish_input(entry(input)).unwrap();
        w.finish().unwrap();
    }));
    assert!(crashed.is_err(), "the run passed {stage:?}");
}

fn entry(input: &str) -> InputEntry {
    InputEntry {
        path: input.into(),
        size: 0,
        sha256: input.into(),
        formats: vec!["graph".into()],
        tenants: Vec::new(),
        run: 0,
        counts: Counts::default(),
        warnings: Vec::new(),
    }
}

fn inputs(lake: &Location) -> Vec<String> {
    let manifest = Manifest::load(&Layout::new(lake).manifest()).unwrap();
    manifest.inputs.into_iter().map(|i| i.path).collect()
}

/// After a crash at each point of a commit, a reader sees the commit whole or not at all,
/// and the next run leaves no staged or journaled file behind; on an object store too,
/// where a move is a copy then a delete and a replay may find the copy done.
#[test]
fn a_commit_stopped_at_any_point_is_whole_or_absent() {
    on_both(stopped);
}

fn stopped(root: &Location) {
    let before = [
        ("date=2026-11-01".to_string(), "a".to_string(), 0),
        ("date=2026-11-01".to_string(), "dup".to_string(), 0),
    ];
    let after = [
        ("date=2026-11-01".to_string(), "a".to_string(), 0),
        ("date=2026-11-02".to_string(), "b".to_string(), 0),
        ("date=2026-11-02".to_string(), "dup".to_string(), 2),
    ];
    let cases = [
        (CommitStage::Staged, false, false),
        (CommitStage::Journaled, false, true),
        (CommitStage::Journaled, true, true),
        (CommitStage::Renamed, false, true),
    ];
    for (n, (stage, copied, applied)) in cases.into_iter().enumerate() {
        let lake = &root.join(&format!("case-{n}"));
        run(
            lake,
            "a.json",
            vec![sign_in("a", 1, 10, 0), sign_in("dup", 1, 11, 0)],
        );
        let second = vec![sign_in("dup", 2, 1, 2), sign_in("b", 2, 2, 0)];
        crash_at(lake, "b.json", second, stage);
        let layout = Layout::new(lake);
        if copied {
            // A move interrupted between its copy and its delete: both objects exist.
            let bytes = layout
                .journal()
                .join("commit.json")
                .read()
                .unwrap()
                .unwrap();
            let journal: commit::Journal = serde_json::from_slice(&bytes).unwrap();
            let (from, to) = &journal.renames[0];
            let staged = layout.at(from).read().unwrap().unwrap();
            layout.at(to).write_atomic(&staged).unwrap();
        }
        // A reader finishes a journaled commit before it reads, and only then.
        assert_eq!(
            commit::finish_interrupted(&layout).unwrap(),
            applied,
            "{stage:?}"
        );
        let (expected, listed): (&[_], &[&str]) = if applied {
            (&after, &["a.json", "b.json"])
        } else {
            (&before, &["a.json"])
        };
        assert_eq!(rows(lake), expected, "{stage:?}");
        assert_eq!(inputs(lake), listed, "{stage:?}");
        let quarantined = layout.quarantine().list().unwrap();
        assert_eq!(quarantined.len(), usize::from(applied), "{stage:?}");
        // The next run discards what the crashed one staged; nothing is left behind.
        run(lake, "c.json", vec![sign_in("c", 3, 1, 0)]);
        assert!(layout.staging().list().unwrap().is_empty(), "{stage:?}");
        assert!(layout.journal().list().unwrap().is_empty(), "{stage:?}");
        assert_eq!(rows(lake).len(), expected.len() + 1, "{stage:?}");
    }
}

/// The quarantine file of a commit holds each rejected record, verbatim, with its
/// position and reason, on an object store as on disk.
#[test]
fn quarantined_records_are_committed_with_their_run() {
    on_both(quarantined);
}

fn quarantined(lake: &Location) {
    let mut w = RunWriter::begin(Layout::new(lake)).unwrap();
    w.quarantine("q.json", 3, b"{\"id\": ", "unexpected end")
        .unwrap();
    w.finish_input(entry("q.json")).unwrap();
    w.finish().unwrap();
    let file = Layout::new(lake).quarantine().join("run-000001-1.ndjson");
    let text = String::from_utf8(file.read().unwrap().unwrap()).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(line["file"], "q.json");
    assert_eq!(line["record"], 3);
    assert_eq!(line["reason"], "unexpected end");
    assert_eq!(line["raw"], "{\"id\": ");
    assert_eq!(inputs(lake), ["q.json"]);
}
