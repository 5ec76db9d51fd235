//! Stopping and going on: SIGKILL mid-run, an error mid-stream, a malformed page; then a
//! rerun from the checkpoint equals a clean run, without re-reading committed pages. And
//! the overlap window re-reads late and re-emitted records without duplicating them.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

use super::fake::{Kind, Server, rule};
use super::{
    UNTIL, assert_secret_absent, checkpoints, pull, pull_cmd, pull_failing, served, sign_in,
    tenant, window,
};
use crate::common::{quarantined, rows, sign_ins, text};

fn logs_only() -> Vec<&'static str> {
    [&window()[..], &["--streams", "signins,audit"]].concat()
}

/// The rerun of an interrupted pull: no --since, so the checkpoint decides.
fn rerun() -> Vec<&'static str> {
    vec!["--until", UNTIL, "--streams", "signins,audit"]
}

#[test]
fn sigkill_mid_pull_then_rerun_equals_a_clean_run() {
    let dir = TempDir::new().unwrap();
    let clean = Server::start(tenant());
    let clean_lake = dir.path().join("clean");
    assert!(pull(&clean, &clean_lake, &logs_only()).status.success());
    let expected = sign_ins(&clean_lake);

    let mut state = tenant();
    let stalled = "eq 'nonInteractiveUser')&$skiptoken=4";
    state.rules = vec![rule(stalled, 0, 1, Kind::Delay(Duration::from_secs(60)))];
    let server = Server::start(state);
    let lake = dir.path().join("killed");
    let mut child = pull_cmd(
        &server,
        &lake,
        &[&logs_only()[..], &["--commit-pages", "1"]].concat(),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    server.wait_for(stalled);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Committed before the stalled request: all interactive pages, the first page of the
    // non-interactive ones; the checkpoint points at the stalled page.
    assert_eq!(sign_ins(&lake).len(), 9 + 4);
    let c = checkpoints(&lake);
    let w = &c["streams"]["sign-ins/nonInteractiveUser"]["window"];
    assert!(
        w["next_link"].as_str().unwrap().contains("$skiptoken=4"),
        "{c}"
    );
    assert_eq!(w["pages_done"], 1);

    server.with(|s| s.seen.clear());
    let out = pull(&server, &lake, &rerun());
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        sign_ins(&lake),
        expected,
        "no gap, no duplicate, same provenance"
    );
    let first_pages = server
        .seen("eq 'nonInteractiveUser'")
        .into_iter()
        .filter(|s| s.target.contains("ge 2026-11-01T00:00:00Z") && !s.target.contains("skiptoken"))
        .count();
    assert_eq!(
        first_pages, 0,
        "the committed first page was not read again"
    );
    assert!(!lake.join("_staging").exists() && !lake.join("_journal").exists());
}

#[test]
fn ctrl_c_cancels_the_request_in_flight_and_keeps_what_was_read() {
    let mut state = tenant();
    let stalled = "directoryAudits?$filter=activityDateTime ge 2026-11-01T00:00:00Z and activityDateTime le 2026-11-04T00:00:00Z&$skiptoken=4";
    state.rules = vec![rule(stalled, 0, 1, Kind::Delay(Duration::from_secs(60)))];
    let (server, _dir, lake) = served(state);
    let child = pull_cmd(&server, &lake, &logs_only())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    server.wait_for(stalled);
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("interrupted"),
        "{}",
        text(&out)
    );
    assert_secret_absent(&out, &lake);
    assert_eq!(sign_ins(&lake).len(), 36);
    // The stalled page was not waited for: only the first page of audits is in the lake.
    assert_eq!(rows(&lake, "audit_events"), 4);
    assert_eq!(server.statuses(stalled), [200], "requested once");
    let out = pull(&server, &lake, &rerun());
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(rows(&lake, "audit_events"), 7);
}

