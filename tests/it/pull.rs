//! `mfaproof pull` against a fake Graph and token endpoint on 127.0.0.1 (`pull/fake.rs`):
//! paging, the four event types, throttling and bursts, token expiry, kill and resume,
//! the overlap window, a 403, a malformed page — and the secret never leaves the process.

mod directory;
mod fake;
mod resume;
mod tenants;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::common::{
    bin, files_under, quarantined, read_table, rows, run_into, sign_ins, strings, temp_lake, text,
};
use fake::{Kind, SECRET, Server, State, rule};

const EVENT_TYPES: [&str; 4] = [
    "interactiveUser",
    "nonInteractiveUser",
    "servicePrincipal",
    "managedIdentity",
];
const SINCE: &str = "2026-11-01T00:00:00Z";
const UNTIL: &str = "2026-11-04T00:00:00Z";

fn sign_in(id: &str, created: &str, event: &str, details: usize) -> Value {
    let steps: Vec<Value> = (0..details)
        .map(|i| json!({"authenticationStepDateTime": created,
            "authenticationMethod": if i == 0 { "Password" } else { "Mobile app notification" },
            "succeeded": true,
            "authenticationStepResultDetail": if i == 0 { "Correct password" } else { "MFA successfully completed" }}))
        .collect();
    json!({"id": id, "createdDateTime": created, "userId": format!("u-{id}"),
        "userPrincipalName": format!("{id}@contoso.example"), "userType": "member",
        "signInEventTypes": [event], "isInteractive": event == "interactiveUser",
        "status": {"errorCode": 0}, "appliedConditionalAccessPolicies": [{"id": "p1", "displayName": "MFA", "result": "reportOnlySuccess"}],
        "authenticationDetails": steps})
}

/// 9 sign-ins per event type and 7 audits over three days; 6 users.
fn tenant() -> State {
    let mut sign_ins = Vec::new();
    for (e, event) in EVENT_TYPES.iter().enumerate() {
        for i in 0..9 {
            let created = format!(
                "2026-11-0{}T{:02}:{:02}:00.1234567Z",
                1 + i % 3,
                3 + i,
                10 + e
            );
            sign_ins.push(sign_in(&format!("{event}-{i}"), &created, event, 1 + i % 2));
        }
    }
    let audits = (0..7)
        .map(|i| json!({"id": format!("audit-{i}"), "activityDateTime": format!("2026-11-0{}T10:0{i}:00Z", 1 + i % 3),
            "activityDisplayName": "Update user", "category": "UserManagement", "result": "success",
            "initiatedBy": {"user": {"id": "admin", "userPrincipalName": "admin@contoso.example"}},
            "targetResources": [], "additionalDetails": []}))
        .collect();
    let users = (0..6)
        .map(|i| {
            (
                format!("user-{i}"),
                format!("u{i}@contoso.example"),
                ["disabled", "enabled", "enforced"][i % 3].to_string(),
            )
        })
        .collect();
    State {
        sign_ins,
        audits,
        users,
        security_defaults: true,
        page_size: 4,
        expires_in: 3600,
        ..State::default()
    }
}

fn pull_cmd(server: &Server, lake: &Path, extra: &[&str]) -> Command {
    pull_cmd_to(&server.uri(), &server.uri(), lake, extra)
}

/// `mfaproof pull` against a Graph root and a login root, with the fake tenant's
/// credentials, rate limits out of the way and short backoffs.
fn pull_cmd_to(graph: &str, login: &str, lake: &Path, extra: &[&str]) -> Command {
    let mut cmd = bin();
    cmd.args(["pull", "--lake"]).arg(lake);
    cmd.args(["--tenant-id", fake::TENANT, "--client-id", fake::CLIENT]);
    cmd.args(["--graph-url", graph, "--login-url", login]);
    cmd.args([
        "--requests-per-10s",
        "10000",
        "--directory-requests-per-10s",
        "10000",
    ]);
    cmd.args(extra);
    cmd.env("MFAPROOF_CLIENT_SECRET", SECRET);
    cmd.env("MFAPROOF_PULL_BACKOFF_MS", "20");
    cmd
}

/// The fake tenant served, and a lake for it in a temporary folder.
fn served(state: State) -> (Server, TempDir, PathBuf) {
    let (dir, lake) = temp_lake();
    (Server::start(state), dir, lake)
}

fn pull(server: &Server, lake: &Path, extra: &[&str]) -> Output {
    let out = pull_cmd(server, lake, extra)
        .output()
        .expect("mfaproof runs");
    assert_secret_absent(&out, lake);
    out
}

