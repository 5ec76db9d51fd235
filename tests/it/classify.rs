//! `mfaproof classify`, the per-sign-in export (evidence rules §6), through the binary:
//! its exact bytes for four sign-ins worked out by hand (columns, order by `created_at`
//! then `id`, microseconds, null as an empty field), a day range to Parquet, and bad
//! arguments refused with status 2 before any file is made.

use std::fs;
use std::path::Path;

use arrow::array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use tempfile::TempDir;

use crate::common::{EXPORT_HEADER, fails, graph_sign_in, ingest, run_into, strings, write_lines};

/// Four sign-ins: `a2` with a second factor; `a1`, at the same time, single factor;
/// `b` a day later, without a UPN or any detail, its time in 100 ns ticks; `c` a
/// service principal.
fn lake(dir: &Path) -> std::path::PathBuf {
    let input = dir.join("sign-ins.json");
    let single = graph_sign_in("a1", "2026-11-01T08:00:00Z", 1, "a1")
        .replace("multiFactorAuthentication", "singleFactorAuthentication");
    let bare = r#"{"id":"b","createdDateTime":"2026-11-02T08:00:00.1234567Z","userId":"u-b","userType":"member","clientAppUsed":"Browser","signInEventTypes":["interactiveUser"],"status":{"errorCode":0},"authenticationDetails":[]}"#;
    let workload = r#"{"id":"c","createdDateTime":"2026-11-02T09:00:00Z","servicePrincipalId":"sp-1","signInEventTypes":["servicePrincipal"],"status":{"errorCode":0}}"#;
    write_lines(
        &input,
        &[
            graph_sign_in("a2", "2026-11-01T08:00:00Z", 2, "a2"),
            single,
            bare.to_string(),
            workload.to_string(),
        ],
    );
    let lake = dir.join("lake");
    ingest(&lake, [&input]);
    lake
}

#[test]
fn the_export_is_exactly_the_rows_worked_out_by_hand() {
    let dir = TempDir::new().unwrap();
    let lake = lake(dir.path());
    let csv = dir.path().join("all.csv");
    let out = run_into("classify", &lake, &csv, &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("classified 4 sign-in(s) into {}\n", csv.display())
    );
    let expected = [
        EXPORT_HEADER,
        "a1,2026-11-01T08:00:00.000000Z,usera1@contoso.example,member,interactive_user,single_factor,violation,singleFactorAuthentication; security defaults unknown (no audit change or snapshot),",
        "a2,2026-11-01T08:00:00.000000Z,usera2@contoso.example,member,interactive_user,mfa_completed,satisfied,second factor: Mobile app notification,",
        "b,2026-11-02T08:00:00.123456Z,,member,interactive_user,no_evidence,unproven,\"nothing to decide on: no recognised detail, requirement or session origin; security defaults unknown (no audit change or snapshot)\",",
        "c,2026-11-02T09:00:00.000000Z,,,service_principal,workload,not_applicable,workload identity sign-in (service_principal): MFA does not apply,",
    ];
    assert_eq!(
        fs::read_to_string(&csv).unwrap(),
        expected.join("\n") + "\n"
    );
}

#[test]
fn a_day_range_to_parquet_holds_that_day_only() {
    let dir = TempDir::new().unwrap();
    let lake = lake(dir.path());
    let pq = dir.path().join("day2.parquet");
    run_into(
        "classify",
        &lake,
        &pq,
        &["--from", "2026-11-02", "--to", "2026-11-02"],
    );
    let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&pq).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names.join(","), EXPORT_HEADER);
    let ids: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            let ids = strings(b, "id");
            (0..ids.len()).map(move |r| ids.value(r).to_string())
        })
        .collect();
    assert_eq!(ids, ["b", "c"]);
    let upn = batches[0].column_by_name("user_principal_name").unwrap();
    assert!(upn.is_null(0), "a missing UPN is null in Parquet");
}

#[test]
fn bad_arguments_exit_2_and_leave_no_file() {
    let dir = TempDir::new().unwrap();
    let lake = lake(dir.path());
    let lake = lake.to_str().unwrap();
    let txt = dir.path().join("x.txt");
    fails(
        ["classify", "--lake", lake, "--out", txt.to_str().unwrap()],
        2,
        &format!(
            "error: {}: the export must end in .csv or .parquet\n",
            txt.display()
        ),
    );
    assert!(!txt.exists(), "nothing written for a refused name");
    let csv = dir.path().join("y.csv");
    let args = ["--from", "2026-11-03", "--to", "2026-11-02"];
    fails(
        [
            &["classify", "--lake", lake, "--out", csv.to_str().unwrap()][..],
            &args,
        ]
        .concat(),
        2,
        "error: --from 2026-11-03 is after --to 2026-11-02\n",
    );
    assert!(!csv.exists());
}
