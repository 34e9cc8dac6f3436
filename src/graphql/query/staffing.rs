//! Staffing queries: which units fail which rule, and the people figures.

use async_graphql::{Context, Object, Result, ID};

use super::coverage::{past_day, scope_unit};
use crate::domain::staffing::StaffingRule;
use crate::domain::Level;
use crate::graphql::context::{now, ContextExt};
use crate::graphql::types::connection::{unit_connection, OrgUnitConnection, PageArgs};
use crate::graphql::types::org_unit::page_cost;
use crate::graphql::types::scalars::Date;
use crate::graphql::types::staffing::{PeopleStats, RuleCount, SecretaryStats};
use crate::people::stats;
use crate::tree::UnitFilter;

#[derive(Default)]
pub struct StaffingQuery;

#[Object]
impl StaffingQuery {
    /// For each staffing rule, how many units the viewer sees beneath
    /// `under` (or anywhere) fail it; the same units `staffingGaps` lists.
    async fn staffing_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
    ) -> Result<Vec<RuleCount>> {
        ctx.viewer().require_signed_in()?;
        let under = scope_unit(ctx, under).await?;
        let visibility = ctx.visibility();
        let counts = ctx
            .db()
            .read(move |c| stats::staffing_counts(c, &visibility, under))
            .await?;
        Ok(counts.into_iter().map(RuleCount::from).collect())
    }

    /// The units failing one staffing rule, in creation order.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn staffing_gaps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only units beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "The rule.")] rule: StaffingRule,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> Result<OrgUnitConnection> {
        ctx.viewer().require_signed_in()?;
        let filter = UnitFilter {
            under: scope_unit(ctx, under).await?,
            staffing: Some(rule),
            ..UnitFilter::default()
        };
        unit_connection(ctx, filter, PageArgs::new(first, after, last, before)).await
    }

    /// The secretaries of one level (default `VILLAGE`, the level of the
    /// article's figures) in post on `asOf` (default today): count, 一肩挑
    /// ratio, average age, junior college or above.
    async fn secretary_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only posts beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "The level of the units (default VILLAGE).")] level: Option<Level>,
        #[graphql(desc = "The day (default today; not in the future).")] as_of: Option<Date>,
    ) -> Result<SecretaryStats> {
        ctx.viewer().require_signed_in()?;
        let under = scope_unit(ctx, under).await?;
        let on = past_day(as_of.map(|d| d.0), "asOf")?.unwrap_or(now().date_naive());
        let level = level.unwrap_or(Level::Village);
        let visibility = ctx.visibility();
        let whole_years = !ctx.viewer().sees_birth_dates(under.as_ref());
        let figures = ctx
            .db()
            .read(move |c| stats::secretaries(c, &visibility, under, level, on, whole_years))
            .await?;
        Ok(figures.into())
    }

    /// People by political status, capable non-party residents, distinct
    /// active volunteers and cadre links, on `asOf` (default today).
    async fn people_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only people and posts of this unit and beneath.")] under: Option<ID>,
        #[graphql(desc = "The day (default today; not in the future).")] as_of: Option<Date>,
    ) -> Result<PeopleStats> {
        ctx.viewer().require_signed_in()?;
        let under = scope_unit(ctx, under).await?;
        let on = past_day(as_of.map(|d| d.0), "asOf")?.unwrap_or(now().date_naive());
        let visibility = ctx.visibility();
        let figures = ctx
            .db()
            .read(move |c| stats::people(c, &visibility, under, on))
            .await?;
        Ok(figures.into())
    }
}
