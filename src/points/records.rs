//! Point records (积分记录) and redemptions (兑现). Records are never
//! edited or deleted: a correction is a reversing record. Recording needs
//! a MANAGER grant at the household's village or below
//! (`ActionKind::RecordPoints`).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::households::{held, place, seen};
use super::lists;
use super::store::{self, RecordRow};
use super::tallies;
use crate::audit::{self, Actor, AuditEntry};
use crate::auth::policy::ActionKind;
use crate::db::schema::household_points::dsl as hp;
use crate::db::schema::point_records::{self, dsl as r};
use crate::db::schema::redemptions::{self, dsl as rd};
use crate::db::DbConnection;
use crate::domain::ledger::{Household, PointRecord, Redemption};
use crate::domain::points::{record_points, within_cap, year_of, RedemptionKind};
use crate::domain::{rules, OrgUnit};
use crate::error::{AppError, AppResult};
use crate::ids::{encode, HouseholdId, Id, Kind, PointRecordId, PointsItemId};

/// A record to make.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub household_id: HouseholdId,
    pub item_id: PointsItemId,
    /// Default: today.
    pub recorded_on: Option<NaiveDate>,
    /// Default: the item's.
    pub points: Option<i32>,
    pub note: Option<String>,
}

fn recorder(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: HouseholdId,
    field: &str,
) -> AppResult<(Household, OrgUnit)> {
    let (x, group) = held(conn, id)?;
    seen(actor, &group)?;
    actor
        .viewer
        .check(ActionKind::RecordPoints, Some(&group), field)?;
    Ok((x, group))
}

fn insert(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    group: &OrgUnit,
    mut rec: PointRecord,
    action: &str,
) -> AppResult<PointRecord> {
    let at = place(group);
    let [township_id, village_id, grid_id, building_group_id] = at.slots;
    let row = RecordRow {
        id: 0,
        household_id: rec.household_id,
        unit_id: group.id,
        township_id,
        village_id,
        grid_id,
        building_group_id,
        list_id: rec.list_id,
        item_id: rec.item_id,
        item_code: rec.item_code.clone(),
        category: rec.category.clone(),
        recorded_on: rec.recorded_on,
        year: rec.year,
        points: rec.points,
        note: rec.note.clone(),
        reverses_id: rec.reverses_id,
        recorded_by: rec.recorded_by,
        created_at: rec.created_at.naive_utc(),
    };
    rec.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(point_records::table)
        .values(&row)
        .returning(r::id)
        .get_result::<i64>(c))?;
    tallies::add_record(conn, at, &rec, 1)?;
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            action,
            encode(Kind::PointRecord, rec.id),
            Some(group),
            None,
            Some(&rec),
        ),
    )?;
    Ok(rec)
}

/// Records points for a household, against an item of the list in force
/// for its village on the day.
pub fn record_points_for(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    new: NewRecord,
) -> AppResult<PointRecord> {
    let (x, group) = recorder(conn, actor, new.household_id, "householdId")?;
    let today = actor.now.date_naive();
    let on = new.recorded_on.unwrap_or(today);
    rules::not_future("recordedOn", Some(on), today)?;
    if !x.open_on(on) {
        return Err(AppError::bad_input(
            "recordedOn",
            match x.closed_on {
                Some(c) if c <= on => format!("the household was closed on {c}"),
                _ => format!("the household was registered on {}", x.registered_on),
            },
        ));
    }
    let missing = || AppError::not_found("no such points item");
    let item = store::item(conn, new.item_id.get())?.ok_or_else(missing)?;
    let list = lists::in_force(conn, &group, on)?.ok_or_else(|| {
        AppError::bad_input(
            "recordedOn",
            format!("no points list was in force for this household's village on {on}"),
        )
    })?;
    if item.list_id != list.id {
        return Err(AppError::bad_input(
            "itemId",
            format!(
                "the item is not in the points list in force for this household on {on} ({}, version {})",
                list.title, list.version
            ),
        ));
    }
    let points = record_points(item.points, new.points)?;
    let year = year_of(on);
    let so_far: Option<i64> = r::point_records
        .filter(r::household_id.eq(x.id))
        .filter(r::year.eq(year))
        .filter(r::item_code.eq(&item.code))
        .select(diesel::dsl::sum(r::points))
        .first::<Option<i64>>(conn)?;
    if !within_cap(item.cap_per_year, so_far.unwrap_or(0), i64::from(points)) {
        return Err(AppError::bad_input(
            "points",
            format!(
                "the household already has {} points of item {} in {year}; its cap is {} a year",
                so_far.unwrap_or(0),
                item.code,
                item.cap_per_year.unwrap_or_default()
            ),
        ));
    }
    let note = rules::optional_text("note", new.note.as_deref(), rules::MAX_SHORT_TEXT_CHARS)?;
    let rec = PointRecord {
        id: 0,
        household_id: x.id,
        unit_id: group.id,
        list_id: list.id,
        item_id: item.id,
        item_code: item.code,
        category: item.category,
        recorded_on: on,
        year,
        points,
        note,
        reverses_id: None,
        recorded_by: actor.viewer.account_id(),
        created_at: actor.now,
    };
    insert(conn, actor, &group, rec, "RECORD_POINTS")
}

