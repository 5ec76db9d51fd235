//! The bundled samples through the real binary: the scenario's hand-derived classes, the
//! same sign-in in every format, and the README's first command.

use std::fs;
use std::path::Path;

use arrow::array::RecordBatch;
use tempfile::TempDir;

use crate::common::{
    EXPORT_HEADER, REPORT_FILES, ingest, read_table, rows, run, run_into, run_ok, samples,
    scenario_into, scenario_lake, temp_lake,
};

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn scenario_classifies_as_worked_out_by_hand() {
    let run = scenario_into("classify", "classes.csv", &[]);
    let text = fs::read_to_string(&run.out).unwrap();
    assert_eq!(text.lines().next(), Some(EXPORT_HEADER));
    let got = csv_rows(&text);
    let mut got: Vec<Vec<String>> = got
        .into_iter()
        .map(|r| vec![r[0].clone(), r[5].clone(), r[6].clone(), r[8].clone()])
        .collect();
    got.sort();
    let mut expected =
        csv_rows(&fs::read_to_string(samples().join("scenario/expected.csv")).unwrap());
    expected.sort();
    assert_eq!(got, expected);
}

/// The sign-in columns, without provenance.
fn canonical(lake: &Path) -> RecordBatch {
    let batches = read_table(lake, "sign_ins");
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 1);
    let b = batches.into_iter().find(|b| b.num_rows() == 1).unwrap();
    let keep: Vec<usize> = (0..b.num_columns())
        .filter(|&i| {
            let name = b.schema().field(i).name().clone();
            ![
                "source_format",
                "source_file",
                "source_record",
                "ingested_at",
                "ingest_seq",
            ]
            .contains(&name.as_str())
        })
        .collect();
    b.project(&keep).unwrap()
}

#[test]
fn the_same_sign_in_in_every_format_gives_the_same_canonical_row() {
    let dir = TempDir::new().unwrap();
    let eq = samples().join("equivalence");
    let lake_of = |name: &str, inputs: &[&Path]| {
        let lake = dir.path().join(name);
        ingest(&lake, inputs);
        canonical(&lake)
    };
    let graph = lake_of("graph", &[&eq.join("graph-beta-page.json")]);
    let azure = lake_of("azure", &[&eq.join("azure-monitor-PT1H.json")]);
    let la = lake_of("la", &[&eq.join("log-analytics-SigninLogs.csv")]);
    assert_eq!(graph, azure, "Azure Monitor differs from Graph");
    assert_eq!(graph, la, "Log Analytics differs from Graph");
    // The portal CSV carries fewer fields and whole seconds: compare what it has.
    let portal = lake_of(
        "portal",
        &[
            &eq.join("InteractiveSignIns_2026-11-03_2026-11-03.csv"),
            &eq.join("InteractiveSignIns_AuthDetails_2026-11-03_2026-11-03.csv"),
        ],
    );
    for col in [
        "id",
        "event_type",
        "user_id",
        "user_principal_name",
        "user_type",
        "client_app_used",
        "error_code",
        "authentication_requirement",
        "session_id",
    ] {
        assert_eq!(
            graph.column_by_name(col).unwrap(),
            portal.column_by_name(col).unwrap(),
            "portal CSV differs from Graph in {col}"
        );
    }
    let methods = |b: &RecordBatch| {
        let list = arrow::array::AsArray::as_list::<i32>(
            b.column_by_name("authentication_details").unwrap(),
        )
        .value(0);
        let s = arrow::array::AsArray::as_struct(&list);
        let m = s.column_by_name("authentication_method").unwrap().clone();
        let d = s
            .column_by_name("authentication_step_result_detail")
            .unwrap()
            .clone();
        (m, d)
    };
    assert_eq!(
        methods(&graph),
        methods(&portal),
        "authentication details differ"
    );
}

