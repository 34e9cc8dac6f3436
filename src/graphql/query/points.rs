//! Queries of the points system: households, points lists, records,
//! rankings and summaries, each narrowed to what the viewer fully sees.

use async_graphql::{Context, Object, Result, ID};

use super::coverage::scope_unit;
use super::tree::load_unit;
use crate::auth::policy::{Sight, UnitRef};
use crate::error::AppError;
use crate::graphql::connection::{connection, PageArgs};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{decode, Kind};
use crate::graphql::types::household::{Household, HouseholdConnection, HouseholdListTotals};
use crate::graphql::types::node::Node;
use crate::graphql::types::point_record::Redemption;
use crate::graphql::types::point_record::{PointRecord, PointRecordConnection, RecordListTotals};
use crate::graphql::types::points_list::{PointsItem, PointsList};
use crate::graphql::types::points_ranking::{PointsRanking, PointsSummary, RankingLevel};
use crate::graphql::types::scalars::Date;
use crate::points::ranking::{self, Summary};
use crate::points::{lists, store, HouseholdFilter, RecordsOf};

/// The most first places a ranking returns (before ties).
pub const MAX_RANKING_TOP: i32 = 1_000;
/// The most last places per unit a ranking returns (before ties).
pub const MAX_RANKING_BOTTOM: i32 = 100;

#[derive(Default)]
pub struct PointsQuery;

/// Household `id`, if the viewer fully sees its group; `None` alike for a
/// missing household and one out of sight.
pub async fn visible_household(ctx: &Context<'_>, id: i64) -> Result<Option<Household>> {
    let Some(x) = ctx.db().read(move |c| store::household(c, id)).await? else {
        return Ok(None);
    };
    let group = ctx.request().units.load_one(x.unit_id).await?;
    Ok(group
        .filter(|g| ctx.visibility().sight(g) == Sight::Full)
        .map(|_| Household(x)))
}

/// The year argument, checked.
fn year_arg(year: i32) -> Result<i32> {
    if !(1900..=2999).contains(&year) {
        return Err(AppError::bad_input("year", "a year lies between 1900 and 2999").into());
    }
    Ok(year)
}

#[Object]
impl PointsQuery {
    /// One household, if the viewer sees it.
    async fn household(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The household's id.")] id: ID,
    ) -> Result<Option<Household>> {
        ctx.viewer().require_signed_in()?;
        visible_household(ctx, decode(&id, Kind::Household, "id")?).await
    }

    /// Households beneath `under` (or everything the viewer sees), in
    /// registration order.
    #[allow(clippy::too_many_arguments)]
    async fn households(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only households at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Closed households too.", default = false)] include_closed: bool,
        #[graphql(desc = "Part of the address (at most 100 characters).")] search: Option<String>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<HouseholdConnection> {
        ctx.viewer().require_signed_in()?;
        let search = crate::domain::text::search(search)?;
        let page = PageArgs::new(first, after, last, before).page::<Household>()?;
        let filter = HouseholdFilter {
            under: scope_unit(ctx, under).await?,
            include_closed,
            search,
        };
        let visibility = ctx.visibility();
        let f = filter.clone();
        let result = ctx
            .db()
            .read(move |c| store::list(c, &visibility, &f, page))
            .await?;
        Ok(connection(result, HouseholdListTotals { filter }))
    }

    /// Every version of a village's or township's points list, newest first.
    async fn points_lists(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The village or township.")] owner_id: ID,
    ) -> Result<Vec<PointsList>> {
        ctx.viewer().require_signed_in()?;
        let owner = scope_unit(ctx, Some(owner_id)).await?;
        let id = owner.map_or(0, |o| o.id);
        let lists = ctx.db().read(move |c| store::versions_of(c, id)).await?;
        Ok(lists.into_iter().map(PointsList).collect())
    }

    /// The points list in force for the households of a unit (a group, grid
    /// or village) on a day: the village's own version, else its township's.
    async fn points_list_in_force(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A village or a unit beneath it.")] unit_id: ID,
        #[graphql(desc = "The day (default: today).")] on: Option<Date>,
    ) -> Result<Option<PointsList>> {
        ctx.viewer().require_signed_in()?;
        let unit = load_unit(ctx, decode(&unit_id, Kind::OrgUnit, "unitId")?, "unitId").await?;
        if ctx.visibility().sight(&unit.0) != Sight::Full {
            return Err(AppError::unit_not_found("unitId").into());
        }
        let on = on.map_or_else(|| crate::graphql::context::now().date_naive(), |d| d.0);
        let list = ctx
            .db()
            .read(move |c| lists::in_force(c, &unit.0, on))
            .await?;
        Ok(list.map(PointsList))
    }

