//! R7 (evidence rules §10): the policy configuration enforces MFA on everyone, with no
//! exclusion and no location exemption. Holds when at every moment of the window security
//! defaults were on or a QUALIFYING policy was in force (no gap). Also reported, from §9:
//! the configuration findings of every MFA policy version in force in the window (also
//! `policy_findings.csv`), which sign-ins escaped each policy and why, and where Entra's
//! own per-policy result disagrees with the definition. Without policy definitions (and
//! without security defaults on throughout) R7 cannot be evidenced: it is reported, and
//! the verdict does not count it.

use serde::{Deserialize, Serialize};

use super::Built;
use super::context::Context;
use crate::evidence::conditional_access::findings;
use crate::report::Result;
use crate::report::cell::table;
use crate::report::figures::{Figure, figure};
use crate::report::listing::{self, Listed};

pub const ID: &str = "R7";
pub const TITLE: &str = "the policy configuration enforces MFA on everyone, with no exclusion and no location exemption";
/// Whether the verdict depends on R7 (when it can be evidenced).
pub const DECIDES: bool = true;
const FINDINGS: &str = "r7_findings";
const GAPS: &str = "r7_gaps";
const BY_POLICY: &str = "r7_escapes_by_policy";
const ESCAPES: &str = "r7_escapes";
const DISAGREEMENTS: &str = "r7_entra_disagreements";
/// The queries of R7's figures.
pub const QUERIES: [&str; 5] = [FINDINGS, GAPS, BY_POLICY, ESCAPES, DISAGREEMENTS];
/// Every configuration finding (always written).
pub const FINDINGS_CSV: &str = "policy_findings.csv";
/// Every (sign-in, policy, reason) row.
pub const ESCAPES_CSV: &str = "why_not.csv";
/// Every disagreement with Entra's result.
pub const DISAGREEMENTS_CSV: &str = "entra_disagreements.csv";

/// R7's figures (fields in key order).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub entra_disagreements: Figure<DisagreementRow>,
    pub escapes: Figure<EscapeRow>,
    pub escapes_by_policy: Figure<EscapeByPolicyRow>,
    /// Whether policy definitions (or security defaults on throughout) let R7 be judged.
    pub evidenced: bool,
    pub findings: Figure<FindingRow>,
    pub gaps: Figure<GapRow>,
    /// Why R7 could not be evidenced (null when it could).
    pub not_evidenced_because: Option<String>,
    /// Policy and named-location definitions that could not be read (then unknown).
    pub unreadable_definitions: Vec<String>,
}

/// A row of `r7_findings.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub escaped_sign_ins: u64,
    pub finding: String,
    pub policy_id: String,
    pub policy_name: String,
    pub version_from: Option<String>,
    pub version_to: Option<String>,
}
table!(FindingRow: policy_name, policy_id, finding, version_from, version_to, escaped_sign_ins);
impl Listed for FindingRow {}

/// A row of `r7_gaps.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapRow {
    pub gap_from: String,
    pub gap_to: String,
    pub security_defaults: String,
}
table!(GapRow: gap_from, gap_to, security_defaults);

/// A row of `r7_escapes_by_policy.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscapeByPolicyRow {
    pub accounts: u64,
    pub policy_id: String,
    pub policy_name: String,
    pub reason: String,
    pub sign_ins: u64,
}
table!(EscapeByPolicyRow: policy_name, policy_id, reason, sign_ins, accounts);

/// A row of `r7_escapes.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscapeRow {
    pub class: String,
    pub created_at: String,
    pub id: String,
    pub policy_id: String,
    pub policy_name: String,
    pub reason: String,
    pub user_principal_name: String,
}
table!(EscapeRow: created_at, user_principal_name, class, policy_name, reason, id);
impl Listed for EscapeRow {}

/// A row of `r7_entra_disagreements.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisagreementRow {
    pub created_at: String,
    pub entra_result: String,
    pub id: String,
    pub policy_id: String,
    pub policy_name: String,
    pub reason: String,
    pub user_principal_name: String,
}
table!(DisagreementRow: created_at, user_principal_name, policy_name, reason, entra_result, id);
impl Listed for DisagreementRow {}

/// Builds R7's figures, writing policy_findings.csv and the long listings.
pub async fn build(cx: &mut Context<'_>) -> Result<Built<Figures>> {
    let span = cx.span();
    let window = span.unwrap_or((0, 0));
    findings::register(cx.session, &cx.regime, window, &cx.security_defaults)?;
    let findings = listed(cx, FINDINGS, FINDINGS_CSV, true).await?;
    let gaps: Figure<GapRow> = figure(cx.session, GAPS, &[]).await?;
    let escapes_by_policy = figure(cx.session, BY_POLICY, &[]).await?;
    let escapes = listed(cx, ESCAPES, ESCAPES_CSV, false).await?;
    let entra_disagreements = listed(cx, DISAGREEMENTS, DISAGREEMENTS_CSV, false).await?;
    let not_evidenced_because = match span {
        None => Some("no user sign-in and no --from/--to: there is no window to judge".into()),
        Some(_) if !cx.regime.policies_ingested && !gaps.rows.is_empty() => Some(
            "no conditional access policy definitions were ingested (policy snapshots or \
             their audit events), and security defaults were not on throughout the window"
                .into(),
        ),
        Some(_) => None,
    };
    let evidenced = not_evidenced_because.is_none();
    let holds = evidenced && gaps.rows.is_empty();
    let figures = Figures {
        entra_disagreements,
        escapes,
        escapes_by_policy,
        evidenced,
        findings,
        gaps,
        not_evidenced_because,
        unreadable_definitions: cx.regime.unreadable.clone(),
    };
    Ok(Built {
        holds,
        figures,
        evidenced,
    })
}

/// A listing of `query` into `file`; `always` keeps the file whatever the formats.
async fn listed<R: Listed>(
    cx: &mut Context<'_>,
    query: &'static str,
    file: &str,
    always: bool,
) -> Result<Figure<R>> {
    let listing = cx.listing(query, file);
    let fig = listing::stream(cx.session, &listing, |_: &mut R| false).await?;
    if always {
        cx.files.push(cx.out.join(file));
    } else {
        cx.keep_csv(&fig, file)?;
    }
    Ok(fig)
}