/// Reverses a record (a correction): a record of the opposite points, in
/// the same year and category, referencing it. A record is reversed once;
/// a reversal is not reversed (record again instead).
pub fn reverse_record(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    id: PointRecordId,
    on: Option<NaiveDate>,
    note: &str,
) -> AppResult<PointRecord> {
    let missing = || AppError::not_found("no such point record");
    let original = store::record(conn, id.get())?.ok_or_else(missing)?;
    let (_, group) = recorder(
        conn,
        actor,
        crate::ids::HouseholdId(original.household_id),
        "id",
    )
    .map_err(|e| match e {
        AppError::NotFound(_) => missing(),
        other => other,
    })?;
    if original.reverses_id.is_some() {
        return Err(AppError::bad_input(
            "id",
            "a reversal is not reversed; record the points again instead",
        ));
    }
    let reversed: Option<i64> = r::point_records
        .filter(r::reverses_id.eq(original.id))
        .select(r::id)
        .first(conn)
        .optional()?;
    if reversed.is_some() {
        return Err(AppError::conflict_on(
            "id",
            "the record is already reversed",
        ));
    }
    let today = actor.now.date_naive();
    let on = on.unwrap_or(today);
    rules::not_future("recordedOn", Some(on), today)?;
    if on < original.recorded_on {
        return Err(AppError::bad_input(
            "recordedOn",
            "a reversal is dated on or after the record it reverses",
        ));
    }
    let note = rules::name("note", note)?;
    let rec = PointRecord {
        id: 0,
        recorded_on: on,
        points: -original.points,
        note: Some(note),
        reverses_id: Some(original.id),
        recorded_by: actor.viewer.account_id(),
        created_at: actor.now,
        unit_id: group.id,
        ..original
    };
    insert(conn, actor, &group, rec, "REVERSE_POINT_RECORD")
}

/// A redemption to record.
#[derive(Debug, Clone)]
pub struct NewRedemption {
    pub household_id: HouseholdId,
    pub year: i32,
    /// The unit the ranking was within (none: the region).
    pub ranked_under: Option<OrgUnit>,
    pub kind: RedemptionKind,
    pub description: String,
    pub amount_fen: Option<i64>,
    pub given_on: Option<NaiveDate>,
}

/// Records a reward or penalty for a household's year, with its rank in
/// the ranking within `ranked_under` (competition ranking among the
/// households scored that year), computed now and kept.
pub fn redeem(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    new: NewRedemption,
) -> AppResult<Redemption> {
    let (x, group) = recorder(conn, actor, new.household_id, "householdId")?;
    if let Some(under) = &new.ranked_under {
        let inside = under.id == group.id || group.ancestry.contains(under.id);
        if !inside {
            return Err(AppError::bad_input(
                "rankedUnder",
                "the household is not in that ranking",
            ));
        }
    }
    let today = actor.now.date_naive();
    let given_on = new.given_on.unwrap_or(today);
    rules::not_future("givenOn", Some(given_on), today)?;
    if new.year > year_of(given_on) {
        return Err(AppError::bad_input(
            "year",
            "a year is redeemed once it has begun",
        ));
    }
    let total: Option<(i64, i64)> = hp::household_points
        .find((x.id, new.year))
        .select((hp::points, hp::records))
        .first(conn)
        .optional()?;
    let points = match total {
        Some((p, n)) if n > 0 => p,
        _ => {
            return Err(AppError::bad_input(
                "year",
                format!("the household has no points recorded in {}", new.year),
            ))
        }
    };
    let rank = super::ranking::rank_of(conn, new.ranked_under.as_ref(), new.year, points)?;
    let description = rules::name("description", &new.description)?;
    if new
        .amount_fen
        .is_some_and(|a| !(0..=10_000_000_000).contains(&a))
    {
        return Err(AppError::bad_input(
            "amount",
            "an amount is 0 to 100,000,000 yuan",
        ));
    }
    let slots = place(&group).slots;
    let mut out = Redemption {
        id: 0,
        household_id: x.id,
        unit_id: group.id,
        year: new.year,
        ranked_under: new.ranked_under.as_ref().map(|u| u.id),
        rank: rank as i32,
        points,
        kind: new.kind,
        description,
        amount_fen: new.amount_fen,
        given_on,
        recorded_by: actor.viewer.account_id(),
        created_at: actor.now,
    };
    out.id = crate::with_concrete_conn!(conn, |c| diesel::insert_into(redemptions::table)
        .values((
            rd::household_id.eq(out.household_id),
            rd::unit_id.eq(out.unit_id),
            rd::township_id.eq(slots[0]),
            rd::village_id.eq(slots[1]),
            rd::grid_id.eq(slots[2]),
            rd::building_group_id.eq(slots[3]),
            rd::year.eq(out.year),
            rd::ranked_under.eq(out.ranked_under),
            rd::rank.eq(out.rank),
            rd::points.eq(out.points),
            rd::kind.eq(out.kind.as_str()),
            rd::description.eq(&out.description),
            rd::amount_fen.eq(out.amount_fen),
            rd::given_on.eq(out.given_on),
            rd::recorded_by.eq(out.recorded_by),
            rd::created_at.eq(out.created_at.naive_utc()),
        ))
        .returning(rd::id)
        .get_result::<i64>(c))?;
    audit::record(
        conn,
        &AuditEntry::new(
            actor,
            "REDEEM_POINTS",
            encode(Kind::Redemption, out.id),
            Some(&group),
            None,
            Some(&out),
        ),
    )?;
    Ok(out)
}
