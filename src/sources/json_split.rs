//! A streaming splitter that cuts JSON input into record-sized pieces without parsing them:
//! JSON Lines, top-level arrays, and the `value` (Graph page) or `records` (Azure Monitor)
//! array of a top-level object, holding at most one piece in memory.
//!
//! The layout is decided by the first value: if it ends on its first line the input is JSON
//! Lines and every line stands alone (a broken line cannot swallow the next one); otherwise
//! it is a pretty-printed document and newlines are only white space. A newline inside a
//! string of the first value means its line was cut, so that too is JSON Lines.

use std::io::{self, BufRead};

/// A piece larger than this is not a log record; stop rather than buffer the whole input.
const MAX_PIECE: usize = 64 << 20;

/// One piece of input and where it came from.
#[derive(Debug)]
pub struct Piece<'a> {
    /// The raw bytes: a whole line for JSON Lines, else the value's own bytes.
    pub bytes: &'a [u8],
    /// The 1-based line the piece starts on (top-level values) or the 1-based element
    /// index, counted across all arrays of the input (array and `value`/`records` elements).
    pub no: u64,
    /// Whether the piece is an element of an array rather than a top-level value.
    pub element: bool,
    /// Whether the value closed before the input (or, for JSON Lines, the line) ended;
    /// `None` for a whole JSON Lines line taken on the fast path, where [`Piece::complete`]
    /// works it out only if asked (it seldom is: a terminated line that did not close fails
    /// to parse anyway).
    pub closed: Option<bool>,
    /// The piece runs to the end of the input with no newline after it: the last line of
    /// a blob that may still be being written.
    pub unterminated: bool,
}

impl Piece<'_> {
    /// `false` when the input (or, for JSON Lines, the line) ended inside the value.
    pub fn complete(&self) -> bool {
        self.closed.unwrap_or_else(|| object_closes(self.bytes))
    }
}

/// Whether the object `line` starts with closes within it: the scanner's own string and
/// nesting rules, run over the line.
fn object_closes(line: &[u8]) -> bool {
    let mut scan = Scan::new();
    line.iter().any(|&b| scan.track(b))
}

/// Whether a JSON Lines line may hold a `"value": [` or `"records": [` key, i.e. may be a
/// page whose elements are the records. Conservative: a false alarm only sends the line
/// through the byte-by-byte scanner, which decides exactly.
///
/// It looks back from each `[` (one `memchr` pass over the line; a record has a few
/// arrays) rather than searching the line for each key: two substring passes over every
/// line cost more than the rest of the splitting.
fn may_be_page(line: &[u8]) -> bool {
    memchr::memchr_iter(b'[', line).any(|at| {
        let before = trim_blanks_end(&line[..at]);
        match before.split_last() {
            Some((b':', key)) => {
                let key = trim_blanks_end(key);
                key.ends_with(b"\"value\"") || key.ends_with(b"\"records\"")
            }
            _ => false,
        }
    })
}

fn trim_blanks_end(bytes: &[u8]) -> &[u8] {
    let kept = bytes
        .iter()
        .rposition(|b| !is_blank(*b))
        .map_or(0, |i| i + 1);
    &bytes[..kept]
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At top level, between values.
    Between,
    /// Buffering a top-level object that may turn out to be a page.
    TopObject,
    /// A top-level object has closed on a JSON Lines line; keep the rest of that line.
    TopTail,
    /// A top-level value that is not an object or array: runs to the end of its line.
    TopScalar,
    /// Inside an array, before an element, a `,` or the closing `]`.
    Gap { page: bool },
    /// Buffering an element that is an object, array or string.
    Element { page: bool },
    /// Buffering a number or literal element.
    ElementScalar { page: bool },
    /// After a page's array: skip the rest of the page object unbuffered.
    PageTail,
}

/// Progress on recognising `"value": [` or `"records": [` at depth 1 of a top-level object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyPhase {
    None,
    /// A depth-1 string in key position is being read; it started at this buffer offset.
    InKey(usize),
    /// The key was `value` or `records`.
    Matched,
    /// ... and its `:` was seen.
    Colon,
}

