//! What a pull leaves unread, kept in the lake (`<lake>/pull/<tenant>/failures.json`, see
//! `lake::pull_failures`): every stream that failed or was not run, with the window it
//! left unread; a stream read completely over that window clears it. Written once the run's
//! lake commit is done, so the file never claims a window the lake does not hold.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::StreamOutcome;
use super::checkpoint::{Checkpoints, WindowState};
use super::error::Result;
use crate::lake::{Failure, PullFailures};
use crate::storage::Location;

/// Why a stream that was not run has no error of its own.
const NOT_RUN: &str = "not pulled: the pull stopped at an earlier stream's failure";

/// The range each log stream's planned windows cover (a stream with none is absent).
pub type Planned = BTreeMap<String, (DateTime<Utc>, DateTime<Utc>)>;

/// The range of every stream's planned windows.
pub fn planned(windows: &BTreeMap<String, Vec<WindowState>>) -> Planned {
    windows
        .iter()
        .filter_map(|(key, ws)| {
            let from = ws.iter().map(|w| w.start).min()?;
            let to = ws.iter().map(|w| w.end).max()?;
            Some((key.clone(), (from, to)))
        })
        .collect()
}

/// The error of a stream without its name in front, else why it was not run.
fn reason(o: &StreamOutcome) -> String {
    let Some(e) = &o.error else {
        return NOT_RUN.to_owned();
    };
    let named = format!("{}: ", o.stream);
    e.strip_prefix(&named).unwrap_or(e).to_owned()
}

/// Updates the tenant's failures file at `path` with this run's outcomes; returns how
/// many streams remain unread.
pub fn record(
    path: &Location,
    outcomes: &[StreamOutcome],
    planned: &Planned,
    checkpoints: &Checkpoints,
    started: DateTime<Utc>,
) -> Result<usize> {
    let mut file = PullFailures::load(path)?;
    let before = file.clone();
    for o in outcomes {
        let range = planned.get(&o.stream);
        match o.status {
            "complete" | "partial" => match range {
                Some((from, to)) => file.read(&o.stream, Some(*from), Some(*to)),
                // A log stream with nothing to read this run reads nothing.
                None if o.logs.is_some() => {}
                None => file.read(&o.stream, None, None),
            },
            _ => {
                let resume = checkpoints
                    .streams
                    .get(&o.stream)
                    .and_then(|s| s.window.as_ref())
                    .map(|w| w.slice_start);
                let failure = Failure {
                    at: started,
                    reason: reason(o),
                    window_from: resume.or(range.map(|r| r.0)),
                    window_to: range.map(|r| r.1),
                };
                file.failed(&o.stream, failure);
            }
        }
    }
    if file != before {
        file.save(path)?;
    }
    Ok(file.streams.len())
}
