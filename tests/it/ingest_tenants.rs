//! Tenants in one lake: partitions and rows per tenant, the same id in two tenants kept
//! twice, a record without a tenant refused when the lake cannot decide, a record of
//! another tenant than `--tenant` quarantined, and a lake written before tenants refused
//! by readers and migrated by `ingest --tenant`.

use std::fs;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use crate::common::{
    TENANT, files_under, graph_sign_in, quarantined, read_table, run, run_ok, samples, stderr,
    strings, temp_lake, text, write_lines,
};
use crate::kill::content;

const A: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
const B: &str = "bbbbbbbb-0000-4000-8000-00000000000b";

/// An Azure Monitor sign-in record of `tenant` (its envelope `tenantId`).
fn monitor_line(tenant: &str, id: &str, created: &str) -> String {
    let properties = graph_sign_in(id, created, 1, tenant);
    format!(
        r#"{{"time":"{created}","category":"SignInLogs","tenantId":"{tenant}","resultType":"0","properties":{properties}}}"#
    )
}

/// (tenant, id) of every sign-in row, sorted (the same id may be in two tenants).
fn rows_by_tenant(lake: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = read_table(lake, "sign_ins")
        .iter()
        .flat_map(|b| {
            let (tenants, ids) = (strings(b, "tenant_id"), strings(b, "id"));
            (0..b.num_rows())
                .map(|r| (tenants.value(r).to_string(), ids.value(r).to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out
}

/// `mfaproof ingest --json --lake <lake> [--tenant <tenant>] <input>`.
fn ingest_as(lake: &Path, tenant: Option<&str>, input: &Path) -> std::process::Output {
    let mut args = vec!["ingest", "--json", "--lake", lake.to_str().unwrap()];
    if let Some(t) = tenant {
        args.extend(["--tenant", t]);
    }
    args.push(input.to_str().unwrap());
    run(args)
}

fn manifest(lake: &Path) -> Value {
    serde_json::from_slice(&fs::read(lake.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn two_tenants_keep_their_partitions_and_rows_apart() {
    let (dir, lake) = temp_lake();
    let monitor = write_lines(
        &dir.path().join("PT1H.json"),
        &[
            monitor_line(&A.to_uppercase(), "same", "2026-11-03T08:00:00Z"),
            monitor_line(B, "same", "2026-11-03T09:00:00Z"),
            monitor_line(B, "b-only", "2026-11-04T09:00:00Z"),
        ],
    );
    let out = ingest_as(&lake, None, &monitor);
    assert!(out.status.success(), "{}", text(&out));
    // A Graph export names no tenant: given with --tenant. Its "same" meets A's only.
    let graph = write_lines(
        &dir.path().join("graph-a.json"),
        &[
            graph_sign_in("g1", "2026-11-03T10:00:00Z", 1, "g"),
            graph_sign_in("SAME ", "2026-11-03T08:00:00Z", 2, "g"),
        ],
    );
    let out = ingest_as(&lake, Some(A), &graph);
    assert!(out.status.success(), "{}", text(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["duplicates_dropped"], 1, "{summary}");
    for partition in [
        format!("tenant_id={A}/date=2026-11-03"),
        format!("tenant_id={B}/date=2026-11-03"),
        format!("tenant_id={B}/date=2026-11-04"),
    ] {
        assert!(
            lake.join("sign_ins").join(&partition).is_dir(),
            "{partition}"
        );
    }
    assert!(
        !lake
            .join(format!("sign_ins/tenant_id={A}/date=2026-11-04"))
            .exists()
    );
    let expected = [(A, "SAME "), (A, "g1"), (B, "b-only"), (B, "same")];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(t, id)| (t.to_string(), id.to_string()))
        .collect();
    assert_eq!(rows_by_tenant(&lake), expected);
    let tenants: Vec<Value> = manifest(&lake)["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tenants"].clone())
        .collect();
    assert_eq!(tenants, [serde_json::json!([A, B]), serde_json::json!([A])]);
}

#[test]
fn a_record_without_a_tenant_in_a_lake_of_two_is_refused_and_another_tenant_quarantined() {
    let (dir, lake) = temp_lake();
    let monitor = write_lines(
        &dir.path().join("PT1H.json"),
        &[
            monitor_line(A, "a1", "2026-11-03T08:00:00Z"),
            monitor_line(B, "b1", "2026-11-03T09:00:00Z"),
        ],
    );
    assert!(ingest_as(&lake, None, &monitor).status.success());
    let before = manifest(&lake);
    let graph = write_lines(
        &dir.path().join("graph.json"),
        &[graph_sign_in("g1", "2026-11-03T10:00:00Z", 1, "g")],
    );
    let out = ingest_as(&lake, None, &graph);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: ingesting into {}: {}: record 1 names no tenant and its input was given \
             none; the lake with this run holds several tenants ({A}, {B}), and a record is \
             never guessed between them. Give the tenant of the inputs that name none: \
             mfaproof ingest --tenant TENANT_ID …\n",
            lake.display(),
            graph.display()
        )
    );
    assert_eq!(manifest(&lake), before, "nothing committed");
    assert_eq!(rows_by_tenant(&lake).len(), 2);
    // With --tenant A, a record that says it is B's is quarantined, not moved to A.
    let mixed = write_lines(
        &dir.path().join("mixed-PT1H.json"),
        &[
            monitor_line(A, "a2", "2026-11-03T11:00:00Z"),
            monitor_line(B, "b2", "2026-11-03T11:00:00Z"),
        ],
    );
    let out = ingest_as(&lake, Some(A), &mixed);
    assert!(out.status.success(), "{}", text(&out));
    let q = quarantined(&lake);
    assert_eq!(q.len(), 1);
    assert_eq!(
        q[0]["reason"],
        format!("the record belongs to tenant {B}, not to the tenant {A} given for this input")
    );
    let ids: Vec<String> = rows_by_tenant(&lake)
        .into_iter()
        .map(|(t, id)| t + " " + &id)
        .collect();
    assert_eq!(
        ids,
        [format!("{A} a1"), format!("{A} a2"), format!("{B} b1")]
    );
    // A tenant id that cannot name a folder is a usage error.
    let out = ingest_as(&lake, Some("../x"), &graph);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

/// Rewrites `lake` as mfaproof wrote lakes before tenants: every file moved out of its
/// `tenant_id=` folder and written without the `tenant_id` column; manifest inputs
/// without `tenants`.
pub fn to_old_layout(lake: &Path) {
    for file in files_under(lake) {
        let Some(folder) = file.ancestors().find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tenant_id="))
        }) else {
            continue;
        };
        let inner = file.strip_prefix(folder).unwrap();
        let target = folder.parent().unwrap().join(inner);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&file).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader
            .map(|b| {
                let b = b.unwrap();
                let keep: Vec<usize> = (0..b.num_columns())
                    .filter(|&i| b.schema().field(i).name() != "tenant_id")
                    .collect();
                b.project(&keep).unwrap()
            })
            .collect();
        let schema = batches[0].schema();
        let mut w = ArrowWriter::try_new(fs::File::create(&target).unwrap(), schema, None).unwrap();
        for b in &batches {
            w.write(b).unwrap();
        }
        w.close().unwrap();
        fs::remove_file(&file).unwrap();
    }
    for file in files_under(lake) {
        assert!(
            !file.to_string_lossy().contains("tenant_id="),
            "{}",
            file.display()
        );
    }
    let mut m = manifest(lake);
    for input in m["inputs"].as_array_mut().unwrap() {
        input.as_object_mut().unwrap().remove("tenants");
    }
    fs::write(
        lake.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
}

/// A lake of the scenario samples and the conditional access tenant (every table).
pub fn every_table_lake(lake: &Path) -> Vec<PathBuf> {
    let ca = samples().join("conditional-access").join("tenant");
    let inputs = vec![samples().join("scenario"), ca];
    let mut args = vec![
        "ingest".into(),
        "--tenant".into(),
        TENANT.into(),
        "--lake".into(),
    ];
    args.push(lake.as_os_str().to_owned());
    args.extend(inputs.iter().map(|p| p.as_os_str().to_owned()));
    run_ok::<std::ffi::OsString>(args);
    inputs
}

#[test]
fn a_lake_written_before_tenants_is_refused_then_migrated_by_ingest_tenant() {
    let (dir, lake) = temp_lake();
    every_table_lake(&lake);
    let expected = content(&lake);
    to_old_layout(&lake);
    let refusal = format!(
        "{}: this lake was written before mfaproof kept tenants (its tables have files \
         outside tenant_id= folders); migrate it, naming the tenant its records belong to: \
         mfaproof ingest --lake {} --tenant TENANT_ID\n",
        lake.display(),
        lake.display()
    );
    // Readers refuse it, and so does an ingest that names no tenant.
    let lake_arg = lake.to_str().unwrap();
    let out = run(["query", "--lake", lake_arg, "select count(*) from sign_ins"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(stderr(&out), format!("error: {refusal}"));
    let more = write_lines(
        &dir.path().join("more.json"),
        &[graph_sign_in("new", "2026-11-03T10:00:00Z", 1, "n")],
    );
    let out = ingest_as(&lake, None, &more);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        stderr(&out),
        format!("error: ingesting into {lake_arg}: {refusal}")
    );
    // `ingest --tenant` with no input migrates: every row, the manifest's tenants.
    run_ok(["ingest", "--lake", lake_arg, "--tenant", TENANT]);
    assert_eq!(content(&lake), expected);
    run_ok(["query", "--lake", lake_arg, "select count(*) from sign_ins"]);
}

/// The same file given for two tenants is two inputs: each tenant gets its rows; given
/// again for the same tenant it is already ingested.
#[test]
fn the_same_file_for_two_tenants_is_ingested_for_each() {
    let (dir, lake) = temp_lake();
    let input = dir.path().join("same.json");
    write_lines(
        &input,
        &[graph_sign_in("s1", "2026-11-05T08:00:00Z", 1, "same")],
    );
    for tenant in [A, B, A] {
        let out = ingest_as(&lake, Some(tenant), &input);
        assert!(out.status.success(), "{}", text(&out));
    }
    assert_eq!(
        rows_by_tenant(&lake),
        [
            (A.to_owned(), "s1".to_owned()),
            (B.to_owned(), "s1".to_owned())
        ]
    );
    let inputs = manifest(&lake)["inputs"].as_array().unwrap().len();
    assert_eq!(inputs, 2, "given twice for A, once for B");
}
