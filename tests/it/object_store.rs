//! Inputs and lakes in object storage, against Azurite started by each test (see
//! `tests/support/azurite.rs`); the binary gets the environment a user would set
//! (`AZURE_STORAGE_USE_EMULATOR`, `AZURITE_BLOB_STORAGE_URL`, the account and key).

use std::path::Path;
use std::process::Output;

use crate::azurite::Azurite;
use crate::backend::Lake;
use crate::common::{TENANT, bin, samples, stderr, stdout, text};

/// `mfaproof ARGS` with the emulator's environment, whatever its status.
fn run_with(azurite: &Azurite, args: &[&str]) -> Output {
    bin()
        .args(args)
        .envs(azurite.env())
        .output()
        .expect("mfaproof runs")
}

/// [`run_with`], which must succeed.
fn ok_with(azurite: &Azurite, args: &[&str]) -> Output {
    let out = run_with(azurite, args);
    assert!(out.status.success(), "{}", text(&out));
    out
}

/// `mfaproof query --format FORMAT SQL` on a lake.
fn query(azurite: &Azurite, lake: &str, format: &str, sql: &str) -> String {
    Lake::at(lake, Some(azurite)).query(format, sql)
}

/// What a lake holds, every column but where a row was read from (a path on disk, a URL
/// in the store) and when: sign-ins and audit events in a fixed order, and the classification.
fn contents(azurite: &Azurite, lake: &str, dir: &Path) -> Vec<String> {
    let out = dir.join("classified.csv");
    let out = out.to_str().unwrap();
    ok_with(azurite, &["classify", "--lake", lake, "--out", out]);
    vec![
        query(
            azurite,
            lake,
            "json",
            "SELECT * EXCLUDE (source_file, ingested_at) FROM sign_ins ORDER BY id",
        ),
        query(
            azurite,
            lake,
            "json",
            "SELECT * EXCLUDE (source_file, ingested_at) FROM audit_events ORDER BY id",
        ),
        std::fs::read_to_string(out).unwrap(),
    ]
}

#[test]
fn the_harness_creates_containers_and_round_trips_blobs() {
    let Some(azurite) = Azurite::start("the_harness_creates_containers_and_round_trips_blobs")
    else {
        return;
    };
    assert_eq!(azurite.create_container("insights"), 201);
    assert_eq!(azurite.create_container("insights"), 409, "it exists now");
    let blob = azurite.location("az://insights/a/b.json");
    blob.write_atomic(b"{}\n").unwrap();
    assert_eq!(blob.read().unwrap().as_deref(), Some(&b"{}\n"[..]));
    assert_eq!(azurite.blobs("az://insights/"), ["a/b.json"]);
}

/// The Azure Monitor export tree of `data-samples/` (blob paths with `m=` twice) uploaded
/// to container `insights` and ingested from `az://insights/`: the lake holds the same
/// rows as one ingested from the files on disk, the messages name the blobs' URLs where
/// they named the files, the manifest names the URLs, and a second ingest finds every
/// blob already ingested.
#[test]
fn an_export_tree_in_blob_storage_ingests_as_from_disk() {
    let Some(azurite) = Azurite::start("an_export_tree_in_blob_storage_ingests_as_from_disk")
    else {
        return;
    };
    let tree = samples().join("azure-monitor");
    azurite.container("insights");
    let blobs = azurite.upload_tree(&tree, "az://insights/");
    assert_eq!(blobs.len(), 7);
    assert!(
        blobs.iter().all(|b| b.matches("/m=").count() == 2),
        "{blobs:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let (disk_lake, blob_lake) = (dir.path().join("disk"), dir.path().join("blob"));
    let (disk_lake, blob_lake) = (disk_lake.to_str().unwrap(), blob_lake.to_str().unwrap());
    let tree_text = tree.to_str().unwrap();
    let from_disk = ok_with(&azurite, &["ingest", "--lake", disk_lake, tree_text]);
    let from_blobs = ok_with(&azurite, &["ingest", "--lake", blob_lake, "az://insights/"]);

    let summary = |out: &Output| stdout(out).lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(summary(&from_blobs), summary(&from_disk));
    assert!(
        stdout(&from_blobs).contains("inputs: 7 ingested,"),
        "{}",
        text(&from_blobs)
    );
    assert_eq!(
        stderr(&from_blobs),
        stderr(&from_disk).replace(tree_text, "az://insights"),
        "the same messages, naming the blobs"
    );
    assert!(
        stderr(&from_blobs).contains(&format!(
            "az://insights/insights-logs-noninteractiveusersigninlogs/tenantId={TENANT}/y=2026/m=11/d=03/h=09/m=00/PT1H.json: record 4: unterminated last line"
        )),
        "{}",
        text(&from_blobs)
    );

    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let held = contents(&azurite, blob_lake, dirs.0.path());
    assert_eq!(held, contents(&azurite, disk_lake, dirs.1.path()));
    let counts: Vec<usize> = held.iter().map(|t| t.lines().count()).collect();
    assert_eq!(
        counts,
        [10, 6, 11],
        "sign-ins, audit events, CSV with its header"
    );
    let files = query(
        &azurite,
        blob_lake,
        "csv",
        "SELECT DISTINCT source_file FROM sign_ins ORDER BY 1",
    );
    let files: Vec<&str> = files.lines().skip(1).collect();
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("az://insights/insights-logs-") && f.ends_with("/PT1H.json")),
        "{files:?}"
    );

    let manifest = std::fs::read_to_string(Path::new(blob_lake).join("manifest.json")).unwrap();
    for blob in &blobs {
        assert!(
            manifest.contains(&format!("\"az://insights/{blob}\"")),
            "{blob}"
        );
    }
    let again = ok_with(&azurite, &["ingest", "--lake", blob_lake, "az://insights/"]);
    assert!(
        stdout(&again).contains("inputs: 0 ingested, 7 already ingested, 0 skipped, 0 failed"),
        "{}",
        text(&again)
    );
}

