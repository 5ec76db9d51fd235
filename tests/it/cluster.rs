//! `mfaproof cluster`: a scheduler and two executors started as processes of the real
//! binary on free loopback ports; `classify`, `evaluate` and `query --cluster` give the
//! same bytes as on one machine (report.json but for when it was made), and both
//! executors ran tasks (each logs the tasks it executes).

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mfaproof::generate::rng::Rng;
use tempfile::TempDir;

use crate::common::{bin, ingest, run, run_into, run_ok, scenario_lake, text};

/// How long a process may take to say it is ready: a bound on a wait for its line, not a
/// pause (a debug build on a busy machine starts slowly).
const READY_WITHIN: Duration = Duration::from_secs(120);

/// The line an executor logs once the scheduler has registered it.
const REGISTERED: &str = "Executor registration succeed";

/// The line an executor logs for each task it runs.
const TASK: &str = "Execute task";

/// A process of the cluster and the lines it wrote to stderr.
struct Process {
    name: &'static str,
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    said: Receiver<String>,
}

impl Process {
    fn start(name: &'static str, args: &[&str]) -> Process {
        let mut child = bin()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mfaproof starts");
        let (tx, said) = channel();
        let lines = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let (tx, lines) = (tx.clone(), lines.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line.clone());
                    let _ = tx.send(line);
                }
            });
        }
        Process {
            name,
            child,
            lines,
            said,
        }
    }

    /// Waits for a line containing `what`; returns it.
    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.said.recv_timeout(left) {
                Ok(line) if line.contains(what) => return line,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    panic!("{} never said {what:?}:\n{}", self.name, self.log())
                }
            }
        }
    }

    fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    fn count(&self, what: &str) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(what))
            .count()
    }
}

/// A scheduler and two executors, stopped when dropped (also when a test fails).
struct Cluster {
    url: String,
    scheduler: Process,
    executors: Vec<Process>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for p in self.executors.iter_mut().chain([&mut self.scheduler]) {
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
    }
}

impl Cluster {
    /// Runs the binary with `args`; it must succeed (the panic shows its output and the
    /// cluster's logs).
    fn run_ok(&self, args: &[&str]) -> Vec<u8> {
        let out = run(args);
        if !out.status.success() {
            let mut logs = format!("scheduler:\n{}", self.scheduler.log());
            for e in &self.executors {
                logs.push_str(&format!("\n{}:\n{}", e.name, e.log()));
            }
            panic!("{}\n{logs}", text(&out));
        }
        out.stdout
    }
}

