//! Retrying throttled and transient failures with backon: `Retry-After` (seconds or an
//! HTTP date) when the response has one, else exponential backoff with jitter; a bounded
//! number of attempts.

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};

use super::error::{Error, Result};

/// Retries after the first attempt.
pub const MAX_RETRIES: usize = 6;

/// The longest wait honoured from a `Retry-After` (a misbehaving proxy could ask for
/// hours; past this, the attempt fails and the checkpoint lets a later run go on).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// How the puller backs off.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// First delay of the exponential backoff (doubling, with jitter, up to `max`).
    pub min: Duration,
    pub max: Duration,
    pub retries: usize,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            min: Duration::from_secs(2),
            max: Duration::from_secs(120),
            retries: MAX_RETRIES,
        }
    }
}

impl Backoff {
    /// Runs `attempt` until it succeeds, fails for good, or the retries are spent;
    /// `notify` hears of each retry and its delay.
    pub async fn run<T, Fut>(
        &self,
        attempt: impl FnMut() -> Fut,
        mut notify: impl FnMut(&Error, Duration),
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let builder = ExponentialBuilder::default()
            .with_min_delay(self.min)
            .with_max_delay(self.max)
            .with_max_times(self.retries)
            .with_jitter();
        let mut tries = 1usize;
        let result = attempt
            .retry(builder)
            .sleep(tokio::time::sleep)
            .when(|e: &Error| e.retryable())
            // Only while backoff still allows a retry (`dur` is None once spent).
            .adjust(|e: &Error, dur| dur.map(|d| e.retry_after().unwrap_or(d)))
            .notify(|e: &Error, d| {
                tries += 1;
                notify(e, d)
            })
            .await;
        result.map_err(|e| match e {
            Error::Http {
                status,
                path,
                graph,
                retry_after,
                ..
            } if tries > 1 => Error::Http {
                status,
                path,
                after: format!(" after {tries} attempts"),
                graph,
                retry_after,
            },
            other => other,
        })
    }
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date (a past date is no
/// wait); capped at [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    let d = if let Ok(secs) = v.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
        (at - now).to_std().unwrap_or(Duration::ZERO)
    };
    Some(d.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn retry_after_seconds_and_http_dates() {
        let now = DateTime::parse_from_rfc3339("2026-11-03T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Tue, 03 Nov 2026 08:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Tue, 03 Nov 2026 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("86400", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    fn http(status: u16, retry_after: Option<Duration>) -> Error {
        Error::Http {
            status,
            path: "/x".into(),
            after: String::new(),
            graph: String::new(),
            retry_after: retry_after.map(super::super::error::RetryAfter),
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn retries_throttling_with_retry_after_then_gives_up_counting_attempts() {
        let b = Backoff {
            min: Duration::from_millis(1),
            max: Duration::from_millis(5),
            retries: 3,
        };
        let calls = AtomicUsize::new(0);
        let mut delays = Vec::new();
        let out: Result<u32> = b
            .run(
                || async {
                    match calls.fetch_add(1, Ordering::SeqCst) {
                        0 => Err(http(429, Some(Duration::from_millis(20)))),
                        1 => Err(http(503, None)),
                        _ => Ok(7),
                    }
                },
                |_, d| delays.push(d),
            )
            .await;
        assert_eq!(out.unwrap(), 7);
        assert_eq!(delays[0], Duration::from_millis(20), "Retry-After wins");
        assert!(delays[1] <= Duration::from_millis(10));

        let calls = AtomicUsize::new(0);
        let out: Result<u32> = b
            .run(
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err(http(503, Some(Duration::from_millis(1))))
                },
                |_, _| {},
            )
            .await;
        assert_eq!(calls.load(Ordering::SeqCst), 4, "1 attempt + 3 retries");
        assert!(out.unwrap_err().to_string().contains("after 4 attempts"));

        let calls = AtomicUsize::new(0);
        let out: Result<u32> = b
            .run(
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err(http(400, None))
                },
                |_, _| {},
            )
            .await;
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1, "a 400 is not retried");
    }
}
