//! The UDFs that carry data, as bytes. `open` builds the state UDFs (per-user MFA and
//! security-defaults timelines, `state_udf.rs`) and the conditional-access UDFs (the
//! policy regime, `conditional_access/udf.rs`) from query rows of the lake. A session whose
//! queries run on other processes (`crate::cluster`) sends each such UDF as the rows it was
//! built from, and the receiving process rebuilds it from them with the same code: the
//! same rows give the same state, so a sign-in is classified the same wherever it is.
//!
//! The bytes are the rows as Arrow IPC streams, one per query, gzip-compressed: a lake's
//! timelines and directory are rows of a few columns, repetitive text that compresses
//! well. `mfa_evidence` and `vocab_lookup` carry nothing: the vocabulary they read is built
//! into every binary. The bytes travel between the processes of one cluster, which trust
//! each other.

use datafusion::logical_expr::ScalarUDF;

use super::kept_rows::Kept;
pub use super::kept_rows::Rows;
use super::{Error, Result};
use std::sync::Arc;

/// The bytes that rebuild `udf` elsewhere: `Ok(None)` for a UDF that carries nothing or is
/// not mfaproof's; an error for a UDF of data built without keeping its rows (a session
/// opened for one machine).
pub fn encode(udf: &ScalarUDF) -> Result<Option<&[u8]>> {
    let kept =
        super::state_udf::rows_of(udf).or_else(|| super::conditional_access::udf::rows_of(udf));
    match kept {
        None => Ok(None),
        Some(Kept::Rows(rows)) => rows.bytes().map(Some),
        Some(Kept::Dropped) => Err(Error::Internal(format!(
            "{}: this session keeps no rows to send the UDF to a cluster",
            udf.name()
        ))),
    }
}

/// The UDF `name` rebuilt from `bytes` (as [`encode`] wrote them; empty for a UDF that
/// carries nothing); `Ok(None)` when `name` is not one of mfaproof's UDFs.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Option<ScalarUDF>> {
    if name == super::matcher::NAME {
        let patterns = super::vocabulary::Patterns::load()?;
        return Ok(Some(super::matcher::MfaEvidence::udf(patterns)));
    }
    if name == super::vocab_lookup::NAME {
        let tables = super::vocabulary::tables()?;
        return Ok(Some(super::vocab_lookup::VocabLookup::udf(tables)));
    }
    if !(super::state_udf::NAMES.contains(&name)
        || super::conditional_access::udf::NAMES.contains(&name))
    {
        return Ok(None);
    }
    let rows = Arc::new(Rows::from_bytes(bytes)?);
    if let Some(udf) = super::state_udf::rebuild(name, &rows)? {
        return Ok(Some(udf));
    }
    super::conditional_access::udf::rebuild(name, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_mfaproofs_are_left_to_others() {
        assert!(decode("upper", b"").unwrap().is_none());
        let udf = decode(super::super::matcher::NAME, b"").unwrap().unwrap();
        assert_eq!(udf.name(), super::super::matcher::NAME);
    }
}
