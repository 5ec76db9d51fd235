//! A lake reached only through the binary, in a folder (`file://…`) or in the Azurite a
//! test started (`az://lake/<name>`): the scenarios of `backends.rs` and
//! `backends_kill.rs` run once on each from one function and compare what `mfaproof`
//! says of them (`query`, `classify --out`, `evaluate --out`, `ingest --json`).

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

use crate::azurite::Azurite;
use crate::common::{bin, files_under, stdout, text};

/// A test's temporary folder and its emulator, which has a container `lake`.
pub struct Backends {
    dir: TempDir,
    azurite: Option<Azurite>,
}

impl Backends {
    /// Starts the test's emulator. When it is not installed (and `CI` is not set: see
    /// `tests/support/azurite.rs`, which says so loudly) the scenarios run on the folder
    /// only.
    pub fn start(test: &str) -> Backends {
        let azurite = Azurite::start(test);
        if let Some(azurite) = &azurite {
            azurite.container("lake");
        }
        Backends {
            dir: TempDir::new().expect("temporary folder"),
            azurite,
        }
    }

    /// The temporary folder (inputs, outputs, folder lakes).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The backends of this test: the folder, then the emulator when it runs.
    pub fn each(&self) -> Vec<Backend> {
        let mut each = vec![Backend::Folder];
        each.extend(self.azurite.as_ref().map(|_| Backend::Azurite));
        each
    }

    /// The lake `name` on `backend`: `file://<dir>/<name>` or `az://lake/<name>`.
    pub fn lake(&self, backend: Backend, name: &str) -> Lake<'_> {
        match (backend, &self.azurite) {
            (Backend::Folder, azurite) => {
                let folder = format!("file://{}", self.dir().join(name).display());
                Lake::at(&folder, azurite.as_ref())
            }
            (Backend::Azurite, Some(azurite)) => {
                Lake::at(&format!("az://lake/{name}"), Some(azurite))
            }
            (Backend::Azurite, None) => panic!("{name}: the emulator did not start"),
        }
    }

    /// The lake `name` on every backend of [`Backends::each`].
    pub fn lakes(&self, name: &str) -> Vec<Lake<'_>> {
        self.each()
            .into_iter()
            .map(|b| self.lake(b, name))
            .collect()
    }
}

/// Where a lake is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A folder, given as `file://…`.
    Folder,
    /// A prefix in the test's Azurite, `az://lake/<name>`.
    Azurite,
}

/// A lake and the environment the binary gets for it (the emulator's, when there is one).
pub struct Lake<'a> {
    /// What `--lake` is given.
    pub url: String,
    azurite: Option<&'a Azurite>,
}

impl<'a> Lake<'a> {
    /// The lake at `url` (a folder, `file://…` or `az://…`); with `azurite`, the binary gets
    /// the emulator's environment.
    pub fn at(url: &str, azurite: Option<&'a Azurite>) -> Lake<'a> {
        Lake {
            url: url.to_owned(),
            azurite,
        }
    }

    /// The folder of a folder lake; `None` for a lake in the emulator.
    fn folder(&self) -> Option<PathBuf> {
        if self.url.starts_with("az://") {
            return None;
        }
        let path = self.url.strip_prefix("file://").unwrap_or(&self.url);
        Some(PathBuf::from(path))
    }

    /// Where the lake's objects are, for requests to its store.
    fn store(&self) -> Store<'a> {
        match (self.folder(), self.azurite) {
            (Some(root), _) => Store::Folder(root),
            (None, Some(azurite)) => Store::Emulator(azurite),
            (None, None) => panic!("{}: a lake in the emulator without one", self.url),
        }
    }

