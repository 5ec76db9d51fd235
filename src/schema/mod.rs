//! The canonical data model: records every source produces, and the Arrow schemas of the lake.

pub mod batch;
pub mod columns;
pub mod directory;
pub mod record;
pub mod sign_in_rows;
pub mod tenant;

pub use batch::Provenance;
pub use directory::*;
pub use record::*;
pub use sign_in_rows::{SignInRow, SignInRows};
