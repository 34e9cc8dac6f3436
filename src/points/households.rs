//! Writing households (户), each inside the caller's transaction: load and
//! lock, ask the policy (`ManagePeople` at the household's group), check
//! the rules, write, keep the totals, audit.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::store::{self, HouseholdRow};
use super::tallies::{self, Place, OPEN};
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::{ActionKind, Sight};
use crate::db::ancestry::Beneath;
use crate::db::schema::households::{self, dsl as h};
use crate::db::schema::persons::dsl as p;
use crate::db::schema::point_records::dsl as r;
use crate::db::DbConnection;
use crate::domain::ledger::Household;
use crate::domain::{rules, Level, OrgUnit, Patch};
use crate::error::{AppError, AppResult};
use crate::ids::{encode, HouseholdId, Id, Kind, PersonId, UnitId};
use crate::tree::locks;

/// A household's fields, as `createHousehold` takes them and
/// `updateHousehold` patches them.
#[derive(Debug, Clone, Default)]
pub struct HouseholdInput {
    pub unit_id: Option<UnitId>,
    pub address: Option<String>,
    pub head_person_id: Patch<PersonId>,
    pub registered_on: Option<NaiveDate>,
    pub notes: Patch<String>,
}

/// Where the household of `group` lives, for the totals.
pub fn place(group: &OrgUnit) -> Place {
    Place {
        unit_id: group.id,
        slots: households::table::slots(group),
    }
}

/// The years a household counts in.
pub(super) fn years(x: &Household) -> (i32, i32) {
    (
        x.registered_on.year(),
        x.closed_on.map_or(OPEN, |c| c.year()),
    )
}

/// NOT_FOUND unless the viewer fully sees the household's group.
pub(super) fn seen(actor: &Actor<'_>, group: &OrgUnit) -> AppResult<()> {
    if actor.viewer.visibility().sight(group) != Sight::Full {
        return Err(AppError::not_found("no such household"));
    }
    Ok(())
}

/// The household `id` and its group, with the group's township locked.
pub(super) fn held(conn: &mut DbConnection, id: HouseholdId) -> AppResult<(Household, OrgUnit)> {
    locks::holding(conn, |c| {
        let x = store::household(c, id.get())?
            .ok_or_else(|| AppError::not_found("no such household"))?;
        let group = store::group_of(c, x.unit_id)?;
        let township = locks::township_of(&group);
        Ok(((x, group), vec![township]))
    })
}

pub(super) fn group(conn: &mut DbConnection, actor: &Actor<'_>, id: UnitId) -> AppResult<OrgUnit> {
    let unit = locks::unit(conn, id.get(), "unitId")?;
    actor
        .viewer
        .check(ActionKind::ManagePeople, Some(&unit), "unitId")?;
    if unit.level() != Level::BuildingGroup {
        return Err(AppError::bad_input(
            "unitId",
            "a household belongs to a building or courtyard group (level 4)",
        ));
    }
    rules::active(&unit)?;
    Ok(unit)
}

pub(super) fn audit_household(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    group: &OrgUnit,
    before: Option<&Household>,
    after: Option<&Household>,
) -> AppResult<()> {
    let id = after.or(before).map_or(0, |x| x.id);
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            action,
            encode(Kind::Household, id),
            Some(group),
            before,
            after,
        ),
    )
}

/// The head of household: a person the viewer sees in the same village.
fn head(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    group: &OrgUnit,
    id: PersonId,
) -> AppResult<i64> {
    let person = crate::people::store::find(conn, id.get())?;
    let unit = match &person {
        Some(x) => Some(store::group_of(conn, x.unit_id)?),
        None => None,
    };
    let Some(unit) = unit.filter(|u| actor.viewer.visibility().sight(u) == Sight::Full) else {
        return Err(AppError::not_found("no such person"));
    };
    // The person's village: their unit's, or the unit itself at that level.
    if households::table::slots(&unit)[1] != group.ancestry.at(Level::Village) {
        return Err(AppError::bad_input(
            "headPersonId",
            "the head of household belongs to a unit of the household's village",
        ));
    }
    Ok(id.get())
}

/// Applies `input` to `x` (in `group`) and checks it.
pub(super) fn apply(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    x: &mut Household,
    group: &OrgUnit,
    input: HouseholdInput,
) -> AppResult<()> {
    if let Some(a) = input.address {
        x.address = rules::name("address", &a)?;
    }
    x.head_person_id = match input.head_person_id {
        Patch::Set(id) => Some(head(conn, actor, group, id)?),
        other => other.apply(x.head_person_id.map(PersonId)).map(|p| p.get()),
    };
    if let Some(on) = input.registered_on {
        x.registered_on = on;
    }
    x.notes = match input.notes {
        Patch::Set(v) => rules::optional_text("notes", Some(&v), rules::MAX_NOTES_CHARS)?,
        other => other.apply(x.notes.clone()),
    };
    rules::not_future(
        "registeredOn",
        Some(x.registered_on),
        actor.now.date_naive(),
    )?;
    let taken: Option<i64> = h::households
        .filter(h::unit_id.eq(group.id))
        .filter(h::address.eq(&x.address))
        .filter(h::closed_on.is_null())
        .filter(h::id.ne(x.id))
        .select(h::id)
        .first(conn)
        .optional()?;
    if taken.is_some() && x.closed_on.is_none() {
        return Err(AppError::conflict_on(
            "address",
            format!("the group already has an open household at {}", x.address),
        ));
    }
    Ok(())
}

