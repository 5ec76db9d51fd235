//! The CSV samples as the pipeline meets them: detected as their format from their first
//! bytes and name, and dispatched by `sources::read` to their reader.

use super::detect::{Format, detect};
use super::test_sink::{Collect, sample};

#[test]
fn every_csv_sample_is_detected_as_its_format() {
    let cases = [
        (
            "log-analytics/SigninLogs_2026-11-01.csv",
            Format::LogAnalytics,
        ),
        (
            "log-analytics/AADNonInteractiveUserSignInLogs_2026-11-01.csv",
            Format::LogAnalytics,
        ),
        (
            "log-analytics/AADServicePrincipalSignInLogs_2026-11-01.csv",
            Format::LogAnalytics,
        ),
        (
            "log-analytics/AADManagedIdentitySignInLogs_2026-11-01.csv",
            Format::LogAnalytics,
        ),
        (
            "log-analytics/AuditLogs_2026-11-01.csv",
            Format::LogAnalytics,
        ),
        (
            "equivalence/log-analytics-SigninLogs.csv",
            Format::LogAnalytics,
        ),
        (
            "../tests/data/malformed/SigninLogs_broken-json-cell.csv",
            Format::LogAnalytics,
        ),
        (
            "portal/InteractiveSignIns_2026-11-01_2026-11-03.csv",
            Format::PortalCsv,
        ),
        (
            "portal/NonInteractiveSignIns_2026-11-01_2026-11-03.csv",
            Format::PortalCsv,
        ),
        (
            "portal/InteractiveSignIns_AuthDetails_2026-11-01_2026-11-03.csv",
            Format::PortalAuthDetails,
        ),
        (
            "equivalence/InteractiveSignIns_2026-11-03_2026-11-03.csv",
            Format::PortalCsv,
        ),
    ];
    for (rel, format) in cases {
        let bytes = sample(rel);
        let head = &bytes[..bytes.len().min(4096)];
        let name = rel.rsplit('/').next().unwrap_or(rel);
        assert_eq!(detect(head, name), Some(format), "{rel}");
    }
}

#[test]
fn dispatch_reaches_the_csv_readers() {
    let mut sink = Collect::default();
    let bytes = sample("log-analytics/AuditLogs_2026-11-01.csv");
    crate::sources::read(
        Format::LogAnalytics,
        "AuditLogs_2026-11-01.csv",
        &mut bytes.as_slice(),
        None,
        &mut sink,
    )
    .unwrap();
    assert_eq!(sink.audits().len(), 3);

    let mut sink = Collect::default();
    let main = sample("portal/NonInteractiveSignIns_2026-11-01_2026-11-03.csv");
    let name = "NonInteractiveSignIns_2026-11-01_2026-11-03.csv";
    crate::sources::read(
        Format::PortalCsv,
        name,
        &mut main.as_slice(),
        None,
        &mut sink,
    )
    .unwrap();
    assert_eq!(sink.numbered_sign_ins().len(), 2);

    let companion = sample("portal/InteractiveSignIns_AuthDetails_2026-11-01_2026-11-03.csv");
    let name = "InteractiveSignIns_AuthDetails_2026-11-01_2026-11-03.csv";
    let err = crate::sources::read(
        Format::PortalAuthDetails,
        name,
        &mut companion.as_slice(),
        None,
        &mut sink,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("read as that file's companion"),
        "{err}"
    );
}
