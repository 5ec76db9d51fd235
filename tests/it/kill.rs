//! Crash safety, deterministically: the hidden `ingest --crash-at STAGE:N` stops the
//! process at a named point of the run's Nth commit (files staged; journal written, nothing
//! renamed; the first file moved in, the others not; commit applied). After each stop the
//! lake is readable with no duplicate id and holds whole commits only (a reader finishes a
//! commit stopped mid-way first); a rerun then gives exactly the lake of a clean run: every
//! table, every row and column (but the run's time and sequence), the quarantine and the
//! manifest's inputs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use tempfile::TempDir;

use crate::common::{
    TABLES, TENANT, bin, graph_sign_in, quarantined, read_table, samples, sign_ins, strings, text,
    write_lines,
};

/// Rows staged before a commit (at the next input boundary): a commit every two sign-in
/// files.
const COMMIT_ROWS: &str = "1500";

/// `files` sign-in files of `rows` rows (each repeats some ids of the one before with other
/// details, so dedup across commits is exercised), audit files, a line that cannot be
/// read, and the two snapshot formats.
pub fn make_inputs(dir: &Path, files: usize, rows: usize) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for f in 0..files {
        let lines: Vec<String> = (0..rows)
            .map(|i| {
                // Every tenth row is row i + 1 of the file before, again.
                let (file, row) = if i % 10 == 0 && f > 0 {
                    (f - 1, i + 1)
                } else {
                    (f, i)
                };
                let created = format!("2026-11-0{}T08:00:00.1234567Z", 1 + row % 5);
                graph_sign_in(
                    &format!("{file}-{row}"),
                    &created,
                    1 + f % 3,
                    &format!("f{f}"),
                )
            })
            .chain((f == 5).then(|| "{not json".to_string()))
            .collect();
        paths.push(write_lines(&dir.join(format!("in-{f:02}.json")), &lines));
        if f % 4 == 3 {
            paths.push(write_lines(
                &dir.join(format!("audits-{f:02}.json")),
                &audits(f),
            ));
        }
    }
    for name in ["per-user-mfa.csv", "security-defaults.json"] {
        let to = dir.join(name);
        fs::copy(samples().join("scenario").join(name), &to).unwrap();
        paths.push(to);
    }
    paths
}

/// 50 directory audits; each file re-emits ten of the one before.
fn audits(f: usize) -> Vec<String> {
    (0..50)
        .map(|i| {
            let (file, row) = if i < 10 && f > 3 { (f - 4, i + 10) } else { (f, i) };
            format!(
                r#"{{"id":"audit-{file}-{row}","activityDateTime":"2026-11-0{}T10:{row:02}:00Z","activityDisplayName":"Update user","category":"UserManagement","result":"success","initiatedBy":{{"user":{{"id":"admin","userPrincipalName":"admin@contoso.example"}}}},"targetResources":[],"additionalDetails":[]}}"#,
                1 + row % 3
            )
        })
        .collect()
}

fn ingest(lake: &Path, inputs: &[PathBuf], crash_at: Option<&str>) -> std::process::Output {
    let mut cmd = bin();
    cmd.arg("ingest").arg("--lake").arg(lake).args(inputs);
    cmd.args(["--tenant", TENANT]);
    if let Some(point) = crash_at {
        cmd.args(["--crash-at", point]);
    }
    cmd.env("MFAPROOF_COMMIT_ROWS", COMMIT_ROWS);
    cmd.output().expect("mfaproof runs")
}

/// A reader (`mfaproof query`) of the lake's sign-ins.
fn read(lake: &Path) -> std::process::Output {
    let args = [
        "query",
        "--lake",
        lake.to_str().unwrap(),
        "select count(*) from sign_ins",
    ];
    bin().args(args).output().expect("mfaproof runs")
}

/// Every row of every table as text, sorted, without the columns a run stamps
/// (`ingested_at`, `ingest_seq`); plus the quarantined records and the manifest's inputs.
pub fn content(lake: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for table in TABLES {
        let mut rows: Vec<String> = read_table(lake, table).iter().flat_map(row_texts).collect();
        rows.sort();
        out.insert(table.to_string(), rows);
    }
    let mut quarantined: Vec<String> = quarantined(lake)
        .into_iter()
        .map(|mut v| {
            v["run"] = serde_json::Value::Null;
            v.to_string()
        })
        .collect();
    quarantined.sort();
    out.insert("quarantine".into(), quarantined);
    out.insert("manifest inputs".into(), manifest_inputs(lake));
    out
}

