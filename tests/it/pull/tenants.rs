//! `mfaproof pull --config tenants.toml`: two tenants of one fake Graph (each with its own
//! app registration, secret, tokens and data) pulled into one lake, every row stamped with
//! its tenant; a tenant whose secret variable is unset fails alone; a secret in the file is
//! refused; the request budget is one for all tenants.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{Value, json};

use super::fake::{self, Other, Server, State, Who};
use super::{SINCE, UNTIL, assert_secrets_absent, tenant};
use crate::common::{bin, read_table, strings, temp_lake, text};

const B: Who = Who {
    tenant: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    client: "app-client-b",
    secret: "b-S3CRET/value+42",
};

const STREAMS: &str = "signins,audit,mfa-state,security-defaults";

/// The second tenant: 5 sign-ins per event type, 3 audits, 4 users, security defaults off;
/// every id differs from the main tenant's.
fn tenant_b() -> State {
    let mut s = tenant();
    s.sign_ins.retain(|v| {
        let id = v["id"].as_str().unwrap();
        id[id.len() - 1..] < *"5"
    });
    for v in &mut s.sign_ins {
        v["id"] = json!(format!("b-{}", v["id"].as_str().unwrap()));
    }
    s.audits.truncate(3);
    for v in &mut s.audits {
        v["id"] = json!(format!("b-{}", v["id"].as_str().unwrap()));
    }
    s.users.truncate(4);
    for u in &mut s.users {
        u.0 = format!("b-{}", u.0);
    }
    s.security_defaults = false;
    s
}

/// The security-defaults policy, one directory request per tenant.
const POLICY: &str = "identitySecurityDefaultsEnforcementPolicy";

/// The fake serving both tenants.
fn two_tenants() -> Server {
    Server::start(two_tenants_state())
}

/// The main tenant's state, with B served beside it.
fn two_tenants_state() -> State {
    let mut main = tenant();
    main.others = vec![Other {
        who: B,
        state: tenant_b(),
    }];
    main
}

