//! R8's section: every account covered at the end of the window — the counts, the
//! accounts not covered (with the policies and reasons), the emergency-access accounts
//! with their registered methods, and the accounts with no MFA method registered.

use super::section::{ACCOUNTS_CAP, Section, count_fact, fact};
use crate::report::html::table::{Table, grouped};
use crate::report::requirements::r2::AccountBrief;
use crate::report::requirements::r8;

/// A table of the accounts R8 names: the first listed, all in the accounts file.
fn named(caption: &str, n: &r8::Named, file: &str) -> Table {
    let rows: Vec<&AccountBrief> = n.listed.iter().collect();
    let total = usize::try_from(n.count).unwrap_or(usize::MAX);
    Table::new(caption, &n.query, &rows, ACCOUNTS_CAP, "report.json")
        .of_total(total, file)
        .filterable()
}

pub(super) fn r8(sec: &mut Section, f: &r8::Figures) {
    if let Some(why) = &f.not_evidenced_because {
        sec.notes.push(format!("Not evidenced: {why}."));
    }
    let file = f.accounts_file;
    sec.facts.push(count_fact("Accounts", &f.accounts));
    sec.facts.push(fact(
        "Judged at (the end of the window)",
        f.covered_at.clone().unwrap_or_else(|| "no window".into()),
        &f.accounts.query,
    ));
    sec.facts.push(fact(
        "Security defaults then",
        f.security_defaults_at_end
            .clone()
            .unwrap_or_else(|| "unknown".into()),
        "queries/security_defaults_timeline.sql",
    ));
    let covered = format!(
        "yes {} · no {} · unknown {}",
        grouped(f.covered_yes.count),
        grouped(f.covered_no.count),
        grouped(f.covered_unknown.count)
    );
    sec.facts.push(fact("Covered", covered, &f.accounts.query));
    sec.notes.push(format!(
        "Every account, with its status, covered and why, is in {file} (and under R2)."
    ));
    sec.tables.push(named(
        "Accounts not covered (the policies and why they do not reach them)",
        &f.not_covered,
        file,
    ));
    sec.tables.push(named(
        "Emergency-access accounts and their registered methods",
        &f.emergency_accounts,
        file,
    ));
    sec.tables.push(named(
        "Accounts with no MFA method registered",
        &f.without_mfa_method,
        file,
    ));
}