/// A free loopback port whose next port is free too (an executor's Flight and gRPC).
fn free_port_pair() -> u16 {
    loop {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = first.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

fn start_cluster() -> Cluster {
    let scheduler = Process::start(
        "scheduler",
        &["cluster", "scheduler", "--bind", "127.0.0.1:0"],
    );
    let line = scheduler.wait_for("scheduler listening on ");
    let address = line.rsplit(' ').next().unwrap().to_owned();
    let mut cluster = Cluster {
        url: format!("df://{address}"),
        scheduler,
        executors: Vec::new(),
    };
    for name in ["executor 1", "executor 2"] {
        let bind = format!("127.0.0.1:{}", free_port_pair());
        let args = [
            "cluster",
            "executor",
            "--scheduler",
            &address,
            "--bind",
            &bind,
        ];
        cluster.executors.push(Process::start(name, &args));
    }
    for e in &cluster.executors {
        e.wait_for(REGISTERED);
    }
    cluster
}

/// Both executors ran tasks since `before` (the counts of their task lines then).
fn both_took_part(cluster: &Cluster, before: &[usize]) {
    for (e, was) in cluster.executors.iter().zip(before) {
        assert!(
            e.count(TASK) > *was,
            "{} ran no task:\n{}\nscheduler:\n{}",
            e.name,
            e.log(),
            cluster.scheduler.log()
        );
    }
}

fn task_counts(cluster: &Cluster) -> Vec<usize> {
    cluster.executors.iter().map(|e| e.count(TASK)).collect()
}

/// report.json without the time it was made (the one field that differs between runs).
fn without_time(report: &Path) -> String {
    let text = fs::read_to_string(report).unwrap();
    let key = "\"generated_at\": \"";
    let start = text.find(key).expect("report.json has generated_at") + key.len();
    let end = start + text[start..].find('"').unwrap();
    format!("{}{}", &text[..start], &text[end..])
}

/// `classify` (with its why-not table) on one machine and on the cluster: the same bytes.
fn classify_is_the_same(cluster: &Cluster, lake: &Path, dir: &Path) {
    let one = dir.join("one");
    let many = dir.join("many");
    for (out, extra) in [(&one, vec![]), (&many, vec!["--cluster", &cluster.url])] {
        fs::create_dir_all(out).unwrap();
        let why_not = out.join("why_not.csv");
        let export = out.join("signins.csv");
        let mut args = vec!["classify", "--lake", lake.to_str().unwrap()];
        args.extend([
            "--out",
            export.to_str().unwrap(),
            "--why-not",
            why_not.to_str().unwrap(),
        ]);
        args.extend(extra);
        cluster.run_ok(&args);
    }
    for file in ["signins.csv", "why_not.csv"] {
        let (a, b) = (
            fs::read(one.join(file)).unwrap(),
            fs::read(many.join(file)).unwrap(),
        );
        assert!(a.len() > 200, "{file} has rows");
        assert!(a == b, "{file} differs on the cluster");
    }
}

#[test]
fn the_samples_classify_evaluate_and_query_the_same_on_a_cluster_of_two_executors() {
    let dir = TempDir::new().unwrap();
    let lake = scenario_lake(dir.path());
    let cluster = start_cluster();

    let before = task_counts(&cluster);
    classify_is_the_same(&cluster, &lake, dir.path());
    both_took_part(&cluster, &before);

    let (one, many) = (
        dir.path().join("report-one"),
        dir.path().join("report-many"),
    );
    run_into("evaluate", &lake, &one, &["--format", "json,csv"]);
    let before = task_counts(&cluster);
    let lake_arg = lake.to_str().unwrap();
    let many_arg = many.to_str().unwrap();
    cluster.run_ok(&[
        "evaluate",
        "--lake",
        lake_arg,
        "--out",
        many_arg,
        "--format",
        "json,csv",
        "--cluster",
        &cluster.url,
    ]);
    both_took_part(&cluster, &before);
    assert_eq!(
        without_time(&one.join("report.json")),
        without_time(&many.join("report.json"))
    );
    assert!(
        fs::read(one.join("findings.csv")).unwrap() == fs::read(many.join("findings.csv")).unwrap()
    );

    let sql = "SELECT class, verdict, count(*) AS n FROM sign_in_evidence GROUP BY class, verdict ORDER BY class, verdict";
    let query = |extra: &[&str]| {
        let mut args = vec!["query", sql, "--lake", lake_arg, "--format", "csv"];
        args.extend(extra);
        cluster.run_ok(&args)
    };
    let alone = query(&[]);
    assert!(String::from_utf8_lossy(&alone).lines().count() > 3);
    assert_eq!(alone, query(&["--cluster", &cluster.url]));
}

#[test]
fn a_generated_lake_classifies_the_same_on_a_cluster_of_two_executors() {
    let dir = TempDir::new().unwrap();
    let archive = dir.path().join("archive");
    let archive_arg = archive.to_str().unwrap();
    run_ok([
        "generate",
        "--out",
        archive_arg,
        "--sign-ins",
        "3000",
        "--seed",
        "18",
    ]);
    let lake = dir.path().join("lake");
    ingest(&lake, [archive.join("graph")]);
    let cluster = start_cluster();
    let before = task_counts(&cluster);
    classify_is_the_same(&cluster, &lake, dir.path());
    both_took_part(&cluster, &before);
}

/// The samples' groups body, with the members of its "MFA pilot" group (in a policy's
/// scope) grown by `extra` distinct pseudo-random user ids.
fn groups_with_a_large_group(extra: usize) -> String {
    let body =
        fs::read_to_string(crate::common::samples().join("conditional-access/tenant/groups.json"))
            .unwrap();
    let pilot = "\"id\": \"11111111-aaaa-4000-8000-000000000006\"";
    let at = body.find(pilot).expect("the pilot group's member") + pilot.len();
    let mut rng = Rng::new(18, 0);
    let mut members = String::with_capacity(extra * 60);
    for _ in 0..extra {
        // Random ids: they compress as real ones do (not at all).
        members.push_str(&format!("}},{{\"id\": \"{}\"", rng.guid()));
    }
    format!("{}{members}{}", &body[..at], &body[at..])
}

/// A plan carries the rows of the lake's directory: with a group of 700,000 members it
/// is larger than Ballista's default gRPC message (16 MiB), which the client's sessions
/// raise. (Raised after Ballista's planner had copied its settings, it failed to send.)
#[test]
fn a_plan_larger_than_ballistas_default_message_runs_on_the_cluster() {
    let dir = TempDir::new().unwrap();
    let lake = scenario_lake(dir.path());
    let groups = dir.path().join("groups.json");
    fs::write(&groups, groups_with_a_large_group(700_000)).unwrap();
    run_ok([
        "ingest",
        "--lake",
        lake.to_str().unwrap(),
        "--format",
        "directory-groups",
        groups.to_str().unwrap(),
    ]);
    let cluster = start_cluster();
    classify_is_the_same(&cluster, &lake, dir.path());
}

#[test]
fn an_executor_refuses_a_port_without_a_next_one_and_a_scheduler_without_a_port() {
    let out = bin()
        .args([
            "cluster",
            "executor",
            "--scheduler",
            "127.0.0.1:1",
            "--bind",
            "127.0.0.1:65535",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the next port, for gRPC"));
    let out = bin()
        .args(["cluster", "executor", "--scheduler", "localhost"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = bin()
        .args([
            "classify",
            "--lake",
            ".",
            "--out",
            "x.csv",
            "--cluster",
            "http://h:1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
