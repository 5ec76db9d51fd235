//! The report's CSV files (`findings.csv` and the long figures' tables): one writer that
//! names its file in every error and neutralises formula injection in every cell.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::escape;
use crate::report::{Error, Result};

/// A CSV file being written, its header already out.
pub struct CsvOut<'a> {
    path: &'a Path,
    w: csv::Writer<BufWriter<File>>,
}

impl<'a> CsvOut<'a> {
    /// Creates `path` and writes `header`.
    pub fn create(path: &'a Path, header: &[String]) -> Result<CsvOut<'a>> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut out = CsvOut {
            path,
            w: csv::Writer::from_writer(BufWriter::new(file)),
        };
        out.w.write_record(header).map_err(|e| out.error(e))?;
        Ok(out)
    }

    /// Writes one row, each cell through `escape::csv_cell`.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> Result<()> {
        let cells = cells.into_iter().map(|c| escape::csv_cell(c.as_ref()));
        self.w.write_record(cells).map_err(|e| self.error(e))
    }

    /// Flushes the file.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        let mut inner = self
            .w
            .into_inner()
            .map_err(|e| Error::io(path, e.into_error()))?;
        inner.flush().map_err(|e| Error::io(path, e))
    }

    fn error(&self, e: csv::Error) -> Error {
        Error::io(self.path, std::io::Error::other(e.to_string()))
    }
}
