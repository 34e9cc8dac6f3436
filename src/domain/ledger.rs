//! The records of the points system as plain data: households, the
//! versions of a points list with their items, point records and
//! redemptions. Pure data; the rules are in [`super::points`].

use chrono::{DateTime, NaiveDate, Utc};

use super::points::{ListStatus, Meeting, RedemptionKind};

/// A household (户): the smallest unit the points system counts. It lives
/// in a building or courtyard group (level 4).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Household {
    pub id: i64,
    /// The building or courtyard group.
    pub unit_id: i64,
    /// House number or address, unique among the group's open households.
    pub address: String,
    pub head_person_id: Option<i64>,
    /// The day it was registered (counts from that year on).
    pub registered_on: NaiveDate,
    /// The day it was closed (moved away, merged, died out); none while open.
    pub closed_on: Option<NaiveDate>,
    pub closed_reason: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Household {
    /// Open on `day`: registered by then and not closed on or before it.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.registered_on <= day && self.closed_on.is_none_or(|c| c > day)
    }
}

/// One version of a unit's points list (积分清单).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PointsList {
    pub id: i64,
    /// The village (or township) whose list it is.
    pub owner_unit_id: i64,
    pub township_id: i64,
    /// 1 for the owner's first version, then 2, 3, …
    pub version: i32,
    pub title: String,
    pub status: ListStatus,
    pub proposed_on: NaiveDate,
    /// In force from this day (adopted versions only).
    pub adopted_on: Option<NaiveDate>,
    pub meeting: Option<Meeting>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An item of a version: what adds or deducts points.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PointsItem {
    pub id: i64,
    pub list_id: i64,
    /// Short code, unique in its version (kept across versions for caps).
    pub code: String,
    pub category: String,
    pub description: String,
    /// Positive adds, negative deducts.
    pub points: i32,
    /// At most this many points of the item per household and year.
    pub cap_per_year: Option<i32>,
}

/// A point record (积分记录). Never edited or deleted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PointRecord {
    pub id: i64,
    pub household_id: i64,
    /// The household's group when it was recorded (moves carry it along).
    pub unit_id: i64,
    pub list_id: i64,
    pub item_id: i64,
    pub item_code: String,
    pub category: String,
    pub recorded_on: NaiveDate,
    pub year: i32,
    pub points: i32,
    pub note: Option<String>,
    /// The record this one reverses (a correction), if any.
    pub reverses_id: Option<i64>,
    /// The account that recorded it (none: the system).
    pub recorded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A redemption (兑现): a reward or penalty for a year, against a ranking.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Redemption {
    pub id: i64,
    pub household_id: i64,
    pub unit_id: i64,
    pub year: i32,
    /// The unit the ranking was within (none: the region).
    pub ranked_under: Option<i64>,
    /// The household's competition rank there when it was recorded.
    pub rank: i32,
    /// Its total that year when it was recorded.
    pub points: i64,
    pub kind: RedemptionKind,
    pub description: String,
    /// An amount in fen (分), e.g. a dividend (分红).
    pub amount_fen: Option<i64>,
    pub given_on: NaiveDate,
    pub recorded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}