/// A tenants file: the main tenant with its roots in the file, B with the command line's
/// roots and its own streams.
fn config(dir: &Path, server: &Server, b_secret_env: &str, b_streams: &str) -> std::path::PathBuf {
    let uri = server.uri();
    let text = format!(
        "# Two tenants, one lake.\n\
         [[tenant]]\ntenant_id = \"{}\"\nclient_id = \"{}\"\nclient_secret_env = \"TENANT_A_SECRET\"\n\
         graph_url = \"{uri}\"\nlogin_url = \"{uri}\"\n\n\
         [[tenant]]\ntenant_id = \"{}\"\nclient_id = \"{}\"\nclient_secret_env = \"{b_secret_env}\"\n\
         streams = [{}]\n",
        fake::TENANT,
        fake::CLIENT,
        B.tenant.to_uppercase(),
        B.client,
        b_streams
            .split(',')
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let path = dir.join("tenants.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn pull_config(server: &Server, lake: &Path, config: &Path, extra: &[&str]) -> Command {
    let mut cmd = bin();
    cmd.args(["pull", "--lake"])
        .arg(lake)
        .arg("--config")
        .arg(config);
    cmd.args(["--graph-url", &server.uri(), "--login-url", &server.uri()]);
    cmd.args(["--since", SINCE, "--until", UNTIL]);
    cmd.args(extra);
    cmd.env("TENANT_A_SECRET", fake::SECRET)
        .env("TENANT_B_SECRET", B.secret)
        .env_remove("MFAPROOF_CLIENT_SECRET")
        .env("MFAPROOF_PULL_BACKOFF_MS", "20");
    cmd
}

fn unlimited() -> Vec<&'static str> {
    vec![
        "--requests-per-10s",
        "10000",
        "--directory-requests-per-10s",
        "10000",
    ]
}

/// `(tenant_id, rows)` of every tenant in a table.
fn per_tenant(lake: &Path, table: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for b in read_table(lake, table) {
        let t = strings(&b, "tenant_id");
        for r in 0..b.num_rows() {
            *m.entry(t.value(r).to_owned()).or_insert(0) += 1;
        }
    }
    m
}

/// Sign-in id → tenant_id.
fn sign_in_tenants(lake: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for b in read_table(lake, "sign_ins") {
        let (ids, t) = (strings(&b, "id"), strings(&b, "tenant_id"));
        for r in 0..b.num_rows() {
            m.insert(ids.value(r).to_owned(), t.value(r).to_owned());
        }
    }
    m
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

#[test]
fn two_tenants_pulled_into_one_lake_each_row_with_its_tenant() {
    let server = two_tenants();
    let (dir, lake) = temp_lake();
    let config = config(dir.path(), &server, "TENANT_B_SECRET", STREAMS);
    let extra = [&unlimited()[..], &["--streams", STREAMS, "--json"]].concat();
    let out = pull_config(&server, &lake, &config, &extra)
        .output()
        .unwrap();
    assert_secrets_absent(&out, &lake, &[fake::SECRET, B.secret]);
    assert!(out.status.success(), "{}", text(&out));
    let (a, b) = (fake::TENANT.to_owned(), B.tenant.to_owned());
    let counts = |table: &str| per_tenant(&lake, table);
    assert_eq!(
        counts("sign_ins"),
        BTreeMap::from([(a.clone(), 36), (b.clone(), 20)])
    );
    assert_eq!(
        counts("audit_events"),
        BTreeMap::from([(a.clone(), 7), (b.clone(), 3)])
    );
    assert_eq!(
        counts("mfa_state_snapshots"),
        BTreeMap::from([(a.clone(), 6), (b.clone(), 4)])
    );
    assert_eq!(
        counts("security_defaults_snapshots"),
        BTreeMap::from([(a.clone(), 1), (b.clone(), 1)])
    );
    let tenants = sign_in_tenants(&lake);
    assert!(
        tenants
            .iter()
            .all(|(id, t)| t == if id.starts_with("b-") { &b } else { &a }),
        "{tenants:?}"
    );
    // Each tenant's checkpoints in its own folder; none at the old single place.
    for t in [&a, &b] {
        let c: Value = serde_json::from_slice(
            &std::fs::read(lake.join("pull").join(t).join("checkpoints.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(c["tenant_id"], json!(t));
        assert_eq!(c["streams"]["audit"]["watermark"], json!(UNTIL), "{t}");
    }
    assert!(!lake.join("pull/checkpoints.json").exists());
    let summary = json_of(&out);
    let statuses: Vec<(&str, &str)> = summary["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["tenant_id"].as_str().unwrap(),
                t["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses, [(&*a, "complete"), (&*b, "complete")]);
    assert_eq!(summary["tenants"][1]["pull"]["counts"]["sign_ins"], 20);
    // Each token opened its own tenant only: B's requests carried B's tokens.
    let tokens = server.statuses("/oauth2/v2.0/token");
    assert_eq!(tokens, [200, 200]);
}

#[test]
fn a_tenant_without_its_secret_fails_alone_and_is_named() {
    let server = two_tenants();
    let (dir, lake) = temp_lake();
    let config = config(dir.path(), &server, "TENANT_B_SECRET_UNSET", STREAMS);
    let extra = [&unlimited()[..], &["--streams", STREAMS]].concat();
    let out = pull_config(&server, &lake, &config, &extra)
        .env_remove("TENANT_B_SECRET_UNSET")
        .output()
        .unwrap();
    assert_secrets_absent(&out, &lake, &[fake::SECRET, B.secret]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let said = format!(
        "tenant {}: failed: the environment variable TENANT_B_SECRET_UNSET (its client secret) is not set",
        B.tenant
    );
    assert!(stdout.contains(&said), "{}", text(&out));
    assert!(
        stdout.contains(&format!("tenant {}: complete\n", fake::TENANT)),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(&format!("1 of 2 tenant(s) failed: {}\n", B.tenant)),
        "{stdout}"
    );
    // The other tenant is in the lake whole; the failed one left nothing.
    assert_eq!(
        per_tenant(&lake, "sign_ins"),
        BTreeMap::from([(fake::TENANT.to_owned(), 36)])
    );
    assert!(!lake.join("pull").join(B.tenant).exists());
    assert!(server.seen(&format!("/{}/oauth2", B.tenant)).is_empty());
}

#[test]
fn a_secret_in_the_tenants_file_is_refused_naming_the_key_only() {
    let server = two_tenants();
    let (dir, lake) = temp_lake();
    let config = dir.path().join("tenants.toml");
    std::fs::write(
        &config,
        format!(
            "[[tenant]]\ntenant_id = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n",
            fake::TENANT,
            fake::CLIENT,
            fake::SECRET
        ),
    )
    .unwrap();
    let out = pull_config(&server, &lake, &config, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: {}: key `tenant.client_secret` looks like a secret; a secret never goes in this file: put it in an environment variable and name that variable with `client_secret_env`\n",
            config.display()
        )
    );
    assert!(!lake.exists() && server.seen("/").is_empty());
    // --config and --tenant-id are two ways of naming tenants, not one.
    let out = pull_config(&server, &lake, &config, &["--tenant-id", fake::TENANT])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn all_tenants_share_one_request_budget() {
    // Graph's limit played by the fake across both tenants: a second policy request within
    // 5 s of the first is throttled. One directory request each, one allowed per 10 s for
    // the whole pull: the second tenant waits for the budget the first one spent, and Graph
    // never has to throttle (a budget per tenant would send both at once).
    let mut main = two_tenants_state();
    main.spacing = Some((POLICY, Duration::from_secs(5)));
    let server = Server::start(main);
    let (dir, lake) = temp_lake();
    let config = config(dir.path(), &server, "TENANT_B_SECRET", "security-defaults");
    let out = pull_config(
        &server,
        &lake,
        &config,
        &[
            "--streams",
            "security-defaults",
            "--directory-requests-per-10s",
            "1",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(server.statuses(POLICY), [200, 200], "{}", text(&out));
}
