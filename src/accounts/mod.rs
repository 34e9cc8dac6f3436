//! Accounts and their grants (DESIGN.md §3): storage, sign-in sessions and
//! the short-lived cache of who holds what.

pub mod bootstrap;
mod cache;
pub mod grants;
pub mod keys;
pub mod sessions;
pub mod store;

pub use cache::SessionCache;
pub use store::Account;
