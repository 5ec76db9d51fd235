//! The regime timeline of the HTML report (R5) as geometry: a band with the
//! security-defaults state over the window, then one lane per family of audit changes
//! with a mark per day that has changes; drawn by the template like every other chart.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::charts::{Chart, Rect, Tick, WIDTH, legend, r1};

/// The change families of `regime_changes.sql`, lane by lane, with their words.
pub const FAMILIES: [(&str, &str); 5] = [
    ("security_defaults", "security defaults"),
    ("per_user_mfa", "per-user MFA"),
    ("conditional_access", "conditional access"),
    ("auth_methods", "authentication methods"),
    ("app_passwords", "app passwords"),
];

/// One audit change for the timeline: when, family, new state, activity and target.
pub struct Change {
    pub at: DateTime<Utc>,
    pub family: String,
    pub new_state: String,
    pub activity: String,
    pub target: String,
}

/// The changes of one family on one day, counted over all of them (report.json may list
/// only the first changes).
pub struct DayCount {
    pub date: NaiveDate,
    pub family: String,
    pub changes: u64,
}

/// The regime timeline: a band with the security-defaults state over the window (from its
/// state at the start and each change), then one lane per change family with a mark per
/// day that has changes (the count next to it, from `counts` where given, else from the
/// listed `changes`; `total` changes in all).
pub fn timeline(
    title: &str,
    source: &str,
    window: Option<(NaiveDate, NaiveDate)>,
    start_state: &str,
    (changes, counts, total): (&[Change], &[DayCount], usize),
) -> Chart {
    let lanes = FAMILIES.len() + 1;
    let (left, right, top, lane_h) = (200.0, WIDTH - 48.0, 8.0, 26.0);
    let bottom = top + lane_h * lanes as f64;
    let mut chart = Chart {
        title: title.to_owned(),
        source: source.to_owned(),
        width: WIDTH,
        height: bottom + 28.0,
        left,
        right,
        bottom,
        legend: legend(&[
            ("sd-on", "security defaults on"),
            ("sd-off", "security defaults off"),
            ("sd-unknown", "state unknown"),
            ("mark", "audit change(s) that day"),
        ]),
        ..Chart::default()
    };
    let Some((from, to)) = window.filter(|(f, t)| f <= t) else {
        chart.empty = true;
        chart.desc = "No evidence window.".into();
        return chart;
    };
    let t0 = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let t1 = (to + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let axis = TimeAxis {
        t0,
        t1,
        span: (t1 - t0).num_seconds().max(1) as f64,
        left,
        right,
        top,
        lane_h,
    };
    axis.lanes(&mut chart, lanes);
    axis.band(&mut chart, changes, start_state);
    axis.marks(&mut chart, changes, counts);
    let days = (to - from).num_days() + 1;
    for (i, d) in [(0, from), (1, from + Duration::days(days / 2)), (2, to)] {
        if i == 1 && days < 3 {
            continue;
        }
        chart.xlabels.push(Tick {
            x: r1(axis.x(d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc())),
            y: bottom + 18.0,
            label: d.format("%Y-%m-%d").to_string(),
        });
    }
    chart.desc = format!(
        "{} audit change(s) from {from} to {to}; security defaults at the start: {}.",
        total.max(changes.len()),
        state_word(start_state)
    );
    chart
}

/// The geometry of the timeline: times `t0`..`t1` across `left`..`right`, lanes of
/// `lane_h` from `top` (lane 0 the security-defaults band, then one per family).
struct TimeAxis {
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    span: f64,
    left: f64,
    right: f64,
    top: f64,
    lane_h: f64,
}

impl TimeAxis {
    fn x(&self, t: DateTime<Utc>) -> f64 {
        let s = (t.clamp(self.t0, self.t1) - self.t0).num_seconds() as f64;
        self.left + (self.right - self.left) * s / self.span
    }

    fn lane_y(&self, i: usize) -> f64 {
        self.top + self.lane_h * i as f64
    }

    /// The lines between the lanes and their labels.
    fn lanes(&self, chart: &mut Chart, lanes: usize) {
        for i in 0..=lanes {
            chart.grid.push(Tick {
                x: self.left,
                y: r1(self.lane_y(i)),
                label: String::new(),
            });
        }
        let words = std::iter::once("security defaults state").chain(FAMILIES.map(|f| f.1));
        for (i, label) in words.enumerate() {
            chart.ylabels.push(Tick {
                x: self.left - 8.0,
                y: r1(self.lane_y(i) + 17.0),
                label: label.to_owned(),
            });
        }
    }

    /// The security-defaults band: one segment per state, at most one change per pixel
    /// (the last one wins), so the band stays small however many changes there are.
    fn band(&self, chart: &mut Chart, changes: &[Change], start_state: &str) {
        let (t0, t1) = (self.t0, self.t1);
        let mut changes_sd: Vec<(DateTime<Utc>, String)> = changes
            .iter()
            .filter(|c| c.family == "security_defaults")
            .map(|c| (c.at.clamp(t0, t1), state_word(&c.new_state)))
            .collect();
        changes_sd.sort_by_key(|c| c.0);
        let mut points: Vec<(DateTime<Utc>, String)> = vec![(t0, state_word(start_state))];
        for (at, state) in changes_sd {
            let last = points.len() - 1;
            if self.x(points[last].0).round() == self.x(at).round() {
                if last > 0 || at == t0 {
                    points[last].1 = state;
                } else {
                    points.push((at, state));
                }
            } else if points[last].1 != state {
                points.push((at, state));
            }
        }
        points.dedup_by(|b, a| a.1 == b.1);
        for (i, (at, state)) in points.iter().enumerate() {
            let end = points.get(i + 1).map_or(t1, |p| p.0);
            let (x0, x1) = (self.x(*at), self.x(end));
            chart.rects.push(Rect::new(
                x0,
                self.lane_y(0) + 4.0,
                (x1 - x0).max(1.0),
                self.lane_h - 8.0,
                &format!("sd-{state}"),
                format!(
                    "security defaults {state} from {} to {}",
                    at.format("%Y-%m-%d %H:%M"),
                    end.format("%Y-%m-%d %H:%M")
                ),
            ));
            if x1 - x0 > 60.0 {
                chart.values.push(Tick {
                    x: r1(x0 + 6.0),
                    y: r1(self.lane_y(0) + 17.0),
                    label: state.clone(),
                });
            }
        }
    }

    /// Marks: per family and day, the number of changes (from `counts` where given, else
    /// from the listed `changes`), the first three in the tooltip.
    fn marks(&self, chart: &mut Chart, changes: &[Change], counts: &[DayCount]) {
        let mut per_day: BTreeMap<(usize, NaiveDate), (usize, Vec<&Change>)> = BTreeMap::new();
        let lane = |family: &str| FAMILIES.iter().position(|(name, _)| *name == family);
        for c in changes {
            if let Some(f) = lane(&c.family) {
                let e = per_day.entry((f, c.at.date_naive())).or_default();
                e.0 += 1;
                e.1.push(c);
            }
        }
        for d in counts {
            if let Some(f) = lane(&d.family) {
                let e = per_day.entry((f, d.date)).or_default();
                e.0 = e.0.max(d.changes as usize);
            }
        }
        for ((f, day), (n, list)) in &per_day {
            let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
            let xm = self.x(list.first().map_or(noon, |c| c.at));
            let what: Vec<String> = list
                .iter()
                .take(3)
                .map(|c| format!("{} {} ({})", c.at.format("%H:%M"), c.activity, c.target))
                .collect();
            let more = if *n > what.len() {
                format!("; and {} more", n - what.len())
            } else {
                String::new()
            };
            chart.rects.push(Rect::new(
                xm - 3.0,
                self.lane_y(f + 1) + 5.0,
                6.0,
                self.lane_h - 10.0,
                "mark",
                format!("{day}: {n} change(s): {}{more}", what.join("; ")),
            ));
            chart.values.push(Tick {
                x: r1(xm + 6.0),
                y: r1(self.lane_y(f + 1) + 17.0),
                label: n.to_string(),
            });
        }
    }
}

fn state_word(s: &str) -> String {
    match s {
        "on" | "off" => s.to_owned(),
        _ => "unknown".to_owned(),
    }
}
