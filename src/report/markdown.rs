//! `report.md`: the human-readable rendering of the report. Every table names the query
//! that produced it; every cell from the logs is escaped (names are attacker-controlled).

use std::fmt::Write;

use super::cell::{Cell, Row};
use super::escape::markdown_cell;
use super::figures::Figure;
use super::model::Report;
use super::options::Recorded;
use super::requirements::{Figures, Requirement, r1, r2, r3, r4, r5, r6, r7, r8};
use super::statement::{Block, Span};

/// Rows not shown at most in the long tables.
const LONG: usize = 200;
/// Rows shown of the regime changes and the inputs.
const CHANGES: usize = 500;

fn cell(c: Cell<'_>) -> String {
    markdown_cell(&c.text())
}

/// The rows of a table with where they come from: `total` rows in all (`rows` of them in
/// report.json), all in `file` when report.json lists only the first.
struct Rows<'a, R> {
    source: &'a str,
    rows: Vec<&'a R>,
    total: usize,
    file: Option<&'a str>,
}

impl<'a, R> Rows<'a, R> {
    fn of(fig: &'a Figure<R>) -> Rows<'a, R> {
        let (total, file) = fig.extent();
        Rows {
            source: &fig.query,
            rows: fig.rows.iter().collect(),
            total,
            file,
        }
    }

    /// Accounts R8 names: `count` in all, the first listed, all in the accounts file.
    fn named(named: &'a r8::Named, file: &'a str) -> Rows<'a, r2::AccountBrief> {
        Rows {
            source: &named.query,
            rows: named.listed.iter().collect(),
            total: usize::try_from(named.count).unwrap_or(usize::MAX),
            file: Some(file),
        }
    }

    fn listed(source: &'a str, rows: Vec<&'a R>) -> Rows<'a, R> {
        Rows {
            source,
            total: rows.len(),
            rows,
            file: None,
        }
    }
}

/// A table of `rows` with their columns, capped at `cap` rows; names its source, and
/// where the rows not shown are (the figure's CSV file when report.json lists only the
/// first, else report.json).
fn table<R: Row>(out: &mut String, title: &str, rows: &Rows<'_, R>, cap: usize) {
    let total = rows.total;
    let _ = writeln!(
        out,
        "\n**{title}** — {total} row(s), from `{}`\n",
        rows.source
    );
    if rows.rows.is_empty() {
        out.push_str("_none_\n");
        return;
    }
    let _ = writeln!(out, "| {} |", R::COLUMNS.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(R::COLUMNS.len()));
    let shown = rows.rows.len().min(cap);
    for row in &rows.rows[..shown] {
        let cells: Vec<String> = row.cells().into_iter().map(cell).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if total > shown {
        let file = match rows.file {
            Some(f) => format!("`{}`", f.replace('`', "")),
            None => "report.json".to_owned(),
        };
        let _ = writeln!(out, "\n_{} more row(s) in {file}_", total - shown);
    }
}

/// A requirement's id, title (escaped) and result.
fn summary(r: &Requirement) -> (String, String, &'static str) {
    let result = match () {
        () if !r.evidenced => "could not be evidenced",
        () if r.holds => "holds",
        () => "fails",
    };
    (markdown_cell(r.id), markdown_cell(r.title), result)
}

/// Renders the report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    headline(&mut out, report);
    for r in &report.requirements {
        let (id, title, result) = summary(r);
        let _ = writeln!(out, "\n## {id} — {title}: {result}");
        match &r.figures {
            Figures::R1(f) => requirement_1(&mut out, f),
            Figures::R2(f) => requirement_2(&mut out, f),
            Figures::R3(f) => requirement_3(&mut out, f),
            Figures::R4(f) => requirement_4(&mut out, f),
            Figures::R5(f) => requirement_5(&mut out, f),
            Figures::R6(f) => requirement_6(&mut out, f),
            Figures::R7(f) => requirement_7(&mut out, f),
            Figures::R8(f) => requirement_8(&mut out, f),
        }
    }
    let p = &report.problems;
    let _ = writeln!(
        out,
        "\n## Violating and unproven sign-ins\n\n{} in total; all are in `{}`.",
        p.total,
        markdown_cell(p.full_list)
    );
    let listed = Rows::listed(&p.query, p.listed.iter().collect());
    table(
        &mut out,
        "First violating or unproven sign-ins",
        &listed,
        usize::MAX,
    );
    method(&mut out, report);
    queries(&mut out, report);
    out
}

