//! The holes in the evidence (evidence rules §7, R6; choices in `docs/evidence.md`): each
//! is named by a kind word, what it is (a file, a stream, days, a span of time), what it
//! prevents proving, and where it was found. A hole that may hide user sign-ins of the
//! window makes R6 fail; any other lowers the verdict to "compliant on the evidence
//! available": the report never says "compliant" over a hole.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::evidence::timeline::spans;
use crate::lake::{InputEntry, Manifest, PullFailures};
use crate::report::cell::table;

crate::words::word_enum! {
    /// What kind of hole.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Kind {
        /// No user sign-in at all: nothing to judge.
        NoSignIns => "no_sign_ins",
        /// Days of the window without sign-ins of a user event type.
        DaysWithoutSignIns => "days_without_sign_ins",
        /// Records of an input that could not be read.
        Quarantined => "quarantined_records",
        /// An input that stops at its download's row cap.
        Truncated => "truncated_input",
        /// A blob whose last line was cut while it was being written.
        CutLastLine => "cut_last_line",
        /// A stream `pull` could not read.
        PullFailed => "pull_failed",
        /// Days of the window without audit events.
        DaysWithoutAuditEvents => "days_without_audit_events",
        /// No conditional access policy definition, and security defaults not on throughout.
        NoPolicies => "no_policies",
        /// No directory users.
        NoDirectory => "no_directory",
        /// No per-user MFA snapshot and no audit change of it.
        NoPerUserMfa => "no_per_user_mfa_state",
        /// A span of the window where security defaults are unknown.
        SecurityDefaultsUnknown => "security_defaults_unknown",
    }
}

/// What a hole does to the verdict.
pub const FAILS_R6: &str = "fails_r6";
pub const LOWERS_VERDICT: &str = "lowers_verdict";

/// Where the pull failures are read.
pub const PULL_FAILURES: &str = "pull/failures.json";
/// The queries the holes are read from (besides R6's days and the manifest).
pub const AUDIT_DAYS: &str = "r6_audit_days";
pub const EVIDENCE_KINDS: &str = "r6_evidence_kinds";
const POLICIES_SOURCE: &str = "queries/ca_snapshots.sql, queries/ca_changes.sql";
const SECURITY_DEFAULTS_SOURCE: &str = "queries/security_defaults_timeline.sql";

/// One hole (fields in key order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hole {
    /// `fails_r6` or `lowers_verdict`.
    pub effect: &'static str,
    pub kind: &'static str,
    /// What it prevents proving, in a sentence.
    pub prevents: String,
    /// The query file or lake file that shows it.
    pub source: String,
    /// The file, stream, days or span of time.
    pub what: String,
}
table!(Hole: kind, what, prevents, effect, source);

impl Hole {
    fn new(kind: Kind, what: String, prevents: String, source: &str) -> Hole {
        let fails = matches!(
            kind,
            Kind::NoSignIns
                | Kind::DaysWithoutSignIns
                | Kind::Quarantined
                | Kind::Truncated
                | Kind::CutLastLine
        );
        Hole {
            effect: if fails { FAILS_R6 } else { LOWERS_VERDICT },
            kind: kind.as_str(),
            prevents,
            source: source.to_owned(),
            what,
        }
    }

    /// No user sign-in at all.
    pub fn no_sign_ins(prevents: &str, source: &str) -> Hole {
        Hole::new(
            Kind::NoSignIns,
            "user sign-ins".into(),
            prevents.into(),
            source,
        )
    }

    /// Whether R6 fails on it.
    pub fn fails_r6(&self) -> bool {
        self.effect == FAILS_R6
    }
}

/// A row of `r6_audit_days.sql`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditDayRow {
    pub audit_events: u64,
    pub date: String,
}

/// A day of the window without audit events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingAuditDay {
    pub date: String,
}

/// A row of `r6_evidence_kinds.sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindRow {
    pub kind: String,
    pub observations: u64,
}

/// Consecutive days as `from`–`to` runs.
fn runs(days: impl IntoIterator<Item = NaiveDate>) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for d in days {
        match out.last_mut() {
            Some((_, to)) if to.succ_opt() == Some(d) => *to = d,
            _ => out.push((d, d)),
        }
    }
    out
}

fn days_text((from, to): (NaiveDate, NaiveDate)) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from} to {to}")
    }
}

fn time_text(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros).map_or_else(|| micros.to_string(), |t| odata(&t))
}

