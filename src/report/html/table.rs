//! Tables of the HTML report: rows of a figure with their row type's columns, capped so
//! the page stays small, naming where the rest is.

use crate::report::cell::{self, Row};
use crate::report::figures::Figure;

/// Columns holding vocabulary words (classes, verdicts, event types), kept whole.
const WORD_COLUMNS: [&str; 11] = [
    "event_type",
    "user_type",
    "class",
    "verdict",
    "family",
    "special",
    "kind",
    "provisional",
    "security_defaults",
    "status",
    "covered",
];

/// One cell: its text and its CSS class: `num` (right-aligned, sorted numerically),
/// `time` (a timestamp: its date in `text`, the rest in `tail`, so it wraps only between
/// the two), `hash` (a SHA-256, broken anywhere), `word` (a vocabulary word such as a
/// class or verdict, never broken) or none (long text, broken anywhere if need be).
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub tail: String,
    pub class: &'static str,
}

impl Cell {
    /// A cell from a report value (null → empty; a list → its items joined).
    pub fn of(v: cell::Cell<'_>) -> Cell {
        match v {
            cell::Cell::Int(_) | cell::Cell::Float(_) => Cell {
                text: v.text().into_owned(),
                tail: String::new(),
                class: "num",
            },
            other => Cell::text(&other.text()),
        }
    }
    /// A text cell, its class from its shape.
    pub fn text(s: &str) -> Cell {
        let b = s.as_bytes();
        if b.len() >= 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && s.is_char_boundary(10)
        {
            return Cell {
                text: s[..10].to_owned(),
                tail: s[10..].to_owned(),
                class: "time",
            };
        }
        let hash = b.len() == 64 && b.iter().all(u8::is_ascii_hexdigit);
        Cell {
            text: s.to_owned(),
            tail: String::new(),
            class: if hash { "hash" } else { "" },
        }
    }
}

/// A table with its caption, its source (a query file or `manifest.json`) and a note when
/// rows were left out.
#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub source: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows the figure has in total (shown or not).
    pub total: usize,
    /// Where the rows left out are, when some were.
    pub more: Option<String>,
    pub sortable: bool,
    /// With a filter box (shown by the optional script) that hides rows without the words.
    pub filterable: bool,
    /// Shown folded (`<details>`): long tables the headline does not need.
    pub folded: bool,
}

impl Table {
    /// The first `cap` of `rows` with their columns; `rest` names where the others are.
    pub fn new<R: Row>(caption: &str, source: &str, rows: &[&R], cap: usize, rest: &str) -> Table {
        let shown: Vec<Vec<Cell>> = rows
            .iter()
            .take(cap)
            .map(|r| {
                R::COLUMNS
                    .iter()
                    .zip(r.cells())
                    .map(|(c, v)| {
                        let mut cell = Cell::of(v);
                        if cell.class.is_empty() && WORD_COLUMNS.contains(c) {
                            cell.class = "word";
                        }
                        cell
                    })
                    .collect()
            })
            .collect();
        let more = (rows.len() > shown.len()).then(|| {
            let all = grouped(rows.len() as u64);
            format!(
                "{} of {all} rows shown; all {all} are in {rest}.",
                shown.len()
            )
        });
        Table {
            caption: caption.to_owned(),
            source: source.to_owned(),
            columns: R::COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            rows: shown,
            total: rows.len(),
            more,
            sortable: false,
            filterable: false,
            folded: false,
        }
    }

    /// The rows of figure `fig`, sourced from its query; when report.json lists only the
    /// figure's first rows, the rest are in its `rows_file`.
    pub fn of_figure<R: Row>(caption: &str, fig: &Figure<R>, cap: usize) -> Table {
        let (total, rest) = whole(fig);
        let rows: Vec<&R> = fig.rows.iter().collect();
        Table::new(caption, &fig.query, &rows, cap, "report.json").of_total(total, rest)
    }

    /// Says the rows shown are of `total` rows, all in `rest` (when more than shown).
    pub fn of_total(mut self, total: usize, rest: &str) -> Table {
        if total > self.total {
            let all = grouped(total as u64);
            self.more = Some(format!(
                "{} of {all} rows shown; all {all} are in {rest}.",
                self.rows.len()
            ));
            self.total = total;
        }
        self
    }

    /// Shows the table folded.
    pub fn folded(mut self) -> Table {
        self.folded = true;
        self
    }

    /// Makes the table sortable by a click on a column header (the optional script).
    pub fn sortable(mut self) -> Table {
        self.sortable = true;
        self
    }

    /// Makes the table sortable and filterable: the optional script shows a filter box
    /// that keeps the rows holding every word typed.
    pub fn filterable(mut self) -> Table {
        self.sortable = true;
        self.filterable = true;
        self
    }
}

/// How many rows figure `fig` has in all and the file holding them all: its `rows_file`
/// when report.json leaves some out, else report.json.
pub fn whole<R>(fig: &Figure<R>) -> (usize, &str) {
    let (total, file) = fig.extent();
    (total, file.unwrap_or("report.json"))
}

/// An integer with thousands separators, for the headline.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::cell::table;

    struct Line {
        a: u64,
        b: String,
    }
    table!(Line: a, b);

    #[test]
    fn caps_rows_and_says_where_the_rest_is() {
        let lines: Vec<Line> = (0..5).map(|a| Line { a, b: "x".into() }).collect();
        let rows: Vec<&Line> = lines.iter().collect();
        let t = Table::new("t", "queries/q.sql", &rows, 3, "findings.csv");
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.total, 5);
        assert_eq!((t.rows[0][0].class, t.rows[0][1].class), ("num", ""));
        let c = Cell::text("2026-11-01T08:00:00.000000Z");
        assert_eq!(
            (c.class, &*c.text, &*c.tail),
            ("time", "2026-11-01", "T08:00:00.000000Z")
        );
        assert_eq!(Cell::text(&"ab".repeat(32)).class, "hash");
        let formats = vec!["graph".to_owned(), "csv".to_owned()];
        assert_eq!(Cell::of(cell::Cell::List(&formats)).text, "graph, csv");
        assert_eq!(
            t.more.as_deref(),
            Some("3 of 5 rows shown; all 5 are in findings.csv.")
        );
        assert!(Table::new("t", "q", &rows, 5, "x").more.is_none());
        let t = Table::new("t", "q", &rows, 5, "x").of_total(12_000, "accounts.csv");
        assert_eq!(
            (t.total, t.more.as_deref()),
            (
                12_000,
                Some("5 of 12,000 rows shown; all 12,000 are in accounts.csv.")
            )
        );
        let mut fig = Figure::whole("q".into(), lines);
        assert_eq!(whole(&fig), (5, "report.json"));
        fig.rows_total = Some(9);
        fig.rows_file = Some("f.csv".into());
        assert_eq!(whole(&fig), (9, "f.csv"));
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1234), "1,234");
        assert_eq!(grouped(10_000_000), "10,000,000");
    }
}
