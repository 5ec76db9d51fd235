//! Build script: embeds the git commit the binary is built from as `MFAPROOF_COMMIT`, so
//! every report names it. The commit is `git rev-parse HEAD` when the package folder has
//! its own `.git` (a clone or a worktree), else `unknown` (a source tarball, a vendored
//! copy inside another repository, no git installed). A tree with uncommitted changes is
//! not marked: the commit is what HEAD was when the script ran.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = if root.join(".git").exists() {
        watch_head(&root);
        git(&root, &["rev-parse", "HEAD"])
            .filter(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()))
    } else {
        None
    };
    let commit = commit.unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=MFAPROOF_COMMIT={commit}");
}

/// The trimmed standard output of `git args…` run in `root`, when it succeeds.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Asks cargo to run the script again when HEAD moves: HEAD itself (another branch or a
/// detached commit), the branch's ref file (a commit) and `packed-refs`. Only files that
/// exist are named (a missing one would make cargo run the script on every build); when
/// the branch has no ref file of its own, its folder is watched instead.
fn watch_head(root: &Path) {
    let path = |args: &[&str]| git(root, args).map(|p| root.join(p));
    let (Some(git_dir), Some(common)) = (
        path(&["rev-parse", "--git-dir"]),
        path(&["rev-parse", "--git-common-dir"]),
    ) else {
        return;
    };
    let mut watched = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(branch) = git(root, &["symbolic-ref", "-q", "HEAD"]) {
        let file = common.join(&branch);
        if file.is_file() {
            watched.push(file);
        } else if let Some(folder) = file.parent() {
            watched.push(folder.to_path_buf());
        }
    }
    for p in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}
