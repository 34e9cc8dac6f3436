//! Points lists (积分清单): versions proposed by the two committees,
//! adopted by a meeting on a date, in force from that date until the
//! owner's next adopted version. A village without a version in force
//! follows its township's. Adopted versions never change.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::store::{self, ItemRow};
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::ActionKind;
use crate::db::ancestry::Beneath;
use crate::db::schema::point_records::{self, dsl as r};
use crate::db::schema::points_items::{self, dsl as it};
use crate::db::schema::points_lists::{self, dsl as l};
use crate::db::DbConnection;
use crate::domain::ledger::PointsList;
use crate::domain::points::{check_items, ItemDraft, ListStatus, Meeting};
use crate::domain::{rules, Level, OrgUnit};
use crate::error::{AppError, AppResult};
use crate::ids::{encode, Id, Kind, PointsListId, UnitId};
use crate::tree::locks;

/// What an audit line of a list holds: the version and its items.
#[derive(serde::Serialize)]
struct Audited<'a> {
    list: &'a PointsList,
    items: &'a [ItemDraft],
}

fn audit_list(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    owner: &OrgUnit,
    list: &PointsList,
    items: &[ItemDraft],
) -> AppResult<()> {
    let after = Audited { list, items };
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            action,
            encode(Kind::PointsList, list.id),
            Some(owner),
            None,
            Some(&after),
        ),
    )
}

