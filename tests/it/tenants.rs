//! Issue 17's acceptance, through the binary: two tenants with different security-defaults
//! histories ingested into one lake. The per-sign-in export without `--tenant` is the
//! union of each tenant's export alone (in a lake of its own), row for row; each tenant's
//! export with `--tenant` is its export alone; and each tenant's report in the roll-up is
//! its report alone (verdict, requirements, every figure but the inputs' run numbers).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

use super::common::{run, run_into, run_ok, samples, text};

const A: &str = "0e35ee7a-425d-45a5-9013-218c1eae8fd4";
const B: &str = "b0b0b0b0-1111-4222-8333-444444444444";

/// Tenant B: the scenario's sign-ins under other ids, with security defaults off from
/// the start and turned on at 18:00 on the second day (tenant A: on, then off then).
fn tenant_b_inputs(dir: &Path) -> PathBuf {
    let src = samples().join("scenario");
    let b = dir.join("tenant-b");
    fs::create_dir_all(&b).unwrap();
    let read = |name: &str| fs::read_to_string(src.join(name)).unwrap();
    let sign_ins = read("sign-ins.json").replace("\n   \"id\": \"", "\n   \"id\": \"b-");
    fs::write(b.join("sign-ins.json"), sign_ins).unwrap();
    let defaults = read("security-defaults.json");
    assert!(defaults.contains("\"isEnabled\": true"));
    fs::write(
        b.join("security-defaults.json"),
        defaults.replace("\"isEnabled\": true", "\"isEnabled\": false"),
    )
    .unwrap();
    let off = "\"oldValue\": \"[true]\",\n       \"newValue\": \"[false]\"";
    let audits = read("directory-audits.json");
    assert!(audits.contains(off));
    let on = "\"oldValue\": \"[false]\",\n       \"newValue\": \"[true]\"";
    fs::write(b.join("directory-audits.json"), audits.replace(off, on)).unwrap();
    // The same per-user MFA states as tenant A's, the very same bytes: a file already
    // ingested for one tenant is another input for another tenant.
    fs::write(b.join("per-user-mfa.csv"), read("per-user-mfa.csv")).unwrap();
    b
}

fn ingest_as(lake: &Path, tenant: &str, inputs: &Path) {
    let args = [
        "ingest",
        "--lake",
        path(lake),
        "--tenant",
        tenant,
        path(inputs),
    ];
    run_ok(args);
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An export's data lines, sorted as the export sorts them (created_at, then id).
fn sorted_union(exports: &[&str]) -> Vec<String> {
    let mut rows: Vec<Vec<String>> = exports
        .iter()
        .flat_map(|e| {
            let mut r = csv::Reader::from_reader(e.as_bytes());
            r.records()
                .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
                .collect::<Vec<_>>()
        })
        .collect();
    rows.sort_by(|x, y| (&x[1], &x[0]).cmp(&(&y[1], &y[0])));
    rows.into_iter().map(|r| csv_line(&r)).collect()
}

fn csv_line(cells: &[String]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells).unwrap();
    String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_owned()
}

fn classify(lake: &Path, out: &Path, extra: &[&str]) -> String {
    run_into("classify", lake, out, extra);
    fs::read_to_string(out).unwrap()
}

/// A report as a value, without what says when and where it was made, and without the
/// inputs' run numbers (tenant B's inputs are the shared lake's second run).
fn comparable(file: &Path) -> Value {
    let mut v: Value = serde_json::from_str(&fs::read_to_string(file).unwrap()).unwrap();
    v["generated_at"] = Value::Null;
    v["lake"] = Value::Null;
    for r in v["requirements"].as_array_mut().unwrap() {
        if let Some(inputs) = r["figures"]["manifest"]["inputs"].as_array_mut() {
            for i in inputs {
                i["run"] = Value::Null;
            }
        }
    }
    v
}

