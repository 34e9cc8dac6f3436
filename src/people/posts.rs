//! Starting and ending posts (任职), under `ManagePeople` in the post's
//! unit, with the staffing gaps and the audit log in the same transaction.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::store::{self, PostsOf};
use super::write::{managed_unit, seen};
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::ActionKind;
use crate::db::ancestry::Beneath;
use crate::db::schema::positions::{self, dsl as ps};
use crate::db::DbConnection;
use crate::domain::people::{role_fits, Person, Position, PositionRole};
use crate::domain::{rules, Level, OrgUnit};
use crate::error::{AppError, AppResult};
use crate::ids::{encode, Id, Kind, PersonId, PositionId, UnitId};

/// What `startPosition` takes.
#[derive(Debug, Clone)]
pub struct NewPosition {
    pub person_id: PersonId,
    pub unit_id: UnitId,
    pub role: PositionRole,
    pub started_on: Option<NaiveDate>,
    pub also_village_director: bool,
}

fn audit_post(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    unit: &OrgUnit,
    before: Option<&Position>,
    after: &Position,
) -> AppResult<()> {
    let target = encode(Kind::Position, after.id);
    audit::record(
        conn,
        &AuditEntry::new(actor, action, target, Some(unit), before, Some(after)),
    )
}

/// The post `new` would start, with the access policy and every rule
/// checked against the unit's `holders` of that role today, but nothing
/// written (its id is 0). `holder_name` names a current holder for the
/// conflict. Shared by [`start_position`] and the import's rehearsal.
pub fn prepare_post(
    actor: &Actor<'_>,
    unit: &OrgUnit,
    (person, home): (&Person, &OrgUnit),
    new: &NewPosition,
    holders: &[Position],
    holder_name: impl FnOnce(i64) -> AppResult<String>,
) -> AppResult<Position> {
    let today = actor.now.date_naive();
    actor
        .viewer
        .check(ActionKind::ManagePeople, Some(unit), "unitId")?;
    rules::active(unit)?;
    seen(actor, home, "no such person")?;
    role_fits(new.role, unit.level())?;
    if new.also_village_director
        && !(new.role == PositionRole::Secretary && unit.level() == Level::Village)
    {
        return Err(AppError::bad_input(
            "alsoVillageDirector",
            "only a village (community) secretary can also be the committee director (一肩挑)",
        ));
    }
    let started_on = new.started_on.unwrap_or(today);
    rules::not_future("startedOn", Some(started_on), today)?;
    if holders
        .iter()
        .any(|x| x.person_id == person.id && x.ended_on.is_none())
    {
        return Err(AppError::conflict_on(
            "role",
            format!("{} already holds this post in {}", person.name, unit.name),
        ));
    }
    if let Some(holder) = holders
        .iter()
        .find(|x| x.ended_on.is_none())
        .filter(|_| new.role.is_single())
    {
        let name = holder_name(holder.person_id)?;
        return Err(AppError::conflict_on(
            "role",
            format!(
                "{} already has a {} ({name}); end that post first",
                unit.name,
                new.role.label()
            ),
        ));
    }
    Ok(Position {
        id: 0,
        person_id: person.id,
        unit_id: unit.id,
        role: new.role,
        started_on,
        ended_on: None,
        also_village_director: new.also_village_director,
    })
}

/// Starts a post: the person (whom the viewer must see) takes `role` in a
/// unit the viewer manages.
pub fn start_position(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    new: NewPosition,
) -> AppResult<Position> {
    // The unit is decided on before the person is looked up, so a person
    // id answers the same whether it exists or not to a caller who may
    // not manage the unit.
    let unit = managed_unit(conn, actor, new.unit_id, "unitId")?;
    rules::active(&unit)?;
    let (person, home) = super::write::person_held(conn, new.person_id.get())?;
    let holders = store::positions_of(
        conn,
        PostsOf::Units(&[unit.id]),
        Some(new.role),
        Some(actor.now.date_naive()),
    )?;
    let mut post = prepare_post(actor, &unit, (&person, &home), &new, &holders, |id| {
        Ok(store::find(conn, id)?.map_or_else(String::new, |x| x.name))
    })?;
    let anc = <positions::table as Beneath>::slots(&unit);
    let id: i64 = crate::with_concrete_conn!(conn, |c| diesel::insert_into(positions::table)
        .values((
            ps::person_id.eq(person.id),
            ps::unit_id.eq(unit.id),
            ps::unit_level.eq(unit.level().number()),
            ps::township_id.eq(anc[0]),
            ps::village_id.eq(anc[1]),
            ps::grid_id.eq(anc[2]),
            ps::building_group_id.eq(anc[3]),
            ps::role.eq(new.role.as_str()),
            ps::started_on.eq(post.started_on),
            ps::ended_on.eq(None::<NaiveDate>),
            ps::also_village_director.eq(new.also_village_director),
            ps::created_at.eq(actor.now.naive_utc()),
        ))
        .returning(ps::id)
        .get_result::<i64>(c))?;
    post.id = id;
    crate::tree::staffing::refresh_post(conn, &unit, post.role)?;
    audit_post(conn, actor, "START_POSITION", &unit, None, &post)?;
    Ok(post)
}

/// Ends a post on `on` (default today); the post stays, as history.
pub fn end_position(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PositionId,
    on: Option<NaiveDate>,
) -> AppResult<Position> {
    let id = id.get();
    let (post, unit) = crate::tree::locks::holding(conn, |c| {
        let post =
            store::find_position(c, id)?.ok_or_else(|| AppError::not_found("no such post"))?;
        let unit = store::unit_of(c, post.unit_id)?;
        let township = crate::tree::locks::township_of(&unit);
        Ok(((post, unit), vec![township]))
    })?;
    seen(actor, &unit, "no such post")?;
    actor
        .viewer
        .check(ActionKind::ManagePeople, Some(&unit), "id")?;
    if post.ended_on.is_some() {
        return Err(AppError::conflict("this post has already ended"));
    }
    let today = actor.now.date_naive();
    let on = on.unwrap_or(today);
    rules::not_future("endedOn", Some(on), today)?;
    if on < post.started_on {
        return Err(AppError::bad_input(
            "endedOn",
            format!("the post started on {}", post.started_on),
        ));
    }
    diesel::update(ps::positions.find(id))
        .set(ps::ended_on.eq(Some(on)))
        .execute(conn)?;
    let ended = Position {
        ended_on: Some(on),
        ..post.clone()
    };
    crate::tree::staffing::refresh_post(conn, &unit, post.role)?;
    audit_post(conn, actor, "END_POSITION", &unit, Some(&post), &ended)?;
    Ok(ended)
}
