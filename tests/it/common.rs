//! Shared helpers: running the binary, generated sign-ins, reading a lake back.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow::array::{Array, AsArray, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use tempfile::TempDir;

/// The mfaproof binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mfaproof"))
}

/// Runs the binary with `args` and returns its output, whatever its status.
pub fn run<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Output {
    bin().args(args).output().expect("mfaproof runs")
}

/// Runs the binary with `args`; it must succeed (the panic shows its output).
pub fn run_ok<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Output {
    let out = run(args);
    assert!(out.status.success(), "{}", text(&out));
    out
}

/// Runs the binary with `args`; it must exit with `status` and say exactly `said` on
/// stderr.
pub fn fails<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>, status: i32, said: &str) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(status), "{}", text(&out));
    assert_eq!(stderr(&out), said);
}

/// `mfaproof <command> --lake <lake> --out <out> <extra…>` (classify, evaluate), which
/// must succeed.
pub fn run_into(command: &str, lake: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![command.as_ref(), "--lake".as_ref(), lake.as_ref()];
    args.extend([OsStr::new("--out"), out.as_ref()]);
    args.extend(extra.iter().map(OsStr::new));
    run_ok(args)
}

/// A temporary folder and the path of a lake in it (not created).
pub fn temp_lake() -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("temporary folder");
    let lake = dir.path().join("lake");
    (dir, lake)
}

/// A lake of the scenario samples (`data-samples/scenario/`) in `dir`.
pub fn scenario_lake(dir: &Path) -> PathBuf {
    let lake = dir.join("lake");
    ingest(&lake, [samples().join("scenario")]);
    lake
}

/// A scenario lake in a temporary folder, and what a command run on it wrote.
pub struct Scenario {
    /// The temporary folder, removed when the scenario is dropped.
    _dir: TempDir,
    pub lake: PathBuf,
    /// The `--out` of the command, in `dir`.
    pub out: PathBuf,
    /// The command's output.
    pub said: Output,
}

/// A scenario lake, then `mfaproof <command> --lake <lake> --out <dir>/<out> <extra…>` (classify,
/// evaluate), which must succeed.
pub fn scenario_into(command: &str, out: &str, extra: &[&str]) -> Scenario {
    let dir = TempDir::new().expect("temporary folder");
    let lake = scenario_lake(dir.path());
    let out = dir.path().join(out);
    let said = run_into(command, &lake, &out, extra);
    Scenario {
        _dir: dir,
        lake,
        out,
        said,
    }
}

/// The report files `evaluate` writes by default, sorted (SHA256SUMS aside).
pub const REPORT_FILES: [&str; 10] = [
    "accounts.csv",
    "entra_disagreements.csv",
    "findings.csv",
    "location_skips.csv",
    "policy_findings.csv",
    "regime_changes.csv",
    "report.html",
    "report.json",
    "report.md",
    "why_not.csv",
];

/// The tenant of the samples and of generated archives (Azure Monitor `tenantId`, Log
/// Analytics `AADTenantId`): what the other inputs are given with `--tenant`.
pub const TENANT: &str = "0e35ee7a-425d-45a5-9013-218c1eae8fd4";

/// The columns of `mfaproof classify`'s export, as §6 of the evidence rules names them.
pub const EXPORT_HEADER: &str =
    "id,created_at,user_principal_name,user_type,event_type,class,verdict,reason,origin_sign_in_id";

/// `mfaproof ingest --lake <lake> --tenant <TENANT> <inputs…>`, which must succeed.
pub fn ingest<P: AsRef<Path>>(lake: &Path, inputs: impl IntoIterator<Item = P>) -> Output {
    run_ok(ingest_args(lake, inputs))
}

/// The same with `--json`: the output, and the summary it printed.
pub fn ingest_json<P: AsRef<Path>>(
    lake: &Path,
    inputs: impl IntoIterator<Item = P>,
) -> (Output, serde_json::Value) {
    let mut args = ingest_args(lake, inputs);
    args.push("--json".into());
    let out = run_ok(args);
    let summary = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("the summary is not JSON: {e}\n{}", text(&out)));
    (out, summary)
}

fn ingest_args<P: AsRef<Path>>(lake: &Path, inputs: impl IntoIterator<Item = P>) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["ingest".into(), "--lake".into(), lake.into()];
    args.extend(["--tenant".into(), TENANT.into()]);
    args.extend(inputs.into_iter().map(|p| p.as_ref().into()));
    args
}

/// Status, stdout and stderr of a run, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Standard output of a run, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error of a run, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The repository's `data-samples/` folder.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples")
}

