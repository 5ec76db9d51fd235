//! Conventions enforced by `cargo test`: every source file opens with a `//!` doc, stays
//! under the size limit, and carries no debugging macro or ignored test; only the command
//! line (`src/cli/`) reads environment variables.

use std::path::{Path, PathBuf};

/// Lines a source file may have before it must be split.
const MAX_LINES: usize = 600;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if !p.ends_with("snapshots") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn source_files_follow_the_conventions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20);
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.strip_prefix(root).unwrap().display();
        if !text.starts_with("//!") {
            problems.push(format!("{name}: does not start with a //! doc"));
        }
        let lines = text.lines().count();
        if lines > MAX_LINES {
            problems.push(format!(
                "{name}: {lines} lines (limit {MAX_LINES}): split it"
            ));
        }
        let library = f.starts_with(root.join("src")) && !f.starts_with(root.join("src/cli"));
        if library && text.contains(concat!("env", "::var")) {
            problems.push(format!(
                "{name}: reads an environment variable (only src/cli/ may; pass the value down)"
            ));
        }
        for (what, needle) in [
            ("dbg!", concat!("dbg", "!(")),
            ("an ignore attribute", concat!("#[", "ignore")),
        ] {
            if text.contains(needle) {
                problems.push(format!("{name}: contains {what}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
