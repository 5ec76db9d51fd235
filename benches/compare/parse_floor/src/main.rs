//! Reads every file given (folders walked, `.ndjson`/`.json` files) on one thread and
//! parses each line with sonic-rs, keeping nothing. Modes: `read` (read only), `skip`
//! (validate and skip: `IgnoredAny`), `dom` (a full `sonic_rs::Value` per line, dropped).
//! Prints `mode bytes lines seconds` on standard output.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for e in entries {
            files(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "ndjson" || e == "json") {
        out.push(p.to_path_buf());
    }
}

fn parse(mode: &str, line: &[u8]) -> bool {
    match mode {
        "read" => true,
        "skip" => sonic_rs::from_slice::<serde::de::IgnoredAny>(line).is_ok(),
        "dom" => sonic_rs::from_slice::<sonic_rs::Value>(line).is_ok(),
        _ => panic!("mode: read | skip | dom"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).expect("usage: parse-floor MODE PATH...").clone();
    let mut paths = Vec::new();
    for a in &args[2..] {
        files(Path::new(a), &mut paths);
    }
    let start = Instant::now();
    let (mut bytes, mut lines, mut bad) = (0u64, 0u64, 0u64);
    let mut buf = Vec::new();
    for p in &paths {
        buf.clear();
        std::fs::File::open(p).unwrap().read_to_end(&mut buf).unwrap();
        bytes += buf.len() as u64;
        // A directoryAudits page is one JSON document; sign-ins are one object a line.
        let mut at = 0;
        for end in memchr::memchr_iter(b'\n', &buf).chain([buf.len()]) {
            let line = &buf[at..end];
            at = end + 1;
            if line.is_empty() {
                continue;
            }
            lines += 1;
            if !parse(&mode, std::hint::black_box(line)) {
                bad += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(bad, 0, "{bad} lines failed to parse");
    println!("{mode} {bytes} {lines} {secs:.3}");
}
