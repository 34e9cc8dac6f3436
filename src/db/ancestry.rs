//! The one way to say "beneath": every table whose rows belong to a unit
//! carries that unit's ancestry in four columns (`township_id`,
//! `village_id`, `grid_id`, `building_group_id`), so "in the subtree of X"
//! is one indexed equality, and a move rewrites those columns.
//!
//! Tables differ in one way, declared once below and nowhere else:
//! - **strict** tables hold the unit's ancestors only (`org_units`, whose
//!   row *is* the unit; `staffing_gaps`, one row per failing unit, copied
//!   from it; `audit_log`, whose lines keep where the unit was);
//! - **inclusive** tables hold the ancestors and the unit itself at its own
//!   level (people and posts: rows that belong *to* a unit).
//!
//! Either way a volunteer team (level 5) has no column of its own: its rows
//! are found by their unit column. A new table declares itself with
//! [`ancestry_table!`] and gets [`Beneath`]; nothing else writes these
//! conditions by hand.

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::{DbConnection, MultiBackend};
use crate::domain::{Level, OrgUnit};
use crate::error::AppResult;

/// A condition on rows of table `T`.
pub type Condition<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Bool>>;

/// How a table stores a row's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The unit's ancestors only.
    Strict,
    /// The ancestors, and the unit itself at its own level.
    Inclusive,
}

/// Posts joined with their holders: conditions on posts work there too.
pub type PostsWithHolders = diesel::helper_types::InnerJoinQuerySource<
    super::schema::positions::table,
    super::schema::persons::table,
>;

/// Grants with their scope units (region grants have none).
pub type GrantsWithScopes = diesel::helper_types::LeftJoinQuerySource<
    super::schema::grants::table,
    super::schema::org_units::table,
    diesel::dsl::Eq<
        diesel::dsl::Nullable<super::schema::org_units::id>,
        super::schema::grants::scope_unit_id,
    >,
>;

/// A table whose rows carry a unit's ancestry, seen from query source `QS`
/// (the table itself, or a join that contains it).
pub trait Beneath<QS: 'static = Self>: Sized {
    /// How this table stores it.
    const STORED: Stored;

    /// Rows of unit `id` itself.
    fn of_unit(id: i64) -> Condition<QS>;

    /// Rows whose ancestry column at `level` is `id` (`None` for level 5,
    /// which has no column).
    fn column_is(id: i64, level: Level) -> Option<Condition<QS>>;

    /// Rows of unit `id` (at `level`) and of every unit beneath it.
    fn at_or_beneath(id: i64, level: Level) -> Condition<QS> {
        match (Self::column_is(id, level), Self::STORED) {
            (None, _) => Self::of_unit(id),
            (Some(below), Stored::Inclusive) => below,
            (Some(below), Stored::Strict) => Box::new(Self::of_unit(id).or(below)),
        }
    }

    /// Rows of the units beneath unit `id` (at `level`), not its own.
    fn strictly_beneath(id: i64, level: Level) -> Condition<QS> {
        match (Self::column_is(id, level), Self::STORED) {
            (None, _) => never(),
            (Some(below), Stored::Strict) => below,
            (Some(below), Stored::Inclusive) => {
                Box::new(below.and(diesel::dsl::not(Self::of_unit(id))))
            }
        }
    }

    /// What the four columns hold for a row of `unit`.
    fn slots(unit: &OrgUnit) -> [Option<i64>; 4] {
        let mut slots = unit.ancestry.0;
        if Self::STORED == Stored::Inclusive {
            if let Some(slot) = slots.get_mut(unit.level().number() as usize - 1) {
                *slot = Some(unit.id);
            }
        }
        slots
    }
}

/// A table whose ancestry columns a move rewrites.
pub trait Rewrite {
    /// Sets the ancestry columns strictly above `level` to `above` on every
    /// row at or beneath unit `id` (a move of that unit).
    fn rewrite_above(
        conn: &mut DbConnection,
        id: i64,
        level: Level,
        above: [Option<i64>; 4],
    ) -> AppResult<usize>;
}

/// A condition no row meets (the subtree below a volunteer team).
pub fn never<T: 'static>() -> Condition<T> {
    Box::new(sql::<Bool>("1 = 0"))
}

/// Declares `table`'s ancestry: the column naming a row's unit, how the
/// four ancestry columns are stored, and the query sources (besides the
/// table) where its conditions are used.
macro_rules! ancestry_table {
    ($table:ident, unit: $unit:ident, $stored:ident $(, also: $source:ty)*) => {
        ancestry_table!(@beneath $table, $unit, $stored, crate::db::schema::$table::table);
        $(ancestry_table!(@beneath $table, $unit, $stored, $source);)*

        impl Rewrite for crate::db::schema::$table::table {
            fn rewrite_above(
                conn: &mut DbConnection,
                id: i64,
                level: Level,
                above: [Option<i64>; 4],
            ) -> AppResult<usize> {
                use crate::db::schema::$table::dsl as x;
                let [t, v, g, b] = above;
                let rows = x::$table.filter(
                    <Self as Beneath>::at_or_beneath(id, level),
                );
                Ok(match level {
                    // Nothing stands above a township.
                    Level::Township => 0,
                    Level::Village => diesel::update(rows)
                        .set(x::township_id.eq(t))
                        .execute(conn)?,
                    Level::Grid => diesel::update(rows)
                        .set((x::township_id.eq(t), x::village_id.eq(v)))
                        .execute(conn)?,
                    Level::BuildingGroup => diesel::update(rows)
                        .set((x::township_id.eq(t), x::village_id.eq(v), x::grid_id.eq(g)))
                        .execute(conn)?,
                    Level::VolunteerTeam => diesel::update(rows)
                        .set((
                            x::township_id.eq(t),
                            x::village_id.eq(v),
                            x::grid_id.eq(g),
                            x::building_group_id.eq(b),
                        ))
                        .execute(conn)?,
                })
            }
        }
    };
    (@beneath $table:ident, $unit:ident, $stored:ident, $source:ty) => {
        impl Beneath<$source> for crate::db::schema::$table::table {
            const STORED: Stored = Stored::$stored;

            fn of_unit(id: i64) -> Condition<$source> {
                use crate::db::schema::$table::dsl as x;
                Box::new(x::$unit.nullable().assume_not_null().eq(id))
            }

            fn column_is(id: i64, level: Level) -> Option<Condition<$source>> {
                use crate::db::schema::$table::dsl as x;
                Some(match level {
                    Level::Township => Box::new(x::township_id.assume_not_null().eq(id)),
                    Level::Village => Box::new(x::village_id.assume_not_null().eq(id)),
                    Level::Grid => Box::new(x::grid_id.assume_not_null().eq(id)),
                    Level::BuildingGroup => {
                        Box::new(x::building_group_id.assume_not_null().eq(id))
                    }
                    Level::VolunteerTeam => return None,
                })
            }
        }
    };
}