fn row_texts(batch: &RecordBatch) -> Vec<String> {
    let schema = batch.schema();
    let options = FormatOptions::default().with_null("∅");
    let columns: Vec<(String, ArrayFormatter)> = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .filter(|(f, _)| !matches!(f.name().as_str(), "ingested_at" | "ingest_seq"))
        .map(|(f, c)| {
            (
                f.name().clone(),
                ArrayFormatter::try_new(c, &options).unwrap(),
            )
        })
        .collect();
    (0..batch.num_rows())
        .map(|r| {
            columns
                .iter()
                .map(|(name, f)| format!("{name}={}", f.value(r)))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

/// `path sha256 counts` of every input in the manifest, sorted.
fn manifest_inputs(lake: &Path) -> Vec<String> {
    let Ok(bytes) = fs::read(lake.join("manifest.json")) else {
        return Vec::new();
    };
    let manifest: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut inputs: Vec<String> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let (path, sha, counts) = (&i["path"], &i["sha256"], &i["counts"]);
            format!("{path} {sha} {counts} {}", i["tenants"])
        })
        .collect();
    inputs.sort();
    inputs
}

/// The inputs a lake's manifest lists, in the order given.
fn committed(lake: &Path, inputs: &[PathBuf]) -> Vec<PathBuf> {
    let listed = manifest_inputs(lake).join("\n");
    inputs
        .iter()
        .filter(|p| listed.contains(&format!("\"{}\"", p.display())))
        .cloned()
        .collect()
}

#[test]
fn a_stop_at_any_commit_point_then_a_rerun_equals_a_clean_run() {
    let dir = TempDir::new().unwrap();
    let inputs = make_inputs(dir.path(), 12, 1000);
    let clean = dir.path().join("clean");
    let out = ingest(&clean, &inputs, None);
    assert!(out.status.success(), "{}", text(&out));
    let expected = content(&clean);
    assert_eq!(expected["sign_ins"].len(), 12 * 1000 - 11 * 100);
    assert_eq!(expected["audit_events"].len(), 3 * 50 - 2 * 10);
    assert_eq!(expected["mfa_state_snapshots"].len(), 3);
    assert_eq!(expected["security_defaults_snapshots"].len(), 1);
    assert_eq!(expected["quarantine"].len(), 1);
    assert_eq!(expected["manifest inputs"].len(), inputs.len());

    let points = [
        "staged:1",
        "journaled:3",
        "renamed:3",
        "committed:3",
        "committed:5",
    ];
    for (n, point) in points.into_iter().enumerate() {
        let lake = dir.path().join(format!("stopped-{n}"));
        let out = ingest(&lake, &inputs, Some(point));
        assert_eq!(out.status.code(), Some(137), "{point}: {}", text(&out));
        let stopped_mid_commit = point.starts_with("journaled") || point.starts_with("renamed");
        assert_eq!(
            lake.join("_journal/commit.json").exists(),
            stopped_mid_commit,
            "{point}"
        );
        // A reader (here `mfaproof query`) finishes a commit the crash left half-applied
        // before it reads, so it never sees half a commit.
        let out = read(&lake);
        assert!(out.status.success(), "{point}: {}", text(&out));
        assert!(!lake.join("_journal").exists(), "{point}");
        // Readable at once: every committed file parses, no duplicate id, and the lake
        // holds whole commits: exactly what a clean ingest of its listed inputs gives.
        sign_ins(&lake);
        let audit_ids: Vec<String> = read_table(&lake, "audit_events")
            .iter()
            .flat_map(|b| {
                let ids = strings(b, "id");
                (0..b.num_rows()).map(move |r| ids.value(r).to_string())
            })
            .collect();
        let distinct: std::collections::BTreeSet<&String> = audit_ids.iter().collect();
        assert_eq!(
            distinct.len(),
            audit_ids.len(),
            "{point}: a duplicate audit id"
        );
        let done = committed(&lake, &inputs);
        let whole = dir.path().join(format!("whole-{n}"));
        if done.is_empty() {
            assert_eq!(
                TABLES.map(|t| read_table(&lake, t).len()),
                [0; 10],
                "{point}"
            );
        } else {
            let out = ingest(&whole, &done, None);
            assert!(out.status.success(), "{}", text(&out));
            assert_eq!(content(&lake), content(&whole), "{point}");
        }
        // The rerun finishes the job: the same lake as a clean run.
        let out = ingest(&lake, &inputs, None);
        assert!(out.status.success(), "{point}: {}", text(&out));
        assert_eq!(content(&lake), expected, "stopped at {point}, then rerun");
        assert!(!lake.join("_staging").exists(), "{point}");
        assert!(!lake.join("_journal").exists(), "{point}");
    }
}

/// Copies the folder `from` to `to`.
fn copy_dir(from: &Path, to: &Path) {
    for file in crate::common::files_under(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(&file, &target).unwrap();
    }
}

#[test]
fn a_stop_during_migration_then_a_rerun_migrates_every_row() {
    let dir = TempDir::new().unwrap();
    let old = dir.path().join("old");
    crate::ingest_tenants::every_table_lake(&old);
    let expected = content(&old);
    crate::ingest_tenants::to_old_layout(&old);
    for point in ["staged:1", "journaled:1", "renamed:1", "committed:1"] {
        let lake = dir.path().join(point.replace(':', "-"));
        copy_dir(&old, &lake);
        let out = ingest(&lake, &[], Some(point));
        assert_eq!(out.status.code(), Some(137), "{point}: {}", text(&out));
        // Before its journal the migration did nothing: readers still refuse the lake.
        // From its journal on, a reader finishes it first.
        let out = read(&lake);
        let journaled = point != "staged:1";
        assert_eq!(
            out.status.code(),
            Some(if journaled { 0 } else { 2 }),
            "{point}: {}",
            text(&out)
        );
        if journaled {
            assert_eq!(content(&lake), expected, "{point}: read after the stop");
        }
        let out = ingest(&lake, &[], None);
        assert!(out.status.success(), "{point}: {}", text(&out));
        assert_eq!(content(&lake), expected, "stopped at {point}, then rerun");
        assert!(!lake.join("_staging").exists(), "{point}");
        assert!(!lake.join("_journal").exists(), "{point}");
    }
}
