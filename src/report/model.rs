//! The report as Rust values: `report.json` is the serialisation of `Report` (pretty,
//! with a final newline), and `report.md` and `report.html` render from it. Fields are
//! declared in key order, because `report.json`'s keys are sorted; `docs/report-schema.md`
//! documents every key (a test checks both ways).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::figures::{Count, Figure};
use super::options::Recorded;
use super::provenance::{Method, QueryText, Tool};
use super::requirements::{Figures, Requirement, r6};
use super::rows::{ProblemRow, TenantRow};

/// The version of `report.json`'s schema.
pub const REPORT_VERSION: &str = "1";

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub generated_at: String,
    pub lake: String,
    /// How the report was made: the documents it applied, where its inputs are listed.
    pub method: Method,
    /// The options of the evaluation, as `mfaproof verify` runs it again.
    pub options: Recorded,
    pub problems: Problems,
    /// Every query the figures come from, by the file path they cite.
    pub queries: BTreeMap<String, QueryText>,
    pub report_version: &'static str,
    pub requirements: Vec<Requirement>,
    pub settling_hours: u32,
    /// Sign-ins classified.
    pub sign_ins: Count,
    pub tenants: Figure<TenantRow>,
    /// The tool and commit that wrote the report.
    pub tool: Tool,
    pub verdict: Verdict,
    /// Null without sign-ins (and without `--from/--to`).
    pub window: Option<Window>,
}

/// Not compliant when a requirement that decides fails; else compliant only on complete
/// evidence (no hole, every requirement evidenced), and otherwise compliant on the
/// evidence available (`docs/evidence.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Compliant,
    CompliantOnAvailableEvidence,
    NotCompliant,
}

impl Verdict {
    /// The verdict of `requirements`, over evidence with `holes` holes.
    pub fn of(requirements: &[Requirement], holes: usize) -> Verdict {
        if requirements.iter().any(|r| r.decides && !r.holds) {
            Verdict::NotCompliant
        } else if holes > 0 || requirements.iter().any(|r| !r.evidenced) {
            Verdict::CompliantOnAvailableEvidence
        } else {
            Verdict::Compliant
        }
    }

    /// The verdict's word as `report.json` writes it.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::CompliantOnAvailableEvidence => "compliant_on_available_evidence",
            Verdict::NotCompliant => "not_compliant",
        }
    }

    /// The verdict in words, for people.
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::CompliantOnAvailableEvidence => "compliant on the evidence available",
            Verdict::NotCompliant => "not compliant",
        }
    }
}

/// The evidence window, days inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The violating and unproven sign-ins: how many, the first ones, and the file with all.
#[derive(Debug, Clone, Serialize)]
pub struct Problems {
    pub full_list: &'static str,
    pub listed: Vec<ProblemRow>,
    pub query: String,
    pub total: u64,
}

impl Report {
    /// Whether the tenant is compliant on complete evidence.
    pub fn compliant(&self) -> bool {
        self.verdict == Verdict::Compliant
    }

    /// The holes in the evidence (R6).
    pub fn holes(&self) -> &[r6::Hole] {
        self.completeness().map_or(&[], |f| f.holes.as_slice())
    }

    /// R6's figures, where the manifest is.
    pub fn completeness(&self) -> Option<&r6::Figures> {
        self.requirements.iter().find_map(|r| match &r.figures {
            Figures::R6(f) => Some(f.as_ref()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::requirements::r3;

    fn req(id: &'static str, holds: bool, decides: bool, evidenced: bool) -> Requirement {
        let location_skips = Figure::whole("q".into(), vec![]);
        let figures = r3::Figures {
            sign_ins: Count::of(0, &location_skips),
            location_skips,
        };
        Requirement {
            figures: Figures::R3(Box::new(figures)),
            holds,
            id,
            decides,
            evidenced,
            title: "t",
        }
    }

    #[test]
    fn compliant_only_on_complete_evidence() {
        let all_hold = [req("R1", true, true, true), req("R5", false, false, true)];
        assert_eq!(Verdict::of(&all_hold, 0), Verdict::Compliant);
        assert_eq!(
            Verdict::of(&all_hold, 2),
            Verdict::CompliantOnAvailableEvidence
        );
        let unevidenced = [req("R1", true, true, true), req("R7", false, false, false)];
        assert_eq!(
            Verdict::of(&unevidenced, 0),
            Verdict::CompliantOnAvailableEvidence
        );
        let fails = [req("R1", false, true, true), req("R7", false, false, false)];
        assert_eq!(Verdict::of(&fails, 3), Verdict::NotCompliant);
        assert_eq!(
            Verdict::CompliantOnAvailableEvidence.word(),
            "compliant_on_available_evidence"
        );
    }
}
