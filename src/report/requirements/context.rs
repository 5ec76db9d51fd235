//! What every requirement's figures are built from: the session, the options and the
//! output folder; what more than one part of the report reads (sign-ins by class,
//! coverage, the conditional access regime and the security-defaults timeline, the accounts
//! table once built), read once; the evidence window; and the CSV files the long figures
//! keep.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use datafusion::prelude::SessionContext;

use super::accounts::{self, ACCOUNTS, ACCOUNTS_CSV, Accounts};
use crate::evidence::conditional_access::Regime;
use crate::evidence::state_udf::security_defaults_timeline;
use crate::evidence::timeline::Observation;
use crate::report::figures::{Figure, figure};
use crate::report::listing::Listing;
use crate::report::options::Options;
use crate::report::rows::{ClassRow, CoverageRow, USER_EVENT_TYPES};
use crate::report::{Error, Result};
use crate::storage::Location;

/// The query of the sign-ins by class (R1 and the problem count).
pub const BY_CLASS: &str = "r1_sign_ins_by_class";
/// The query of the coverage per event type (R6, the window and the sign-in count).
pub const COVERAGE: &str = "r6_coverage";

/// The inputs of the requirements, and the CSV files they keep.
pub struct Context<'a> {
    pub session: &'a SessionContext,
    pub lake: &'a Location,
    pub out: &'a Path,
    pub opts: &'a Options,
    pub by_class: Figure<ClassRow>,
    pub coverage: Figure<CoverageRow>,
    /// `--from/--to`, else the first to the last sign-in day; none without sign-ins.
    pub window: Option<(NaiveDate, NaiveDate)>,
    /// Policies, named locations and the directory as the lake shows them (R6, R7, R8).
    pub regime: Arc<Regime>,
    /// The security-defaults observations, in time order (R6, R7).
    pub security_defaults: Vec<Observation>,
    /// The long figures' CSV files kept in `out`.
    pub files: Vec<PathBuf>,
    /// The accounts table (R2, R8), once built ([`Context::accounts`]).
    accounts: Option<Accounts>,
}

impl<'a> Context<'a> {
    /// Runs the shared figures and finds the window.
    pub async fn new(
        session: &'a SessionContext,
        lake: &'a Location,
        out: &'a Path,
        opts: &'a Options,
    ) -> Result<Context<'a>> {
        let by_class = figure(session, BY_CLASS, &[]).await?;
        let coverage: Figure<CoverageRow> = figure(session, COVERAGE, &[]).await?;
        let window = opts.range.or_else(|| {
            let first = coverage.rows.iter().filter_map(|r| day(&r.first_sign_in));
            let last = coverage.rows.iter().filter_map(|r| day(&r.last_sign_in));
            first.min().zip(last.max())
        });
        Ok(Context {
            session,
            lake,
            out,
            opts,
            by_class,
            coverage,
            window,
            regime: Arc::new(Regime::load(session).await?),
            security_defaults: security_defaults_timeline(session).await?,
            files: Vec::new(),
            accounts: None,
        })
    }

    /// The §10 window in microseconds, half-open: `--from` 00:00 to the day after `--to`,
    /// else the earliest to the latest user sign-in; none without either.
    pub fn span(&self) -> Option<(i64, i64)> {
        let micros = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc().timestamp_micros();
        if let Some((from, to)) = self.opts.range {
            return Some((micros(from), micros(to.succ_opt()?)));
        }
        let parse = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|t| t.timestamp_micros())
        };
        let user = || {
            self.coverage
                .rows
                .iter()
                .filter(|r| USER_EVENT_TYPES.contains(&r.event_type.as_str()))
        };
        let first = user().filter_map(|r| parse(&r.first_sign_in)).min()?;
        let last = user().filter_map(|r| parse(&r.last_sign_in)).max()?;
        Some((first, last + 1))
    }

    /// The `settling_hours` parameter of the queries that take it.
    pub fn settling(&self) -> [(&'static str, String); 1] {
        [("settling_hours", self.opts.settling_hours.to_string())]
    }

    /// The listing of query `query` into `file` in the output folder, capped as asked.
    pub fn listing(&self, query: &'static str, file: &str) -> Listing {
        Listing {
            query,
            csv: self.out.join(file),
            cap: self.opts.listed_rows,
            params: Vec::new(),
        }
    }

    /// The accounts table, streamed into `accounts.csv` on first use and kept for the
    /// requirements that read it; `covered` is judged at the end of the window.
    pub async fn accounts(&mut self) -> Result<&Accounts> {
        let built = match self.accounts.take() {
            Some(built) => built,
            None => {
                let covered_at = self.span().map(|(_, end)| end - 1);
                let listing = self.listing(ACCOUNTS, ACCOUNTS_CSV);
                let built = accounts::build(self.session, listing, self.opts, covered_at).await?;
                self.keep_csv(&built.figure, ACCOUNTS_CSV)?;
                built
            }
        };
        Ok(self.accounts.insert(built))
    }

    /// Keeps a long figure's CSV file when CSV or HTML output was asked, or when
    /// report.json leaves rows out (then it names the file that holds them); else
    /// removes it.
    pub fn keep_csv<Row>(&mut self, fig: &Figure<Row>, file: &str) -> Result<()> {
        let path = self.out.join(file);
        let f = self.opts.formats;
        if f.csv || f.html || fig.rows_file.is_some() {
            self.files.push(path);
        } else {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }
}

/// The date of an RFC 3339 time.
fn day(time: &str) -> Option<NaiveDate> {
    time.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}
