//! The mutation root, merged from one object per area.

mod access;
mod import;
mod people;
mod points;
mod report;
mod service;
mod session;
mod tree;

use async_graphql::MergedObject;

pub use self::import::ImportSlots;

/// Every mutation of the API.
#[derive(MergedObject, Default)]
pub struct Mutation(
    tree::TreeMutation,
    session::SessionMutation,
    access::AccessMutation,
    people::PeopleMutation,
    points::PointsMutation,
    service::ServiceMutation,
    import::ImportMutation,
    report::ReportMutation,
);
