//! The Relay `Node` interface.

use async_graphql::{Interface, ID};

use super::org_unit::OrgUnit;

/// Anything with a global id that `node(id:)` can fetch.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    OrgUnit(OrgUnit),
}