fn odata(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The days of the window without sign-ins of each user event type (`missing`: event
/// type and date, grouped by event type), as runs of days.
pub fn sign_in_days(missing: &[(String, NaiveDate)], source: &str) -> Vec<Hole> {
    let mut holes = Vec::new();
    let mut rest = missing;
    while let Some((event_type, _)) = rest.first() {
        let n = rest.iter().take_while(|(e, _)| e == event_type).count();
        let (these, tail) = rest.split_at(n);
        for run in runs(these.iter().map(|(_, d)| *d)) {
            let prevents = format!(
                "no {event_type} sign-in on these days: an export is probably missing, so \
                 R1–R4 cannot be shown for them"
            );
            let what = format!("{} ({event_type})", days_text(run));
            holes.push(Hole::new(Kind::DaysWithoutSignIns, what, prevents, source));
        }
        rest = tail;
    }
    holes
}

/// The days of `window` without a row in `rows`.
pub fn days_without_audit(window: (NaiveDate, NaiveDate), rows: &[AuditDayRow]) -> Vec<NaiveDate> {
    let (from, to) = window;
    let have: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.date.as_str()).collect();
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !have.contains(d.format("%Y-%m-%d").to_string().as_str()))
        .collect()
}

/// The days without audit events, as runs of days.
pub fn audit_days(missing: &[NaiveDate], source: &str) -> Vec<Hole> {
    runs(missing.iter().copied())
        .into_iter()
        .map(|run| {
            let prevents = "no audit event on these days: an audit export is probably \
                missing, and a change of per-user MFA, security defaults or conditional \
                access made then is unseen (rules 6–8, 16 and 16b, R5, R7)";
            Hole::new(
                Kind::DaysWithoutAuditEvents,
                days_text(run),
                prevents.into(),
                source,
            )
        })
        .collect()
}

/// The blob an input is, wherever it was ingested from: an Azure Monitor path from its
/// `insights-logs-` container on, else the path as given.
fn blob_key(path: &str) -> String {
    let path = path.replace('\\', "/");
    match path.find("insights-logs-") {
        Some(at) => path[at..].to_owned(),
        None => path,
    }
}

/// The manifest's inputs with quarantined records, stopped at a row cap, or cut short
/// (the latest read of a blob decides: a blob ingested again once complete is whole).
pub fn inputs(manifest: &Manifest, source: &str) -> Vec<Hole> {
    let mut holes = Vec::new();
    for (i, input) in manifest.inputs.iter().enumerate() {
        let c = &input.counts;
        let what = || input.path.clone();
        if c.quarantined > 0 {
            let prevents = format!(
                "{} record(s) could not be read (kept verbatim under quarantine/): the \
                 sign-ins among them are not judged",
                c.quarantined
            );
            holes.push(Hole::new(Kind::Quarantined, what(), prevents, source));
        }
        if c.truncated > 0 {
            let prevents = "it stops at the admin center's download cap of 100,000 rows: \
                sign-ins of its period past the cap are missing, so R1–R4 cannot be shown \
                for them (download shorter time ranges)";
            holes.push(Hole::new(Kind::Truncated, what(), prevents.into(), source));
        }
        if c.partial > 0 && !read_again(input, &manifest.inputs[i + 1..]) {
            let prevents = format!(
                "{} unterminated last line(s) of a blob still being written were not read: \
                 those records are missing until the completed blob is ingested",
                c.partial
            );
            holes.push(Hole::new(Kind::CutLastLine, what(), prevents, source));
        }
    }
    holes
}

/// Whether a later input is the same blob: then the latest read of it decides.
fn read_again(input: &InputEntry, later: &[InputEntry]) -> bool {
    let key = blob_key(&input.path);
    later.iter().any(|l| blob_key(&l.path) == key)
}

/// What a stream that was not read leaves unknown.
fn stream_loss(stream: &str) -> (bool, String) {
    let user = |t: &str| {
        (
            true,
            format!(
                "the {t} sign-ins of that window are missing, so R1–R4 cannot be shown for them"
            ),
        )
    };
    match stream {
        "sign-ins/interactiveUser" => user("interactive user"),
        "sign-ins/nonInteractiveUser" => user("non-interactive user"),
        "audit" => (
            false,
            "changes of per-user MFA, security defaults and conditional access in that \
             window are unseen (rules 6–8, 16 and 16b, R5, R7)"
                .into(),
        ),
        s if s.starts_with("sign-ins/") => (
            false,
            "workload sign-ins of that window are missing (not part of R1, but the sign-in \
             log is incomplete)"
                .into(),
        ),
        s => (false, format!("the {s} snapshot of that moment is missing")),
    }
}

