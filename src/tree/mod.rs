//! The organization tree: reads (one indexed statement each) and writes
//! (rules checked, ancestry kept, one transaction each).

mod backfill;
mod bulk;
pub mod coverage;
mod deltas;
pub mod history;
mod inputs;
mod lifecycle;
pub mod locks;
pub mod read;
pub mod staffing;
pub mod tally;
pub mod write;

pub use read::UnitFilter;
pub use write::{NewUnit, UnitPatch};
