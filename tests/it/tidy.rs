//! Conventions enforced by `cargo test`: every source file opens with a `//!` doc, stays
//! under the size limit, and carries no debugging macro or ignored test; only the command
//! line (`src/cli/`) reads environment variables; a function of the product (`src/`, before
//! its `#[cfg(test)]` part, test files aside) fits on a screen.

use std::path::{Path, PathBuf};

/// Lines a source file may have before it must be split.
const MAX_LINES: usize = 600;

/// Lines a function of the product may have, from its `fn` line to its closing brace.
const MAX_FN_LINES: usize = 80;

/// The functions of `text` longer than [`MAX_FN_LINES`], with their length: a `fn` line
/// and the first later line that is its closing brace at the same indentation (rustfmt's
/// layout), up to the file's `#[cfg(test)]` part.
fn long_functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .iter()
        .position(|l| l.trim() == "#[cfg(test)]")
        .unwrap_or(lines.len());
    let mut long = Vec::new();
    for (i, line) in lines[..end].iter().enumerate() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let Some(at) = body.find("fn ") else { continue };
        let head = &body[..at];
        let is_fn = head
            .split_whitespace()
            .all(|w| ["pub", "async", "const", "unsafe"].contains(&w) || w.starts_with("pub("));
        if !is_fn || body.trim_end().ends_with(';') {
            continue;
        }
        let close = format!("{indent}}}");
        if let Some(n) = lines[i + 1..end].iter().position(|l| *l == close) {
            let name = body[at + 3..]
                .split(['(', '<'])
                .next()
                .unwrap_or("")
                .to_owned();
            if n + 2 > MAX_FN_LINES {
                long.push((name, n + 2));
            }
        }
    }
    long
}

#[test]
fn long_functions_are_found() {
    let short = "fn a() {\n    x();\n}\n";
    assert!(long_functions(short).is_empty());
    let body = "    x();\n".repeat(MAX_FN_LINES - 1);
    let long = format!("pub fn b(y: u8) {{\n{body}}}\n#[cfg(test)]\nfn c() {{\n{body}{body}}}\n");
    assert_eq!(long_functions(&long), [("b".to_owned(), MAX_FN_LINES + 1)]);
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if !p.ends_with("snapshots") && !p.ends_with("node_modules") {
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
        let product = f.starts_with(root.join("src")) && !name.to_string().ends_with("tests.rs");
        if product {
            for (function, n) in long_functions(&text) {
                problems.push(format!(
                    "{name}: fn {function} has {n} lines (limit {MAX_FN_LINES}): split it"
                ));
            }
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
