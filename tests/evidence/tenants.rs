//! Two tenants in one lake: each is classified and evaluated on its own evidence, exactly
//! as alone. Tenant A has the cases' context (security defaults on from 12:00 to 14:00,
//! per-user MFA audits and snapshots); tenant B has the same users and sign-in shapes
//! (other ids) but security defaults on all day and no per-user MFA evidence.

use std::collections::{BTreeMap, BTreeSet};

use super::cases::{cases, context};
use super::report_tests::{documented_keys, key_sets};
use super::*;
use mfaproof::evidence::all_tenants;
use mfaproof::schema::SecurityDefaultsSnapshot;

const A: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const B: &str = "bbbbbbbb-0000-4000-8000-000000000002";

fn tenant_a() -> testlake::Records {
    let (audits, mfa_states, security_defaults) = context();
    testlake::Records {
        sign_ins: cases().into_iter().map(|c| c.1.0).collect(),
        audits,
        mfa_states,
        security_defaults,
    }
}

pub(crate) fn tenant_b() -> testlake::Records {
    let sign_ins = cases()
        .into_iter()
        .map(|c| {
            let mut s = c.1.0;
            s.id = format!("b-{}", s.id);
            if let Some(origin) = &mut s.session_id {
                *origin = format!("b-{origin}");
            }
            s
        })
        .collect();
    testlake::Records {
        sign_ins,
        security_defaults: vec![SecurityDefaultsSnapshot {
            is_enabled: true,
            as_of: at(0, 0),
        }],
        ..testlake::Records::default()
    }
}

