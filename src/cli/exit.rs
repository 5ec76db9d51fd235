//! How a command ends: the exit status of a failure, and its message said once.
//!
//! Exit statuses: 0 success; 1 runtime failure; 2 usage error or unreadable input; 3
//! evaluated and not compliant (`--strict`). Standard output closed early by its reader
//! (`mfaproof query … | head -1`) ends quietly with 0.

use std::fmt;
use std::process::ExitCode;

use super::output;
use crate::generate::GenerateError;

/// Status of a command evaluated and found not compliant (`--strict`).
pub const NOT_COMPLIANT: u8 = 3;

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
    use crate::pull::Error as PullError;
    let library =
        |e: &crate::Error| matches!(e, crate::Error::Usage(_) | crate::Error::Input { .. });
    cause.is::<Usage>()
        || cause.downcast_ref::<crate::Error>().is_some_and(library)
        || match cause.downcast_ref::<PullError>() {
            Some(PullError::Usage(_)) => true,
            // Transparent: the library error is not a cause of its own in the chain.
            Some(PullError::Lake(e)) => library(e),
            _ => false,
        }
        || matches!(
            cause.downcast_ref::<GenerateError>(),
            Some(GenerateError::Usage(_))
        )
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

    #[test]
    fn usage_errors_anywhere_in_the_chain_give_status_2() {
        assert_eq!(status(&usage("bad flag").context("parsing")), USAGE);
        let input = crate::Error::Input {
            file: "a.json".into(),
            reason: "no".into(),
        };
        assert_eq!(status(&anyhow::Error::new(input)), USAGE);
        let lake = crate::pull::Error::Lake(crate::Error::Usage("x".into()));
        assert_eq!(status(&anyhow::Error::new(lake)), USAGE);
        let internal = crate::Error::Internal("thread stopped".into());
        assert_eq!(status(&anyhow::Error::new(internal)), FAILURE);
        assert_eq!(status(&anyhow::anyhow!("query failed")), FAILURE);
    }
}
