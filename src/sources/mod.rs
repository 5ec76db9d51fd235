//! Input formats → canonical records. One module per format, each sans-IO: it reads from a
//! `BufRead` it is given and reports every record, rejected record and skipped record to a
//! [`Sink`]; opening files, decompression and archives live in `input`.
//!
//! A source returns `Err` only when the input cannot be read at all (not this format, an
//! I/O failure); a bad record is `Sink::reject`ed and reading goes on.

pub mod azure_monitor;
mod csv_input;
pub mod detect;
pub mod directory;
mod error;
mod format;
pub mod graph;
#[cfg(test)]
mod graph_columns_tests;
mod graph_object;
pub mod json_decode;
mod json_kind;
mod json_repeats;
#[cfg(test)]
mod json_samples;
pub mod json_split;
mod la_cells;
mod la_query_api;
mod la_row;
pub mod log_analytics;
pub mod mapping;
mod piece_pool;
pub mod policies;
mod portal_auth_details;
pub mod portal_csv;
mod sink;
pub mod snapshot;
pub mod time;

#[cfg(test)]
mod csv_equivalence_tests;
#[cfg(test)]
mod csv_samples_tests;
#[cfg(test)]
mod test_sink;

use std::io::BufRead;

pub use error::{Error, Result};

pub use detect::{Detection, Format, classify, detect};
pub use sink::{Sink, offer};

/// Reads one input of a known format into `sink`. `file_name` is the input's name as the
/// user gave it (it names errors, and some formats take their log kind from it);
/// `companion` is the portal's authentication-details CSV that belongs to a portal
/// sign-ins CSV, if one was found.
pub fn read(
    format: Format,
    file_name: &str,
    input: &mut dyn BufRead,
    companion: Option<&mut dyn BufRead>,
    sink: &mut dyn Sink,
) -> Result<()> {
    match format {
        Format::Graph => graph::read(input, sink),
        Format::AzureMonitor => azure_monitor::read(input, sink),
        Format::LogAnalytics => log_analytics::read(file_name, input, sink),
        Format::PortalCsv => portal_csv::read(file_name, input, companion, sink),
        // The companion has no sign-ins of its own: it is read through its sign-ins CSV.
        Format::PortalAuthDetails => Err(Error::Usage(format!(
            "{file_name} is an authentication-details CSV; give the matching sign-ins CSV \
             (it is read as that file's companion)"
        ))),
        Format::MfaStateCsv | Format::MfaStateJson | Format::SecurityDefaults => {
            snapshot::read(format, input, sink)
        }
        Format::CaPolicies => policies::read_policies(input, sink),
        Format::NamedLocations => policies::read_named_locations(input, sink),
        Format::DirectoryUsers => directory::read_users(input, sink),
        Format::UserRegistrations => directory::read_registrations(input, sink),
        Format::DirectoryGroups => directory::read_groups(input, sink),
        Format::RoleAssignments => directory::read_role_assignments(input, sink),
    }
}
