//! The lake-facing integration scenarios on a folder lake and on a lake in Azurite, each
//! run once per backend from one function (see `backend.rs`), the lake read only through
//! the binary: every sample ingested, classified and evaluated (the same bytes on both),
//! a re-ingest that does nothing, dedup across runs, quarantine.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::backend::{Backends, Lake};
use crate::common::{
    EXPORT_HEADER, TENANT, dedup_runs, mixed_records, samples, stderr, write_lines,
};

/// The rows of every table and the distinct ids of the two logs, in one row.
pub const TABLE_COUNTS: &str = "SELECT \
    (SELECT count(*) FROM sign_ins) AS sign_ins, \
    (SELECT count(DISTINCT id) FROM sign_ins) AS sign_in_ids, \
    (SELECT count(*) FROM audit_events) AS audit_events, \
    (SELECT count(DISTINCT id) FROM audit_events) AS audit_ids, \
    (SELECT count(*) FROM mfa_state_snapshots) AS mfa_state_snapshots, \
    (SELECT count(*) FROM security_defaults_snapshots) AS security_defaults_snapshots, \
    (SELECT count(*) FROM ca_policies) AS ca_policies, \
    (SELECT count(*) FROM named_locations) AS named_locations, \
    (SELECT count(*) FROM directory_users) AS directory_users, \
    (SELECT count(*) FROM user_registrations) AS user_registrations, \
    (SELECT count(*) FROM directory_groups) AS directory_groups, \
    (SELECT count(*) FROM role_assignments) AS role_assignments";

/// [`TABLE_COUNTS`] of a lake of `data-samples/` (the 39 snapshot rows of
/// `tests/it/samples.rs` are the last eight; 27 audit events read, 21 kept).
const SAMPLE_TABLES: &str = r#"{"sign_ins":80,"sign_in_ids":80,"audit_events":21,"audit_ids":21,"mfa_state_snapshots":3,"security_defaults_snapshots":1,"ca_policies":14,"named_locations":3,"directory_users":7,"user_registrations":7,"directory_groups":3,"role_assignments":1}"#;

/// How many inputs of a summary have each status.
fn statuses(summary: &Value) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for input in summary["inputs"].as_array().expect("inputs") {
        let status = input["status"].as_str().expect("a status").to_owned();
        *out.entry(status).or_default() += 1;
    }
    out
}

fn by_status<const N: usize>(pairs: [(&str, usize); N]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

/// The run's counts as `ingest` prints them, and the duplicates dropped.
fn counts(summary: &Value) -> Value {
    let mut counts = summary["counts"].clone();
    counts["duplicates_dropped"] = summary["duplicates_dropped"].clone();
    counts
}

/// What the binary said of a lake of every sample: the ingest summary (the lake's name
/// aside), the classification, the report's files (its time and the lake's name replaced).
#[derive(Debug, PartialEq)]
struct Said {
    summary: Value,
    classified: String,
    report: BTreeMap<String, String>,
}

/// Every sample ingested as `mfaproof run` does (`tests/it/samples.rs`, the same counts),
/// classified and evaluated; then the same inputs again change nothing.
fn all_samples(lake: &Lake, out: &Path) -> Said {
    let on = lake.backend();
    let (_, mut summary) = lake.ingest_json([samples()]);
    let ingested = by_status([("ingested", 46), ("skipped", 6)]);
    assert_eq!(statuses(&summary), ingested, "{on}");
    assert_eq!(
        counts(&summary),
        serde_json::json!({"records": 162, "sign_ins": 96, "audit_events": 27, "snapshots": 39,
            "quarantined": 0, "skipped": {"category ProvisioningLogs": 1}, "partial": 1,
            "truncated": 0, "repeated_keys": 1, "duplicates_dropped": 22}),
        "{on}"
    );
    assert_eq!(
        lake.query("json", TABLE_COUNTS).trim_end(),
        SAMPLE_TABLES,
        "{on}"
    );

    let csv = out.join("classified.csv");
    lake.ok("classify", [Path::new("--out"), &csv]);
    let classified = fs::read_to_string(&csv).unwrap();
    assert_eq!(classified.lines().next(), Some(EXPORT_HEADER), "{on}");
    assert_eq!(
        classified.lines().count(),
        81,
        "{on}: 80 sign-ins and a header"
    );
    let report = out.join("report");
    lake.ok("evaluate", [Path::new("--out"), &report]);
    let report = report_files(&report, &lake.shown());
    let json: Value = serde_json::from_str(&report["report.json"]).unwrap();
    assert_eq!(json["verdict"], "not_compliant", "{on}");
    assert_eq!(json["sign_ins"]["count"], 80, "{on}");
    assert_eq!(
        report["findings.csv"].lines().count(),
        23,
        "{on}: 22 and a header"
    );

    let (_, again) = lake.ingest_json([samples()]);
    let already = by_status([("already-ingested", 46), ("skipped", 6)]);
    assert_eq!(statuses(&again), already, "{on}");
    assert_eq!(again["counts"]["records"], 0, "{on}");
    assert_eq!(again["duplicates_dropped"], 0, "{on}");
    assert_eq!(
        lake.query("json", TABLE_COUNTS).trim_end(),
        SAMPLE_TABLES,
        "{on}"
    );

    summary["lake"] = Value::Null;
    Said {
        summary,
        classified,
        report,
    }
}

/// The report's files but SHA256SUMS (which sums the time), the time it was generated and
/// the lake's name replaced by `GENERATED` and `LAKE`.
fn report_files(report: &Path, lake: &str) -> BTreeMap<String, String> {
    let json: Value = serde_json::from_slice(&fs::read(report.join("report.json")).unwrap())
        .expect("report.json");
    let generated = json["generated_at"].as_str().expect("generated_at");
    let mut files = BTreeMap::new();
    for entry in fs::read_dir(report).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name != "SHA256SUMS" {
            let text = fs::read_to_string(&path).unwrap();
            let text = text.replace(generated, "GENERATED").replace(lake, "LAKE");
            files.insert(name, text);
        }
    }
    files
}

