//! R6 (evidence rules §7): the evidence is complete. Holds when there is at least one
//! sign-in, the manifest lists at least one input (each with its SHA-256), and no hole
//! may hide user sign-ins of the window: no day without interactive or non-interactive
//! user sign-ins, no quarantined record, no input stopped at a row cap or cut short, no
//! user sign-in stream `pull` could not read. Every hole, those that only lower the
//! verdict included, is listed (`holes.rs`). Also reported: coverage, provisional
//! sign-ins (the settling window), how many claims chain to an MFA origin (§5), sign-ins
//! per day by verdict.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use serde::{Deserialize, Serialize};

use super::context::{COVERAGE, Context};
pub use super::holes::Hole;
pub use super::holes::{KindRow, MissingAuditDay};
use super::holes::{self, AuditDayRow};
use crate::lake::layout::Layout;
use crate::lake::manifest::{InputEntry, Manifest};
use crate::lake::PullFailures;
use crate::report::Result;
use crate::report::cell::table;
use crate::report::figures::{Figure, figure};
use crate::report::rows::{CoverageRow, USER_EVENT_TYPES};

pub const ID: &str = "R6";
pub const TITLE: &str = "the evidence is complete";
/// Whether the verdict depends on R6.
pub const DECIDES: bool = true;
const DAYS: &str = "r6_days";
const SETTLING: &str = "r6_settling";
const CHAINING: &str = "r6_claim_chaining";
const PER_DAY: &str = "r6_days_by_verdict";
/// The queries of R6's figures.
pub const QUERIES: [&str; 7] = [
    COVERAGE,
    DAYS,
    SETTLING,
    CHAINING,
    PER_DAY,
    holes::AUDIT_DAYS,
    holes::EVIDENCE_KINDS,
];
/// Where the inputs come from.
pub const MANIFEST: &str = "manifest.json";
/// Where the holes are found (each names its own source).
pub const HOLE_SOURCES: &str =
    "manifest.json, pull/failures.json and the queries named in each row";

/// R6's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub claim_chaining: Figure<ChainingRow>,
    pub coverage: Figure<CoverageRow>,
    pub days_without_audit_events: Figure<MissingAuditDay>,
    pub days_without_data: Figure<MissingDay>,
    /// Observations of the evidence that is not a sign-in (per-user MFA, directory).
    pub evidence_kinds: Figure<KindRow>,
    /// Every hole in the evidence, with what it prevents proving.
    pub holes: Vec<Hole>,
    pub manifest: ManifestFigures,
    pub settling: Figure<SettlingRow>,
    pub sign_ins_per_day: Figure<DayVerdictRow>,
}

/// A row of `r6_days.sql`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DayRow {
    pub date: String,
    pub event_type: String,
    pub sign_ins: u64,
}

/// A day of the window without sign-ins of a user event type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingDay {
    pub date: String,
    pub event_type: String,
}
table!(MissingDay: event_type, date);

/// A row of `r6_settling.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettlingRow {
    pub newest_sign_in: String,
    pub provisional_sign_ins: u64,
    pub settling_hours: u64,
    pub verdict: String,
}
table!(SettlingRow: newest_sign_in, settling_hours, verdict, provisional_sign_ins);

/// A row of `r6_claim_chaining.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainingRow {
    pub chained: u64,
    pub class: String,
    pub share_chained: f64,
    pub sign_ins: u64,
}
table!(ChainingRow: class, sign_ins, chained, share_chained);

/// A row of `r6_days_by_verdict.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayVerdictRow {
    pub date: String,
    pub sign_ins: u64,
    pub verdict: String,
}
table!(DayVerdictRow: date, verdict, sign_ins);

/// What the lake's `manifest.json` says of the inputs.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestFigures {
    pub duplicates_dropped: u64,
    pub inputs: Vec<Input>,
    pub quarantined: u64,
    pub source: &'static str,
}

/// One input file of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Input {
    pub formats: Vec<String>,
    pub path: String,
    pub quarantined: u64,
    pub records: u64,
    pub run: u64,
    pub sha256: String,
    pub size: u64,
}
table!(Input: path, formats, sha256, size, records, quarantined);

impl From<&InputEntry> for Input {
    fn from(i: &InputEntry) -> Input {
        Input {
            formats: i.formats.clone(),
            path: i.path.clone(),
            quarantined: i.counts.quarantined,
            records: i.counts.records,
            run: i.run,
            sha256: i.sha256.clone(),
            size: i.size,
        }
    }
}

/// Every day of the window without sign-ins of each user event type.
fn missing_days(cx: &Context<'_>, days: &Figure<DayRow>) -> Vec<MissingDay> {
    let Some((from, to)) = cx.window else {
        return Vec::new();
    };
    let mut missing = Vec::new();
    for event_type in USER_EVENT_TYPES {
        let have: BTreeSet<&str> = days
            .rows
            .iter()
            .filter(|r| r.event_type == event_type)
            .map(|r| r.date.as_str())
            .collect();
        for d in from.iter_days().take_while(|d| *d <= to) {
            let date = d.format("%Y-%m-%d").to_string();
            if !have.contains(date.as_str()) {
                missing.push(MissingDay {
                    date,
                    event_type: event_type.to_owned(),
                });
            }
        }
    }
    missing
}

/// The figures the holes are read from besides R6's own days and the manifest.
struct Sources {
    audit_days: Figure<MissingAuditDay>,
    kinds: Figure<KindRow>,
    failures: PullFailures,
}

