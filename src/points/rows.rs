//! The rows of the points system's tables and their conversions to the
//! domain's records.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;

use crate::db::ancestry::Beneath;
use crate::db::schema::{households, point_records, points_items, points_lists};
use crate::domain::ledger::{Household, PointRecord, PointsItem, PointsList, Redemption};
use crate::domain::points::Meeting;
use crate::domain::OrgUnit;
use crate::error::{AppError, AppResult};

fn utc(t: NaiveDateTime) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = households)]
#[diesel(treat_none_as_null = true)]
pub struct HouseholdRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub unit_id: i64,
    pub township_id: Option<i64>,
    pub village_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_group_id: Option<i64>,
    pub address: String,
    pub head_person_id: Option<i64>,
    pub registered_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub closed_reason: Option<String>,
    pub notes: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl HouseholdRow {
    /// The row of `x`, which lives in `group`.
    pub fn new(x: &Household, group: &OrgUnit) -> Self {
        let [township_id, village_id, grid_id, building_group_id] = households::table::slots(group);
        HouseholdRow {
            id: x.id,
            unit_id: group.id,
            township_id,
            village_id,
            grid_id,
            building_group_id,
            address: x.address.clone(),
            head_person_id: x.head_person_id,
            registered_on: x.registered_on,
            closed_on: x.closed_on,
            closed_reason: x.closed_reason.clone(),
            notes: x.notes.clone(),
            created_at: x.created_at.naive_utc(),
            updated_at: x.updated_at.naive_utc(),
        }
    }
}

impl From<HouseholdRow> for Household {
    fn from(r: HouseholdRow) -> Household {
        Household {
            id: r.id,
            unit_id: r.unit_id,
            address: r.address,
            head_person_id: r.head_person_id,
            registered_on: r.registered_on,
            closed_on: r.closed_on,
            closed_reason: r.closed_reason,
            notes: r.notes,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = points_lists)]
pub struct ListRow {
    pub id: i64,
    pub owner_unit_id: i64,
    pub township_id: i64,
    pub version: i32,
    pub title: String,
    pub status: String,
    pub proposed_on: NaiveDate,
    pub adopted_on: Option<NaiveDate>,
    pub meeting_kind: Option<String>,
    pub meeting_on: Option<NaiveDate>,
    pub attendance: Option<i32>,
    pub votes_for: Option<i32>,
    pub votes_against: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TryFrom<ListRow> for PointsList {
    type Error = AppError;
    fn try_from(r: ListRow) -> AppResult<PointsList> {
        let meeting = match (r.meeting_kind, r.meeting_on) {
            (Some(kind), Some(held_on)) => Some(Meeting {
                kind: kind.parse().map_err(AppError::internal)?,
                held_on,
                attendance: r.attendance.unwrap_or_default(),
                votes_for: r.votes_for.unwrap_or_default(),
                votes_against: r.votes_against.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(PointsList {
            id: r.id,
            owner_unit_id: r.owner_unit_id,
            township_id: r.township_id,
            version: r.version,
            title: r.title,
            status: r.status.parse().map_err(AppError::internal)?,
            proposed_on: r.proposed_on,
            adopted_on: r.adopted_on,
            meeting,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        })
    }
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = points_items)]
pub struct ItemRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub list_id: i64,
    pub code: String,
    pub category: String,
    pub description: String,
    pub points: i32,
    pub cap_per_year: Option<i32>,
}

impl From<ItemRow> for PointsItem {
    fn from(r: ItemRow) -> PointsItem {
        PointsItem {
            id: r.id,
            list_id: r.list_id,
            code: r.code,
            category: r.category,
            description: r.description,
            points: r.points,
            cap_per_year: r.cap_per_year,
        }
    }
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = point_records)]
pub struct RecordRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub household_id: i64,
    pub unit_id: i64,
    pub township_id: Option<i64>,
    pub village_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_group_id: Option<i64>,
    pub list_id: i64,
    pub item_id: i64,
    pub item_code: String,
    pub category: String,
    pub recorded_on: NaiveDate,
    pub year: i32,
    pub points: i32,
    pub note: Option<String>,
    pub reverses_id: Option<i64>,
    pub recorded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl From<RecordRow> for PointRecord {
    fn from(r: RecordRow) -> PointRecord {
        PointRecord {
            id: r.id,
            household_id: r.household_id,
            unit_id: r.unit_id,
            list_id: r.list_id,
            item_id: r.item_id,
            item_code: r.item_code,
            category: r.category,
            recorded_on: r.recorded_on,
            year: r.year,
            points: r.points,
            note: r.note,
            reverses_id: r.reverses_id,
            recorded_by: r.recorded_by,
            created_at: utc(r.created_at),
        }
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = crate::db::schema::redemptions)]
pub struct RedemptionRow {
    pub id: i64,
    pub household_id: i64,
    pub unit_id: i64,
    pub year: i32,
    pub ranked_under: Option<i64>,
    pub rank: i32,
    pub points: i64,
    pub kind: String,
    pub description: String,
    pub amount_fen: Option<i64>,
    pub given_on: NaiveDate,
    pub recorded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl TryFrom<RedemptionRow> for Redemption {
    type Error = AppError;
    fn try_from(r: RedemptionRow) -> AppResult<Redemption> {
        Ok(Redemption {
            id: r.id,
            household_id: r.household_id,
            unit_id: r.unit_id,
            year: r.year,
            ranked_under: r.ranked_under,
            rank: r.rank,
            points: r.points,
            kind: r.kind.parse().map_err(AppError::internal)?,
            description: r.description,
            amount_fen: r.amount_fen,
            given_on: r.given_on,
            recorded_by: r.recorded_by,
            created_at: utc(r.created_at),
        })
    }
}
