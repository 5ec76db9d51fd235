//! The evaluate report. (The classify export's bytes are checked through the binary in
//! `tests/it/classify.rs`.)

use super::cases::{cases, context};
use super::*;
use mfaproof::lake::manifest::{Counts, InputEntry, Manifest, RunEntry};

/// A lake of every case plus a formula-injection UPN, the Sync_ account and a
/// non-interactive sign-in, with its manifest.
pub fn traceable_lake() -> tempfile::TempDir {
    let (audits, mfa_states, security_defaults) = context();
    let mut sign_ins: Vec<SignIn> = cases().into_iter().map(|c| c.1.0).collect();
    let mut evil = S::new("evil", at(16, 0), "evil")
        .requirement("singleFactorAuthentication")
        .0;
    evil.user_principal_name = Some("=cmd|' /C calc'!A0 <b>|`x`".into());
    sign_ins.push(evil);
    let mut sync = S::new("sync", at(16, 1), "sync")
        .requirement("singleFactorAuthentication")
        .0;
    sync.user_principal_name = Some("Sync_DC1_abc@contoso.onmicrosoft.com".into());
    sign_ins.push(sync);
    sign_ins.push(
        S::new("ni", at(16, 2), "u9")
            .event(EventType::NonInteractiveUser)
            .step("Text message", Some(true), "", "")
            .0,
    );
    let records = testlake::Records {
        sign_ins,
        audits,
        mfa_states,
        security_defaults,
    };
    let lake = tempfile::tempdir().unwrap();
    testlake::write(lake.path(), &records, "0").unwrap();
    let manifest = Manifest {
        version: 1,
        inputs: vec![InputEntry {
            path: "exports/sign-ins.json".into(),
            size: 1234,
            sha256: "ab".repeat(32),
            formats: vec!["graph".into()],
            tenants: vec![testlake::TENANT.into()],
            run: 1,
            counts: Counts {
                records: 64,
                sign_ins: 64,
                ..Counts::default()
            },
            warnings: vec![],
        }],
        runs: vec![RunEntry {
            run: 1,
            started_at: chrono::DateTime::UNIX_EPOCH,
            finished_at: chrono::DateTime::UNIX_EPOCH,
            counts: Counts::default(),
            duplicates_dropped: 2,
        }],
    };
    manifest.save(&lake.path().join("manifest.json")).unwrap();
    lake
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluate_writes_a_traceable_report() {
    let lake = traceable_lake();
    let out = tempfile::tempdir().unwrap();
    let opts = report::Options {
        emergency_accounts: vec!["breakglass*@contoso.com".into()],
        ..report::Options::default()
    };
    let outcome = report::evaluate(lake.path(), out.path(), &opts)
        .await
        .unwrap();
    assert!(!outcome.compliant);
    assert!(!out.path().join(".mfaproof-work").exists());
    let r = &serde_json::to_value(&outcome.report).unwrap();
    let holds: Vec<bool> = r["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["holds"] == true)
        .collect();
    assert_eq!(
        holds,
        vec![false, false, false, false, true, true, false, false]
    );
    // Without policy definitions R7 and R8 are reported but cannot be evidenced.
    assert_eq!(r["requirements"][6]["figures"]["evidenced"], false);
    assert_eq!(r["requirements"][7]["figures"]["evidenced"], false);
    assert_eq!(
        r["requirements"][1]["figures"]["special_account_problems"]["count"],
        1
    );
    // Every figure names its query file.
    for req in r["requirements"].as_array().unwrap() {
        for (name, fig) in req["figures"].as_object().unwrap() {
            if let Some(q) = fig.get("query") {
                let q = q.as_str().unwrap();
                assert!(
                    q.starts_with("queries/")
                        && Path::new(env!("CARGO_MANIFEST_DIR")).join(q).exists(),
                    "{name}: {q}"
                );
            }
        }
    }
    let findings = std::fs::read_to_string(out.path().join("findings.csv")).unwrap();
    assert!(
        findings.contains(",'=cmd|' /C calc'!A0 <b>|`x`,"),
        "{findings}"
    );
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(md.contains("=cmd\\|' /C calc'!A0 &lt;b&gt;\\|\\`x\\`"));
    // report.json is the report's serialisation, its keys sorted (as the schema says).
    let written = std::fs::read_to_string(out.path().join("report.json")).unwrap();
    assert_eq!(written, serde_json::to_string_pretty(r).unwrap() + "\n");
    // report.md ends with the text and SHA-256 of every query (checked here, left out of
    // the snapshot: the query files are their own record).
    let (md_figures, md_queries) = md.split_once("\n## Queries\n").unwrap();
    let queries = r["queries"].as_object().unwrap();
    assert_eq!(md_queries.matches("\n### `queries/").count(), queries.len());
    for (file, q) in queries {
        let name = file.trim_start_matches("queries/").trim_end_matches(".sql");
        let text = mfaproof::evidence::queries::get(name).unwrap().sql;
        let sha = q["sha256"].as_str().unwrap();
        let shown = format!(
            "### `{file}`\n\nSHA-256 `{sha}`\n\n```sql\n{}\n```",
            text.trim_end()
        );
        assert!(md_queries.contains(&shown), "{file}");
    }
    let json = r;
    volatile(&lake).bind(|| {
        insta::assert_json_snapshot!("report_json", json);
        insta::assert_snapshot!("report_md", md_figures);
    });
}

/// Snapshot settings filtering the fields of a report that differ from run to run: the
/// time it was generated, the temporary lake's path and the checkout's path (inputs are
/// named by path). Everything else is the same on every run.
pub fn volatile(lake: &tempfile::TempDir) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r#"("generated_at": "|Generated: |dd: )\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"#,
        "$1[generated_at]",
    );
    settings.add_filter(&regex_escape(&lake.path().display().to_string()), "[lake]");
    // The SHA-256 of the repository's files the report cites (queries, rules, method,
    // glossary, vocabulary) change with every edit of them; a test checks them exactly
    // (`the_report_hashes_every_query_its_figures_come_from`, and a unit test for the
    // documents).
    let method = report::provenance::Method::this(String::new());
    let documents = [
        method.rules,
        method.choices,
        method.statement,
        method.glossary,
    ];
    let hashes = documents
        .into_iter()
        .chain(method.vocabulary)
        .map(|d| d.sha256)
        .chain(
            mfaproof::evidence::queries::ALL
                .iter()
                .map(|q| report::provenance::sha256(q.sql.as_bytes())),
        );
    for hash in hashes {
        settings.add_filter(&hash, "[file sha256]");
    }
    // The commit the tests were built from (or `unknown` without git).
    settings.add_filter(
        &format!(r"\b{}\b", regex_escape(report::provenance::COMMIT)),
        "[commit]",
    );
    settings.add_filter(&regex_escape(env!("CARGO_MANIFEST_DIR")), "[repo]");
    settings
}

