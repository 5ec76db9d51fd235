//! The table of `mfaproof check-policies`: one line per policy, each finding with what
//! the policy says and one sentence of why it breaks the requirement, and the R7 verdict.

use std::io::Write;

use super::Checked;
use crate::policy::{Finding, NamedLocation, Policy};

/// Why a finding breaks the CSP partner requirement, in one sentence.
pub fn why(finding: Finding) -> &'static str {
    match finding {
        Finding::ExcludesAccounts => {
            "MFA must be enforced on every account with no exclusion: not emergency-access (break-glass) accounts, not technical accounts such as the Azure AD Connect sync account, not guests."
        }
        Finding::NotAllUsers => {
            "MFA must be enforced on every user account of the tenant, guests included, and this policy reaches only the users, groups or roles it names."
        }
        Finding::NotAllApps => {
            "the applications the policy leaves out can be signed in to with a password alone."
        }
        Finding::LocationCondition => {
            "no trusted-location exemption is allowed: the internal network is not a reason to skip MFA, and sign-ins the location condition leaves out are not asked for it."
        }
        Finding::ClientAppTypesLimited => {
            "sign-ins from the client app types the policy leaves out are not asked for MFA."
        }
        Finding::OtherCondition => {
            "sign-ins that do not meet the policy's other conditions are not asked for MFA."
        }
        Finding::ReportOnly => "a report-only policy is evaluated but never enforced.",
        Finding::Disabled => "a disabled policy enforces nothing.",
    }
}

