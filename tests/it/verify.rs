//! `mfaproof verify`, through the binary: a pack `evaluate` wrote verifies (with and without
//! the lake), and `SHA256SUMS` is what `sha256sum` writes; one edited byte of a report file,
//! a missing or extra file, and one edited row of the lake are each named.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, AsArray, Int32Array, RecordBatch};
use arrow::datatypes::Int32Type;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};

use super::common::{REPORT_FILES, files_under, run, scenario_into, strings, text};

/// `mfaproof verify <dir> [--lake <lake>]`: its status, stdout and stderr.
fn verify(dir: &Path, lake: Option<&Path>) -> (Option<i32>, String, String) {
    let mut args = vec!["verify".as_ref(), dir.as_os_str()];
    if let Some(lake) = lake {
        args.extend(["--lake".as_ref(), lake.as_os_str()]);
    }
    let out = run(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The SHA256SUMS `sha256sum` would write for the files of `dir` (sorted by name).
fn sha256sum(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "SHA256SUMS")
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| {
            let hash = Sha256::digest(std::fs::read(dir.join(n)).unwrap());
            let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}  {n}\n")
        })
        .collect()
}

#[test]
fn a_pack_evaluate_wrote_verifies_with_and_without_the_lake() {
    let run = scenario_into("evaluate", "report", &[]);
    let (lake, out) = (&run.lake, &run.out);
    assert!(text(&run.said).contains("wrote "), "{}", text(&run.said));
    let mut written: Vec<String> = files_under(out)
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = REPORT_FILES.iter().map(|f| (*f).to_owned()).collect();
    expected.push("SHA256SUMS".into());
    expected.sort();
    assert_eq!(written, expected);
    // Byte for byte what `sha256sum * > SHA256SUMS` gives over the other files.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert_eq!(sums, sha256sum(out));
    assert_eq!(sums.lines().count(), REPORT_FILES.len());
    assert_eq!(
        verify(out, None),
        (
            Some(0),
            "10 file(s) match SHA256SUMS\n".into(),
            String::new()
        )
    );
    let (status, stdout, stderr) = verify(out, Some(lake));
    assert_eq!((status, stderr.as_str()), (Some(0), ""), "{stdout}");
    assert_eq!(
        stdout,
        format!(
            "10 file(s) match SHA256SUMS\nevery figure matches a new evaluation of {}: report.json (but for generated_at, lake and tool), 9 other file(s)\n",
            lake.display()
        )
    );
    // And sha256sum itself, where it is installed, agrees.
    if let Ok(check) = std::process::Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(out)
        .output()
    {
        assert!(check.status.success(), "{}", text(&check));
    }
}

#[test]
fn an_edited_byte_a_missing_file_and_an_extra_file_are_named() {
    let run = scenario_into("evaluate", "report", &["--format", "json,md"]);
    let (lake, out) = (&run.lake, &run.out);
    let md = out.join("report.md");
    let mut bytes = std::fs::read(&md).unwrap();
    bytes[2] ^= 0x20;
    std::fs::write(&md, &bytes).unwrap();
    let changed = "report.md: changed (its SHA-256 is not the one in SHA256SUMS)";
    assert_eq!(
        verify(out, Some(lake)),
        (
            Some(1),
            format!(
                "the files differ from SHA256SUMS: the lake was not evaluated again\nDIFFERENT {changed}\n"
            ),
            format!("verify: 1 difference(s); the first: {changed}\n")
        )
    );
    std::fs::remove_file(out.join("report.json")).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let (status, stdout, _) = verify(out, None);
    assert_eq!(status, Some(1));
    assert_eq!(
        stdout,
        format!(
            "DIFFERENT report.json: missing (listed in SHA256SUMS)\nDIFFERENT {changed}\nDIFFERENT notes.txt: extra (not listed in SHA256SUMS)\n"
        )
    );
    // A pack without SHA256SUMS, or with a line sha256sum would not read, cannot be read.
    std::fs::write(out.join("SHA256SUMS"), "0123  report.md\n").unwrap();
    let (status, _, stderr) = verify(out, None);
    assert_eq!(status, Some(2));
    assert!(
        stderr.ends_with("SHA256SUMS: line 1: not `<sha256>  <file>`\n"),
        "{stderr}"
    );
    std::fs::remove_file(out.join("SHA256SUMS")).unwrap();
    let (status, _, stderr) = verify(out, None);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("SHA256SUMS: cannot be read: "), "{stderr}");
}

/// Rewrites the Parquet file of `sign_ins` holding sign-in `id` with its `error_code` set
/// to `code`: one row of the lake edited, the manifest untouched.
fn edit_error_code(lake: &Path, id: &str, code: i32) {
    for path in files_under(&lake.join("sign_ins")) {
        if path.extension().is_none_or(|x| x != "parquet") {
            continue;
        }
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        let holds = |b: &RecordBatch| strings(b, "id").iter().any(|v| v == Some(id));
        if !batches.iter().any(holds) {
            continue;
        }
        let edited: Vec<RecordBatch> = batches
            .iter()
            .map(|b| {
                let ids = strings(b, "id");
                let i = b.schema().index_of("error_code").unwrap();
                let old = b.column(i).as_primitive::<Int32Type>();
                let new: Int32Array = (0..b.num_rows())
                    .map(|r| {
                        if ids.value(r) == id {
                            Some(code)
                        } else {
                            old.is_valid(r).then(|| old.value(r))
                        }
                    })
                    .collect();
                let mut columns = b.columns().to_vec();
                columns[i] = Arc::new(new);
                RecordBatch::try_new(b.schema(), columns).unwrap()
            })
            .collect();
        let mut writer =
            ArrowWriter::try_new(File::create(&path).unwrap(), edited[0].schema(), None).unwrap();
        for b in &edited {
            writer.write(b).unwrap();
        }
        writer.close().unwrap();
        return;
    }
    panic!("no sign-in {id} in the lake");
}

#[test]
fn one_edited_row_of_the_lake_names_the_first_figure_it_changes() {
    let run = scenario_into("evaluate", "report", &[]);
    let (lake, out) = (&run.lake, &run.out);
    // A remembered-device sign-in (satisfied) now failed with a wrong password.
    edit_error_code(lake, "s04-alice-remembered", 50126);
    let (status, stdout, stderr) = verify(out, Some(lake));
    assert_eq!(status, Some(1), "{stdout}{stderr}");
    // R1's per-application figure (its first key) sees one more not-applicable (failed)
    // sign-in on the first application row, Alice's resource.
    let first = "report.json: $.requirements[0].figures.by_application.rows[0].not_applicable: pack 2, new evaluation 3";
    assert_eq!(
        stderr,
        format!("verify: 4 difference(s); the first: {first}\n")
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "10 file(s) match SHA256SUMS");
    assert_eq!(lines[1], format!("DIFFERENT {first}"));
    // Then each other file that differs, at its first line: Alice's account (one satisfied
    // sign-in fewer), the chart of R1 in the page, the row count of R1's table.
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(
        lines[2].starts_with("DIFFERENT accounts.csv line ")
            && lines[2].contains("alice@contoso.example"),
        "{stdout}"
    );
    assert!(
        lines[3].starts_with("DIFFERENT report.html line "),
        "{stdout}"
    );
    assert_eq!(
        lines[4],
        "DIFFERENT report.md line 26: pack \"**Sign-ins by event type, user type, class and verdict** — 20 row(s), from `queries/r1_sign_ins_by_class.sql`\", new evaluation \"**Sign-ins by event type, user type, class and verdict** — 19 row(s), from `queries/r1_sign_ins_by_class.sql`\""
    );
}