/// `text` as a regular expression matching itself.
fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_lake_is_reported_not_compliant() {
    let lake = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = report::evaluate(lake.path(), out.path(), &report::Options::default())
        .await
        .unwrap();
    assert!(!outcome.compliant);
    assert_eq!(outcome.report.sign_ins.count, 0);
    assert!(outcome.report.window.is_none());
    assert!(!outcome.report.requirements[5].holds);
    let findings = std::fs::read_to_string(out.path().join("findings.csv")).unwrap();
    assert_eq!(findings.lines().count(), 1);
}

/// `--listed-rows` caps the long lists of report.json, never a count: every count and
/// verdict is the same as in the full report, the CSV files hold every row, and the
/// renderings say where the rest is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capped_report_keeps_every_count_and_lists_every_row_in_csv() {
    let lake = traceable_lake();
    let evaluate = |listed_rows| {
        let lake = lake.path().to_path_buf();
        async move {
            let out = tempfile::tempdir().unwrap();
            let opts = report::Options {
                emergency_accounts: vec!["breakglass*@contoso.com".into()],
                listed_rows,
                ..report::Options::default()
            };
            let outcome = report::evaluate(&lake, out.path(), &opts).await.unwrap();
            (out, serde_json::to_value(&outcome.report).unwrap())
        }
    };
    let (full_dir, full) = evaluate(10_000).await;
    let (capped_dir, capped) = evaluate(1).await;
    let lines = |dir: &tempfile::TempDir, f: &str| {
        std::fs::read_to_string(dir.path().join(f))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    let (f, c) = (&full["requirements"], &capped["requirements"]);
    for (req, list, file) in [
        (1, "accounts", "accounts.csv"),
        (4, "changes", "regime_changes.csv"),
    ] {
        let all = f[req]["figures"][list]["rows"].as_array().unwrap().len();
        assert!(all > 2, "{list}: the case needs several rows ({all})");
        assert!(f[req]["figures"][list].get("rows_total").is_none());
        assert_eq!(lines(&full_dir, file), all, "{file} of the full report");
        assert_eq!(lines(&capped_dir, file), all, "{file} of the capped report");
        let fig = &c[req]["figures"][list];
        assert_eq!(
            (&fig["rows_total"], &fig["rows_file"]),
            (&all.into(), &file.into())
        );
        assert!(fig["rows"].as_array().unwrap().len() < all, "{list} capped");
    }
    // The capped account list keeps its first row (most problems) and every special one.
    let listed = c[1]["figures"]["accounts"]["rows"].as_array().unwrap();
    assert_eq!(listed[0], f[1]["figures"]["accounts"]["rows"][0]);
    let special = |r: &serde_json::Value| {
        r["figures"]["accounts"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| !a["special"].is_null())
            .count()
    };
    assert_eq!(special(&c[1]), special(&f[1]));
    let per_day: u64 = c[4]["figures"]["changes_per_day"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["changes"].as_u64().unwrap())
        .sum();
    assert_eq!(per_day, c[4]["figures"]["changes"]["rows_total"]);
    // Every number but the listings is the same.
    let strip = |r: &serde_json::Value| {
        let mut r = r.clone();
        r["generated_at"] = "".into();
        r["options"]["listed_rows"] = "".into();
        for (req, list) in [
            (1, "accounts"),
            (2, "location_skips"),
            (4, "changes"),
            (6, "findings"),
            (6, "escapes"),
            (6, "entra_disagreements"),
        ] {
            r["requirements"][req]["figures"][list] = "".into();
        }
        // R8 names its accounts up to the cap; their counts stay.
        for list in ["emergency_accounts", "not_covered", "without_mfa_method"] {
            r["requirements"][7]["figures"][list]["listed"] = "".into();
        }
        r
    };
    assert_eq!(strip(&full), strip(&capped));
    let md = std::fs::read_to_string(capped_dir.path().join("report.md")).unwrap();
    assert!(md.contains("more row(s) in `accounts.csv`_"), "{md}");
    assert!(md.contains("more row(s) in `regime_changes.csv`_"), "{md}");
    let html = std::fs::read_to_string(capped_dir.path().join("report.html")).unwrap();
    assert!(html.contains("are in accounts.csv."));
    assert!(html.contains("are in regime_changes.csv."));
}

