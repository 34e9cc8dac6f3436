//! Writing people and posts, each inside the caller's transaction: load the
//! facts, ask the access policy (`ManagePeople` at the unit), check the
//! rules, write, audit.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::store::{self, PersonRow, PostsOf};
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::ActionKind;
use crate::db::schema::persons::{self, dsl as p};
use crate::db::schema::positions::dsl as ps;
use crate::db::DbConnection;
use crate::domain::people::{EducationLevel, Gender, Person, PoliticalStatus, PositionRole};
use crate::domain::{rules, OrgUnit, Patch};
use crate::error::{AppError, AppResult};
use crate::ids::{encode, Id, Kind, PersonId, UnitId};
use crate::tree::locks;

pub use super::posts::{end_position, prepare_post, start_position, NewPosition};

/// A person's fields, as `createPerson` takes them and `updatePerson`
/// patches them.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: Option<String>,
    pub gender: Option<Gender>,
    pub birth_date: Patch<NaiveDate>,
    pub phone: Patch<String>,
    pub education: Patch<EducationLevel>,
    pub political_status: Option<PoliticalStatus>,
    pub status_since: Patch<NaiveDate>,
    pub capable_talent: Option<bool>,
    pub unit_id: Option<UnitId>,
    pub notes: Patch<String>,
}

/// The unit `id` as a place for people the viewer manages.
pub(super) fn managed_unit(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: UnitId,
    field: &str,
) -> AppResult<OrgUnit> {
    let unit = locks::unit(conn, id.get(), field)?;
    actor
        .viewer
        .check(ActionKind::ManagePeople, Some(&unit), field)?;
    Ok(unit)
}

fn phone(v: &str) -> AppResult<String> {
    crate::domain::people::phone_number("phone", v)
}

/// Applies `input` to `person` and checks the result.
fn apply(person: &mut Person, input: PersonInput, today: NaiveDate) -> AppResult<()> {
    if let Some(name) = input.name {
        person.name = rules::name("name", &name)?;
    }
    if let Some(g) = input.gender {
        person.gender = g;
    }
    person.birth_date = input.birth_date.apply(person.birth_date);
    person.phone = match input.phone {
        Patch::Set(v) => Some(phone(&v)?),
        other => other.apply(person.phone.clone()),
    };
    person.education = input.education.apply(person.education);
    if let Some(s) = input.political_status {
        person.political_status = s;
    }
    person.status_since = input.status_since.apply(person.status_since);
    if let Some(c) = input.capable_talent {
        person.capable_talent = c;
    }
    person.notes = match input.notes {
        Patch::Set(v) => rules::optional_text("notes", Some(&v), rules::MAX_NOTES_CHARS)?,
        other => other.apply(person.notes.clone()),
    };
    rules::not_future("birthDate", person.birth_date, today)?;
    rules::not_future("statusSince", person.status_since, today)?;
    if let (Some(b), Some(s)) = (person.birth_date, person.status_since) {
        if s < b {
            return Err(AppError::bad_input(
                "statusSince",
                "statusSince is before birthDate",
            ));
        }
    }
    Ok(())
}

fn audit_person(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    unit: &OrgUnit,
    before: Option<&Person>,
    after: Option<&Person>,
) -> AppResult<()> {
    let id = after.or(before).map_or(0, |x| x.id);
    let target = encode(Kind::Person, id);
    audit::record(
        conn,
        &AuditEntry::new(actor, action, target, Some(unit), before, after),
    )
}

/// The person `input` would create in `unit`, with the access policy and
/// every rule checked but nothing written (its id is 0). Shared by
/// [`create_person`] and the import's rehearsal.
pub fn prepare_person(actor: &Actor<'_>, unit: &OrgUnit, input: PersonInput) -> AppResult<Person> {
    actor
        .viewer
        .check(ActionKind::ManagePeople, Some(unit), "unitId")?;
    rules::active(unit)?;
    let name = input
        .name
        .clone()
        .ok_or_else(|| AppError::bad_input("name", "name is required"))?;
    let mut person = Person {
        id: 0,
        name,
        gender: input
            .gender
            .ok_or_else(|| AppError::bad_input("gender", "gender is required"))?,
        birth_date: None,
        phone: None,
        education: None,
        political_status: input.political_status.unwrap_or(PoliticalStatus::NonParty),
        status_since: None,
        capable_talent: false,
        unit_id: unit.id,
        notes: None,
        created_at: actor.now,
        updated_at: actor.now,
    };
    apply(&mut person, input, actor.now.date_naive())?;
    Ok(person)
}

/// Creates a person in a unit the viewer manages.
pub fn create_person(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    input: PersonInput,
) -> AppResult<Person> {
    let unit_id = input
        .unit_id
        .ok_or_else(|| AppError::bad_input("unitId", "unitId is required"))?;
    let unit = locks::unit(conn, unit_id.get(), "unitId")?;
    let mut person = prepare_person(actor, &unit, input)?;
    let row = PersonRow::new(&person, &unit);
    person.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(persons::table)
        .values(&row)
        .returning(p::id)
        .get_result::<i64>(c))?;
    audit_person(conn, actor, "CREATE_PERSON", &unit, None, Some(&person))?;
    Ok(person)
}

