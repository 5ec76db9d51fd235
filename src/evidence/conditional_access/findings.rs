//! §10 over a window: the configuration findings of every MFA POLICY version in force at
//! any moment of it, and R7's gaps — the stretches where neither security defaults nor a
//! QUALIFYING policy was in force. Both become tables (`ca_policy_findings`, `ca_r7_gaps`)
//! that the report's queries read.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use super::Regime;
use super::versions::{At, Version};
use crate::evidence::Result;
use crate::evidence::timeline::{Observation, state_at};
use crate::policy::Policy;
use crate::schema::columns::timestamp_type;

/// One finding of one policy version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    pub policy_id: String,
    pub policy_name: String,
    /// When the version came into force (`None`: as far back as the logs show).
    pub version_from: Option<i64>,
    /// When it stopped (`None`: still in force at the end of the evidence).
    pub version_to: Option<i64>,
    pub finding: &'static str,
}

/// One version of one policy and when it was in force.
struct Run {
    shown: String,
    version: Arc<Version<Policy>>,
    from: Option<i64>,
    to: Option<i64>,
}

/// A stretch of the window without security defaults on and without a QUALIFYING policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub from: i64,
    pub to: i64,
    /// Security defaults' state in it (off or unknown).
    pub security_defaults: &'static str,
}

impl Regime {
    /// The findings of every MFA POLICY version in force at some moment of [from, to).
    pub fn findings(&self, from: i64, to: i64) -> Vec<FindingRow> {
        let mut rows: Vec<FindingRow> = Vec::new();
        for run in self.versions() {
            let overlaps = run.from.is_none_or(|s| s < to) && run.to.is_none_or(|e| e > from);
            if !overlaps {
                continue;
            }
            rows.extend(run.version.def.findings().into_iter().map(|f| FindingRow {
                policy_id: run.shown.clone(),
                policy_name: run.version.def.display_name.clone(),
                version_from: run.from,
                version_to: run.to,
                finding: f.as_str(),
            }));
        }
        rows.sort_by(|a, b| {
            (&a.policy_id, a.version_from, a.finding).cmp(&(
                &b.policy_id,
                b.version_from,
                b.finding,
            ))
        });
        rows
    }

    /// Every MFA POLICY version: a run of segments where one id keeps one definition.
    fn versions(&self) -> Vec<Run> {
        let segs = &self.policies;
        let mut runs: BTreeMap<&str, Vec<Run>> = BTreeMap::new();
        for i in 0..segs.len() {
            let (from, to) = segs.span(i);
            for item in segs.state(i) {
                let At::Known(v) = &item.at else { continue };
                if !v.def.is_mfa_policy() {
                    continue;
                }
                let list = runs.entry(item.key.as_str()).or_default();
                match list.last_mut() {
                    Some(r) if r.version.canon == v.canon && r.to == from => r.to = to,
                    _ => list.push(Run {
                        shown: item.shown.clone(),
                        version: v.clone(),
                        from,
                        to,
                    }),
                }
            }
        }
        runs.into_values().flatten().collect()
    }

    /// Whether a QUALIFYING policy is in force at `t`.
    fn qualifying_at(&self, t: i64) -> bool {
        self.mfa_policies_at(t).any(|(_, p)| p.qualifies())
    }

    /// R7's gaps in [from, to), with security defaults from `tenant` (sorted by time).
    pub fn r7_gaps(&self, from: i64, to: i64, tenant: &[Observation]) -> Vec<Gap> {
        let mut cuts: Vec<i64> = (0..self.policies.len())
            .filter_map(|i| self.policies.span(i).0)
            .chain(tenant.iter().map(|o| o.at))
            .filter(|t| *t > from && *t < to)
            .collect();
        cuts.push(from);
        cuts.push(to);
        cuts.sort_unstable();
        cuts.dedup();
        let mut gaps: Vec<Gap> = Vec::new();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let sd = state_at(&[tenant], a).state;
            if sd == "on" || self.qualifying_at(a) {
                continue;
            }
            let sd = if sd == "off" { "off" } else { "unknown" };
            match gaps.last_mut() {
                Some(g) if g.to == a && g.security_defaults == sd => g.to = b,
                _ => gaps.push(Gap {
                    from: a,
                    to: b,
                    security_defaults: sd,
                }),
            }
        }
        gaps
    }
}

fn times(values: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(
        values
            .collect::<TimestampMicrosecondArray>()
            .with_timezone("UTC"),
    )
}

fn texts<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

/// Registers `ca_policy_findings` and `ca_r7_gaps` for the window [from, to).
pub fn register(
    ctx: &SessionContext,
    regime: &Regime,
    window: (i64, i64),
    tenant: &[Observation],
) -> Result<()> {
    let rows = regime.findings(window.0, window.1);
    let schema = Arc::new(Schema::new(vec![
        Field::new("policy_id", DataType::Utf8, false),
        Field::new("policy_name", DataType::Utf8, false),
        Field::new("version_from", timestamp_type(), true),
        Field::new("version_to", timestamp_type(), true),
        Field::new("finding", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            texts(rows.iter().map(|r| Some(r.policy_id.as_str()))),
            texts(rows.iter().map(|r| Some(r.policy_name.as_str()))),
            times(rows.iter().map(|r| r.version_from)),
            times(rows.iter().map(|r| r.version_to)),
            texts(rows.iter().map(|r| Some(r.finding))),
        ],
    )?;
    replace(ctx, "ca_policy_findings", schema, batch)?;
    let gaps = regime.r7_gaps(window.0, window.1, tenant);
    let schema = Arc::new(Schema::new(vec![
        Field::new("gap_from", timestamp_type(), false),
        Field::new("gap_to", timestamp_type(), false),
        Field::new("security_defaults", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            times(gaps.iter().map(|g| Some(g.from))),
            times(gaps.iter().map(|g| Some(g.to))),
            texts(gaps.iter().map(|g| Some(g.security_defaults))),
        ],
    )?;
    replace(ctx, "ca_r7_gaps", schema, batch)
}

fn replace(
    ctx: &SessionContext,
    name: &str,
    schema: Arc<Schema>,
    batch: RecordBatch,
) -> Result<()> {
    ctx.deregister_table(name)?;
    ctx.register_table(
        name,
        Arc::new(MemTable::try_new(schema, vec![vec![batch]])?),
    )?;
    Ok(())
}