/// A lake holding `tenants` (each its records, under its tenant id).
fn lake(tenants: &[(&str, &testlake::Records)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (i, (tenant, records)) in tenants.iter().enumerate() {
        testlake::write_tenant(dir.path(), records, &i.to_string(), tenant).unwrap();
    }
    dir
}

/// The export of a lake of one tenant, as classify writes it.
async fn export_alone(lake: &Path, out: &Path) -> String {
    let ctx = open(lake, None, None).await.unwrap();
    export::write(&ctx, out).await.unwrap();
    std::fs::read_to_string(out).unwrap()
}

/// The export's data lines sorted as the export sorts them (created_at, then id).
fn sorted_union(exports: &[String]) -> Vec<String> {
    let mut lines: Vec<&str> = exports.iter().flat_map(|e| e.lines().skip(1)).collect();
    let key = |l: &str| {
        let mut cells = l.splitn(3, ',');
        let id = cells.next().unwrap_or("").to_owned();
        (cells.next().unwrap_or("").to_owned(), id)
    };
    lines.sort_by_key(|l| key(l));
    lines.into_iter().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_of_two_tenants_is_the_union_of_each_alone() {
    let (a, b) = (tenant_a(), tenant_b());
    let both = lake(&[(A, &a), (B, &b)]);
    assert_eq!(mfaproof::evidence::tenants(both.path()).unwrap(), [A, B]);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("all.csv");
    let why_not = work.path().join("why_not.csv");
    let scratch = work.path().join("work");
    let engine = mfaproof::evidence::Engine::default();
    let req = all_tenants::Request {
        range: None,
        engine: &engine,
        out: &out,
        why_not: Some(&why_not),
        work: &scratch,
    };
    let tenants = [A.to_owned(), B.to_owned()];
    let (rows, _) = all_tenants::write(both.path(), &tenants, req)
        .await
        .unwrap();
    assert_eq!(rows as usize, a.sign_ins.len() + b.sign_ins.len());
    let all = std::fs::read_to_string(&out).unwrap();
    let alone = [
        export_alone(lake(&[(A, &a)]).path(), &work.path().join("a.csv")).await,
        export_alone(lake(&[(B, &b)]).path(), &work.path().join("b.csv")).await,
    ];
    assert_eq!(all.lines().next(), alone[0].lines().next(), "the header");
    assert_eq!(
        all.lines().skip(1).collect::<Vec<_>>(),
        sorted_union(&alone)
    );
    // Each tenant read alone from the shared lake gives its lone export too.
    let ctx = open(both.path(), None, Some(B)).await.unwrap();
    let b_out = work.path().join("b-shared.csv");
    export::write(&ctx, &b_out).await.unwrap();
    assert_eq!(std::fs::read_to_string(&b_out).unwrap(), alone[1]);

    // The tenant is what keeps them apart: the same records as one tenant classify
    // tenant B's sign-ins otherwise.
    let mut merged = a.clone();
    merged.sign_ins.extend(b.sign_ins.iter().cloned());
    merged
        .security_defaults
        .extend(b.security_defaults.iter().cloned());
    let mixed = export_alone(lake(&[(A, &merged)]).path(), &work.path().join("m.csv")).await;
    let of_b = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("b-"))
            .map(str::to_owned)
            .collect()
    };
    assert_ne!(of_b(&mixed), of_b(&alone[1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_of_several_tenants_has_no_evidence_and_an_unknown_tenant_is_refused() {
    let both = lake(&[(A, &tenant_a()), (B, &tenant_b())]);
    let ctx = open(both.path(), None, None).await.unwrap();
    let batches = ctx
        .sql("SELECT tenant_id, count(*) AS n FROM sign_ins GROUP BY tenant_id ORDER BY tenant_id")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let text = arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string();
    let n = cases().len();
    assert!(text.contains(&format!("| {A} | {n} |")), "{text}");
    assert!(text.contains(&format!("| {B} | {n} |")), "{text}");
    assert!(ctx.sql("SELECT * FROM sign_in_evidence").await.is_err());
    let Err(e) = open(both.path(), None, Some(" CCC ")).await else {
        panic!("a tenant the lake does not hold was opened");
    };
    assert_eq!(
        e.to_string(),
        format!(
            "{}: the lake holds no tenant ccc (it holds: {A}, {B})",
            both.path().display()
        )
    );
    // The tenant is compared as the lake writes it: trimmed, lower-cased.
    let upper = format!(" {} ", A.to_uppercase());
    assert!(open(both.path(), None, Some(&upper)).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tenant_s_report_in_the_rollup_is_its_report_alone() {
    let (a, b) = (tenant_a(), tenant_b());
    let both = lake(&[(A, &a), (B, &b)]);
    let out = tempfile::tempdir().unwrap();
    let opts = report::Options::default();
    let tenants = [A.to_owned(), B.to_owned()];
    let done = report::rollup::evaluate_tenants(both.path(), out.path(), &opts, &tenants)
        .await
        .unwrap();
    for (tenant, records) in [(A, &a), (B, &b)] {
        let alone = lake(&[(tenant, records)]);
        let alone_out = tempfile::tempdir().unwrap();
        let each = report::Options {
            tenant: Some(tenant.to_owned()),
            ..report::Options::default()
        };
        let lone = report::evaluate(alone.path(), alone_out.path(), &each)
            .await
            .unwrap();
        let mut shared = serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(out.path().join(tenant).join("report.json")).unwrap(),
        )
        .unwrap();
        let mut lone_json = serde_json::to_value(&lone.report).unwrap();
        for v in [&mut shared, &mut lone_json] {
            v["generated_at"] = serde_json::Value::Null;
            v["lake"] = serde_json::Value::Null;
        }
        assert_eq!(shared, lone_json, "tenant {tenant}");
        let summary = done
            .rollup
            .tenants
            .iter()
            .find(|t| t.tenant_id == tenant)
            .unwrap();
        assert_eq!(summary.verdict, lone.report.verdict);
        assert_eq!(shared["tenants"]["rows"][0]["tenant_id"], tenant);
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("rollup.json")).unwrap())
            .unwrap();
    let ids: Vec<&str> = json["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(json["verdict"], json["tenants"][0]["verdict"]);
    for name in ["rollup.md", "rollup.html"] {
        assert!(out.path().join(name).is_file(), "{name}");
    }
    // A report is one tenant's: the lake of two without a tenant is refused.
    let e = report::evaluate(both.path(), out.path(), &opts)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("the lake holds 2 tenants"), "{e}");
}

/// `docs/report-schema.md` documents every key of `rollup.json` in its place, and only
/// those (its `options`, `tool` and tenants' `window` are those of `report.json`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_documents_the_rollup() {
    let both = lake(&[(A, &tenant_a()), (B, &tenant_b())]);
    let out = tempfile::tempdir().unwrap();
    let opts = report::Options {
        range: Some((at(0, 0).date_naive(), at(0, 0).date_naive())),
        ..report::Options::default()
    };
    let tenants = [A.to_owned(), B.to_owned()];
    report::rollup::evaluate_tenants(both.path(), out.path(), &opts, &tenants)
        .await
        .unwrap();
    let text = std::fs::read_to_string(out.path().join("rollup.json")).unwrap();
    let mut written = BTreeMap::new();
    key_sets(
        &serde_json::from_str(&text).unwrap(),
        "rollup",
        &mut written,
    );
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-schema.md"),
    )
    .unwrap();
    let documented = documented_keys(&doc);
    let same_as = [
        ("rollup.options", "report.options"),
        ("rollup.tool", "report.tool"),
        ("rollup.tenants[].window", "report.window"),
    ];
    let mut places = BTreeSet::new();
    for (place, keys) in &written {
        let doc_place = same_as
            .iter()
            .find_map(|(ours, theirs)| {
                place
                    .strip_prefix(ours)
                    .map(|rest| format!("{theirs}{rest}"))
            })
            .unwrap_or_else(|| place.clone());
        assert_eq!(Some(keys), documented.get(&doc_place), "keys of {place}");
        places.insert(place.clone());
    }
    let rollup_places: BTreeSet<String> = documented
        .keys()
        .filter(|p| p.starts_with("rollup"))
        .cloned()
        .collect();
    assert!(
        rollup_places.is_subset(&places),
        "{rollup_places:?} vs {places:?}"
    );
}
