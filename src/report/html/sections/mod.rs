//! The sections of the HTML report, R1–R8, each built from its requirement's figures:
//! facts, charts and tables, every one naming its query, and capped so the page stays
//! small however large the tenant. `sign_ins.rs` builds R1–R4, `regime_coverage.rs` R5
//! and R6, `policies.rs` R7, `accounts.rs` R8, from the parts in `section.rs`.

mod accounts;
mod policies;
mod regime_coverage;
mod section;
mod sign_ins;

pub use self::section::{ACCOUNTS_CAP, CHANGES_CAP, INPUTS_CAP, Section};
use crate::report::model::Report;
use crate::report::requirements::Figures;

/// Builds R1–R8 from the report's requirements.
pub fn build(report: &Report) -> Vec<Section> {
    let window = report.window.map(|w| (w.from, w.to));
    report
        .requirements
        .iter()
        .map(|r| {
            let mut section = Section {
                id: r.id.to_lowercase(),
                code: r.id.to_owned(),
                title: r.title.to_owned(),
                holds: r.holds,
                decides: r.decides,
                evidenced: r.evidenced,
                facts: Vec::new(),
                charts: Vec::new(),
                tables: Vec::new(),
                notes: Vec::new(),
            };
            match &r.figures {
                Figures::R1(f) => sign_ins::r1(&mut section, f),
                Figures::R2(f) => sign_ins::r2(&mut section, f),
                Figures::R3(f) => sign_ins::r3(&mut section, f),
                Figures::R4(f) => sign_ins::r4(&mut section, f),
                Figures::R5(f) => regime_coverage::r5(&mut section, f, window),
                Figures::R6(f) => regime_coverage::r6(&mut section, f, window),
                Figures::R7(f) => policies::r7(&mut section, f),
                Figures::R8(f) => accounts::r8(&mut section, f),
            }
            section
        })
        .collect()
}
