//! Pulling one log stream (sign-ins of one event type, or directory audits): plan the
//! window from the checkpoint, then page through each slice by `@odata.nextLink`, handing
//! every page to the Graph source, committing every few pages and at each slice's end,
//! and moving the checkpoint only after the lake holds what it claims.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::checkpoint::{StreamState, WindowState};
use super::error::{Error, Result};
use super::session::Session;
use super::streams::{Envelope, LogStream, odata_time};
use super::throttle::Group;
use crate::ingest::Level;
use crate::sources::Format;

/// Where a log stream's window comes from.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// `--since`: overrides the checkpoint.
    pub since: Option<DateTime<Utc>>,
    /// The run's fixed upper bound (`--until`, else the start of the run).
    pub end: DateTime<Utc>,
    /// Re-read before the watermark (late and re-emitted records).
    pub overlap: Duration,
    /// Without a checkpoint or `--since`: this far back from `end`.
    pub lookback: Duration,
    pub slice: Option<Duration>,
}

/// What one log stream did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogOutcome {
    pub pages: u64,
    pub pages_already_in_lake: u64,
    pub records: u64,
    pub quarantined: u64,
    /// Windows pulled, `start … end`.
    pub windows: Vec<String>,
}

/// The windows a run pulls for a stream: an interrupted window first (unless `--since`
/// replaces it), then from the watermark minus the overlap (or `--since`, or the lookback)
/// up to `end`.
pub fn plan(state: &mut StreamState, b: &Bounds, notes: &mut Vec<String>) -> Vec<WindowState> {
    let mut windows = Vec::new();
    let mut covered = state.watermark;
    match (state.window.take(), b.since) {
        (Some(w), None) => {
            covered = Some(covered.map_or(w.end, |c| c.max(w.end)));
            windows.push(w);
        }
        (Some(w), Some(_)) => notes.push(format!(
            "--since replaces the interrupted window {} … {}",
            odata_time(w.start),
            odata_time(w.end)
        )),
        (None, _) => {}
    }
    let start = match (b.since, covered) {
        (Some(s), _) => s,
        (None, Some(c)) => c - b.overlap,
        (None, None) => b.end - b.lookback,
    };
    if let (Some(w), Some(s)) = (state.watermark, b.since)
        && s > w
    {
        notes.push(format!(
            "--since {} leaves {} … {} unpulled",
            odata_time(s),
            odata_time(w),
            odata_time(s)
        ));
    }
    let already = windows.last().is_some_and(|w| w.end >= b.end);
    if start < b.end && !already {
        windows.push(WindowState::new(start, b.end, b.slice));
    }
    windows
}

/// Plans `stream`'s windows and records the first as in progress, so that a run
/// stopped before it reaches this stream still goes on with the same window.
pub fn prepare(s: &mut Session<'_>, stream: LogStream, bounds: &Bounds) -> Vec<WindowState> {
    let key = stream.key();
    let mut state = s.checkpoints.streams.get(&key).cloned().unwrap_or_default();
    let mut notes = Vec::new();
    let windows = plan(&mut state, bounds, &mut notes);
    for n in notes {
        s.say(Level::Warning, format!("{}: {n}", stream.label()));
    }
    state.window = windows.first().cloned();
    save_state(s, &key, &state);
    windows
}

/// Pulls `stream`'s `windows` (from [`prepare`]) into the lake.
pub async fn pull(
    s: &mut Session<'_>,
    stream: LogStream,
    windows: Vec<WindowState>,
) -> Result<LogOutcome> {
    let key = stream.key();
    let mut state = s.checkpoints.streams.get(&key).cloned().unwrap_or_default();
    let mut out = LogOutcome::default();
    for mut w in windows {
        out.windows
            .push(format!("{} … {}", odata_time(w.start), odata_time(w.end)));
        s.say(
            Level::Info,
            format!(
                "{}: {} … {}",
                stream.label(),
                odata_time(w.start),
                odata_time(w.end)
            ),
        );
        loop {
            let result = pull_slice(s, stream, &mut w, &mut state, &mut out).await;
            if let Err(e) = result {
                // Keep what was read, and the position of the page that failed.
                state.window = Some(w);
                save_state(s, &key, &state);
                s.commit_and_save()?;
                return Err(e);
            }
            if !w.next_slice() {
                break;
            }
            state.window = Some(w.clone());
            save_state(s, &key, &state);
            s.commit_and_save()?;
        }
        state.window = None;
        state.watermark = Some(state.watermark.map_or(w.end, |m| m.max(w.end)));
        save_state(s, &key, &state);
        s.commit_and_save()?;
    }
    Ok(out)
}

fn save_state(s: &mut Session<'_>, key: &str, state: &StreamState) {
    let mut state = state.clone();
    state.updated_at = Some(Utc::now());
    s.checkpoints.streams.insert(key.to_string(), state);
}