/// A prefix with nothing below it, and a container that does not exist, are inputs that
/// cannot be read: exit 2, naming the URL (as a path that does not exist is).
#[test]
fn an_empty_prefix_or_a_missing_container_is_an_unreadable_input() {
    let Some(azurite) =
        Azurite::start("an_empty_prefix_or_a_missing_container_is_an_unreadable_input")
    else {
        return;
    };
    azurite.container("insights");
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let lake = lake.to_str().unwrap();
    let out = run_with(
        &azurite,
        &["ingest", "--lake", lake, "az://insights/nothing/"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out)
            .contains("az://insights/nothing: cannot read input: no object there, nor below it"),
        "{}",
        text(&out)
    );
    let out = run_with(&azurite, &["ingest", "--lake", lake, "az://absent/"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("az://absent/: cannot read input:"),
        "{}",
        text(&out)
    );
}

/// The key path — ingest from the emulator, classify, evaluate — with the lake in a folder
/// (`file://`) and in the emulator (`az://lake/t1`): the same classification and findings;
/// the emulator's lake is blobs (no local folder is made for it); a generated archive
/// streams into an `az://` lake too.
#[test]
fn ingest_classify_evaluate_on_a_folder_lake_and_a_blob_lake() {
    let Some(azurite) = Azurite::start("ingest_classify_evaluate_on_a_folder_lake_and_a_blob_lake")
    else {
        return;
    };
    azurite.container("insights");
    azurite.container("lake");
    azurite.upload_tree(&samples().join("azure-monitor"), "az://insights/");
    let dir = tempfile::tempdir().unwrap();
    let folder = format!("file://{}", dir.path().join("lake").display());
    let mut results = Vec::new();
    for (n, lake) in [folder.as_str(), "az://lake/t1"].into_iter().enumerate() {
        let run = |args: &[&str]| {
            let out = bin()
                .args(args)
                .envs(azurite.env())
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "{lake}: {}", text(&out));
        };
        let (csv, report) = (format!("classified-{n}.csv"), format!("report-{n}"));
        run(&["ingest", "--lake", lake, "az://insights/"]);
        run(&["classify", "--lake", lake, "--out", &csv]);
        run(&["evaluate", "--lake", lake, "--out", &report]);
        let classified = std::fs::read_to_string(dir.path().join(&csv)).unwrap();
        let findings = std::fs::read_to_string(dir.path().join(&report).join("findings.csv"));
        results.push((classified, findings.unwrap()));
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(
        results[0].0.lines().count(),
        11,
        "ten sign-ins and a header"
    );
    let blobs = azurite.blobs("az://lake/t1/");
    assert!(blobs.contains(&"manifest.json".to_owned()), "{blobs:?}");
    assert!(
        blobs
            .iter()
            .any(|b| b.starts_with("sign_ins/") && b.ends_with(".parquet")),
        "{blobs:?}"
    );
    let mut local: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    local.sort();
    assert_eq!(
        local,
        [
            "classified-0.csv",
            "classified-1.csv",
            "lake",
            "report-0",
            "report-1"
        ],
        "the folder lake and the outputs only"
    );

    let truth = dir.path().join("truth");
    let out = run_with(
        &azurite,
        &[
            "generate",
            "--sign-ins",
            "300",
            "--format",
            "azure-monitor",
            "--out",
            truth.to_str().unwrap(),
            "--lake",
            "az://lake/generated",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let generated = query(
        &azurite,
        "az://lake/generated",
        "csv",
        "SELECT count(DISTINCT id) AS n FROM sign_ins",
    );
    assert_eq!(generated, "n\n300\n");
}