    /// `folder` or `azurite`, for assertion messages.
    pub fn backend(&self) -> &'static str {
        match self.folder() {
            Some(_) => "folder",
            None => "azurite",
        }
    }

    /// The lake as the binary names it in its reports (a folder by its path).
    pub fn shown(&self) -> String {
        match self.folder() {
            Some(path) => path.display().to_string(),
            None => self.url.clone(),
        }
    }

    /// `mfaproof COMMAND --lake URL` with the lake's environment, for more arguments.
    pub fn command(&self, command: &str) -> Command {
        let mut cmd = bin();
        cmd.args([command, "--lake", &self.url]);
        if let Some(azurite) = self.azurite {
            cmd.envs(azurite.env());
        }
        cmd
    }

    /// `mfaproof COMMAND --lake URL ARGS…` with the lake's environment, whatever its status.
    pub fn run<S: AsRef<OsStr>>(&self, command: &str, args: impl IntoIterator<Item = S>) -> Output {
        let out = self.command(command).args(args).output();
        out.expect("mfaproof runs")
    }

    /// [`Lake::run`], which must succeed.
    pub fn ok<S: AsRef<OsStr>>(&self, command: &str, args: impl IntoIterator<Item = S>) -> Output {
        let out = self.run(command, args);
        assert!(
            out.status.success(),
            "{command} on the {} lake {}: {}",
            self.backend(),
            self.url,
            text(&out)
        );
        out
    }

    /// `mfaproof query --format FORMAT SQL`: what it printed.
    pub fn query(&self, format: &str, sql: &str) -> String {
        stdout(&self.ok("query", ["--format", format, sql]))
    }

    /// `mfaproof ingest --json ARGS…`, which must succeed: the output and the summary.
    pub fn ingest_json<S: AsRef<OsStr>>(
        &self,
        args: impl IntoIterator<Item = S>,
    ) -> (Output, serde_json::Value) {
        let mut all: Vec<std::ffi::OsString> = vec!["--json".into()];
        all.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        let out = self.ok("ingest", all);
        let summary = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("the summary is not JSON: {e}\n{}", text(&out)));
        (out, summary)
    }

    /// Puts an object `name` (relative to the lake) holding `bytes` into the lake's store,
    /// as another program would (a writer of another host, say).
    pub fn put(&self, name: &str, bytes: &[u8]) {
        match self.store() {
            Store::Folder(root) => {
                let path = root.join(name);
                fs::create_dir_all(path.parent().expect("below the lake")).unwrap();
                fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            Store::Emulator(azurite) => {
                let url = format!("{}/{name}", self.url);
                let object = azurite.location(&url);
                object
                    .write_atomic(bytes)
                    .unwrap_or_else(|e| panic!("{url}: {e}"));
            }
        }
    }

    /// Deletes the object `name` (relative to the lake) from the lake's store.
    pub fn delete(&self, name: &str) {
        match self.store() {
            Store::Folder(root) => fs::remove_file(root.join(name)).unwrap(),
            Store::Emulator(azurite) => {
                let url = format!("{}/{name}", self.url);
                azurite
                    .location(&url)
                    .delete()
                    .unwrap_or_else(|e| panic!("{url}: {e}"));
            }
        }
    }

    /// The names of the lake's objects that start with `prefix` (relative to the lake,
    /// `/`-separated, sorted): the store's listing, for what the binary never shows
    /// (leftovers of a stopped run, the writer lock, the quarantine's files); the tests
    /// read no object's content.
    pub fn objects(&self, prefix: &str) -> Vec<String> {
        let all: Vec<String> = match self.store() {
            Store::Folder(root) => files_under(&root)
                .iter()
                .map(|f| {
                    let rel = f.strip_prefix(&root).expect("below the lake");
                    let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
                    parts.join("/")
                })
                .collect(),
            Store::Emulator(azurite) => azurite.blobs(&format!("{}/", self.url)),
        };
        all.into_iter().filter(|n| n.starts_with(prefix)).collect()
    }
}

/// The store of a lake.
enum Store<'a> {
    /// The lake's folder.
    Folder(PathBuf),
    /// The emulator that holds it.
    Emulator(&'a Azurite),
}
