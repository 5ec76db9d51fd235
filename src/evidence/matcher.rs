//! The one UDF that matches the vocabulary against a sign-in's nested evidence:
//! `mfa_evidence(authentication_details, additional_details, authentication_requirement_policies)`
//! returns, per evidence kind, the text that matched (null when nothing did).
//!
//! SQL cannot walk a `List<Struct>` per row without `unnest`, which would drop sign-ins whose
//! list is empty; a per-row scan here keeps every row and needs no join back.

use std::hash::{Hash, Hasher};

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, ListArray, StringBuilder, StructArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::udf::{string_fields, string_struct};
use super::vocabulary::{Patterns, norm};

/// The kinds the UDF reports, in output field order.
pub const KINDS: [&str; 9] = [
    "strong",
    "second_factor",
    "app_password",
    "location",
    "remembered",
    "other_skip",
    "external",
    "claim",
    "per_user",
];

/// Kinds that a detail only proves when its step's `succeeded` is not false.
const SATISFIED_KINDS: [&str; 4] = ["strong", "second_factor", "claim", "external"];

/// The matcher UDF's name.
pub const NAME: &str = "mfa_evidence";

/// The `mfa_evidence` UDF, holding the parsed method and detail patterns.
#[derive(Debug)]
pub struct MfaEvidence {
    patterns: Patterns,
    signature: Signature,
}

impl PartialEq for MfaEvidence {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}
impl Eq for MfaEvidence {}
impl Hash for MfaEvidence {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.patterns.hash(state);
    }
}

impl MfaEvidence {
    /// The UDF over `patterns`.
    pub fn udf(patterns: Patterns) -> ScalarUDF {
        ScalarUDF::from(MfaEvidence {
            patterns,
            signature: Signature::any(3, Volatility::Immutable),
        })
    }
}

/// What one sign-in's evidence matched: per kind, the first text that matched.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Found(pub [Option<String>; 9]);

impl Found {
    fn set(&mut self, kind: &str, text: &str) {
        if let Some(i) = KINDS.iter().position(|k| *k == kind)
            && self.0[i].is_none()
        {
            self.0[i] = Some(text.trim().to_owned());
        }
    }

    /// The matched text of `kind`, if any.
    pub fn get(&self, kind: &str) -> Option<&str> {
        let i = KINDS.iter().position(|k| *k == kind)?;
        self.0[i].as_deref()
    }
}

/// One authentication step, as the matcher needs it.
#[derive(Debug, Default, Clone)]
pub struct Step<'a> {
    pub method: Option<&'a str>,
    pub succeeded: Option<bool>,
    pub detail: Option<&'a str>,
    pub requirement: Option<&'a str>,
}

impl Patterns {
    /// Matches one sign-in's steps, status details and requirement providers.
    pub fn find(&self, steps: &[Step<'_>], additional: Option<&str>, providers: &[&str]) -> Found {
        let mut found = Found::default();
        for step in steps {
            if let Some(method) = step.method {
                let m = norm(method);
                for kind in self.method_kinds(&m) {
                    let multifactor = step
                        .requirement
                        .map(|r| norm(r).replace([' ', '-'], "") == "multifactorauthentication")
                        .unwrap_or(false);
                    if step.succeeded == Some(true) && (kind != "claim" || multifactor) {
                        found.set(kind, method);
                    }
                }
            }
            if let Some(detail) = step.detail {
                self.detail(&mut found, detail, step.succeeded != Some(false));
            }
        }
        if let Some(detail) = additional {
            self.detail(&mut found, detail, true);
        }
        if providers.iter().any(|p| norm(p) == "user") {
            found.set("per_user", "requirement provider user");
        }
        found
    }

    fn detail(&self, found: &mut Found, detail: &str, step_ok: bool) {
        for kind in self.detail_kinds(&norm(detail)) {
            if step_ok || !SATISFIED_KINDS.contains(&kind) {
                found.set(kind, detail);
            }
        }
    }
}

fn strings(column: Option<&ArrayRef>) -> DfResult<Option<ArrayRef>> {
    column
        .map(|c| cast(c, &DataType::Utf8))
        .transpose()
        .map_err(Into::into)
}

fn field<'a>(s: &'a StructArray, name: &str) -> Option<&'a ArrayRef> {
    s.column_by_name(name)
}

fn text(a: &Option<ArrayRef>, i: usize) -> Option<&str> {
    let a = a.as_ref()?.as_string::<i32>();
    a.is_valid(i).then(|| a.value(i))
}

