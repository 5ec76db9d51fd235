//! Generated archives against their known answers: generate → ingest → classify with the
//! real binary agrees 100% with `truth.csv` (id, class, verdict, origin_sign_in_id) for
//! every output format; the same seed writes byte-identical files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::common::{files_under, run, run_into, run_ok, stderr};

type Rows = BTreeMap<String, (String, String, String)>;

/// `id → (class, verdict, origin)` of a CSV with those columns (truth or export).
fn rows(path: &Path) -> Rows {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let h = r.headers().unwrap().clone();
    let col = |name: &str| {
        h.iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("{name} column"))
    };
    let (id, class, verdict, origin) = (
        col("id"),
        col("class"),
        col("verdict"),
        col("origin_sign_in_id"),
    );
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let prev = out.insert(
            rec[id].to_string(),
            (
                rec[class].to_string(),
                rec[verdict].to_string(),
                rec[origin].to_string(),
            ),
        );
        assert!(prev.is_none(), "{}: id {} twice", path.display(), &rec[id]);
    }
    out
}

fn generate(out: &Path, format: &str, seed: u64, sign_ins: u64) {
    run_ok([
        "generate",
        "--out",
        out.to_str().unwrap(),
        "--sign-ins",
        &sign_ins.to_string(),
        "--seed",
        &seed.to_string(),
        "--format",
        format,
    ]);
}

/// Generates, ingests and classifies; panics with the first differing rows.
fn agrees_with_truth(format: &str, seed: u64) -> Rows {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archive");
    generate(&out, format, seed, 2_000);
    let lake = dir.path().join("lake");
    // Graph and portal records name no tenant: the archive's is given.
    run_ok([
        "ingest",
        "--lake",
        lake.to_str().unwrap(),
        "--tenant",
        FIRST_TENANT,
        out.join(format).to_str().unwrap(),
    ]);
    let export = dir.path().join("classified.csv");
    run_into("classify", &lake, &export, &[]);
    let truth = rows(&out.join("truth.csv"));
    assert_eq!(truth.len(), 2_000, "one truth row per distinct id");
    assert_agree(&format!("{format} seed {seed}"), &truth, &rows(&export));
    truth
}

/// Panics with the first rows where `got` differs from `truth`.
fn assert_agree(what: &str, truth: &Rows, got: &Rows) {
    let mut diffs = Vec::new();
    for (id, want) in truth {
        match got.get(id) {
            Some(g) if g == want => {}
            other => diffs.push(format!("{id}: truth {want:?}, classified {other:?}")),
        }
    }
    for id in got.keys().filter(|id| !truth.contains_key(*id)) {
        diffs.push(format!("{id}: classified but not in the truth file"));
    }
    assert!(
        diffs.is_empty(),
        "{what}: {} of {} rows differ; first:\n{}",
        diffs.len(),
        truth.len(),
        diffs[..diffs.len().min(10)].join("\n")
    );
}

#[test]
fn graph_agrees_with_truth_for_several_seeds() {
    let truth = agrees_with_truth("graph", 1);
    agrees_with_truth("graph", 7);
    // Every class of §3 appears (seed 1, 2,000 sign-ins, default mix).
    let classes: BTreeSet<&str> = truth.values().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(classes.len(), 18, "classes present: {classes:?}");
    let with_origin = truth.values().filter(|(_, _, o)| !o.is_empty()).count();
    let claims_without = truth
        .values()
        .filter(|(c, _, o)| c == "mfa_claim" && o.is_empty())
        .count();
    assert!(
        with_origin > 100 && claims_without > 0,
        "{with_origin} chained, {claims_without} unchained claims"
    );
}

#[test]
fn azure_monitor_agrees_with_truth() {
    agrees_with_truth("azure-monitor", 2);
}

#[test]
fn log_analytics_agrees_with_truth() {
    agrees_with_truth("log-analytics", 3);
}

#[test]
fn portal_agrees_with_truth() {
    agrees_with_truth("portal", 4);
}

/// The files below `root`, relative to it.
fn files(root: &Path) -> Vec<PathBuf> {
    files_under(root)
        .into_iter()
        .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
        .collect()
}

