//! Accounts and their grants (docs/design.md §3): storage, sign-in sessions and
//! the short-lived cache of who holds what.

pub mod bearer;
pub mod bootstrap;
mod cache;
pub mod grants;
pub mod keys;
mod limiter;
pub mod revocations;
pub mod sessions;
pub mod shared_limits;
pub mod store;
pub mod write;

pub use cache::{FamilyCache, SessionCache};
pub use store::Account;