/// Splits a `BufRead` into [`Piece`]s; see the module doc.
pub struct JsonSplitter<R> {
    input: R,
    bom_checked: bool,
    /// Bytes of the input a fast-path piece lent out, consumed at the next call.
    lent: usize,
    scan: Scan,
}

/// The splitter's state, apart from its input so both can be borrowed at once.
struct Scan {
    buf: Vec<u8>,
    state: State,
    /// The 1-based line of the next byte to be read.
    line: u64,
    elements: u64,
    /// `None` until the first top-level value ends; then whether the input is JSON Lines.
    line_mode: Option<bool>,
    depth: u32,
    in_string: bool,
    escape: bool,
    expect_key: bool,
    key: KeyPhase,
    piece_no: u64,
    piece_element: bool,
    unclosed: bool,
    /// Whether the first top-level value has begun (blank lines before it decide nothing).
    started: bool,
}

/// What one byte did to the current piece.
enum Step {
    /// The byte was taken; the piece goes on.
    Continue,
    /// The byte was taken and ended the piece.
    Emit { complete: bool },
    /// The piece ended just before this byte, which is left for the next state.
    EmitBefore,
}

impl<R: BufRead> JsonSplitter<R> {
    /// A splitter over `input`.
    pub fn new(input: R) -> JsonSplitter<R> {
        JsonSplitter {
            input,
            bom_checked: false,
            lent: 0,
            scan: Scan::new(),
        }
    }

    /// The first significant byte (after a UTF-8 BOM and white space) without consuming
    /// it; `None` for an empty or blank input. Call it before the first `next_piece`.
    pub fn peek_start(&mut self) -> io::Result<Option<u8>> {
        self.skip_bom()?;
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                return Ok(None);
            }
            match chunk.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => return Ok(Some(chunk[i])),
                None => {
                    let n = chunk.len();
                    self.scan.line += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
                    self.input.consume(n);
                }
            }
        }
    }

    /// Whether an array or page object was left open: the input was cut (a cut inside an
    /// element also shows as an incomplete piece).
    pub fn left_unclosed(&self) -> bool {
        self.scan.unclosed
    }

    /// The next piece, or `None` at the end of the input.
    pub fn next_piece(&mut self) -> io::Result<Option<Piece<'_>>> {
        self.input.consume(std::mem::take(&mut self.lent));
        self.skip_bom()?;
        self.scan.buf.clear();
        if self.scan.line_mode == Some(true) && self.scan.state == State::Between {
            // JSON Lines: a line that is one object, not a page, and wholly in the read
            // buffer is the piece as it stands, lent out without scanning or copying it.
            let chunk = self.input.fill_buf()?;
            let line_end = match chunk.first() {
                Some(b'{') => memchr::memchr(b'\n', chunk).filter(|&e| !may_be_page(&chunk[..e])),
                _ => None,
            };
            if let Some(end) = line_end {
                self.lent = end + 1;
                let no = self.scan.line;
                self.scan.line += 1;
                // The same buffered bytes again (nothing was consumed), borrowed for the
                // piece's lifetime.
                let chunk = self.input.fill_buf()?;
                return Ok(Some(Piece {
                    bytes: &chunk[..end],
                    no,
                    element: false,
                    closed: None,
                    unterminated: false,
                }));
            }
        }
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(self.scan.finish());
            }
            let (used, emit) = self.scan.feed(chunk);
            self.input.consume(used);
            if self.scan.buf.len() > MAX_PIECE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "the JSON value at record {} is larger than {} MiB",
                        self.scan.piece_no,
                        MAX_PIECE >> 20
                    ),
                ));
            }
            if let Some(complete) = emit {
                return Ok(Some(self.scan.piece(complete, false)));
            }
        }
    }

    fn skip_bom(&mut self) -> io::Result<()> {
        if !self.bom_checked {
            // Readers hand out far more than 3 bytes at a time, so the BOM is never split.
            if self.input.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
                self.input.consume(3);
            }
            self.bom_checked = true;
        }
        Ok(())
    }
}

impl Scan {
    /// The state at the start of an input.
    fn new() -> Scan {
        Scan {
            buf: Vec::new(),
            state: State::Between,
            line: 1,
            elements: 0,
            line_mode: None,
            depth: 0,
            in_string: false,
            escape: false,
            expect_key: false,
            key: KeyPhase::None,
            piece_no: 0,
            piece_element: false,
            unclosed: false,
            started: false,
        }
    }