/// The head becomes a member of the household.
fn head_joins(conn: &mut DbConnection, x: &Household) -> AppResult<()> {
    if let Some(head) = x.head_person_id {
        diesel::update(p::persons.find(head))
            .set(p::household_id.eq(x.id))
            .execute(conn)?;
    }
    Ok(())
}

/// Registers a household in a building or courtyard group.
pub fn create_household(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    input: HouseholdInput,
) -> AppResult<Household> {
    let unit_id = input
        .unit_id
        .ok_or_else(|| AppError::bad_input("unitId", "unitId is required"))?;
    let group = group(conn, actor, unit_id)?;
    if input.address.is_none() {
        return Err(AppError::bad_input("address", "address is required"));
    }
    let mut x = Household {
        id: 0,
        unit_id: group.id,
        address: String::new(),
        head_person_id: None,
        registered_on: actor.now.date_naive(),
        closed_on: None,
        closed_reason: None,
        notes: None,
        created_at: actor.now,
        updated_at: actor.now,
    };
    apply(conn, actor, &mut x, &group, input)?;
    let row = HouseholdRow::new(&x, &group);
    x.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(households::table)
        .values(&row)
        .returning(h::id)
        .get_result::<i64>(c))?;
    head_joins(conn, &x)?;
    tallies::count_households(conn, place(&group), years(&x), 1)?;
    audit_household(conn, actor, "CREATE_HOUSEHOLD", &group, None, Some(&x))?;
    Ok(x)
}

/// The household `id`, if the viewer manages its group.
pub(super) fn managed(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: HouseholdId,
) -> AppResult<(Household, OrgUnit)> {
    let (x, group) = held(conn, id)?;
    seen(actor, &group)?;
    actor
        .viewer
        .check(ActionKind::ManagePeople, Some(&group), "id")?;
    Ok((x, group))
}

/// The earliest and latest day of the household's records.
fn record_span(conn: &mut DbConnection, id: i64) -> AppResult<Option<(NaiveDate, NaiveDate)>> {
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = r::point_records
        .filter(r::household_id.eq(id))
        .select((
            diesel::dsl::min(r::recorded_on),
            diesel::dsl::max(r::recorded_on),
        ))
        .first(conn)?;
    Ok(first.zip(last))
}

/// Edits a household's address, head, registration date or notes.
pub fn update_household(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: HouseholdId,
    input: HouseholdInput,
) -> AppResult<Household> {
    let (current, group) = managed(conn, actor, id)?;
    let mut next = current.clone();
    apply(conn, actor, &mut next, &group, input)?;
    if let Some((first, _)) = record_span(conn, current.id)? {
        if next.registered_on > first {
            return Err(AppError::bad_input(
                "registeredOn",
                format!("the household has points recorded on {first}, before that day"),
            ));
        }
    }
    if let Some(c) = next.closed_on.filter(|c| *c < next.registered_on) {
        return Err(AppError::bad_input(
            "registeredOn",
            format!("the household was closed on {c}, before that day"),
        ));
    }
    if next == current {
        return Ok(current);
    }
    next.updated_at = actor.now;
    diesel::update(h::households.find(current.id))
        .set(HouseholdRow::new(&next, &group))
        .execute(conn)?;
    head_joins(conn, &next)?;
    if years(&next) != years(&current) {
        tallies::count_households(conn, place(&group), years(&current), -1)?;
        tallies::count_households(conn, place(&group), years(&next), 1)?;
    }
    audit_household(
        conn,
        actor,
        "UPDATE_HOUSEHOLD",
        &group,
        Some(&current),
        Some(&next),
    )?;
    Ok(next)
}

/// Closes a household on a day (moved away, merged, died out): it stays
/// with its records, and takes no new ones dated from that day.
pub fn close_household(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: HouseholdId,
    on: NaiveDate,
    reason: &str,
) -> AppResult<Household> {
    let (current, group) = managed(conn, actor, id)?;
    if current.closed_on.is_some() {
        return Err(AppError::conflict_on(
            "id",
            "the household is already closed",
        ));
    }
    rules::not_future("closedOn", Some(on), actor.now.date_naive())?;
    if on < current.registered_on {
        return Err(AppError::bad_input(
            "closedOn",
            format!("the household was registered on {}", current.registered_on),
        ));
    }
    if let Some((_, last)) = record_span(conn, current.id)? {
        if last >= on {
            return Err(AppError::bad_input(
                "closedOn",
                format!("the household has points recorded on {last}; close it after that day"),
            ));
        }
    }
    let reason = rules::name("reason", reason)?;
    let next = Household {
        closed_on: Some(on),
        closed_reason: Some(reason),
        updated_at: actor.now,
        ..current.clone()
    };
    diesel::update(h::households.find(current.id))
        .set(HouseholdRow::new(&next, &group))
        .execute(conn)?;
    tallies::count_households(conn, place(&group), years(&current), -1)?;
    tallies::count_households(conn, place(&group), years(&next), 1)?;
    audit_household(
        conn,
        actor,
        "CLOSE_HOUSEHOLD",
        &group,
        Some(&current),
        Some(&next),
    )?;
    Ok(next)
}

pub use super::moves::{move_household, set_person_household};