/// A pull that must end with status 1 (a stream failed or is partial): its stdout and
/// stderr.
fn pull_failing(server: &Server, lake: &Path, extra: &[&str]) -> (String, String) {
    let out = pull(server, lake, extra);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn window() -> Vec<&'static str> {
    vec!["--since", SINCE, "--until", UNTIL]
}

/// The secret is in no output and no file of the lake (nor its URL-encoded form).
fn assert_secret_absent(out: &Output, lake: &Path) {
    assert_secrets_absent(out, lake, &[SECRET]);
}

/// None of `secrets` is in the output or a file of the lake (nor their URL-encoded forms).
fn assert_secrets_absent(out: &Output, lake: &Path, secrets: &[&str]) {
    let encoded: Vec<String> = secrets
        .iter()
        .map(|s| s.replace('+', "%2B").replace('/', "%2F"))
        .collect();
    for needle in secrets
        .iter()
        .copied()
        .chain(encoded.iter().map(String::as_str))
    {
        assert!(!text(out).contains(needle), "secret in the output");
        for f in files_under(lake) {
            let bytes = std::fs::read(&f).unwrap();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "secret in {}",
                f.display()
            );
        }
    }
}

/// Sign-in id → event_type as stored.
fn event_types(lake: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for b in read_table(lake, "sign_ins") {
        let (ids, events) = (strings(&b, "id"), strings(&b, "event_type"));
        for r in 0..b.num_rows() {
            m.insert(ids.value(r).to_string(), events.value(r).to_string());
        }
    }
    m
}

/// (user_id, per_user_mfa_state) of every snapshot row, sorted.
fn mfa_states(lake: &Path) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for b in read_table(lake, "mfa_state_snapshots") {
        let (ids, states) = (strings(&b, "user_id"), strings(&b, "per_user_mfa_state"));
        for r in 0..b.num_rows() {
            v.push((ids.value(r).to_string(), states.value(r).to_string()));
        }
    }
    v.sort();
    v
}

fn checkpoints(lake: &Path) -> Value {
    let file = lake
        .join("pull")
        .join(fake::TENANT)
        .join("checkpoints.json");
    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
}

#[test]
fn pulls_every_stream_page_by_page_into_the_lake() {
    let (server, dir, lake) = served(tenant());
    let out = pull(&server, &lake, &window());
    assert!(out.status.success(), "{}", text(&out));
    let events = event_types(&lake);
    assert_eq!(events.len(), 36);
    for (ev, stored) in EVENT_TYPES.iter().zip([
        "interactive_user",
        "non_interactive_user",
        "service_principal",
        "managed_identity",
    ]) {
        let of_type: Vec<_> = events
            .iter()
            .filter(|(id, _)| id.starts_with(&format!("{ev}-")))
            .collect();
        assert_eq!(of_type.len(), 9, "{ev}");
        assert!(of_type.iter().all(|(_, s)| s.as_str() == stored), "{ev}");
        // 9 records in pages of 4: three pages, the later two by nextLink.
        let pages = server.seen(&format!("eq '{ev}'"));
        assert_eq!(pages.len(), 3, "{ev}: {pages:?}");
        assert_eq!(
            pages
                .iter()
                .filter(|p| p.target.contains("$skiptoken"))
                .count(),
            2
        );
    }
    assert_eq!(rows(&lake, "audit_events"), 7);
    assert_eq!(rows(&lake, "mfa_state_snapshots"), 6);
    assert_eq!(rows(&lake, "security_defaults_snapshots"), 1);
    // Users in pages of 4: two batches of per-user requirements.
    let batches = server.seen("/beta/$batch");
    assert_eq!(batches.len(), 2);
    assert!(batches.iter().all(|b| b.method == "POST"));
    let states = mfa_states(&lake);
    let states: Vec<(&str, &str)> = states.iter().map(|(u, s)| (&**u, &**s)).collect();
    assert_eq!(
        states,
        [
            ("user-0", "disabled"),
            ("user-1", "enabled"),
            ("user-2", "enforced"),
            ("user-3", "disabled"),
            ("user-4", "enabled"),
            ("user-5", "enforced")
        ]
    );
    let sources = sign_ins(&lake);
    let (_, (_, _, file)) = sources.iter().next().unwrap();
    assert!(
        file.starts_with(
            "graph:/beta/auditLogs/signIns?$filter=createdDateTime ge 2026-11-01T00:00:00Z"
        ),
        "{file}"
    );
    assert!(
        !file.contains("skiptoken") && !file.contains("127.0.0.1"),
        "{file}"
    );
    let c = checkpoints(&lake);
    for key in [
        "sign-ins/interactiveUser",
        "sign-ins/managedIdentity",
        "audit",
    ] {
        assert_eq!(c["streams"][key]["watermark"], json!(UNTIL), "{key}");
        assert!(c["streams"][key]["window"].is_null());
    }
    // The pulled lake is evidence like an ingested one.
    let report = dir.path().join("report");
    run_into("evaluate", &lake, &report, &[]);
    let json: Value =
        serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["sign_ins"]["count"], 36, "{}", json["sign_ins"]);
    // A second run from the checkpoint re-reads only the overlap: nothing new, no duplicate.
    let out = pull(
        &server,
        &lake,
        &["--until", "2026-11-04T01:00:00Z", "--streams", "signins"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(sign_ins(&lake).len(), 36);
}

#[test]
fn throttling_and_bursts_are_waited_out() {
    let mut state = tenant();
    state.batch_throttled = 3;
    state.token_unavailable = 2;
    state.rules = vec![
        rule("eq 'interactiveUser'", 1, 1, Kind::Status(429, Some("1"))),
        rule("directoryAudits", 0, 3, Kind::Status(503, None)),
        rule("/v1.0/users", 0, 1, Kind::Status(504, None)),
    ];
    let (server, _dir, lake) = served(state);
    let out = pull(&server, &lake, &window());
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(sign_ins(&lake).len(), 36);
    assert_eq!(rows(&lake, "audit_events"), 7);
    assert_eq!(rows(&lake, "mfa_state_snapshots"), 6);
    let page2 = server.seen("eq 'interactiveUser')&$skiptoken=4");
    assert_eq!(
        page2.iter().map(|s| s.status).collect::<Vec<_>>(),
        [429, 200]
    );
    // The wait is the one Graph asked for (Retry-After: 1), not the backoff's (20 ms here).
    let stderr = String::from_utf8_lossy(&out.stderr);
    let throttled: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("429 from /beta/auditLogs/signIns"))
        .collect();
    assert_eq!(throttled.len(), 1, "{stderr}");
    assert!(throttled[0].ends_with("; retrying in 1.0 s"), "{stderr}");
    let audits = server.statuses("directoryAudits");
    assert_eq!(audits[..4], [503, 503, 503, 200]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("retrying in"));
    let tokens = server.statuses("/oauth2/v2.0/token");
    assert_eq!(
        tokens,
        [503, 503, 200],
        "an unavailable token endpoint is retried"
    );
    assert_eq!(
        server.seen("/beta/$batch").len(),
        3,
        "the throttled items were sent again"
    );
}