fn write_items(conn: &mut DbConnection, list: i64, items: &[ItemDraft]) -> AppResult<()> {
    diesel::delete(it::points_items.filter(it::list_id.eq(list))).execute(conn)?;
    let rows: Vec<ItemRow> = items
        .iter()
        .map(|i| ItemRow {
            id: 0,
            list_id: list,
            code: i.code.clone(),
            category: i.category.clone(),
            description: i.description.clone(),
            points: i.points,
            cap_per_year: i.cap_per_year,
        })
        .collect();
    crate::with_concrete_conn!(conn, |c| diesel::insert_into(points_items::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

/// The owner `id`: a village or township the viewer manages lists of.
fn owner(conn: &mut DbConnection, actor: &Actor<'_>, id: i64, field: &str) -> AppResult<OrgUnit> {
    let unit = locks::unit(conn, id, field)?;
    actor
        .viewer
        .check(ActionKind::ManagePointsLists, Some(&unit), field)?;
    if !matches!(unit.level(), Level::Township | Level::Village) {
        return Err(AppError::bad_input(
            field,
            "a points list belongs to a village (community) or a township",
        ));
    }
    rules::active(&unit)?;
    Ok(unit)
}

/// The version `id`, with its owner, if the viewer manages the owner's lists.
fn managed(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PointsListId,
) -> AppResult<(PointsList, OrgUnit)> {
    let missing = || AppError::not_found("no such points list");
    let list = store::list_version(conn, id.get())?.ok_or_else(missing)?;
    let unit = locks::unit(conn, list.owner_unit_id, "id")?;
    if actor.viewer.visibility().sight(&unit) != crate::auth::policy::Sight::Full {
        return Err(missing());
    }
    actor
        .viewer
        .check(ActionKind::ManagePointsLists, Some(&unit), "id")?;
    Ok((list, unit))
}

fn proposed(list: &PointsList) -> AppResult<()> {
    if list.status != ListStatus::Proposed {
        return Err(AppError::conflict_on(
            "id",
            format!(
                "version {} is {}; only a proposed version changes",
                list.version,
                list.status.label()
            ),
        ));
    }
    Ok(())
}

/// Proposes a new version of `owner`'s list (待表决).
pub fn propose_list(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    owner_id: UnitId,
    title: &str,
    mut items: Vec<ItemDraft>,
) -> AppResult<PointsList> {
    let unit = owner(conn, actor, owner_id.get(), "ownerId")?;
    let title = rules::name("title", title)?;
    check_items(&mut items, "items")?;
    let latest: Option<i32> = l::points_lists
        .filter(l::owner_unit_id.eq(unit.id))
        .select(diesel::dsl::max(l::version))
        .first(conn)?;
    let mut list = PointsList {
        id: 0,
        owner_unit_id: unit.id,
        township_id: locks::township_of(&unit),
        version: latest.unwrap_or(0) + 1,
        title,
        status: ListStatus::Proposed,
        proposed_on: actor.now.date_naive(),
        adopted_on: None,
        meeting: None,
        created_at: actor.now,
        updated_at: actor.now,
    };
    let now = actor.now.naive_utc();
    list.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(points_lists::table)
        .values((
            l::owner_unit_id.eq(list.owner_unit_id),
            l::township_id.eq(list.township_id),
            l::version.eq(list.version),
            l::title.eq(&list.title),
            l::status.eq(list.status.as_str()),
            l::proposed_on.eq(list.proposed_on),
            l::created_at.eq(now),
            l::updated_at.eq(now),
        ))
        .returning(l::id)
        .get_result::<i64>(c))?;
    write_items(conn, list.id, &items)?;
    audit_list(conn, actor, "PROPOSE_POINTS_LIST", &unit, &list, &items)?;
    Ok(list)
}

/// Replaces the title and items of a proposed version.
pub fn revise_list(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PointsListId,
    title: Option<&str>,
    mut items: Vec<ItemDraft>,
) -> AppResult<PointsList> {
    let (mut list, unit) = managed(conn, actor, id)?;
    proposed(&list)?;
    if let Some(t) = title {
        list.title = rules::name("title", t)?;
    }
    check_items(&mut items, "items")?;
    list.updated_at = actor.now;
    diesel::update(l::points_lists.find(list.id))
        .set((
            l::title.eq(&list.title),
            l::updated_at.eq(actor.now.naive_utc()),
        ))
        .execute(conn)?;
    write_items(conn, list.id, &items)?;
    audit_list(conn, actor, "REVISE_POINTS_LIST", &unit, &list, &items)?;
    Ok(list)
}

/// Adopts a proposed version by a meeting, in force from `adopted_on`.
/// It must come after the owner's last adopted version, and after every
/// record already made under the owner's list from that day (records
/// always point at the version in force on their date).
pub fn adopt_list(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PointsListId,
    adopted_on: NaiveDate,
    meeting: Meeting,
) -> AppResult<PointsList> {
    let (mut list, unit) = managed(conn, actor, id)?;
    proposed(&list)?;
    meeting.check()?;
    let today = actor.now.date_naive();
    rules::not_future("meeting.heldOn", Some(meeting.held_on), today)?;
    if adopted_on < meeting.held_on {
        return Err(AppError::bad_input(
            "adoptedOn",
            "a list is in force from the day of its meeting or later",
        ));
    }
    let last: Option<NaiveDate> = l::points_lists
        .filter(l::owner_unit_id.eq(unit.id))
        .select(diesel::dsl::max(l::adopted_on))
        .first(conn)?;
    if let Some(last) = last.filter(|d| *d >= adopted_on) {
        return Err(AppError::bad_input(
            "adoptedOn",
            format!("the version in force since {last} is later; a new version starts after it"),
        ));
    }
    let beneath = point_records::table::at_or_beneath(unit.id, unit.level());
    let recorded: Option<NaiveDate> = r::point_records
        .filter(beneath)
        .filter(r::recorded_on.ge(adopted_on))
        .select(r::recorded_on)
        .order(r::recorded_on.desc())
        .first(conn)
        .optional()?;
    if let Some(day) = recorded {
        return Err(AppError::bad_input(
            "adoptedOn",
            format!("points were already recorded on {day} under the list then in force; adopt from a later day"),
        ));
    }
    diesel::update(l::points_lists.find(list.id))
        .set((
            l::status.eq(ListStatus::Adopted.as_str()),
            l::adopted_on.eq(adopted_on),
            l::meeting_kind.eq(meeting.kind.as_str()),
            l::meeting_on.eq(meeting.held_on),
            l::attendance.eq(meeting.attendance),
            l::votes_for.eq(meeting.votes_for),
            l::votes_against.eq(meeting.votes_against),
            l::updated_at.eq(actor.now.naive_utc()),
        ))
        .execute(conn)?;
    list.status = ListStatus::Adopted;
    list.adopted_on = Some(adopted_on);
    list.meeting = Some(meeting);
    list.updated_at = actor.now;
    audit_list(conn, actor, "ADOPT_POINTS_LIST", &unit, &list, &[])?;
    Ok(list)
}

/// Withdraws a proposed version.
pub fn withdraw_list(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PointsListId,
) -> AppResult<PointsList> {
    let (mut list, unit) = managed(conn, actor, id)?;
    proposed(&list)?;
    diesel::update(l::points_lists.find(list.id))
        .set((
            l::status.eq(ListStatus::Withdrawn.as_str()),
            l::updated_at.eq(actor.now.naive_utc()),
        ))
        .execute(conn)?;
    list.status = ListStatus::Withdrawn;
    list.updated_at = actor.now;
    audit_list(conn, actor, "WITHDRAW_POINTS_LIST", &unit, &list, &[])?;
    Ok(list)
}

/// The version in force on `on` for households at or beneath `unit` (a
/// group, a grid or the village itself): the village's own, else its
/// township's.
pub fn in_force(
    conn: &mut DbConnection,
    unit: &OrgUnit,
    on: NaiveDate,
) -> AppResult<Option<PointsList>> {
    // The unit's ancestry with the unit itself at its own level.
    let [township, village, _, _] = crate::db::schema::households::table::slots(unit);
    for owner in [village, township].into_iter().flatten() {
        if let Some(list) = store::owned_in_force(conn, owner, on)? {
            return Ok(Some(list));
        }
    }
    Ok(None)
}
