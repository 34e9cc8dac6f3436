//! Tallies kept per scope (a unit, with everything beneath it; 0 for the
//! region) besides the coverage counters: the points system's
//! (`points_tallies`, `household_counts`) and grassroots work's
//! (`work_tallies`, `open_problems`, `open_problem_days`, `volunteer_periods`,
//! `cadre_duty_periods`). A unit's own rows sum up its
//! subtree, so when a unit moves, its rows leave the ancestors it had and
//! join the ones it gets, in two statements per scope, whatever the size
//! of the subtree.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::DbConnection;
use crate::error::AppResult;

/// The region's scope id.
pub const REGION: i64 = 0;

/// Where a row counts: its unit and the unit's inclusive ancestry
/// (township, village, grid, group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub unit_id: i64,
    pub slots: [Option<i64>; 4],
}

impl Place {
    /// The scopes a row's tallies fall into, in ascending key order: the
    /// region, each ancestor, and the unit itself.
    pub fn scopes(&self) -> Vec<i64> {
        let mut s: Vec<i64> = [REGION, self.unit_id]
            .into_iter()
            .chain(self.slots.iter().flatten().copied())
            .collect();
        s.sort_unstable();
        s.dedup();
        s
    }
}

/// Each tally table: its name, the key columns after `scope_id`, and the
/// counted columns.
const TABLES: [(&str, &str, &[&str]); 7] = [
    (
        "points_tallies",
        "year, category",
        &["records", "added", "deducted", "households"],
    ),
    ("household_counts", "from_year, to_year", &["n"]),
    ("work_tallies", "month, metric, category", &["n"]),
    ("open_problems", "due_on", &["n"]),
    ("open_problem_days", "day, due_on", &["n"]),
    ("cadre_duty_periods", "period, person_id", &["n"]),
    ("volunteer_periods", "period, person_id", &["n"]),
];

/// Distinct counts, which do not add up: `work_tallies` rows of this
/// metric count the `volunteer_periods` rows of their scope and period,
/// and change with them (see [`move_volunteers`]).
pub const DISTINCT_METRIC: &str = "volunteers";

/// Adds `sign` times the rows of scope `from` to scope `to`.
fn add_scope(conn: &mut DbConnection, from: i64, to: i64, sign: i64) -> AppResult<()> {
    for (table, key, values) in TABLES {
        let columns = values.join(", ");
        let scaled: Vec<String> = values.iter().map(|v| format!("{v} * $2")).collect();
        let set: Vec<String> = values
            .iter()
            .map(|v| format!("{v} = {table}.{v} + excluded.{v}"))
            .collect();
        let only = if table == "work_tallies" {
            format!(" AND metric <> '{DISTINCT_METRIC}'")
        } else {
            String::new()
        };
        if table == "volunteer_periods" && sign > 0 {
            count_volunteers(conn, from, to, 1)?;
        }
        let statement = format!(
            "INSERT INTO {table} (scope_id, {key}, {columns}) \
             SELECT $1, {key}, {} FROM {table} WHERE scope_id = $3{only} \
             ON CONFLICT (scope_id, {key}) DO UPDATE SET {}",
            scaled.join(", "),
            set.join(", ")
        );
        let query = diesel::sql_query(statement)
            .bind::<BigInt, _>(to)
            .bind::<BigInt, _>(sign)
            .bind::<BigInt, _>(from);
        crate::with_concrete_conn!(conn, |c| query.execute(c))?;
        if table == "volunteer_periods" && sign < 0 {
            count_volunteers(conn, from, to, -1)?;
        }
    }
    Ok(())
}

/// Keeps scope `to`'s distinct volunteers as the rows of scope `from` join
/// it (`sign` 1, before they are added: the people not yet there) or leave
/// it (-1, after they were subtracted: the people left with no activity,
/// whose rows go).
fn count_volunteers(conn: &mut DbConnection, from: i64, to: i64, sign: i64) -> AppResult<()> {
    let counted = if sign > 0 {
        "SELECT $1, u.period, $2, '', COUNT(*) FROM volunteer_periods u \
         WHERE u.scope_id = $3 AND NOT EXISTS (SELECT 1 FROM volunteer_periods s \
         WHERE s.scope_id = $1 AND s.period = u.period AND s.person_id = u.person_id) \
         GROUP BY u.period"
    } else {
        "SELECT $1, period, $2, '', -COUNT(*) FROM volunteer_periods \
         WHERE scope_id = $1 AND n = 0 AND $3 = $3 GROUP BY period"
    };
    let statement = format!(
        "INSERT INTO work_tallies (scope_id, month, metric, category, n) {counted} \
         ON CONFLICT (scope_id, month, metric, category) DO UPDATE SET n = work_tallies.n + excluded.n"
    );
    let query = diesel::sql_query(statement)
        .bind::<BigInt, _>(to)
        .bind::<diesel::sql_types::Text, _>(DISTINCT_METRIC)
        .bind::<BigInt, _>(from);
    crate::with_concrete_conn!(conn, |c| query.execute(c))?;
    if sign < 0 {
        let gone = diesel::sql_query("DELETE FROM volunteer_periods WHERE scope_id = $1 AND n = 0")
            .bind::<BigInt, _>(to);
        crate::with_concrete_conn!(conn, |c| gone.execute(c))?;
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
