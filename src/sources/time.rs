//! Timestamp parsing shared by all sources: ISO 8601 / RFC 3339 with 0–7 fractional digits
//! and any offset, plus the US-locale text some portal and Log Analytics CSV exports use.
//!
//! Every result is UTC truncated to microseconds (evidence-rules §3: comparisons use the
//! truncated value).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use crate::schema::truncate_to_micros;

/// Parses a timestamp as Entra exports write it; `None` when the text is not one.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    let t = t.strip_suffix(" [UTC]").unwrap_or(t).trim();
    if t.is_empty() {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| naive_iso(t))
        .or_else(|| us_locale(t))?;
    Some(truncate_to_micros(parsed))
}

/// ISO 8601 without an offset (`2026-11-01T08:15:02.1234567`, or with a space): UTC,
/// since every Entra export is in UTC.
fn naive_iso(t: &str) -> Option<DateTime<Utc>> {
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t.trim_end_matches('Z'), fmt) {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    None
}

/// `11/24/2026, 9:14:02.170 PM` and `11/24/2026 9:14:02 PM` (month first).
fn us_locale(t: &str) -> Option<DateTime<Utc>> {
    let t = t.replace(',', "");
    for fmt in [
        "%m/%d/%Y %I:%M:%S%.f %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%Y %H:%M:%S%.f",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&t, fmt) {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(t: DateTime<Utc>) -> String {
        t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    }

    #[test]
    fn seven_fractional_digits_are_truncated_not_rounded() {
        let t = parse_timestamp("2026-11-01T08:15:02.1234567Z").unwrap();
        assert_eq!(iso(t), "2026-11-01T08:15:02.123456Z");
        let t = parse_timestamp("2026-11-01T08:15:02.9999999+00:00").unwrap();
        assert_eq!(iso(t), "2026-11-01T08:15:02.999999Z");
    }

    #[test]
    fn offsets_convert_to_utc() {
        let t = parse_timestamp("2026-11-01T03:15:02-05:00").unwrap();
        assert_eq!(iso(t), "2026-11-01T08:15:02.000000Z");
    }

    #[test]
    fn naive_and_locale_forms() {
        assert_eq!(
            iso(parse_timestamp("2026-11-01 08:15:02.5").unwrap()),
            "2026-11-01T08:15:02.500000Z"
        );
        assert_eq!(
            iso(parse_timestamp("11/24/2026, 9:14:02.170 PM").unwrap()),
            "2026-11-24T21:14:02.170000Z"
        );
        assert_eq!(
            iso(parse_timestamp("11/24/2026, 9:14:02.170 PM [UTC]").unwrap()),
            "2026-11-24T21:14:02.170000Z"
        );
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_timestamp(""), None);
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2026-13-01T00:00:00Z"), None);
    }
}
