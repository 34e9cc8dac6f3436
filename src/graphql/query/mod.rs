//! The query root, merged from one object per area.

mod access;
mod coverage;
mod dashboard;
mod node;
mod people;
mod points;
mod staffing;
mod tree;

use async_graphql::MergedObject;

pub use self::coverage::scope_unit;
pub use self::people::{person_connection, visible_person};
pub use self::points::points_summary;
pub use self::tree::load_unit;

/// Every query of the API.
#[derive(MergedObject, Default)]
pub struct Query(
    tree::TreeQuery,
    coverage::CoverageQuery,
    dashboard::DashboardQuery,
    people::PeopleQuery,
    points::PointsQuery,
    staffing::StaffingQuery,
    access::AccessQuery,
    node::NodeQuery,
);
