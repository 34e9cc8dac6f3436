//! The query root, merged from one object per area.

mod access;
mod coverage;
mod dashboard;
mod node;
mod people;
mod points;
mod service;
mod staffing;
mod tree;
mod work;

use async_graphql::MergedObject;

pub use self::coverage::scope_unit;
pub use self::people::{person_connection, visible_person};
pub use self::points::{points_summary, visible_household};
pub use self::service::service_node;
pub use self::tree::load_unit;
pub use self::work::{economy, months, open_day, scopes_for};

/// Every query of the API.
#[derive(MergedObject, Default)]
pub struct Query(
    tree::TreeQuery,
    coverage::CoverageQuery,
    dashboard::DashboardQuery,
    people::PeopleQuery,
    points::PointsQuery,
    service::ServiceQuery,
    staffing::StaffingQuery,
    access::AccessQuery,
    node::NodeQuery,
    work::WorkQuery,
);
