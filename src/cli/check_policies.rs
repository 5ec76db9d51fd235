//! `mfaproof check-policies`: the §10 configuration findings of a planned conditional
//! access policy set and whether it meets R7, without a lake (every policy as given, in
//! force at every moment, state as given).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use super::exit::usage;
use super::output;
use crate::policy::{self, Finding, NamedLocation, Policy};
use crate::report::escape::csv_cell;

mod explain;

/// Status of a policy set that does not meet R7.
const R7_NOT_MET: u8 = 1;

/// Output formats of `mfaproof check-policies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Table,
    Csv,
    Json,
}

/// Arguments of `mfaproof check-policies`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 the set meets R7 (some enabled MFA policy covers every user and every application with no exclusion and no condition but sign-in risk); 1 it does not; 2 usage error or unreadable input (the message names the file and where it does not parse). Output closed early by its reader (| head) ends quietly with 0."
)]
pub struct CheckPoliciesArgs {
    /// Policy files: one Graph conditionalAccessPolicy object, a JSON array of them, a
    /// Graph policies page ({"value":[…]}) or one object a line. A policy without an id
    /// (a create body) is named after its file.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The named locations the policies name (a Graph namedLocations page or the same
    /// shapes): shown beside the location conditions.
    #[arg(long)]
    pub named_locations: Option<PathBuf>,
    /// Output: a table with the verdict and why each finding breaks the requirement, the
    /// findings CSV alone, or one JSON object (docs/conditional-access.md).
    #[arg(long, value_enum, default_value = "table")]
    pub format: CheckFormat,
}

/// One policy of the set and the file it came from.
pub struct Checked {
    pub file: String,
    pub policy: Policy,
    pub findings: Vec<Finding>,
}

/// Runs `mfaproof check-policies`.
pub fn run(args: CheckPoliciesArgs) -> anyhow::Result<ExitCode> {
    let mut set = Vec::new();
    for file in &args.files {
        let name = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let text = read(file)?;
        let policies = policy::planned_policies(&text, &name)
            .map_err(|e| usage(format!("{}: {e}", file.display())))?;
        set.extend(policies.into_iter().map(|policy| Checked {
            file: file.display().to_string(),
            findings: if policy.is_mfa_policy() {
                policy.findings()
            } else {
                Vec::new()
            },
            policy,
        }));
    }
    let locations = match &args.named_locations {
        Some(file) => policy::locations_from_body(&read(file)?)
            .map_err(|e| usage(format!("{}: {e}", file.display())))?,
        None => Vec::new(),
    };
    let holds = set.iter().any(|c| c.policy.qualifies());
    let mut out = std::io::BufWriter::new(output::stdout());
    match args.format {
        CheckFormat::Csv => write_csv(&mut out, &set)?,
        CheckFormat::Json => write_json(&mut out, &set, &locations, holds)?,
        CheckFormat::Table => explain::write_table(&mut out, &set, &locations, holds)?,
    }
    out.flush()?;
    Ok(if holds {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(R7_NOT_MET)
    })
}

fn read(file: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).map_err(|e| usage(format!("{}: {e}", file.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        usage(format!(
            "{}: not UTF-8 text (byte {})",
            file.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// `policy_id,policy_name,finding`: one row per finding of each MFA POLICY, in the set's
/// order and the findings' fixed order; cells a spreadsheet would run as a formula are
/// neutralised as in the report's CSV files.
fn write_csv(out: &mut impl Write, set: &[Checked]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["policy_id", "policy_name", "finding"])?;
    for checked in set {
        for finding in &checked.findings {
            let p = &checked.policy;
            writer.write_record([
                csv_cell(&p.id),
                csv_cell(&p.display_name),
                finding.as_str().into(),
            ])?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// The JSON output (documented in docs/conditional-access.md).
#[derive(Serialize)]
struct JsonOut<'a> {
    r7: JsonR7<'a>,
    policies: Vec<JsonPolicy<'a>>,
    named_locations: Vec<JsonLocation<'a>>,
}

#[derive(Serialize)]
struct JsonR7<'a> {
    holds: bool,
    qualifying: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonPolicy<'a> {
    file: &'a str,
    policy_id: &'a str,
    policy_name: &'a str,
    state: &'a str,
    mfa_policy: bool,
    risk_policy: bool,
    qualifies: bool,
    findings: Vec<&'static str>,
    other_conditions: &'a [String],
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    id: &'a str,
    name: &'a str,
    trusted: bool,
}

fn write_json(
    out: &mut impl Write,
    set: &[Checked],
    locations: &[NamedLocation],
    holds: bool,
) -> anyhow::Result<()> {
    let doc = JsonOut {
        r7: JsonR7 {
            holds,
            qualifying: set
                .iter()
                .filter(|c| c.policy.qualifies())
                .map(|c| c.policy.id.as_str())
                .collect(),
        },
        policies: set
            .iter()
            .map(|c| JsonPolicy {
                file: &c.file,
                policy_id: &c.policy.id,
                policy_name: &c.policy.display_name,
                state: c.policy.state.as_str(),
                mfa_policy: c.policy.is_mfa_policy(),
                risk_policy: c.policy.is_risk_policy(),
                qualifies: c.policy.qualifies(),
                findings: c.findings.iter().map(|f| f.as_str()).collect(),
                other_conditions: c.policy.other_conditions(),
            })
            .collect(),
        named_locations: locations
            .iter()
            .map(|l| JsonLocation {
                id: &l.id,
                name: &l.display_name,
                trusted: l.trusted,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}
