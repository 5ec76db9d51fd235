//! JSON parse throughput for sign-in records: serde_json vs sonic-rs into `GraphSignIn` (+
//! `into_canonical`), and into `GraphSignIn<Cow<str>>` as the Graph column path reads it,
//! with the pre-scan an exact sonic-rs path would need (BENCHMARKS.md, branch `sonic19`);
//! arrow-json into an equivalent Arrow schema, and the whole Graph source (splitter +
//! parse) over NDJSON. Input is generated in code from a fixed seed.

use std::borrow::Cow;
use std::hint::black_box;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Fields, Schema, TimeUnit};
use arrow::json::ReaderBuilder;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use mfaproof::schema::Record;
use mfaproof::sources::{Sink, graph, mapping::GraphSignIn};

mod common;
use common::Lcg;

const LINES: usize = 2_000;

const USERS: [&str; 4] = ["alexw", "meganb", "leeg", "isaiahl"];
const APPS: [&str; 3] = [
    "Office 365",
    "Microsoft Teams",
    "Office 365 Exchange Online",
];
const RESULTS: [&str; 4] = [
    "MFA requirement satisfied by claim in the token",
    "MFA successfully completed",
    "MFA requirement skipped due to app password",
    "MFA requirement satisfied by strong authentication",
];
const CLIENTS: [&str; 3] = ["Browser", "Mobile Apps and Desktop clients", "IMAP4"];

/// One realistic beta sign-in line of about 2.5 KB.
fn sign_in_line(rng: &mut Lcg, i: usize) -> String {
    let user = rng.pick(&USERS);
    let app = rng.pick(&APPS);
    let result = rng.pick(&RESULTS);
    let client = rng.pick(&CLIENTS);
    let (sec, frac, ip) = (rng.next(60), rng.next(10_000_000), rng.next(250));
    let error_code = *rng.pick(&[0, 0, 0, 50074]);
    format!(
        concat!(
            r#"{{"id":"6f1d2a0c-4b3e-4c55-9a1e-{i:012}","createdDateTime":"2026-11-03T08:15:{sec:02}.{frac:07}Z","#,
            r#""userDisplayName":"{user} Example","userPrincipalName":"{user}@contoso.example","userId":"1a2b3c4d-0000-4000-8000-00000000{i:04}","#,
            r#""appId":"4765445b-32c6-49b0-83e6-1d93765276ca","appDisplayName":"{app}","ipAddress":"203.0.113.{ip}","clientAppUsed":"{client}","#,
            r#""userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0","#,
            r#""correlationId":"9c1e4b7a-5d2f-4e8a-b3c6-7a9d0e1f{i:04}","conditionalAccessStatus":"success","originalRequestId":"6f1d2a0c-4b3e-4c55-9a1e-{i:012}","#,
            r#""isInteractive":false,"tokenIssuerName":"","tokenIssuerType":"AzureAD","#,
            r#""authenticationProcessingDetails":[{{"key":"Legacy TLS (TLS 1.0, 1.1, 3DES)","value":"False"}},{{"key":"Is CAE Token","value":"True"}}],"#,
            r#""networkLocationDetails":[{{"networkType":"namedNetwork","networkNames":["Head office"]}}],"processingTimeInMilliseconds":112,"#,
            r#""riskDetail":"none","riskLevelAggregated":"none","riskLevelDuringSignIn":"none","riskState":"none","riskEventTypes_v2":[],"#,
            r#""resourceDisplayName":"Microsoft Graph","resourceId":"00000003-0000-0000-c000-000000000000","#,
            r#""resourceTenantId":"0e35ee7a-425d-45a5-9013-218c1eae8fd4","homeTenantId":"0e35ee7a-425d-45a5-9013-218c1eae8fd4","#,
            r#""authenticationMethodsUsed":[],"authenticationRequirement":"multiFactorAuthentication","signInEventTypes":["nonInteractiveUser"],"#,
            r#""servicePrincipalId":"","servicePrincipalName":"","userType":"member","crossTenantAccessType":"none","#,
            r#""uniqueTokenIdentifier":"NmYxZDJhMGMtNGIzZS00YzU1LTlhMWUtMmY3ZDhl","incomingTokenType":"refreshToken","authenticationProtocol":"none","#,
            r#""sessionId":"0b7c9a51-2f4e-4d3a-9b8c-1e2f3a4b{i:04}","mfaDetail":{{}},"#,
            r#""status":{{"errorCode":{error_code},"failureReason":"Other.","additionalDetails":"{result}"}},"#,
            r#""deviceDetail":{{"deviceId":"7d3f2e1a-9b8c-4d5e-a6f7-0e1d2c3b4a59","displayName":"CONTOSO-LT-0142","operatingSystem":"Windows10","browser":"Edge 130.0.0","isCompliant":true,"isManaged":true,"trustType":"Azure AD joined"}},"#,
            r#""location":{{"city":"Amsterdam","state":"Noord-Holland","countryOrRegion":"NL","geoCoordinates":{{"altitude":null,"latitude":52.37403,"longitude":4.88969}}}},"#,
            r#""appliedConditionalAccessPolicies":[{{"id":"3f2e1d0c-0000-4000-8000-00000000ca01","displayName":"CA001: Require MFA for all users","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"success"}},"#,
            r#"{{"id":"3f2e1d0c-0000-4000-8000-00000000ca02","displayName":"CA002: Block legacy authentication","enforcedGrantControls":["Block"],"enforcedSessionControls":[],"result":"notApplied"}}],"#,
            r#""authenticationRequirementPolicies":[{{"requirementProvider":"multiConditionalAccess","detail":"Conditional Access"}}],"#,
            r#""authenticationDetails":[{{"authenticationStepDateTime":"2026-11-03T08:15:{sec:02}Z","authenticationMethod":"Previously satisfied","authenticationMethodDetail":null,"succeeded":true,"authenticationStepResultDetail":"{result}","authenticationStepRequirement":"Multifactor authentication"}}]}}"#,
        ),
        i = i,
        sec = sec,
        frac = frac,
        user = user,
        app = app,
        ip = ip,
        client = client,
        error_code = error_code,
        result = result,
    )
}

