//! Synthetic Entra archives with known answers (`mfaproof generate`).
//!
//! Plan first, emit second: the tenant (users, per-user MFA and security-defaults
//! timelines, audit events) is decided up front; then each sign-in's class is drawn from
//! the mix, and a record is built that must classify that way under evidence rules §3–§5
//! (`plan.rs`, `evidence.rs`). The truth file (`truth.csv`: id, class, verdict,
//! origin_sign_in_id) is written by construction as the records are — never by running
//! the classifier. Records stream to disk as they are planned; memory grows with the
//! number of users, not of sign-ins. Deterministic for a seed (SplitMix64, `rng.rs`).
//! Choices are documented in docs/generate.md.

mod audit;
mod class;
mod evidence;
mod files;
mod graph;
mod json;
mod out_csv;
mod out_json;
mod out_portal;
mod plan;
pub mod rng;
mod signin;
mod streamed;
mod tenant;

/// The tenant id of every generated archive (Azure Monitor `tenantId`, Log Analytics
/// `AADTenantId`; given with `ingest --tenant` for the formats that name none).
pub use tenant::TENANT_ID;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

pub use class::{Class, Mix};
pub use files::Opener;
pub use streamed::{can_stream, generate_streamed};

use audit::AuditPlan;
use files::Out;
use plan::{PlanConfig, Planner, TruthRow};
use signin::SignInRec;
use tenant::{DAY, Tenant};

crate::words::word_enum! {
    /// The output layout.
    ///
    /// Its word is the one of `--format` and the name of the input folder under `--out`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum OutputFormat {
        Graph => "graph",
        AzureMonitor => "azure-monitor",
        LogAnalytics => "log-analytics",
        Portal => "portal",
    }
}

impl FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<OutputFormat, String> {
        let w = s.trim().to_ascii_lowercase();
        let w = match w.as_str() {
            "portal-csv" => "portal",
            other => other,
        };
        OutputFormat::from_word(w).ok_or_else(|| {
            format!("unknown format {s:?}; expected graph, azure-monitor, log-analytics or portal")
        })
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Distinct sign-in ids (duplicate versions come on top).
    pub sign_ins: u64,
    /// Users; `None`: one per 40 sign-ins, between 50 and 250,000.
    pub users: Option<usize>,
    pub days: u32,
    pub seed: u64,
    pub format: OutputFormat,
    pub mix: Mix,
    /// First day of the window (UTC), as days since 1970-01-01.
    pub start_day: i64,
    /// Tenants, each with `sign_ins` sign-ins of its own (1: the archive as always).
    pub tenants: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            sign_ins: 10_000,
            users: None,
            days: 7,
            seed: 1,
            format: OutputFormat::Graph,
            mix: Mix::default(),
            // 2026-11-01
            start_day: 20_758,
            tenants: 1,
        }
    }
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The folder to ingest (`<out>/<format>`; with several tenants `<out>`).
    pub input_dir: PathBuf,
    /// Each tenant's id and folder, in the order written.
    pub tenants: Vec<(String, PathBuf)>,
    pub truth_file: PathBuf,
    pub sign_ins: u64,
    /// Sign-in records written, duplicate versions included.
    pub records: u64,
    pub audit_events: u64,
    pub users: usize,
    pub bytes: u64,
    pub files: u64,
    pub seconds: f64,
    pub per_class: BTreeMap<Class, u64>,
}

/// A format's writer.
trait Sink {
    fn sign_in(&mut self, out: &mut Out, rec: &SignInRec, tenant: &Tenant) -> io::Result<()>;
    fn audits(&mut self, out: &mut Out, audits: &[AuditPlan], tenant: &Tenant) -> io::Result<()>;
    fn finish(&mut self, out: &mut Out) -> io::Result<()>;
    /// The path (or file name) every file of `part` starts with, by which a folder walk
    /// orders the parts; `None` when the layout cannot be streamed one file at a time (a
    /// file read with a companion).
    fn part_prefix(&self, part: Part) -> Option<String>;
}

/// A part of an archive whose files are written one at a time: the audit events, or the
/// sign-ins of one log (`signin::log_index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Audits,
    Log(usize),
}

/// Errors of the generator: the output cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0}")]
    Usage(String),
}

