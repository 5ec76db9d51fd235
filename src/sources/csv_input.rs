//! Streaming CSV plumbing shared by the Log Analytics and portal readers: one row at a time
//! with its starting line number and its raw bytes (for quarantine), and header lookup by
//! normalised title.

use std::io::{self, BufRead, Read};

use csv::{ByteRecord, StringRecord};

use crate::sources::{Error, Result};

/// Bytes kept before the current row are dropped once they exceed this, so the capture
/// buffer stays around one CSV read-ahead block plus the longest row.
const CAPTURE_SLACK: usize = 64 * 1024;

/// Copies everything the CSV parser reads so a rejected row can be quarantined byte for
/// byte (the csv crate only hands out parsed fields).
struct Capture<'a> {
    inner: &'a mut dyn BufRead,
    /// Stream offset of `buf[0]`.
    base: u64,
    buf: Vec<u8>,
}

impl Read for Capture<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.buf.extend_from_slice(&out[..n]);
        Ok(n)
    }
}

impl Capture<'_> {
    fn slice(&self, start: u64, end: u64) -> &[u8] {
        let from = usize::try_from(start.saturating_sub(self.base)).unwrap_or(usize::MAX);
        let to = usize::try_from(end.saturating_sub(self.base)).unwrap_or(usize::MAX);
        let to = to.min(self.buf.len());
        self.buf.get(from.min(to)..to).unwrap_or_default()
    }

    fn forget_before(&mut self, offset: u64) {
        let n = usize::try_from(offset.saturating_sub(self.base)).unwrap_or(usize::MAX);
        if n > CAPTURE_SLACK {
            let n = n.min(self.buf.len());
            self.buf.drain(..n);
            self.base += n as u64;
        }
    }
}

/// A header title as both readers compare it: trimmed, inner white space collapsed to one
/// space, lower case, and without the ` [UTC]` suffix the portal's "Export to CSV" adds.
pub fn normalise_header(title: &str) -> String {
    let collapsed = title
        .trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    match collapsed.strip_suffix("[utc]") {
        Some(rest) => rest.trim_end().to_string(),
        None => collapsed,
    }
}

/// The normalised header row; lookups return the first column with a title, so a
/// repeated title ("Incoming token type" twice) resolves by position.
pub struct Header {
    names: Vec<String>,
}

impl Header {
    /// Normalises raw header titles.
    pub fn new<'a>(titles: impl IntoIterator<Item = &'a str>) -> Header {
        Header {
            names: titles.into_iter().map(normalise_header).collect(),
        }
    }

    /// A header whose titles are already normalised (JSON rows' member names).
    pub fn from_normalised(names: Vec<String>) -> Header {
        Header { names }
    }

    /// Index of the first column titled `name` (already normalised).
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Index of the first column matching any of `names`, in the order given.
    pub fn index_any(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.index(n))
    }

    /// The normalised titles.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// One data row: the 1-based line it starts on, its raw bytes (without the line terminator)
/// and its fields, or why they could not be decoded.
pub struct Row<'r> {
    pub line: u64,
    pub raw: &'r [u8],
    pub fields: std::result::Result<&'r StringRecord, String>,
}