#[test]
fn readme_first_command_runs_on_the_samples() {
    let (dir, lake) = temp_lake();
    let report = dir.path().join("report");
    let out = run_ok([
        "run",
        samples().to_str().unwrap(),
        "--lake",
        lake.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The samples' exact figures (a sample added or changed changes them): 46 inputs
    // (the four READMEs and the two hand-worked expected CSV files are skipped), their
    // records, the verdict.
    for line in [
        "inputs: 46 ingested, 0 already ingested, 6 skipped, 0 failed",
        "records: 162 ingested (96 sign-ins, 27 audit events, 39 snapshot rows), 22 duplicates dropped, 0 quarantined, 1 skipped, 1 partial",
        "verdict: not_compliant (80 sign-ins, window 2026-11-01 to 2026-11-03)",
        "  R6 FAILS: the evidence is complete",
        "holes in the evidence: 1 (1 make R6 fail); each is named in the report",
        "violating or unproven sign-ins: 22",
        "  R8 FAILS: every account is covered, including those that did not sign in",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line:?} in\n{stdout}");
    }
    for f in ["report.json", "report.md", "findings.csv", "report.html"] {
        assert!(report.join(f).is_file(), "{f} written");
    }
    // The story of the samples: at 11:50 on 3 November security defaults go off and CA08,
    // the only MFA policy, excludes the break-glass account, which never signs in.
    let accounts = fs::read_to_string(report.join("accounts.csv")).unwrap();
    assert!(
        accounts.starts_with("user_principal_name,status,covered,covered_because,"),
        "{accounts}"
    );
    let breakglass = "breakglass@contoso.example,not_exercised,no,CA08 Require MFA for all users (44444444-aaaa-4000-8000-0000000000c8): user_excluded,";
    assert!(accounts.contains(breakglass), "{accounts}");
    let report_dir = report.clone();
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(report.join("report.json")).unwrap()).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(lake.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 46);
    assert_eq!(report["sign_ins"]["count"], 80, "{}", report["sign_ins"]);
    let r8 = &report["requirements"][7];
    assert_eq!((&r8["id"], &r8["holds"]), (&"R8".into(), &false.into()));
    let f = &r8["figures"];
    assert_eq!(f["covered_at"], "2026-11-03T12:00:00.000000Z");
    assert_eq!(f["security_defaults_at_end"], "off");
    let counts: Vec<&serde_json::Value> =
        ["accounts", "covered_yes", "covered_no", "covered_unknown"]
            .iter()
            .map(|k| &f[k]["count"])
            .collect();
    assert_eq!(counts, [28, 27, 1, 0]);
    assert_eq!(f["not_covered"]["count"], 1);
    assert_eq!(
        f["not_covered"]["listed"][0]["user_principal_name"],
        "breakglass@contoso.example"
    );
    // Gil and the break-glass account have no MFA method registered.
    assert_eq!(f["without_mfa_method"]["count"], 2);
    let md = fs::read_to_string(report_dir.join("report.md")).unwrap();
    assert!(
        md.contains(
            "## R8 — every account is covered, including those that did not sign in: fails"
        )
    );
    // The one hole: the Azure Monitor blob whose last line was still being written
    // (data-samples/README.md) — until the completed blob is ingested, R6 fails.
    let r6 = &report["requirements"][5];
    assert_eq!(r6["id"], "R6");
    let blob = "azure-monitor/insights-logs-noninteractiveusersigninlogs/tenantId=0e35ee7a-425d-45a5-9013-218c1eae8fd4/y=2026/m=11/d=03/h=09/m=00/PT1H.json";
    assert_eq!(
        r6["figures"]["holes"],
        serde_json::json!([{"effect": "fails_r6", "kind": "cut_last_line",
            "prevents": "1 unterminated last line(s) of a blob still being written were not read: those records are missing until the completed blob is ingested",
            "source": "manifest.json",
            "what": samples().join(blob).display().to_string()}])
    );
    assert_eq!(rows(&lake, "sign_ins"), 80);
}

