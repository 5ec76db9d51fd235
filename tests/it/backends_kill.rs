//! Crash safety on both backends, read only through the binary: the hidden
//! `ingest --crash-at STAGE:N` (see `kill.rs`) stops the process at each named point of a
//! commit, on a folder lake and on a lake in Azurite. After each stop the lake is readable,
//! without duplicates, and holds whole commits only (a reader finishes a commit stopped
//! mid-way); a rerun then gives exactly the content of a clean run.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

use crate::backend::{Backend, Backends, Lake};
use crate::backends::TABLE_COUNTS;
use crate::common::{TENANT, text};
use crate::kill::make_inputs;

/// Rows staged before a commit (at the next input boundary): with sign-in files of 200
/// rows, a commit every two of them, four in all.
const COMMIT_ROWS: &str = "300";

/// Every stage, the later ones in the middle of the run.
const POINTS: [&str; 4] = ["staged:1", "journaled:2", "renamed:2", "committed:3"];

/// [`TABLE_COUNTS`] of the clean run: 6 × 200 sign-ins less the 5 × 20 repeated, 50 audit
/// events, the scenario's three per-user MFA states and one security defaults snapshot.
const CLEAN_TABLES: &str = r#"{"sign_ins":1100,"sign_in_ids":1100,"audit_events":50,"audit_ids":50,"mfa_state_snapshots":3,"security_defaults_snapshots":1,"ca_policies":0,"named_locations":0,"directory_users":0,"user_registrations":0,"directory_groups":0,"role_assignments":0}"#;

/// [`TABLE_COUNTS`] of a lake no commit reached.
const EMPTY_TABLES: &str = r#"{"sign_ins":0,"sign_in_ids":0,"audit_events":0,"audit_ids":0,"mfa_state_snapshots":0,"security_defaults_snapshots":0,"ca_policies":0,"named_locations":0,"directory_users":0,"user_registrations":0,"directory_groups":0,"role_assignments":0}"#;

/// `mfaproof ingest --json --tenant TENANT INPUTS… [--crash-at POINT]`, a commit every
/// [`COMMIT_ROWS`].
fn ingest(lake: &Lake, inputs: &[PathBuf], crash_at: Option<&str>) -> Output {
    let mut args: Vec<OsString> = vec!["--json".into(), "--tenant".into(), TENANT.into()];
    args.extend(inputs.iter().map(|p| p.into()));
    if let Some(point) = crash_at {
        args.extend(["--crash-at".into(), point.into()]);
    }
    let mut cmd = lake.command("ingest");
    cmd.args(args).env("MFAPROOF_COMMIT_ROWS", COMMIT_ROWS);
    cmd.output().expect("mfaproof runs")
}

/// What `mfaproof query` shows of a lake: every sign-in, then every audit event with
/// [`TABLE_COUNTS`] beside it (the counts alone when there is none), one JSON line a row,
/// sorted, without the run's time and sequence. Two queries, not one a table: each is a
/// process that sets up the evidence views first.
fn content(lake: &Lake) -> [String; 2] {
    let rows = |sql: &str| {
        let json = lake.query("json", sql);
        let mut rows: Vec<&str> = json.lines().collect();
        rows.sort_unstable();
        rows.join("\n")
    };
    [
        rows("SELECT * EXCLUDE (ingested_at, ingest_seq) FROM sign_ins"),
        rows(&format!(
            "SELECT c.*, a.* EXCLUDE (ingested_at, ingest_seq) \
             FROM ({TABLE_COUNTS}) c LEFT JOIN audit_events a ON true"
        )),
    ]
}

/// The content of a clean ingest of `inputs` into a folder lake, kept by the inputs' paths
/// (a stop's committed inputs are a prefix of the inputs, so few are built).
struct Wholes<'a> {
    backends: &'a Backends,
    built: BTreeMap<Vec<String>, [String; 2]>,
}

