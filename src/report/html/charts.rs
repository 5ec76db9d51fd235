//! The charts of the HTML report as geometry: every rectangle, tick and label computed
//! here, drawn by the template as inline SVG (so the text is escaped like any other value
//! and no script is needed to see a chart). Fills are CSS classes that pair a colour with
//! a pattern, and every chart has a legend with words, so it reads without colour. The
//! regime timeline is in `timeline.rs`.

use chrono::{Duration, NaiveDate};

/// The verdicts in stacking order (bottom to top), with their legend words.
pub const VERDICTS: [(&str, &str); 5] = [
    ("satisfied", "satisfied"),
    ("accepted", "accepted"),
    ("not_applicable", "not applicable"),
    ("unproven", "unproven"),
    ("violation", "violation"),
];

/// Most bars of the per-day chart; longer windows are grouped into buckets of days.
pub const MAX_COLUMNS: usize = 366;
/// Width of every chart (SVG user units; the SVG scales to the page).
pub const WIDTH: f64 = 920.0;

pub(super) fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A filled rectangle with its tooltip.
#[derive(Debug, Clone)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub class: String,
    pub title: String,
}

impl Rect {
    pub(super) fn new(x: f64, y: f64, w: f64, h: f64, class: &str, title: String) -> Rect {
        Rect {
            x: r1(x),
            y: r1(y),
            w: r1(w),
            h: r1(h),
            class: class.to_owned(),
            title,
        }
    }
}

/// A positioned axis or lane label.
#[derive(Debug, Clone)]
pub struct Tick {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

/// One legend entry: the fill class and its words.
#[derive(Debug, Clone)]
pub struct Legend {
    pub class: String,
    pub label: String,
}

/// A chart: its title, the query it draws, a text description (the SVG's accessible
/// name) and its parts. Vertical columns, horizontal bars and the timeline all use it.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub title: String,
    pub source: String,
    pub desc: String,
    pub width: f64,
    pub height: f64,
    pub rects: Vec<Rect>,
    /// Horizontal grid lines with their value labels (y axis).
    pub grid: Vec<Tick>,
    /// Labels under the x axis (anchored at their middle).
    pub xlabels: Vec<Tick>,
    /// Labels left of a bar or lane (anchored at their end).
    pub ylabels: Vec<Tick>,
    /// Labels after a bar or in a band (anchored at their start).
    pub values: Vec<Tick>,
    /// Left edge and right edge of the plot, bottom of the plot.
    pub left: f64,
    pub right: f64,
    pub bottom: f64,
    pub legend: Vec<Legend>,
    /// A sentence under the chart (grouping, caps).
    pub note: Option<String>,
    pub empty: bool,
    /// Bars too narrow for outlines (drawn without them).
    pub dense: bool,
}

pub(super) fn legend(entries: &[(&str, &str)]) -> Vec<Legend> {
    entries
        .iter()
        .map(|(class, label)| Legend {
            class: (*class).to_owned(),
            label: (*label).to_owned(),
        })
        .collect()
}

/// Verdict legend entries.
pub fn verdict_legend() -> Vec<Legend> {
    VERDICTS
        .iter()
        .map(|(v, label)| Legend {
            class: format!("v-{v}"),
            label: (*label).to_owned(),
        })
        .collect()
}

/// A step of 1, 2 or 5 × 10^k at least `x` (and at least 1).
fn nice_step(x: f64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if (step * m) as f64 >= x {
                return step * m;
            }
        }
        step *= 10;
    }
}

/// The plot area of the per-day chart: left, right, top, bottom.
const DAYS_PLOT: (f64, f64, f64, f64) = (64.0, WIDTH - 48.0, 12.0, 224.0);

/// The columns of the per-day chart: the days of the window in buckets of `bucket` days.
struct Days {
    from: NaiveDate,
    to: NaiveDate,
    bucket: usize,
    columns: usize,
}

impl Days {
    fn new(from: NaiveDate, to: NaiveDate) -> Days {
        let days = (to - from).num_days() as usize + 1;
        let bucket = days.div_ceil(MAX_COLUMNS);
        Days {
            from,
            to,
            bucket,
            columns: days.div_ceil(bucket),
        }
    }

    /// The first day of column `i`.
    fn start(&self, i: usize) -> NaiveDate {
        self.from + Duration::days((i * self.bucket) as i64)
    }

    /// The day or days of column `i`, for its tooltip.
    fn label(&self, i: usize) -> String {
        let start = self.start(i);
        if self.bucket == 1 {
            start.format("%Y-%m-%d").to_string()
        } else {
            let end = (start + Duration::days(self.bucket as i64 - 1)).min(self.to);
            format!("{} to {}", start.format("%Y-%m-%d"), end.format("%Y-%m-%d"))
        }
    }

    /// The sign-ins of each column by verdict (`rows`: date, verdict, sign-ins).
    fn counts(&self, rows: &[(String, String, u64)]) -> Vec<[u64; 5]> {
        let mut counts = vec![[0u64; 5]; self.columns];
        for (date, verdict, n) in rows {
            let (Ok(d), Some(v)) = (
                NaiveDate::parse_from_str(date, "%Y-%m-%d"),
                VERDICTS.iter().position(|(name, _)| name == verdict),
            ) else {
                continue;
            };
            if d < self.from || d > self.to {
                continue;
            }
            counts[(d - self.from).num_days() as usize / self.bucket][v] += n;
        }
        counts
    }
}

