//! Households (户) and the points system (积分制, issue 12): households in
//! building and courtyard groups, versioned points lists adopted by
//! meetings, point records that are never edited (corrections reverse),
//! totals kept in each write's transaction, rankings and summaries read
//! from them, and redemptions (兑现).

pub mod households;
pub mod lists;
mod moves;
pub mod ranking;
pub mod rebuild;
pub mod records;
mod rows;
pub mod store;
mod summary;
pub mod tallies;

pub use households::HouseholdInput;
pub use records::{NewRecord, NewRedemption};
pub use store::{HouseholdFilter, RecordsOf};
