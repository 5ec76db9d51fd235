//! Generator throughput: `mfaproof::generate::generate` writing a fixed-seed archive
//! (50,000 sign-ins by default, or `MFAPROOF_BENCH_SIGN_INS`) in each output format, in
//! records/s and MB/s. Run with `cargo bench --bench generate`.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mfaproof::generate::{Options, OutputFormat, generate};

fn sign_ins() -> u64 {
    std::env::var("MFAPROOF_BENCH_SIGN_INS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000)
}

fn bench(c: &mut Criterion) {
    let n = sign_ins();
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for format in OutputFormat::ALL {
        let opts = Options {
            sign_ins: n,
            format,
            ..Options::default()
        };
        // One run first, to size the throughput in bytes.
        let probe = tempfile::tempdir().expect("tempdir");
        let summary = generate(probe.path(), &opts).expect("generate");
        drop(probe);
        group.throughput(Throughput::Bytes(summary.bytes));
        group.bench_function(format!("{format}/{n}"), |b| {
            b.iter_with_large_drop(|| {
                let dir = tempfile::tempdir().expect("tempdir");
                generate(dir.path(), &opts).expect("generate");
                dir
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
