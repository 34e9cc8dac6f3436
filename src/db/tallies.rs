//! Tallies kept per scope (a unit, with everything beneath it; 0 for the
//! region) besides the coverage counters: the points system's
//! (`points_tallies`, `household_counts`). A unit's own rows sum up its
//! subtree, so when a unit moves, its rows leave the ancestors it had and
//! join the ones it gets, in two statements per scope, whatever the size
//! of the subtree.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::DbConnection;
use crate::error::AppResult;

/// Each tally table: its name, the key columns after `scope_id`, and the
/// counted columns.
const TABLES: [(&str, &str, &[&str]); 2] = [
    (
        "points_tallies",
        "year, category",
        &["records", "added", "deducted", "households"],
    ),
    ("household_counts", "from_year, to_year", &["n"]),
];

/// Adds `sign` times the rows of scope `from` to scope `to`.
fn add_scope(conn: &mut DbConnection, from: i64, to: i64, sign: i64) -> AppResult<()> {
    for (table, key, values) in TABLES {
        let columns = values.join(", ");
        let scaled: Vec<String> = values.iter().map(|v| format!("{v} * $2")).collect();
        let set: Vec<String> = values
            .iter()
            .map(|v| format!("{v} = {table}.{v} + excluded.{v}"))
            .collect();
        let statement = format!(
            "INSERT INTO {table} (scope_id, {key}, {columns}) \
             SELECT $1, {key}, {} FROM {table} WHERE scope_id = $3 \
             ON CONFLICT (scope_id, {key}) DO UPDATE SET {}",
            scaled.join(", "),
            set.join(", ")
        );
        let query = diesel::sql_query(statement)
            .bind::<BigInt, _>(to)
            .bind::<BigInt, _>(sign)
            .bind::<BigInt, _>(from);
        crate::with_concrete_conn!(conn, |c| query.execute(c))?;
    }
    Ok(())
}

/// Unit `unit` moved from beneath the scopes `old` to beneath `new` (its
/// strict ancestors, the region's 0 included): its tallies leave the
/// scopes only `old` has and join those only `new` has.
pub fn move_scope(conn: &mut DbConnection, unit: i64, old: &[i64], new: &[i64]) -> AppResult<()> {
    for scope in old.iter().filter(|s| !new.contains(s)) {
        add_scope(conn, unit, *scope, -1)?;
    }
    for scope in new.iter().filter(|s| !old.contains(s)) {
        add_scope(conn, unit, *scope, 1)?;
    }
    Ok(())
}
