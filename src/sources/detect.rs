//! Format detection from an input's first bytes (after decompression) and its file name.
//!
//! Content decides; the name only separates look-alikes (a portal sign-ins CSV from its
//! authentication-details companion). `--format` overrides detection.

use super::json_kind;

pub use super::format::{Detection, Format};

/// Detects the format from the first bytes of the (decompressed) content and the file
/// name; `None` when it is not an input mfaproof reads.
pub fn detect(head: &[u8], file_name: &str) -> Option<Format> {
    classify(head, file_name).format()
}

/// [`detect`], telling JSON of a kind mfaproof does not read from input it does not know.
pub fn classify(head: &[u8], file_name: &str) -> Detection {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let lower_name = file_name.to_ascii_lowercase();
    match text.chars().next() {
        Some('{' | '[') => detect_json(text),
        Some(_) => detect_csv(text, &lower_name).map_or(Detection::Unknown, Detection::Format),
        None => Detection::Unknown,
    }
}

/// A JSON input: its `@odata.context` decides (`json_kind.rs`), else its shape.
fn detect_json(text: &str) -> Detection {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(by_context) = json_kind::by_context(&compact) {
        return by_context;
    }
    match shape_format(&compact) {
        Some(format) => Detection::Format(format),
        None => json_kind::by_shape(&compact.to_lowercase()),
    }
}

/// The formats told by their shape before the policy and directory kinds are looked for.
fn shape_format(compact: &str) -> Option<Format> {
    if compact.starts_with("{\"records\":") || compact.starts_with("[{\"records\":") {
        return Some(Format::AzureMonitor);
    }
    if compact.contains("\"category\":") && compact.contains("\"properties\":{") {
        return Some(Format::AzureMonitor);
    }
    if super::la_query_api::is_response(compact) {
        return Some(Format::LogAnalytics);
    }
    // Log Analytics rows: every table has TimeGenerated, which no Graph object or Azure
    // Monitor envelope (`time`) has; a query that projected it away still has the
    // PascalCase time column (Graph's is camelCase).
    let log_analytics = [
        "\"TimeGenerated\":",
        "\"CreatedDateTime\":",
        "\"ActivityDateTime\":",
    ];
    if log_analytics.iter().any(|k| compact.contains(k)) {
        return Some(Format::LogAnalytics);
    }
    if compact.contains("\"perUserMfaState\":") || compact.contains("\"per_user_mfa_state\":") {
        return Some(Format::MfaStateJson);
    }
    None
}

fn detect_csv(text: &str, lower_name: &str) -> Option<Format> {
    let header = text.lines().next()?;
    let cells: Vec<String> = header
        .split(',')
        .map(|c| {
            c.trim()
                .trim_matches('"')
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_lowercase()
        })
        .collect();
    let has = |name: &str| cells.iter().any(|c| c == name);
    if has("per_user_mfa_state") {
        return Some(Format::MfaStateCsv);
    }
    if has("is_enabled") && has("as_of") {
        return Some(Format::SecurityDefaults);
    }
    if has("request id") {
        let auth_details = lower_name.contains("authdetails")
            || lower_name.contains("auth_details")
            || (has("authentication method") && !has("date (utc)"));
        return Some(if auth_details {
            Format::PortalAuthDetails
        } else {
            Format::PortalCsv
        });
    }
    // The portal's "Export to CSV" suffixes every time column with ` [UTC]`.
    let log_analytics = ["createddatetime", "activitydatetime", "timegenerated"]
        .iter()
        .any(|c| has(c) || has(&format!("{c} [utc]")));
    log_analytics.then_some(Format::LogAnalytics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        assert_eq!(
            detect(
                b"{ \"tables\": [ {\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"Id\"}]",
                "query.json"
            ),
            Some(Format::LogAnalytics)
        );
        assert_eq!(
            detect(
                br#"{"@odata.context":"x","value":[{"id":"1","createdDateTime":"x"}]}"#,
                "p.json"
            ),
            Some(Format::Graph)
        );
        assert_eq!(detect(b"[ {\"id\":\"1\"} ]", "a.json"), None);
        assert_eq!(
            detect(br#"{ "records": [ ] }"#, "PT1H.json"),
            Some(Format::AzureMonitor)
        );
        assert_eq!(
            detect(
                br#"{"time":"t","category":"SignInLogs","properties":{"id":"1"}}"#,
                "PT1H.json"
            ),
            Some(Format::AzureMonitor)
        );
        assert_eq!(
            detect(br#"{"isEnabled":true}"#, "sd.json"),
            Some(Format::SecurityDefaults)
        );
        assert_eq!(
            detect(
                br#"[{"TenantId":"w","TimeGenerated":"t","Id":"1","Type":"SigninLogs"}]"#,
                "query.json"
            ),
            Some(Format::LogAnalytics)
        );
        assert_eq!(
            detect(
                "\u{feff}[{\"perUserMfaState\":\"enforced\"}]".as_bytes(),
                "m.json"
            ),
            Some(Format::MfaStateJson)
        );
    }

    #[test]
    fn csv_shapes() {
        assert_eq!(
            detect(
                b"Date (UTC),Request ID,User\n",
                "InteractiveSignIns_2026.csv"
            ),
            Some(Format::PortalCsv)
        );
        assert_eq!(
            detect(
                b"Request ID,Authentication Date,Authentication method\n",
                "InteractiveSignIns_AuthDetails_2026.csv"
            ),
            Some(Format::PortalAuthDetails)
        );
        assert_eq!(
            detect(
                b"TenantId,TimeGenerated [UTC],Id,CreatedDateTime [UTC]\n",
                "q.csv"
            ),
            Some(Format::LogAnalytics)
        );
        assert_eq!(
            detect(b"user_principal_name,per_user_mfa_state,as_of\n", "m.csv"),
            Some(Format::MfaStateCsv)
        );
        assert_eq!(detect(b"hello,world\n", "x.csv"), None);
        assert_eq!(detect(b"\x89PNG", "x.png"), None);
        assert_eq!(detect(b"", "empty.json"), None);
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>().unwrap(), f);
        }
        assert!("xml".parse::<Format>().is_err());
    }
}
