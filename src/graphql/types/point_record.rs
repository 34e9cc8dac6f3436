//! `PointRecord`: one entry of a household's points ledger (积分记录), and
//! `Redemption`: a reward or penalty given for a year (兑现).

use async_graphql::{Context, Object, Result, ID};

use super::household::Household;
use super::points_list::{PointsItem, PointsList};
use super::scalars::Date;
use crate::domain::ledger;
use crate::domain::points::RedemptionKind;
use crate::graphql::connection::ConnectionOf;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};
use crate::points::{store, RecordsOf};

/// A point record.
pub struct PointRecord(pub ledger::PointRecord);

crate::graphql::connection::listed!(PointRecord, ledger::PointRecord, "PointRecord");

/// A page of point records.
pub type PointRecordConnection = ConnectionOf<PointRecord, RecordListTotals>;

/// The list-wide fields of a `PointRecordConnection`.
pub struct RecordListTotals {
    pub of: RecordsOf,
    pub year: Option<i32>,
}

#[Object]
impl RecordListTotals {
    /// How many records the list holds across all its pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let (of, year) = (self.of, self.year);
        Ok(ctx
            .db()
            .read(move |c| store::count_records(c, of, year))
            .await?)
    }
}

/// A point record (积分记录): points a household got (or lost) on a day for
/// an item of the points list then in force. Never edited or deleted; a
/// correction is a reversing record that names the original.
#[Object]
impl PointRecord {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::PointRecord, self.0.id)
    }
    /// The household.
    async fn household(&self, ctx: &Context<'_>) -> Result<Option<Household>> {
        let id = self.0.household_id;
        let x = ctx.db().read(move |c| store::household(c, id)).await?;
        Ok(x.map(Household))
    }
    /// The day it counts for.
    async fn recorded_on(&self) -> Date {
        Date(self.0.recorded_on)
    }
    /// The year it counts in (a reversal counts in its original's year).
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Points: positive adds, negative deducts.
    async fn points(&self) -> i32 {
        self.0.points
    }
    /// The item's category.
    async fn category(&self) -> &str {
        &self.0.category
    }
    /// The item's code.
    async fn item_code(&self) -> &str {
        &self.0.item_code
    }
    /// The item, as its list version defines it.
    async fn item(&self, ctx: &Context<'_>) -> Result<Option<PointsItem>> {
        let id = self.0.item_id;
        Ok(ctx
            .db()
            .read(move |c| store::item(c, id))
            .await?
            .map(PointsItem))
    }
    /// The version of the points list in force on its day.
    async fn list(&self, ctx: &Context<'_>) -> Result<Option<PointsList>> {
        let id = self.0.list_id;
        Ok(ctx
            .db()
            .read(move |c| store::list_version(c, id))
            .await?
            .map(PointsList))
    }
    /// The evidence (what was done, where, witnessed by whom).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The record this one reverses; null for an ordinary record.
    async fn reverses(&self) -> Option<ID> {
        self.0.reverses_id.map(|id| encode(Kind::PointRecord, id))
    }
    /// The account that recorded it; null for the system.
    async fn recorded_by(&self) -> Option<ID> {
        self.0.recorded_by.map(|id| encode(Kind::Account, id))
    }
    /// When it was recorded.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
}

/// A redemption.
pub struct Redemption(pub ledger::Redemption);

/// A redemption (兑现): a reward (e.g. 分红) or penalty given to a household
/// for a year, against a ranking, with the rank and total it had then.
#[Object]
impl Redemption {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Redemption, self.0.id)
    }
    /// The year redeemed.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Reward or penalty.
    async fn kind(&self) -> RedemptionKind {
        self.0.kind
    }
    /// Its Chinese label (奖励/惩戒).
    async fn kind_label(&self) -> &'static str {
        self.0.kind.label()
    }
    /// The unit the ranking was within; null for the whole region.
    async fn ranked_under(&self) -> Option<ID> {
        self.0.ranked_under.map(|id| encode(Kind::OrgUnit, id))
    }
    /// The household's competition rank there when it was recorded.
    async fn rank(&self) -> i32 {
        self.0.rank
    }
    /// The household's total that year when it was recorded.
    async fn points(&self) -> i64 {
        self.0.points
    }
    /// What was given.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// An amount in yuan (e.g. a dividend), to the fen.
    async fn amount(&self) -> Option<f64> {
        self.0.amount_fen.map(|f| f as f64 / 100.0)
    }
    /// The day it was given.
    async fn given_on(&self) -> Date {
        Date(self.0.given_on)
    }
}
