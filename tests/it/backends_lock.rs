//! One writer at a time on both backends: `<lake>/_writer.lock`, a create-only object,
//! refuses a second writer (exit status 1, the holder named) on a folder lake and in
//! Azurite alike; a lock of a process of this host that is gone is taken over.

use std::path::Path;

use crate::backend::{Backends, Lake};
use crate::common::{TENANT, graph_sign_in, stderr, text, write_lines};

const LOCK: &str = "_writer.lock";

/// This machine's name as the kernel has it (what the lock compares).
fn host_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("the host's name");
    name.trim().to_owned()
}

/// A pid no process has: above the kernel's largest.
fn dead_pid() -> u64 {
    let max = std::fs::read_to_string("/proc/sys/kernel/pid_max").expect("the largest pid");
    max.trim().parse::<u64>().expect("a number") + 1
}

/// `mfaproof ingest --tenant TENANT INPUT`: refused with exit status 1 and `holder` named
/// while the lock is held; nothing is written.
fn refused(lake: &Lake, input: &Path, holder: &str) {
    let out = lake.run("ingest", [Path::new("--tenant"), Path::new(TENANT), input]);
    let on = lake.backend();
    assert_eq!(out.status.code(), Some(1), "{on}: {}", text(&out));
    let lock = match lake.backend() {
        "folder" => Path::new(&lake.shown()).join(LOCK).display().to_string(),
        _ => format!("{}/{LOCK}", lake.url),
    };
    assert_eq!(
        stderr(&out),
        format!(
            "error: ingesting into {}: the lake is being written by another writer ({holder}): \
             one writer at a time; if that writer is no longer running, delete {lock} and run again\n",
            lake.shown()
        ),
        "{on}"
    );
    assert_eq!(lake.objects(""), [LOCK], "{on}: only the lock");
}

/// A lock naming a writer of another host, then one naming this test's own (running)
/// process: both refuse `ingest`. Once the lock is deleted the ingest works and leaves no
/// lock; a lock of a gone process of this host is taken over.
#[test]
fn a_lake_held_by_another_writer_is_refused_on_both_backends() {
    let backends = Backends::start("a_lake_held_by_another_writer_is_refused_on_both_backends");
    let input = write_lines(
        &backends.dir().join("in.json"),
        &[graph_sign_in("a", "2026-11-03T08:00:00Z", 1, "a")],
    );
    let ingest = |lake: &Lake| {
        lake.ok("ingest", [Path::new("--tenant"), Path::new(TENANT), &input]);
        assert_eq!(
            lake.objects(LOCK),
            [""; 0],
            "{}: no lock left",
            lake.backend()
        );
    };
    let (host, pid) = (host_name(), std::process::id());
    for lake in backends.lakes("locked") {
        lake.put(
            LOCK,
            br#"{"host":"etl-01","pid":4711,"since":"2026-12-07T05:20:11Z"}"#,
        );
        refused(
            &lake,
            &input,
            "process 4711 on host etl-01 since 2026-12-07T05:20:11Z",
        );
        lake.delete(LOCK);
        let running = format!(r#"{{"host":"{host}","pid":{pid},"since":"2026-12-07T05:20:11Z"}}"#);
        lake.put(LOCK, running.as_bytes());
        let holder = format!("process {pid} on host {host} since 2026-12-07T05:20:11Z");
        refused(&lake, &input, &holder);
        lake.delete(LOCK);
        ingest(&lake);
        assert_eq!(lake.query("csv", "SELECT id FROM sign_ins"), "id\na\n");

        let gone = format!(
            r#"{{"host":"{host}","pid":{},"since":"2026-12-07T05:20:11Z"}}"#,
            dead_pid()
        );
        lake.put(LOCK, gone.as_bytes());
        ingest(&lake);
    }
}