#[test]
fn the_same_seed_writes_identical_bytes_and_another_seed_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    generate(&a, "azure-monitor", 11, 500);
    generate(&b, "azure-monitor", 11, 500);
    generate(&c, "azure-monitor", 12, 500);
    let names = files(&a);
    assert_eq!(names, files(&b));
    assert!(names.len() > 10);
    for n in &names {
        assert_eq!(
            std::fs::read(a.join(n)).unwrap(),
            std::fs::read(b.join(n)).unwrap(),
            "{}",
            n.display()
        );
    }
    assert_ne!(
        std::fs::read(a.join("truth.csv")).unwrap(),
        std::fs::read(c.join("truth.csv")).unwrap()
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let generate =
        |extra: &[&str]| run([&["generate", "--out", out, "--sign-ins", "10"], extra].concat());
    for (extra, said) in [
        (["--format", "xml"], "xml"),
        (["--mix", "nonsense=1"], "unknown class"),
    ] {
        let o = generate(&extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        assert!(stderr(&o).contains(said), "{extra:?}: {}", stderr(&o));
    }
    // An --out that already holds an archive is refused, not overwritten.
    assert!(generate(&[]).status.success());
    let o = generate(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!("error: {out}/graph already exists; choose an empty --out\n")
    );
}

#[test]
fn bench_times_every_stage_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("bench");
    let o = run_ok([
        "bench",
        "--sign-ins",
        "300",
        "--format",
        "log-analytics",
        "--json",
        "--workdir",
        work.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(v["sign_ins"], 300);
    let stages: Vec<&str> = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["generate", "ingest", "classify", "evaluate"]);
    for s in &v["stages"].as_array().unwrap()[1..] {
        assert!(s["seconds"].as_f64().unwrap() > 0.0);
        // Linux has /proc: every child reports its own peak RSS.
        assert!(s["peak_rss_mib"].as_f64().unwrap() > 1.0, "{s}");
    }
    assert!(work.join("classified.parquet").exists());
    assert!(work.join("report/report.json").exists());
}

const FIRST_TENANT: &str = "0e35ee7a-425d-45a5-9013-218c1eae8fd4";

fn generate_tenants(out: &Path, format: &str, tenants: u32) -> Vec<String> {
    let o = run_ok([
        "generate",
        "--out",
        out.to_str().unwrap(),
        "--sign-ins",
        "600",
        "--seed",
        "5",
        "--format",
        format,
        "--tenants",
        &tenants.to_string(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let id = t["tenant_id"].as_str().unwrap().to_owned();
            assert_eq!(t["input_dir"], out.join(&id).join(format).to_str().unwrap());
            id
        })
        .collect()
}

/// `tenant_id → class → sign-ins` of a several-tenant truth file.
fn classes_per_tenant(truth: &Path) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut r = csv::Reader::from_path(truth).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["id", "class", "verdict", "origin_sign_in_id", "tenant_id"]
    );
    let mut m: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        *m.entry(rec[4].to_owned())
            .or_default()
            .entry(rec[1].to_owned())
            .or_insert(0) += 1;
    }
    m
}

