//! How a command ends: the exit status of a failure, and its message said once.
//!
//! Exit statuses: 0 success; 1 runtime failure; 2 usage error or unreadable input; 3
//! evaluated and not compliant (`--strict`); 4 evaluated and compliant only on the
//! evidence available (`--strict`). Standard output closed early by its reader
//! (`mfaproof query … | head -1`) ends quietly with 0.

use std::fmt;
use std::process::ExitCode;

use super::output;
use crate::generate::GenerateError;
use crate::{evidence, ingest, lake, pull, report, sources};

/// Status of a command evaluated and found not compliant (`--strict`).
pub const NOT_COMPLIANT: u8 = 3;

/// Status of a command evaluated and found compliant only on the evidence available
/// (`--strict`): nothing failed, but the evidence has holes or a requirement could not be
/// evidenced, so compliance is not shown.
pub const ON_AVAILABLE_EVIDENCE: u8 = 4;

/// Status of a failure the command line, or an input the user named, is to blame for.
pub const USAGE: u8 = 2;

/// Status of a failure while running.
pub const FAILURE: u8 = 1;

/// A failure the command line or an input the user named is to blame for (status 2).
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A usage failure as an `anyhow` error.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Usage(message.into()).into()
}

/// Ends a command: its status, or its error printed once on stderr with the status the
/// error calls for.
pub fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    if output::closed() {
        return ExitCode::SUCCESS;
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(status(&e))
        }
    }
}

/// The exit status `e` calls for: 2 when a cause is a usage error or an unreadable input,
/// else 1.
pub fn status(e: &anyhow::Error) -> u8 {
    if e.chain().any(is_usage) {
        USAGE
    } else {
        FAILURE
    }
}

