//! A minimal JSON writer into a reused byte buffer (no allocation per record, no
//! intermediate tree) and the timestamp formats of Entra exports. The generator's speed
//! comes from here: every record is appended field by field.

use super::tenant::{DAY, Micros};

/// Appends `s` as a JSON string literal.
pub fn string(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    // One pass without an early exit decides the common case, nothing to escape: `all`
    // stops at the first hit, so it compiled to a byte-at-a-time loop that took a quarter
    // of the generator's time; a fold over every byte is vectorised.
    let needs_escape = bytes.iter().fold(0u8, |acc, &b| {
        acc | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\')
    });
    if needs_escape == 0 {
        buf.extend_from_slice(bytes);
    } else if !bytes.iter().any(|&b| b < 0x20) {
        let mut run = 0;
        for at in memchr::memchr2_iter(b'"', b'\\', bytes) {
            buf.extend_from_slice(&bytes[run..at]);
            buf.push(b'\\');
            buf.push(bytes[at]);
            run = at + 1;
        }
        buf.extend_from_slice(&bytes[run..]);
    } else {
        // Copy the runs between bytes that need an escape.
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escaped: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                b if b < 0x20 => b"",
                _ => continue,
            };
            buf.extend_from_slice(&bytes[run..i]);
            if escaped.is_empty() {
                buf.extend_from_slice(format!("\\u{b:04x}").as_bytes());
            } else {
                buf.extend_from_slice(escaped);
            }
            run = i + 1;
        }
        buf.extend_from_slice(&bytes[run..]);
    }
    buf.push(b'"');
}

/// A JSON object being written: tracks the comma between members.
pub struct Obj<'a> {
    pub buf: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Obj<'a> {
    /// Opens an object.
    pub fn new(buf: &'a mut Vec<u8>) -> Obj<'a> {
        buf.push(b'{');
        Obj { buf, first: true }
    }

    /// Writes `"k":` (after a comma when needed); the value follows.
    pub fn key(&mut self, k: &str) -> &mut Vec<u8> {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        self.buf.push(b'"');
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(b"\":");
        self.buf
    }

    pub fn str(&mut self, k: &str, v: &str) {
        string(self.key(k), v);
    }

    /// A string, or `null` for `None`.
    pub fn opt(&mut self, k: &str, v: Option<&str>) {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// Raw JSON text (numbers, literals, prebuilt fragments).
    pub fn raw(&mut self, k: &str, v: &str) {
        self.key(k).extend_from_slice(v.as_bytes());
    }

    pub fn bool(&mut self, k: &str, v: bool) {
        self.raw(k, if v { "true" } else { "false" });
    }

    pub fn int(&mut self, k: &str, v: i64) {
        int(self.key(k), v);
    }

    /// A timestamp string (see [`timestamp`]).
    pub fn time(&mut self, k: &str, at: Micros, tick: Option<u8>, style: TimeStyle) {
        let b = self.key(k);
        b.push(b'"');
        timestamp(b, at, tick, style);
        b.push(b'"');
    }

    /// Closes the object.
    pub fn end(self) {
        self.buf.push(b'}');
    }
}

/// Appends a JSON array of one object per item, whose members `members` writes.
pub fn objects<T>(
    buf: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut members: impl FnMut(&mut Obj<'_>, T),
) {
    buf.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let mut o = Obj::new(buf);
        members(&mut o, item);
        o.end();
    }
    buf.push(b']');
}

/// How a timestamp ends: `Z` (Graph) or `+00:00` (Azure Monitor `properties`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeStyle {
    Zulu,
    Offset,
    /// Whole seconds, `Z` (authentication step times).
    Seconds,
}

/// Civil date of a day number since 1970-01-01 (Hinnant's algorithm).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Appends `v` in decimal, as `v.to_string()` would, without allocating.
pub fn int(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    let mut x = v.unsigned_abs();
    let mut tmp = [0u8; 20];
    let mut at = tmp.len();
    loop {
        at -= 1;
        tmp[at] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[at..]);
}

fn digits(buf: &mut Vec<u8>, v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut x = v;
    for i in (0..width).rev() {
        tmp[i] = b'0' + (x % 10) as u8;
        x /= 10;
    }
    buf.extend_from_slice(&tmp[..width]);
}

/// `YYYY-MM-DD` of an instant.
pub fn date(buf: &mut Vec<u8>, at: Micros) {
    let (y, m, d) = civil(at.div_euclid(DAY));
    digits(buf, y as u64, 4);
    buf.push(b'-');
    digits(buf, u64::from(m), 2);
    buf.push(b'-');
    digits(buf, u64::from(d), 2);
}

/// `YYYY-MM-DD` of an instant, for file names (once per file, not per record).
pub fn day_text(at: Micros) -> String {
    let mut b = Vec::with_capacity(10);
    date(&mut b, at);
    String::from_utf8(b).expect("ASCII date")
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff[f]` + `Z`/`+00:00`: six fractional digits, or seven when
/// `tick` (the 100 ns digit, dropped at ingest) is given.
pub fn timestamp(buf: &mut Vec<u8>, at: Micros, tick: Option<u8>, style: TimeStyle) {
    date(buf, at);
    let in_day = at.rem_euclid(DAY) as u64;
    let secs = in_day / 1_000_000;
    buf.push(b'T');
    digits(buf, secs / 3600, 2);
    buf.push(b':');
    digits(buf, (secs / 60) % 60, 2);
    buf.push(b':');
    digits(buf, secs % 60, 2);
    if style != TimeStyle::Seconds {
        buf.push(b'.');
        digits(buf, in_day % 1_000_000, 6);
        if let Some(t) = tick {
            buf.push(b'0' + t % 10);
        }
    }
    buf.extend_from_slice(if style == TimeStyle::Offset {
        b"+00:00"
    } else {
        b"Z"
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_match_chrono() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-03T08:15:19.402187Z")
            .unwrap()
            .timestamp_micros();
        let mut b = Vec::new();
        timestamp(&mut b, at, Some(3), TimeStyle::Zulu);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "2026-11-03T08:15:19.4021873Z"
        );
        let mut b = Vec::new();
        timestamp(&mut b, at, None, TimeStyle::Offset);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "2026-11-03T08:15:19.402187+00:00"
        );
        for day in [-1, 0, 59, 365 * 30 + 58, 20_000] {
            let c = chrono::DateTime::from_timestamp(day * 86_400, 0).unwrap();
            let mut b = Vec::new();
            date(&mut b, day * DAY);
            assert_eq!(
                String::from_utf8(b).unwrap(),
                c.format("%Y-%m-%d").to_string()
            );
        }
    }

    #[test]
    fn integers_read_as_to_string() {
        for v in [0, 7, -7, 50_126, 7_000_215, -40, i64::MAX, i64::MIN] {
            let mut b = b"x".to_vec();
            int(&mut b, v);
            assert_eq!(b, format!("x{v}").into_bytes());
        }
    }

    #[test]
    fn strings_are_escaped() {
        let mut b = Vec::new();
        let mut o = Obj::new(&mut b);
        o.str("a", "x\"y\\z\u{1}\u{a0}");
        o.str("long", &"plain text, no escapes ".repeat(9));
        o.str("late", &format!("{}\"", "a".repeat(70)));
        o.opt("b", None);
        o.int("c", -5);
        o.end();
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["a"], "x\"y\\z\u{1}\u{a0}");
        assert!(v["b"].is_null());
        assert_eq!(v["c"], -5);
        assert_eq!(v["long"], "plain text, no escapes ".repeat(9));
        assert_eq!(v["late"], format!("{}\"", "a".repeat(70)));
    }
}
