//! Grassroots work for dashboards: the helpers the summaries share (the
//! months of a period, the counters' scopes), the monthly trend, and the
//! dashboard's work fields.

use async_graphql::{Context, Object, Result, ID};

use super::coverage::scope_unit;
use crate::auth::policy::UnitRef;
use crate::domain::service::Months;
use crate::error::AppError;
use crate::graphql::context::ContextExt;
use crate::graphql::types::scalars::Date;
use crate::graphql::types::work_point::{WorkPoint, TREND_METRICS};
use crate::graphql::types::work_summary::EconomySummary;
use crate::service::{economy_summary, summary};

/// The most months one trend returns.
pub const MAX_TREND_MONTHS: i32 = 120;

/// The months of a summary.
pub fn months(from: Date, to: Date) -> Result<Months> {
    crate::domain::text::date("from", from.0)?;
    crate::domain::text::date("to", to.0)?;
    Ok(Months::new(from.0, to.0)?)
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
    /// resolved (in the grid), escalations, duties and training. For a
    /// chart; read from the counters.
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
        let points = ctx
            .db()
            .read(move |c| summary::trend(c, &scopes, months, &TREND_METRICS))
            .await?;
        Ok(points.into_iter().map(WorkPoint::from).collect())
    }
}