/// Sign-ins per day stacked by verdict: one column per day of `window` (days without
/// sign-ins are visible as gaps), grouped into buckets when the window is long.
pub fn per_day(
    title: &str,
    source: &str,
    rows: &[(String, String, u64)],
    window: Option<(NaiveDate, NaiveDate)>,
) -> Chart {
    let mut chart = Chart {
        title: title.to_owned(),
        source: source.to_owned(),
        width: WIDTH,
        height: 260.0,
        legend: verdict_legend(),
        ..Chart::default()
    };
    let Some((from, to)) = window.filter(|(f, t)| f <= t) else {
        chart.empty = true;
        chart.desc = "No sign-ins in the window.".into();
        return chart;
    };
    let days = Days::new(from, to);
    let counts = days.counts(rows);
    day_columns(&mut chart, &days, &counts);
    let (left, right, _, bottom) = DAYS_PLOT;
    let slot = (right - left) / days.columns as f64;
    let labels = days.columns.min(7);
    let mut last = usize::MAX;
    for j in 0..labels {
        let i = if labels == 1 {
            0
        } else {
            j * (days.columns - 1) / (labels - 1)
        };
        if i == last {
            continue;
        }
        last = i;
        chart.xlabels.push(Tick {
            x: r1(left + slot * (i as f64 + 0.5)),
            y: bottom + 18.0,
            label: days.start(i).format("%Y-%m-%d").to_string(),
        });
    }
    let total: u64 = counts.iter().flatten().sum();
    let empty_days = counts.iter().filter(|c| c.iter().sum::<u64>() == 0).count();
    let n_days = (to - from).num_days() + 1;
    chart.desc = format!(
        "{total} sign-ins over {n_days} day(s) from {from} to {to}; {empty_days} column(s) without sign-ins."
    );
    if days.bucket > 1 {
        chart.note = Some(format!("Each column is {} days.", days.bucket));
    }
    (chart.left, chart.right, chart.bottom) = (left, right, bottom);
    chart
}

/// The grid and the stacked columns of the per-day chart.
fn day_columns(chart: &mut Chart, days: &Days, counts: &[[u64; 5]]) {
    let (left, right, top, bottom) = DAYS_PLOT;
    let max = counts
        .iter()
        .map(|c| c.iter().sum::<u64>())
        .max()
        .unwrap_or(0);
    let step = nice_step(max as f64 / 4.0);
    let ymax = (step * max.div_ceil(step)).max(step) as f64;
    let y = |v: f64| bottom - (bottom - top) * v / ymax;
    let mut v = 0;
    while v as f64 <= ymax {
        chart.grid.push(Tick {
            x: left,
            y: r1(y(v as f64)),
            label: super::table::grouped(v),
        });
        v += step;
    }
    let slot = (right - left) / days.columns as f64;
    chart.dense = slot < 6.0;
    let bar = (slot * 0.8).max(0.5);
    for (i, c) in counts.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut acc = 0u64;
        for (k, n) in c.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let (lo, hi) = (y(acc as f64), y((acc + n) as f64));
            acc += n;
            let (verdict, words) = VERDICTS[k];
            chart.rects.push(Rect::new(
                x,
                hi,
                bar,
                lo - hi,
                &format!("v-{verdict}"),
                format!("{}: {n} {words}", days.label(i)),
            ));
        }
        if acc == 0 {
            chart.values.push(Tick {
                x: r1(x + bar / 2.0),
                y: bottom - 4.0,
                label: "0".into(),
            });
        }
    }
}

/// One bar of a bar chart: its label and its segments (value, fill class, words).
pub struct BarRow {
    pub label: String,
    pub segments: Vec<(u64, String, String)>,
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Horizontal bars, one per row, segments stacked left to right, the total after each.
pub fn bars(title: &str, source: &str, rows: Vec<BarRow>, legend_of: &[(&str, &str)]) -> Chart {
    let (left, right, row_h) = (300.0, WIDTH - 90.0, 24.0);
    let mut chart = Chart {
        title: title.to_owned(),
        source: source.to_owned(),
        width: WIDTH,
        height: (rows.len().max(1) as f64) * row_h + 8.0,
        legend: legend(legend_of),
        left,
        right,
        ..Chart::default()
    };
    let max = rows
        .iter()
        .map(|r| r.segments.iter().map(|s| s.0).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut desc = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let top = 4.0 + row_h * i as f64;
        chart.ylabels.push(Tick {
            x: left - 8.0,
            y: r1(top + 16.0),
            label: shorten(&row.label, 44),
        });
        let mut x = left;
        let mut total = 0;
        for (n, class, words) in &row.segments {
            if *n == 0 {
                continue;
            }
            let w = (right - left) * *n as f64 / max;
            chart.rects.push(Rect::new(
                x,
                top + 3.0,
                w.max(1.0),
                row_h - 6.0,
                class,
                format!("{}: {n} {words}", row.label),
            ));
            x += w.max(1.0);
            total += n;
        }
        chart.values.push(Tick {
            x: r1(x + 6.0),
            y: r1(top + 16.0),
            label: super::table::grouped(total),
        });
        desc.push(format!("{} {total}", row.label));
    }
    chart.empty = rows.is_empty();
    chart.desc = if rows.is_empty() {
        "Nothing to show.".into()
    } else {
        desc.join("; ")
    };
    chart
}
