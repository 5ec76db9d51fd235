//! What a table of the report shows: a row type names its columns once (`Row`), each a
//! field of the struct, and hands its cells to the renderers, which escape them as their
//! format needs. `report.md` and `report.html` show the same columns of the same rows.

use std::borrow::Cow;

/// A value as a table shows it, before a renderer escapes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// A null: an empty cell.
    Empty,
    Text(&'a str),
    Int(u64),
    /// A finite float (a non-finite one is `Empty`, as in `report.json`).
    Float(f64),
    Bool(bool),
    List(&'a [String]),
}

impl<'a> Cell<'a> {
    /// The text of the cell: numbers as `report.json` writes them, a list's items joined
    /// by ", ".
    pub fn text(self) -> Cow<'a, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Float(x) => Cow::Owned(
                serde_json::Number::from_f64(x).map_or_else(String::new, |n| n.to_string()),
            ),
            Cell::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
            Cell::List(items) => Cow::Owned(items.join(", ")),
        }
    }
}

/// A field as a cell.
pub trait AsCell {
    fn cell(&self) -> Cell<'_>;
}

impl AsCell for String {
    fn cell(&self) -> Cell<'_> {
        Cell::Text(self)
    }
}

impl AsCell for &str {
    fn cell(&self) -> Cell<'_> {
        Cell::Text(self)
    }
}

impl AsCell for u64 {
    fn cell(&self) -> Cell<'_> {
        Cell::Int(*self)
    }
}

impl AsCell for f64 {
    fn cell(&self) -> Cell<'_> {
        if self.is_finite() {
            Cell::Float(*self)
        } else {
            Cell::Empty
        }
    }
}

impl AsCell for bool {
    fn cell(&self) -> Cell<'_> {
        Cell::Bool(*self)
    }
}

impl AsCell for Vec<String> {
    fn cell(&self) -> Cell<'_> {
        Cell::List(self)
    }
}

impl<T: AsCell> AsCell for Option<T> {
    fn cell(&self) -> Cell<'_> {
        self.as_ref().map_or(Cell::Empty, AsCell::cell)
    }
}

/// A row type shown as a table: its columns, in order, and their cells.
pub trait Row {
    /// The column names (each a field of the row, as `report.json` names it).
    const COLUMNS: &'static [&'static str];
    /// The cells of `COLUMNS`, in order.
    fn cells(&self) -> Vec<Cell<'_>>;
}

/// Implements `Row` for a struct from the fields a table shows, in order: a column is a
/// field, so a misspelt column does not compile.
macro_rules! table {
    ($row:ty: $($field:ident),+ $(,)?) => {
        impl $crate::report::cell::Row for $row {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];
            fn cells(&self) -> Vec<$crate::report::cell::Cell<'_>> {
                use $crate::report::cell::AsCell;
                vec![$(self.$field.cell()),+]
            }
        }
    };
}
pub(crate) use table;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_report_json_writes_them() {
        assert_eq!(Cell::Int(12).text(), "12");
        assert_eq!(Cell::Float(1.0).text(), "1.0");
        assert_eq!(Cell::Float(0.3333).text(), "0.3333");
        assert_eq!(f64::NAN.cell(), Cell::Empty);
        assert_eq!(Cell::Bool(false).text(), "false");
        assert_eq!(None::<String>.cell().text(), "");
        let list = vec!["graph".to_owned(), "csv".to_owned()];
        assert_eq!(list.cell().text(), "graph, csv");
    }
}