/// Writes the archive under `out/<format>/` and `out/truth.csv`; with several tenants,
/// each tenant's under `out/<tenant_id>/<format>/` and one `out/truth.csv` with a
/// `tenant_id` column.
pub fn generate(out_dir: &Path, opts: &Options) -> Result<Summary, GenerateError> {
    let started = Instant::now();
    let truth_file = out_dir.join("truth.csv");
    let plans = tenant_plans(out_dir, opts);
    check(
        opts,
        plans.iter().map(|p| p.input_dir.as_path()),
        &truth_file,
    )?;
    let users = users_of(opts);
    std::fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    let mut truth = TruthFile::create(out_dir, truth_file, opts.tenants > 1)?;
    let mut total = Written::default();
    let mut tenants = Vec::with_capacity(plans.len());
    for plan in plans {
        total.add(&write_tenant(&plan, users, opts, &mut truth)?);
        tenants.push((plan.id, plan.input_dir));
    }
    let input_dir = match &tenants[..] {
        [(_, one)] => one.clone(),
        _ => out_dir.to_path_buf(),
    };
    summary(input_dir, tenants, truth, &total, users, started)
}

/// The summary of a finished archive, its answers flushed.
fn summary(
    input_dir: PathBuf,
    tenants: Vec<(String, PathBuf)>,
    mut truth: TruthFile,
    total: &Written,
    users: usize,
    started: Instant,
) -> Result<Summary, GenerateError> {
    truth.flush()?;
    Ok(Summary {
        input_dir,
        tenants,
        truth_file: truth.path,
        sign_ins: truth.ids,
        records: total.records,
        audit_events: total.audit_events,
        users,
        bytes: total.bytes,
        files: total.files,
        seconds: started.elapsed().as_secs_f64(),
        per_class: truth.per_class,
    })
}

/// Users per tenant: as asked, else one per 40 sign-ins, between 50 and 250,000.
fn users_of(opts: &Options) -> usize {
    opts.users
        .unwrap_or((opts.sign_ins / 40).clamp(50, 250_000) as usize)
        .max(16)
}

/// One tenant to write: its id, seed, security-defaults regime and folder.
struct TenantPlan {
    id: String,
    seed: u64,
    regime: tenant::Regime,
    input_dir: PathBuf,
}

/// The tenants of `opts`: one writes to `out/<format>/` as always; several each to
/// `out/<tenant_id>/<format>/`.
fn tenant_plans(out_dir: &Path, opts: &Options) -> Vec<TenantPlan> {
    (0..u64::from(opts.tenants.max(1)))
        .map(|k| {
            let (id, seed, regime) = tenant::nth(opts.seed, k);
            let input_dir = if opts.tenants > 1 {
                out_dir.join(&id).join(opts.format.as_str())
            } else {
                out_dir.join(opts.format.as_str())
            };
            TenantPlan {
                id,
                seed,
                regime,
                input_dir,
            }
        })
        .collect()
}

/// What one tenant's archive came to (or all tenants', added up).
#[derive(Default)]
struct Written {
    bytes: u64,
    files: u64,
    records: u64,
    audit_events: u64,
}

impl Written {
    fn add(&mut self, other: &Written) {
        self.bytes += other.bytes;
        self.files += other.files;
        self.records += other.records;
        self.audit_events += other.audit_events;
    }
}

/// Plans and writes one tenant's archive, its answers appended to `truth`.
fn write_tenant(
    plan: &TenantPlan,
    users: usize,
    opts: &Options,
    truth: &mut TruthFile,
) -> Result<Written, GenerateError> {
    let input_dir = &plan.input_dir;
    let tenant = plan.tenant(users, opts);
    let audits = audit::plan(&tenant, plan.seed);
    let mut out = Out::new(input_dir);
    let mut sink = sink_for(opts.format);
    sink.audits(&mut out, &audits, &tenant)
        .map_err(io_err(input_dir))?;
    let column = (opts.tenants > 1).then_some(plan.id.as_str());
    let n_records = plan_sign_ins(
        &tenant,
        plan.seed,
        opts,
        &mut |rec| {
            sink.sign_in(&mut out, rec, &tenant)
                .map_err(io_err(input_dir))
        },
        Some((truth, column)),
    )?;
    sink.finish(&mut out).map_err(io_err(input_dir))?;
    Ok(Written {
        bytes: out.bytes,
        files: out.files,
        records: n_records,
        audit_events: audits.len() as u64,
    })
}

impl TenantPlan {
    /// The tenant: users, timelines, security-defaults regime.
    fn tenant(&self, users: usize, opts: &Options) -> Tenant {
        let start = opts.start_day * DAY;
        Tenant::new(self.seed, users, start, start + i64::from(opts.days) * DAY)
            .into_tenant(&self.id, self.regime)
    }
}

