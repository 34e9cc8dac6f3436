//! The GraphQL API: schema, limits, types, loaders and error codes.

pub mod context;
pub mod errors;
mod gate;
pub mod ids;
mod loaders;
mod mutation;
mod query;
pub mod types;

use async_graphql::{EmptySubscription, SDLExportOptions, Schema};

pub use self::context::RequestContext;
pub use self::errors::{code_errors, error_codes};
use std::sync::Arc;

use crate::accounts::sessions::AuthService;
use crate::db::Db;

pub type AppSchema = Schema<query::Query, mutation::Mutation, EmptySubscription>;

/// Deepest query accepted (introspection needs about 13).
pub const MAX_DEPTH: usize = 16;
/// Costliest query accepted: a field costs 1, a page its size times its items.
pub const MAX_COMPLEXITY: usize = 50_000;

/// The schema, with the database and the sign-in service in its data.
pub fn build_schema(db: Db, auth: Arc<AuthService>, anonymous_introspection: bool) -> AppSchema {
    Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        EmptySubscription,
    )
    .data(db)
    .data(auth)
    .extension(gate::AnonymousGate {
        introspection: anonymous_introspection,
    })
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .extension(errors::ErrorCodes)
    .finish()
}

/// The SDL as `schema.graphql` holds it: types and fields sorted.
pub fn sdl() -> String {
    Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        EmptySubscription,
    )
    .finish()
    .sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}
