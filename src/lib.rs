//! grassroots: a GraphQL server for the five-level organization tree of
//! grassroots governance (党建引领基层治理).
//!
//! `lib.rs` builds the app; `main.rs` only parses the command line.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod fuzzing;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod import;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod people;
pub mod points;
pub mod report;
pub mod service;
pub mod state;
pub mod tree;

pub use http::MAX_REQUEST_BYTES;

use axum::Router;

pub use crate::config::Config;
pub use crate::error::{AppError, AppResult};
pub use crate::http::router;
pub use crate::state::{migrate, AppState};

/// The whole HTTP app for `config`, as the binary serves it.
pub fn build_app(config: &Config) -> AppResult<Router> {
    Ok(router(AppState::open(config)?))
}
