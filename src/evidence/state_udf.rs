//! The state timelines as SQL: parses the audit changes the timeline queries extract,
//! registers them as tables, loads the timelines and registers the lookup UDFs
//! `per_user_mfa_state_at(user_id, user_principal_name, created_at)` and
//! `security_defaults_at(created_at)`, each returning `{state, source}`.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, RecordBatch, StringArray, StringBuilder, TimestampMicrosecondArray,
};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;

use super::kept_rows::{Kept, Rows};
use super::queries;
use super::timeline::{
    Observation, StateAt, UserTimelines, per_user_value, security_defaults_value, state_at,
};
use super::udf::{string_fields, string_struct};
use crate::evidence::Result;
use crate::schema::columns::timestamp_type;

fn text_column(batch: &RecordBatch, name: &str) -> Result<ArrayRef> {
    let col = batch.column_by_name(name).ok_or_else(|| {
        crate::evidence::Error::Internal(format!("timeline query lacks column {name}"))
    })?;
    Ok(cast(col, &DataType::Utf8)?)
}

/// The audit id and the old and new states of a timeline query's rows.
fn state_columns(batch: &RecordBatch) -> Result<[ArrayRef; 3]> {
    Ok([
        text_column(batch, "audit_id")?,
        text_column(batch, "old_state")?,
        text_column(batch, "new_state")?,
    ])
}

fn times(batch: &RecordBatch, name: &str) -> Result<TimestampMicrosecondArray> {
    let col = batch.column_by_name(name).ok_or_else(|| {
        crate::evidence::Error::Internal(format!("timeline query lacks column {name}"))
    })?;
    let col = cast(col, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
    Ok(col
        .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
        .clone())
}

fn get(a: &ArrayRef, i: usize) -> Option<&str> {
    let a = a.as_string::<i32>();
    a.is_valid(i).then(|| a.value(i))
}

/// One parsed audit change: (audit_id, at, activity, user_id, upn, old state, new state).
type Change = (
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<&'static str>,
    Option<&'static str>,
);
type Parsed = Vec<Change>;

fn column(rows: &[Change], f: impl Fn(&Change) -> Option<&str>) -> ArrayRef {
    Arc::new(rows.iter().map(f).collect::<StringArray>())
}

async fn parse_changes(
    ctx: &SessionContext,
    query: &str,
    parse: fn(Option<&str>) -> Option<&'static str>,
    disable_means_disabled: bool,
) -> Result<Parsed> {
    let batches = queries::run(ctx, query).await?;
    let mut out = Parsed::new();
    for b in &batches {
        let (id, act, old, new) = (
            text_column(b, "audit_id")?,
            text_column(b, "activity")?,
            text_column(b, "old_value")?,
            text_column(b, "new_value")?,
        );
        let at = times(b, "at")?;
        let user = b
            .column_by_name("user_id")
            .map(|c| cast(c, &DataType::Utf8))
            .transpose()?;
        let upn = b
            .column_by_name("user_principal_name")
            .map(|c| cast(c, &DataType::Utf8))
            .transpose()?;
        let has_property = b
            .column_by_name("has_property")
            .and_then(|c| c.as_boolean_opt().cloned());
        for i in 0..b.num_rows() {
            let without = has_property
                .as_ref()
                .is_some_and(|h| h.is_valid(i) && !h.value(i));
            let (o, n) = if disable_means_disabled && without {
                (None, Some("disabled"))
            } else {
                (parse(get(&old, i)), parse(get(&new, i)))
            };
            out.push((
                get(&id, i).unwrap_or_default().to_owned(),
                at.value(i),
                get(&act, i).map(str::to_owned),
                user.as_ref().and_then(|u| get(u, i)).map(str::to_owned),
                upn.as_ref().and_then(|u| get(u, i)).map(str::to_owned),
                o,
                n,
            ));
        }
    }
    Ok(out)
}

fn changes_table(ctx: &SessionContext, name: &str, rows: &Parsed, per_user: bool) -> Result<()> {
    let mut fields = vec![
        Field::new("audit_id", DataType::Utf8, false),
        Field::new("at", timestamp_type(), false),
        Field::new("activity", DataType::Utf8, true),
    ];
    if per_user {
        fields.push(Field::new("user_id", DataType::Utf8, true));
        fields.push(Field::new("user_principal_name", DataType::Utf8, true));
    }
    fields.push(Field::new("old_state", DataType::Utf8, true));
    fields.push(Field::new("new_state", DataType::Utf8, true));
    let at: TimestampMicrosecondArray = rows.iter().map(|r| Some(r.1)).collect();
    let mut cols: Vec<ArrayRef> = vec![
        column(rows, |r| Some(r.0.as_str())),
        Arc::new(at.with_timezone("UTC")),
        column(rows, |r| r.2.as_deref()),
    ];
    if per_user {
        cols.push(column(rows, |r| r.3.as_deref()));
        cols.push(column(rows, |r| r.4.as_deref()));
    }
    cols.push(column(rows, |r| r.5));
    cols.push(column(rows, |r| r.6));
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), cols)?;
    ctx.register_table(
        name,
        Arc::new(MemTable::try_new(schema, vec![vec![batch]])?),
    )?;
    Ok(())
}