/// The person `id` and their unit, with its township locked.
pub(super) fn person_held(conn: &mut DbConnection, id: i64) -> AppResult<(Person, OrgUnit)> {
    locks::holding(conn, |c| {
        let person = store::find(c, id)?.ok_or_else(|| AppError::not_found("no such person"))?;
        let unit = store::unit_of(c, person.unit_id)?;
        let township = locks::township_of(&unit);
        Ok(((person, unit), vec![township]))
    })
}

/// NOT_FOUND (`what`) unless the viewer fully sees `unit`: people and
/// posts are as visible as their units.
pub(super) fn seen(actor: &Actor<'_>, unit: &OrgUnit, what: &str) -> AppResult<()> {
    if actor.viewer.visibility().sight(unit) != crate::auth::policy::Sight::Full {
        return Err(AppError::not_found(what));
    }
    Ok(())
}

/// The person `id`, if the viewer manages their unit.
pub fn managed_person(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PersonId,
) -> AppResult<(Person, OrgUnit)> {
    let (person, unit) = person_held(conn, id.get())?;
    seen(actor, &unit, "no such person")?;
    actor
        .viewer
        .check(ActionKind::ManagePeople, Some(&unit), "id")?;
    Ok((person, unit))
}

/// `current` (of `unit`) as `input` would leave them, with the access
/// policy and every rule checked but nothing written: equal to `current`
/// when nothing changes. A change of unit names the new unit in `to`,
/// which the viewer must manage too. Shared by [`update_person`] and the
/// import's rehearsal.
pub fn prepare_person_update(
    actor: &Actor<'_>,
    (current, unit): (&Person, &OrgUnit),
    input: PersonInput,
    to: Option<&OrgUnit>,
) -> AppResult<Person> {
    seen(actor, unit, "no such person")?;
    actor
        .viewer
        .check(ActionKind::ManagePeople, Some(unit), "id")?;
    let mut next = current.clone();
    if let Some(to) = to.filter(|u| u.id != current.unit_id) {
        actor
            .viewer
            .check(ActionKind::ManagePeople, Some(to), "unitId")?;
        rules::active(to)?;
        next.unit_id = to.id;
    }
    apply(&mut next, input, actor.now.date_naive())?;
    Ok(next)
}

/// Edits a person; moving them to another unit needs both units managed.
pub fn update_person(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PersonId,
    input: PersonInput,
) -> AppResult<Person> {
    let id = id.get();
    let (current, home) = person_held(conn, id)?;
    // The new unit is looked up only for a caller who manages the person,
    // so its existence is not learnt by anyone else.
    let manages = seen(actor, &home, "no such person").is_ok()
        && actor
            .viewer
            .check(ActionKind::ManagePeople, Some(&home), "id")
            .is_ok();
    let to = match input.unit_id.filter(|u| u.get() != current.unit_id) {
        Some(to) if manages => Some(locks::unit(conn, to.get(), "unitId")?),
        _ => None,
    };
    let mut next = prepare_person_update(actor, (&current, &home), input, to.as_ref())?;
    let unit = to.unwrap_or(home);
    if next == current {
        return Ok(current);
    }
    next.updated_at = actor.now;
    diesel::update(p::persons.find(id))
        .set(PersonRow::new(&next, &unit))
        .execute(conn)?;
    if next.political_status != current.political_status {
        // The teams they lead may gain or lose a party-member leader.
        let led: Vec<i64> = ps::positions
            .filter(ps::person_id.eq(id))
            .filter(ps::role.eq(PositionRole::TeamLeader.as_str()))
            .filter(ps::ended_on.is_null())
            .select(ps::unit_id)
            .load(conn)?;
        // Teams led elsewhere lie in townships of their own.
        let townships: Vec<i64> = ps::positions
            .filter(ps::unit_id.eq_any(&led))
            .filter(ps::township_id.is_not_null())
            .select(ps::township_id.assume_not_null())
            .distinct()
            .load(conn)?;
        crate::db::transaction::lock_townships(conn, &townships)?;
        crate::tree::staffing::refresh(conn, &led)?;
    }
    audit_person(
        conn,
        actor,
        "UPDATE_PERSON",
        &unit,
        Some(&current),
        Some(&next),
    )?;
    Ok(next)
}

/// Removes a person and their ended posts; refused while they hold a post.
pub fn remove_person(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PersonId,
) -> AppResult<Person> {
    let (person, unit) = managed_person(conn, actor, id)?;
    let id = id.get();
    let held = store::positions_of(conn, PostsOf::Persons(&[id]), None, None)?;
    if let Some(post) = held.iter().find(|x| x.ended_on.is_none()) {
        return Err(AppError::conflict(format!(
            "{} still holds a post ({}); end it first",
            person.name,
            post.role.label()
        )));
    }
    diesel::delete(ps::positions.filter(ps::person_id.eq(id))).execute(conn)?;
    diesel::delete(p::persons.find(id)).execute(conn)?;
    audit_person(conn, actor, "REMOVE_PERSON", &unit, Some(&person), None)?;
    Ok(person)
}
