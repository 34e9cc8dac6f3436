//! `Household`: a household (户) of a building or courtyard group, the
//! unit the points system (积分制) scores, with its members, points and
//! records.

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::org_unit::OrgUnit;
use super::person::Person;
use super::point_record::{PointRecordConnection, RecordListTotals, Redemption};
use super::scalars::Date;
use crate::domain::ledger;
use crate::graphql::connection::{connection, ConnectionOf, PageArgs};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{encode, Kind};
use crate::points::ranking::{self, CategoryFigures};
use crate::points::{store, HouseholdFilter, RecordsOf};

/// A household (户).
pub struct Household(pub ledger::Household);

crate::graphql::connection::listed!(Household, ledger::Household, "Household");

/// A page of households.
pub type HouseholdConnection = ConnectionOf<Household, HouseholdListTotals>;

/// The list-wide fields of a `HouseholdConnection`.
pub struct HouseholdListTotals {
    pub filter: HouseholdFilter,
}

#[Object]
impl HouseholdListTotals {
    /// How many households the list holds across all its pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let filter = self.filter.clone();
        let visibility = ctx.visibility();
        Ok(ctx
            .db()
            .read(move |c| store::count(c, &visibility, &filter))
            .await?)
    }
}

/// One category's figures: records in force and points.
#[derive(SimpleObject, Clone)]
pub struct CategoryPoints {
    /// The category (环境卫生, 孝老爱亲…).
    pub category: String,
    /// Records in force: a reversed record and its reversal cancel out.
    pub records: i64,
    /// Points added by items that add, net of reversals.
    pub added: i64,
    /// Points deducted by items that deduct (a positive number), net of reversals.
    pub deducted: i64,
}

impl From<CategoryFigures> for CategoryPoints {
    fn from(c: CategoryFigures) -> Self {
        CategoryPoints {
            category: c.category,
            records: c.records,
            added: c.added,
            deducted: c.deducted,
        }
    }
}

/// A household's points for one year (its ledger's total).
#[derive(SimpleObject)]
pub struct HouseholdPoints {
    /// The year.
    pub year: i32,
    /// Points added minus points deducted.
    pub total: i64,
    /// Per category, in category order.
    pub by_category: Vec<CategoryPoints>,
}

/// A household (户): the smallest unit the points system counts. It lives
/// in a building or courtyard group and is seen by whoever fully sees that
/// group; its members' sensitive fields are masked as for any person.
#[Object]
impl Household {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Household, self.0.id)
    }
    /// House number or address (门牌号).
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// The building or courtyard group it belongs to.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<OrgUnit>> {
        Ok(ctx
            .request()
            .units
            .load_one(self.0.unit_id)
            .await?
            .map(OrgUnit))
    }
    /// The head of household (户主), if recorded and visible.
    async fn head(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        match self.0.head_person_id {
            Some(id) => crate::graphql::query::visible_person(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The members the viewer may see.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let id = self.0.id;
        let ids = ctx
            .db()
            .read(move |c| crate::points::store::member_ids(c, id))
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(p) = crate::graphql::query::visible_person(ctx, id).await? {
                out.push(p);
            }
        }
        Ok(out)
    }
    /// The day it was registered.
    async fn registered_on(&self) -> Date {
        Date(self.0.registered_on)
    }
    /// The day it was closed; null while open.
    async fn closed_on(&self) -> Option<Date> {
        self.0.closed_on.map(Date)
    }
    /// Why it was closed.
    async fn closed_reason(&self) -> Option<&str> {
        self.0.closed_reason.as_deref()
    }
    /// Free notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Its points in `year`: the total and per-category subtotals.
    async fn points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year.")] year: i32,
    ) -> Result<HouseholdPoints> {
        let id = self.0.id;
        let (total, by) = ctx
            .db()
            .read(move |c| ranking::household_year(c, id, year))
            .await?;
        Ok(HouseholdPoints {
            year,
            total,
            by_category: by.into_iter().map(CategoryPoints::from).collect(),
        })
    }
    /// Its point records (its ledger), oldest first; reversals included.
    async fn records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this year.")] year: Option<i32>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<PointRecordConnection> {
        let page =
            PageArgs::new(first, after, last, before).page::<super::point_record::PointRecord>()?;
        let of = RecordsOf::Household(self.0.id);
        let result = ctx
            .db()
            .read(move |c| store::records(c, of, year, page))
            .await?;
        Ok(connection(result, RecordListTotals { of, year }))
    }
    /// Rewards and penalties it was given.
    async fn redemptions(&self, ctx: &Context<'_>) -> Result<Vec<Redemption>> {
        let id = self.0.id;
        let rows = ctx
            .db()
            .read(move |c| crate::points::store::redemptions_of(c, id))
            .await?;
        Ok(rows.into_iter().map(Redemption).collect())
    }
}
