//! One file per GraphQL type.

pub mod account;
pub mod audit_entry;
pub mod auth_payload;
pub mod connection;
pub mod coverage;
pub mod dashboard;
pub mod household;
pub mod household_inputs;
pub mod import;
pub mod inputs;
pub mod node;
pub mod order;
pub mod org_unit;
pub mod person;
pub mod person_inputs;
pub mod point_record;
pub mod points_list;
pub mod points_ranking;
pub mod position;
pub mod report_link;
pub mod scalars;
pub mod staffing;
pub mod subtree_counts;
pub mod unit_change;
