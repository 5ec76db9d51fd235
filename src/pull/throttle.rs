//! Client-side rate limits: at most `max` requests in any `window` (a sliding window),
//! one limiter per group of Graph APIs that share a service limit. The reporting APIs
//! (`auditLogs/*`) allow 5 requests per 10 s per app per tenant; staying at the limit
//! avoids most 429s, and a 429 that still comes is honoured by the retry loop.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Which service limit a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `auditLogs/signIns`, `auditLogs/directoryAudits`.
    Reports,
    /// Users, `$batch`, policies: the identity and access directory limits.
    Directory,
}

/// A sliding-window limiter.
#[derive(Debug)]
pub struct Window {
    max: usize,
    window: Duration,
    sent: VecDeque<Instant>,
}

impl Window {
    /// At most `max` (≥ 1) requests per `window`.
    pub fn new(max: usize, window: Duration) -> Window {
        Window {
            max: max.max(1),
            window,
            sent: VecDeque::new(),
        }
    }

    /// How long to wait before a request may go at `now`; `None` means now, and the
    /// request is counted as sent.
    pub fn admit(&mut self, now: Instant) -> Option<Duration> {
        while let Some(&first) = self.sent.front() {
            if now.duration_since(first) >= self.window {
                self.sent.pop_front();
            } else {
                break;
            }
        }
        if self.sent.len() < self.max {
            self.sent.push_back(now);
            return None;
        }
        let oldest = *self.sent.front().expect("full window is not empty");
        Some(self.window - now.duration_since(oldest))
    }
}

/// The limiters of one pull.
#[derive(Debug)]
pub struct Throttle {
    reports: Mutex<Window>,
    directory: Mutex<Window>,
}

/// Length of the limit windows (Graph publishes its limits per 10 s).
pub const WINDOW: Duration = Duration::from_secs(10);

impl Throttle {
    /// Limits per 10 s for the reporting and the directory APIs.
    pub fn new(reports_per_10s: usize, directory_per_10s: usize) -> Throttle {
        Throttle {
            reports: Mutex::new(Window::new(reports_per_10s, WINDOW)),
            directory: Mutex::new(Window::new(directory_per_10s, WINDOW)),
        }
    }

    /// Waits until a request of `group` may be sent, and counts it.
    pub async fn acquire(&self, group: Group) {
        let limiter = match group {
            Group::Reports => &self.reports,
            Group::Directory => &self.directory,
        };
        loop {
            let wait = limiter
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .admit(Instant::now());
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_per_ten_seconds_then_waits_for_the_oldest_to_leave() {
        let mut w = Window::new(5, Duration::from_secs(10));
        let t0 = Instant::now();
        for i in 0..5 {
            assert_eq!(w.admit(t0 + Duration::from_millis(i * 100)), None);
        }
        let t = t0 + Duration::from_secs(1);
        assert_eq!(w.admit(t), Some(Duration::from_secs(9)));
        // Still refused (and not counted) until the first request is 10 s old.
        assert!(w.admit(t0 + Duration::from_millis(9_999)).is_some());
        assert_eq!(w.admit(t0 + Duration::from_secs(10)), None);
        assert_eq!(
            w.admit(t0 + Duration::from_secs(10)),
            Some(Duration::from_millis(100))
        );
    }

    #[test]
    fn any_ten_second_span_holds_at_most_max_requests() {
        let mut w = Window::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        let mut sent = Vec::new();
        let mut now = t0;
        while sent.len() < 12 {
            match w.admit(now) {
                None => sent.push(now),
                Some(d) => now += d,
            }
        }
        for (i, a) in sent.iter().enumerate() {
            let within = sent[i..]
                .iter()
                .filter(|b| b.duration_since(*a) < Duration::from_secs(10))
                .count();
            assert!(within <= 3, "{within} requests within 10 s of request {i}");
        }
    }
}