ancestry_table!(org_units, unit: id, Strict, also: GrantsWithScopes);
ancestry_table!(audit_log, unit: unit_id, Strict);
ancestry_table!(staffing_gaps, unit: unit_id, Strict);
ancestry_table!(persons, unit: unit_id, Inclusive);
ancestry_table!(positions, unit: unit_id, Inclusive, also: PostsWithHolders);
ancestry_table!(households, unit: unit_id, Inclusive);
ancestry_table!(point_records, unit: unit_id, Inclusive);
ancestry_table!(household_points, unit: unit_id, Inclusive);
ancestry_table!(redemptions, unit: unit_id, Inclusive);
ancestry_table!(service_activities, unit: unit_id, Inclusive);
ancestry_table!(problems, unit: unit_id, Inclusive);
ancestry_table!(duty_logs, unit: unit_id, Inclusive);
ancestry_table!(training_sessions, unit: unit_id, Inclusive);
ancestry_table!(village_incomes, unit: unit_id, Inclusive);

/// Every table a move rewrites: the unit's subtree and what belongs to it.
/// (The audit log keeps where things were when they happened.)
pub fn rewrite_subtree(
    conn: &mut DbConnection,
    id: i64,
    level: Level,
    above: [Option<i64>; 4],
) -> AppResult<()> {
    use super::schema::{
        household_points, households, org_units, persons, point_records, positions, redemptions,
        staffing_gaps,
    };
    org_units::table::rewrite_above(conn, id, level, above)?;
    persons::table::rewrite_above(conn, id, level, above)?;
    positions::table::rewrite_above(conn, id, level, above)?;
    staffing_gaps::table::rewrite_above(conn, id, level, above)?;
    // Households move with their group, and their records, totals and
    // redemptions with them.
    households::table::rewrite_above(conn, id, level, above)?;
    point_records::table::rewrite_above(conn, id, level, above)?;
    household_points::table::rewrite_above(conn, id, level, above)?;
    redemptions::table::rewrite_above(conn, id, level, above)?;
    // And the work done there: activities, problems, duties, trainings,
    // the village's incomes.
    use super::schema::{
        duty_logs, problems, service_activities, training_sessions, village_incomes,
    };
    service_activities::table::rewrite_above(conn, id, level, above)?;
    problems::table::rewrite_above(conn, id, level, above)?;
    duty_logs::table::rewrite_above(conn, id, level, above)?;
    training_sessions::table::rewrite_above(conn, id, level, above)?;
    village_incomes::table::rewrite_above(conn, id, level, above)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::schema::{audit_log, org_units, persons, positions, staffing_gaps};
    use crate::domain::{Ancestry, OrgForm, UnitType};

    fn unit(id: i64, unit_type: UnitType, ancestry: [Option<i64>; 4]) -> OrgUnit {
        let now = chrono::Utc::now();
        OrgUnit {
            id,
            parent_id: ancestry.iter().flatten().last().copied(),
            unit_type,
            name: format!("unit {id}"),
            code: None,
            org_form: (unit_type.level() != Level::VolunteerTeam).then_some(OrgForm::None),
            host_unit_id: None,
            team_category: None,
            ancestry: Ancestry(ancestry),
            founded_on: None,
            dissolved_on: None,
            dissolved_reason: None,
            service_station: None,
            wechat_group: None,
            notes: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn strict_tables_hold_ancestors_inclusive_ones_the_unit_too() {
        let village = unit(2, UnitType::Village, [Some(1), None, None, None]);
        assert_eq!(
            <org_units::table as Beneath>::slots(&village),
            [Some(1), None, None, None]
        );
        assert_eq!(
            audit_log::table::slots(&village),
            [Some(1), None, None, None]
        );
        assert_eq!(
            staffing_gaps::table::slots(&village),
            [Some(1), None, None, None]
        );
        assert_eq!(
            persons::table::slots(&village),
            [Some(1), Some(2), None, None]
        );
        assert_eq!(
            <positions::table as Beneath>::slots(&village),
            [Some(1), Some(2), None, None]
        );
        // A team has no column of its own: inclusive or not, the same.
        let team = unit(
            9,
            UnitType::VolunteerTeam,
            [Some(1), Some(2), Some(3), Some(4)],
        );
        assert_eq!(persons::table::slots(&team), team.ancestry.0);
        assert_eq!(<org_units::table as Beneath>::slots(&team), team.ancestry.0);
    }
}