#[test]
fn slices_split_the_window_and_find_the_same_records() {
    let (server, _dir, lake) = served(tenant());
    let out = pull(
        &server,
        &lake,
        &[&window()[..], &["--streams", "signins", "--slice", "1d"]].concat(),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(sign_ins(&lake).len(), 36);
    let firsts: Vec<String> = server
        .seen("eq 'interactiveUser'")
        .into_iter()
        .filter(|s| !s.target.contains("skiptoken"))
        .map(|s| s.target)
        .collect();
    assert_eq!(firsts.len(), 3, "{firsts:?}");
    assert!(
        firsts[1].contains("ge 2026-11-02T00:00:00Z and createdDateTime le 2026-11-03T00:00:00Z")
    );
}

#[test]
fn an_expiring_or_revoked_token_is_renewed_mid_run() {
    let mut state = tenant();
    // Renewed 0.4 s before expiry; the sign-ins take about 4.8 s.
    state.expires_in = 4;
    state.rules = vec![
        rule(
            "auditLogs/signIns",
            0,
            12,
            Kind::Delay(Duration::from_millis(400)),
        ),
        rule("directoryAudits", 1, 1, Kind::Unauthorized),
    ];
    let (server, _dir, lake) = served(state);
    let out = pull(
        &server,
        &lake,
        &[&window()[..], &["--streams", "signins,audit"]].concat(),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(sign_ins(&lake).len(), 36);
    assert_eq!(rows(&lake, "audit_events"), 7);
    let tokens = server.seen("/oauth2/v2.0/token").len();
    assert!(
        tokens >= 3,
        "renewed before expiry and after the 401: {tokens} tokens"
    );
    assert_eq!(
        server.with(|s| s.expired_uses),
        0,
        "an expired token was sent"
    );
    let audits = server.statuses("directoryAudits");
    assert_eq!(audits, [200, 401, 200]);
}

#[test]
fn a_403_names_the_missing_permission_and_the_other_streams_go_on() {
    let mut state = tenant();
    state.forbidden = vec![
        "directoryAudits".into(),
        "/authentication/requirements".into(),
    ];
    let (server, _dir, lake) = served(state);
    let (stdout, stderr) = pull_failing(&server, &lake, &window());
    assert!(
        stderr.contains("403 from GET /v1.0/auditLogs/directoryAudits: the app likely lacks the application permission AuditLog.Read.All"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Insufficient privileges"),
        "Graph's own words: {stderr}"
    );
    assert!(stderr.contains("Policy.Read.All"), "{stderr}");
    assert!(
        stdout.contains("audit: failed") && stdout.contains("mfa-state: failed"),
        "{stdout}"
    );
    assert_eq!(sign_ins(&lake).len(), 36);
    assert_eq!(rows(&lake, "security_defaults_snapshots"), 1);
    assert!(checkpoints(&lake)["streams"]["audit"]["watermark"].is_null());
}

/// The pull failures file of `lake`.
fn failures(lake: &Path) -> Value {
    let file = lake.join("pull").join(fake::TENANT).join("failures.json");
    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
}

/// The holes `evaluate` names in `lake`: `(kind, what, effect)`.
fn holes(lake: &Path, out: &Path) -> Vec<(String, String, String)> {
    run_into("evaluate", lake, out, &["--format", "json"]);
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let r6 = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "R6")
        .unwrap();
    let word = |h: &Value, k: &str| h[k].as_str().unwrap().to_owned();
    r6["figures"]["holes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (word(h, "kind"), word(h, "what"), word(h, "effect")))
        .filter(|h| h.0 == "pull_failed")
        .collect()
}

#[test]
fn a_stream_not_read_is_a_hole_until_a_pull_reads_its_window() {
    let mut state = tenant();
    state.forbidden = vec!["directoryAudits".into()];
    let (server, dir, lake) = served(state);
    pull_failing(&server, &lake, &window());
    let f = failures(&lake);
    let audit = &f["streams"]["audit"];
    assert_eq!(f["streams"].as_object().unwrap().len(), 1, "{f}");
    assert_eq!(audit["window_from"], SINCE);
    assert_eq!(audit["window_to"], UNTIL);
    assert!(
        audit["reason"]
            .as_str()
            .unwrap()
            .starts_with("403 from GET /v1.0/auditLogs/directoryAudits: the app likely lacks the application permission AuditLog.Read.All"),
        "{audit}"
    );
    assert_eq!(
        holes(&lake, &dir.path().join("r1")),
        [(
            "pull_failed".to_owned(),
            "audit, 2026-11-01T00:00:00Z to 2026-11-04T00:00:00Z".to_owned(),
            "lowers_verdict".to_owned()
        )]
    );
    // The permission granted, the next pull reads the window and clears it.
    let server = Server::start(tenant());
    pull(&server, &lake, &window());
    assert_eq!(failures(&lake)["streams"], json!({}));
    assert!(holes(&lake, &dir.path().join("r2")).is_empty());
}

#[test]
fn a_wrong_secret_fails_with_the_oauth_error_and_no_secret() {
    let (server, _dir, lake) = served(tenant());
    let mut cmd = pull_cmd(&server, &lake, &window());
    cmd.env("MFAPROOF_CLIENT_SECRET", "wrong-secret-value");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = text(&out);
    assert!(all.contains("invalid_client: AADSTS7000215"), "{all}");
    assert!(
        !all.contains("wrong-secret-value") && !all.contains(SECRET),
        "{all}"
    );
    let mut missing = pull_cmd(&server, &lake, &window());
    missing.env_remove("MFAPROOF_CLIENT_SECRET");
    let out = missing.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error: {}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: set the app's client secret in the environment variable MFAPROOF_CLIENT_SECRET (it is never taken as a flag)\n"
    );
}

#[test]
fn an_unreachable_graph_is_retried_then_reported() {
    let (server, _dir, lake) = served(tenant());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let graph = format!("http://127.0.0.1:{port}");
    let extra = [&window()[..], &["--streams", "audit"]].concat();
    let out = pull_cmd_to(&graph, &server.uri(), &lake, &extra)
        .output()
        .unwrap();
    assert_secret_absent(&out, &lake);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/v1.0/auditLogs/directoryAudits: request failed"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("retrying in").count(), 6, "{stderr}");
}

#[test]
fn an_unknown_mfa_state_is_quarantined_and_the_other_users_are_kept() {
    let mut state = tenant();
    state.users[4].2 = "someFutureState".into();
    let (server, _dir, lake) = served(state);
    let streams = ["--streams", "mfa-state,security-defaults"];
    let (stdout, _) = pull_failing(&server, &lake, &[&window()[..], &streams].concat());
    assert!(
        stdout.contains("mfa-state: partial, 5 snapshot rows, 1 quarantined"),
        "{stdout}"
    );
    assert!(stdout.contains("security-defaults: complete"), "{stdout}");
    assert_eq!(mfa_states(&lake).len(), 5);
    let quarantine = serde_json::to_string(&quarantined(&lake)).unwrap();
    assert!(
        quarantine.contains("someFutureState") && quarantine.contains("user-4"),
        "{quarantine}"
    );
}
