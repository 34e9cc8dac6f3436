//! One file per GraphQL type.

pub mod connection;
pub mod inputs;
pub mod node;
pub mod org_unit;
pub mod scalars;
pub mod subtree_counts;
