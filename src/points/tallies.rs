//! The totals the points system keeps in each write's transaction, like
//! the coverage counters: each household's points per year
//! (`household_points`, which rankings read), and per scope, year and
//! category the records in force, points added and deducted, and the
//! households scored (`points_tallies`), and households per scope by the
//! years they count in (`household_counts`). Nothing on a request path
//! sums the records.
//!
//! Rows are written in key order (scopes ascending), so two writes never
//! wait for each other in opposite orders.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use crate::db::schema::household_points::dsl as hp;
use crate::db::DbConnection;
use crate::domain::ledger::PointRecord;
use crate::error::AppResult;

/// `to_year` of a household still open.
pub const OPEN: i32 = 9999;
/// The category whose tally rows count the households scored.
pub const SCORED: &str = "";

pub use crate::db::tallies::{Place, REGION};

/// What one record adds to the tallies of its category: whether it is in
/// force (+1) or cancels one (-1), and the points added or deducted. An
/// item that adds points counts in `added` (its reversals subtract there);
/// a deduction in `deducted`.
pub fn effect(record: &PointRecord) -> (i64, i64, i64) {
    effect_of(record.points, record.reverses_id.is_some())
}

/// [`effect`] of a record of `points`, a reversal or not.
pub fn effect_of(points: i32, reversal: bool) -> (i64, i64, i64) {
    let in_force = if reversal { -1 } else { 1 };
    let points = i64::from(points);
    let adds = (points > 0) != reversal;
    if adds {
        (in_force, points, 0)
    } else {
        (in_force, 0, -points)
    }
}

fn bump(
    conn: &mut DbConnection,
    scope: i64,
    year: i32,
    category: &str,
    (records, added, deducted, households): (i64, i64, i64, i64),
) -> AppResult<()> {
    let q = diesel::sql_query(
        "INSERT INTO points_tallies (scope_id, year, category, records, added, deducted, households) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (scope_id, year, category) DO UPDATE SET \
         records = points_tallies.records + excluded.records, \
         added = points_tallies.added + excluded.added, \
         deducted = points_tallies.deducted + excluded.deducted, \
         households = points_tallies.households + excluded.households",
    )
    .bind::<BigInt, _>(scope)
    .bind::<Integer, _>(year)
    .bind::<Text, _>(category)
    .bind::<BigInt, _>(records)
    .bind::<BigInt, _>(added)
    .bind::<BigInt, _>(deducted)
    .bind::<BigInt, _>(households);
    crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    Ok(())
}

/// Adds `sign` times `record` (of a household at `place`) to every total.
pub fn add_record(
    conn: &mut DbConnection,
    place: Place,
    record: &PointRecord,
    sign: i64,
) -> AppResult<()> {
    let (in_force, added, deducted) = effect(record);
    let (in_force, added, deducted) = (in_force * sign, added * sign, deducted * sign);
    let points = i64::from(record.points) * sign;
    // The household's own total, and whether it is scored (a record in
    // force) before and after.
    let before: Option<i64> = hp::household_points
        .find((record.household_id, record.year))
        .select(hp::records)
        .first(conn)
        .optional()?;
    let [t, v, g, b] = place.slots;
    let q = diesel::sql_query(
        "INSERT INTO household_points (household_id, year, unit_id, township_id, village_id, grid_id, \
         building_group_id, points, records) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (household_id, year) DO UPDATE SET \
         points = household_points.points + excluded.points, \
         records = household_points.records + excluded.records",
    )
    .bind::<BigInt, _>(record.household_id)
    .bind::<Integer, _>(record.year)
    .bind::<BigInt, _>(place.unit_id)
    .bind::<Nullable<BigInt>, _>(t)
    .bind::<Nullable<BigInt>, _>(v)
    .bind::<Nullable<BigInt>, _>(g)
    .bind::<Nullable<BigInt>, _>(b)
    .bind::<BigInt, _>(points)
    .bind::<BigInt, _>(in_force);
    crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    let was = before.unwrap_or(0) > 0;
    let is = before.unwrap_or(0) + in_force > 0;
    let scored = i64::from(is) - i64::from(was);
    for scope in place.scopes() {
        bump(
            conn,
            scope,
            record.year,
            &record.category,
            (in_force, added, deducted, 0),
        )?;
        if scored != 0 {
            bump(conn, scope, record.year, SCORED, (0, 0, 0, scored))?;
        }
    }
    Ok(())
}

/// Counts `n` households at `place`, counted from `from_year` to
/// `to_year` ([`OPEN`] while open).
pub fn count_households(
    conn: &mut DbConnection,
    place: Place,
    (from_year, to_year): (i32, i32),
    n: i64,
) -> AppResult<()> {
    for scope in place.scopes() {
        let q = diesel::sql_query(
            "INSERT INTO household_counts (scope_id, from_year, to_year, n) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (scope_id, from_year, to_year) DO UPDATE SET n = household_counts.n + excluded.n",
        )
        .bind::<BigInt, _>(scope)
        .bind::<Integer, _>(from_year)
        .bind::<Integer, _>(to_year)
        .bind::<BigInt, _>(n);
        crate::with_concrete_conn!(conn, |c| q.execute(c))?;
    }
    Ok(())
}