    /// The point records beneath a unit, oldest first.
    #[allow(clippy::too_many_arguments)]
    async fn point_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit.")] under: ID,
        #[graphql(desc = "Only this year.")] year: Option<i32>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<PointRecordConnection> {
        ctx.viewer().require_signed_in()?;
        let year = year.map(year_arg).transpose()?;
        let page = PageArgs::new(first, after, last, before).page::<PointRecord>()?;
        let Some(under) = scope_unit(ctx, Some(under)).await? else {
            return Err(AppError::unit_not_found("under").into());
        };
        let of = RecordsOf::Under(under);
        let result = ctx
            .db()
            .read(move |c| store::records(c, of, year, page))
            .await?;
        Ok(connection(result, RecordListTotals { of, year }))
    }

    /// A year's ranking within a unit: its first `top` places, and the last
    /// `bottom` places of each unit at level `per` beneath it (of the unit
    /// itself when it is at that level). 琅塘镇's year-end rule is
    /// `pointsRanking(under: 琅塘镇, year: …, top: 200, bottom: 5, per: VILLAGE)`.
    /// Competition ranking; ties with the last place asked for included.
    async fn points_ranking(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit ranked within (a township, say).")] under: ID,
        #[graphql(desc = "The year.")] year: i32,
        #[graphql(desc = "First places (0 to 1,000).", default = 10)] top: i32,
        #[graphql(desc = "Last places per unit at `per` (0 to 100).", default = 0)] bottom: i32,
        #[graphql(
            desc = "The units the last places are taken per.",
            default_with = "RankingLevel::Village"
        )]
        per: RankingLevel,
    ) -> Result<PointsRanking> {
        ctx.viewer().require_signed_in()?;
        let year = year_arg(year)?;
        if !(0..=MAX_RANKING_TOP).contains(&top) {
            return Err(AppError::bad_input("top", "top is 0 to 1,000").into());
        }
        if !(0..=MAX_RANKING_BOTTOM).contains(&bottom) {
            return Err(AppError::bad_input("bottom", "bottom is 0 to 100").into());
        }
        let unit = load_unit(ctx, decode(&under, Kind::OrgUnit, "under")?, "under").await?;
        if ctx.visibility().sight(&unit.0) != Sight::Full {
            return Err(AppError::unit_not_found("under").into());
        }
        let r = ctx
            .db()
            .read(move |c| {
                let r = ranking::ranking(
                    c,
                    Some(&unit.0),
                    year,
                    top as usize,
                    (bottom as usize, per.into()),
                )?;
                PointsRanking::load(c, r)
            })
            .await?;
        Ok(r)
    }

    /// A year of the points system beneath `under` (or everything the
    /// viewer sees): households, households scored and the participation
    /// rate, records and points added and deducted per category.
    async fn points_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only households at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "The year.")] year: i32,
    ) -> Result<PointsSummary> {
        ctx.viewer().require_signed_in()?;
        let year = year_arg(year)?;
        Ok(points_summary(ctx, scope_unit(ctx, under).await?, year)
            .await?
            .into())
    }
}

/// The summary of `year` at `under` (a unit the viewer fully sees), or of
/// everything the viewer sees.
pub async fn points_summary(
    ctx: &Context<'_>,
    under: Option<UnitRef>,
    year: i32,
) -> Result<Summary> {
    let visibility = ctx.visibility();
    Ok(ctx
        .db()
        .read(move |c| ranking::summary_seen(c, &visibility, under, year))
        .await?)
}

/// `node(id:)` of the points system's kinds: each as visible as its
/// household or its list's owner.
pub async fn points_node(ctx: &Context<'_>, kind: Kind, n: i64) -> Result<Option<Node>> {
    let owner_seen = |owner: Option<i64>| async move {
        let Some(owner) = owner else {
            return Ok::<bool, async_graphql::Error>(false);
        };
        let unit = ctx.request().units.load_one(owner).await?;
        Ok(unit.is_some_and(|u| ctx.visibility().sight(&u) == Sight::Full))
    };
    Ok(match kind {
        Kind::Household => visible_household(ctx, n).await?.map(Node::Household),
        Kind::PointRecord => {
            let rec = ctx.db().read(move |c| store::record(c, n)).await?;
            match rec {
                Some(r) => visible_household(ctx, r.household_id)
                    .await?
                    .map(|_| Node::PointRecord(PointRecord(r))),
                None => None,
            }
        }
        Kind::Redemption => {
            let x = ctx.db().read(move |c| store::redemption(c, n)).await?;
            match x {
                Some(r) => visible_household(ctx, r.household_id)
                    .await?
                    .map(|_| Node::Redemption(Redemption(r))),
                None => None,
            }
        }
        Kind::PointsList => {
            let list = ctx.db().read(move |c| store::list_version(c, n)).await?;
            match list {
                Some(l) if owner_seen(Some(l.owner_unit_id)).await? => {
                    Some(Node::PointsList(PointsList(l)))
                }
                _ => None,
            }
        }
        Kind::PointsItem => {
            let found = ctx
                .db()
                .read(move |c| {
                    let Some(item) = store::item(c, n)? else {
                        return Ok(None);
                    };
                    let list = store::list_version(c, item.list_id)?;
                    Ok(list.map(|l| (item, l.owner_unit_id)))
                })
                .await?;
            match found {
                Some((item, owner)) if owner_seen(Some(owner)).await? => {
                    Some(Node::PointsItem(PointsItem(item)))
                }
                _ => None,
            }
        }
        _ => None,
    })
}
