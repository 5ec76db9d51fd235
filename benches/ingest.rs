//! Ingest throughput: realistic Graph sign-in NDJSON (generated from the equivalence
//! sample, ~3 KB a record) → lake, in MB/s and records/s. Run with
//! `cargo bench --bench ingest`.

use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mfaproof::ingest::{IngestOptions, Quiet, ingest};
use serde_json::Value;

/// Writes `n` distinct sign-ins over 10 days to `path`; returns the file size.
fn generate(path: &Path, n: usize) -> u64 {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data-samples/equivalence/graph-beta-page.json"),
        )
        .expect("sample"),
    )
    .expect("sample json");
    let template = sample["value"][0].clone();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for i in 0..n {
        let mut r = template.clone();
        r["id"] = Value::String(format!("{i:08x}-4b3e-4c55-9a1e-2f7d8e9c3b00"));
        r["createdDateTime"] = Value::String(format!(
            "2026-11-{:02}T{:02}:{:02}:02.1234567Z",
            1 + i % 10,
            i % 24,
            i % 60
        ));
        r["userPrincipalName"] = Value::String(format!("user{}@contoso.example", i % 500));
        r["sessionId"] = Value::String(format!("{:08x}-2f4e-4d3a-9b8c-1e2f3a4b5c6d", i / 7));
        writeln!(out, "{r}").expect("write");
    }
    drop(out);
    std::fs::metadata(path).expect("size").len()
}

fn bench_ingest(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let input: PathBuf = dir.path().join("signins.json");
    let n = 20_000;
    let bytes = generate(&input, n);
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    // Graph sign-ins name no tenant: the bench gives one, as `ingest --tenant` does.
    let mut options = IngestOptions::default();
    options.writer.tenant = Some("0e35ee7a-425d-45a5-9013-218c1eae8fd4".into());
    group.bench_function("graph_ndjson_to_lake", |b| {
        let mut k = 0;
        b.iter(|| {
            k += 1;
            let lake = dir.path().join(format!("lake-{k}"));
            let inputs = [mfaproof::storage::Location::local(&input)];
            let summary = ingest(&lake, &inputs, &options, &mut Quiet).expect("ingest");
            assert_eq!(summary.counts.sign_ins, n as u64);
            std::fs::remove_dir_all(&lake).expect("cleanup");
        })
    });
    group.finish();
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