#[test]
fn several_tenants_have_their_own_ids_folders_and_regimes() {
    let dir = tempfile::tempdir().unwrap();
    let (one, many) = (dir.path().join("one"), dir.path().join("many"));
    generate(&one, "graph", 5, 600);
    let tenants = generate_tenants(&many, "graph", 3);
    assert_eq!(tenants[0], FIRST_TENANT);
    assert!(tenants[1] != tenants[2] && !tenants[1..].contains(&tenants[0].clone()));
    // The first tenant is the one-tenant archive, byte for byte.
    let first = many.join(FIRST_TENANT).join("graph");
    assert_eq!(files(&one.join("graph")), files(&first));
    for n in files(&first) {
        assert_eq!(
            std::fs::read(one.join("graph").join(&n)).unwrap(),
            std::fs::read(first.join(&n)).unwrap(),
            "{}",
            n.display()
        );
    }
    // Regimes: toggling (both kinds of sign-in without MFA), always on, always off.
    let classes = classes_per_tenant(&many.join("truth.csv"));
    let has = |t: &str, class: &str| classes[t].get(class).copied().unwrap_or(0) > 0;
    assert!(has(&tenants[0], "security_defaults") && has(&tenants[0], "single_factor"));
    assert!(has(&tenants[1], "security_defaults") && !has(&tenants[1], "single_factor"));
    assert!(!has(&tenants[2], "security_defaults") && has(&tenants[2], "single_factor"));
    assert!(classes.values().all(|c| c.values().sum::<usize>() == 600));
    // Sign-in ids are unique across tenants.
    let truth = std::fs::read_to_string(many.join("truth.csv")).unwrap();
    let ids: BTreeSet<&str> = truth.lines().skip(1).map(|l| &l[..36]).collect();
    assert_eq!(ids.len(), 1_800);
    // Graph records carry no usable tenant: resourceTenantId/homeTenantId name their own.
    let one_file = files_under(&many.join(&tenants[2]).join("graph/signIns"))[0].clone();
    let text = std::fs::read_to_string(one_file).unwrap();
    assert!(text.contains(&format!("\"resourceTenantId\":\"{}\"", tenants[2])));
    assert!(!text.contains(FIRST_TENANT));
}

#[test]
fn several_tenants_carry_their_tenant_where_the_format_does() {
    let dir = tempfile::tempdir().unwrap();
    let am = dir.path().join("am");
    let tenants = generate_tenants(&am, "azure-monitor", 2);
    for t in &tenants {
        for f in files_under(&am.join(t)) {
            assert!(
                f.to_str().unwrap().contains(&format!("/tenantId={t}/")),
                "{}",
                f.display()
            );
            for line in std::fs::read_to_string(&f).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                assert_eq!(v["tenantId"], t.as_str(), "{}", f.display());
            }
        }
    }
    // Log Analytics: AADTenantId is the tenant; TenantId the one workspace of all tenants.
    let la = dir.path().join("la");
    let tenants = generate_tenants(&la, "log-analytics", 2);
    for t in &tenants {
        let mut rows = 0;
        for f in files_under(&la.join(t)) {
            let mut r = csv::Reader::from_path(&f).unwrap();
            let h = r.headers().unwrap().clone();
            let col = |n: &str| h.iter().position(|c| c == n);
            let workspace = col("TenantId").unwrap();
            // The workload tables have no AADTenantId: their folder gets `ingest --tenant`.
            let aad = col("AADTenantId");
            for rec in r.records() {
                let rec = rec.unwrap();
                assert_eq!(&rec[workspace], FIRST_TENANT);
                if let Some(aad) = aad {
                    assert_eq!(&rec[aad], t.as_str());
                    rows += 1;
                }
            }
        }
        assert!(rows > 400, "{t}: {rows} rows with AADTenantId");
    }
}

#[test]
fn each_tenant_alone_agrees_with_its_truth() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archive");
    let tenants = generate_tenants(&out, "graph", 3);
    let all = rows(&out.join("truth.csv"));
    let truth = std::fs::read_to_string(out.join("truth.csv")).unwrap();
    for t in &tenants {
        let lake = dir.path().join(format!("lake-{t}"));
        let folder = out.join(t).join("graph");
        let lake_s = lake.to_str().unwrap();
        run_ok([
            "ingest",
            "--lake",
            lake_s,
            "--tenant",
            t,
            folder.to_str().unwrap(),
        ]);
        let export = dir.path().join(format!("{t}.csv"));
        run_into("classify", &lake, &export, &[]);
        let ids: BTreeSet<&str> = truth
            .lines()
            .filter(|l| l.ends_with(t.as_str()))
            .map(|l| &l[..36])
            .collect();
        let mine: Rows = all
            .iter()
            .filter(|(id, _)| ids.contains(id.as_str()))
            .map(|(id, r)| (id.clone(), r.clone()))
            .collect();
        assert_eq!(mine.len(), 600, "{t}");
        assert_agree(t, &mine, &rows(&export));
    }
}
