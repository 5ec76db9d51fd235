//! Crash safety: SIGKILL the ingester mid-run, check the lake is readable and has no
//! duplicate, rerun, and get exactly the content of a clean run.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::common::{bin, graph_sign_in, run, sign_ins, write_lines};

fn make_inputs(dir: &Path) -> Vec<String> {
    let mut paths = Vec::new();
    for f in 0..24 {
        let lines: Vec<String> = (0..3000)
            .map(|i| {
                // Every file repeats some ids of the previous file with more details, so
                // dedup across commit groups is exercised too.
                let id = if i % 10 == 0 && f > 0 {
                    format!("{}-{i}", f - 1)
                } else {
                    format!("{f}-{i}")
                };
                let day = 1 + (i % 5);
                graph_sign_in(
                    &id,
                    &format!("2026-11-0{day}T08:00:00.1234567Z"),
                    1 + (f % 3) as usize,
                    &format!("f{f}"),
                )
            })
            .collect();
        let p = dir.join(format!("in-{f:02}.json"));
        write_lines(&p, &lines);
        paths.push(p.display().to_string());
    }
    paths
}

fn ingest_cmd(lake: &Path, inputs: &[String]) -> std::process::Command {
    let mut cmd = bin();
    cmd.arg("ingest").arg("--lake").arg(lake).args(inputs);
    // Commit every few thousand rows so a kill can land between, and inside, commits.
    cmd.env("MFAPROOF_COMMIT_ROWS", "5000");
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

#[test]
fn sigkill_mid_ingest_then_rerun_equals_clean_run() {
    let dir = TempDir::new().unwrap();
    let inputs = make_inputs(dir.path());
    let clean = dir.path().join("clean");
    let started = Instant::now();
    assert!(ingest_cmd(&clean, &inputs).status().unwrap().success());
    let clean_time = started.elapsed();
    let expected = sign_ins(&clean);
    assert!(expected.len() > 60_000);

    for (n, fraction) in [0.15, 0.4, 0.7].into_iter().enumerate() {
        let lake = dir.path().join(format!("killed-{n}"));
        let mut child = ingest_cmd(&lake, &inputs).spawn().unwrap();
        std::thread::sleep(Duration::from_secs_f64(clean_time.as_secs_f64() * fraction));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        // Readable right after the kill: every committed file parses, no duplicate id.
        let partial = sign_ins(&lake);
        assert!(partial.len() <= expected.len());
        // The rerun finishes the job.
        let out = run(&[
            &["ingest", "--lake", lake.to_str().unwrap()][..],
            &inputs.iter().map(String::as_str).collect::<Vec<_>>()[..],
        ]
        .concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            sign_ins(&lake),
            expected,
            "kill at {fraction} of a clean run"
        );
        assert!(!lake.join("_staging").exists());
        assert!(!lake.join("_journal").exists());
    }
}
