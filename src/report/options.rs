//! What `evaluate` is asked: the window, the special accounts, the settling window, how
//! many rows the report lists, and which files it writes.

use chrono::NaiveDate;

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
    /// The query engine's settings.
    pub engine: Engine,
}

/// The report files written besides `report.json`. `report.html` links `findings.csv`,
/// so asking for HTML writes the CSV too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub markdown: bool,
    pub csv: bool,
    pub html: bool,
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
            engine: Engine::default(),
        }
    }
}