#[test]
fn an_error_mid_stream_keeps_the_checkpoint_and_a_rerun_finishes() {
    let mut state = tenant();
    state.rules = vec![rule("directoryAudits", 1, 1, Kind::Status(400, None))];
    let (server, _dir, lake) = served(state);
    let (_, stderr) = pull_failing(&server, &lake, &logs_only());
    assert!(
        stderr.contains("400 from /v1.0/auditLogs/directoryAudits"),
        "{stderr}"
    );
    assert_eq!(rows(&lake, "audit_events"), 4, "the first page is kept");
    let c = checkpoints(&lake);
    assert!(
        c["streams"]["audit"]["window"]["next_link"]
            .as_str()
            .unwrap()
            .contains("$skiptoken=4")
    );

    // The saved link has expired meanwhile: the slice is read again from its start.
    server.with(|s| {
        s.seen.clear();
        s.rules = vec![rule("$skiptoken=4", 0, 1, Kind::Status(410, None))];
    });
    let out = pull(&server, &lake, &rerun());
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the saved next link was refused (410)"));
    assert_eq!(rows(&lake, "audit_events"), 7);
    assert_eq!(sign_ins(&lake).len(), 36);
    let audits: Vec<(bool, u16)> = server
        .seen("directoryAudits")
        .iter()
        .map(|s| (s.target.contains("$skiptoken=4"), s.status))
        .collect();
    assert_eq!(
        audits,
        [(true, 410), (false, 200), (true, 200)],
        "resumed at the failed page"
    );
}

#[test]
fn a_malformed_page_is_quarantined_and_stops_with_the_checkpoint_on_it() {
    let mut state = tenant();
    let bad = "eq 'servicePrincipal')&$skiptoken=4";
    state.rules = vec![rule(bad, 0, 1, Kind::Malformed)];
    let (server, _dir, lake) = served(state);
    let (stdout, stderr) = pull_failing(&server, &lake, &window());
    assert!(stderr.contains("quarantined"), "{stderr}");
    assert!(
        stdout.contains("sign-ins/managedIdentity: not-run"),
        "the pull stops: {stdout}"
    );
    // The page's readable records are in; the bad one is in quarantine, verbatim.
    assert_eq!(sign_ins(&lake).len(), 9 + 9 + 4 + 3);
    let quarantine = serde_json::to_string(&quarantined(&lake)).unwrap();
    assert!(
        quarantine.contains("yesterday") && quarantine.contains("#page=2"),
        "{quarantine}"
    );
    let c = checkpoints(&lake);
    let w = &c["streams"]["sign-ins/servicePrincipal"]["window"];
    assert!(
        w["next_link"].as_str().unwrap().contains("$skiptoken=4"),
        "{c}"
    );

    // Graph now serves the page intact: the rerun reads it again and finishes.
    let out = pull(&server, &lake, &["--until", UNTIL]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(sign_ins(&lake).len(), 36);
    assert_eq!(rows(&lake, "audit_events"), 7);
}

#[test]
fn the_overlap_rereads_late_and_reemitted_records_without_duplicates() {
    let mut state = tenant();
    state.sign_ins = vec![
        sign_in("a", "2026-11-03T09:00:00Z", "interactiveUser", 1),
        sign_in("b", "2026-11-03T11:30:00Z", "interactiveUser", 1),
    ];
    let (server, _dir, lake) = served(state);
    let first = ["--until", "2026-11-03T12:00:00Z", "--streams", "signins"];
    assert!(pull(&server, &lake, &first).status.success());
    assert_eq!(sign_ins(&lake).len(), 2);

    // Entra adds MFA details to b late, delivers c late, and d happens after the run.
    server.with(|s| {
        s.sign_ins = vec![
            sign_in("a", "2026-11-03T09:00:00Z", "interactiveUser", 1),
            sign_in("b", "2026-11-03T11:30:00Z", "interactiveUser", 2),
            sign_in("c", "2026-11-03T11:00:00Z", "interactiveUser", 2),
            sign_in("d", "2026-11-03T13:00:00Z", "interactiveUser", 2),
        ];
        s.seen.clear();
    });
    let out = pull(
        &server,
        &lake,
        &[
            "--until",
            "2026-11-03T18:00:00Z",
            "--streams",
            "signins",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_secret_absent(&out, &lake);
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["duplicates_dropped"], 1, "{summary}");
    let lake_rows = sign_ins(&lake); // panics on a duplicate id
    let ids: Vec<&str> = lake_rows.keys().map(String::as_str).collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(
        lake_rows["b"].1, 2,
        "the re-emitted version with more details wins"
    );
    let filters: Vec<String> = server
        .seen("eq 'interactiveUser'")
        .into_iter()
        .map(|s| s.target)
        .collect();
    assert!(
        filters[0].contains("ge 2026-11-03T10:00:00Z and createdDateTime le 2026-11-03T18:00:00Z"),
        "{filters:?}"
    );

    let out = pull(
        &server,
        &lake,
        &[
            "--until",
            "2026-11-03T19:00:00Z",
            "--streams",
            "signins",
            "--overlap",
            "30m",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        server.seen("ge 2026-11-03T17:30:00Z").len() == 4,
        "one request per event type"
    );
    assert_eq!(sign_ins(&lake).len(), 4);
}