/// A list argument and its elements, which must be structs: user SQL can pass anything
/// (`mfa_evidence(make_array(1), …)`), and a wrong type is an error, never a panic.
fn struct_list<'a>(a: &'a ArrayRef, what: &str) -> DfResult<(&'a ListArray, &'a StructArray)> {
    let wrong = || {
        DataFusionError::Execution(format!(
            "mfa_evidence: {what} must be a list of structs, got {}",
            a.data_type()
        ))
    };
    let list = a.as_list_opt::<i32>().ok_or_else(wrong)?;
    let elements = list.values().as_struct_opt().ok_or_else(wrong)?;
    Ok((list, elements))
}

impl ScalarUDFImpl for MfaEvidence {
    fn name(&self) -> &str {
        NAME
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Struct(string_fields(&KINDS)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [details, additional, policies] = arrays.as_slice() else {
            return Err(DataFusionError::Execution(
                "mfa_evidence takes 3 arguments".into(),
            ));
        };
        let (details, steps) = struct_list(details, "authentication_details")?;
        let (policies, policy_elements) =
            struct_list(policies, "authentication_requirement_policies")?;
        let additional = Some(cast(additional, &DataType::Utf8)?);
        let method = strings(field(steps, "authentication_method"))?;
        let detail = strings(field(steps, "authentication_step_result_detail"))?;
        let requirement = strings(field(steps, "authentication_step_requirement"))?;
        let succeeded: Option<&BooleanArray> =
            field(steps, "succeeded").and_then(|c| c.as_boolean_opt());
        let provider = strings(field(policy_elements, "requirement_provider"))?;

        let mut builders: Vec<StringBuilder> = KINDS.iter().map(|_| StringBuilder::new()).collect();
        let mut row_steps = Vec::new();
        let mut row_providers = Vec::new();
        for row in 0..details.len() {
            row_steps.clear();
            if details.is_valid(row) {
                let offsets = details.value_offsets();
                for i in offsets[row] as usize..offsets[row + 1] as usize {
                    row_steps.push(Step {
                        method: text(&method, i),
                        succeeded: succeeded.and_then(|s| s.is_valid(i).then(|| s.value(i))),
                        detail: text(&detail, i),
                        requirement: text(&requirement, i),
                    });
                }
            }
            row_providers.clear();
            if policies.is_valid(row) {
                let offsets = policies.value_offsets();
                for i in offsets[row] as usize..offsets[row + 1] as usize {
                    if let Some(p) = text(&provider, i) {
                        row_providers.push(p);
                    }
                }
            }
            let found = self
                .patterns
                .find(&row_steps, text(&additional, row), &row_providers);
            for (b, v) in builders.iter_mut().zip(found.0.iter()) {
                b.append_option(v.as_deref());
            }
        }
        string_struct(&KINDS, builders)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step<'a>(m: &'a str, ok: Option<bool>, d: &'a str, r: &'a str) -> Step<'a> {
        Step {
            method: Some(m),
            succeeded: ok,
            detail: Some(d),
            requirement: Some(r),
        }
    }

    #[test]
    fn methods_need_succeeded_true_and_details_need_not_false() {
        let p = Patterns::load().unwrap();
        let f = p.find(&[step("Passkey (device-bound)", None, "", "")], None, &[]);
        assert_eq!(f.get("strong"), None);
        let f = p.find(
            &[step(" PASSKEY (device-bound) ", Some(true), "", "")],
            None,
            &[],
        );
        assert_eq!(f.get("strong"), Some("PASSKEY (device-bound)"));
        let f = p.find(
            &[step("Password", None, "MFA successfully completed", "")],
            None,
            &[],
        );
        assert_eq!(f.get("second_factor"), Some("MFA successfully completed"));
        let f = p.find(
            &[step(
                "Password",
                Some(false),
                "MFA successfully completed",
                "",
            )],
            None,
            &[],
        );
        assert_eq!(f.get("second_factor"), None);
        let f = p.find(
            &[step(
                "Password",
                Some(false),
                "MFA requirement skipped due to app password",
                "",
            )],
            None,
            &[],
        );
        assert_eq!(
            f.get("app_password"),
            Some("MFA requirement skipped due to app password")
        );
    }

    #[test]
    fn claim_methods_need_the_multifactor_requirement() {
        let p = Patterns::load().unwrap();
        let first = step(
            "Previously satisfied",
            Some(true),
            "First factor requirement satisfied by claim in the token",
            "Primary authentication",
        );
        assert_eq!(p.find(&[first], None, &[]), Found::default());
        let mfa = step(
            "Previously satisfied",
            Some(true),
            "",
            "Multi-Factor Authentication",
        );
        assert_eq!(
            p.find(&[mfa], None, &[]).get("claim"),
            Some("Previously satisfied")
        );
        let f = p.find(
            &[],
            Some(" mfa requirement satisfied by claim in the token"),
            &[" User "],
        );
        assert!(f.get("claim").is_some() && f.get("per_user").is_some());
    }
}
