//! Test support (not part of the library): Azurite, Microsoft's Azure Blob Storage
//! emulator, started by a test on a free loopback port and killed when the test drops it.
//!
//! The emulator is the npm package pinned in `tests/azurite/package.json` (`.ci/run` runs
//! `npm ci` there). Without it the tests that need it are skipped with a loud message,
//! unless `CI` is set: then they fail.
//!
//! object_store does not create containers, so the harness does: a `PUT ?restype=container`
//! signed with the emulator's well-known SharedKey. Blobs are uploaded through the
//! library's own `storage::Location`, pointed at the emulator by its endpoint (the binary
//! under test gets the environment a user would set instead: see [`Azurite::env`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use mfaproof::storage::{Location, StoreOptions};

/// The emulator's one account and its published key (the same constants object_store and
/// every Azure SDK use for the emulator: they are not secrets).
pub const ACCOUNT: &str = "devstoreaccount1";
pub const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The API version the container requests are signed for.
const API_VERSION: &str = "2021-08-06";

/// How long the emulator may take to say it listens (a cold `node` start on a loaded
/// machine takes a few seconds); a bound on a hang, not a synchronisation.
const START_LIMIT: Duration = Duration::from_secs(120);

/// A running emulator; killed on drop.
pub struct Azurite {
    child: Child,
    port: u16,
    runtime: tokio::runtime::Runtime,
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `tests/azurite/node_modules/.bin/azurite-blob`, if `npm ci` was run there.
fn azurite_blob() -> Option<PathBuf> {
    let bin =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/azurite/node_modules/.bin/azurite-blob");
    bin.is_file().then_some(bin)
}

impl Azurite {
    /// Starts the emulator; `None` (skip) when it is not installed, unless `CI` is set:
    /// then the test fails.
    pub fn start(test: &str) -> Option<Azurite> {
        let Some(bin) = azurite_blob() else {
            assert!(
                !on_ci(),
                "{test}: Azurite is not installed and CI is set (.ci/run runs `npm ci` in tests/azurite)"
            );
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!!!! {test} SKIPPED: Azurite not found (cd tests/azurite && npm ci); \
                 under CI=true this fails !!!!!!!!\n"
            );
            return None;
        };
        Some(Azurite::spawn(&bin))
    }

    /// Port 0 lets the emulator take a free port itself (no window in which another
    /// process could take one picked for it); it prints the port it listens on.
    fn spawn(bin: &Path) -> Azurite {
        let mut child = Command::new(bin)
            .args(["--blobHost", "127.0.0.1", "--blobPort", "0"])
            .args(["--inMemoryPersistence", "--disableTelemetry"])
            .args(["--skipApiVersionCheck", "--loose", "--silent"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        // Reads the emulator's output to its end, so its pipe never fills, and passes on
        // the port once it is announced.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = listening_port(&line)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(port);
                }
            }
        });
        let port = match rx.recv_timeout(START_LIMIT) {
            Ok(port) => port,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Azurite did not start ({e}): {}", drain(stderr));
            }
        };
        wait_until_it_answers(port);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the emulator's clients");
        Azurite {
            child,
            port,
            runtime,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The environment a user sets to use the emulator (issue 18's acceptance): given to
    /// the binary under test.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AZURE_STORAGE_USE_EMULATOR", "true".into()),
            ("AZURITE_BLOB_STORAGE_URL", self.url()),
            ("AZURE_STORAGE_ACCOUNT_NAME", ACCOUNT.into()),
            ("AZURE_STORAGE_ACCOUNT_KEY", KEY.into()),
        ]
    }

    /// Creates a container; returns the emulator's HTTP status (201 created, 409 exists).
    pub fn create_container(&self, name: &str) -> u16 {
        let date = chrono::Utc::now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let signature = sign_create_container(name, &date);
        let url = format!("{}/{ACCOUNT}/{name}?restype=container", self.url());
        let request = reqwest::Client::new()
            .put(url)
            .header("x-ms-date", &date)
            .header("x-ms-version", API_VERSION)
            .header("authorization", format!("SharedKey {ACCOUNT}:{signature}"))
            .send();
        let response = self
            .runtime
            .block_on(request)
            .unwrap_or_else(|e| panic!("creating container {name}: {e}"));
        response.status().as_u16()
    }

    /// Creates a container that must not exist yet.
    pub fn container(&self, name: &str) {
        let status = self.create_container(name);
        assert_eq!(status, 201, "creating container {name}");
    }

    /// A location in the emulator (`az://container/prefix`), reached through its
    /// endpoint from this process.
    pub fn location(&self, url: &str) -> Location {
        let options = StoreOptions::new([
            ("azure_storage_account_name".into(), ACCOUNT.into()),
            ("azure_storage_account_key".into(), KEY.into()),
            (
                "azure_storage_endpoint".into(),
                format!("{}/{ACCOUNT}", self.url()),
            ),
            ("azure_allow_http".into(), "true".into()),
        ])
        .with_runtime(self.runtime.handle().clone());
        Location::parse(url, &options).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    /// Uploads every file below `dir` to `url` (`az://container/prefix`), keeping its
    /// path relative to `dir`; returns the blob paths, sorted.
    pub fn upload_tree(&self, dir: &Path, url: &str) -> Vec<String> {
        let root = self.location(url);
        let mut blobs = Vec::new();
        for file in files_below(dir) {
            let rel = file.strip_prefix(dir).expect("below dir");
            let rel: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
            let rel = rel.join("/");
            let bytes = std::fs::read(&file).expect("read a file to upload");
            root.join(&rel)
                .write_atomic(&bytes)
                .unwrap_or_else(|e| panic!("uploading {rel}: {e}"));
            blobs.push(rel);
        }
        blobs.sort();
        blobs
    }

    /// The blob paths below `url`, sorted.
    pub fn blobs(&self, url: &str) -> Vec<String> {
        let entries = self.location(url).list().expect("listing the emulator");
        entries.into_iter().map(|e| e.path).collect()
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port of Azurite's "… successfully listens on http://127.0.0.1:PORT" line.
fn listening_port(line: &str) -> Option<u16> {
    let (_, address) = line.split_once("successfully listens on http://")?;
    address.trim().rsplit_once(':')?.1.parse().ok()
}

/// Connects until the port accepts a connection (it normally does at the first try, the
/// announcement coming after the listen): no fixed sleep.
fn wait_until_it_answers(port: u16) {
    let deadline = std::time::Instant::now() + START_LIMIT;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "Azurite announced port {port} but does not answer there"
        );
        std::thread::yield_now();
    }
}

fn drain(mut stderr: ChildStderr) -> String {
    let mut text = String::new();
    let _ = stderr.read_to_string(&mut text);
    text
}

/// The SharedKey signature of `PUT /devstoreaccount1/<name>?restype=container` with no
/// body and only `x-ms-date` and `x-ms-version` headers: eleven empty standard headers,
/// the canonical `x-ms-` headers, then the resource (account, then the path, which on the
/// emulator's path-style URL starts with the account again).
fn sign_create_container(name: &str, date: &str) -> String {
    let to_sign = format!(
        "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{API_VERSION}\n/{ACCOUNT}/{ACCOUNT}/{name}\nrestype:container"
    );
    let key = BASE64.decode(KEY).expect("the emulator key is base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read a folder to upload") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            out.extend(files_below(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_port_is_read_from_the_announcement() {
    assert_eq!(
        listening_port("Azurite Blob service successfully listens on http://127.0.0.1:36201"),
        Some(36201)
    );
    assert_eq!(
        listening_port("Azurite Blob service is starting on 127.0.0.1:0"),
        None
    );
}