/// The samples of `data-samples/` (the scenario among them) ingested into a lake.
pub fn samples_lake() -> tempfile::TempDir {
    let lake = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let opts = mfaproof::ingest::IngestOptions::default();
    let inputs = [mfaproof::storage::Location::local(samples)];
    mfaproof::ingest::ingest(lake.path(), &inputs, &opts, &mut mfaproof::ingest::Quiet).unwrap();
    lake
}

/// The serialised report of `lake`, listing at most `listed_rows` rows of each long figure.
pub async fn report_json(lake: &Path, listed_rows: usize) -> serde_json::Value {
    report_of(lake, listed_rows, None).await
}

/// The serialised report of `lake` with `report_json`'s options over the window `range`.
async fn report_of(
    lake: &Path,
    listed_rows: usize,
    range: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
) -> serde_json::Value {
    let out = tempfile::tempdir().unwrap();
    // The traceable lake's and the samples' break-glass accounts.
    let opts = report::Options {
        emergency_accounts: vec![
            "breakglass*@contoso.com".into(),
            "breakglass@contoso.example".into(),
        ],
        listed_rows,
        range,
        ..report::Options::default()
    };
    let outcome = report::evaluate(lake, out.path(), &opts).await.unwrap();
    serde_json::to_value(&outcome.report).unwrap()
}