fn ndjson() -> (Vec<Vec<u8>>, Vec<u8>) {
    let mut rng = Lcg(0x6d66_6170_726f_6f66);
    let lines: Vec<Vec<u8>> = (0..LINES)
        .map(|i| sign_in_line(&mut rng, i).into_bytes())
        .collect();
    let mut all = Vec::new();
    for l in &lines {
        all.extend_from_slice(l);
        all.push(b'\n');
    }
    (lines, all)
}

fn utf8() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Utf8, true))
}

fn list_of(fields: Vec<Field>) -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(Fields::from(fields)),
        true,
    )))
}

fn s(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

/// The fields `GraphSignIn` reads, as Arrow types.
fn arrow_schema() -> Arc<Schema> {
    let mut fields = top_level_fields();
    fields.extend(evidence_fields());
    fields.extend(context_fields());
    Arc::new(Schema::new(fields))
}

/// The strings, times and flags at the top of a sign-in.
fn top_level_fields() -> Vec<Field> {
    let strings = [
        "id",
        "userId",
        "userPrincipalName",
        "userDisplayName",
        "userType",
        "appId",
        "appDisplayName",
        "resourceId",
        "resourceDisplayName",
        "resourceTenantId",
        "homeTenantId",
        "crossTenantAccessType",
        "servicePrincipalId",
        "servicePrincipalName",
        "ipAddress",
        "clientAppUsed",
        "userAgent",
        "authenticationRequirement",
        "conditionalAccessStatus",
        "sessionId",
        "correlationId",
        "originalRequestId",
        "uniqueTokenIdentifier",
        "incomingTokenType",
        "authenticationProtocol",
        "tokenIssuerType",
        "riskLevelDuringSignIn",
        "riskLevelAggregated",
        "riskState",
        "riskDetail",
    ];
    let mut fields: Vec<Field> = strings.iter().map(|n| s(n)).collect();
    fields.extend([
        Field::new(
            "createdDateTime",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        Field::new("signInEventTypes", DataType::List(utf8()), true),
        Field::new("isInteractive", DataType::Boolean, true),
    ]);
    fields
}

/// The status, requirement policies, steps and MFA detail.
fn evidence_fields() -> [Field; 4] {
    [
        Field::new(
            "status",
            DataType::Struct(Fields::from(vec![
                Field::new("errorCode", DataType::Int32, true),
                s("failureReason"),
                s("additionalDetails"),
            ])),
            true,
        ),
        Field::new(
            "authenticationRequirementPolicies",
            list_of(vec![s("requirementProvider"), s("detail")]),
            true,
        ),
        Field::new(
            "authenticationDetails",
            list_of(vec![
                Field::new(
                    "authenticationStepDateTime",
                    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                    true,
                ),
                s("authenticationMethod"),
                s("authenticationMethodDetail"),
                Field::new("succeeded", DataType::Boolean, true),
                s("authenticationStepResultDetail"),
                s("authenticationStepRequirement"),
            ]),
            true,
        ),
        Field::new(
            "mfaDetail",
            DataType::Struct(Fields::from(vec![s("authMethod"), s("authDetail")])),
            true,
        ),
    ]
}

/// Conditional access, network, processing, location and device.
fn context_fields() -> [Field; 5] {
    [
        Field::new(
            "appliedConditionalAccessPolicies",
            list_of(vec![
                s("id"),
                s("displayName"),
                s("result"),
                Field::new("enforcedGrantControls", DataType::List(utf8()), true),
                Field::new("enforcedSessionControls", DataType::List(utf8()), true),
            ]),
            true,
        ),
        Field::new(
            "networkLocationDetails",
            list_of(vec![
                s("networkType"),
                Field::new("networkNames", DataType::List(utf8()), true),
            ]),
            true,
        ),
        Field::new(
            "authenticationProcessingDetails",
            list_of(vec![s("key"), s("value")]),
            true,
        ),
        Field::new(
            "location",
            DataType::Struct(Fields::from(vec![
                s("city"),
                s("state"),
                s("countryOrRegion"),
            ])),
            true,
        ),
        Field::new(
            "deviceDetail",
            DataType::Struct(Fields::from(vec![
                s("deviceId"),
                s("displayName"),
                s("operatingSystem"),
                s("browser"),
                Field::new("isCompliant", DataType::Boolean, true),
                Field::new("isManaged", DataType::Boolean, true),
                s("trustType"),
            ])),
            true,
        ),
    ]
}

/// A sink that only counts, so the bench measures decoding.
#[derive(Default)]
struct Count(usize);

impl Sink for Count {
    fn record(&mut self, _: u64, record: Record) -> mfaproof::sources::Result<()> {
        black_box(record);
        self.0 += 1;
        Ok(())
    }
    fn reject(&mut self, no: u64, _: &[u8], reason: String) -> mfaproof::sources::Result<()> {
        panic!("bench input record {no} rejected: {reason}");
    }
    fn skip(&mut self, _: u64, _: &str) {}
    fn partial(&mut self, _: u64, _: &[u8]) {}
    fn warn(&mut self, _: String) {}
}

fn parse(c: &mut Criterion) {
    let (lines, all) = ndjson();
    // The parsers must agree before their speed means anything.
    for l in &lines {
        let a = serde_json::from_slice::<GraphSignIn>(l)
            .unwrap()
            .into_canonical(None, None);
        let b = sonic_rs::from_slice::<GraphSignIn>(l)
            .unwrap()
            .into_canonical(None, None);
        assert_eq!(a, b, "serde_json and sonic-rs disagree");
    }
    let mut g = c.benchmark_group("sign_in_parse");
    g.throughput(Throughput::Bytes(all.len() as u64));
    g.bench_function("serde_json+canonical", |b| {
        b.iter(|| {
            for l in &lines {
                let g: GraphSignIn = serde_json::from_slice(l).unwrap();
                black_box(g.into_canonical(None, None).unwrap());
            }
        })
    });
    g.bench_function("sonic_rs+canonical", |b| {
        b.iter(|| {
            for l in &lines {
                let g: GraphSignIn = sonic_rs::from_slice(l).unwrap();
                black_box(g.into_canonical(None, None).unwrap());
            }
        })
    });
    borrowed(&mut g, &lines);
    let schema = arrow_schema();
    g.bench_function("arrow_json_decoder", |b| {
        b.iter(|| {
            let mut decoder = ReaderBuilder::new(schema.clone())
                .with_batch_size(1024)
                .build_decoder()
                .unwrap();
            let mut rest = &all[..];
            let mut rows = 0;
            while !rest.is_empty() {
                let n = decoder.decode(rest).unwrap();
                rest = &rest[n..];
                if let Some(batch) = decoder.flush().unwrap() {
                    rows += batch.num_rows();
                }
            }
            if let Some(batch) = decoder.flush().unwrap() {
                rows += batch.num_rows();
            }
            assert_eq!(rows, LINES);
        })
    });
    g.bench_function("graph_source_ndjson", |b| {
        b.iter(|| {
            let mut sink = Count::default();
            graph::read(&mut &all[..], &mut sink).unwrap();
            assert_eq!(sink.0, LINES);
        })
    });
    g.finish();
}

/// The column path's reading, strings borrowed from the line (no `into_canonical`), by
/// each parser, and by serde_json from a `&str` after one UTF-8 check of the whole line
/// (its `&str` reader does not check each string again); and the pass over the bytes that
/// sonic-rs would need first to read only what serde_json reads the same way. sonic-rs
/// skips ignored values without a depth limit (a deeply nested one overflows the stack),
/// allows 254 levels where serde_json stops at 127, and skips `\u` escapes without
/// checking their hex digits; so a record with 128 or more `[`/`{` or any backslash would
/// be left to serde_json. (Floats would also have to be refused in the visitors: sonic-rs
/// reads `-0` as `0.0`, and rounds some long ones correctly where serde_json does not.)
fn borrowed(g: &mut BenchmarkGroup<'_, WallTime>, lines: &[Vec<u8>]) {
    type Parse = for<'a> fn(&'a [u8]) -> GraphSignIn<Cow<'a, str>>;
    let parsers: [(&str, Parse); 3] = [
        ("serde_json_borrowed", |l| {
            serde_json::from_slice(l).unwrap()
        }),
        ("serde_json_borrowed_str", |l| {
            serde_json::from_str(std::str::from_utf8(l).unwrap()).unwrap()
        }),
        ("sonic_rs_borrowed", |l| sonic_rs::from_slice(l).unwrap()),
    ];
    for (name, parse) in parsers {
        g.bench_function(name, |b| {
            b.iter(|| {
                for l in lines {
                    black_box(parse(l));
                }
            })
        });
    }
    g.bench_function("exactness_prescan", |b| {
        b.iter(|| {
            let sonic_may_read = lines.iter().filter(|l| prescan(black_box(l))).count();
            assert_eq!(sonic_may_read, lines.len());
        })
    });
}

/// Fewer than 128 `[`/`{` bytes (so no nesting reaches serde_json's depth limit) and no
/// backslash. `[` and `{` differ only in bit 0x20; counting per 64 bytes in a `u8` lets
/// the compiler use SSE2.
fn prescan(bytes: &[u8]) -> bool {
    let mut openers = 0usize;
    let mut backslash = false;
    for chunk in bytes.chunks(64) {
        let mut n = 0u8;
        let mut b = false;
        for &x in chunk {
            n += u8::from(x | 0x20 == b'{');
            b |= x == b'\\';
        }
        openers += usize::from(n);
        backslash |= b;
    }
    openers < 128 && !backslash
}

criterion_group!(benches, parse);
criterion_main!(benches);