fn observation(i: usize, cols: &[ArrayRef; 3], at: &TimestampMicrosecondArray) -> Observation {
    let word = |a: &ArrayRef| get(a, i).map(intern);
    Observation {
        at: at.value(i),
        audit_id: get(&cols[0], i).map(str::to_owned),
        old: word(&cols[1]),
        new: word(&cols[2]),
    }
}

/// State words are few and fixed; interning keeps observations `&'static str`.
fn intern(word: &str) -> &'static str {
    match word {
        "disabled" => "disabled",
        "enabled" => "enabled",
        "enforced" => "enforced",
        "on" => "on",
        "off" => "off",
        _ => super::timeline::UNKNOWN,
    }
}

/// The security-defaults observations, sorted by time (the tables `register` makes must
/// be registered).
pub async fn security_defaults_timeline(ctx: &SessionContext) -> Result<Vec<Observation>> {
    tenant_timeline(&queries::run(ctx, "security_defaults_timeline").await?)
}

/// The security-defaults observations of the rows of `security_defaults_timeline`, sorted
/// by time.
fn tenant_timeline(batches: &[RecordBatch]) -> Result<Vec<Observation>> {
    let mut tenant = Vec::new();
    for b in batches {
        let cols = state_columns(b)?;
        let at = times(b, "at")?;
        for i in 0..b.num_rows() {
            tenant.push(observation(i, &cols, &at));
        }
    }
    tenant.sort_by_key(|o| o.at);
    Ok(tenant)
}

/// The per-user timelines of the rows of `per_user_mfa_timeline`.
fn user_timelines(batches: &[RecordBatch]) -> Result<UserTimelines> {
    let mut users = UserTimelines::default();
    for b in batches {
        let cols = state_columns(b)?;
        let (uid, upn, at) = (
            text_column(b, "user_id")?,
            text_column(b, "user_principal_name")?,
            times(b, "at")?,
        );
        for i in 0..b.num_rows() {
            users.add(get(&uid, i), get(&upn, i), observation(i, &cols, &at));
        }
    }
    users.finish();
    Ok(users)
}

/// Builds both timelines and registers their tables and lookup UDFs. With `portable`, each
/// UDF keeps the rows it was built from, to be sent to a cluster (`portable.rs`).
pub async fn register(
    ctx: &SessionContext,
    portable: bool,
) -> Result<(Arc<UserTimelines>, Arc<Vec<Observation>>)> {
    let per_user = parse_changes(ctx, "per_user_mfa_changes", per_user_value, true).await?;
    changes_table(ctx, "per_user_mfa_audit_changes", &per_user, true)?;
    let sd = parse_changes(
        ctx,
        "security_defaults_changes",
        security_defaults_value,
        false,
    )
    .await?;
    changes_table(ctx, "security_defaults_audit_changes", &sd, false)?;

    let user_rows = queries::run(ctx, "per_user_mfa_timeline").await?;
    let users = Arc::new(user_timelines(&user_rows)?);
    let tenant_rows = queries::run(ctx, "security_defaults_timeline").await?;
    let tenant = Arc::new(tenant_timeline(&tenant_rows)?);
    let keep = |rows: Vec<RecordBatch>| portable.then(|| Arc::new(Rows::new(vec![rows])));
    ctx.register_udf(StateUdf::udf(
        Lookup::PerUser(users.clone()),
        keep(user_rows),
    ));
    ctx.register_udf(StateUdf::udf(
        Lookup::Tenant(tenant.clone()),
        keep(tenant_rows),
    ));
    Ok((users, tenant))
}