/// Every object of a report by its place (as `docs/report-schema.md` names them: `report`,
/// `R1`…`R6` for the requirements' figures, `[]` for a list's items, `{}` for the values of
/// the `queries` map; `figure`, `count` and `document` for those shapes wherever they
/// are), with the keys it has.
pub(crate) fn key_sets(
    v: &serde_json::Value,
    place: &str,
    out: &mut BTreeMap<String, std::collections::BTreeSet<String>>,
) {
    match v {
        // A map keyed by query file: its values are one kind of object.
        serde_json::Value::Object(m) if place == "report.queries" => {
            for child in m.values() {
                key_sets(child, "report.queries{}", out);
            }
        }
        serde_json::Value::Object(m) => {
            let keys: Vec<&str> = m.keys().map(String::as_str).collect();
            let figure = ["query", "rows", "rows_file", "rows_total"];
            let kind = if keys == ["count", "query"] {
                "count"
            } else if keys == ["file", "sha256"] {
                "document"
            } else if keys.contains(&"rows") && keys.iter().all(|k| figure.contains(k)) {
                "figure"
            } else {
                place
            };
            let set = out.entry(kind.to_owned()).or_default();
            set.extend(keys.iter().map(|k| (*k).to_owned()));
            for (k, child) in m {
                let next = match (place, m.get("id")) {
                    ("report.requirements[]", Some(id)) if k == "figures" => {
                        id.as_str().unwrap().to_owned()
                    }
                    _ => format!("{place}.{k}"),
                };
                key_sets(child, &next, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                key_sets(item, &format!("{place}[]"), out);
            }
        }
        _ => {}
    }
}

/// The keys `docs/report-schema.md` documents, by place: each "### `place`" heading and the
/// first column of the table under it.
pub(crate) fn documented_keys(doc: &str) -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut out: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    let mut place = None;
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("### `") {
            place = heading.split('`').next().map(str::to_owned);
        } else if let (Some(p), Some(cell)) = (&place, line.strip_prefix("| `")) {
            let key = cell.split('`').next().unwrap().to_owned();
            out.entry(p.clone()).or_default().insert(key);
        }
    }
    out
}

/// `docs/report-schema.md` and the report agree: every key the reports of the samples (the
/// scenario among them) and of the traceable lake (whole, capped, and over a window with
/// days without sign-ins) write is documented in its place, and every documented key is
/// written by one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_documents_every_key_and_only_those() {
    let (samples, traceable) = (samples_lake(), traceable_lake());
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let mut written = BTreeMap::new();
    for r in [
        report_json(samples.path(), 10_000).await,
        report_json(traceable.path(), 10_000).await,
        report_json(traceable.path(), 1).await,
        report_of(traceable.path(), 10_000, Some((day(10, 30), day(11, 2)))).await,
    ] {
        key_sets(&r, "report", &mut written);
    }
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-schema.md"),
    )
    .unwrap();
    // The roll-up's places are checked in tenants.rs.
    let mut documented = documented_keys(&doc);
    documented.retain(|place, _| !place.starts_with("rollup"));
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        documented.keys().collect::<Vec<_>>(),
        "places written vs documented"
    );
    for (place, keys) in &written {
        assert_eq!(keys, &documented[place], "keys of {place}");
    }
}

/// Each requirement's figures come from the queries its module names, and each of those
/// queries is used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_requirement_names_its_queries() {
    let lake = traceable_lake();
    let r = report_json(lake.path(), 10_000).await;
    let reqs = r["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), report::requirements::QUERIES.len());
    for (req, (id, names)) in reqs.iter().zip(report::requirements::QUERIES) {
        assert_eq!(req["id"], *id);
        let mut used = std::collections::BTreeSet::new();
        for fig in req["figures"].as_object().unwrap().values() {
            if let Some(q) = fig.get("query").and_then(|q| q.as_str()) {
                used.insert(q.to_owned());
            }
        }
        let named: std::collections::BTreeSet<String> =
            names.iter().map(|n| format!("queries/{n}.sql")).collect();
        assert_eq!(used, named, "{id}");
    }
}