impl Sources {
    async fn read(cx: &Context<'_>) -> Result<Sources> {
        let audit: Figure<AuditDayRow> = figure(cx.session, holes::AUDIT_DAYS, &[]).await?;
        let missing = cx
            .window
            .map(|w| holes::days_without_audit(w, &audit.rows))
            .unwrap_or_default();
        let rows = missing
            .iter()
            .map(|d| MissingAuditDay {
                date: d.format("%Y-%m-%d").to_string(),
            })
            .collect();
        Ok(Sources {
            audit_days: Figure::whole(audit.query, rows),
            kinds: figure(cx.session, holes::EVIDENCE_KINDS, &[]).await?,
            failures: PullFailures::load_tenant(
                &Layout::new(cx.lake),
                cx.opts.tenant.as_deref(),
            )?,
        })
    }
}

/// Every hole in the evidence, in a fixed order: the sign-in evidence first.
fn find_holes(
    cx: &Context<'_>,
    days: &Figure<DayRow>,
    missing: &[MissingDay],
    manifest: &Manifest,
    src: &Sources,
) -> Vec<Hole> {
    let mut found = Vec::new();
    let user = |r: &CoverageRow| USER_EVENT_TYPES.contains(&r.event_type.as_str());
    if cx.coverage.sum(user, |r| r.sign_ins) == 0 {
        let prevents = "the lake holds no user sign-in for the window: R1–R4 would hold over \
            nothing, which proves nothing";
        found.push(Hole::no_sign_ins(prevents, &cx.coverage.query));
    }
    let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let by_type: Vec<(String, NaiveDate)> = missing
        .iter()
        .filter_map(|m| Some((m.event_type.clone(), date(&m.date)?)))
        .collect();
    found.extend(holes::sign_in_days(&by_type, &days.query));
    found.extend(holes::inputs(manifest, MANIFEST));
    found.extend(holes::pull_failures(&src.failures, cx.span()));
    let audit: Vec<NaiveDate> = src.audit_days.rows.iter().filter_map(|r| date(&r.date)).collect();
    found.extend(holes::audit_days(&audit, &src.audit_days.query));
    found.extend(holes::snapshots(cx, &src.kinds.rows, &src.kinds.query));
    found
}

/// The manifest as one tenant's report reads it: the inputs holding that tenant's records,
/// and those attributed to no tenant (nothing of theirs reached a tenant — every record
/// quarantined, say — so their holes concern every tenant). Runs, and the duplicates
/// they dropped, are the lake's.
fn of_tenant(mut manifest: Manifest, tenant: Option<&str>) -> Manifest {
    if let Some(t) = tenant {
        manifest
            .inputs
            .retain(|i| i.tenants.is_empty() || i.tenants.iter().any(|x| x == t));
    }
    manifest
}

/// Builds R6's figures; returns whether R6 holds.
pub async fn build(cx: &mut Context<'_>) -> Result<(bool, Figures)> {
    let days: Figure<DayRow> = figure(cx.session, DAYS, &[]).await?;
    let missing = missing_days(cx, &days);
    let manifest = of_tenant(
        Manifest::load(&Layout::new(cx.lake).manifest())?,
        cx.opts.tenant.as_deref(),
    );
    let quarantined = manifest.totals().quarantined;
    let sign_ins = cx.coverage.sum(|_| true, |r| r.sign_ins);
    let src = Sources::read(cx).await?;
    let holes = find_holes(cx, &days, &missing, &manifest, &src);
    let holds = sign_ins > 0 && !manifest.inputs.is_empty() && !holes.iter().any(Hole::fails_r6);
    let figures = Figures {
        claim_chaining: figure(cx.session, CHAINING, &[]).await?,
        coverage: cx.coverage.clone(),
        days_without_audit_events: src.audit_days,
        days_without_data: Figure::whole(days.query, missing),
        evidence_kinds: src.kinds,
        holes,
        manifest: ManifestFigures {
            duplicates_dropped: manifest.duplicates_dropped(),
            inputs: manifest.inputs.iter().map(Input::from).collect(),
            quarantined,
            source: MANIFEST,
        },
        settling: figure(cx.session, SETTLING, &cx.settling()).await?,
        sign_ins_per_day: figure(cx.session, PER_DAY, &[]).await?,
    };
    Ok((holds, figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str, tenants: &[&str]) -> InputEntry {
        InputEntry {
            path: path.into(),
            size: 1,
            sha256: "00".repeat(32),
            formats: vec!["graph".into()],
            tenants: tenants.iter().map(|t| (*t).to_owned()).collect(),
            run: 1,
            counts: crate::lake::manifest::Counts::default(),
            warnings: vec![],
        }
    }

    #[test]
    fn a_tenant_reads_its_inputs_and_those_of_no_tenant() {
        let manifest = Manifest {
            version: 1,
            inputs: vec![
                input("a", &["ta"]),
                input("b", &["tb"]),
                input("ab", &["ta", "tb"]),
                input("none", &[]),
            ],
            runs: vec![],
        };
        let paths = |m: Manifest| -> Vec<String> { m.inputs.into_iter().map(|i| i.path).collect() };
        assert_eq!(paths(of_tenant(manifest.clone(), Some("ta"))), ["a", "ab", "none"]);
        assert_eq!(paths(of_tenant(manifest.clone(), Some("tb"))), ["b", "ab", "none"]);
        assert_eq!(paths(of_tenant(manifest, None)).len(), 4);
    }
}
