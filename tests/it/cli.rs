//! The command line's contract: every subcommand's `--help` documents the exit statuses,
//! an error is said once with the status it calls for, and output closed early by its
//! reader ends the command quietly with status 0.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use tempfile::TempDir;

use crate::common::{bin, fails, run, run_ok, scenario_lake, stderr};

const SUBCOMMANDS: [&str; 9] = [
    "run",
    "ingest",
    "classify",
    "evaluate",
    "query",
    "pull",
    "generate",
    "bench",
    "check-policies",
];

#[test]
fn every_help_documents_the_exit_statuses() {
    let top = run_ok(["--help"]);
    let top = String::from_utf8_lossy(&top.stdout);
    assert!(
        top.contains("Exit status: 0 success; 1 runtime failure; 2 usage error or unreadable input; 3 evaluated and not compliant"),
        "{top}"
    );
    for sub in SUBCOMMANDS {
        let out = run_ok([sub, "--help"]);
        let help = String::from_utf8_lossy(&out.stdout);
        let statuses = help
            .lines()
            .skip_while(|l| !l.starts_with("Exit status: 0 "))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            statuses.contains("; 1 ") && statuses.contains("; 2 usage error"),
            "{sub}: {help}"
        );
        let strict = matches!(sub, "run" | "evaluate");
        assert_eq!(
            statuses.contains("3 with --strict"),
            strict,
            "{sub}: {help}"
        );
        assert_eq!(
            statuses.contains("4 with --strict, compliant only on the evidence available"),
            strict,
            "{sub}: {help}"
        );
    }
}

#[test]
fn no_lake_is_a_usage_error_said_once() {
    let dir = TempDir::new().unwrap();
    let lake = dir.path().join("nowhere");
    let lake = lake.to_str().unwrap();
    let out_csv = dir.path().join("x.csv");
    for args in [
        vec!["query", "--lake", lake, "select 1"],
        vec![
            "classify",
            "--lake",
            lake,
            "--out",
            out_csv.to_str().unwrap(),
        ],
        vec![
            "evaluate",
            "--lake",
            lake,
            "--out",
            dir.path().to_str().unwrap(),
        ],
    ] {
        let said = format!("error: {lake}: no lake here (run `mfaproof ingest` first)\n");
        fails(&args, 2, &said);
    }
}

#[test]
fn a_query_error_is_said_once_with_status_2() {
    let dir = TempDir::new().unwrap();
    let lake = scenario_lake(dir.path());
    let lake = lake.to_str().unwrap();
    let out = run(["query", "--lake", lake, "select nonsense from sign_ins"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    // DataFusion lists every column of the table it looked in: once.
    let columns = run_ok([
        "query",
        "--lake",
        lake,
        "--format",
        "csv",
        "select column_name from information_schema.columns where table_name = 'sign_ins' order by ordinal_position",
    ]);
    let columns = String::from_utf8_lossy(&columns.stdout);
    let listed: Vec<String> = columns
        .lines()
        .skip(1)
        .map(|c| format!("sign_ins.{c}"))
        .collect();
    assert!(listed.len() > 50, "{columns}");
    assert_eq!(
        err,
        format!(
            "error: Schema error: No field named nonsense.\nValid fields are {}.\n",
            listed.join(", ")
        )
    );
    fails(
        ["query", "--lake", lake, "--file", "/nonexistent/q.sql"],
        2,
        "error: /nonexistent/q.sql: cannot read the SQL: No such file or directory (os error 2)\n",
    );
}

#[test]
fn output_closed_early_ends_quietly_with_status_0() {
    let dir = TempDir::new().unwrap();
    let lake = scenario_lake(dir.path());
    // Millions of rows: far more than a pipe holds, so writes go on after the close.
    let sql = "select a.id, b.id, c.id from sign_ins a, sign_ins b, sign_ins c";
    for format in ["csv", "json", "table"] {
        let mut child = bin()
            .args([
                "query",
                "--lake",
                lake.to_str().unwrap(),
                "--format",
                format,
                sql,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is dropped here: the pipe is closed, as `| head -1` does.
        let out = child.wait_with_output().unwrap();
        assert!(!first.is_empty(), "{format}");
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}");
    }
}
