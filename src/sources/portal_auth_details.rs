//! The Entra admin center's authentication-details CSV: one row per authentication step,
//! keyed by Request ID. It is loaded whole into a map (the portal caps a download at
//! 100,000 sign-ins, so the map is bounded) and joined onto the sign-ins CSV.

use std::collections::HashMap;
use std::io::BufRead;

use super::csv_input::{Header, cell, read_rows, text_cell};
use super::time::parse_timestamp;
use crate::schema::AuthDetail;
use crate::sources::{Error, Result};

/// The steps of every request id in file order, and how many rows could not be used.
#[derive(Debug, Default)]
pub struct Steps {
    by_request: HashMap<String, (Vec<AuthDetail>, bool)>,
    pub unusable_rows: u64,
}

impl Steps {
    /// The steps recorded for `request_id` (empty when the companion has none) and marks
    /// them as joined.
    pub fn take_for(&mut self, request_id: &str) -> Vec<AuthDetail> {
        match self.by_request.get_mut(request_id.trim()) {
            // Cloned, not moved: a request id repeated in the sign-ins CSV (the portal's
            // documented duplicates) gets the same steps each time.
            Some((steps, joined)) => {
                *joined = true;
                steps.clone()
            }
            None => Vec::new(),
        }
    }

    /// Request ids with steps that no sign-in row asked for.
    pub fn unjoined(&self) -> usize {
        self.by_request
            .values()
            .filter(|(_, joined)| !joined)
            .count()
    }
}

struct Columns {
    request_id: Option<usize>,
    date: Option<usize>,
    method: Option<usize>,
    method_detail: Option<usize>,
    requirement: Option<usize>,
    succeeded: Option<usize>,
    result_detail: Option<usize>,
}

impl Columns {
    /// Column titles vary between portal versions and third-party re-exports, so each
    /// field accepts the spellings seen in the wild; any title with "date" is the date.
    fn new(h: &Header) -> Columns {
        Columns {
            request_id: h.index("request id"),
            date: h
                .index_any(&["authentication date", "date (utc)", "date"])
                .or_else(|| h.names().iter().position(|n| n.contains("date"))),
            method: h.index_any(&["authentication method", "method"]),
            method_detail: h.index_any(&[
                "authentication method detail",
                "method detail",
                "authentication method details",
            ]),
            requirement: h.index_any(&[
                "requirement",
                "authentication step requirement",
                "authentication requirement",
            ]),
            succeeded: h.index_any(&["succeeded", "success"]),
            result_detail: h.index_any(&[
                "result detail",
                "authentication step result detail",
                "result details",
            ]),
        }
    }
}

/// A yes/no cell as the portal and spreadsheet re-exports write it; anything else is
/// unknown rather than an error (the step is still evidence of what was attempted).
pub fn lenient_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "success" | "succeeded" => Some(true),
        "false" | "no" | "0" | "failure" | "failed" => Some(false),
        _ => None,
    }
}

/// Loads the companion CSV. `Err` when it has no `Request ID` column (it cannot be joined).
pub fn load(file: &str, input: &mut dyn BufRead) -> Result<Steps> {
    let on_header = |h: Header| {
        let cols = Columns::new(&h);
        if cols.request_id.is_none() {
            return Err(Error::Input {
                file: file.to_string(),
                reason: "authentication-details CSV has no \"Request ID\" column".to_string(),
            });
        }
        Ok((cols, Steps::default()))
    };
    let (_, steps) = read_rows(file, input, on_header, |(cols, steps), row| {
        let Ok(fields) = row.fields else {
            steps.unusable_rows += 1;
            return Ok(());
        };
        let id = cell(fields, cols.request_id).trim();
        if id.is_empty() {
            steps.unusable_rows += 1;
            return Ok(());
        }
        let step = AuthDetail {
            authentication_step_date_time: parse_timestamp(cell(fields, cols.date)),
            authentication_method: text_cell(cell(fields, cols.method)),
            authentication_method_detail: text_cell(cell(fields, cols.method_detail)),
            succeeded: lenient_bool(cell(fields, cols.succeeded)),
            authentication_step_result_detail: text_cell(cell(fields, cols.result_detail)),
            authentication_step_requirement: text_cell(cell(fields, cols.requirement)),
        };
        match steps.by_request.get_mut(id) {
            Some((list, _)) => list.push(step),
            None => {
                steps.by_request.insert(id.to_string(), (vec![step], false));
            }
        }
        Ok(())
    })?;
    Ok(steps)
}
