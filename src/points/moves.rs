//! Moving households: to another group with their records and totals, and
//! people in and out of a household.

use diesel::prelude::*;

use super::households::{apply, audit_household, group, managed, place, years, HouseholdInput};
use super::store::{self, HouseholdRow};
use super::tallies;
use crate::audit::{self, Actor, AuditEntry};
use crate::db::ancestry::Beneath;
use crate::db::schema::household_points::dsl as hp;
use crate::db::schema::households::{self, dsl as h};
use crate::db::schema::persons::dsl as p;
use crate::db::schema::point_records::dsl as r;
use crate::db::schema::redemptions::dsl as rd;
use crate::db::DbConnection;
use crate::domain::ledger::{Household, PointRecord};
use crate::domain::Level;
use crate::error::{AppError, AppResult};
use crate::ids::{encode, HouseholdId, Kind, PersonId, UnitId};

/// Moves an open household to another group (the viewer manages both),
/// with its records, totals and redemptions.
pub fn move_household(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: HouseholdId,
    to: UnitId,
) -> AppResult<Household> {
    let (current, from) = managed(conn, actor, id)?;
    let to = group(conn, actor, to)?;
    if to.id == from.id {
        return Ok(current);
    }
    if current.closed_on.is_some() {
        return Err(AppError::bad_input(
            "id",
            "a closed household stays where it was",
        ));
    }
    let mut next = current.clone();
    next.unit_id = to.id;
    next.updated_at = actor.now;
    apply(conn, actor, &mut next, &to, HouseholdInput::default())?;
    let records: Vec<PointRecord> = r::point_records
        .filter(r::household_id.eq(current.id))
        .order(r::id)
        .select(store::RecordRow::as_select())
        .load(conn)?
        .into_iter()
        .map(PointRecord::from)
        .collect();
    for rec in &records {
        tallies::add_record(conn, place(&from), rec, -1)?;
    }
    tallies::count_households(conn, place(&from), years(&current), -1)?;
    let row = HouseholdRow::new(&next, &to);
    let slots = (
        r::unit_id.eq(to.id),
        r::township_id.eq(row.township_id),
        r::village_id.eq(row.village_id),
        r::grid_id.eq(row.grid_id),
        r::building_group_id.eq(row.building_group_id),
    );
    diesel::update(h::households.find(current.id))
        .set(&row)
        .execute(conn)?;
    diesel::update(r::point_records.filter(r::household_id.eq(current.id)))
        .set(slots)
        .execute(conn)?;
    diesel::update(hp::household_points.filter(hp::household_id.eq(current.id)))
        .set((
            hp::unit_id.eq(to.id),
            hp::township_id.eq(row.township_id),
            hp::village_id.eq(row.village_id),
            hp::grid_id.eq(row.grid_id),
            hp::building_group_id.eq(row.building_group_id),
        ))
        .execute(conn)?;
    diesel::update(rd::redemptions.filter(rd::household_id.eq(current.id)))
        .set((
            rd::unit_id.eq(to.id),
            rd::township_id.eq(row.township_id),
            rd::village_id.eq(row.village_id),
            rd::grid_id.eq(row.grid_id),
            rd::building_group_id.eq(row.building_group_id),
        ))
        .execute(conn)?;
    for rec in &records {
        tallies::add_record(conn, place(&to), rec, 1)?;
    }
    tallies::count_households(conn, place(&to), years(&next), 1)?;
    audit_household(
        conn,
        actor,
        "MOVE_HOUSEHOLD",
        &to,
        Some(&current),
        Some(&next),
    )?;
    Ok(next)
}

/// Makes a person a member of a household (or of none): the viewer
/// manages both, and they lie in the same village.
pub fn set_person_household(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    person: PersonId,
    household: Option<HouseholdId>,
) -> AppResult<Option<Household>> {
    let (x, home) = crate::people::write::managed_person(conn, actor, person)?;
    let target = match household {
        None => None,
        Some(id) => {
            let (hh, group) = managed(conn, actor, id)?;
            if hh.closed_on.is_some() {
                return Err(AppError::bad_input(
                    "householdId",
                    "the household is closed",
                ));
            }
            let village = households::table::slots(&home)[1];
            if village != group.ancestry.at(Level::Village) {
                return Err(AppError::bad_input(
                    "householdId",
                    "a person joins a household of their own village",
                ));
            }
            Some((hh, group))
        }
    };
    let before: Option<i64> = p::persons.find(x.id).select(p::household_id).first(conn)?;
    let after = target.as_ref().map(|(hh, _)| hh.id);
    if before == after {
        return Ok(target.map(|t| t.0));
    }
    diesel::update(p::persons.find(x.id))
        .set(p::household_id.eq(after))
        .execute(conn)?;
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            "SET_PERSON_HOUSEHOLD",
            encode(Kind::Person, x.id),
            Some(&home),
            Some(&before.map(|id| encode(Kind::Household, id))),
            Some(&after.map(|id| encode(Kind::Household, id))),
        ),
    )?;
    Ok(target.map(|t| t.0))
}
