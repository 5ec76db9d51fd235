//! The archive streamed instead of written (`generate --lake`): its files are handed, one
//! at a time, to an [`Opener`] — ingest's pipe — in the order a folder walk of the written
//! archive reads them, so the lake gets the same rows in the same order (hence the same
//! ingest sequence and the same winners of duplicate versions) as from ingesting the
//! written JSON, without the JSON ever reaching the disk.
//!
//! A format writes its logs' files side by side (one open file per log); a folder walk
//! reads a log's files after another's. So each part (the audit events, each sign-in log)
//! is a pass of its own, in the walk's order: the planner is run again for each log and
//! only that log's records are written (it is deterministic for a seed, and much faster
//! than ingest). Memory stays what the planner's and the lake writer's are.

use std::path::Path;
use std::time::Instant;

use super::files::{Opener, Out};
use super::signin::log_index;
use super::{
    GenerateError, Options, OutputFormat, Part, Summary, TenantPlan, TruthFile, Written, audit,
    check, plan_sign_ins, sink_for, summary, tenant_plans, users_of,
};

/// Generates the archive of `opts` into `open` (file names `<format>/<path>`, with several
/// tenants `<tenant_id>/<format>/<path>`, as under `--out` without `--lake`), and the
/// answers into `truth_dir/truth.csv`.
pub fn generate_streamed(
    truth_dir: &Path,
    opts: &Options,
    open: &mut Opener<'_>,
) -> Result<Summary, GenerateError> {
    let started = Instant::now();
    if !can_stream(opts.format) {
        return Err(GenerateError::Usage(format!(
            "the {} layout cannot be streamed into a lake (a sign-ins CSV is read with its companion file): use graph, azure-monitor or log-analytics, or write the archive without --lake",
            opts.format
        )));
    }
    let truth_file = truth_dir.join("truth.csv");
    check(opts, std::iter::empty(), &truth_file)?;
    std::fs::create_dir_all(truth_dir).map_err(super::io_err(truth_dir))?;
    let users = users_of(opts);
    let mut truth = TruthFile::create(truth_dir, truth_file, opts.tenants > 1)?;
    // A folder walk reads the tenants' folders in the order of their ids.
    let mut plans = tenant_plans(Path::new(""), opts);
    plans.sort_by(|a, b| a.id.cmp(&b.id));
    let mut total = Written::default();
    let mut tenants = Vec::with_capacity(plans.len());
    for plan in plans {
        let prefix = if opts.tenants > 1 {
            format!("{}/{}", plan.id, opts.format)
        } else {
            opts.format.to_string()
        };
        total.add(&stream_tenant(
            &plan, &prefix, users, opts, &mut truth, open,
        )?);
        tenants.push((plan.id, prefix.into()));
    }
    summary(
        truth_dir.to_path_buf(),
        tenants,
        truth,
        &total,
        users,
        started,
    )
}

/// Whether the layout can be streamed one file at a time.
pub fn can_stream(format: OutputFormat) -> bool {
    sink_for(format).part_prefix(Part::Audits).is_some()
}

/// The parts of an archive in the order a folder walk reads them.
fn parts_in_walk_order(format: OutputFormat) -> Vec<Part> {
    let sink = sink_for(format);
    let mut parts: Vec<(String, Part)> = [Part::Audits]
        .into_iter()
        .chain((0..4).map(Part::Log))
        .filter_map(|p| Some((sink.part_prefix(p)?, p)))
        .collect();
    parts.sort_by(|a, b| a.0.split('/').cmp(b.0.split('/')));
    parts.into_iter().map(|(_, p)| p).collect()
}

/// One tenant's archive, part after part; its answers go to `truth` in the first
/// sign-in pass.
fn stream_tenant(
    plan: &TenantPlan,
    prefix: &str,
    users: usize,
    opts: &Options,
    truth: &mut TruthFile,
    open: &mut Opener<'_>,
) -> Result<Written, GenerateError> {
    let tenant = plan.tenant(users, opts);
    let audits = audit::plan(&tenant, plan.seed);
    let column = (opts.tenants > 1).then_some(plan.id.as_str());
    let mut written = Written {
        bytes: 0,
        files: 0,
        records: 0,
        audit_events: audits.len() as u64,
    };
    let mut truth = Some((truth, column));
    for part in parts_in_walk_order(opts.format) {
        let mut out = Out::streamed(prefix, &mut *open);
        let mut sink = sink_for(opts.format);
        match part {
            Part::Audits => sink
                .audits(&mut out, &audits, &tenant)
                .map_err(super::io_err(Path::new(prefix)))?,
            Part::Log(k) => {
                let mut record = |rec: &super::signin::SignInRec| {
                    if log_index(rec.kind) != k {
                        return Ok(());
                    }
                    sink.sign_in(&mut out, rec, &tenant)
                        .map_err(super::io_err(Path::new(prefix)))
                };
                // Every pass plans every record (and counts it); the first writes the answers.
                written.records =
                    plan_sign_ins(&tenant, plan.seed, opts, &mut record, truth.take())?;
            }
        }
        sink.finish(&mut out)
            .map_err(super::io_err(Path::new(prefix)))?;
        written.bytes += out.bytes;
        written.files += out.files;
    }
    Ok(written)
}
