//! What the report says of its own making: the queries it hashes are every query its
//! figures come from, each with the SHA-256 of its file.

use super::report_tests::{report_json, traceable_lake};
use super::*;

/// `report.queries` holds every query a figure names, and every query evaluate runs (all
/// the registered ones but those only `classify` runs), each with the SHA-256 of its file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_hashes_every_query_its_figures_come_from() {
    let lake = traceable_lake();
    let r = report_json(lake.path(), 10_000).await;
    let hashed = r["queries"].as_object().unwrap();
    let mut cited = Vec::new();
    cited_queries(&r, &mut cited);
    assert!(cited.len() > 20);
    for q in &cited {
        assert!(hashed.contains_key(q), "{q} is not in report.queries");
    }
    let classify_only = ["classify_export", "why_not_export"];
    let expected: std::collections::BTreeSet<String> = mfaproof::evidence::queries::ALL
        .iter()
        .filter(|q| !classify_only.contains(&q.name))
        .map(|q| q.file())
        .collect();
    let keys: std::collections::BTreeSet<String> = hashed.keys().cloned().collect();
    assert_eq!(keys, expected);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, v) in hashed {
        let bytes = std::fs::read(root.join(file)).unwrap();
        let hash = mfaproof::report::provenance::sha256(&bytes);
        assert_eq!(v["sha256"], hash.as_str(), "{file}");
    }
}

/// Every `query` value anywhere in a report.
fn cited_queries(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, child) in m {
                match (k.as_str(), child.as_str()) {
                    ("query", Some(q)) => out.push(q.to_owned()),
                    _ => cited_queries(child, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| cited_queries(i, out)),
        _ => {}
    }
}
