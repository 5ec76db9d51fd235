//! Classification throughput: a generated lake (fixed seed, 200k sign-ins by default, or
//! `MFAPROOF_BENCH_SIGN_INS`) classified and exported to Parquet through the real SQL.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group};
use mfaproof::evidence::{export, open};
use mfaproof::schema::{AuthDetail, EventType, SignIn};

mod common;
#[path = "../tests/support/testlake.rs"]
mod testlake;

const DETAILS: [&str; 6] = [
    "MFA successfully completed",
    "MFA requirement satisfied by claim in the token",
    "MFA requirement skipped due to remembered device",
    "MFA requirement skipped due to location",
    "First factor requirement satisfied by claim in the token",
    "",
];

/// Sign-ins `range` of `n`; each record has its own seed, so slices are independent.
fn generate(range: std::ops::Range<usize>, n: usize) -> testlake::Records {
    let start = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let mut sign_ins = Vec::with_capacity(range.len());
    for i in range {
        let mut rng = common::Lcg(0x2a ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let t = start + chrono::Duration::seconds((i as i64) * 30 * 86_400 / n as i64);
        let event = if rng.next(5) == 0 {
            EventType::InteractiveUser
        } else {
            EventType::NonInteractiveUser
        };
        let mut s = SignIn::new(format!("{i:012x}-sign-in"), t, event);
        let user = rng.next(2_000);
        s.user_id = Some(format!("user-{user}"));
        s.user_principal_name = Some(format!("user{user}@contoso.com"));
        s.user_type = Some("member".into());
        s.session_id = Some(format!("session-{user}-{}", rng.next(20)));
        s.error_code = Some(if rng.next(20) == 0 { 50126 } else { 0 });
        s.client_app_used = Some(
            if rng.next(50) == 0 {
                "IMAP4"
            } else {
                "Browser"
            }
            .into(),
        );
        s.authentication_requirement = Some(
            if rng.next(2) == 0 {
                "multiFactorAuthentication"
            } else {
                "singleFactorAuthentication"
            }
            .into(),
        );
        let detail = *rng.pick(&DETAILS);
        s.authentication_details.push(AuthDetail {
            authentication_method: Some("Password".into()),
            succeeded: Some(true),
            authentication_step_requirement: Some("Primary authentication".into()),
            ..AuthDetail::default()
        });
        if !detail.is_empty() {
            s.authentication_details.push(AuthDetail {
                authentication_method: Some(
                    if rng.next(3) == 0 {
                        "Mobile app notification"
                    } else {
                        "Previously satisfied"
                    }
                    .into(),
                ),
                succeeded: Some(true),
                authentication_step_result_detail: Some(detail.into()),
                ..AuthDetail::default()
            });
        }
        sign_ins.push(s);
    }
    testlake::Records {
        sign_ins,
        ..testlake::Records::default()
    }
}

fn sign_ins() -> usize {
    std::env::var("MFAPROOF_BENCH_SIGN_INS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000)
}

/// Writes the generated lake under `root`, in slices so the generator never holds more
/// than one slice of records.
fn write_lake(root: &std::path::Path, n: usize) {
    let slice = 250_000.min(n);
    for (part, first) in (0..n).step_by(slice).enumerate() {
        let records = generate(first..(first + slice).min(n), n);
        testlake::write(root, &records, &part.to_string()).expect("write lake");
    }
}

fn classify(
    runtime: &tokio::runtime::Runtime,
    lake: &std::path::Path,
    out: &std::path::Path,
) -> u64 {
    runtime.block_on(async {
        let ctx = open(lake, None, None).await.expect("open");
        export::write(&ctx, out).await.expect("export")
    })
}

fn bench(c: &mut Criterion) {
    let n = sign_ins();
    let dir = tempfile::tempdir().expect("temp dir");
    write_lake(dir.path(), n);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let out = dir.path().join("export.parquet");
    let mut group = c.benchmark_group("evaluate");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("classify_{n}"), |b| {
        b.iter(|| classify(&runtime, dir.path(), &out))
    });
    group.finish();
}

criterion_group!(benches, bench);

/// `MFAPROOF_BENCH_LAKE=<dir>` measures one classification of that lake (generated first
/// when the folder is empty) outside criterion, so `/usr/bin/time -v` sees one run's peak RSS.
fn main() {
    if let Ok(lake) = std::env::var("MFAPROOF_BENCH_LAKE") {
        let lake = std::path::PathBuf::from(lake);
        if !lake.join("sign_ins").exists() {
            write_lake(&lake, sign_ins());
            println!("generated {} sign-ins in {}", sign_ins(), lake.display());
            return;
        }
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let out = std::env::temp_dir().join("mfaproof-bench-export.parquet");
        let start = std::time::Instant::now();
        let rows = classify(&runtime, &lake, &out);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "classified {rows} sign-ins in {secs:.2} s ({:.0} rows/s)",
            rows as f64 / secs
        );
        let _ = std::fs::remove_file(out);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