/// The method statement, the documents it was made under, the glossary and the options.
fn method(out: &mut String, report: &Report) {
    let m = &report.method;
    out.push_str("\n## How this report was made\n");
    for block in &m.statement_blocks {
        statement_block(out, block);
    }
    let _ = writeln!(out, "\n### Made by, and under\n");
    let t = &report.tool;
    let _ = writeln!(
        out,
        "- Tool: {} {}, commit {}",
        markdown_cell(&t.name),
        markdown_cell(&t.version),
        markdown_cell(&t.commit)
    );
    for (what, d) in [
        ("Evidence rules (their version is this SHA-256)", &m.rules),
        ("Choices where the rules are silent", &m.choices),
        ("This method statement", &m.statement),
        ("The glossary", &m.glossary),
    ] {
        let _ = writeln!(out, "- {what}: `{}`, SHA-256 `{}`", d.file, d.sha256);
    }
    for d in &m.vocabulary {
        let _ = writeln!(out, "- Vocabulary `{}`, SHA-256 `{}`", d.file, d.sha256);
    }
    let _ = writeln!(
        out,
        "- Inputs: listed with their SHA-256 under R6 (`report.json` at `{}`)",
        m.inputs
    );
    options(out, &report.options);
    let entries = Rows::listed(&m.glossary.file, m.glossary_entries.iter().collect());
    out.push_str("\n## Glossary\n");
    table(out, "Words of the report", &entries, usize::MAX);
}

