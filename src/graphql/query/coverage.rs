//! Coverage queries: the aggregate, and the list of gaps.

use async_graphql::{Context, Object, Result, ID};

use super::tree::load_unit;
use crate::auth::policy::{Sight, UnitRef};
use crate::domain::coverage::GapReason;
use crate::domain::{Level, UnitType};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{decode, Kind};
use crate::graphql::types::connection::{sorted_unit_connection, OrgUnitConnection, PageArgs};
use crate::graphql::types::coverage::Coverage;
use crate::graphql::types::order::OrgUnitOrder;
use crate::graphql::types::org_unit::page_cost;
use crate::graphql::types::scalars::Date;
use crate::tree::tally::Counted;
use crate::tree::UnitFilter;
use chrono::NaiveDate;

#[derive(Default)]
pub struct CoverageQuery;

/// A day that is not in the future.
pub(crate) fn past_day(day: Option<NaiveDate>, field: &str) -> AppResult<Option<NaiveDate>> {
    let today = crate::graphql::context::now().date_naive();
    match day {
        Some(d) if d > today => Err(AppError::bad_input(
            field,
            format!("{d} is in the future; today is {today}"),
        )),
        other => Ok(other),
    }
}

/// The fully visible unit `under` names, or NOT_FOUND.
pub async fn scope_unit(ctx: &Context<'_>, under: Option<ID>) -> Result<Option<UnitRef>> {
    let Some(id) = under else { return Ok(None) };
    let unit = load_unit(ctx, decode(&id, Kind::OrgUnit, "under")?, "under").await?;
    if ctx.visibility().sight(&unit.0) != Sight::Full {
        return Err(AppError::unit_not_found("under").into());
    }
    Ok(Some(UnitRef::from(&unit.0)))
}

#[Object]
impl CoverageQuery {
    /// Organizational coverage of the management units (levels 1–4) beneath
    /// `under`, or of everything the viewer may see: totals, covered units,
    /// gaps and rate, per level and per unit type, with counts per form.
    /// Counted by units, from counters kept up to date by every write; with
    /// `asOf`, as the tree stood at the end of that day.
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "The day to answer for (default: now; not in the future).")] as_of: Option<
            Date,
        >,
    ) -> Result<Coverage> {
        ctx.viewer().require_signed_in()?;
        let counted = Counted::new(scope_unit(ctx, under).await?, &ctx.visibility());
        let as_of = past_day(as_of.map(|d| d.0), "asOf")?;
        let tally = ctx
            .db()
            .read(move |c| match as_of {
                Some(day) => counted.at(c, day),
                None => counted.now(c),
            })
            .await?;
        Ok(Coverage::new(tally, as_of))
    }

    /// The units that are coverage gaps (each with `gapReason`, and
    /// `ancestors` for display), in creation order or `orderBy`.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn coverage_gaps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Only units at this level.")] level: Option<Level>,
        #[graphql(desc = "Only units of this type.")] unit_type: Option<UnitType>,
        #[graphql(desc = "Only gaps for this reason.")] reason: Option<GapReason>,
        #[graphql(desc = "Sort order (default: creation order).")] order_by: Option<OrgUnitOrder>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<OrgUnitConnection> {
        ctx.viewer().require_signed_in()?;
        let filter = UnitFilter {
            under: scope_unit(ctx, under).await?,
            level,
            unit_type,
            gaps: Some(reason),
            ..UnitFilter::default()
        };
        sorted_unit_connection(
            ctx,
            filter,
            PageArgs::new(first, after, last, before),
            order_by,
        )
        .await
    }

    /// Active management units (levels 1–4) with no active child: where the
    /// five-level chain (五级联动) is broken. In creation order or `orderBy`.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn chain_gaps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "Only units at this level.")] level: Option<Level>,
        #[graphql(desc = "Sort order (default: creation order).")] order_by: Option<OrgUnitOrder>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<OrgUnitConnection> {
        ctx.viewer().require_signed_in()?;
        let filter = UnitFilter {
            under: scope_unit(ctx, under).await?,
            level,
            childless: true,
            ..UnitFilter::default()
        };
        sorted_unit_connection(
            ctx,
            filter,
            PageArgs::new(first, after, last, before),
            order_by,
        )
        .await
    }
}