/// One Graph beta sign-in as a JSON line; `details` MFA steps, `tag` lands in
/// `userDisplayName` so tests can tell versions apart.
pub fn graph_sign_in(id: &str, created: &str, details: usize, tag: &str) -> String {
    let steps: Vec<String> = (0..details)
        .map(|i| {
            format!(
                r#"{{"authenticationStepDateTime":"{created}","authenticationMethod":"{}","succeeded":true,"authenticationStepResultDetail":"{}","authenticationStepRequirement":"{}"}}"#,
                if i == 0 { "Password" } else { "Mobile app notification" },
                if i == 0 { "Correct password" } else { "MFA successfully completed" },
                if i == 0 { "Primary authentication" } else { "Multifactor authentication" },
            )
        })
        .collect();
    format!(
        r#"{{"id":"{id}","createdDateTime":"{created}","userId":"u-{id}","userPrincipalName":"user{id}@contoso.example","userDisplayName":"{tag}","userType":"member","clientAppUsed":"Browser","signInEventTypes":["interactiveUser"],"status":{{"errorCode":0}},"authenticationRequirement":"multiFactorAuthentication","authenticationDetails":[{}]}}"#,
        steps.join(",")
    )
}

/// Two runs' inputs for the dedup rule (evidence-rules §3). In the first, a (1 detail) then
/// a (2 details): 2 details wins; b twice with equal details: the later line wins. In the
/// second, c again with fewer details (loses) and b with equal details (wins: later).
pub fn dedup_runs() -> [Vec<String>; 2] {
    let t = "2026-11-03T08:00:00.1234567Z";
    [
        vec![
            graph_sign_in("a", t, 1, "a-early"),
            graph_sign_in("a", t, 2, "a-complete"),
            graph_sign_in("b", t, 1, "b-first"),
            graph_sign_in("b", t, 1, "b-second"),
            graph_sign_in("c", t, 2, "c-complete"),
        ],
        vec![
            graph_sign_in("c", t, 0, "c-stale"),
            graph_sign_in("b", t, 1, "b-later-run"),
        ],
    ]
}

/// Sign-ins ok1 and ok2 (on two days) around a record that is not JSON (record 2) and one
/// whose error code is a word (record 3).
pub fn mixed_records() -> Vec<String> {
    vec![
        graph_sign_in("ok1", "2026-11-03T08:00:00Z", 1, "ok"),
        "{not json".to_string(),
        r#"{"id":"bad-type","createdDateTime":"2026-11-03T08:00:00Z","status":{"errorCode":"fifty"}}"#
            .to_string(),
        graph_sign_in("ok2", "2026-11-04T08:00:00Z", 1, "ok"),
    ]
}

/// Writes lines to a file; returns its path.
pub fn write_lines(path: &Path, lines: &[String]) -> PathBuf {
    let mut f = File::create(path).expect("create input");
    for l in lines {
        writeln!(f, "{l}").expect("write input");
    }
    path.to_path_buf()
}

/// A text column of a batch.
pub fn strings(batch: &RecordBatch, name: &str) -> StringArray {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_string::<i32>()
        .clone()
}

/// Every row of the sign_ins table: id → (display name, details count, source_file),
/// sorted; a duplicate id fails the test.
pub fn sign_ins(lake: &Path) -> BTreeMap<String, (String, usize, String)> {
    let mut out = BTreeMap::new();
    for batch in read_table(lake, "sign_ins") {
        let (ids, names, files) = (
            strings(&batch, "id"),
            strings(&batch, "user_display_name"),
            strings(&batch, "source_file"),
        );
        let details = batch
            .column_by_name("authentication_details")
            .unwrap()
            .as_list::<i32>()
            .clone();
        for r in 0..batch.num_rows() {
            let name = if names.is_null(r) { "" } else { names.value(r) };
            let row = (
                name.to_string(),
                details.value_length(r) as usize,
                files.value(r).to_string(),
            );
            let previous = out.insert(ids.value(r).to_string(), row);
            assert!(
                previous.is_none(),
                "duplicate id {} in the lake",
                ids.value(r)
            );
        }
    }
    out
}

/// Every quarantined record of a lake (one JSON object a line in `quarantine/`), in
/// file order.
pub fn quarantined(lake: &Path) -> Vec<serde_json::Value> {
    files_under(&lake.join("quarantine"))
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every table of a lake, for counting or comparing whole lakes.
pub const TABLES: [&str; 10] = [
    "sign_ins",
    "audit_events",
    "mfa_state_snapshots",
    "security_defaults_snapshots",
    "ca_policies",
    "named_locations",
    "directory_users",
    "user_registrations",
    "directory_groups",
    "role_assignments",
];

/// The rows of every table of a lake, in the order of [`TABLES`].
pub fn table_rows(lake: &Path) -> Vec<(&'static str, usize)> {
    TABLES.iter().map(|t| (*t, rows(lake, t))).collect()
}

/// Rows of a table.
pub fn rows(lake: &Path, table: &str) -> usize {
    read_table(lake, table)
        .iter()
        .map(RecordBatch::num_rows)
        .sum()
}

/// Reads every Parquet file of a table (all partitions).
pub fn read_table(lake: &Path, table: &str) -> Vec<RecordBatch> {
    let mut batches = Vec::new();
    for f in files_under(&lake.join(table)) {
        if f.extension().is_none_or(|x| x != "parquet") {
            continue;
        }
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&f).unwrap())
            .unwrap_or_else(|e| panic!("{} is not readable Parquet: {e}", f.display()))
            .build()
            .unwrap();
        batches.extend(reader.map(Result::unwrap));
    }
    batches
}

/// Every file below `dir`, sorted; none when it does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