    /// Feeds bytes until a piece ends; how many bytes were used, and whether a piece
    /// ended (and was complete).
    fn feed(&mut self, chunk: &[u8]) -> (usize, Option<bool>) {
        let mut used = 0;
        while used < chunk.len() {
            if self.in_string && !self.escape {
                // Most bytes are string content: take the run up to the next byte that
                // matters in one go.
                let rest = &chunk[used..];
                let n = memchr::memchr3(b'"', b'\\', b'\n', rest).unwrap_or(rest.len());
                if self.state != State::PageTail {
                    self.buf.extend_from_slice(&rest[..n]);
                }
                used += n;
                if used == chunk.len() {
                    break;
                }
            }
            match self.step(chunk[used]) {
                Step::Continue => used += 1,
                Step::Emit { complete } => return (used + 1, Some(complete)),
                Step::EmitBefore => return (used, Some(true)),
            }
        }
        (used, None)
    }

    fn piece(&self, complete: bool, unterminated: bool) -> Piece<'_> {
        Piece {
            bytes: &self.buf,
            no: self.piece_no,
            element: self.piece_element,
            closed: Some(complete),
            unterminated,
        }
    }

    /// End of input: hands out what was being buffered and notes open containers.
    fn finish(&mut self) -> Option<Piece<'_>> {
        let state = std::mem::replace(&mut self.state, State::Between);
        self.in_string = false;
        let complete = match state {
            State::Between => return None,
            State::Gap { .. } | State::PageTail => {
                self.unclosed = true;
                return None;
            }
            State::TopObject => false,
            State::Element { .. } | State::ElementScalar { .. } => {
                self.unclosed = true;
                false
            }
            State::TopTail | State::TopScalar => true,
        };
        Some(self.piece(complete, true))
    }

    fn start_piece(&mut self, no: u64, element: bool) {
        self.piece_no = no;
        self.piece_element = element;
        self.depth = 0;
        self.in_string = false;
        self.escape = false;
    }

    /// Leaves whatever was open because a JSON Lines line ended.
    fn end_line(&mut self, open_container: bool) {
        self.state = State::Between;
        self.in_string = false;
        self.escape = false;
        self.unclosed |= open_container;
    }

    /// Feeds one byte (string runs are handled by `next_piece`).
    fn step(&mut self, b: u8) -> Step {
        if b == b'\n' {
            let step = self.newline();
            self.line += 1;
            return step;
        }
        match self.state {
            State::Between => {
                self.between(b);
                Step::Continue
            }
            State::TopObject => self.top_object(b),
            State::TopTail | State::TopScalar => {
                self.buf.push(b);
                Step::Continue
            }
            State::Gap { page } => {
                self.gap(b, page);
                Step::Continue
            }
            State::Element { page } => {
                self.buf.push(b);
                let closed = self.track(b);
                if closed || (self.depth == 0 && !self.in_string) {
                    self.state = State::Gap { page };
                    return Step::Emit { complete: true };
                }
                Step::Continue
            }
            State::ElementScalar { page } => match b {
                b',' | b']' | b'}' | b' ' | b'\t' | b'\r' => {
                    self.state = State::Gap { page };
                    Step::EmitBefore
                }
                _ => {
                    self.buf.push(b);
                    Step::Continue
                }
            },
            State::PageTail => {
                if self.track(b) {
                    self.state = State::Between;
                }
                Step::Continue
            }
        }
    }

    /// A byte between top-level values: the start of an object, an array or a scalar.
    #[inline]
    fn between(&mut self, b: u8) {
        self.started |= !b.is_ascii_whitespace();
        match b {
            b'{' => {
                self.start_piece(self.line, false);
                self.buf.push(b);
                self.depth = 1;
                self.expect_key = true;
                self.key = KeyPhase::None;
                self.state = State::TopObject;
            }
            b'[' => self.state = State::Gap { page: false },
            _ if b.is_ascii_whitespace() => {}
            _ => {
                self.start_piece(self.line, false);
                self.buf.push(b);
                self.state = State::TopScalar;
            }
        }
    }

    /// A byte between the elements of an array (`page`: the `value`/`records` array of a
    /// top-level object): its end, a separator, or the start of an element.
    #[inline]
    fn gap(&mut self, b: u8, page: bool) {
        match b {
            b']' => {
                if page {
                    self.depth = 1;
                    self.state = State::PageTail;
                } else {
                    self.state = State::Between;
                }
            }
            b',' => {}
            _ if b.is_ascii_whitespace() => {}
            _ => {
                self.elements += 1;
                self.start_piece(self.elements, true);
                self.buf.push(b);
                self.state = match b {
                    b'{' | b'[' => {
                        self.depth = 1;
                        State::Element { page }
                    }
                    b'"' => {
                        self.in_string = true;
                        State::Element { page }
                    }
                    _ => State::ElementScalar { page },
                };
            }
        }
    }

    /// Tracks strings and nesting for one byte; `true` when it closed the outermost level.
    fn track(&mut self, b: u8) -> bool {
        if self.in_string {
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return false;
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth = self.depth.saturating_sub(1);
                return self.depth == 0;
            }
            _ => {}
        }
        false
    }

    /// A byte of a top-level object: watch depth-1 keys for `value`/`records` arrays.
    fn top_object(&mut self, b: u8) -> Step {
        if self.depth == 1 && !self.in_string {
            match (b, self.key) {
                (b'[', KeyPhase::Colon) => {
                    // A Graph page or records batch: the wrapper is not a record, its
                    // array's elements are.
                    self.buf.clear();
                    self.key = KeyPhase::None;
                    self.state = State::Gap { page: true };
                    return Step::Continue;
                }
                (b':', KeyPhase::Matched) => self.key = KeyPhase::Colon,
                (b',', _) => {
                    self.expect_key = true;
                    self.key = KeyPhase::None;
                }
                (b'"', _) if self.expect_key => {
                    self.expect_key = false;
                    self.key = KeyPhase::InKey(self.buf.len());
                }
                (_, KeyPhase::Matched | KeyPhase::Colon) if !b.is_ascii_whitespace() => {
                    self.key = KeyPhase::None;
                }
                _ => {}
            }
        }
        self.buf.push(b);
        let was_in_string = self.in_string;
        let closed = self.track(b);
        if was_in_string
            && !self.in_string
            && let KeyPhase::InKey(start) = self.key
        {
            let name = &self.buf[start + 1..self.buf.len() - 1];
            self.key = if name == b"value" || name == b"records" {
                KeyPhase::Matched
            } else {
                KeyPhase::None
            };
        }
        if closed {
            if self.line_mode == Some(false) {
                self.state = State::Between;
                return Step::Emit { complete: true };
            }
            // JSON Lines: the rest of the line belongs to this record (a parse error if
            // it is more than white space).
            self.state = State::TopTail;
        }
        Step::Continue
    }

    /// A newline: the end of a record in JSON Lines, white space otherwise.
    fn newline(&mut self) -> Step {
        if self.line_mode.is_none() && self.started {
            // A newline inside a string is never JSON: the first line was cut, so this
            // is JSON Lines too.
            let first_ended = self.in_string
                || matches!(
                    self.state,
                    State::Between | State::TopTail | State::TopScalar
                );
            self.line_mode = Some(first_ended);
        }
        let lines = self.line_mode == Some(true);
        match self.state {
            State::Between => Step::Continue,
            State::TopTail | State::TopScalar => {
                self.end_line(false);
                Step::Emit { complete: true }
            }
            State::TopObject if lines => {
                self.end_line(false);
                Step::Emit { complete: false }
            }
            State::Element { .. } if lines => {
                self.end_line(true);
                Step::Emit { complete: false }
            }
            State::ElementScalar { .. } if lines => {
                self.end_line(true);
                Step::Emit { complete: true }
            }
            State::Gap { .. } | State::PageTail if lines => {
                self.end_line(true);
                Step::Continue
            }
            State::ElementScalar { page } => {
                self.state = State::Gap { page };
                Step::Emit { complete: true }
            }
            State::TopObject | State::Element { .. } => {
                self.buf.push(b'\n');
                Step::Continue
            }
            State::Gap { .. } | State::PageTail => Step::Continue,
        }
    }
}

#[cfg(test)]
mod tests;
