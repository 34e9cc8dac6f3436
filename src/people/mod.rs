//! People of the tree and the posts they hold (docs/design.md §2): reads narrowed
//! by visibility, writes under `ManagePeople` at the unit, every write audited.

mod posts;
pub mod stats;
pub mod store;
pub mod write;

pub use store::PersonFilter;
pub use write::{NewPosition, PersonInput};