/// Every "§N" and "rule N" the reports can show — in the renderers' code and template, and
/// in the query files the HTML report shows — resolves to a section or rule of
/// `docs/evidence-rules.md`, the contract shipped with the product.
#[test]
fn every_citation_in_the_reports_resolves_to_the_evidence_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/evidence-rules.md")).unwrap();
    let sections: Vec<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("## §"))
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        sections,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
    );
    // The rule table is §3's; §9 numbers its reasons in a table of its own.
    let section_3 = doc
        .split("## §3 ")
        .nth(1)
        .and_then(|rest| rest.split("## §4 ").next())
        .unwrap();
    let rules: Vec<String> = section_3
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .filter(|n| n.parse::<u32>().is_ok())
        .map(str::to_owned)
        .collect();
    let expected: Vec<String> = (1..=18).map(|n| n.to_string()).collect();
    assert_eq!(rules, expected, "the rule table of §3");
    let mut texts = Vec::new();
    let mut dirs = vec![root.join("src/report")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                texts.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    for q in mfaproof::evidence::queries::ALL {
        texts.push((root.join(q.file()), q.sql.to_owned()));
    }
    // The method statement and the glossary the reports show.
    for file in [report::statement::FILE, report::glossary::FILE] {
        texts.push((
            root.join(file),
            std::fs::read_to_string(root.join(file)).unwrap(),
        ));
    }
    let mut cited = 0;
    for (path, text) in &texts {
        for (kind, number) in citations(text) {
            cited += 1;
            let known = match kind {
                "§" => &sections,
                _ => &rules,
            };
            assert!(
                known.contains(&number),
                "{}: {kind} {number} is not in docs/evidence-rules.md",
                path.display()
            );
        }
    }
    assert!(cited > 20, "{cited} citations found");
}

/// The citations in `text`: ("§", N) for "§N", ("rule", N) for each N of "rule N",
/// "rules N-M" (every rule from N to M) and "rules N and M".
fn citations(text: &str) -> Vec<(&'static str, String)> {
    let number = |s: &str| -> String { s.chars().take_while(char::is_ascii_digit).collect() };
    let mut out = Vec::new();
    for (i, _) in text.match_indices('§') {
        let n = number(&text[i + '§'.len_utf8()..]);
        if !n.is_empty() {
            out.push(("§", n));
        }
    }
    let lower = text.to_lowercase();
    for (i, word) in lower.match_indices("rule") {
        let rest = &lower[i + word.len()..];
        let rest = rest.strip_prefix('s').unwrap_or(rest);
        let Some(rest) = rest.strip_prefix(' ') else {
            continue;
        };
        let first = number(rest);
        if first.is_empty() {
            continue;
        }
        let after = &rest[first.len()..];
        let second = |seps: &[&str]| {
            seps.iter()
                .find_map(|sep| after.strip_prefix(sep).map(number))
                .filter(|n| !n.is_empty())
        };
        let from: u32 = first.parse().unwrap();
        if let Some(to) = second(&["-", "–", " to "]) {
            let to: u32 = to.parse().unwrap();
            out.extend((from..=to.max(from)).map(|n| ("rule", n.to_string())));
        } else {
            out.push(("rule", first));
            out.extend(second(&[" and "]).map(|n| ("rule", n)));
        }
    }
    out
}

#[test]
fn citations_are_found_in_their_forms() {
    let found = citations("evidence rules §4 a/b/c; rule 16; Rules 6-8; rules 7 and 9; rule of 18");
    let found: Vec<String> = found.iter().map(|(k, n)| format!("{k}{n}")).collect();
    assert_eq!(
        found,
        ["§4", "rule16", "rule6", "rule7", "rule8", "rule7", "rule9"]
    );
}