/// Writes the table, the findings explained and the verdict line.
pub fn write_table(
    out: &mut impl Write,
    set: &[Checked],
    locations: &[NamedLocation],
    holds: bool,
) -> std::io::Result<()> {
    let mfa = set.iter().filter(|c| c.policy.is_mfa_policy()).count();
    writeln!(
        out,
        "{} policies, {mfa} of them MFA policies (grant met only with MFA)\n",
        set.len()
    )?;
    let mut rows = vec![["POLICY ID", "NAME", "STATE", "FINDINGS"].map(str::to_owned)];
    for c in set {
        let findings = if c.policy.is_mfa_policy() {
            let words: Vec<&str> = c.findings.iter().map(|f| f.as_str()).collect();
            if words.is_empty() {
                "none".to_owned()
            } else {
                words.join(", ")
            }
        } else {
            "not an MFA policy".to_owned()
        };
        let p = &c.policy;
        rows.push([
            p.id.clone(),
            p.display_name.clone(),
            p.state.as_str().to_owned(),
            findings,
        ]);
    }
    write_aligned(out, &rows)?;
    for c in set.iter().filter(|c| !c.findings.is_empty()) {
        writeln!(out, "\n{} ({}):", c.policy.display_name, c.policy.id)?;
        for finding in &c.findings {
            let said = detail(&c.policy, *finding, locations);
            writeln!(out, "  {finding}: {said}")?;
            writeln!(out, "    Why it breaks the requirement: {}", why(*finding))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", verdict(set, holds))
}

/// The verdict line.
fn verdict(set: &[Checked], holds: bool) -> String {
    let qualifying: Vec<String> = set
        .iter()
        .filter(|c| c.policy.qualifies())
        .map(|c| format!("\"{}\" ({})", c.policy.display_name, c.policy.id))
        .collect();
    if holds {
        format!(
            "R7 holds: {} requires MFA of every user for every application, with no exclusion and no condition but sign-in risk.",
            qualifying.join(", ")
        )
    } else {
        "R7 does not hold: no enabled MFA policy requires MFA of every user for every application with no exclusion and no location, client app or other condition.".to_owned()
    }
}

fn write_aligned(out: &mut impl Write, rows: &[[String; 4]]) -> std::io::Result<()> {
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2)];
    for r in rows {
        let mut line = String::new();
        for (cell, w) in r.iter().zip(widths) {
            line.push_str(cell);
            line.push_str(&" ".repeat(w - cell.chars().count() + 2));
        }
        line.push_str(&r[3]);
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// What the policy says that makes the finding.
fn detail(p: &Policy, finding: Finding, locations: &[NamedLocation]) -> String {
    let u = &p.users;
    match finding {
        Finding::ExcludesAccounts => format!(
            "excludes {}",
            people(
                [&u.exclude_users, &u.exclude_groups, &u.exclude_roles],
                u.exclude_guests
            )
        ),
        Finding::NotAllUsers => {
            let lists = [&u.include_users, &u.include_groups, &u.include_roles];
            match people(lists, u.include_guests) {
                none if none.is_empty() => "includes no one".into(),
                some => format!("includes only {some}"),
            }
        }
        Finding::NotAllApps => {
            let apps = &p.apps;
            let mut said = if apps.include.is_empty() {
                "includes no application".to_owned()
            } else {
                format!("includes applications {}", words(&apps.include))
            };
            if !apps.exclude.is_empty() {
                said.push_str(&format!(", excludes {}", words(&apps.exclude)));
            }
            said
        }
        Finding::LocationCondition => places(p, locations),
        Finding::ClientAppTypesLimited => format!(
            "applies to client app types {} only",
            words(p.client_app_types.as_deref().unwrap_or_default())
        ),
        Finding::OtherCondition => {
            format!("has the conditions {}", p.other_conditions().join(", "))
        }
        Finding::ReportOnly | Finding::Disabled => format!("state {}", p.state.as_str()),
    }
}

/// Users, groups and roles (in that order, each when non-empty), then guests.
fn people(lists: [&Vec<String>; 3], guests: bool) -> String {
    let mut parts: Vec<String> = ["users", "groups", "roles"]
        .iter()
        .zip(lists)
        .filter(|(_, l)| !l.is_empty())
        .map(|(what, l)| format!("{what} {}", l.join(", ")))
        .collect();
    if guests {
        parts.push("guests or external users".into());
    }
    parts.join("; ")
}

/// A list of normalised words with Graph's spelling of the special ones.
fn words(list: &[String]) -> String {
    let spelled: Vec<&str> = list.iter().map(|w| spelling(w)).collect();
    spelled.join(", ")
}

fn spelling(word: &str) -> &str {
    match word {
        "all" => "All",
        "none" => "None",
        "alltrusted" => "AllTrusted",
        "office365" => "Office365",
        "microsoftadminportals" => "MicrosoftAdminPortals",
        "mobileappsanddesktopclients" => "mobileAppsAndDesktopClients",
        "exchangeactivesync" => "exchangeActiveSync",
        other => other,
    }
}

/// The locations condition, with the names of the named locations where known.
fn places(p: &Policy, locations: &[NamedLocation]) -> String {
    let Some(places) = &p.locations else {
        return String::new();
    };
    let name = |entry: &String| -> String {
        let known = |l: &&NamedLocation| l.id.eq_ignore_ascii_case(entry);
        match entry.as_str() {
            "all" | "alltrusted" if locations.is_empty() => spelling(entry).to_owned(),
            "all" => "All".to_owned(),
            "alltrusted" => {
                let trusted: Vec<String> = locations
                    .iter()
                    .filter(|l| l.trusted)
                    .map(|l| format!("\"{}\"", l.display_name))
                    .collect();
                format!(
                    "AllTrusted (trusted named locations: {})",
                    or_none(&trusted)
                )
            }
            id => match locations.iter().find(known) {
                Some(l) => format!("\"{}\" ({id})", l.display_name),
                None => id.to_owned(),
            },
        }
    };
    let side = |list: &Vec<String>| -> String {
        let named: Vec<String> = list.iter().map(name).collect();
        or_none(&named)
    };
    format!(
        "includes locations {}; excludes {}",
        side(&places.include),
        side(&places.exclude)
    )
}

fn or_none(list: &[String]) -> String {
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}