/// Issue 18: the same samples on a folder lake and in the emulator give the same exact
/// counts, a byte-identical classification and findings.csv, and reports that differ only
/// in the lake's name and the time; a second ingest of them does nothing on either.
#[test]
fn every_sample_ingests_classifies_and_evaluates_alike_on_both_backends() {
    let test = "every_sample_ingests_classifies_and_evaluates_alike_on_both_backends";
    let backends = Backends::start(test);
    let said: Vec<(&str, Said)> = backends
        .lakes("samples")
        .iter()
        .map(|lake| {
            let out = backends.dir().join(format!("out-{}", lake.backend()));
            fs::create_dir(&out).unwrap();
            (lake.backend(), all_samples(lake, &out))
        })
        .collect();
    for (backend, other) in &said[1..] {
        let (_, folder) = &said[0];
        assert_eq!(other.classified, folder.classified, "{backend}: the export");
        assert_eq!(other.report, folder.report, "{backend}: the report");
        assert_eq!(other.summary, folder.summary, "{backend}: the summary");
    }
}

/// Evidence rules §3, as `ingest.rs` checks on a folder: within a file the version with
/// the most authentication details wins, then the later; across runs the same.
#[test]
fn dedup_across_runs_keeps_the_same_winners_on_both_backends() {
    let backends = Backends::start("dedup_across_runs_keeps_the_same_winners_on_both_backends");
    let [first, second] = dedup_runs();
    let first = write_lines(&backends.dir().join("first.json"), &first);
    let second = write_lines(&backends.dir().join("second.json"), &second);
    for lake in backends.lakes("dedup") {
        for input in [&first, &second] {
            lake.ok("ingest", [Path::new("--tenant"), Path::new(TENANT), input]);
        }
        let kept = lake.query(
            "csv",
            "SELECT id, user_display_name, array_length(authentication_details) AS details \
             FROM sign_ins ORDER BY id",
        );
        assert_eq!(
            kept,
            "id,user_display_name,details\na,a-complete,2\nb,b-later-run,1\nc,c-complete,2\n",
            "{}",
            lake.backend()
        );
    }
}

/// A malformed record and a record with a value of the wrong type beside good ones: the
/// good ones are ingested; the bad ones are named with their file, record number and
/// reason, kept in one quarantine object, and the report names the input as a hole.
#[test]
fn bad_records_are_quarantined_and_the_rest_ingested_on_both_backends() {
    let backends =
        Backends::start("bad_records_are_quarantined_and_the_rest_ingested_on_both_backends");
    let input = write_lines(&backends.dir().join("mixed.json"), &mixed_records());
    let file = input.display().to_string();
    for lake in backends.lakes("quarantine") {
        let on = lake.backend();
        let (out, summary) = lake.ingest_json([Path::new("--tenant"), Path::new(TENANT), &input]);
        assert_eq!(
            stderr(&out),
            format!(
                "warning: {file}: record 2: malformed JSON: key must be a string at line 1 column 2 (quarantined)\n\
                 warning: {file}: record 3: unreadable value: expected an integer, found \"fifty\" at line 1 column 88 (quarantined)\n"
            ),
            "{on}"
        );
        assert_eq!(
            (
                &summary["counts"]["sign_ins"],
                &summary["counts"]["quarantined"]
            ),
            (&2.into(), &2.into()),
            "{on}"
        );
        let ids = lake.query("csv", "SELECT id FROM sign_ins ORDER BY id");
        assert_eq!(ids, "id\nok1\nok2\n", "{on}");
        assert_eq!(
            lake.objects("quarantine/"),
            ["quarantine/run-000001-1.ndjson"],
            "{on}"
        );
        let report = backends.dir().join(format!("report-{on}"));
        lake.ok(
            "evaluate",
            [
                Path::new("--out"),
                &report,
                Path::new("--format"),
                Path::new("json"),
            ],
        );
        let json: Value = serde_json::from_slice(&fs::read(report.join("report.json")).unwrap())
            .expect("report.json");
        let holes = &json["requirements"][5]["figures"]["holes"];
        let quarantined: Vec<(&Value, &Value)> = holes
            .as_array()
            .expect("holes")
            .iter()
            .filter(|h| h["kind"] == "quarantined_records")
            .map(|h| (&h["what"], &h["prevents"]))
            .collect();
        assert_eq!(quarantined.len(), 1, "{on}: {holes}");
        assert_eq!(quarantined[0].0, &Value::from(file.as_str()), "{on}");
        let prevents = quarantined[0].1.as_str().unwrap();
        assert!(
            prevents.starts_with("2 record(s) could not be read"),
            "{on}: {prevents}"
        );
    }
}
