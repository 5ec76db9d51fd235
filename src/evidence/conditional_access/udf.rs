//! The conditional-access UDFs: `ca_risk_based(created_at, risk_level)` (rule 16b: the
//! RISK POLICY whose levels leave the sign-in's risk out, as "name (id)", else null) and
//! `ca_why_not(security_defaults_state, created_at, user_id, user_type, resource_id,
//! client_app_used, ip_address, country, risk_level)` (§9: a list of `{policy_id,
//! policy_name, reason}`, never empty) and `ca_covered(security_defaults_state, at,
//! user_id, user_type)` (§10 covered of an account at `at`: `{covered, because}`).

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, ListBuilder, StringArray, StringBuilder, StructBuilder,
};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Fields, TimeUnit, TimestampMicrosecondType};
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;

use super::Regime;
use crate::evidence::kept_rows::{Kept, Rows};
use crate::policy::SignInFacts;

/// The fields of `ca_covered`'s struct.
pub fn covered_fields() -> Fields {
    Fields::from(vec![
        Field::new("covered", DataType::Utf8, true),
        Field::new("because", DataType::Utf8, true),
    ])
}

/// The fields of one why-not element.
pub fn why_not_fields() -> Fields {
    Fields::from(vec![
        Field::new("policy_id", DataType::Utf8, true),
        Field::new("policy_name", DataType::Utf8, true),
        Field::new("reason", DataType::Utf8, true),
    ])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    RiskBased,
    WhyNot,
    Covered,
}

#[derive(Debug)]
struct CaUdf {
    regime: Arc<Regime>,
    /// The rows the regime was built from, when it may be sent to a cluster.
    rows: Option<Arc<Rows>>,
    which: Which,
    signature: Signature,
}

impl PartialEq for CaUdf {
    fn eq(&self, other: &Self) -> bool {
        self.which == other.which && Arc::ptr_eq(&self.regime, &other.regime)
    }
}
impl Eq for CaUdf {}
impl Hash for CaUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.which.hash(state);
    }
}

/// The UDFs and their arities, in [`NAMES`]' order.
const ALL: [(Which, usize); 3] = [
    (Which::RiskBased, 2),
    (Which::WhyNot, 9),
    (Which::Covered, 4),
];

/// The names of the three UDFs.
pub const NAMES: [&str; 3] = ["ca_risk_based", "ca_why_not", "ca_covered"];

fn udf(
    regime: &Arc<Regime>,
    rows: Option<&Arc<Rows>>,
    (which, arity): (Which, usize),
) -> ScalarUDF {
    ScalarUDF::from(CaUdf {
        regime: regime.clone(),
        rows: rows.cloned(),
        which,
        signature: Signature::any(arity, Volatility::Immutable),
    })
}

/// Registers the three UDFs over `regime`, built from `rows` when they are kept.
pub fn register(ctx: &SessionContext, regime: &Arc<Regime>, rows: Option<Arc<Rows>>) {
    for which in ALL {
        ctx.register_udf(udf(regime, rows.as_ref(), which));
    }
}

/// What a conditional-access UDF kept of the rows its regime was built from (`None`:
/// `udf` is not one).
pub(crate) fn rows_of(udf: &ScalarUDF) -> Option<Kept<'_>> {
    udf.inner()
        .downcast_ref::<CaUdf>()
        .map(|c| Kept::of(c.rows.as_ref()))
}

/// The UDF `name` rebuilt from the rows its regime was built from (`None`: not one of
/// the three).
pub(crate) fn rebuild(name: &str, rows: &Arc<Rows>) -> crate::evidence::Result<Option<ScalarUDF>> {
    let Some(i) = NAMES.iter().position(|n| *n == name) else {
        return Ok(None);
    };
    let regime = Arc::new(Regime::from_rows(rows)?);
    Ok(Some(udf(&regime, Some(rows), ALL[i])))
}

fn texts(arrays: &[ArrayRef]) -> DfResult<Vec<StringArray>> {
    arrays
        .iter()
        .map(|a| Ok(cast(a, &DataType::Utf8)?.as_string::<i32>().clone()))
        .collect()
}

