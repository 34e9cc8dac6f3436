//! The integration tests: one binary (links once), one module per area.
//! Every test drives the real router in-process on a fresh database of
//! its own (SQLite in memory, or a PostgreSQL schema when
//! `TEST_DATABASE_URL` is set); see `common/`.

mod common;

mod access_admin;
mod access_matrix;
mod access_props;
mod auth_tokens;
mod coverage;
mod coverage_history;
mod dashboard;
mod demo_county;
mod demo_work;
mod graphiql;
mod hardening;
mod import;
mod import_rehearsal;
mod instances;
mod layers;
mod live;
mod live_work;
mod node;
mod ops;
mod ordering;
mod people;
mod points;
mod points_props;
mod postgres_only;
mod replica;
mod reports;
mod schema_docs;
mod search;
mod serve_binary;
mod service;
mod service_economy;
mod service_problems;
mod service_props;
mod service_recount;
mod staffing;
mod staffing_props;
mod tree_create_update;
mod tree_move_dissolve;
mod tree_props;
mod tree_reads;
