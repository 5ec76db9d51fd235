//! R7's section: the gaps without security defaults or a qualifying policy, the
//! configuration findings, the sign-ins that escaped each policy and why, and where
//! Entra's own result disagrees with the definition.

use super::section::{ROWS_CAP, Section, fact};
use crate::report::html::table::{Table, grouped};
use crate::report::requirements::r7;

pub(super) fn r7(sec: &mut Section, f: &r7::Figures) {
    if let Some(why) = &f.not_evidenced_because {
        sec.notes.push(format!("Not evidenced: {why}."));
    }
    sec.facts.push(fact(
        "Stretches without security defaults or a qualifying policy",
        grouped(f.gaps.rows.len() as u64),
        &f.gaps.query,
    ));
    let escaped: u64 = f.escapes_by_policy.rows.iter().map(|r| r.sign_ins).sum();
    sec.facts.push(fact(
        "Why-not rows (sign-in × policy)",
        grouped(escaped),
        &f.escapes_by_policy.query,
    ));
    sec.tables.extend([
        Table::of_figure(
            "Without security defaults or a qualifying policy",
            &f.gaps,
            ROWS_CAP,
        ),
        Table::of_figure("Configuration findings", &f.findings, ROWS_CAP),
        Table::of_figure(
            "Sign-ins that escaped each policy, by reason",
            &f.escapes_by_policy,
            ROWS_CAP,
        ),
        Table::of_figure("Why no policy asked for MFA", &f.escapes, ROWS_CAP),
        Table::of_figure(
            "Where Entra's own result disagrees with the definition",
            &f.entra_disagreements,
            ROWS_CAP,
        ),
    ]);
    for u in &f.unreadable_definitions {
        sec.notes.push(format!("Unreadable definition: {u}"));
    }
}
