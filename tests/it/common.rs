//! Shared helpers: the binary, temporary lakes, generated sign-ins, reading a lake back.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow::array::{Array, AsArray, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// The mfaproof binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mfaproof"))
}

/// Runs the binary and returns its output.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("mfaproof runs")
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

/// Writes lines to a file.
pub fn write_lines(path: &Path, lines: &[String]) {
    let mut f = File::create(path).expect("create input");
    for l in lines {
        writeln!(f, "{l}").expect("write input");
    }
}

/// Every row of a lake table: id → (display name, details count, source_file), sorted.
pub fn sign_ins(lake: &Path) -> BTreeMap<String, (String, usize, String)> {
    let mut out = BTreeMap::new();
    for batch in read_table(lake, "sign_ins") {
        let ids = batch
            .column_by_name("id")
            .unwrap()
            .as_string::<i32>()
            .clone();
        let names = batch
            .column_by_name("user_display_name")
            .unwrap()
            .as_string::<i32>()
            .clone();
        let details = batch
            .column_by_name("authentication_details")
            .unwrap()
            .as_list::<i32>()
            .clone();
        let files = batch
            .column_by_name("source_file")
            .unwrap()
            .as_string::<i32>()
            .clone();
        for r in 0..batch.num_rows() {
            let name = if names.is_null(r) {
                String::new()
            } else {
                names.value(r).to_string()
            };
            let previous = out.insert(
                ids.value(r).to_string(),
                (
                    name,
                    details.value_length(r) as usize,
                    files.value(r).to_string(),
                ),
            );
            assert!(
                previous.is_none(),
                "duplicate id {} in the lake",
                ids.value(r)
            );
        }
    }
    out
}

/// Reads every Parquet file of a table (all partitions).
pub fn read_table(lake: &Path, table: &str) -> Vec<RecordBatch> {
    let mut files = Vec::new();
    collect_parquet(&lake.join(table), &mut files);
    files.sort();
    let mut batches = Vec::new();
    for f in files {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&f).unwrap())
            .unwrap_or_else(|e| panic!("{} is not readable Parquet: {e}", f.display()))
            .build()
            .unwrap();
        for b in reader {
            batches.push(b.unwrap());
        }
    }
    batches
}

fn collect_parquet(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect_parquet(&p, out);
        } else if p.extension().is_some_and(|x| x == "parquet") {
            out.push(p);
        }
    }
}