impl Wholes<'_> {
    fn of(&mut self, inputs: &[String]) -> [String; 2] {
        if inputs.is_empty() {
            return [String::new(), EMPTY_TABLES.to_owned()];
        }
        let n = self.built.len();
        let backends = self.backends;
        self.built
            .entry(inputs.to_vec())
            .or_insert_with(|| {
                let lake = backends.lake(Backend::Folder, &format!("whole-{n}"));
                let paths: Vec<PathBuf> = inputs.iter().map(PathBuf::from).collect();
                let out = ingest(&lake, &paths, None);
                assert!(out.status.success(), "{}", text(&out));
                content(&lake)
            })
            .clone()
    }
}

/// The inputs a summary calls already ingested, in its order.
fn already_ingested(summary: &Value) -> Vec<String> {
    let inputs = summary["inputs"].as_array().expect("inputs");
    let already = inputs.iter().filter(|i| i["status"] == "already-ingested");
    already
        .map(|i| i["path"].as_str().expect("a path").to_owned())
        .collect()
}

/// The clean run, then a stop at each of [`POINTS`] and a rerun, on `backend`.
fn stops_then_reruns(
    backends: &Backends,
    backend: Backend,
    inputs: &[PathBuf],
    wholes: &mut Wholes,
) {
    let clean = backends.lake(backend, "clean");
    let on = clean.backend();
    let out = ingest(&clean, inputs, None);
    assert!(out.status.success(), "{on}: {}", text(&out));
    let expected = content(&clean);
    let tables = clean.query("json", TABLE_COUNTS);
    assert_eq!(tables.trim_end(), CLEAN_TABLES, "{on}");
    assert_eq!(
        clean.objects("quarantine/").len(),
        1,
        "{on}: the one bad line"
    );
    for (n, point) in POINTS.into_iter().enumerate() {
        let lake = backends.lake(backend, &format!("stopped-{n}"));
        let out = ingest(&lake, inputs, Some(point));
        assert_eq!(out.status.code(), Some(137), "{on} {point}: {}", text(&out));
        let mid_commit = point.starts_with("journaled") || point.starts_with("renamed");
        let journal: &[&str] = if mid_commit {
            &["_journal/commit.json"]
        } else {
            &[]
        };
        assert_eq!(lake.objects("_journal/"), journal, "{on} {point}");
        // The killed writer's lock stays; the rerun, on the same host, takes it over.
        let lock = lake.objects("_writer.lock");
        assert_eq!(lock, ["_writer.lock"], "{on} {point}");
        // A reader finishes a commit the stop left half-applied before it reads.
        let held = content(&lake);
        assert_eq!(lake.objects("_journal/"), [""; 0], "{on} {point}");

        let out = ingest(&lake, inputs, None);
        assert!(out.status.success(), "{on} {point}: {}", text(&out));
        let summary: Value = serde_json::from_slice(&out.stdout).expect("the summary");
        let committed = already_ingested(&summary);
        assert_eq!(held, wholes.of(&committed), "{on} {point}: whole commits");
        assert_eq!(
            content(&lake),
            expected,
            "{on}: stopped at {point}, then rerun"
        );
        assert_eq!(lake.objects("quarantine/").len(), 1, "{on} {point}");
        for leftover in ["_staging/", "_journal/", "_writer.lock"] {
            assert_eq!(lake.objects(leftover), [""; 0], "{on} {point}");
        }
    }
}

/// Issue 18: kill-safety holds on the emulator as on disk.
#[test]
fn a_stop_at_every_commit_point_then_a_rerun_equals_a_clean_run_on_both_backends() {
    let backends = Backends::start(
        "a_stop_at_every_commit_point_then_a_rerun_equals_a_clean_run_on_both_backends",
    );
    let dir = backends.dir().join("inputs");
    std::fs::create_dir(&dir).unwrap();
    let inputs = make_inputs(&dir, 6, 200);
    let mut wholes = Wholes {
        backends: &backends,
        built: BTreeMap::new(),
    };
    for backend in backends.each() {
        stops_then_reruns(&backends, backend, &inputs, &mut wholes);
    }
}
