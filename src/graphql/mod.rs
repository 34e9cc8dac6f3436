//! The GraphQL API: schema, limits, types, loaders and error codes.

pub mod budget;
pub mod connection;
pub mod context;
pub mod errors;
pub mod ids;
mod loaders;
mod mutation;
mod nulls;
mod query;
mod subscription;
pub mod types;

use async_graphql::{SDLExportOptions, Schema};

pub use self::context::RequestContext;
pub use self::errors::{code_errors, error_codes};
pub use self::mutation::ImportSlots;
use std::sync::Arc;

use crate::accounts::sessions::AuthService;
use crate::db::Db;
use crate::limits::Limits;
use crate::live::Live;

pub use self::subscription::AGGREGATE_INTERVAL;

pub type AppSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// The schema, with the database, the sign-in service and the limits in
/// its data. Depth and complexity are held against each caller's own
/// budget ([`budget`]), not one limit for all.
pub fn build_schema(
    db: Db,
    auth: Arc<AuthService>,
    live: Arc<Live>,
    anonymous_introspection: bool,
    (limits, import_slots): (Limits, mutation::ImportSlots),
) -> AppSchema {
    Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .data(db)
    .data(auth)
    .data(live)
    .data(limits)
    .data(import_slots)
    .extension(budget::RequestBudget {
        budgets: limits.budgets,
        string_chars: limits.string_chars,
        introspection: anonymous_introspection,
    })
    .extension(errors::ErrorCodes)
    .extension(nulls::Nulls)
    .finish()
}

/// The SDL as `schema.graphql` holds it: types and fields sorted.
pub fn sdl() -> String {
    Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .finish()
    .sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}
