//! Recomputes every total of the points system from the households and
//! their records, after a bulk load (the demo), in a few set statements:
//! the same figures the writes keep one record at a time, which the
//! property test compares.

use diesel::connection::SimpleConnection;

use crate::db::DbConnection;
use crate::error::AppResult;

/// Every household with each scope it falls into: the region (0) and its
/// group's ancestors, the group included.
const SCOPES: &str = "(SELECT id AS household_id, 0 AS scope_id FROM households \
     UNION ALL SELECT id, township_id FROM households WHERE township_id IS NOT NULL \
     UNION ALL SELECT id, village_id FROM households WHERE village_id IS NOT NULL \
     UNION ALL SELECT id, grid_id FROM households WHERE grid_id IS NOT NULL \
     UNION ALL SELECT id, building_group_id FROM households WHERE building_group_id IS NOT NULL) s";

/// `household_points`, `points_tallies` and `household_counts`, from scratch.
pub fn rebuild(conn: &mut DbConnection) -> AppResult<()> {
    let year = |column: &str| match conn {
        DbConnection::Pg(_) => format!("CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"),
        DbConnection::Sqlite(_) => format!("CAST(strftime('%Y', {column}) AS INTEGER)"),
    };
    let (from, to) = (year("h.registered_on"), year("h.closed_on"));
    let in_force = "CASE WHEN r.reverses_id IS NULL THEN 1 ELSE -1 END";
    let adds = "((r.points > 0) <> (r.reverses_id IS NOT NULL))";
    let statements = format!(
        "DELETE FROM household_points;
         INSERT INTO household_points (household_id, year, unit_id, township_id, village_id, grid_id, building_group_id, points, records)
         SELECT r.household_id, r.year, h.unit_id, h.township_id, h.village_id, h.grid_id, h.building_group_id,
                SUM(r.points), SUM({in_force})
         FROM point_records r JOIN households h ON h.id = r.household_id
         GROUP BY r.household_id, r.year, h.unit_id, h.township_id, h.village_id, h.grid_id, h.building_group_id;
         DELETE FROM points_tallies;
         INSERT INTO points_tallies (scope_id, year, category, records, added, deducted, households)
         SELECT s.scope_id, r.year, r.category, SUM({in_force}),
                SUM(CASE WHEN {adds} THEN r.points ELSE 0 END),
                SUM(CASE WHEN {adds} THEN 0 ELSE -r.points END), 0
         FROM point_records r JOIN {SCOPES} ON s.household_id = r.household_id
         GROUP BY s.scope_id, r.year, r.category;
         INSERT INTO points_tallies (scope_id, year, category, records, added, deducted, households)
         SELECT s.scope_id, hp.year, '', 0, 0, 0, COUNT(*)
         FROM household_points hp JOIN {SCOPES} ON s.household_id = hp.household_id
         WHERE hp.records > 0
         GROUP BY s.scope_id, hp.year;
         DELETE FROM household_counts;
         INSERT INTO household_counts (scope_id, from_year, to_year, n)
         SELECT s.scope_id, {from}, COALESCE({to}, {open}), COUNT(*)
         FROM households h JOIN {SCOPES} ON s.household_id = h.id
         GROUP BY s.scope_id, {from}, COALESCE({to}, {open});",
        open = super::tallies::OPEN,
    );
    conn.batch_execute(&statements)?;
    Ok(())
}
