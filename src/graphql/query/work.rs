//! Grassroots work for dashboards: the helpers the summaries share (the
//! months of a period, the counters' scopes), the monthly trend, and the
//! dashboard's work fields.

use async_graphql::{Context, Object, Result, ID};
use chrono::NaiveDate;

use super::coverage::scope_unit;
use crate::auth::policy::UnitRef;
use crate::domain::service::Months;
use crate::error::AppError;
use crate::graphql::context::ContextExt;
use crate::graphql::types::duty_log::CadreDutyCount;
use crate::graphql::types::scalars::Date;
use crate::graphql::types::work_point::{WorkPoint, TREND_METRICS};
use crate::graphql::types::work_summary::EconomySummary;
use crate::service::{economy_summary, ranking, summary};

/// The most months one trend returns.
pub const MAX_TREND_MONTHS: i32 = 120;

/// The months of a summary.
pub fn months(from: Date, to: Date) -> Result<Months> {
    crate::domain::text::date("from", from.0)?;
    crate::domain::text::date("to", to.0)?;
    Ok(Months::new(from.0, to.0)?)
}

/// The day `asOf` names (default: today; not in the future), with today:
/// when problems' open and overdue are counted.
pub fn open_day(as_of: Option<Date>) -> Result<(NaiveDate, NaiveDate)> {
    let today = crate::graphql::context::now().date_naive();
    if let Some(d) = as_of {
        crate::domain::text::date("asOf", d.0)?;
    }
    let on = super::coverage::past_day(as_of.map(|d| d.0), "asOf")?.unwrap_or(today);
    Ok((on, today))
}

/// The counters' scopes for `under` (a unit the viewer fully sees), or
/// for everything the viewer sees.
pub fn scopes_for(ctx: &Context<'_>, under: Option<UnitRef>) -> Result<Vec<i64>> {
    ctx.viewer().require_signed_in()?;
    Ok(summary::scopes_seen(&ctx.visibility(), under))
}

/// The counters' scopes for `under` (or what the viewer sees).
pub async fn scopes(ctx: &Context<'_>, under: Option<ID>) -> Result<Vec<i64>> {
    ctx.viewer().require_signed_in()?;
    let under: Option<UnitRef> = scope_unit(ctx, under).await?;
    scopes_for(ctx, under)
}

/// The village economy of `year` for these scopes.
pub async fn economy(ctx: &Context<'_>, scopes: Vec<i64>, year: i32) -> Result<EconomySummary> {
    if !(1900..=2999).contains(&year) {
        return Err(AppError::bad_input("year", "a year lies between 1900 and 2999").into());
    }
    let f = ctx
        .db()
        .read(move |c| economy_summary::economy(c, &scopes, year))
        .await?;
    Ok(EconomySummary::new(year, f))
}

#[derive(Default)]
pub struct WorkQuery;

#[Object]
impl WorkQuery {
    /// Grassroots work month by month, from `from`'s month to `to`'s (at
    /// most 120), at or beneath `under` or everything the viewer sees:
    /// activities, active volunteers, hours, problems received and
    /// resolved (in the grid), escalations, problems open and overdue at
    /// each month's end, duties and training. For a chart; read from the
    /// counters and the open problems' history.
    async fn work_trend(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only work at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
    ) -> Result<Vec<WorkPoint>> {
        let months = months(from, to)?;
        let span = (months.last / 100 - months.first / 100) * 12 + months.last % 100
            - months.first % 100
            + 1;
        if span > MAX_TREND_MONTHS {
            return Err(AppError::bad_input("to", "a trend covers at most 120 months").into());
        }
        let scopes = scopes(ctx, under).await?;
        let today = crate::graphql::context::now().date_naive();
        let points = ctx
            .db()
            .read(move |c| summary::trend(c, &scopes, months, &TREND_METRICS, today))
            .await?;
        Ok(points.into_iter().map(WorkPoint::from).collect())
    }

    /// Cadres (linked leaders, instructors, grid liaisons) ranked by the
    /// duties they logged at or beneath `under` (or everything the viewer
    /// sees) in the months from `from`'s to `to`'s: most first, then by
    /// person. Read from the counters.
    async fn cadre_duties(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only duties at or beneath this unit.")] under: Option<ID>,
        #[graphql(desc = "A day of the first month.")] from: Date,
        #[graphql(desc = "A day of the last month.")] to: Date,
        #[graphql(desc = "How many cadres (1 to 100).", default = 20)] first: i32,
    ) -> Result<Vec<CadreDutyCount>> {
        if !(1..=ranking::MAX_RANKED).contains(&i64::from(first)) {
            return Err(AppError::bad_input("first", "rank 1 to 100 cadres").into());
        }
        let months = months(from, to)?;
        let scopes = scopes(ctx, under).await?;
        let rows = ctx
            .db()
            .read(move |c| ranking::cadre_duties(c, &scopes, months, i64::from(first)))
            .await?;
        Ok(rows.into_iter().map(CadreDutyCount).collect())
    }
}
