//! Graph's camelCase `signIn` and `directoryAudit` objects → canonical records.
//!
//! Graph pages, portal JSON downloads, Azure Monitor `properties` and the nested JSON cells of
//! Log Analytics CSV all carry these same objects, so this is the one place their fields
//! are named. Unknown properties are ignored (Microsoft adds fields without notice); a
//! value of the wrong type that cannot be read leniently makes the record a reject.

mod audit;
mod lenient;
mod sign_in;
#[cfg(test)]
mod tests;
mod text;

pub use audit::*;
pub use lenient::{opt_bool, parse_bool, parse_i32};
pub use sign_in::*;
pub use text::Text;
