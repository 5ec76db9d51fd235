//! End-to-end tests of the evidence engine: hand-written lakes classified through the real
//! SQL, one case per class of evidence rules §3, per rule-order conflict, per timeline rule
//! (§4) and per chaining rule (§5), plus the classify export and the evaluate report.
//! One test binary; the tests live in `tests/evidence/`, the shared builders here.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use mfaproof::evidence::{export, open};
use mfaproof::report;
use mfaproof::schema::{
    AuditEvent, AuthDetail, EventType, MfaStateSnapshot, ModifiedProperty, RequirementPolicy,
    SecurityDefaultsSnapshot, SignIn, TargetResource,
};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, h, m, 0).unwrap()
}

struct S(SignIn);

impl S {
    fn new(id: &str, t: DateTime<Utc>, user: &str) -> S {
        let mut s = SignIn::new(id.into(), t, EventType::InteractiveUser);
        s.user_id = Some(user.into());
        s.user_principal_name = Some(format!("{user}@contoso.com"));
        s.user_type = Some("member".into());
        s.error_code = Some(0);
        s.client_app_used = Some("Browser".into());
        S(s)
    }
    fn event(mut self, e: EventType) -> S {
        self.0.event_type = e;
        self
    }
    fn error(mut self, e: Option<i32>) -> S {
        self.0.error_code = e;
        self
    }
    fn client(mut self, c: &str) -> S {
        self.0.client_app_used = Some(c.into());
        self
    }
    fn requirement(mut self, r: &str) -> S {
        self.0.authentication_requirement = Some(r.into());
        self
    }
    fn step(mut self, method: &str, ok: Option<bool>, detail: &str, req: &str) -> S {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        self.0.authentication_details.push(AuthDetail {
            authentication_method: some(method),
            succeeded: ok,
            authentication_step_result_detail: some(detail),
            authentication_step_requirement: some(req),
            ..AuthDetail::default()
        });
        self
    }
    fn additional(mut self, d: &str) -> S {
        self.0.additional_details = Some(d.into());
        self
    }
    fn session(mut self, s: &str) -> S {
        self.0.session_id = Some(s.into());
        self
    }
    fn provider(mut self, p: &str) -> S {
        self.0
            .authentication_requirement_policies
            .push(RequirementPolicy {
                requirement_provider: Some(p.into()),
                detail: None,
            });
        self
    }
    fn guest(mut self) -> S {
        self.0.user_type = Some("guest".into());
        self
    }
}

fn audit(
    id: &str,
    t: DateTime<Utc>,
    activity: &str,
    target: (Option<&str>, Option<&str>, &str),
    props: &[(&str, Option<&str>, Option<&str>)],
) -> AuditEvent {
    let mut a = AuditEvent::new(id.into(), t);
    a.activity_display_name = Some(activity.into());
    a.result = Some("success".into());
    a.target_resources.push(TargetResource {
        id: target.0.map(str::to_owned),
        user_principal_name: target.1.map(str::to_owned),
        display_name: Some(target.2.into()),
        resource_type: Some("User".into()),
        modified_properties: props
            .iter()
            .map(|(n, o, v)| ModifiedProperty {
                display_name: Some((*n).into()),
                old_value: o.map(str::to_owned),
                new_value: v.map(str::to_owned),
            })
            .collect(),
    });
    a
}

fn sar(id: &str, t: DateTime<Utc>, user: &str, old: Option<&str>, new: Option<&str>) -> AuditEvent {
    audit(
        id,
        t,
        "Update user",
        (Some(user), None, user),
        &[("StrongAuthenticationRequirement", old, new)],
    )
}

fn snapshot(
    user: Option<&str>,
    upn: Option<&str>,
    state: &str,
    t: DateTime<Utc>,
) -> MfaStateSnapshot {
    MfaStateSnapshot {
        user_id: user.map(str::to_owned),
        user_principal_name: upn.map(str::to_owned),
        per_user_mfa_state: state.into(),
        as_of: t,
    }
}

const ENFORCED: &str =
    r#"[{"RelyingParty":"*","State":1,"RememberDevicesNotIssuedBefore":"2026-01-01T00:00:00Z"}]"#;
const ENABLED: &str = r#"[{"RelyingParty":"*","State":0}]"#;

type Row = BTreeMap<String, String>;

async fn classify(records: &testlake::Records) -> BTreeMap<String, Row> {
    let dir = tempfile::tempdir().unwrap();
    testlake::write(dir.path(), records, "0").unwrap();
    let out = dir.path().join("export.csv");
    let ctx = open(dir.path(), None, None).await.unwrap();
    export::write(&ctx, &out).await.unwrap();
    read_csv(&out)
}

fn read_csv(path: &Path) -> BTreeMap<String, Row> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, export::COLUMNS);
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let row: Row = header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect();
            (row["id"].clone(), row)
        })
        .collect()
}

#[path = "evidence/cases.rs"]
mod cases;
#[path = "evidence/defects.rs"]
mod defects;
#[path = "evidence/html.rs"]
mod html;
#[path = "evidence/provenance.rs"]
mod provenance;
#[path = "evidence/report.rs"]
mod report_tests;
#[path = "evidence/scenario.rs"]
mod scenario;
#[path = "evidence/tenants.rs"]
mod tenants;
#[path = "support/testlake.rs"]
mod testlake;