/// The streams `pull` could not read whose window meets the evidence window (`span`, in
/// microseconds; none: every one).
pub fn pull_failures(failures: &PullFailures, span: Option<(i64, i64)>) -> Vec<Hole> {
    let mut holes = Vec::new();
    for (stream, f) in &failures.streams {
        let window = f.window_from.zip(f.window_to);
        let meets = match (window, span) {
            (Some((a, b)), Some((from, to))) => {
                a.timestamp_micros() < to && b.timestamp_micros() > from
            }
            _ => true,
        };
        if !meets {
            continue;
        }
        let what = match window {
            Some((a, b)) => format!("{stream}, {} to {}", odata(&a), odata(&b)),
            None => format!("{stream}, snapshot of {}", odata(&f.at)),
        };
        let (fails, loss) = stream_loss(stream);
        let prevents = format!(
            "not read by the pull of {} ({}): {loss}",
            odata(&f.at),
            f.reason
        );
        let mut hole = Hole::new(Kind::PullFailed, what, prevents, PULL_FAILURES);
        if fails {
            hole.effect = FAILS_R6;
        }
        holes.push(hole);
    }
    holes
}

/// The snapshots missing: policy definitions (when security defaults were not on
/// throughout: R7's own test), the directory, every per-user MFA observation; and the
/// spans of the window where security defaults are unknown.
pub fn snapshots(cx: &Context<'_>, kinds: &[KindRow], kinds_source: &str) -> Vec<Hole> {
    let mut holes = Vec::new();
    let count = |kind: &str| {
        kinds
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.observations)
            .sum::<u64>()
    };
    let sd = cx
        .span()
        .map(|(from, to)| spans(&cx.security_defaults, from, to))
        .unwrap_or_default();
    if !cx.regime.policies_ingested && sd.iter().any(|s| s.2 != "on") {
        let prevents = "no conditional access policy definition (a policy snapshot or an audit \
            change of one) was ingested, and security defaults were not on throughout: R7 \
            cannot be evidenced, and rule 16b never applies";
        holes.push(Hole::new(
            Kind::NoPolicies,
            "conditional access policies".into(),
            prevents.into(),
            POLICIES_SOURCE,
        ));
    }
    if count("directory_users") == 0 {
        let prevents = "without the directory's users, the accounts that did not sign in \
            during the window (emergency-access, technical, dormant guests) are unknown: \
            they cannot be listed nor shown covered by MFA";
        holes.push(Hole::new(
            Kind::NoDirectory,
            "directory users".into(),
            prevents.into(),
            kinds_source,
        ));
    }
    if count("per_user_mfa_changes") + count("per_user_mfa_snapshots") == 0 {
        let prevents = "no per-user MFA snapshot and no audit change of it: every user's \
            per-user MFA state is unknown, so a legacy sign-in cannot be accepted as an app \
            password (rules 6–8, R4)";
        holes.push(Hole::new(
            Kind::NoPerUserMfa,
            "per-user MFA state".into(),
            prevents.into(),
            kinds_source,
        ));
    }
    for (from, to, _) in sd
        .iter()
        .filter(|s| s.2 == crate::evidence::timeline::UNKNOWN)
    {
        let prevents = "no audit change or snapshot shows whether security defaults were \
            on: sign-ins then are not accepted under them (rule 16 reads unknown as off), \
            and R7 cannot rely on them";
        let what = format!("{} to {}", time_text(*from), time_text(*to));
        holes.push(Hole::new(
            Kind::SecurityDefaultsUnknown,
            what,
            prevents.into(),
            SECURITY_DEFAULTS_SOURCE,
        ));
    }
    holes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::{Counts, Failure};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input(path: &str, counts: Counts) -> InputEntry {
        InputEntry {
            path: path.into(),
            size: 1,
            sha256: path.into(),
            formats: vec![],
            tenants: vec![],
            run: 1,
            counts,
            warnings: vec![],
        }
    }

    #[test]
    fn days_are_named_as_runs_per_event_type() {
        let missing = [
            ("interactive_user".to_owned(), day("2026-11-02")),
            ("interactive_user".to_owned(), day("2026-11-03")),
            ("interactive_user".to_owned(), day("2026-11-05")),
            ("non_interactive_user".to_owned(), day("2026-11-01")),
        ];
        let whats: Vec<String> = sign_in_days(&missing, "q")
            .into_iter()
            .map(|h| h.what)
            .collect();
        assert_eq!(
            whats,
            [
                "2026-11-02 to 2026-11-03 (interactive_user)",
                "2026-11-05 (interactive_user)",
                "2026-11-01 (non_interactive_user)"
            ]
        );
        let rows = [AuditDayRow {
            audit_events: 3,
            date: "2026-11-02".into(),
        }];
        let missing = days_without_audit((day("2026-11-01"), day("2026-11-04")), &rows);
        let holes = audit_days(&missing, "q");
        let whats: Vec<&str> = holes.iter().map(|h| h.what.as_str()).collect();
        assert_eq!(whats, ["2026-11-01", "2026-11-03 to 2026-11-04"]);
        assert!(holes.iter().all(|h| h.effect == LOWERS_VERDICT));
    }

    #[test]
    fn a_cut_blob_is_a_hole_until_the_same_blob_is_read_whole() {
        let blob = "a/insights-logs-signinlogs/y=2026/h=09/PT1H.json";
        let cut = Counts {
            records: 3,
            partial: 1,
            ..Counts::default()
        };
        let whole = Counts {
            records: 4,
            ..Counts::default()
        };
        let truncated = Counts {
            records: 100_000,
            truncated: 1,
            quarantined: 2,
            ..Counts::default()
        };
        let mut m = Manifest::default();
        m.inputs.push(input(blob, cut.clone()));
        m.inputs.push(input("InteractiveSignIns.csv", truncated));
        let kinds: Vec<&str> = inputs(&m, "manifest.json").iter().map(|h| h.kind).collect();
        assert_eq!(
            kinds,
            ["cut_last_line", "quarantined_records", "truncated_input"]
        );
        m.inputs.push(input(
            "b\\insights-logs-signinlogs\\y=2026\\h=09\\PT1H.json",
            whole,
        ));
        let holes = inputs(&m, "manifest.json");
        assert_eq!(holes.len(), 2, "the blob was read whole later: {holes:?}");
        assert!(holes.iter().all(Hole::fails_r6));
        m.inputs.push(input(blob, cut));
        assert_eq!(inputs(&m, "manifest.json").len(), 3, "then cut again");
    }

    #[test]
    fn pull_failures_meeting_the_window_are_holes_and_sign_in_streams_fail_r6() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let failure = |from: Option<&str>, to: Option<&str>| Failure {
            at: t("2026-11-04T00:00:00Z"),
            reason: "403 from GET /x".into(),
            window_from: from.map(t),
            window_to: to.map(t),
        };
        let mut f = PullFailures::default();
        f.failed(
            "audit",
            failure(Some("2026-11-01T00:00:00Z"), Some("2026-11-04T00:00:00Z")),
        );
        f.failed(
            "sign-ins/interactiveUser",
            failure(Some("2026-10-01T00:00:00Z"), Some("2026-10-05T00:00:00Z")),
        );
        f.failed("mfa-state", failure(None, None));
        let all = pull_failures(&f, None);
        assert_eq!(all.len(), 3);
        let signins = all
            .iter()
            .find(|h| h.what.starts_with("sign-ins/"))
            .unwrap();
        assert!(signins.fails_r6());
        let span = (
            t("2026-11-03T00:00:00Z").timestamp_micros(),
            t("2026-11-05T00:00:00Z").timestamp_micros(),
        );
        let holes = pull_failures(&f, Some(span));
        let whats: Vec<&str> = holes.iter().map(|h| h.what.as_str()).collect();
        assert_eq!(
            whats,
            [
                "audit, 2026-11-01T00:00:00Z to 2026-11-04T00:00:00Z",
                "mfa-state, snapshot of 2026-11-04T00:00:00Z"
            ]
        );
        assert_eq!(
            holes[0].prevents,
            "not read by the pull of 2026-11-04T00:00:00Z (403 from GET /x): changes of \
             per-user MFA, security defaults and conditional access in that window are unseen \
             (rules 6–8, 16 and 16b, R5, R7)"
        );
        assert!(holes.iter().all(|h| !h.fails_r6()));
    }
}