/// The names of the lookup UDFs.
pub const NAMES: [&str; 2] = ["per_user_mfa_state_at", "security_defaults_at"];

/// What a lookup UDF kept of the rows it was built from (`None`: `udf` is not one).
pub(crate) fn rows_of(udf: &ScalarUDF) -> Option<Kept<'_>> {
    udf.inner()
        .downcast_ref::<StateUdf>()
        .map(|s| Kept::of(s.rows.as_ref()))
}

/// The lookup UDF `name` rebuilt from the rows it was built from (`None`: not a lookup).
pub(crate) fn rebuild(name: &str, rows: &Arc<Rows>) -> Result<Option<ScalarUDF>> {
    let lookup = if name == NAMES[0] {
        Lookup::PerUser(Arc::new(user_timelines(rows.table(0))?))
    } else if name == NAMES[1] {
        Lookup::Tenant(Arc::new(tenant_timeline(rows.table(0))?))
    } else {
        return Ok(None);
    };
    Ok(Some(StateUdf::udf(lookup, Some(rows.clone()))))
}

#[derive(Debug)]
enum Lookup {
    PerUser(Arc<UserTimelines>),
    Tenant(Arc<Vec<Observation>>),
}

/// A "state at t" lookup UDF over one timeline.
#[derive(Debug)]
struct StateUdf {
    lookup: Lookup,
    /// The rows it was built from, when it may be sent to a cluster.
    rows: Option<Arc<Rows>>,
    signature: Signature,
}

impl StateUdf {
    fn udf(lookup: Lookup, rows: Option<Arc<Rows>>) -> ScalarUDF {
        let arity = match lookup {
            Lookup::PerUser(_) => 3,
            Lookup::Tenant(_) => 1,
        };
        ScalarUDF::from(StateUdf {
            lookup,
            rows,
            signature: Signature::any(arity, Volatility::Immutable),
        })
    }
}

impl PartialEq for StateUdf {
    fn eq(&self, other: &Self) -> bool {
        match (&self.lookup, &other.lookup) {
            (Lookup::PerUser(a), Lookup::PerUser(b)) => Arc::ptr_eq(a, b),
            (Lookup::Tenant(a), Lookup::Tenant(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}
impl Eq for StateUdf {}
impl Hash for StateUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

/// The lookups' output fields.
const OUTPUT: [&str; 2] = ["state", "source"];

impl ScalarUDFImpl for StateUdf {
    fn name(&self) -> &str {
        match self.lookup {
            Lookup::PerUser(_) => NAMES[0],
            Lookup::Tenant(_) => NAMES[1],
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Struct(string_fields(&OUTPUT)))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let time_arg = arrays.last().ok_or_else(|| {
            DataFusionError::Execution(format!("{}: no time argument", self.name()))
        })?;
        let at = cast(time_arg, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
        let at = at.as_primitive::<arrow::datatypes::TimestampMicrosecondType>();
        let strings: Vec<ArrayRef> = arrays[..arrays.len() - 1]
            .iter()
            .map(|a| cast(a, &DataType::Utf8))
            .collect::<Result<_, _>>()?;
        let (mut state, mut source) = (StringBuilder::new(), StringBuilder::new());
        for i in 0..at.len() {
            if at.is_null(i) {
                state.append_null();
                source.append_null();
                continue;
            }
            let found: StateAt = match &self.lookup {
                Lookup::PerUser(users) => {
                    users.state_at(get(&strings[0], i), get(&strings[1], i), at.value(i))
                }
                Lookup::Tenant(tenant) => state_at(&[tenant.as_slice()], at.value(i)),
            };
            state.append_value(found.state);
            source.append_value(found.source);
        }
        string_struct(&OUTPUT, [state, source])
    }
}