fn get(a: &StringArray, i: usize) -> Option<&str> {
    a.is_valid(i).then(|| a.value(i))
}

impl ScalarUDFImpl for CaUdf {
    fn name(&self) -> &str {
        match self.which {
            Which::RiskBased => NAMES[0],
            Which::WhyNot => NAMES[1],
            Which::Covered => NAMES[2],
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(match self.which {
            Which::RiskBased => DataType::Utf8,
            Which::WhyNot => DataType::List(Arc::new(Field::new(
                "item",
                DataType::Struct(why_not_fields()),
                true,
            ))),
            Which::Covered => DataType::Struct(covered_fields()),
        })
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let time_at = usize::from(self.which != Which::RiskBased);
        let at = cast(
            &arrays[time_at],
            &DataType::Timestamp(TimeUnit::Microsecond, None),
        )?;
        let at = at.as_primitive::<TimestampMicrosecondType>();
        let strings = texts(&arrays)?;
        let out: ArrayRef = match self.which {
            Which::RiskBased => Arc::new(self.risk_based(at, &strings[1])),
            Which::WhyNot => Arc::new(self.why_not(at, &strings)),
            Which::Covered => Arc::new(self.covered(at, &strings)),
        };
        Ok(ColumnarValue::Array(out))
    }
}

impl CaUdf {
    fn risk_based(
        &self,
        at: &arrow::array::PrimitiveArray<TimestampMicrosecondType>,
        risk: &StringArray,
    ) -> StringArray {
        (0..at.len())
            .map(|i| {
                let level = get(risk, i)?.trim().to_lowercase();
                at.is_valid(i)
                    .then(|| self.regime.risk_based(at.value(i), &level))
                    .flatten()
            })
            .collect()
    }

    fn why_not(
        &self,
        at: &arrow::array::PrimitiveArray<TimestampMicrosecondType>,
        s: &[StringArray],
    ) -> arrow::array::ListArray {
        let item = StructBuilder::from_fields(why_not_fields(), 4);
        let mut list = ListBuilder::new(item).with_field(Arc::new(Field::new(
            "item",
            DataType::Struct(why_not_fields()),
            true,
        )));
        for i in 0..at.len() {
            if at.is_null(i) {
                list.append_null();
                continue;
            }
            let user_id = get(&s[2], i).unwrap_or_default();
            let facts = SignInFacts {
                user_id,
                guest: self.regime.is_guest(user_id, get(&s[3], i)),
                resource_id: get(&s[4], i),
                client_app_used: get(&s[5], i),
                ip_address: get(&s[6], i),
                country: get(&s[7], i),
                risk_level: get(&s[8], i),
            };
            let sd_on = get(&s[0], i) == Some("on");
            for row in self.regime.why_not(sd_on, at.value(i), &facts) {
                let b = list.values();
                append(b, 0, row.policy_id.as_deref());
                append(b, 1, row.policy_name.as_deref());
                append(b, 2, Some(row.reason));
                b.append(true);
            }
            list.append(true);
        }
        list.finish()
    }
}

impl CaUdf {
    /// `{covered, because}` per row; null where `at` is null.
    fn covered(
        &self,
        at: &arrow::array::PrimitiveArray<TimestampMicrosecondType>,
        s: &[StringArray],
    ) -> arrow::array::StructArray {
        let mut b = StructBuilder::from_fields(covered_fields(), at.len());
        for i in 0..at.len() {
            if at.is_null(i) {
                append(&mut b, 0, None);
                append(&mut b, 1, None);
                b.append_null();
                continue;
            }
            let user_id = get(&s[2], i).unwrap_or_default();
            let guest = self.regime.is_guest(user_id, get(&s[3], i));
            let sd_on = get(&s[0], i) == Some("on");
            let judged = self.regime.covered(sd_on, at.value(i), user_id, guest);
            append(&mut b, 0, Some(judged.covered.as_str()));
            append(&mut b, 1, Some(&judged.because));
            b.append(true);
        }
        b.finish()
    }
}

fn append(b: &mut StructBuilder, field: usize, value: Option<&str>) {
    if let Some(f) = b.field_builder::<StringBuilder>(field) {
        f.append_option(value);
    }
}
