//! The hand-written scenario of `data-samples/scenario/` against its hand-derived
//! `expected.csv`.

use super::*;

#[test]
fn scenario_expectations_cover_every_sign_in_and_every_class() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/scenario");
    let page: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sign-ins.json")).unwrap()).unwrap();
    let ids: std::collections::BTreeSet<String> = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let mut r = csv::Reader::from_path(dir.join("expected.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let expected: std::collections::BTreeSet<String> =
        rows.iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(ids, expected);
    let classes: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.get(1).unwrap()).collect();
    assert_eq!(classes.len(), 18, "{classes:?}");
    for row in &rows {
        assert!(
            row[3].is_empty() || ids.contains(&row[3]),
            "origin of {} is not a sign-in",
            &row[0]
        );
    }
}

/// Collects snapshot records read by `sources::snapshot`.
#[derive(Default)]
struct Collect(Vec<mfaproof::schema::Record>);

impl mfaproof::sources::Sink for Collect {
    fn record(&mut self, _: u64, r: mfaproof::schema::Record) -> mfaproof::sources::Result<()> {
        self.0.push(r);
        Ok(())
    }
    fn reject(&mut self, n: u64, _: &[u8], reason: String) -> mfaproof::sources::Result<()> {
        panic!("record {n} rejected: {reason}")
    }
    fn skip(&mut self, _: u64, _: &str) {}
    fn partial(&mut self, _: u64, _: &[u8]) {}
    fn warn(&mut self, _: String) {}
}

/// The scenario through the Graph mapping and the snapshot source (not the ingester, which
/// is built elsewhere) against the hand-derived `expected.csv`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_classifies_as_worked_out_by_hand() {
    use mfaproof::sources::mapping::{GraphAudit, GraphSignIn};
    use mfaproof::sources::{Format, snapshot};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/scenario");
    let page = |name: &str| -> Vec<serde_json::Value> {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
        v["value"].as_array().unwrap().clone()
    };
    let mut records = testlake::Records::default();
    for v in page("sign-ins.json") {
        let g: GraphSignIn = serde_json::from_value(v).unwrap();
        records.sign_ins.push(g.into_canonical(None, None).unwrap());
    }
    for v in page("directory-audits.json") {
        let g: GraphAudit = serde_json::from_value(v).unwrap();
        records.audits.push(g.into_canonical().unwrap());
    }
    let mut sink = Collect::default();
    let csv = std::fs::read(dir.join("per-user-mfa.csv")).unwrap();
    snapshot::read(Format::MfaStateCsv, &mut csv.as_slice(), &mut sink).unwrap();
    let sd = std::fs::read(dir.join("security-defaults.json")).unwrap();
    snapshot::read(Format::SecurityDefaults, &mut sd.as_slice(), &mut sink).unwrap();
    for r in sink.0 {
        match r {
            mfaproof::schema::Record::MfaState(s) => records.mfa_states.push(s),
            mfaproof::schema::Record::SecurityDefaults(s) => records.security_defaults.push(s),
            other => panic!("unexpected {other:?}"),
        }
    }
    let rows = classify(&records).await;
    let mut r = csv::Reader::from_path(dir.join("expected.csv")).unwrap();
    let mut failures = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let got = &rows[&rec[0]];
        if got["class"] != rec[1] || got["verdict"] != rec[2] || got["origin_sign_in_id"] != rec[3]
        {
            failures.push(format!(
                "{}: want {}/{}/{:?}, got {}/{}/{:?} ({})",
                &rec[0],
                &rec[1],
                &rec[2],
                &rec[3],
                got["class"],
                got["verdict"],
                got["origin_sign_in_id"],
                got["reason"]
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