/// Plans the tenant's sign-ins in time order, handing each record (duplicate versions
/// included) to `record` and, when given, each answer to `truth` (with the tenant column's
/// value); returns the records planned.
fn plan_sign_ins(
    tenant: &Tenant,
    seed: u64,
    opts: &Options,
    record: &mut dyn FnMut(&SignInRec) -> Result<(), GenerateError>,
    mut truth: Option<(&mut TruthFile, Option<&str>)>,
) -> Result<u64, GenerateError> {
    let mut planner = Planner::new(
        tenant,
        PlanConfig {
            seed,
            ..plan_config(opts)
        },
    );
    let mut records = Vec::new();
    let mut rows: Vec<TruthRow> = Vec::new();
    let mut n_records = 0u64;
    while planner.has_next() {
        planner.plan_next(&mut records, &mut rows);
        for rec in records.drain(..) {
            record(&rec)?;
            n_records += 1;
        }
        for row in rows.drain(..) {
            if let Some((file, column)) = &mut truth {
                file.write(&row, *column)?;
            }
        }
    }
    Ok(n_records)
}

/// Refuses options that plan nothing and an `--out` that already holds an archive.
fn check<'a>(
    opts: &Options,
    input_dirs: impl Iterator<Item = &'a Path>,
    truth_file: &'a Path,
) -> Result<(), GenerateError> {
    if opts.sign_ins == 0 || opts.days == 0 || opts.tenants == 0 {
        return Err(GenerateError::Usage(
            "--sign-ins, --days and --tenants must be at least 1".into(),
        ));
    }
    for existing in input_dirs.chain([truth_file]) {
        if existing.exists() {
            return Err(GenerateError::Usage(format!(
                "{} already exists; choose an empty --out",
                existing.display()
            )));
        }
    }
    Ok(())
}

/// Names the file an I/O error happened on.
fn io_err(path: &Path) -> impl FnOnce(io::Error) -> GenerateError + use<> {
    let path = path.to_path_buf();
    move |source| GenerateError::Io { path, source }
}

fn sink_for(format: OutputFormat) -> Box<dyn Sink> {
    match format {
        OutputFormat::Graph => Box::<out_json::GraphSink>::default(),
        OutputFormat::AzureMonitor => Box::<out_json::AzureMonitorSink>::default(),
        OutputFormat::LogAnalytics => Box::<out_csv::LogAnalyticsSink>::default(),
        OutputFormat::Portal => Box::<out_portal::PortalSink>::default(),
    }
}

fn plan_config(opts: &Options) -> PlanConfig {
    PlanConfig {
        seed: opts.seed,
        sign_ins: opts.sign_ins,
        days: opts.days,
        mix: opts.mix.clone(),
        keeps_policies: opts.format != OutputFormat::Portal,
        reissue_in_separate_files: opts.format == OutputFormat::Portal,
    }
}

/// `truth.csv` being written, and the counts of what went into it.
struct TruthFile {
    path: PathBuf,
    w: BufWriter<File>,
    line: Vec<u8>,
    ids: u64,
    per_class: BTreeMap<Class, u64>,
}

impl TruthFile {
    /// With `tenant_column`, each row ends with its tenant's id.
    fn create(dir: &Path, path: PathBuf, tenant_column: bool) -> Result<TruthFile, GenerateError> {
        let mut w = Out::new(dir).create("truth.csv").map_err(io_err(&path))?;
        let header: &[u8] = if tenant_column {
            b"id,class,verdict,origin_sign_in_id,tenant_id\n"
        } else {
            b"id,class,verdict,origin_sign_in_id\n"
        };
        w.write_all(header).map_err(io_err(&path))?;
        Ok(TruthFile {
            path,
            w,
            line: Vec::with_capacity(128),
            ids: 0,
            per_class: BTreeMap::new(),
        })
    }

    fn write(&mut self, row: &TruthRow, tenant: Option<&str>) -> Result<(), GenerateError> {
        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(row.id.as_bytes());
        line.push(b',');
        line.extend_from_slice(row.class.as_str().as_bytes());
        line.push(b',');
        line.extend_from_slice(row.class.verdict().as_bytes());
        line.push(b',');
        if let Some(o) = &row.origin {
            line.extend_from_slice(o.as_bytes());
        }
        if let Some(t) = tenant {
            line.push(b',');
            line.extend_from_slice(t.as_bytes());
        }
        line.push(b'\n');
        self.w.write_all(line).map_err(io_err(&self.path))?;
        *self.per_class.entry(row.class).or_insert(0) += 1;
        self.ids += 1;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), GenerateError> {
        self.w.flush().map_err(io_err(&self.path))
    }
}
