//! The registry of every SQL file under `queries/`: embedded with `include_str!`, looked up
//! by name, run with the file named in any error. The one place a query is registered.

use arrow::array::RecordBatch;
use datafusion::prelude::{DataFrame, SessionContext};

use crate::evidence::{Error, Result};

/// One embedded query file.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub name: &'static str,
    pub sql: &'static str,
}

impl Query {
    /// The path of the file in the repository, as reports cite it.
    pub fn file(&self) -> String {
        format!("queries/{}.sql", self.name)
    }
}

macro_rules! queries {
    (foundations: $($foundation:literal),* ; figures: $($name:literal),* $(,)?) => {
        /// The queries every session runs before any figure: the state timelines
        /// (`state_udf`), the conditional access observations and memberships
        /// (`conditional_access`) and the views `sign_in_evidence`, `session_origin` and
        /// `why_not`. Every figure rests on them.
        pub const FOUNDATIONS: &[&str] = &[$($foundation),*];

        /// Every query file, by name (file stem).
        pub const ALL: &[Query] = &[
            $(Query { name: $foundation, sql: include_str!(concat!("../../queries/", $foundation, ".sql")) },)*
            $(Query { name: $name, sql: include_str!(concat!("../../queries/", $name, ".sql")) },)*
        ];
    };
}

queries!(
    foundations:
    "per_user_mfa_changes",
    "per_user_mfa_timeline",
    "security_defaults_changes",
    "security_defaults_timeline",
    "ca_changes",
    "ca_snapshots",
    "directory_membership",
    "classification",
    "session_origin",
    "why_not";
    figures:
    "why_not_export",
    "classify_export",
    "regime_changes",
    "r5_regime_at_start",
    "r1_sign_ins_by_class",
    "r1_problems",
    "accounts",
    "r3_location_skips",
    "r4_legacy",
    "r6_coverage",
    "r6_days",
    "r6_settling",
    "r6_claim_chaining",
    "r1_mfa_methods",
    "r1_by_application",
    "r6_days_by_verdict",
    "r6_audit_days",
    "r6_evidence_kinds",
    "report_tenants",
    "r7_findings",
    "r7_gaps",
    "r7_escapes_by_policy",
    "r7_escapes",
    "r7_entra_disagreements",
);

/// The query named `name`.
pub fn get(name: &str) -> Result<&'static Query> {
    ALL.iter()
        .find(|q| q.name == name)
        .ok_or_else(|| Error::Internal(format!("no query named {name}")))
}

/// Plans query `name` with `{placeholders}` replaced by SQL literals from `params`.
pub async fn plan(
    ctx: &SessionContext,
    name: &str,
    params: &[(&str, String)],
) -> Result<DataFrame> {
    let query = get(name)?;
    let mut sql = query.sql.to_owned();
    for (key, literal) in params {
        sql = sql.replace(&format!("{{{key}}}"), literal);
    }
    ctx.sql(&sql).await.map_err(|source| Error::Query {
        name: query.file(),
        source,
    })
}

/// Runs query `name` (no parameters) and collects its result.
pub async fn run(ctx: &SessionContext, name: &str) -> Result<Vec<RecordBatch>> {
    collect(name, plan(ctx, name, &[]).await?).await
}

/// Collects a planned query, naming its file on failure.
pub async fn collect(name: &str, df: DataFrame) -> Result<Vec<RecordBatch>> {
    df.collect().await.map_err(|source| Error::Query {
        name: format!("queries/{name}.sql"),
        source,
    })
}

/// A SQL string literal (single quotes doubled).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_queries_is_registered_and_has_its_header() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let mut registered: Vec<String> = ALL.iter().map(|q| format!("{}.sql", q.name)).collect();
        registered.sort();
        assert_eq!(files, registered);
        for q in ALL {
            assert!(q.sql.starts_with("-- What it computes:"), "{}", q.name);
            assert!(q.sql.contains("-- Why it matters:"), "{}", q.name);
            assert!(q.sql.contains("-- Output columns:"), "{}", q.name);
        }
    }
}
