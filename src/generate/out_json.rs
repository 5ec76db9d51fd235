//! The JSON layouts: Graph (`signIns` as NDJSON per log and day, `directoryAudits` as
//! response pages) and Azure Monitor diagnostic settings (`insights-logs-<category>/
//! tenantId=…/y=/m=/d=/h=/m=00/PT1H.json`, one envelope per line).

use std::io;

use super::audit::AuditPlan;
use super::files::{Out, PathCache, Stream};
use super::graph::{self, Flavor};
use super::json::{Obj, TimeStyle, day_text, timestamp};
use super::signin::{LOGS, SignInRec, log_index};
use super::tenant::{DAY, Micros, Tenant};
use super::{Part, Sink};

/// Graph API pulls: `graph/signIns/<log>/<day>.ndjson`, `graph/directoryAudits/page-N.json`.
#[derive(Default)]
pub struct GraphSink {
    streams: [Stream; 4],
    paths: [PathCache; 4],
    buf: Vec<u8>,
}

impl Sink for GraphSink {
    fn sign_in(&mut self, out: &mut Out, rec: &SignInRec, t: &Tenant) -> io::Result<()> {
        let k = log_index(rec.kind);
        let s = &mut self.streams[k];
        let rel = self.paths[k].get(rec.at.div_euclid(DAY), || {
            format!(
                "signIns/{}/{}.ndjson",
                graph::event_word(rec.kind),
                day_text(rec.at)
            )
        });
        s.switch(out, rel, b"")?;
        self.buf.clear();
        graph::sign_in(&mut self.buf, rec, t, Flavor::Graph);
        self.buf.push(b'\n');
        s.write(out, &self.buf)
    }

    fn audits(&mut self, out: &mut Out, audits: &[AuditPlan], _t: &Tenant) -> io::Result<()> {
        for (n, page) in audits.chunks(1000).enumerate() {
            let mut s = Stream::default();
            s.switch(out, &format!("directoryAudits/page-{:04}.json", n + 1), b"")?;
            self.buf.clear();
            self.buf.extend_from_slice(br#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/directoryAudits","value":["#);
            for (i, e) in page.iter().enumerate() {
                if i > 0 {
                    self.buf.push(b',');
                }
                graph::audit(&mut self.buf, e);
            }
            self.buf.extend_from_slice(b"]}\n");
            s.write(out, &self.buf)?;
            s.close()?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut Out) -> io::Result<()> {
        self.streams.iter_mut().try_for_each(Stream::close)
    }

    fn part_prefix(&self, part: Part) -> Option<String> {
        Some(match part {
            Part::Audits => "directoryAudits/".into(),
            Part::Log(k) => format!("signIns/{}/", graph::event_word(LOGS[k])),
        })
    }
}

const CATEGORIES: [&str; 4] = [
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
];

/// The blob path of a category's hour of the tenant `tenant_id`.
fn blob_path(category: &str, tenant_id: &str, at: Micros) -> String {
    let day = day_text(at);
    let hour = at.rem_euclid(DAY) / 3_600_000_000;
    format!(
        "insights-logs-{}/tenantId={tenant_id}/y={}/m={}/d={}/h={hour:02}/m=00/PT1H.json",
        category.to_lowercase(),
        &day[..4],
        &day[5..7],
        &day[8..10]
    )
}

/// Azure Monitor diagnostic settings to a storage account.
#[derive(Default)]
pub struct AzureMonitorSink {
    streams: [Stream; 4],
    paths: [PathCache; 4],
    buf: Vec<u8>,
}

/// The envelope `time`: when Azure logged the record, a little after it happened but in
/// the same hourly blob.
fn logged_at(at: Micros) -> Micros {
    let hour_end = at - at.rem_euclid(3_600_000_000) + 3_599_999_999;
    (at + 2_345_678).min(hour_end)
}

impl Sink for AzureMonitorSink {
    fn sign_in(&mut self, out: &mut Out, rec: &SignInRec, t: &Tenant) -> io::Result<()> {
        let k = log_index(rec.kind);
        let s = &mut self.streams[k];
        let rel = self.paths[k].get(rec.at.div_euclid(3_600_000_000), || {
            blob_path(CATEGORIES[k], &t.id, rec.at)
        });
        s.switch(out, rel, b"")?;
        let (display, _, _) = graph::user_fields(rec, t);
        let ip = graph::ip(rec, t);
        self.buf.clear();
        let mut o = Obj::new(&mut self.buf);
        o.time("time", logged_at(rec.at), Some(0), TimeStyle::Zulu);
        o.str("resourceId", &t.resource_id);
        o.str("operationName", "Sign-in activity");
        o.str("operationVersion", "1.0");
        o.str("category", CATEGORIES[k]);
        o.str("tenantId", &t.id);
        o.str("resultType", &graph::result_type(rec));
        o.str("resultSignature", "None");
        o.str("resultDescription", graph::result_description(rec));
        o.int("durationMs", 0);
        o.str("callerIpAddress", &ip);
        o.str("correlationId", &rec.correlation_id);
        o.str("identity", display);
        o.str("Level", "4");
        o.str("location", "NL");
        graph::sign_in(o.key("properties"), rec, t, Flavor::AzureMonitor);
        o.end();
        self.buf.push(b'\n');
        s.write(out, &self.buf)
    }

    fn audits(&mut self, out: &mut Out, audits: &[AuditPlan], t: &Tenant) -> io::Result<()> {
        let mut s = Stream::default();
        for e in audits {
            s.switch(out, &blob_path("AuditLogs", &t.id, e.at), b"")?;
            self.buf.clear();
            let mut o = Obj::new(&mut self.buf);
            let b = o.key("time");
            b.push(b'"');
            timestamp(b, e.at, Some(e.tick), TimeStyle::Zulu);
            b.push(b'"');
            o.str("resourceId", &t.resource_id);
            o.str("operationName", e.activity);
            o.str("operationVersion", "1.0");
            o.str("category", "AuditLogs");
            o.str("tenantId", &t.id);
            o.str("resultType", if e.success { "success" } else { "failure" });
            o.str("resultSignature", "None");
            o.int("durationMs", 0);
            o.str("callerIpAddress", "203.0.113.10");
            o.str("correlationId", &e.id[10..46]);
            o.str("identity", "");
            o.int("Level", 4);
            o.str("location", "");
            graph::audit(o.key("properties"), e);
            o.end();
            self.buf.push(b'\n');
            s.write(out, &self.buf)?;
        }
        s.close()
    }

    fn finish(&mut self, _out: &mut Out) -> io::Result<()> {
        self.streams.iter_mut().try_for_each(Stream::close)
    }

    fn part_prefix(&self, part: Part) -> Option<String> {
        let category = match part {
            Part::Audits => "AuditLogs",
            Part::Log(k) => CATEGORIES[k],
        };
        Some(format!("insights-logs-{}/", category.to_lowercase()))
    }
}