/// A block of the method statement (its headings one level under the section's).
fn statement_block(out: &mut String, block: &Block) {
    let line = |spans: &[Span]| -> String {
        spans
            .iter()
            .map(|s| {
                if s.code {
                    format!("`{}`", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    };
    out.push('\n');
    for item in &block.items {
        let text = line(item);
        let _ = match (block.heading, block.list) {
            (true, _) => writeln!(out, "### {text}"),
            (false, true) => writeln!(out, "- {text}"),
            (false, false) => writeln!(out, "{text}"),
        };
    }
}

/// The options of the evaluation, as `mfaproof verify` runs it again.
fn options(out: &mut String, o: &Recorded) {
    let _ = writeln!(out, "\n### Options of this evaluation\n");
    for (name, value) in o.shown() {
        let name = if name.starts_with("--") {
            format!("`{name}`")
        } else {
            name.to_owned()
        };
        let _ = writeln!(out, "- {name}: {}", markdown_cell(&value));
    }
}

/// The text and SHA-256 of every query the figures come from.
fn queries(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "\n## Queries\n\nThe {} queries the figures above come from, with their SHA-256.",
        report.queries.len()
    );
    for (file, q) in &report.queries {
        // A fence longer than any run of backticks in the text.
        let run = q.text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(run.max(2) + 1);
        let _ = writeln!(
            out,
            "\n### `{file}`\n\nSHA-256 `{}`\n\n{fence}sql\n{}\n{fence}",
            q.sha256,
            q.text.trim_end()
        );
    }
}

/// The verdict, window, counts and the table of requirements.
fn headline(out: &mut String, report: &Report) {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let _ = writeln!(out, "# MFA evidence report\n");
    let _ = writeln!(out, "- Verdict: **{}**", report.verdict.text());
    let holes = report.holes();
    if !holes.is_empty() {
        let fail = holes.iter().filter(|h| h.fails_r6()).count();
        let _ = writeln!(
            out,
            "- Holes in the evidence: {} ({fail} of them make R6 fail), listed under R6",
            holes.len()
        );
    }
    let _ = writeln!(
        out,
        "- Evidence window: {} to {}",
        day(report.window.map(|w| w.from)),
        day(report.window.map(|w| w.to))
    );
    let _ = writeln!(out, "- Sign-ins: {}", report.sign_ins.count);
    let _ = writeln!(
        out,
        "- Generated: {} from lake `{}`",
        markdown_cell(&report.generated_at),
        markdown_cell(&report.lake)
    );
    let t = &report.tool;
    let _ = writeln!(
        out,
        "- Made by: {} {} (commit {}) under the evidence rules of SHA-256 `{}`; see [How this report was made](#how-this-report-was-made)",
        markdown_cell(&t.name),
        markdown_cell(&t.version),
        markdown_cell(&t.commit),
        report.method.rules.sha256
    );
    let _ = writeln!(
        out,
        "- Report schema version: {}\n",
        markdown_cell(report.report_version)
    );
    out.push_str("| requirement | | result |\n|---|---|---|\n");
    for r in &report.requirements {
        let (id, title, result) = summary(r);
        let _ = writeln!(out, "| {id} | {title} | {result} |");
    }
}

fn requirement_1(out: &mut String, f: &r1::Figures) {
    let _ = writeln!(
        out,
        "\nViolating or unproven user sign-ins: {}",
        f.violating_or_unproven_user_sign_ins.count
    );
    let title = "Sign-ins by event type, user type, class and verdict";
    table(out, title, &Rows::of(&f.sign_ins_by_class), usize::MAX);
    let title = "User sign-ins per application (those the partner requirements name first)";
    table(out, title, &Rows::of(&f.by_application), LONG);
}

fn requirement_2(out: &mut String, f: &r2::Figures) {
    let _ = writeln!(
        out,
        "\nProblems of emergency-access and technical accounts: {}",
        f.special_account_problems.count
    );
    let accounts = &f.accounts;
    let special = accounts
        .rows
        .iter()
        .filter(|r| r.special.is_some())
        .collect();
    let special = Rows::listed(&accounts.query, special);
    let title = "Emergency-access and technical accounts";
    table(out, title, &special, usize::MAX);
    let unseen = f.emergency_accounts_without_sign_ins.len();
    if unseen > 0 {
        let _ = writeln!(
            out,
            "\nConfigured emergency-access accounts without sign-ins in the window: {unseen}"
        );
    }
    table(out, "Every account", &Rows::of(accounts), LONG);
}

fn requirement_3(out: &mut String, f: &r3::Figures) {
    table(out, "Location skips", &Rows::of(&f.location_skips), LONG);
}

fn requirement_4(out: &mut String, f: &r4::Figures) {
    let _ = writeln!(
        out,
        "\napp_password: {} · legacy_single_factor: {} · legacy_unverified: {}",
        f.app_password.count, f.legacy_single_factor.count, f.legacy_unverified.count
    );
    let title = "Legacy and app-password sign-ins";
    table(out, title, &Rows::of(&f.legacy), usize::MAX);
}

fn requirement_5(out: &mut String, f: &r5::Figures) {
    if let Some(start) = &f.regime_at_window_start {
        let title = "Security defaults at the window start";
        table(out, title, &Rows::of(start), 1);
    }
    let title = "Regime changes in the window";
    table(out, title, &Rows::of(&f.changes), CHANGES);
}

fn requirement_7(out: &mut String, f: &r7::Figures) {
    if let Some(why) = &f.not_evidenced_because {
        let _ = writeln!(out, "\nNot evidenced: {}.", markdown_cell(why));
    }
    table(
        out,
        "Without security defaults or a qualifying policy",
        &Rows::of(&f.gaps),
        LONG,
    );
    table(out, "Configuration findings", &Rows::of(&f.findings), LONG);
    let title = "Sign-ins that escaped each policy, by reason";
    table(out, title, &Rows::of(&f.escapes_by_policy), LONG);
    table(
        out,
        "Why no policy asked for MFA",
        &Rows::of(&f.escapes),
        LONG,
    );
    let title = "Where Entra's own result disagrees with the definition";
    table(out, title, &Rows::of(&f.entra_disagreements), LONG);
    for u in &f.unreadable_definitions {
        let _ = writeln!(out, "\n- unreadable definition: {}", markdown_cell(u));
    }
}

fn requirement_8(out: &mut String, f: &r8::Figures) {
    if let Some(why) = &f.not_evidenced_because {
        let _ = writeln!(out, "\nNot evidenced: {}.", markdown_cell(why));
    }
    let at = f.covered_at.as_deref().unwrap_or("");
    let sd = f.security_defaults_at_end.as_deref().unwrap_or("");
    let _ = writeln!(
        out,
        "\nAccounts: {} · covered yes: {} · no: {} · unknown: {} (judged at {}, security \
         defaults {}; every account is in `{}`)",
        f.accounts.count,
        f.covered_yes.count,
        f.covered_no.count,
        f.covered_unknown.count,
        markdown_cell(at),
        markdown_cell(sd),
        markdown_cell(f.accounts_file)
    );
    let file = f.accounts_file;
    let title = "Accounts not covered";
    table(
        out,
        title,
        &Rows::<r2::AccountBrief>::named(&f.not_covered, file),
        LONG,
    );
    let title = "Emergency-access accounts and their registered methods";
    let emergency = Rows::<r2::AccountBrief>::named(&f.emergency_accounts, file);
    table(out, title, &emergency, LONG);
    let title = "Accounts with no MFA method registered";
    let without = Rows::<r2::AccountBrief>::named(&f.without_mfa_method, file);
    table(out, title, &without, LONG);
}

fn requirement_6(out: &mut String, f: &r6::Figures) {
    let holes = Rows::listed(r6::HOLE_SOURCES, f.holes.iter().collect());
    let title = "Holes in the evidence, and what each prevents proving";
    table(out, title, &holes, CHANGES);
    table(
        out,
        "Coverage per event type",
        &Rows::of(&f.coverage),
        usize::MAX,
    );
    let title = "Days without user sign-ins";
    table(out, title, &Rows::of(&f.days_without_data), LONG);
    let title = "Provisional sign-ins (settling window)";
    table(out, title, &Rows::of(&f.settling), usize::MAX);
    let title = "Claims chaining to an MFA origin inside the window";
    table(out, title, &Rows::of(&f.claim_chaining), usize::MAX);
    let m = &f.manifest;
    let _ = writeln!(
        out,
        "\nFrom `manifest.json`: duplicates dropped {}, records quarantined {}.",
        m.duplicates_dropped, m.quarantined
    );
    let inputs = Rows::listed(m.source, m.inputs.iter().collect());
    table(out, "Inputs", &inputs, CHANGES);
}