/// Reads `input` as CSV with a header row and calls `on_row` for each data row. `on_header`
/// runs once and may refuse the file. An I/O or CSV syntax failure ends the file with
/// `Error::Input`; a row that is not UTF-8 reaches `on_row` as an `Err` naming the column.
pub fn read_rows<H>(
    file: &str,
    input: &mut dyn BufRead,
    on_header: impl FnOnce(Header) -> Result<H>,
    mut on_row: impl FnMut(&mut H, Row<'_>) -> Result<()>,
) -> Result<H> {
    let input_error = |e: csv::Error| Error::Input {
        file: file.to_string(),
        reason: e.to_string(),
    };
    let capture = Capture {
        inner: input,
        base: 0,
        buf: Vec::new(),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(capture);
    let mut bytes = ByteRecord::new();
    if !rdr.read_byte_record(&mut bytes).map_err(input_error)? {
        return Err(Error::Input {
            file: file.to_string(),
            reason: "empty file: no header row".to_string(),
        });
    }
    let titles: Vec<String> = bytes
        .iter()
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .collect();
    let mut state = on_header(Header::new(titles.iter().map(String::as_str)))?;
    loop {
        let start = rdr.position().byte();
        if !rdr.read_byte_record(&mut bytes).map_err(input_error)? {
            break;
        }
        let end = rdr.position().byte();
        // A CRLF terminator leaves its LF for the next read, and blank lines are skipped
        // inside the read: the row starts after them, and so does its line.
        let raw_all = rdr.get_ref().slice(start, end);
        let lead = raw_all
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .count();
        let skipped_lines = raw_all[..lead].iter().filter(|b| **b == b'\n').count();
        let raw = trim_terminator(&raw_all[lead..]);
        let line = bytes.position().map_or(0, |p| p.line()) + skipped_lines as u64;
        // Moved, not cloned: the hot path allocates nothing per row.
        bytes = match StringRecord::from_byte_record(std::mem::take(&mut bytes)) {
            Ok(record) => {
                let fields = Ok(&record);
                on_row(&mut state, Row { line, raw, fields })?;
                record.into_byte_record()
            }
            Err(e) => {
                let column = titles
                    .get(e.utf8_error().field())
                    .map_or("?", String::as_str);
                let fields = Err(format!("column {column:?} is not valid UTF-8"));
                on_row(&mut state, Row { line, raw, fields })?;
                e.into_byte_record()
            }
        };
        rdr.get_mut().forget_before(end);
    }
    Ok(state)
}

/// The cell at `index` of `fields`, or `""` when the row is short or the column absent.
pub fn cell(fields: &StringRecord, index: Option<usize>) -> &str {
    index.and_then(|i| fields.get(i)).unwrap_or("")
}

/// A plain text cell; blank is `None` (Entra writes `""` for "no value").
pub fn text_cell(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.to_string())
}

fn trim_terminator(raw: &[u8]) -> &[u8] {
    let mut end = raw.len();
    while end > 0 && matches!(raw[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &raw[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_titles_normalise() {
        assert_eq!(normalise_header("Application ID "), "application id");
        assert_eq!(
            normalise_header("Autonomous  system number"),
            "autonomous system number"
        );
        assert_eq!(normalise_header("CreatedDateTime [UTC]"), "createddatetime");
        assert_eq!(normalise_header("\u{feff}Date (UTC)"), "date (utc)");
        let h = Header::new(["Incoming token type", "User", " incoming  token TYPE "]);
        assert_eq!(
            h.index("incoming token type"),
            Some(0),
            "a repeated title resolves to its first column"
        );
        assert_eq!(h.index_any(&["nope", "user"]), Some(1));
    }

    /// Every row with its line, raw text and first cell.
    fn rows(input: &[u8]) -> (Vec<String>, Vec<(u64, String, String)>) {
        let mut reader: &[u8] = input;
        let out = read_rows(
            "t.csv",
            &mut reader,
            |h| Ok((h.names().to_vec(), Vec::new())),
            |(_, seen), row| {
                let first = row
                    .fields
                    .map(|f| cell(f, Some(0)).to_string())
                    .unwrap_or_else(|e| e);
                seen.push((
                    row.line,
                    String::from_utf8_lossy(row.raw).into_owned(),
                    first,
                ));
                Ok(())
            },
        )
        .unwrap();
        (out.0, out.1)
    }

    #[test]
    fn bom_crlf_and_multiline_cells_keep_lines_and_raw_bytes() {
        let (header, seen) = rows(b"\xef\xbb\xbfa,b\r\n1,2\r\n\"x\r\ny\",3\r\n\r\n4,5\r\n");
        assert_eq!(header, ["a", "b"]);
        assert_eq!(
            seen,
            [
                (2, "1,2".to_string(), "1".to_string()),
                (3, "\"x\r\ny\",3".to_string(), "x\r\ny".to_string()),
                (6, "4,5".to_string(), "4".to_string()),
            ]
        );
    }

    #[test]
    fn lf_blank_line_no_final_newline_and_invalid_utf8() {
        let (_, seen) = rows(b"a,b\n1,\xff\n\n3,4");
        assert_eq!(seen[0].0, 2);
        assert_eq!(seen[0].2, "column \"b\" is not valid UTF-8");
        assert_eq!(
            seen[1],
            (4, "3,4".to_string(), "3".to_string()),
            "after a blank line"
        );
    }

    #[test]
    fn empty_input_is_an_input_error() {
        let mut reader: &[u8] = b"";
        let err = read_rows("e.csv", &mut reader, |_| Ok(()), |_, _| Ok(())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "e.csv: cannot read input: empty file: no header row"
        );
    }

    #[test]
    fn raw_bytes_stay_right_after_the_capture_buffer_is_trimmed() {
        let mut text = String::from("a\n");
        for i in 0..50_000 {
            text.push_str(&format!("row-{i}\n"));
        }
        let (_, seen) = rows(text.as_bytes());
        assert_eq!(seen.len(), 50_000);
        assert_eq!(
            seen[49_999],
            (50_001, "row-49999".to_string(), "row-49999".to_string())
        );
    }
}
