//! What `evaluate` is asked: the window, the special accounts, the settling window, how
//! many rows the report lists, and which files it writes; and the same as `report.json`
//! records it (`Recorded`), from which `mfaproof verify` evaluates again.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::evidence::Engine;

/// What `evaluate` was asked.
#[derive(Debug, Clone)]
pub struct Options {
    pub range: Option<(NaiveDate, NaiveDate)>,
    pub emergency_accounts: Vec<String>,
    pub technical_accounts: Vec<String>,
    pub settling_hours: u32,
    /// How many problem sign-ins the report lists (all go to findings.csv).
    pub listed_problems: usize,
    /// How many rows report.json lists of each long figure (accounts, location skips,
    /// regime changes); all are in their CSV files.
    pub listed_rows: usize,
    /// The files written besides `report.json`.
    pub formats: Formats,
    /// The tenant evaluated (`--tenant`, or each tenant of a lake that holds several);
    /// `None` reads the lake as it is, which must then hold at most one tenant.
    pub tenant: Option<String>,
    /// The query engine's settings.
    pub engine: Engine,
}

/// The report files written besides `report.json`. `report.html` links `findings.csv`,
/// so asking for HTML writes the CSV too. (Fields in key order: `report.json` records it.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Formats {
    pub csv: bool,
    pub html: bool,
    pub markdown: bool,
}

impl Default for Formats {
    fn default() -> Formats {
        Formats {
            markdown: true,
            csv: true,
            html: true,
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            range: None,
            emergency_accounts: Vec::new(),
            technical_accounts: Vec::new(),
            settling_hours: 24,
            listed_problems: 100,
            listed_rows: 10_000,
            formats: Formats::default(),
            tenant: None,
            engine: Engine::default(),
        }
    }
}

/// The options as `report.json` records them: everything that decides the report's
/// figures and files (the engine's settings decide neither). Fields in key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub emergency_accounts: Vec<String>,
    pub formats: Formats,
    pub listed_problems: usize,
    pub listed_rows: usize,
    /// `--from/--to` as given (an open end as the far date it stands for); null without.
    pub range: Option<Range>,
    pub settling_hours: u32,
    pub technical_accounts: Vec<String>,
    /// The tenant evaluated; null when the lake was read as it is (one tenant or none).
    pub tenant: Option<String>,
}

impl Recorded {
    /// The options as the renderings list them: each by its command-line name (or what it
    /// is, when no flag sets it) with its value; lists joined by ", ".
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let list = |items: &[String]| {
            if items.is_empty() {
                "none".to_owned()
            } else {
                items.join(", ")
            }
        };
        let f = self.formats;
        let formats: Vec<&str> = [
            (true, "json"),
            (f.markdown, "md"),
            (f.csv, "csv"),
            (f.html, "html"),
        ]
        .into_iter()
        .filter_map(|(on, word)| on.then_some(word))
        .collect();
        let range = self.range.map_or_else(
            || "none (the first to the last sign-in day)".to_owned(),
            |r| format!("{} to {}", r.from, r.to),
        );
        vec![
            ("--from / --to", range),
            ("--settling-hours", self.settling_hours.to_string()),
            ("--emergency-account", list(&self.emergency_accounts)),
            ("--technical-account", list(&self.technical_accounts)),
            ("--listed-rows", self.listed_rows.to_string()),
            ("problem sign-ins listed", self.listed_problems.to_string()),
            ("--format", formats.join(",")),
            (
                "--tenant",
                self.tenant
                    .clone()
                    .unwrap_or_else(|| "none (the lake's only tenant)".to_owned()),
            ),
        ]
    }
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Options {
    /// The options to record. Every field is named, so a new option does not compile
    /// until it is recorded (or said not to decide the report).
    pub fn recorded(&self) -> Recorded {
        let Options {
            range,
            emergency_accounts,
            technical_accounts,
            settling_hours,
            listed_problems,
            listed_rows,
            formats,
            tenant,
            engine: _,
        } = self;
        Recorded {
            emergency_accounts: emergency_accounts.clone(),
            formats: *formats,
            listed_problems: *listed_problems,
            listed_rows: *listed_rows,
            range: range.map(|(from, to)| Range { from, to }),
            settling_hours: *settling_hours,
            technical_accounts: technical_accounts.clone(),
            tenant: tenant.clone(),
        }
    }

    /// The options a report recorded, run on `engine`.
    pub fn from_recorded(r: Recorded, engine: Engine) -> Options {
        Options {
            range: r.range.map(|r| (r.from, r.to)),
            emergency_accounts: r.emergency_accounts,
            technical_accounts: r.technical_accounts,
            settling_hours: r.settling_hours,
            listed_problems: r.listed_problems,
            listed_rows: r.listed_rows,
            formats: r.formats,
            tenant: r.tenant,
            engine,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_options_give_the_same_options_back() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let opts = Options {
            range: Some((day(1), day(3))),
            emergency_accounts: vec!["bg*@x".into()],
            technical_accounts: vec!["svc@x".into()],
            settling_hours: 6,
            listed_problems: 7,
            listed_rows: 8,
            formats: Formats {
                csv: false,
                html: false,
                markdown: true,
            },
            tenant: Some("t1".into()),
            engine: Engine::default(),
        };
        let json = serde_json::to_string(&opts.recorded()).unwrap();
        assert_eq!(
            json,
            r#"{"emergency_accounts":["bg*@x"],"formats":{"csv":false,"html":false,"markdown":true},"listed_problems":7,"listed_rows":8,"range":{"from":"2026-11-01","to":"2026-11-03"},"settling_hours":6,"technical_accounts":["svc@x"],"tenant":"t1"}"#
        );
        let back: Recorded = serde_json::from_str(&json).unwrap();
        assert_eq!(
            Options::from_recorded(back, Engine::default()).recorded(),
            opts.recorded()
        );
    }
}
