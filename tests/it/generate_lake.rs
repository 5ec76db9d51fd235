//! `generate --lake`: the archive streamed into a lake without being written gives the
//! lake that ingesting the written archive gives — the same rows in the same order (ingest
//! sequence included), the same inputs and hashes in the manifest, the same answers.

use std::path::Path;

use crate::common::{TENANT, run, run_ok, text};

/// `mfaproof query --format json SQL`.
fn query(lake: &Path, sql: &str) -> String {
    let out = run_ok([
        "query",
        "--lake",
        lake.to_str().unwrap(),
        "--format",
        "json",
        sql,
    ]);
    String::from_utf8(out.stdout).unwrap()
}

/// Every column of both log tables but where each row was read from and when, the
/// classification, and the manifest's inputs (name below the archive, hash, size).
fn lake_contents(lake: &Path, archive_prefix: &str) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(lake.join("manifest.json")).unwrap())
            .unwrap();
    let inputs: Vec<String> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let path = i["path"].as_str().unwrap();
            let rel = path.strip_prefix(archive_prefix).unwrap_or(path);
            format!("{rel} {} {}", i["sha256"], i["size"])
        })
        .collect();
    let export = lake.with_extension("classified.csv");
    run_ok([
        "classify",
        "--lake",
        lake.to_str().unwrap(),
        "--out",
        export.to_str().unwrap(),
    ]);
    vec![
        query(
            lake,
            "SELECT * EXCLUDE (source_file, ingested_at) FROM sign_ins ORDER BY ingest_seq",
        ),
        query(
            lake,
            "SELECT * EXCLUDE (source_file, ingested_at) FROM audit_events ORDER BY ingest_seq",
        ),
        std::fs::read_to_string(export).unwrap(),
        inputs.join("\n"),
    ]
}

/// Generates `format` twice, written then ingested, and streamed into a lake; the two
/// lakes and answers must agree.
fn streamed_equals_written(format: &str, tenants: u32) {
    let dir = tempfile::tempdir().unwrap();
    let (written, streamed) = (dir.path().join("written"), dir.path().join("streamed"));
    let common = [
        "--sign-ins",
        "1500",
        "--seed",
        "7",
        "--format",
        format,
        "--tenants",
        &tenants.to_string(),
    ];
    let mut args = vec!["generate", "--out", written.to_str().unwrap()];
    args.extend(common);
    run_ok(&args);
    let from_files = dir.path().join("from-files");
    let mut ingest = vec!["ingest", "--lake", from_files.to_str().unwrap()];
    let folders: Vec<String> = if tenants == 1 {
        ingest.extend(["--tenant", TENANT]);
        vec![written.join(format).display().to_string()]
    } else {
        let mut ids: Vec<String> = std::fs::read_dir(&written)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.display().to_string())
            .collect();
        ids.sort();
        ids
    };
    ingest.extend(folders.iter().map(String::as_str));
    run_ok(&ingest);

    let from_stream = dir.path().join("from-stream");
    let mut args = vec!["generate", "--out", streamed.to_str().unwrap()];
    args.extend(["--lake", from_stream.to_str().unwrap()]);
    args.extend(common);
    let out = run_ok(&args);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("(never written) into the lake"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_dir(&streamed).unwrap().count(),
        1,
        "only truth.csv is written"
    );
    assert_eq!(
        std::fs::read(streamed.join("truth.csv")).unwrap(),
        std::fs::read(written.join("truth.csv")).unwrap()
    );
    let prefix = format!("{}/", written.display());
    let (a, b) = (
        lake_contents(&from_files, &prefix),
        lake_contents(&from_stream, ""),
    );
    let sign_ins = 1500 * tenants as usize;
    assert_eq!(a[0].lines().count(), sign_ins, "one row per distinct id");
    for (what, (x, y)) in ["sign-ins", "audit events", "classification", "inputs"]
        .iter()
        .zip(a.iter().zip(&b))
    {
        assert!(
            x == y,
            "{format}: the {what} differ:\nwritten:\n{x}\nstreamed:\n{y}"
        );
    }
}

#[test]
fn a_graph_archive_streamed_into_a_lake_equals_the_written_one_ingested() {
    streamed_equals_written("graph", 1);
}

#[test]
fn an_azure_monitor_archive_of_two_tenants_streamed_equals_the_written_one_ingested() {
    streamed_equals_written("azure-monitor", 2);
}

#[test]
fn a_log_analytics_archive_streamed_equals_the_written_one_ingested() {
    streamed_equals_written("log-analytics", 1);
}

#[test]
fn what_cannot_be_streamed_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let lake = dir.path().join("lake");
    let (out, lake) = (out.to_str().unwrap(), lake.to_str().unwrap());
    let base = ["generate", "--sign-ins", "10", "--out", out, "--lake", lake];
    for extra in [
        &["--format", "portal"][..],
        &["--format", "graph", "--tenants", "2"][..],
    ] {
        let mut args = base.to_vec();
        args.extend(extra);
        let got = run(&args);
        assert_eq!(got.status.code(), Some(2), "{extra:?}: {}", text(&got));
        assert!(!Path::new(lake).exists(), "{extra:?}: no lake is left");
    }
    std::fs::create_dir(lake).unwrap();
    let got = run(base);
    assert_eq!(got.status.code(), Some(2), "{}", text(&got));
    assert!(
        String::from_utf8_lossy(&got.stderr).contains("already exists"),
        "{}",
        text(&got)
    );
}
