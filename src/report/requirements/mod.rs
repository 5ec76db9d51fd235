//! The requirements of the report (evidence rules §7), one module each: its id, title,
//! queries, rows and figures, and how its figures are built and decide whether it holds.
//! They are registered in one list (`requirements!` below), in report order: a new
//! requirement is a new module and a line there (the compiler then asks each renderer
//! for its section).

pub mod accounts;
pub mod context;
pub mod holes;

use serde::Serialize;

use self::context::Context;
use crate::report::Result;

/// One requirement of `report.json` (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub figures: Figures,
    pub holds: bool,
    pub id: &'static str,
    /// Whether the verdict depends on it (R5 is reported only; a requirement that could
    /// not be evidenced does not decide).
    #[serde(skip)]
    pub decides: bool,
    /// Whether the evidence could decide it at all (else the verdict is at best
    /// compliant on the evidence available).
    #[serde(skip)]
    pub evidenced: bool,
    pub title: &'static str,
}

/// What a requirement's `build` returns: whether it holds, its figures, and whether the
/// evidence could decide it at all (a requirement that could not be evidenced is reported
/// but does not decide the verdict). A `(holds, figures)` pair is evidenced.
#[derive(Debug)]
pub struct Built<F> {
    pub holds: bool,
    pub figures: F,
    pub evidenced: bool,
}

impl<F> From<(bool, F)> for Built<F> {
    fn from((holds, figures): (bool, F)) -> Built<F> {
        Built {
            holds,
            figures,
            evidenced: true,
        }
    }
}

/// Declares the requirement modules, `Figures` (one variant per module) and `build`,
/// which builds them in the order listed.
macro_rules! requirements {
    ($($module:ident => $variant:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// The figures of one requirement, as its module defines them (boxed: they
        /// differ much in size).
        #[derive(Debug, Clone, Serialize)]
        #[serde(untagged)]
        pub enum Figures {
            $($variant(Box<$module::Figures>),)+
        }

        /// Builds every requirement, in report order.
        pub async fn build(cx: &mut Context<'_>) -> Result<Vec<Requirement>> {
            Ok(vec![$({
                let built: Built<$module::Figures> = $module::build(cx).await?.into();
                Requirement {
                    figures: Figures::$variant(Box::new(built.figures)),
                    holds: built.holds,
                    id: $module::ID,
                    decides: $module::DECIDES && built.evidenced,
                    evidenced: built.evidenced,
                    title: $module::TITLE,
                }
            }),+])
        }

        /// Every requirement's id and the queries of its figures.
        pub const QUERIES: &[(&str, &[&str])] = &[$(($module::ID, &$module::QUERIES)),+];
    };
}

requirements!(r1 => R1, r2 => R2, r3 => R3, r4 => R4, r5 => R5, r6 => R6, r7 => R7, r8 => R8);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::queries;
    use crate::report::read::fields;
    use crate::report::rows::{ClassRow, CoverageRow, ProblemRow, TenantRow};

    /// Each row struct reads exactly the columns its query writes (the columns the
    /// report adds, such as R2's `special`, are not read).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_row_struct_has_its_query_columns() {
        let lake = tempfile::tempdir().unwrap();
        let ctx = crate::evidence::open(lake.path(), None, None)
            .await
            .unwrap();
        let regime = crate::evidence::conditional_access::Regime::load(&ctx)
            .await
            .unwrap();
        crate::evidence::conditional_access::findings::register(&ctx, &regime, (0, 0), &[])
            .unwrap();
        let params = [
            ("settling_hours", "24".to_owned()),
            ("window_start", queries::literal("2026-11-01T00:00:00")),
            ("covered_at", queries::literal("2026-11-03T00:00:00")),
        ];
        let rows = [
            ("r1_sign_ins_by_class", fields::<ClassRow>()),
            ("r1_mfa_methods", fields::<r1::MethodRow>()),
            ("r1_by_application", fields::<r1::ApplicationRow>()),
            ("r1_problems", fields::<ProblemRow>()),
            ("accounts", fields::<accounts::AccountRow>()),
            ("r3_location_skips", fields::<r3::LocationSkipRow>()),
            ("r4_legacy", fields::<r4::LegacyRow>()),
            ("r5_regime_at_start", fields::<r5::RegimeAtStart>()),
            ("regime_changes", fields::<r5::ChangeRow>()),
            ("r6_coverage", fields::<CoverageRow>()),
            ("r6_days", fields::<r6::DayRow>()),
            ("r6_settling", fields::<r6::SettlingRow>()),
            ("r6_claim_chaining", fields::<r6::ChainingRow>()),
            ("r6_days_by_verdict", fields::<r6::DayVerdictRow>()),
            ("r6_audit_days", fields::<holes::AuditDayRow>()),
            ("r6_evidence_kinds", fields::<holes::KindRow>()),
            ("report_tenants", fields::<TenantRow>()),
            ("r7_findings", fields::<r7::FindingRow>()),
            ("r7_gaps", fields::<r7::GapRow>()),
            ("r7_escapes_by_policy", fields::<r7::EscapeByPolicyRow>()),
            ("r7_escapes", fields::<r7::EscapeRow>()),
            ("r7_entra_disagreements", fields::<r7::DisagreementRow>()),
        ];
        for (name, read) in rows {
            let df = queries::plan(&ctx, name, &params).await.unwrap();
            let mut columns: Vec<&str> = df
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            let mut read = read.to_vec();
            columns.sort_unstable();
            read.sort_unstable();
            assert_eq!(columns, read, "{name}");
        }
    }
}