#[test]
fn evaluate_format_picks_the_files_and_json_is_always_written() {
    let dir = TempDir::new().unwrap();
    let lake = scenario_lake(dir.path());
    let evaluate = |out: &Path, format: &str, listed_rows: &str| {
        run_into(
            "evaluate",
            &lake,
            out,
            &["--format", format, "--listed-rows", listed_rows],
        );
        let mut names: Vec<String> = fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "SHA256SUMS")
            .collect();
        names.sort();
        // SHA256SUMS lists every other file written, in name order.
        let sums = fs::read_to_string(out.join("SHA256SUMS")).unwrap();
        let listed: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
        assert_eq!(listed, names);
        names
    };
    // report.html links findings.csv, so html writes it too, and the full tables of the
    // long figures: all the default writes but report.md. Without csv or html they are
    // written only when report.json leaves rows out of them.
    let html: Vec<&str> = REPORT_FILES
        .into_iter()
        .filter(|f| *f != "report.md")
        .collect();
    assert_eq!(evaluate(&dir.path().join("html"), "html", "10000"), html);
    // policy_findings.csv is always written (evidence rules §10).
    assert_eq!(
        evaluate(&dir.path().join("md"), "json,md", "10000"),
        ["policy_findings.csv", "report.json", "report.md"]
    );
    assert_eq!(
        evaluate(&dir.path().join("capped"), "json", "1"),
        [
            "accounts.csv",
            "policy_findings.csv",
            "regime_changes.csv",
            "report.json",
            "why_not.csv"
        ]
    );
    let res = run([
        "evaluate",
        "--lake",
        lake.to_str().unwrap(),
        "--out",
        "x",
        "--format",
        "pdf",
    ]);
    assert_eq!(
        res.status.code(),
        Some(2),
        "an unknown format is a usage error"
    );
}

/// The two public shapes of data-samples: Microsoft's `List signIns` example with its
/// repeated keys, and Log Analytics rows as JSON; exact counts and the classes worked out
/// by hand in data-samples/README.md.
#[test]
fn public_sample_shapes_ingest_and_classify_as_worked_out_by_hand() {
    let dir = TempDir::new().unwrap();
    let lake = dir.path().join("lake");
    let docs = samples().join("graph/beta-signins-docs-shape.json");
    let la = samples().join("log-analytics/SigninLogs_2026-11-03.json");
    let out = run([
        "ingest",
        "--json",
        "--lake",
        lake.to_str().unwrap(),
        docs.to_str().unwrap(),
        la.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &summary["counts"];
    let counts: Vec<u64> = ["records", "sign_ins", "quarantined", "repeated_keys"]
        .iter()
        .map(|k| c[k].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [5, 5, 0, 1], "{c}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(lake.join("manifest.json")).unwrap()).unwrap();
    let formats: Vec<&str> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["formats"][0].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["graph", "log-analytics"]);

    let export = dir.path().join("classes.csv");
    let out = run([
        "classify",
        "--lake",
        lake.to_str().unwrap(),
        "--out",
        export.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<String> = csv_rows(&fs::read_to_string(&export).unwrap())
        .iter()
        .map(|r| format!("{} {} {} {}", r[0], r[5], r[6], r[8]))
        .collect();
    let la_id = |n: u32| format!("9a3c5e7b-2d4f-4a6c-8e0b-1c3e5a7c{n:04}");
    assert_eq!(
        got,
        [
            format!("{} mfa_completed satisfied ", la_id(1)),
            format!("{} mfa_claim satisfied {}", la_id(2), la_id(1)),
            format!("{} failed not_applicable ", la_id(3)),
            format!("{} mfa_skipped_location violation ", la_id(4)),
            "5b0e7c2d-91a4-4f3e-8d6c-2e4a7f9b1300 failed not_applicable ".to_string(),
        ]
    );
}
