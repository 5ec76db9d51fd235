//! Ingest into a lake: deduplication per evidence-rules §3, re-ingest no-op, quarantine,
//! exit status and summary.

use std::fs;

use crate::common::{
    TENANT, dedup_runs, fails, graph_sign_in, ingest, ingest_json, mixed_records, quarantined,
    sign_ins, stderr, temp_lake, write_lines,
};

#[test]
fn dedup_keeps_most_details_then_latest_ingested() {
    let (dir, lake) = temp_lake();
    let [first_run, second_run] = dedup_runs();
    let first = write_lines(&dir.path().join("first.json"), &first_run);
    ingest(&lake, [&first]);
    let second = write_lines(&dir.path().join("second.json"), &second_run);
    ingest(&lake, [&second]);
    let rows = sign_ins(&lake);
    let names: Vec<(&str, &str, usize)> = rows
        .iter()
        .map(|(id, (name, n, _))| (id.as_str(), name.as_str(), *n))
        .collect();
    assert_eq!(
        names,
        vec![
            ("a", "a-complete", 2),
            ("b", "b-later-run", 1),
            ("c", "c-complete", 2)
        ]
    );
}

#[test]
fn same_file_twice_is_a_no_op() {
    let (dir, lake) = temp_lake();
    let input = write_lines(
        &dir.path().join("in.json"),
        &[graph_sign_in("x", "2026-11-03T08:00:00Z", 2, "x")],
    );
    ingest(&lake, [&input]);
    let before = fs::read(lake.join("manifest.json")).unwrap();
    let (_, summary) = ingest_json(&lake, [&input]);
    assert_eq!(summary["inputs"][0]["status"], "already-ingested");
    assert_eq!(summary["counts"]["records"], 0);
    let after: serde_json::Value =
        serde_json::from_slice(&fs::read(lake.join("manifest.json")).unwrap()).unwrap();
    let before: serde_json::Value = serde_json::from_slice(&before).unwrap();
    assert_eq!(before["inputs"], after["inputs"]);
    assert_eq!(sign_ins(&lake).len(), 1);
}

#[test]
fn bad_records_are_quarantined_and_the_rest_ingested() {
    let (dir, lake) = temp_lake();
    let input = write_lines(&dir.path().join("mixed.json"), &mixed_records());
    // A file with bad records still exits 0.
    let (out, summary) = ingest_json(&lake, [&input]);
    let stderr = stderr(&out);
    assert!(stderr.contains("mixed.json: record 2:"), "{stderr}");
    assert!(stderr.contains("mixed.json: record 3:"), "{stderr}");
    assert_eq!(summary["counts"]["sign_ins"], 2);
    assert_eq!(summary["counts"]["quarantined"], 2);
    assert_eq!(sign_ins(&lake).len(), 2);
    let q = quarantined(&lake);
    let records: Vec<i64> = q.iter().map(|v| v["record"].as_i64().unwrap()).collect();
    assert_eq!(records, vec![2, 3]);
    assert_eq!(q[0]["raw"], "{not json");
    assert!(q[1]["reason"].as_str().unwrap().contains("fifty"));
    // Two dates → two partitions of the tenant.
    let tenant = lake.join(format!("sign_ins/tenant_id={TENANT}"));
    assert!(tenant.join("date=2026-11-03").is_dir());
    assert!(tenant.join("date=2026-11-04").is_dir());
}

#[test]
fn unreadable_inputs_exit_2_with_the_file_named() {
    let (dir, lake) = temp_lake();
    let (junk, empty) = (dir.path().join("notes.txt"), dir.path().join("empty.json"));
    fs::write(&junk, "hello\n").unwrap();
    fs::write(&empty, "").unwrap();
    let missing = dir.path().join("missing.json");
    let lake_arg = lake.to_str().unwrap();
    for (input, message) in [
        (
            &junk,
            "not an Entra log export mfaproof recognises (expected Graph JSON, Azure Monitor PT1H.json, Log Analytics CSV, admin center CSV/JSON, or an MFA-state / security-defaults snapshot); use --format to force one",
        ),
        (&empty, "empty file; nothing to ingest"),
    ] {
        let args = [
            "ingest",
            "--json",
            "--lake",
            lake_arg,
            input.to_str().unwrap(),
        ];
        fails(args, 2, &format!("error: {}: {message}\n", input.display()));
    }
    // A path that is not there stops the run before anything is read.
    fails(
        ["ingest", "--lake", lake_arg, missing.to_str().unwrap()],
        2,
        &format!(
            "error: ingesting into {lake_arg}: {}: cannot read input: No such file or directory (os error 2)\n",
            missing.display()
        ),
    );
}

#[test]
fn gzip_and_zip_inputs_and_truncated_gzip() {
    use std::io::Write;
    let (dir, lake) = temp_lake();
    let lines: Vec<String> = (0..50)
        .map(|i| graph_sign_in(&format!("g{i}"), "2026-11-03T08:00:00Z", 1, "gz"))
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all((lines.join("\n") + "\n").as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    fs::write(dir.path().join("in.json.gz"), &gz).unwrap();
    fs::write(dir.path().join("cut.json.gz"), &gz[..gz.len() / 2]).unwrap();
    let zip_path = dir.path().join("in.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    zip.start_file("nested/z.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(graph_sign_in("z1", "2026-11-05T08:00:00Z", 1, "zip").as_bytes())
        .unwrap();
    zip.finish().unwrap();
    let inputs = [
        dir.path().join("in.json.gz"),
        zip_path,
        dir.path().join("cut.json.gz"),
    ];
    let (out, _) = ingest_json(&lake, inputs);
    let stderr = stderr(&out);
    let rows = sign_ins(&lake);
    assert!(rows.contains_key("z1"));
    assert_eq!(rows.keys().filter(|k| k.starts_with('g')).count(), 50);
    assert!(
        stderr.contains("cut.json.gz"),
        "the truncated gzip is reported: {stderr}"
    );
}

/// The Log Analytics query API's `{"tables":[…]}` body is read as Log Analytics rows: a
/// sign-in per row, a row with too few cells quarantined with its reason.
#[test]
fn log_analytics_query_api_response() {
    let (dir, lake) = temp_lake();
    let body = r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"TenantId","type":"string"},{"name":"TimeGenerated","type":"datetime"},{"name":"Id","type":"string"},{"name":"CreatedDateTime","type":"datetime"},{"name":"UserId","type":"string"},{"name":"ResultType","type":"string"},{"name":"Type","type":"string"}],"rows":[["w","2026-11-05T09:00:00Z","qa1","2026-11-05T08:00:00Z","u1","0","SigninLogs"],["w","2026-11-05T09:00:00Z"],["w","2026-11-05T09:01:00Z","qa3","2026-11-05T08:01:00Z","u2","50126","AADNonInteractiveUserSignInLogs"]]}]}"#;
    let input = dir.path().join("query-result.json");
    fs::write(&input, body).unwrap();
    let (_, summary) = ingest_json(&lake, [&input]);
    assert_eq!(summary["counts"]["sign_ins"], 2, "{summary}");
    assert_eq!(summary["counts"]["quarantined"], 1, "{summary}");
    let rows = sign_ins(&lake);
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["qa1", "qa3"]);
}
