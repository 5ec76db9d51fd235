//! The admin center CSV download.

use std::io;

use super::Sink;
use super::audit::AuditPlan;
use super::files::Out;
use super::signin::SignInRec;
use super::tenant::Tenant;

#[derive(Default)]
pub struct PortalSink {}

impl Sink for PortalSink {
    fn sign_in(&mut self, _out: &mut Out, _rec: &SignInRec, _t: &Tenant) -> io::Result<()> {
        Err(io::Error::other("portal output is not written yet"))
    }
    fn audits(&mut self, _out: &mut Out, _audits: &[AuditPlan]) -> io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, _out: &mut Out) -> io::Result<()> {
        Ok(())
    }
}