fn is_usage(cause: &(dyn std::error::Error + 'static)) -> bool {
    // Wrapping variants are transparent: the wrapped error is not a cause of its own in
    // the chain, so each layer's test looks inside the layers it wraps.
    cause.is::<Usage>()
        || cause
            .downcast_ref::<sources::Error>()
            .is_some_and(sources_usage)
        || cause.downcast_ref::<lake::Error>().is_some_and(lake_usage)
        || cause
            .downcast_ref::<ingest::Error>()
            .is_some_and(ingest_usage)
        || cause
            .downcast_ref::<evidence::Error>()
            .is_some_and(evidence_usage)
        || cause
            .downcast_ref::<report::Error>()
            .is_some_and(report_usage)
        || cause.downcast_ref::<pull::Error>().is_some_and(pull_usage)
        || matches!(
            cause.downcast_ref::<GenerateError>(),
            Some(GenerateError::Usage(_))
        )
}

fn sources_usage(e: &sources::Error) -> bool {
    matches!(e, sources::Error::Input { .. } | sources::Error::Usage(_))
}

/// A tenant only the user can give, or a lake to migrate first.
fn lake_usage(e: &lake::Error) -> bool {
    matches!(e, lake::Error::Tenant(_))
}

fn ingest_usage(e: &ingest::Error) -> bool {
    match e {
        ingest::Error::Input { .. } => true,
        ingest::Error::Source(e) => sources_usage(e),
        ingest::Error::Lake(e) => lake_usage(e),
        ingest::Error::Io(_) => false,
    }
}

fn evidence_usage(e: &evidence::Error) -> bool {
    match e {
        evidence::Error::Usage(_) => true,
        evidence::Error::Lake(e) => lake_usage(e),
        _ => false,
    }
}

fn report_usage(e: &report::Error) -> bool {
    match e {
        report::Error::Evidence(e) => evidence_usage(e),
        report::Error::Pack { .. } => true,
        report::Error::Lake(e) => lake_usage(e),
        report::Error::Io(_) => false,
    }
}

fn pull_usage(e: &pull::Error) -> bool {
    match e {
        pull::Error::Usage(_) => true,
        pull::Error::Ingest(e) => ingest_usage(e),
        pull::Error::Lake(e) => lake_usage(e),
        _ => false,
    }
}

/// The error and its causes, `: `-separated, each said once: a cause whose text its
/// parent already shows (thiserror's `{source}`, DataFusion's nested errors) is left out.
pub fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(part.trim()) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake;

    #[derive(Debug, thiserror::Error)]
    #[error("outer {name}: {source}")]
    struct Outer {
        name: &'static str,
        source: std::io::Error,
    }

    #[test]
    fn a_cause_the_parent_shows_is_said_once() {
        let inner = std::io::Error::other("a long list of fields");
        let e = anyhow::Error::new(Outer {
            name: "q",
            source: inner,
        })
        .context("running the query");
        assert_eq!(
            message(&e),
            "running the query: outer q: a long list of fields"
        );
    }

    #[test]
    fn a_cause_the_parent_does_not_show_is_kept() {
        let e = anyhow::Error::new(std::io::Error::other("disk full")).context("writing x");
        assert_eq!(message(&e), "writing x: disk full");
    }

    fn input(file: &str) -> sources::Error {
        sources::Error::Input {
            file: file.into(),
            reason: "no".into(),
        }
    }

    fn internal() -> lake::Error {
        lake::Error::Internal("the encoder thread panicked".into())
    }

    #[test]
    fn usage_errors_anywhere_in_the_chain_give_status_2() {
        assert_eq!(status(&usage("bad flag").context("parsing")), USAGE);
        assert_eq!(status(&anyhow::anyhow!("query failed")), FAILURE);
    }

    #[test]
    fn a_source_that_cannot_read_its_input_gives_status_2() {
        assert_eq!(status(&anyhow::Error::new(input("a.json"))), USAGE);
        let alone = sources::Error::Usage("an authentication-details CSV".into());
        assert_eq!(status(&anyhow::Error::new(alone)), USAGE);
        let died = sources::Error::Internal("a thread stopped".into());
        assert_eq!(status(&anyhow::Error::new(died)), FAILURE);
    }

    #[test]
    fn an_unreadable_input_of_an_ingest_gives_status_2() {
        let named = ingest::Error::Input {
            file: "in/".into(),
            reason: "no such directory".into(),
        };
        assert_eq!(
            status(&anyhow::Error::new(named).context("ingesting")),
            USAGE
        );
        let source = ingest::Error::from(input("a.json"));
        assert!(matches!(source, ingest::Error::Source(_)));
        assert_eq!(status(&anyhow::Error::new(source)), USAGE);
        let lake = ingest::Error::from(sources::Error::Sink(Box::new(internal())));
        assert!(matches!(
            lake,
            ingest::Error::Lake(lake::Error::Internal(_))
        ));
        assert_eq!(status(&anyhow::Error::new(lake)), FAILURE);
    }

    #[test]
    fn a_lake_error_gives_status_1() {
        assert_eq!(status(&anyhow::Error::new(internal())), FAILURE);
        let corrupt = lake::Error::Lake {
            path: "lake".into(),
            reason: "manifest.json: not JSON".into(),
        };
        assert_eq!(status(&anyhow::Error::new(corrupt)), FAILURE);
    }

    #[test]
    fn a_bad_request_to_the_evidence_or_report_gives_status_2() {
        let bad = || evidence::Error::Usage("unknown format".into());
        assert_eq!(status(&anyhow::Error::new(bad())), USAGE);
        let report = report::Error::from(bad());
        assert_eq!(status(&anyhow::Error::new(report)), USAGE);
        let broken = evidence::Error::Internal("vocabulary x: bad row".into());
        assert_eq!(status(&anyhow::Error::new(broken)), FAILURE);
        let report = report::Error::from(evidence::Error::Internal("x".into()));
        assert_eq!(status(&anyhow::Error::new(report)), FAILURE);
    }

    #[test]
    fn a_pull_gives_status_2_for_its_settings_and_unreadable_pages() {
        let setting = pull::Error::Usage("the client secret is empty".into());
        assert_eq!(status(&anyhow::Error::new(setting)), USAGE);
        let page = pull::Error::from(ingest::Error::from(input("signIns page 1")));
        assert_eq!(status(&anyhow::Error::new(page)), USAGE);
        let lake = pull::Error::from(internal());
        assert_eq!(status(&anyhow::Error::new(lake)), FAILURE);
    }

    #[test]
    fn a_generator_usage_error_gives_status_2() {
        let e = GenerateError::Usage("--users 0".into());
        assert_eq!(status(&anyhow::Error::new(e)), USAGE);
    }
}
