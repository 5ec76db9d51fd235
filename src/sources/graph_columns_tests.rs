//! The Graph source's two paths give the same lake rows: sign-ins decoded into records
//! and built into a batch, and sign-ins decoded with borrowed strings into columns on
//! the decoding threads and gathered into a batch, with the same rejects, repeated keys
//! and record numbers.

use std::sync::Arc;

use super::graph::read;
use super::test_sink::{Collect, sample};
use crate::schema::batch::{Provenance, sign_ins_batch};
use crate::schema::{Record, SignIn, SignInRow, sign_in_rows};

fn prov(no: u64) -> Provenance {
    Provenance {
        source_format: "graph",
        source_file: Arc::from("f"),
        source_record: no,
        ingested_at: chrono::DateTime::UNIX_EPOCH,
        ingest_seq: no as i64,
    }
}

/// Reads `input` both ways and checks that everything the sink hears is the same.
fn both_paths_agree(input: &[u8]) {
    let mut records = Collect::default();
    read(&mut &input[..], &mut records).unwrap();
    let mut columns = Collect {
        columns: true,
        ..Collect::default()
    };
    read(&mut &input[..], &mut columns).unwrap();
    assert_eq!(records.rejects, columns.rejects);
    assert_eq!(records.repeated_keys, columns.repeated_keys);
    assert_eq!(records.warnings, columns.warnings);
    assert_eq!(records.audits(), columns.audits());
    let numbered: Vec<(u64, &SignIn)> = records.numbered_sign_ins();
    let nos: Vec<u64> = numbered.iter().map(|(n, _)| *n).collect();
    let row_nos: Vec<u64> = columns.rows.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(nos, row_nos);
    assert!(
        columns
            .records
            .iter()
            .all(|r| !matches!(r.1, Record::SignIn(_)))
    );
    let provs: Vec<Provenance> = nos.iter().map(|n| prov(*n)).collect();
    let sign_ins: Vec<&SignIn> = numbered.iter().map(|(_, s)| *s).collect();
    let expect = sign_ins_batch("t", &sign_ins, &provs).unwrap();
    let decoded: Vec<SignInRow> = columns
        .rows
        .iter()
        .map(|(_, rows, at)| SignInRow::Decoded(rows.clone(), *at))
        .collect();
    let refs: Vec<&SignInRow> = decoded.iter().collect();
    let got = sign_in_rows::sign_ins_batch("t", &refs, &provs).unwrap();
    assert_eq!(expect, got);
    // Records and decoded rows mixed in one batch (two formats in one partition).
    let mixed: Vec<SignInRow> = decoded
        .iter()
        .zip(&sign_ins)
        .enumerate()
        .map(|(i, (d, s))| match (i % 2, d) {
            (0, _) => SignInRow::Record(Box::new((*s).clone())),
            (_, SignInRow::Decoded(rows, at)) => SignInRow::Decoded(rows.clone(), *at),
            (_, SignInRow::Record(r)) => SignInRow::Record(r.clone()),
        })
        .collect();
    let refs: Vec<&SignInRow> = mixed.iter().collect();
    let got = sign_in_rows::sign_ins_batch("t", &refs, &provs).unwrap();
    assert_eq!(expect, got);
}

#[test]
fn every_graph_sample_gives_the_same_batch_both_ways() {
    for name in [
        "graph/beta-signins-docs-shape.json",
        "graph/beta-signins-interactive-page.json",
        "graph/beta-signins-noninteractive.ndjson",
        "graph/beta-signins-workload-page.json",
        "graph/directory-audits-page.json",
        "graph/v1-signins-page.json",
        "equivalence/graph-beta-page.json",
        "scenario/sign-ins.json",
    ] {
        both_paths_agree(&sample(name));
    }
}

#[test]
fn lenient_values_escapes_and_bad_records_agree() {
    let lines = [
        // Escapes (owned strings), numbers and booleans as text, nulls, empty strings.
        r#"{"id":"a\"1","createdDateTime":"2026-11-03T08:00:00.1234567Z","userId":12,"appId":1.5,"ipAddress":true,"userDisplayName":"J\u00fcrgen","servicePrincipalId":"","userType":" Guest ","status":{"errorCode":"50126","failureReason":null}}"#,
        // No offset, lists of every kind, a repeated key (the last wins).
        r#"{"id":"b","createdDateTime":"2026-11-03T08:00:00","userId":"u1","userId":"u2","signInEventTypes":["nonInteractiveUser",null],"authenticationDetails":[{"authenticationMethod":"Password","succeeded":"True","authenticationStepDateTime":"2026-11-03T08:00:01Z"},{"authenticationMethod":"SMS"}],"appliedConditionalAccessPolicies":[{"id":"p","enforcedGrantControls":["Mfa"],"enforcedSessionControls":null}],"networkLocationDetails":[{"networkType":"namedNetwork","networkNames":["HQ"]}],"authenticationProcessingDetails":[{"key":"k","value":{"x":[1,2]}}],"authenticationRequirementPolicies":[{"requirementProvider":"user","detail":"d"}],"location":{"city":"Paris"},"deviceDetail":{"isCompliant":"false","browser":"Edge"},"mfaDetail":{"authMethod":"SMS"},"managedServiceIdentity":{"msiType":"systemAssigned"}}"#,
        r#"{"id":"c","createdDateTime":"2026-11-03T08:00:00Z","userId":{"o":1}}"#,
        r#"{"id":"d","createdDateTime":"2026-11-03T08:00:00Z","signInEventTypes":[1]}"#,
        r#"{"id":"e","createdDateTime":"tomorrow"}"#,
        r#"{"id":"f","activityDateTime":"2026-11-03T09:00:00Z","activityDisplayName":"Update user"}"#,
        r#"{"id":" ","createdDateTime":"2026-11-03T08:00:00Z"}"#,
        r#"{"id":"g","createdDateTime":"2026-11-03T08:00:00+02:00","signInEventTypes":["agentUser"]}"#,
        "not json",
        r#"{"id":"h","createdDateTime":"2026-11-03T08:00:00Z","#,
    ];
    both_paths_agree(lines.join("\n").as_bytes());
}

#[test]
fn many_batches_agree() {
    let line = |i: usize| {
        format!(
            r#"{{"id":"s{i}","createdDateTime":"2026-11-0{}T08:00:00Z","userId":"u{}","authenticationDetails":[{{"succeeded":true}}]}}"#,
            1 + i % 5,
            i % 17
        )
    };
    let input: String = (0..3000).map(|i| line(i) + "\n").collect();
    both_paths_agree(input.as_bytes());
}