/// Pages through the current slice of `w`, from its saved link or its first page.
async fn pull_slice(
    s: &mut Session<'_>,
    stream: LogStream,
    w: &mut WindowState,
    state: &mut StreamState,
    out: &mut LogOutcome,
) -> Result<()> {
    let first = stream.url(&s.graph.root(), w.slice_start, w.slice_end);
    let mut resumed = w.next_link.as_ref().is_some_and(|l| *l != first);
    let mut url = w.next_link.clone().unwrap_or_else(|| first.clone());
    if resumed && s.graph.check_link(&url).is_err() {
        // Saved against another --graph-url: start the slice again on this one.
        let text = format!(
            "{}: the saved next link is not on {}; reading the slice from its first page",
            stream.label(),
            s.graph.root()
        );
        url = restart(s, w, &first, text);
        resumed = false;
    }
    let mut since_commit = 0u64;
    loop {
        s.check_interrupted()?;
        w.next_link = Some(url.clone());
        let stopped = s.stopped();
        let fetched = tokio::select! {
            r = s.graph.get(&url, Group::Reports, stream.need()) => r,
            () = stopped => Err(Error::Interrupted),
        };
        let body = match fetched {
            Ok(b) => b,
            Err(Error::Http { status, .. }) if resumed && matches!(status, 400 | 404 | 410) => {
                // A saved skip token can expire: the slice is read again from its start
                // (what was already read is deduplicated).
                s.forward_notices();
                let text = format!(
                    "{}: the saved next link was refused ({status}); reading the slice {} … {} again from its first page",
                    stream.label(),
                    odata_time(w.slice_start),
                    odata_time(w.slice_end)
                );
                url = restart(s, w, &first, text);
                resumed = false;
                continue;
            }
            Err(e) => return Err(e),
        };
        resumed = false;
        let Some(link) = read_page(s, stream, w, &body, out)? else {
            w.next_link = None;
            return Ok(());
        };
        s.graph.check_link(&link)?;
        url = link;
        since_commit += 1;
        if since_commit >= s.commit_pages {
            w.next_link = Some(url.clone());
            state.window = Some(w.clone());
            save_state(s, &stream.key(), state);
            s.commit_and_save()?;
            since_commit = 0;
        }
    }
}

/// Says why the slice starts again from its first page, and returns that page.
fn restart(s: &mut Session<'_>, w: &mut WindowState, first: &str, text: String) -> String {
    s.say(Level::Warning, text);
    w.pages_done = 0;
    first.to_string()
}

/// Reads one fetched page into the lake (not yet committed); returns its next link. A
/// page with records that could not be read stops the stream on it.
fn read_page(
    s: &mut Session<'_>,
    stream: LogStream,
    w: &mut WindowState,
    body: &[u8],
    out: &mut LogOutcome,
) -> Result<Option<String>> {
    let page = w.pages_done + 1;
    let name = stream.source_name(w.slice_start, w.slice_end, page);
    let envelope = Envelope::of(body);
    let outcome = s.ingest(&name, Format::Graph, body)?;
    out.pages += 1;
    if outcome.status == "already-ingested" {
        out.pages_already_in_lake += 1;
    }
    out.records += outcome.counts.records;
    out.quarantined += outcome.counts.quarantined;
    let malformed = outcome.counts.quarantined > 0
        || (envelope.is_none() && outcome.status != "already-ingested");
    if malformed {
        // The page stays the checkpoint's next page; the caller commits what was read
        // (this page's good records and its quarantine included).
        return Err(Error::Malformed {
            name,
            quarantined: outcome.counts.quarantined.max(1),
        });
    }
    w.pages_done = page;
    Ok(envelope.and_then(|e| e.next_link))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn bounds(since: Option<&str>, end: &str) -> Bounds {
        Bounds {
            since: since.map(t),
            end: t(end),
            overlap: Duration::hours(2),
            lookback: Duration::days(30),
            slice: None,
        }
    }

    /// A stream complete up to `watermark`, stopped inside the window `start` … `end`.
    fn interrupted(watermark: &str, start: &str, end: &str) -> StreamState {
        StreamState {
            watermark: Some(t(watermark)),
            window: Some(WindowState::new(t(start), t(end), None)),
            updated_at: None,
        }
    }

    /// The windows planned for `st` with `--since` and the run's end, and the notes.
    fn planned(
        st: &mut StreamState,
        since: Option<&str>,
        end: &str,
    ) -> (Vec<WindowState>, Vec<String>) {
        let mut notes = Vec::new();
        let w = plan(st, &bounds(since, end), &mut notes);
        (w, notes)
    }

    #[test]
    fn first_run_looks_back_then_reruns_overlap_the_watermark() {
        let mut st = StreamState::default();
        let mut notes = Vec::new();
        let w = plan(&mut st, &bounds(None, "2026-11-30T00:00:00Z"), &mut notes);
        assert_eq!(
            (w[0].start, w[0].end),
            (t("2026-10-31T00:00:00Z"), t("2026-11-30T00:00:00Z"))
        );
        st.watermark = Some(t("2026-11-30T00:00:00Z"));
        let w = plan(&mut st, &bounds(None, "2026-11-30T06:00:00Z"), &mut notes);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].start, t("2026-11-29T22:00:00Z"));
        assert!(notes.is_empty());
    }

    #[test]
    fn an_interrupted_window_is_finished_first_then_the_new_end_is_reached() {
        let mut st = interrupted(
            "2026-11-29T00:00:00Z",
            "2026-11-28T22:00:00Z",
            "2026-11-30T00:00:00Z",
        );
        let (w, _) = planned(&mut st, None, "2026-11-30T05:00:00Z");
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].end, t("2026-11-30T00:00:00Z"));
        assert_eq!(
            (w[1].start, w[1].end),
            (t("2026-11-29T22:00:00Z"), t("2026-11-30T05:00:00Z"))
        );
        assert!(st.window.is_none(), "taken: the caller owns it now");
    }

    #[test]
    fn since_replaces_the_checkpoint_and_says_what_it_leaves_out() {
        let mut st = interrupted(
            "2026-11-20T00:00:00Z",
            "2026-11-19T22:00:00Z",
            "2026-11-21T00:00:00Z",
        );
        let (w, notes) = planned(
            &mut st,
            Some("2026-11-25T00:00:00Z"),
            "2026-11-26T00:00:00Z",
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].start, t("2026-11-25T00:00:00Z"));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}