#[test]
fn two_tenants_in_one_lake_are_each_as_alone() {
    let dir = TempDir::new().unwrap();
    let a_inputs = samples().join("scenario");
    let b_inputs = tenant_b_inputs(dir.path());
    let shared = dir.path().join("shared");
    ingest_as(&shared, A, &a_inputs);
    ingest_as(&shared, B, &b_inputs);
    let (lake_a, lake_b) = (dir.path().join("lake-a"), dir.path().join("lake-b"));
    ingest_as(&lake_a, A, &a_inputs);
    ingest_as(&lake_b, B, &b_inputs);

    let out = |name: &str| dir.path().join(name);
    let all = classify(&shared, &out("all.csv"), &[]);
    let alone_a = classify(&lake_a, &out("a.csv"), &[]);
    let alone_b = classify(&lake_b, &out("b.csv"), &[]);
    assert_eq!(all.lines().next(), alone_a.lines().next(), "the header");
    let rows: Vec<&str> = all.lines().skip(1).collect();
    assert_eq!(rows.len(), 48, "both tenants' sign-ins");
    assert_eq!(rows, sorted_union(&[&alone_a, &alone_b]));
    assert_eq!(classify(&shared, &out("a2.csv"), &["--tenant", A]), alone_a);
    let upper = B.to_uppercase();
    assert_eq!(
        classify(&shared, &out("b2.csv"), &["--tenant", &upper]),
        alone_b
    );
    // The histories differ, and so do the verdicts of the same sign-ins.
    let verdicts = |text: &str| -> Vec<String> {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        r.records().map(|rec| rec.unwrap()[6].to_owned()).collect()
    };
    assert_ne!(verdicts(&alone_a), verdicts(&alone_b));

    let report = out("report");
    let said = run_into("evaluate", &shared, &report, &[]);
    let stdout = String::from_utf8_lossy(&said.stdout);
    assert!(stdout.contains(&format!("tenant {A}: ")), "{stdout}");
    for (tenant, lake) in [(A, &lake_a), (B, &lake_b)] {
        let alone = out(&format!("report-{tenant}"));
        run_into("evaluate", lake, &alone, &[]);
        let shared_report = report.join(tenant).join("report.json");
        assert_eq!(
            comparable(&shared_report),
            comparable(&alone.join("report.json")),
            "tenant {tenant}"
        );
        let verify = run([
            "verify",
            path(&report.join(tenant)),
            "--lake",
            path(&shared),
        ]);
        assert!(verify.status.success(), "{}", text(&verify));
    }
    let rollup: Value =
        serde_json::from_str(&fs::read_to_string(report.join("rollup.json")).unwrap()).unwrap();
    let tenants = rollup["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 2);
    for t in tenants {
        let id = t["tenant_id"].as_str().unwrap();
        let alone = comparable(&out(&format!("report-{id}")).join("report.json"));
        assert_eq!(t["verdict"], alone["verdict"], "{id}");
        assert_eq!(t["sign_ins"], alone["sign_ins"]["count"], "{id}");
        assert_eq!(t["report"], format!("{id}/report.json"));
    }
    for f in ["rollup.md", "rollup.html", "report.json"] {
        assert_eq!(report.join(f).is_file(), f != "report.json", "{f}");
    }
}

#[test]
fn a_lake_of_several_tenants_asks_for_one_where_the_evidence_is_one_tenant_s() {
    let dir = TempDir::new().unwrap();
    let shared = dir.path().join("shared");
    ingest_as(&shared, A, &samples().join("scenario"));
    ingest_as(&shared, B, &tenant_b_inputs(dir.path()));
    let counts = run_ok([
        "query",
        "--lake",
        path(&shared),
        "--format",
        "csv",
        "SELECT tenant_id, count(*) AS n FROM sign_ins GROUP BY 1 ORDER BY 1",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&counts.stdout),
        format!("tenant_id,n\n{A},24\n{B},24\n")
    );
    let views = run([
        "query",
        "--lake",
        path(&shared),
        "SELECT count(*) FROM sign_in_evidence",
    ]);
    assert_eq!(views.status.code(), Some(2), "{}", text(&views));
    assert!(
        text(&views).contains(&format!(
            "(the lake holds 2 tenants; the evidence views are one tenant's: give --tenant, one of {A}, {B})"
        )),
        "{}",
        text(&views)
    );
    let one = run_ok([
        "query",
        "--lake",
        path(&shared),
        "--tenant",
        B,
        "--format",
        "csv",
        "SELECT count(*) AS n FROM sign_in_evidence",
    ]);
    assert_eq!(String::from_utf8_lossy(&one.stdout), "n\n24\n");
    let unknown = run([
        "classify",
        "--lake",
        path(&shared),
        "--out",
        "x.csv",
        "--tenant",
        "c0c0",
    ]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(
        text(&unknown).contains("the lake holds no tenant c0c0"),
        "{}",
        text(&unknown)
    );
}
